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
	by map[string]*awsx.ReadModel[map[Assignment]bool] // by "TYPE/id"
}

// NewAssignments returns the read model, each principal read again every period.
func NewAssignments(api API, period time.Duration) *Assignments {
	return &Assignments{api: api, Period: period, by: map[string]*awsx.ReadModel[map[Assignment]bool]{}}
}

func (a *Assignments) model(instance, principalType, principalID string) *awsx.ReadModel[map[Assignment]bool] {
	a.mu.Lock()
	defer a.mu.Unlock()
	key := principalType + "/" + principalID
	m, ok := a.by[key]
	if !ok {
		m = &awsx.ReadModel[map[Assignment]bool]{Period: a.Period, Copy: maps.Clone[map[Assignment]bool], Reuse: a.Reuse,
			Build: func(ctx context.Context) (map[Assignment]bool, error) {
				return a.read(ctx, instance, principalType, principalID)
			}}
		a.by[key] = m
	}
	return m
}

// Of returns a principal's assignments; callers must not change the map.
func (a *Assignments) Of(ctx context.Context, instance, principalType, principalID string) (map[Assignment]bool, error) {
	return a.model(instance, principalType, principalID).Get(ctx)
}

// Set records that the operator assigned (or, with present false, removed) a
// principal's assignment.
func (a *Assignments) Set(instance, principalType, principalID string, as Assignment, present bool) {
	model := a.model(instance, principalType, principalID)
	if model.Holds(func(m map[Assignment]bool) bool { return m[as] == present }) {
		return // a copy of a thousand assignments would change nothing
	}
	model.Update(func(m map[Assignment]bool) {
		if present {
			m[as] = true
		} else {
			delete(m, as)
		}
	})
}

// read walks a principal's assignments. The snapshot keeps one copy of each
// permission set's ARN, and copies of the account ids: the SDK's strings share
// blocks of each answer, which a snapshot would keep whole.
func (a *Assignments) read(ctx context.Context, instance, principalType, principalID string) (map[Assignment]bool, error) {
	out, arns := map[Assignment]bool{}, map[string]string{}
	pages := ssoadmin.NewListAccountAssignmentsForPrincipalPaginator(a.api, &ssoadmin.ListAccountAssignmentsForPrincipalInput{
		InstanceArn: &instance, PrincipalId: &principalID, PrincipalType: ssotypes.PrincipalType(principalType), MaxResults: aws.Int32(awsx.IdentityCenterPage)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, as := range page.AccountAssignments {
			arn, ok := arns[aws.ToString(as.PermissionSetArn)]
			if !ok {
				arn = strings.Clone(aws.ToString(as.PermissionSetArn))
				arns[arn] = arn
			}
			out[Assignment{PermissionSet: arn, Account: strings.Clone(aws.ToString(as.AccountId))}] = true
		}
	}
	return out, nil
}
