// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Package manager wires the operator together: the controller-runtime manager, the
// shared AWS clients and read model, and every kind's controller. The manager binary,
// the demo and the tests all start the operator through it, so they run the same
// thing. It holds wiring only, no reconcile logic.
package manager

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/certwatcher"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/budgetapi"
	"github.com/awsorg/awsorg-operator/internal/aws/orgapi"
	"github.com/awsorg/awsorg-operator/internal/aws/ssoapi"
	"github.com/awsorg/awsorg-operator/internal/controller/account"
	"github.com/awsorg/awsorg-operator/internal/controller/budget"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
	"github.com/awsorg/awsorg-operator/internal/controller/organizationalunit"
	"github.com/awsorg/awsorg-operator/internal/controller/orgtrail"
	"github.com/awsorg/awsorg-operator/internal/controller/permissionset"
	"github.com/awsorg/awsorg-operator/internal/controller/servicecontrolpolicy"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// The manager's own permissions, generated into config/rbac/role.yaml.
// +kubebuilder:rbac:groups=org.awsorg.dev,resources=organizationalunits;accounts;servicecontrolpolicies;permissionsets;budgets;orgtrails,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=org.awsorg.dev,resources=organizationalunits/status;accounts/status;servicecontrolpolicies/status;permissionsets/status;budgets/status;orgtrails/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=org.awsorg.dev,resources=organizationalunits/finalizers;accounts/finalizers;servicecontrolpolicies/finalizers;permissionsets/finalizers;budgets/finalizers;orgtrails/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Options configure the operator.
type Options struct {
	// OperatorNamespace has admin rights over account placement and adoption; it also
	// holds the leader election Lease.
	OperatorNamespace string
	// ResyncPeriod is how often every object is compared with AWS again (drift).
	ResyncPeriod time.Duration
	// AWS tunes the AWS clients (region, endpoint, rate limit).
	AWS awsx.Options
	// MaxConcurrentReconciles bounds parallel reconciles per kind.
	MaxConcurrentReconciles int
	// DependencyPoll is how soon to look again at an object waiting on another.
	DependencyPoll time.Duration
	// DefaultManagementPolicy applies to objects whose spec leaves it empty: Manage,
	// or Observe to run the whole operator read-only.
	DefaultManagementPolicy v1alpha1.ManagementPolicy
	// RetryMin and RetryMax bound the backoff of an object after errors.
	RetryMin, RetryMax time.Duration
	// MetricsAddr and ProbeAddr are the metrics and health endpoints ("0" disables).
	MetricsAddr, ProbeAddr string
	// PprofAddr serves Go's profiles (net/http/pprof) when set; empty or "0" disables.
	PprofAddr string
	// MetricsSecure serves metrics over HTTPS, for authenticated and authorized callers.
	MetricsSecure bool
	// MetricsCertPath is a folder with the metrics server's certificate (MetricsCertName)
	// and key (MetricsCertKey), reloaded when they change; empty: a self-signed one.
	MetricsCertPath, MetricsCertName, MetricsCertKey string
	// EnableHTTP2 lets the metrics server speak HTTP/2 (off: HTTP/2 Rapid Reset and
	// Stream Cancellation, CVE-2023-44487 and CVE-2023-39325).
	EnableHTTP2 bool
	// LeaderElection turns on leader election, with a Lease in OperatorNamespace.
	LeaderElection bool
	// LeaderElectionID names the Lease.
	LeaderElectionID string
	// LeaseDuration, RenewDeadline and RetryPeriod tune leader election (zero: the
	// controller-runtime defaults of 15s, 10s and 2s).
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration
	// QuarantineOU names the OrganizationalUnit object accounts move to before they
	// are closed ("" closes them where they are).
	QuarantineOU string
	// ChangeFeed reads CloudTrail's event history for changes made outside the
	// operator, and uses reads of AWS again while it shows none (awsx.Changes).
	ChangeFeed bool
	// ChangeFeedLateness is how late CloudTrail may deliver an event (default 15m).
	ChangeFeedLateness time.Duration
}

