// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package reconciler

import "context"

type (
	fullCheckKey struct{}
	saveKey      struct{}
)

// FullCheck reports whether this reconcile should also read what is costly to read
// and rarely changes by hand (tags). The engine says so when the spec changed, the
// object is not Ready, or about every tenth resync of the object, spread over time.
func FullCheck(ctx context.Context) bool {
	v, _ := ctx.Value(fullCheckKey{}).(bool)
	return v
}

// WithFullCheck returns ctx with the full check set, for kinds' unit tests and for
// callers outside the engine (the CLI).
func WithFullCheck(ctx context.Context, full bool) context.Context {
	return context.WithValue(ctx, fullCheckKey{}, full)
}

// SaveStatus writes the object's status to the API server now, before the next AWS
// call: a change calls it before a call that is not idempotent, so that what it must
// remember (that it is about to create something) survives a crash.
func SaveStatus(ctx context.Context) error {
	if f, ok := ctx.Value(saveKey{}).(func(context.Context) error); ok {
		return f(ctx)
	}
	return nil
}

func withSave(ctx context.Context, f func(context.Context) error) context.Context {
	return context.WithValue(ctx, saveKey{}, f)
}
