// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package common

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// TagChanges returns the changes that make an AWS object's tags go from have to
// want: one that sets new and changed tags (the owner tag among them), one that
// removes the rest. what names the object in the plan, e.g. "OU Production (ou-...)".
// A want without the owner tag (an object that only observes) keeps the one AWS has.
func TagChanges(what string, have, want map[string]string, f awsx.TagFuncs) (set, remove *reconciler.Change) {
	if v, ok := have[OwnerTag]; ok {
		if _, wanted := want[OwnerTag]; !wanted {
			want = maps.Clone(want)
			want[OwnerTag] = v
		}
	}
	add, drop := awsx.DiffTags(have, want)
	if len(add) > 0 {
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(add)) {
			kv = append(kv, k+"="+add[k])
		}
		set = &reconciler.Change{Description: fmt.Sprintf("tag %s with %s", what, strings.Join(kv, ", ")),
			Apply: func(ctx context.Context) error {
				if err := f.Set(ctx, add); err != nil {
					return Fail("tag "+what, err)
				}
				return nil
			}}
	}
	if len(drop) > 0 {
		remove = &reconciler.Change{Description: fmt.Sprintf("remove the tags %s from %s", strings.Join(drop, ", "), what), Removal: true,
			Apply: func(ctx context.Context) error {
				if err := f.Remove(ctx, drop); err != nil {
					return Fail("untag "+what, err)
				}
				return nil
			}}
	}
	return set, remove
}

// AddTags appends the tag changes to the plan: the set first, so an adopted object
// carries its owner tag before anything else changes, the removal last.
func AddTags(plan reconciler.Plan, what string, have, want map[string]string, f awsx.TagFuncs) reconciler.Plan {
	set, remove := TagChanges(what, have, want, f)
	if set != nil {
		plan = append(reconciler.Plan{*set}, plan...)
	}
	if remove != nil {
		plan = append(plan, *remove)
	}
	return plan
}
