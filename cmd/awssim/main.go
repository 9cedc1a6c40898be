// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Command awssim runs the AWS simulator: point the AWS SDK (or the operator) at it with
// AWS_ENDPOINT_URL=http://ADDR and any static credentials.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/awsorg/awsorg-operator/internal/awssim"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	cfg := awssim.DefaultConfig()
	addr := flag.String("addr", "127.0.0.1:4566", "address to listen on (port 0 picks a free one)")
	flag.StringVar(&cfg.ManagementAccountID, "management-account-id", cfg.ManagementAccountID, "id of the management account")
	flag.StringVar(&cfg.ManagementEmail, "management-email", cfg.ManagementEmail, "email of the management account")
	flag.StringVar(&cfg.Region, "region", cfg.Region, "region reported by regional services")
	flag.DurationVar(&cfg.CreateAccountDelay, "create-account-delay", cfg.CreateAccountDelay, "how long CreateAccount and CloseAccount stay in progress")
	flag.IntVar(&cfg.MaxAccounts, "max-accounts", cfg.MaxAccounts, "account quota of the organization, management account included")
	flag.IntVar(&cfg.PolicySizeLimit, "policy-size-limit", cfg.PolicySizeLimit, "largest SCP or RCP document, in characters")
	flag.StringVar(&cfg.StateFile, "state-file", "", "load the organization from this file at start (if it exists) and write it back after every change, to rehearse over days")
	flag.BoolVar(&cfg.Standalone, "standalone", false, "start as an account outside any organization, to rehearse CreateOrganization")
	flag.BoolVar(&cfg.SCPEnabled, "scp-enabled", cfg.SCPEnabled, "start with service control policies enabled on the root")
	flag.BoolVar(&cfg.EmptyFirstPage, "empty-first-page", cfg.EmptyFirstPage, "answer the first page of every list empty, with a NextToken, as AWS sometimes does")
	flag.IntVar(&cfg.DefaultPageSize, "default-page-size", 0, "items a list answers when MaxResults is left out, as AWS answers an operation's own default (0: the most it allows)")
	flag.StringVar(&cfg.CallerAccountID, "caller-account-id", "", "account of the caller's credentials (default: the management account); another account may not create an organization trail")
	flag.DurationVar(&cfg.SSODelay, "sso-delay", cfg.SSODelay, "how long Identity Center provisioning and account assignments stay in progress")
	flag.DurationVar(&cfg.CloseAccountDelay, "close-account-delay", 0, "how long a closing account stays PENDING_CLOSURE (default: --create-account-delay)")
	flag.IntVar(&cfg.MaxCloseInProgress, "max-close-in-progress", cfg.MaxCloseInProgress, "accounts that may be closing at once (AWS: 3)")
	flag.IntVar(&cfg.CloseQuota, "close-quota", 0, "accounts that may be closed in a rolling 30 days (default as AWS: 20% of members, 250 to 1000)")
	flag.DurationVar(&cfg.ConsistencyDelay, "consistency-delay", 0, "how long a new OU, account or policy is missing from lists, as AWS's eventually consistent lists (0: at once)")
	flag.DurationVar(&cfg.EventDelay, "cloudtrail-event-delay", 0, "how long a change's CloudTrail event takes to show in LookupEvents (AWS: about 5 minutes; 0: at once)")
	flag.Float64Var(&cfg.Chaos.ThrottleFraction, "throttle-fraction", 0, "share of calls (0 to 1) throttled at random")
	flag.Float64Var(&cfg.Chaos.ServerErrorFraction, "server-error-fraction", 0, "share of calls (0 to 1) answered with a 500 at random")
	flag.DurationVar(&cfg.Chaos.Latency, "latency", 0, "added to every call")
	cfg.Chaos.RateLimits = map[string]float64{}
	flag.Func("rate-limit", "SERVICE=N: calls per second a service answers before it throttles (repeatable; organizations, sso-admin, identitystore, budgets, cloudtrail, sts)", func(v string) error {
		svc, n, ok := strings.Cut(v, "=")
		f, err := strconv.ParseFloat(n, 64)
		if !ok || err != nil || f <= 0 {
			return fmt.Errorf("want SERVICE=CALLS_PER_SECOND, not %q", v)
		}
		cfg.Chaos.RateLimits[svc] = f
		return nil
	})
	var external, groups, users, cmps, buckets listFlag
	flag.Var(&external, "external-email", "email of an AWS account outside the organization (repeatable); creating an account with it fails with EMAIL_ALREADY_EXISTS")
	flag.Var(&groups, "group", "display name of an identity store group (repeatable; default Platform, Developers, Security)")
	flag.Var(&users, "user", "user name of an identity store user (repeatable; default alice, bob)")
	flag.Var(&cmps, "customer-managed-policy", "name of a customer managed policy that exists in every account (repeatable; default: every name exists)")
	flag.Var(&buckets, "missing-bucket", "S3 bucket that does not exist, for CloudTrail (repeatable)")
	flag.Parse()
	cfg.ExternalEmails, cfg.MissingBuckets = external, buckets
	if groups != nil {
		cfg.Groups = groups
	}
	if users != nil {
		cfg.Users = users
	}
	if cmps != nil {
		cfg.CustomerManagedPolicies = cmps
	}

	sim := awssim.New(cfg)
	if cfg.StateFile != "" {
		switch doc, err := os.ReadFile(cfg.StateFile); {
		case errors.Is(err, os.ErrNotExist):
			fmt.Fprintf(os.Stderr, "awssim: %s does not exist yet; starting a new organization and writing it there\n", cfg.StateFile)
		case err != nil:
			log.Fatalf("awssim: %v", err)
		default:
			if err := sim.Load(doc); err != nil {
				log.Fatalf("awssim: loading %s: %v", cfg.StateFile, err)
			}
			fmt.Fprintf(os.Stderr, "awssim: loaded the organization from %s\n", cfg.StateFile)
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("awssim: %v", err)
	}
	fmt.Fprintf(os.Stdout, "awssim ready at http://%s (state: http://%s/_sim/state)\n", ln.Addr(), ln.Addr())
	log.Fatal(http.Serve(ln, sim))
}
