// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package controller_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
)

func newAccount(ns, name, email, ou string) *v1alpha1.Account {
	a := &v1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: v1alpha1.AccountSpec{Email: email}}
	if ou != "" {
		a.Spec.OrganizationalUnitRef = &v1alpha1.LocalRef{Name: ou}
	}
	return a
}

func TestAccountCreateMoveDriftAndRetain(t *testing.T) {
	ctx := context.Background()
	prod := newOU("ou-acct-prod", "Acct Prod", "")
	dev := newOU("ou-acct-dev", "Acct Dev", "")
	create(t, prod)
	create(t, dev)
	waitReady(t, prod)
	waitReady(t, dev)
	a := newAccount(operatorNS, "prod-a", "prod-a@example.com", "ou-acct-prod")
	a.Spec.Name = "Prod Account A"
	a.Spec.Tags = v1alpha1.Tags{"CostCenter": "Engineering"}
	create(t, a)
	waitReady(t, a)

	got := awsAccountsByEmail(t, "prod-a@example.com")
	if len(got) != 1 || aws.ToString(got[0].Id) != a.Status.ID || aws.ToString(got[0].Name) != "Prod Account A" {
		t.Fatalf("AWS accounts with the email: %+v, status id %s", got, a.Status.ID)
	}
	if !strings.HasPrefix(a.Status.CreateAccountRequestID, "car-") || a.Status.State != "ACTIVE" || a.Status.ParentID != prod.Status.ID {
		t.Fatalf("status: %+v", a.Status)
	}
	if p := awsParent(t, a.Status.ID); p != prod.Status.ID {
		t.Fatalf("account under %s in AWS, want %s", p, prod.Status.ID)
	}
	tags := awsTags(t, a.Status.ID)
	if tags["CostCenter"] != "Engineering" || tags[common.OwnerTag] != operatorNS+"/prod-a" {
		t.Fatalf("tags in AWS: %v", tags)
	}

	// Move between OUs through the spec. The new spec's full check reads the tags once;
	// every reconcile reads the parent, so seeing that AWS kept the move reads no tags.
	tagReads := calls("organizations:ListTagsForResource")
	update(t, a, func(x *v1alpha1.Account) { x.Spec.OrganizationalUnitRef.Name = "ou-acct-dev" })
	waitReady(t, a)
	if p := awsParent(t, a.Status.ID); p != dev.Status.ID {
		t.Fatalf("account under %s in AWS after the move, want %s", p, dev.Status.ID)
	}
	time.Sleep(2 * resyncPeriod)
	if n := calls("organizations:ListTagsForResource") - tagReads; n != 1 {
		t.Fatalf("%d reads of tags for a move through the spec and two resyncs after it, want 1", n)
	}

	// Drift: moved by hand, moved back at the next resync.
	if _, err := org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &a.Status.ID, SourceParentId: &dev.Status.ID, DestinationParentId: aws.String(rootID(t))}); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		if p := awsParent(t, a.Status.ID); p != dev.Status.ID {
			return fmt.Errorf("account still under %s", p)
		}
		return nil
	})

	// Retain (the default): the object goes, the account stays ACTIVE.
	id := a.Status.ID
	deleteAndWait(t, a)
	d, err := org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: &id})
	if err != nil || d.Account.State != types.AccountStateActive {
		t.Fatalf("retained account: %+v, %v", d, err)
	}
	// Move it out so the OUs can go.
	if _, err := org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &id, SourceParentId: &dev.Status.ID, DestinationParentId: aws.String(rootID(t))}); err != nil {
		t.Fatal(err)
	}
	deleteAndWait(t, prod)
	deleteAndWait(t, dev)
}

func TestAccountClosePolicyClosesOnlyWhenAsked(t *testing.T) {
	ctx := context.Background()
	a := newAccount(operatorNS, "to-close", "to-close@example.com", "")
	a.Spec.DeletionPolicy = v1alpha1.AccountClose
	create(t, a)
	waitReady(t, a)
	id := a.Status.ID
	deleteAndWait(t, a)
	d, err := org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: &id})
	if err != nil {
		t.Fatal(err)
	}
	if d.Account.State != types.AccountStatePendingClosure && d.Account.State != types.AccountStateSuspended {
		t.Fatalf("deletion policy Close, but the account is %s", d.Account.State)
	}
}

