// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Package ssoapi is the operator's seam to IAM Identity Center (sso-admin and
// identitystore): the narrow API it uses, and a directory that finds the instance
// and looks principals up by name once. It speaks AWS, not Kubernetes: it must not
// import controllers or API types.
package ssoapi

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	awsx "github.com/awsorg/awsorg-operator/internal/aws"
)

// API is the part of the sso-admin client the operator uses.
type API interface {
	ssoadmin.ListInstancesAPIClient
	ssoadmin.ListPermissionSetsAPIClient
	ssoadmin.ListManagedPoliciesInPermissionSetAPIClient
	ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetAPIClient
	ssoadmin.ListAccountAssignmentsAPIClient
	ssoadmin.ListAccountsForProvisionedPermissionSetAPIClient
	ssoadmin.ListTagsForResourceAPIClient
	ssoadmin.ListAccountAssignmentsForPrincipalAPIClient
	ssoadmin.ListAccountAssignmentCreationStatusAPIClient
	ssoadmin.ListAccountAssignmentDeletionStatusAPIClient
	ssoadmin.ListPermissionSetProvisioningStatusAPIClient
	CreatePermissionSet(context.Context, *ssoadmin.CreatePermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.CreatePermissionSetOutput, error)
	DescribePermissionSet(context.Context, *ssoadmin.DescribePermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.DescribePermissionSetOutput, error)
	UpdatePermissionSet(context.Context, *ssoadmin.UpdatePermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.UpdatePermissionSetOutput, error)
	DeletePermissionSet(context.Context, *ssoadmin.DeletePermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.DeletePermissionSetOutput, error)
	AttachManagedPolicyToPermissionSet(context.Context, *ssoadmin.AttachManagedPolicyToPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.AttachManagedPolicyToPermissionSetOutput, error)
	DetachManagedPolicyFromPermissionSet(context.Context, *ssoadmin.DetachManagedPolicyFromPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.DetachManagedPolicyFromPermissionSetOutput, error)
	AttachCustomerManagedPolicyReferenceToPermissionSet(context.Context, *ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetOutput, error)
	DetachCustomerManagedPolicyReferenceFromPermissionSet(context.Context, *ssoadmin.DetachCustomerManagedPolicyReferenceFromPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.DetachCustomerManagedPolicyReferenceFromPermissionSetOutput, error)
	PutInlinePolicyToPermissionSet(context.Context, *ssoadmin.PutInlinePolicyToPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.PutInlinePolicyToPermissionSetOutput, error)
	GetInlinePolicyForPermissionSet(context.Context, *ssoadmin.GetInlinePolicyForPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.GetInlinePolicyForPermissionSetOutput, error)
	DeleteInlinePolicyFromPermissionSet(context.Context, *ssoadmin.DeleteInlinePolicyFromPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.DeleteInlinePolicyFromPermissionSetOutput, error)
	PutPermissionsBoundaryToPermissionSet(context.Context, *ssoadmin.PutPermissionsBoundaryToPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.PutPermissionsBoundaryToPermissionSetOutput, error)
	GetPermissionsBoundaryForPermissionSet(context.Context, *ssoadmin.GetPermissionsBoundaryForPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.GetPermissionsBoundaryForPermissionSetOutput, error)
	DeletePermissionsBoundaryFromPermissionSet(context.Context, *ssoadmin.DeletePermissionsBoundaryFromPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.DeletePermissionsBoundaryFromPermissionSetOutput, error)
	ProvisionPermissionSet(context.Context, *ssoadmin.ProvisionPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.ProvisionPermissionSetOutput, error)
	DescribePermissionSetProvisioningStatus(context.Context, *ssoadmin.DescribePermissionSetProvisioningStatusInput, ...func(*ssoadmin.Options)) (*ssoadmin.DescribePermissionSetProvisioningStatusOutput, error)
	CreateAccountAssignment(context.Context, *ssoadmin.CreateAccountAssignmentInput, ...func(*ssoadmin.Options)) (*ssoadmin.CreateAccountAssignmentOutput, error)
	DescribeAccountAssignmentCreationStatus(context.Context, *ssoadmin.DescribeAccountAssignmentCreationStatusInput, ...func(*ssoadmin.Options)) (*ssoadmin.DescribeAccountAssignmentCreationStatusOutput, error)
	DeleteAccountAssignment(context.Context, *ssoadmin.DeleteAccountAssignmentInput, ...func(*ssoadmin.Options)) (*ssoadmin.DeleteAccountAssignmentOutput, error)
	DescribeAccountAssignmentDeletionStatus(context.Context, *ssoadmin.DescribeAccountAssignmentDeletionStatusInput, ...func(*ssoadmin.Options)) (*ssoadmin.DescribeAccountAssignmentDeletionStatusOutput, error)
	TagResource(context.Context, *ssoadmin.TagResourceInput, ...func(*ssoadmin.Options)) (*ssoadmin.TagResourceOutput, error)
	UntagResource(context.Context, *ssoadmin.UntagResourceInput, ...func(*ssoadmin.Options)) (*ssoadmin.UntagResourceOutput, error)
}

