// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package permissionset

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/controller/servicecontrolpolicy"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// assignmentKey is one account assignment of the permission set.
type assignmentKey struct{ Account, PrincipalType, PrincipalID string }

func (a assignmentKey) String() string {
	return a.PrincipalType + " " + a.PrincipalID + " on " + a.Account
}

// state is a permission set as the spec wants it or as AWS holds it.
type state struct {
	description, session, relay string
	managed                     []string
	customer                    []string // "path|name"
	inline                      string   // minified
	boundary                    string   // "managed|arn" or "customer|path|name"
	tags                        map[string]string
	assignments                 []assignmentKey
	// provisioned and stale are the accounts where the set is provisioned, and
	// where the latest version is not (AWS only).
	provisioned, stale []string
}

// desired maps the spec to the state AWS should hold, resolving principals and accounts.
func (k *Kind) desired(ctx context.Context, ps *v1alpha1.PermissionSet) (*state, error) {
	s := &state{description: ps.Spec.Description, session: ps.Spec.SessionDuration, relay: ps.Spec.RelayState,
		managed: sorted(ps.Spec.ManagedPolicies), tags: maps.Clone(map[string]string(ps.Spec.Tags))}
	if s.session == "" {
		s.session = "PT1H"
	}
	for _, c := range ps.Spec.CustomerManagedPolicies {
		s.customer = append(s.customer, pathOr(c.Path)+"|"+c.Name)
	}
	sort.Strings(s.customer)
	if ps.Spec.InlinePolicy != nil && len(ps.Spec.InlinePolicy.Raw) > 0 {
		doc, err := servicecontrolpolicy.Minify(ps.Spec.InlinePolicy.Raw)
		if err != nil {
			return nil, reconciler.Stalled(v1alpha1.ReasonInvalidSpec, "spec.inlinePolicy is not a JSON object: %v", err)
		}
		s.inline = doc
	}
	if b := ps.Spec.PermissionsBoundary; b != nil {
		if b.ManagedPolicyArn != "" {
			s.boundary = "managed|" + b.ManagedPolicyArn
		} else if b.CustomerManagedPolicy != nil {
			s.boundary = "customer|" + pathOr(b.CustomerManagedPolicy.Path) + "|" + b.CustomerManagedPolicy.Name
		}
	}
	set := map[assignmentKey]bool{}
	for _, a := range ps.Spec.Assignments {
		pid := a.Principal.ID
		if pid == "" {
			id, err := k.SSO.PrincipalID(ctx, a.Principal.Type, a.Principal.Name)
			if awsx.IsNotFound(err) {
				return nil, reconciler.Stalled(v1alpha1.ReasonInvalidSpec, "the identity store has no %s named %q; fix the name, or create it in IAM Identity Center", strings.ToLower(a.Principal.Type), a.Principal.Name)
			}
			if err != nil {
				return nil, err
			}
			pid = id
		}
		accounts := slices.Clone(a.AccountIDs)
		for _, ref := range a.AccountRefs {
			id, err := k.AccountID(ctx, ref.Namespace, ref.Name)
			if err != nil {
				return nil, err
			}
			accounts = append(accounts, id)
		}
		for _, acct := range accounts {
			set[assignmentKey{Account: acct, PrincipalType: a.Principal.Type, PrincipalID: pid}] = true
		}
	}
	s.assignments = sortedKeys(set)
	return s, nil
}

func pathOr(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// read returns the state AWS holds, or nil when the permission set does not exist.
// Tags are read only on a full check, the only time they are compared.
func (k *Kind) read(ctx context.Context, ps *v1alpha1.PermissionSet, want *state, full bool) (*state, error) {
	instance, _, err := k.SSO.Instance(ctx)
	if err != nil {
		return nil, err
	}
	d, err := k.find(ctx, instance, ps)
	if err != nil || d == nil {
		ps.Status.ARN, ps.Status.ID = "", ""
		return nil, err
	}
	arn := aws.ToString(d.PermissionSetArn)
	ps.Status.ARN, ps.Status.InstanceARN, ps.Status.ID = arn, instance, arn[strings.LastIndex(arn, "/")+1:]
	s := &state{description: aws.ToString(d.Description), session: aws.ToString(d.SessionDuration), relay: aws.ToString(d.RelayState)}
	in := setRef{instance: &instance, arn: &arn}
	steps := []func(context.Context, setRef, *state) error{k.readPolicies, k.readInline, k.readBoundary, k.readProvisioned}
	if full {
		steps = append(steps, k.readTags)
	}
	for _, step := range steps {
		if err := step(ctx, in, s); err != nil {
			return nil, err
		}
	}
	if err := k.readAssignments(ctx, in, s, want); err != nil {
		return nil, err
	}
	ps.Status.ProvisionedAccountIDs = without(s.provisioned, s.stale)
	return s, nil
}

type setRef struct{ instance, arn *string }

// find returns the permission set by ARN, or adopts it by name.
func (k *Kind) find(ctx context.Context, instance string, ps *v1alpha1.PermissionSet) (*ssotypes.PermissionSet, error) {
	if ps.Status.ARN != "" {
		out, err := k.SSO.API.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: &instance, PermissionSetArn: &ps.Status.ARN})
		if err == nil {
			return out.PermissionSet, nil
		}
		if !awsx.IsNotFound(err) {
			return nil, err
		}
	}
	pages := ssoadmin.NewListPermissionSetsPaginator(k.SSO.API, &ssoadmin.ListPermissionSetsInput{InstanceArn: &instance})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, arn := range page.PermissionSets {
			out, err := k.SSO.API.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: &instance, PermissionSetArn: aws.String(arn)})
			if err != nil {
				return nil, err
			}
			if aws.ToString(out.PermissionSet.Name) == ps.AWSName() {
				return out.PermissionSet, nil
			}
		}
	}
	return nil, nil
}

