// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package controller_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
)

func newOU(name, awsName, parent string) *v1alpha1.OrganizationalUnit {
	ou := &v1alpha1.OrganizationalUnit{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: v1alpha1.OrganizationalUnitSpec{Name: awsName}}
	if parent != "" {
		ou.Spec.ParentRef = &v1alpha1.LocalRef{Name: parent}
	}
	return ou
}

func TestOUCreateNestedRenameTagsAndDrift(t *testing.T) {
	ctx := context.Background()
	parent := newOU("ou-workloads", "Workloads", "")
	child := newOU("ou-web", "Web", "ou-workloads")
	child.Spec.Tags = v1alpha1.Tags{"Team": "web"}
	create(t, child) // the child first: it must wait for its parent
	create(t, parent)
	waitReady(t, parent)
	waitReady(t, child)

	root := rootID(t)
	gotParent, ok := awsOUs(t, root)["Workloads"]
	if !ok || aws.ToString(gotParent.Id) != parent.Status.ID {
		t.Fatalf("AWS has no OU Workloads under the root with id %s: %v", parent.Status.ID, awsOUs(t, root))
	}
	if _, ok := awsOUs(t, parent.Status.ID)["Web"]; !ok {
		t.Fatalf("AWS has no OU Web under Workloads")
	}
	if child.Status.Path != "Root/Workloads/Web" || child.Status.ParentID != parent.Status.ID {
		t.Fatalf("status path %q parent %q", child.Status.Path, child.Status.ParentID)
	}
	if tags := awsTags(t, child.Status.ID); tags["Team"] != "web" {
		t.Fatalf("tags in AWS: %v", tags)
	}

	// Rename and retag: UpdateOrganizationalUnit and tag calls, same id.
	update(t, child, func(o *v1alpha1.OrganizationalUnit) {
		o.Spec.Name = "Web Apps"
		o.Spec.Tags = v1alpha1.Tags{"Team": "apps"}
	})
	waitReady(t, child)
	eventually(t, func() error {
		u, ok := awsOUs(t, parent.Status.ID)["Web Apps"]
		if !ok || aws.ToString(u.Id) != child.Status.ID {
			return fmt.Errorf("renamed OU not in AWS: %v", awsOUs(t, parent.Status.ID))
		}
		if tags := awsTags(t, child.Status.ID); tags["Team"] != "apps" || tags[common.OwnerTag] != "ou-web" || len(tags) != 2 {
			return fmt.Errorf("tags in AWS: %v", tags)
		}
		return nil
	})

	// Drift: renamed by hand, put back at the next resync.
	if _, err := org.UpdateOrganizationalUnit(ctx, &organizations.UpdateOrganizationalUnitInput{OrganizationalUnitId: &child.Status.ID, Name: aws.String("Hand Edited")}); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		if _, ok := awsOUs(t, parent.Status.ID)["Web Apps"]; !ok {
			return fmt.Errorf("name not restored: %v", awsOUs(t, parent.Status.ID))
		}
		return nil
	})

	// The parent of an OU cannot change: the API server refuses it and says why.
	err := updateErr(child, func(o *v1alpha1.OrganizationalUnit) { o.Spec.ParentRef = nil })
	if err == nil || !strings.Contains(err.Error(), "AWS cannot move OUs") {
		t.Fatalf("want the parent change refused, got %v", err)
	}

	// Delete waits while the OU is not empty, then deletes child and parent.
	if err := k8s.Delete(ctx, parent); err != nil {
		t.Fatal(err)
	}
	waitCondition(t, parent, v1alpha1.ConditionReconciling, v1alpha1.ReasonDeleting, "still holds")
	if _, ok := awsOUs(t, root)["Workloads"]; !ok {
		t.Fatal("a non-empty OU was deleted")
	}
	deleteAndWait(t, child)
	deleteAndWait(t, parent)
	if _, ok := awsOUs(t, root)["Workloads"]; ok {
		t.Fatal("OU Workloads still in AWS after delete")
	}
}

