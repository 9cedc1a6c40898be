// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package account

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/orgapi"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// Delete closes the account; the engine calls it only when the policy is Close. An
// object that never saw its account id first finds it (a request in progress is
// waited for); an account that belongs to another object is never closed.
func (k *Kind) Delete(ctx context.Context, a *v1alpha1.Account) (reconciler.Changes, error) {
	if _, _, err := k.find(ctx, a); err != nil && !reconciler.IsStalled(err) {
		return nil, err
	}
	if a.Status.ID == "" {
		return nil, nil
	}
	id := a.Status.ID
	tags, err := orgapi.Tags(ctx, k.OrgAPI, id)
	if awsx.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !common.Owns(a, id, tags[common.OwnerTag]) {
		return reconciler.Changes{"Left account " + id + " open: it belongs to another object"}, nil
	}
	_, err = k.OrgAPI.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: &id})
	switch {
	case awsx.IsAlreadyExists(err), awsx.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, common.Fail("close account "+id, err)
	}
	k.Org.Update(func(t *orgapi.Tree) {
		cur := t.Accounts[id]
		cur.State = string(types.AccountStatePendingClosure)
		t.Accounts[id] = cur
	})
	return reconciler.Changes{"Closed account " + id + ", as the deletion policy Close says"}, nil
}
