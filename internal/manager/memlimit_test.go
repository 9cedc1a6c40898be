// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package manager

import "testing"

func TestTheSoftMemoryLimitIsHalfTheContainersUnlessGOMEMLIMITIsSet(t *testing.T) {
	for _, c := range []struct {
		limit, gomemlimit string
		want              int64
	}{
		{"134217728", "", 64 << 20},
		{"268435456", "", 128 << 20},
		{"134217728", "100MiB", 0}, // Go applies GOMEMLIMIT itself
		{"", "", 0},
		{"128Mi", "", 0},
		{"0", "", 0},
	} {
		if got := SoftMemoryLimit(c.limit, c.gomemlimit); got != c.want {
			t.Errorf("SoftMemoryLimit(%q, %q) = %d, want %d", c.limit, c.gomemlimit, got, c.want)
		}
	}
}
