// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package e2e_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
)

var sampleAccounts = []string{"prod-a", "prod-b", "dev", "staging", "security", "log-archive", "sandbox"}

// checkSampleServices checks the permission sets, budgets and trail of the samples.
func checkSampleServices(t *testing.T, url string, ids map[string]string) {
	t.Helper()
	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: &url, Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")}
	sso := ssoadmin.NewFromConfig(cfg)
	inst, err := sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	in := inst.Instances[0].InstanceArn
	sets, err := sso.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: in})
	if err != nil {
		t.Fatal(err)
	}
	wantAssigned := map[string][]string{"AdministratorAccess": sampleAccounts, "DeveloperAccess": {"dev", "staging"}}
	if len(sets.PermissionSets) != len(wantAssigned) {
		t.Fatalf("%d permission sets, want %d", len(sets.PermissionSets), len(wantAssigned))
	}
	for _, arn := range sets.PermissionSets {
		d, err := sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: in, PermissionSetArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		name := aws.ToString(d.PermissionSet.Name)
		for _, acct := range sampleAccounts {
			out, err := sso.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: in, PermissionSetArn: aws.String(arn), AccountId: aws.String(ids[acct])})
			if err != nil {
				t.Fatal(err)
			}
			if want := slices.Contains(wantAssigned[name], acct); want != (len(out.AccountAssignments) == 1) {
				t.Errorf("%s on %s: %d assignments, want assigned=%t", name, acct, len(out.AccountAssignments), want)
			}
		}
		stale, err := sso.ListAccountsForProvisionedPermissionSet(ctx, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: in, PermissionSetArn: aws.String(arn),
			ProvisioningStatus: ssotypes.ProvisioningStatusLatestPermissionSetNotProvisioned})
		if err != nil || len(stale.AccountIds) != 0 {
			t.Errorf("%s not provisioned everywhere: %v %v", name, stale, err)
		}
	}

	bs, err := budgets.NewFromConfig(cfg).DescribeBudgets(ctx, &budgets.DescribeBudgetsInput{AccountId: aws.String("111111111111")})
	if err != nil {
		t.Fatal(err)
	}
	if len(bs.Budgets) != len(sampleAccounts)+1 {
		t.Errorf("%d budgets, want %d", len(bs.Budgets), len(sampleAccounts)+1)
	}
	for _, b := range bs.Budgets {
		name := aws.ToString(b.BudgetName)
		if name == "Monthly-Budget" {
			if aws.ToString(b.BudgetLimit.Amount) != "1000.0" || len(b.CostFilters) != 0 {
				t.Errorf("Monthly-Budget: %+v", b)
			}
			continue
		}
		acct := name[:len(name)-len("-monthly")]
		if got := b.CostFilters["LinkedAccount"]; !slices.Equal(got, []string{ids[acct]}) {
			t.Errorf("%s filtered to %v, want %s (%s)", name, got, acct, ids[acct])
		}
	}

	ct := cloudtrail.NewFromConfig(cfg)
	tr, err := ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("organization-trail")})
	if err != nil {
		t.Fatal(err)
	}
	st, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("organization-trail")})
	if err != nil || !aws.ToBool(st.IsLogging) || !aws.ToBool(tr.Trail.IsOrganizationTrail) || !aws.ToBool(tr.Trail.IsMultiRegionTrail) || !aws.ToBool(tr.Trail.LogFileValidationEnabled) {
		t.Errorf("trail: %+v status %+v %v", tr.Trail, st, err)
	}
}
