// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package budget

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

func client404(err error) bool { return apierrors.IsNotFound(err) }

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
	pages := budgets.NewDescribeNotificationsForBudgetPaginator(k.API, &budgets.DescribeNotificationsForBudgetInput{AccountId: &account, BudgetName: &name})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, n := range page.Notifications {
			var subs []string
			sp := budgets.NewDescribeSubscribersForNotificationPaginator(k.API, &budgets.DescribeSubscribersForNotificationInput{AccountId: &account, BudgetName: &name, Notification: &n})
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

// syncNotifications deletes notifications the spec dropped, creates new ones, and
// adds and removes subscribers of the rest.
func (k *Kind) syncNotifications(ctx context.Context, account string, b *v1alpha1.Budget) (reconciler.Changes, error) {
	name := b.AWSName()
	have, err := k.notifications(ctx, account, name)
	if err != nil {
		return nil, err
	}
	want := desiredNotifications(b)
	var changes reconciler.Changes
	for nk := range have {
		if _, ok := want[nk]; ok {
			continue
		}
		if _, err := k.API.DeleteNotification(ctx, &budgets.DeleteNotificationInput{AccountId: &account, BudgetName: &name, Notification: fromKey(nk)}); err != nil {
			return changes, common.Refused("delete a notification of budget "+name, err)
		}
		changes = append(changes, "Deleted notification "+nk)
	}
	for nk, subs := range want {
		cur, ok := have[nk]
		if !ok {
			_, err := k.API.CreateNotification(ctx, &budgets.CreateNotificationInput{AccountId: &account, BudgetName: &name, Notification: fromKey(nk), Subscribers: fromSubKeys(subs)})
			if err != nil {
				return changes, common.Refused("create a notification of budget "+name, err)
			}
			changes = append(changes, "Created notification "+nk)
			continue
		}
		c, err := k.syncSubscribers(ctx, account, name, nk, cur, subs)
		changes = append(changes, c...)
		if err != nil {
			return changes, err
		}
	}
	return changes, nil
}

func (k *Kind) syncSubscribers(ctx context.Context, account, name, nk string, have, want []string) (reconciler.Changes, error) {
	var changes reconciler.Changes
	for _, s := range want {
		if slices.Contains(have, s) {
			continue
		}
		if _, err := k.API.CreateSubscriber(ctx, &budgets.CreateSubscriberInput{AccountId: &account, BudgetName: &name, Notification: fromKey(nk), Subscriber: &fromSubKeys([]string{s})[0]}); err != nil {
			return changes, common.Refused("add a subscriber to budget "+name, err)
		}
		changes = append(changes, "Added subscriber "+s)
	}
	for _, s := range have {
		if slices.Contains(want, s) {
			continue
		}
		if _, err := k.API.DeleteSubscriber(ctx, &budgets.DeleteSubscriberInput{AccountId: &account, BudgetName: &name, Notification: fromKey(nk), Subscriber: &fromSubKeys([]string{s})[0]}); err != nil {
			return changes, common.Refused("remove a subscriber from budget "+name, err)
		}
		changes = append(changes, "Removed subscriber "+s)
	}
	return changes, nil
}

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

func (k *Kind) syncTags(ctx context.Context, arn string, have, want map[string]string) (bool, error) {
	set, remove := awsx.DiffTags(have, want)
	if len(remove) > 0 {
		if _, err := k.API.UntagResource(ctx, &budgets.UntagResourceInput{ResourceARN: &arn, ResourceTagKeys: remove}); err != nil {
			return false, err
		}
	}
	if len(set) > 0 {
		if _, err := k.API.TagResource(ctx, &budgets.TagResourceInput{ResourceARN: &arn, ResourceTags: resourceTags(set)}); err != nil {
			return false, err
		}
	}
	return len(set)+len(remove) > 0, nil
}

func resourceTags(m map[string]string) []btypes.ResourceTag {
	return awsx.TagList(m, func(k, v string) btypes.ResourceTag {
		return btypes.ResourceTag{Key: aws.String(k), Value: aws.String(v)}
	})
}
