// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Command awsorg works with an AWS organization and the manifests that describe it,
// without a cluster:
//
//	awsorg import --output DIR   writes manifests of the live organization
//	awsorg lint FILE|DIR...      checks policy documents and lockouts in manifests
//	awsorg tree [--namespace NS] prints the organization as the cluster sees it
//
// AWS credentials, the region and AWS_ENDPOINT_URL come from the SDK's default chain.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/importer"
)

const usage = `awsorg works with an AWS organization and the manifests that describe it.

Usage:
  awsorg import --output DIR [--namespace NS] [--management-policy Observe|Manage]
      write manifests of the live organization (AWS credentials from the SDK's chain)
  awsorg lint FILE|DIR...
      check the policy documents and lockouts of manifests, without a cluster or AWS
  awsorg tree [--namespace NS] [--kubeconfig FILE] [--color auto|always|never]
      print the organization as the cluster sees it: OUs, accounts, SCPs, readiness, plans

Run "awsorg COMMAND -h" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "import":
		err = runImport(ctx, args[1:], stderr)
	case "lint":
		err = runLint(args[1:], stdout, stderr)
	case "tree":
		err = runTree(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "awsorg: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, errProblems):
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "awsorg %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

var errUsage = errors.New("usage")

func runImport(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("output", "", "the directory to write the manifests and a kustomization.yaml to (required)")
	ns := fs.String("namespace", "awsorg-system", "the namespace of the Accounts and Budgets")
	policy := fs.String("management-policy", string(v1alpha1.Observe), "the spec.managementPolicy of every object: Observe (no AWS writes) or Manage")
	region := fs.String("region", "", "the AWS region of the regional services (default: the SDK's, else us-east-1)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "awsorg import: --output DIR is required, and nothing else")
		fs.Usage()
		return errUsage
	}
	if *policy != string(v1alpha1.Observe) && *policy != string(v1alpha1.Manage) {
		fmt.Fprintf(stderr, "awsorg import: --management-policy must be Observe or Manage, not %q\n", *policy)
		return errUsage
	}
	if *region == "" {
		*region = os.Getenv("AWS_REGION")
	}
	clients, err := awsx.NewClients(ctx, awsx.Options{Region: *region, Rates: awsx.DefaultRates()})
	if err != nil {
		return err
	}
	res, err := importer.Import(ctx, clients, importer.Options{Namespace: *ns, ManagementPolicy: v1alpha1.ManagementPolicy(*policy), Progress: stderr})
	if err != nil {
		return err
	}
	if err := importer.Write(*out, res); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%s; wrote %d files to %s (apply with: kubectl apply -k %s)\n", res.Summary(), len(res.Files), *out, *out)
	return nil
}
