// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package orgapi_test

import (
	"context"
	"testing"
	"time"

	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/orgapi"
	"github.com/awsorg/awsorg-operator/internal/awssim"
)

// The tree is read with one ListAccounts walk (parents from the accounts' paths), a
// read never waits for a rebuild once there is a snapshot, and the operator's own
// writes show in the snapshot at once.
func TestOrgReadModel(t *testing.T) {
	ctx := context.Background()
	sim, c := orgWithAccounts(t, 45, 3)
	org := orgapi.NewOrg(c, time.Hour, awsx.Reuse{})
	tree, err := org.Tree(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tree.Accounts) != 46 || len(tree.OUs) != 3 || tree.OrgID == "" {
		t.Fatalf("tree with %d accounts, %d OUs, org %q", len(tree.Accounts), len(tree.OUs), tree.OrgID)
	}
	if n := sim.Calls()["organizations:ListAccountsForParent"]; n != 0 {
		t.Fatalf("%d ListAccountsForParent calls: the parents should come from the paths", n)
	}
	if n := sim.Calls()["organizations:ListAccounts"]; n != 3 {
		t.Fatalf("%d ListAccounts calls for 46 accounts, want 3 pages", n)
	}

	// A write of the operator's own: in the snapshot at once, and kept when a rebuild
	// (whose lists may lag) replaces the snapshot.
	var id, from, to string
	for _, a := range tree.Accounts {
		if a.ParentID != tree.RootID {
			id, from = a.ID, a.ParentID
			break
		}
	}
	for ouID := range tree.OUs {
		if ouID != from {
			to = ouID
		}
	}
	org.Update(func(t *orgapi.Tree) { a := t.Accounts[id]; a.ParentID = to; t.Accounts[id] = a })
	if got, _ := org.Tree(ctx); got.Accounts[id].ParentID != to || tree.Accounts[id].ParentID != from {
		t.Fatal("an update must show in the new snapshot and leave the old one as it was")
	}
	org.Invalidate()
	got, err := org.Tree(ctx) // rebuilt from AWS, where the account did not move
	if err != nil {
		t.Fatal(err)
	}
	if got.Accounts[id].ParentID != from {
		t.Fatalf("a rebuild must show what AWS holds: parent %s, want %s", got.Accounts[id].ParentID, from)
	}

	// A stale snapshot is served while the rebuild runs: the read does not wait for
	// the rebuild's slow call (it would miss its deadline if it did).
	org.SetPeriod(time.Nanosecond)
	sim.InjectFault(awssim.Fault{Operation: "ListRoots", Count: 1, Delay: 5 * time.Second})
	short, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if _, err := org.Tree(short); err != nil {
		t.Fatalf("a read waited for the rebuild: %v", err)
	}
}
