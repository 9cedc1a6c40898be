// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/orgapi"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// MaxClosing is how many accounts AWS lets close at once.
const MaxClosing = 3

// CloseTakes is how long a closure is taken to last until the operator has seen one
// end; the followers of closures learn the real figure.
var CloseTakes = 30 * time.Second

// ClosePoll is how often a closing account, or one waiting for a slot, is looked at
// when nothing wakes its object first (the followers of closures wake it when AWS
// suspends the account or a slot frees).
var ClosePoll = 2 * time.Minute

// Delete decommissions the account; the engine calls it only when the policy is
// Close. The management account is never closed, nor an account that belongs to
// another object. With a quarantine OU the account is moved there first; then it is
// closed when one of AWS's three slots is free, and the object goes once AWS reports
// the account SUSPENDED (or CLOSED).
func (k *Kind) Delete(ctx context.Context, a *v1alpha1.Account) (reconciler.Changes, error) {
	if _, _, err := k.find(ctx, a); err != nil && !reconciler.IsStalled(err) {
		return nil, err
	}
	if a.Status.ID == "" {
		return nil, nil
	}
	id := a.Status.ID
	tree, err := k.Org.Tree(ctx)
	if err != nil {
		return nil, err
	}
	if id == tree.Management {
		return reconciler.Changes{"Left account " + id + " open: it is the management account, which can never be closed"}, nil
	}
	if state, ok := k.Closings.State(id); ok { // followed: no call until AWS suspends it
		k.setState(a, state)
		if state == string(types.AccountStatePendingClosure) {
			return nil, k.stillClosing(ctx, a)
		}
		return reconciler.Changes{fmt.Sprintf("Account %s is %s in AWS", id, state)}, nil
	}
	d, err := k.OrgAPI.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: &id})
	if awsx.IsNotFound(err) {
		k.Closings.Leave(common.OwnerOf(a))
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	state := ""
	if d.Account != nil {
		state = orgapi.AccountState(*d.Account)
	}
	k.setState(a, state)
	switch types.AccountState(state) {
	case types.AccountStateSuspended, types.AccountStateClosed:
		k.Closings.Leave(common.OwnerOf(a))
		return reconciler.Changes{fmt.Sprintf("Account %s is %s in AWS", id, state)}, nil
	case types.AccountStatePendingClosure:
		k.Closings.Follow(common.OwnerOf(a), id) // it holds a slot, whoever started it
		return nil, k.stillClosing(ctx, a)
	}
	tags, err := orgapi.Tags(ctx, k.OrgAPI, id)
	if err != nil {
		return nil, err
	}
	if !common.Owns(a, id, tags[common.OwnerTag]) {
		return reconciler.Changes{"Left account " + id + " open: it belongs to another object"}, nil
	}
	var changes reconciler.Changes
	if k.QuarantineOU != "" {
		moved, err := k.quarantine(ctx, a, tree)
		if err != nil || moved != "" {
			return reconciler.Changes{moved}, err
		}
	}
	place, err := k.Closings.Close(ctx, common.OwnerOf(a), id)
	switch {
	case err == nil:
	case errors.Is(err, orgapi.ErrCloseBusy):
		return changes, reconciler.Wait(ClosePoll, v1alpha1.ReasonWaiting,
			"as many accounts are closing as AWS allows at once (%d); account %s is number %d in line and closes when one of them is done", MaxClosing, id, place)
	case awsx.IsAlreadyExists(err): // closed meanwhile
		return changes, fmt.Errorf("account %s is closing already; reading its state again", id)
	case awsx.IsNotFound(err):
		return changes, nil
	case awsx.Classify(err) == awsx.Quota:
		return changes, reconciler.Stalled(v1alpha1.ReasonQuotaExceeded,
			"AWS's quota of account closures in a rolling 30 days is used up (the higher of 250 and 20 %% of the member accounts, at most 1,000): room comes back as the closures of the last 30 days age out, so expect it within 30 days of the oldest of them; AWS Support can raise the quota. Account %s stays open until then", id)
	default:
		return changes, common.Fail("close account "+id, err)
	}
	k.setState(a, string(types.AccountStatePendingClosure))
	changes = append(changes, "Closing account "+id+", as the deletion policy Close says")
	return changes, k.stillClosing(ctx, a)
}

// setState records the account's state in status and in the read model of the tree.
func (k *Kind) setState(a *v1alpha1.Account, state string) {
	a.Status.State = state
	k.Org.Update(func(t *orgapi.Tree) {
		if cur, ok := t.Accounts[a.Status.ID]; ok {
			cur.State = state
			t.Accounts[a.Status.ID] = cur
		}
	})
}

// stillClosing saves the state and waits for AWS to suspend the account.
func (k *Kind) stillClosing(ctx context.Context, a *v1alpha1.Account) error {
	if err := reconciler.SaveStatus(ctx); err != nil {
		return err
	}
	return reconciler.Wait(ClosePoll, v1alpha1.ReasonDeleting, "account %s is %s; this object goes once AWS reports it SUSPENDED", a.Status.ID, a.Status.State)
}

// quarantine moves the account to the quarantine OU before it is closed, and says
// so ("" when it is there already).
func (k *Kind) quarantine(ctx context.Context, a *v1alpha1.Account, tree *orgapi.Tree) (string, error) {
	qid, _, err := k.OUID(ctx, k.QuarantineOU)
	if err != nil {
		return "", fmt.Errorf("the quarantine OU %s (--quarantine-ou): %w", k.QuarantineOU, err)
	}
	cur := tree.Accounts[a.Status.ID]
	if cur.ParentID == qid {
		return "", nil
	}
	if err := k.move(a, a.Status.ID, tree.Describe(qid), qid)(ctx); err != nil {
		return "", err
	}
	if err := reconciler.SaveStatus(ctx); err != nil {
		return "", err
	}
	return fmt.Sprintf("Moved account %s to the quarantine OU %s before closing it", a.Status.ID, tree.Describe(qid)),
		reconciler.Wait(time.Second, v1alpha1.ReasonDeleting, "account %s is in the quarantine OU; closing it next", a.Status.ID)
}
