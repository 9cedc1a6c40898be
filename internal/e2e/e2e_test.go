// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package e2e_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/awsorg/awsorg-operator/internal/awssim"
	"github.com/awsorg/awsorg-operator/internal/testenv"
)

// TestBinariesConvergeTheSamples starts `awssim` and the manager binary with
// --kubeconfig and AWS_ENDPOINT_URL, applies config/samples, and checks that every
// object is Ready and AWS holds exactly the sample organization.
func TestBinariesConvergeTheSamples(t *testing.T) {
	ctx := context.Background()
	st := newStack(t)
	st.startManager(t, "manager")
	objs, err := testenv.Apply(ctx, st.env.Client, filepath.Join(testenv.Root(), "config", "samples"))
	if err != nil {
		t.Fatal(err)
	}
	if err := testenv.WaitReady(ctx, st.env.Client, objs, 3*time.Minute, io.Discard); err != nil {
		out, _ := os.ReadFile(filepath.Join(st.dir, "manager.log"))
		t.Fatalf("%v\nmanager log tail:\n%s", err, tail(string(out), 3000))
	}
	accountIDs := checkSampleOrganization(t, st.url)
	checkSampleServices(t, st.url, accountIDs)

	// awsorg tree draws what the cluster holds; piped, it is plain text.
	out, err := exec.Command(filepath.Join(bin, "awsorg"), "tree", "--kubeconfig", st.kubeconfig).CombinedOutput()
	if err != nil {
		t.Fatalf("awsorg tree: %v\n%s", err, out)
	}
	tree := string(out)
	for _, u := range objs {
		name := u.GetName()
		if u.GetNamespace() != "" {
			name = u.GetNamespace() + "/" + name
		}
		if !strings.Contains(tree, name+" ") {
			t.Errorf("awsorg tree does not show %s %s:\n%s", u.GetKind(), name, tree)
		}
	}
	if strings.Contains(tree, "\x1b[") || strings.Contains(tree, "Stalled") || strings.Count(tree, "✔ Ready") != len(objs) {
		t.Fatalf("awsorg tree of a Ready organization (%d objects):\n%s", len(objs), tree)
	}
}

// bin holds the manager and simulator binaries, built once for the package.
var bin string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "awsorg-e2e")
	if err != nil {
		panic(err)
	}
	bin = dir
	for _, b := range []struct{ out, pkg string }{{"manager", "./cmd"}, {"awssim", "./cmd/awssim"}, {"awsorg", "./cmd/awsorg"}} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, b.out), b.pkg)
		cmd.Dir = testenv.Root()
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building %s: %v\n%s", b.pkg, err, out)
			os.Exit(1)
		}
	}
	// Helm and kustomize, from the Go module proxy, for the install tests.
	for _, tool := range []string{"helm.sh/helm/v3/cmd/helm@" + helmVersion, "sigs.k8s.io/kustomize/kustomize/v5@" + kustomizeVersion} {
		cmd := exec.Command("go", "install", tool)
		cmd.Env = append(os.Environ(), "GOBIN="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "installing %s: %v\n%s", tool, err, out)
			os.Exit(1)
		}
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// stack is a real API server with the CRDs, the simulator binary on a free port, and
// the operator's namespace; managers are started on it by the tests.
type stack struct {
	env                  *testenv.Env
	dir, kubeconfig, url string
}

func newStack(t *testing.T) *stack {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binaries")
	}
	env, err := testenv.Start(awssim.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	st := &stack{env: env, dir: t.TempDir()}
	var err2 error
	if st.kubeconfig, err2 = env.WriteKubeconfig(st.dir); err2 != nil {
		t.Fatal(err2)
	}
	st.url = startSimulator(t, filepath.Join(bin, "awssim"))
	if err := env.Client.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "awsorg-system"}}); err != nil {
		t.Fatal(err)
	}
	return st
}