func TestAccountTenancy(t *testing.T) {
	ctx := context.Background()
	open := newOU("ou-tenants", "Tenants", "")
	open.Spec.AccountPlacement = &v1alpha1.AccountPlacement{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"tenant": "true"}}}
	closed := newOU("ou-admins-only", "Admins Only", "")
	create(t, open)
	create(t, closed)
	waitReady(t, open)
	waitReady(t, closed)
	before := writes()

	// team-b is not selected by the OU: NotAllowed, nothing created in AWS.
	denied := newAccount("team-b", "b1", "b1@example.com", "ou-tenants")
	create(t, denied)
	waitCondition(t, denied, v1alpha1.ConditionStalled, v1alpha1.ReasonNotAllowed, "may not place accounts")
	// team-a may not use an OU without accountPlacement.
	deniedA := newAccount("team-a", "a-closed", "a-closed@example.com", "ou-admins-only")
	create(t, deniedA)
	waitCondition(t, deniedA, v1alpha1.ConditionStalled, v1alpha1.ReasonNotAllowed, "may not place accounts")
	// Tenants must name an OU.
	noOU := newAccount("team-a", "a-root", "a-root@example.com", "")
	create(t, noOU)
	waitCondition(t, noOU, v1alpha1.ConditionStalled, v1alpha1.ReasonNotAllowed, "organizationalUnitRef")
	if w := writes(); w != before {
		t.Fatalf("refused accounts changed AWS: %d writes", w-before)
	}
	for _, e := range []string{"b1@example.com", "a-closed@example.com", "a-root@example.com"} {
		if got := awsAccountsByEmail(t, e); len(got) != 0 {
			t.Fatalf("AWS has an account for refused %s", e)
		}
	}

	// team-a is selected: the account is created there.
	allowed := newAccount("team-a", "a1", "a1@example.com", "ou-tenants")
	create(t, allowed)
	waitReady(t, allowed)
	if p := awsParent(t, allowed.Status.ID); p != open.Status.ID {
		t.Fatalf("tenant account under %s, want %s", p, open.Status.ID)
	}

	// A tenant never adopts an account it did not create.
	root := rootID(t)
	existing := createByHand(t, "Pre-existing", "pre-existing@example.com", nil)
	steal := newAccount("team-a", "steal", "pre-existing@example.com", "ou-tenants")
	create(t, steal)
	waitCondition(t, steal, v1alpha1.ConditionStalled, v1alpha1.ReasonNotAllowed, "may not take over existing AWS objects")
	if p := awsParent(t, existing); p != root {
		t.Fatalf("a tenant's refused adoption moved the account to %s", p)
	}

	// The operator's namespace adopts it; a second object for the same account is refused.
	adopt := newAccount(operatorNS, "adopt", "pre-existing@example.com", "")
	adopt.Spec.Name = "Pre-existing"
	create(t, adopt)
	waitReady(t, adopt)
	if adopt.Status.ID != existing {
		t.Fatalf("adopted %s, want %s", adopt.Status.ID, existing)
	}
	twin := newAccount(operatorNS, "twin", "pre-existing@example.com", "")
	twin.Spec.Name = "Pre-existing"
	create(t, twin)
	waitCondition(t, twin, v1alpha1.ConditionStalled, v1alpha1.ReasonNameTaken, "belongs to Account "+operatorNS+"/adopt")
	if n := len(awsAccountsByEmail(t, "pre-existing@example.com")); n != 1 {
		t.Fatalf("%d accounts with the email", n)
	}

	for _, o := range []*v1alpha1.Account{denied, deniedA, noOU, steal, twin, adopt, allowed} {
		deleteAndWait(t, o)
	}
	if _, err := org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &allowed.Status.ID, SourceParentId: &open.Status.ID, DestinationParentId: &root}); err != nil {
		t.Fatal(err)
	}
	deleteAndWait(t, open)
	deleteAndWait(t, closed)
}

// createByHand creates an account through the SDK, as someone outside the operator
// (or the operator just before a crash) would, and waits for it.
func createByHand(t *testing.T, name, email string, tags map[string]string) string {
	t.Helper()
	ctx := context.Background()
	var tg []types.Tag
	for k, v := range tags {
		tg = append(tg, types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: &name, Email: &email, Tags: tg})
	if err != nil {
		t.Fatal(err)
	}
	var id string
	eventually(t, func() error {
		st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
		if err != nil {
			return err
		}
		if st.CreateAccountStatus.State != types.CreateAccountStateSucceeded {
			return fmt.Errorf("request %s", st.CreateAccountStatus.State)
		}
		id = aws.ToString(st.CreateAccountStatus.AccountId)
		return nil
	})
	return id
}

