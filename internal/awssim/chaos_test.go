// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsorg/awsorg-operator/internal/awssim"
)

func TestBadDays(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	cfg := awssim.DefaultConfig()
	cfg.ConsistencyDelay = 2 * time.Second
	sim, c, _ := newClients(t, cfg)
	sim.SetClock(func() time.Time { return now })
	root := rootOf(t, c)

	// Past its rate, a service throttles.
	sim.SetChaos(awssim.Chaos{RateLimits: map[string]float64{"organizations": 3}})
	throttled := 0
	for range 10 {
		if _, err := c.ListRoots(ctx, &organizations.ListRootsInput{}); errorCode(err) == "TooManyRequestsException" {
			throttled++
		}
	}
	if throttled < 5 {
		t.Fatalf("%d of 10 calls at once throttled by a limit of 3 a second", throttled)
	}

	// A share of calls fails at random.
	sim.SetChaos(awssim.Chaos{ThrottleFraction: 0.5, ServerErrorFraction: 0.5})
	codes := map[string]int{}
	for range 20 {
		_, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
		codes[errorCode(err)]++
	}
	if codes["TooManyRequestsException"] == 0 || codes["ServiceException"] == 0 || codes[""] != 0 {
		t.Fatalf("answers %v, want throttles and server errors only", codes)
	}
	sim.SetChaos(awssim.Chaos{})

	// A new OU is missing from lists for a moment, but can be described at once.
	ou, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String("New")})
	if err != nil {
		t.Fatal(err)
	}
	list := func() int {
		out, err := c.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: root})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.OrganizationalUnits)
	}
	if n := list(); n != 0 {
		t.Fatalf("a new OU is listed at once (%d)", n)
	}
	if _, err := c.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: ou.OrganizationalUnit.Id}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Second)
	if n := list(); n != 1 {
		t.Fatalf("the OU is still missing after the delay (%d)", n)
	}
}

func TestClosingIsAsynchronousAndLimited(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	cfg := awssim.DefaultConfig()
	cfg.CreateAccountDelay = 0
	cfg.CloseAccountDelay = time.Minute
	cfg.CloseQuota = 4
	sim, c, _ := newClients(t, cfg)
	sim.SetClock(func() time.Time { return now })
	var ids []*string
	for i := range 6 {
		out, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("A"), Email: aws.String(string(rune('a'+i)) + "@close.example.com")})
		if err != nil {
			t.Fatal(err)
		}
		st, _ := c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
		ids = append(ids, st.CreateAccountStatus.AccountId)
	}
	for i := range 3 {
		if _, err := c.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: ids[i]}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: ids[3]})
	var cv *types.ConstraintViolationException
	if !errors.As(err, &cv) || cv.Reason != "CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED" {
		t.Fatalf("a fourth closure at once: want CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED, got %v", err)
	}
	d, _ := c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: ids[0]})
	if d.Account.State != types.AccountStatePendingClosure {
		t.Fatalf("a closing account is %s, want PENDING_CLOSURE", d.Account.State)
	}
	now = now.Add(time.Minute)
	d, _ = c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: ids[0]})
	if d.Account.State != types.AccountStateSuspended {
		t.Fatalf("after the delay the account is %s, want SUSPENDED", d.Account.State)
	}
	if _, err := c.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: ids[3]}); err != nil {
		t.Fatalf("once the first are closed: %v", err)
	}
	_, err = c.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: ids[4]})
	if !errors.As(err, &cv) || cv.Reason != "CLOSE_ACCOUNT_QUOTA_EXCEEDED" {
		t.Fatalf("past the 30-day quota of 4: want CLOSE_ACCOUNT_QUOTA_EXCEEDED, got %v", err)
	}
}
