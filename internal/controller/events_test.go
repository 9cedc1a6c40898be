// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package controller_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	eventsv1 "k8s.io/api/events/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
)

// eventsFor returns the events about an object, by reason, counting each series.
func eventsFor(t *testing.T, obj client.Object) map[string]int {
	t.Helper()
	var list eventsv1.EventList
	if err := k8s.List(context.Background(), &list); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range list.Items {
		if e.Regarding.Name != obj.GetName() || e.Regarding.Namespace != obj.GetNamespace() {
			continue
		}
		n := 1
		if e.Series != nil {
			n = int(e.Series.Count)
		}
		out[e.Reason] += n
	}
	return out
}

func TestEventsForChangesAndRefusalsOnly(t *testing.T) {
	ou := newOU("ou-events", "Events", "")
	create(t, ou)
	waitReady(t, ou)
	refused := newAccount("team-b", "events-refused", "events-refused@example.com", "")
	create(t, refused)
	waitCondition(t, refused, v1alpha1.ConditionStalled, v1alpha1.ReasonNotAllowed, "organizationalUnitRef")
	eventually(t, func() error {
		if got := eventsFor(t, ou); got["Created"] != 1 {
			return fmt.Errorf("events for the OU: %v, want one Created", got)
		}
		if got := eventsFor(t, refused); got[v1alpha1.ReasonNotAllowed] != 1 {
			return fmt.Errorf("events for the refused Account: %v, want one NotAllowed", got)
		}
		return nil
	})
	beforeOU, beforeRefused := eventsFor(t, ou), eventsFor(t, refused)
	time.Sleep(2*resyncPeriod + time.Second) // resyncs change nothing: no new events
	if got := eventsFor(t, ou); fmt.Sprint(got) != fmt.Sprint(beforeOU) {
		t.Fatalf("resyncs of an unchanged OU made events: %v, before %v", got, beforeOU)
	}
	if got := eventsFor(t, refused); fmt.Sprint(got) != fmt.Sprint(beforeRefused) {
		t.Fatalf("resyncs of a stalled Account repeated its event: %v, before %v", got, beforeRefused)
	}
	update(t, ou, func(o *v1alpha1.OrganizationalUnit) { o.Spec.Name = "Events Renamed" })
	waitReady(t, ou)
	eventually(t, func() error {
		if got := eventsFor(t, ou); got["Updated"] != 1 {
			return fmt.Errorf("events after a rename: %v, want one Updated", got)
		}
		return nil
	})
	deleteAndWait(t, refused)
	deleteAndWait(t, ou)
}

// A reconcile's changes can describe more than an event may hold (a permission set's
// rollout, an OU's 49 tags); the API server refuses a note longer than 1,024 bytes, so
// the event says what fits.
func TestEventsOfManyChangesFitTheirNote(t *testing.T) {
	ou := newOU("ou-many-tags", "Many Tags", "")
	create(t, ou)
	waitReady(t, ou)
	update(t, ou, func(o *v1alpha1.OrganizationalUnit) {
		o.Spec.Tags = v1alpha1.Tags{}
		for i := range 20 {
			o.Spec.Tags[fmt.Sprintf("Key%02d", i)] = strings.Repeat("v", 100)
		}
	})
	waitReady(t, ou)
	eventually(t, func() error {
		if got := eventsFor(t, ou); got["Updated"] != 1 {
			return fmt.Errorf("events for an OU given 20 long tags: %v, want one Updated", got)
		}
		return nil
	})
	var list eventsv1.EventList
	if err := k8s.List(context.Background(), &list); err != nil {
		t.Fatal(err)
	}
	for _, e := range list.Items {
		if e.Regarding.Name == ou.Name && e.Reason == "Updated" && (len(e.Note) > 1024 || !strings.HasPrefix(e.Note, "Tag OU Many Tags")) {
			t.Fatalf("the Updated event's note (%d bytes): %q", len(e.Note), e.Note)
		}
	}
	deleteAndWait(t, ou)
}
