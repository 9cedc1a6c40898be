// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package e2e_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
)

// TestOnlyTheLeaderChangesAWS runs two managers with leader election: only the one
// holding the Lease in the operator's namespace changes AWS, and when it dies the
// other takes over once the lease runs out.
func TestOnlyTheLeaderChangesAWS(t *testing.T) {
	ctx := context.Background()
	st := newStack(t)
	env, dir := st.env, st.dir
	ha := []string{"--leader-elect", "--leader-elect-lease-duration=4s", "--leader-elect-renew-deadline=3s", "--leader-elect-retry-period=500ms"}
	first := st.startManager(t, "first", ha...)
	holder := waitForLeader(t, env.Client, "")
	st.startManager(t, "second", ha...)
	time.Sleep(2 * time.Second) // the second manager is up and campaigning

	one := &v1alpha1.OrganizationalUnit{ObjectMeta: metav1.ObjectMeta{Name: "ha-one"}}
	if err := env.Client.Create(ctx, one); err != nil {
		t.Fatal(err)
	}
	waitForReady(t, env.Client, one)
	if !logged(dir, "first", "Changing AWS") || logged(dir, "second", "Changing AWS") {
		t.Fatalf("want only the leader (first) to change AWS; first: %t, second: %t", logged(dir, "first", "Changing AWS"), logged(dir, "second", "Changing AWS"))
	}

	// The leader dies without releasing the Lease; the other takes over.
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitForLeader(t, env.Client, holder)
	two := &v1alpha1.OrganizationalUnit{ObjectMeta: metav1.ObjectMeta{Name: "ha-two"}}
	if err := env.Client.Create(ctx, two); err != nil {
		t.Fatal(err)
	}
	waitForReady(t, env.Client, two)
	if !logged(dir, "second", "Changing AWS") {
		t.Fatal("the second manager did not take over")
	}
}

// waitForLeader waits for the Lease to be held by someone other than previous.
func waitForLeader(t *testing.T, c client.Client, previous string) string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		var lease coordinationv1.Lease
		err := c.Get(context.Background(), client.ObjectKey{Namespace: "awsorg-system", Name: "awsorg-operator.org.awsorg.dev"}, &lease)
		if err == nil && lease.Spec.HolderIdentity != nil && *lease.Spec.HolderIdentity != "" && *lease.Spec.HolderIdentity != previous {
			return *lease.Spec.HolderIdentity
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("no new leader after %q", previous)
	return ""
}

func waitForReady(t *testing.T, c client.Client, ou *v1alpha1.OrganizationalUnit) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	var last string
	for time.Now().Before(deadline) {
		if err := c.Get(context.Background(), client.ObjectKeyFromObject(ou), ou); err == nil {
			for _, cond := range ou.Status.Conditions {
				if cond.Type == v1alpha1.ConditionReady && cond.Status == metav1.ConditionTrue {
					return
				}
				last = fmt.Sprintf("%+v", cond)
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s not Ready: %s", ou.Name, last)
}

func logged(dir, name, text string) bool {
	out, _ := os.ReadFile(filepath.Join(dir, name+".log"))
	return strings.Contains(string(out), text)
}
