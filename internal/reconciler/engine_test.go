// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package reconciler_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

type readOnlyKey struct{}

// fakeAWS is one AWS object with a value; fakeKind plans setting it to the spec's name.
type fakeAWS struct {
	value   string
	tags    int
	keep    bool // AWS drops every change (it never converges)
	applied []string
	fail    map[string]error
}

type fakeKind struct {
	aws     *fakeAWS
	adopted bool
	removal bool
}

func (k *fakeKind) Observe(ctx context.Context, ou *v1alpha1.OrganizationalUnit) (reconciler.Observation, error) {
	if ctx.Value(readOnlyKey{}) == nil {
		return reconciler.Observation{}, errors.New("Observe ran outside the read-only context")
	}
	var plan reconciler.Plan
	if k.aws.value != ou.Spec.Name {
		plan.Add("set the value to "+ou.Spec.Name, k.apply("set", func() { k.aws.value = ou.Spec.Name }))
	}
	if k.removal && k.aws.tags > 0 {
		plan.Remove("remove a tag", k.apply("remove", func() { k.aws.tags-- }))
	}
	return reconciler.Observation{Exists: true, Adopted: k.adopted, Plan: plan}, nil
}

func (k *fakeKind) apply(name string, f func()) func(context.Context) error {
	return func(ctx context.Context) error {
		if ctx.Value(readOnlyKey{}) != nil {
			return errors.New("a change ran in the read-only context")
		}
		k.aws.applied = append(k.aws.applied, name)
		if err := k.aws.fail[name]; err != nil {
			return err
		}
		if !k.aws.keep {
			f()
		}
		return nil
	}
}

func (k *fakeKind) Delete(context.Context, *v1alpha1.OrganizationalUnit) (reconciler.Changes, error) {
	return nil, nil
}
func (k *fakeKind) Retain(*v1alpha1.OrganizationalUnit) bool { return false }

func newEngine(t *testing.T, kind reconciler.Kind[*v1alpha1.OrganizationalUnit], ou *v1alpha1.OrganizationalUnit, policy v1alpha1.ManagementPolicy) (*reconciler.Reconciler[*v1alpha1.OrganizationalUnit], client.Client) {
	t.Helper()
	s := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	c := fake.NewClientBuilder().WithScheme(s).WithObjects(ou).WithStatusSubresource(ou).Build()
	return &reconciler.Reconciler[*v1alpha1.OrganizationalUnit]{Client: c, Recorder: events.NewFakeRecorder(100), Kind: kind,
		New: func() *v1alpha1.OrganizationalUnit { return &v1alpha1.OrganizationalUnit{} },
		Options: reconciler.Options{DefaultManagementPolicy: policy,
			ReadOnly: func(ctx context.Context) context.Context { return context.WithValue(ctx, readOnlyKey{}, true) }}}, c
}

func reconcile(t *testing.T, r *reconciler.Reconciler[*v1alpha1.OrganizationalUnit], c client.Client) *v1alpha1.OrganizationalUnit {
	t.Helper()
	if _, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: client.ObjectKey{Name: "ou"}}); err != nil {
		t.Fatalf("reconcile: %v", err)
	}
	got := &v1alpha1.OrganizationalUnit{}
	if err := c.Get(context.Background(), client.ObjectKey{Name: "ou"}, got); err != nil {
		t.Fatal(err)
	}
	return got
}

func condition(ou *v1alpha1.OrganizationalUnit, typ string) *metav1.Condition {
	return meta.FindStatusCondition(ou.Status.Conditions, typ)
}

func newOU(name string) *v1alpha1.OrganizationalUnit {
	return &v1alpha1.OrganizationalUnit{ObjectMeta: metav1.ObjectMeta{Name: "ou", Generation: 1}, Spec: v1alpha1.OrganizationalUnitSpec{Name: name}}
}

