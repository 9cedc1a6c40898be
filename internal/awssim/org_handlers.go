// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim

import (
	"fmt"
	"strings"

	"github.com/awsorg/awsorg-operator/internal/awssim/model"
)

type tag struct{ Key, Value string }

type pageIn struct {
	NextToken  *string
	MaxResults *int32
}

type child struct{ Id, Type string } //nolint:revive // AWS member names

type ouOut struct{ Id, Arn, Name, Path string } //nolint:revive

type accountOut struct {
	Id, Arn, Email, Name, Status, State, JoinedMethod string //nolint:revive
	JoinedTimestamp                                   *epoch
	Paths                                             []string
}

func orgErr(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: 400}
}

func orgInvalid(msg, reason string) *Error {
	return &Error{Code: "InvalidInputException", Message: msg, Reason: reason, Status: 400}
}

func constraint(reason, format string, args ...any) *Error {
	return &Error{Code: "ConstraintViolationException", Message: fmt.Sprintf(format, args...), Reason: reason, Status: 400}
}

// Modeled errors every Organizations operation may return.
var orgCommon = []string{"AccessDeniedException", "AWSOrganizationsNotInUseException", "ServiceException", "TooManyRequestsException"}

func (s *Server) registerOrganizations() {
	svc := &model.Organizations
	reg := func(errs ...string) []string { return append(append([]string{}, orgCommon...), errs...) }
	register(s, svc, "DescribeOrganization", orgInvalid, s.describeOrganization, orgCommon...)
	register(s, svc, "CreateOrganization", orgInvalid, s.createOrganization, "AccessDeniedException", "ServiceException", "TooManyRequestsException", "AlreadyInOrganizationException", "ConstraintViolationException")
	register(s, svc, "ListRoots", orgInvalid, s.listRoots, reg("InvalidInputException")...)
	register(s, svc, "CreateOrganizationalUnit", orgInvalid, s.createOU, reg("InvalidInputException", "DuplicateOrganizationalUnitException", "ParentNotFoundException", "ConstraintViolationException")...)
	register(s, svc, "DescribeOrganizationalUnit", orgInvalid, s.describeOU, reg("InvalidInputException", "OrganizationalUnitNotFoundException")...)
	register(s, svc, "UpdateOrganizationalUnit", orgInvalid, s.updateOU, reg("InvalidInputException", "DuplicateOrganizationalUnitException", "OrganizationalUnitNotFoundException")...)
	register(s, svc, "DeleteOrganizationalUnit", orgInvalid, s.deleteOU, reg("InvalidInputException", "OrganizationalUnitNotEmptyException", "OrganizationalUnitNotFoundException")...)
	register(s, svc, "ListOrganizationalUnitsForParent", orgInvalid, s.listOUsForParent, reg("InvalidInputException", "ParentNotFoundException")...)
	register(s, svc, "ListParents", orgInvalid, s.listParents, reg("InvalidInputException", "ChildNotFoundException")...)
	register(s, svc, "ListChildren", orgInvalid, s.listChildren, reg("InvalidInputException", "ParentNotFoundException")...)
	register(s, svc, "CreateAccount", orgInvalid, s.createAccount, reg("InvalidInputException", "ConstraintViolationException")...)
	register(s, svc, "DescribeCreateAccountStatus", orgInvalid, s.describeCreateAccountStatus, reg("InvalidInputException", "CreateAccountStatusNotFoundException")...)
	register(s, svc, "ListCreateAccountStatus", orgInvalid, s.listCreateAccountStatus, reg("InvalidInputException")...)
	register(s, svc, "DescribeAccount", orgInvalid, s.describeAccount, reg("InvalidInputException", "AccountNotFoundException")...)
	register(s, svc, "ListAccounts", orgInvalid, s.listAccounts, reg("InvalidInputException")...)
	register(s, svc, "ListAccountsForParent", orgInvalid, s.listAccountsForParent, reg("InvalidInputException", "ParentNotFoundException")...)
	register(s, svc, "MoveAccount", orgInvalid, s.moveAccount, reg("InvalidInputException", "SourceParentNotFoundException", "DestinationParentNotFoundException", "DuplicateAccountException", "AccountNotFoundException")...)
	register(s, svc, "CloseAccount", orgInvalid, s.closeAccount, reg("InvalidInputException", "AccountAlreadyClosedException", "AccountNotFoundException", "ConstraintViolationException")...)
	s.registerPolicies(svc, reg)
}

