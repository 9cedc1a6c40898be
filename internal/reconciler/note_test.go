// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package reconciler

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNoteHoldsWhatFitsAndCountsTheRest(t *testing.T) {
	var lines []string
	for i := range 1000 {
		lines = append(lines, fmt.Sprintf("Assign group Platform to account %012d with AdministratorAccess", i))
	}
	got := note(lines...)
	shown := strings.Count(got, "Assign ")
	if len(got) > noteLimit || shown < 10 || !strings.HasSuffix(got, fmt.Sprintf("; and %d more", 1000-shown)) {
		t.Fatalf("note of 1,000 changes (%d bytes, %d shown): %q", len(got), shown, got)
	}
	if got := note(lines[:3]...); got != strings.Join(lines[:3], "; ") {
		t.Fatalf("note of 3 changes: %q", got)
	}
	long := strings.Repeat("é", 600) // 1,200 bytes
	if got := note(long, "Tag it"); len(got) > noteLimit || !utf8.ValidString(got) || !strings.HasSuffix(got, "…; and 1 more") {
		t.Fatalf("note of a change longer than a note (%d bytes): %q", len(got), got)
	}
}
