// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package aws_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/awssim"
)

// feedOver starts the change feed of clients built on a simulator whose events show
// after delay, reading the history every 20 ms with the given lateness.
func feedOver(t *testing.T, delay, lateness time.Duration) (*awsx.Clients, *organizations.Client, *awssim.Server) {
	t.Helper()
	cfg := awssim.DefaultConfig()
	cfg.EventDelay = delay
	sim := awssim.New(cfg)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	awsCfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: credentials.NewStaticCredentialsProvider("AKIAOPERATOR", "x", "")}
	clients := awsx.NewClientsFromConfig(awsCfg, awsx.Options{RetryMaxBackoff: 5 * time.Millisecond})
	clients.Changes.Every, clients.Changes.Lateness, clients.Changes.Margin, clients.Changes.Keep = 20*time.Millisecond, lateness, time.Millisecond, time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() { _ = clients.Changes.Start(ctx) }()
	// someone else, with other credentials
	hand := awsCfg.Copy()
	hand.Credentials = credentials.NewStaticCredentialsProvider("AKIAHAND", "x", "")
	return clients, organizations.NewFromConfig(hand), sim
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal(what)
		}
	}
}

// TestTheChangeFeedTellsChangesByHandFromTheOperatorsOwn: the operator's own writes
// (known by their request ids) leave a read vouched for; a change made by someone
// else, once CloudTrail delivers it, does not, in that service only.
func TestTheChangeFeedTellsChangesByHandFromTheOperatorsOwn(t *testing.T) {
	clients, hand, _ := feedOver(t, 0, 50*time.Millisecond)
	ctx := context.Background()
	time.Sleep(5 * time.Millisecond)
	read := time.Now()
	root := must(clients.Organizations.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	for _, name := range []string{"a", "b", "c"} {
		must(clients.Organizations.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String(name)}))
	}
	time.Sleep(200 * time.Millisecond) // the history is read up to 50 ms ago, every 20 ms
	eventually(t, "the operator's own writes made the feed stop vouching for a read", func() bool {
		return clients.Changes.Unchanged(awsx.SourceOrganizations, read)
	})
	must(hand.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String("by-hand")}))
	eventually(t, "a change made by hand was never found", func() bool { return !clients.Changes.Unchanged(awsx.SourceOrganizations, read) })
	if !clients.Changes.Unchanged(awsx.SourceBudgets, read) {
		t.Fatal("a change to Organizations stopped the feed vouching for Budgets")
	}
	after := time.Now()
	eventually(t, "a read made after the change by hand is not vouched for", func() bool {
		return clients.Changes.Unchanged(awsx.SourceOrganizations, after)
	})
}

// TestTheChangeFeedWaitsForLateEvents: an event CloudTrail delivers late is read
// once the history is Lateness old, not before; and until then the read is vouched.
func TestTheChangeFeedWaitsForLateEvents(t *testing.T) {
	clients, hand, _ := feedOver(t, 300*time.Millisecond, 400*time.Millisecond)
	ctx := context.Background()
	time.Sleep(5 * time.Millisecond)
	read := time.Now()
	root := must(clients.Organizations.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	must(hand.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String("by-hand")}))
	changed := time.Now()
	eventually(t, "a late event was never found", func() bool { return !clients.Changes.Unchanged(awsx.SourceOrganizations, read) })
	if took := time.Since(changed); took < 350*time.Millisecond {
		t.Fatalf("the change was found after %s, before the history was 400 ms old: a later event could have been missed", took)
	}
}

