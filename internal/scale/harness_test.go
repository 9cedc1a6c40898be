// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//go:build scale

package scale_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	crlog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/yaml"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/awssim"
	"github.com/awsorg/awsorg-operator/internal/manager"
	"github.com/awsorg/awsorg-operator/internal/testenv"
)

// stack is a real API server, the simulator (in this process, so its call counts can
// be read) and the manager binary (its own process, so its memory can be measured).
type stack struct {
	env  *testenv.Env
	c    client.Client
	seen cache.Cache // the objects as the API server's watches tell, for counting them
	mgr  *exec.Cmd
	dir  string
	peak int // KiB, the manager's peak resident memory
	stop chan struct{}
	// created counts the objects created: every one must be seen Ready.
	created int
}

var managerBin string

func buildManager(b *testing.B) string {
	if managerBin != "" {
		return managerBin
	}
	dir, err := os.MkdirTemp("", "awsorg-scale")
	if err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(dir, "manager")
	// Built as the Dockerfile builds it: static, without cgo, so the binary's resident
	// pages are those of the image's binary.
	cmd := exec.Command("go", "build", "-o", out, "./cmd")
	cmd.Dir, cmd.Env = testenv.Root(), append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("building the manager: %v\n%s", err, msg)
	}
	managerBin = out
	return out
}

func start(b *testing.B, cfg awssim.Config, args ...string) *stack {
	b.Helper()
	crlog.SetLogger(logr.Discard()) // the API server's and the manager's own logs are not the figures
	bin := buildManager(b)
	env, err := testenv.Start(cfg)
	if err != nil {
		b.Fatal(err)
	}
	st := &stack{env: env, dir: b.TempDir(), stop: make(chan struct{})}
	b.Cleanup(func() { close(st.stop); _ = env.Stop() })
	rc := *env.Config
	rc.QPS, rc.Burst = 500, 1000
	if st.c, err = client.New(&rc, client.Options{Scheme: manager.Scheme()}); err != nil {
		b.Fatal(err)
	}
	st.watch(b, &rc)
	if err := st.c.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "awsorg-system"}}); err != nil {
		b.Fatal(err)
	}
	// The API server's first write of each kind after the CRDs were installed takes
	// about two seconds here (it builds their validation); in a cluster the operator
	// runs in, that happened long before an organization is applied.
	for _, o := range []client.Object{ou(0), account(0, ""), budget(0, ""), scp(0), permissionSet(0, "Group00", nil)} {
		if err := st.c.Create(context.Background(), o, client.DryRunAll); err != nil {
			b.Fatal(err)
		}
	}
	kubeconfig, err := env.WriteKubeconfig(st.dir)
	if err != nil {
		b.Fatal(err)
	}
	probes := freeAddr(b)
	st.mgr = exec.Command(bin, append([]string{"--kubeconfig", kubeconfig, "--operator-namespace", "awsorg-system",
		"--metrics-bind-address", "0", "--health-probe-bind-address", probes, "--zap-log-level", "error"}, append(args, strings.Fields(os.Getenv("SCALE_MANAGER_ARGS"))...)...)...)
	st.mgr.Env = append(os.Environ(), "AWS_ENDPOINT_URL="+env.SimURL, "AWS_ACCESS_KEY_ID=AKIASCALE", "AWS_SECRET_ACCESS_KEY=scale",
		"AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	own := append(deploymentEnv(b), strings.Fields(os.Getenv("SCALE_MANAGER_ENV"))...)
	fmt.Printf("  manager environment     %s (the Deployment's, then SCALE_MANAGER_ENV)\n", strings.Join(own, " "))
	st.mgr.Env = append(st.mgr.Env, own...)
	logs, err := os.Create(filepath.Join(st.dir, "manager.log"))
	if err != nil {
		b.Fatal(err)
	}
	st.mgr.Stdout, st.mgr.Stderr = logs, logs
	if err := st.mgr.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.mgr.Process.Kill(); _ = st.mgr.Wait(); _ = logs.Close() })
	go st.watchMemory()
	waitManagerReady(b, probes)
	return st
}

