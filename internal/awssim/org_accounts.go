// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim

import (
	"strings"
	"time"
)

func (o *orgState) accountOut(a *account) accountOut {
	status := a.State
	switch a.State {
	case "PENDING_ACTIVATION":
		status = "ACTIVE"
	case "CLOSED":
		status = "SUSPENDED"
	}
	return accountOut{Id: a.ID, Arn: a.Arn, Email: a.Email, Name: a.Name, Status: status, State: a.State,
		JoinedMethod: a.JoinedMethod, JoinedTimestamp: ts(a.Joined), Paths: []string{o.path(a.ID)}}
}

func requestOut(r *createRequest) map[string]any {
	out := map[string]any{"Id": r.ID, "AccountName": r.AccountName, "State": r.State, "RequestedTimestamp": ts(r.Requested)}
	if r.State != "IN_PROGRESS" {
		out["CompletedTimestamp"] = ts(r.Completed)
	}
	if r.AccountID != "" {
		out["AccountId"] = r.AccountID
	}
	if r.FailureReason != "" {
		out["FailureReason"] = r.FailureReason
	}
	return out
}

func (s *Server) createAccount(in *struct {
	Email, AccountName, RoleName, IamUserAccessToBilling string
	Tags                                                 []tag
}) (any, error) {
	o := s.org
	o.advance()
	if o.inProgress() >= s.cfg.MaxCreateInProgress {
		return nil, constraint("ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED", "You attempted to exceed the number of accounts that you can create at one time.")
	}
	if len(o.accounts)+o.inProgress() >= s.cfg.MaxAccounts {
		return nil, constraint("ACCOUNT_NUMBER_LIMIT_EXCEEDED", "You attempted to exceed the number of accounts in an organization (%d).", s.cfg.MaxAccounts)
	}
	tags, err := tagMap(nil, in.Tags)
	if err != nil {
		return nil, err
	}
	r := &createRequest{ID: "car-" + s.randomString(32, lowerDigits), AccountName: in.AccountName, Email: in.Email,
		State: "IN_PROGRESS", Requested: s.now(), RoleName: in.RoleName, Billing: in.IamUserAccessToBilling, Tags: tags}
	for _, other := range o.pending {
		if strings.EqualFold(other.Email, in.Email) {
			r.State, r.FailureReason, r.Completed = "FAILED", "CONCURRENT_ACCOUNT_MODIFICATION", s.now()
		}
	}
	o.requests[r.ID] = r
	if r.State == "IN_PROGRESS" {
		o.pending[r.ID] = r
	}
	if s.cfg.CreateAccountDelay == 0 && r.State == "IN_PROGRESS" {
		o.completeCreate(r, s.now())
	}
	return map[string]any{"CreateAccountStatus": requestOut(r)}, nil
}

func (s *Server) describeCreateAccountStatus(in *struct{ CreateAccountRequestId string }) (any, error) { //nolint:revive
	s.org.advance()
	r := s.org.requests[in.CreateAccountRequestId]
	if r == nil {
		return nil, orgErr("CreateAccountStatusNotFoundException", "We can't find a create account request with the CreateAccountRequestId that you specified.")
	}
	return map[string]any{"CreateAccountStatus": requestOut(r)}, nil
}

func (s *Server) listCreateAccountStatus(in *struct {
	pageIn
	States []string
}) (any, error) {
	o := s.org
	o.advance()
	var out []map[string]any
	for _, id := range sortedKeys(o.requests) {
		r := o.requests[id]
		if len(in.States) == 0 || contains(in.States, r.State) {
			out = append(out, requestOut(r))
		}
	}
	items, next, err := page(s, out, in.NextToken, in.MaxResults, 20)
	if err != nil {
		return nil, err
	}
	return map[string]any{"CreateAccountStatuses": nonNil(items), "NextToken": next}, nil
}

func (s *Server) findAccount(id string) (*account, error) {
	s.org.advance()
	if a := s.org.accounts[id]; a != nil {
		return a, nil
	}
	return nil, orgErr("AccountNotFoundException", "We can't find an AWS account with the AccountId that you specified, or the account whose credentials you used to make this request isn't a member of an organization.")
}

