// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Package organizationalunit maps OrganizationalUnit objects to AWS Organizations OUs:
// create, adopt by name under the parent, rename, tags, and delete once empty.
package organizationalunit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/orgapi"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// Kind is the OrganizationalUnit controller's mapping to AWS.
type Kind struct{ *common.Env }

// Setup registers the controller.
func Setup(ctx context.Context, mgr ctrl.Manager, env *common.Env, opts reconciler.Options) error {
	return reconciler.Setup(ctx, mgr, reconciler.Controller[*v1alpha1.OrganizationalUnit]{Name: "organizationalunit", Kind: &Kind{env},
		New: func() *v1alpha1.OrganizationalUnit { return &v1alpha1.OrganizationalUnit{} },
		Dependencies: []reconciler.Dependency{common.OnOU("spec.parentRef", func(o client.Object) []string {
			if ref := o.(*v1alpha1.OrganizationalUnit).Spec.ParentRef; ref != nil {
				return []string{ref.Name}
			}
			return nil
		})}}, opts)
}

// parentID resolves the OU's parent: a referenced OU, a raw id, or the root.
func (k *Kind) parentID(ctx context.Context, ou *v1alpha1.OrganizationalUnit, tree *orgapi.Tree) (string, error) {
	switch {
	case ou.Spec.ParentRef != nil:
		id, _, err := k.OUID(ctx, ou.Spec.ParentRef.Name)
		return id, err
	case ou.Spec.ParentID != "":
		return ou.Spec.ParentID, nil
	default:
		return tree.RootID, nil
	}
}

// Observe finds the OU by id, or by name under its parent, and plans what differs.
func (k *Kind) Observe(ctx context.Context, ou *v1alpha1.OrganizationalUnit) (reconciler.Observation, error) {
	tree, err := k.Org.Tree(ctx)
	if err != nil {
		return reconciler.Observation{}, err
	}
	parent, err := k.parentID(ctx, ou, tree)
	if err != nil {
		return reconciler.Observation{}, err
	}
	found, ok := tree.OUs[ou.Status.ID]
	byName := false
	if !ok {
		found, ok = tree.OUByName(parent, ou.AWSName())
		byName = ok
	}
	if !ok {
		return reconciler.Observation{Plan: k.createPlan(ou, tree, parent)}, nil
	}
	var tags map[string]string
	adopted := false
	if reconciler.FullCheck(ctx) || byName {
		if tags, err = orgapi.Tags(ctx, k.OrgAPI, found.ID); err != nil {
			return reconciler.Observation{}, err
		}
		adopted, err = k.Claim(ctx, ou, common.AWSObject{Noun: "OU", Name: found.Name, ID: found.ID, Owner: tags[common.OwnerTag],
			Fix: "choose another spec.name, or another parent"})
		if err != nil {
			return reconciler.Observation{}, err
		}
	}
	ou.Status.ID, ou.Status.ARN, ou.Status.ParentID, ou.Status.Path = found.ID, found.Arn, found.ParentID, tree.Path(found.ID)
	if found.ParentID != parent {
		return reconciler.Observation{}, reconciler.Stalled(v1alpha1.ReasonInvalidSpec,
			"the OU %s is under %s in AWS but the spec says %s; AWS cannot move OUs: recreate the OU under the new parent and move its accounts", found.ID, found.ParentID, parent)
	}
	var plan reconciler.Plan
	if found.Name != ou.AWSName() {
		plan.Add(fmt.Sprintf("rename OU %s (%s) to %q", found.Name, found.ID, ou.AWSName()), k.rename(ou, found))
	}
	if tags != nil {
		plan = common.AddTags(plan, fmt.Sprintf("OU %s (%s)", found.Name, found.ID), tags, common.WantTags(ou, ou.Spec.Tags), orgapi.TagFuncs(k.OrgAPI, found.ID))
	}
	return reconciler.Observation{Exists: true, Adopted: adopted, Plan: plan}, nil
}

func (k *Kind) createPlan(ou *v1alpha1.OrganizationalUnit, tree *orgapi.Tree, parent string) reconciler.Plan {
	var plan reconciler.Plan
	plan.Add(fmt.Sprintf("create OU %q under %s", ou.AWSName(), tree.Describe(parent)), func(ctx context.Context) error {
		out, err := k.OrgAPI.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
			ParentId: &parent, Name: aws.String(ou.AWSName()), Tags: orgapi.ToTags(common.WantTags(ou, ou.Spec.Tags))})
		switch {
		case awsx.IsNotFound(err) && ou.Spec.ParentID != "":
			return reconciler.Stalled(v1alpha1.ReasonInvalidSpec, "the parent %s in spec.parentId does not exist in AWS; fix spec.parentId", parent)
		case awsx.IsAlreadyExists(err):
			k.Org.Invalidate() // created meanwhile outside this read of the tree: read it again, then adopt
			return fmt.Errorf("an OU named %q appeared under %s meanwhile; reading the organization again", ou.AWSName(), parent)
		case err != nil:
			return common.Fail(fmt.Sprintf("create OU %q under %s", ou.AWSName(), parent), err)
		}
		u := out.OrganizationalUnit
		ou.Status.ID, ou.Status.ARN, ou.Status.ParentID = aws.ToString(u.Id), aws.ToString(u.Arn), parent
		k.Org.Update(func(t *orgapi.Tree) {
			t.OUs[ou.Status.ID] = orgapi.OU{ID: ou.Status.ID, Arn: ou.Status.ARN, Name: ou.AWSName(), ParentID: parent}
		})
		return nil
	})
	return plan
}