// Defaults returns the options of the manager binary without flags.
func Defaults() Options {
	ns := os.Getenv("POD_NAMESPACE")
	if ns == "" {
		ns = "awsorg-system"
	}
	return Options{
		OperatorNamespace: ns, ResyncPeriod: 10 * time.Minute, MetricsCertName: "tls.crt", MetricsCertKey: "tls.key",
		AWS:                     awsx.Options{Region: "us-east-1", Rates: awsx.DefaultRates()},
		MaxConcurrentReconciles: 4, DependencyPoll: 30 * time.Second, MetricsAddr: "0", ProbeAddr: "0",
		DefaultManagementPolicy: v1alpha1.Manage,
		LeaderElectionID:        "awsorg-operator.org.awsorg.dev",
		ChangeFeedLateness:      15 * time.Minute,
	}
}

// slim is the cache's transform. The operator reads neither managedFields nor the copy
// of the whole object that a client-side apply (kubectl, Argo CD) keeps in an
// annotation, so the cache holds objects without them: with that copy a permission set
// on a thousand accounts is twice its size. Every write of the operator is a patch,
// which leaves both as they are on the API server.
func slim(in any) (any, error) {
	if obj, err := meta.Accessor(in); err == nil {
		if obj.GetManagedFields() != nil {
			obj.SetManagedFields(nil)
		}
		if _, ok := obj.GetAnnotations()[corev1.LastAppliedConfigAnnotation]; ok {
			a := maps.Clone(obj.GetAnnotations())
			delete(a, corev1.LastAppliedConfigAnnotation)
			obj.SetAnnotations(a)
		}
	}
	return in, nil
}

// Scheme returns the scheme with the kinds the operator reads and writes.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		panic(err)
	}
	if err := v1alpha1.AddToScheme(s); err != nil {
		panic(err)
	}
	return s
}

// New builds the manager with every controller registered.
func New(ctx context.Context, cfg *rest.Config, o Options) (ctrl.Manager, error) {
	o.AWS.Registerer = metrics.Registry
	clients, err := awsx.NewClients(ctx, o.AWS)
	if err != nil {
		return nil, err
	}
	metricsOpts, certs, err := metricsOptions(o)
	if err != nil {
		return nil, err
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                        Scheme(),
		Metrics:                       metricsOpts,
		HealthProbeBindAddress:        o.ProbeAddr,
		Cache:                         cache.Options{DefaultTransform: slim},
		PprofBindAddress:              o.PprofAddr,
		LeaderElection:                o.LeaderElection,
		LeaderElectionID:              o.LeaderElectionID,
		LeaderElectionNamespace:       o.OperatorNamespace,
		LeaderElectionReleaseOnCancel: true,
		LeaseDuration:                 nonZero(o.LeaseDuration),
		RenewDeadline:                 nonZero(o.RenewDeadline),
		RetryPeriod:                   nonZero(o.RetryPeriod),
	})
	if err != nil {
		return nil, fmt.Errorf("creating the manager: %w", err)
	}
	if certs != nil {
		if err := mgr.Add(certs); err != nil {
			return nil, err
		}
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return nil, err
	}
	if err := mgr.AddReadyzCheck("readyz", cacheSynced(mgr)); err != nil {
		return nil, err
	}
	if err := metrics.Registry.Register(newObjectsCollector(mgr.GetClient())); err != nil {
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			return nil, err
		}
	}
	var changes *awsx.Changes
	if o.ChangeFeed {
		changes = clients.Changes
		// A read is used again for at most the time between two full checks of an
		// object, so what CloudTrail never delivered is found as soon as without the feed.
		changes.Lateness, changes.Keep = o.ChangeFeedLateness, reconciler.FullCheckEvery*o.ResyncPeriod
		// The history is read about 15 times as often as it is late, at most once a
		// minute and at least once a second (CloudTrail allows 2 LookupEvents a second).
		if o.ChangeFeedLateness > 0 {
			changes.Every = min(time.Minute, max(time.Second, o.ChangeFeedLateness/15))
			changes.Margin = min(2*time.Minute, o.ChangeFeedLateness)
		}
		if err := mgr.Add(changes); err != nil {
			return nil, err
		}
	}
	env := &common.Env{
		Client: mgr.GetClient(), OrgAPI: clients.Organizations, Changes: changes,
		Org:               orgapi.NewOrg(clients.Organizations, o.ResyncPeriod, awsx.Reuse{Changes: changes, Source: awsx.SourceOrganizations}),
		Creations:         orgapi.NewCreations(clients.Organizations, 5),
		Closings:          orgapi.NewClosings(clients.Organizations, account.MaxClosing, account.CloseTakes),
		OperatorNamespace: o.OperatorNamespace, DependencyPoll: o.DependencyPoll,
	}
	events := reconciler.NewEvents(mgr.GetClient(), mgr.GetScheme())
	if err := mgr.Add(events); err != nil {
		return nil, err
	}
	ropts := reconciler.Options{Events: events, MaxConcurrentReconciles: o.MaxConcurrentReconciles, ResyncPeriod: o.ResyncPeriod,
		DefaultManagementPolicy: o.DefaultManagementPolicy, ReadOnly: awsx.ReadOnly, Background: awsx.Background, DependencyPoll: o.DependencyPoll,
		RetryMin: o.RetryMin, RetryMax: o.RetryMax}
	return mgr, setupKinds(ctx, mgr, env, clients, o.QuarantineOU, ropts)
}

