// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package importer

import (
	"cmp"
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/budgetapi"
)

// linkedAccount is the cost filter that narrows a budget to accounts.
const linkedAccount = "LinkedAccount"

// budgets reads the budgets of the management account with their notifications,
// subscribers and tags. A budget on one imported account refers to its Account.
func (im *importer) budgets(ctx context.Context) error {
	me, err := im.c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return err
	}
	account := me.Account
	var found []btypes.Budget
	p := budgets.NewDescribeBudgetsPaginator(im.c.Budgets, &budgets.DescribeBudgetsInput{AccountId: account, MaxResults: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		found = append(found, page.Budgets...)
	}
	byName := map[string]string{}
	for _, b := range found {
		byName[aws.ToString(b.BudgetName)] = aws.ToString(b.BudgetName)
	}
	objNames := assign(byName, "budget")
	slices.SortFunc(found, func(a, b btypes.Budget) int {
		return cmp.Compare(aws.ToString(a.BudgetName), aws.ToString(b.BudgetName))
	})
	for _, b := range found {
		if err := im.addBudget(ctx, aws.ToString(account), b, objNames[aws.ToString(b.BudgetName)]); err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) addBudget(ctx context.Context, account string, b btypes.Budget, name string) error {
	api := im.c.Budgets
	bn := aws.ToString(b.BudgetName)
	spec := v1alpha1.BudgetSpec{Name: bn, BudgetType: string(b.BudgetType), TimeUnit: string(b.TimeUnit),
		DeletionPolicy: v1alpha1.DeletionPolicyRetain, ManagementPolicy: im.o.ManagementPolicy}
	if l := b.BudgetLimit; l != nil {
		spec.Limit = v1alpha1.Spend{Amount: aws.ToString(l.Amount), Unit: aws.ToString(l.Unit)}
	}
	for k, v := range b.CostFilters {
		if k == linkedAccount && len(v) == 1 && im.accounts[v[0]] != "" {
			spec.AccountRef = &v1alpha1.LocalRef{Name: im.accounts[v[0]]}
			continue
		}
		if spec.CostFilters == nil {
			spec.CostFilters = map[string][]string{}
		}
		spec.CostFilters[k] = slices.Sorted(slices.Values(v))
	}
	np := budgets.NewDescribeNotificationsForBudgetPaginator(api, &budgets.DescribeNotificationsForBudgetInput{AccountId: &account, BudgetName: &bn, MaxResults: aws.Int32(awsx.BudgetsPage)})
	for np.HasMorePages() {
		page, err := np.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, n := range page.Notifications {
			out := v1alpha1.Notification{Type: string(n.NotificationType), Comparison: string(n.ComparisonOperator), Threshold: n.Threshold, ThresholdType: string(n.ThresholdType)}
			sp := budgets.NewDescribeSubscribersForNotificationPaginator(api, &budgets.DescribeSubscribersForNotificationInput{AccountId: &account, BudgetName: &bn, Notification: &n, MaxResults: aws.Int32(awsx.BudgetsPage)})
			for sp.HasMorePages() {
				page, err := sp.NextPage(ctx)
				if err != nil {
					return err
				}
				for _, s := range page.Subscribers {
					out.Subscribers = append(out.Subscribers, v1alpha1.Subscriber{Type: string(s.SubscriptionType), Address: aws.ToString(s.Address)})
				}
			}
			slices.SortFunc(out.Subscribers, func(a, b v1alpha1.Subscriber) int {
				return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Address, b.Address))
			})
			spec.Notifications = append(spec.Notifications, out)
		}
	}
	slices.SortFunc(spec.Notifications, func(a, b v1alpha1.Notification) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Threshold, b.Threshold), cmp.Compare(a.Comparison, b.Comparison), cmp.Compare(a.ThresholdType, b.ThresholdType))
	})
	tags, err := api.ListTagsForResource(ctx, &budgets.ListTagsForResourceInput{ResourceARN: aws.String(budgetapi.ARN(account, bn))})
	if err != nil {
		return err
	}
	m := map[string]string{}
	for _, t := range tags.ResourceTags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	spec.Tags = userTags(m)
	return im.add("Budget", &v1alpha1.Budget{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: im.o.Namespace}, Spec: spec})
}
