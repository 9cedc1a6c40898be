// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package aws

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// ReadModel is a shared read of many AWS objects, built from list pages. A read returns
// the current snapshot at once; a snapshot older than Period is rebuilt in the
// background, so readers never wait for a rebuild (only the first read, and the first
// after Invalidate, wait while it is built). The operator's own writes are applied to
// it in place, copy on write: Update gets a copy of the snapshot to change. A write
// made while a rebuild runs is applied to the rebuilt snapshot too, as its lists may
// have been read before the write.
type ReadModel[T any] struct {
	// Period is how old a snapshot may get before it is rebuilt: the resync period.
	Period time.Duration
	// Build reads a new snapshot from AWS.
	Build func(context.Context) (T, error)
	// Copy returns a copy of a snapshot that Update may change.
	Copy func(T) T
	// Reuse keeps a snapshot older than Period while the change feed vouches that
	// nothing changed in AWS since it was built.
	Reuse Reuse

	mu       sync.Mutex
	snap     T
	have     bool
	built    time.Time
	stale    bool
	building chan struct{}
	err      error
	// during are the writes made while the build in progress runs.
	during []func(T)
}

// Get returns the current snapshot; callers must not change it.
func (m *ReadModel[T]) Get(ctx context.Context) (T, error) {
	m.mu.Lock()
	if m.have && !m.stale {
		if time.Since(m.built) >= m.Period && !m.Reuse.ok(m.built) {
			m.start()
		}
		s := m.snap
		m.mu.Unlock()
		return s, nil
	}
	done := m.start()
	m.mu.Unlock()
	select {
	case <-done:
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.have || m.stale {
		var zero T
		return zero, fmt.Errorf("reading from AWS: %w", m.err)
	}
	return m.snap, nil
}

// start starts a rebuild unless one runs; m.mu must be held.
func (m *ReadModel[T]) start() chan struct{} {
	if m.building != nil {
		return m.building
	}
	done := make(chan struct{})
	m.building = done
	started := time.Now()
	go func() {
		defer close(done)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		s, err := m.Build(ctx)
		m.mu.Lock()
		defer m.mu.Unlock()
		m.building, m.err = nil, err
		if err == nil {
			for _, f := range m.during { // s is not shared yet
				f(s)
			}
			m.snap, m.have, m.built, m.stale = s, true, started, false
		}
		m.during = nil
	}()
	return done
}

// Current returns the snapshot as it is, without starting a rebuild, and whether there
// is one.
func (m *ReadModel[T]) Current() (T, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.snap, m.have
}

// Invalidate makes the next read rebuild the snapshot and wait for it, after an
// answer from AWS that the snapshot did not expect.
func (m *ReadModel[T]) Invalidate() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stale = true
}

// Holds reports whether the snapshot is there, no rebuild runs, and has(snapshot)
// says it holds a write already: then Update would change nothing.
func (m *ReadModel[T]) Holds(has func(T) bool) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.have && m.building == nil && has(m.snap)
}

// Update applies one of the operator's own writes to a copy of the snapshot, and to
// the snapshot being built, if one is.
func (m *ReadModel[T]) Update(f func(T)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.building != nil {
		m.during = append(m.during, f)
	}
	if m.have {
		c := m.Copy(m.snap)
		f(c)
		m.snap = c
	}
}
