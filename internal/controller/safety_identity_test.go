// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package controller_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
)

// A name AWS cannot change in place is refused at the API server with what to do
// instead, or, for an account, never reported Ready while AWS differs.
func TestIdentityNeverChangesSilently(t *testing.T) {
	ps := &v1alpha1.PermissionSet{ObjectMeta: metav1.ObjectMeta{Name: "fixed-name"}, Spec: v1alpha1.PermissionSetSpec{Name: "FixedName", SessionDuration: "PT1H"}}
	create(t, ps)
	tr := newTrail("fixed-trail", "fixed-bucket")
	tr.Spec.DeletionPolicy = v1alpha1.DeletionPolicyDelete
	create(t, tr)
	a := newAccount(operatorNS, "fixed-account", "fixed-account@example.com", "")
	a.Spec.Name = "Fixed Account"
	create(t, a)
	waitReady(t, ps)
	waitReady(t, tr)
	waitReady(t, a)

	if err := updateErr(ps, func(p *v1alpha1.PermissionSet) { p.Spec.Name = "OtherName" }); err == nil || !strings.Contains(err.Error(), "create a new PermissionSet") {
		t.Fatalf("want the permission set rename refused, got %v", err)
	}
	if err := updateErr(tr, func(x *v1alpha1.OrgTrail) { x.Spec.Name = "other-trail" }); err == nil || !strings.Contains(err.Error(), "cannot rename a trail") {
		t.Fatalf("want the trail rename refused, got %v", err)
	}
	if _, err := cloudtrail.NewFromConfig(env.AWS).GetTrail(context.Background(), &cloudtrail.GetTrailInput{Name: aws.String("other-trail")}); err == nil {
		t.Fatal("a second trail was created")
	}
	update(t, a, func(x *v1alpha1.Account) { x.Spec.Name = "Renamed Account" })
	waitCondition(t, a, v1alpha1.ConditionStalled, v1alpha1.ReasonInvalidSpec, "cannot rename accounts")
	update(t, a, func(x *v1alpha1.Account) { x.Spec.Name = "Fixed Account" })
	waitReady(t, a)
	deleteAndWait(t, ps)
	deleteAndWait(t, tr)
	deleteAndWait(t, a)
}
