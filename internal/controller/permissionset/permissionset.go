// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Package permissionset maps PermissionSet objects to IAM Identity Center permission
// sets: attributes, managed, customer managed and inline policies, the permissions
// boundary, tags, and account assignments, provisioned to every account they reach.
// The object is Ready only when every request to AWS has succeeded.
package permissionset

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/ssoapi"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// RequestPoll is how often requests in progress are looked at when nothing wakes the
// object first (the follower of Identity Center's requests wakes it when they end).
var RequestPoll = 30 * time.Second

// Kind is the PermissionSet controller's mapping to AWS.
type Kind struct {
	*common.Env
	SSO *ssoapi.Directory

	mu    sync.Mutex
	turn  map[string]int          // by permission set: where the next sweep of accounts starts
	memos awsx.Memo[string, memo] // by ARN: the last read of attributes and policies
}

// Setup registers the controller.
func Setup(ctx context.Context, mgr ctrl.Manager, env *common.Env, dir *ssoapi.Directory, opts reconciler.Options) error {
	dir.Assignments.Period = opts.ResyncPeriod
	wake := make(chan event.TypedGenericEvent[client.Object], 1024)
	dir.Requests.Wake = func(name string) {
		wake <- event.TypedGenericEvent[client.Object]{Object: &v1alpha1.PermissionSet{ObjectMeta: metav1.ObjectMeta{Name: name}}}
	}
	return reconciler.Setup(ctx, mgr, reconciler.Controller[*v1alpha1.PermissionSet]{Name: "permissionset", Kind: &Kind{Env: env, SSO: dir, memos: awsx.Memo[string, memo]{Fresh: awsx.FreshFor(opts.ResyncPeriod),
		Reuse: awsx.Reuse{Changes: env.Changes, Source: awsx.SourceSSO}}},
		Watches: []func(*ctrl.Builder) *ctrl.Builder{func(b *ctrl.Builder) *ctrl.Builder {
			return b.WatchesRawSource(source.Channel(wake, &handler.EnqueueRequestForObject{}))
		}},
		New: func() *v1alpha1.PermissionSet { return &v1alpha1.PermissionSet{} },
		Dependencies: []reconciler.Dependency{common.OnAccount("spec.assignments.accountRefs", func(o client.Object) []string {
			var out []string
			for _, a := range o.(*v1alpha1.PermissionSet).Spec.Assignments {
				for _, ref := range a.AccountRefs {
					out = append(out, env.AccountKey(o, ref.Namespace, ref.Name))
				}
			}
			return out
		})}}, opts)
}

// Observe follows requests in progress, compares the permission set with the spec
// (counting the assignments in progress as done), and plans what differs.
func (k *Kind) Observe(ctx context.Context, ps *v1alpha1.PermissionSet) (reconciler.Observation, error) {
	if k.SSO.Requests.Waits(ps.Name) && ps.Generation == ps.Status.ObservedGeneration {
		// In line for assignment slots, for the spec it last planned: its turn wakes
		// it, and it sees then every account that became Ready meanwhile. Looking at
		// each such wake would only rewrite a status of a thousand accounts.
		return reconciler.Observation{}, inLine()
	}
	instance, _, err := k.SSO.Instance(ctx)
	if err != nil {
		return reconciler.Observation{}, err
	}
	if err := k.followRequests(ctx, instance, ps); err != nil {
		return reconciler.Observation{}, err
	}
	want, err := k.desired(ctx, ps)
	if err != nil {
		return reconciler.Observation{}, err
	}
	f, err := k.find(ctx, instance, ps)
	if err != nil {
		return reconciler.Observation{}, err
	}
	p := &planner{k: k, ps: ps, instance: instance}
	if f == nil {
		p.plan.Add("create "+p.name(), k.create(ps, instance, want))
		empty := &state{description: want.description, session: want.session, relay: want.relay}
		return reconciler.Observation{Plan: p.build(want, empty), Waiting: want.waiting}, nil
	}
	ps.Status.ARN, ps.Status.InstanceARN, ps.Status.ID = f.arn, instance, idOf(f.arn)
	have, err := k.read(ctx, instance, f, want, ps.Status.ProvisionedAccountIDs)
	if err != nil {
		return reconciler.Observation{}, err
	}
	withPending(have, ps.Status.PendingRequests)
	ps.Status.ProvisionedAccountIDs = without(have.provisioned, have.stale)
	for _, a := range have.assignments { // name the principals whose assignments would go
		if _, ok := want.names[a.PrincipalID]; !ok {
			want.names[a.PrincipalID] = strings.ToLower(a.PrincipalType) + " " + k.SSO.PrincipalName(ctx, a.PrincipalType, a.PrincipalID)
		}
	}
	plan := p.build(want, have)
	if have.tags != nil {
		plan = common.AddTags(plan, p.name(), have.tags, want.tags, k.tagFuncs(instance, f.arn))
	}
	obs := reconciler.Observation{Exists: true, Adopted: f.adopted, Plan: plan, Waiting: want.waiting}
	if n := len(ps.Status.PendingRequests); n > 0 {
		obs.InProgress = fmt.Sprintf("%d Identity Center requests in progress (%s %s)", n, ps.Status.PendingRequests[0].Type, ps.Status.PendingRequests[0].RequestID)
	}
	return obs, nil
}

