// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package controller_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/awssim"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
)

func inject(t *testing.T, f awssim.Fault) {
	t.Helper()
	env.Sim.InjectFault(f)
	t.Cleanup(env.Sim.ClearFaults)
}

func calls(op string) int { return env.Sim.Calls()[op] }

// watchStatus records, until stop is called, whether obj was ever Stalled or ever lost
// the AWS id it held.
func watchStatus(t *testing.T, obj object) (stop func() (stalled, lostID bool)) {
	t.Helper()
	id := obj.AWSStatus().ID
	var stalled, lost atomic.Bool
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
			cur := obj.DeepCopyObject().(object)
			if err := k8s.Get(context.Background(), keyOf(obj), cur); err != nil {
				continue
			}
			if c := findCondition(cur, v1alpha1.ConditionStalled); c != nil {
				stalled.Store(true)
			}
			if id != "" && cur.AWSStatus().ID != id {
				lost.Store(true)
			}
		}
	}()
	return func() (bool, bool) { close(done); return stalled.Load(), lost.Load() }
}

func findCondition(obj object, typ string) *metav1.Condition {
	for i, c := range obj.AWSStatus().Conditions {
		if c.Type == typ {
			return &obj.AWSStatus().Conditions[i]
		}
	}
	return nil
}

// A permission set whose reads fail while it is being deleted keeps its ARN, and its
// deletion still removes its assignments and the set from AWS.
func TestPermissionSetDeletionSurvivesReadErrors(t *testing.T) {
	ctx := context.Background()
	a := newAccount(operatorNS, "revoke-me", "revoke-me@example.com", "")
	create(t, a)
	ps := &v1alpha1.PermissionSet{ObjectMeta: metav1.ObjectMeta{Name: "revoked"}, Spec: v1alpha1.PermissionSetSpec{Name: "Revoked", SessionDuration: "PT1H",
		ManagedPolicies: []string{adminPolicy},
		Assignments:     []v1alpha1.Assignment{{Principal: v1alpha1.Principal{Type: "GROUP", Name: "Developers"}, AccountRefs: []v1alpha1.NamespacedRef{{Name: "revoke-me"}}}}}}
	create(t, ps)
	waitReady(t, ps)
	waitReady(t, a)
	arn := ps.Status.ARN
	stop := watchStatus(t, ps)
	inject(t, awssim.Fault{Operation: "DescribePermissionSet", Count: 12, Code: "InternalServerException"})
	if err := k8s.Delete(ctx, ps); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		if err := k8s.Get(ctx, keyOf(ps), ps); err == nil {
			return fmt.Errorf("still deleting")
		}
		return nil
	})
	if _, lost := stop(); lost {
		t.Fatal("a read error cleared status.arn")
	}
	c, in, _ := sso()
	if _, err := c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: &in, PermissionSetArn: &arn}); err == nil {
		t.Fatal("the permission set is still in AWS after its object was deleted")
	}
	out, err := c.ListAccountAssignmentsForPrincipal(ctx, &ssoadmin.ListAccountAssignmentsForPrincipalInput{InstanceArn: &in,
		PrincipalId: aws.String(groupID(t, "Developers")), PrincipalType: ssotypes.PrincipalTypeGroup})
	if err != nil {
		t.Fatal(err)
	}
	for _, as := range out.AccountAssignments {
		if aws.ToString(as.PermissionSetArn) == arn {
			t.Fatalf("an assignment of the deleted set is left: %+v", as)
		}
	}
	deleteAndWait(t, a)
}

// A policy whose object is deleted before it ever saw the policy's id (AWS's answers
// failed meanwhile) is found by name and owner tag, and deleted.
func TestDeleteWithoutAnIDFindsTheAWSObject(t *testing.T) {
	ctx := context.Background()
	out, err := org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Content: aws.String(denyLeave), Description: aws.String(""), Name: aws.String("NoIDYet"),
		Type: types.PolicyTypeServiceControlPolicy, Tags: []types.Tag{{Key: aws.String(common.OwnerTag), Value: aws.String("no-id-yet")}}})
	if err != nil {
		t.Fatal(err)
	}
	inject(t, awssim.Fault{Operation: "ListPolicies", Count: 30, Code: "InternalServerException"})
	p := newSCP("no-id-yet", "NoIDYet", denyLeave)
	create(t, p)
	waitCondition(t, p, v1alpha1.ConditionReconciling, v1alpha1.ReasonReconcileError, "InternalServerException")
	if p.Status.ID != "" {
		t.Fatalf("the object already found the policy (%s); the test needs it not to", p.Status.ID)
	}
	deleteAndWait(t, p)
	if _, err := org.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: out.Policy.PolicySummary.Id}); err == nil {
		t.Fatal("the policy is still in AWS: the deletion skipped its cleanup")
	}
}

// CreatePolicy succeeded in AWS but its answer was lost: the object finds the policy it
// created (by name and owner tag) instead of creating another.
func TestLostAnswerToACreate(t *testing.T) {
	inject(t, awssim.Fault{Operation: "CreatePolicy", Count: 3, Code: "InternalServerException", After: true})
	p := newSCP("lost-answer", "LostAnswer", denyLeave)
	create(t, p)
	waitReady(t, p)
	n := 0
	for _, pol := range listPolicies(t) {
		if aws.ToString(pol.Name) == "LostAnswer" {
			n++
		}
	}
	if n != 1 || p.Status.ID == "" {
		t.Fatalf("%d policies named LostAnswer, status id %q", n, p.Status.ID)
	}
	deleteAndWait(t, p)
}