func TestManageAppliesThePlanAndObserveOnlyPublishesIt(t *testing.T) {
	for _, policy := range []v1alpha1.ManagementPolicy{v1alpha1.Manage, v1alpha1.Observe} {
		t.Run(string(policy), func(t *testing.T) {
			aws := &fakeAWS{value: "old"}
			r, c := newEngine(t, &fakeKind{aws: aws}, newOU("new"), policy)
			got := reconcile(t, r, c)
			ready := condition(got, v1alpha1.ConditionReady)
			if policy == v1alpha1.Observe {
				stalled := condition(got, v1alpha1.ConditionStalled)
				if aws.value != "old" || len(aws.applied) > 0 || stalled == nil || stalled.Reason != v1alpha1.ReasonChangesPending ||
					got.Status.PendingChanges != 1 || got.Status.PlannedChanges[0] != "set the value to new" || ready.Status != metav1.ConditionFalse {
					t.Fatalf("Observe changed AWS or did not publish the plan: aws %+v, status %+v", aws, got.Status)
				}
				return
			}
			if aws.value != "new" || ready.Status != metav1.ConditionTrue || got.Status.PendingChanges != 0 || got.Status.ManagementPolicy != v1alpha1.Manage {
				t.Fatalf("Manage did not apply the plan: aws %+v, status %+v", aws, got.Status)
			}
		})
	}
}

func TestRemovalsWaitAfterAnAdoption(t *testing.T) {
	aws := &fakeAWS{value: "old", tags: 1}
	kind := &fakeKind{aws: aws, adopted: true, removal: true}
	ou := newOU("new")
	r, c := newEngine(t, kind, ou, v1alpha1.Manage)
	got := reconcile(t, r, c)
	stalled := condition(got, v1alpha1.ConditionStalled)
	if aws.value != "new" || aws.tags != 1 || stalled == nil || stalled.Reason != v1alpha1.ReasonChangesPending ||
		!strings.Contains(stalled.Message, v1alpha1.AllowRemovalsOnAdoption) || !got.Status.Adopting {
		t.Fatalf("want the additive change applied and the removal held: aws %+v, status %+v", aws, got.Status)
	}
	kind.adopted = false // the next observations find it held already
	got.Annotations = map[string]string{v1alpha1.AllowRemovalsOnAdoption: "true"}
	if err := c.Update(context.Background(), got); err != nil {
		t.Fatal(err)
	}
	got = reconcile(t, r, c)
	if aws.tags != 0 || condition(got, v1alpha1.ConditionReady).Status != metav1.ConditionTrue || got.Status.Adopting {
		t.Fatalf("want the removal applied once allowed: aws %+v, status %+v", aws, got.Status)
	}
}

func TestChangesThatDoNotConvergeStall(t *testing.T) {
	aws := &fakeAWS{value: "old", keep: true}
	r, c := newEngine(t, &fakeKind{aws: aws}, newOU("new"), v1alpha1.Manage)
	var got *v1alpha1.OrganizationalUnit
	for range 5 {
		got = reconcile(t, r, c)
	}
	stalled := condition(got, v1alpha1.ConditionStalled)
	if stalled == nil || stalled.Reason != v1alpha1.ReasonNotConverging || !strings.Contains(stalled.Message, "set the value to new") {
		t.Fatalf("want Stalled NotConverging naming the change, got %+v", got.Status.Conditions)
	}
	if len(aws.applied) != 3 {
		t.Fatalf("applied %d times, want 3 before stalling", len(aws.applied))
	}
	// A fresh engine (a restart) sees the condition and does not try again.
	r2, _ := newEngine(t, &fakeKind{aws: aws}, newOU("new"), v1alpha1.Manage)
	r2.Client = c
	reconcile(t, r2, c)
	if len(aws.applied) != 3 {
		t.Fatalf("after a restart the stalled change was applied again (%d)", len(aws.applied))
	}
}

func TestAlwaysChangesRunAfterAFailure(t *testing.T) {
	aws := &fakeAWS{value: "old", fail: map[string]error{"set": reconciler.Stalled(v1alpha1.ReasonAWSRefused, "refused")}}
	provisioned := false
	kind := &alwaysKind{fakeKind: fakeKind{aws: aws}, after: func() { provisioned = true }}
	r, c := newEngine(t, kind, newOU("new"), v1alpha1.Manage)
	got := reconcile(t, r, c)
	if !provisioned || condition(got, v1alpha1.ConditionStalled) == nil {
		t.Fatalf("want the Always change applied after the refusal: provisioned %t, %+v", provisioned, got.Status.Conditions)
	}
}

