// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package reconciler

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/tools/reference"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Events sends the engine's events (events.k8s.io/v1) to the API server, one at a time
// from one goroutine. Unlike client-go's broadcaster, it keeps no copy of every event
// of the last six minutes to count repeats as a series: the engine makes no repeats
// (one event for each set of changes applied, one for each new refusal), and with
// 5,000 objects that copy was a quarter of the manager's heap. It is a
// manager.Runnable.
type Events struct {
	client client.Client
	scheme *runtime.Scheme
	host   string
	queue  chan *eventsv1.Event
}

// eventsQueued is how many events wait to be sent at most; more are dropped (and
// logged), as client-go's broadcaster drops them.
const eventsQueued = 1000

// NewEvents sends events through c.
func NewEvents(c client.Client, scheme *runtime.Scheme) *Events {
	host, _ := os.Hostname()
	return &Events{client: c, scheme: scheme, host: host, queue: make(chan *eventsv1.Event, eventsQueued)}
}

// For returns the recorder of a controller: its events name it as their reporter.
func (e *Events) For(controller string) events.EventRecorder {
	return &recorder{events: e, controller: controller}
}

// NeedLeaderElection is false: a replica that is not the leader reconciles nothing and
// so sends nothing.
func (e *Events) NeedLeaderElection() bool { return false }

// Start sends the queued events until ctx ends.
func (e *Events) Start(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev := <-e.queue:
			e.send(ctx, ev)
		}
	}
}

// send creates the event, trying again while the API server cannot be reached; an
// event the API server refuses is dropped.
func (e *Events) send(ctx context.Context, ev *eventsv1.Event) {
	wait := time.Second
	for try := 1; ; try++ {
		err := e.client.Create(ctx, ev)
		var status apierrors.APIStatus
		if err == nil || errors.As(err, &status) || try == 5 {
			if err != nil {
				ctrl.LoggerFrom(ctx).Info("Event not recorded", "regarding", ev.Regarding.Name, "reason", ev.Reason, "error", err.Error())
			}
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait *= 2
	}
}

type recorder struct {
	events     *Events
	controller string
}

func (r *recorder) Eventf(regarding, related runtime.Object, eventtype, reason, action, note string, args ...any) {
	ref, err := reference.GetReference(r.events.scheme, regarding)
	if err != nil {
		ctrl.Log.Info("Event not recorded: no reference to its object", "reason", reason, "error", err.Error())
		return
	}
	var rel *corev1.ObjectReference
	if related != nil {
		rel, _ = reference.GetReference(r.events.scheme, related)
	}
	now := time.Now()
	ns := ref.Namespace
	if ns == "" {
		ns = metav1.NamespaceDefault
	}
	ev := &eventsv1.Event{
		ObjectMeta:          metav1.ObjectMeta{Name: fmt.Sprintf("%s.%x", ref.Name, now.UnixNano()), Namespace: ns},
		EventTime:           metav1.NewMicroTime(now),
		ReportingController: r.controller, ReportingInstance: r.controller + "-" + r.events.host,
		Action: action, Reason: reason, Regarding: *ref, Related: rel, Note: fmt.Sprintf(note, args...), Type: eventtype,
	}
	select {
	case r.events.queue <- ev:
	default:
		ctrl.Log.Info("Event dropped: too many waiting to be sent", "regarding", ref.Name, "reason", reason)
	}
}
