// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package controller_test

import (
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/metrics"

	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/manager"
)

// callCount reads the AWS call counter from the manager's Prometheus registry.
func callCount(t *testing.T, service, operation, outcome string) float64 {
	t.Helper()
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != awsx.CallsMetric {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["service"] == service && labels["operation"] == operation && labels["outcome"] == outcome {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func TestAWSCallsAreCounted(t *testing.T) {
	before := callCount(t, "Organizations", "CreateOrganizationalUnit", "success")
	ou := newOU("ou-metrics", "Metrics", "")
	create(t, ou)
	waitReady(t, ou)
	if got := callCount(t, "Organizations", "CreateOrganizationalUnit", "success"); got != before+1 {
		t.Fatalf("CreateOrganizationalUnit successes counted %v, want %v", got, before+1)
	}
	errorsBefore := callCount(t, "Organizations", "CreateAccount", "error")
	bad := newAccount("team-b", "metrics-refused", "metrics@example.com", "") // a tenant without an OU: no AWS call
	create(t, bad)
	if got := callCount(t, "Organizations", "ListRoots", "success"); got == 0 {
		t.Fatal("reads are not counted")
	}
	if got := callCount(t, "Organizations", "CreateAccount", "error"); got != errorsBefore {
		t.Fatalf("a refused tenant account reached CreateAccount: %v errors", got-errorsBefore)
	}
	deleteAndWait(t, bad)
	deleteAndWait(t, ou)
}

func TestObjectsAreCountedByReadiness(t *testing.T) {
	ou := newOU("ou-gauge", "Gauge", "")
	create(t, ou)
	waitReady(t, ou)
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range families {
		if f.GetName() != manager.ObjectsMetric {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["kind"] == "OrganizationalUnit" && labels["ready"] == "True" && m.GetGauge().GetValue() >= 1 {
				found = true
			}
		}
	}
	if !found {
		t.Fatal("no awsorg_objects{kind=OrganizationalUnit,ready=True} >= 1")
	}
	deleteAndWait(t, ou)
}

func TestThrottlesAreCountedAndRetried(t *testing.T) {
	before := callCount(t, "Organizations", "CreateOrganizationalUnit", "throttled")
	env.Sim.Throttle("CreateOrganizationalUnit", 1)
	ou := newOU("ou-throttled", "Throttled", "")
	create(t, ou)
	waitReady(t, ou) // the SDK's retryer retries the throttle
	if got := callCount(t, "Organizations", "CreateOrganizationalUnit", "throttled"); got != before+1 {
		t.Fatalf("throttled CreateOrganizationalUnit calls counted %v, want %v", got, before+1)
	}
	deleteAndWait(t, ou)
}
