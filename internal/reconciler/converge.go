// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package reconciler

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
)

// maxAttempts is how often the engine applies the same changes without AWS
// converging before it stops and reports NotConverging.
const maxAttempts = 3

// FullCheckEvery is how many resyncs may pass between two full checks of an object.
const FullCheckEvery = 10

// converge observes AWS and applies the plan, round after round, until AWS matches the
// spec, the plan must wait, or the same changes come back (AWS did not take them).
func (r *Reconciler[T]) converge(ctx context.Context, s *session[T]) error {
	obj := s.obj
	st := obj.AWSStatus()
	policy := r.policy(obj)
	st.ManagementPolicy = policy
	full := r.needsFullCheck(obj)
	ctx = WithFullCheck(ctx, full)
	applied, verify := "", false
	var carried Plan // held by the full check; the cheaper rounds after it may not see them
	for round := 0; round < 4; round++ {
		obs, err := r.Kind.Observe(r.observeCtx(ctx, obj), obj)
		if err != nil {
			return err
		}
		obs.Plan = obs.Plan.with(carried)
		if obs.Adopted {
			st.Adopting = true
		}
		r.publish(st, obs.Plan)
		if len(obs.Plan) == 0 {
			r.checkedNow(obj, full, verify)
			return r.settled(obj, obs)
		}
		// A plan that is not applied (observed, held, stuck or refused) leaves the
		// full check due, so the next reconcile sees all of it again.
		if policy == v1alpha1.Observe {
			return Stalled(v1alpha1.ReasonChangesPending, "%s; the management policy is Observe, so nothing is changed in AWS: set spec.managementPolicy to Manage to apply them", pending(obs.Plan))
		}
		apply, held := obs.Plan.split(st.Adopting && obj.GetAnnotations()[v1alpha1.AllowRemovalsOnAdoption] != "true")
		carried = held
		if len(apply) == 0 {
			return Stalled(v1alpha1.ReasonChangesPending, "%s; this object adopted an AWS object it did not create, and does not remove what it did not put there: add the annotation %s: \"true\" to remove them, or add them to the spec to keep them",
				pending(held), v1alpha1.AllowRemovalsOnAdoption)
		}
		if err := r.stuck(obj, apply, applied); err != nil {
			return err
		}
		applied = apply.signature() // the plan shows in status with the first change's ids
		if err := r.apply(ctx, s, apply, obs.Exists); err != nil {
			if IsWait(err) {
				r.checkedNow(obj, full, false) // what the full check found was applied, or waits its turn
			}
			return err
		}
		r.appliedNow(obj, applied)
		// The next round confirms what the changes touched, without the costly reads;
		// the next reconcile reads them all again to see that AWS kept changes to an
		// object that existed, and counts an attempt if it did not, unless every round
		// reads what the changes touched (moving a thousand new accounts to their OUs
		// then costs no thousand reads of their tags).
		verify = verify || (full && obs.Exists && !apply.seenCheaply())
		ctx = WithFullCheck(ctx, false)
	}
	return Wait(time.Second, v1alpha1.ReasonProgressing, "AWS does not match the spec yet after the last changes; looking again shortly")
}

// maxPlannedLines is how many changes status.plannedChanges lists; pendingChanges
// counts them all. Twenty thousand assignments to make would otherwise put a
// megabyte in status, near the API server's limit on an object, on every write.
const maxPlannedLines = 100

// publish puts the plan in status: its first lines, and how many more there are.
func (r *Reconciler[T]) publish(st *v1alpha1.ResourceStatus, plan Plan) {
	st.PendingChanges = len(plan)
	st.PlannedChanges = nil
	for i, c := range plan {
		if i == maxPlannedLines-1 && len(plan) > maxPlannedLines {
			st.PlannedChanges = append(st.PlannedChanges, fmt.Sprintf("and %d more", len(plan)-i))
			break
		}
		st.PlannedChanges = append(st.PlannedChanges, c.Description)
	}
}

// settled is the outcome once no change is left: Ready, unless references still wait.
func (r *Reconciler[T]) settled(obj T, obs Observation) error {
	if len(obs.Waiting) > 0 {
		return Wait(r.Options.DependencyPoll, v1alpha1.ReasonDependencyNotReady, "everything else matches the spec; waiting for %s", firstOf(obs.Waiting))
	}
	if obs.InProgress != "" {
		return Wait(r.Options.DependencyPoll, v1alpha1.ReasonProgressing, "%s", obs.InProgress)
	}
	obj.AWSStatus().Adopting = false
	return nil
}