func (s *Server) describeOrganization(*struct{}) (any, error) {
	o := s.org
	return map[string]any{"Organization": map[string]any{
		"Id": o.id, "Arn": o.arn, "FeatureSet": "ALL",
		"MasterAccountArn": o.accountArn(s.cfg.ManagementAccountID), "MasterAccountId": s.cfg.ManagementAccountID,
		"MasterAccountEmail": s.cfg.ManagementEmail, "AvailablePolicyTypes": o.policyTypeSummaries(),
	}}, nil
}

func (s *Server) createOrganization(in *struct{ FeatureSet *string }) (any, error) {
	if !s.cfg.Standalone {
		return nil, orgErr("AlreadyInOrganizationException", "This account is already a member of an organization.")
	}
	if in.FeatureSet != nil && *in.FeatureSet != "ALL" {
		return nil, orgErr("ConstraintViolationException", "The simulator models organizations with all features (FeatureSet ALL).")
	}
	s.cfg.Standalone = false
	return s.describeOrganization(nil)
}

func (o *orgState) policyTypeSummaries() []map[string]string {
	out := []map[string]string{}
	for _, typ := range sortedKeys(o.policyTypes) {
		out = append(out, map[string]string{"Type": typ, "Status": "ENABLED"})
	}
	return out
}

func (s *Server) listRoots(in *pageIn) (any, error) {
	items, next, err := page(s, []map[string]any{s.rootOut()}, in.NextToken, in.MaxResults, 20)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Roots": items, "NextToken": next}, nil
}

func (s *Server) rootOut() map[string]any {
	o := s.org
	return map[string]any{"Id": o.rootID, "Name": "Root", "PolicyTypes": o.policyTypeSummaries(),
		"Arn": "arn:aws:organizations::" + s.cfg.ManagementAccountID + ":root/" + o.id + "/" + o.rootID}
}

func (o *orgState) ouOut(u *ou) ouOut {
	return ouOut{Id: u.ID, Arn: u.Arn, Name: u.Name, Path: o.path(u.ID)}
}

// path is AWS's id path of an entity: o-.../r-.../ou-.../[account/].
func (o *orgState) path(id string) string {
	var parts []string
	cur := id
	for cur != "" && cur != o.rootID {
		parts = append([]string{cur}, parts...)
		switch {
		case o.ous[cur] != nil:
			cur = o.ous[cur].ParentID
		case o.accounts[cur] != nil:
			cur = o.accounts[cur].ParentID
		default:
			cur = ""
		}
	}
	return o.id + "/" + o.rootID + "/" + strings.Join(append(parts, ""), "/")
}

func (s *Server) createOU(in *struct {
	ParentID string `json:"ParentId"`
	Name     string
	Tags     []tag
}) (any, error) {
	o := s.org
	if !o.parentExists(in.ParentID) {
		return nil, orgErr("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")
	}
	for _, u := range o.ous {
		if u.ParentID == in.ParentID && u.Name == in.Name {
			return nil, orgErr("DuplicateOrganizationalUnitException", "An OU with the same name already exists.")
		}
	}
	if o.depth(in.ParentID) >= 5 {
		return nil, constraint("OU_DEPTH_LIMIT_EXCEEDED", "You attempted to create an OU tree that is too many levels deep.")
	}
	if len(o.ous) >= 2000 {
		return nil, constraint("OU_NUMBER_LIMIT_EXCEEDED", "You attempted to exceed the number of OUs that you can have in an organization.")
	}
	tags, err := tagMap(nil, in.Tags)
	if err != nil {
		return nil, err
	}
	suffix := strings.TrimPrefix(o.rootID, "r-")
	id := "ou-" + suffix + "-" + s.randomString(8, lowerDigits)
	u := &ou{ID: id, Name: in.Name, ParentID: in.ParentID, Tags: tags, Created: s.now(),
		Arn: "arn:aws:organizations::" + s.cfg.ManagementAccountID + ":ou/" + o.id + "/" + id}
	o.ous[id] = u
	o.attachDefaults(id)
	return map[string]any{"OrganizationalUnit": o.ouOut(u)}, nil
}

func (s *Server) findOU(id string) (*ou, error) {
	if u := s.org.ous[id]; u != nil {
		return u, nil
	}
	return nil, orgErr("OrganizationalUnitNotFoundException", "We can't find an OU with the OrganizationalUnitId that you specified.")
}

func (s *Server) describeOU(in *struct{ OrganizationalUnitId string }) (any, error) { //nolint:revive
	u, err := s.findOU(in.OrganizationalUnitId)
	if err != nil {
		return nil, err
	}
	return map[string]any{"OrganizationalUnit": s.org.ouOut(u)}, nil
}

