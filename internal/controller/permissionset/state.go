// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package permissionset

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
	"github.com/awsorg/awsorg-operator/internal/iampolicy"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// assignmentKey is one account assignment of the permission set.
type assignmentKey struct{ Account, PrincipalType, PrincipalID string }

// state is a permission set as the spec wants it or as AWS holds it. Attributes the
// spec leaves empty (description, relay state) are not compared.
type state struct {
	description, session, relay string
	managed                     []string
	customer                    []string // "path|name"
	inline                      string   // minified
	boundary                    string   // "managed|arn" or "customer|path|name"
	tags                        map[string]string
	assignments                 []assignmentKey
	// names are the principals' names, by id (the spec's).
	names map[string]string
	// provisioned and stale are the accounts where the set is provisioned, and
	// where the latest version is not (AWS only).
	provisioned, stale []string
	// waiting lists references that do not resolve yet (the spec only).
	waiting []string
	// provisioning is true while a provisioning request is in progress (AWS only).
	provisioning bool
}

// desired maps the spec to the state AWS should hold, resolving principals and
// accounts. A reference that does not resolve keeps the account it resolved to before.
func (k *Kind) desired(ctx context.Context, ps *v1alpha1.PermissionSet) (*state, error) {
	s := &state{description: ps.Spec.Description, session: ps.Spec.SessionDuration, relay: ps.Spec.RelayState,
		managed: sorted(ps.Spec.ManagedPolicies), tags: common.WantTags(ps, ps.Spec.Tags), names: map[string]string{}}
	if s.session == "" {
		s.session = "PT1H"
	}
	for _, c := range ps.Spec.CustomerManagedPolicies {
		s.customer = append(s.customer, pathOr(c.Path)+"|"+c.Name)
	}
	sort.Strings(s.customer)
	if ps.Spec.InlinePolicy != nil && len(ps.Spec.InlinePolicy.Raw) > 0 {
		doc, err := iampolicy.Minify(ps.Spec.InlinePolicy.Raw)
		if err != nil {
			return nil, reconciler.Stalled(v1alpha1.ReasonInvalidPolicy, "spec.inlinePolicy is not a JSON object: %v", err)
		}
		if problems := iampolicy.Check(ps.Spec.InlinePolicy.Raw, iampolicy.Identity); len(problems) > 0 {
			return nil, reconciler.Stalled(v1alpha1.ReasonInvalidPolicy, "spec.inlinePolicy: %s", problems.Error())
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
	return s, k.desiredAssignments(ctx, ps, s)
}

func (k *Kind) desiredAssignments(ctx context.Context, ps *v1alpha1.PermissionSet, s *state) error {
	before := map[string][]string{}
	for _, r := range ps.Status.ResolvedAccounts {
		before[r.Ref] = r.IDs
	}
	var resolved []v1alpha1.ResolvedRef
	set := map[assignmentKey]bool{}
	for _, a := range ps.Spec.Assignments {
		pid, err := k.principal(ctx, a.Principal)
		if err != nil {
			return err
		}
		s.names[pid] = strings.ToLower(a.Principal.Type) + " " + or(a.Principal.Name, pid)
		accounts := slices.Clone(a.AccountIDs)
		for _, ref := range a.AccountRefs {
			name := or(ref.Namespace, k.OperatorNamespace) + "/" + ref.Name
			id, err := k.AccountID(ctx, ref.Namespace, ref.Name)
			switch {
			case reconciler.IsWait(err):
				s.waiting = append(s.waiting, err.Error())
				accounts = append(accounts, before[name]...)
				if len(before[name]) > 0 {
					resolved = append(resolved, v1alpha1.ResolvedRef{Ref: name, IDs: before[name]})
				}
			case err != nil:
				return err
			default:
				accounts = append(accounts, id)
				resolved = append(resolved, v1alpha1.ResolvedRef{Ref: name, IDs: []string{id}})
			}
		}
		for _, acct := range accounts {
			set[assignmentKey{Account: acct, PrincipalType: a.Principal.Type, PrincipalID: pid}] = true
		}
	}
	ps.Status.ResolvedAccounts = compactRefs(resolved)
	s.assignments = sortedKeys(set)
	return nil
}

func (k *Kind) principal(ctx context.Context, p v1alpha1.Principal) (string, error) {
	if p.ID != "" {
		return p.ID, nil
	}
	id, err := k.SSO.PrincipalID(ctx, p.Type, p.Name)
	if awsx.IsNotFound(err) {
		return "", reconciler.Stalled(v1alpha1.ReasonInvalidSpec, "the identity store has no %s named %q; fix the name, or create it in IAM Identity Center", strings.ToLower(p.Type), p.Name)
	}
	return id, err
}

// found is the permission set as AWS holds it, and whether the object just adopted it.
type found struct {
	arn, name string
	set       *ssotypes.PermissionSet
	tags      map[string]string // read on a full check, or when found by name
	adopted   bool
}

// find returns the permission set by ARN, or by name, under the ownership rules; nil
// when it does not exist. A transient error never loses the ARN the object holds.
func (k *Kind) find(ctx context.Context, instance string, ps *v1alpha1.PermissionSet) (*found, error) {
	var d *ssotypes.PermissionSet
	byName := false
	if ps.Status.ARN != "" {
		d = k.recalled(ps.Status.ARN, reconciler.FullCheck(ctx))
	}
	if ps.Status.ARN != "" && d == nil {
		out, err := k.SSO.API.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: &instance, PermissionSetArn: &ps.Status.ARN})
		switch {
		case err == nil:
			d = out.PermissionSet
		case !awsx.IsNotFound(err):
			return nil, err
		}
	}
	if d == nil {
		var err error
		if d, err = k.SSO.Sets.Find(ctx, instance, ps.AWSName()); err != nil || d == nil {
			return nil, err
		}
		byName = true
	}
	f := &found{arn: aws.ToString(d.PermissionSetArn), name: aws.ToString(d.Name), set: d}
	if !byName && !reconciler.FullCheck(ctx) {
		return f, nil
	}
	tags, err := k.readTags(ctx, instance, f.arn)
	if err != nil {
		return nil, err
	}
	f.tags = tags
	f.adopted, err = k.Claim(ctx, ps, common.AWSObject{Noun: "permission set", Name: f.name, ID: idOf(f.arn), Owner: tags[common.OwnerTag],
		Fix: "choose another spec.name"})
	return f, err
}