// stuck stops changes that AWS does not keep. The same changes coming back right
// after they were applied (in this reconcile, or within a few resyncs of a successful
// apply) count as attempts: the engine backs off, and after maxAttempts the object is
// Stalled NotConverging, which holds across restarts until the spec changes.
func (r *Reconciler[T]) stuck(obj T, apply Plan, previous string) error {
	sig := apply.signature()
	msg := fmt.Sprintf("AWS still differs from the spec after %d attempts to change it (%s); something outside the operator undoes the change, or AWS does not keep the value as given: check these fields, then change the spec to try again",
		maxAttempts, firstLines(apply))
	if c := meta.FindStatusCondition(obj.AWSStatus().Conditions, v1alpha1.ConditionStalled); c != nil &&
		c.Reason == v1alpha1.ReasonNotConverging && c.Message == msg && c.ObservedGeneration == obj.GetGeneration() {
		return Stalled(v1alpha1.ReasonNotConverging, "%s", msg)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	a := r.attempts[obj.GetUID()]
	repeat := a.generation == obj.GetGeneration() && a.signature == sig && time.Since(a.applied) < 3*r.resync()
	switch {
	case sig == previous:
		a.count++
		a.applied = time.Time{} // counted: the next reconcile's apply is a new attempt
	case repeat:
		a.count++
		r.remember(obj, a)
		if a.count >= maxAttempts {
			return Stalled(v1alpha1.ReasonNotConverging, "%s", msg)
		}
		return nil
	default:
		return nil
	}
	r.remember(obj, a)
	if a.count >= maxAttempts {
		return Stalled(v1alpha1.ReasonNotConverging, "%s", msg)
	}
	return Wait(time.Duration(5<<a.count)*time.Second, v1alpha1.ReasonProgressing,
		"AWS does not show the last changes yet (%s); trying again later", firstLines(apply))
}

// appliedNow records that the changes with this signature were applied successfully.
func (r *Reconciler[T]) appliedNow(obj T, sig string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a := r.attempts[obj.GetUID()]
	if a.generation != obj.GetGeneration() || a.signature != sig {
		a = attempt{generation: obj.GetGeneration(), signature: sig}
	}
	a.applied = time.Now()
	r.remember(obj, a)
}

func (r *Reconciler[T]) remember(obj T, a attempt) {
	if r.attempts == nil {
		r.attempts = map[types.UID]attempt{}
	}
	r.attempts[obj.GetUID()] = a
}

// apply makes the changes in order and writes the status after each one that changed
// it. After a failure it goes on only with the changes marked Always.
func (r *Reconciler[T]) apply(ctx context.Context, s *session[T], plan Plan, existed bool) error {
	log := ctrl.LoggerFrom(ctx)
	var done Changes
	var failed, waited error
	for _, c := range plan {
		if failed != nil && !c.Always {
			continue
		}
		log.Info("Changing AWS", "change", c.Description)
		if err := c.Apply(ctx); err != nil {
			if IsWait(err) { // this change waits its turn; the others go on
				log.Info("The change waits its turn; AWS was not changed", "change", c.Description, "reason", err.Error())
				waited = first(errors.Join(waited, err))
				continue
			}
			log.Info("The change failed", "change", c.Description, "error", err.Error())
			failed = errors.Join(failed, err)
			continue
		}
		done = append(done, capitalize(c.Description))
		if c.Repeatable {
			continue
		}
		if err := s.save(ctx); err != nil {
			failed = errors.Join(failed, err)
			break
		}
	}
	reason := "Updated"
	if !existed {
		reason = "Created"
	}
	r.event(s.obj, reason, done)
	if failed != nil {
		return first(failed)
	}
	return waited
}

// needsFullCheck says whether this reconcile reads tags and the like: once for every
// generation of the spec that AWS has not matched yet, and about every tenth resync,
// spread over time. The reconciles that follow a full check of the same generation
// (waiting on AWS, woken by requests that ended) read only what is cheap.
func (r *Reconciler[T]) needsFullCheck(obj T) bool {
	every := time.Duration(FullCheckEvery) * r.resync()
	r.mu.Lock()
	defer r.mu.Unlock()
	last, ok := r.checked[obj.GetUID()]
	switch {
	case !ok && isReady(obj): // first sight since the start: spread the full checks over the period
		if r.checked == nil {
			r.checked = map[types.UID]check{}
		}
		r.checked[obj.GetUID()] = check{at: time.Now().Add(-time.Duration(rand.Int64N(int64(every)))), generation: obj.GetGeneration()}
		return false
	case !ok, last.generation != obj.GetGeneration():
		return true
	}
	return time.Since(last.at) >= every
}

// checkedNow records that a full check's changes were applied (or nothing differed,
// or they cannot be applied). With verify, the next reconcile is a full check again.
func (r *Reconciler[T]) checkedNow(obj T, full, verify bool) {
	if !full {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.checked == nil {
		r.checked = map[types.UID]check{}
	}
	at := time.Now()
	if verify {
		at = time.Time{}
	}
	r.checked[obj.GetUID()] = check{at: at, generation: obj.GetGeneration()}
}

func (r *Reconciler[T]) resync() time.Duration {
	if r.Options.ResyncPeriod > 0 {
		return r.Options.ResyncPeriod
	}
	return 10 * time.Minute
}

// isReady reports whether AWS matched the spec of the object's generation last time.
func isReady(obj Object) bool {
	c := meta.FindStatusCondition(obj.AWSStatus().Conditions, v1alpha1.ConditionReady)
	return c != nil && c.Status == metav1.ConditionTrue && obj.AWSStatus().ObservedGeneration == obj.GetGeneration()
}

// pending says how many changes are pending, and the first few.
func pending(p Plan) string {
	return fmt.Sprintf("%d changes pending: %s", len(p), firstLines(p))
}

// firstLines names the first five changes of a plan, and how many follow.
func firstLines(p Plan) string {
	lines := p.Descriptions()
	if len(lines) > 5 {
		lines = append(lines[:5], fmt.Sprintf("and %d more (see status.plannedChanges)", len(p)-5))
	}
	return strings.Join(lines, "; ")
}

// firstOf joins the first five of what an object waits for and counts the rest: a
// permission set on a thousand accounts being created waits for each of them.
func firstOf(waiting []string) string {
	if len(waiting) > 5 {
		return strings.Join(waiting[:5], "; ") + fmt.Sprintf("; and %d more", len(waiting)-5)
	}
	return strings.Join(waiting, "; ")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// first returns the error that decides what happens next: a stall over a wait over
// anything else; the rest only add to the message.
func first(err error) error {
	if err == nil {
		return nil
	}
	var s *StalledError
	if errors.As(err, &s) {
		return err
	}
	var w *WaitError
	if errors.As(err, &w) {
		return w
	}
	return err
}
