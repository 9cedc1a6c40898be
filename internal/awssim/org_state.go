// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim

import (
	"sort"
	"strings"
	"time"
)

// orgState is one AWS organization: its root, OUs, accounts, policies and the
// CreateAccount requests it has seen.
type orgState struct {
	s           *Server
	id, arn     string
	rootID      string
	policyTypes map[string]bool // enabled policy types on the root
	ous         map[string]*ou
	accounts    map[string]*account
	policies    map[string]*policy
	requests    map[string]*createRequest
	pending     map[string]*createRequest // the requests in progress
	closing     map[string]*account       // the accounts closing
	rootTags    map[string]string
}

type ou struct {
	ID, Arn, Name, ParentID string
	Tags                    map[string]string
	Created                 time.Time
}

type account struct {
	ID, Arn, Email, Name, State, ParentID, JoinedMethod string
	Joined, ClosedAt                                    time.Time
	Tags                                                map[string]string
}

type policy struct {
	ID, Arn, Name, Description, Type, Content string
	AwsManaged                                bool
	Targets                                   map[string]bool
	Tags                                      map[string]string
	Created                                   time.Time
}

type createRequest struct {
	ID, AccountName, Email, State, AccountID, FailureReason string
	Requested, Completed                                    time.Time
	RoleName, Billing                                       string
	Tags                                                    map[string]string
}

// Policy types that have an AWS-managed policy attached everywhere once enabled.
var fullAccessPolicies = map[string]struct{ id, name string }{
	"SERVICE_CONTROL_POLICY":  {"p-FullAWSAccess", "FullAWSAccess"},
	"RESOURCE_CONTROL_POLICY": {"p-RCPFullAWSAccess", "RCPFullAWSAccess"},
}

func newOrgState(s *Server) *orgState {
	o := &orgState{s: s, policyTypes: map[string]bool{}, ous: map[string]*ou{}, accounts: map[string]*account{},
		policies: map[string]*policy{}, requests: map[string]*createRequest{}, rootTags: map[string]string{},
		pending: map[string]*createRequest{}, closing: map[string]*account{}}
	o.id = "o-" + s.randomString(10, lowerDigits)
	o.arn = "arn:aws:organizations::" + s.cfg.ManagementAccountID + ":organization/" + o.id
	o.rootID = "r-" + s.randomString(4, lowerDigits)
	mgmt := s.cfg.ManagementAccountID
	o.accounts[mgmt] = &account{ID: mgmt, Arn: o.accountArn(mgmt), Email: s.cfg.ManagementEmail,
		Name: "Management Account", State: "ACTIVE", ParentID: o.rootID, JoinedMethod: "CREATED", Joined: s.now(), Tags: map[string]string{}}
	for typ, fp := range fullAccessPolicies {
		o.policies[fp.id] = &policy{ID: fp.id, Name: fp.name, Type: typ, AwsManaged: true,
			Arn:         "arn:aws:organizations::aws:policy/" + strings.ToLower(typ) + "/" + fp.id,
			Description: "Allows access to every operation", Content: fullAccessContent, Targets: map[string]bool{}, Tags: map[string]string{}}
	}
	if s.cfg.SCPEnabled {
		o.enablePolicyType("SERVICE_CONTROL_POLICY")
	}
	return o
}

const fullAccessContent = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

func (o *orgState) accountArn(id string) string {
	return "arn:aws:organizations::" + o.s.cfg.ManagementAccountID + ":account/" + o.id + "/" + id
}

// enablePolicyType enables a type and attaches its AWS-managed policy everywhere.
func (o *orgState) enablePolicyType(typ string) {
	o.policyTypes[typ] = true
	fp, ok := fullAccessPolicies[typ]
	if !ok {
		return
	}
	p := o.policies[fp.id]
	p.Targets[o.rootID] = true
	for id := range o.ous {
		p.Targets[id] = true
	}
	for id := range o.accounts {
		p.Targets[id] = true
	}
}

// attachDefaults attaches the AWS-managed policies of enabled types to a new target.
func (o *orgState) attachDefaults(target string) {
	for typ, fp := range fullAccessPolicies {
		if o.policyTypes[typ] {
			o.policies[fp.id].Targets[target] = true
		}
	}
}

func (o *orgState) detachAll(target string) {
	for _, p := range o.policies {
		delete(p.Targets, target)
	}
}

// advance completes the asynchronous requests whose time has come.
func (o *orgState) advance() {
	now := o.s.now()
	due := now.Add(-o.s.cfg.CreateAccountDelay)
	for _, id := range sortedKeys(o.pending) {
		if r := o.pending[id]; !r.Requested.After(due) {
			o.completeCreate(r, r.Requested.Add(o.s.cfg.CreateAccountDelay)) // when AWS finished, not when someone looked
		}
	}
	closed := now.Add(-o.s.cfg.CloseAccountDelay)
	for id, a := range o.closing {
		if !a.ClosedAt.After(closed) {
			a.State = "SUSPENDED"
			delete(o.closing, id)
		}
	}
}

