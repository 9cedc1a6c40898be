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
	"maps"
	"slices"
	"sort"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	ktypes "k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"

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
	API    budgetapi.API
	Caller *budgetapi.Caller
}

// Setup registers the controller.
func Setup(mgr ctrl.Manager, env *common.Env, api budgetapi.API, caller *budgetapi.Caller, opts reconciler.Options) error {
	return reconciler.Setup(mgr, "budget", reconciler.Kind[*v1alpha1.Budget](&Kind{Env: env, API: api, Caller: caller}),
		func() *v1alpha1.Budget { return &v1alpha1.Budget{} }, opts)
}

func owner(b *v1alpha1.Budget) string { return b.Namespace + "/" + b.Name }

// filters returns the cost filters AWS should hold, enforcing the tenancy rules.
func (k *Kind) filters(ctx context.Context, b *v1alpha1.Budget) (map[string][]string, error) {
	admin := b.Namespace == k.OperatorNamespace
	out := map[string][]string{}
	for key, vals := range b.Spec.CostFilters {
		if key == LinkedAccount && !admin {
			return nil, reconciler.Stalled(v1alpha1.ReasonNotAllowed, "budgets in namespace %s may not set the %s cost filter; use spec.accountRef", b.Namespace, LinkedAccount)
		}
		out[key] = sortedCopy(vals)
	}
	if b.Spec.AccountRef == nil {
		if !admin {
			return nil, reconciler.Stalled(v1alpha1.ReasonNotAllowed, "budgets in namespace %s must set spec.accountRef to an Account of this namespace", b.Namespace)
		}
		return out, nil
	}
	a := &v1alpha1.Account{}
	if err := k.Client.Get(ctx, ktypes.NamespacedName{Namespace: b.Namespace, Name: b.Spec.AccountRef.Name}, a); err != nil {
		if client404(err) {
			return nil, reconciler.Wait(k.DependencyPoll, v1alpha1.ReasonDependencyNotReady, "Account %s/%s does not exist; create it, or fix spec.accountRef", b.Namespace, b.Spec.AccountRef.Name)
		}
		return nil, err
	}
	if a.Status.ID == "" {
		return nil, reconciler.Wait(k.DependencyPoll, v1alpha1.ReasonDependencyNotReady, "waiting for Account %s/%s to be created in AWS", b.Namespace, b.Spec.AccountRef.Name)
	}
	out[LinkedAccount] = []string{a.Status.ID}
	return out, nil
}

func (k *Kind) budget(ctx context.Context, b *v1alpha1.Budget) (*btypes.Budget, error) {
	filters, err := k.filters(ctx, b)
	if err != nil {
		return nil, err
	}
	out := &btypes.Budget{BudgetName: aws.String(b.AWSName()), BudgetType: btypes.BudgetType(or(b.Spec.BudgetType, "COST")),
		TimeUnit: btypes.TimeUnit(or(b.Spec.TimeUnit, "MONTHLY")), BudgetLimit: &btypes.Spend{Amount: aws.String(b.Spec.Limit.Amount), Unit: aws.String(b.Spec.Limit.Unit)}}
	if len(filters) > 0 {
		out.CostFilters = filters
	}
	return out, nil
}

// Observe compares the budget, its notifications and subscribers, and reads the spend.
func (k *Kind) Observe(ctx context.Context, b *v1alpha1.Budget) (reconciler.Observation, error) {
	want, err := k.budget(ctx, b)
	if err != nil {
		return reconciler.Observation{}, err
	}
	account, err := k.Caller.AccountID(ctx)
	if err != nil {
		return reconciler.Observation{}, err
	}
	out, err := k.API.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: &account, BudgetName: want.BudgetName})
	if awsx.IsNotFound(err) {
		b.Status.ID, b.Status.ARN = "", ""
		return reconciler.Observation{}, nil
	}
	if err != nil {
		return reconciler.Observation{}, err
	}
	if err := k.mayHold(ctx, b, account); err != nil {
		return reconciler.Observation{}, err
	}
	have := out.Budget
	b.Status.ID, b.Status.ARN = b.AWSName(), budgetapi.ARN(account, b.AWSName())
	b.Status.ActualSpend, b.Status.ForecastedSpend = nil, nil
	if cs := have.CalculatedSpend; cs != nil {
		b.Status.ActualSpend = spend(cs.ActualSpend)
		b.Status.ForecastedSpend = spend(cs.ForecastedSpend)
	}
	if !sameBudget(want, have) {
		return reconciler.Observation{Exists: true}, nil
	}
	notes, err := k.notifications(ctx, account, b.AWSName())
	if err != nil {
		return reconciler.Observation{}, err
	}
	upToDate := maps.EqualFunc(notes, desiredNotifications(b), slices.Equal[[]string])
	if upToDate && common.NeedsFullCheck(b) {
		tags, err := k.tags(ctx, b.Status.ARN)
		if err != nil {
			return reconciler.Observation{}, err
		}
		upToDate = maps.Equal(tags, wantTags(b))
	}
	return reconciler.Observation{Exists: true, UpToDate: upToDate}, nil
}

