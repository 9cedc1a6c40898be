// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package reconciler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"time"

	jsonpatch "github.com/evanphx/json-patch/v5"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
)

// patchStatus sets the conditions from the outcome and patches status once.
func (r *Reconciler[T]) patchStatus(ctx context.Context, obj, base T, err error) error {
	st := obj.AWSStatus()
	gen := obj.GetGeneration()
	st.ObservedGeneration = gen
	set := func(typ string, status metav1.ConditionStatus, reason, msg string) {
		meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: typ, Status: status, Reason: reason, Message: clip(msg, messageLimit), ObservedGeneration: gen})
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
		if !alreadyStalled(base, stalled) {
			r.Recorder.Eventf(obj, nil, corev1.EventTypeWarning, stalled.Reason, "Reconcile", "%s", note(stalled.Message))
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
		ctrl.LoggerFrom(ctx).Info("Reconcile failed; retrying with backoff", "error", err.Error())
	}
	return r.writeStatus(ctx, obj, base) // a resync that changed nothing writes nothing
}

// writeStatus patches obj's status from base's, if it changed. Only the statuses are
// compared and diffed, as the status subresource takes nothing else: diffing whole
// objects marshaled and decoded the specs as well, a permission set's thousand
// account references at every write.
func (r *Reconciler[T]) writeStatus(ctx context.Context, obj, base T) error {
	from, to := statusOf(base), statusOf(obj)
	if equality.Semantic.DeepEqual(from, to) {
		return nil
	}
	before, err := json.Marshal(map[string]any{"status": from})
	if err != nil {
		return err
	}
	after, err := json.Marshal(map[string]any{"status": to})
	if err != nil {
		return err
	}
	patch, err := jsonpatch.CreateMergePatch(before, after)
	if err != nil {
		return err
	}
	return r.Client.Status().Patch(ctx, obj, client.RawPatch(types.MergePatchType, patch))
}

// statusOf is the Status field of a kind's object (each kind has one).
func statusOf(obj any) any {
	return reflect.ValueOf(obj).Elem().FieldByName("Status").Interface()
}

func alreadyStalled[T Object](base T, s *StalledError) bool {
	c := meta.FindStatusCondition(base.AWSStatus().Conditions, v1alpha1.ConditionStalled)
	return c != nil && c.Status == metav1.ConditionTrue && c.Reason == s.Reason && c.Message == s.Message &&
		c.ObservedGeneration == base.GetGeneration()
}

// result says when to look again: after the object's own, jittered resync period when
// it is Ready or Stalled; after the wait's delay; with backoff after an error.
func (r *Reconciler[T]) result(err error) (ctrl.Result, error) {
	var stalled *StalledError
	var wait *WaitError
	switch {
	case err == nil, errors.As(err, &stalled):
		return ctrl.Result{RequeueAfter: jitter(r.resync())}, nil
	case errors.As(err, &wait):
		return ctrl.Result{RequeueAfter: wait.After}, nil
	default:
		return ctrl.Result{}, err
	}
}

// jitter spreads a period over 90 % to 110 % of its length, so that the objects of a
// kind do not all resync at the same moment.
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.9 + 0.2*rand.Float64()))
}
