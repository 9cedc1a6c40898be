// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package controller_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/awssim"
)

// Six accounts deleted at once with deletionPolicy Close: each moves to the
// quarantine OU first, never more than three close at once, each object goes only
// once AWS reports its account SUSPENDED, and nothing loops.
func TestDecommissionClosesThreeAtATime(t *testing.T) {
	ctx := context.Background()
	q := &v1alpha1.OrganizationalUnit{}
	if err := k8s.Get(ctx, client.ObjectKey{Name: quarantineOU}, q); err != nil {
		t.Fatal(err)
	}
	waitReady(t, q)
	var accts []*v1alpha1.Account
	for i := range 6 {
		a := newAccount(operatorNS, fmt.Sprintf("decom-%d", i), fmt.Sprintf("decom-%d@example.com", i), "")
		a.Spec.DeletionPolicy = v1alpha1.AccountClose
		create(t, a)
		accts = append(accts, a)
	}
	ids := map[string]bool{}
	for _, a := range accts {
		waitReady(t, a)
		ids[a.Status.ID] = true
	}
	closes := calls("organizations:CloseAccount")

	// Watch AWS: how many of them close at once, and where each was when it began.
	stop := make(chan struct{})
	var mu sync.Mutex
	most, outside := 0, []string{}
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			n := 0
			for id := range ids {
				d, err := org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(id)})
				if err != nil || d.Account.State != types.AccountStatePendingClosure {
					continue
				}
				n++
				if p := awsParentOrEmpty(id); p != q.Status.ID && p != "" {
					mu.Lock()
					outside = append(outside, id)
					mu.Unlock()
				}
			}
			mu.Lock()
			most = max(most, n)
			mu.Unlock()
		}
	}()
	for _, a := range accts {
		if err := k8s.Delete(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	old := eventuallyFor
	eventuallyFor = 90 * time.Second
	for _, a := range accts {
		eventually(t, func() error {
			if err := k8s.Get(ctx, keyOf(a), a); err == nil {
				return fmt.Errorf("%s still there: %s %v", a.Name, a.Status.State, a.Status.Conditions)
			}
			return nil
		})
	}
	eventuallyFor = old
	close(stop)
	mu.Lock()
	defer mu.Unlock()
	if most > 3 || most == 0 {
		t.Fatalf("%d accounts closing at once, want at most 3 (and some)", most)
	}
	if len(outside) > 0 {
		t.Fatalf("accounts closing outside the quarantine OU: %v", outside)
	}
	for id := range ids {
		d, err := org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if d.Account.State != types.AccountStateSuspended {
			t.Fatalf("account %s is %s after its object went, want SUSPENDED", id, d.Account.State)
		}
	}
	if n := calls("organizations:CloseAccount") - closes; n != 6 {
		t.Fatalf("%d CloseAccount calls for 6 accounts", n)
	}
}

// The management account is never closed; AWS's closure quota stalls the object with
// a message saying when to expect room, without a hot loop.
func TestDecommissionRefusals(t *testing.T) {
	ctx := context.Background()
	mgmtAcct := newAccount(operatorNS, "the-management", "management@example.com", "")
	mgmtAcct.Spec.Name, mgmtAcct.Spec.DeletionPolicy = "management", v1alpha1.AccountClose
	create(t, mgmtAcct)
	waitCondition(t, mgmtAcct, v1alpha1.ConditionStalled, v1alpha1.ReasonInvalidSpec, "management account, which can never be closed")
	closes := calls("organizations:CloseAccount")
	deleteAndWait(t, mgmtAcct)
	if calls("organizations:CloseAccount") != closes {
		t.Fatal("CloseAccount called for the management account")
	}

	a := newAccount(operatorNS, "decom-quota", "decom-quota@example.com", "")
	a.Spec.DeletionPolicy = v1alpha1.AccountClose
	create(t, a)
	waitReady(t, a)
	inject(t, awssim.Fault{Operation: "CloseAccount", Count: 1000, Code: "ConstraintViolationException", Reason: "CLOSE_ACCOUNT_QUOTA_EXCEEDED",
		Message: "You have exceeded close account quota for the past 30 days."})
	closes = calls("organizations:CloseAccount")
	if err := k8s.Delete(ctx, a); err != nil {
		t.Fatal(err)
	}
	waitCondition(t, a, v1alpha1.ConditionStalled, v1alpha1.ReasonQuotaExceeded, "expect it within 30 days")
	time.Sleep(3 * resyncPeriod)
	// At most one a resync (jittered down to 90 %), the first, and the one its own
	// status write wakes: a hot loop would make dozens.
	if n := calls("organizations:CloseAccount") - closes; n > 7 {
		t.Fatalf("%d CloseAccount calls in %s while the quota is used up: a hot loop", n, 3*resyncPeriod)
	}
	env.Sim.ClearFaults()
	old := eventuallyFor
	eventuallyFor = 60 * time.Second
	defer func() { eventuallyFor = old }()
	eventually(t, func() error {
		if err := k8s.Get(ctx, keyOf(a), a); err == nil {
			return fmt.Errorf("still there: %v", a.Status.Conditions)
		}
		return nil
	})
}

func awsParentOrEmpty(id string) string {
	out, err := org.ListParents(context.Background(), &organizations.ListParentsInput{ChildId: &id})
	if err != nil || len(out.Parents) == 0 {
		return ""
	}
	return aws.ToString(out.Parents[0].Id)
}

// CloseAccount done but its answer lost (a 500 after the work, as when the manager dies
// right there): the object finds the account closing, waits for SUSPENDED, and asks
// AWS to close it no more.
func TestDecommissionAfterALostCloseAnswer(t *testing.T) {
	ctx := context.Background()
	a := newAccount(operatorNS, "decom-lost", "decom-lost@example.com", "")
	a.Spec.DeletionPolicy = v1alpha1.AccountClose
	create(t, a)
	waitReady(t, a)
	id := a.Status.ID
	inject(t, awssim.Fault{Operation: "CloseAccount", Count: 1, Code: "InternalServerException", After: true})
	closes := calls("organizations:CloseAccount")
	if err := k8s.Delete(ctx, a); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		if err := k8s.Get(ctx, keyOf(a), a); err == nil {
			return fmt.Errorf("still there: %s %v", a.Status.State, a.Status.Conditions)
		}
		return nil
	})
	d, err := org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: &id})
	if err != nil {
		t.Fatal(err)
	}
	if d.Account.State != types.AccountStateSuspended {
		t.Fatalf("account %s is %s after its object went, want SUSPENDED", id, d.Account.State)
	}
	// The lost one, and the SDK's retry of it, which AWS answers AccountAlreadyClosedException.
	if n := calls("organizations:CloseAccount") - closes; n > 2 {
		t.Fatalf("%d CloseAccount calls, want the one whose answer was lost and at most its retry", n)
	}
}

