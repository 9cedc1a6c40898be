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
// for the variables it can resolve without a pod: literal values, with $(NAME) of an
// earlier variable expanded as Kubernetes does, and the container's own resources
// (resourceFieldRef, in units of its divisor, rounded up). Variables from the pod's
// fields, Secrets or ConfigMaps are left out.
func ContainerEnv(c corev1.Container) ([]string, error) {
	known := map[string]string{}
	var env []string
	for _, e := range c.Env {
		value := e.Value
		switch {
		case e.ValueFrom == nil:
			value = expand(value, known)
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
		known[e.Name] = value
		env = append(env, e.Name+"="+value)
	}
	return env, nil
}

// expand replaces $(NAME) with the value of an earlier variable and $$ with $; a
// reference to a variable not defined before stays as it is.
func expand(s string, known map[string]string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
			continue
		case '(':
			if end := strings.IndexByte(s[i:], ')'); end > 0 {
				if v, ok := known[s[i+2:i+end]]; ok {
					b.WriteString(v)
					i += end
					continue
				}
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
