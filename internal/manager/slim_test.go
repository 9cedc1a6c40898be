// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package manager

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
)

func TestTheCacheHoldsObjectsWithoutWhatTheOperatorNeverReads(t *testing.T) {
	annotations := map[string]string{corev1.LastAppliedConfigAnnotation: `{"spec":{"name":"x"}}`, v1alpha1.AllowRemovalsOnAdoption: "true"}
	ou := &v1alpha1.OrganizationalUnit{ObjectMeta: metav1.ObjectMeta{Name: "ou", Annotations: annotations,
		ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}}}
	if _, err := slim(ou); err != nil {
		t.Fatal(err)
	}
	if ou.ManagedFields != nil || len(ou.Annotations) != 1 || ou.Annotations[v1alpha1.AllowRemovalsOnAdoption] != "true" {
		t.Fatalf("after the transform: managedFields %v, annotations %v", ou.ManagedFields, ou.Annotations)
	}
	if len(annotations) != 2 {
		t.Fatal("the transform changed the map it was given")
	}
}
