// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Command demo shows the operator converging the sample organization (config/samples)
// on a local kube-apiserver and the AWS simulator, then prints every object with its
// AWS id and readiness, and the organization AWS now holds. Run it with `make demo`.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"go.uber.org/zap/zapcore"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/awssim"
	"github.com/awsorg/awsorg-operator/internal/importer"
	"github.com/awsorg/awsorg-operator/internal/manager"
	"github.com/awsorg/awsorg-operator/internal/testenv"
)

const operatorNS = "awsorg-system"

var importDir string

// importBack runs what `awsorg import` does on the organization the operator just
// built, as a team would on an organization it already has, and shows a manifest.
func importBack(ctx context.Context, env *testenv.Env, dir string) error {
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "awsorg-import"); err != nil {
			return err
		}
	}
	fmt.Println("\nImporting the organization back into manifests, as `go run ./cmd/awsorg import --output DIR` does:")
	clients := awsx.NewClientsFromConfig(env.AWS, awsx.Options{Rates: awsx.DefaultRates()})
	res, err := importer.Import(ctx, clients, importer.Options{Namespace: operatorNS, Progress: os.Stdout})
	if err != nil {
		return err
	}
	if err := importer.Write(dir, res); err != nil {
		return err
	}
	fmt.Printf("  %s\n  wrote %d files to %s; applied in Observe they are Ready with no AWS write, and every difference shows in status.plannedChanges\n", res.Summary(), len(res.Files), dir)
	var first string
	for name := range res.Files {
		if strings.HasPrefix(name, "policies/") && (first == "" || name < first) {
			first = name
		}
	}
	if first != "" {
		fmt.Printf("\n%s:\n%s", first, res.Files[first])
	}
	return nil
}

func main() {
	samples := flag.String("samples", filepath.Join(testenv.Root(), "config", "samples"), "folder of manifests to apply")
	keep := flag.Bool("keep", false, "keep the API server, simulator and operator running after converging (Ctrl-C stops)")
	timeout := flag.Duration("timeout", 5*time.Minute, "how long to wait for every object to be Ready")
	verbose := flag.Bool("v", false, "show the operator's logs")
	flag.StringVar(&importDir, "import-dir", "", "where `awsorg import` of the converged organization writes its manifests (default: a temporary folder)")
	flag.Parse()
	if err := run(*samples, *keep, *timeout, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(samples string, keep bool, timeout time.Duration, verbose bool) error {
	level := 2
	if verbose {
		level = 0
	}
	ctrl.SetLogger(zap.New(zap.Level(zapLevel(level))))
	fmt.Println("Starting a local kube-apiserver with the CRDs, and the AWS simulator...")
	env, err := testenv.Start(awssim.DefaultConfig())
	if err != nil {
		return err
	}
	defer func() { _ = env.Stop() }()
	fmt.Printf("  API server: %s\n  simulator:  %s (state: %s/_sim/state)\n", env.Config.Host, env.SimURL, env.SimURL)

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	if err := env.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: operatorNS}}); err != nil {
		return err
	}
	o := env.ManagerOptions()
	o.OperatorNamespace = operatorNS
	mgr, err := manager.New(ctx, env.Config, o)
	if err != nil {
		return err
	}
	go func() { _ = mgr.Start(ctx) }()

	objs, err := testenv.Apply(ctx, env.Client, samples)
	if err != nil {
		return err
	}
	fmt.Printf("Applied %d objects from %s; the operator is converging them (accounts take a few seconds each)...\n", len(objs), samples)
	start := time.Now()
	if err := testenv.WaitReady(ctx, env.Client, objs, timeout, os.Stdout); err != nil {
		printTable(ctx, env.Client, objs)
		return err
	}
	fmt.Printf("Every object is Ready after %s.\n\n", time.Since(start).Round(time.Second))
	printTable(ctx, env.Client, objs)
	fmt.Println()
	if err := printAWS(ctx, env.Org); err != nil {
		return err
	}
	var accounts []string
	for _, u := range objs {
		if id, _, _ := unstructured.NestedString(u.Object, "status", "id"); u.GetKind() == "Account" && id != "" {
			accounts = append(accounts, id)
		}
	}
	if err := printIdentityCenter(ctx, env.AWS, accounts); err != nil {
		return err
	}
	if err := printBudgets(ctx, env.AWS, awssim.DefaultConfig().ManagementAccountID); err != nil {
		return err
	}
	if err := printTrail(ctx, env.AWS); err != nil {
		return err
	}
	if err := importBack(ctx, env, importDir); err != nil {
		return err
	}
	if keep {
		fmt.Println("\nRunning until Ctrl-C. The simulator's state is at " + env.SimURL + "/_sim/state")
		<-ctx.Done()
	}
	return nil
}

func printTable(ctx context.Context, c client.Client, objs []*unstructured.Unstructured) {
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "KIND\tNAME\tAWS NAME\tAWS ID\tREADY\tMESSAGE")
	for _, u := range objs {
		_ = c.Get(ctx, client.ObjectKeyFromObject(u), u)
		name := u.GetName()
		if u.GetNamespace() != "" {
			name = u.GetNamespace() + "/" + name
		}
		awsName, _, _ := unstructured.NestedString(u.Object, "spec", "name")
		id, _, _ := unstructured.NestedString(u.Object, "status", "id")
		status, msg := testenv.ReadyOf(u)
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", u.GetKind(), name, awsName, id, status, msg)
	}
	_ = w.Flush()
}

// printAWS prints the organization as AWS (the simulator) holds it, read through the SDK.
func printAWS(ctx context.Context, c *organizations.Client) error {
	roots, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		return err
	}
	fmt.Println("The organization in AWS, read back through the SDK:")
	return printNode(ctx, c, aws.ToString(roots.Roots[0].Id), "Root", 0)
}

func printNode(ctx context.Context, c *organizations.Client, id, name string, depth int) error {
	indent := strings.Repeat("  ", depth)
	pols, err := policiesOf(ctx, c, id)
	if err != nil {
		return err
	}
	fmt.Printf("%s%s (%s)  SCPs: %s\n", indent, name, id, strings.Join(pols, ", "))
	accts := organizations.NewListAccountsForParentPaginator(c, &organizations.ListAccountsForParentInput{ParentId: &id})
	for accts.HasMorePages() {
		page, err := accts.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, a := range page.Accounts {
			ap, err := policiesOf(ctx, c, aws.ToString(a.Id))
			if err != nil {
				return err
			}
			fmt.Printf("%s  - account %s %q <%s> %s  SCPs: %s\n", indent, aws.ToString(a.Id), aws.ToString(a.Name), aws.ToString(a.Email), a.State, strings.Join(ap, ", "))
		}
	}
	ous := organizations.NewListOrganizationalUnitsForParentPaginator(c, &organizations.ListOrganizationalUnitsForParentInput{ParentId: &id})
	for ous.HasMorePages() {
		page, err := ous.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, u := range page.OrganizationalUnits {
			if err := printNode(ctx, c, aws.ToString(u.Id), "OU "+aws.ToString(u.Name), depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func policiesOf(ctx context.Context, c *organizations.Client, target string) ([]string, error) {
	out, err := c.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: &target, Filter: types.PolicyTypeServiceControlPolicy})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, p := range out.Policies {
		names = append(names, aws.ToString(p.Name))
	}
	sort.Strings(names)
	return names, nil
}

func zapLevel(l int) zapcore.Level { return zapcore.Level(l) }
