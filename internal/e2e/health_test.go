// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package e2e_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// TestReadyOnlyOnceTheCachesAreSynced: /readyz answers 500 while the manager cannot
// read the kinds it watches (here its ServiceAccount has no role: an object applied
// then would wait unseen), and 200 once it has read them all; /healthz answers 200
// either way.
func TestReadyOnlyOnceTheCachesAreSynced(t *testing.T) {
	ctx := context.Background()
	st := newStack(t)
	get := func(addr, path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer func() { _ = resp.Body.Close() }()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	// A ServiceAccount bound to no role: the API server answers it, and refuses its lists.
	if err := st.env.Client.Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "awsorg-system", Name: "no-role"}}); err != nil {
		t.Fatal(err)
	}
	tok, err := kubernetes.NewForConfigOrDie(st.env.Config).CoreV1().ServiceAccounts("awsorg-system").CreateToken(ctx, "no-role", &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.LoadFromFile(st.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, user := range cfg.AuthInfos {
		*user = clientcmdapi.AuthInfo{Token: tok.Status.Token}
	}
	noRole := filepath.Join(st.dir, "no-role.kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, noRole); err != nil {
		t.Fatal(err)
	}
	refused := freeAddr(t)
	st.startManager(t, "no-role", "--kubeconfig", noRole, "--health-probe-bind-address", refused)
	live := freeAddr(t)
	st.startManager(t, "manager", "--health-probe-bind-address", live)

	deadline := time.Now().Add(time.Minute)
	for {
		code, body := get(live, "/readyz")
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the manager with its rights is not ready after a minute: %d %s", code, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The manager without them has had as long; it serves its probes but is not ready.
	for _, probe := range []struct {
		path string
		want int
	}{{"/healthz", http.StatusOK}, {"/readyz", http.StatusInternalServerError}} {
		code, body := get(refused, probe.path)
		if code != probe.want {
			out, _ := os.ReadFile(filepath.Join(st.dir, "no-role.log"))
			t.Fatalf("%s of the manager that may not list what it watches: %d %s, want %d\nits log:\n%s", probe.path, code, body, probe.want, tail(string(out), 2000))
		}
	}
}
