// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package reconciler

import (
	"context"
	"time"

	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
)

// Setup registers a controller for the kind with the manager, and the index of its
// objects by status.id.
func Setup[T Object](ctx context.Context, mgr ctrl.Manager, name string, kind Kind[T], newObj func() T, opts Options, watches ...func(*ctrl.Builder) *ctrl.Builder) error {
	if err := mgr.GetFieldIndexer().IndexField(ctx, newObj(), IDIndex, func(o client.Object) []string {
		if id := o.(Object).AWSStatus().ID; id != "" {
			return []string{id}
		}
		return nil
	}); err != nil {
		return err
	}
	r := &Reconciler[T]{Client: mgr.GetClient(), Recorder: mgr.GetEventRecorder(name), Kind: kind, New: newObj, Options: opts}
	b := ctrl.NewControllerManagedBy(mgr).Named(name).
		For(newObj(), builder.WithPredicates(specChanges())).
		WithOptions(controller.Options{MaxConcurrentReconciles: max(opts.MaxConcurrentReconciles, 1), RateLimiter: rateLimiter(opts)})
	for _, w := range watches {
		b = w(b)
	}
	return b.Complete(r)
}

func rateLimiter(opts Options) workqueue.TypedRateLimiter[reconcile.Request] {
	lo, hi := opts.RetryMin, opts.RetryMax
	if lo <= 0 {
		lo = 200 * time.Millisecond
	}
	if hi <= 0 {
		hi = 5 * time.Minute
	}
	return workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](lo, hi)
}

// specChanges lets through spec changes, deletions, and label or annotation changes,
// but neither the engine's own status patches nor the informer's periodic resyncs:
// each object is requeued after its own jittered resync period instead.
func specChanges() predicate.Predicate {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		o, n := e.ObjectOld, e.ObjectNew
		return o.GetGeneration() != n.GetGeneration() || n.GetDeletionTimestamp() != nil ||
			!equalMaps(o.GetLabels(), n.GetLabels()) || !equalMaps(o.GetAnnotations(), n.GetAnnotations())
	}}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
