// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package orgapi_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsorg/awsorg-operator/internal/aws/orgapi"
	"github.com/awsorg/awsorg-operator/internal/awssim"
)

// newClosingOrg starts the simulator with closures taking delay and n member accounts.
func newClosingOrg(t *testing.T, delay time.Duration, n int) (*awssim.Server, *organizations.Client, []string) {
	t.Helper()
	cfg := awssim.DefaultConfig()
	cfg.CreateAccountDelay, cfg.CloseAccountDelay = 0, delay
	sim, org := newOrgWith(t, cfg)
	ctx := context.Background()
	var ids []string
	for i := range n {
		out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(fmt.Sprint("A", i)), Email: aws.String(fmt.Sprintf("close%d@example.com", i))})
		if err != nil {
			t.Fatal(err)
		}
		st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
		if err != nil || st.CreateAccountStatus.State != types.CreateAccountStateSucceeded {
			t.Fatalf("account %d: %+v %v", i, st, err)
		}
		ids = append(ids, aws.ToString(st.CreateAccountStatus.AccountId))
	}
	return sim, org, ids
}

func closingKey(i int) string { return fmt.Sprint("k", i) }

// waitWoken collects the keys woken until n distinct ones were, in order.
func waitWoken(t *testing.T, woken <-chan string, n int) []string {
	t.Helper()
	seen := map[string]bool{}
	var order []string
	deadline := time.After(20 * time.Second)
	for len(order) < n {
		select {
		case k := <-woken:
			if !seen[k] {
				seen[k] = true
				order = append(order, k)
			}
		case <-deadline:
			t.Fatalf("woken so far: %v, want %d", order, n)
		}
	}
	return order
}

// Three accounts close at once at most; the rest wait in line, are woken in order as
// AWS suspends the accounts before them, and close then. A closing account's state
// costs no call; each closure is looked at a few times, not every FastPoll.
func TestClosingsKeepThreeClosingAndWakeTheLineInOrder(t *testing.T) {
	sim, org, ids := newClosingOrg(t, 600*time.Millisecond, 5)
	ctx := context.Background()
	cl := orgapi.NewClosings(org, 3, 300*time.Millisecond)
	cl.FastPoll = 20 * time.Millisecond
	woken := make(chan string, 100)
	cl.Wake = func(key string) { woken <- key }
	for i := range 3 {
		if place, err := cl.Close(ctx, closingKey(i), ids[i]); err != nil || place != 0 {
			t.Fatalf("closure %d: place %d, %v", i, place, err)
		}
	}
	for i, want := range []int{1, 2} {
		if place, err := cl.Close(ctx, closingKey(3+i), ids[3+i]); !errors.Is(err, orgapi.ErrCloseBusy) || place != want {
			t.Fatalf("closure %d: want ErrCloseBusy in place %d, got %v place %d", 3+i, want, err, place)
		}
	}
	if n := sim.Calls()["organizations:CloseAccount"]; n != 3 {
		t.Fatalf("%d CloseAccount calls reached AWS, want 3", n)
	}
	describes := sim.Calls()["organizations:DescribeAccount"]
	if st, ok := cl.State(ids[0]); !ok || st != string(types.AccountStatePendingClosure) || sim.Calls()["organizations:DescribeAccount"] != describes {
		t.Fatalf("state of a followed closure: %q %v, or it called AWS", st, ok)
	}
	order := waitWoken(t, woken, 5)
	if slices.Index(order, closingKey(3)) > slices.Index(order, closingKey(4)) || slices.Index(order, closingKey(3)) == 0 {
		t.Fatalf("woken in order %v, want k3 before k4, each once a closure before it ended", order)
	}
	for i := range 3 {
		if st, ok := cl.State(ids[i]); !ok || st != string(types.AccountStateSuspended) {
			t.Fatalf("account %d ended %q %v, want SUSPENDED", i, st, ok)
		}
	}
	for i := 3; i < 5; i++ {
		if place, err := cl.Close(ctx, closingKey(i), ids[i]); err != nil || place != 0 {
			t.Fatalf("closure %d in line, woken: place %d, %v", i, place, err)
		}
	}
	waitWoken(t, woken, 2)
	if n := sim.Calls()["organizations:CloseAccount"]; n != 5 {
		t.Fatalf("%d CloseAccount calls for 5 accounts", n)
	}
	// Looked at from the guessed 300 ms on, every 20 ms until 600 ms would be about 15
	// looks a closure; backing off, and then at the learned time, a few.
	if n := sim.Calls()["organizations:DescribeAccount"] - describes; n > 5*6 {
		t.Fatalf("%d DescribeAccount calls to follow 5 closures", n)
	}
}

