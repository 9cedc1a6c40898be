// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package controller_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
)

const mgmt = "111111111111"

func awsBudget(t *testing.T, name string) (*btypes.Budget, error) {
	t.Helper()
	out, err := budgets.NewFromConfig(env.AWS).DescribeBudget(context.Background(), &budgets.DescribeBudgetInput{AccountId: aws.String(mgmt), BudgetName: &name})
	if err != nil {
		return nil, err
	}
	return out.Budget, nil
}

// awsNotifications maps "TYPE threshold" to the subscriber addresses.
func awsNotifications(t *testing.T, name string) map[string][]string {
	t.Helper()
	c := budgets.NewFromConfig(env.AWS)
	out, err := c.DescribeNotificationsForBudget(context.Background(), &budgets.DescribeNotificationsForBudgetInput{AccountId: aws.String(mgmt), BudgetName: &name})
	if err != nil {
		t.Fatal(err)
	}
	notes := map[string][]string{}
	for _, n := range out.Notifications {
		subs, err := c.DescribeSubscribersForNotification(context.Background(), &budgets.DescribeSubscribersForNotificationInput{AccountId: aws.String(mgmt), BudgetName: &name, Notification: &n})
		if err != nil {
			t.Fatal(err)
		}
		var addrs []string
		for _, s := range subs.Subscribers {
			addrs = append(addrs, aws.ToString(s.Address))
		}
		slices.Sort(addrs)
		notes[fmt.Sprintf("%s %g", n.NotificationType, n.Threshold)] = addrs
	}
	return notes
}

func TestBudgetForATenantAccount(t *testing.T) {
	ctx := context.Background()
	ou := newOU("ou-budget", "Budget Tenants", "")
	ou.Spec.AccountPlacement = &v1alpha1.AccountPlacement{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"tenant": "true"}}}
	create(t, ou)
	acct := newAccount("team-a", "budget-acct", "budget-acct@example.com", "ou-budget")
	create(t, acct)
	b := &v1alpha1.Budget{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "monthly"}, Spec: v1alpha1.BudgetSpec{
		Name: "team-a-monthly", BudgetType: "COST", TimeUnit: "MONTHLY", Limit: v1alpha1.Spend{Amount: "1000", Unit: "USD"},
		AccountRef: &v1alpha1.LocalRef{Name: "budget-acct"},
		Notifications: []v1alpha1.Notification{{Type: "ACTUAL", Comparison: "GREATER_THAN", Threshold: 80, ThresholdType: "PERCENTAGE",
			Subscribers: []v1alpha1.Subscriber{{Type: "EMAIL", Address: "alerts@company.com"}}}},
	}}
	create(t, b)
	waitReady(t, b)
	waitReady(t, acct)
	got, err := awsBudget(t, "team-a-monthly")
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.BudgetLimit.Amount) != "1000.0" || got.TimeUnit != btypes.TimeUnitMonthly || !slices.Equal(got.CostFilters["LinkedAccount"], []string{acct.Status.ID}) {
		t.Fatalf("budget in AWS: limit %s filters %v", aws.ToString(got.BudgetLimit.Amount), got.CostFilters)
	}
	if notes := awsNotifications(t, "team-a-monthly"); !slices.Equal(notes["ACTUAL 80"], []string{"alerts@company.com"}) || len(notes) != 1 {
		t.Fatalf("notifications in AWS: %v", notes)
	}

	// Spend shows in status; "1000" and AWS's "1000.0" are the same amount, so the
	// resyncs that read it make no writes.
	if err := env.Sim.SetBudgetSpend("team-a-monthly", "412.50", "980.00"); err != nil {
		t.Fatal(err)
	}
	updates := env.Sim.Calls()["budgets:UpdateBudget"]
	eventually(t, func() error {
		_ = k8s.Get(ctx, keyOf(b), b)
		if b.Status.ActualSpend == nil || b.Status.ActualSpend.Amount != "412.5" || b.Status.ForecastedSpend == nil || b.Status.ForecastedSpend.Amount != "980.0" {
			return fmt.Errorf("spend in status: %+v %+v", b.Status.ActualSpend, b.Status.ForecastedSpend)
		}
		return nil
	})
	if n := env.Sim.Calls()["budgets:UpdateBudget"]; n != updates {
		t.Fatalf("%d UpdateBudget calls in steady state", n-updates)
	}

	// Drift: the limit edited by hand is put back.
	got.BudgetLimit.Amount = aws.String("5000")
	got.CalculatedSpend = nil
	if _, err := budgets.NewFromConfig(env.AWS).UpdateBudget(ctx, &budgets.UpdateBudgetInput{AccountId: aws.String(mgmt), NewBudget: got}); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		cur, err := awsBudget(t, "team-a-monthly")
		if err != nil || aws.ToString(cur.BudgetLimit.Amount) != "1000.0" {
			return fmt.Errorf("limit %v %v", cur, err)
		}
		return nil
	})

	// Notifications and subscribers follow the spec: one added, one subscriber more.
	update(t, b, func(x *v1alpha1.Budget) {
		x.Spec.Notifications[0].Subscribers = append(x.Spec.Notifications[0].Subscribers, v1alpha1.Subscriber{Type: "EMAIL", Address: "finance@company.com"})
		x.Spec.Notifications = append(x.Spec.Notifications, v1alpha1.Notification{Type: "FORECASTED", Threshold: 100,
			Subscribers: []v1alpha1.Subscriber{{Type: "EMAIL", Address: "alerts@company.com"}}})
	})
	waitReady(t, b)
	notes := awsNotifications(t, "team-a-monthly")
	if !slices.Equal(notes["ACTUAL 80"], []string{"alerts@company.com", "finance@company.com"}) || !slices.Equal(notes["FORECASTED 100"], []string{"alerts@company.com"}) {
		t.Fatalf("notifications in AWS: %v", notes)
	}
	update(t, b, func(x *v1alpha1.Budget) { x.Spec.Notifications = x.Spec.Notifications[1:] })
	waitReady(t, b)
	if notes := awsNotifications(t, "team-a-monthly"); len(notes) != 1 || notes["FORECASTED 100"] == nil {
		t.Fatalf("notifications after removing one: %v", notes)
	}

	deleteAndWait(t, b)
	if _, err := awsBudget(t, "team-a-monthly"); err == nil {
		t.Fatal("budget still in AWS after delete")
	}
	deleteAndWait(t, acct)
}

