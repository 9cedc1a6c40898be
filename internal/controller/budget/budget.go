// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Package budget maps Budget objects to AWS Budgets budgets in the management account:
// limit, type, time unit, cost filters, an Account filter, notifications and their
// subscribers kept in sync, tags, and the actual and forecasted spend in status. A
// tenant's budget must be filtered to one of its own Accounts.
package budget

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/budgetapi"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// LinkedAccount is the cost filter that limits a budget to member accounts.
const LinkedAccount = "LinkedAccount"

// Kind is the Budget controller's mapping to AWS.
type Kind struct {
	*common.Env
	API     budgetapi.API
	Caller  *budgetapi.Caller
	Budgets *budgetapi.Budgets
}

// Setup registers the controller.
func Setup(ctx context.Context, mgr ctrl.Manager, env *common.Env, api budgetapi.API, caller *budgetapi.Caller, opts reconciler.Options) error {
	model := budgetapi.NewBudgets(api, caller, opts.ResyncPeriod, awsx.Reuse{Changes: env.Changes, Source: awsx.SourceBudgets})
	return reconciler.Setup(ctx, mgr, reconciler.Controller[*v1alpha1.Budget]{Name: "budget", Kind: &Kind{Env: env, API: api, Caller: caller, Budgets: model},
		New: func() *v1alpha1.Budget { return &v1alpha1.Budget{} },
		Dependencies: []reconciler.Dependency{common.OnAccount("spec.accountRef", func(o client.Object) []string {
			if ref := o.(*v1alpha1.Budget).Spec.AccountRef; ref != nil {
				return []string{o.GetNamespace() + "/" + ref.Name}
			}
			return nil
		})}}, opts)
}

// Observe compares the budget, its notifications, subscribers and tags with the spec,
// reads the spend, and plans what differs.
func (k *Kind) Observe(ctx context.Context, b *v1alpha1.Budget) (reconciler.Observation, error) {
	account, err := k.Caller.AccountID(ctx)
	if err != nil {
		return reconciler.Observation{}, err
	}
	name := b.AWSName()
	have, exists, err := k.Budgets.Get(ctx, name)
	if err != nil {
		return reconciler.Observation{}, err
	}
	if !exists {
		have = nil
	}
	want, waiting, err := k.budget(ctx, b, have)
	if err != nil {
		return reconciler.Observation{}, err
	}
	if have == nil {
		if waiting != "" {
			return reconciler.Observation{}, reconciler.Wait(k.DependencyPoll, v1alpha1.ReasonDependencyNotReady, "waiting for %s", waiting)
		}
		return reconciler.Observation{Plan: reconciler.Plan{k.createChange(b, account, want)}}, nil
	}
	var tags map[string]string
	adopted := false
	arn := budgetapi.ARN(account, name)
	if reconciler.FullCheck(ctx) || b.Status.ID != name {
		if tags, err = k.tags(ctx, arn); err != nil {
			return reconciler.Observation{}, err
		}
		if adopted, err = k.Claim(ctx, b, common.AWSObject{Noun: "budget", Name: name, ID: name, Owner: tags[common.OwnerTag], Fix: "choose another spec.name"}); err != nil {
			return reconciler.Observation{}, err
		}
	}
	b.Status.ID, b.Status.ARN = name, arn
	b.Status.ActualSpend, b.Status.ForecastedSpend = nil, nil
	if cs := have.CalculatedSpend; cs != nil {
		b.Status.ActualSpend, b.Status.ForecastedSpend = spend(cs.ActualSpend), spend(cs.ForecastedSpend)
	}
	plan, err := k.plan(ctx, b, account, want, have)
	if err != nil {
		return reconciler.Observation{}, err
	}
	if tags != nil {
		plan = common.AddTags(plan, "budget "+name, tags, common.WantTags(b, b.Spec.Tags), k.tagFuncs(arn))
	}
	var wait []string
	if waiting != "" {
		wait = []string{waiting}
	}
	return reconciler.Observation{Exists: true, Adopted: adopted, Plan: plan, Waiting: wait}, nil
}

// filters returns the cost filters AWS should hold, enforcing the tenancy rules. While
// the referenced Account has no id, the budget keeps the account filter it has.
func (k *Kind) filters(ctx context.Context, b *v1alpha1.Budget, have *btypes.Budget) (map[string][]string, string, error) {
	admin := k.Admin(b)
	out := map[string][]string{}
	for key, vals := range b.Spec.CostFilters {
		if key == LinkedAccount && !admin {
			return nil, "", reconciler.Stalled(v1alpha1.ReasonNotAllowed, "budgets in namespace %s may not set the %s cost filter; use spec.accountRef", b.Namespace, LinkedAccount)
		}
		out[key] = sortedCopy(vals)
	}
	if b.Spec.AccountRef == nil {
		if !admin {
			return nil, "", reconciler.Stalled(v1alpha1.ReasonNotAllowed, "budgets in namespace %s must set spec.accountRef to an Account of this namespace", b.Namespace)
		}
		return out, "", nil
	}
	id, err := k.AccountID(ctx, b.Namespace, b.Spec.AccountRef.Name)
	switch {
	case reconciler.IsWait(err):
		if have != nil && len(have.CostFilters[LinkedAccount]) > 0 {
			out[LinkedAccount] = sortedCopy(have.CostFilters[LinkedAccount])
		}
		return out, err.Error(), nil
	case err != nil:
		return nil, "", err
	}
	out[LinkedAccount] = []string{id}
	return out, "", nil
}

