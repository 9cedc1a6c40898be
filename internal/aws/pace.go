// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package aws

import "time"

// Pace times the looks at requests AWS carries out in the background (an account
// creation, an Identity Center assignment): a request is first looked at when the
// requests before it took that long, then, while it is still in progress, after
// fast, twice that, and so on up to a quarter of the usual time (a second at most),
// so a request is seen ending soon after it does and a late one costs few looks. The
// first request that ends replaces the guess; each one after moves the figure a
// quarter of the way to its own time. The tracker's lock guards a Pace.
type Pace struct {
	expected time.Duration
	learned  bool // expected comes from a request that ended
}

// Look is when a request is looked at next.
type Look struct {
	Due  time.Time
	step time.Duration // the wait after the next look that finds it in progress
}

// NewPace starts from a guess of how long requests take.
func NewPace(guess time.Duration) *Pace { return &Pace{expected: guess} }

// Expected is how long requests take, as far as is known.
func (p *Pace) Expected() time.Duration { return p.expected }

// First is the first look at a request sent at sent.
func (p *Pace) First(sent time.Time, fast time.Duration) Look {
	return Look{Due: sent.Add(p.expected), step: fast}
}

// Later puts off the next look at a request that was due when AWS was asked, at
// asked, and found it still in progress (or did not answer), a little longer each
// time. A look not due yet stays as it is.
func (p *Pace) Later(l *Look, asked time.Time, fast time.Duration) {
	if !l.Due.After(asked) {
		l.Due, l.step = asked.Add(max(l.step, fast)), min(2*max(l.step, fast), p.maxStep(fast))
	}
}

// maxStep is the longest wait between two looks at a late request.
func (p *Pace) maxStep(fast time.Duration) time.Duration {
	return max(fast, min(time.Second, p.expected/4))
}

// Took learns how long a request that ended took.
func (p *Pace) Took(d time.Duration) {
	switch {
	case d <= 0:
	case !p.learned:
		p.expected, p.learned = d, true
	default:
		p.expected = (3*p.expected + d) / 4
	}
}

// EndedWithin learns from requests no look showed in progress that ended within d
// (the youngest of those a look found ended): they took at most d, but how much less
// is not known. The first replaces the guess with half of d; after that, the figure
// moves a quarter of the way to an eighth under the lesser of d and itself. Looks
// timed to find a whole batch ended so come a little earlier each time, until one
// comes early, sees the late requests in progress, and learns from them how long
// requests take (Took).
func (p *Pace) EndedWithin(d time.Duration) {
	if d <= 0 {
		return
	}
	if !p.learned {
		p.Took(d / 2)
		return
	}
	p.Took(min(d, p.expected) * 7 / 8)
}
