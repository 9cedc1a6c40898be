// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

func isJSONPolicy(doc string) bool {
	var m map[string]any
	return json.Unmarshal([]byte(doc), &m) == nil && m["Statement"] != nil
}

// advance completes the asynchronous requests whose time has come.
func (st *ssoState) advance(s *Server) {
	due := s.now().Add(-s.cfg.SSODelay)
	for _, id := range sortedKeys(st.pending) {
		if r := st.pending[id]; !r.Created.After(due) {
			st.complete(s, r)
		}
	}
}

func (st *ssoState) complete(s *Server, r *ssoRequest) {
	r.Status = "SUCCEEDED"
	delete(st.pending, r.ID)
	ps := st.sets[r.Set]
	switch r.Kind {
	case "create":
		if ps == nil {
			r.Status, r.FailureReason = "FAILED", "Received a 404 status error: Permission set not found."
			return
		}
		if reason := st.provisionFailure(s, ps, r.Assignment.Account); reason != "" {
			r.Status, r.FailureReason = "FAILED", reason
			return
		}
		st.assignments[r.Assignment] = true
		st.markProvisioned(ps, r.Assignment.Account, ps.Version)
	case "delete":
		delete(st.assignments, r.Assignment)
		if !st.hasAssignments(r.Set, r.Assignment.Account) {
			delete(st.provisioned[r.Set], r.Assignment.Account)
		}
	case "provision":
		if ps == nil {
			r.Status, r.FailureReason = "FAILED", "Received a 404 status error: Permission set not found."
			return
		}
		for _, acct := range st.provisionTargets(r) {
			if reason := st.provisionFailure(s, ps, acct); reason != "" {
				r.Status, r.FailureReason = "FAILED", reason
				return
			}
			st.markProvisioned(ps, acct, r.version)
		}
	}
}

func (st *ssoState) provisionTargets(r *ssoRequest) []string {
	if r.TargetType == "AWS_ACCOUNT" {
		return []string{r.TargetID}
	}
	return sortedKeys(st.provisioned[r.Set])
}

// provisionFailure is why the set cannot be provisioned into an account: a customer
// managed policy that does not exist there.
func (st *ssoState) provisionFailure(s *Server, ps *permSet, account string) string {
	if s.cfg.CustomerManagedPolicies == nil {
		return ""
	}
	for _, c := range ps.Customer {
		if !contains(s.cfg.CustomerManagedPolicies, c.Name) {
			return fmt.Sprintf("Received a 404 status error: The customer managed policy %s%s does not exist in account %s.", c.Path, c.Name, account)
		}
	}
	return ""
}

func (st *ssoState) markProvisioned(ps *permSet, account string, version int) {
	if st.provisioned[ps.Arn] == nil {
		st.provisioned[ps.Arn] = map[string]int{}
	}
	st.provisioned[ps.Arn][account] = version
}

func (st *ssoState) hasAssignments(set, account string) bool {
	for a := range st.assignments {
		if a.Set == set && a.Account == account {
			return true
		}
	}
	return false
}

func (s *Server) newSSORequest(kind string, r *ssoRequest) *ssoRequest {
	r.ID, r.Kind, r.Status, r.Created = s.requestID(), kind, "IN_PROGRESS", s.now()
	s.sso.requests[r.ID], s.sso.pending[r.ID] = r, r
	if s.cfg.SSODelay == 0 {
		s.sso.complete(s, r)
	}
	return r
}

func provisioningOut(r *ssoRequest) map[string]any {
	out := map[string]any{"RequestId": r.ID, "Status": r.Status, "PermissionSetArn": r.Set, "CreatedDate": ts(r.Created)}
	if r.TargetType == "AWS_ACCOUNT" {
		out["AccountId"] = r.TargetID
	}
	if r.FailureReason != "" {
		out["FailureReason"] = r.FailureReason
	}
	return out
}

func assignmentOut(r *ssoRequest) map[string]any {
	out := map[string]any{"RequestId": r.ID, "Status": r.Status, "PermissionSetArn": r.Set, "CreatedDate": ts(r.Created),
		"TargetId": r.Assignment.Account, "TargetType": "AWS_ACCOUNT", "PrincipalType": r.Assignment.PrincipalType, "PrincipalId": r.Assignment.PrincipalID}
	if r.FailureReason != "" {
		out["FailureReason"] = r.FailureReason
	}
	return out
}

