// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package e2e_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/internal/testenv"
)

// The versions of the tools, as the Makefile pins them.
const (
	helmVersion      = "v3.22.0"
	kustomizeVersion = "v5.8.1"
)

// The Helm chart is lint-clean and renders, with its defaults and with every
// operator setting changed, to manifests the API server accepts (server-side dry run).
func TestHelmChartInstalls(t *testing.T) {
	st := newStack(t)
	chart := filepath.Join(testenv.Root(), "dist", "chart")
	helm := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(filepath.Join(bin, "helm"), args...)
		cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+st.dir, "HELM_CONFIG_HOME="+st.dir, "HELM_DATA_HOME="+st.dir)
		var out, errs bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errs
		if err := cmd.Run(); err != nil {
			t.Fatalf("helm %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errs.String())
		}
		return out.String()
	}
	if out := helm("lint", "--strict", chart); !strings.Contains(out, "0 chart(s) failed") {
		t.Fatalf("helm lint:\n%s", out)
	}

	defaults := objects(t, helm("template", "awsorg-operator", chart, "--namespace", "awsorg-system"))
	dep := find(t, defaults, "Deployment", "")
	if r, _, _ := unstructured.NestedFieldNoCopy(dep.Object, "spec", "replicas"); fmt.Sprint(r) != "2" {
		t.Fatalf("replicas %v, want 2 with leader election", r)
	}
	args := managerArgs(t, dep)
	for _, want := range []string{"--leader-elect", "--resync-period=10m", "--default-management-policy=Manage", "--metrics-bind-address=:8443"} {
		if !slices.Contains(args, want) {
			t.Fatalf("default manager args %v lack %s", args, want)
		}
	}
	for _, role := range []string{"awsorg-tenant-edit", "awsorg-tenant-view", "awsorg-org-admin", "awsorg-org-viewer"} {
		find(t, defaults, "ClusterRole", role)
	}
	if slices.ContainsFunc(defaults, func(u *unstructured.Unstructured) bool { return u.GetKind() == "ServiceMonitor" }) {
		t.Fatal("a ServiceMonitor without prometheus.enabled")
	}
	if env := managerEnv(t, dep); !slices.Contains(env, "MEMORY_LIMIT=134217728") || !slices.Contains(env, "GOGC=50") {
		t.Fatalf("manager environment %v: want MEMORY_LIMIT=134217728, the 128Mi memory limit (the manager takes half for GOMEMLIMIT), and GOGC=50", env)
	}
	dryRun(t, st.env.Client, defaults)

	custom := objects(t, helm("template", "awsorg-operator", chart, "--namespace", "awsorg-system",
		"--set", "manager.image.repository=registry.example.com/awsorg-operator", "--set", "manager.image.tag=v1.2.3",
		"--set", "operator.resyncPeriod=5m", "--set", "operator.awsRegion=eu-west-1", "--set", "operator.defaultManagementPolicy=Observe",
		"--set", "operator.quarantineOU=quarantine", "--set", "operator.awsRates.organizations=4", "--set", "operator.awsRates.sso=12",
		"--set", "manager.resources.limits.memory=256Mi",
		"--set-string", "serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=arn:aws:iam::111111111111:role/awsorg"))
	dep = find(t, custom, "Deployment", "")
	args = managerArgs(t, dep)
	for _, want := range []string{"--resync-period=5m", "--aws-region=eu-west-1", "--default-management-policy=Observe", "--quarantine-ou=quarantine",
		"--aws-rate-organizations=4", "--aws-rate-sso=12"} {
		if !slices.Contains(args, want) {
			t.Fatalf("manager args %v lack %s", args, want)
		}
	}
	if env := managerEnv(t, dep); !slices.Contains(env, "MEMORY_LIMIT=268435456") {
		t.Fatalf("manager environment %v: want MEMORY_LIMIT=268435456, the 256Mi memory limit", env)
	}
	containers, _, _ := unstructured.NestedSlice(dep.Object, "spec", "template", "spec", "containers")
	if img := containers[0].(map[string]any)["image"]; img != "registry.example.com/awsorg-operator:v1.2.3" {
		t.Fatalf("image %v", img)
	}
	sa := find(t, custom, "ServiceAccount", "")
	if sa.GetAnnotations()["eks.amazonaws.com/role-arn"] == "" {
		t.Fatal("the ServiceAccount lacks its IRSA annotation")
	}
	dryRun(t, st.env.Client, custom)

	monitored := objects(t, helm("template", "awsorg-operator", chart, "--namespace", "awsorg-system", "--set", "prometheus.enabled=true"))
	find(t, monitored, "ServiceMonitor", "")
}

