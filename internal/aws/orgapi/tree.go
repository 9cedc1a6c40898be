// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package orgapi

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	awsx "github.com/awsorg/awsorg-operator/internal/aws"
)

// OU is an organizational unit as the tree knows it.
type OU struct{ ID, Arn, Name, ParentID string }

// Account is a member account as the tree knows it.
type Account struct{ ID, Arn, Name, Email, State, ParentID string }

// Tree is one read of the organization: its root, OUs and accounts with their parents.
type Tree struct {
	RootID      string
	PolicyTypes map[string]bool // enabled on the root
	OUs         map[string]OU
	Accounts    map[string]Account
}

// AccountByEmail finds an account by email, case-insensitively.
func (t *Tree) AccountByEmail(email string) (Account, bool) {
	for _, a := range t.Accounts {
		if strings.EqualFold(a.Email, email) {
			return a, true
		}
	}
	return Account{}, false
}

// OUByName finds the OU with a name under a parent.
func (t *Tree) OUByName(parentID, name string) (OU, bool) {
	for _, u := range t.OUs {
		if u.ParentID == parentID && u.Name == name {
			return u, true
		}
	}
	return OU{}, false
}

// Path is the OU's place in the tree by name, e.g. Root/Workloads/Production.
func (t *Tree) Path(id string) string {
	var parts []string
	for id != t.RootID {
		u, ok := t.OUs[id]
		if !ok {
			return ""
		}
		parts = append([]string{u.Name}, parts...)
		id = u.ParentID
	}
	return strings.Join(append([]string{"Root"}, parts...), "/")
}

// Describe names a root, OU or account for people: "Root (r-ab12)", "OU Production
// (ou-ab12-34567890)", "account 123456789012".
func (t *Tree) Describe(id string) string {
	switch {
	case id == t.RootID:
		return "Root (" + id + ")"
	case t.OUs[id].ID != "":
		return "OU " + t.OUs[id].Name + " (" + id + ")"
	case strings.HasPrefix(id, "ou-"):
		return "OU " + id
	case strings.HasPrefix(id, "r-"):
		return "root " + id
	}
	return "account " + id
}

// HasChildren reports whether an OU holds accounts or OUs.
func (t *Tree) HasChildren(id string) bool {
	for _, u := range t.OUs {
		if u.ParentID == id {
			return true
		}
	}
	for _, a := range t.Accounts {
		if a.ParentID == id {
			return true
		}
	}
	return false
}

// Org is the shared read model of the organization. Every controller reads the tree
// through it; it is rebuilt from list calls when older than its TTL, and the
// operator's own writes are applied to it in place, so they cost no rebuild.
type Org struct {
	API API
	TTL time.Duration

	mu    sync.Mutex
	tree  *Tree
	built time.Time
}

// NewOrg returns the read model over an Organizations client.
func NewOrg(api API, ttl time.Duration) *Org { return &Org{API: api, TTL: ttl} }

// Tree returns a copy of the current tree, rebuilding it if it is stale.
func (o *Org) Tree(ctx context.Context) (*Tree, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.tree == nil || time.Since(o.built) > o.TTL {
		t, err := o.build(ctx)
		if err != nil {
			return nil, err
		}
		o.tree, o.built = t, time.Now()
	}
	return o.tree.clone(), nil
}

// Invalidate makes the next read rebuild the tree (after an unexpected answer from AWS).
func (o *Org) Invalidate() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.tree = nil
}

// Update applies one of the operator's own writes to the cached tree.
func (o *Org) Update(f func(*Tree)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.tree != nil {
		f(o.tree)
	}
}

func (t *Tree) clone() *Tree {
	c := &Tree{RootID: t.RootID, PolicyTypes: map[string]bool{}, OUs: make(map[string]OU, len(t.OUs)), Accounts: make(map[string]Account, len(t.Accounts))}
	for k, v := range t.PolicyTypes {
		c.PolicyTypes[k] = v
	}
	for k, v := range t.OUs {
		c.OUs[k] = v
	}
	for k, v := range t.Accounts {
		c.Accounts[k] = v
	}
	return c
}

// build walks the tree from the root: per parent, one page of OUs and one page of
// accounts (20 each), so the cost is about N/20 + 2 x parents calls.
func (o *Org) build(ctx context.Context) (*Tree, error) {
	roots, err := o.API.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		return nil, fmt.Errorf("listing roots: %w", err)
	}
	if len(roots.Roots) == 0 {
		return nil, fmt.Errorf("the organization has no root")
	}
	root := roots.Roots[0]
	t := &Tree{RootID: aws.ToString(root.Id), PolicyTypes: map[string]bool{}, OUs: map[string]OU{}, Accounts: map[string]Account{}}
	for _, pt := range root.PolicyTypes {
		if pt.Status == types.PolicyTypeStatusEnabled {
			t.PolicyTypes[string(pt.Type)] = true
		}
	}
	queue := []string{t.RootID}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		ous := organizations.NewListOrganizationalUnitsForParentPaginator(o.API, &organizations.ListOrganizationalUnitsForParentInput{ParentId: &parent})
		for ous.HasMorePages() {
			p, err := ous.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("listing OUs under %s: %w", parent, err)
			}
			for _, u := range p.OrganizationalUnits {
				id := aws.ToString(u.Id)
				t.OUs[id] = OU{ID: id, Arn: aws.ToString(u.Arn), Name: aws.ToString(u.Name), ParentID: parent}
				queue = append(queue, id)
			}
		}
		accts := organizations.NewListAccountsForParentPaginator(o.API, &organizations.ListAccountsForParentInput{ParentId: &parent})
		for accts.HasMorePages() {
			p, err := accts.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("listing accounts under %s: %w", parent, err)
			}
			for _, a := range p.Accounts {
				id := aws.ToString(a.Id)
				t.Accounts[id] = Account{ID: id, Arn: aws.ToString(a.Arn), Name: aws.ToString(a.Name),
					Email: aws.ToString(a.Email), State: accountState(a), ParentID: parent}
			}
		}
	}
	return t, nil
}

func accountState(a types.Account) string {
	if a.State != "" {
		return string(a.State)
	}
	return string(a.Status)
}

// Tags reads all tags of a resource.
func Tags(ctx context.Context, api API, id string) (map[string]string, error) {
	out := map[string]string{}
	p := organizations.NewListTagsForResourcePaginator(api, &organizations.ListTagsForResourceInput{ResourceId: &id})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range page.Tags {
			out[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return out, nil
}

// TagFuncs sets and removes the tags of a resource.
func TagFuncs(api API, id string) awsx.TagFuncs {
	return awsx.TagFuncs{
		Set: func(ctx context.Context, tags map[string]string) error {
			_, err := api.TagResource(ctx, &organizations.TagResourceInput{ResourceId: &id, Tags: ToTags(tags)})
			return err
		},
		Remove: func(ctx context.Context, keys []string) error {
			_, err := api.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: &id, TagKeys: keys})
			return err
		},
	}
}

// ToTags converts a map to AWS tags, sorted by key.
func ToTags(m map[string]string) []types.Tag {
	return awsx.TagList(m, func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} })
}
