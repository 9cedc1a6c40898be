// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package ssoapi_test

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
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/smithy-go"

	"github.com/awsorg/awsorg-operator/internal/aws/ssoapi"
	"github.com/awsorg/awsorg-operator/internal/awssim"
)

// newSSO starts the simulator with Identity Center's requests taking delay.
func newSSO(t testing.TB, delay time.Duration) (*awssim.Server, *organizations.Client, *ssoadmin.Client, *ssoapi.Directory) {
	t.Helper()
	sim, url := startSim(t, delay)
	awsCfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")}
	sso := ssoadmin.NewFromConfig(awsCfg)
	return sim, organizations.NewFromConfig(awsCfg), sso, ssoapi.NewDirectory(sso, identitystore.NewFromConfig(awsCfg))
}

// startSim starts the simulator with Identity Center's requests taking delay and
// account creations none, and returns it and its URL.
func startSim(t testing.TB, delay time.Duration) (*awssim.Server, string) {
	cfg := awssim.DefaultConfig()
	cfg.CreateAccountDelay, cfg.SSODelay = 0, delay
	cfg.DefaultPageSize = 1 // a list that leaves MaxResults out costs a call an item
	sim := awssim.New(cfg)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, srv.URL
}

// setup returns the instance, the Platform group and a new permission set.
func setup(t testing.TB, dir *ssoapi.Directory, sso *ssoadmin.Client, name string) (string, string, *ssoadmin.CreatePermissionSetOutput) {
	t.Helper()
	ctx := context.Background()
	instance, _, err := dir.Instance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	group, err := dir.PrincipalID(ctx, "GROUP", "Platform")
	if err != nil {
		t.Fatal(err)
	}
	ps, err := sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: &instance, Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return instance, group, ps
}

// memberAccounts creates n member accounts (created at once: the simulator's
// creation delay is 0 here) and returns their ids.
// wakes makes r send the keys it wakes to the channel it returns.
func wakes(r *ssoapi.Requests) chan string {
	woken := make(chan string, 100)
	r.Wake = func(key string) { woken <- key }
	return woken
}

// assigner returns a caller's request for an assignment of group to the next of
// accounts (round the list), as a permission set of wants more creations would ask.
func assigner(ctx context.Context, r *ssoapi.Requests, instance, group string, ps *ssoadmin.CreatePermissionSetOutput, accounts []*string) func(key string, wants int) (string, error) {
	next := 0
	return func(key string, wants int) (string, error) {
		id, _, err := r.CreateAssignment(ctx, key, wants, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: &instance, PermissionSetArn: ps.PermissionSet.PermissionSetArn,
			TargetId: accounts[next%len(accounts)], TargetType: ssotypes.TargetTypeAwsAccount, PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: &group})
		if err == nil {
			next++
		}
		return id, err
	}
}

func ignoreID(assign func(string, int) (string, error)) func(string, int) error {
	return func(key string, wants int) error {
		_, err := assign(key, wants)
		return err
	}
}

func memberAccounts(t testing.TB, org *organizations.Client, n int, prefix string) []*string {
	t.Helper()
	ctx := context.Background()
	var ids []*string
	for i := range n {
		out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("A"), Email: aws.String(fmt.Sprintf("%s%d@example.com", prefix, i))})
		if err != nil {
			t.Fatal(err)
		}
		st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, st.CreateAccountStatus.AccountId)
	}
	return ids
}

