// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Package servicecontrolpolicy maps ServiceControlPolicy objects to AWS Organizations
// policies (SCPs and RCPs) and their attachments: the document minified and
// size-checked before any AWS call, adoption by name, the policy type enabled on the
// root when needed, attachments kept equal to the spec, and detach-then-delete.
package servicecontrolpolicy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/orgapi"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// Kind is the ServiceControlPolicy controller's mapping to AWS.
type Kind struct{ *common.Env }

// Setup registers the controller.
func Setup(mgr ctrl.Manager, env *common.Env, opts reconciler.Options) error {
	return reconciler.Setup(mgr, "servicecontrolpolicy", reconciler.Kind[*v1alpha1.ServiceControlPolicy](&Kind{env}),
		func() *v1alpha1.ServiceControlPolicy { return &v1alpha1.ServiceControlPolicy{} }, opts)
}

// Minify returns the document as AWS will store it: compact JSON.
func Minify(raw []byte) (string, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// document validates and minifies the spec's document, before any AWS call.
func document(p *v1alpha1.ServiceControlPolicy) (string, error) {
	doc, err := Minify(p.Spec.Document.Raw)
	if err != nil || len(p.Spec.Document.Raw) == 0 {
		return "", reconciler.Stalled(v1alpha1.ReasonInvalidSpec, "spec.document is not a JSON object: %v", err)
	}
	p.Status.DocumentSize = len(doc)
	if len(doc) > common.PolicySizeLimit {
		return "", reconciler.Stalled(v1alpha1.ReasonInvalidSpec,
			"the minified document is %d characters and AWS allows at most %d; shorten it or split it into several policies", len(doc), common.PolicySizeLimit)
	}
	return doc, nil
}

// targets resolves targetRefs and targetIds to AWS ids.
func (k *Kind) targets(ctx context.Context, p *v1alpha1.ServiceControlPolicy, tree *orgapi.Tree) ([]string, error) {
	set := map[string]bool{}
	for _, id := range p.Spec.TargetIDs {
		set[id] = true
	}
	for _, ref := range p.Spec.TargetRefs {
		switch ref.Kind {
		case "Root":
			set[tree.RootID] = true
		case "OrganizationalUnit":
			id, _, err := k.OUID(ctx, ref.Name)
			if err != nil {
				return nil, err
			}
			set[id] = true
		case "Account":
			id, err := k.AccountID(ctx, ref.Namespace, ref.Name)
			if err != nil {
				return nil, err
			}
			set[id] = true
		}
	}
	return slices.Sorted(maps.Keys(set)), nil
}

// find returns the policy by id, or adopts it by name.
func (k *Kind) find(ctx context.Context, p *v1alpha1.ServiceControlPolicy) (*types.Policy, error) {
	if p.Status.ID != "" {
		out, err := k.OrgAPI.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: &p.Status.ID})
		if err == nil {
			return out.Policy, nil
		}
		if !awsx.IsNotFound(err) {
			return nil, err
		}
	}
	pages := organizations.NewListPoliciesPaginator(k.OrgAPI, &organizations.ListPoliciesInput{Filter: types.PolicyType(p.PolicyType())})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range page.Policies {
			if aws.ToString(s.Name) == p.AWSName() && !s.AwsManaged {
				out, err := k.OrgAPI.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: s.Id})
				if err != nil {
					return nil, err
				}
				return out.Policy, nil
			}
		}
	}
	return nil, nil
}

func (k *Kind) attached(ctx context.Context, id string) ([]string, error) {
	var out []string
	pages := organizations.NewListTargetsForPolicyPaginator(k.OrgAPI, &organizations.ListTargetsForPolicyInput{PolicyId: &id})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range page.Targets {
			out = append(out, aws.ToString(t.TargetId))
		}
	}
	sort.Strings(out)
	return out, nil
}

// Observe compares the policy's name, description, document, attachments and tags.
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
	pol, err := k.find(ctx, p)
	if err != nil || pol == nil {
		p.Status.ID, p.Status.ARN = "", ""
		return reconciler.Observation{}, err
	}
	p.Status.ID, p.Status.ARN = aws.ToString(pol.PolicySummary.Id), aws.ToString(pol.PolicySummary.Arn)
	have, err := k.attached(ctx, p.Status.ID)
	if err != nil {
		return reconciler.Observation{}, err
	}
	p.Status.AttachedTargetIDs = have
	current, _ := Minify([]byte(aws.ToString(pol.Content)))
	upToDate := current == doc && aws.ToString(pol.PolicySummary.Name) == p.AWSName() &&
		aws.ToString(pol.PolicySummary.Description) == p.Spec.Description && slices.Equal(have, want)
	if upToDate && common.NeedsFullCheck(p) {
		tags, err := orgapi.Tags(ctx, k.OrgAPI, p.Status.ID)
		if err != nil {
			return reconciler.Observation{}, err
		}
		upToDate = maps.Equal(tags, map[string]string(p.Spec.Tags))
	}
	return reconciler.Observation{Exists: true, UpToDate: upToDate}, nil
}

// Create creates the policy; attachments follow in Update.
func (k *Kind) Create(ctx context.Context, p *v1alpha1.ServiceControlPolicy) (reconciler.Changes, error) {
	doc, err := document(p)
	if err != nil {
		return nil, err
	}
	out, err := k.OrgAPI.CreatePolicy(ctx, &organizations.CreatePolicyInput{Content: &doc, Description: aws.String(p.Spec.Description),
		Name: aws.String(p.AWSName()), Type: types.PolicyType(p.PolicyType()), Tags: orgapi.ToTags(p.Spec.Tags)})
	if awsx.IsAlreadyExists(err) {
		return nil, nil // created meanwhile by someone else: the next observe adopts it by name
	}
	if err != nil {
		return nil, common.Refused(fmt.Sprintf("create policy %q", p.AWSName()), err)
	}
	p.Status.ID, p.Status.ARN = aws.ToString(out.Policy.PolicySummary.Id), aws.ToString(out.Policy.PolicySummary.Arn)
	return reconciler.Changes{fmt.Sprintf("Created policy %s %q", p.Status.ID, p.AWSName())}, nil
}

