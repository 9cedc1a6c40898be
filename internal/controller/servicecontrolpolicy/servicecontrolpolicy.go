// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Package servicecontrolpolicy maps ServiceControlPolicy objects to AWS Organizations
// policies (SCPs and RCPs) and their attachments: the document minified and
// size-checked before any AWS call, adoption by name, the policy type enabled on the
// root when needed, attachments kept equal to the spec, and detach-then-delete.
package servicecontrolpolicy

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/orgapi"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
	"github.com/awsorg/awsorg-operator/internal/iampolicy"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// Kind is the ServiceControlPolicy controller's mapping to AWS.
type Kind struct {
	*common.Env
	// attachedTo holds recent reads of each policy's targets, by policy id: the reconciles
	// between two resyncs (woken by OUs and accounts that changed) reuse them.
	attachedTo awsx.Memo[string, []string]
}

// Setup registers the controller.
func Setup(ctx context.Context, mgr ctrl.Manager, env *common.Env, opts reconciler.Options) error {
	refs := func(kind string) func(client.Object) []string {
		return func(o client.Object) []string {
			var out []string
			for _, ref := range o.(*v1alpha1.ServiceControlPolicy).Spec.TargetRefs {
				switch {
				case ref.Kind != kind:
				case kind == "Account":
					out = append(out, env.AccountKey(o, ref.Namespace, ref.Name))
				default:
					out = append(out, ref.Name)
				}
			}
			return out
		}
	}
	return reconciler.Setup(ctx, mgr, reconciler.Controller[*v1alpha1.ServiceControlPolicy]{Name: "servicecontrolpolicy", Kind: &Kind{Env: env, attachedTo: awsx.Memo[string, []string]{Fresh: awsx.FreshFor(opts.ResyncPeriod),
		Reuse: awsx.Reuse{Changes: env.Changes, Source: awsx.SourceOrganizations}}},
		New: func() *v1alpha1.ServiceControlPolicy { return &v1alpha1.ServiceControlPolicy{} },
		Dependencies: []reconciler.Dependency{common.OnOU("spec.targetRefs.ou", refs("OrganizationalUnit")),
			common.OnAccount("spec.targetRefs.account", refs("Account"))}}, opts)
}

// document checks the spec's document (the IAM grammar and the rules of the policy's
// type) and minifies it, before any AWS call.
func document(p *v1alpha1.ServiceControlPolicy) (string, error) {
	doc, err := iampolicy.Minify(p.Spec.Document.Raw)
	if err != nil || len(p.Spec.Document.Raw) == 0 {
		return "", reconciler.Stalled(v1alpha1.ReasonInvalidPolicy, "spec.document is not a JSON object: %v", err)
	}
	p.Status.DocumentSize = len(doc)
	if problems := iampolicy.Check(p.Spec.Document.Raw, iampolicy.Type(p.PolicyType())); len(problems) > 0 {
		return "", reconciler.Stalled(v1alpha1.ReasonInvalidPolicy, "spec.document: %s", problems.Error())
	}
	return doc, nil
}

// Observe compares the policy's name, description, document, attachments and tags
// with the spec, and plans what differs.
func (k *Kind) Observe(ctx context.Context, p *v1alpha1.ServiceControlPolicy) (reconciler.Observation, error) {
	doc, err := document(p)
	if err != nil {
		return reconciler.Observation{}, err
	}
	tree, err := k.Org.Tree(ctx)
	if err != nil {
		return reconciler.Observation{}, err
	}
	want, err := k.targets(ctx, p, tree)
	if err != nil {
		return reconciler.Observation{}, err
	}
	var plan reconciler.Plan
	if !tree.PolicyTypes[p.PolicyType()] {
		plan.Add("enable the policy type "+p.PolicyType()+" on the root", k.enableType(p.PolicyType(), tree.RootID))
	}
	found, err := k.find(ctx, p)
	if err != nil {
		return reconciler.Observation{}, err
	}
	p.Status.AffectedAccounts = len(tree.Under(want.ids))
	if found == nil {
		if err := k.lockout(ctx, p, tree, "", doc, true, nil, want.ids); err != nil {
			return reconciler.Observation{}, err
		}
		plan.Add(fmt.Sprintf("create %s %s", policyNoun(p), p.AWSName()), k.create(p, doc))
		plan = append(plan, k.attachments(p, tree, nil, want.ids)...)
		return reconciler.Observation{Plan: plan, Waiting: want.waiting}, nil
	}
	have, err := k.attached(ctx, found.id, reconciler.FullCheck(ctx))
	if awsx.IsNotFound(err) && !found.read { // deleted outside the operator: look again, in full
		return k.Observe(reconciler.WithFullCheck(ctx, true), p)
	}
	if err != nil {
		return reconciler.Observation{}, err
	}
	p.Status.ID, p.Status.ARN = found.id, found.arn
	p.Status.AttachedTargetIDs = have
	changed := found.read && !iampolicy.Same(found.content, doc)
	if err := k.lockout(ctx, p, tree, found.id, doc, changed, have, want.ids); err != nil {
		return reconciler.Observation{}, err
	}
	if c := k.update(p, found, doc); c != nil && found.read {
		plan = append(plan, *c)
	}
	plan = append(plan, k.attachments(p, tree, have, want.ids)...)
	if found.tags != nil {
		plan = common.AddTags(plan, fmt.Sprintf("%s %s (%s)", policyNoun(p), p.AWSName(), found.id), found.tags,
			common.WantTags(p, p.Spec.Tags), orgapi.TagFuncs(k.OrgAPI, found.id))
	}
	return reconciler.Observation{Exists: true, Adopted: found.adopted, Plan: plan, Waiting: want.waiting}, nil
}