type provisionIn struct {
	InstanceArn, PermissionSetArn, TargetType string
	TargetID                                  string `json:"TargetId"`
}

func (s *Server) provisionPermissionSet(in *provisionIn) (any, error) {
	ps, err := s.findSet(setIn{in.InstanceArn, in.PermissionSetArn})
	if err != nil {
		return nil, err
	}
	if in.TargetType == "AWS_ACCOUNT" && in.TargetID == "" {
		return nil, ssoErr("ValidationException", "TargetId is required when TargetType is AWS_ACCOUNT.")
	}
	s.sso.advance(s)
	r := s.newSSORequest("provision", &ssoRequest{Set: ps.Arn, TargetType: in.TargetType, TargetID: in.TargetID, version: ps.Version})
	return map[string]any{"PermissionSetProvisioningStatus": provisioningOut(r)}, nil
}

func (s *Server) findRequest(instance, id, kind string) (*ssoRequest, error) {
	if err := s.checkInstance(instance); err != nil {
		return nil, err
	}
	s.sso.advance(s)
	r := s.sso.requests[id]
	if r == nil || r.Kind != kind {
		return nil, ssoErr("ResourceNotFoundException", "Request %s does not exist.", id)
	}
	return r, nil
}

func (s *Server) describeProvisioning(in *struct {
	InstanceArn                     string
	ProvisionPermissionSetRequestID string `json:"ProvisionPermissionSetRequestId"`
}) (any, error) {
	r, err := s.findRequest(in.InstanceArn, in.ProvisionPermissionSetRequestID, "provision")
	if err != nil {
		return nil, err
	}
	return map[string]any{"PermissionSetProvisioningStatus": provisioningOut(r)}, nil
}

type assignmentIn struct {
	InstanceArn, PermissionSetArn, PrincipalType, TargetType string
	PrincipalID                                              string `json:"PrincipalId"`
	TargetID                                                 string `json:"TargetId"`
}

func (s *Server) assignmentOf(in *assignmentIn) (assignment, error) {
	if _, err := s.findSet(setIn{in.InstanceArn, in.PermissionSetArn}); err != nil {
		return assignment{}, err
	}
	known := s.sso.groups
	if in.PrincipalType == "USER" {
		known = s.sso.users
	}
	if _, ok := known[in.PrincipalID]; !ok {
		return assignment{}, ssoErr("ResourceNotFoundException", "Principal %s of type %s does not exist in the identity store.", in.PrincipalID, in.PrincipalType)
	}
	if s.org.accounts[in.TargetID] == nil {
		return assignment{}, ssoErr("ResourceNotFoundException", "Account %s is not a member of the organization.", in.TargetID)
	}
	return assignment{Set: in.PermissionSetArn, Account: in.TargetID, PrincipalType: in.PrincipalType, PrincipalID: in.PrincipalID}, nil
}

func (s *Server) createAssignment(in *assignmentIn) (any, error) {
	a, err := s.assignmentOf(in)
	if err != nil {
		return nil, err
	}
	s.sso.advance(s)
	inFlight := 0
	for _, r := range s.sso.pending {
		if r.Kind == "create" {
			inFlight++
		}
	}
	if inFlight >= 10 {
		return nil, ssoErr("ThrottlingException", "Too many account assignments are being created; wait for some to finish.")
	}
	r := s.newSSORequest("create", &ssoRequest{Set: a.Set, Assignment: a})
	return map[string]any{"AccountAssignmentCreationStatus": assignmentOut(r)}, nil
}

func (s *Server) deleteAssignment(in *assignmentIn) (any, error) {
	a, err := s.assignmentOf(in)
	if err != nil {
		return nil, err
	}
	s.sso.advance(s)
	if !s.sso.assignments[a] {
		return nil, ssoErr("ResourceNotFoundException", "The account assignment does not exist.")
	}
	r := s.newSSORequest("delete", &ssoRequest{Set: a.Set, Assignment: a})
	return map[string]any{"AccountAssignmentDeletionStatus": assignmentOut(r)}, nil
}

