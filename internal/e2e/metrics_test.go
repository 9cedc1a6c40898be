// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package e2e_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/internal/testenv"
)

// TestMetricsNeedAnAuthorizedToken starts the manager with its default
// --metrics-secure: metrics are served over HTTPS, refused without a token, and served
// to a ServiceAccount bound to the metrics-reader ClusterRole, as Prometheus scrapes.
// The manager runs with the MEMORY_LIMIT the Deployment passes, and the Go runtime's
// own soft limit, as its metrics report it, is half of it.
func TestMetricsNeedAnAuthorizedToken(t *testing.T) {
	ctx := context.Background()
	st := newStack(t)
	c := st.env.Client
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "awsorg-system", Name: "prometheus"}}
	reader := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "metrics-reader"},
		Rules: []rbacv1.PolicyRule{{NonResourceURLs: []string{"/metrics"}, Verbs: []string{"get"}}}}
	binding := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "prometheus-metrics-reader"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "metrics-reader"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Namespace: "awsorg-system", Name: "prometheus"}}}
	for _, o := range []client.Object{sa, reader, binding} {
		if err := c.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	addr := freeAddr(t)
	t.Setenv("MEMORY_LIMIT", "134217728") // limits.memory 128Mi
	t.Setenv("GOMEMLIMIT", "")
	st.startManager(t, "metrics", "--metrics-bind-address", addr)

	kube := kubernetes.NewForConfigOrDie(st.env.Config)
	tok, err := kube.CoreV1().ServiceAccounts("awsorg-system").CreateToken(ctx, "prometheus", &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	get := func(token string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, "https://"+addr+"/metrics", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		cl := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // a self-signed test certificate
		resp, err := cl.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer func() { _ = resp.Body.Close() }()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	deadline := time.Now().Add(time.Minute)
	var body string
	for {
		var code int
		code, body = get(tok.Status.Token)
		if code == http.StatusOK && strings.Contains(body, "awsorg_objects") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics with a token: %d %s", code, tail(body, 300))
		}
		time.Sleep(500 * time.Millisecond)
	}
	if limit := regexp.MustCompile(`(?m)^go_gc_gomemlimit_bytes (\S+)$`).FindStringSubmatch(body); limit == nil || limit[1] != "6.7108864e+07" {
		t.Fatalf("Go's soft memory limit with MEMORY_LIMIT=134217728: %v, want 6.7108864e+07 (64 MiB)", limit)
	}
	if code, body := get(""); code != http.StatusUnauthorized && code != http.StatusForbidden {
		t.Fatalf("metrics without a token: %d %s", code, tail(body, 300))
	}
	if code, body := get("not-a-token"); code != http.StatusUnauthorized {
		t.Fatalf("metrics with a bad token: %d %s, want 401", code, tail(body, 300))
	}
	// A valid token of an account the metrics-reader role is not bound to.
	other := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "awsorg-system", Name: "not-prometheus"}}
	if err := c.Create(ctx, other); err != nil {
		t.Fatal(err)
	}
	otherTok, err := kube.CoreV1().ServiceAccounts("awsorg-system").CreateToken(ctx, "not-prometheus", &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if code, body := get(otherTok.Status.Token); code != http.StatusForbidden {
		t.Fatalf("metrics with the token of an account not allowed to read them: %d %s, want 403", code, tail(body, 300))
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// TestEveryFlagTheManifestsPassExists reads the manager's arguments in config/ and
// checks that the manager binary defines each flag.
func TestEveryFlagTheManifestsPassExists(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binaries")
	}
	var help bytes.Buffer
	cmd := exec.Command(filepath.Join(bin, "manager"), "--help")
	cmd.Stdout, cmd.Stderr = &help, &help
	_ = cmd.Run()
	flagRe := regexp.MustCompile(`(?m)^\s*(?:-\s+|value:\s+)["']?--([a-z0-9-]+)`)
	seen := 0
	err := filepath.Walk(filepath.Join(testenv.Root(), "config"), func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range flagRe.FindAllStringSubmatch(string(raw), -1) {
			seen++
			if !strings.Contains(help.String(), "  -"+m[1]+" ") && !strings.Contains(help.String(), "  -"+m[1]+"\n") {
				t.Errorf("%s passes --%s, which the manager does not define", strings.TrimPrefix(path, testenv.Root()+"/"), m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 3 {
		t.Fatalf("found only %d flags in config/: the pattern is wrong", seen)
	}
}
