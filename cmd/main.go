// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Command manager runs the awsorg operator: it reconciles OrganizationalUnits,
// Accounts and ServiceControlPolicies against AWS. Credentials come from the AWS SDK's
// default chain (IRSA, EKS Pod Identity, environment); AWS_ENDPOINT_URL points it at
// the simulator.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/manager"
)

func main() {
	if limit := manager.SoftMemoryLimit(os.Getenv("MEMORY_LIMIT"), os.Getenv("GOMEMLIMIT")); limit > 0 {
		debug.SetMemoryLimit(limit)
	}
	o := manager.Defaults()
	flag.StringVar(&o.OperatorNamespace, "operator-namespace", o.OperatorNamespace, "namespace with admin rights over account placement and adoption, and of the leader election Lease (default: POD_NAMESPACE, else awsorg-system)")
	flag.DurationVar(&o.ResyncPeriod, "resync-period", o.ResyncPeriod, "how often every object is compared with AWS again, to correct drift")
	flag.BoolVar(&o.ChangeFeed, "change-feed", o.ChangeFeed, "read CloudTrail's event history (cloudtrail:LookupEvents) for changes made outside the operator, and use reads of AWS again while it shows none; false reads AWS every resync")
	flag.DurationVar(&o.ChangeFeedLateness, "change-feed-lateness", o.ChangeFeedLateness, "how late CloudTrail may deliver an event: a change made by hand is seen about this long after it was made")
	flag.StringVar(&o.AWS.Region, "aws-region", o.AWS.Region, "AWS region for regional services")
	flag.StringVar(&o.AWS.Endpoint, "aws-endpoint", "", "base URL of every AWS service, e.g. the simulator (AWS_ENDPOINT_URL does the same)")
	for _, svc := range awsx.Services {
		rate := o.AWS.Rates[svc]
		flag.Func("aws-rate-"+svc, fmt.Sprintf("calls per second to %s the operator allows itself at most; halved on throttles, recovering slowly (0: no limit; default %g)", svc, rate), func(v string) error {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 {
				return fmt.Errorf("want a number of calls per second, not %q", v)
			}
			o.AWS.Rates[svc] = f
			return nil
		})
	}
	flag.Func("default-management-policy", "management policy of objects whose spec leaves it empty: Manage, or Observe to only read AWS and report planned changes (default Manage)", func(v string) error {
		switch p := v1alpha1.ManagementPolicy(v); p {
		case v1alpha1.Manage, v1alpha1.Observe:
			o.DefaultManagementPolicy = p
			return nil
		}
		return fmt.Errorf("want Manage or Observe, not %q", v)
	})
	flag.StringVar(&o.QuarantineOU, "quarantine-ou", "", "name of the OrganizationalUnit object (e.g. one with a deny-all SCP) that accounts move to before they are closed (deletionPolicy Close); empty closes them where they are")
	flag.IntVar(&o.MaxConcurrentReconciles, "max-concurrent-reconciles", o.MaxConcurrentReconciles, "parallel reconciles per kind")
	flag.StringVar(&o.MetricsAddr, "metrics-bind-address", "0", "address of the Prometheus metrics endpoint, e.g. :8443 (0 disables)")
	flag.BoolVar(&o.MetricsSecure, "metrics-secure", true, "serve metrics over HTTPS to authenticated, authorized callers (false: plain HTTP)")
	flag.StringVar(&o.MetricsCertPath, "metrics-cert-path", "", "folder with the metrics server's certificate and key (default: a self-signed certificate)")
	flag.StringVar(&o.MetricsCertName, "metrics-cert-name", o.MetricsCertName, "file name of the metrics server's certificate in --metrics-cert-path")
	flag.StringVar(&o.MetricsCertKey, "metrics-cert-key", o.MetricsCertKey, "file name of the metrics server's key in --metrics-cert-path")
	flag.BoolVar(&o.EnableHTTP2, "enable-http2", false, "let the metrics server speak HTTP/2 (off by default: CVE-2023-44487, CVE-2023-39325)")
	flag.StringVar(&o.ProbeAddr, "health-probe-bind-address", ":8081", "address of the health probes (0 disables)")
	flag.StringVar(&o.PprofAddr, "pprof-bind-address", "", "address of Go's profiling endpoints (/debug/pprof), e.g. localhost:6060 (empty disables)")
	flag.BoolVar(&o.LeaderElection, "leader-elect", false, "elect a leader, so only one replica changes AWS")
	flag.DurationVar(&o.LeaseDuration, "leader-elect-lease-duration", 15*time.Second, "how long a stopped leader keeps the lease before another replica takes over")
	flag.DurationVar(&o.RenewDeadline, "leader-elect-renew-deadline", 10*time.Second, "how long the leader tries to renew the lease before it steps down")
	flag.DurationVar(&o.RetryPeriod, "leader-elect-retry-period", 2*time.Second, "how often replicas try to take or renew the lease")
	zopts := zap.Options{}
	zopts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zopts)))
	log := ctrl.Log.WithName("setup")

	ctx := ctrl.SetupSignalHandler()
	mgr, err := manager.New(ctx, ctrl.GetConfigOrDie(), o)
	if err != nil {
		log.Error(err, "Starting the operator failed")
		os.Exit(1)
	}
	log.Info("Starting the operator", "operatorNamespace", o.OperatorNamespace, "resyncPeriod", o.ResyncPeriod)
	if err := mgr.Start(ctx); err != nil {
		log.Error(err, "The operator stopped with an error")
		os.Exit(1)
	}
}