type alwaysKind struct {
	fakeKind
	after func()
}

func (k *alwaysKind) Observe(ctx context.Context, ou *v1alpha1.OrganizationalUnit) (reconciler.Observation, error) {
	obs, err := k.fakeKind.Observe(ctx, ou)
	obs.Plan = append(obs.Plan, reconciler.Change{Description: "provision", Always: true, Apply: func(context.Context) error { k.after(); return nil }})
	return obs, err
}

// Every object resyncs on its own jittered period, so a kind's objects spread out.
func TestResyncsAreJitteredPerObject(t *testing.T) {
	aws := &fakeAWS{value: "v"}
	r, c := newEngine(t, &fakeKind{aws: aws}, newOU("v"), v1alpha1.Manage)
	r.Options.ResyncPeriod = time.Minute
	seen := map[time.Duration]bool{}
	for range 20 {
		res, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: client.ObjectKey{Name: "ou"}})
		if err != nil {
			t.Fatal(err)
		}
		if res.RequeueAfter < 54*time.Second || res.RequeueAfter > 66*time.Second {
			t.Fatalf("requeue after %s, want 90 %% to 110 %% of a minute", res.RequeueAfter)
		}
		seen[res.RequeueAfter] = true
	}
	_ = c
	if len(seen) < 10 {
		t.Fatalf("only %d different resync periods in 20 reconciles", len(seen))
	}
}

// manyKind plans n changes; each records a status field, as an id AWS returned.
type manyKind struct {
	fakeKind
	n          int
	repeatable bool
	done       int
}

func (k *manyKind) Observe(_ context.Context, ou *v1alpha1.OrganizationalUnit) (reconciler.Observation, error) {
	var plan reconciler.Plan
	for i := k.done; i < k.n; i++ {
		plan = append(plan, reconciler.Change{Description: fmt.Sprintf("assign account %04d", i), Repeatable: k.repeatable, Apply: func(context.Context) error {
			k.done++
			ou.Status.ID = fmt.Sprint("id-", i)
			return nil
		}})
	}
	return reconciler.Observation{Exists: true, Plan: plan}, nil
}

// status.plannedChanges lists the first changes of a long plan and how many more there
// are, so a plan of thousands stays small in the API server; pendingChanges counts all.
func TestALongPlanIsListedInPart(t *testing.T) {
	r, c := newEngine(t, &manyKind{n: 250}, newOU("new"), v1alpha1.Observe)
	got := reconcile(t, r, c)
	lines := got.Status.PlannedChanges
	if got.Status.PendingChanges != 250 || len(lines) != 100 || lines[0] != "assign account 0000" || lines[98] != "assign account 0098" || lines[99] != "and 151 more" {
		t.Fatalf("want 100 lines ending with the count of the rest, and 250 pending: %d lines (%q … %q), %d pending",
			len(lines), lines[0], lines[len(lines)-1], got.Status.PendingChanges)
	}
	stalled := condition(got, v1alpha1.ConditionStalled)
	if stalled == nil || strings.Count(stalled.Message, "assign account") != 5 || !strings.Contains(stalled.Message, "and 245 more") {
		t.Fatalf("the condition should name five changes and count the rest: %+v", stalled)
	}
}

