// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package account

import (
	"maps"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
)

func TestWantTagsCarryTheOwner(t *testing.T) {
	for _, tc := range []struct {
		name string
		tags v1alpha1.Tags
		want map[string]string
	}{
		{"no tags", nil, map[string]string{common.OwnerTag: "team-a/dev"}},
		{"user tags", v1alpha1.Tags{"CostCenter": "1"}, map[string]string{"CostCenter": "1", common.OwnerTag: "team-a/dev"}},
		{"owner cannot be forged", v1alpha1.Tags{common.OwnerTag: "team-b/x"}, map[string]string{common.OwnerTag: "team-a/dev"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &v1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "dev"}, Spec: v1alpha1.AccountSpec{Tags: tc.tags}}
			if got := common.WantTags(a, a.Spec.Tags); !maps.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			if len(a.Spec.Tags) > 0 && a.Spec.Tags[common.OwnerTag] == "team-a/dev" {
				t.Fatal("WantTags changed the spec")
			}
		})
	}
}
