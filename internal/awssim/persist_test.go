// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/awsorg/awsorg-operator/internal/awssim"
)

func rawState(t *testing.T, sim *awssim.Server) []byte {
	t.Helper()
	w := httptest.NewRecorder()
	sim.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/_sim/state", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("GET /_sim/state: %d", w.Code)
	}
	return w.Body.Bytes()
}

// The state file is GET /_sim/state, written after every change; a simulator that
// loads it holds the same organization and serves it as before.
func TestStateFileRoundTrips(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "org.json")
	cfg := awssim.DefaultConfig()
	cfg.CreateAccountDelay, cfg.SSODelay, cfg.StateFile = 0, 0, file
	sim, awsCfg, _ := simConfig(t, cfg)
	org := organizations.NewFromConfig(awsCfg)
	root := aws.ToString(must(org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id)
	must(org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: &root, PolicyType: types.PolicyTypeServiceControlPolicy}))
	ou := must(org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: &root, Name: aws.String("Workloads")})).OrganizationalUnit.Id
	req := must(org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("dev"), Email: aws.String("dev@example.com")}))
	acct := must(org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: req.CreateAccountStatus.Id})).CreateAccountStatus.AccountId
	must(org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: acct, SourceParentId: &root, DestinationParentId: ou}))
	must(org.TagResource(ctx, &organizations.TagResourceInput{ResourceId: acct, Tags: []types.Tag{{Key: aws.String("Team"), Value: aws.String("web")}}}))
	pol := must(org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("DenyLeave"), Description: aws.String("d"), Type: types.PolicyTypeServiceControlPolicy,
		Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`)})).Policy.PolicySummary.Id
	must(org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pol, TargetId: ou}))
	sso := ssoadmin.NewFromConfig(awsCfg)
	inst := must(sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})).Instances[0]
	group := must(identitystore.NewFromConfig(awsCfg).ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: inst.IdentityStoreId})).Groups[0].GroupId
	ps := must(sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: inst.InstanceArn, Name: aws.String("Dev")})).PermissionSet.PermissionSetArn
	must(sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: inst.InstanceArn, PermissionSetArn: ps, PrincipalId: group,
		PrincipalType: ssotypes.PrincipalTypeGroup, TargetId: acct, TargetType: ssotypes.TargetTypeAwsAccount}))
	must(budgets.NewFromConfig(awsCfg).CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: aws.String("111111111111"), Budget: &btypes.Budget{
		BudgetName: aws.String("Monthly"), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly, BudgetLimit: &btypes.Spend{Amount: aws.String("100"), Unit: aws.String("USD")}}}))
	must(cloudtrail.NewFromConfig(awsCfg).CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("org-trail"), S3BucketName: aws.String("logs"), IsOrganizationTrail: aws.Bool(true)}))

	written, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(written, rawState(t, sim)) {
		t.Fatal("the state file is not GET /_sim/state after the last change")
	}

	// A new simulator loads it: the same state, served as before.
	again, awsCfg2, _ := simConfig(t, awssim.DefaultConfig())
	if err := again.Load(written); err != nil {
		t.Fatal(err)
	}
	if !sameJSON(t, rawState(t, again), written) {
		t.Fatalf("the loaded state differs:\n%s\n---\n%s", rawState(t, again), written)
	}
	org2 := organizations.NewFromConfig(awsCfg2)
	parents := must(org2.ListParents(ctx, &organizations.ListParentsInput{ChildId: acct}))
	targets := must(org2.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: pol}))
	if aws.ToString(parents.Parents[0].Id) != aws.ToString(ou) || aws.ToString(targets.Targets[0].TargetId) != aws.ToString(ou) {
		t.Fatal("the loaded organization lost a placement or an attachment")
	}
	as := must(ssoadmin.NewFromConfig(awsCfg2).ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: inst.InstanceArn, AccountId: acct, PermissionSetArn: ps}))
	if len(as.AccountAssignments) != 1 || aws.ToString(as.AccountAssignments[0].PrincipalId) != aws.ToString(group) {
		t.Fatal("the loaded Identity Center lost an assignment")
	}
	must(org2.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: &root, Name: aws.String("Sandbox")}))
	ous := must(org2.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: &root}))
	if !slices.ContainsFunc(ous.OrganizationalUnits, func(o types.OrganizationalUnit) bool { return aws.ToString(o.Name) == "Workloads" }) || len(ous.OrganizationalUnits) != 2 {
		t.Fatal("the loaded organization does not go on")
	}
	if err := again.Load([]byte(`{"organization":{}}`)); err == nil {
		t.Fatal("a document without the saved state was loaded")
	}
}

// sameJSON compares documents as data (a loaded 1796083200.000 is 1796083200).
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}