// Closures started outside this process fill AWS's slots: AWS refuses the closure, the
// caller waits in line, and the line tries again after a while, not at once. An
// account found closing is followed; its caller is woken when AWS suspends it.
func TestClosingsWaitOutClosuresStartedElsewhere(t *testing.T) {
	sim, org, ids := newClosingOrg(t, 500*time.Millisecond, 4)
	ctx := context.Background()
	for _, id := range ids[:3] {
		if _, err := org.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
	}
	cl := orgapi.NewClosings(org, 3, 200*time.Millisecond)
	cl.FastPoll = 20 * time.Millisecond
	woken := make(chan string, 100)
	cl.Wake = func(key string) { woken <- key }
	if place, err := cl.Close(ctx, closingKey(3), ids[3]); !errors.Is(err, orgapi.ErrCloseBusy) || place != 1 {
		t.Fatalf("closure while others fill the slots: place %d, %v", place, err)
	}
	cl.Follow(closingKey(0), ids[0])
	var order []string
	for deadline := time.After(10 * time.Second); ; {
		select {
		case k := <-woken:
			order = append(order, k)
			if k != closingKey(3) {
				continue
			}
			if _, err := cl.Close(ctx, k, ids[3]); errors.Is(err, orgapi.ErrCloseBusy) {
				continue
			} else if err != nil {
				t.Fatal(err)
			}
		case <-deadline:
			t.Fatalf("not closed; woken %v", order)
		}
		break
	}
	if !slices.Contains(order, closingKey(0)) {
		t.Fatalf("woken %v: the caller of the followed closure was not", order)
	}
	// The three outside, then tried about every 200 ms until they are done at 500 ms:
	// a few, not one every FastPoll.
	if n := sim.Calls()["organizations:CloseAccount"] - 3; n < 2 || n > 5 {
		t.Fatalf("%d CloseAccount calls for the one account", n)
	}
}

// While AWS answers DescribeAccount with errors, a closing account keeps its slot and
// is looked at a little later each time; once AWS answers, its end is seen.
func TestClosingsKeepTheSlotWhileAWSDoesNotAnswer(t *testing.T) {
	sim, org, ids := newClosingOrg(t, 100*time.Millisecond, 2)
	ctx := context.Background()
	cl := orgapi.NewClosings(org, 1, 100*time.Millisecond)
	cl.FastPoll = 20 * time.Millisecond
	woken := make(chan string, 100)
	cl.Wake = func(key string) { woken <- key }
	sim.InjectFault(awssim.Fault{Operation: "DescribeAccount", Count: 1000, Code: "InternalServerException"})
	if _, err := cl.Close(ctx, closingKey(0), ids[0]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if place, err := cl.Close(ctx, closingKey(1), ids[1]); !errors.Is(err, orgapi.ErrCloseBusy) || place != 1 {
		t.Fatalf("a second closure while the first one's end is unknown: place %d, %v", place, err)
	}
	failed := sim.Errors()["organizations:DescribeAccount:InternalServerException"]
	// Every 20 ms for a second would be 45 looks (with the SDK's retries, more); backing
	// off to a quarter of the expected 100 ms is about a dozen.
	if failed == 0 || failed > 3*15 {
		t.Fatalf("%d failed DescribeAccount calls in a second", failed)
	}
	sim.ClearFaults()
	if order := waitWoken(t, woken, 2); order[0] != closingKey(0) || order[1] != closingKey(1) {
		t.Fatalf("woken %v once AWS answers", order)
	}
}
