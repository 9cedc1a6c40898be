// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package iampolicy

import (
	"strings"
	"testing"
)

func TestCheckRefusesBadDocuments(t *testing.T) {
	for _, c := range Examples {
		t.Run(c.Name, func(t *testing.T) {
			ps := Check([]byte(c.Doc), c.Type)
			if !strings.Contains(ps.Error(), c.Want) {
				t.Fatalf("problems %q, want one with %q", ps.Error(), c.Want)
			}
		})
	}
}

func TestCheckAcceptsGoodDocuments(t *testing.T) {
	for _, c := range []struct {
		typ Type
		doc string
	}{
		{SCP, `{"Version":"2012-10-17","Statement":[{"Sid":"DenyLeave","Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`},
		{SCP, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`},
		{SCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]},"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":"x*"},"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"s3:TlsVersion":1.2}}}]}`},
		{SCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:Run*","NotResource":"arn:aws:ec2:*:*:instance/*"}]}`},
		{RCP, `{"Version":"2012-10-17","Statement":[{"Sid":"EnforceTLS","Effect":"Deny","Principal":"*","Action":["s3:*","sqs:*"],"Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}]}`},
		{Identity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`},
	} {
		if ps := Check([]byte(c.doc), c.typ); len(ps) > 0 {
			t.Errorf("%s: %v", c.doc, ps)
		}
	}
}

func TestLockoutHelpers(t *testing.T) {
	denyAll := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`
	denyAllIf := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:x":"true"}}}]}`
	allow := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`
	if !DeniesEverything([]byte(denyAll)) || DeniesEverything([]byte(denyAllIf)) || DeniesEverything([]byte(allow)) {
		t.Fatal("DeniesEverything")
	}
	if Allows([]byte(denyAll)) || !Allows([]byte(allow)) {
		t.Fatal("Allows")
	}
}