// TestTheChangeFeedRidesOutAHistoryThatFails: while LookupEvents fails (AWS's 500s
// past the SDK's retries), the feed falls behind and vouches for nothing; once it
// answers again, the stretch missed is read, and a change made by hand in it is found.
func TestTheChangeFeedRidesOutAHistoryThatFails(t *testing.T) {
	clients, hand, sim := feedOver(t, 0, 50*time.Millisecond)
	ctx := context.Background()
	time.Sleep(5 * time.Millisecond)
	read := time.Now()
	root := must(hand.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	eventually(t, "the feed never vouched for a read", func() bool { return clients.Changes.Unchanged(awsx.SourceOrganizations, read) })
	sim.InjectFault(awssim.Fault{Operation: "LookupEvents", Count: 1 << 20, Code: "InternalServerException"})
	must(hand.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String("by-hand")}))
	changed := time.Now()
	eventually(t, "a feed that cannot read CloudTrail kept vouching", func() bool { return !clients.Changes.Unchanged(awsx.SourceOrganizations, read) })
	time.Sleep(200 * time.Millisecond) // rounds fail on and on
	after := time.Now()
	if clients.Changes.Unchanged(awsx.SourceOrganizations, after) || clients.Changes.Unchanged(awsx.SourceBudgets, after) {
		t.Fatal("a feed behind vouched for a read made after it fell behind")
	}
	failed := sim.Calls()["LookupEvents"]
	sim.ClearFaults()
	eventually(t, "the feed never caught up once CloudTrail answered again", func() bool {
		return clients.Changes.Unchanged(awsx.SourceOrganizations, after) && clients.Changes.Unchanged(awsx.SourceBudgets, after)
	})
	if clients.Changes.Unchanged(awsx.SourceOrganizations, read) || !read.Before(changed) {
		t.Fatal("the change made by hand while CloudTrail failed was never found")
	}
	if failed > 200 {
		t.Fatalf("%d LookupEvents calls in about 300 ms of failures at a round every 20 ms: a hot loop", failed)
	}
}

// failingHistory answers every LookupEvents with an error, as without
// cloudtrail:LookupEvents.
type failingHistory struct{}

func (failingHistory) LookupEvents(context.Context, *cloudtrail.LookupEventsInput, ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error) {
	return nil, errors.New("AccessDeniedException: not authorized to perform cloudtrail:LookupEvents")
}

// TestAHistoryThatCannotBeReadVouchesForNothing: once the feed falls behind, every
// read is read again, as without it.
func TestAHistoryThatCannotBeReadVouchesForNothing(t *testing.T) {
	c := &awsx.Changes{Histories: []awsx.History{{API: failingHistory{}, Sources: []string{awsx.SourceOrganizations}}},
		Every: 10 * time.Millisecond, Lateness: 20 * time.Millisecond, Margin: time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = c.Start(ctx) }()
	time.Sleep(5 * time.Millisecond)
	read := time.Now()
	time.Sleep(100 * time.Millisecond) // more than Lateness and three rounds
	if c.Unchanged(awsx.SourceOrganizations, read) {
		t.Fatal("a feed that cannot read CloudTrail vouched for a read")
	}
	var none *awsx.Changes
	if none.Unchanged(awsx.SourceOrganizations, read) {
		t.Fatal("no feed vouched for a read")
	}
}

// TestAReadModelIsUsedAgainWhileTheFeedVouchesForIt: past its period, a snapshot is
// rebuilt only once a change by hand was found.
func TestAReadModelIsUsedAgainWhileTheFeedVouchesForIt(t *testing.T) {
	clients, hand, _ := feedOver(t, 0, 30*time.Millisecond)
	ctx := context.Background()
	time.Sleep(5 * time.Millisecond)
	builds := 0
	m := &awsx.ReadModel[int]{Period: 10 * time.Millisecond, Copy: func(i int) int { return i },
		Build: func(context.Context) (int, error) { builds++; return builds, nil },
		Reuse: awsx.Reuse{Changes: clients.Changes, Source: awsx.SourceOrganizations}}
	must(m.Get(ctx))
	for range 10 {
		time.Sleep(20 * time.Millisecond)
		must(m.Get(ctx))
	}
	if builds != 1 {
		t.Fatalf("%d builds in 200 ms of a 10 ms period with nothing changed, want 1", builds)
	}
	root := must(hand.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	must(hand.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String("by-hand")}))
	eventually(t, "the snapshot was not rebuilt after a change by hand", func() bool { v, _ := m.Get(ctx); return v > 1 })
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// The operator and the simulator agree on which operations only read, for every
// operation the simulator serves: the read-only guard, the own-writes record and the
// simulator's CloudTrail history use the same line.
func TestTheOperatorAndTheSimulatorAgreeOnWhatOnlyReads(t *testing.T) {
	ops := awssim.New(awssim.DefaultConfig()).Operations()
	if len(ops) < 50 {
		t.Fatalf("the simulator serves %d operations", len(ops))
	}
	for target := range ops {
		op := target[strings.LastIndex(target, ".")+1:]
		if awsx.IsRead(op) != awssim.ReadOnly(op) {
			t.Errorf("%s: the operator takes it for a read: %t, the simulator: %t", target, awsx.IsRead(op), awssim.ReadOnly(op))
		}
	}
}