func (s *Server) describeAssignmentCreation(in *struct {
	InstanceArn                        string
	AccountAssignmentCreationRequestID string `json:"AccountAssignmentCreationRequestId"`
}) (any, error) {
	r, err := s.findRequest(in.InstanceArn, in.AccountAssignmentCreationRequestID, "create")
	if err != nil {
		return nil, err
	}
	return map[string]any{"AccountAssignmentCreationStatus": assignmentOut(r)}, nil
}

func (s *Server) describeAssignmentDeletion(in *struct {
	InstanceArn                        string
	AccountAssignmentDeletionRequestID string `json:"AccountAssignmentDeletionRequestId"`
}) (any, error) {
	r, err := s.findRequest(in.InstanceArn, in.AccountAssignmentDeletionRequestID, "delete")
	if err != nil {
		return nil, err
	}
	return map[string]any{"AccountAssignmentDeletionStatus": assignmentOut(r)}, nil
}

func (s *Server) listAssignments(in *struct {
	setIn
	pageIn
	AccountID string `json:"AccountId"`
}) (any, error) {
	ps, err := s.findSet(in.setIn)
	if err != nil {
		return nil, err
	}
	s.sso.advance(s)
	var out []map[string]string
	for a := range s.sso.assignments {
		if a.Set == ps.Arn && a.Account == in.AccountID {
			out = append(out, map[string]string{"AccountId": a.Account, "PermissionSetArn": a.Set, "PrincipalType": a.PrincipalType, "PrincipalId": a.PrincipalID})
		}
	}
	sortMaps(out, "PrincipalId")
	items, next, err := page(s, out, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	return map[string]any{"AccountAssignments": nonNil(items), "NextToken": next}, nil
}

func (s *Server) listAssignmentsForPrincipal(in *struct {
	instanceIn
	pageIn
	PrincipalID   string `json:"PrincipalId"`
	PrincipalType string
	Filter        *struct {
		AccountID string `json:"AccountId"`
	}
}) (any, error) {
	if err := s.checkInstance(in.InstanceArn); err != nil {
		return nil, err
	}
	s.sso.advance(s)
	var out []map[string]string
	for a := range s.sso.assignments {
		if a.PrincipalID == in.PrincipalID && a.PrincipalType == in.PrincipalType && (in.Filter == nil || in.Filter.AccountID == "" || in.Filter.AccountID == a.Account) {
			out = append(out, map[string]string{"AccountId": a.Account, "PermissionSetArn": a.Set, "PrincipalType": a.PrincipalType, "PrincipalId": a.PrincipalID})
		}
	}
	sortMaps(out, "AccountId", "PermissionSetArn")
	items, next, err := page(s, out, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	return map[string]any{"AccountAssignments": nonNil(items), "NextToken": next}, nil
}

// listSetsProvisionedToAccount serves ListPermissionSetsProvisionedToAccount.
func (s *Server) listSetsProvisionedToAccount(in *struct {
	InstanceArn        string
	AccountID          string `json:"AccountId"`
	ProvisioningStatus string
	pageIn
}) (any, error) {
	if err := s.checkInstance(in.InstanceArn); err != nil {
		return nil, err
	}
	s.sso.advance(s)
	var out []string
	for _, arn := range sortedKeys(s.sso.provisioned) {
		v, ok := s.sso.provisioned[arn][in.AccountID]
		if !ok {
			continue
		}
		latest := s.sso.sets[arn] != nil && v == s.sso.sets[arn].Version
		if (in.ProvisioningStatus == "LATEST_PERMISSION_SET_PROVISIONED" && !latest) || (in.ProvisioningStatus == "LATEST_PERMISSION_SET_NOT_PROVISIONED" && latest) {
			continue
		}
		out = append(out, arn)
	}
	items, next, err := page(s, out, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	return map[string]any{"PermissionSets": nonNil(items), "NextToken": next}, nil
}

func (s *Server) listProvisionedAccounts(in *struct {
	setIn
	pageIn
	ProvisioningStatus string
}) (any, error) {
	ps, err := s.findSet(in.setIn)
	if err != nil {
		return nil, err
	}
	s.sso.advance(s)
	var out []string
	for _, acct := range sortedKeys(s.sso.provisioned[ps.Arn]) {
		latest := s.sso.provisioned[ps.Arn][acct] == ps.Version
		switch in.ProvisioningStatus {
		case "LATEST_PERMISSION_SET_PROVISIONED":
			if !latest {
				continue
			}
		case "LATEST_PERMISSION_SET_NOT_PROVISIONED":
			if latest {
				continue
			}
		}
		out = append(out, acct)
	}
	items, next, err := page(s, out, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, err
	}
	return map[string]any{"AccountIds": nonNil(items), "NextToken": next}, nil
}

func (s *Server) ssoTaggable(arn string) (map[string]string, error) {
	if ps := s.sso.sets[arn]; ps != nil {
		return ps.Tags, nil
	}
	return nil, ssoErr("ResourceNotFoundException", "Resource %s does not exist.", arn)
}

func (s *Server) ssoTag(in *struct {
	InstanceArn, ResourceArn string
	Tags                     []tag
}) (any, error) {
	tags, err := s.ssoTaggable(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	for _, t := range in.Tags {
		tags[t.Key] = t.Value
	}
	if len(tags) > 75 {
		return nil, ssoErr("ServiceQuotaExceededException", "A resource may have at most 75 tags.")
	}
	return nil, nil
}

func (s *Server) ssoUntag(in *struct {
	InstanceArn, ResourceArn string
	TagKeys                  []string
}) (any, error) {
	tags, err := s.ssoTaggable(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		delete(tags, k)
	}
	return nil, nil
}

func (s *Server) ssoListTags(in *struct {
	InstanceArn, ResourceArn string
	NextToken                *string
}) (any, error) {
	tags, err := s.ssoTaggable(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	items, next, err := pageWhole(s, tagList(tags), in.NextToken, 100)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Tags": items, "NextToken": next}, nil
}

type alternateIn struct {
	IdentityStoreID     string `json:"IdentityStoreId"`
	AlternateIdentifier struct {
		UniqueAttribute *struct {
			AttributePath  string
			AttributeValue any
		}
	}
}

func (s *Server) lookupPrincipal(in *alternateIn, known map[string]string, path, kind string) (string, error) {
	if in.IdentityStoreID != s.sso.storeID {
		return "", ssoErr("ResourceNotFoundException", "Identity store %s does not exist.", in.IdentityStoreID)
	}
	ua := in.AlternateIdentifier.UniqueAttribute
	if ua == nil || !strings.EqualFold(ua.AttributePath, path) {
		return "", ssoErr("ValidationException", "%s can only be looked up by the unique attribute %s.", kind, path)
	}
	for id, name := range known {
		if name == fmt.Sprint(ua.AttributeValue) {
			return id, nil
		}
	}
	return "", ssoErr("ResourceNotFoundException", "%s with %s %v does not exist.", kind, path, ua.AttributeValue)
}

func (s *Server) getGroupID(in *alternateIn) (any, error) {
	id, err := s.lookupPrincipal(in, s.sso.groups, "displayName", "GROUP")
	if err != nil {
		return nil, err
	}
	return map[string]any{"GroupId": id, "IdentityStoreId": s.sso.storeID}, nil
}

func (s *Server) getUserID(in *alternateIn) (any, error) {
	id, err := s.lookupPrincipal(in, s.sso.users, "userName", "USER")
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserId": id, "IdentityStoreId": s.sso.storeID}, nil
}

type principalsIn struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	NextToken       *string
	MaxResults      *int32
}

// listPrincipals serves ListGroups and ListUsers, sorted by name.
func (s *Server) listPrincipals(member, idKey, nameKey string, known func() map[string]string) func(*principalsIn) (any, error) {
	return func(in *principalsIn) (any, error) {
		if in.IdentityStoreID != s.sso.storeID {
			return nil, ssoErr("ResourceNotFoundException", "Identity store %s does not exist.", in.IdentityStoreID)
		}
		var items []map[string]string
		for id, name := range known() {
			items = append(items, map[string]string{idKey: id, nameKey: name, "IdentityStoreId": s.sso.storeID})
		}
		sortMaps(items, nameKey, idKey)
		out, next, err := page(s, items, in.NextToken, in.MaxResults, 100)
		if err != nil {
			return nil, err
		}
		return map[string]any{member: out, "NextToken": next}, nil
	}
}

// describePrincipal serves DescribeGroup and DescribeUser.
func (s *Server) describePrincipal(idKey, nameKey string, known func() map[string]string) func(*map[string]string) (any, error) {
	return func(in *map[string]string) (any, error) {
		if (*in)["IdentityStoreId"] != s.sso.storeID {
			return nil, ssoErr("ResourceNotFoundException", "Identity store %s does not exist.", (*in)["IdentityStoreId"])
		}
		id := (*in)[idKey]
		name, ok := known()[id]
		if !ok {
			return nil, ssoErr("ResourceNotFoundException", "%s %s does not exist.", idKey, id)
		}
		return map[string]string{idKey: id, nameKey: name, "IdentityStoreId": s.sso.storeID}, nil
	}
}

// sortMaps sorts items by the keys, in order.
func sortMaps(items []map[string]string, keys ...string) {
	sort.SliceStable(items, func(i, j int) bool {
		for _, k := range keys {
			if items[i][k] != items[j][k] {
				return items[i][k] < items[j][k]
			}
		}
		return false
	})
}

func (st *ssoState) snapshot() map[string]any {
	sets := []map[string]any{}
	for _, arn := range sortedKeys(st.sets) {
		ps := st.sets[arn]
		var assigned []string
		for a := range st.assignments {
			if a.Set == arn {
				name := st.groups[a.PrincipalID]
				if a.PrincipalType == "USER" {
					name = st.users[a.PrincipalID]
				}
				assigned = append(assigned, a.Account+" "+a.PrincipalType+" "+name)
			}
		}
		sortStrings(assigned)
		sets = append(sets, map[string]any{"arn": arn, "name": ps.Name, "description": ps.Description, "sessionDuration": ps.SessionDuration,
			"relayState": ps.RelayState, "managedPolicies": ps.Managed, "customerManagedPolicies": ps.Customer, "inlinePolicy": ps.Inline,
			"permissionsBoundary": ps.Boundary, "tags": ps.Tags, "assignments": assigned, "provisioned": st.provisioned[arn], "version": ps.Version})
	}
	return map[string]any{"instanceArn": st.instanceArn, "identityStoreId": st.storeID, "groups": st.groups, "users": st.users, "permissionSets": sets}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// listRequests lists the requests of one kind, by status when the filter says, as the
// bulk status calls do (ListAccountAssignmentCreationStatus and the like).
func (s *Server) listRequests(kind, key string) func(*struct {
	instanceIn
	pageIn
	Filter *struct{ Status string }
}) (any, error) {
	return func(in *struct {
		instanceIn
		pageIn
		Filter *struct{ Status string }
	}) (any, error) {
		if err := s.checkInstance(in.InstanceArn); err != nil {
			return nil, err
		}
		s.sso.advance(s)
		from := s.sso.requests
		if in.Filter != nil && in.Filter.Status == "IN_PROGRESS" {
			from = s.sso.pending
		}
		var out []map[string]string
		for _, id := range sortedKeys(from) {
			r := from[id]
			if r.Kind == kind && (in.Filter == nil || in.Filter.Status == "" || in.Filter.Status == r.Status) {
				out = append(out, map[string]string{"RequestId": r.ID, "Status": r.Status})
			}
		}
		items, next, err := page(s, out, in.NextToken, in.MaxResults, 100)
		if err != nil {
			return nil, err
		}
		withDates := make([]map[string]any, 0, len(items))
		for _, it := range items {
			withDates = append(withDates, map[string]any{"RequestId": it["RequestId"], "Status": it["Status"], "CreatedDate": ts(s.sso.requests[it["RequestId"]].Created)})
		}
		return map[string]any{key: withDates, "NextToken": next}, nil
	}
}
