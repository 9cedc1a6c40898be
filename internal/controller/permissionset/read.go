// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package permissionset

import (
	"context"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/iampolicy"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

type setRef struct{ instance, arn *string }

// read returns the state AWS holds for a permission set that exists. Its attributes,
// policies and the accounts where it is stale are read once a resync (the reconciles
// between, woken by requests that ended, use that read: awsx.FreshFor); the
// assignments of the spec's principals come from the shared read model; the accounts
// it is provisioned in, every assignment in a few of them, and its tags are read on a
// full check (about every tenth resync, and whenever the spec changed).
func (k *Kind) read(ctx context.Context, instance string, f *found, want *state, known []string) (*state, error) {
	s, err := k.light(ctx, instance, f)
	if err != nil {
		return nil, err
	}
	s.tags = f.tags
	in := setRef{instance: &instance, arn: &f.arn}
	if !reconciler.FullCheck(ctx) {
		s.provisioned = known
	} else if err := k.readProvisioned(ctx, in, s); err != nil {
		return nil, err
	}
	if err := k.readAssignments(ctx, in, s, want); err != nil {
		return nil, err
	}
	return s, nil
}

// light reads the attributes, policies and stale accounts, or reuses a recent read.
func (k *Kind) light(ctx context.Context, instance string, f *found) (*state, error) {
	if s, ok := k.recall(f.arn, reconciler.FullCheck(ctx)); ok {
		return s, nil
	}
	d := f.set
	s := &state{description: aws.ToString(d.Description), session: aws.ToString(d.SessionDuration), relay: aws.ToString(d.RelayState)}
	in := setRef{instance: &instance, arn: &f.arn}
	for _, step := range []func(context.Context, setRef, *state) error{k.readPolicies, k.readInline, k.readBoundary, k.readStale} {
		if err := step(ctx, in, s); err != nil {
			return nil, err
		}
	}
	k.remember(f.arn, f.set, s)
	return s, nil
}

// memo is a recent read of a permission set's attributes and policies.
type memo struct {
	set *ssotypes.PermissionSet
	s   state
}

func (k *Kind) remember(arn string, set *ssotypes.PermissionSet, s *state) {
	k.memos.Put(arn, memo{set: set, s: *s})
}

// recall returns a read of this resync, unless a full check is due.
func (k *Kind) recall(arn string, full bool) (*state, bool) {
	m, ok := k.memos.Get(arn)
	if !ok || full {
		return nil, false
	}
	s := m.s
	return &s, true
}

// recalled returns the permission set of a recent read, to skip describing it again.
func (k *Kind) recalled(arn string, full bool) *ssotypes.PermissionSet {
	if m, ok := k.memos.Get(arn); ok && !full {
		return m.set
	}
	return nil
}

// forget drops the recent read of a permission set the operator is changing.
func (k *Kind) forget(arn string) {
	k.memos.Forget(func(a string, _ memo) bool { return a == arn })
}

func (k *Kind) readPolicies(ctx context.Context, in setRef, s *state) error {
	managed := ssoadmin.NewListManagedPoliciesInPermissionSetPaginator(k.SSO.API, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: in.instance, PermissionSetArn: in.arn, MaxResults: aws.Int32(awsx.IdentityCenterPage)})
	for managed.HasMorePages() {
		page, err := managed.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, p := range page.AttachedManagedPolicies {
			s.managed = append(s.managed, aws.ToString(p.Arn))
		}
	}
	sort.Strings(s.managed)
	customer := ssoadmin.NewListCustomerManagedPolicyReferencesInPermissionSetPaginator(k.SSO.API, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: in.instance, PermissionSetArn: in.arn, MaxResults: aws.Int32(awsx.IdentityCenterPage)})
	for customer.HasMorePages() {
		page, err := customer.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, p := range page.CustomerManagedPolicyReferences {
			s.customer = append(s.customer, pathOr(aws.ToString(p.Path))+"|"+aws.ToString(p.Name))
		}
	}
	sort.Strings(s.customer)
	return nil
}

func (k *Kind) readInline(ctx context.Context, in setRef, s *state) error {
	out, err := k.SSO.API.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: in.instance, PermissionSetArn: in.arn})
	if err != nil {
		return err
	}
	if doc := aws.ToString(out.InlinePolicy); doc != "" {
		s.inline, _ = iampolicy.Minify([]byte(doc))
	}
	return nil
}

