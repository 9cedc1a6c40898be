// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package aws

import (
	"maps"
	"slices"
	"testing"
)

func TestDiffTags(t *testing.T) {
	for _, tc := range []struct {
		name       string
		have, want map[string]string
		set        map[string]string
		remove     []string
	}{
		{"equal", map[string]string{"a": "1"}, map[string]string{"a": "1"}, map[string]string{}, nil},
		{"add and change", map[string]string{"a": "1"}, map[string]string{"a": "2", "b": "3"}, map[string]string{"a": "2", "b": "3"}, nil},
		{"remove sorted", map[string]string{"b": "1", "a": "1", "c": "1"}, map[string]string{"c": "1"}, map[string]string{}, []string{"a", "b"}},
		{"from nothing", nil, map[string]string{"a": "1"}, map[string]string{"a": "1"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, remove := DiffTags(tc.have, tc.want)
			if !maps.Equal(set, tc.set) || !slices.Equal(remove, tc.remove) {
				t.Fatalf("got set %v remove %v, want %v %v", set, remove, tc.set, tc.remove)
			}
		})
	}
	if got := TagList(map[string]string{"b": "2", "a": "1"}, func(k, v string) string { return k + v }); !slices.Equal(got, []string{"a1", "b2"}) {
		t.Fatalf("TagList %v", got)
	}
}
