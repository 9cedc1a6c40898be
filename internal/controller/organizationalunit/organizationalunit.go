// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Package organizationalunit maps OrganizationalUnit objects to AWS Organizations OUs:
// create, adopt by name under the parent, rename, tags, and delete once empty.
package organizationalunit

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/orgapi"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// Kind is the OrganizationalUnit controller's mapping to AWS.
type Kind struct{ *common.Env }

// Setup registers the controller.
func Setup(mgr ctrl.Manager, env *common.Env, opts reconciler.Options) error {
	return reconciler.Setup(mgr, "organizationalunit", reconciler.Kind[*v1alpha1.OrganizationalUnit](&Kind{env}),
		func() *v1alpha1.OrganizationalUnit { return &v1alpha1.OrganizationalUnit{} }, opts)
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

// Observe finds the OU by id, or adopts it by name under its parent.
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
	if !ok {
		found, ok = tree.OUByName(parent, ou.AWSName())
	}
	if !ok {
		ou.Status.ID, ou.Status.ARN = "", ""
		return reconciler.Observation{}, nil
	}
	ou.Status.ID, ou.Status.ARN, ou.Status.ParentID, ou.Status.Path = found.ID, found.Arn, found.ParentID, tree.Path(found.ID)
	if found.ParentID != parent {
		return reconciler.Observation{}, reconciler.Stalled(v1alpha1.ReasonInvalidSpec,
			"the OU %s is under %s in AWS but the spec says %s; AWS cannot move OUs: recreate the OU under the new parent and move its accounts", found.ID, found.ParentID, parent)
	}
	upToDate := found.Name == ou.AWSName()
	if upToDate && common.NeedsFullCheck(ou) {
		tags, err := orgapi.Tags(ctx, k.OrgAPI, found.ID)
		if err != nil {
			return reconciler.Observation{}, err
		}
		upToDate = maps.Equal(tags, map[string]string(ou.Spec.Tags)) || (len(tags) == 0 && len(ou.Spec.Tags) == 0)
	}
	return reconciler.Observation{Exists: true, UpToDate: upToDate}, nil
}

// Create creates the OU under its parent.
func (k *Kind) Create(ctx context.Context, ou *v1alpha1.OrganizationalUnit) (reconciler.Changes, error) {
	tree, err := k.Org.Tree(ctx)
	if err != nil {
		return nil, err
	}
	parent, err := k.parentID(ctx, ou, tree)
	if err != nil {
		return nil, err
	}
	out, err := k.OrgAPI.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
		ParentId: &parent, Name: aws.String(ou.AWSName()), Tags: orgapi.ToTags(ou.Spec.Tags)})
	switch {
	case awsx.IsNotFound(err) && ou.Spec.ParentID != "":
		return nil, reconciler.Stalled(v1alpha1.ReasonInvalidSpec, "the parent %s in spec.parentId does not exist in AWS; fix spec.parentId", parent)
	case awsx.IsAlreadyExists(err), awsx.IsNotFound(err):
		k.Org.Invalidate() // someone else changed the tree: read it again, then adopt
		return nil, reconciler.Wait(time.Second, v1alpha1.ReasonProgressing, "the organization changed outside the operator; reading it again")
	case err != nil:
		return nil, common.Refused(fmt.Sprintf("create OU %q under %s", ou.AWSName(), parent), err)
	}
	u := out.OrganizationalUnit
	ou.Status.ID, ou.Status.ARN, ou.Status.ParentID = aws.ToString(u.Id), aws.ToString(u.Arn), parent
	k.Org.Update(func(t *orgapi.Tree) {
		t.OUs[ou.Status.ID] = orgapi.OU{ID: ou.Status.ID, Arn: ou.Status.ARN, Name: ou.AWSName(), ParentID: parent}
	})
	return reconciler.Changes{fmt.Sprintf("Created OU %s %q under %s", ou.Status.ID, ou.AWSName(), parent)}, nil
}

// Update renames the OU and syncs its tags.
func (k *Kind) Update(ctx context.Context, ou *v1alpha1.OrganizationalUnit) (reconciler.Changes, error) {
	var changes reconciler.Changes
	tree, err := k.Org.Tree(ctx)
	if err != nil {
		return nil, err
	}
	if cur := tree.OUs[ou.Status.ID]; cur.Name != ou.AWSName() {
		_, err := k.OrgAPI.UpdateOrganizationalUnit(ctx, &organizations.UpdateOrganizationalUnitInput{
			OrganizationalUnitId: &ou.Status.ID, Name: aws.String(ou.AWSName())})
		if err != nil {
			return changes, common.Refused(fmt.Sprintf("rename OU %s to %q", ou.Status.ID, ou.AWSName()), err)
		}
		k.Org.Update(func(t *orgapi.Tree) { cur.Name = ou.AWSName(); t.OUs[cur.ID] = cur })
		changes = append(changes, fmt.Sprintf("Renamed OU %s to %q", ou.Status.ID, ou.AWSName()))
	}
	tags, err := orgapi.Tags(ctx, k.OrgAPI, ou.Status.ID)
	if err != nil {
		return changes, err
	}
	changed, err := orgapi.SyncTags(ctx, k.OrgAPI, ou.Status.ID, tags, ou.Spec.Tags)
	if err != nil {
		return changes, common.Refused("tag OU "+ou.Status.ID, err)
	}
	if changed {
		changes = append(changes, "Updated the tags of OU "+ou.Status.ID)
	}
	return changes, nil
}

// Delete deletes the OU once it holds no accounts and no OUs.
func (k *Kind) Delete(ctx context.Context, ou *v1alpha1.OrganizationalUnit) (reconciler.Changes, error) {
	if ou.Status.ID == "" {
		return nil, nil
	}
	tree, err := k.Org.Tree(ctx)
	if err != nil {
		return nil, err
	}
	if _, ok := tree.OUs[ou.Status.ID]; !ok {
		return nil, nil
	}
	if tree.HasChildren(ou.Status.ID) {
		return nil, reconciler.Wait(10*time.Second, v1alpha1.ReasonDeleting,
			"OU %s still holds accounts or OUs; waiting until they are moved or deleted", ou.Status.ID)
	}
	_, err = k.OrgAPI.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: &ou.Status.ID})
	switch {
	case awsx.IsNotFound(err):
	case awsx.Code(err) == "OrganizationalUnitNotEmptyException":
		k.Org.Invalidate()
		return nil, reconciler.Wait(10*time.Second, v1alpha1.ReasonDeleting,
			"OU %s still holds accounts or OUs; waiting until they are moved or deleted", ou.Status.ID)
	case err != nil:
		return nil, common.Refused("delete OU "+ou.Status.ID, err)
	}
	k.Org.Update(func(t *orgapi.Tree) { delete(t.OUs, ou.Status.ID) })
	return reconciler.Changes{"Deleted OU " + ou.Status.ID}, nil
}

// Retain reports whether the deletion policy keeps the OU in AWS.
func (k *Kind) Retain(ou *v1alpha1.OrganizationalUnit) bool {
	return ou.Spec.DeletionPolicy == v1alpha1.DeletionPolicyRetain
}