// The status a change sets is written at once, so no id AWS returned is lost; changes
// that are harmless to repeat share the reconcile's one write.
func TestRepeatableChangesShareOneStatusWrite(t *testing.T) {
	for _, repeatable := range []bool{false, true} {
		t.Run(fmt.Sprint("repeatable=", repeatable), func(t *testing.T) {
			kind := &manyKind{n: 10, repeatable: repeatable}
			r, c := newEngine(t, kind, newOU("new"), v1alpha1.Manage)
			writes := 0
			r.Client = interceptor.NewClient(c.(client.WithWatch), interceptor.Funcs{
				SubResourcePatch: func(ctx context.Context, cl client.Client, sub string, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
					writes++
					return cl.SubResource(sub).Patch(ctx, obj, patch, opts...)
				}})
			got := reconcile(t, r, c)
			want := 11 // one a change, and the conditions
			if repeatable {
				want = 1
			}
			if kind.done != 10 || got.Status.ID != "id-9" || writes != want || condition(got, v1alpha1.ConditionReady).Status != metav1.ConditionTrue {
				t.Fatalf("applied %d, status id %q, %d status writes (want %d), %+v", kind.done, got.Status.ID, writes, want, got.Status.Conditions)
			}
		})
	}
}

// A status write sends the status alone (the spec is neither sent nor diffed), and
// what the status no longer holds is removed: a plan once applied leaves no planned
// changes and no Stalled condition behind.
func TestStatusWritesSendTheStatusAlone(t *testing.T) {
	aws := &fakeAWS{value: "old"}
	ou := newOU("new")
	r, c := newEngine(t, &fakeKind{aws: aws}, ou, v1alpha1.Observe)
	var sent []map[string]any
	r.Client = interceptor.NewClient(c.(client.WithWatch), interceptor.Funcs{
		SubResourcePatch: func(ctx context.Context, cl client.Client, sub string, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
			data, err := patch.Data(obj)
			if err != nil {
				return err
			}
			var fields map[string]any
			if err := json.Unmarshal(data, &fields); err != nil {
				return err
			}
			sent = append(sent, fields)
			return cl.SubResource(sub).Patch(ctx, obj, patch, opts...)
		}})
	if got := reconcile(t, r, c); condition(got, v1alpha1.ConditionStalled) == nil || got.Status.PendingChanges != 1 {
		t.Fatalf("observed: want the plan pending and Stalled, got %+v", got.Status)
	}
	r.Options.DefaultManagementPolicy = v1alpha1.Manage
	got := reconcile(t, r, c)
	if condition(got, v1alpha1.ConditionStalled) != nil || len(got.Status.PlannedChanges) != 0 || got.Status.PendingChanges != 0 ||
		condition(got, v1alpha1.ConditionReady).Status != metav1.ConditionTrue || aws.value != "new" {
		t.Fatalf("applied: want Ready with no plan left, got %+v", got.Status)
	}
	if len(sent) < 2 {
		t.Fatalf("%d status writes, want one for each reconcile at least", len(sent))
	}
	for _, fields := range sent {
		if _, ok := fields["status"]; !ok || len(fields) != 1 {
			t.Fatalf("a status write sent %v, want the status alone", fields)
		}
	}
}

// checkingKind records whether each Observe is a full check, and may mark its changes
// as ones every reconcile reads.
type checkingKind struct {
	fakeKind
	cheap bool
	full  []bool
}

func (k *checkingKind) Observe(ctx context.Context, ou *v1alpha1.OrganizationalUnit) (reconciler.Observation, error) {
	k.full = append(k.full, reconciler.FullCheck(ctx))
	obs, err := k.fakeKind.Observe(ctx, ou)
	if k.cheap {
		obs.Plan = obs.Plan.SeenCheaply()
	}
	return obs, err
}

// After a full check applied changes, the next reconcile checks fully again to see that
// AWS kept them, unless every reconcile reads what they touched.
func TestAFullCheckFollowsChangesOnlyWhenTheyAreCostlyToSee(t *testing.T) {
	for _, cheap := range []bool{false, true} {
		t.Run(fmt.Sprintf("cheap=%v", cheap), func(t *testing.T) {
			kind := &checkingKind{fakeKind: fakeKind{aws: &fakeAWS{value: "old"}}, cheap: cheap}
			r, c := newEngine(t, kind, newOU("new"), v1alpha1.Manage)
			if got := reconcile(t, r, c); condition(got, v1alpha1.ConditionReady).Status != metav1.ConditionTrue || kind.aws.value != "new" {
				t.Fatalf("the change was not applied: aws %+v, status %+v", kind.aws, got.Status)
			}
			reconcile(t, r, c)
			want := []bool{true, false, !cheap} // the change's reconcile, its confirming round, the next reconcile
			if fmt.Sprint(kind.full) != fmt.Sprint(want) {
				t.Fatalf("full checks of the observations: %v, want %v", kind.full, want)
			}
		})
	}
}