func TestOUAdoptsExistingAndRetains(t *testing.T) {
	ctx := context.Background()
	root := rootID(t)
	made, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: &root, Name: aws.String("Existing")})
	if err != nil {
		t.Fatal(err)
	}
	ou := newOU("ou-existing", "Existing", "")
	ou.Spec.DeletionPolicy = v1alpha1.DeletionPolicyRetain
	create(t, ou)
	waitReady(t, ou)
	if ou.Status.ID != aws.ToString(made.OrganizationalUnit.Id) {
		t.Fatalf("adopted %s, want %s", ou.Status.ID, aws.ToString(made.OrganizationalUnit.Id))
	}
	if n := countOUsNamed(t, root, "Existing"); n != 1 {
		t.Fatalf("AWS has %d OUs named Existing, want 1", n)
	}
	deleteAndWait(t, ou)
	if _, ok := awsOUs(t, root)["Existing"]; !ok {
		t.Fatal("deletion policy Retain, but the OU is gone from AWS")
	}
}

func countOUsNamed(t *testing.T, parent, name string) int {
	n := 0
	out, err := org.ListOrganizationalUnitsForParent(context.Background(), &organizations.ListOrganizationalUnitsForParentInput{ParentId: &parent})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range out.OrganizationalUnits {
		if aws.ToString(u.Name) == name {
			n++
		}
	}
	return n
}

func TestOUDepthLimitStalls(t *testing.T) {
	names := []string{"d1", "d2", "d3", "d4", "d5", "d6"}
	var ous []*v1alpha1.OrganizationalUnit
	for i, n := range names {
		parent := ""
		if i > 0 {
			parent = "ou-" + names[i-1]
		}
		ou := newOU("ou-"+n, "Depth "+n, parent)
		create(t, ou)
		ous = append(ous, ou)
	}
	for _, ou := range ous[:5] {
		waitReady(t, ou)
	}
	c := waitCondition(t, ous[5], v1alpha1.ConditionStalled, v1alpha1.ReasonQuotaExceeded, "OU_DEPTH_LIMIT_EXCEEDED")
	if ous[5].Status.ID != "" {
		t.Fatalf("the sixth level got an id: %s (%s)", ous[5].Status.ID, c.Message)
	}
	for i := len(ous) - 1; i >= 0; i-- {
		deleteAndWait(t, ous[i])
	}
}

// An OU whose deletion waits on accounts says which and what to do; no Account can be
// placed in it meanwhile.
func TestOUDeletionWaitsForRetainedAccounts(t *testing.T) {
	ou := newOU("draining", "Draining", "")
	create(t, ou)
	a := newAccount(operatorNS, "kept-in-ou", "kept-in-ou@example.com", "draining")
	a.Spec.Name = "Kept In OU"
	create(t, a)
	waitReady(t, a)
	id := a.Status.ID
	deleteAndWait(t, a) // Retain: the account stays in the OU
	if err := k8s.Delete(context.Background(), ou); err != nil {
		t.Fatal(err)
	}
	waitCondition(t, ou, v1alpha1.ConditionReconciling, v1alpha1.ReasonDeleting, id)
	waitCondition(t, ou, v1alpha1.ConditionReconciling, v1alpha1.ReasonDeleting, "Retain")
	late := newAccount(operatorNS, "late-comer", "late-comer@example.com", "draining")
	create(t, late)
	waitCondition(t, late, v1alpha1.ConditionStalled, v1alpha1.ReasonInvalidSpec, "being deleted")
	if n := len(awsAccountsByEmail(t, "late-comer@example.com")); n != 0 {
		t.Fatalf("an account was created for an OU being deleted")
	}
	moveToRoot(t, id)
	eventually(t, func() error {
		if err := k8s.Get(context.Background(), keyOf(ou), ou); err == nil {
			return fmt.Errorf("the OU object is still there")
		}
		return nil
	})
	deleteAndWait(t, late)
}

// The cache drops the copy of the object a client-side apply keeps in an annotation;
// the operator's writes (its finalizer, the status) leave it on the API server.
func TestOUKeepsItsLastAppliedAnnotation(t *testing.T) {
	ou := newOU("ou-applied", "Applied", "")
	applied := `{"apiVersion":"org.awsorg.dev/v1alpha1","kind":"OrganizationalUnit","metadata":{"name":"ou-applied"},"spec":{"name":"Applied"}}`
	ou.Annotations = map[string]string{corev1.LastAppliedConfigAnnotation: applied}
	create(t, ou)
	waitReady(t, ou)
	got := &v1alpha1.OrganizationalUnit{}
	if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(ou), got); err != nil {
		t.Fatal(err)
	}
	if got.Annotations[corev1.LastAppliedConfigAnnotation] != applied || len(got.Finalizers) == 0 {
		t.Fatalf("after the operator's writes: annotations %v, finalizers %v", got.Annotations, got.Finalizers)
	}
	deleteAndWait(t, ou)
}
