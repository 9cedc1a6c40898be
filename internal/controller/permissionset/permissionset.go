// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Package permissionset maps PermissionSet objects to IAM Identity Center permission
// sets: attributes, managed, customer managed and inline policies, the permissions
// boundary, tags, and account assignments, provisioned to every account they reach.
// The object is Ready only when every request to AWS has succeeded.
package permissionset

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/ssoapi"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// RequestPoll is how often requests in progress are looked at.
var RequestPoll = 2 * time.Second

// Kind is the PermissionSet controller's mapping to AWS.
type Kind struct {
	*common.Env
	SSO *ssoapi.Directory
}

// Setup registers the controller.
func Setup(mgr ctrl.Manager, env *common.Env, dir *ssoapi.Directory, opts reconciler.Options) error {
	return reconciler.Setup(mgr, "permissionset", reconciler.Kind[*v1alpha1.PermissionSet](&Kind{Env: env, SSO: dir}),
		func() *v1alpha1.PermissionSet { return &v1alpha1.PermissionSet{} }, opts)
}

// Observe follows requests in progress, then compares the permission set with the spec.
func (k *Kind) Observe(ctx context.Context, ps *v1alpha1.PermissionSet) (reconciler.Observation, error) {
	if err := k.followRequests(ctx, ps); err != nil {
		return reconciler.Observation{}, err
	}
	want, err := k.desired(ctx, ps)
	if err != nil {
		return reconciler.Observation{}, err
	}
	full := common.NeedsFullCheck(ps)
	have, err := k.read(ctx, ps, want, full)
	if err != nil || have == nil {
		return reconciler.Observation{}, err
	}
	upToDate := len(diff(want, have, full)) == 0
	return reconciler.Observation{Exists: true, UpToDate: upToDate}, nil
}

// followRequests drops the requests that ended; a failure stalls the object until
// its spec changes.
func (k *Kind) followRequests(ctx context.Context, ps *v1alpha1.PermissionSet) error {
	if ps.Status.Failure != "" && ps.Status.FailedGeneration != ps.Generation {
		ps.Status.Failure = "" // the spec changed: try again
	}
	instance, _, err := k.SSO.Instance(ctx)
	if err != nil {
		return err
	}
	var still []v1alpha1.PendingRequest
	for _, r := range ps.Status.PendingRequests {
		status, reason, err := k.requestStatus(ctx, instance, r)
		if err != nil {
			return err
		}
		switch status {
		case ssotypes.StatusValuesInProgress:
			still = append(still, r)
		case ssotypes.StatusValuesFailed:
			ps.Status.Failure = fmt.Sprintf("%s for account %s failed: %s", r.Type, r.AccountID, reason)
			ps.Status.FailedGeneration = ps.Generation
		}
	}
	ps.Status.PendingRequests = still
	if len(still) > 0 {
		return reconciler.Wait(RequestPoll, v1alpha1.ReasonProgressing, "%d Identity Center requests in progress (%s %s)", len(still), still[0].Type, still[0].RequestID)
	}
	if ps.Status.Failure != "" {
		return reconciler.Stalled(v1alpha1.ReasonAWSRefused, "%s; fix the cause and change the spec to try again", ps.Status.Failure)
	}
	return nil
}

func (k *Kind) requestStatus(ctx context.Context, instance string, r v1alpha1.PendingRequest) (ssotypes.StatusValues, string, error) {
	var st ssotypes.StatusValues
	var reason *string
	switch r.Type {
	case "Provision":
		out, err := k.SSO.API.DescribePermissionSetProvisioningStatus(ctx, &ssoadmin.DescribePermissionSetProvisioningStatusInput{InstanceArn: &instance, ProvisionPermissionSetRequestId: &r.RequestID})
		if err != nil {
			return "", "", ignoreGone(err)
		}
		st, reason = out.PermissionSetProvisioningStatus.Status, out.PermissionSetProvisioningStatus.FailureReason
	case "CreateAssignment":
		out, err := k.SSO.API.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: &instance, AccountAssignmentCreationRequestId: &r.RequestID})
		if err != nil {
			return "", "", ignoreGone(err)
		}
		st, reason = out.AccountAssignmentCreationStatus.Status, out.AccountAssignmentCreationStatus.FailureReason
	default:
		out, err := k.SSO.API.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{InstanceArn: &instance, AccountAssignmentDeletionRequestId: &r.RequestID})
		if err != nil {
			return "", "", ignoreGone(err)
		}
		st, reason = out.AccountAssignmentDeletionStatus.Status, out.AccountAssignmentDeletionStatus.FailureReason
	}
	return st, aws.ToString(reason), nil
}

// ignoreGone treats a request AWS no longer knows as ended.
func ignoreGone(err error) error {
	if awsx.IsNotFound(err) {
		return nil
	}
	return err
}

