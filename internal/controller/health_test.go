// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package controller_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/testenv"
)

// healthCase is a real object, reconciled by the operator into a state, with the
// health kstatus and Argo CD must give it.
type healthCase struct {
	obj     object
	kstatus status.Status
	argo    string
}

func healthZoo() []healthCase {
	doc := runtime.RawExtension{Raw: []byte(denyLeave)}
	limit := v1alpha1.Spend{Amount: "10", Unit: "USD"}
	healthy := func(o object) healthCase { return healthCase{o, status.CurrentStatus, "Healthy"} }
	progressing := func(o object) healthCase { return healthCase{o, status.InProgressStatus, "Progressing"} }
	degraded := func(o object) healthCase { return healthCase{o, status.FailedStatus, "Degraded"} }
	ouRaw := newOU("health-ou-bad-parent", "Bad Parent", "")
	ouRaw.Spec.ParentID = "ou-zzzz-zzzzzzzz"
	return []healthCase{
		healthy(newOU("health-ou", "Health", "")),
		progressing(newOU("health-ou-waiting", "Waiting", "health-missing")),
		degraded(ouRaw),
		healthy(newAccount(operatorNS, "health-acct", "health-acct@example.com", "")),
		progressing(newAccount(operatorNS, "health-acct-waiting", "health-waiting@example.com", "health-missing")),
		degraded(newAccount("team-b", "health-acct-refused", "health-refused@example.com", "")),
		healthy(&v1alpha1.ServiceControlPolicy{ObjectMeta: metav1.ObjectMeta{Name: "health-scp"}, Spec: v1alpha1.ServiceControlPolicySpec{Document: doc}}),
		progressing(&v1alpha1.ServiceControlPolicy{ObjectMeta: metav1.ObjectMeta{Name: "health-scp-waiting"}, Spec: v1alpha1.ServiceControlPolicySpec{Document: doc,
			TargetRefs: []v1alpha1.PolicyTargetRef{{Kind: "OrganizationalUnit", Name: "health-missing"}}}}),
		degraded(&v1alpha1.ServiceControlPolicy{ObjectMeta: metav1.ObjectMeta{Name: "health-scp-malformed"}, Spec: v1alpha1.ServiceControlPolicySpec{
			Document: runtime.RawExtension{Raw: []byte(`{"Version":"2012-10-17"}`)}}}),
		healthy(&v1alpha1.PermissionSet{ObjectMeta: metav1.ObjectMeta{Name: "health-ps"}}),
		progressing(&v1alpha1.PermissionSet{ObjectMeta: metav1.ObjectMeta{Name: "health-ps-waiting"}, Spec: v1alpha1.PermissionSetSpec{
			Assignments: []v1alpha1.Assignment{{Principal: v1alpha1.Principal{Type: "GROUP", Name: "Platform"}, AccountRefs: []v1alpha1.NamespacedRef{{Name: "health-missing"}}}}}}),
		degraded(&v1alpha1.PermissionSet{ObjectMeta: metav1.ObjectMeta{Name: "health-ps-ghost"}, Spec: v1alpha1.PermissionSetSpec{
			Assignments: []v1alpha1.Assignment{{Principal: v1alpha1.Principal{Type: "USER", Name: "nobody"}, AccountIDs: []string{"111111111111"}}}}}),
		healthy(&v1alpha1.Budget{ObjectMeta: metav1.ObjectMeta{Namespace: operatorNS, Name: "health-budget"}, Spec: v1alpha1.BudgetSpec{Limit: limit}}),
		progressing(&v1alpha1.Budget{ObjectMeta: metav1.ObjectMeta{Namespace: operatorNS, Name: "health-budget-waiting"}, Spec: v1alpha1.BudgetSpec{Limit: limit,
			AccountRef: &v1alpha1.LocalRef{Name: "health-missing"}}}),
		degraded(&v1alpha1.Budget{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "health-budget-refused"}, Spec: v1alpha1.BudgetSpec{Limit: limit}}),
		healthy(&v1alpha1.OrgTrail{ObjectMeta: metav1.ObjectMeta{Name: "health-trail"}, Spec: v1alpha1.OrgTrailSpec{S3BucketName: "health-bucket", DeletionPolicy: v1alpha1.DeletionPolicyDelete}}),
		degraded(&v1alpha1.OrgTrail{ObjectMeta: metav1.ObjectMeta{Name: "health-trail-bad"}, Spec: v1alpha1.OrgTrailSpec{S3BucketName: "missing-bucket"}}),
	}
}

