// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package reconciler

import (
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// A dependent is woken at once the first time, then once for all the wakes of the
// next DependentsEvery, at its end; another dependent is not held back by it.
func TestDependentsAreWokenAtOnceThenOnceAWhile(t *testing.T) {
	w := &wakes{last: map[reconcile.Request]time.Time{}}
	ps := reconcile.Request{NamespacedName: types.NamespacedName{Name: "ps"}}
	other := reconcile.Request{NamespacedName: types.NamespacedName{Name: "other"}}
	t0 := time.Now()
	every := DependentsEvery
	if d := w.delay(ps, t0); d != 0 {
		t.Fatalf("first wake delayed %s", d)
	}
	for _, after := range []time.Duration{time.Millisecond, every / 2, every - time.Millisecond} {
		if d := w.delay(ps, t0.Add(after)); d != every-after {
			t.Fatalf("a wake %s after the first is delayed %s, want %s (to the end of the window)", after, d, every-after)
		}
	}
	if d := w.delay(other, t0.Add(time.Millisecond)); d != 0 {
		t.Fatalf("another dependent delayed %s", d)
	}
	if d := w.delay(ps, t0.Add(every)); d != 0 {
		t.Fatalf("a wake after the window delayed %s", d)
	}
	if d := w.delay(ps, t0.Add(every+time.Second)); d != every-time.Second {
		t.Fatalf("the window starts again from the last immediate wake: delayed %s", d)
	}
}
