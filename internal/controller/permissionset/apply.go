// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package permissionset

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// apply makes one part of the permission set match; provision reports whether the
// change must be provisioned to the accounts.
func (k *Kind) apply(ctx context.Context, ps *v1alpha1.PermissionSet, instance, step string, want, have *state) (reconciler.Changes, bool, error) {
	in, arn := &instance, &ps.Status.ARN
	refused := func(what string, err error) error {
		return common.Refused(what+" of permission set "+ps.Status.ARN, err)
	}
	switch step {
	case "attributes":
		_, err := k.SSO.API.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: in, PermissionSetArn: arn,
			Description: aws.String(want.description), SessionDuration: aws.String(want.session), RelayState: optional(want.relay)})
		if err != nil {
			return nil, false, refused("update the attributes", err)
		}
		return reconciler.Changes{"Updated the attributes of permission set " + ps.Status.ARN}, true, nil
	case "managed":
		return k.syncManaged(ctx, in, arn, want, have)
	case "customer":
		return k.syncCustomer(ctx, in, arn, want, have)
	case "inline":
		var err error
		if want.inline == "" {
			_, err = k.SSO.API.DeleteInlinePolicyFromPermissionSet(ctx, &ssoadmin.DeleteInlinePolicyFromPermissionSetInput{InstanceArn: in, PermissionSetArn: arn})
		} else {
			_, err = k.SSO.API.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: in, PermissionSetArn: arn, InlinePolicy: aws.String(want.inline)})
		}
		if err != nil {
			return nil, false, refused("set the inline policy", err)
		}
		return reconciler.Changes{"Set the inline policy of permission set " + ps.Status.ARN}, true, nil
	case "boundary":
		return k.syncBoundary(ctx, in, arn, want)
	case "tags":
		return k.syncTags(ctx, in, arn, want, have)
	case "assignments":
		return k.syncAssignments(ctx, ps, instance, want, have)
	case "stale":
		return nil, true, nil
	}
	return nil, false, fmt.Errorf("unknown step %q", step)
}

func (k *Kind) syncManaged(ctx context.Context, in, arn *string, want, have *state) (reconciler.Changes, bool, error) {
	var changes reconciler.Changes
	for _, p := range want.managed {
		if slices.Contains(have.managed, p) {
			continue
		}
		_, err := k.SSO.API.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: in, PermissionSetArn: arn, ManagedPolicyArn: aws.String(p)})
		if err != nil && awsx.Code(err) != "ConflictException" {
			return changes, false, common.Refused("attach "+p, err)
		}
		changes = append(changes, "Attached "+p)
	}
	for _, p := range have.managed {
		if slices.Contains(want.managed, p) {
			continue
		}
		_, err := k.SSO.API.DetachManagedPolicyFromPermissionSet(ctx, &ssoadmin.DetachManagedPolicyFromPermissionSetInput{InstanceArn: in, PermissionSetArn: arn, ManagedPolicyArn: aws.String(p)})
		if err != nil && !awsx.IsNotFound(err) {
			return changes, false, common.Refused("detach "+p, err)
		}
		changes = append(changes, "Detached "+p)
	}
	return changes, true, nil
}

func cmpRef(key string) *ssotypes.CustomerManagedPolicyReference {
	path, name, _ := strings.Cut(key, "|")
	return &ssotypes.CustomerManagedPolicyReference{Name: aws.String(name), Path: aws.String(path)}
}

func (k *Kind) syncCustomer(ctx context.Context, in, arn *string, want, have *state) (reconciler.Changes, bool, error) {
	var changes reconciler.Changes
	for _, c := range want.customer {
		if slices.Contains(have.customer, c) {
			continue
		}
		_, err := k.SSO.API.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, &ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput{InstanceArn: in, PermissionSetArn: arn, CustomerManagedPolicyReference: cmpRef(c)})
		if err != nil && awsx.Code(err) != "ConflictException" {
			return changes, false, common.Refused("attach customer managed policy "+c, err)
		}
		changes = append(changes, "Attached customer managed policy "+strings.Replace(c, "|", "", 1))
	}
	for _, c := range have.customer {
		if slices.Contains(want.customer, c) {
			continue
		}
		_, err := k.SSO.API.DetachCustomerManagedPolicyReferenceFromPermissionSet(ctx, &ssoadmin.DetachCustomerManagedPolicyReferenceFromPermissionSetInput{InstanceArn: in, PermissionSetArn: arn, CustomerManagedPolicyReference: cmpRef(c)})
		if err != nil && !awsx.IsNotFound(err) {
			return changes, false, common.Refused("detach customer managed policy "+c, err)
		}
		changes = append(changes, "Detached customer managed policy "+strings.Replace(c, "|", "", 1))
	}
	return changes, true, nil
}