// Ten assignment creations at once at most; the rest wait in line and are woken in
// turn; requests in progress are followed with one list call per kind a round, and
// how they ended is kept for the reconciles that ask again.
func TestRequestsKeepTenCreationsAndFollowThemInBulk(t *testing.T) {
	sim, org, sso, dir := newSSO(t, 300*time.Millisecond)
	ctx := context.Background()
	instance, group, ps := setup(t, dir, sso, "Bulk")
	r := dir.Requests
	r.Poll = 50 * time.Millisecond
	woken := wakes(r)
	assign := func(i int) (string, int, error) {
		out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("A"), Email: aws.String(fmt.Sprintf("r%d@example.com", i))})
		if err != nil {
			t.Fatal(err)
		}
		st, _ := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
		return r.CreateAssignment(ctx, fmt.Sprint("k", i), 1, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: &instance, PermissionSetArn: ps.PermissionSet.PermissionSetArn,
			TargetId: st.CreateAccountStatus.AccountId, TargetType: ssotypes.TargetTypeAwsAccount, PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: &group})
	}
	ids := map[string]string{}
	for i := range 10 {
		id, _, err := assign(i)
		if err != nil {
			t.Fatal(err)
		}
		ids[fmt.Sprint("k", i)] = id
	}
	if _, place, err := assign(10); !errors.Is(err, ssoapi.ErrAssignBusy) || place != 1 {
		t.Fatalf("the eleventh creation: want ErrAssignBusy in place 1, got %v, %d", err, place)
	}
	if _, ended, err := r.Status(ctx, instance, ssoapi.CreateAssignment, ids["k0"], "k0"); err != nil || ended {
		t.Fatalf("a creation in progress: ended %t, %v", ended, err)
	}
	seen := map[string]bool{}
	timeout := time.After(10 * time.Second)
	for len(seen) < 11 {
		select {
		case k := <-woken:
			seen[k] = true
		case <-timeout:
			t.Fatalf("woken: %v", seen)
		}
	}
	for k, id := range ids {
		for range 2 { // and again, as a reconcile does that reads a status the cache has not updated yet
			res, ended, err := r.Status(ctx, instance, ssoapi.CreateAssignment, id, k)
			if err != nil || !ended || res.Status != string(ssotypes.StatusValuesSucceeded) {
				t.Fatalf("%s: %+v %t %v", k, res, ended, err)
			}
		}
	}
	calls := sim.Calls()
	if calls["sso-admin:DescribeAccountAssignmentCreationStatus"] > 0 || calls["sso-admin:ListAccountAssignmentCreationStatus"] == 0 {
		t.Fatalf("followed with %d describes and %d lists", calls["sso-admin:DescribeAccountAssignmentCreationStatus"], calls["sso-admin:ListAccountAssignmentCreationStatus"])
	}
}

