// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package controller_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/awssim"
)

const adminPolicy = "arn:aws:iam::aws:policy/AdministratorAccess"

func sso() (*ssoadmin.Client, string, string) {
	c := ssoadmin.NewFromConfig(env.AWS)
	out, err := c.ListInstances(context.Background(), &ssoadmin.ListInstancesInput{})
	if err != nil {
		panic(err)
	}
	return c, aws.ToString(out.Instances[0].InstanceArn), aws.ToString(out.Instances[0].IdentityStoreId)
}

func groupID(t *testing.T, name string) string {
	t.Helper()
	_, _, store := sso()
	out, err := identitystore.NewFromConfig(env.AWS).GetGroupId(context.Background(), &identitystore.GetGroupIdInput{IdentityStoreId: &store,
		AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{Value: idtypes.UniqueAttribute{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument(name)}}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.GroupId)
}

func assignedPrincipals(t *testing.T, arn, account string) []string {
	t.Helper()
	c, in, _ := sso()
	out, err := c.ListAccountAssignments(context.Background(), &ssoadmin.ListAccountAssignmentsInput{InstanceArn: &in, PermissionSetArn: &arn, AccountId: &account})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range out.AccountAssignments {
		ids = append(ids, aws.ToString(a.PrincipalId))
	}
	sort.Strings(ids)
	return ids
}

func provisioned(t *testing.T, arn string, status ssotypes.ProvisioningStatus) []string {
	t.Helper()
	c, in, _ := sso()
	out, err := c.ListAccountsForProvisionedPermissionSet(context.Background(), &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: &in, PermissionSetArn: &arn, ProvisioningStatus: status})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out.AccountIds)
	return out.AccountIds
}

func managedPolicies(t *testing.T, arn string) []string {
	t.Helper()
	c, in, _ := sso()
	out, err := c.ListManagedPoliciesInPermissionSet(context.Background(), &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: &in, PermissionSetArn: &arn})
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for _, p := range out.AttachedManagedPolicies {
		arns = append(arns, aws.ToString(p.Arn))
	}
	return arns
}

