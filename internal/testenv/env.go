// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package testenv

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// ContainerEnv is the environment the kubelet would give a container, as NAME=value,
// for the variables it can resolve without a pod: literal values and the container's
// own resources (resourceFieldRef, in units of its divisor, rounded up). Variables from
// the pod's fields, Secrets or ConfigMaps are left out, as are $(NAME) references,
// which the manifests do not use.
func ContainerEnv(c corev1.Container) ([]string, error) {
	var env []string
	for _, e := range c.Env {
		value := e.Value
		switch {
		case e.ValueFrom == nil:
		case e.ValueFrom.ResourceFieldRef != nil:
			ref := e.ValueFrom.ResourceFieldRef
			kind, name, _ := strings.Cut(ref.Resource, ".")
			list := map[string]corev1.ResourceList{"limits": c.Resources.Limits, "requests": c.Resources.Requests}[kind]
			q, ok := list[corev1.ResourceName(name)]
			if !ok {
				return nil, fmt.Errorf("%s: the container sets no %s", e.Name, ref.Resource)
			}
			divisor := ref.Divisor
			if divisor.IsZero() {
				divisor = resource.MustParse("1")
			}
			value = fmt.Sprint((q.MilliValue() + divisor.MilliValue() - 1) / divisor.MilliValue())
		default:
			continue
		}
		env = append(env, e.Name+"="+value)
	}
	return env, nil
}