// A caller in line is woken with as many free slots as it said it wants creations,
// so one reconcile makes many; the next in line gets the slots left.
func TestRequestsGrantFreeSlotsToTheCallersInLine(t *testing.T) {
	_, org, sso, dir := newSSO(t, 100*time.Millisecond)
	ctx := context.Background()
	instance, group, ps := setup(t, dir, sso, "Grants")
	accounts := memberAccounts(t, org, 20, "g")
	r := dir.Requests
	r.Poll = time.Second // the first look finds all ten ended
	woken := wakes(r)
	assign := ignoreID(assigner(ctx, r, instance, group, ps, accounts))
	for range 10 {
		if err := assign("first", 1); err != nil {
			t.Fatal(err)
		}
	}
	// a wants 6 creations and b 7 while all ten slots are taken; each asks once.
	for key, n := range map[string]int{"a": 6, "b": 7} {
		if err := assign(key, n); !errors.Is(err, ssoapi.ErrAssignBusy) {
			t.Fatalf("%s: want ErrAssignBusy, got %v", key, err)
		}
	}
	made := map[string]int{}
	for len(made) < 2 {
		select {
		case key := <-woken:
			if key == "first" {
				continue
			}
			for assign(key, 1) == nil {
				made[key]++
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("woken callers made %v", made)
		}
	}
	// The ten slots freed at once: the first in line makes all it asked for, the
	// second the rest, and neither one more than the ten allow.
	if made["a"]+made["b"] != 10 || (made["a"] != 6 && made["b"] != 7) {
		t.Fatalf("woken callers made %v creations, want 10 between them, one caller's all", made)
	}
}

// A caller whose requests ended while it waits in line behind another is not woken
// for them: its turn wakes it, once, and it learns then how they ended.
func TestACallerInLineIsWokenOnceWhenItsTurnComes(t *testing.T) {
	_, org, sso, dir := newSSO(t, 100*time.Millisecond)
	ctx := context.Background()
	instance, group, ps := setup(t, dir, sso, "Line")
	accounts := memberAccounts(t, org, 21, "l")
	r := dir.Requests
	r.Poll = 300 * time.Millisecond // the first look finds all ten ended
	woken := wakes(r)
	assign := assigner(ctx, r, instance, group, ps, accounts)
	var mine []string
	for range 10 {
		id, err := assign("a", 1)
		if err != nil {
			t.Fatal(err)
		}
		mine = append(mine, id)
	}
	for range 10 { // b is first in line, for ten
		if _, err := assign("b", 10); !errors.Is(err, ssoapi.ErrAssignBusy) {
			t.Fatalf("b: want ErrAssignBusy, got %v", err)
		}
	}
	if _, err := assign("a", 1); !errors.Is(err, ssoapi.ErrAssignBusy) { // a is second, for one more
		t.Fatalf("a: want ErrAssignBusy, got %v", err)
	}
	wait := func() string {
		select {
		case key := <-woken:
			return key
		case <-time.After(10 * time.Second):
			t.Fatal("nobody woken")
			return ""
		}
	}
	if !r.Waits("a") || !r.Waits("b") {
		t.Fatalf("a waits %t, b waits %t; want both in line", r.Waits("a"), r.Waits("b"))
	}
	if key := wait(); key != "b" {
		t.Fatalf("a's ten ended and b's turn came: woken %q first, want b", key)
	}
	if !r.Waits("a") || r.Waits("b") {
		t.Fatalf("b's turn came: a waits %t, b waits %t; want a only", r.Waits("a"), r.Waits("b"))
	}
	select {
	case key := <-woken:
		t.Fatalf("woken %q while a waits in line and b has not used its slots", key)
	case <-time.After(time.Second):
	}
	for range 10 {
		if _, err := assign("b", 1); err != nil {
			t.Fatalf("b uses its slots: %v", err)
		}
	}
	seen := map[string]int{}
	for seen["a"] == 0 || seen["b"] == 0 {
		seen[wait()]++
	}
	if seen["a"] != 1 {
		t.Fatalf("a woken %d times when its turn came, want once", seen["a"])
	}
	for _, id := range mine {
		if res, ended, err := r.Status(ctx, instance, ssoapi.CreateAssignment, id, "a"); err != nil || !ended || res.Status != string(ssotypes.StatusValuesSucceeded) {
			t.Fatalf("a's request %s when its turn came: %+v ended %t %v", id, res, ended, err)
		}
	}
}

// A request that leaves the list of those in progress frees its slot at once, for
// the next in line, even when how it ended is learned later (the failed requests are
// listed at most once every FailedEvery).
func TestSlotsFreeBeforeTheOutcomeIsKnown(t *testing.T) {
	_, org, sso, dir := newSSO(t, 100*time.Millisecond)
	ctx := context.Background()
	instance, group, ps := setup(t, dir, sso, "Outcomes")
	accounts := memberAccounts(t, org, 21, "o")
	r := dir.Requests
	r.Poll, r.FailedEvery = 300*time.Millisecond, 2*time.Second // each look finds all ten ended
	type wake struct {
		key string
		at  time.Time
	}
	woken := make(chan wake, 100)
	r.Wake = func(key string) { woken <- wake{key, time.Now()} }
	assign := assigner(ctx, r, instance, group, ps, accounts)
	waitFor := func(key string) time.Time {
		deadline := time.After(10 * time.Second)
		for {
			select {
			case w := <-woken:
				if w.key == key {
					return w.at
				}
			case <-deadline:
				t.Fatalf("%s never woken", key)
			}
		}
	}
	for range 10 {
		if _, err := assign("a", 1); err != nil {
			t.Fatal(err)
		}
	}
	for range 10 {
		if _, err := assign("b", 10); !errors.Is(err, ssoapi.ErrAssignBusy) {
			t.Fatalf("b: %v", err)
		}
	}
	if _, err := assign("c", 1); !errors.Is(err, ssoapi.ErrAssignBusy) {
		t.Fatalf("c: %v", err)
	}
	waitFor("b") // a's ten ended: b's turn
	var bs []string
	for range 10 {
		id, err := assign("b", 1)
		if err != nil {
			t.Fatalf("b uses its slots: %v", err)
		}
		bs = append(bs, id)
	}
	sent := time.Now()
	cAt := waitFor("c")
	if took := cAt.Sub(sent); took > time.Second {
		t.Fatalf("c got a slot %s after b's creations were sent, want well under the 2 s between two lists of failed requests", took)
	}
	if _, ended, err := r.Status(ctx, instance, ssoapi.CreateAssignment, bs[0], "b"); err != nil || ended {
		t.Fatalf("b's creation has ended before its outcome is known: ended %t, %v", ended, err)
	}
	bAt := waitFor("b")
	if bAt.Sub(cAt) < time.Second {
		t.Fatalf("b learned how its creations ended %s after c got its slot: the failed requests were listed again too soon", bAt.Sub(cAt))
	}
	for _, id := range bs {
		if res, ended, err := r.Status(ctx, instance, ssoapi.CreateAssignment, id, "b"); err != nil || !ended || res.Status != string(ssotypes.StatusValuesSucceeded) {
			t.Fatalf("b's %s: %+v ended %t %v", id, res, ended, err)
		}
	}
}

// failingList is Identity Center whose list of assignment creations with one status
// answers a server error while fail is set.
type failingList struct {
	*ssoadmin.Client
	status ssotypes.StatusValues
	mu     sync.Mutex
	fail   bool
	lists  int
}

func (f *failingList) ListAccountAssignmentCreationStatus(ctx context.Context, in *ssoadmin.ListAccountAssignmentCreationStatusInput, opts ...func(*ssoadmin.Options)) (*ssoadmin.ListAccountAssignmentCreationStatusOutput, error) {
	if in.Filter != nil && in.Filter.Status == f.status {
		f.mu.Lock()
		f.lists++
		failing := f.fail
		f.mu.Unlock()
		if failing {
			return nil, &smithy.GenericAPIError{Code: "InternalServerException", Message: "injected"}
		}
	}
	return f.Client.ListAccountAssignmentCreationStatus(ctx, in, opts...)
}

// While the list of failed requests answers errors, an ended creation is neither
// taken as succeeded nor looked at again more than once every FailedEvery; once AWS
// answers, its caller learns it succeeded.
func TestAFailingListOfFailedRequestsIsAskedOnceAWhile(t *testing.T) {
	failingListRidesOut(t, ssotypes.StatusValuesFailed, func(r *ssoapi.Requests) {
		r.Poll, r.FailedEvery = 50*time.Millisecond, 500*time.Millisecond
	}, 4, "once every 500 ms")
}

// While the list of creations in progress answers errors, it is asked at most once
// a round (half the time requests take), not in a loop; once AWS answers, the caller
// learns its creation succeeded.
func TestAFailingListOfRequestsInProgressIsAskedOnceARound(t *testing.T) {
	failingListRidesOut(t, ssotypes.StatusValuesInProgress, func(r *ssoapi.Requests) {
		r.Poll = 400 * time.Millisecond
	}, 7, "the first look at 400 ms, then rounds 200 ms apart at most")
}

// failingListRidesOut makes one assignment creation while the list of requests with
// status answers errors for 1.6 s: the list is asked 1 to most times meanwhile, the
// caller is not woken, and once AWS answers it learns the creation succeeded.
func failingListRidesOut(t *testing.T, status ssotypes.StatusValues, pace func(*ssoapi.Requests), most int, why string) {
	t.Helper()
	_, org, sso, dir := newSSO(t, 50*time.Millisecond)
	ctx := context.Background()
	instance, group, ps := setup(t, dir, sso, "Failing"+string(status))
	account := memberAccounts(t, org, 1, "f"+string(status))[0]
	api := &failingList{Client: sso, status: status, fail: true}
	r := ssoapi.NewRequests(api)
	pace(r)
	woken := wakes(r)
	id, _, err := r.CreateAssignment(ctx, "k", 1, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: &instance, PermissionSetArn: ps.PermissionSet.PermissionSetArn,
		TargetId: account, TargetType: ssotypes.TargetTypeAwsAccount, PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: &group})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1600 * time.Millisecond)
	api.mu.Lock()
	asked := api.lists
	api.fail = false
	api.mu.Unlock()
	if asked == 0 || asked > most {
		t.Fatalf("the failing list of %s requests was asked %d times in 1.6 s, want 1 to %d (%s)", status, asked, most, why)
	}
	select {
	case key := <-woken:
		t.Fatalf("%s woken while no list could say how its creation ended", key)
	default:
	}
	select {
	case <-woken:
	case <-time.After(5 * time.Second):
		t.Fatal("the caller was never woken once AWS answered")
	}
	if res, ended, err := r.Status(ctx, instance, ssoapi.CreateAssignment, id, "k"); err != nil || !ended || res.Status != string(ssotypes.StatusValuesSucceeded) {
		t.Fatalf("after AWS answered: %+v ended %t %v", res, ended, err)
	}
}