func (k *Kind) readPolicies(ctx context.Context, in setRef, s *state) error {
	managed := ssoadmin.NewListManagedPoliciesInPermissionSetPaginator(k.SSO.API, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: in.instance, PermissionSetArn: in.arn})
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
	customer := ssoadmin.NewListCustomerManagedPolicyReferencesInPermissionSetPaginator(k.SSO.API, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: in.instance, PermissionSetArn: in.arn})
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
		s.inline, _ = servicecontrolpolicy.Minify([]byte(doc))
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

func (k *Kind) readTags(ctx context.Context, in setRef, s *state) error {
	s.tags = map[string]string{}
	pages := ssoadmin.NewListTagsForResourcePaginator(k.SSO.API, &ssoadmin.ListTagsForResourceInput{InstanceArn: in.instance, ResourceArn: in.arn})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, t := range page.Tags {
			s.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return nil
}

func (k *Kind) readProvisioned(ctx context.Context, in setRef, s *state) error {
	for _, status := range []ssotypes.ProvisioningStatus{"", ssotypes.ProvisioningStatusLatestPermissionSetNotProvisioned} {
		var ids []string
		pages := ssoadmin.NewListAccountsForProvisionedPermissionSetPaginator(k.SSO.API, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{
			InstanceArn: in.instance, PermissionSetArn: in.arn, ProvisioningStatus: status})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return err
			}
			ids = append(ids, page.AccountIds...)
		}
		sort.Strings(ids)
		if status == "" {
			s.provisioned = ids
		} else {
			s.stale = ids
		}
	}
	return nil
}

// readAssignments lists the assignments in every account the set is provisioned in or
// should be assigned to.
func (k *Kind) readAssignments(ctx context.Context, in setRef, s *state, want *state) error {
	accounts := map[string]bool{}
	for _, a := range s.provisioned {
		accounts[a] = true
	}
	for _, a := range want.assignments {
		accounts[a.Account] = true
	}
	set := map[assignmentKey]bool{}
	for _, acct := range sortedKeys(accounts) {
		pages := ssoadmin.NewListAccountAssignmentsPaginator(k.SSO.API, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: in.instance, PermissionSetArn: in.arn, AccountId: aws.String(acct)})
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
	s.assignments = sortedKeys(set)
	return nil
}

// diff names what differs between want and have; tags only on a full check.
func diff(want, have *state, full bool) []string {
	var steps []string
	if want.description != have.description || want.session != have.session || want.relay != have.relay {
		steps = append(steps, "attributes")
	}
	if !slices.Equal(want.managed, have.managed) {
		steps = append(steps, "managed")
	}
	if !slices.Equal(want.customer, have.customer) {
		steps = append(steps, "customer")
	}
	if want.inline != have.inline {
		steps = append(steps, "inline")
	}
	if want.boundary != have.boundary {
		steps = append(steps, "boundary")
	}
	if full && !maps.Equal(want.tags, have.tags) && (len(want.tags)+len(have.tags) > 0) {
		steps = append(steps, "tags")
	}
	if !slices.Equal(want.assignments, have.assignments) {
		steps = append(steps, "assignments")
	}
	if len(have.stale) > 0 {
		steps = append(steps, "stale")
	}
	return steps
}

func sorted(in []string) []string {
	out := slices.Clone(in)
	sort.Strings(out)
	return slices.Compact(out)
}

func sortedKeys[K comparable](m map[K]bool) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return fmt.Sprint(out[i]) < fmt.Sprint(out[j]) })
	return out
}

func without(all, drop []string) []string {
	var out []string
	for _, a := range all {
		if !slices.Contains(drop, a) {
			out = append(out, a)
		}
	}
	return out
}
