// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package budgetapi

import (
	"context"
	"maps"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"

	awsx "github.com/awsorg/awsorg-operator/internal/aws"
)

// Budgets is the shared read model of the management account's budgets, read with
// DescribeBudgets a thousand at a time, so a resync of N budgets costs N/1000 calls
// rather than N DescribeBudget calls. It holds pointers: each of the operator's own
// writes copies the map (copy on write), a few bytes a budget, not the budget.
type Budgets struct {
	api    API
	caller *Caller
	model  awsx.ReadModel[map[string]*btypes.Budget]
}

// NewBudgets returns the read model, rebuilt every period.
func NewBudgets(api API, caller *Caller, period time.Duration, reuse awsx.Reuse) *Budgets {
	b := &Budgets{api: api, caller: caller}
	b.model = awsx.ReadModel[map[string]*btypes.Budget]{Period: period, Build: b.build, Copy: maps.Clone[map[string]*btypes.Budget], Reuse: reuse}
	return b
}

// Get returns the budget with the name, and whether it exists.
func (b *Budgets) Get(ctx context.Context, name string) (*btypes.Budget, bool, error) {
	all, err := b.model.Get(ctx)
	if err != nil {
		return nil, false, err
	}
	got, ok := all[name]
	if !ok {
		return nil, false, nil
	}
	c := *got // the caller's to change
	return &c, true, nil
}

// Put records a budget the operator created or updated.
func (b *Budgets) Put(budget btypes.Budget) {
	b.model.Update(func(all map[string]*btypes.Budget) { all[aws.ToString(budget.BudgetName)] = &budget })
}

// Delete records a budget the operator deleted.
func (b *Budgets) Delete(name string) {
	b.model.Update(func(all map[string]*btypes.Budget) { delete(all, name) })
}

// Invalidate makes the next read rebuild the model and wait for it.
func (b *Budgets) Invalidate() { b.model.Invalidate() }

func (b *Budgets) build(ctx context.Context) (map[string]*btypes.Budget, error) {
	account, err := b.caller.AccountID(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]*btypes.Budget{}
	pages := budgets.NewDescribeBudgetsPaginator(b.api, &budgets.DescribeBudgetsInput{AccountId: &account, MaxResults: aws.Int32(1000)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for i := range page.Budgets {
			out[aws.ToString(page.Budgets[i].BudgetName)] = &page.Budgets[i]
		}
	}
	return out, nil
}