// While a caller's requests end as it waits in line for more slots, the failed
// requests are listed seldom (its turn wakes it anyway); once it waits for nothing
// else, it learns how every request ended.
func TestOutcomesWaitWhileTheirCallerIsInLine(t *testing.T) {
	_, org, sso, dir := newSSO(t, 100*time.Millisecond)
	ctx := context.Background()
	instance, group, ps := setup(t, dir, sso, "InLine")
	accounts := memberAccounts(t, org, 40, "il")
	api := &failingList{Client: sso, status: ssotypes.StatusValuesFailed}
	r := ssoapi.NewRequests(api)
	r.Poll, r.FailedEvery = 100*time.Millisecond, 200*time.Millisecond
	woken := wakes(r)
	wait := func() {
		select {
		case <-woken:
		case <-time.After(10 * time.Second):
			t.Fatal("never woken")
		}
	}
	var made []string
	start := time.Now()
	for len(made) < len(accounts) {
		id, _, err := r.CreateAssignment(ctx, "a", 1, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: &instance, PermissionSetArn: ps.PermissionSet.PermissionSetArn,
			TargetId: accounts[len(made)], TargetType: ssotypes.TargetTypeAwsAccount, PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: &group})
		switch {
		case errors.Is(err, ssoapi.ErrAssignBusy):
			wait()
		case err != nil:
			t.Fatal(err)
		default:
			made = append(made, id)
		}
	}
	took := time.Since(start)
	api.mu.Lock()
	lists := api.lists
	api.mu.Unlock()
	// every FailedEvery would be took / 200 ms; while in line, every fifth of those
	if most := int(took/time.Second) + 1; lists > most {
		t.Fatalf("the failed requests were listed %d times in the %s the caller spent in line, want at most %d", lists, took, most)
	}
	for _, id := range made {
		for {
			res, ended, err := r.Status(ctx, instance, ssoapi.CreateAssignment, id, "a")
			if err != nil {
				t.Fatal(err)
			}
			if ended {
				if res.Status != string(ssotypes.StatusValuesSucceeded) {
					t.Fatalf("%s: %+v", id, res)
				}
				break
			}
			wait()
		}
	}
}