// The move to the quarantine OU fails (a 500 before AWS moved it, then a 500 after it
// did, as when the manager dies right there): the account is closed only once it is in
// quarantine, and closed once.
func TestDecommissionThroughAFailedQuarantineMove(t *testing.T) {
	ctx := context.Background()
	q := &v1alpha1.OrganizationalUnit{}
	if err := k8s.Get(ctx, client.ObjectKey{Name: quarantineOU}, q); err != nil {
		t.Fatal(err)
	}
	waitReady(t, q)
	a := newAccount(operatorNS, "decom-move", "decom-move@example.com", "")
	a.Spec.DeletionPolicy = v1alpha1.AccountClose
	create(t, a)
	waitReady(t, a)
	id := a.Status.ID
	inject(t, awssim.Fault{Operation: "MoveAccount", Count: 1, Code: "InternalServerException"})
	inject(t, awssim.Fault{Operation: "MoveAccount", Count: 1, Code: "InternalServerException", After: true})
	closes, failed := calls("organizations:CloseAccount"), env.Sim.Errors()["organizations:MoveAccount:InternalServerException"]
	if err := k8s.Delete(ctx, a); err != nil {
		t.Fatal(err)
	}
	// Until AWS holds it in quarantine, it is not closing.
	var closedOutside string
	eventually(t, func() error {
		d, err := org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: &id})
		if err == nil && d.Account.State != types.AccountStateActive && closedOutside == "" {
			if p := awsParentOrEmpty(id); p != q.Status.ID {
				closedOutside = p
			}
		}
		if err := k8s.Get(ctx, keyOf(a), a); err == nil {
			return fmt.Errorf("still there: %s %v", a.Status.State, a.Status.Conditions)
		}
		return nil
	})
	env.Sim.ClearFaults()
	if n := env.Sim.Errors()["organizations:MoveAccount:InternalServerException"] - failed; n != 2 {
		t.Fatalf("%d moves failed, want the 2 injected", n)
	}
	if closedOutside != "" {
		t.Fatalf("the account began closing in %s, outside the quarantine OU %s", closedOutside, q.Status.ID)
	}
	if p := awsParentOrEmpty(id); p != q.Status.ID {
		t.Fatalf("the closed account is in %s, want the quarantine OU %s", p, q.Status.ID)
	}
	d, err := org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: &id})
	if err != nil {
		t.Fatal(err)
	}
	if d.Account.State != types.AccountStateSuspended {
		t.Fatalf("account %s is %s after its object went, want SUSPENDED", id, d.Account.State)
	}
	if n := calls("organizations:CloseAccount") - closes; n != 1 {
		t.Fatalf("%d CloseAccount calls, want 1", n)
	}
}
