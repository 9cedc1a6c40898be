// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package servicecontrolpolicy

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/orgapi"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
	"github.com/awsorg/awsorg-operator/internal/iampolicy"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// policy is the AWS policy as the operator compares it.
type policy struct {
	id, arn, name, description string
	content                    string // minified
	tags                       map[string]string
	adopted                    bool
	// read is false when only the id is known: the content, name and description are
	// read on full checks; each resync reads the attachments.
	read bool
}

// find returns the policy by id, or by name, under the ownership rules; nil when it
// does not exist. Between full checks a policy the object holds is not described
// again. Tags are read on a full check and whenever the policy is found by name. A
// transient error never loses the id the object holds.
func (k *Kind) find(ctx context.Context, p *v1alpha1.ServiceControlPolicy) (*policy, error) {
	var pol *types.Policy
	byName := false
	if p.Status.ID != "" && !reconciler.FullCheck(ctx) {
		return &policy{id: p.Status.ID, arn: p.Status.ARN, name: p.AWSName()}, nil
	}
	if p.Status.ID != "" {
		out, err := k.OrgAPI.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: &p.Status.ID})
		switch {
		case err == nil:
			pol = out.Policy
		case !awsx.IsNotFound(err):
			return nil, err
		}
	}
	if pol == nil {
		summary, err := k.byName(ctx, p)
		if err != nil || summary == nil {
			return nil, err
		}
		out, err := k.OrgAPI.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: summary.Id})
		if err != nil {
			return nil, err
		}
		pol, byName = out.Policy, true
	}
	s := pol.PolicySummary
	found := &policy{id: aws.ToString(s.Id), arn: aws.ToString(s.Arn), name: aws.ToString(s.Name), description: aws.ToString(s.Description), read: true}
	found.content, _ = iampolicy.Minify([]byte(aws.ToString(pol.Content)))
	if !byName && !reconciler.FullCheck(ctx) {
		return found, nil
	}
	tags, err := orgapi.Tags(ctx, k.OrgAPI, found.id)
	if err != nil {
		return nil, err
	}
	found.tags = tags
	found.adopted, err = k.Claim(ctx, p, common.AWSObject{Noun: "policy", Name: found.name, ID: found.id, Owner: tags[common.OwnerTag],
		Fix: "choose another spec.name"})
	if err != nil {
		return found, err
	}
	return found, nil
}

// byName finds the customer managed policy with the object's name. A policy managed
// by AWS (FullAWSAccess) is refused: nobody can change it.
func (k *Kind) byName(ctx context.Context, p *v1alpha1.ServiceControlPolicy) (*types.PolicySummary, error) {
	pages := organizations.NewListPoliciesPaginator(k.OrgAPI, &organizations.ListPoliciesInput{Filter: types.PolicyType(p.PolicyType()), MaxResults: aws.Int32(awsx.OrganizationsPage)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for i, s := range page.Policies {
			if aws.ToString(s.Name) != p.AWSName() {
				continue
			}
			if s.AwsManaged {
				return nil, reconciler.Stalled(v1alpha1.ReasonInvalidSpec,
					"%q is a policy managed by AWS (%s): AWS does not let anyone change it, attach it elsewhere through this object, or delete it, so it cannot be managed here; delete this object (AWS-managed policies are never deleted), or give your own policy another spec.name",
					p.AWSName(), aws.ToString(s.Id))
			}
			return &page.Policies[i], nil
		}
	}
	return nil, nil
}