func (o *orgState) completeCreate(r *createRequest, at time.Time) {
	r.Completed = at
	delete(o.pending, r.ID)
	switch {
	case o.emailTaken(r.Email):
		r.State, r.FailureReason = "FAILED", "EMAIL_ALREADY_EXISTS"
		return
	case len(o.accounts) >= o.s.cfg.MaxAccounts:
		r.State, r.FailureReason = "FAILED", "ACCOUNT_LIMIT_EXCEEDED"
		return
	}
	id := o.newAccountID()
	a := &account{ID: id, Arn: o.accountArn(id), Email: r.Email, Name: r.AccountName, State: "ACTIVE",
		ParentID: o.rootID, JoinedMethod: "CREATED", Joined: at, Tags: copyTags(r.Tags)}
	o.accounts[id] = a
	o.attachDefaults(id)
	r.State, r.AccountID = "SUCCEEDED", id
}

func (o *orgState) emailTaken(email string) bool {
	for _, a := range o.accounts {
		if strings.EqualFold(a.Email, email) {
			return true
		}
	}
	for _, e := range o.s.cfg.ExternalEmails {
		if strings.EqualFold(e, email) {
			return true
		}
	}
	return false
}

func (o *orgState) newAccountID() string {
	for {
		id := o.s.randomString(12, digits)
		if id[0] != '0' && o.accounts[id] == nil {
			return id
		}
	}
}

func (o *orgState) inProgress() int { return len(o.pending) }

// parentExists reports whether id is the root or an OU.
func (o *orgState) parentExists(id string) bool {
	return id == o.rootID || o.ous[id] != nil
}

// depth is the number of OUs from the root down to and including id.
func (o *orgState) depth(id string) int {
	d := 0
	for id != o.rootID {
		u := o.ous[id]
		if u == nil {
			break
		}
		d++
		id = u.ParentID
	}
	return d
}

func (o *orgState) targetExists(id string) bool {
	return o.parentExists(id) || o.accounts[id] != nil
}

// tagsOf returns the tag map of any taggable resource, or nil.
func (o *orgState) tagsOf(id string) map[string]string {
	switch {
	case id == o.rootID:
		return o.rootTags
	case o.ous[id] != nil:
		return o.ous[id].Tags
	case o.accounts[id] != nil:
		return o.accounts[id].Tags
	case o.policies[id] != nil && !o.policies[id].AwsManaged:
		return o.policies[id].Tags
	}
	return nil
}

// snapshot is the organization as plain data, for GET /_sim/state.
func (o *orgState) snapshot() map[string]any {
	ous := []map[string]any{}
	for _, id := range sortedKeys(o.ous) {
		u := o.ous[id]
		ous = append(ous, map[string]any{"id": u.ID, "name": u.Name, "parentId": u.ParentID, "tags": u.Tags, "policies": o.policiesOf(id)})
	}
	accts := []map[string]any{}
	for _, id := range sortedKeys(o.accounts) {
		a := o.accounts[id]
		accts = append(accts, map[string]any{"id": a.ID, "name": a.Name, "email": a.Email, "state": a.State,
			"parentId": a.ParentID, "tags": a.Tags, "policies": o.policiesOf(id)})
	}
	pols := []map[string]any{}
	for _, id := range sortedKeys(o.policies) {
		p := o.policies[id]
		pols = append(pols, map[string]any{"id": p.ID, "name": p.Name, "type": p.Type, "awsManaged": p.AwsManaged,
			"description": p.Description, "content": p.Content, "targets": sortedKeys(p.Targets), "tags": p.Tags})
	}
	reqs := []map[string]any{}
	for _, id := range sortedKeys(o.requests) {
		r := o.requests[id]
		reqs = append(reqs, map[string]any{"id": r.ID, "accountName": r.AccountName, "email": r.Email, "state": r.State,
			"accountId": r.AccountID, "failureReason": r.FailureReason})
	}
	enabled := sortedKeys(o.policyTypes)
	return map[string]any{"id": o.id, "managementAccountId": o.s.cfg.ManagementAccountID,
		"root":                map[string]any{"id": o.rootID, "policyTypes": enabled, "policies": o.policiesOf(o.rootID), "tags": o.rootTags},
		"organizationalUnits": ous, "accounts": accts, "policies": pols, "createAccountRequests": reqs}
}

func (o *orgState) policiesOf(target string) []string {
	var out []string
	for _, id := range sortedKeys(o.policies) {
		if o.policies[id].Targets[target] {
			out = append(out, o.policies[id].Name)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func copyTags(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