// Create creates the permission set; policies and assignments follow in Update.
func (k *Kind) Create(ctx context.Context, ps *v1alpha1.PermissionSet) (reconciler.Changes, error) {
	instance, _, err := k.SSO.Instance(ctx)
	if err != nil {
		return nil, err
	}
	out, err := k.SSO.API.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: &instance, Name: aws.String(ps.AWSName()),
		Description: optional(ps.Spec.Description), SessionDuration: optional(ps.Spec.SessionDuration), RelayState: optional(ps.Spec.RelayState),
		Tags: ssoTags(ps.Spec.Tags)})
	if awsx.Code(err) == "ConflictException" {
		return nil, nil // it exists: the next observe adopts it by name
	}
	if err != nil {
		return nil, common.Refused(fmt.Sprintf("create permission set %q", ps.AWSName()), err)
	}
	ps.Status.ARN, ps.Status.InstanceARN = aws.ToString(out.PermissionSet.PermissionSetArn), instance
	ps.Status.ID = ps.Status.ARN[len(ps.Status.ARN)-19:]
	return reconciler.Changes{fmt.Sprintf("Created permission set %q (%s)", ps.AWSName(), ps.Status.ARN)}, nil
}

// Update makes the permission set, its policies and its assignments match the spec,
// and provisions it wherever a change has to reach.
func (k *Kind) Update(ctx context.Context, ps *v1alpha1.PermissionSet) (reconciler.Changes, error) {
	want, err := k.desired(ctx, ps)
	if err != nil {
		return nil, err
	}
	have, err := k.read(ctx, ps, want, true)
	if err != nil || have == nil {
		return nil, err
	}
	instance := ps.Status.InstanceARN
	var changes reconciler.Changes
	needsProvision := false
	for _, step := range diff(want, have, true) {
		c, provision, err := k.apply(ctx, ps, instance, step, want, have)
		if err != nil {
			return changes, err
		}
		changes = append(changes, c...)
		needsProvision = needsProvision || provision
	}
	if needsProvision && len(have.provisioned) > 0 {
		out, err := k.SSO.API.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: &instance, PermissionSetArn: &ps.Status.ARN,
			TargetType: ssotypes.ProvisionTargetTypeAllProvisionedAccounts})
		if err != nil {
			return changes, common.Refused("provision permission set "+ps.Status.ARN, err)
		}
		ps.Status.PendingRequests = append(ps.Status.PendingRequests, v1alpha1.PendingRequest{Type: "Provision", RequestID: aws.ToString(out.PermissionSetProvisioningStatus.RequestId)})
		changes = append(changes, fmt.Sprintf("Provisioning to %d accounts", len(have.provisioned)))
	}
	return changes, nil
}

// Delete removes every assignment, waits for AWS to finish, then deletes the set.
func (k *Kind) Delete(ctx context.Context, ps *v1alpha1.PermissionSet) (reconciler.Changes, error) {
	if err := k.followRequests(ctx, ps); err != nil && !reconciler.IsStalled(err) {
		return nil, err
	}
	if ps.Status.ARN == "" {
		return nil, nil
	}
	instance := ps.Status.InstanceARN
	have, err := k.read(ctx, ps, &state{}, false)
	if err != nil || have == nil {
		return nil, err
	}
	var changes reconciler.Changes
	for _, a := range have.assignments {
		c, err := k.deleteAssignment(ctx, ps, instance, a)
		if err != nil {
			return changes, err
		}
		changes = append(changes, c)
	}
	if len(ps.Status.PendingRequests) > 0 {
		return changes, reconciler.Wait(RequestPoll, v1alpha1.ReasonDeleting, "removing %d account assignments before deleting the permission set", len(ps.Status.PendingRequests))
	}
	_, err = k.SSO.API.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: &instance, PermissionSetArn: &ps.Status.ARN})
	switch {
	case awsx.IsNotFound(err):
	case awsx.Code(err) == "ConflictException":
		return changes, reconciler.Wait(RequestPoll, v1alpha1.ReasonDeleting, "AWS is still removing assignments or provisioning: %s", awsx.Message(err))
	case err != nil:
		return changes, common.Refused("delete permission set "+ps.Status.ARN, err)
	}
	return append(changes, "Deleted permission set "+ps.Status.ARN), nil
}

// Retain reports whether the deletion policy keeps the permission set in AWS.
func (k *Kind) Retain(ps *v1alpha1.PermissionSet) bool {
	return ps.Spec.DeletionPolicy == v1alpha1.DeletionPolicyRetain
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func ssoTags(m map[string]string) []ssotypes.Tag {
	return awsx.TagList(m, func(k, v string) ssotypes.Tag { return ssotypes.Tag{Key: aws.String(k), Value: aws.String(v)} })
}