// deploymentEnv is the environment config/manager/manager.yaml gives the manager with
// values of its own (GOGC, and MEMORY_LIMIT, half of which the manager takes for its
// soft memory limit), so the figures are those of the Deployment.
func deploymentEnv(b *testing.B) []string {
	raw, err := os.ReadFile(filepath.Join(testenv.Root(), "config", "manager", "manager.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	var env []string
	for _, doc := range strings.Split(string(raw), "\n---\n") {
		var d appsv1.Deployment
		if err := yaml.Unmarshal([]byte(doc), &d); err != nil {
			b.Fatal(err)
		}
		for _, c := range d.Spec.Template.Spec.Containers {
			own, err := testenv.ContainerEnv(c)
			if err != nil {
				b.Fatal(err)
			}
			env = append(env, own...)
		}
	}
	return env
}

// waitManagerReady waits until the manager reads the API server (its /readyz): an
// organization is applied to an operator that runs, not to one still starting.
func waitManagerReady(b *testing.B, addr string) {
	b.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("the manager is not ready after 2 minutes: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freeAddr(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().String()
}

// watchMemory keeps the manager's peak resident memory (VmHWM).
func (st *stack) watchMemory() {
	for {
		select {
		case <-st.stop:
			return
		case <-time.After(500 * time.Millisecond):
		}
		f, err := os.Open(fmt.Sprintf("/proc/%d/status", st.mgr.Process.Pid))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
				kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
				st.peak = max(st.peak, kb)
			}
		}
		_ = f.Close()
	}
}

// cpu is the processor time the manager has used so far (user and system), read
// from /proc/<pid>/stat in clock ticks of 10 ms.
func (st *stack) cpu() time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", st.mgr.Process.Pid))
	if err != nil {
		return 0
	}
	_, rest, _ := strings.Cut(string(raw), ") ") // after the command, which may hold spaces
	fields := strings.Fields(rest)
	if len(fields) < 13 {
		return 0
	}
	user, _ := strconv.Atoi(fields[11])
	system, _ := strconv.Atoi(fields[12])
	return time.Duration(user+system) * 10 * time.Millisecond
}

// create creates the objects, many at once.
func (st *stack) create(b *testing.B, objs []client.Object) {
	b.Helper()
	var wg sync.WaitGroup
	work := make(chan client.Object)
	var mu sync.Mutex
	var failed error
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for o := range work {
				if err := st.c.Create(context.Background(), o); err != nil {
					mu.Lock()
					failed = fmt.Errorf("creating %s: %w", o.GetName(), err)
					mu.Unlock()
				}
			}
		}()
	}
	for _, o := range objs {
		work <- o
	}
	close(work)
	wg.Wait()
	st.created += len(objs)
	if failed != nil {
		b.Fatal(failed)
	}
}

// counts are the objects of every kind by their state.
type counts struct{ total, ready, stalled int }

func kindLists() []client.ObjectList {
	return []client.ObjectList{&v1alpha1.OrganizationalUnitList{}, &v1alpha1.AccountList{}, &v1alpha1.ServiceControlPolicyList{},
		&v1alpha1.PermissionSetList{}, &v1alpha1.BudgetList{}, &v1alpha1.OrgTrailList{}}
}

// watch starts informers on every kind. Counting the objects from them costs the API
// server nothing; listing a thousand large objects from it every few seconds would
// load it in a way the operator does not, beside the operator being measured.
func (st *stack) watch(b *testing.B, rc *rest.Config) {
	b.Helper()
	c, err := cache.New(rc, cache.Options{Scheme: manager.Scheme(), DefaultTransform: cache.TransformStripManagedFields()})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	for _, list := range kindLists() {
		gvk, err := apiutil.GVKForObject(list, manager.Scheme())
		if err != nil {
			b.Fatal(err)
		}
		obj, err := manager.Scheme().New(gvk.GroupVersion().WithKind(strings.TrimSuffix(gvk.Kind, "List")))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.GetInformer(ctx, obj.(client.Object)); err != nil {
			b.Fatal(err)
		}
	}
	go func() { _ = c.Start(ctx) }()
	if !c.WaitForCacheSync(ctx) {
		b.Fatal("the harness's informers did not sync")
	}
	st.seen = c
}

