// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim

import (
	"fmt"
	"strings"
	"time"

	"github.com/awsorg/awsorg-operator/internal/awssim/model"
)

// ssoState is one IAM Identity Center instance with its identity store.
type ssoState struct {
	instanceArn, storeID string
	created              time.Time
	groups, users        map[string]string // id -> display name / user name
	sets                 map[string]*permSet
	assignments          map[assignment]bool
	provisioned          map[string]map[string]int // set ARN -> account -> provisioned version
	requests             map[string]*ssoRequest
	pending              map[string]*ssoRequest // the requests in progress
}

type assignment struct{ Set, Account, PrincipalType, PrincipalID string }

type cmpRef struct{ Name, Path string }

type permSet struct {
	Arn, Name, Description, SessionDuration, RelayState string
	Created                                             time.Time
	Managed                                             []string
	Customer                                            []cmpRef
	Inline                                              string
	Boundary                                            map[string]any
	Tags                                                map[string]string
	Version                                             int // bumped by every change that needs provisioning
}

type ssoRequest struct {
	ID, Kind, Status, FailureReason string
	Created                         time.Time
	Assignment                      assignment
	Set, TargetType, TargetID       string
	version                         int
}

func newSSOState(s *Server) *ssoState {
	st := &ssoState{created: s.now(), groups: map[string]string{}, users: map[string]string{}, sets: map[string]*permSet{},
		assignments: map[assignment]bool{}, provisioned: map[string]map[string]int{}, requests: map[string]*ssoRequest{},
		pending: map[string]*ssoRequest{}}
	st.instanceArn = "arn:aws:sso:::instance/ssoins-" + s.randomString(16, "0123456789abcdef")
	st.storeID = "d-" + s.randomString(10, "0123456789abcdef")
	for _, g := range s.cfg.Groups {
		st.groups[s.uuid()] = g
	}
	for _, u := range s.cfg.Users {
		st.users[s.uuid()] = u
	}
	return st
}

func (s *Server) uuid() string {
	h := func(n int) string { return s.randomString(n, "0123456789abcdef") }
	return h(10) + "-" + h(8) + "-" + h(4) + "-" + h(4) + "-" + h(4) + "-" + h(12)
}

func (s *Server) requestID() string {
	h := func(n int) string { return s.randomString(n, "0123456789abcdef") }
	return h(8) + "-" + h(4) + "-" + h(4) + "-" + h(4) + "-" + h(12)
}

func ssoErr(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: 400}
}

func ssoInvalid(msg, _ string) *Error { return ssoErr("ValidationException", "%s", msg) }

var ssoCommon = []string{"AccessDeniedException", "InternalServerException", "ThrottlingException", "ValidationException"}

