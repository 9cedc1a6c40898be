// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package ssoapi_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/smithy-go"

	"github.com/awsorg/awsorg-operator/internal/aws/ssoapi"
)

// Each permission set is described once to learn its name; after that a lookup by
// name costs one list and one describe of the set it finds, and sees sets deleted
// and created since.
func TestPermissionSetsAreFoundByNameDescribingEachOnce(t *testing.T) {
	sim, _, sso, dir := newSSO(t, time.Millisecond)
	ctx := context.Background()
	instance, _, _ := setup(t, dir, sso, "Set0")
	const n = 20
	arns := map[string]string{}
	for i := 1; i < n; i++ {
		out, err := sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: &instance, Name: aws.String(fmt.Sprint("Set", i))})
		if err != nil {
			t.Fatal(err)
		}
		arns[fmt.Sprint("Set", i)] = aws.ToString(out.PermissionSet.PermissionSetArn)
	}
	before := sim.Calls()["sso-admin:DescribePermissionSet"]
	for i := n - 1; i >= 0; i-- {
		name := fmt.Sprint("Set", i)
		ps, err := dir.Sets.Find(ctx, instance, name)
		if err != nil || ps == nil || aws.ToString(ps.Name) != name {
			t.Fatalf("%s: found %+v, %v", name, ps, err)
		}
	}
	if d := sim.Calls()["sso-admin:DescribePermissionSet"] - before; d > 2*n {
		t.Fatalf("%d describes to find %d sets by name, want at most %d (each once, and each found)", d, n, 2*n)
	}
	if _, err := sso.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: &instance, PermissionSetArn: aws.String(arns["Set5"])}); err != nil {
		t.Fatal(err)
	}
	if ps, err := dir.Sets.Find(ctx, instance, "Set5"); err != nil || ps != nil {
		t.Fatalf("a deleted set: found %+v, %v", ps, err)
	}
	if _, err := sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: &instance, Name: aws.String("Set5")}); err != nil {
		t.Fatal(err)
	}
	if ps, err := dir.Sets.Find(ctx, instance, "Set5"); err != nil || ps == nil || aws.ToString(ps.PermissionSetArn) == arns["Set5"] {
		t.Fatalf("a set created again under the same name: found %+v, %v", ps, err)
	}
	if ps, err := dir.Sets.Find(ctx, instance, "Nowhere"); err != nil || ps != nil {
		t.Fatalf("a name no set has: found %+v, %v", ps, err)
	}
}

// flakyDescribe is Identity Center whose DescribePermissionSet answers a server error
// while fail is set.
type flakyDescribe struct {
	*ssoadmin.Client
	fail bool
}

func (f *flakyDescribe) DescribePermissionSet(ctx context.Context, in *ssoadmin.DescribePermissionSetInput, opts ...func(*ssoadmin.Options)) (*ssoadmin.DescribePermissionSetOutput, error) {
	if f.fail {
		return nil, &smithy.GenericAPIError{Code: "InternalServerException", Message: "injected"}
	}
	return f.Client.DescribePermissionSet(ctx, in, opts...)
}

// A describe that fails makes the lookup fail, not answer that no set has the name;
// the next lookup, once AWS answers, finds the set.
func TestAFailedDescribeIsNotTakenForAMissingSet(t *testing.T) {
	_, _, sso, dir := newSSO(t, time.Millisecond)
	ctx := context.Background()
	instance, _, created := setup(t, dir, sso, "Flaky")
	api := &flakyDescribe{Client: sso, fail: true}
	names := ssoapi.NewSetNames(api)
	if ps, err := names.Find(ctx, instance, "Flaky"); err == nil || ps != nil {
		t.Fatalf("while DescribePermissionSet fails: found %+v, error %v; want an error", ps, err)
	}
	api.fail = false
	ps, err := names.Find(ctx, instance, "Flaky")
	if err != nil || ps == nil || aws.ToString(ps.PermissionSetArn) != aws.ToString(created.PermissionSet.PermissionSetArn) {
		t.Fatalf("once AWS answers: found %+v, %v", ps, err)
	}
}
