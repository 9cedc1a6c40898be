// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package aws_test

import (
	"context"
	"maps"
	"testing"
	"time"

	awsx "github.com/awsorg/awsorg-operator/internal/aws"
)

// A write the operator makes while the model is rebuilt is kept in the rebuilt
// snapshot, whose lists were read before the write; one made before the first build
// ends is in the first snapshot. A write the snapshot holds already may be skipped,
// but not while a rebuild runs.
func TestReadModelKeepsWritesMadeDuringARebuild(t *testing.T) {
	ctx := context.Background()
	listed, release := make(chan struct{}), make(chan struct{})
	aws := map[string]bool{"a": true} // what AWS holds
	m := &awsx.ReadModel[map[string]bool]{Period: time.Hour, Copy: maps.Clone[map[string]bool],
		Build: func(context.Context) (map[string]bool, error) {
			snap := maps.Clone(aws) // the lists are read first ...
			listed <- struct{}{}
			<-release // ... and the build ends later
			return snap, nil
		}}
	get := func() chan map[string]bool { // a reader that waits for the build
		got := make(chan map[string]bool)
		go func() {
			s, err := m.Get(ctx)
			if err != nil {
				t.Error(err)
			}
			got <- s
		}()
		return got
	}
	first := get()
	<-listed
	aws["b"] = true // the operator creates b: AWS has it, the lists read did not
	m.Update(func(s map[string]bool) { s["b"] = true })
	close(release)
	if s := <-first; !s["a"] || !s["b"] {
		t.Fatalf("first snapshot %v, want a and b", s)
	}

	hasB := func(s map[string]bool) bool { return s["b"] }
	if !m.Holds(hasB) {
		t.Fatal("the snapshot holds b, and no rebuild runs, but Holds says it does not")
	}
	release = make(chan struct{})
	m.Invalidate()
	rebuilt := get()
	<-listed
	if m.Holds(hasB) { // a write now must reach the rebuilt snapshot too
		t.Fatal("Holds says a write may be skipped while a rebuild runs")
	}
	aws["c"] = true
	delete(aws, "a")
	m.Update(func(s map[string]bool) { s["c"] = true })
	m.Update(func(s map[string]bool) { delete(s, "a") })
	close(release)
	if s := <-rebuilt; s["a"] || !s["b"] || !s["c"] {
		t.Fatalf("rebuilt snapshot %v, want b and c", s)
	}
	if s, _ := m.Get(ctx); len(s) != 2 {
		t.Fatalf("snapshot after the rebuild %v, want b and c", s)
	}
}