// The install bundle is what kustomize builds from config/default, and the API server
// accepts it (server-side dry run).
func TestInstallBundleInstalls(t *testing.T) {
	st := newStack(t)
	root := testenv.Root()
	committed, err := os.ReadFile(filepath.Join(root, "dist", "install.yaml"))
	if err != nil {
		t.Fatalf("%v (make build-installer writes it)", err)
	}
	cmd := exec.Command(filepath.Join(bin, "kustomize"), "build", filepath.Join(root, "config", "default"))
	built, err := cmd.Output()
	if err != nil {
		t.Fatalf("kustomize build config/default: %v", err)
	}
	if !bytes.Equal(built, committed) {
		t.Fatal("dist/install.yaml is not what config/default builds: run make build-installer")
	}
	objs := objects(t, string(committed))
	if env := managerEnv(t, find(t, objs, "Deployment", "")); !slices.Contains(env, "MEMORY_LIMIT=134217728") {
		t.Fatalf("manager environment %v: want MEMORY_LIMIT=134217728, the 128Mi memory limit", env)
	}
	dryRun(t, st.env.Client, objs)
}

// objects decodes a multi-document YAML stream.
func objects(t *testing.T, stream string) []*unstructured.Unstructured {
	t.Helper()
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(stream), 4096)
	var out []*unstructured.Unstructured
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatal(err)
		}
		if len(u.Object) > 0 {
			out = append(out, u)
		}
	}
}

func find(t *testing.T, objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	t.Helper()
	for _, u := range objs {
		if u.GetKind() == kind && (name == "" || strings.HasSuffix(u.GetName(), name)) {
			return u
		}
	}
	t.Fatalf("no %s %s in the rendered manifests", kind, name)
	return nil
}

func managerArgs(t *testing.T, dep *unstructured.Unstructured) []string {
	t.Helper()
	containers, _, _ := unstructured.NestedSlice(dep.Object, "spec", "template", "spec", "containers")
	var args []string
	for _, a := range containers[0].(map[string]any)["args"].([]any) {
		args = append(args, a.(string))
	}
	return args
}

// managerEnv is the environment the kubelet gives the Deployment's manager container.
func managerEnv(t *testing.T, dep *unstructured.Unstructured) []string {
	t.Helper()
	var d appsv1.Deployment
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(dep.Object, &d); err != nil {
		t.Fatal(err)
	}
	env, err := testenv.ContainerEnv(d.Spec.Template.Spec.Containers[0])
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// dryRun applies every object with server-side apply in dry-run mode: the API server
// validates it (schemas, RBAC references, CRDs) and keeps nothing.
func dryRun(t *testing.T, c client.Client, objs []*unstructured.Unstructured) {
	t.Helper()
	for _, u := range objs {
		if u.GetKind() == "Namespace" {
			continue // the stack made it; a dry-run namespace would not hold the rest
		}
		if err := c.Patch(context.Background(), u, client.Apply, client.FieldOwner("install-test"), client.ForceOwnership, client.DryRunAll); err != nil {
			t.Fatalf("%s %s: %v", u.GetKind(), u.GetName(), err)
		}
	}
}
