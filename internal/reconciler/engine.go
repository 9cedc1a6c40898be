// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package reconciler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
)

// Finalizer holds objects until the engine has applied their deletion policy in AWS.
const Finalizer = "org.awsorg.dev/finalizer"

// Object is what the engine reconciles: any kind of this API.
type Object interface {
	client.Object
	AWSStatus() *v1alpha1.ResourceStatus
}

// Observation is what a kind saw in AWS; observing never changes anything.
type Observation struct {
	// Exists is true when the AWS object exists (or was adopted).
	Exists bool
	// UpToDate is true when AWS matches the spec.
	UpToDate bool
}

// Changes describe what a Create, Update or Delete changed in AWS, one phrase each;
// each non-empty set becomes one event.
type Changes []string

// Kind maps one kind's spec to AWS. The engine calls Observe, then Create or Update
// until AWS is up to date, or Delete when the object goes and Retain is false.
// Methods return StalledError or WaitError to say what happens next; any other error
// is retried with backoff.
type Kind[T Object] interface {
	Observe(ctx context.Context, obj T) (Observation, error)
	Create(ctx context.Context, obj T) (Changes, error)
	Update(ctx context.Context, obj T) (Changes, error)
	Delete(ctx context.Context, obj T) (Changes, error)
	// Retain reports whether the deletion policy leaves the AWS object untouched.
	Retain(obj T) bool
}

// Reconciler runs a Kind.
type Reconciler[T Object] struct {
	Client   client.Client
	Recorder events.EventRecorder
	Kind     Kind[T]
	New      func() T
}

// Options configure a controller built by Setup.
type Options struct {
	// MaxConcurrentReconciles bounds parallel reconciles of the kind.
	MaxConcurrentReconciles int
}

// Setup registers a controller for the kind with the manager.
func Setup[T Object](mgr ctrl.Manager, name string, kind Kind[T], newObj func() T, opts Options, watches ...func(*ctrl.Builder) *ctrl.Builder) error {
	r := &Reconciler[T]{Client: mgr.GetClient(), Recorder: mgr.GetEventRecorder(name), Kind: kind, New: newObj}
	b := ctrl.NewControllerManagedBy(mgr).Named(name).
		For(newObj(), builder.WithPredicates(specOrResync())).
		WithOptions(controller.Options{MaxConcurrentReconciles: max(opts.MaxConcurrentReconciles, 1)})
	for _, w := range watches {
		b = w(b)
	}
	return b.Complete(r)
}

// specOrResync lets through spec changes, deletions, label or annotation changes and
// periodic resyncs, but not the engine's own status patches.
func specOrResync() predicate.Predicate {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		o, n := e.ObjectOld, e.ObjectNew
		return o.GetGeneration() != n.GetGeneration() || o.GetResourceVersion() == n.GetResourceVersion() ||
			n.GetDeletionTimestamp() != nil || !equalMaps(o.GetLabels(), n.GetLabels()) || !equalMaps(o.GetAnnotations(), n.GetAnnotations())
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
	base := obj.DeepCopyObject().(T)
	res, err := r.converge(ctx, obj, &base)
	if perr := r.patchStatus(ctx, obj, base, err); perr != nil {
		return ctrl.Result{}, perr
	}
	return r.result(res, err)
}

// converge observes AWS and creates or updates until it matches the spec. After a
// create, the ids AWS returned are patched into status at once, before anything
// else, so a crash cannot lose them.
func (r *Reconciler[T]) converge(ctx context.Context, obj T, base *T) (ctrl.Result, error) {
	log := ctrl.LoggerFrom(ctx)
	for attempt := 0; attempt < 3; attempt++ {
		obs, err := r.Kind.Observe(ctx, obj)
		if err != nil {
			return ctrl.Result{}, err
		}
		switch {
		case !obs.Exists:
			log.Info("Creating the AWS object")
			changes, err := r.Kind.Create(ctx, obj)
			r.event(obj, "Created", changes)
			if perr := r.Client.Status().Patch(ctx, obj, client.MergeFrom(*base)); perr != nil {
				return ctrl.Result{}, errors.Join(err, perr)
			}
			*base = obj.DeepCopyObject().(T)
			if err != nil {
				return ctrl.Result{}, err
			}
		case !obs.UpToDate:
			log.Info("Updating the AWS object to match the spec")
			changes, err := r.Kind.Update(ctx, obj)
			r.event(obj, "Updated", changes)
			if err != nil {
				return ctrl.Result{}, err
			}
		default:
			return ctrl.Result{}, nil
		}
	}
	return ctrl.Result{}, Wait(2*time.Second, v1alpha1.ReasonProgressing, "AWS does not match the spec yet after the last changes; looking again shortly")
}

