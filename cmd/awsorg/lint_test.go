// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsorg/awsorg-operator/internal/iampolicy"
	"github.com/awsorg/awsorg-operator/internal/testenv"
)

func TestLintAcceptsTheSamples(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"lint", filepath.Join(testenv.Root(), "config", "samples")}, &out, &errs); code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, out.String(), errs.String())
	}
	if !strings.Contains(errs.String(), "no problems") {
		t.Fatalf("no summary: %s", errs.String())
	}
}

func TestLintReportsEveryProblemWithItsFileObjectAndStatement(t *testing.T) {
	dir := t.TempDir()
	var manifests, want []string
	for i, c := range iampolicy.Examples {
		if c.Type == iampolicy.Identity {
			manifests = append(manifests, "apiVersion: org.awsorg.dev/v1alpha1\nkind: PermissionSet\nmetadata:\n  name: ps"+itoa(i)+"\nspec:\n  name: PS"+itoa(i)+"\n  inlinePolicy: "+c.Doc+"\n")
			want = append(want, "PermissionSet ps"+itoa(i)+": "+c.Want)
			continue
		}
		manifests = append(manifests, "apiVersion: org.awsorg.dev/v1alpha1\nkind: ServiceControlPolicy\nmetadata:\n  name: scp"+itoa(i)+"\nspec:\n  type: "+string(c.Type)+"\n  document: "+c.Doc+"\n")
		want = append(want, "ServiceControlPolicy scp"+itoa(i)+": "+c.Want)
	}
	// A deny-all on an OU that holds an account, and one on an empty OU (no problem).
	manifests = append(manifests, `apiVersion: org.awsorg.dev/v1alpha1
kind: OrganizationalUnit
metadata: {name: prod}
spec: {}
---
apiVersion: org.awsorg.dev/v1alpha1
kind: OrganizationalUnit
metadata: {name: team}
spec: {parentRef: {name: prod}}
---
apiVersion: org.awsorg.dev/v1alpha1
kind: Account
metadata: {name: web, namespace: awsorg-system}
spec: {email: web@example.com, organizationalUnitRef: {name: team}}
---
apiVersion: org.awsorg.dev/v1alpha1
kind: ServiceControlPolicy
metadata: {name: deny-all}
spec:
  document: {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}
  targetRefs: [{kind: OrganizationalUnit, name: prod}, {kind: OrganizationalUnit, name: empty}]
---
apiVersion: org.awsorg.dev/v1alpha1
kind: ServiceControlPolicy
metadata: {name: deny-all-meant}
spec:
  allowLockout: true
  document: {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}
  targetRefs: [{kind: Root}]
`)
	want = append(want, "ServiceControlPolicy deny-all: denies every action on every resource without a condition on OrganizationalUnit prod")
	file := filepath.Join(dir, "org.yaml")
	if err := os.WriteFile(file, []byte(strings.Join(manifests, "---\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"lint", dir}, &out, &errs); code != 1 {
		t.Fatalf("exit %d, want 1:\n%s%s", code, out.String(), errs.String())
	}
	lines := strings.Split(out.String(), "\n")
	for _, w := range want {
		obj, problem, _ := strings.Cut(w, ": ")
		found := false
		for _, l := range lines {
			found = found || (strings.HasPrefix(l, file+": "+obj+": ") && strings.Contains(l, problem))
		}
		if !found {
			t.Errorf("no line for %s with %q in:\n%s", obj, problem, out.String())
		}
	}
	if strings.Contains(out.String(), "deny-all-meant") || strings.Contains(out.String(), "OrganizationalUnit empty") {
		t.Errorf("reported a lockout that is allowed or reaches no account:\n%s", out.String())
	}
}

// itoa names the i-th object with two letters.
func itoa(i int) string { return string(rune('a'+i/26)) + string(rune('a'+i%26)) }