// update plans the change of content, name or description. The description is only
// compared when the spec sets one.
func (k *Kind) update(p *v1alpha1.ServiceControlPolicy, found *policy, doc string) *reconciler.Change {
	var what []string
	in := &organizations.UpdatePolicyInput{PolicyId: aws.String(found.id)}
	if !iampolicy.Same(found.content, doc) {
		what, in.Content = append(what, "content"), aws.String(doc)
	}
	if found.name != p.AWSName() {
		what, in.Name = append(what, fmt.Sprintf("name (to %q)", p.AWSName())), aws.String(p.AWSName())
	}
	if p.Spec.Description != "" && found.description != p.Spec.Description {
		what, in.Description = append(what, "description"), aws.String(p.Spec.Description)
	}
	if len(what) == 0 {
		return nil
	}
	return &reconciler.Change{Description: fmt.Sprintf("update the %s of %s %s (%s)", joinAnd(what), policyNoun(p), found.name, found.id),
		Apply: func(ctx context.Context) error {
			if _, err := k.OrgAPI.UpdatePolicy(ctx, in); err != nil {
				return common.Fail("update policy "+found.id, err)
			}
			return nil
		}}
}

func (k *Kind) create(p *v1alpha1.ServiceControlPolicy, doc string) func(context.Context) error {
	return func(ctx context.Context) error {
		out, err := k.OrgAPI.CreatePolicy(ctx, &organizations.CreatePolicyInput{Content: &doc, Description: aws.String(p.Spec.Description),
			Name: aws.String(p.AWSName()), Type: types.PolicyType(p.PolicyType()), Tags: orgapi.ToTags(common.WantTags(p, p.Spec.Tags))})
		if awsx.IsAlreadyExists(err) {
			return fmt.Errorf("a policy named %q appeared meanwhile; reading it again", p.AWSName())
		}
		if err != nil {
			return common.Fail(fmt.Sprintf("create policy %q", p.AWSName()), err)
		}
		p.Status.ID, p.Status.ARN = aws.ToString(out.Policy.PolicySummary.Id), aws.ToString(out.Policy.PolicySummary.Arn)
		return nil
	}
}

func (k *Kind) enableType(typ, root string) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := k.OrgAPI.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: &root, PolicyType: types.PolicyType(typ)})
		if err != nil && !awsx.IsAlreadyExists(err) {
			return common.Fail("enable the policy type "+typ+" on the root", err)
		}
		k.Org.Update(func(t *orgapi.Tree) { t.PolicyTypes[typ] = true })
		return nil
	}
}

// Delete detaches the policy from every target, then deletes it; it never touches a
// policy that belongs to another object.
func (k *Kind) Delete(ctx context.Context, p *v1alpha1.ServiceControlPolicy) (reconciler.Changes, error) {
	found, err := k.find(reconciler.WithFullCheck(ctx, true), p)
	if err != nil && !reconciler.IsStalled(err) {
		return nil, err
	}
	if found == nil || !common.Owns(p, found.id, found.tags[common.OwnerTag]) {
		return nil, nil
	}
	have, err := k.attached(ctx, found.id, true)
	if awsx.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	tree, err := k.Org.Tree(ctx)
	if err != nil {
		return nil, err
	}
	if err := k.lockout(ctx, p, tree, found.id, "", true, have, nil); err != nil {
		return nil, err
	}
	var changes reconciler.Changes
	for _, id := range have {
		if err := k.detach(ctx, found.id, id); err != nil {
			return changes, err
		}
		changes = append(changes, fmt.Sprintf("Detached policy %s from %s", found.id, id))
	}
	_, err = k.OrgAPI.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: &found.id})
	if err != nil && !awsx.IsNotFound(err) {
		return changes, common.Fail("delete policy "+found.id, err)
	}
	return append(changes, "Deleted policy "+found.id), nil
}

// Retain reports whether the deletion policy keeps the policy in AWS.
func (k *Kind) Retain(p *v1alpha1.ServiceControlPolicy) bool {
	return p.Spec.DeletionPolicy == v1alpha1.DeletionPolicyRetain
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 1:
		return parts[0]
	case 2:
		return parts[0] + " and " + parts[1]
	}
	out := ""
	for i, s := range parts {
		switch {
		case i == len(parts)-1:
			out += ", and " + s
		case i > 0:
			out += ", " + s
		default:
			out = s
		}
	}
	return out
}