func (r *Reconciler[T]) delete(ctx context.Context, obj T) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(obj, Finalizer) {
		return ctrl.Result{}, nil
	}
	base := obj.DeepCopyObject().(T)
	if !r.Kind.Retain(obj) {
		ctrl.LoggerFrom(ctx).Info("Deleting the AWS object, as the deletion policy says")
		changes, err := r.Kind.Delete(ctx, obj)
		r.event(obj, "Deleted", changes)
		if err != nil {
			if perr := r.patchStatus(ctx, obj, base, err); perr != nil && !apierrors.IsNotFound(perr) {
				return ctrl.Result{}, perr
			}
			return r.result(ctrl.Result{}, err)
		}
	} else {
		r.Recorder.Eventf(obj, nil, corev1.EventTypeNormal, "Retained", "Delete", "Left the AWS object %s in place: the deletion policy is Retain", obj.AWSStatus().ID)
	}
	controllerutil.RemoveFinalizer(obj, Finalizer)
	return ctrl.Result{}, client.IgnoreNotFound(r.Client.Patch(ctx, obj, client.MergeFrom(base)))
}

func (r *Reconciler[T]) event(obj T, reason string, changes Changes) {
	if len(changes) == 0 {
		return
	}
	r.Recorder.Eventf(obj, nil, corev1.EventTypeNormal, reason, reason, "%s", strings.Join(changes, "; "))
}

// patchStatus sets the conditions from the outcome and patches status once.
func (r *Reconciler[T]) patchStatus(ctx context.Context, obj, base T, err error) error {
	st := obj.AWSStatus()
	gen := obj.GetGeneration()
	st.ObservedGeneration = gen
	set := func(typ string, status metav1.ConditionStatus, reason, msg string) {
		meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: typ, Status: status, Reason: reason, Message: msg, ObservedGeneration: gen})
	}
	var stalled *StalledError
	var wait *WaitError
	switch {
	case err == nil:
		set(v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady, "AWS matches the spec")
		meta.RemoveStatusCondition(&st.Conditions, v1alpha1.ConditionReconciling)
		meta.RemoveStatusCondition(&st.Conditions, v1alpha1.ConditionStalled)
	case errors.As(err, &stalled):
		set(v1alpha1.ConditionReady, metav1.ConditionFalse, stalled.Reason, stalled.Message)
		set(v1alpha1.ConditionStalled, metav1.ConditionTrue, stalled.Reason, stalled.Message)
		meta.RemoveStatusCondition(&st.Conditions, v1alpha1.ConditionReconciling)
		if !r.alreadyStalled(base, stalled) {
			r.Recorder.Eventf(obj, nil, corev1.EventTypeWarning, stalled.Reason, "Reconcile", "%s", stalled.Message)
		}
	case errors.As(err, &wait):
		set(v1alpha1.ConditionReady, metav1.ConditionFalse, wait.Reason, wait.Message)
		set(v1alpha1.ConditionReconciling, metav1.ConditionTrue, wait.Reason, wait.Message)
		meta.RemoveStatusCondition(&st.Conditions, v1alpha1.ConditionStalled)
	default:
		msg := fmt.Sprintf("%v; retrying with backoff", err)
		set(v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonReconcileError, msg)
		set(v1alpha1.ConditionReconciling, metav1.ConditionTrue, v1alpha1.ReasonReconcileError, msg)
		meta.RemoveStatusCondition(&st.Conditions, v1alpha1.ConditionStalled)
	}
	return r.Client.Status().Patch(ctx, obj, client.MergeFrom(base))
}

func (r *Reconciler[T]) alreadyStalled(base T, s *StalledError) bool {
	c := meta.FindStatusCondition(base.AWSStatus().Conditions, v1alpha1.ConditionStalled)
	return c != nil && c.Status == metav1.ConditionTrue && c.Reason == s.Reason && c.Message == s.Message &&
		c.ObservedGeneration == base.GetGeneration()
}

func (r *Reconciler[T]) result(res ctrl.Result, err error) (ctrl.Result, error) {
	var stalled *StalledError
	var wait *WaitError
	switch {
	case err == nil:
		return res, nil
	case errors.As(err, &stalled):
		return ctrl.Result{}, nil
	case errors.As(err, &wait):
		return ctrl.Result{RequeueAfter: wait.After}, nil
	default:
		return ctrl.Result{}, err
	}
}