// mayHold enforces that a budget is only taken over by its owner, or by the operator's
// namespace, the first time the object finds it.
func (k *Kind) mayHold(ctx context.Context, b *v1alpha1.Budget, account string) error {
	if b.Status.ID != "" || b.Namespace == k.OperatorNamespace {
		return nil
	}
	tags, err := k.tags(ctx, budgetapi.ARN(account, b.AWSName()))
	if err != nil {
		return err
	}
	if tags[common.OwnerTag] != owner(b) {
		return reconciler.Stalled(v1alpha1.ReasonNameTaken, "a budget named %q already exists and does not belong to this object; choose another spec.name", b.AWSName())
	}
	return nil
}

func sameBudget(want, have *btypes.Budget) bool {
	if want.BudgetType != have.BudgetType || want.TimeUnit != have.TimeUnit || have.BudgetLimit == nil ||
		!budgetapi.SameAmount(aws.ToString(want.BudgetLimit.Amount), aws.ToString(have.BudgetLimit.Amount)) ||
		aws.ToString(want.BudgetLimit.Unit) != aws.ToString(have.BudgetLimit.Unit) {
		return false
	}
	if len(want.CostFilters) != len(have.CostFilters) {
		return false
	}
	for key, vals := range want.CostFilters {
		if !slices.Equal(vals, sortedCopy(have.CostFilters[key])) {
			return false
		}
	}
	return true
}

func spend(s *btypes.Spend) *v1alpha1.Spend {
	if s == nil {
		return nil
	}
	return &v1alpha1.Spend{Amount: aws.ToString(s.Amount), Unit: aws.ToString(s.Unit)}
}

// Create creates the budget with its notifications, subscribers and tags.
func (k *Kind) Create(ctx context.Context, b *v1alpha1.Budget) (reconciler.Changes, error) {
	want, err := k.budget(ctx, b)
	if err != nil {
		return nil, err
	}
	account, err := k.Caller.AccountID(ctx)
	if err != nil {
		return nil, err
	}
	var notes []btypes.NotificationWithSubscribers
	for _, n := range b.Spec.Notifications {
		notes = append(notes, btypes.NotificationWithSubscribers{Notification: notification(n), Subscribers: subscribers(n.Subscribers)})
	}
	_, err = k.API.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: &account, Budget: want, NotificationsWithSubscribers: notes, ResourceTags: resourceTags(wantTags(b))})
	if awsx.IsAlreadyExists(err) {
		return nil, nil // it exists: the next observe checks who owns it, then adopts it
	}
	if err != nil {
		return nil, common.Refused(fmt.Sprintf("create budget %q", b.AWSName()), err)
	}
	b.Status.ID, b.Status.ARN = b.AWSName(), budgetapi.ARN(account, b.AWSName())
	return reconciler.Changes{fmt.Sprintf("Created budget %q", b.AWSName())}, nil
}

// Update updates the budget, then its notifications, subscribers and tags.
func (k *Kind) Update(ctx context.Context, b *v1alpha1.Budget) (reconciler.Changes, error) {
	want, err := k.budget(ctx, b)
	if err != nil {
		return nil, err
	}
	account, err := k.Caller.AccountID(ctx)
	if err != nil {
		return nil, err
	}
	var changes reconciler.Changes
	out, err := k.API.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: &account, BudgetName: want.BudgetName})
	if err != nil {
		return nil, err
	}
	if !sameBudget(want, out.Budget) {
		want.TimePeriod = out.Budget.TimePeriod
		if _, err := k.API.UpdateBudget(ctx, &budgets.UpdateBudgetInput{AccountId: &account, NewBudget: want}); err != nil {
			return nil, common.Refused(fmt.Sprintf("update budget %q", b.AWSName()), err)
		}
		changes = append(changes, fmt.Sprintf("Updated budget %q", b.AWSName()))
	}
	c, err := k.syncNotifications(ctx, account, b)
	changes = append(changes, c...)
	if err != nil {
		return changes, err
	}
	tags, err := k.tags(ctx, b.Status.ARN)
	if err != nil {
		return changes, err
	}
	if changed, err := k.syncTags(ctx, b.Status.ARN, tags, wantTags(b)); err != nil {
		return changes, common.Refused("tag budget "+b.AWSName(), err)
	} else if changed {
		changes = append(changes, "Updated the tags of budget "+b.AWSName())
	}
	return changes, nil
}

// Delete deletes the budget; AWS deletes its notifications and subscribers with it.
func (k *Kind) Delete(ctx context.Context, b *v1alpha1.Budget) (reconciler.Changes, error) {
	if b.Status.ID == "" {
		return nil, nil
	}
	account, err := k.Caller.AccountID(ctx)
	if err != nil {
		return nil, err
	}
	_, err = k.API.DeleteBudget(ctx, &budgets.DeleteBudgetInput{AccountId: &account, BudgetName: aws.String(b.Status.ID)})
	if err != nil && !awsx.IsNotFound(err) {
		return nil, common.Refused("delete budget "+b.Status.ID, err)
	}
	return reconciler.Changes{fmt.Sprintf("Deleted budget %q", b.Status.ID)}, nil
}

// Retain reports whether the deletion policy keeps the budget in AWS.
func (k *Kind) Retain(b *v1alpha1.Budget) bool {
	return b.Spec.DeletionPolicy == v1alpha1.DeletionPolicyRetain
}

func wantTags(b *v1alpha1.Budget) map[string]string {
	out := maps.Clone(map[string]string(b.Spec.Tags))
	if out == nil {
		out = map[string]string{}
	}
	out[common.OwnerTag] = owner(b)
	return out
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
