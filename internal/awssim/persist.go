// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// saved is everything the simulator needs to start again where it stopped: the
// "restore" member of GET /_sim/state, next to the readable view of the same state.
type saved struct {
	Org struct {
		ID, Arn, RootID string
		PolicyTypes     map[string]bool
		OUs             map[string]*ou
		Accounts        map[string]*account
		Policies        map[string]*policy
		Requests        map[string]*createRequest
		Pending         []string // the CreateAccount requests in progress
		Closing         []string // the accounts closing
		RootTags        map[string]string
		Standalone      bool
	}
	SSO struct {
		InstanceArn, StoreID string
		Created              time.Time
		Groups, Users        map[string]string
		Sets                 map[string]*permSet
		Assignments          []assignment
		Provisioned          map[string]map[string]int
		Requests             map[string]*ssoRequest
		Pending              []string
	}
	Budgets map[string]*budget
	Trails  map[string]*trail
}

// save returns the state as saved; s.mu must be held.
func (s *Server) save() *saved {
	v := &saved{}
	o := s.org
	v.Org.ID, v.Org.Arn, v.Org.RootID, v.Org.PolicyTypes = o.id, o.arn, o.rootID, o.policyTypes
	v.Org.OUs, v.Org.Accounts, v.Org.Policies, v.Org.Requests, v.Org.RootTags = o.ous, o.accounts, o.policies, o.requests, o.rootTags
	v.Org.Pending, v.Org.Closing, v.Org.Standalone = sortedKeys(o.pending), sortedKeys(o.closing), s.cfg.Standalone
	st := s.sso
	v.SSO.InstanceArn, v.SSO.StoreID, v.SSO.Created, v.SSO.Groups, v.SSO.Users = st.instanceArn, st.storeID, st.created, st.groups, st.users
	v.SSO.Sets, v.SSO.Provisioned, v.SSO.Requests, v.SSO.Pending = st.sets, st.provisioned, st.requests, sortedKeys(st.pending)
	for a := range st.assignments {
		v.SSO.Assignments = append(v.SSO.Assignments, a)
	}
	sortAssignments(v.SSO.Assignments)
	v.Budgets, v.Trails = s.budgets, s.trails
	return v
}

// restore replaces the state with a saved one; s.mu must be held.
func (s *Server) restore(v *saved) error {
	if v.Org.RootID == "" || v.SSO.InstanceArn == "" {
		return errors.New("no organization and Identity Center instance in the saved state")
	}
	o := newOrgState(s)
	o.id, o.arn, o.rootID = v.Org.ID, v.Org.Arn, v.Org.RootID
	o.policyTypes, o.ous, o.accounts, o.policies, o.requests, o.rootTags = orEmpty(v.Org.PolicyTypes), orEmpty(v.Org.OUs), orEmpty(v.Org.Accounts), orEmpty(v.Org.Policies), orEmpty(v.Org.Requests), orEmpty(v.Org.RootTags)
	for _, id := range v.Org.Pending {
		if r := o.requests[id]; r != nil {
			o.pending[id] = r
		}
	}
	for _, id := range v.Org.Closing {
		if a := o.accounts[id]; a != nil {
			o.closing[id] = a
		}
	}
	s.org, s.cfg.Standalone = o, v.Org.Standalone
	st := newSSOState(s)
	st.instanceArn, st.storeID, st.created, st.groups, st.users = v.SSO.InstanceArn, v.SSO.StoreID, v.SSO.Created, v.SSO.Groups, v.SSO.Users
	st.groups, st.users = orEmpty(st.groups), orEmpty(st.users)
	st.sets, st.provisioned, st.requests = orEmpty(v.SSO.Sets), orEmpty(v.SSO.Provisioned), orEmpty(v.SSO.Requests)
	for _, a := range v.SSO.Assignments {
		st.assignments[a] = true
	}
	for _, id := range v.SSO.Pending {
		if r := st.requests[id]; r != nil {
			st.pending[id] = r
		}
	}
	s.sso = st
	s.budgets, s.trails = orEmpty(v.Budgets), orEmpty(v.Trails)
	return nil
}

// state is GET /_sim/state: the readable view, and what restores it; s.mu must be held.
func (s *Server) state() ([]byte, error) {
	s.org.advance()
	s.sso.advance(s)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	err := enc.Encode(map[string]any{"organization": s.org.snapshot(), "identityCenter": s.sso.snapshot(),
		"budgets": s.budgetsSnapshot(), "trails": s.trailsSnapshot(), "restore": s.save()})
	return buf.Bytes(), err
}

// Load replaces the simulator's state with the one in a GET /_sim/state document.
func (s *Server) Load(doc []byte) error {
	var in struct{ Restore *saved }
	if err := json.Unmarshal(doc, &in); err != nil {
		return fmt.Errorf("reading the saved state: %w", err)
	}
	if in.Restore == nil {
		return errors.New("the document has no \"restore\" member: write it with GET /_sim/state or --state-file")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.restore(in.Restore)
}

// persist writes the state to the state file when it changed, atomically (a new file
// renamed over the old one); s.mu must be held.
func (s *Server) persist() error {
	if s.cfg.StateFile == "" {
		return nil
	}
	doc, err := s.state()
	if err != nil {
		return err
	}
	if bytes.Equal(doc, s.written) {
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.cfg.StateFile), ".awssim-state-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(doc); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), s.cfg.StateFile); err != nil {
		return err
	}
	s.written = doc
	return nil
}

func sortAssignments(as []assignment) {
	slices.SortFunc(as, func(a, b assignment) int {
		return cmp.Or(cmp.Compare(a.Set, b.Set), cmp.Compare(a.Account, b.Account), cmp.Compare(a.PrincipalType, b.PrincipalType), cmp.Compare(a.PrincipalID, b.PrincipalID))
	})
}

// orEmpty is m, or an empty map where a saved state left it out.
func orEmpty[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return map[K]V{}
	}
	return m
}
