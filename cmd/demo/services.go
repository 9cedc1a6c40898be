// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
)

// printIdentityCenter prints each permission set with where it is assigned.
func printIdentityCenter(ctx context.Context, cfg aws.Config, accounts []string) error {
	c := ssoadmin.NewFromConfig(cfg)
	inst, err := c.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil {
		return err
	}
	in := inst.Instances[0].InstanceArn
	sets, err := c.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: in})
	if err != nil {
		return err
	}
	fmt.Println("\nIAM Identity Center permission sets:")
	for _, arn := range sets.PermissionSets {
		d, err := c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: in, PermissionSetArn: aws.String(arn)})
		if err != nil {
			return err
		}
		assigned := 0
		for _, acct := range accounts {
			out, err := c.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: in, PermissionSetArn: aws.String(arn), AccountId: aws.String(acct)})
			if err != nil {
				return err
			}
			assigned += len(out.AccountAssignments)
		}
		prov, err := c.ListAccountsForProvisionedPermissionSet(ctx, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: in, PermissionSetArn: aws.String(arn)})
		if err != nil {
			return err
		}
		fmt.Printf("  %s (%s, session %s): %d assignments, provisioned to %d accounts\n", aws.ToString(d.PermissionSet.Name), arn,
			aws.ToString(d.PermissionSet.SessionDuration), assigned, len(prov.AccountIds))
	}
	return nil
}

func printBudgets(ctx context.Context, cfg aws.Config, account string) error {
	out, err := budgets.NewFromConfig(cfg).DescribeBudgets(ctx, &budgets.DescribeBudgetsInput{AccountId: &account})
	if err != nil {
		return err
	}
	fmt.Println("\nBudgets:")
	for _, b := range out.Budgets {
		var filters []string
		for k, v := range b.CostFilters {
			filters = append(filters, k+"="+strings.Join(v, ","))
		}
		sort.Strings(filters)
		fmt.Printf("  %s: %s %s %s %s %s\n", aws.ToString(b.BudgetName), b.BudgetType, b.TimeUnit, aws.ToString(b.BudgetLimit.Amount), aws.ToString(b.BudgetLimit.Unit), strings.Join(filters, " "))
	}
	return nil
}

func printTrail(ctx context.Context, cfg aws.Config) error {
	c := cloudtrail.NewFromConfig(cfg)
	out, err := c.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("organization-trail")})
	if err != nil {
		return nil // the samples may have no trail
	}
	st, err := c.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: out.Trail.Name})
	if err != nil {
		return err
	}
	t := out.Trail
	fmt.Printf("\nCloudTrail: %s organization=%t multi-region=%t validation=%t bucket=%s logging=%t\n", aws.ToString(t.TrailARN),
		aws.ToBool(t.IsOrganizationTrail), aws.ToBool(t.IsMultiRegionTrail), aws.ToBool(t.LogFileValidationEnabled), aws.ToString(t.S3BucketName), aws.ToBool(st.IsLogging))
	return nil
}
