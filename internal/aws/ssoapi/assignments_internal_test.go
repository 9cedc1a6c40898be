// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package ssoapi

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
)

// pagedAssignments answers ListAccountAssignmentsForPrincipal with sets × accounts
// assignments, a hundred a page.
type pagedAssignments struct {
	API
	sets, accounts int
}

func (p pagedAssignments) ListAccountAssignmentsForPrincipal(_ context.Context, in *ssoadmin.ListAccountAssignmentsForPrincipalInput, _ ...func(*ssoadmin.Options)) (*ssoadmin.ListAccountAssignmentsForPrincipalOutput, error) {
	from, _ := strconv.Atoi(aws.ToString(in.NextToken))
	out := &ssoadmin.ListAccountAssignmentsForPrincipalOutput{}
	for i := from; i < from+100 && i < p.sets*p.accounts; i++ {
		out.AccountAssignments = append(out.AccountAssignments, ssotypes.AccountAssignmentForPrincipal{
			PermissionSetArn: aws.String(setARN(i / p.accounts)), AccountId: aws.String(accountID(i % p.accounts)),
			PrincipalId: in.PrincipalId, PrincipalType: in.PrincipalType})
	}
	if next := from + 100; next < p.sets*p.accounts {
		out.NextToken = aws.String(strconv.Itoa(next))
	}
	return out, nil
}

func setARN(i int) string {
	return fmt.Sprintf("arn:aws:sso:::permissionSet/ssoins-0000000000000000/ps-%016d", i)
}
func accountID(i int) string { return fmt.Sprintf("%012d", 100000000000+i) }

func TestAWriteChangesOnlyItsSetAndLeavesEarlierReadsAlone(t *testing.T) {
	a := NewAssignments(pagedAssignments{sets: 3, accounts: 150}, time.Hour)
	ctx := context.Background()
	before, err := a.Of(ctx, "i", "GROUP", "g")
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 3 || len(before[setARN(1)]) != 150 {
		t.Fatalf("read %d sets, %d accounts in the second, want 3 and 150", len(before), len(before[setARN(1)]))
	}
	added := Assignment{PermissionSet: setARN(1), Account: accountID(150)}
	removed := Assignment{PermissionSet: setARN(2), Account: accountID(0)}
	a.Set("i", "GROUP", "g", added, true)
	a.Set("i", "GROUP", "g", removed, false)
	after, _ := a.Of(ctx, "i", "GROUP", "g")
	if !after.Has(added) || after.Has(removed) || len(after[setARN(0)]) != 150 {
		t.Fatalf("after the writes: added %t, removed still there %t, first set %d accounts", after.Has(added), after.Has(removed), len(after[setARN(0)]))
	}
	if before.Has(added) || !before.Has(removed) {
		t.Fatal("a write changed a snapshot a reader already holds")
	}
	a.Set("i", "GROUP", "g", Assignment{PermissionSet: setARN(3), Account: accountID(0)}, true)
	if now, _ := a.Of(ctx, "i", "GROUP", "g"); len(now) != 4 || len(now[setARN(3)]) != 1 {
		t.Fatalf("an assignment of a set the principal did not hold yet: %d sets", len(now))
	}
}

// BenchmarkAssignmentWrite measures one of the operator's own assignments recorded in
// the read model of a group that holds 20 permission sets on 1,000 accounts.
func BenchmarkAssignmentWrite(b *testing.B) {
	const sets, accounts = 20, 1000
	a := NewAssignments(pagedAssignments{sets: sets, accounts: accounts}, time.Hour)
	if _, err := a.Of(context.Background(), "i", "GROUP", "g"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		a.Set("i", "GROUP", "g", Assignment{PermissionSet: setARN(i % sets), Account: accountID(accounts + i%accounts)}, i/accounts%2 == 0)
	}
}
