// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package reconciler

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
)

// Finalizer holds objects until the engine has applied their deletion policy in AWS.
const Finalizer = "org.awsorg.dev/finalizer"

// IDIndex is the field index of every kind's objects by status.id, so that one AWS
// object is never held by two objects.
const IDIndex = "status.id"

// Object is what the engine reconciles: any kind of this API.
type Object interface {
	client.Object
	AWSStatus() *v1alpha1.ResourceStatus
	GetManagementPolicy() v1alpha1.ManagementPolicy
}

// Changes describe what a Delete changed in AWS, one phrase each; each non-empty set
// becomes one event.
type Changes []string

// Kind maps one kind's spec to AWS. Observe reads AWS and says what differs, as a
// plan; the engine decides whether to apply it. Delete runs when the object goes, its
// deletion policy is not Retain and its management policy is Manage. Methods return
// StalledError or WaitError to say what happens next; any other error is retried with
// backoff.
type Kind[T Object] interface {
	Observe(ctx context.Context, obj T) (Observation, error)
	Delete(ctx context.Context, obj T) (Changes, error)
	// Retain reports whether the deletion policy leaves the AWS object untouched.
	Retain(obj T) bool
}

// Forgetter is a Kind that keeps something of its objects in memory, such as a place
// in line for one of AWS's few slots: Forget is called once an object is gone from
// the operator (its finalizer removed, whatever its deletion policy).
type Forgetter[T Object] interface {
	Forget(obj T)
}

// Options configure the engine of every kind.
type Options struct {
	// MaxConcurrentReconciles bounds parallel reconciles of the kind.
	MaxConcurrentReconciles int
	// ResyncPeriod is how often an object is compared with AWS again; each object's
	// period is jittered so that a kind's objects spread their reads.
	ResyncPeriod time.Duration
	// DefaultManagementPolicy applies to objects whose spec leaves it empty.
	DefaultManagementPolicy v1alpha1.ManagementPolicy
	// ReadOnly returns a context in which AWS writes are refused; Observe runs in it.
	ReadOnly func(context.Context) context.Context
	// Background marks a context's AWS calls as background reads, which yield to calls
	// for spec changes; the periodic resyncs of Ready objects observe in it.
	Background func(context.Context) context.Context
	// DependencyPoll is how soon an object waiting on another looks again, when no
	// watch wakes it first.
	DependencyPoll time.Duration
	// RetryMin and RetryMax bound the exponential backoff after errors (default 200ms
	// and 5m): an object rides out an AWS outage and is looked at again within
	// minutes once AWS is back.
	RetryMin, RetryMax time.Duration
	// Events sends the engine's events; nil sends them through the manager's recorder.
	Events *Events
}

// Reconciler runs a Kind.
type Reconciler[T Object] struct {
	Client   client.Client
	Recorder events.EventRecorder
	Kind     Kind[T]
	New      func() T
	Options  Options

	mu       sync.Mutex
	attempts map[types.UID]attempt
	checked  map[types.UID]check // the last full check of each object
}

// check is when an object was last fully checked, and for which generation.
type check struct {
	at         time.Time
	generation int64
}

// attempt counts how often the same changes were applied without AWS converging.
type attempt struct {
	generation int64
	signature  string
	count      int
	applied    time.Time // when these changes were last applied without an error
}

// Reconcile is the engine's one loop for every kind.
func (r *Reconciler[T]) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	obj := r.New()
	if err := r.Client.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !obj.GetDeletionTimestamp().IsZero() {
		return r.delete(ctx, obj)
	}
	if !controllerutil.ContainsFinalizer(obj, Finalizer) {
		base := obj.DeepCopyObject().(T)
		controllerutil.AddFinalizer(obj, Finalizer)
		if err := r.Client.Patch(ctx, obj, client.MergeFrom(base)); err != nil {
			return ctrl.Result{}, err
		}
	}
	s := &session[T]{r: r, obj: obj, base: obj.DeepCopyObject().(T)}
	ctx = withSave(ctx, s.save)
	err := r.converge(ctx, s)
	if perr := r.patchStatus(ctx, obj, s.base, err); perr != nil {
		return ctrl.Result{}, perr
	}
	return r.result(err)
}

// session is one reconcile of one object: base is what the API server holds.
type session[T Object] struct {
	r    *Reconciler[T]
	obj  T
	base T
}