// A principal the identity store has no name for is named by its id, and not asked
// for again on every round.
func TestAPrincipalWithoutANameIsLookedUpOnce(t *testing.T) {
	sim, _, _, dir := newSSO(t, time.Second)
	ctx := context.Background()
	const gone = "90000000-0000-0000-0000-000000000000"
	for range 3 {
		if got := dir.PrincipalName(ctx, "GROUP", gone); got != gone {
			t.Fatalf("an unknown group is named %q, want its id", got)
		}
	}
	if n := sim.Calls()["identitystore:DescribeGroup"]; n != 1 {
		t.Fatalf("DescribeGroup called %d times for a group that does not exist, want 1", n)
	}
	id, err := dir.PrincipalID(ctx, "GROUP", "Platform")
	if err != nil {
		t.Fatal(err)
	}
	if got := dir.PrincipalName(ctx, "GROUP", id); got != "Platform" {
		t.Fatalf("a known group is named %q", got)
	}
}

// A request is looked at when the requests before it took that long: the first guess
// (Poll) gives way to the times the requests took, so a caller is woken soon after
// its request ends, and each request costs about one look.
func TestRequestsAreLookedAtWhenRequestsLikeThemEnd(t *testing.T) {
	sim, org, sso, dir := newSSO(t, 200*time.Millisecond)
	ctx := context.Background()
	instance, group, ps := setup(t, dir, sso, "Pace")
	accounts := memberAccounts(t, org, 6, "p")
	r := dir.Requests
	r.Poll, r.FailedEvery = 1500*time.Millisecond, 50*time.Millisecond // a guess far above the 200 ms they take
	woken := wakes(r)
	var took []time.Duration
	before := sim.Calls()["sso-admin:ListAccountAssignmentCreationStatus"]
	for i, account := range accounts {
		sent := time.Now()
		if _, _, err := r.CreateAssignment(ctx, fmt.Sprint("k", i), 1, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: &instance, PermissionSetArn: ps.PermissionSet.PermissionSetArn,
			TargetId: account, TargetType: ssotypes.TargetTypeAwsAccount, PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: &group}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-woken:
			took = append(took, time.Since(sent))
		case <-time.After(5 * time.Second):
			t.Fatalf("request %d: caller never woken", i)
		}
	}
	t.Logf("woken after %v", took)
	if took[0] < 1400*time.Millisecond {
		t.Fatalf("the first request was looked at after %s, before the guess of 1.5 s", took[0])
	}
	if last := took[len(took)-1]; last > 2*took[0]/3 {
		t.Fatalf("callers woken after %v: the last still waits %s, want well under the first guess as the requests' times replace it", took, last)
	}
	// one look at each request in progress, one list of failed requests after it ends
	if lists := sim.Calls()["sso-admin:ListAccountAssignmentCreationStatus"] - before; lists > 3*len(accounts) {
		t.Fatalf("%d lists for %d requests, want at most %d", lists, len(accounts), 3*len(accounts))
	}
}

