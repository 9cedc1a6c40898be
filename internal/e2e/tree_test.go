// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package e2e_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/testenv"
)

// A tenant's `awsorg tree --namespace` shows its own accounts and the OUs they are in,
// with only what its RBAC (the tenant view role) lets it read.
func TestTreeForATenant(t *testing.T) {
	ctx := context.Background()
	st := newStack(t)
	c := st.env.Client
	roles, err := os.ReadFile(filepath.Join(testenv.Root(), "config", "rbac", "tenant_roles.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range objects(t, string(roles)) {
		if err := c.Create(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-a"}},
		&rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "alice-view"},
			RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "awsorg-tenant-view"},
			Subjects: []rbacv1.Subject{{Kind: "User", Name: "alice"}}},
		&v1alpha1.OrganizationalUnit{ObjectMeta: metav1.ObjectMeta{Name: "sandbox"}, Spec: v1alpha1.OrganizationalUnitSpec{Name: "Sandbox"}},
		&v1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "dev"},
			Spec: v1alpha1.AccountSpec{Email: "dev@example.com", OrganizationalUnitRef: &v1alpha1.LocalRef{Name: "sandbox"}}},
		&v1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: "awsorg-system", Name: "security"}, Spec: v1alpha1.AccountSpec{Email: "security@example.com"}},
	} {
		if err := c.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	kubeconfig, err := st.env.WriteUserKubeconfig(st.dir, "alice")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(filepath.Join(bin, "awsorg"), "tree", "--namespace", "team-a", "--kubeconfig", kubeconfig).CombinedOutput()
	if err != nil {
		t.Fatalf("awsorg tree as a tenant: %v\n%s", err, out)
	}
	tree := string(out)
	for _, want := range []string{"└── OU sandbox (your RBAC may not read it)", "    └── Account team-a/dev (dev, no id yet)",
		"Not shown (your RBAC may not list them): OrganizationalUnit, ServiceControlPolicy, PermissionSet, OrgTrail"} {
		if !strings.Contains(tree, want) {
			t.Errorf("no %q in the tenant's tree:\n%s", want, tree)
		}
	}
	if strings.Contains(tree, "security") {
		t.Errorf("the tenant's tree shows another namespace's account:\n%s", tree)
	}
}
