// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package reconciler_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// Events reach the API server in order; one the API server refuses is dropped, one it
// could not be reached for is sent again.
func TestEventsAreSentRefusedOnesDroppedUnreachableOnesRetried(t *testing.T) {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	if err := v1alpha1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	var unreachable atomic.Int32
	unreachable.Store(1)
	c := fake.NewClientBuilder().WithScheme(s).WithInterceptorFuncs(interceptor.Funcs{
		Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			ev := obj.(*eventsv1.Event)
			switch {
			case ev.Reason == "Refused":
				return apierrors.NewInvalid(eventsv1.SchemeGroupVersion.WithKind("Event").GroupKind(), ev.Name, nil)
			case ev.Reason == "Unreachable" && unreachable.Add(-1) >= 0:
				return errors.New("connection refused")
			}
			return c.Create(ctx, obj, opts...)
		}}).Build()
	e := reconciler.NewEvents(c, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = e.Start(ctx) }()
	rec := e.For("organizationalunit")
	ou := &v1alpha1.OrganizationalUnit{ObjectMeta: metav1.ObjectMeta{Name: "ou", UID: "u1"}}
	for _, reason := range []string{"Refused", "Unreachable", "Created"} {
		rec.Eventf(ou, nil, corev1.EventTypeNormal, reason, "Reconcile", "%s the OU", reason)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var list eventsv1.EventList
		if err := c.List(ctx, &list); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ev := range list.Items {
			if ev.Regarding.Name != "ou" || ev.Regarding.Kind != "OrganizationalUnit" || ev.Namespace != metav1.NamespaceDefault ||
				ev.ReportingController != "organizationalunit" || !strings.HasPrefix(ev.ReportingInstance, "organizationalunit-") || ev.Note != ev.Reason+" the OU" {
				t.Fatalf("event %+v", ev)
			}
			got = append(got, ev.Reason)
		}
		if slices.Sort(got); slices.Equal(got, []string{"Created", "Unreachable"}) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("events in the API server: %v, want Unreachable (sent again) and Created", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
