// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package permissionset

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/ssoapi"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
	"github.com/awsorg/awsorg-operator/internal/iampolicy"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// planner builds the changes of one permission set. Its calls read the ARN from
// status when they run, so the changes that follow a creation use the new ARN.
type planner struct {
	k        *Kind
	ps       *v1alpha1.PermissionSet
	instance string
	plan     reconciler.Plan
}

func (p *planner) name() string { return "permission set " + p.ps.AWSName() }

func (p *planner) refs() (*string, *string) { return &p.instance, &p.ps.Status.ARN }

// call adds a change whose one AWS call is f.
func (p *planner) call(removal bool, desc, action string, f func(ctx context.Context, in, arn *string) error) {
	p.plan = append(p.plan, reconciler.Change{Description: desc, Removal: removal, Apply: func(ctx context.Context) error {
		in, arn := p.refs()
		p.k.forget(p.ps.Status.ARN) // what was read of it is out of date
		if err := f(ctx, in, arn); err != nil {
			return common.Fail(action+" of "+p.name(), err)
		}
		return nil
	}})
}

// build plans the changes from have to want: removals first, then additions, and the
// provisioning of every policy change to the accounts, applied even when an earlier
// change fails, so nothing applied is left unprovisioned.
func (p *planner) build(want, have *state) reconciler.Plan {
	policiesChanged := p.removals(want, have)
	policiesChanged = p.additions(want, have) || policiesChanged
	p.assignments(want, have)
	if (policiesChanged && len(have.provisioned) > 0) || (len(have.stale) > 0 && !have.provisioning) {
		n := len(have.provisioned)
		p.plan = append(p.plan, reconciler.Change{Description: fmt.Sprintf("provision %s to its %d accounts", p.name(), n), Always: true,
			Follows: len(have.stale) == 0, // stale accounts need it on its own
			Apply:   func(ctx context.Context) error { return p.k.provision(ctx, p.ps, p.instance) }})
	}
	return p.plan
}

func (p *planner) removals(want, have *state) bool {
	changed := false
	for _, arn := range have.managed {
		if !slices.Contains(want.managed, arn) {
			changed = true
			p.call(true, fmt.Sprintf("detach managed policy %s from %s", arn, p.name()), "detach "+arn, func(ctx context.Context, in, ps *string) error {
				_, err := p.k.SSO.API.DetachManagedPolicyFromPermissionSet(ctx, &ssoadmin.DetachManagedPolicyFromPermissionSetInput{InstanceArn: in, PermissionSetArn: ps, ManagedPolicyArn: aws.String(arn)})
				return ignore(err, awsx.IsNotFound)
			})
		}
	}
	for _, c := range have.customer {
		if !slices.Contains(want.customer, c) {
			changed = true
			p.call(true, fmt.Sprintf("detach customer managed policy %s from %s", cmpName(c), p.name()), "detach "+cmpName(c), func(ctx context.Context, in, ps *string) error {
				_, err := p.k.SSO.API.DetachCustomerManagedPolicyReferenceFromPermissionSet(ctx, &ssoadmin.DetachCustomerManagedPolicyReferenceFromPermissionSetInput{InstanceArn: in, PermissionSetArn: ps, CustomerManagedPolicyReference: cmpRef(c)})
				return ignore(err, awsx.IsNotFound)
			})
		}
	}
	if want.inline == "" && have.inline != "" {
		changed = true
		p.call(true, "delete the inline policy of "+p.name(), "delete the inline policy", func(ctx context.Context, in, ps *string) error {
			_, err := p.k.SSO.API.DeleteInlinePolicyFromPermissionSet(ctx, &ssoadmin.DeleteInlinePolicyFromPermissionSetInput{InstanceArn: in, PermissionSetArn: ps})
			return ignore(err, awsx.IsNotFound)
		})
	}
	if want.boundary == "" && have.boundary != "" {
		changed = true
		p.call(true, "remove the permissions boundary of "+p.name(), "remove the permissions boundary", func(ctx context.Context, in, ps *string) error {
			_, err := p.k.SSO.API.DeletePermissionsBoundaryFromPermissionSet(ctx, &ssoadmin.DeletePermissionsBoundaryFromPermissionSetInput{InstanceArn: in, PermissionSetArn: ps})
			return ignore(err, awsx.IsNotFound)
		})
	}
	return changed
}

