// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package reconciler

import (
	"context"
	"sync"
	"time"

	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// DependentsEvery is how often at most a dependency wakes the same object: the first
// time at once, then once for all that became usable meanwhile. A permission set
// assigned on a thousand accounts is reconciled once every few seconds while they are
// created, not a thousand times.
var DependentsEvery = 3 * time.Second

// wakeReferrers enqueues the objects that reference an object, through refs, at most
// once every DependentsEvery each.
func wakeReferrers(refs handler.MapFunc) handler.EventHandler {
	w := &wakes{last: map[reconcile.Request]time.Time{}}
	enqueue := func(ctx context.Context, o client.Object, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		for _, req := range refs(ctx, o) {
			if d := w.delay(req, time.Now()); d > 0 {
				q.AddAfter(req, d) // the queue merges the wakes that come meanwhile
			} else {
				q.Add(req)
			}
		}
	}
	return handler.Funcs{
		CreateFunc: func(ctx context.Context, e event.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			enqueue(ctx, e.Object, q)
		},
		UpdateFunc: func(ctx context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			enqueue(ctx, e.ObjectNew, q)
		},
		DeleteFunc: func(ctx context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			enqueue(ctx, e.Object, q)
		},
		GenericFunc: func(ctx context.Context, e event.GenericEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			enqueue(ctx, e.Object, q)
		},
	}
}

// wakes remembers when each object was last woken by a dependency.
type wakes struct {
	mu   sync.Mutex
	last map[reconcile.Request]time.Time
}

// delay is how long to wait before waking req: nothing if it was not woken in the
// last DependentsEvery, else until then.
func (w *wakes) delay(req reconcile.Request, now time.Time) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.last) > 4096 {
		for r, at := range w.last {
			if now.Sub(at) > DependentsEvery {
				delete(w.last, r)
			}
		}
	}
	next := w.last[req].Add(DependentsEvery)
	if !now.Before(next) {
		w.last[req] = now
		return 0
	}
	return next.Sub(now)
}