// withPending counts the requests in progress as done: assignments being created are
// there, those being deleted are gone, and a provisioning reaches every account.
func withPending(have *state, pending []v1alpha1.PendingRequest) {
	set := map[assignmentKey]bool{}
	for _, a := range have.assignments {
		set[a] = true
	}
	for _, r := range pending {
		key := assignmentKey{Account: r.AccountID, PrincipalType: r.PrincipalType, PrincipalID: r.PrincipalID}
		switch r.Type {
		case ssoapi.CreateAssignment:
			set[key] = true
		case ssoapi.DeleteAssignment:
			delete(set, key)
		case ssoapi.Provision:
			have.stale, have.provisioning = nil, true
		}
	}
	have.assignments = sortedKeys(set)
}

// followRequests drops the requests that ended; a failure stalls the object until
// its spec changes. Requests still in progress do not hold the rest of the plan back.
func (k *Kind) followRequests(ctx context.Context, instance string, ps *v1alpha1.PermissionSet) error {
	if ps.Status.Failure != "" && ps.Status.FailedGeneration != ps.Generation {
		ps.Status.Failure = "" // the spec changed: try again
	}
	var still []v1alpha1.PendingRequest
	for _, r := range ps.Status.PendingRequests {
		res, ended, err := k.SSO.Requests.Status(ctx, instance, r.Type, r.RequestID, ps.Name)
		switch {
		case err != nil:
			return err
		case !ended:
			still = append(still, r)
			continue
		case res.Status == string(ssotypes.StatusValuesFailed):
			ps.Status.Failure = fmt.Sprintf("%s for account %s failed: %s", r.Type, r.AccountID, res.Reason)
			ps.Status.FailedGeneration = ps.Generation
		}
		// The read model counted the request done when it was made; a rebuild while it
		// was in progress did not see it done, and a failure did not do it: as it is
		// no longer counted pending, the model holds what AWS holds now.
		if r.PrincipalID != "" {
			failed := res.Status == string(ssotypes.StatusValuesFailed)
			k.SSO.Assignments.Set(instance, r.PrincipalType, r.PrincipalID, ssoapi.Assignment{PermissionSet: ps.Status.ARN, Account: r.AccountID}, (r.Type == ssoapi.CreateAssignment) != failed)
		}
	}
	ps.Status.PendingRequests = still
	if ps.Status.Failure != "" && len(still) == 0 {
		return reconciler.Stalled(v1alpha1.ReasonAWSRefused, "%s; fix the cause and change the spec to try again", ps.Status.Failure)
	}
	return nil
}

// create creates the permission set with its attributes and tags; its policies and
// assignments are the changes that follow in the plan.
func (k *Kind) create(ps *v1alpha1.PermissionSet, instance string, want *state) func(context.Context) error {
	return func(ctx context.Context) error {
		out, err := k.SSO.API.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: &instance, Name: aws.String(ps.AWSName()),
			Description: optional(want.description), SessionDuration: optional(want.session), RelayState: optional(want.relay),
			Tags: ssoTags(want.tags)})
		if awsx.IsCode(err, "ConflictException") {
			return fmt.Errorf("a permission set named %q appeared meanwhile; reading it again", ps.AWSName())
		}
		if err != nil {
			return common.Fail(fmt.Sprintf("create permission set %q", ps.AWSName()), err)
		}
		ps.Status.ARN, ps.Status.InstanceARN = aws.ToString(out.PermissionSet.PermissionSetArn), instance
		ps.Status.ID = idOf(ps.Status.ARN)
		return nil
	}
}

