// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package importer

import (
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
)

// permissionSets reads the permission sets of the Identity Center instance, with
// their policies, boundary, tags and assignments (by group or user name).
func (im *importer) permissionSets(ctx context.Context) error {
	api := im.c.SSOAdmin
	inst, err := api.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil {
		return err
	}
	if len(inst.Instances) == 0 {
		im.skip("permission sets: IAM Identity Center is not enabled")
		return nil
	}
	in, store := inst.Instances[0].InstanceArn, inst.Instances[0].IdentityStoreId
	var arns []string
	p := ssoadmin.NewListPermissionSetsPaginator(api, &ssoadmin.ListPermissionSetsInput{InstanceArn: in, MaxResults: aws.Int32(awsx.IdentityCenterPage)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		arns = append(arns, page.PermissionSets...)
	}
	sets := map[string]*ssotypes.PermissionSet{}
	byName := map[string]string{}
	for _, arn := range arns {
		d, err := api.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: in, PermissionSetArn: &arn})
		if err != nil {
			return err
		}
		sets[arn], byName[arn] = d.PermissionSet, aws.ToString(d.PermissionSet.Name)
	}
	objNames := assign(byName, "permission-set")
	principals := &principalNames{api: im.c.IdentityStore, store: store, names: map[string]string{}}
	for _, arn := range slices.Sorted(maps.Keys(sets)) {
		if err := im.addPermissionSet(ctx, in, arn, sets[arn], objNames[arn], principals); err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) addPermissionSet(ctx context.Context, in *string, arn string, ps *ssotypes.PermissionSet, name string, principals *principalNames) error {
	api := im.c.SSOAdmin
	spec := v1alpha1.PermissionSetSpec{Name: aws.ToString(ps.Name), Description: aws.ToString(ps.Description),
		SessionDuration: aws.ToString(ps.SessionDuration), RelayState: aws.ToString(ps.RelayState),
		DeletionPolicy: v1alpha1.DeletionPolicyRetain, ManagementPolicy: im.o.ManagementPolicy}
	if spec.SessionDuration == "PT1H" {
		spec.SessionDuration = "" // AWS's default
	}
	mp := ssoadmin.NewListManagedPoliciesInPermissionSetPaginator(api, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: in, PermissionSetArn: &arn, MaxResults: aws.Int32(awsx.IdentityCenterPage)})
	for mp.HasMorePages() {
		page, err := mp.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, m := range page.AttachedManagedPolicies {
			spec.ManagedPolicies = append(spec.ManagedPolicies, aws.ToString(m.Arn))
		}
	}
	slices.Sort(spec.ManagedPolicies)
	cp := ssoadmin.NewListCustomerManagedPolicyReferencesInPermissionSetPaginator(api, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: in, PermissionSetArn: &arn, MaxResults: aws.Int32(awsx.IdentityCenterPage)})
	for cp.HasMorePages() {
		page, err := cp.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, r := range page.CustomerManagedPolicyReferences {
			spec.CustomerManagedPolicies = append(spec.CustomerManagedPolicies, v1alpha1.CustomerManagedPolicyRef{Name: aws.ToString(r.Name), Path: pathOrEmpty(r.Path)})
		}
	}
	slices.SortFunc(spec.CustomerManagedPolicies, func(a, b v1alpha1.CustomerManagedPolicyRef) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Name, b.Name))
	})
	inline, err := api.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: in, PermissionSetArn: &arn})
	if err != nil {
		return err
	}
	if doc := aws.ToString(inline.InlinePolicy); doc != "" && json.Valid([]byte(doc)) {
		spec.InlinePolicy = &runtime.RawExtension{Raw: []byte(doc)}
	}
	b, err := api.GetPermissionsBoundaryForPermissionSet(ctx, &ssoadmin.GetPermissionsBoundaryForPermissionSetInput{InstanceArn: in, PermissionSetArn: &arn})
	switch {
	case awsx.IsNotFound(err):
	case err != nil:
		return err
	case b.PermissionsBoundary != nil:
		pb := b.PermissionsBoundary
		spec.PermissionsBoundary = &v1alpha1.PermissionsBoundary{ManagedPolicyArn: aws.ToString(pb.ManagedPolicyArn)}
		if r := pb.CustomerManagedPolicyReference; r != nil {
			spec.PermissionsBoundary.CustomerManagedPolicy = &v1alpha1.CustomerManagedPolicyRef{Name: aws.ToString(r.Name), Path: pathOrEmpty(r.Path)}
		}
	}
	tags := map[string]string{}
	tp := ssoadmin.NewListTagsForResourcePaginator(api, &ssoadmin.ListTagsForResourceInput{InstanceArn: in, ResourceArn: &arn})
	for tp.HasMorePages() {
		page, err := tp.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, t := range page.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	spec.Tags = userTags(tags)
	if spec.Assignments, err = im.assignments(ctx, in, arn, principals); err != nil {
		return err
	}
	return im.add("PermissionSet", &v1alpha1.PermissionSet{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: spec})
}