func (p *planner) additions(want, have *state) bool {
	changed := p.attributes(want, have)
	for _, arn := range want.managed {
		if !slices.Contains(have.managed, arn) {
			changed = true
			p.call(false, fmt.Sprintf("attach managed policy %s to %s", arn, p.name()), "attach "+arn, func(ctx context.Context, in, ps *string) error {
				_, err := p.k.SSO.API.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: in, PermissionSetArn: ps, ManagedPolicyArn: aws.String(arn)})
				return ignore(err, isAttached)
			})
		}
	}
	for _, c := range want.customer {
		if !slices.Contains(have.customer, c) {
			changed = true
			p.call(false, fmt.Sprintf("attach customer managed policy %s to %s", cmpName(c), p.name()), "attach "+cmpName(c), func(ctx context.Context, in, ps *string) error {
				_, err := p.k.SSO.API.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, &ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput{InstanceArn: in, PermissionSetArn: ps, CustomerManagedPolicyReference: cmpRef(c)})
				return ignore(err, isAttached)
			})
		}
	}
	if want.inline != "" && !iampolicy.Same(want.inline, have.inline) {
		changed = true
		p.call(false, "set the inline policy of "+p.name(), "set the inline policy", func(ctx context.Context, in, ps *string) error {
			_, err := p.k.SSO.API.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: in, PermissionSetArn: ps, InlinePolicy: aws.String(want.inline)})
			return err
		})
	}
	if want.boundary != "" && want.boundary != have.boundary {
		changed = true
		p.call(false, fmt.Sprintf("set the permissions boundary of %s to %s", p.name(), boundaryName(want.boundary)), "set the permissions boundary", func(ctx context.Context, in, ps *string) error {
			_, err := p.k.SSO.API.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{InstanceArn: in, PermissionSetArn: ps, PermissionsBoundary: boundary(want.boundary)})
			return err
		})
	}
	return changed
}

// attributes plans UpdatePermissionSet, sending only what the spec sets and AWS lacks.
func (p *planner) attributes(want, have *state) bool {
	in := &ssoadmin.UpdatePermissionSetInput{}
	var what []string
	if want.description != "" && want.description != have.description {
		what, in.Description = append(what, "description"), aws.String(want.description)
	}
	if want.session != have.session {
		what, in.SessionDuration = append(what, "session duration ("+want.session+")"), aws.String(want.session)
	}
	if want.relay != "" && want.relay != have.relay {
		what, in.RelayState = append(what, "relay state"), aws.String(want.relay)
	}
	if len(what) == 0 {
		return false
	}
	p.call(false, fmt.Sprintf("update the %s of %s", strings.Join(what, ", "), p.name()), "update the attributes", func(ctx context.Context, i, ps *string) error {
		in.InstanceArn, in.PermissionSetArn = i, ps
		_, err := p.k.SSO.API.UpdatePermissionSet(ctx, in)
		return err
	})
	return true
}

// assignments plans the deletions of assignments the spec dropped, then the creations.
func (p *planner) assignments(want, have *state) {
	wanted, had := setOf(want.assignments), setOf(have.assignments)
	for _, a := range have.assignments {
		if !wanted[a] {
			p.plan = append(p.plan, reconciler.Change{Removal: true,
				Description: fmt.Sprintf("delete assignment of %s to account %s with %s", principalName(want, a), a.Account, p.ps.AWSName()),
				Apply:       func(ctx context.Context) error { return p.k.deleteAssignment(ctx, p.ps, p.instance, a) }})
		}
	}
	var missing []assignmentKey
	for _, a := range want.assignments {
		if !had[a] {
			missing = append(missing, a)
		}
	}
	for i, a := range missing { // made again, an assignment is done at once, so its status can wait
		p.plan = append(p.plan, reconciler.Change{Repeatable: true,
			Description: fmt.Sprintf("assign %s to account %s with %s", principalName(want, a), a.Account, p.ps.AWSName()),
			Apply:       func(ctx context.Context) error { return p.k.createAssignment(ctx, p.ps, p.instance, a, len(missing)-i) }})
	}
}

func (k *Kind) provision(ctx context.Context, ps *v1alpha1.PermissionSet, instance string) error {
	out, err := k.SSO.API.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: &instance, PermissionSetArn: &ps.Status.ARN,
		TargetType: ssotypes.ProvisionTargetTypeAllProvisionedAccounts})
	if err != nil {
		return common.Fail("provision permission set "+ps.AWSName(), err)
	}
	id := aws.ToString(out.PermissionSetProvisioningStatus.RequestId)
	ps.Status.PendingRequests = append(ps.Status.PendingRequests, v1alpha1.PendingRequest{Type: ssoapi.Provision, RequestID: id})
	k.SSO.Requests.Track(instance, ssoapi.Provision, id, ps.Name)
	return nil
}

