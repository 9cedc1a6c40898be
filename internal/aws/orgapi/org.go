// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package orgapi

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	awsx "github.com/awsorg/awsorg-operator/internal/aws"
)

// Org is the shared read model of the organization's tree; every controller reads
// the tree through it (see awsx.ReadModel: snapshots served without waiting, rebuilt
// in the background once a resync period, the operator's writes applied in place). A
// rebuild that AWS's lists do not show a very recent write in yet loses it; the kind
// then meets AWS's "already exists" or "not in the tree" and reads the tree again.
type Org struct {
	API   API
	model awsx.ReadModel[*Tree]

	mu       sync.Mutex
	ousBuilt time.Time // when the OUs were last listed
	allNext  bool      // the next rebuild lists the OUs too
}

// ousEvery is how many periods the OUs (which rarely change by hand) are reused for:
// a rebuild lists the accounts each period (their paths give their parents) and the OUs
// about every fifth, or after Invalidate.
const ousEvery = 5

// NewOrg returns the read model over an Organizations client, rebuilt every period.
func NewOrg(api API, period time.Duration, reuse awsx.Reuse) *Org {
	o := &Org{API: api}
	o.model = awsx.ReadModel[*Tree]{Period: period, Build: o.build, Copy: (*Tree).clone, Reuse: reuse}
	return o
}

// Tree returns the current snapshot of the tree; callers must not change it.
func (o *Org) Tree(ctx context.Context) (*Tree, error) { return o.model.Get(ctx) }

// Invalidate makes the next read rebuild the whole tree and wait for it.
func (o *Org) Invalidate() {
	o.mu.Lock()
	o.allNext = true
	o.mu.Unlock()
	o.model.Invalidate()
}

// Update applies one of the operator's own writes to the tree.
func (o *Org) Update(f func(*Tree)) { o.model.Update(f) }

// SetPeriod changes how often the tree is rebuilt.
func (o *Org) SetPeriod(d time.Duration) { o.model.Period = d }

func (t *Tree) clone() *Tree {
	return &Tree{RootID: t.RootID, OrgID: t.OrgID, Management: t.Management, PolicyTypes: maps.Clone(t.PolicyTypes), OUs: maps.Clone(t.OUs), Accounts: maps.Clone(t.Accounts)}
}

// build reads the tree: the root and the OUs parent by parent (or the last ones, most
// periods), and the accounts. When AWS reports accounts' paths (ListAccounts), their
// parents come from there, so a rebuild costs about N/20 calls most periods, and OUs +
// 2 more about every fifth; otherwise the accounts are listed per parent.
func (o *Org) build(ctx context.Context) (*Tree, error) {
	o.mu.Lock()
	reuse := !o.allNext && time.Since(o.ousBuilt) < ousEvery*o.model.Period
	o.allNext = false
	o.mu.Unlock()
	if last, ok := o.model.Current(); ok && reuse {
		t := last.clone()
		clear(t.Accounts)
		if ok, err := o.listAccountsByPath(ctx, t); err == nil && ok && pathsKnown(t) {
			return o.keep(t, false), nil
		}
	}
	t, err := o.buildAll(ctx)
	if err != nil {
		return nil, err
	}
	return o.keep(t, true), nil
}

// pathsKnown reports whether every account's parent is a root or OU the tree holds
// (otherwise OUs changed: list them again).
func pathsKnown(t *Tree) bool {
	for _, a := range t.Accounts {
		if _, ok := t.OUs[a.ParentID]; !ok && a.ParentID != t.RootID {
			return false
		}
	}
	return true
}

func (o *Org) keep(t *Tree, all bool) *Tree {
	o.mu.Lock()
	defer o.mu.Unlock()
	if all {
		o.ousBuilt = time.Now()
	}
	return t
}