func TestPermissionSetAssignProvisionDriftAndDelete(t *testing.T) {
	ctx := context.Background()
	a1 := newAccount(operatorNS, "ps-one", "ps-one@example.com", "")
	a2 := newAccount(operatorNS, "ps-two", "ps-two@example.com", "")
	create(t, a1)
	create(t, a2)
	ps := &v1alpha1.PermissionSet{ObjectMeta: metav1.ObjectMeta{Name: "admin"}, Spec: v1alpha1.PermissionSetSpec{
		Name: "AdministratorAccess", Description: "Admins", SessionDuration: "PT8H", ManagedPolicies: []string{adminPolicy},
		CustomerManagedPolicies: []v1alpha1.CustomerManagedPolicyRef{{Name: "team-boundary", Path: "/"}},
		InlinePolicy:            &runtime.RawExtension{Raw: []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`)},
		PermissionsBoundary:     &v1alpha1.PermissionsBoundary{ManagedPolicyArn: "arn:aws:iam::aws:policy/PowerUserAccess"},
		Tags:                    v1alpha1.Tags{"Team": "platform"},
		Assignments: []v1alpha1.Assignment{{Principal: v1alpha1.Principal{Type: "GROUP", Name: "Platform"},
			AccountRefs: []v1alpha1.NamespacedRef{{Name: "ps-one"}, {Name: "ps-two"}}}},
	}}
	create(t, ps)
	waitReady(t, ps)
	waitReady(t, a1)
	waitReady(t, a2)
	c, in, _ := sso()
	arn := ps.Status.ARN
	d, err := c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: &in, PermissionSetArn: &arn})
	if err != nil || aws.ToString(d.PermissionSet.SessionDuration) != "PT8H" || aws.ToString(d.PermissionSet.Name) != "AdministratorAccess" {
		t.Fatalf("permission set in AWS: %+v %v", d, err)
	}
	if got := managedPolicies(t, arn); !slices.Equal(got, []string{adminPolicy}) {
		t.Fatalf("managed policies %v", got)
	}
	inline, _ := c.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: &in, PermissionSetArn: &arn})
	if !strings.Contains(aws.ToString(inline.InlinePolicy), "iam:CreateUser") {
		t.Fatalf("inline policy %q", aws.ToString(inline.InlinePolicy))
	}
	platform := groupID(t, "Platform")
	accounts := []string{a1.Status.ID, a2.Status.ID}
	sort.Strings(accounts)
	for _, acct := range accounts {
		if got := assignedPrincipals(t, arn, acct); !slices.Equal(got, []string{platform}) {
			t.Fatalf("assignments on %s: %v", acct, got)
		}
	}
	if got := provisioned(t, arn, ssotypes.ProvisioningStatusLatestPermissionSetProvisioned); !slices.Equal(got, accounts) {
		t.Fatalf("provisioned to %v, want %v", got, accounts)
	}

	// A change is provisioned to every account before the object is Ready again.
	update(t, ps, func(p *v1alpha1.PermissionSet) { p.Spec.SessionDuration = "PT4H" })
	waitReady(t, ps)
	if stale := provisioned(t, arn, ssotypes.ProvisioningStatusLatestPermissionSetNotProvisioned); len(stale) != 0 {
		t.Fatalf("Ready with stale accounts %v", stale)
	}

	// Drift: a managed policy detached by hand and an assignment removed by hand come back.
	if _, err := c.DetachManagedPolicyFromPermissionSet(ctx, &ssoadmin.DetachManagedPolicyFromPermissionSetInput{InstanceArn: &in, PermissionSetArn: &arn, ManagedPolicyArn: aws.String(adminPolicy)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: &in, PermissionSetArn: &arn, TargetId: &accounts[0],
		TargetType: ssotypes.TargetTypeAwsAccount, PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: &platform}); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		if got := managedPolicies(t, arn); !slices.Equal(got, []string{adminPolicy}) {
			return fmt.Errorf("managed policies %v", got)
		}
		if got := assignedPrincipals(t, arn, accounts[0]); !slices.Equal(got, []string{platform}) {
			return fmt.Errorf("assignments %v", got)
		}
		if stale := provisioned(t, arn, ssotypes.ProvisioningStatusLatestPermissionSetNotProvisioned); len(stale) != 0 {
			return fmt.Errorf("not re-provisioned: %v", stale)
		}
		return nil
	})

	// An assignment removed from the spec is deleted in AWS.
	update(t, ps, func(p *v1alpha1.PermissionSet) {
		p.Spec.Assignments[0].AccountRefs = p.Spec.Assignments[0].AccountRefs[:1]
	})
	waitReady(t, ps)
	if got := assignedPrincipals(t, arn, a2.Status.ID); len(got) != 0 {
		t.Fatalf("assignment on %s still in AWS: %v", a2.Status.ID, got)
	}

	// Delete: assignments first, then the set.
	deleteAndWait(t, ps)
	if _, err := c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: &in, PermissionSetArn: &arn}); err == nil {
		t.Fatal("permission set still in AWS")
	}
	deleteAndWait(t, a1)
	deleteAndWait(t, a2)
}

func TestPermissionSetRefusals(t *testing.T) {
	a := newAccount(operatorNS, "ps-fail", "ps-fail@example.com", "")
	create(t, a)
	// Provisioning fails in AWS: a customer managed policy missing from the account.
	ps := &v1alpha1.PermissionSet{ObjectMeta: metav1.ObjectMeta{Name: "missing-cmp"}, Spec: v1alpha1.PermissionSetSpec{
		CustomerManagedPolicies: []v1alpha1.CustomerManagedPolicyRef{{Name: "missing-policy", Path: "/"}},
		Assignments:             []v1alpha1.Assignment{{Principal: v1alpha1.Principal{Type: "GROUP", Name: "Developers"}, AccountRefs: []v1alpha1.NamespacedRef{{Name: "ps-fail"}}}},
	}}
	create(t, ps)
	waitCondition(t, ps, v1alpha1.ConditionStalled, v1alpha1.ReasonAWSRefused, "missing-policy does not exist")
	// A principal the identity store does not have.
	ghost := &v1alpha1.PermissionSet{ObjectMeta: metav1.ObjectMeta{Name: "ghost"}, Spec: v1alpha1.PermissionSetSpec{
		Assignments: []v1alpha1.Assignment{{Principal: v1alpha1.Principal{Type: "GROUP", Name: "Nobody"}, AccountIDs: []string{"111111111111"}}},
	}}
	create(t, ghost)
	waitCondition(t, ghost, v1alpha1.ConditionStalled, v1alpha1.ReasonInvalidSpec, `no group named "Nobody"`)
	deleteAndWait(t, ghost)
	deleteAndWait(t, ps)
	deleteAndWait(t, a)
}

// A permission set in line for one of Identity Center's ten assignment slots does
// not look again at each Account that becomes Ready (each would rewrite its status,
// which names every account it reaches): its turn wakes it, and it assigns then every
// account that became Ready meanwhile.
func TestAPermissionSetInLineWaitsForItsTurn(t *testing.T) {
	// While the creations in progress cannot be listed, the ten sent first hold every slot.
	inject(t, awssim.Fault{Operation: "ListAccountAssignmentCreationStatus", Count: 1 << 30, Code: "InternalServerException"})
	var held []string
	for i := range 11 {
		held = append(held, createByHand(t, fmt.Sprintf("Line %d", i), fmt.Sprintf("line-%d@example.com", i), nil))
	}
	holder := &v1alpha1.PermissionSet{ObjectMeta: metav1.ObjectMeta{Name: "line-holder"}, Spec: v1alpha1.PermissionSetSpec{
		Assignments: []v1alpha1.Assignment{{Principal: v1alpha1.Principal{Type: "GROUP", Name: "Platform"}, AccountIDs: held[:10]}}}}
	create(t, holder)
	eventually(t, func() error {
		if err := k8s.Get(context.Background(), keyOf(holder), holder); err != nil {
			return err
		}
		if n := len(holder.Status.PendingRequests); n != 10 {
			return fmt.Errorf("%d requests in progress, want 10", n)
		}
		return nil
	})
	refs := []v1alpha1.NamespacedRef{{Name: "line-a"}, {Name: "line-b"}, {Name: "line-c"}}
	waiter := &v1alpha1.PermissionSet{ObjectMeta: metav1.ObjectMeta{Name: "line-waiter"}, Spec: v1alpha1.PermissionSetSpec{
		Assignments: []v1alpha1.Assignment{{Principal: v1alpha1.Principal{Type: "GROUP", Name: "Platform"}, AccountIDs: held[10:], AccountRefs: refs}}}}
	create(t, waiter)
	waitCondition(t, waiter, v1alpha1.ConditionReconciling, v1alpha1.ReasonWaiting, "waits in line")
	version := waiter.ResourceVersion

	var accounts []*v1alpha1.Account
	for _, ref := range refs {
		a := newAccount(operatorNS, ref.Name, ref.Name+"@example.com", "")
		create(t, a)
		accounts = append(accounts, a)
	}
	for _, a := range accounts {
		waitReady(t, a)
	}
	time.Sleep(time.Second) // the Accounts' wakes have been served
	if err := k8s.Get(context.Background(), keyOf(waiter), waiter); err != nil {
		t.Fatal(err)
	}
	if waiter.ResourceVersion != version || len(waiter.Status.ResolvedAccounts) != 0 {
		t.Fatalf("in line, the permission set was written (resource version %s, then %s) with resolved accounts %v", version, waiter.ResourceVersion, waiter.Status.ResolvedAccounts)
	}

	env.Sim.ClearFaults() // the ten end: the waiter's turn comes
	waitReady(t, holder)
	waitReady(t, waiter)
	platform := groupID(t, "Platform")
	want := []string{held[10]}
	for _, a := range accounts {
		want = append(want, a.Status.ID)
	}
	for _, acct := range want {
		if got := assignedPrincipals(t, waiter.Status.ARN, acct); !slices.Equal(got, []string{platform}) {
			t.Fatalf("assignments of the waiter on %s: %v", acct, got)
		}
	}
	deleteAndWait(t, waiter)
	deleteAndWait(t, holder)
	for _, a := range accounts {
		deleteAndWait(t, a)
	}
}