func (s *Server) registerSSO() {
	svc := &model.SSOAdmin
	reg := func(errs ...string) []string { return append(append([]string{}, ssoCommon...), errs...) }
	register(s, svc, "ListInstances", ssoInvalid, s.listInstances, reg()...)
	register(s, svc, "CreatePermissionSet", ssoInvalid, s.createPermissionSet, reg("ConflictException", "ResourceNotFoundException", "ServiceQuotaExceededException")...)
	register(s, svc, "DescribePermissionSet", ssoInvalid, s.describePermissionSet, reg("ResourceNotFoundException")...)
	register(s, svc, "UpdatePermissionSet", ssoInvalid, s.updatePermissionSet, reg("ConflictException", "ResourceNotFoundException")...)
	register(s, svc, "DeletePermissionSet", ssoInvalid, s.deletePermissionSet, reg("ConflictException", "ResourceNotFoundException")...)
	register(s, svc, "ListPermissionSets", ssoInvalid, s.listPermissionSets, reg("ResourceNotFoundException")...)
	register(s, svc, "AttachManagedPolicyToPermissionSet", ssoInvalid, s.attachManaged, reg("ConflictException", "ResourceNotFoundException", "ServiceQuotaExceededException")...)
	register(s, svc, "DetachManagedPolicyFromPermissionSet", ssoInvalid, s.detachManaged, reg("ConflictException", "ResourceNotFoundException")...)
	register(s, svc, "ListManagedPoliciesInPermissionSet", ssoInvalid, s.listManaged, reg("ResourceNotFoundException")...)
	register(s, svc, "AttachCustomerManagedPolicyReferenceToPermissionSet", ssoInvalid, s.attachCustomer, reg("ConflictException", "ResourceNotFoundException", "ServiceQuotaExceededException")...)
	register(s, svc, "DetachCustomerManagedPolicyReferenceFromPermissionSet", ssoInvalid, s.detachCustomer, reg("ConflictException", "ResourceNotFoundException")...)
	register(s, svc, "ListCustomerManagedPolicyReferencesInPermissionSet", ssoInvalid, s.listCustomer, reg("ResourceNotFoundException")...)
	register(s, svc, "PutInlinePolicyToPermissionSet", ssoInvalid, s.putInline, reg("ConflictException", "ResourceNotFoundException", "ServiceQuotaExceededException")...)
	register(s, svc, "GetInlinePolicyForPermissionSet", ssoInvalid, s.getInline, reg("ResourceNotFoundException")...)
	register(s, svc, "DeleteInlinePolicyFromPermissionSet", ssoInvalid, s.deleteInline, reg("ConflictException", "ResourceNotFoundException")...)
	register(s, svc, "PutPermissionsBoundaryToPermissionSet", ssoInvalid, s.putBoundary, reg("ConflictException", "ResourceNotFoundException")...)
	register(s, svc, "GetPermissionsBoundaryForPermissionSet", ssoInvalid, s.getBoundary, reg("ResourceNotFoundException")...)
	register(s, svc, "DeletePermissionsBoundaryFromPermissionSet", ssoInvalid, s.deleteBoundary, reg("ConflictException", "ResourceNotFoundException")...)
	register(s, svc, "ProvisionPermissionSet", ssoInvalid, s.provisionPermissionSet, reg("ConflictException", "ResourceNotFoundException")...)
	register(s, svc, "DescribePermissionSetProvisioningStatus", ssoInvalid, s.describeProvisioning, reg("ResourceNotFoundException")...)
	register(s, svc, "CreateAccountAssignment", ssoInvalid, s.createAssignment, reg("ConflictException", "ResourceNotFoundException", "ServiceQuotaExceededException")...)
	register(s, svc, "DescribeAccountAssignmentCreationStatus", ssoInvalid, s.describeAssignmentCreation, reg("ResourceNotFoundException")...)
	register(s, svc, "DeleteAccountAssignment", ssoInvalid, s.deleteAssignment, reg("ConflictException", "ResourceNotFoundException")...)
	register(s, svc, "DescribeAccountAssignmentDeletionStatus", ssoInvalid, s.describeAssignmentDeletion, reg("ResourceNotFoundException")...)
	register(s, svc, "ListAccountAssignments", ssoInvalid, s.listAssignments, reg("ResourceNotFoundException")...)
	register(s, svc, "ListAccountAssignmentCreationStatus", ssoInvalid, s.listRequests("create", "AccountAssignmentsCreationStatus"), reg("ResourceNotFoundException")...)
	register(s, svc, "ListAccountAssignmentDeletionStatus", ssoInvalid, s.listRequests("delete", "AccountAssignmentsDeletionStatus"), reg("ResourceNotFoundException")...)
	register(s, svc, "ListPermissionSetProvisioningStatus", ssoInvalid, s.listRequests("provision", "PermissionSetsProvisioningStatus"), reg("ResourceNotFoundException")...)
	register(s, svc, "ListAccountAssignmentsForPrincipal", ssoInvalid, s.listAssignmentsForPrincipal, reg("ResourceNotFoundException")...)
	register(s, svc, "ListAccountsForProvisionedPermissionSet", ssoInvalid, s.listProvisionedAccounts, reg("ResourceNotFoundException")...)
	register(s, svc, "ListPermissionSetsProvisionedToAccount", ssoInvalid, s.listSetsProvisionedToAccount, reg()...)
	register(s, svc, "TagResource", ssoInvalid, s.ssoTag, reg("ConflictException", "ResourceNotFoundException", "ServiceQuotaExceededException")...)
	register(s, svc, "UntagResource", ssoInvalid, s.ssoUntag, reg("ConflictException", "ResourceNotFoundException")...)
	register(s, svc, "ListTagsForResource", ssoInvalid, s.ssoListTags, reg("ResourceNotFoundException")...)

	ids := &model.IdentityStore
	register(s, ids, "GetGroupId", ssoInvalid, s.getGroupID, "ResourceNotFoundException", "ValidationException")
	register(s, ids, "GetUserId", ssoInvalid, s.getUserID, "ResourceNotFoundException", "ValidationException")
	register(s, ids, "ListGroups", ssoInvalid, s.listPrincipals("Groups", "GroupId", "DisplayName", func() map[string]string { return s.sso.groups }), "ResourceNotFoundException", "ValidationException")
	register(s, ids, "ListUsers", ssoInvalid, s.listPrincipals("Users", "UserId", "UserName", func() map[string]string { return s.sso.users }), "ResourceNotFoundException", "ValidationException")
	register(s, ids, "DescribeGroup", ssoInvalid, s.describePrincipal("GroupId", "DisplayName", func() map[string]string { return s.sso.groups }), "ResourceNotFoundException", "ValidationException")
	register(s, ids, "DescribeUser", ssoInvalid, s.describePrincipal("UserId", "UserName", func() map[string]string { return s.sso.users }), "ResourceNotFoundException", "ValidationException")
}

