// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package budget

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// A notification's key is AWS's: type, comparison, threshold and threshold type
// (PERCENTAGE when AWS leaves it out).
func key(n btypes.Notification) string {
	tt := string(n.ThresholdType)
	if tt == "" {
		tt = string(btypes.ThresholdTypePercentage)
	}
	return strings.Join([]string{string(n.NotificationType), string(n.ComparisonOperator), thresholdKey(n.Threshold), tt}, "|")
}

func fromKey(k string) *btypes.Notification {
	p := strings.Split(k, "|")
	n := &btypes.Notification{NotificationType: btypes.NotificationType(p[0]), ComparisonOperator: btypes.ComparisonOperator(p[1]), ThresholdType: btypes.ThresholdType(p[3])}
	n.Threshold = parseFloat(p[2])
	return n
}

func notification(n v1alpha1.Notification) *btypes.Notification {
	return &btypes.Notification{NotificationType: btypes.NotificationType(n.Type), ComparisonOperator: btypes.ComparisonOperator(or(n.Comparison, "GREATER_THAN")),
		Threshold: n.Threshold, ThresholdType: btypes.ThresholdType(or(n.ThresholdType, "PERCENTAGE"))}
}

func subscribers(subs []v1alpha1.Subscriber) []btypes.Subscriber {
	out := make([]btypes.Subscriber, 0, len(subs))
	for _, s := range subs {
		out = append(out, btypes.Subscriber{SubscriptionType: btypes.SubscriptionType(s.Type), Address: aws.String(s.Address)})
	}
	return out
}

func subKey(s btypes.Subscriber) string {
	return string(s.SubscriptionType) + "|" + aws.ToString(s.Address)
}

// desiredNotifications maps each notification key to its sorted subscriber keys.
func desiredNotifications(b *v1alpha1.Budget) map[string][]string {
	out := map[string][]string{}
	for _, n := range b.Spec.Notifications {
		var subs []string
		for _, s := range subscribers(n.Subscribers) {
			subs = append(subs, subKey(s))
		}
		sort.Strings(subs)
		out[key(*notification(n))] = slices.Compact(subs)
	}
	return out
}