func (k *Kind) syncBoundary(ctx context.Context, in, arn *string, want *state) (reconciler.Changes, bool, error) {
	if want.boundary == "" {
		_, err := k.SSO.API.DeletePermissionsBoundaryFromPermissionSet(ctx, &ssoadmin.DeletePermissionsBoundaryFromPermissionSetInput{InstanceArn: in, PermissionSetArn: arn})
		if err != nil && !awsx.IsNotFound(err) {
			return nil, false, common.Refused("remove the permissions boundary", err)
		}
		return reconciler.Changes{"Removed the permissions boundary"}, true, nil
	}
	kind, rest, _ := strings.Cut(want.boundary, "|")
	b := &ssotypes.PermissionsBoundary{}
	if kind == "managed" {
		b.ManagedPolicyArn = aws.String(rest)
	} else {
		b.CustomerManagedPolicyReference = cmpRef(rest)
	}
	if _, err := k.SSO.API.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{InstanceArn: in, PermissionSetArn: arn, PermissionsBoundary: b}); err != nil {
		return nil, false, common.Refused("set the permissions boundary", err)
	}
	return reconciler.Changes{"Set the permissions boundary"}, true, nil
}

func (k *Kind) syncTags(ctx context.Context, in, arn *string, want, have *state) (reconciler.Changes, bool, error) {
	set, remove := awsx.DiffTags(have.tags, want.tags)
	if len(remove) > 0 {
		if _, err := k.SSO.API.UntagResource(ctx, &ssoadmin.UntagResourceInput{InstanceArn: in, ResourceArn: arn, TagKeys: remove}); err != nil {
			return nil, false, common.Refused("untag", err)
		}
	}
	if len(set) > 0 {
		if _, err := k.SSO.API.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: in, ResourceArn: arn, Tags: ssoTags(set)}); err != nil {
			return nil, false, common.Refused("tag", err)
		}
	}
	return reconciler.Changes{"Updated the tags"}, false, nil
}

func (k *Kind) syncAssignments(ctx context.Context, ps *v1alpha1.PermissionSet, instance string, want, have *state) (reconciler.Changes, bool, error) {
	var changes reconciler.Changes
	for _, a := range want.assignments {
		if slices.Contains(have.assignments, a) {
			continue
		}
		out, err := k.SSO.API.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: &instance, PermissionSetArn: &ps.Status.ARN,
			TargetId: aws.String(a.Account), TargetType: ssotypes.TargetTypeAwsAccount, PrincipalType: ssotypes.PrincipalType(a.PrincipalType), PrincipalId: aws.String(a.PrincipalID)})
		if err != nil {
			return changes, false, common.Refused("assign "+a.String(), err)
		}
		ps.Status.PendingRequests = append(ps.Status.PendingRequests, v1alpha1.PendingRequest{Type: "CreateAssignment",
			RequestID: aws.ToString(out.AccountAssignmentCreationStatus.RequestId), AccountID: a.Account})
		changes = append(changes, "Assigning "+a.String())
	}
	for _, a := range have.assignments {
		if slices.Contains(want.assignments, a) {
			continue
		}
		c, err := k.deleteAssignment(ctx, ps, instance, a)
		if err != nil {
			return changes, false, err
		}
		changes = append(changes, c)
	}
	return changes, false, nil
}

func (k *Kind) deleteAssignment(ctx context.Context, ps *v1alpha1.PermissionSet, instance string, a assignmentKey) (string, error) {
	out, err := k.SSO.API.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: &instance, PermissionSetArn: &ps.Status.ARN,
		TargetId: aws.String(a.Account), TargetType: ssotypes.TargetTypeAwsAccount, PrincipalType: ssotypes.PrincipalType(a.PrincipalType), PrincipalId: aws.String(a.PrincipalID)})
	if awsx.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", common.Refused("remove the assignment "+a.String(), err)
	}
	ps.Status.PendingRequests = append(ps.Status.PendingRequests, v1alpha1.PendingRequest{Type: "DeleteAssignment",
		RequestID: aws.ToString(out.AccountAssignmentDeletionStatus.RequestId), AccountID: a.Account})
	return "Removing " + a.String(), nil
}
