// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package controller_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/testenv"
)

// Every metric the Grafana dashboard queries is one the manager exports.
func TestDashboardQueriesExportedMetrics(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testenv.Root(), "config", "grafana", "awsorg-operator.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatal(err)
	}
	q := &v1alpha1.OrganizationalUnit{}
	if err := k8s.Get(context.Background(), client.ObjectKey{Name: quarantineOU}, q); err != nil {
		t.Fatal(err)
	}
	waitReady(t, q) // reconciles have run, so their histograms have samples
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	exported := map[string]bool{
		// Vectors registered by the clients, without samples until AWS throttles.
		awsx.RateMetric: true, awsx.ThrottlesMetric: true,
	}
	for _, f := range families {
		exported[f.GetName()] = true
	}
	name := regexp.MustCompile(`\b(awsorg_[a-z_]+|controller_runtime_[a-z_]+|workqueue_[a-z_]+)\b`)
	queried := 0
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			for _, m := range name.FindAllString(tg.Expr, -1) {
				queried++
				family := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(m, "_bucket"), "_sum"), "_count")
				if !exported[m] && !exported[family] {
					t.Errorf("panel %q queries %s, which the manager does not export", p.Title, m)
				}
			}
		}
	}
	if queried < 8 {
		t.Fatalf("the dashboard queries only %d metrics", queried)
	}
}