// notifications reads the budget's notifications and their subscribers.
func (k *Kind) notifications(ctx context.Context, account, name string) (map[string][]string, error) {
	out := map[string][]string{}
	pages := budgets.NewDescribeNotificationsForBudgetPaginator(k.API, &budgets.DescribeNotificationsForBudgetInput{AccountId: &account, BudgetName: &name, MaxResults: aws.Int32(awsx.BudgetsPage)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, n := range page.Notifications {
			var subs []string
			sp := budgets.NewDescribeSubscribersForNotificationPaginator(k.API, &budgets.DescribeSubscribersForNotificationInput{AccountId: &account, BudgetName: &name, Notification: &n, MaxResults: aws.Int32(awsx.BudgetsPage)})
			for sp.HasMorePages() {
				sPage, err := sp.NextPage(ctx)
				if err != nil {
					return nil, err
				}
				for _, s := range sPage.Subscribers {
					subs = append(subs, subKey(s))
				}
			}
			sort.Strings(subs)
			out[key(n)] = subs
		}
	}
	return out, nil
}

// notificationPlan deletes notifications the spec dropped, creates new ones, and adds
// and removes subscribers of the rest.
func (k *Kind) notificationPlan(account string, b *v1alpha1.Budget, have map[string][]string) reconciler.Plan {
	name := b.AWSName()
	want := desiredNotifications(b)
	var plan reconciler.Plan
	for _, nk := range slices.Sorted(maps.Keys(have)) {
		if _, ok := want[nk]; !ok {
			plan.Remove(fmt.Sprintf("delete the notification %s of budget %s", describe(nk), name), func(ctx context.Context) error {
				_, err := k.API.DeleteNotification(ctx, &budgets.DeleteNotificationInput{AccountId: &account, BudgetName: &name, Notification: fromKey(nk)})
				if err != nil && !awsx.IsNotFound(err) {
					return common.Fail("delete a notification of budget "+name, err)
				}
				return nil
			})
		}
	}
	for _, nk := range slices.Sorted(maps.Keys(want)) {
		subs := want[nk]
		cur, ok := have[nk]
		if ok {
			plan = append(plan, k.subscriberPlan(account, name, nk, cur, subs)...)
			continue
		}
		plan.Add(fmt.Sprintf("create the notification %s of budget %s for %s", describe(nk), name, strings.Join(subs, ", ")), func(ctx context.Context) error {
			_, err := k.API.CreateNotification(ctx, &budgets.CreateNotificationInput{AccountId: &account, BudgetName: &name, Notification: fromKey(nk), Subscribers: fromSubKeys(subs)})
			if err != nil && !awsx.IsAlreadyExists(err) {
				return common.Fail("create a notification of budget "+name, err)
			}
			return nil
		})
	}
	return plan
}

func (k *Kind) subscriberPlan(account, name, nk string, have, want []string) reconciler.Plan {
	var plan reconciler.Plan
	for _, s := range want {
		if !slices.Contains(have, s) {
			plan.Add(fmt.Sprintf("add the subscriber %s to the notification %s of budget %s", s, describe(nk), name), func(ctx context.Context) error {
				_, err := k.API.CreateSubscriber(ctx, &budgets.CreateSubscriberInput{AccountId: &account, BudgetName: &name, Notification: fromKey(nk), Subscriber: &fromSubKeys([]string{s})[0]})
				if err != nil && !awsx.IsAlreadyExists(err) {
					return common.Fail("add a subscriber to budget "+name, err)
				}
				return nil
			})
		}
	}
	for _, s := range have {
		if !slices.Contains(want, s) {
			plan.Remove(fmt.Sprintf("remove the subscriber %s from the notification %s of budget %s", s, describe(nk), name), func(ctx context.Context) error {
				_, err := k.API.DeleteSubscriber(ctx, &budgets.DeleteSubscriberInput{AccountId: &account, BudgetName: &name, Notification: fromKey(nk), Subscriber: &fromSubKeys([]string{s})[0]})
				if err != nil && !awsx.IsNotFound(err) {
					return common.Fail("remove a subscriber from budget "+name, err)
				}
				return nil
			})
		}
	}
	return plan
}

// describe reads a notification key for people: "ACTUAL GREATER_THAN 80 PERCENTAGE".
func describe(nk string) string { return strings.ReplaceAll(nk, "|", " ") }

func fromSubKeys(keys []string) []btypes.Subscriber {
	out := make([]btypes.Subscriber, 0, len(keys))
	for _, k := range keys {
		typ, addr, _ := strings.Cut(k, "|")
		out = append(out, btypes.Subscriber{SubscriptionType: btypes.SubscriptionType(typ), Address: aws.String(addr)})
	}
	return out
}

func (k *Kind) tags(ctx context.Context, arn string) (map[string]string, error) {
	out, err := k.API.ListTagsForResource(ctx, &budgets.ListTagsForResourceInput{ResourceARN: &arn})
	if err != nil {
		return nil, err
	}
	tags := map[string]string{}
	for _, t := range out.ResourceTags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

func (k *Kind) tagFuncs(arn string) awsx.TagFuncs {
	return awsx.TagFuncs{
		Set: func(ctx context.Context, tags map[string]string) error {
			_, err := k.API.TagResource(ctx, &budgets.TagResourceInput{ResourceARN: &arn, ResourceTags: resourceTags(tags)})
			return err
		},
		Remove: func(ctx context.Context, keys []string) error {
			_, err := k.API.UntagResource(ctx, &budgets.UntagResourceInput{ResourceARN: &arn, ResourceTagKeys: keys})
			return err
		},
	}
}

func resourceTags(m map[string]string) []btypes.ResourceTag {
	return awsx.TagList(m, func(k, v string) btypes.ResourceTag {
		return btypes.ResourceTag{Key: aws.String(k), Value: aws.String(v)}
	})
}
