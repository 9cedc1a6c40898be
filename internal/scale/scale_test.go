// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//go:build scale

// Package scale_test measures the operator at the scale of real organizations, on a
// real API server and the simulator: time to converge next to the bound AWS's quotas
// set, AWS calls by operation while converging and at rest, and the manager's peak
// memory. Run it with `make bench-scale`; it prints its figures and is not part of
// `make test`.
package scale_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/awssim"
)

const ns = "awsorg-system"

func size(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v >= 0 {
		return v
	}
	return def
}

func ou(i int) *v1alpha1.OrganizationalUnit {
	return &v1alpha1.OrganizationalUnit{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("ou-%02d", i)}, Spec: v1alpha1.OrganizationalUnitSpec{Name: fmt.Sprintf("OU %02d", i)}}
}

func account(i int, ouName string) *v1alpha1.Account {
	a := &v1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("acct-%04d", i)},
		Spec: v1alpha1.AccountSpec{Name: fmt.Sprintf("Account %04d", i), Email: fmt.Sprintf("acct-%04d@scale.example.com", i)}}
	if ouName != "" {
		a.Spec.OrganizationalUnitRef = &v1alpha1.LocalRef{Name: ouName}
	}
	return a
}

func budget(i int, accountName string) *v1alpha1.Budget {
	b := &v1alpha1.Budget{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("budget-%04d", i)},
		Spec: v1alpha1.BudgetSpec{Limit: v1alpha1.Spend{Amount: "100", Unit: "USD"}}}
	if accountName != "" {
		b.Spec.AccountRef = &v1alpha1.LocalRef{Name: accountName}
	}
	return b
}

func scp(i int, targets ...string) *v1alpha1.ServiceControlPolicy {
	p := &v1alpha1.ServiceControlPolicy{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("scp-%02d", i)}, Spec: v1alpha1.ServiceControlPolicySpec{
		Name: fmt.Sprintf("Policy%02d", i), Document: runtime.RawExtension{Raw: []byte(fmt.Sprintf(
			`{"Version":"2012-10-17","Statement":[{"Sid":"Deny%02d","Effect":"Deny","Action":"ec2:RunInstances","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"eu-west-%d"}}}]}`, i, i%3+1))}}}
	for _, t := range targets {
		p.Spec.TargetRefs = append(p.Spec.TargetRefs, v1alpha1.PolicyTargetRef{Kind: "OrganizationalUnit", Name: t})
	}
	return p
}

func permissionSet(i int, group string, accounts []string) *v1alpha1.PermissionSet {
	refs := make([]v1alpha1.NamespacedRef, 0, len(accounts))
	for _, a := range accounts {
		refs = append(refs, v1alpha1.NamespacedRef{Name: a})
	}
	return &v1alpha1.PermissionSet{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("ps-%02d", i)}, Spec: v1alpha1.PermissionSetSpec{
		Name: fmt.Sprintf("Set%02d", i), SessionDuration: "PT1H", ManagedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
		Assignments: []v1alpha1.Assignment{{Principal: v1alpha1.Principal{Type: "GROUP", Name: group}, AccountRefs: refs}}}}
}

// restCost sits through resyncs and returns the calls made, and the calls per object
// per resync.
func restCost(st *stack, objects int, resync time.Duration, resyncs int) (map[string]int, float64) {
	before := st.env.Sim.Calls()
	time.Sleep(time.Duration(resyncs) * resync)
	c := calls(st.env.Sim, before)
	return c, float64(total(c)) / float64(objects*resyncs)
}

