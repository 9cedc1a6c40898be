// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package aws

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	"github.com/prometheus/client_golang/prometheus"
)

// Options tune the shared clients.
type Options struct {
	// Region for regional services; Organizations is global (us-east-1).
	Region string
	// Endpoint, when set, is the base URL of every service (e.g. the simulator).
	// AWS_ENDPOINT_URL in the environment does the same through the SDK.
	Endpoint string
	// Rates bound the calls to each service, in calls per second, by the service's
	// name (organizations, sso, identitystore, budgets, cloudtrail, sts); a service
	// missing here, or with a rate of 0, is not limited. DefaultRates stay under
	// AWS's published limits.
	Rates map[string]float64
	// Registerer receives the call counter; nil means no metrics.
	Registerer prometheus.Registerer
	// CallTimeout bounds each attempt of a call, so a call AWS never answers fails
	// and is retried instead of holding a worker (default 30s).
	CallTimeout time.Duration
	// RetryMaxBackoff caps the SDK's backoff between attempts (default 20s).
	RetryMaxBackoff time.Duration
}

// Clients are the operator's AWS clients, one per service.
type Clients struct {
	Organizations *organizations.Client
	STS           *sts.Client
	SSOAdmin      *ssoadmin.Client
	IdentityStore *identitystore.Client
	Budgets       *budgets.Client
	CloudTrail    *cloudtrail.Client
	// Governors hold each service's rate, by the service's name (and
	// "cloudtrail-us-east-1" for the second CloudTrail client outside us-east-1).
	Governors map[string]*Governor
	// Changes is the change feed over CloudTrail's event history (us-east-1 for
	// Organizations and Budgets, the region for the others), which learns the
	// request id of every write these clients make. It reads nothing until started.
	Changes *Changes
}

// Services are the names the rates and governors go by.
var Services = []string{"organizations", "sso", "identitystore", "budgets", "cloudtrail", "sts"}

// The most items a page of each service's lists holds. Every list asks for that many:
// one that leaves MaxResults out gets "a value that is specific to the operation",
// which may be far less, and costs that many more calls.
const (
	OrganizationsPage  = 20
	IdentityCenterPage = 100
	BudgetsPage        = 100 // DescribeBudgets allows 1,000
)

// DefaultRates are the calls per second the operator allows itself by default: under
// what AWS publishes (Identity Center 20 per second for the account; Organizations
// publishes no rate, and throttles bursts).
func DefaultRates() map[string]float64 {
	return map[string]float64{"organizations": 10, "sso": 15, "identitystore": 15, "budgets": 5, "cloudtrail": 5, "sts": 5}
}

// NewClients loads credentials through the SDK's default chain (environment, IRSA,
// EKS Pod Identity, instance roles) and builds the shared clients.
func NewClients(ctx context.Context, o Options) (*Clients, error) {
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(o.Region))
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	return NewClientsFromConfig(cfg, o), nil
}

