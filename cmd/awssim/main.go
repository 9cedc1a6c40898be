// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Command awssim runs the AWS simulator: point the AWS SDK (or the operator) at it with
// AWS_ENDPOINT_URL=http://ADDR and any static credentials.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
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
	flag.BoolVar(&cfg.SCPEnabled, "scp-enabled", cfg.SCPEnabled, "start with service control policies enabled on the root")
	flag.BoolVar(&cfg.EmptyFirstPage, "empty-first-page", cfg.EmptyFirstPage, "answer the first page of every list empty, with a NextToken, as AWS sometimes does")
	var external listFlag
	flag.Var(&external, "external-email", "email of an AWS account outside the organization (repeatable); creating an account with it fails with EMAIL_ALREADY_EXISTS")
	flag.Parse()
	cfg.ExternalEmails = external

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("awssim: %v", err)
	}
	fmt.Fprintf(os.Stdout, "awssim ready at http://%s (state: http://%s/_sim/state)\n", ln.Addr(), ln.Addr())
	log.Fatal(http.Serve(ln, awssim.New(cfg)))
}