// waitingKind matches the spec but waits for many references.
type waitingKind struct {
	fakeKind
	waiting []string
}

func (k *waitingKind) Observe(ctx context.Context, ou *v1alpha1.OrganizationalUnit) (reconciler.Observation, error) {
	obs, err := k.fakeKind.Observe(ctx, ou)
	obs.Waiting = k.waiting
	return obs, err
}

// A permission set on a thousand accounts being created waits for each of them; the
// API server refuses a condition message over 32 KiB, so the status says the first
// few and counts the rest, and no message is ever longer than a few KiB.
func TestConditionMessagesStaySmall(t *testing.T) {
	kind := &waitingKind{fakeKind: fakeKind{aws: &fakeAWS{value: "new"}}}
	for i := range 1000 {
		kind.waiting = append(kind.waiting, fmt.Sprintf("Account team-%03d/account-%04d, which has no AWS id yet", i%100, i))
	}
	r, c := newEngine(t, kind, newOU("new"), v1alpha1.Manage)
	got := reconcile(t, r, c)
	ready := condition(got, v1alpha1.ConditionReady)
	if ready.Reason != v1alpha1.ReasonDependencyNotReady || len(ready.Message) > 4096 || !strings.HasSuffix(ready.Message, "; and 995 more") {
		t.Fatalf("Ready is %s (%d bytes): %.300q", ready.Reason, len(ready.Message), ready.Message)
	}
	kind.waiting = []string{strings.Repeat("x", 40000)}
	got = reconcile(t, r, c)
	for _, cond := range got.Status.Conditions {
		if len(cond.Message) > 4096 {
			t.Fatalf("condition %s holds %d bytes", cond.Type, len(cond.Message))
		}
	}
}

// forgetfulKind is fakeKind with a memory of its objects, which the engine empties
// once an object is gone, whatever its deletion policy.
type forgetfulKind struct {
	fakeKind
	retain    bool
	forgotten []string
}

func (k *forgetfulKind) Retain(*v1alpha1.OrganizationalUnit) bool { return k.retain }
func (k *forgetfulKind) Forget(ou *v1alpha1.OrganizationalUnit) {
	k.forgotten = append(k.forgotten, ou.Name)
}

func TestAKindForgetsAnObjectOnceItIsGone(t *testing.T) {
	for _, tc := range []struct {
		name   string
		retain bool
		policy v1alpha1.ManagementPolicy
	}{{"deleted in AWS", false, v1alpha1.Manage}, {"retained", true, v1alpha1.Manage}, {"observed", false, v1alpha1.Observe}} {
		t.Run(tc.name, func(t *testing.T) {
			kind := &forgetfulKind{fakeKind: fakeKind{aws: &fakeAWS{}}, retain: tc.retain}
			r, c := newEngine(t, kind, newOU("prod"), tc.policy)
			reconcile(t, r, c) // the finalizer is added
			if len(kind.forgotten) != 0 {
				t.Fatalf("forgot %v while the object is there", kind.forgotten)
			}
			got := &v1alpha1.OrganizationalUnit{}
			if err := c.Get(context.Background(), client.ObjectKey{Name: "ou"}, got); err != nil {
				t.Fatal(err)
			}
			if err := c.Delete(context.Background(), got); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: client.ObjectKey{Name: "ou"}}); err != nil {
				t.Fatal(err)
			}
			if err := c.Get(context.Background(), client.ObjectKey{Name: "ou"}, got); !apierrors.IsNotFound(err) {
				t.Fatalf("the object is still there: %v", err)
			}
			if !slices.Equal(kind.forgotten, []string{"ou"}) {
				t.Fatalf("forgot %v, want the object once", kind.forgotten)
			}
		})
	}
}
