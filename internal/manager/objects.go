// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package manager

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
)

// ObjectsMetric is the name of the gauge of objects by kind and readiness.
const ObjectsMetric = "awsorg_objects"

// objectsCollector counts the objects of each kind by their Ready status, from the
// manager's cache, when Prometheus scrapes.
type objectsCollector struct {
	reader client.Reader
	desc   *prometheus.Desc
}

func newObjectsCollector(r client.Reader) *objectsCollector {
	return &objectsCollector{reader: r, desc: prometheus.NewDesc(ObjectsMetric,
		"Objects by kind and the status of their Ready condition (True, False, Unknown).", []string{"kind", "ready"}, nil)}
}

func (c *objectsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *objectsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	lists := map[string]client.ObjectList{
		"OrganizationalUnit":   &v1alpha1.OrganizationalUnitList{},
		"Account":              &v1alpha1.AccountList{},
		"ServiceControlPolicy": &v1alpha1.ServiceControlPolicyList{},
		"PermissionSet":        &v1alpha1.PermissionSetList{},
		"Budget":               &v1alpha1.BudgetList{},
		"OrgTrail":             &v1alpha1.OrgTrailList{},
	}
	for kind, list := range lists {
		if err := c.reader.List(ctx, list); err != nil {
			continue
		}
		counts := map[string]float64{"True": 0, "False": 0, "Unknown": 0}
		for _, s := range readiness(list) {
			counts[s]++
		}
		for ready, n := range counts {
			ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, n, kind, ready)
		}
	}
}

func readiness(list client.ObjectList) []string {
	var out []string
	items, _ := meta.ExtractList(list)
	for _, item := range items {
		obj, ok := item.(interface {
			AWSStatus() *v1alpha1.ResourceStatus
		})
		if !ok {
			continue
		}
		s := "Unknown"
		if c := meta.FindStatusCondition(obj.AWSStatus().Conditions, v1alpha1.ConditionReady); c != nil {
			s = string(c.Status)
		}
		out = append(out, s)
	}
	return out
}