// BenchmarkFiftyObjects is the small workload: 10 OUs and 40 accounts in the root,
// 2 s account creation, resync 30 s; then 95 s at rest.
func BenchmarkFiftyObjects(b *testing.B) {
	cfg := awssim.DefaultConfig()
	cfg.CreateAccountDelay = 2 * time.Second
	st := start(b, cfg, "--resync-period", "30s")
	var objs []client.Object
	for i := range 10 {
		objs = append(objs, ou(i))
	}
	for i := range 40 {
		objs = append(objs, account(i, ""))
	}
	before := st.env.Sim.Calls()
	t0 := time.Now()
	st.create(b, objs)
	applied := time.Since(t0)
	took, _ := st.waitReady(b, t0, 5*time.Minute)
	converge := calls(st.env.Sim, before)
	restBefore := st.env.Sim.Calls()
	time.Sleep(95 * time.Second)
	rest := calls(st.env.Sim, restBefore)
	bound := 40.0 / 5 * 2
	fmt.Printf("\n50 objects (10 OUs, 40 accounts in the root), creation 2 s, resync 30 s\n")
	fmt.Printf("  apply to all Ready      %5.1f s   (AWS's bound %.0f s: 40 accounts / 5 at once x 2 s; target 1.2x = %.1f s; ACK 75 s)\n", took.Seconds(), bound, 1.2*bound)
	fmt.Printf("  AWS calls to converge   %5d     (%s)\n", total(converge), top(converge, 8))
	fmt.Printf("  AWS calls in 95 s rest  %5d     writes %s (%s)\n", total(rest), writes(rest), top(rest, 6))
	fmt.Printf("  converge + 95 s rest    %5d     (ACK 625; target at most %d)\n", total(converge)+total(rest), 625/3)
	fmt.Printf("  calls per object per resync at rest %.3f (target at most 0.1)\n", float64(total(rest))/(50*95.0/30))
	fmt.Printf("  peak RSS of the manager %5.1f MiB (ACK 61.3 MiB)\n", float64(st.peak)/1024)
	fmt.Printf("  account creations       %s (the 50 objects were created in the API server %.1f s after the apply began)\n", creationTimeline(st.env.Sim, t0), applied.Seconds())
	b.ReportMetric(took.Seconds(), "s-to-ready")
	b.ReportMetric(float64(total(converge)+total(rest)), "calls")
	b.ReportMetric(float64(st.peak)/1024, "MiB-peak")
}

// BenchmarkThousandAccounts is the large workload: 1,000 accounts in 50 OUs, 40 SCPs,
// 20 permission sets each assigned through a group to every account, 200 budgets;
// three resyncs at rest; 3,000 more budgets; then changes through a storm of 30 %
// throttles and 5 % server errors. SCALE_ACCOUNTS, SCALE_PERMISSION_SETS,
// SCALE_BUDGETS and SCALE_MORE_BUDGETS change the sizes, SCALE_RESYNC the resync period
// (2m), SCALE_STORM=0 leaves the storm out. In both workloads SCALE_MANAGER_ARGS adds
// flags to the manager, and SCALE_MANAGER_ENV variables to its environment (GOGC=50).
func BenchmarkThousandAccounts(b *testing.B) {
	nAccounts, nSets := size("SCALE_ACCOUNTS", 1000), size("SCALE_PERMISSION_SETS", 20)
	nBudgets, nMore := size("SCALE_BUDGETS", 200), size("SCALE_MORE_BUDGETS", 3000)
	// A two-minute resync (the default is ten): at 30 s the resync reads of 20
	// permission sets on 1,000 accounts alone would take most of Identity Center's rate.
	resync := 2 * time.Minute
	if d, err := time.ParseDuration(os.Getenv("SCALE_RESYNC")); err == nil {
		resync = d
	}
	cfg := awssim.DefaultConfig()
	cfg.CreateAccountDelay, cfg.SSODelay, cfg.MaxAccounts = time.Second, 500*time.Millisecond, nAccounts+100
	for i := range nSets {
		cfg.Groups = append(cfg.Groups, fmt.Sprintf("Group%02d", i))
	}
	cfg.Chaos = awssim.Chaos{RateLimits: map[string]float64{"organizations": 25, "sso-admin": 20, "budgets": 25}}
	rates := map[string]float64{"organizations": 24, "sso": 18, "budgets": 20}
	st := start(b, cfg, "--resync-period", resync.String(), "--aws-rate-organizations", "24", "--aws-rate-sso", "18", "--aws-rate-budgets", "20",
		"--max-concurrent-reconciles", "8")
	objs, _ := workload(nAccounts, nSets, nBudgets)
	before := st.env.Sim.Calls()
	watch := watchRates(st.env.Sim)
	t0, cpu0 := time.Now(), st.cpu()
	st.create(b, objs)
	took, _ := st.waitReady(b, t0, 90*time.Minute)
	converge, cpuConverge := calls(st.env.Sim, before), st.cpu()
	rest, perObject := restCost(st, len(objs), resync, 3)
	cpuRest := st.cpu()
	fmt.Printf("\n%d accounts in 50 OUs, 40 SCPs, %d permission sets on every account, %d budgets (%d objects); creation 1 s, Identity Center 0.5 s, resync %s\n",
		nAccounts, nSets, nBudgets, len(objs), resync)
	accountBound := float64(nAccounts) / 5
	ssoBound := float64(nAccounts*nSets) / min(20, 10/0.5)
	fmt.Printf("  converge                %6.0f s   (bound of account creation %.0f s, target 1.2x = %.0f s; bound of Identity Center's 20 calls a second for %d assignments %.0f s)\n",
		took.Seconds(), accountBound, 1.2*accountBound, nAccounts*nSets, ssoBound)
	fmt.Printf("  AWS calls to converge   %6d     rejected CreateAccount %d (%s)\n", total(converge), rejectedCreates(st), top(converge, 10))
	fmt.Printf("  Identity Center         %s\n", identityCenterShare(st, converge))
	fmt.Printf("  at rest, 3 resyncs      %6d     writes %s, %.3f calls per object per resync (target 0.1) (%s)\n", total(rest), writes(rest), perObject, top(rest, 8))
	fmt.Printf("                                   (the first resyncs after convergence hold the full check that follows every object's last change: tags and assignment sweeps)\n")
	fmt.Printf("  peak RSS                %6.1f MiB\n", float64(st.peak)/1024)
	fmt.Printf("  manager CPU             %6.0f s to converge, %.0f s in the three resyncs at rest\n", (cpuConverge - cpu0).Seconds(), (cpuRest - cpuConverge).Seconds())
	fmt.Printf("  account creations       %s\n", creationTimeline(st.env.Sim, t0))
	fmt.Printf("  assignment creations    %s\n", assignmentTimeline(st.env.Sim, t0, cfg.SSODelay))

	more := make([]client.Object, 0, nMore)
	for i := range nMore {
		more = append(more, budget(nBudgets+i, ""))
	}
	t1, before, cpu1 := time.Now(), st.env.Sim.Calls(), st.cpu()
	st.create(b, more)
	tookMore, _ := st.waitReady(b, t1, 60*time.Minute)
	moreCalls := calls(st.env.Sim, before)
	fmt.Printf("  + %d budgets          %6.0f s   %d calls (%s); peak RSS %.1f MiB with %d objects (target 100 MiB); manager CPU %.0f s\n", nMore, tookMore.Seconds(),
		total(moreCalls), top(moreCalls, 4), float64(st.peak)/1024, len(objs)+nMore, (st.cpu() - cpu1).Seconds())
	if size("SCALE_STORM", 1) > 0 {
		storm(b, st)
	}
	peaks := watch.done()
	fmt.Printf("  most calls in a second  %v (the governors allow %v and a burst of twice that)\n", peaks, rates)
	b.ReportMetric(took.Seconds(), "s-to-ready")
	b.ReportMetric(perObject, "calls/object/resync")
	b.ReportMetric(float64(st.peak)/1024, "MiB-peak")
}

