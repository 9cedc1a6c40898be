// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package aws_test

import (
	"slices"
	"testing"

	awsx "github.com/awsorg/awsorg-operator/internal/aws"
)

// A caller that leaves the line gives back the slot kept for it: the next in line
// gets it at once, not after KeepFor.
func TestALineGivesTheSlotOfACallerThatLeftToTheNext(t *testing.T) {
	l := &awsx.Line{Limit: 2}
	for _, key := range []string{"a", "b", "c", "d"} {
		l.Join(key)
	}
	if next := l.Next(0); !slices.Equal(next, []string{"a", "b"}) {
		t.Fatalf("woken %v, want a and b", next)
	}
	l.Leave("a") // a's object is gone
	l.Leave("c")
	if next := l.Next(0); !slices.Equal(next, []string{"d"}) {
		t.Fatalf("after a and c left, woken %v, want d", next)
	}
	if !l.Turn("b", 0) {
		t.Fatal("b's slot is not kept for b")
	}
	if l.Turn("a", 1) { // b's request holds one slot, and d's is kept for d
		t.Fatal("a came back and took a slot; both are taken")
	}
}
