// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package controller_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
)

func tenantOU(t *testing.T, name string) *v1alpha1.OrganizationalUnit {
	t.Helper()
	ou := newOU(name, name, "")
	ou.Spec.AccountPlacement = &v1alpha1.AccountPlacement{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"tenant": "true"}}}
	create(t, ou)
	waitReady(t, ou)
	return ou
}

func budget(ns, name, awsName, amount, account string) *v1alpha1.Budget {
	b := &v1alpha1.Budget{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: v1alpha1.BudgetSpec{Name: awsName, Limit: v1alpha1.Spend{Amount: amount, Unit: "USD"}}}
	if account != "" {
		b.Spec.AccountRef = &v1alpha1.LocalRef{Name: account}
	}
	return b
}

// A tenant can neither rename its Budget to the admin's budget nor take it over with a
// new object: the admin's budget is never changed or deleted, and the tenant learns
// nothing about the admin's object.
func TestTenantCannotReachTheAdminBudget(t *testing.T) {
	admin := budget(operatorNS, "org-total", "Org-Total", "5000", "")
	admin.Spec.Notifications = []v1alpha1.Notification{{Type: "ACTUAL", Threshold: 90, Subscribers: []v1alpha1.Subscriber{{Type: "EMAIL", Address: "finance@company.com"}}}}
	create(t, admin)
	waitReady(t, admin)
	ou := tenantOU(t, "budget-owners")
	acct := newAccount("team-a", "owner-acct", "owner-acct@example.com", ou.Name)
	create(t, acct)
	mine := budget("team-a", "team-total", "Team-Total", "10", "owner-acct")
	create(t, mine)
	waitReady(t, mine)

	err := updateErr(mine, func(b *v1alpha1.Budget) { b.Spec.Name = "Org-Total" })
	if err == nil || !strings.Contains(err.Error(), "cannot change") {
		t.Fatalf("want the rename refused by the API server, got %v", err)
	}
	unnamed := budget("team-a", "unnamed", "", "10", "owner-acct")
	create(t, unnamed)
	if err := updateErr(unnamed, func(b *v1alpha1.Budget) { b.Spec.Name = "Org-Total" }); err == nil {
		t.Fatal("setting spec.name on a budget named by metadata.name must be refused")
	}

	steal := budget("team-a", "steal-total", "Org-Total", "1", "owner-acct")
	create(t, steal)
	c := waitCondition(t, steal, v1alpha1.ConditionStalled, v1alpha1.ReasonNameTaken, "Org-Total")
	if strings.Contains(c.Message, operatorNS) || strings.Contains(c.Message, "org-total") {
		t.Fatalf("the message tells a tenant about the admin's object: %s", c.Message)
	}
	deleteAndWait(t, steal)
	got, err := awsBudget(t, "Org-Total")
	if err != nil || aws.ToString(got.BudgetLimit.Amount) != "5000.0" || got.CostFilters != nil {
		t.Fatalf("the admin budget changed: %+v %v", got, err)
	}
	if notes := awsNotifications(t, "Org-Total"); len(notes["ACTUAL 90"]) != 1 {
		t.Fatalf("the admin budget's notifications changed: %v", notes)
	}
	for _, o := range []*v1alpha1.Budget{unnamed, mine, admin} {
		deleteAndWait(t, o)
	}
	deleteAndWait(t, acct)
	moveToRoot(t, acct.Status.ID)
	deleteAndWait(t, ou)
}

func moveToRoot(t *testing.T, id string) {
	t.Helper()
	root := rootID(t)
	if p := awsParent(t, id); p != root {
		if _, err := org.MoveAccount(context.Background(), &organizations.MoveAccountInput{AccountId: &id, SourceParentId: &p, DestinationParentId: &root}); err != nil {
			t.Fatal(err)
		}
	}
}