// workload builds the large organization and returns its objects and account names.
func workload(nAccounts, nSets, nBudgets int) ([]client.Object, []string) {
	var objs []client.Object
	for i := range 50 {
		objs = append(objs, ou(i))
	}
	var names []string
	for i := range nAccounts {
		a := account(i, fmt.Sprintf("ou-%02d", i%50))
		objs, names = append(objs, a), append(names, a.Name)
	}
	for i := range 40 {
		objs = append(objs, scp(i, fmt.Sprintf("ou-%02d", i), fmt.Sprintf("ou-%02d", (i+1)%50)))
	}
	for i := range nSets {
		objs = append(objs, permissionSet(i, fmt.Sprintf("Group%02d", i), names))
	}
	for i := range nBudgets {
		objs = append(objs, budget(i, names[i%len(names)]))
	}
	return objs, names
}

// service keeps the calls to one service.
func service(m map[string]int, svc string) map[string]int {
	out := map[string]int{}
	for op, n := range m {
		if strings.HasPrefix(op, svc+":") {
			out[op] = n
		}
	}
	return out
}

// identityCenterShare says how long AWS's 20 calls a second to Identity Center take for
// the calls a convergence made to it, and what they were: the time a rollout of
// assignments cannot beat, whatever the governor's rate.
func identityCenterShare(st *stack, converge map[string]int) string {
	sso := service(converge, "sso-admin")
	throttled := 0
	for key, n := range st.env.Sim.Errors() {
		if strings.HasPrefix(key, "sso-admin:") && strings.HasSuffix(key, ":ThrottlingException") {
			throttled += n
		}
	}
	n := total(sso)
	return fmt.Sprintf("%6d     calls to converge, %.0f s at AWS's 20 a second; %d throttled (%s)", n, float64(n)/20, throttled, top(sso, 6))
}

// rejectedCreates is the CreateAccount calls AWS refused for its limits (not throttles).
func rejectedCreates(st *stack) int {
	return st.env.Sim.Errors()["organizations:CreateAccount:ConstraintViolationException"]
}

