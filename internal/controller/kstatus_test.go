// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package controller_test

import (
	"context"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
)

// kstatusOf computes the kstatus of the object as the API server holds it, as
// kubectl wait, Flux and Argo CD-style tools do.
func kstatusOf(t *testing.T, obj client.Object) status.Status {
	t.Helper()
	if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
		t.Fatal(err)
	}
	raw, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		t.Fatal(err)
	}
	res, err := status.Compute(&unstructured.Unstructured{Object: raw})
	if err != nil {
		t.Fatal(err)
	}
	return res.Status
}

func TestKstatusFollowsTheConditions(t *testing.T) {
	// Current when Ready.
	ou := newOU("ou-kstatus", "Kstatus", "")
	create(t, ou)
	waitReady(t, ou)
	if s := kstatusOf(t, ou); s != status.CurrentStatus {
		t.Fatalf("a Ready OU is %s, want Current", s)
	}
	// InProgress while reconciling: an OU waiting for its parent.
	waiting := newOU("ou-kstatus-child", "Child", "ou-kstatus-missing")
	create(t, waiting)
	waitCondition(t, waiting, v1alpha1.ConditionReconciling, v1alpha1.ReasonDependencyNotReady, "does not exist")
	if s := kstatusOf(t, waiting); s != status.InProgressStatus {
		t.Fatalf("a reconciling OU is %s, want InProgress", s)
	}
	// Failed when Stalled: a tenant account the tenancy rules refuse.
	refused := newAccount("team-b", "kstatus-refused", "kstatus@example.com", "")
	create(t, refused)
	waitCondition(t, refused, v1alpha1.ConditionStalled, v1alpha1.ReasonNotAllowed, "organizationalUnitRef")
	if s := kstatusOf(t, refused); s != status.FailedStatus {
		t.Fatalf("a stalled Account is %s, want Failed", s)
	}
	deleteAndWait(t, refused)
	deleteAndWait(t, waiting)
	deleteAndWait(t, ou)
}
