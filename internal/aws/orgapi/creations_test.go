// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package orgapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/awsorg/awsorg-operator/internal/aws/orgapi"
	"github.com/awsorg/awsorg-operator/internal/awssim"
)

// newOrg starts the simulator with account creations taking delay.
func newOrg(t *testing.T, delay time.Duration) (*awssim.Server, *organizations.Client) {
	t.Helper()
	cfg := awssim.DefaultConfig()
	cfg.CreateAccountDelay = delay
	return newOrgWith(t, cfg)
}

// newOrgWith starts the simulator with cfg and an Organizations client of it.
func newOrgWith(t *testing.T, cfg awssim.Config) (*awssim.Server, *organizations.Client) {
	t.Helper()
	sim := awssim.New(cfg)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, organizations.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
}

// newCreations is a creation tracker that polls fast, and the keys it wakes.
func newCreations(api orgapi.API) (*orgapi.Creations, chan string) {
	cr := orgapi.NewCreations(api, 5)
	cr.FastPoll = 20 * time.Millisecond
	woken := make(chan string, 100)
	cr.Wake = func(key string) { woken <- key }
	return cr, woken
}

// Five creations at once at most; the rest wait in line and are woken in turn; the
// requests in progress are followed with one list call a round, and each ended request
// is described once.
func TestCreationsKeepFiveInProgressAndFollowThemInBulk(t *testing.T) {
	sim, c := newOrg(t, 300*time.Millisecond)
	ctx := context.Background()
	cr, woken := newCreations(c)
	create := func(i int) (*types.CreateAccountStatus, int, error) {
		return cr.Create(ctx, fmt.Sprint("k", i), &organizations.CreateAccountInput{AccountName: aws.String("A"), Email: aws.String(fmt.Sprintf("c%d@example.com", i))})
	}
	ids := map[string]string{}
	for i := range 5 {
		st, _, err := create(i)
		if err != nil {
			t.Fatal(err)
		}
		ids[fmt.Sprint("k", i)] = aws.ToString(st.Id)
	}
	for i, want := range []int{1, 2} {
		if _, place, err := create(5 + i); !errors.Is(err, orgapi.ErrCreateBusy) || place != want {
			t.Fatalf("creation %d: want ErrCreateBusy in place %d, got %v place %d", 5+i, want, err, place)
		}
	}
	if n := sim.Calls()["organizations:CreateAccount"]; n != 5 {
		t.Fatalf("%d CreateAccount calls reached AWS, want 5", n)
	}
	// Following a request in progress costs no call.
	before := sim.Calls()["organizations:DescribeCreateAccountStatus"]
	if st, _, err := cr.Status(ctx, "k0", ids["k0"]); err != nil || st.State != types.CreateAccountStateInProgress {
		t.Fatalf("status %+v %v", st, err)
	}
	if n := sim.Calls()["organizations:DescribeCreateAccountStatus"]; n != before {
		t.Fatal("Status of a followed request called AWS")
	}
	// All five end: their callers are woken, then the two in line, in order.
	seen := map[string]bool{}
	var order []string
	var mu sync.Mutex
	deadline := time.After(10 * time.Second)
	for len(seen) < 7 {
		select {
		case k := <-woken:
			mu.Lock()
			if !seen[k] {
				seen[k] = true
				order = append(order, k)
			}
			mu.Unlock()
		case <-deadline:
			t.Fatalf("woken so far: %v", order)
		}
	}
	if order[5] != "k5" || order[6] != "k6" {
		t.Fatalf("woken in order %v, want the line k5, k6 last", order)
	}
	for k, id := range ids {
		st, ours, err := cr.Status(ctx, k, id)
		if err != nil || st.State != types.CreateAccountStateSucceeded || !ours {
			t.Fatalf("%s: %+v %v", k, st, err)
		}
	}
	if _, _, err := create(5); err != nil {
		t.Fatalf("the first in line takes a free slot: %v", err)
	}
	if n := sim.Calls()["organizations:DescribeCreateAccountStatus"]; n > 5 {
		t.Fatalf("%d DescribeCreateAccountStatus calls for 5 ended requests", n)
	}
}

