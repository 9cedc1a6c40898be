// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
)

// Apply creates every object of the YAML files in dir: those its kustomization.yaml
// lists as resources (files or directories, in order), or, without one, every YAML
// file in dir.
func Apply(ctx context.Context, c client.Client, dir string) ([]*unstructured.Unstructured, error) {
	files, err := resources(dir)
	if err != nil {
		return nil, err
	}
	var objs []*unstructured.Unstructured
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(raw), 4096)
		for {
			u := &unstructured.Unstructured{}
			if err := dec.Decode(&u.Object); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if len(u.Object) == 0 {
				continue
			}
			if err := c.Create(ctx, u); err != nil {
				return nil, fmt.Errorf("%s: creating %s %s: %w", f, u.GetKind(), u.GetName(), err)
			}
			objs = append(objs, u)
		}
	}
	return objs, nil
}

// resources lists the files to apply from dir, following kustomization resources.
func resources(dir string) ([]string, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if errors.Is(err, os.ErrNotExist) {
		files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		sort.Strings(files)
		return files, err
	}
	if err != nil {
		return nil, err
	}
	var k struct{ Resources []string }
	if err := yaml.Unmarshal(raw, &k); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "kustomization.yaml"), err)
	}
	var files []string
	for _, r := range k.Resources {
		p := filepath.Join(dir, r)
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			sub, err := resources(p)
			if err != nil {
				return nil, err
			}
			files = append(files, sub...)
			continue
		}
		files = append(files, p)
	}
	return files, nil
}

// ReadyOf returns the status and message of an object's Ready condition.
func ReadyOf(u *unstructured.Unstructured) (string, string) {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == v1alpha1.ConditionReady {
			return fmt.Sprint(m["status"]), fmt.Sprint(m["message"])
		}
	}
	return "Unknown", ""
}

// WaitReady waits until every object is Ready, printing progress to out.
func WaitReady(ctx context.Context, c client.Client, objs []*unstructured.Unstructured, timeout time.Duration, out io.Writer) error {
	deadline := time.Now().Add(timeout)
	last := -1
	for {
		ready := 0
		var waiting []string
		for _, u := range objs {
			if err := c.Get(ctx, client.ObjectKeyFromObject(u), u); err != nil {
				return err
			}
			s, msg := ReadyOf(u)
			if s == string(metav1.ConditionTrue) {
				ready++
				continue
			}
			waiting = append(waiting, fmt.Sprintf("%s %s: %s", u.GetKind(), u.GetName(), msg))
		}
		if ready != last {
			fmt.Fprintf(out, "  %d/%d Ready\n", ready, len(objs))
			last = ready
		}
		if ready == len(objs) {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("only %d of %d objects became Ready in %s; not Ready:\n  %s", ready, len(objs), timeout, strings.Join(waiting, "\n  "))
		}
		time.Sleep(500 * time.Millisecond)
	}
}
