// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package importer

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/orgapi"
)

// organization reads the OUs (walking down from the root), the member accounts and
// the customer-managed SCPs and RCPs with their targets.
func (im *importer) organization(ctx context.Context) error {
	api := im.c.Organizations
	org, err := api.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		return err
	}
	im.management = aws.ToString(org.Organization.MasterAccountId)
	roots, err := api.ListRoots(ctx, &organizations.ListRootsInput{MaxResults: aws.Int32(awsx.OrganizationsPage)})
	if err != nil {
		return err
	}
	if len(roots.Roots) == 0 {
		return fmt.Errorf("the organization has no root")
	}
	im.rootID = aws.ToString(roots.Roots[0].Id)

	ous := map[string]types.OrganizationalUnit{}
	parents := map[string]string{} // OU or account id -> parent id
	for queue := []string{im.rootID}; len(queue) > 0; queue = queue[1:] {
		parent := queue[0]
		p := organizations.NewListOrganizationalUnitsForParentPaginator(api, &organizations.ListOrganizationalUnitsForParentInput{ParentId: &parent, MaxResults: aws.Int32(awsx.OrganizationsPage)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, ou := range page.OrganizationalUnits {
				id := aws.ToString(ou.Id)
				ous[id], parents[id] = ou, parent
				queue = append(queue, id)
			}
		}
		pa := organizations.NewListAccountsForParentPaginator(api, &organizations.ListAccountsForParentInput{ParentId: &parent, MaxResults: aws.Int32(awsx.OrganizationsPage)})
		for pa.HasMorePages() {
			page, err := pa.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, a := range page.Accounts {
				parents[aws.ToString(a.Id)] = parent
			}
		}
	}
	byName := map[string]string{}
	for id, ou := range ous {
		byName[id] = aws.ToString(ou.Name)
	}
	im.ouNames = assign(byName, "ou")
	for _, id := range slices.Sorted(maps.Keys(ous)) {
		if err := im.addOU(ctx, ous[id], parents[id]); err != nil {
			return err
		}
	}

	var accounts []types.Account
	pa := organizations.NewListAccountsPaginator(api, &organizations.ListAccountsInput{MaxResults: aws.Int32(awsx.OrganizationsPage)})
	for pa.HasMorePages() {
		page, err := pa.NextPage(ctx)
		if err != nil {
			return err
		}
		accounts = append(accounts, page.Accounts...)
	}
	byName = map[string]string{}
	for _, a := range accounts {
		id := aws.ToString(a.Id)
		switch {
		case id == im.management:
			im.skip("the management account %s (it is the organization itself)", id)
		case a.State == types.AccountStateSuspended || a.State == types.AccountStateClosed || a.State == types.AccountStatePendingClosure ||
			a.Status == types.AccountStatusSuspended || a.Status == types.AccountStatusPendingClosure:
			im.skip("account %s, which is closing or closed", id)
		default:
			byName[id] = aws.ToString(a.Name)
		}
	}
	im.accounts = assign(byName, "account")
	for _, a := range accounts {
		if _, ok := im.accounts[aws.ToString(a.Id)]; ok {
			if err := im.addAccount(ctx, a, parents[aws.ToString(a.Id)]); err != nil {
				return err
			}
		}
	}
	return im.policies(ctx)
}

func (im *importer) addOU(ctx context.Context, ou types.OrganizationalUnit, parent string) error {
	id := aws.ToString(ou.Id)
	tags, err := orgapi.Tags(ctx, im.c.Organizations, id)
	if err != nil {
		return err
	}
	obj := &v1alpha1.OrganizationalUnit{ObjectMeta: metav1.ObjectMeta{Name: im.ouNames[id]},
		Spec: v1alpha1.OrganizationalUnitSpec{Name: aws.ToString(ou.Name), Tags: userTags(tags),
			DeletionPolicy: v1alpha1.DeletionPolicyRetain, ManagementPolicy: im.o.ManagementPolicy}}
	if parent != im.rootID {
		obj.Spec.ParentRef = &v1alpha1.LocalRef{Name: im.ouNames[parent]}
	}
	return im.add("OrganizationalUnit", obj)
}