func (k *Kind) readBoundary(ctx context.Context, in setRef, s *state) error {
	out, err := k.SSO.API.GetPermissionsBoundaryForPermissionSet(ctx, &ssoadmin.GetPermissionsBoundaryForPermissionSetInput{InstanceArn: in.instance, PermissionSetArn: in.arn})
	if awsx.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if b := out.PermissionsBoundary; b != nil {
		if b.ManagedPolicyArn != nil {
			s.boundary = "managed|" + aws.ToString(b.ManagedPolicyArn)
		} else if c := b.CustomerManagedPolicyReference; c != nil {
			s.boundary = "customer|" + pathOr(aws.ToString(c.Path)) + "|" + aws.ToString(c.Name)
		}
	}
	return nil
}

func (k *Kind) readTags(ctx context.Context, instance, arn string) (map[string]string, error) {
	tags := map[string]string{}
	pages := ssoadmin.NewListTagsForResourcePaginator(k.SSO.API, &ssoadmin.ListTagsForResourceInput{InstanceArn: &instance, ResourceArn: &arn})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range page.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return tags, nil
}

func (k *Kind) readStale(ctx context.Context, in setRef, s *state) error {
	var err error
	s.stale, err = k.provisionedAccounts(ctx, in, ssotypes.ProvisioningStatusLatestPermissionSetNotProvisioned)
	return err
}

func (k *Kind) readProvisioned(ctx context.Context, in setRef, s *state) error {
	var err error
	s.provisioned, err = k.provisionedAccounts(ctx, in, "")
	return err
}

func (k *Kind) provisionedAccounts(ctx context.Context, in setRef, status ssotypes.ProvisioningStatus) ([]string, error) {
	var ids []string
	pages := ssoadmin.NewListAccountsForProvisionedPermissionSetPaginator(k.SSO.API, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{
		InstanceArn: in.instance, PermissionSetArn: in.arn, ProvisioningStatus: status, MaxResults: aws.Int32(awsx.IdentityCenterPage)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		ids = append(ids, page.AccountIds...)
	}
	sort.Strings(ids)
	return ids, nil
}

// sweep is how many accounts a full check reads whole, in turn, to find assignments
// of principals the spec does not name.
const sweep = 20

// readAssignments reads the set's assignments: those of the spec's principals from the
// shared read model (one list per principal covers every account), and, on a full
// check, every assignment in a few of the accounts the set reaches, in turn (or in all
// of them when they are few), to find principals the spec does not name.
func (k *Kind) readAssignments(ctx context.Context, in setRef, s *state, want *state) error {
	set := map[assignmentKey]bool{}
	principals := map[assignmentKey]bool{}
	for _, a := range want.assignments {
		principals[assignmentKey{PrincipalType: a.PrincipalType, PrincipalID: a.PrincipalID}] = true
	}
	for p := range principals {
		held, err := k.SSO.Assignments.Of(ctx, *in.instance, p.PrincipalType, p.PrincipalID)
		if err != nil {
			return err
		}
		for account := range held[*in.arn] {
			set[assignmentKey{Account: account, PrincipalType: p.PrincipalType, PrincipalID: p.PrincipalID}] = true
		}
	}
	if reconciler.FullCheck(ctx) {
		for _, acct := range k.accountsToSweep(*in.arn, s.provisioned, want) {
			pages := ssoadmin.NewListAccountAssignmentsPaginator(k.SSO.API, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: in.instance, PermissionSetArn: in.arn, AccountId: aws.String(acct), MaxResults: aws.Int32(awsx.IdentityCenterPage)})
			for pages.HasMorePages() {
				page, err := pages.NextPage(ctx)
				if err != nil {
					return err
				}
				for _, a := range page.AccountAssignments {
					set[assignmentKey{Account: aws.ToString(a.AccountId), PrincipalType: string(a.PrincipalType), PrincipalID: aws.ToString(a.PrincipalId)}] = true
				}
			}
		}
	}
	s.assignments = sortedKeys(set)
	return nil
}

// accountsToSweep picks the accounts read whole this time: all of them when they are
// few, else the next ones in turn.
func (k *Kind) accountsToSweep(arn string, provisioned []string, want *state) []string {
	if len(want.assignments) == 0 || len(provisioned) <= sweep {
		return provisioned
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.turn == nil {
		k.turn = map[string]int{}
	}
	start := k.turn[arn] % len(provisioned)
	k.turn[arn] = start + sweep
	out := make([]string, 0, sweep)
	for i := range sweep {
		out = append(out, provisioned[(start+i)%len(provisioned)])
	}
	return out
}
