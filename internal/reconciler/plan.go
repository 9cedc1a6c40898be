// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package reconciler

import (
	"context"
	"slices"
	"strings"
)

// Change is one change to AWS: the line the plan shows, and the call that makes it.
// A kind's Observe computes its changes; the engine either applies them (Manage) or
// publishes them in status.plannedChanges (Observe). Both are the same list, so the
// plan and what happens cannot disagree.
type Change struct {
	// Description names the AWS object and the change, e.g. "attach SCP DenyLeaveOrg
	// (p-12345678) to OU Production (ou-ab12-34567890)".
	Description string
	// Removal marks a change that takes something away from the AWS object (a detach,
	// a deleted assignment or notification, a removed tag, a move out of an OU). On an
	// object that adopted an existing AWS object, removals wait for the annotation
	// org.awsorg.dev/allow-removals-on-adoption: "true".
	Removal bool
	// Follows marks a change that only serves the changes before it (provisioning what
	// they changed): it is applied when one of them is, and held with them otherwise.
	Follows bool
	// Always makes the engine apply the change even when an earlier change of the same
	// plan failed, e.g. provisioning what was applied before the failure.
	Always bool
	// Repeatable marks a change that is harmless to make again (AWS treats a repeat as
	// done), so the status it sets need not reach the API server before the next
	// change: the engine writes it with the reconcile's status instead of at once.
	// Thousands of assignment creations then cost a few status writes, not thousands.
	Repeatable bool
	// SeenCheaply marks a change whose effect every reconcile reads (an account's
	// parent, a policy's targets), so seeing that AWS kept it takes no full check.
	SeenCheaply bool
	// Apply makes the change. It may set status fields (ids AWS returned), which the
	// engine writes to the API server at once, unless the change is Repeatable.
	Apply func(ctx context.Context) error
}

// Plan is the ordered list of changes that makes AWS match the spec.
type Plan []Change

// Add appends a change.
func (p *Plan) Add(description string, apply func(ctx context.Context) error) {
	*p = append(*p, Change{Description: description, Apply: apply})
}

// Remove appends a change that takes something away.
func (p *Plan) Remove(description string, apply func(ctx context.Context) error) {
	*p = append(*p, Change{Description: description, Removal: true, Apply: apply})
}

// SeenCheaply marks every change of the plan SeenCheaply and returns it.
func (p Plan) SeenCheaply() Plan {
	for i := range p {
		p[i].SeenCheaply = true
	}
	return p
}

// seenCheaply reports whether every change is SeenCheaply.
func (p Plan) seenCheaply() bool {
	return !slices.ContainsFunc(p, func(c Change) bool { return !c.SeenCheaply })
}

// Descriptions returns the plan's lines.
func (p Plan) Descriptions() []string {
	out := make([]string, 0, len(p))
	for _, c := range p {
		out = append(out, c.Description)
	}
	return out
}

func (p Plan) signature() string { return strings.Join(p.Descriptions(), "\n") }

// with returns the plan with the changes of more that it does not describe already.
func (p Plan) with(more Plan) Plan {
	have := p.Descriptions()
	for _, c := range more {
		if !slices.Contains(have, c.Description) {
			p = append(p, c)
		}
	}
	return p
}

// split returns the changes to apply now and those held until the user allows removals.
func (p Plan) split(holdRemovals bool) (apply, held Plan) {
	serves := false // whether apply holds a change that a following change serves
	for _, c := range p {
		switch {
		case holdRemovals && c.Removal, c.Follows && !serves:
			held = append(held, c)
		default:
			apply = append(apply, c)
			serves = serves || !c.Follows
		}
	}
	return apply, held
}

// Observation is what a kind saw in AWS. Observing never changes AWS: the engine runs
// Observe in a context where every AWS write is refused.
type Observation struct {
	// Exists is true when the AWS object exists and this object holds it.
	Exists bool
	// Adopted is true when this object just took over an AWS object it did not
	// create, found by its natural key.
	Adopted bool
	// Plan is what would make AWS match the spec; empty means it matches. For an AWS
	// object that does not exist, it starts with the change that creates it.
	Plan Plan
	// Waiting lists what the object waits for that is not in AWS's hands (a referenced
	// object not created yet). Everything else converges meanwhile; the object is not
	// Ready until the list is empty.
	Waiting []string
	// InProgress says what AWS is still doing (asynchronous requests); the object is
	// Reconciling, not Ready, until it ends, but its plan is applied meanwhile.
	InProgress string
}
