// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim

import (
	"net/http"
	"sync"
	"time"

	"github.com/awsorg/awsorg-operator/internal/awssim/model"
)

// Chaos is how AWS behaves on a bad day, for every call: its rate limits, random
// throttles and server errors, and added latency. All are off in the zero value.
type Chaos struct {
	// RateLimits are the calls per second each service answers (by service name:
	// organizations, sso-admin, identitystore, budgets, cloudtrail, sts); calls past
	// them are throttled, as AWS does.
	RateLimits map[string]float64 `json:"rateLimits,omitempty"`
	// ThrottleFraction and ServerErrorFraction are the shares of calls, 0 to 1, that
	// are throttled, or answered with a 500, at random.
	ThrottleFraction    float64 `json:"throttleFraction,omitempty"`
	ServerErrorFraction float64 `json:"serverErrorFraction,omitempty"`
	// Latency is added to every call.
	Latency time.Duration `json:"latency,omitempty"`
}

// bucket is a token bucket of one service's rate limit.
type bucket struct {
	rate, tokens float64
	last         time.Time
}

func (b *bucket) take(now time.Time) bool {
	b.tokens = min(b.rate, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// chaosState is the chaos in force and the services' buckets.
type chaosState struct {
	mu      sync.Mutex
	chaos   Chaos
	buckets map[string]*bucket
}

// SetChaos replaces how AWS misbehaves on every call; the zero Chaos turns it off.
func (s *Server) SetChaos(c Chaos) {
	s.chaos.mu.Lock()
	defer s.chaos.mu.Unlock()
	s.chaos.chaos = c
	s.chaos.buckets = map[string]*bucket{}
	for svc, r := range c.RateLimits {
		if r > 0 {
			s.chaos.buckets[svc] = &bucket{rate: r, tokens: r, last: time.Now()}
		}
	}
}

// chaotic answers a call the chaos in force refuses, and reports whether it did.
func (s *Server) chaotic(w http.ResponseWriter, r *http.Request, svc *model.Service) bool {
	s.chaos.mu.Lock()
	c := s.chaos.chaos
	b := s.chaos.buckets[svc.Name]
	limited := b != nil && !b.take(time.Now())
	s.chaos.mu.Unlock()
	if c.Latency > 0 {
		select {
		case <-time.After(c.Latency):
		case <-r.Context().Done():
			return true
		}
	}
	s.mu.Lock()
	roll := s.rnd.Float64()
	s.mu.Unlock()
	switch {
	case limited || roll < c.ThrottleFraction:
		writeError(w, throttleError(svc))
		return true
	case roll < c.ThrottleFraction+c.ServerErrorFraction:
		writeError(w, faultError(svc, &Fault{Code: serverErrorCode(svc)}))
		return true
	}
	return false
}

// serverErrorCode is the service's own 5xx error.
func serverErrorCode(svc *model.Service) string {
	switch svc.Name {
	case "organizations":
		return "ServiceException"
	case "budgets":
		return "InternalErrorException"
	case "cloudtrail":
		return "InternalFailure"
	}
	return "InternalServerException"
}

// visible reports whether an object created at created shows in lists yet: AWS's
// lists are eventually consistent, so a new object may be missing for a moment.
func (s *Server) visible(created time.Time) bool {
	return s.cfg.ConsistencyDelay <= 0 || created.IsZero() || !s.now().Before(created.Add(s.cfg.ConsistencyDelay))
}