// roundCounter is Identity Center that counts the lists of creations in progress.
type roundCounter struct {
	*ssoadmin.Client
	mu     sync.Mutex
	rounds int
}

func (c *roundCounter) ListAccountAssignmentCreationStatus(ctx context.Context, in *ssoadmin.ListAccountAssignmentCreationStatusInput, opts ...func(*ssoadmin.Options)) (*ssoadmin.ListAccountAssignmentCreationStatusOutput, error) {
	if in.Filter != nil && in.Filter.Status == ssotypes.StatusValuesInProgress {
		c.mu.Lock()
		c.rounds++
		c.mu.Unlock()
	}
	return c.Client.ListAccountAssignmentCreationStatus(ctx, in, opts...)
}

// Requests sent one after another are looked at in rounds at least half the time they
// take apart, not one round each.
func TestRequestsDueTogetherShareARound(t *testing.T) {
	_, org, sso, dir := newSSO(t, 400*time.Millisecond)
	ctx := context.Background()
	instance, group, ps := setup(t, dir, sso, "Rounds")
	accounts := memberAccounts(t, org, 10, "rd")
	api := &roundCounter{Client: sso}
	r := ssoapi.NewRequests(api)
	r.Poll = 400 * time.Millisecond
	woken := wakes(r)
	first := time.Now()
	for i, account := range accounts { // due one every 40 ms or so
		if _, _, err := r.CreateAssignment(ctx, fmt.Sprint("k", i), 1, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: &instance, PermissionSetArn: ps.PermissionSet.PermissionSetArn,
			TargetId: account, TargetType: ssotypes.TargetTypeAwsAccount, PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: &group}); err != nil {
			t.Fatal(err)
		}
		if i < len(accounts)-1 {
			time.Sleep(40 * time.Millisecond)
		}
	}
	spread := time.Since(first)
	deadline := time.After(15 * time.Second)
	for seen := map[string]bool{}; len(seen) < len(accounts); {
		select {
		case k := <-woken:
			seen[k] = true
		case <-deadline:
			t.Fatalf("woken: %v", seen)
		}
	}
	// the ten are due over the spread of their sends (about 360 ms): rounds 200 ms
	// apart cover it in spread/200 ms + 1, two more for requests a little late,
	// where rounds as often as FastPoll allows would take twice as many
	api.mu.Lock()
	defer api.mu.Unlock()
	t.Logf("%d rounds over %s", api.rounds, spread)
	if most := int(spread/(200*time.Millisecond)) + 3; api.rounds > most {
		t.Fatalf("%d rounds for ten requests due over %s, want at most %d", api.rounds, spread, most)
	}
}

