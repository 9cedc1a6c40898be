// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package reconciler

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
)

// Controller is what a kind registers: its name, mapping, objects, the objects of
// other kinds it references, and any other event sources that wake it.
type Controller[T Object] struct {
	Name string
	Kind Kind[T]
	New  func() T
	// Dependencies wake objects at once when an object they reference gets its AWS id
	// or becomes Ready, or goes, instead of their polling for it.
	Dependencies []Dependency
	// Watches add other sources of events.
	Watches []func(*ctrl.Builder) *ctrl.Builder
}

// Dependency is a reference from the kind's objects to objects of another kind.
type Dependency struct {
	// On is the referenced kind, e.g. &v1alpha1.OrganizationalUnit{}.
	On Object
	// Index names the field index of the kind's objects by the references.
	Index string
	// Refs returns the keys of the objects an object references.
	Refs func(client.Object) []string
	// Key returns the key of a referenced object, as Refs gives it.
	Key func(client.Object) string
}

// Setup registers a controller for the kind with the manager, the index of its
// objects by status.id, and its dependencies' indexes and watches.
func Setup[T Object](ctx context.Context, mgr ctrl.Manager, c Controller[T], opts Options) error {
	idx := mgr.GetFieldIndexer()
	if err := idx.IndexField(ctx, c.New(), IDIndex, func(o client.Object) []string {
		if id := o.(Object).AWSStatus().ID; id != "" {
			return []string{id}
		}
		return nil
	}); err != nil {
		return err
	}
	var rec events.EventRecorder = mgr.GetEventRecorder(c.Name)
	if opts.Events != nil {
		rec = opts.Events.For(c.Name)
	}
	r := &Reconciler[T]{Client: mgr.GetClient(), Recorder: rec, Kind: c.Kind, New: c.New, Options: opts}
	b := ctrl.NewControllerManagedBy(mgr).Named(c.Name).
		For(c.New(), builder.WithPredicates(specChanges())).
		WithOptions(controller.Options{MaxConcurrentReconciles: max(opts.MaxConcurrentReconciles, 1), RateLimiter: rateLimiter(opts)})
	for _, d := range c.Dependencies {
		if err := idx.IndexField(ctx, c.New(), d.Index, d.Refs); err != nil {
			return err
		}
		b = b.Watches(d.On, wakeReferrers(referrers(mgr, c.New(), d)), builder.WithPredicates(becameUsable()))
	}
	for _, w := range c.Watches {
		b = w(b)
	}
	return b.Complete(r)
}

// referrers maps a referenced object to the objects that reference it.
func referrers(mgr ctrl.Manager, sample client.Object, d Dependency) handler.MapFunc {
	return func(ctx context.Context, o client.Object) []reconcile.Request {
		gvk, err := apiutil.GVKForObject(sample, mgr.GetScheme())
		if err != nil {
			return nil
		}
		obj, err := mgr.GetScheme().New(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err != nil {
			return nil
		}
		list := obj.(client.ObjectList)
		if err := mgr.GetClient().List(ctx, list, client.MatchingFields{d.Index: d.Key(o)}); err != nil {
			return nil
		}
		items, _ := meta.ExtractList(list)
		out := make([]reconcile.Request, 0, len(items))
		for _, item := range items {
			ref := item.(client.Object)
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(ref)})
		}
		return out
	}
}

// becameUsable lets through a referenced object's creation and deletion, and the
// updates that give it its AWS id or change its readiness.
func becameUsable() predicate.Predicate {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		o, okO := e.ObjectOld.(Object)
		n, okN := e.ObjectNew.(Object)
		if !okO || !okN {
			return false
		}
		return o.AWSStatus().ID != n.AWSStatus().ID || isReady(o) != isReady(n) || n.GetDeletionTimestamp() != nil
	}}
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
