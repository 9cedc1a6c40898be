// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package aws

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"
)

// Governor is the rate of calls to one AWS service, shared by every controller. Every
// attempt waits for it, the SDK's retries included (it sits after the retry
// middleware). It halves on a throttle, honouring the Retry-After AWS sends, and
// recovers slowly (additive increase, multiplicative decrease). Calls made for spec
// changes go before background reads (resyncs).
type Governor struct {
	service string
	max     rate.Limit
	limiter *rate.Limiter
	now     func() time.Time

	mu          sync.Mutex
	pausedUntil time.Time
	lastCut     time.Time
	lastRaise   time.Time
	urgent      atomic.Int64 // urgent callers waiting

	rate      prometheus.Gauge
	throttles prometheus.Counter
}

// GovernorMetrics are the gauges and counters of every service's governor.
type GovernorMetrics struct {
	Rate      *prometheus.GaugeVec
	Throttles *prometheus.CounterVec
}

// Metric names of the governor.
const (
	RateMetric      = "awsorg_aws_rate_limit"
	ThrottlesMetric = "awsorg_aws_throttles_total"
)

// NewGovernorMetrics registers the governor metrics (nil reg: unregistered).
func NewGovernorMetrics(reg prometheus.Registerer) *GovernorMetrics {
	m := &GovernorMetrics{
		Rate: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: RateMetric,
			Help: "Calls per second the operator allows itself to each AWS service now: the configured rate, halved on throttles and recovering slowly."}, []string{"service"}),
		Throttles: prometheus.NewCounterVec(prometheus.CounterOpts{Name: ThrottlesMetric,
			Help: "Calls AWS throttled, by service."}, []string{"service"}),
	}
	if reg != nil {
		m.Rate = register(reg, m.Rate)
		m.Throttles = register(reg, m.Throttles)
	}
	return m
}

func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			return are.ExistingCollector.(C)
		}
	}
	return c
}

// NewGovernor returns the governor of a service allowing perSecond calls, in bursts
// of burst; perSecond <= 0 means no limit.
func NewGovernor(service string, perSecond float64, burst int, m *GovernorMetrics) *Governor {
	if m == nil {
		m = NewGovernorMetrics(nil)
	}
	limit := rate.Limit(perSecond)
	if perSecond <= 0 {
		limit = rate.Inf
	}
	g := &Governor{service: service, max: limit, limiter: rate.NewLimiter(limit, max(burst, 1)), now: time.Now,
		rate: m.Rate.WithLabelValues(service), throttles: m.Throttles.WithLabelValues(service)}
	g.rate.Set(perSecond)
	return g
}

type backgroundKey struct{}

// Background marks calls made for background reads (resyncs): they yield to calls
// made for spec changes when the service's rate is spent.
func Background(ctx context.Context) context.Context {
	return context.WithValue(ctx, backgroundKey{}, true)
}

func isBackground(ctx context.Context) bool { v, _ := ctx.Value(backgroundKey{}).(bool); return v }

// Wait blocks until the call may go.
func (g *Governor) Wait(ctx context.Context) error {
	if g.max == rate.Inf {
		return nil
	}
	g.mu.Lock()
	pause := g.pausedUntil.Sub(g.now())
	g.mu.Unlock()
	if pause > 0 {
		if err := sleep(ctx, pause); err != nil {
			return err
		}
	}
	if !isBackground(ctx) {
		g.urgent.Add(1)
		defer g.urgent.Add(-1)
		return g.limiter.Wait(ctx)
	}
	// A background read takes a token only when one is free and no spec change waits.
	for g.urgent.Load() > 0 || !g.limiter.Allow() {
		if err := sleep(ctx, 5*time.Millisecond); err != nil {
			return err
		}
	}
	return nil
}

// Done tells the governor how an attempt ended: a throttle halves the rate (at most
// once a second) and pauses for AWS's Retry-After; a success raises the rate by a
// twentieth of the configured rate, at most once a second.
func (g *Governor) Done(err error) {
	if g.max == rate.Inf {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	cur := g.limiter.Limit()
	switch {
	case err != nil && IsThrottled(err):
		g.throttles.Inc()
		if after := retryAfter(err); after > 0 && now.Add(after).After(g.pausedUntil) {
			g.pausedUntil = now.Add(after)
		}
		if now.Sub(g.lastCut) < time.Second {
			return
		}
		g.lastCut, g.lastRaise = now, now
		cur = max(cur/2, g.max/64)
	case err == nil && cur < g.max && now.Sub(g.lastRaise) >= time.Second:
		g.lastRaise = now
		cur = min(cur+g.max/20, g.max)
	default:
		return
	}
	g.limiter.SetLimitAt(now, cur)
	g.rate.Set(float64(cur))
}

// Rate is the calls per second the governor allows now.
func (g *Governor) Rate() float64 {
	if g.max == rate.Inf {
		return 0
	}
	return float64(g.limiter.Limit())
}

// retryAfter reads how long AWS asked the caller to wait: x-amz-retry-after
// (milliseconds) or Retry-After (seconds).
func retryAfter(err error) time.Duration {
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.Response == nil {
		return 0
	}
	if v, e := strconv.ParseInt(re.Response.Header.Get("X-Amz-Retry-After"), 10, 64); e == nil && v > 0 {
		return time.Duration(v) * time.Millisecond
	}
	if v, e := strconv.ParseInt(re.Response.Header.Get("Retry-After"), 10, 64); e == nil && v > 0 {
		return time.Duration(v) * time.Second
	}
	return 0
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
