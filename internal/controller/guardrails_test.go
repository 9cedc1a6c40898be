// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package controller_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/awssim"
	"github.com/awsorg/awsorg-operator/internal/iampolicy"
)

// Every rule of the policy grammar and of each policy type refuses a document before
// any AWS call: Stalled with reason InvalidPolicy, naming the statement and the field.
func TestBadPolicyDocumentsAreRefusedBeforeAWS(t *testing.T) {
	before := env.Sim.Calls()
	var objs []object
	for i, c := range iampolicy.Examples {
		var obj object
		if c.Type == iampolicy.Identity {
			obj = &v1alpha1.PermissionSet{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("bad-inline-%d", i)},
				Spec: v1alpha1.PermissionSetSpec{Name: fmt.Sprintf("BadInline%d", i), InlinePolicy: &runtime.RawExtension{Raw: []byte(c.Doc)}}}
		} else {
			p := newSCP(fmt.Sprintf("bad-doc-%d", i), fmt.Sprintf("BadDoc%d", i), c.Doc)
			p.Spec.Type = string(c.Type)
			obj = p
		}
		if err := k8s.Create(context.Background(), obj); err != nil {
			if !strings.Contains(err.Error(), "must be of type object") { // the API server refuses what is not an object
				t.Fatalf("%s: %v", c.Name, err)
			}
			obj = nil
		}
		objs = append(objs, obj)
	}
	for i, c := range iampolicy.Examples {
		if objs[i] == nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			waitCondition(t, objs[i], v1alpha1.ConditionStalled, v1alpha1.ReasonInvalidPolicy, c.Want)
		})
	}
	after := env.Sim.Calls()
	for _, op := range []string{"organizations:CreatePolicy", "organizations:UpdatePolicy", "sso-admin:CreatePermissionSet", "sso-admin:PutInlinePolicyToPermissionSet"} {
		if after[op] != before[op] {
			t.Errorf("%d %s calls for documents that break the rules", after[op]-before[op], op)
		}
	}
	for _, obj := range objs {
		if obj != nil {
			deleteAndWait(t, obj)
		}
	}
}

const (
	allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	denyAll  = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`
	denyS3   = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`
)

// No change of an SCP leaves accounts locked out unless the spec says allowLockout:
// refused with WouldLockOut and AWS unchanged; and every SCP shows its reach.
func TestLockoutsAreRefused(t *testing.T) {
	ctx := context.Background()
	parent := newOU("lockout-parent", "Lockout Parent", "")
	child := newOU("lockout-child", "Lockout Child", "lockout-parent")
	empty := newOU("lockout-empty", "Lockout Empty", "")
	for _, ou := range []*v1alpha1.OrganizationalUnit{parent, child, empty} {
		ou.Spec.DeletionPolicy = v1alpha1.DeletionPolicyDelete
		create(t, ou)
		waitReady(t, ou)
	}
	a1, a2 := newAccount(operatorNS, "lockout-a1", "lockout-a1@example.com", "lockout-parent"), newAccount(operatorNS, "lockout-a2", "lockout-a2@example.com", "lockout-child")
	for _, a := range []*v1alpha1.Account{a1, a2} {
		create(t, a)
	}
	for _, a := range []*v1alpha1.Account{a1, a2} {
		waitReady(t, a)
	}
	ouRef := func(name string) v1alpha1.PolicyTargetRef {
		return v1alpha1.PolicyTargetRef{Kind: "OrganizationalUnit", Name: name}
	}

	// A deny of everything on an OU that holds accounts: refused; on an empty OU: fine.
	deny := newSCP("lockout-deny-all", "LockoutDenyAll", denyAll, ouRef("lockout-empty"), ouRef("lockout-parent"))
	creates := calls("organizations:CreatePolicy")
	create(t, deny)
	waitCondition(t, deny, v1alpha1.ConditionStalled, v1alpha1.ReasonWouldLockOut, "on OU Lockout Parent ("+parent.Status.ID+") it would lock out 2 accounts")
	if calls("organizations:CreatePolicy") != creates {
		t.Fatal("a policy that locks accounts out was created")
	}
	update(t, deny, func(x *v1alpha1.ServiceControlPolicy) { x.Spec.TargetRefs = x.Spec.TargetRefs[:1] })
	waitReady(t, deny)
	if deny.Status.AffectedAccounts != 0 {
		t.Fatalf("affectedAccounts %d on an empty OU", deny.Status.AffectedAccounts)
	}
	update(t, deny, func(x *v1alpha1.ServiceControlPolicy) {
		x.Spec.TargetRefs, x.Spec.AllowLockout = append(x.Spec.TargetRefs, ouRef("lockout-child")), true
	})
	waitReady(t, deny)
	if !slices.Contains(awsTargets(t, deny.Status.ID), child.Status.ID) || deny.Status.AffectedAccounts != 1 {
		t.Fatalf("allowLockout: targets %v, affectedAccounts %d", awsTargets(t, deny.Status.ID), deny.Status.AffectedAccounts)
	}
	deleteAndWait(t, deny)

	// The parent OU's only allowing SCP is managed here (FullAWSAccess taken off by hand).
	allow := newSCP("lockout-allow", "LockoutAllow", allowAll, ouRef("lockout-parent"))
	s3 := newSCP("lockout-deny-s3", "LockoutDenyS3", denyS3, ouRef("lockout-parent"))
	for _, p := range []*v1alpha1.ServiceControlPolicy{allow, s3} {
		create(t, p)
		waitReady(t, p)
	}
	if allow.Status.AffectedAccounts != 2 {
		t.Fatalf("affectedAccounts %d for an OU with an account and a child OU with another", allow.Status.AffectedAccounts)
	}
	full := fullAWSAccess(t)
	if _, err := org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: &full, TargetId: &parent.Status.ID}); err != nil {
		t.Fatal(err)
	}
	detaches, updates := calls("organizations:DetachPolicy"), calls("organizations:UpdatePolicy")
	update(t, allow, func(x *v1alpha1.ServiceControlPolicy) { x.Spec.TargetRefs = nil })
	waitCondition(t, allow, v1alpha1.ConditionStalled, v1alpha1.ReasonWouldLockOut, "Detaching it from SCP LockoutAllow leaves OU Lockout Parent")
	update(t, allow, func(x *v1alpha1.ServiceControlPolicy) {
		x.Spec.TargetRefs, x.Spec.Document.Raw = []v1alpha1.PolicyTargetRef{ouRef("lockout-parent")}, []byte(denyS3)
	})
	waitCondition(t, allow, v1alpha1.ConditionStalled, v1alpha1.ReasonWouldLockOut, "which allows nothing")
	if err := k8s.Delete(ctx, allow); err != nil {
		t.Fatal(err)
	}
	waitCondition(t, allow, v1alpha1.ConditionStalled, v1alpha1.ReasonWouldLockOut, "leaves OU Lockout Parent")
	if calls("organizations:DetachPolicy") != detaches || calls("organizations:UpdatePolicy") != updates || !slices.Contains(awsTargets(t, allow.Status.ID), parent.Status.ID) {
		t.Fatal("AWS changed for a refused lockout")
	}
	// Putting FullAWSAccess back lets the deletion go on.
	if _, err := org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: &full, TargetId: &parent.Status.ID}); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		if err := k8s.Get(ctx, keyOf(allow), allow); err == nil {
			return fmt.Errorf("still there: %v", allow.Status.Conditions)
		}
		return nil
	})
	deleteAndWait(t, s3)
	for _, a := range []*v1alpha1.Account{a1, a2} {
		deleteAndWait(t, a)
		moveToRoot(t, a.Status.ID)
	}
	for _, ou := range []*v1alpha1.OrganizationalUnit{child, parent, empty} {
		deleteAndWait(t, ou)
	}
}