func (s *Server) describeAccount(in *struct{ AccountId string }) (any, error) { //nolint:revive
	a, err := s.findAccount(in.AccountId)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Account": s.org.accountOut(a)}, nil
}

func (s *Server) listAccounts(in *pageIn) (any, error) {
	return s.accountsUnder("", in)
}

func (s *Server) listAccountsForParent(in *struct {
	pageIn
	ParentID string `json:"ParentId"`
}) (any, error) {
	if !s.org.parentExists(in.ParentID) {
		return nil, orgErr("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")
	}
	return s.accountsUnder(in.ParentID, &in.pageIn)
}

func (s *Server) accountsUnder(parent string, in *pageIn) (any, error) {
	o := s.org
	o.advance()
	var out []accountOut
	for _, id := range sortedKeys(o.accounts) {
		if a := o.accounts[id]; (parent == "" || a.ParentID == parent) && s.visible(a.Joined) {
			out = append(out, o.accountOut(a))
		}
	}
	items, next, err := page(s, out, in.NextToken, in.MaxResults, 20)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Accounts": nonNil(items), "NextToken": next}, nil
}

func (s *Server) moveAccount(in *struct {
	AccountID           string `json:"AccountId"`
	SourceParentID      string `json:"SourceParentId"`
	DestinationParentID string `json:"DestinationParentId"`
}) (any, error) {
	o := s.org
	a, err := s.findAccount(in.AccountID)
	if err != nil {
		return nil, err
	}
	if !o.parentExists(in.SourceParentID) || a.ParentID != in.SourceParentID {
		return nil, orgErr("SourceParentNotFoundException", "We can't find a source root or OU with the ParentId that you specified.")
	}
	if !o.parentExists(in.DestinationParentID) {
		return nil, orgErr("DestinationParentNotFoundException", "We can't find the destination container (a root or OU) with the ParentId that you specified.")
	}
	if a.ParentID == in.DestinationParentID {
		return nil, orgErr("DuplicateAccountException", "That account is already present in the specified destination.")
	}
	a.ParentID = in.DestinationParentID
	return nil, nil
}

func (s *Server) closeAccount(in *struct{ AccountId string }) (any, error) { //nolint:revive
	a, err := s.findAccount(in.AccountId)
	if err != nil {
		return nil, err
	}
	if a.ID == s.cfg.ManagementAccountID {
		return nil, constraint("CANNOT_CLOSE_MANAGEMENT_ACCOUNT", "You attempted to close the management account.")
	}
	if a.State != "ACTIVE" {
		return nil, orgErr("AccountAlreadyClosedException", "You attempted to close an account that is already closed.")
	}
	if len(s.org.closing) >= s.cfg.MaxCloseInProgress {
		return nil, constraint("CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED", "You have exceeded the number of concurrent close account requests allowed for your organization.")
	}
	if s.org.closedSince(s.now().Add(-30*24*time.Hour)) >= s.closeQuota() {
		return nil, constraint("CLOSE_ACCOUNT_QUOTA_EXCEEDED", "You have exceeded close account quota for the past 30 days.")
	}
	a.State, a.ClosedAt = "PENDING_CLOSURE", s.now()
	s.org.closing[a.ID] = a
	if s.cfg.CloseAccountDelay == 0 {
		a.State = "SUSPENDED"
		delete(s.org.closing, a.ID)
	}
	return nil, nil
}

// closedSince is the number of accounts whose closure started since t.
func (o *orgState) closedSince(t time.Time) int {
	n := 0
	for _, a := range o.accounts {
		if !a.ClosedAt.IsZero() && a.ClosedAt.After(t) {
			n++
		}
	}
	return n
}

// closeQuota is how many accounts may be closed in 30 days: the configured quota, or
// as AWS says, 20 % of the member accounts, at least 250 and at most 1000.
func (s *Server) closeQuota() int {
	if s.cfg.CloseQuota > 0 {
		return s.cfg.CloseQuota
	}
	return min(max(250, (len(s.org.accounts)-1)/5), 1000)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
