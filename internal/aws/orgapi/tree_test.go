// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package orgapi

import "testing"

func TestTreePathsAndLookups(t *testing.T) {
	tr := &Tree{RootID: "r-1",
		OUs:      map[string]OU{"ou-1": {ID: "ou-1", Name: "Workloads", ParentID: "r-1"}, "ou-2": {ID: "ou-2", Name: "Prod", ParentID: "ou-1"}},
		Accounts: map[string]Account{"111": {ID: "111", Email: "A@Example.com", ParentID: "ou-2"}}}
	for _, tc := range []struct{ id, want string }{{"r-1", "Root"}, {"ou-1", "Root/Workloads"}, {"ou-2", "Root/Workloads/Prod"}, {"ou-x", ""}} {
		if got := tr.Path(tc.id); got != tc.want {
			t.Errorf("Path(%s) = %q, want %q", tc.id, got, tc.want)
		}
	}
	if a, ok := tr.AccountByEmail("a@example.COM"); !ok || a.ID != "111" {
		t.Error("emails must match case-insensitively")
	}
	if !tr.HasChildren("ou-1") || !tr.HasChildren("ou-2") || tr.HasChildren("ou-x") {
		t.Error("HasChildren")
	}
	if u, ok := tr.OUByName("ou-1", "Prod"); !ok || u.ID != "ou-2" {
		t.Error("OUByName under a parent")
	}
	if _, ok := tr.OUByName("r-1", "Prod"); ok {
		t.Error("OUByName must only look under the given parent")
	}
}
