// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package controller_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
)

// A reference that does not resolve neither freezes nor strips: everything else
// converges, revocations still happen, and a tenant that deletes and re-creates its
// Account cannot take an admin's policy or assignment off the account meanwhile.
func TestUnresolvedReferencesNeverFreezeOrStrip(t *testing.T) {
	a, b := newOU("refs-a", "Refs A", ""), newOU("refs-b", "Refs B", "")
	create(t, a)
	create(t, b)
	ou := tenantOU(t, "refs-tenants")
	acct := newAccount("team-a", "refs-acct", "refs-acct@example.com", ou.Name)
	acct.Spec.Name = "Refs Account"
	create(t, acct)
	waitReady(t, a)
	waitReady(t, b)
	waitReady(t, acct)
	id := acct.Status.ID

	p := newSCP("refs-scp", "RefsPolicy", denyLeave,
		v1alpha1.PolicyTargetRef{Kind: "OrganizationalUnit", Name: "refs-a"},
		v1alpha1.PolicyTargetRef{Kind: "Account", Name: "refs-acct", Namespace: "team-a"},
		v1alpha1.PolicyTargetRef{Kind: "Account", Name: "never-created"})
	ps := &v1alpha1.PermissionSet{ObjectMeta: metav1.ObjectMeta{Name: "refs-ps"}, Spec: v1alpha1.PermissionSetSpec{Name: "RefsSet", SessionDuration: "PT1H",
		Assignments: []v1alpha1.Assignment{{Principal: v1alpha1.Principal{Type: "GROUP", Name: "Platform"},
			AccountRefs: []v1alpha1.NamespacedRef{{Name: "refs-acct", Namespace: "team-a"}, {Name: "never-created"}}}}}}
	create(t, p)
	create(t, ps)
	waitCondition(t, p, v1alpha1.ConditionReconciling, v1alpha1.ReasonDependencyNotReady, "Account "+operatorNS+"/never-created")
	waitCondition(t, ps, v1alpha1.ConditionReconciling, v1alpha1.ReasonDependencyNotReady, "Account "+operatorNS+"/never-created")
	eventually(t, func() error {
		if got := awsTargets(t, p.Status.ID); !slices.Equal(got, sorted(a.Status.ID, id)) {
			return fmt.Errorf("targets %v", got)
		}
		if got := assignedPrincipals(t, ps.Status.ARN, id); len(got) != 1 {
			return fmt.Errorf("assignments on %s: %v", id, got)
		}
		return nil
	})

	// A revocation the spec asks for happens although a reference does not resolve.
	update(t, p, func(x *v1alpha1.ServiceControlPolicy) { x.Spec.TargetRefs[0].Name = "refs-b" })
	eventually(t, func() error {
		if got := awsTargets(t, p.Status.ID); !slices.Equal(got, sorted(b.Status.ID, id)) {
			return fmt.Errorf("targets %v, want %s and %s", got, b.Status.ID, id)
		}
		return nil
	})

	// The tenant deletes its Account (Retain) and creates it again: the account keeps
	// the policy and the assignment all along.
	detaches, deletions := calls("organizations:DetachPolicy"), calls("sso-admin:DeleteAccountAssignment")
	deleteAndWait(t, acct)
	time.Sleep(2 * resyncPeriod)
	if got := awsTargets(t, p.Status.ID); !slices.Contains(got, id) {
		t.Fatalf("deleting the Account detached the policy from %s: %v", id, got)
	}
	again := newAccount("team-a", "refs-acct", "refs-acct@example.com", ou.Name)
	again.Spec.Name = "Refs Account"
	create(t, again)
	waitReady(t, again)
	time.Sleep(resyncPeriod)
	if again.Status.ID != id || calls("organizations:DetachPolicy") != detaches || calls("sso-admin:DeleteAccountAssignment") != deletions {
		t.Fatalf("re-created account %s (was %s); detaches %d -> %d, assignment deletions %d -> %d", again.Status.ID, id,
			detaches, calls("organizations:DetachPolicy"), deletions, calls("sso-admin:DeleteAccountAssignment"))
	}
	if got := assignedPrincipals(t, ps.Status.ARN, id); len(got) != 1 {
		t.Fatalf("the assignment is gone: %v", got)
	}
	deleteAndWait(t, p)
	deleteAndWait(t, ps)
	deleteAndWait(t, again)
	moveToRoot(t, id)
	for _, o := range []*v1alpha1.OrganizationalUnit{a, b, ou} {
		deleteAndWait(t, o)
	}
}

func sorted(ids ...string) []string {
	slices.Sort(ids)
	return ids
}
