// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Package aws builds the operator's AWS clients, one per service, shared by every
// controller: each has a client-side rate limit and counts its calls in Prometheus.
// It also classifies AWS errors once (IsNotFound, IsAlreadyExists, IsThrottled,
// IsConflict) so controllers never match error strings. It speaks AWS, not
// Kubernetes: it must not import controllers or API types.
package aws