func (k *Kind) budget(ctx context.Context, b *v1alpha1.Budget, have *btypes.Budget) (*btypes.Budget, string, error) {
	filters, waiting, err := k.filters(ctx, b, have)
	if err != nil {
		return nil, "", err
	}
	out := &btypes.Budget{BudgetName: aws.String(b.AWSName()), BudgetType: btypes.BudgetType(or(b.Spec.BudgetType, "COST")),
		TimeUnit: btypes.TimeUnit(or(b.Spec.TimeUnit, "MONTHLY")), BudgetLimit: &btypes.Spend{Amount: aws.String(b.Spec.Limit.Amount), Unit: aws.String(b.Spec.Limit.Unit)}}
	if len(filters) > 0 {
		out.CostFilters = filters
	}
	return out, waiting, nil
}

func (k *Kind) createChange(b *v1alpha1.Budget, account string, want *btypes.Budget) reconciler.Change {
	return reconciler.Change{Description: fmt.Sprintf("create budget %s (%s %s %s %s)", b.AWSName(), want.BudgetType, want.TimeUnit, b.Spec.Limit.Amount, b.Spec.Limit.Unit),
		Apply: func(ctx context.Context) error {
			var notes []btypes.NotificationWithSubscribers
			for _, n := range b.Spec.Notifications {
				notes = append(notes, btypes.NotificationWithSubscribers{Notification: notification(n), Subscribers: subscribers(n.Subscribers)})
			}
			_, err := k.API.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: &account, Budget: want, NotificationsWithSubscribers: notes,
				ResourceTags: resourceTags(common.WantTags(b, b.Spec.Tags))})
			if awsx.IsAlreadyExists(err) {
				k.Budgets.Invalidate()
				return fmt.Errorf("a budget named %q appeared meanwhile; reading it again", b.AWSName())
			}
			if err != nil {
				return common.Fail(fmt.Sprintf("create budget %q", b.AWSName()), err)
			}
			k.Budgets.Put(*want)
			b.Status.ID, b.Status.ARN = b.AWSName(), budgetapi.ARN(account, b.AWSName())
			return nil
		}}
}

// plan plans the budget's update, then (on a full check) its notifications and
// subscribers.
func (k *Kind) plan(ctx context.Context, b *v1alpha1.Budget, account string, want, have *btypes.Budget) (reconciler.Plan, error) {
	var plan reconciler.Plan
	if what := budgetDiff(want, have); len(what) > 0 {
		want.TimePeriod = have.TimePeriod
		plan.Add(fmt.Sprintf("update the %s of budget %s", strings.Join(what, ", "), b.AWSName()), func(ctx context.Context) error {
			if _, err := k.API.UpdateBudget(ctx, &budgets.UpdateBudgetInput{AccountId: &account, NewBudget: want}); err != nil {
				return common.Fail(fmt.Sprintf("update budget %q", b.AWSName()), err)
			}
			k.Budgets.Put(*want)
			return nil
		})
	}
	if !reconciler.FullCheck(ctx) {
		return plan, nil // notifications and subscribers are read about every tenth resync
	}
	notes, err := k.notifications(ctx, account, b.AWSName())
	if err != nil {
		return nil, err
	}
	return append(plan, k.notificationPlan(account, b, notes)...), nil
}

// budgetDiff names what differs between the budget AWS holds and the spec's.
func budgetDiff(want, have *btypes.Budget) []string {
	var what []string
	if want.BudgetType != have.BudgetType {
		what = append(what, "budget type")
	}
	if want.TimeUnit != have.TimeUnit {
		what = append(what, "time unit")
	}
	if have.BudgetLimit == nil || !budgetapi.SameAmount(aws.ToString(want.BudgetLimit.Amount), aws.ToString(have.BudgetLimit.Amount)) ||
		aws.ToString(want.BudgetLimit.Unit) != aws.ToString(have.BudgetLimit.Unit) {
		what = append(what, "limit (to "+aws.ToString(want.BudgetLimit.Amount)+" "+aws.ToString(want.BudgetLimit.Unit)+")")
	}
	same := len(want.CostFilters) == len(have.CostFilters)
	for key, vals := range want.CostFilters {
		same = same && slices.Equal(vals, sortedCopy(have.CostFilters[key]))
	}
	if !same {
		what = append(what, "cost filters")
	}
	return what
}

func spend(s *btypes.Spend) *v1alpha1.Spend {
	if s == nil {
		return nil
	}
	return &v1alpha1.Spend{Amount: aws.ToString(s.Amount), Unit: aws.ToString(s.Unit)}
}

// Delete deletes the budget; AWS deletes its notifications and subscribers with it.
// A budget that belongs to another object is never deleted.
func (k *Kind) Delete(ctx context.Context, b *v1alpha1.Budget) (reconciler.Changes, error) {
	account, err := k.Caller.AccountID(ctx)
	if err != nil {
		return nil, err
	}
	name := b.AWSName()
	tags, err := k.tags(ctx, budgetapi.ARN(account, name))
	if awsx.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !common.Owns(b, name, tags[common.OwnerTag]) {
		return nil, nil
	}
	_, err = k.API.DeleteBudget(ctx, &budgets.DeleteBudgetInput{AccountId: &account, BudgetName: &name})
	if err != nil && !awsx.IsNotFound(err) {
		return nil, common.Fail("delete budget "+name, err)
	}
	k.Budgets.Delete(name)
	return reconciler.Changes{fmt.Sprintf("Deleted budget %q", name)}, nil
}

// Retain reports whether the deletion policy keeps the budget in AWS.
func (k *Kind) Retain(b *v1alpha1.Budget) bool {
	return b.Spec.DeletionPolicy == v1alpha1.DeletionPolicyRetain
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func sortedCopy(in []string) []string {
	out := slices.Clone(in)
	sort.Strings(out)
	return out
}

func thresholdKey(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func parseFloat(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}
