// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Package orgapi is the operator's seam to AWS Organizations: the narrow API it uses,
// a shared read model of the organization's tree (built from list calls whose pages
// every object shares, so a resync of N accounts costs about N/20 calls, not N), and
// the gate that keeps CreateAccount requests in progress under AWS's limit of five.
// It speaks AWS, not Kubernetes: it must not import controllers or API types.
package orgapi