func listPolicies(t *testing.T) []types.PolicySummary {
	t.Helper()
	var out []types.PolicySummary
	pages := organizations.NewListPoliciesPaginator(org, &organizations.ListPoliciesInput{Filter: types.PolicyTypeServiceControlPolicy})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Policies...)
	}
	return out
}

// When one change of a permission set fails, what was applied before it is still
// provisioned to the accounts.
func TestPermissionSetProvisionsWhatWasApplied(t *testing.T) {
	a := newAccount(operatorNS, "half-applied", "half-applied@example.com", "")
	create(t, a)
	readOnly := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	ps := &v1alpha1.PermissionSet{ObjectMeta: metav1.ObjectMeta{Name: "half"}, Spec: v1alpha1.PermissionSetSpec{Name: "Half", SessionDuration: "PT1H",
		ManagedPolicies: []string{adminPolicy},
		Assignments:     []v1alpha1.Assignment{{Principal: v1alpha1.Principal{Type: "GROUP", Name: "Developers"}, AccountRefs: []v1alpha1.NamespacedRef{{Name: "half-applied"}}}}}}
	create(t, ps)
	waitReady(t, ps)
	provisions := calls("sso-admin:ProvisionPermissionSet")
	inject(t, awssim.Fault{Operation: "AttachManagedPolicyToPermissionSet", Count: 1000, Code: "ValidationException", Message: "refused for the test"})
	update(t, ps, func(p *v1alpha1.PermissionSet) { p.Spec.ManagedPolicies = []string{readOnly} })
	waitCondition(t, ps, v1alpha1.ConditionStalled, v1alpha1.ReasonAWSRefused, "refused for the test")
	if got := managedPolicies(t, ps.Status.ARN); len(got) != 0 {
		t.Fatalf("the removal was not applied first: %v", got)
	}
	eventually(t, func() error {
		if calls("sso-admin:ProvisionPermissionSet") == provisions {
			return fmt.Errorf("the detach was never provisioned")
		}
		if stale := provisioned(t, ps.Status.ARN, ssotypes.ProvisioningStatusLatestPermissionSetNotProvisioned); len(stale) > 0 {
			return fmt.Errorf("accounts %v do not have the latest version", stale)
		}
		return nil
	})
	env.Sim.ClearFaults()
	waitReady(t, ps) // the next resync tries again
	if got := managedPolicies(t, ps.Status.ARN); !slices.Equal(got, []string{readOnly}) {
		t.Fatalf("managed policies %v", got)
	}
	deleteAndWait(t, ps)
	deleteAndWait(t, a)
}

// Server errors, timeouts and AWS catching up are waited out with backoff, never
// Stalled; access denied names the IAM action to grant.
func TestErrorsSayWhatHappensNext(t *testing.T) {
	t.Run("server errors and timeouts", func(t *testing.T) {
		inject(t, awssim.Fault{Operation: "CreateOrganizationalUnit", Count: 4, Code: "InternalServerException"})
		inject(t, awssim.Fault{Operation: "CreateOrganizationalUnit", Count: 2, Delay: 3 * time.Second})
		ou := newOU("flaky", "Flaky", "")
		stop := watchStatus(t, ou)
		create(t, ou)
		waitReady(t, ou)
		if stalled, _ := stop(); stalled {
			t.Fatal("a transient error stalled the object")
		}
		if n := countOUsNamed(t, rootID(t), "Flaky"); n != 1 {
			t.Fatalf("%d OUs named Flaky", n)
		}
		deleteAndWait(t, ou)
	})
	t.Run("eventual consistency", func(t *testing.T) {
		target := newOU("catching-up", "Catching Up", "")
		create(t, target)
		inject(t, awssim.Fault{Operation: "AttachPolicy", Count: 2, Code: "PolicyTypeNotEnabledException", Message: "This operation can be performed only for enabled policy types."})
		p := newSCP("catching-up", "CatchingUp", denyLeave, v1alpha1.PolicyTargetRef{Kind: "OrganizationalUnit", Name: "catching-up"})
		stop := watchStatus(t, p)
		create(t, p)
		waitReady(t, p)
		if stalled, _ := stop(); stalled {
			t.Fatal("PolicyTypeNotEnabledException right after enabling stalled the object")
		}
		deleteAndWait(t, p)
		deleteAndWait(t, target)
	})
	t.Run("access denied", func(t *testing.T) {
		inject(t, awssim.Fault{Operation: "CreatePolicy", Count: 1000, Code: "AccessDeniedException", Status: 403, Message: "User is not authorized"})
		p := newSCP("denied", "Denied", denyLeave)
		create(t, p)
		c := waitCondition(t, p, v1alpha1.ConditionStalled, v1alpha1.ReasonAccessDenied, "grant organizations:CreatePolicy")
		if !strings.Contains(c.Message, "User is not authorized") {
			t.Fatalf("the message lost AWS's words: %s", c.Message)
		}
		env.Sim.ClearFaults()
		waitReady(t, p) // granted: the next resync goes on
		deleteAndWait(t, p)
	})
}
