// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package aws

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/awsorg/awsorg-operator/internal/awssim"
)

func throttle(header, value string) error {
	resp := &http.Response{StatusCode: 400, Header: http.Header{}}
	if header != "" {
		resp.Header.Set(header, value)
	}
	return &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: resp},
		Err: &smithy.GenericAPIError{Code: "TooManyRequestsException", Message: "slow down"}}
}

func TestGovernorHalvesOnThrottlesAndRecoversSlowly(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	g := NewGovernor("organizations", 10, 20, nil)
	g.now = func() time.Time { return now }
	g.Done(throttle("", ""))
	if g.Rate() != 5 {
		t.Fatalf("after a throttle: %g calls/s, want 5", g.Rate())
	}
	g.Done(throttle("", "")) // the same burst: one cut a second at most
	if g.Rate() != 5 {
		t.Fatalf("two throttles in a second halved twice: %g", g.Rate())
	}
	now = now.Add(time.Second)
	g.Done(throttle("", ""))
	if g.Rate() != 2.5 {
		t.Fatalf("after a throttle a second later: %g, want 2.5", g.Rate())
	}
	for i := range 200 { // successes raise the rate by a twentieth of 10 a second
		now = now.Add(100 * time.Millisecond)
		g.Done(nil)
		if i == 9 && g.Rate() != 3 {
			t.Fatalf("one second of successes: %g, want 3", g.Rate())
		}
	}
	if g.Rate() != 10 {
		t.Fatalf("after 20 s of successes: %g, want back at 10", g.Rate())
	}
	for range 100 { // never below 1/64 of the rate
		now = now.Add(time.Second)
		g.Done(throttle("", ""))
	}
	if g.Rate() < 10.0/64 {
		t.Fatalf("rate fell to %g", g.Rate())
	}
}

func TestGovernorHonoursRetryAfter(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	g := NewGovernor("sso", 10, 20, nil)
	g.now = func() time.Time { return now }
	g.Done(throttle("X-Amz-Retry-After", "1500"))
	if d := g.pausedUntil.Sub(now); d != 1500*time.Millisecond {
		t.Fatalf("paused for %s, want 1.5s (x-amz-retry-after in ms)", d)
	}
	g.Done(throttle("Retry-After", "3"))
	if d := g.pausedUntil.Sub(now); d != 3*time.Second {
		t.Fatalf("paused for %s, want 3s (Retry-After in s)", d)
	}
}

// Every attempt of a call, the SDK's retries included, goes through the governor.
func TestRetriesPassThroughTheGovernor(t *testing.T) {
	sim := awssim.New(awssim.DefaultConfig())
	srv := httptest.NewServer(sim)
	defer srv.Close()
	c := NewClientsFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")},
		Options{Endpoint: srv.URL, Rates: map[string]float64{"organizations": 1000}, RetryMaxBackoff: time.Millisecond})
	sim.Throttle("ListRoots", 2)
	if _, err := c.Organizations.ListRoots(context.Background(), &organizations.ListRootsInput{}); err != nil {
		t.Fatalf("the SDK retries two throttles: %v", err)
	}
	if got := c.Governors["organizations"].Rate(); got != 500 {
		t.Fatalf("the governor's rate is %g after the retried throttles, want 500 (halved once a second)", got)
	}
	if got := sim.Calls()["organizations:ListRoots"]; got != 3 {
		t.Fatalf("%d attempts reached AWS, want 3", got)
	}
}

// Calls for spec changes go before background reads when the rate is spent.
func TestUrgentCallsGoFirst(t *testing.T) {
	g := NewGovernor("budgets", 4, 1, nil)
	ctx := context.Background()
	if err := g.Wait(ctx); err != nil { // spend the burst
		t.Fatal(err)
	}
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	for _, name := range []string{"background", "urgent"} {
		wg.Add(1)
		c := ctx
		if name == "background" {
			c = Background(ctx)
		}
		go func() {
			defer wg.Done()
			if err := g.Wait(c); err != nil {
				t.Error(err)
			}
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
		}()
		time.Sleep(20 * time.Millisecond) // the background call waits first
	}
	wg.Wait()
	if order[0] != "urgent" {
		t.Fatalf("order %v: the background read went before the spec change", order)
	}
}

// Outside us-east-1 the CloudTrail client that reads us-east-1's history has a
// governor of its own (AWS's limits are by region), at CloudTrail's rate.
func TestEachRegionsCloudTrailHasItsGovernor(t *testing.T) {
	c := NewClientsFromConfig(aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")},
		Options{Endpoint: "http://127.0.0.1:1", Rates: map[string]float64{"cloudtrail": 2}})
	for _, name := range []string{"cloudtrail", "cloudtrail-us-east-1"} {
		if g := c.Governors[name]; g == nil || g.Rate() != 2 {
			t.Errorf("governor %q: %v, want one at 2 calls a second", name, g)
		}
	}
	if c.Governors["cloudtrail"] == c.Governors["cloudtrail-us-east-1"] || len(c.Changes.Histories) != 2 {
		t.Errorf("want two CloudTrail histories with a governor each, have %d histories", len(c.Changes.Histories))
	}
}