// startManager runs the manager binary against the API server and the simulator,
// logging to <dir>/<name>.log, and stops it when the test ends.
func (st *stack) startManager(t *testing.T, name string, args ...string) *exec.Cmd {
	t.Helper()
	mgr := exec.Command(filepath.Join(bin, "manager"), append([]string{"--kubeconfig", st.kubeconfig, "--operator-namespace", "awsorg-system",
		"--metrics-bind-address", "0", "--health-probe-bind-address", "0"}, args...)...)
	mgr.Env = append(os.Environ(), "AWS_ENDPOINT_URL="+st.url, "AWS_ACCESS_KEY_ID=AKIAE2E", "AWS_SECRET_ACCESS_KEY=e2e",
		"AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	logs, err := os.Create(filepath.Join(st.dir, name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	mgr.Stdout, mgr.Stderr = logs, logs
	if err := mgr.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mgr.Process.Kill(); _ = mgr.Wait(); _ = logs.Close() })
	return mgr
}

// startSimulator runs the simulator binary on a free port and returns its URL, read
// from the one line it prints when ready.
func startSimulator(t *testing.T, bin string, args ...string) string {
	t.Helper()
	url, _ := startSimulatorCmd(t, bin, args...)
	return url
}

// startSimulatorCmd also returns the process, for tests that stop it.
func startSimulatorCmd(t *testing.T, bin string, args ...string) (string, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--addr", "127.0.0.1:0", "--create-account-delay", "500ms"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the simulator's ready line: %v", err)
	}
	url := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(line)
	if url == "" {
		t.Fatalf("no address in the ready line %q", line)
	}
	return url, cmd
}

// checkSampleOrganization checks the OUs, accounts and SCPs, and returns the account
// ids by the sample Account names.
func checkSampleOrganization(t *testing.T, url string) map[string]string {
	t.Helper()
	ctx := context.Background()
	c := organizations.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: &url,
		Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
	roots, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	root := aws.ToString(roots.Roots[0].Id)
	ous, err := c.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: &root})
	if err != nil {
		t.Fatal(err)
	}
	ouID := map[string]string{}
	for _, u := range ous.OrganizationalUnits {
		ouID[aws.ToString(u.Name)] = aws.ToString(u.Id)
	}
	if got := keys(ouID); !slices.Equal(got, []string{"Development", "Production", "Sandbox", "Security"}) {
		t.Fatalf("OUs under the root: %v", got)
	}
	wantParent := map[string]string{"prod-a@company.com": "Production", "prod-b@company.com": "Production", "dev@company.com": "Development",
		"staging@company.com": "Development", "security@company.com": "Security", "log-archive@company.com": "Security", "sandbox@company.com": "Sandbox"}
	accts, err := c.ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, a := range accts.Accounts {
		ids[strings.TrimSuffix(aws.ToString(a.Email), "@company.com")] = aws.ToString(a.Id)
	}
	if len(accts.Accounts) != len(wantParent)+1 {
		t.Fatalf("%d accounts in the organization, want %d and the management account", len(accts.Accounts), len(wantParent))
	}
	for _, a := range accts.Accounts {
		ou, ok := wantParent[aws.ToString(a.Email)]
		if !ok {
			continue
		}
		p, err := c.ListParents(ctx, &organizations.ListParentsInput{ChildId: a.Id})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(p.Parents[0].Id); got != ouID[ou] {
			t.Errorf("%s is under %s, want %s (%s)", aws.ToString(a.Email), got, ou, ouID[ou])
		}
	}
	wantTargets := map[string][]string{"DenyLeaveOrg": {root}, "DenyNonApprovedRegions": {root},
		"RequireIMDSv2": sorted(ouID["Production"], ouID["Development"]), "DenyRootUser": {ouID["Production"]}}
	pols, err := c.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: types.PolicyTypeServiceControlPolicy})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, p := range pols.Policies {
		want, ok := wantTargets[aws.ToString(p.Name)]
		if !ok {
			if !p.AwsManaged {
				t.Errorf("unexpected policy %s", aws.ToString(p.Name))
			}
			continue
		}
		seen++
		ts, err := c.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: p.Id})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tg := range ts.Targets {
			got = append(got, aws.ToString(tg.TargetId))
		}
		if sort.Strings(got); !slices.Equal(got, want) {
			t.Errorf("%s attached to %v, want %v", aws.ToString(p.Name), got, want)
		}
	}
	if seen != len(wantTargets) {
		t.Errorf("%d of the %d sample SCPs in AWS", seen, len(wantTargets))
	}
	return ids
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sorted(s ...string) []string { sort.Strings(s); return s }

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
