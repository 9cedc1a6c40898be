// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package servicecontrolpolicy

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/orgapi"
	"github.com/awsorg/awsorg-operator/internal/iampolicy"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// lockoutFix says how to go on when a change is refused as a lockout.
const lockoutFix = "attach a policy that allows what the accounts need first (FullAWSAccess), or set spec.allowLockout: true if this is meant"

// lockout refuses, before AWS sees it, a change of an SCP that would lock accounts
// out: attaching a deny of every action on every resource without a condition to the
// root or an OU that holds accounts, or leaving a target whose SCPs allow nothing
// (detaching, deleting, or changing the document so it allows nothing). doc is the
// document the policy will have ("" when it is deleted), have and want its targets
// before and after, changed whether its document changes.
func (k *Kind) lockout(ctx context.Context, p *v1alpha1.ServiceControlPolicy, tree *orgapi.Tree, policyID, doc string, changed bool, have, want []string) error {
	if p.Spec.AllowLockout || p.PolicyType() != v1alpha1.PolicyTypeSCP {
		return nil
	}
	if doc != "" && iampolicy.DeniesEverything([]byte(doc)) {
		for _, id := range want {
			if n := len(tree.Under([]string{id})); n > 0 && (changed || !slices.Contains(have, id)) && (id == tree.RootID || tree.OUs[id].ID != "") {
				return reconciler.Stalled(v1alpha1.ReasonWouldLockOut,
					"SCP %s denies every action on every resource without a condition; on %s it would lock out %d accounts: add a condition (e.g. exempting a break-glass role), or set spec.allowLockout: true if this is meant",
					p.AWSName(), tree.Describe(id), n)
			}
		}
	}
	allows := doc != "" && iampolicy.Allows([]byte(doc))
	for _, id := range have {
		stays := slices.Contains(want, id)
		if stays && (allows || !changed) {
			continue // it keeps allowing what it allowed
		}
		others, othersAllow, err := k.others(ctx, id, policyID)
		if err != nil {
			return err
		}
		if othersAllow || (others == 0 && !stays) {
			continue // AWS itself refuses to take the last SCP off a target
		}
		what := "Detaching it from SCP " + p.AWSName()
		if stays {
			what = "Its new document, which allows nothing, on SCP " + p.AWSName()
		}
		return reconciler.Stalled(v1alpha1.ReasonWouldLockOut, "%s leaves %s with SCPs that allow nothing, locking out %d accounts: %s",
			what, tree.Describe(id), len(tree.Under([]string{id})), lockoutFix)
	}
	return nil
}

// others counts the SCPs attached to target besides self, and says whether one of
// them allows something.
func (k *Kind) others(ctx context.Context, target, self string) (int, bool, error) {
	n := 0
	pg := organizations.NewListPoliciesForTargetPaginator(k.OrgAPI, &organizations.ListPoliciesForTargetInput{TargetId: &target, Filter: types.PolicyTypeServiceControlPolicy, MaxResults: aws.Int32(awsx.OrganizationsPage)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return 0, false, err
		}
		for _, s := range page.Policies {
			id := aws.ToString(s.Id)
			if id == self {
				continue
			}
			n++
			if s.AwsManaged { // FullAWSAccess
				return n, true, nil
			}
			d, err := k.OrgAPI.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: &id})
			if err != nil {
				return 0, false, err
			}
			if iampolicy.Allows([]byte(aws.ToString(d.Policy.Content))) {
				return n, true, nil
			}
		}
	}
	return n, false, nil
}
