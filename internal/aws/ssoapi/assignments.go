// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package ssoapi

import (
	"context"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	awsx "github.com/awsorg/awsorg-operator/internal/aws"
)

// Assignment is one account assignment of a principal.
type Assignment struct{ PermissionSet, Account string }

// Held is a principal's assignments: the accounts of each permission set, by ARN.
// A write copies only the accounts of the set it changes, so the thousandth
// assignment of a group that holds twenty sets on a thousand accounts copies a
// thousand account ids, not twenty thousand assignments.
type Held map[string]map[string]bool

// Has reports whether the principal holds the assignment.
func (h Held) Has(as Assignment) bool { return h[as.PermissionSet][as.Account] }

// Assignments is the shared read model of account assignments, per principal: one
// ListAccountAssignmentsForPrincipal walk covers a principal's assignments in every
// account and permission set, so checking a permission set assigned to a group on a
// thousand accounts costs ten calls a resync for every set that group holds, not a
// thousand. The operator's own assignments and removals are applied in place.
type Assignments struct {
	api API
	// Period is how old a principal's snapshot may get before it is read again.
	Period time.Duration
	// Reuse keeps a snapshot longer while the change feed vouches for it.
	Reuse awsx.Reuse

	mu sync.Mutex
	by map[string]*awsx.ReadModel[Held] // by "TYPE/id"
}

// NewAssignments returns the read model, each principal read again every period.
func NewAssignments(api API, period time.Duration) *Assignments {
	return &Assignments{api: api, Period: period, by: map[string]*awsx.ReadModel[Held]{}}
}

func (a *Assignments) model(instance, principalType, principalID string) *awsx.ReadModel[Held] {
	a.mu.Lock()
	defer a.mu.Unlock()
	key := principalType + "/" + principalID
	m, ok := a.by[key]
	if !ok {
		m = &awsx.ReadModel[Held]{Period: a.Period, Copy: maps.Clone[Held], Reuse: a.Reuse,
			Build: func(ctx context.Context) (Held, error) {
				return a.read(ctx, instance, principalType, principalID)
			}}
		a.by[key] = m
	}
	return m
}

// Of returns a principal's assignments; callers must not change them.
func (a *Assignments) Of(ctx context.Context, instance, principalType, principalID string) (Held, error) {
	return a.model(instance, principalType, principalID).Get(ctx)
}

// Set records that the operator assigned (or, with present false, removed) a
// principal's assignment.
func (a *Assignments) Set(instance, principalType, principalID string, as Assignment, present bool) {
	model := a.model(instance, principalType, principalID)
	if model.Holds(func(h Held) bool { return h.Has(as) == present }) {
		return
	}
	model.Update(func(h Held) { // h is a copy; its sets' accounts are not
		accounts := maps.Clone(h[as.PermissionSet])
		if accounts == nil {
			accounts = map[string]bool{}
		}
		if present {
			accounts[as.Account] = true
		} else {
			delete(accounts, as.Account)
		}
		h[as.PermissionSet] = accounts
	})
}

// read walks a principal's assignments. The snapshot keeps one copy of each
// permission set's ARN and account id: the SDK's strings share blocks of each
// answer, which a snapshot would keep whole.
func (a *Assignments) read(ctx context.Context, instance, principalType, principalID string) (Held, error) {
	out, names := Held{}, map[string]string{}
	own := func(s string) string {
		if c, ok := names[s]; ok {
			return c
		}
		c := strings.Clone(s)
		names[c] = c
		return c
	}
	pages := ssoadmin.NewListAccountAssignmentsForPrincipalPaginator(a.api, &ssoadmin.ListAccountAssignmentsForPrincipalInput{
		InstanceArn: &instance, PrincipalId: &principalID, PrincipalType: ssotypes.PrincipalType(principalType), MaxResults: aws.Int32(awsx.IdentityCenterPage)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, as := range page.AccountAssignments {
			arn := own(aws.ToString(as.PermissionSetArn))
			if out[arn] == nil {
				out[arn] = map[string]bool{}
			}
			out[arn][own(aws.ToString(as.AccountId))] = true
		}
	}
	return out, nil
}
