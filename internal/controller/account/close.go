// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package account

import (
	"context"
	"fmt"
	"sync"
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

// ClosePoll is how often a closing account's state is read until AWS suspends it.
var ClosePoll = 10 * time.Second

// closing holds the accounts this process is closing, so that at most MaxClosing
// CloseAccount requests are in progress across the operator.
type closing struct {
	mu  sync.Mutex
	ids map[string]bool
}

// take reserves a slot for id; false when MaxClosing others hold them.
func (c *closing) take(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids == nil {
		c.ids = map[string]bool{}
	}
	if !c.ids[id] && len(c.ids) >= MaxClosing {
		return false
	}
	c.ids[id] = true
	return true
}

func (c *closing) release(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.ids, id)
}

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
	d, err := k.OrgAPI.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: &id})
	if awsx.IsNotFound(err) {
		k.closes.release(id)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	state := accountState(d.Account)
	a.Status.State = state
	k.Org.Update(func(t *orgapi.Tree) {
		if cur, ok := t.Accounts[id]; ok {
			cur.State = state
			t.Accounts[id] = cur
		}
	})
	switch types.AccountState(state) {
	case types.AccountStateSuspended, types.AccountStateClosed:
		k.closes.release(id)
		return reconciler.Changes{fmt.Sprintf("Account %s is %s in AWS", id, state)}, nil
	case types.AccountStatePendingClosure:
		k.closes.take(id) // it holds a slot, whoever started it
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
	if !k.closes.take(id) {
		return changes, reconciler.Wait(ClosePoll, v1alpha1.ReasonWaiting, "%d accounts are closing, as many as AWS allows at once; account %s closes when one of them is done", MaxClosing, id)
	}
	_, err = k.OrgAPI.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: &id})
	if err != nil {
		k.closes.release(id)
	}
	switch {
	case err == nil:
	case awsx.IsAlreadyExists(err): // closed meanwhile
		return changes, fmt.Errorf("account %s is closing already; reading its state again", id)
	case awsx.IsNotFound(err):
		return changes, nil
	case awsx.Classify(err) == awsx.Busy:
		return changes, reconciler.Wait(ClosePoll, v1alpha1.ReasonWaiting, "AWS has %d accounts closing already (some closed outside the operator); account %s closes when one of them is done", MaxClosing, id)
	case awsx.Classify(err) == awsx.Quota:
		return changes, reconciler.Stalled(v1alpha1.ReasonQuotaExceeded,
			"AWS's quota of account closures in a rolling 30 days is used up (the higher of 250 and 20 %% of the member accounts, at most 1,000): room comes back as the closures of the last 30 days age out, so expect it within 30 days of the oldest of them; AWS Support can raise the quota. Account %s stays open until then", id)
	default:
		return changes, common.Fail("close account "+id, err)
	}
	a.Status.State = string(types.AccountStatePendingClosure)
	k.Org.Update(func(t *orgapi.Tree) {
		cur := t.Accounts[id]
		cur.State = a.Status.State
		t.Accounts[id] = cur
	})
	changes = append(changes, "Closing account "+id+", as the deletion policy Close says")
	return changes, k.stillClosing(ctx, a)
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

func accountState(a *types.Account) string {
	if a == nil {
		return ""
	}
	if a.State != "" {
		return string(a.State)
	}
	return string(a.Status)
}