func (k *Kind) rename(ou *v1alpha1.OrganizationalUnit, cur orgapi.OU) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := k.OrgAPI.UpdateOrganizationalUnit(ctx, &organizations.UpdateOrganizationalUnitInput{
			OrganizationalUnitId: &cur.ID, Name: aws.String(ou.AWSName())})
		if err != nil {
			return common.Fail(fmt.Sprintf("rename OU %s to %q", cur.ID, ou.AWSName()), err)
		}
		k.Org.Update(func(t *orgapi.Tree) { cur.Name = ou.AWSName(); t.OUs[cur.ID] = cur })
		return nil
	}
}

// Delete deletes the OU once it holds no accounts and no OUs; it never deletes an OU
// that belongs to another object.
func (k *Kind) Delete(ctx context.Context, ou *v1alpha1.OrganizationalUnit) (reconciler.Changes, error) {
	tree, err := k.Org.Tree(ctx)
	if err != nil {
		return nil, err
	}
	found, ok := tree.OUs[ou.Status.ID]
	if !ok && ou.Status.ID == "" { // never saw its id: look it up by name under its parent
		if parent, err := k.parentID(ctx, ou, tree); err == nil {
			found, ok = tree.OUByName(parent, ou.AWSName())
		}
	}
	if !ok {
		return nil, nil
	}
	tags, err := orgapi.Tags(ctx, k.OrgAPI, found.ID)
	if awsx.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !common.Owns(ou, found.ID, tags[common.OwnerTag]) {
		return reconciler.Changes{fmt.Sprintf("Left OU %s in AWS: it belongs to another object", found.ID)}, nil
	}
	if tree.HasChildren(found.ID) {
		if err := k.notEmpty(ctx, found.ID); err != nil {
			return nil, err
		}
	}
	_, err = k.OrgAPI.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: &found.ID})
	switch {
	case awsx.IsNotFound(err):
	case awsx.Classify(err) == awsx.Busy: // not empty after all: someone added a child
		k.Org.Invalidate()
		return nil, reconciler.Wait(10*time.Second, v1alpha1.ReasonDeleting, "OU %s is not empty in AWS; reading the organization again", found.ID)
	case err != nil:
		return nil, common.Fail("delete OU "+found.ID, err)
	}
	k.Org.Update(func(t *orgapi.Tree) { delete(t.OUs, found.ID) })
	return reconciler.Changes{"Deleted OU " + found.ID}, nil
}

// notEmpty reads what the OU holds now (the read model may be older) and, if
// anything, says what and what to do about it.
func (k *Kind) notEmpty(ctx context.Context, id string) error {
	var accounts, ous []string
	accts := organizations.NewListAccountsForParentPaginator(k.OrgAPI, &organizations.ListAccountsForParentInput{ParentId: &id, MaxResults: aws.Int32(awsx.OrganizationsPage)})
	for accts.HasMorePages() {
		page, err := accts.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, a := range page.Accounts {
			accounts = append(accounts, aws.ToString(a.Id))
		}
	}
	children := organizations.NewListOrganizationalUnitsForParentPaginator(k.OrgAPI, &organizations.ListOrganizationalUnitsForParentInput{ParentId: &id, MaxResults: aws.Int32(awsx.OrganizationsPage)})
	for children.HasMorePages() {
		page, err := children.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, u := range page.OrganizationalUnits {
			ous = append(ous, fmt.Sprintf("%s (%s)", aws.ToString(u.Name), aws.ToString(u.Id)))
		}
	}
	if len(accounts)+len(ous) == 0 {
		return nil
	}
	slices.Sort(accounts)
	slices.Sort(ous)
	return reconciler.Wait(10*time.Second, v1alpha1.ReasonDeleting,
		"OU %s still holds accounts [%s] and OUs [%s]; AWS deletes only empty OUs: the operator deletes it once they are gone. Accounts retained by their objects (deletionPolicy Retain) or not managed here stay until you move them (an Account object in another OU, or the AWS console) or close them",
		id, strings.Join(accounts, ", "), strings.Join(ous, ", "))
}

// Retain reports whether the deletion policy keeps the OU in AWS.
func (k *Kind) Retain(ou *v1alpha1.OrganizationalUnit) bool {
	return ou.Spec.DeletionPolicy == v1alpha1.DeletionPolicyRetain
}