// The same Account manifest in two namespaces makes one AWS account; the second object
// is NameTaken, never writes to the account, learns nothing about the first, and
// deleting it (even with deletionPolicy Close) leaves the account alone.
func TestOneAccountManifestInTwoNamespaces(t *testing.T) {
	ctx := context.Background()
	if err := k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-c", Labels: map[string]string{"tenant": "true"}}}); err != nil {
		t.Fatal(err)
	}
	ou := tenantOU(t, "shared-tenants")
	var objs []*v1alpha1.Account
	for _, ns := range []string{"team-a", "team-c"} {
		a := newAccount(ns, "shared", "shared@example.com", ou.Name)
		a.Spec.Name = "Shared"
		a.Spec.DeletionPolicy = v1alpha1.AccountClose
		objs = append(objs, a)
	}
	w, l := twins(t, objs[0], objs[1])
	winner, loser := w.(*v1alpha1.Account), l.(*v1alpha1.Account)
	id := winner.Status.ID
	if accts := awsAccountsByEmail(t, "shared@example.com"); len(accts) != 1 || requestsFor(t, "Shared") != 1 {
		t.Fatalf("%d accounts and %d requests for one email", len(accts), requestsFor(t, "Shared"))
	}
	msg := stalledOf(t, loser)
	if strings.Contains(msg, winner.Namespace) || strings.Contains(msg, id) || loser.Status.ID != "" {
		t.Fatalf("the loser learned about the winner: %q, status id %q", msg, loser.Status.ID)
	}
	if tags := awsTags(t, id); tags[common.OwnerTag] != winner.Namespace+"/shared" {
		t.Fatalf("owner tag %v", tags)
	}
	deleteAndWait(t, loser)
	if d, err := org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: &id}); err != nil || d.Account.State != types.AccountStateActive {
		t.Fatalf("deleting the second object touched the account: %+v %v", d, err)
	}
	deleteAndWait(t, winner)
	if d, err := org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: &id}); err != nil || d.Account.State == types.AccountStateActive {
		t.Fatalf("the owner's Close did not close the account: %+v %v", d, err)
	}
	moveToRoot(t, id)
	deleteAndWait(t, ou)
}

func stalledOf(t *testing.T, obj object) string {
	t.Helper()
	c, err := condition(t, obj, v1alpha1.ConditionStalled)
	if err != nil || c == nil {
		t.Fatalf("%s is not Stalled: %v", obj.GetName(), err)
	}
	return c.Message
}

// twins creates two objects that name one AWS object at once, waits for one to hold
// it and the other to be NameTaken, and returns them in that order.
func twins(t *testing.T, a, b object) (object, object) {
	t.Helper()
	create(t, a)
	create(t, b)
	var winner, loser object
	eventually(t, func() error {
		winner, loser = nil, nil
		for _, o := range []object{a, b} {
			ready, _ := condition(t, o, v1alpha1.ConditionReady)
			stalled, _ := condition(t, o, v1alpha1.ConditionStalled)
			switch {
			case ready != nil && ready.Status == metav1.ConditionTrue:
				winner = o
			case stalled != nil && stalled.Reason == v1alpha1.ReasonNameTaken:
				loser = o
			}
		}
		if winner == nil || loser == nil {
			return fmt.Errorf("want one Ready and one NameTaken: %s %v, %s %v", a.GetName(), a.AWSStatus().Conditions, b.GetName(), b.AWSStatus().Conditions)
		}
		return nil
	})
	if loser.AWSStatus().ID != "" {
		t.Fatalf("the loser %s holds the AWS id %s", loser.GetName(), loser.AWSStatus().ID)
	}
	return winner, loser
}