// NewClientsFromConfig builds the shared clients from an SDK configuration.
func NewClientsFromConfig(cfg aws.Config, o Options) *Clients {
	cfg = cfg.Copy()
	if o.Endpoint != "" {
		cfg.BaseEndpoint = aws.String(o.Endpoint)
	}
	timeout, backoff := o.CallTimeout, o.RetryMaxBackoff
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	if backoff <= 0 {
		backoff = 20 * time.Second
	}
	cfg.HTTPClient = awshttp.NewBuildableClient().WithTimeout(timeout)
	// The governors limit every attempt, so the SDK's own retry quota is off.
	cfg.Retryer = func() aws.Retryer {
		return retry.AddWithMaxBackoffDelay(retry.NewStandard(func(so *retry.StandardOptions) { so.RateLimiter = ratelimit.None }), backoff)
	}
	counter := callCounter(o.Registerer)
	metrics := NewGovernorMetrics(o.Registerer)
	c := &Clients{Governors: map[string]*Governor{}, Changes: &Changes{}}
	// name is the governor's, service the rate's: AWS's limits are by region, so the
	// CloudTrail client for us-east-1 in another region has a governor of its own.
	withGovernor := func(name, service string) func(*middleware.Stack) error {
		perSecond := o.Rates[service]
		g := NewGovernor(name, perSecond, int(math.Ceil(perSecond)), metrics) // a burst of one second: AWS's buckets are no deeper
		c.Governors[name] = g
		return func(st *middleware.Stack) error {
			if err := st.Initialize.Add(readOnlyGuard(), middleware.After); err != nil {
				return err
			}
			if err := st.Finalize.Insert(governed(g), "Retry", middleware.After); err != nil {
				return err
			}
			if err := st.Finalize.Insert(ownWrites(c.Changes), "Retry", middleware.After); err != nil {
				return err
			}
			return st.Finalize.Add(countCalls(counter), middleware.After)
		}
	}
	withStack := func(service string) func(*middleware.Stack) error { return withGovernor(service, service) }
	c.Organizations = organizations.NewFromConfig(cfg, func(opt *organizations.Options) {
		opt.Region = "us-east-1" // Organizations is a global service signed in us-east-1
		opt.APIOptions = append(opt.APIOptions, withStack("organizations"))
	})
	c.STS = sts.NewFromConfig(cfg, func(opt *sts.Options) { opt.APIOptions = append(opt.APIOptions, withStack("sts")) })
	c.SSOAdmin = ssoadmin.NewFromConfig(cfg, func(opt *ssoadmin.Options) { opt.APIOptions = append(opt.APIOptions, withStack("sso")) })
	c.IdentityStore = identitystore.NewFromConfig(cfg, func(opt *identitystore.Options) {
		opt.APIOptions = append(opt.APIOptions, withStack("identitystore"))
	})
	c.Budgets = budgets.NewFromConfig(cfg, func(opt *budgets.Options) {
		opt.Region = "us-east-1" // Budgets is a global service signed in us-east-1
		opt.APIOptions = append(opt.APIOptions, withStack("budgets"))
	})
	c.CloudTrail = cloudtrail.NewFromConfig(cfg, func(opt *cloudtrail.Options) {
		opt.APIOptions = append(opt.APIOptions, withStack("cloudtrail"))
	})
	global, regional := []string{SourceOrganizations, SourceBudgets}, []string{SourceSSO, SourceIdentityStore, SourceCloudTrail}
	if cfg.Region == "" || cfg.Region == "us-east-1" {
		c.Changes.Histories = []History{{API: c.CloudTrail, Sources: append(global, regional...)}}
	} else {
		east := cloudtrail.NewFromConfig(cfg, func(opt *cloudtrail.Options) {
			opt.Region = "us-east-1"
			opt.APIOptions = append(opt.APIOptions, withGovernor("cloudtrail-us-east-1", "cloudtrail"))
		})
		c.Changes.Histories = []History{{API: east, Sources: global}, {API: c.CloudTrail, Sources: regional}}
	}
	return c
}

// ownWrites tells the change feed the request id of every write attempt, so that its
// CloudTrail event is known for the operator's own.
func ownWrites(changes *Changes) middleware.FinalizeMiddleware {
	return middleware.FinalizeMiddlewareFunc("awsorgOwnWrites", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleFinalize(ctx, in)
		if !IsRead(awsmiddleware.GetOperationName(ctx)) {
			if id, ok := awsmiddleware.GetRequestIDMetadata(md); ok {
				changes.Own(id)
			}
		}
		return out, md, err
	})
}

// governed makes every attempt of a call wait for the service's governor, and tells
// the governor how it ended.
func governed(g *Governor) middleware.FinalizeMiddleware {
	return middleware.FinalizeMiddlewareFunc("awsorgGovernor", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		if err := g.Wait(ctx); err != nil {
			return middleware.FinalizeOutput{}, middleware.Metadata{}, err
		}
		out, md, err := next.HandleFinalize(ctx, in)
		g.Done(err)
		return out, md, err
	})
}

// CallsMetric is the name of the counter of AWS calls.
const CallsMetric = "awsorg_aws_api_calls_total"

func callCounter(reg prometheus.Registerer) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: CallsMetric,
		Help: "AWS API calls (each attempt) by service, operation and outcome (success, throttled, error).",
	}, []string{"service", "operation", "outcome"})
	if reg == nil {
		return c
	}
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			return are.ExistingCollector.(*prometheus.CounterVec)
		}
	}
	return c
}

func countCalls(c *prometheus.CounterVec) middleware.FinalizeMiddleware {
	return middleware.FinalizeMiddlewareFunc("awsorgCountCalls", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleFinalize(ctx, in)
		outcome := "success"
		switch {
		case err != nil && IsThrottled(err):
			outcome = "throttled"
		case err != nil:
			outcome = "error"
		}
		c.WithLabelValues(awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx), outcome).Inc()
		return out, md, err
	})
}