// assignments reads who holds the permission set on which accounts, one assignment
// per principal, accounts by reference where they were imported.
func (im *importer) assignments(ctx context.Context, in *string, arn string, principals *principalNames) ([]v1alpha1.Assignment, error) {
	api := im.c.SSOAdmin
	var accounts []string
	p := ssoadmin.NewListAccountsForProvisionedPermissionSetPaginator(api, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: in, PermissionSetArn: &arn, MaxResults: aws.Int32(awsx.IdentityCenterPage)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		accounts = append(accounts, page.AccountIds...)
	}
	byPrincipal := map[[2]string][]string{} // type, id -> accounts
	for _, account := range accounts {
		ap := ssoadmin.NewListAccountAssignmentsPaginator(api, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: in, PermissionSetArn: &arn, AccountId: &account, MaxResults: aws.Int32(awsx.IdentityCenterPage)})
		for ap.HasMorePages() {
			page, err := ap.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, a := range page.AccountAssignments {
				k := [2]string{string(a.PrincipalType), aws.ToString(a.PrincipalId)}
				byPrincipal[k] = append(byPrincipal[k], account)
			}
		}
	}
	var out []v1alpha1.Assignment
	for _, k := range slices.SortedFunc(maps.Keys(byPrincipal), func(a, b [2]string) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	}) {
		name, err := principals.name(ctx, k[0], k[1])
		if err != nil {
			return nil, err
		}
		as := v1alpha1.Assignment{Principal: v1alpha1.Principal{Type: k[0], Name: name}}
		if name == "" {
			as.Principal.ID = k[1]
		}
		ids := byPrincipal[k]
		slices.Sort(ids)
		for _, id := range slices.Compact(ids) {
			if n := im.accounts[id]; n != "" {
				as.AccountRefs = append(as.AccountRefs, v1alpha1.NamespacedRef{Name: n, Namespace: im.o.Namespace})
			} else {
				as.AccountIDs = append(as.AccountIDs, id)
			}
		}
		out = append(out, as)
	}
	return out, nil
}

// principalNames finds group display names and user names by id, once each.
type principalNames struct {
	api   *identitystore.Client
	store *string
	names map[string]string
}

func (p *principalNames) name(ctx context.Context, typ, id string) (string, error) {
	if n, ok := p.names[typ+"/"+id]; ok {
		return n, nil
	}
	var name string
	if typ == string(ssotypes.PrincipalTypeUser) {
		u, err := p.api.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: p.store, UserId: &id})
		if err != nil && !awsx.IsNotFound(err) {
			return "", err
		}
		if err == nil {
			name = aws.ToString(u.UserName)
		}
	} else {
		g, err := p.api.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: p.store, GroupId: &id})
		if err != nil && !awsx.IsNotFound(err) {
			return "", err
		}
		if err == nil {
			name = aws.ToString(g.DisplayName)
		}
	}
	p.names[typ+"/"+id] = name
	return name, nil
}

func pathOrEmpty(p *string) string {
	if aws.ToString(p) == "/" {
		return ""
	}
	return aws.ToString(p)
}