func (s *Server) listInstances(in *pageIn) (any, error) {
	st := s.sso
	inst := map[string]any{"InstanceArn": st.instanceArn, "IdentityStoreId": st.storeID, "OwnerAccountId": s.cfg.ManagementAccountID,
		"Name": "awssim", "Status": "ACTIVE", "CreatedDate": ts(st.created)}
	items, next, err := page(s, []map[string]any{inst}, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Instances": items, "NextToken": next}, nil
}

type instanceIn struct{ InstanceArn string }

type setIn struct {
	InstanceArn      string
	PermissionSetArn string
}

func (s *Server) checkInstance(arn string) error {
	if arn != s.sso.instanceArn {
		return ssoErr("ResourceNotFoundException", "Instance %s does not exist.", arn)
	}
	return nil
}

func (s *Server) findSet(in setIn) (*permSet, error) {
	if err := s.checkInstance(in.InstanceArn); err != nil {
		return nil, err
	}
	ps := s.sso.sets[in.PermissionSetArn]
	if ps == nil {
		return nil, ssoErr("ResourceNotFoundException", "Could not find PermissionSet with id %s", in.PermissionSetArn)
	}
	return ps, nil
}

func setOut(ps *permSet) map[string]any {
	out := map[string]any{"Name": ps.Name, "PermissionSetArn": ps.Arn, "CreatedDate": ts(ps.Created)}
	if ps.Description != "" {
		out["Description"] = ps.Description
	}
	if ps.SessionDuration != "" {
		out["SessionDuration"] = ps.SessionDuration
	}
	if ps.RelayState != "" {
		out["RelayState"] = ps.RelayState
	}
	return out
}

func (s *Server) createPermissionSet(in *struct {
	instanceIn
	Name, Description, RelayState, SessionDuration string
	Tags                                           []tag
}) (any, error) {
	if err := s.checkInstance(in.InstanceArn); err != nil {
		return nil, err
	}
	for _, ps := range s.sso.sets {
		if ps.Name == in.Name {
			return nil, ssoErr("ConflictException", "PermissionSet with name %s already exists.", in.Name)
		}
	}
	if len(s.sso.sets) >= 2000 {
		return nil, ssoErr("ServiceQuotaExceededException", "The number of permission sets exceeds the quota.")
	}
	if in.SessionDuration == "" {
		in.SessionDuration = "PT1H"
	}
	if err := checkDuration(in.SessionDuration); err != nil {
		return nil, err
	}
	id := strings.TrimPrefix(s.sso.instanceArn, "arn:aws:sso:::instance/")
	ps := &permSet{Arn: "arn:aws:sso:::permissionSet/" + id + "/ps-" + s.randomString(16, "0123456789abcdef"), Name: in.Name,
		Description: in.Description, RelayState: in.RelayState, SessionDuration: in.SessionDuration, Created: s.now(), Tags: map[string]string{}}
	for _, t := range in.Tags {
		ps.Tags[t.Key] = t.Value
	}
	s.sso.sets[ps.Arn] = ps
	return map[string]any{"PermissionSet": setOut(ps)}, nil
}

// checkDuration accepts ISO-8601 durations from one to twelve hours.
func checkDuration(d string) error {
	dur, err := time.ParseDuration(strings.ToLower(strings.TrimPrefix(d, "PT")))
	if err != nil || !strings.HasPrefix(d, "PT") || dur < time.Hour || dur > 12*time.Hour {
		return ssoErr("ValidationException", "The session duration %s must be between PT1H and PT12H.", d)
	}
	return nil
}

func (s *Server) describePermissionSet(in *setIn) (any, error) {
	ps, err := s.findSet(*in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"PermissionSet": setOut(ps)}, nil
}

func (s *Server) updatePermissionSet(in *struct {
	setIn
	Description, RelayState, SessionDuration *string
}) (any, error) {
	ps, err := s.findSet(in.setIn)
	if err != nil {
		return nil, err
	}
	if in.SessionDuration != nil {
		if err := checkDuration(*in.SessionDuration); err != nil {
			return nil, err
		}
		ps.SessionDuration = *in.SessionDuration
	}
	if in.Description != nil {
		ps.Description = *in.Description
	}
	if in.RelayState != nil {
		ps.RelayState = *in.RelayState
	}
	ps.Version++
	return nil, nil
}

func (s *Server) deletePermissionSet(in *setIn) (any, error) {
	ps, err := s.findSet(*in)
	if err != nil {
		return nil, err
	}
	for a := range s.sso.assignments {
		if a.Set == ps.Arn {
			return nil, ssoErr("ConflictException", "Could not delete because PermissionSet has ApplicationProfile associated with it.")
		}
	}
	for _, r := range s.sso.requests {
		if r.Set == ps.Arn && r.Status == "IN_PROGRESS" {
			return nil, ssoErr("ConflictException", "Could not delete because there are operations in progress on the PermissionSet.")
		}
	}
	delete(s.sso.sets, ps.Arn)
	delete(s.sso.provisioned, ps.Arn)
	return nil, nil
}

func (s *Server) listPermissionSets(in *struct {
	instanceIn
	pageIn
}) (any, error) {
	if err := s.checkInstance(in.InstanceArn); err != nil {
		return nil, err
	}
	items, next, err := page(s, sortedKeys(s.sso.sets), in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	return map[string]any{"PermissionSets": items, "NextToken": next}, nil
}

func (s *Server) attachManaged(in *struct {
	setIn
	ManagedPolicyArn string
}) (any, error) {
	ps, err := s.findSet(in.setIn)
	if err != nil {
		return nil, err
	}
	if contains(ps.Managed, in.ManagedPolicyArn) {
		return nil, ssoErr("ConflictException", "Managed policy %s is already attached to the permission set.", in.ManagedPolicyArn)
	}
	if len(ps.Managed)+len(ps.Customer) >= 20 {
		return nil, ssoErr("ServiceQuotaExceededException", "A permission set may have at most 20 managed policies.")
	}
	ps.Managed = append(ps.Managed, in.ManagedPolicyArn)
	ps.Version++
	return nil, nil
}

func (s *Server) detachManaged(in *struct {
	setIn
	ManagedPolicyArn string
}) (any, error) {
	ps, err := s.findSet(in.setIn)
	if err != nil {
		return nil, err
	}
	if !contains(ps.Managed, in.ManagedPolicyArn) {
		return nil, ssoErr("ResourceNotFoundException", "Managed policy %s is not attached to the permission set.", in.ManagedPolicyArn)
	}
	ps.Managed = remove(ps.Managed, in.ManagedPolicyArn)
	ps.Version++
	return nil, nil
}

func (s *Server) listManaged(in *struct {
	setIn
	pageIn
}) (any, error) {
	ps, err := s.findSet(in.setIn)
	if err != nil {
		return nil, err
	}
	var out []map[string]string
	for _, arn := range ps.Managed {
		out = append(out, map[string]string{"Arn": arn, "Name": arn[strings.LastIndex(arn, "/")+1:]})
	}
	items, next, err := page(s, out, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	return map[string]any{"AttachedManagedPolicies": nonNil(items), "NextToken": next}, nil
}

type customerIn struct {
	setIn
	CustomerManagedPolicyReference cmpRef
}

func normalPath(r cmpRef) cmpRef {
	if r.Path == "" {
		r.Path = "/"
	}
	return r
}

func (s *Server) attachCustomer(in *customerIn) (any, error) {
	ps, err := s.findSet(in.setIn)
	if err != nil {
		return nil, err
	}
	ref := normalPath(in.CustomerManagedPolicyReference)
	for _, c := range ps.Customer {
		if c == ref {
			return nil, ssoErr("ConflictException", "Customer managed policy %s%s is already attached.", ref.Path, ref.Name)
		}
	}
	if len(ps.Managed)+len(ps.Customer) >= 20 {
		return nil, ssoErr("ServiceQuotaExceededException", "A permission set may have at most 20 managed policies.")
	}
	ps.Customer = append(ps.Customer, ref)
	ps.Version++
	return nil, nil
}

func (s *Server) detachCustomer(in *customerIn) (any, error) {
	ps, err := s.findSet(in.setIn)
	if err != nil {
		return nil, err
	}
	ref := normalPath(in.CustomerManagedPolicyReference)
	for i, c := range ps.Customer {
		if c == ref {
			ps.Customer = append(ps.Customer[:i], ps.Customer[i+1:]...)
			ps.Version++
			return nil, nil
		}
	}
	return nil, ssoErr("ResourceNotFoundException", "Customer managed policy %s%s is not attached.", ref.Path, ref.Name)
}

func (s *Server) listCustomer(in *struct {
	setIn
	pageIn
}) (any, error) {
	ps, err := s.findSet(in.setIn)
	if err != nil {
		return nil, err
	}
	items, next, err := page(s, ps.Customer, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	return map[string]any{"CustomerManagedPolicyReferences": nonNil(items), "NextToken": next}, nil
}

func (s *Server) putInline(in *struct {
	setIn
	InlinePolicy string
}) (any, error) {
	ps, err := s.findSet(in.setIn)
	if err != nil {
		return nil, err
	}
	if !isJSONPolicy(in.InlinePolicy) {
		return nil, ssoErr("ValidationException", "The inline policy is not a valid IAM policy document.")
	}
	if len(strings.Join(strings.Fields(in.InlinePolicy), "")) > 10240 {
		return nil, ssoErr("ServiceQuotaExceededException", "The inline policy exceeds 10240 non-whitespace characters.")
	}
	ps.Inline = in.InlinePolicy
	ps.Version++
	return nil, nil
}

func (s *Server) getInline(in *setIn) (any, error) {
	ps, err := s.findSet(*in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"InlinePolicy": ps.Inline}, nil
}

func (s *Server) deleteInline(in *setIn) (any, error) {
	ps, err := s.findSet(*in)
	if err != nil {
		return nil, err
	}
	if ps.Inline != "" {
		ps.Inline = ""
		ps.Version++
	}
	return nil, nil
}

func (s *Server) putBoundary(in *struct {
	setIn
	PermissionsBoundary map[string]any
}) (any, error) {
	ps, err := s.findSet(in.setIn)
	if err != nil {
		return nil, err
	}
	ps.Boundary = in.PermissionsBoundary
	ps.Version++
	return nil, nil
}

func (s *Server) getBoundary(in *setIn) (any, error) {
	ps, err := s.findSet(*in)
	if err != nil {
		return nil, err
	}
	if ps.Boundary == nil {
		return nil, ssoErr("ResourceNotFoundException", "The permission set has no permissions boundary.")
	}
	return map[string]any{"PermissionsBoundary": ps.Boundary}, nil
}

func (s *Server) deleteBoundary(in *setIn) (any, error) {
	ps, err := s.findSet(*in)
	if err != nil {
		return nil, err
	}
	if ps.Boundary == nil {
		return nil, ssoErr("ResourceNotFoundException", "The permission set has no permissions boundary.")
	}
	ps.Boundary = nil
	ps.Version++
	return nil, nil
}

func remove(list []string, v string) []string {
	out := list[:0:0]
	for _, x := range list {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}