// A request that takes longer than creations were thought to take is looked at a
// little later each time, not every FastPoll; once one has ended, the next is looked
// at when it is due, in one poll.
func TestCreationsPollALateRequestLessAndLessOften(t *testing.T) {
	sim, c := newOrg(t, 1500*time.Millisecond) // the first guess is a second
	ctx := context.Background()
	cr, woken := newCreations(c)
	lists := func() int { return sim.Calls()["organizations:ListCreateAccountStatus"] }
	for i := range 2 {
		before := lists()
		if _, _, err := cr.Create(ctx, fmt.Sprint("k", i), &organizations.CreateAccountInput{AccountName: aws.String("A"), Email: aws.String(fmt.Sprintf("late%d@example.com", i))}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-woken:
		case <-time.After(10 * time.Second):
			t.Fatal("the request's end was never seen")
		}
		polls := lists() - before
		// Every 20 ms from 1 s to 1.5 s would be 25 polls; backing off from 20 ms to a
		// quarter of a second is 6 (and the first creation's look at what is in progress).
		if want := []int{8, 1}[i]; polls > want {
			t.Fatalf("creation %d: %d ListCreateAccountStatus calls to follow one request, want at most %d", i, polls, want)
		}
	}
}

// failingStatus is Organizations whose ListCreateAccountStatus answers a server error
// while fail is set.
type failingStatus struct {
	*organizations.Client
	mu    sync.Mutex
	fail  bool
	lists int
}

func (f *failingStatus) ListCreateAccountStatus(ctx context.Context, in *organizations.ListCreateAccountStatusInput, opts ...func(*organizations.Options)) (*organizations.ListCreateAccountStatusOutput, error) {
	f.mu.Lock()
	f.lists++
	failing := f.fail
	f.mu.Unlock()
	if failing {
		return nil, &smithy.GenericAPIError{Code: "ServiceException", Message: "injected"}
	}
	return f.Client.ListCreateAccountStatus(ctx, in, opts...)
}

// While AWS answers the bulk status list with errors, a request that is due is looked
// at a little later each time, not every FastPoll; once AWS answers, its end is seen.
func TestCreationsBackOffWhileTheStatusListFails(t *testing.T) {
	_, org := newOrg(t, 100*time.Millisecond)
	api := &failingStatus{Client: org}
	ctx := context.Background()
	cr, woken := newCreations(api)
	if _, _, err := cr.Create(ctx, "k", &organizations.CreateAccountInput{AccountName: aws.String("A"), Email: aws.String("backoff@example.com")}); err != nil {
		t.Fatal(err)
	}
	api.mu.Lock()
	api.fail, api.lists = true, 0
	api.mu.Unlock()
	time.Sleep(1500 * time.Millisecond)
	api.mu.Lock()
	asked := api.lists
	api.fail = false
	api.mu.Unlock()
	// Every 20 ms from 1 s is 25 calls in the last half second alone; backing off to a
	// quarter of the expected second is at most about 8 in all.
	if asked == 0 || asked > 10 {
		t.Fatalf("ListCreateAccountStatus asked %d times in 1.5 s while it failed, want 1 to 10", asked)
	}
	select {
	case <-woken:
	case <-time.After(5 * time.Second):
		t.Fatal("the request's end was never seen once AWS answered")
	}
}

// A caller asks whether it would wait before it writes that it is about to create an
// account: while every slot is taken it learns its place (the same each time) without
// a call to AWS; once woken for a free slot, its turn has come.
func TestCreationsTellACallerItWaitsWithoutACall(t *testing.T) {
	sim, c := newOrg(t, 300*time.Millisecond)
	ctx := context.Background()
	cr, woken := newCreations(c)
	if _, waiting := cr.Waiting("k0"); waiting {
		t.Fatal("the first caller waits before any creation")
	}
	for i := range 5 {
		if _, _, err := cr.Create(ctx, fmt.Sprint("k", i), &organizations.CreateAccountInput{AccountName: aws.String("A"), Email: aws.String(fmt.Sprintf("w%d@example.com", i))}); err != nil {
			t.Fatal(err)
		}
	}
	calls := sim.Calls()
	for range 3 {
		if place, waiting := cr.Waiting("k5"); !waiting || place != 1 {
			t.Fatalf("a caller while five are in progress: place %d, waiting %v", place, waiting)
		}
	}
	if place, waiting := cr.Waiting("k6"); !waiting || place != 2 {
		t.Fatalf("the next caller: place %d, waiting %v", place, waiting)
	}
	if n := sim.Calls()["organizations:CreateAccount"]; n != calls["organizations:CreateAccount"] {
		t.Fatal("asking whether to wait called CreateAccount")
	}
	for deadline := time.After(10 * time.Second); ; {
		select {
		case k := <-woken:
			if k != "k5" {
				continue
			}
			if _, waiting := cr.Waiting("k5"); waiting {
				t.Fatal("the caller woken for a free slot still waits")
			}
			if _, _, err := cr.Create(ctx, "k5", &organizations.CreateAccountInput{AccountName: aws.String("A"), Email: aws.String("w5@example.com")}); err != nil {
				t.Fatalf("the woken caller's creation: %v", err)
			}
			return
		case <-deadline:
			t.Fatal("k5 was never woken")
		}
	}
}