func (st *stack) count(ctx context.Context) (counts, error) {
	var n counts
	for _, list := range kindLists() {
		if err := st.seen.List(ctx, list, client.UnsafeDisableDeepCopy); err != nil {
			return n, err
		}
		items, _ := meta.ExtractList(list)
		for _, item := range items {
			o := item.(interface {
				client.Object
				AWSStatus() *v1alpha1.ResourceStatus
			})
			n.total++
			s := o.AWSStatus()
			if c := meta.FindStatusCondition(s.Conditions, v1alpha1.ConditionReady); c != nil && c.Status == metav1.ConditionTrue && s.ObservedGeneration == o.GetGeneration() {
				n.ready++
			}
			if c := meta.FindStatusCondition(s.Conditions, v1alpha1.ConditionStalled); c != nil && c.Status == metav1.ConditionTrue {
				n.stalled++
			}
		}
	}
	return n, nil
}

// waitReady waits until every object is Ready and returns how long it took; it also
// reports whether any object was ever Stalled meanwhile.
func (st *stack) waitReady(b *testing.B, since time.Time, timeout time.Duration) (time.Duration, bool) {
	b.Helper()
	everStalled := false
	deadline := time.Now().Add(timeout)
	last := -1
	for {
		n, err := st.count(context.Background())
		if err == nil {
			everStalled = everStalled || n.stalled > 0
			if n.ready != last {
				fmt.Fprintf(os.Stderr, "  %6.1fs  %d/%d Ready, %d Stalled\n", time.Since(since).Seconds(), n.ready, n.total, n.stalled)
				last = n.ready
			}
			if n.total >= st.created && n.ready == n.total { // not before the watches show every object created
				return time.Since(since), everStalled
			}
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(filepath.Join(st.dir, "manager.log"))
			b.Fatalf("only %d of %d Ready after %s\nmanager log tail:\n%s", n.ready, n.total, timeout, tail(string(out), 4000))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// calls is the simulator's call counts since before.
func calls(sim *awssim.Server, before map[string]int) map[string]int {
	out := map[string]int{}
	for op, n := range sim.Calls() {
		if d := n - before[op]; d > 0 {
			out[op] = d
		}
	}
	return out
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// writes counts the calls that change state, and names them.
func writes(m map[string]int) string {
	n, ops := 0, map[string]int{}
	for op, v := range m {
		if !awssim.ReadOnly(op[strings.Index(op, ":")+1:]) {
			n += v
			ops[op] = v
		}
	}
	if n == 0 {
		return "0"
	}
	return fmt.Sprintf("%d: %s", n, top(ops, len(ops)))
}

// top lists the operations with the most calls.
func top(m map[string]int, n int) string {
	type kv struct {
		op string
		n  int
	}
	var all []kv
	for op, v := range m {
		all = append(all, kv{op, v})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].n > all[j].n || (all[i].n == all[j].n && all[i].op < all[j].op) })
	var parts []string
	for i, e := range all {
		if i == n {
			parts = append(parts, fmt.Sprintf("and %d more", len(all)-n))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %d", strings.SplitN(e.op, ":", 2)[1], e.n))
	}
	return strings.Join(parts, ", ")
}

// rateWatch samples the simulator's calls a second, per service, and keeps the most
// seen in one second.
type rateWatch struct {
	mu   sync.Mutex
	peak map[string]int
	stop chan struct{}
}

func watchRates(sim *awssim.Server) *rateWatch {
	w := &rateWatch{peak: map[string]int{}, stop: make(chan struct{})}
	go func() {
		prev := sim.Calls()
		for {
			select {
			case <-w.stop:
				return
			case <-time.After(time.Second):
			}
			cur := sim.Calls()
			per := map[string]int{}
			for op, n := range cur {
				per[strings.SplitN(op, ":", 2)[0]] += n - prev[op]
			}
			prev = cur
			w.mu.Lock()
			for svc, n := range per {
				w.peak[svc] = max(w.peak[svc], n)
			}
			w.mu.Unlock()
		}
	}()
	return w
}

func (w *rateWatch) done() map[string]int {
	close(w.stop)
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.peak
}
