// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Package e2e holds the end-to-end test: the manager and simulator binaries, built and
// started as a user would start them, converge config/samples on a real API server.
package e2e