// setupKinds registers every kind's controller.
func setupKinds(ctx context.Context, mgr ctrl.Manager, env *common.Env, clients *awsx.Clients, quarantineOU string, ropts reconciler.Options) error {
	for _, setup := range []func() error{
		func() error { return organizationalunit.Setup(ctx, mgr, env, ropts) },
		func() error { return account.Setup(ctx, mgr, env, quarantineOU, ropts) },
		func() error { return servicecontrolpolicy.Setup(ctx, mgr, env, ropts) },
		func() error {
			dir := ssoapi.NewDirectory(clients.SSOAdmin, clients.IdentityStore)
			dir.Assignments.Reuse = awsx.Reuse{Changes: env.Changes, Source: awsx.SourceSSO}
			return permissionset.Setup(ctx, mgr, env, dir, ropts)
		},
		func() error {
			return budget.Setup(ctx, mgr, env, clients.Budgets, &budgetapi.Caller{STS: clients.STS}, ropts)
		},
		func() error { return orgtrail.Setup(ctx, mgr, env, clients.CloudTrail, ropts) },
	} {
		if err := setup(); err != nil {
			return err
		}
	}
	return nil
}

// metricsOptions serves metrics over HTTPS to a bearer token allowed to get /metrics
// (metricsAuth), as kubebuilder's scaffold does, or over plain HTTP when MetricsSecure
// is off.
func metricsOptions(o Options) (metricsserver.Options, *certwatcher.CertWatcher, error) {
	m := metricsserver.Options{BindAddress: o.MetricsAddr, SecureServing: o.MetricsSecure}
	if !o.EnableHTTP2 {
		m.TLSOpts = append(m.TLSOpts, func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} })
	}
	if !o.MetricsSecure {
		return m, nil, nil
	}
	m.FilterProvider = metricsAuth
	if o.MetricsCertPath == "" {
		return m, nil, nil
	}
	certs, err := certwatcher.New(filepath.Join(o.MetricsCertPath, o.MetricsCertName), filepath.Join(o.MetricsCertPath, o.MetricsCertKey))
	if err != nil {
		return m, nil, fmt.Errorf("loading the metrics certificate from %s: %w", o.MetricsCertPath, err)
	}
	m.TLSOpts = append(m.TLSOpts, func(c *tls.Config) { c.GetCertificate = certs.GetCertificate })
	return m, certs, nil
}

func nonZero(d time.Duration) *time.Duration {
	if d == 0 {
		return nil
	}
	return &d
}

// cacheSynced is ready once the caches of the watched kinds hold what the API server
// holds: before that, an object applied is seen only when they are.
func cacheSynced(mgr ctrl.Manager) healthz.Checker {
	return func(req *http.Request) error {
		ctx, cancel := context.WithTimeout(req.Context(), time.Second)
		defer cancel()
		if !mgr.GetCache().WaitForCacheSync(ctx) {
			return errors.New("the caches of the watched kinds are not synced yet")
		}
		return nil
	}
}
