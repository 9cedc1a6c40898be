// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package servicecontrolpolicy

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/orgapi"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// targetSet is what the policy should be attached to.
type targetSet struct {
	ids     []string // sorted
	waiting []string // references that do not resolve yet
}

func refName(ref v1alpha1.PolicyTargetRef, operatorNS string) string {
	switch ref.Kind {
	case "Root":
		return "Root"
	case "Account":
		ns := ref.Namespace
		if ns == "" {
			ns = operatorNS
		}
		return "Account " + ns + "/" + ref.Name
	}
	return ref.Kind + " " + ref.Name
}

// targets resolves targetRefs and targetIds to AWS ids. A reference that does not
// resolve keeps the ids it resolved to before, so a missing object never detaches the
// policy; the ids a reference resolved to stay while the target is in the organization.
func (k *Kind) targets(ctx context.Context, p *v1alpha1.ServiceControlPolicy, tree *orgapi.Tree) (targetSet, error) {
	set := map[string]bool{}
	for _, id := range p.Spec.TargetIDs {
		set[id] = true
	}
	before := map[string][]string{}
	for _, r := range p.Status.ResolvedTargets {
		before[r.Ref] = r.IDs
	}
	var resolved []v1alpha1.ResolvedRef
	var waiting []string
	for _, ref := range p.Spec.TargetRefs {
		name := refName(ref, k.OperatorNamespace)
		id, err := k.resolve(ctx, ref, tree)
		if err != nil && !reconciler.IsWait(err) {
			return targetSet{}, err
		}
		if err != nil {
			waiting = append(waiting, err.Error())
		}
		ids := stillThere(tree, before[name])
		if id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, x := range ids {
			set[x] = true
		}
		if len(ids) > 0 {
			resolved = append(resolved, v1alpha1.ResolvedRef{Ref: name, IDs: ids})
		}
	}
	p.Status.ResolvedTargets = resolved
	return targetSet{ids: slices.Sorted(maps.Keys(set)), waiting: waiting}, nil
}

func (k *Kind) resolve(ctx context.Context, ref v1alpha1.PolicyTargetRef, tree *orgapi.Tree) (string, error) {
	switch ref.Kind {
	case "Root":
		return tree.RootID, nil
	case "OrganizationalUnit":
		id, _, err := k.OUID(ctx, ref.Name)
		return id, err
	default:
		return k.AccountID(ctx, ref.Namespace, ref.Name)
	}
}

// stillThere keeps the ids that are still a root, OU or active account in the tree.
func stillThere(tree *orgapi.Tree, ids []string) []string {
	var out []string
	for _, id := range ids {
		a, isAccount := tree.Accounts[id]
		_, isOU := tree.OUs[id]
		if id == tree.RootID || isOU || (isAccount && (a.State == "ACTIVE" || a.State == "PENDING_ACTIVATION")) {
			out = append(out, id)
		}
	}
	return out
}

// attachments plans the attachments that make have equal want: attach first, then
// detach, so a target never goes without a policy the spec gives it.
func (k *Kind) attachments(p *v1alpha1.ServiceControlPolicy, tree *orgapi.Tree, have, want []string) reconciler.Plan {
	var plan reconciler.Plan
	what := fmt.Sprintf("%s %s", policyNoun(p), p.AWSName())
	for _, id := range want {
		if !slices.Contains(have, id) {
			plan.Add(fmt.Sprintf("attach %s to %s", what, tree.Describe(id)), func(ctx context.Context) error {
				_, err := k.OrgAPI.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: &p.Status.ID, TargetId: aws.String(id)})
				if err != nil && !awsx.IsAlreadyExists(err) {
					k.forgetTargets(p.Status.ID)
					return common.Fail(fmt.Sprintf("attach policy %s to %s", p.Status.ID, id), err)
				}
				k.attachedTo.Update(p.Status.ID, func(t []string) []string { return sortedSet(append(slices.Clone(t), id)) })
				return nil
			})
		}
	}
	for _, id := range have {
		if !slices.Contains(want, id) {
			plan.Remove(fmt.Sprintf("detach %s from %s", what, tree.Describe(id)), func(ctx context.Context) error {
				return k.detach(ctx, p.Status.ID, id)
			})
		}
	}
	return plan.SeenCheaply() // every reconcile reads the targets
}

func (k *Kind) detach(ctx context.Context, policyID, target string) error {
	_, err := k.OrgAPI.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: &policyID, TargetId: &target})
	if err != nil && !awsx.IsNotFound(err) {
		k.forgetTargets(policyID)
		return common.Fail(fmt.Sprintf("detach policy %s from %s", policyID, target), err)
	}
	k.attachedTo.Update(policyID, func(t []string) []string {
		return slices.DeleteFunc(slices.Clone(t), func(x string) bool { return x == target })
	})
	return nil
}

func (k *Kind) forgetTargets(policyID string) {
	k.attachedTo.Forget(func(id string, _ []string) bool { return id == policyID })
}

func sortedSet(ids []string) []string {
	slices.Sort(ids)
	return slices.Compact(ids)
}

// attached lists the policy's targets: a read of this resync, unless fresh is asked
// for (a full check, a deletion).
func (k *Kind) attached(ctx context.Context, id string, fresh bool) ([]string, error) {
	if t, ok := k.attachedTo.Get(id); ok && !fresh {
		return t, nil
	}
	t, err := k.listTargets(ctx, id)
	if err != nil {
		k.forgetTargets(id)
		return nil, err
	}
	k.attachedTo.Put(id, t)
	return t, nil
}

func (k *Kind) listTargets(ctx context.Context, id string) ([]string, error) {
	var out []string
	pages := organizations.NewListTargetsForPolicyPaginator(k.OrgAPI, &organizations.ListTargetsForPolicyInput{PolicyId: &id, MaxResults: aws.Int32(awsx.OrganizationsPage)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range page.Targets {
			out = append(out, aws.ToString(t.TargetId))
		}
	}
	slices.Sort(out)
	return out, nil
}

func policyNoun(p *v1alpha1.ServiceControlPolicy) string {
	if p.PolicyType() == v1alpha1.PolicyTypeRCP {
		return "RCP"
	}
	return "SCP"
}
