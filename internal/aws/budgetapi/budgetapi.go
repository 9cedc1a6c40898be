// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Package budgetapi is the operator's seam to AWS Budgets: the narrow API it uses and
// the management account it works in (read once from STS). Amounts are compared
// numerically here, once. It speaks AWS, not Kubernetes.
package budgetapi

import (
	"context"
	"fmt"
	"math/big"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// API is the part of the Budgets client the operator uses.
type API interface {
	budgets.DescribeBudgetsAPIClient
	budgets.DescribeNotificationsForBudgetAPIClient
	budgets.DescribeSubscribersForNotificationAPIClient
	CreateBudget(context.Context, *budgets.CreateBudgetInput, ...func(*budgets.Options)) (*budgets.CreateBudgetOutput, error)
	DescribeBudget(context.Context, *budgets.DescribeBudgetInput, ...func(*budgets.Options)) (*budgets.DescribeBudgetOutput, error)
	UpdateBudget(context.Context, *budgets.UpdateBudgetInput, ...func(*budgets.Options)) (*budgets.UpdateBudgetOutput, error)
	DeleteBudget(context.Context, *budgets.DeleteBudgetInput, ...func(*budgets.Options)) (*budgets.DeleteBudgetOutput, error)
	CreateNotification(context.Context, *budgets.CreateNotificationInput, ...func(*budgets.Options)) (*budgets.CreateNotificationOutput, error)
	DeleteNotification(context.Context, *budgets.DeleteNotificationInput, ...func(*budgets.Options)) (*budgets.DeleteNotificationOutput, error)
	CreateSubscriber(context.Context, *budgets.CreateSubscriberInput, ...func(*budgets.Options)) (*budgets.CreateSubscriberOutput, error)
	DeleteSubscriber(context.Context, *budgets.DeleteSubscriberInput, ...func(*budgets.Options)) (*budgets.DeleteSubscriberOutput, error)
	TagResource(context.Context, *budgets.TagResourceInput, ...func(*budgets.Options)) (*budgets.TagResourceOutput, error)
	UntagResource(context.Context, *budgets.UntagResourceInput, ...func(*budgets.Options)) (*budgets.UntagResourceOutput, error)
	ListTagsForResource(context.Context, *budgets.ListTagsForResourceInput, ...func(*budgets.Options)) (*budgets.ListTagsForResourceOutput, error)
}

// Identity is the part of the STS client used to find the management account.
type Identity interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

var (
	_ API      = (*budgets.Client)(nil)
	_ Identity = (*sts.Client)(nil)
)

// Caller finds the account the operator's credentials belong to, once.
type Caller struct {
	STS Identity

	mu sync.Mutex
	id string
}

// AccountID returns the caller's account id.
func (c *Caller) AccountID(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.id != "" {
		return c.id, nil
	}
	out, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("finding the management account with STS: %w", err)
	}
	c.id = aws.ToString(out.Account)
	return c.id, nil
}

// SameAmount compares two decimal amounts numerically ("100" equals "100.0").
func SameAmount(a, b string) bool {
	x, okA := new(big.Rat).SetString(a)
	y, okB := new(big.Rat).SetString(b)
	if !okA || !okB {
		return a == b
	}
	return x.Cmp(y) == 0
}

// ARN is the ARN of a budget, which no API returns.
func ARN(account, name string) string { return "arn:aws:budgets::" + account + ":budget/" + name }