func TestBudgetTenancy(t *testing.T) {
	noRef := &v1alpha1.Budget{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "no-ref"}, Spec: v1alpha1.BudgetSpec{Limit: v1alpha1.Spend{Amount: "10", Unit: "USD"}}}
	create(t, noRef)
	waitCondition(t, noRef, v1alpha1.ConditionStalled, v1alpha1.ReasonNotAllowed, "must set spec.accountRef")
	linked := &v1alpha1.Budget{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "linked"}, Spec: v1alpha1.BudgetSpec{Limit: v1alpha1.Spend{Amount: "10", Unit: "USD"},
		AccountRef: &v1alpha1.LocalRef{Name: "x"}, CostFilters: map[string][]string{"LinkedAccount": {"123456789012"}}}}
	create(t, linked)
	waitCondition(t, linked, v1alpha1.ConditionStalled, v1alpha1.ReasonNotAllowed, "LinkedAccount")

	// The operator's namespace owns Monthly-Budget; a tenant may not take it over by name.
	admin := &v1alpha1.Budget{ObjectMeta: metav1.ObjectMeta{Namespace: operatorNS, Name: "org-monthly"}, Spec: v1alpha1.BudgetSpec{Name: "Org-Budget", Limit: v1alpha1.Spend{Amount: "1000", Unit: "USD"}}}
	create(t, admin)
	waitReady(t, admin)
	ou := newOU("ou-budget-steal", "Budget Steal", "")
	ou.Spec.AccountPlacement = &v1alpha1.AccountPlacement{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"tenant": "true"}}}
	create(t, ou)
	acct := newAccount("team-a", "steal-acct", "steal-acct@example.com", "ou-budget-steal")
	create(t, acct)
	steal := &v1alpha1.Budget{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "steal"}, Spec: v1alpha1.BudgetSpec{Name: "Org-Budget",
		Limit: v1alpha1.Spend{Amount: "1", Unit: "USD"}, AccountRef: &v1alpha1.LocalRef{Name: "steal-acct"}}}
	create(t, steal)
	waitCondition(t, steal, v1alpha1.ConditionStalled, v1alpha1.ReasonNameTaken, "Org-Budget")
	if got, err := awsBudget(t, "Org-Budget"); err != nil || aws.ToString(got.BudgetLimit.Amount) != "1000.0" || got.CostFilters != nil {
		t.Fatalf("a tenant changed the admin's budget: %+v %v", got, err)
	}
	for _, o := range []*v1alpha1.Budget{noRef, linked, steal, admin} {
		deleteAndWait(t, o)
	}
	deleteAndWait(t, acct)
}
