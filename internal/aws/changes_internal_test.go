// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package aws

import (
	"context"
	"testing"
	"time"
)

// Without --change-feed the feed never runs, and the request ids of the operator's
// writes would pile up for the life of the process.
func TestAFeedThatDoesNotRunKeepsNoRequestIDs(t *testing.T) {
	c := &Changes{}
	for i := range 1000 {
		c.Own(string(rune('a'+i%26)) + time.Now().String())
	}
	if len(c.own) != 0 {
		t.Fatalf("a feed that does not run keeps %d request ids, want none", len(c.own))
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = c.Start(ctx) }()
	for {
		c.mu.Lock()
		started := !c.started.IsZero()
		c.mu.Unlock()
		if started {
			break
		}
		time.Sleep(time.Millisecond)
	}
	c.Own("req-1")
	cancel()
	<-done
	if _, ok := c.own["req-1"]; !ok {
		t.Fatal("a running feed forgot the request id of the operator's write")
	}
}

// The change feed's own LookupEvents reads are neither refused in a read-only context
// nor kept as the operator's writes.
func TestLookupEventsOnlyReads(t *testing.T) {
	for op, read := range map[string]bool{"LookupEvents": true, "ListAccounts": true, "DescribePolicy": true, "GetInlinePolicyForPermissionSet": true, "IsMemberInGroups": true,
		"CreateAccount": false, "TagResource": false, "PutInlinePolicyToPermissionSet": false} {
		if IsRead(op) != read {
			t.Errorf("IsRead(%s) = %t, want %t", op, !read, read)
		}
	}
}
