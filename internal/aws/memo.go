// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package aws

import (
	"sync"
	"time"
)

// Memo keeps recent reads of single AWS objects by key, for the reconciles that come
// between two resyncs (woken by a dependency, or by a request that ended): a read is
// reused while it is fresh, a little less than the shortest jittered resync, so every
// resync reads AWS again and finds drift. The operator's own writes update a read in
// place; a write that failed, or an answer the read did not expect, forgets it.
type Memo[K comparable, V any] struct {
	// Fresh is how long a read is reused.
	Fresh time.Duration
	// Reuse keeps a read longer while the change feed vouches that nothing changed
	// in AWS since it was made.
	Reuse Reuse

	mu    sync.Mutex
	reads map[K]memoRead[V]
}

type memoRead[V any] struct {
	at time.Time
	v  V
}

// FreshFor is how long a read may be reused with this resync period: resyncs come
// after 90 % to 110 % of it.
func FreshFor(resync time.Duration) time.Duration { return resync * 85 / 100 }

// Get returns the read of key while it is fresh.
func (m *Memo[K, V]) Get(key K) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.reads[key]
	if !ok || time.Since(r.at) > m.Fresh && !m.Reuse.ok(r.at) {
		var zero V
		return zero, false
	}
	return r.v, true
}

// Put records a read of key made now.
func (m *Memo[K, V]) Put(key K, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.reads == nil {
		m.reads = map[K]memoRead[V]{}
	}
	m.reads[key] = memoRead[V]{at: time.Now(), v: v}
}

// Update applies one of the operator's own writes to the read of key, if there is one;
// the read keeps its age.
func (m *Memo[K, V]) Update(key K, f func(V) V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.reads[key]; ok {
		r.v = f(r.v)
		m.reads[key] = r
	}
}

// Forget drops the reads for which drop is true.
func (m *Memo[K, V]) Forget(drop func(K, V) bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, r := range m.reads {
		if drop(k, r.v) {
			delete(m.reads, k)
		}
	}
}