// Two objects of any kind that name one AWS object: one holds it, the other is
// NameTaken, never changes it, and deleting it leaves the AWS object to the first.
func TestTwoObjectsNeverShareAnAWSObject(t *testing.T) {
	ctx := context.Background()
	x, y := newOU("dup-x", "Dup X", ""), newOU("dup-y", "Dup Y", "")
	create(t, x)
	create(t, y)
	waitReady(t, x)
	waitReady(t, y)

	t.Run("ServiceControlPolicy", func(t *testing.T) {
		w, l := twins(t, newSCP("dup-scp-1", "DupPolicy", denyLeave, v1alpha1.PolicyTargetRef{Kind: "OrganizationalUnit", Name: "dup-x"}),
			newSCP("dup-scp-2", "DupPolicy", denyLeave, v1alpha1.PolicyTargetRef{Kind: "OrganizationalUnit", Name: "dup-y"}))
		want := x.Status.ID
		if w.GetName() == "dup-scp-2" {
			want = y.Status.ID
		}
		id := w.AWSStatus().ID
		deleteAndWait(t, l)
		if got := awsTargets(t, id); len(got) != 1 || got[0] != want {
			t.Fatalf("targets %v, want only the holder's %s", got, want)
		}
		deleteAndWait(t, w)
	})
	t.Run("ServiceControlPolicy adopting an existing policy", func(t *testing.T) {
		out, err := org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Content: aws.String(denyLeave), Description: aws.String("made by hand"),
			Name: aws.String("HandMade"), Type: types.PolicyTypeServiceControlPolicy})
		if err != nil {
			t.Fatal(err)
		}
		w, l := twins(t, newSCP("hand-made-1", "HandMade", denyLeave, v1alpha1.PolicyTargetRef{Kind: "OrganizationalUnit", Name: "dup-x"}),
			newSCP("hand-made-2", "HandMade", denyLeave, v1alpha1.PolicyTargetRef{Kind: "OrganizationalUnit", Name: "dup-y"}))
		if w.AWSStatus().ID != aws.ToString(out.Policy.PolicySummary.Id) {
			t.Fatalf("adopted %s, want %s", w.AWSStatus().ID, aws.ToString(out.Policy.PolicySummary.Id))
		}
		if tags := awsTags(t, w.AWSStatus().ID); tags[common.OwnerTag] != w.GetName() {
			t.Fatalf("the adopter did not claim the policy in AWS: %v", tags)
		}
		deleteAndWait(t, l)
		if got := awsTargets(t, w.AWSStatus().ID); len(got) != 1 {
			t.Fatalf("targets %v, want only the holder's", got)
		}
		deleteAndWait(t, w)
	})
	t.Run("PermissionSet", func(t *testing.T) {
		mk := func(name string) *v1alpha1.PermissionSet {
			return &v1alpha1.PermissionSet{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: v1alpha1.PermissionSetSpec{Name: "DupSet", SessionDuration: "PT1H"}}
		}
		w, l := twins(t, mk("dup-ps-1"), mk("dup-ps-2"))
		arn := w.AWSStatus().ARN
		deleteAndWait(t, l)
		c, in, _ := sso()
		if _, err := c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: &in, PermissionSetArn: &arn}); err != nil {
			t.Fatalf("deleting the second object deleted the permission set: %v", err)
		}
		deleteAndWait(t, w)
	})
	t.Run("OrganizationalUnit", func(t *testing.T) {
		w, l := twins(t, newOU("dup-ou-1", "Dup OU", ""), newOU("dup-ou-2", "Dup OU", ""))
		deleteAndWait(t, l)
		if n := countOUsNamed(t, rootID(t), "Dup OU"); n != 1 {
			t.Fatalf("%d OUs named Dup OU after deleting the second object", n)
		}
		deleteAndWait(t, w)
	})
	t.Run("Budget", func(t *testing.T) {
		w, l := twins(t, budget(operatorNS, "dup-budget-1", "Dup-Budget", "100", ""), budget(operatorNS, "dup-budget-2", "Dup-Budget", "200", ""))
		want := "100.0"
		if w.GetName() == "dup-budget-2" {
			want = "200.0"
		}
		deleteAndWait(t, l)
		if got, err := awsBudget(t, "Dup-Budget"); err != nil || aws.ToString(got.BudgetLimit.Amount) != want {
			t.Fatalf("budget %+v %v, want the holder's limit %s", got, err, want)
		}
		deleteAndWait(t, w)
	})
	t.Run("OrgTrail", func(t *testing.T) {
		a, b := newTrail("dup-trail-1", "bucket-one"), newTrail("dup-trail-2", "bucket-two")
		for _, tr := range []*v1alpha1.OrgTrail{a, b} {
			tr.Spec.Name, tr.Spec.DeletionPolicy = "dup-trail", v1alpha1.DeletionPolicyDelete
		}
		w, l := twins(t, a, b)
		want := "bucket-one"
		if w.GetName() == "dup-trail-2" {
			want = "bucket-two"
		}
		deleteAndWait(t, l)
		out, err := cloudtrail.NewFromConfig(env.AWS).GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("dup-trail")})
		if err != nil || aws.ToString(out.Trail.S3BucketName) != want {
			t.Fatalf("trail %+v %v, want the holder's bucket %s", out, err, want)
		}
		deleteAndWait(t, w)
	})
	deleteAndWait(t, x)
	deleteAndWait(t, y)
}