// buildAll reads the whole tree.
func (o *Org) buildAll(ctx context.Context) (*Tree, error) {
	roots, err := o.API.ListRoots(ctx, &organizations.ListRootsInput{MaxResults: aws.Int32(awsx.OrganizationsPage)})
	if err != nil {
		return nil, fmt.Errorf("listing roots: %w", err)
	}
	if len(roots.Roots) == 0 {
		return nil, fmt.Errorf("the organization has no root")
	}
	root := roots.Roots[0]
	t := &Tree{RootID: aws.ToString(root.Id), PolicyTypes: map[string]bool{}, OUs: map[string]OU{}, Accounts: map[string]Account{}}
	if arn := aws.ToString(root.Arn); strings.Contains(arn, ":root/") { // arn:aws:organizations::111111111111:root/o-.../r-...
		t.OrgID = strings.Split(arn[strings.Index(arn, ":root/")+6:], "/")[0]
		t.Management = strings.Split(arn, ":")[4]
	}
	for _, pt := range root.PolicyTypes {
		if pt.Status == types.PolicyTypeStatusEnabled {
			t.PolicyTypes[string(pt.Type)] = true
		}
	}
	parents, err := o.listOUs(ctx, t)
	if err != nil {
		return nil, err
	}
	if ok, err := o.listAccountsByPath(ctx, t); err != nil || ok {
		return t, err
	}
	clear(t.Accounts)
	for _, parent := range parents {
		if err := o.listAccountsUnder(ctx, t, parent); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// listOUs walks the OUs from the root and returns every parent (the root and the OUs).
func (o *Org) listOUs(ctx context.Context, t *Tree) ([]string, error) {
	queue, parents := []string{t.RootID}, []string{t.RootID}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		pages := organizations.NewListOrganizationalUnitsForParentPaginator(o.API, &organizations.ListOrganizationalUnitsForParentInput{ParentId: &parent, MaxResults: aws.Int32(awsx.OrganizationsPage)})
		for pages.HasMorePages() {
			p, err := pages.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("listing OUs under %s: %w", parent, err)
			}
			for _, u := range p.OrganizationalUnits {
				id := aws.ToString(u.Id)
				t.OUs[id] = OU{ID: id, Arn: aws.ToString(u.Arn), Name: aws.ToString(u.Name), ParentID: parent}
				queue, parents = append(queue, id), append(parents, id)
			}
		}
	}
	return parents, nil
}

// listAccountsByPath lists every account once and takes each parent from its path; it
// reports false when AWS does not report paths.
func (o *Org) listAccountsByPath(ctx context.Context, t *Tree) (bool, error) {
	pages := organizations.NewListAccountsPaginator(o.API, &organizations.ListAccountsInput{MaxResults: aws.Int32(awsx.OrganizationsPage)})
	for pages.HasMorePages() {
		p, err := pages.NextPage(ctx)
		if err != nil {
			return false, fmt.Errorf("listing accounts: %w", err)
		}
		for _, a := range p.Accounts {
			parent := parentFromPaths(a.Paths, aws.ToString(a.Id))
			if parent == "" {
				return false, nil
			}
			t.Accounts[aws.ToString(a.Id)] = accountOf(a, parent)
		}
	}
	return true, nil
}

// parentFromPaths reads the parent from a path like o-a/r-b/ou-b-c/123456789012/.
func parentFromPaths(paths []string, id string) string {
	for _, p := range paths {
		parts := strings.Split(strings.Trim(p, "/"), "/")
		if n := len(parts); n >= 2 && parts[n-1] == id {
			return parts[n-2]
		}
	}
	return ""
}

func (o *Org) listAccountsUnder(ctx context.Context, t *Tree, parent string) error {
	pages := organizations.NewListAccountsForParentPaginator(o.API, &organizations.ListAccountsForParentInput{ParentId: &parent, MaxResults: aws.Int32(awsx.OrganizationsPage)})
	for pages.HasMorePages() {
		p, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing accounts under %s: %w", parent, err)
		}
		for _, a := range p.Accounts {
			t.Accounts[aws.ToString(a.Id)] = accountOf(a, parent)
		}
	}
	return nil
}

func accountOf(a types.Account, parent string) Account {
	return Account{ID: aws.ToString(a.Id), Arn: aws.ToString(a.Arn), Name: aws.ToString(a.Name),
		Email: aws.ToString(a.Email), State: AccountState(a), ParentID: parent}
}