// Identities is the part of the identitystore client the operator uses.
type Identities interface {
	GetGroupId(context.Context, *identitystore.GetGroupIdInput, ...func(*identitystore.Options)) (*identitystore.GetGroupIdOutput, error) //nolint:revive // SDK name
	GetUserId(context.Context, *identitystore.GetUserIdInput, ...func(*identitystore.Options)) (*identitystore.GetUserIdOutput, error)    //nolint:revive // SDK name
	DescribeGroup(context.Context, *identitystore.DescribeGroupInput, ...func(*identitystore.Options)) (*identitystore.DescribeGroupOutput, error)
	DescribeUser(context.Context, *identitystore.DescribeUserInput, ...func(*identitystore.Options)) (*identitystore.DescribeUserOutput, error)
}

var (
	_ API        = (*ssoadmin.Client)(nil)
	_ Identities = (*identitystore.Client)(nil)
)

// Directory finds the Identity Center instance and principals by name, once each, and
// follows the instance's asynchronous requests.
type Directory struct {
	API         API
	Identities  Identities
	Requests    *Requests
	Assignments *Assignments
	Sets        *SetNames

	mu          sync.Mutex
	instanceArn string
	storeID     string
	principals  map[string]string // "GROUP/name" -> id
	// nameless are the principals the identity store has no name for ("GROUP/id"),
	// and when it said so: they are not asked for again for a while.
	nameless map[string]time.Time
}

// namelessFor is how long a principal the identity store does not know keeps its id
// for a name before it is looked up again.
const namelessFor = 10 * time.Minute

// NewDirectory returns a directory over the two clients.
func NewDirectory(api API, ids Identities) *Directory {
	return &Directory{API: api, Identities: ids, principals: map[string]string{}, Requests: NewRequests(api), Assignments: NewAssignments(api, 10*time.Minute), Sets: NewSetNames(api)}
}

// Instance returns the instance ARN and its identity store id.
func (d *Directory) Instance(ctx context.Context) (string, string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.instanceArn != "" {
		return d.instanceArn, d.storeID, nil
	}
	out, err := d.API.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil {
		return "", "", fmt.Errorf("listing Identity Center instances: %w", err)
	}
	if len(out.Instances) == 0 {
		return "", "", fmt.Errorf("IAM Identity Center is not enabled in this organization")
	}
	d.instanceArn, d.storeID = aws.ToString(out.Instances[0].InstanceArn), aws.ToString(out.Instances[0].IdentityStoreId)
	return d.instanceArn, d.storeID, nil
}

// PrincipalName returns a group's display name or a user's user name, for people:
// the id itself when the identity store cannot say.
func (d *Directory) PrincipalName(ctx context.Context, principalType, id string) string {
	_, store, err := d.Instance(ctx)
	if err != nil {
		return id
	}
	d.mu.Lock()
	for key, known := range d.principals {
		if known == id && strings.HasPrefix(key, principalType+"/") {
			d.mu.Unlock()
			return strings.TrimPrefix(key, principalType+"/")
		}
	}
	if at, ok := d.nameless[principalType+"/"+id]; ok && time.Since(at) < namelessFor {
		d.mu.Unlock()
		return id
	}
	d.mu.Unlock()
	var name string
	if principalType == "USER" {
		var out *identitystore.DescribeUserOutput
		if out, err = d.Identities.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: &store, UserId: &id}); err == nil {
			name = aws.ToString(out.UserName)
		}
	} else {
		var out *identitystore.DescribeGroupOutput
		if out, err = d.Identities.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: &store, GroupId: &id}); err == nil {
			name = aws.ToString(out.DisplayName)
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case awsx.IsNotFound(err):
		if d.nameless == nil {
			d.nameless = map[string]time.Time{}
		}
		d.nameless[principalType+"/"+id] = time.Now()
		return id
	case name == "": // a transient error: the next round asks again
		return id
	}
	d.principals[principalType+"/"+name] = id
	return name
}

// PrincipalID looks up a group by display name or a user by user name.
func (d *Directory) PrincipalID(ctx context.Context, principalType, name string) (string, error) {
	_, store, err := d.Instance(ctx)
	if err != nil {
		return "", err
	}
	key := principalType + "/" + name
	d.mu.Lock()
	id, ok := d.principals[key]
	d.mu.Unlock()
	if ok {
		return id, nil
	}
	if principalType == "USER" {
		out, err := d.Identities.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: &store, AlternateIdentifier: unique("userName", name)})
		if err != nil {
			return "", err
		}
		id = aws.ToString(out.UserId)
	} else {
		out, err := d.Identities.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: &store, AlternateIdentifier: unique("displayName", name)})
		if err != nil {
			return "", err
		}
		id = aws.ToString(out.GroupId)
	}
	d.mu.Lock()
	d.principals[key] = id
	d.mu.Unlock()
	return id, nil
}

func unique(path, value string) idtypes.AlternateIdentifier {
	return &idtypes.AlternateIdentifierMemberUniqueAttribute{Value: idtypes.UniqueAttribute{
		AttributePath: aws.String(path), AttributeValue: document.NewLazyDocument(value)}}
}
