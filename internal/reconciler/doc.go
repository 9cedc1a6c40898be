// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Package reconciler is the one reconcile engine every kind plugs into. It owns
// fetching the object, the finalizer, the deletion policy, the observe / create /
// update / delete sequence, kstatus conditions, events, the single status patch and
// requeues. A kind supplies only a Kind implementation that maps its spec to AWS.
// The engine never imports a kind or an AWS service.
package reconciler