func (k *Kind) tagFuncs(instance, arn string) awsx.TagFuncs {
	return awsx.TagFuncs{
		Set: func(ctx context.Context, tags map[string]string) error {
			_, err := k.SSO.API.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: &instance, ResourceArn: &arn, Tags: ssoTags(tags)})
			return err
		},
		Remove: func(ctx context.Context, keys []string) error {
			_, err := k.SSO.API.UntagResource(ctx, &ssoadmin.UntagResourceInput{InstanceArn: &instance, ResourceArn: &arn, TagKeys: keys})
			return err
		},
	}
}

// Delete removes every assignment, waits for AWS to finish, then deletes the set. An
// object that lost its ARN looks the set up by name; a set that belongs to another
// object is never touched.
func (k *Kind) Delete(ctx context.Context, ps *v1alpha1.PermissionSet) (reconciler.Changes, error) {
	instance, _, err := k.SSO.Instance(ctx)
	if err != nil {
		return nil, err
	}
	if err := k.followRequests(ctx, instance, ps); err != nil && !reconciler.IsStalled(err) {
		return nil, err
	}
	f, err := k.find(reconciler.WithFullCheck(ctx, true), instance, ps)
	if err != nil && !reconciler.IsStalled(err) {
		return nil, err
	}
	if f == nil || !common.Owns(ps, idOf(f.arn), f.tags[common.OwnerTag]) {
		return nil, nil
	}
	ps.Status.ARN, ps.Status.InstanceARN, ps.Status.ID = f.arn, instance, idOf(f.arn)
	have, err := k.read(reconciler.WithFullCheck(ctx, true), instance, f, &state{}, nil)
	if err != nil {
		return nil, err
	}
	var changes reconciler.Changes
	for _, a := range have.assignments {
		if err := k.deleteAssignment(ctx, ps, instance, a); err != nil {
			return changes, err
		}
		changes = append(changes, fmt.Sprintf("Removing the assignment of %s %s to account %s", a.PrincipalType, a.PrincipalID, a.Account))
	}
	if len(ps.Status.PendingRequests) > 0 {
		if err := reconciler.SaveStatus(ctx); err != nil {
			return changes, err
		}
		return changes, reconciler.Wait(RequestPoll, v1alpha1.ReasonDeleting, "removing %d account assignments before deleting the permission set", len(ps.Status.PendingRequests))
	}
	_, err = k.SSO.API.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: &instance, PermissionSetArn: &f.arn})
	switch {
	case awsx.IsNotFound(err):
	case awsx.IsCode(err, "ConflictException"):
		return changes, reconciler.Wait(RequestPoll, v1alpha1.ReasonDeleting, "AWS is still removing assignments or provisioning: %s", awsx.Message(err))
	case err != nil:
		return changes, common.Fail("delete permission set "+f.arn, err)
	}
	return append(changes, "Deleted permission set "+f.arn), nil
}

var _ reconciler.Forgetter[*v1alpha1.PermissionSet] = (*Kind)(nil)

// Forget takes a deleted PermissionSet out of the line for assignment slots, so no
// slot is set aside for it at its turn.
func (k *Kind) Forget(ps *v1alpha1.PermissionSet) { k.SSO.Requests.Leave(ps.Name) }

// Retain reports whether the deletion policy keeps the permission set in AWS.
func (k *Kind) Retain(ps *v1alpha1.PermissionSet) bool {
	return ps.Spec.DeletionPolicy == v1alpha1.DeletionPolicyRetain
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func ssoTags(m map[string]string) []ssotypes.Tag {
	return awsx.TagList(m, func(k, v string) ssotypes.Tag { return ssotypes.Tag{Key: aws.String(k), Value: aws.String(v)} })
}
