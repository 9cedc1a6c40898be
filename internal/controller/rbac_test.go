// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package controller_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/testenv"
)

// applyClusterRoles installs the ClusterRoles of a file in config/rbac.
func applyClusterRoles(t *testing.T, file string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testenv.Root(), "config", "rbac", file))
	if err != nil {
		t.Fatal(err)
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(raw), 4096)
	for {
		var role rbacv1.ClusterRole
		if err := dec.Decode(&role); errors.Is(err, io.EOF) {
			return
		} else if err != nil {
			t.Fatal(err)
		}
		if err := k8s.Create(context.Background(), &role); client.IgnoreAlreadyExists(err) != nil {
			t.Fatal(err)
		}
	}
}

// aggregate does what kube-controller-manager's ClusterRole aggregation controller does
// (envtest runs no controller manager): it fills an aggregated role's rules from the
// ClusterRoles its aggregationRule selects.
func aggregate(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	var target rbacv1.ClusterRole
	if err := k8s.Get(ctx, client.ObjectKey{Name: name}, &target); err != nil {
		t.Fatal(err)
	}
	var rules []rbacv1.PolicyRule
	for _, sel := range target.AggregationRule.ClusterRoleSelectors {
		s, err := metav1.LabelSelectorAsSelector(&sel)
		if err != nil {
			t.Fatal(err)
		}
		var roles rbacv1.ClusterRoleList
		if err := k8s.List(ctx, &roles, &client.ListOptions{LabelSelector: s}); err != nil {
			t.Fatal(err)
		}
		for _, r := range roles.Items {
			if r.Name != name {
				rules = append(rules, r.Rules...)
			}
		}
	}
	target.Rules = rules
	if err := k8s.Update(ctx, &target); err != nil {
		t.Fatal(err)
	}
}

func TestNamespaceEditorsManageAccountsAndNothingElse(t *testing.T) {
	ctx := context.Background()
	applyClusterRoles(t, "tenant_roles.yaml")
	applyClusterRoles(t, "org_roles.yaml")
	aggregate(t, "edit")
	if err := k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-rbac"}}); err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: "team-rbac", Name: "developers-edit"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "edit"},
		Subjects: []rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: "User", Name: "dev@team-rbac"}}}
	if err := k8s.Create(ctx, binding); err != nil {
		t.Fatal(err)
	}
	cfg := *env.Config
	cfg.Impersonate.UserName = "dev@team-rbac"
	dev, err := client.New(&cfg, client.Options{Scheme: k8s.Scheme()})
	if err != nil {
		t.Fatal(err)
	}

	own := newAccount("team-rbac", "mine", "rbac-mine@example.com", "some-ou")
	if err := dev.Create(ctx, own); err != nil {
		t.Fatalf("a namespace editor could not create an Account in its namespace: %v", err)
	}
	var list v1alpha1.AccountList
	if err := dev.List(ctx, &list, client.InNamespace("team-rbac")); err != nil {
		t.Fatalf("a namespace editor could not list Accounts: %v", err)
	}
	budget := &v1alpha1.Budget{ObjectMeta: metav1.ObjectMeta{Namespace: "team-rbac", Name: "b"}, Spec: v1alpha1.BudgetSpec{Limit: v1alpha1.Spend{Amount: "1", Unit: "USD"}}}
	if err := dev.Create(ctx, budget); err != nil {
		t.Fatalf("a namespace editor could not create a Budget in its namespace: %v", err)
	}
	forbidden := map[string]client.Object{
		"an OrganizationalUnit":           newOU("rbac-ou", "RBAC", ""),
		"a ServiceControlPolicy":          newSCP("rbac-scp", "RBAC", denyLeave),
		"an Account in another namespace": newAccount("team-b", "theirs", "rbac-theirs@example.com", "some-ou"),
		"a PermissionSet":                 &v1alpha1.PermissionSet{ObjectMeta: metav1.ObjectMeta{Name: "rbac-ps"}},
		"an OrgTrail":                     newTrail("rbac-trail", "bucket"),
	}
	for what, obj := range forbidden {
		if err := dev.Create(ctx, obj); !apierrors.IsForbidden(err) {
			t.Errorf("a namespace editor creating %s: want Forbidden, got %v", what, err)
		}
	}
	deleteAndWait(t, own)
	deleteAndWait(t, budget)
}