func (s *Server) updateOU(in *struct {
	OrganizationalUnitId string //nolint:revive
	Name                 *string
}) (any, error) {
	u, err := s.findOU(in.OrganizationalUnitId)
	if err != nil {
		return nil, err
	}
	if in.Name != nil && *in.Name != u.Name {
		for _, other := range s.org.ous {
			if other.ParentID == u.ParentID && other.Name == *in.Name {
				return nil, orgErr("DuplicateOrganizationalUnitException", "An OU with the same name already exists.")
			}
		}
		u.Name = *in.Name
	}
	return map[string]any{"OrganizationalUnit": s.org.ouOut(u)}, nil
}

func (s *Server) deleteOU(in *struct{ OrganizationalUnitId string }) (any, error) { //nolint:revive
	o := s.org
	u, err := s.findOU(in.OrganizationalUnitId)
	if err != nil {
		return nil, err
	}
	for _, c := range o.ous {
		if c.ParentID == u.ID {
			return nil, orgErr("OrganizationalUnitNotEmptyException", "The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.")
		}
	}
	for _, a := range o.accounts {
		if a.ParentID == u.ID {
			return nil, orgErr("OrganizationalUnitNotEmptyException", "The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.")
		}
	}
	o.detachAll(u.ID)
	delete(o.ous, u.ID)
	return nil, nil
}

func (s *Server) listOUsForParent(in *struct {
	pageIn
	ParentID string `json:"ParentId"`
}) (any, error) {
	o := s.org
	if !o.parentExists(in.ParentID) {
		return nil, orgErr("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")
	}
	var out []ouOut
	for _, id := range sortedKeys(o.ous) {
		if u := o.ous[id]; u.ParentID == in.ParentID && s.visible(u.Created) {
			out = append(out, o.ouOut(u))
		}
	}
	items, next, err := page(s, out, in.NextToken, in.MaxResults, 20)
	if err != nil {
		return nil, err
	}
	return map[string]any{"OrganizationalUnits": nonNil(items), "NextToken": next}, nil
}

func (s *Server) listParents(in *struct {
	pageIn
	ChildID string `json:"ChildId"`
}) (any, error) {
	o := s.org
	var parent string
	switch {
	case o.ous[in.ChildID] != nil:
		parent = o.ous[in.ChildID].ParentID
	case o.accounts[in.ChildID] != nil:
		parent = o.accounts[in.ChildID].ParentID
	default:
		return nil, orgErr("ChildNotFoundException", "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
	}
	typ := "ORGANIZATIONAL_UNIT"
	if parent == o.rootID {
		typ = "ROOT"
	}
	items, next, err := page(s, []child{{Id: parent, Type: typ}}, in.NextToken, in.MaxResults, 20)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Parents": items, "NextToken": next}, nil
}

func (s *Server) listChildren(in *struct {
	pageIn
	ParentID  string `json:"ParentId"`
	ChildType string
}) (any, error) {
	o := s.org
	if !o.parentExists(in.ParentID) {
		return nil, orgErr("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")
	}
	var out []child
	if in.ChildType == "ORGANIZATIONAL_UNIT" {
		for _, id := range sortedKeys(o.ous) {
			if o.ous[id].ParentID == in.ParentID {
				out = append(out, child{Id: id, Type: in.ChildType})
			}
		}
	} else {
		for _, id := range sortedKeys(o.accounts) {
			if o.accounts[id].ParentID == in.ParentID {
				out = append(out, child{Id: id, Type: in.ChildType})
			}
		}
	}
	items, next, err := page(s, out, in.NextToken, in.MaxResults, 20)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Children": nonNil(items), "NextToken": next}, nil
}

func nonNil[T any](items []T) []T {
	if items == nil {
		return []T{}
	}
	return items
}

// tagMap applies tags to a copy of base, refusing duplicate keys and more than 50 tags.
func tagMap(base map[string]string, tags []tag) (map[string]string, error) {
	out := copyTags(base)
	seen := map[string]bool{}
	for _, t := range tags {
		if seen[t.Key] {
			return nil, orgInvalid("You provided the same tag key more than once.", "DUPLICATE_TAG_KEY")
		}
		seen[t.Key] = true
		out[t.Key] = t.Value
	}
	if len(out) > 50 {
		return nil, constraint("MAX_TAG_LIMIT_EXCEEDED", "You have exceeded the number of tags allowed on this resource.")
	}
	return out, nil
}

func tagList(m map[string]string) []tag {
	out := []tag{}
	for _, k := range sortedKeys(m) {
		out = append(out, tag{Key: k, Value: m[k]})
	}
	return out
}
