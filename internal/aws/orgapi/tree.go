// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package orgapi

import (
	"context"
	"sort"
	"strings"

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
	OrgID       string          // o-..., from the root's ARN
	Management  string          // the management account's id, from the root's ARN
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

// AccountArn is the ARN of a member account, which AWS builds from the organization.
func (t *Tree) AccountArn(id string) string {
	return "arn:aws:organizations::" + t.Management + ":account/" + t.OrgID + "/" + id
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

// AccountState is an account's state: State, or the older Status where AWS leaves
// State empty.
func AccountState(a types.Account) string {
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

// Under returns the member accounts (not the management account, not closed) at or
// below any of the targets: the root, OUs or accounts.
func (t *Tree) Under(targets []string) []string {
	in := map[string]bool{}
	for _, id := range targets {
		in[id] = true
	}
	var out []string
	for id, a := range t.Accounts {
		if id == t.Management || a.State == "SUSPENDED" || a.State == "CLOSED" || a.State == "PENDING_CLOSURE" {
			continue
		}
		for node, depth := id, 0; node != "" && depth < 8; node, depth = t.parentOf(node), depth+1 {
			if in[node] {
				out = append(out, id)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

func (t *Tree) parentOf(id string) string {
	if a, ok := t.Accounts[id]; ok {
		return a.ParentID
	}
	if ou, ok := t.OUs[id]; ok {
		return ou.ParentID
	}
	return ""
}
