// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package v1alpha1_test

import (
	"os"
	"path/filepath"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

// TestCRDsExplainEveryField checks what `kubectl explain` and `kubectl get` show: a
// description on every field, short names, and printer columns with Ready and Age.
func TestCRDsExplainEveryField(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "config", "crd", "bases", "*.yaml"))
	if err != nil || len(files) != 6 {
		t.Fatalf("want six CRDs, found %d (%v)", len(files), err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(raw, &crd); err != nil {
			t.Fatal(err)
		}
		kind := crd.Spec.Names.Kind
		if len(crd.Spec.Names.ShortNames) == 0 || !contains(crd.Spec.Names.Categories, "awsorg") {
			t.Errorf("%s: no short name, or not in the awsorg category", kind)
		}
		v := crd.Spec.Versions[0]
		cols := map[string]bool{}
		for _, c := range v.AdditionalPrinterColumns {
			cols[c.Name] = true
		}
		if !cols["Ready"] || !cols["Age"] || !cols["AWS Name"] || !cols["Pending"] {
			t.Errorf("%s: printer columns %v lack AWS Name, Pending, Ready or Age", kind, cols)
		}
		if kind == "OrgTrail" && !cols["ARN"] {
			t.Errorf("kubectl get orgtrails shows no ARN: %v", cols)
		}
		if tags := v.Schema.OpenAPIV3Schema.Properties["spec"].Properties["tags"]; tags.MaxProperties == nil || *tags.MaxProperties != 49 {
			t.Errorf("%s: spec.tags must hold at most 49 tags (AWS allows 50, one is the owner tag)", kind)
		}
		for _, path := range undescribed(*v.Schema.OpenAPIV3Schema, "") {
			t.Errorf("%s: field %s has no description for kubectl explain", kind, path)
		}
	}
}

func undescribed(s apiextensionsv1.JSONSchemaProps, path string) []string {
	var out []string
	for name, prop := range s.Properties {
		p := path + "." + name
		if p == ".metadata" || p == ".apiVersion" || p == ".kind" {
			continue
		}
		if prop.Description == "" {
			out = append(out, p)
		}
		out = append(out, undescribed(prop, p)...)
		if prop.Items != nil && prop.Items.Schema != nil {
			out = append(out, undescribed(*prop.Items.Schema, p+"[]")...)
		}
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