// TestHealthOfEveryKind checks kstatus (kubectl wait, Flux) and the Argo CD health
// scripts in config/argocd against real objects in each state.
func TestHealthOfEveryKind(t *testing.T) {
	scripts := argoScripts(t)
	zoo := healthZoo()
	for _, c := range zoo {
		create(t, c.obj)
	}
	for _, c := range zoo {
		name := fmt.Sprintf("%T/%s", c.obj, c.obj.GetName())
		eventually(t, func() error {
			u := toUnstructured(t, c.obj)
			res, err := status.Compute(u)
			if err != nil {
				return err
			}
			if res.Status != c.kstatus {
				return fmt.Errorf("%s: kstatus %s (%s), want %s", name, res.Status, res.Message, c.kstatus)
			}
			script, ok := scripts[u.GetKind()]
			if !ok {
				return fmt.Errorf("config/argocd has no health check for %s", u.GetKind())
			}
			if got, msg := argoHealth(t, script, u.Object); got != c.argo {
				return fmt.Errorf("%s: Argo CD health %s (%s), want %s", name, got, msg, c.argo)
			}
			return nil
		})
	}
	if len(scripts) != 6 {
		t.Fatalf("config/argocd has %d health checks, want one for each of the six kinds", len(scripts))
	}
	for i := len(zoo) - 1; i >= 0; i-- {
		deleteAndWait(t, zoo[i].obj)
	}
}

func toUnstructured(t *testing.T, obj object) *unstructured.Unstructured {
	t.Helper()
	if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
		t.Fatal(err)
	}
	raw, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{Object: raw}
	gvks, _, _ := k8s.Scheme().ObjectKinds(obj)
	u.SetGroupVersionKind(gvks[0])
	return u
}

// argoScripts reads the health checks from the ConfigMap patch users apply, by kind.
func argoScripts(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testenv.Root(), "config", "argocd", "argocd-cm-patch.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cm corev1.ConfigMap
	if err := yaml.Unmarshal(raw, &cm); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for key, script := range cm.Data {
		if kind, ok := strings.CutPrefix(key, "resource.customizations.health.org.awsorg.dev_"); ok {
			out[kind] = script
		}
	}
	return out
}

// argoHealth runs a health script as Argo CD does: obj is a global table, the script
// returns a table with status and message.
func argoHealth(t *testing.T, script string, obj map[string]any) (string, string) {
	t.Helper()
	L := lua.NewState()
	defer L.Close()
	L.SetGlobal("obj", toLua(L, obj))
	if err := L.DoString(script); err != nil {
		t.Fatalf("health script: %v", err)
	}
	hs, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		t.Fatal("the health script returned no table")
	}
	return hs.RawGetString("status").String(), hs.RawGetString("message").String()
}

func toLua(L *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case map[string]any:
		tbl := L.NewTable()
		for k, val := range x {
			tbl.RawSetString(k, toLua(L, val))
		}
		return tbl
	case []any:
		tbl := L.NewTable()
		for _, val := range x {
			tbl.Append(toLua(L, val))
		}
		return tbl
	case string:
		return lua.LString(x)
	case bool:
		return lua.LBool(x)
	case int64:
		return lua.LNumber(x)
	case float64:
		return lua.LNumber(x)
	case nil:
		return lua.LNil
	}
	return lua.LString(fmt.Sprint(v))
}