func (im *importer) addAccount(ctx context.Context, a types.Account, parent string) error {
	id := aws.ToString(a.Id)
	tags, err := orgapi.Tags(ctx, im.c.Organizations, id)
	if err != nil {
		return err
	}
	obj := &v1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Name: im.accounts[id], Namespace: im.o.Namespace},
		Spec: v1alpha1.AccountSpec{Name: aws.ToString(a.Name), Email: aws.ToString(a.Email), Tags: userTags(tags),
			DeletionPolicy: v1alpha1.AccountDeletionPolicy(v1alpha1.DeletionPolicyRetain), ManagementPolicy: im.o.ManagementPolicy}}
	if parent != im.rootID && parent != "" {
		obj.Spec.OrganizationalUnitRef = &v1alpha1.LocalRef{Name: im.ouNames[parent]}
	}
	return im.add("Account", obj)
}

// policies reads the customer-managed SCPs and RCPs; AWS-managed ones (FullAWSAccess)
// cannot be managed and are left out.
func (im *importer) policies(ctx context.Context) error {
	api := im.c.Organizations
	var found []types.PolicySummary
	for _, typ := range []types.PolicyType{types.PolicyTypeServiceControlPolicy, types.PolicyTypeResourceControlPolicy} {
		p := organizations.NewListPoliciesPaginator(api, &organizations.ListPoliciesInput{Filter: typ, MaxResults: aws.Int32(awsx.OrganizationsPage)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil && awsx.Classify(err) == awsx.Refused { // a policy type this organization does not know
				break
			}
			if err != nil {
				return err
			}
			for _, s := range page.Policies {
				if s.AwsManaged {
					im.skip("the AWS-managed policy %s", aws.ToString(s.Name))
					continue
				}
				found = append(found, s)
			}
		}
	}
	byName := map[string]string{}
	for _, s := range found {
		byName[aws.ToString(s.Id)] = aws.ToString(s.Name)
	}
	objNames := assign(byName, "policy")
	for _, s := range found {
		if err := im.addPolicy(ctx, s, objNames[aws.ToString(s.Id)]); err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) addPolicy(ctx context.Context, s types.PolicySummary, name string) error {
	api := im.c.Organizations
	id := aws.ToString(s.Id)
	d, err := api.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: &id})
	if err != nil {
		return err
	}
	content := aws.ToString(d.Policy.Content)
	if !json.Valid([]byte(content)) {
		im.skip("policy %s, whose document is not JSON", aws.ToString(s.Name))
		return nil
	}
	tags, err := orgapi.Tags(ctx, api, id)
	if err != nil {
		return err
	}
	obj := &v1alpha1.ServiceControlPolicy{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: v1alpha1.ServiceControlPolicySpec{Name: aws.ToString(s.Name), Description: aws.ToString(s.Description), Type: string(s.Type),
			Document: runtime.RawExtension{Raw: []byte(content)}, Tags: userTags(tags),
			DeletionPolicy: v1alpha1.DeletionPolicyRetain, ManagementPolicy: im.o.ManagementPolicy}}
	p := organizations.NewListTargetsForPolicyPaginator(api, &organizations.ListTargetsForPolicyInput{PolicyId: &id, MaxResults: aws.Int32(awsx.OrganizationsPage)})
	var targets []types.PolicyTargetSummary
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		targets = append(targets, page.Targets...)
	}
	slices.SortFunc(targets, func(a, b types.PolicyTargetSummary) int {
		return cmp.Compare(aws.ToString(a.TargetId), aws.ToString(b.TargetId))
	})
	for _, t := range targets {
		tid := aws.ToString(t.TargetId)
		switch {
		case t.Type == types.TargetTypeRoot:
			obj.Spec.TargetRefs = append(obj.Spec.TargetRefs, v1alpha1.PolicyTargetRef{Kind: "Root"})
		case im.ouNames[tid] != "":
			obj.Spec.TargetRefs = append(obj.Spec.TargetRefs, v1alpha1.PolicyTargetRef{Kind: "OrganizationalUnit", Name: im.ouNames[tid]})
		case im.accounts[tid] != "":
			obj.Spec.TargetRefs = append(obj.Spec.TargetRefs, v1alpha1.PolicyTargetRef{Kind: "Account", Name: im.accounts[tid], Namespace: im.o.Namespace})
		default: // the management account, or an account on its way out
			obj.Spec.TargetIDs = append(obj.Spec.TargetIDs, tid)
		}
	}
	return im.add("ServiceControlPolicy", obj)
}