// storm applies changes while 30 % of calls are throttled and 5 % fail with a server
// error for two minutes, then checks that every change was applied, no object was ever
// Stalled, and each new account was created once.
func storm(b *testing.B, st *stack) {
	ctx := context.Background()
	st.env.Sim.SetChaos(awssim.Chaos{ThrottleFraction: 0.3, ServerErrorFraction: 0.05,
		RateLimits: map[string]float64{"organizations": 25, "sso-admin": 20, "budgets": 25}})
	t0 := time.Now()
	var changes []client.Object
	for i := range 20 {
		changes = append(changes, account(100000+i, "ou-00"))
	}
	for i := range 50 {
		changes = append(changes, budget(100000+i, ""))
	}
	st.create(b, changes)
	for i := range 10 {
		p := &v1alpha1.ServiceControlPolicy{}
		if err := st.c.Get(ctx, client.ObjectKey{Name: fmt.Sprintf("scp-%02d", i)}, p); err != nil {
			b.Fatal(err)
		}
		p.Spec.Description = "changed in the storm"
		if err := st.c.Update(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
	stalled := false
	for time.Since(t0) < 2*time.Minute {
		if n, err := st.count(ctx); err == nil && n.stalled > 0 {
			stalled = true
		}
		time.Sleep(time.Second)
	}
	st.env.Sim.SetChaos(awssim.Chaos{RateLimits: map[string]float64{"organizations": 25, "sso-admin": 20, "budgets": 25}})
	took, stalledAfter := st.waitReady(b, t0, 30*time.Minute)
	created := map[string]int{}
	for _, r := range st.env.Sim.CreateAccountRequests() {
		created[r.Email]++
	}
	twice := 0
	for i := range 20 {
		if created[fmt.Sprintf("acct-%06d@scale.example.com", 100000+i)] != 1 {
			twice++
		}
	}
	fmt.Printf("  storm (2 min of 30 %% throttles, 5 %% 5xx): all changes Ready after %.0f s, ever Stalled: %t, new accounts not created exactly once: %d\n",
		took.Seconds(), stalled || stalledAfter, twice)
}

// creationTimeline says how many CreateAccount requests were in progress, on average
// and at most, between the first and the last.
func creationTimeline(sim *awssim.Server, t0 time.Time) string {
	reqs := sim.CreateAccountRequests()
	if len(reqs) == 0 {
		return "none"
	}
	var starts, ends []time.Time
	for _, r := range reqs {
		starts, ends = append(starts, r.Requested), append(ends, r.Completed)
	}
	return slotUse(starts, ends, 5, t0)
}

// assignmentTimeline is creationTimeline for Identity Center's assignment creations:
// ten in progress at most, each lasting delay. A freed slot is taken again once a list
// of the requests' status has shown it ended and a permission set's reconcile used it.
func assignmentTimeline(sim *awssim.Server, t0 time.Time, delay time.Duration) string {
	starts := sim.AssignmentCreations()
	if len(starts) == 0 {
		return "none"
	}
	ends := make([]time.Time, len(starts))
	for i, at := range starts {
		ends[i] = at.Add(delay)
	}
	return slotUse(starts, ends, 10, t0)
}

// slotUse says how busy a quota of slots in progress was: the requests' span, how
// many slots were busy on average, and how long a freed slot stayed free.
func slotUse(starts, ends []time.Time, slots int, t0 time.Time) string {
	busy := 0.0
	for i := range starts {
		busy += ends[i].Sub(starts[i]).Seconds()
	}
	starts, ends = slices.Clone(starts), slices.Clone(ends)
	slices.SortFunc(starts, time.Time.Compare)
	slices.SortFunc(ends, time.Time.Compare)
	first, last := starts[0], ends[len(ends)-1]
	// The i-th request after the first slots takes the slot the i-th to end freed.
	var gaps []float64
	for i := slots; i < len(starts); i++ {
		gaps = append(gaps, starts[i].Sub(ends[i-slots]).Seconds())
	}
	sort.Float64s(gaps)
	out := fmt.Sprintf("%d from %.1f s (the %dth at %.1f s) to %.1f s after the apply: on average %.2f of %d slots busy", len(starts), first.Sub(t0).Seconds(),
		slots, starts[min(slots-1, len(starts)-1)].Sub(t0).Seconds(), last.Sub(t0).Seconds(), busy/last.Sub(first).Seconds(), slots)
	if len(gaps) > 0 {
		out += fmt.Sprintf("; a freed slot is taken again after %.2f s (median), %.2f s (90th percentile)", gaps[len(gaps)/2], gaps[len(gaps)*9/10])
	}
	return out
}