func idOf(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

func pathOr(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func sorted(in []string) []string {
	out := slices.Clone(in)
	sort.Strings(out)
	return slices.Compact(out)
}

// sortedKeys returns the assignments of a set, by account, then principal.
func sortedKeys(m map[assignmentKey]bool) []assignmentKey {
	return slices.SortedFunc(maps.Keys(m), func(a, b assignmentKey) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.PrincipalType, b.PrincipalType), cmp.Compare(a.PrincipalID, b.PrincipalID))
	})
}

// setOf returns the assignments as a set.
func setOf(list []assignmentKey) map[assignmentKey]bool {
	set := make(map[assignmentKey]bool, len(list))
	for _, a := range list {
		set[a] = true
	}
	return set
}

func compactRefs(refs []v1alpha1.ResolvedRef) []v1alpha1.ResolvedRef {
	m := map[string][]string{}
	for _, r := range refs {
		m[r.Ref] = sorted(append(m[r.Ref], r.IDs...))
	}
	var out []v1alpha1.ResolvedRef
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, v1alpha1.ResolvedRef{Ref: k, IDs: m[k]})
	}
	return out
}

func without(all, drop []string) []string {
	var out []string
	for _, a := range all {
		if _, found := slices.BinarySearch(drop, a); !found {
			out = append(out, a)
		}
	}
	return out
}
