// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package aws

import (
	"slices"
	"time"
)

// Line is the queue of callers waiting for one of the few slots AWS gives requests it
// carries out in the background (five account creations, three closures). A slot that
// frees goes to the first in line and is kept for it a while, so no newcomer takes it
// first. The tracker's lock guards a Line.
type Line struct {
	// Limit is how many requests AWS lets be in progress at once.
	Limit int

	queue    []string
	reserved map[string]time.Time // keys woken for a free slot, until they take it
}

// KeepFor is how long a slot is kept for a woken caller that does not come.
const KeepFor = 30 * time.Second

// Turn reports whether key may send its request now, with held slots taken by the
// requests in progress: a slot was kept for it, or one is free and nobody waits.
func (l *Line) Turn(key string, held int) bool {
	open := l.Open(key, held)
	delete(l.reserved, key)
	return open
}

// Open reports whether key's turn has come, as Turn does, without taking it.
func (l *Line) Open(key string, held int) bool {
	if at, kept := l.reserved[key]; kept && time.Since(at) <= KeepFor {
		return true
	}
	return !l.Full(held) && len(l.queue) == 0
}

// Full reports whether every slot is taken by the held requests or kept for a caller.
func (l *Line) Full(held int) bool {
	for k, at := range l.reserved {
		if time.Since(at) > KeepFor {
			delete(l.reserved, k)
		}
	}
	return held+len(l.reserved) >= l.Limit
}

// Join puts key in line, once, and returns its place.
func (l *Line) Join(key string) int {
	if i := slices.Index(l.queue, key); i >= 0 {
		return i + 1
	}
	l.queue = append(l.queue, key)
	return len(l.queue)
}

// Leave takes key out of line, and gives back a slot kept for it: one kept for a
// caller that is gone would stay idle for KeepFor.
func (l *Line) Leave(key string) {
	if i := slices.Index(l.queue, key); i >= 0 {
		l.queue = slices.Delete(l.queue, i, i+1)
	}
	delete(l.reserved, key)
}

// Waiting is how many callers are in line.
func (l *Line) Waiting() int { return len(l.queue) }

// Next takes the callers whose turn has come out of line, in order, and keeps a slot
// for each; held slots are taken by the requests in progress.
func (l *Line) Next(held int) []string {
	var next []string
	for !l.Full(held) && len(l.queue) > 0 {
		if l.reserved == nil {
			l.reserved = map[string]time.Time{}
		}
		key := l.queue[0]
		l.queue, l.reserved[key] = l.queue[1:], time.Now()
		next = append(next, key)
	}
	return next
}
