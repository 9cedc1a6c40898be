// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package aws

import (
	"context"
	"maps"
	"slices"
)

// DiffTags returns the tags to set (new or changed) and the keys to remove so that a
// resource's tags go from have to want. Keys come out sorted, so calls are repeatable.
func DiffTags(have, want map[string]string) (set map[string]string, remove []string) {
	set = map[string]string{}
	for k, v := range want {
		if cur, ok := have[k]; !ok || cur != v {
			set[k] = v
		}
	}
	for k := range have {
		if _, ok := want[k]; !ok {
			remove = append(remove, k)
		}
	}
	slices.Sort(remove)
	return set, remove
}

// TagList converts tags to a service's tag type, sorted by key.
func TagList[T any](m map[string]string, tag func(key, value string) T) []T {
	out := make([]T, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, tag(k, m[k]))
	}
	return out
}

// TagFuncs set and remove the tags of one AWS object, through its service's API.
type TagFuncs struct {
	Set    func(ctx context.Context, tags map[string]string) error
	Remove func(ctx context.Context, keys []string) error
}