func fullAWSAccess(t *testing.T) string {
	for _, p := range listPolicies(t) {
		if aws.ToString(p.Name) == "FullAWSAccess" {
			return aws.ToString(p.Id)
		}
	}
	t.Fatal("no FullAWSAccess")
	return ""
}

// The lockout check cannot read a target's other SCPs (AWS fails past the SDK's
// retries): the detach waits and is never made unchecked; once AWS answers, it is
// refused as the lockout it is (the OU's other SCP allows nothing).
func TestLockoutCheckFailsClosed(t *testing.T) {
	ctx := context.Background()
	ou := newOU("lockout-fault", "Lockout Fault", "")
	ou.Spec.DeletionPolicy = v1alpha1.DeletionPolicyDelete
	create(t, ou)
	waitReady(t, ou)
	a := newAccount(operatorNS, "lockout-fault-a", "lockout-fault-a@example.com", "lockout-fault")
	create(t, a)
	waitReady(t, a)
	allow := newSCP("lockout-fault-allow", "LockoutFaultAllow", allowAll, v1alpha1.PolicyTargetRef{Kind: "OrganizationalUnit", Name: "lockout-fault"})
	s3 := newSCP("lockout-fault-deny-s3", "LockoutFaultDenyS3", denyS3, v1alpha1.PolicyTargetRef{Kind: "OrganizationalUnit", Name: "lockout-fault"})
	for _, p := range []*v1alpha1.ServiceControlPolicy{allow, s3} {
		create(t, p)
		waitReady(t, p)
	}
	full := fullAWSAccess(t)
	if _, err := org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: &full, TargetId: &ou.Status.ID}); err != nil {
		t.Fatal(err)
	}
	detaches, failed := calls("organizations:DetachPolicy"), env.Sim.Errors()["organizations:ListPoliciesForTarget:ServiceException"]
	inject(t, awssim.Fault{Operation: "ListPoliciesForTarget", Count: 6, Code: "ServiceException"})
	update(t, allow, func(x *v1alpha1.ServiceControlPolicy) { x.Spec.TargetRefs = nil })
	waitCondition(t, allow, v1alpha1.ConditionStalled, v1alpha1.ReasonWouldLockOut, "Detaching it from SCP LockoutFaultAllow leaves OU Lockout Fault")
	if n := env.Sim.Errors()["organizations:ListPoliciesForTarget:ServiceException"] - failed; n != 6 {
		t.Fatalf("%d reads of the target's SCPs failed, want the 6 injected", n)
	}
	if calls("organizations:DetachPolicy") != detaches || !slices.Contains(awsTargets(t, allow.Status.ID), ou.Status.ID) {
		t.Fatal("the SCP was detached although its lockout check could not run")
	}
	if _, err := org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: &full, TargetId: &ou.Status.ID}); err != nil {
		t.Fatal(err)
	}
	waitReady(t, allow)
	deleteAndWait(t, allow)
	deleteAndWait(t, s3)
	deleteAndWait(t, a)
	moveToRoot(t, a.Status.ID)
	deleteAndWait(t, ou)
}