// save writes the status now if it changed, so ids AWS returned are never lost.
func (s *session[T]) save(ctx context.Context) error {
	if err := s.r.writeStatus(ctx, s.obj, s.base); err != nil {
		return err
	}
	s.base = s.obj.DeepCopyObject().(T)
	return nil
}

func (r *Reconciler[T]) policy(obj T) v1alpha1.ManagementPolicy {
	if p := obj.GetManagementPolicy(); p != "" {
		return p
	}
	if r.Options.DefaultManagementPolicy != "" {
		return r.Options.DefaultManagementPolicy
	}
	return v1alpha1.Manage
}

// observeCtx is where Observe runs: read-only, and in the background for the resync
// of an object that is Ready.
func (r *Reconciler[T]) observeCtx(ctx context.Context, obj T) context.Context {
	if r.Options.Background != nil && isReady(obj) {
		ctx = r.Options.Background(ctx)
	}
	if r.Options.ReadOnly == nil {
		return ctx
	}
	return r.Options.ReadOnly(ctx)
}

func (r *Reconciler[T]) delete(ctx context.Context, obj T) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(obj, Finalizer) {
		return ctrl.Result{}, nil
	}
	base := obj.DeepCopyObject().(T)
	switch {
	case r.policy(obj) == v1alpha1.Observe:
		r.Recorder.Eventf(obj, nil, corev1.EventTypeNormal, "Released", "Delete", "Left the AWS object %s untouched: the management policy is Observe", obj.AWSStatus().ID)
	case r.Kind.Retain(obj):
		r.Recorder.Eventf(obj, nil, corev1.EventTypeNormal, "Retained", "Delete", "Left the AWS object %s in place: the deletion policy is Retain", obj.AWSStatus().ID)
	default:
		ctrl.LoggerFrom(ctx).Info("Deleting the AWS object, as the deletion policy says")
		s := &session[T]{r: r, obj: obj, base: base}
		changes, err := r.Kind.Delete(withSave(ctx, s.save), obj)
		r.event(obj, "Deleted", changes)
		if err != nil {
			if perr := r.patchStatus(ctx, obj, s.base, err); perr != nil && !apierrors.IsNotFound(perr) {
				return ctrl.Result{}, perr
			}
			return r.result(err)
		}
		base = s.base
	}
	r.forget(obj.GetUID())
	controllerutil.RemoveFinalizer(obj, Finalizer)
	if err := r.Client.Patch(ctx, obj, client.MergeFrom(base)); client.IgnoreNotFound(err) != nil {
		return ctrl.Result{}, err
	}
	if f, ok := r.Kind.(Forgetter[T]); ok {
		f.Forget(obj)
	}
	return ctrl.Result{}, nil
}

func (r *Reconciler[T]) event(obj T, reason string, changes Changes) {
	if len(changes) == 0 {
		return
	}
	r.Recorder.Eventf(obj, nil, corev1.EventTypeNormal, reason, reason, "%s", note(changes...))
}

// noteLimit is the longest note the API server accepts in an event.
const noteLimit = 1024

// note joins lines into an event's note: as many as fit, then how many more there are.
// A permission set's rollout makes hundreds of changes in a reconcile; a longer note
// would make the API server refuse the event.
func note(lines ...string) string {
	var b strings.Builder
	for i, l := range lines {
		sep, more := "", ""
		if i > 0 {
			sep = "; "
		}
		if n := len(lines) - i - 1; n > 0 { // room for the count, should the next line not fit
			more = fmt.Sprintf("; and %d more", n)
		}
		if b.Len()+len(sep)+len(l)+len(more) <= noteLimit {
			b.WriteString(sep + l)
			continue
		}
		if i > 0 {
			fmt.Fprintf(&b, "; and %d more", len(lines)-i)
			break
		}
		b.WriteString(clip(l, noteLimit-len(more)) + more)
		break
	}
	return b.String()
}

// messageLimit is the longest condition message the engine writes; the API server
// refuses a status whose condition messages are longer than 32 KiB.
const messageLimit = 4096

// clip cuts s to at most n bytes, at a character, and marks the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func (r *Reconciler[T]) forget(uid types.UID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.attempts, uid)
	delete(r.checked, uid)
}