// A caller that leaves (its object is gone) gives back the slots set aside for it:
// the next in line gets them at the next round, not once they expire.
func TestTheSlotsOfACallerThatLeftGoToTheNext(t *testing.T) {
	_, org, sso, dir := newSSO(t, 100*time.Millisecond)
	ctx := context.Background()
	instance, group, ps := setup(t, dir, sso, "Leave")
	accounts := memberAccounts(t, org, 11, "v")
	r := dir.Requests
	r.Poll = 300 * time.Millisecond
	woken := wakes(r)
	assign := ignoreID(assigner(ctx, r, instance, group, ps, accounts))
	for range 10 {
		if err := assign("a", 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := assign("b", 10); !errors.Is(err, ssoapi.ErrAssignBusy) {
		t.Fatalf("b: %v", err)
	}
	if err := assign("c", 1); !errors.Is(err, ssoapi.ErrAssignBusy) {
		t.Fatalf("c: %v", err)
	}
	wait := func(want string, within time.Duration) {
		t.Helper()
		deadline := time.After(within)
		for {
			select {
			case key := <-woken:
				if key == want {
					return
				}
			case <-deadline:
				t.Fatalf("%s not woken within %s", want, within)
			}
		}
	}
	wait("b", 10*time.Second) // a's ten ended: all ten set aside for b
	r.Leave("b")              // b's object was deleted before it used them
	wait("c", 5*time.Second)
	if err := assign("c", 1); err != nil {
		t.Fatalf("c uses its slot: %v", err)
	}
}

// While callers wait in line, a round waits for the last of the ten creations in
// progress to be due, so one list frees the ten slots at once: a round as soon as
// the first is due would free a few, and cost a list for each few.
func TestCallersInLineGetTheSlotsTenAtATime(t *testing.T) {
	_, clients := governedSSO(t, 10) // creations sent one every 100 ms, due one after another
	dir := ssoapi.NewDirectory(clients.SSOAdmin, clients.IdentityStore)
	instance, group, _ := setup(t, dir, clients.SSOAdmin, "Batch")
	accounts := memberAccounts(t, clients.Organizations, 20, "bt")
	sets := permissionSets(t, clients.SSOAdmin, instance, 3)
	api := &roundCounter{Client: clients.SSOAdmin}
	r := ssoapi.NewRequests(api)
	assignAll(t, r, instance, group, sets, accounts)
	api.mu.Lock()
	defer api.mu.Unlock()
	n := len(sets) * len(accounts)
	t.Logf("%d rounds for %d creations", api.rounds, n)
	if most := n / 7; api.rounds > most {
		t.Fatalf("%d rounds for %d creations, ten at most in progress: want at most %d", api.rounds, n, most)
	}
}

// A principal's assignments are read a hundred a call, the most AWS answers: a list
// that left MaxResults out would get a page of AWS's own default size.
func TestAPrincipalsAssignmentsAreReadInFullPages(t *testing.T) {
	sim, org, sso, dir := newSSO(t, 0)
	ctx := context.Background()
	instance, group, ps := setup(t, dir, sso, "Readers")
	want := map[ssoapi.Assignment]bool{}
	for _, acct := range memberAccounts(t, org, 150, "page") {
		if _, err := sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: &instance, PermissionSetArn: ps.PermissionSet.PermissionSetArn,
			TargetId: acct, TargetType: ssotypes.TargetTypeAwsAccount, PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: &group}); err != nil {
			t.Fatal(err)
		}
		want[ssoapi.Assignment{PermissionSet: aws.ToString(ps.PermissionSet.PermissionSetArn), Account: aws.ToString(acct)}] = true
	}
	got, err := dir.Assignments.Of(ctx, instance, "GROUP", group)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got[aws.ToString(ps.PermissionSet.PermissionSetArn)]); len(got) != 1 || n != len(want) {
		t.Fatalf("read %d sets, %d assignments, want 1 set, %d", len(got), n, len(want))
	}
	for as := range want {
		if !got.Has(as) {
			t.Fatalf("assignment %v missing", as)
		}
	}
	if n := sim.Calls()["sso-admin:ListAccountAssignmentsForPrincipal"]; n != 2 {
		t.Fatalf("%d ListAccountAssignmentsForPrincipal calls for 150 assignments, want 2", n)
	}
}
