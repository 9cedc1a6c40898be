// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package aws_test

import (
	"testing"
	"time"

	awsx "github.com/awsorg/awsorg-operator/internal/aws"
)

// A late request is looked at after fast, twice that, and so on up to a quarter of
// the usual time; a look not due yet is left alone.
func TestPaceLooksAtALateRequestLessAndLessOften(t *testing.T) {
	const fast = 100 * time.Millisecond
	p := awsx.NewPace(2 * time.Second)
	sent := time.Unix(1000, 0)
	l := p.First(sent, fast)
	if want := sent.Add(2 * time.Second); !l.Due.Equal(want) {
		t.Fatalf("first look at %s, want %s", l.Due, want)
	}
	asked := l.Due
	var waits []time.Duration
	for range 5 {
		p.Later(&l, asked, fast)
		waits = append(waits, l.Due.Sub(asked))
		asked = l.Due
	}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 500 * time.Millisecond, 500 * time.Millisecond}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits between looks %v, want %v", waits, want)
		}
	}
	due := l.Due
	p.Later(&l, due.Add(-time.Millisecond), fast)
	if !l.Due.Equal(due) {
		t.Fatalf("a look not due yet moved from %s to %s", due, l.Due)
	}
}

// The first request that ends replaces the guess; each one after moves it a quarter
// of the way.
func TestPaceLearnsHowLongRequestsTake(t *testing.T) {
	p := awsx.NewPace(time.Second)
	p.Took(0)
	if p.Expected() != time.Second {
		t.Fatalf("a request of no time moved the guess to %s", p.Expected())
	}
	p.Took(400 * time.Millisecond)
	if p.Expected() != 400*time.Millisecond {
		t.Fatalf("after the first request: %s, want its 400ms", p.Expected())
	}
	p.Took(800 * time.Millisecond)
	if p.Expected() != 500*time.Millisecond {
		t.Fatalf("after the second: %s, want 500ms, a quarter of the way to its 800ms", p.Expected())
	}
}

// A request found ended that no look saw in progress took at most the time since it
// was sent: the first replaces the guess with half of it; after that, the figure comes
// down a little toward it, never up.
func TestPaceLearnsFromRequestsNoLookSawInProgress(t *testing.T) {
	p := awsx.NewPace(2 * time.Second)
	p.EndedWithin(2 * time.Second)
	if p.Expected() != time.Second {
		t.Fatalf("after the first: %s, want half of its 2s", p.Expected())
	}
	p.EndedWithin(3 * time.Second) // looked at late: it says nothing above the figure
	if want := time.Second - time.Second/32; p.Expected() != want {
		t.Fatalf("after one looked at late: %s, want %s (a quarter of the way to 7/8 of the figure)", p.Expected(), want)
	}
	p.EndedWithin(100 * time.Millisecond)
	if p.Expected() >= 800*time.Millisecond {
		t.Fatalf("after one that ended within 100ms: %s, want it well down toward that", p.Expected())
	}
}