func TestAccountCrashBetweenCreateAndStatusWrite(t *testing.T) {
	ctx := context.Background()
	// The operator sent CreateAccount for team-a/crash and died before writing the
	// request id: the account exists with its owner tag, the object has no status.
	open := newOU("ou-crash", "Crash Tenants", "")
	open.Spec.AccountPlacement = &v1alpha1.AccountPlacement{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"tenant": "true"}}}
	create(t, open)
	waitReady(t, open)
	id := createByHand(t, "Crash", "crash@example.com", map[string]string{common.OwnerTag: "team-a/crash"})
	a := newAccount("team-a", "crash", "crash@example.com", "ou-crash")
	a.Spec.Name = "Crash"
	create(t, a)
	waitReady(t, a)
	if a.Status.ID != id {
		t.Fatalf("recovered %s, want %s", a.Status.ID, id)
	}

	// The operator wrote that it was about to create the account, sent CreateAccount
	// and died before writing the request id: the object finds the request in progress
	// and waits for it rather than creating another.
	name, email := "Crash Two", "crash-two@example.com"
	b := newAccount("team-a", "crash-two", email, "ou-crash")
	b.Spec.Name = name
	b.Spec.ManagementPolicy = v1alpha1.Observe // the operator must not create it before the "crash"
	create(t, b)
	waitCondition(t, b, v1alpha1.ConditionStalled, v1alpha1.ReasonChangesPending, "create account")
	if _, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: &name, Email: &email,
		Tags: []types.Tag{{Key: aws.String(common.OwnerTag), Value: aws.String("team-a/crash-two")}}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		if err := k8s.Get(ctx, keyOf(b), b); err != nil {
			return err
		}
		base := b.DeepCopy()
		now := metav1.Now()
		b.Status.CreateRequestedAt = &now
		return k8s.Status().Patch(ctx, b, client.MergeFrom(base))
	})
	update(t, b, func(x *v1alpha1.Account) { x.Spec.ManagementPolicy = v1alpha1.Manage })
	waitReady(t, b)
	for _, e := range []string{"crash@example.com", email} {
		if n := len(awsAccountsByEmail(t, e)); n != 1 {
			t.Fatalf("%d accounts for %s, want 1", n, e)
		}
	}
	if n := requestsFor(t, name); n != 1 {
		t.Fatalf("%d CreateAccount requests for %s, want 1", n, email)
	}
	deleteAndWait(t, a)
	deleteAndWait(t, b)
	for _, x := range []string{a.Status.ID, b.Status.ID} {
		if _, err := org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(x), SourceParentId: &open.Status.ID, DestinationParentId: aws.String(rootID(t))}); err != nil {
			t.Fatal(err)
		}
	}
	deleteAndWait(t, open)
}

func requestsFor(t *testing.T, accountName string) int { // by account name
	t.Helper()
	n := 0
	p := organizations.NewListCreateAccountStatusPaginator(org, &organizations.ListCreateAccountStatusInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.CreateAccountStatuses {
			if aws.ToString(r.AccountName) == accountName {
				n++
			}
		}
	}
	return n
}

func TestAccountEmailTakenOutsideTheOrgStalls(t *testing.T) {
	a := newAccount(operatorNS, "taken", takenEmail, "")
	create(t, a)
	c := waitCondition(t, a, v1alpha1.ConditionStalled, v1alpha1.ReasonAWSRefused, "EMAIL_ALREADY_EXISTS")
	if a.Status.ID != "" || len(awsAccountsByEmail(t, takenEmail)) != 0 {
		t.Fatalf("an account was made for a taken email: %s", c.Message)
	}
	deleteAndWait(t, a)
}

func TestAccountValidationAtTheAPIServer(t *testing.T) {
	ctx := context.Background()
	bad := newAccount(operatorNS, "bad-email", "not-an-email", "")
	if err := k8s.Create(ctx, bad); err == nil || !strings.Contains(err.Error(), "spec.email") {
		t.Fatalf("want the bad email refused, got %v", err)
	}
	a := newAccount(operatorNS, "immutable", "immutable@example.com", "")
	a.Spec.DeletionPolicy = v1alpha1.AccountRetain
	create(t, a)
	if err := updateErr(a, func(x *v1alpha1.Account) { x.Spec.Email = "other@example.com" }); err == nil || !strings.Contains(err.Error(), "email is immutable") {
		t.Fatalf("want the email change refused, got %v", err)
	}
	if err := updateErr(a, func(x *v1alpha1.Account) { x.Spec.DeletionPolicy = "Delete" }); err == nil || !strings.Contains(err.Error(), `"Close"`) {
		t.Fatalf("want deletionPolicy Delete refused for accounts, got %v", err)
	}
	waitReady(t, a)
	deleteAndWait(t, a)
}