// createAssignment asks for one assignment, of the wants the set has still to make.
func (k *Kind) createAssignment(ctx context.Context, ps *v1alpha1.PermissionSet, instance string, a assignmentKey, wants int) error {
	id, _, err := k.SSO.Requests.CreateAssignment(ctx, ps.Name, wants, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: &instance, PermissionSetArn: &ps.Status.ARN,
		TargetId: aws.String(a.Account), TargetType: ssotypes.TargetTypeAwsAccount, PrincipalType: ssotypes.PrincipalType(a.PrincipalType), PrincipalId: aws.String(a.PrincipalID)})
	if errors.Is(err, ssoapi.ErrAssignBusy) {
		return inLine()
	}
	if err != nil {
		return common.Fail(fmt.Sprintf("assign %s %s to account %s", a.PrincipalType, a.PrincipalID, a.Account), err)
	}
	ps.Status.PendingRequests = append(ps.Status.PendingRequests, v1alpha1.PendingRequest{Type: ssoapi.CreateAssignment, RequestID: id, AccountID: a.Account,
		PrincipalType: a.PrincipalType, PrincipalID: a.PrincipalID})
	k.SSO.Assignments.Set(instance, a.PrincipalType, a.PrincipalID, ssoapi.Assignment{PermissionSet: ps.Status.ARN, Account: a.Account}, true)
	return nil
}

// inLine is the wait of a permission set in line for a slot. It names no place in
// line, which changes at every turn of the others: the set looks again only when its
// turn comes, and its status stays as it is meanwhile.
func inLine() error {
	return reconciler.Wait(RequestPoll, v1alpha1.ReasonWaiting, "IAM Identity Center allows ten account assignment creations in progress at once; this permission set waits in line for a slot")
}

func (k *Kind) deleteAssignment(ctx context.Context, ps *v1alpha1.PermissionSet, instance string, a assignmentKey) error {
	out, err := k.SSO.API.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: &instance, PermissionSetArn: &ps.Status.ARN,
		TargetId: aws.String(a.Account), TargetType: ssotypes.TargetTypeAwsAccount, PrincipalType: ssotypes.PrincipalType(a.PrincipalType), PrincipalId: aws.String(a.PrincipalID)})
	if awsx.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return common.Fail(fmt.Sprintf("remove the assignment of %s %s to account %s", a.PrincipalType, a.PrincipalID, a.Account), err)
	}
	id := aws.ToString(out.AccountAssignmentDeletionStatus.RequestId)
	ps.Status.PendingRequests = append(ps.Status.PendingRequests, v1alpha1.PendingRequest{Type: ssoapi.DeleteAssignment, RequestID: id, AccountID: a.Account,
		PrincipalType: a.PrincipalType, PrincipalID: a.PrincipalID})
	k.SSO.Requests.Track(instance, ssoapi.DeleteAssignment, id, ps.Name)
	k.SSO.Assignments.Set(instance, a.PrincipalType, a.PrincipalID, ssoapi.Assignment{PermissionSet: ps.Status.ARN, Account: a.Account}, false)
	return nil
}

func principalName(want *state, a assignmentKey) string {
	if n, ok := want.names[a.PrincipalID]; ok {
		return n
	}
	return strings.ToLower(a.PrincipalType) + " " + a.PrincipalID
}

// isAttached: Identity Center answers ConflictException to attaching what is attached.
func isAttached(err error) bool { return awsx.IsCode(err, "ConflictException") }

func ignore(err error, ok func(error) bool) error {
	if err != nil && ok(err) {
		return nil
	}
	return err
}

func cmpRef(key string) *ssotypes.CustomerManagedPolicyReference {
	path, name, _ := strings.Cut(key, "|")
	return &ssotypes.CustomerManagedPolicyReference{Name: aws.String(name), Path: aws.String(path)}
}

func cmpName(key string) string { return strings.Replace(key, "|", "", 1) }

func boundary(key string) *ssotypes.PermissionsBoundary {
	kind, rest, _ := strings.Cut(key, "|")
	if kind == "managed" {
		return &ssotypes.PermissionsBoundary{ManagedPolicyArn: aws.String(rest)}
	}
	return &ssotypes.PermissionsBoundary{CustomerManagedPolicyReference: cmpRef(rest)}
}

func boundaryName(key string) string {
	kind, rest, _ := strings.Cut(key, "|")
	if kind == "managed" {
		return rest
	}
	return "customer managed policy " + cmpName(rest)
}
