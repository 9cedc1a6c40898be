// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package aws_test

import (
	"slices"
	"testing"
	"time"

	awsx "github.com/awsorg/awsorg-operator/internal/aws"
)

// A read is reused while fresh, follows the operator's own writes, and is read again
// at every resync.
func TestMemoReusesAReadUntilTheNextResync(t *testing.T) {
	if got := awsx.FreshFor(10 * time.Second); got >= 9*time.Second || got <= 0 {
		t.Fatalf("FreshFor(10s) = %s: it must end before the shortest jittered resync (9 s)", got)
	}
	m := awsx.Memo[string, []string]{Fresh: 100 * time.Millisecond}
	if _, ok := m.Get("p-1"); ok {
		t.Fatal("a read that was never made")
	}
	m.Put("p-1", []string{"ou-1"})
	m.Update("p-1", func(t []string) []string { return append(slices.Clone(t), "ou-2") })
	m.Update("p-2", func([]string) []string { t.Fatal("updated a read that was never made"); return nil })
	if got, ok := m.Get("p-1"); !ok || !slices.Equal(got, []string{"ou-1", "ou-2"}) {
		t.Fatalf("after an own write: %v %t", got, ok)
	}
	m.Forget(func(id string, _ []string) bool { return id == "p-1" })
	if _, ok := m.Get("p-1"); ok {
		t.Fatal("a forgotten read came back")
	}
	m.Put("p-1", []string{"ou-1"})
	time.Sleep(150 * time.Millisecond)
	if _, ok := m.Get("p-1"); ok {
		t.Fatal("a read older than Fresh was reused")
	}
}