// Update enables the policy type, updates the policy, and makes the attachments and
// tags equal to the spec.
func (k *Kind) Update(ctx context.Context, p *v1alpha1.ServiceControlPolicy) (reconciler.Changes, error) {
	var changes reconciler.Changes
	doc, err := document(p)
	if err != nil {
		return nil, err
	}
	tree, err := k.Org.Tree(ctx)
	if err != nil {
		return nil, err
	}
	if c, err := k.enableType(ctx, p.PolicyType(), tree); err != nil {
		return changes, err
	} else if c != "" {
		changes = append(changes, c)
	}
	pol, err := k.find(ctx, p)
	if err != nil || pol == nil {
		return changes, err
	}
	current, _ := Minify([]byte(aws.ToString(pol.Content)))
	if current != doc || aws.ToString(pol.PolicySummary.Name) != p.AWSName() || aws.ToString(pol.PolicySummary.Description) != p.Spec.Description {
		_, err := k.OrgAPI.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: &p.Status.ID, Content: &doc,
			Name: aws.String(p.AWSName()), Description: aws.String(p.Spec.Description)})
		if err != nil {
			return changes, common.Refused("update policy "+p.Status.ID, err)
		}
		changes = append(changes, "Updated policy "+p.Status.ID)
	}
	c, err := k.syncAttachments(ctx, p, tree)
	changes = append(changes, c...)
	if err != nil {
		return changes, err
	}
	tags, err := orgapi.Tags(ctx, k.OrgAPI, p.Status.ID)
	if err != nil {
		return changes, err
	}
	if changed, err := orgapi.SyncTags(ctx, k.OrgAPI, p.Status.ID, tags, p.Spec.Tags); err != nil {
		return changes, common.Refused("tag policy "+p.Status.ID, err)
	} else if changed {
		changes = append(changes, "Updated the tags of policy "+p.Status.ID)
	}
	return changes, nil
}

func (k *Kind) enableType(ctx context.Context, typ string, tree *orgapi.Tree) (string, error) {
	if tree.PolicyTypes[typ] {
		return "", nil
	}
	_, err := k.OrgAPI.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: &tree.RootID, PolicyType: types.PolicyType(typ)})
	if err != nil && !awsx.IsAlreadyExists(err) {
		return "", common.Refused("enable the policy type "+typ+" on the root", err)
	}
	k.Org.Update(func(t *orgapi.Tree) { t.PolicyTypes[typ] = true })
	return "Enabled the policy type " + typ + " on the root", nil
}

func (k *Kind) syncAttachments(ctx context.Context, p *v1alpha1.ServiceControlPolicy, tree *orgapi.Tree) (reconciler.Changes, error) {
	var changes reconciler.Changes
	want, err := k.targets(ctx, p, tree)
	if err != nil {
		return nil, err
	}
	have, err := k.attached(ctx, p.Status.ID)
	if err != nil {
		return nil, err
	}
	for _, id := range want {
		if slices.Contains(have, id) {
			continue
		}
		_, err := k.OrgAPI.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: &p.Status.ID, TargetId: aws.String(id)})
		if err != nil && !awsx.IsAlreadyExists(err) {
			return changes, common.Refused(fmt.Sprintf("attach policy %s to %s", p.Status.ID, id), err)
		}
		changes = append(changes, fmt.Sprintf("Attached policy %s to %s", p.Status.ID, id))
	}
	for _, id := range have {
		if slices.Contains(want, id) {
			continue
		}
		if c, err := k.detach(ctx, p.Status.ID, id); err != nil {
			return changes, err
		} else if c != "" {
			changes = append(changes, c)
		}
	}
	p.Status.AttachedTargetIDs = want
	return changes, nil
}

func (k *Kind) detach(ctx context.Context, policyID, target string) (string, error) {
	_, err := k.OrgAPI.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: &policyID, TargetId: &target})
	switch {
	case awsx.Code(err) == "PolicyNotAttachedException", awsx.Code(err) == "TargetNotFoundException":
		return "", nil
	case err != nil:
		return "", common.Refused(fmt.Sprintf("detach policy %s from %s", policyID, target), err)
	}
	return fmt.Sprintf("Detached policy %s from %s", policyID, target), nil
}

// Delete detaches the policy from every target, then deletes it.
func (k *Kind) Delete(ctx context.Context, p *v1alpha1.ServiceControlPolicy) (reconciler.Changes, error) {
	if p.Status.ID == "" {
		return nil, nil
	}
	var changes reconciler.Changes
	have, err := k.attached(ctx, p.Status.ID)
	if awsx.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	for _, id := range have {
		c, err := k.detach(ctx, p.Status.ID, id)
		if err != nil {
			return changes, err
		}
		changes = append(changes, c)
	}
	_, err = k.OrgAPI.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: &p.Status.ID})
	if err != nil && !awsx.IsNotFound(err) {
		return changes, common.Refused("delete policy "+p.Status.ID, err)
	}
	return append(changes, "Deleted policy "+p.Status.ID), nil
}

// Retain reports whether the deletion policy keeps the policy in AWS.
func (k *Kind) Retain(p *v1alpha1.ServiceControlPolicy) bool {
	return p.Spec.DeletionPolicy == v1alpha1.DeletionPolicyRetain
}
