// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/awsorg/awsorg-operator/internal/awssim"
	"github.com/awsorg/awsorg-operator/internal/awssim/model"
)

func simConfig(t *testing.T, cfg awssim.Config) (*awssim.Server, aws.Config, *recorder) {
	t.Helper()
	sim := awssim.New(cfg)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	rec := &recorder{}
	return sim, aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), HTTPClient: &http.Client{Transport: rec},
		Credentials: credentials.NewStaticCredentialsProvider("AKIA", "secret", ""), RetryMaxAttempts: 1}, rec
}

// must and fails check a call's error; they panic, failing the test with the line.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func fails[T any](_ T, err error) {
	if err == nil {
		panic("want an error")
	}
}

func TestIdentityCenterConformance(t *testing.T) {
	cfg := awssim.DefaultConfig()
	cfg.SSODelay = 0
	cfg.CreateAccountDelay = 0
	cfg.CustomerManagedPolicies = []string{"exists"}
	sim, awsCfg, rec := simConfig(t, cfg)
	ctx := context.Background()
	sso, ids, org := ssoadmin.NewFromConfig(awsCfg), identitystore.NewFromConfig(awsCfg), organizations.NewFromConfig(awsCfg)
	acct := must(org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("A"), Email: aws.String("a@example.com")}))
	st := must(org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: acct.CreateAccountStatus.Id}))
	accountID := st.CreateAccountStatus.AccountId

	inst := must(sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})).Instances[0]
	group := must(ids.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: inst.IdentityStoreId,
		AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{Value: idtypes.UniqueAttribute{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("Platform")}}}))
	must(ids.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: inst.IdentityStoreId,
		AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{Value: idtypes.UniqueAttribute{AttributePath: aws.String("userName"), AttributeValue: document.NewLazyDocument("alice")}}}))
	fails(ids.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: inst.IdentityStoreId,
		AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{Value: idtypes.UniqueAttribute{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("Nobody")}}}))
	groups := must(ids.ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: inst.IdentityStoreId}))
	users := must(ids.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: inst.IdentityStoreId}))
	if len(groups.Groups) != 3 || len(users.Users) != 2 || aws.ToString(users.Users[0].UserName) != "alice" {
		t.Fatalf("ListGroups, ListUsers: %+v %+v", groups.Groups, users.Users)
	}
	if g := must(ids.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: inst.IdentityStoreId, GroupId: group.GroupId})); aws.ToString(g.DisplayName) != "Platform" {
		t.Fatalf("DescribeGroup: %+v", g)
	}
	must(ids.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: inst.IdentityStoreId, UserId: users.Users[0].UserId}))
	fails(ids.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: inst.IdentityStoreId, UserId: aws.String("nobody")}))

	in := inst.InstanceArn
	ps := must(sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: in, Name: aws.String("Admin"), SessionDuration: aws.String("PT8H")})).PermissionSet
	fails(sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: in, Name: aws.String("Admin")}))
	arn := ps.PermissionSetArn
	must(sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: in, PermissionSetArn: arn}))
	must(sso.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: in, PermissionSetArn: arn, Description: aws.String("d")}))
	must(sso.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: in}))
	policy := aws.String("arn:aws:iam::aws:policy/AdministratorAccess")
	must(sso.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: in, PermissionSetArn: arn, ManagedPolicyArn: policy}))
	fails(sso.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: in, PermissionSetArn: arn, ManagedPolicyArn: policy}))
	must(sso.ListManagedPoliciesInPermissionSet(ctx, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: in, PermissionSetArn: arn}))
	ref := &ssotypes.CustomerManagedPolicyReference{Name: aws.String("exists")}
	must(sso.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, &ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput{InstanceArn: in, PermissionSetArn: arn, CustomerManagedPolicyReference: ref}))
	must(sso.ListCustomerManagedPolicyReferencesInPermissionSet(ctx, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: in, PermissionSetArn: arn}))
	must(sso.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: in, PermissionSetArn: arn, InlinePolicy: aws.String(`{"Version":"2012-10-17","Statement":[]}`)}))
	must(sso.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: in, PermissionSetArn: arn}))
	must(sso.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{InstanceArn: in, PermissionSetArn: arn,
		PermissionsBoundary: &ssotypes.PermissionsBoundary{ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")}}))
	must(sso.GetPermissionsBoundaryForPermissionSet(ctx, &ssoadmin.GetPermissionsBoundaryForPermissionSetInput{InstanceArn: in, PermissionSetArn: arn}))

	created := must(sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: in, PermissionSetArn: arn, TargetId: accountID,
		TargetType: ssotypes.TargetTypeAwsAccount, PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: group.GroupId}))
	must(sso.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: in,
		AccountAssignmentCreationRequestId: created.AccountAssignmentCreationStatus.RequestId}))
	must(sso.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: in, PermissionSetArn: arn, AccountId: accountID}))
	for _, f := range []*ssotypes.OperationStatusFilter{nil, {Status: ssotypes.StatusValuesInProgress}} {
		must(sso.ListAccountAssignmentCreationStatus(ctx, &ssoadmin.ListAccountAssignmentCreationStatusInput{InstanceArn: in, Filter: f}))
		must(sso.ListAccountAssignmentDeletionStatus(ctx, &ssoadmin.ListAccountAssignmentDeletionStatusInput{InstanceArn: in, Filter: f}))
		must(sso.ListPermissionSetProvisioningStatus(ctx, &ssoadmin.ListPermissionSetProvisioningStatusInput{InstanceArn: in, Filter: f}))
	}
	if got := must(sso.ListAccountAssignmentCreationStatus(ctx, &ssoadmin.ListAccountAssignmentCreationStatusInput{InstanceArn: in})); len(got.AccountAssignmentsCreationStatus) != 1 ||
		got.AccountAssignmentsCreationStatus[0].Status != ssotypes.StatusValuesSucceeded {
		t.Fatalf("creation requests: %+v", got.AccountAssignmentsCreationStatus)
	}
	byPrincipal := must(sso.ListAccountAssignmentsForPrincipal(ctx, &ssoadmin.ListAccountAssignmentsForPrincipalInput{InstanceArn: in,
		PrincipalId: group.GroupId, PrincipalType: ssotypes.PrincipalTypeGroup, Filter: &ssotypes.ListAccountAssignmentsFilter{AccountId: accountID}}))
	if len(byPrincipal.AccountAssignments) != 1 || aws.ToString(byPrincipal.AccountAssignments[0].PermissionSetArn) != aws.ToString(arn) {
		t.Fatalf("assignments of the group: %+v", byPrincipal.AccountAssignments)
	}
	fails(sso.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: in, PermissionSetArn: arn}))
	prov := must(sso.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: in, PermissionSetArn: arn, TargetType: ssotypes.ProvisionTargetTypeAllProvisionedAccounts}))
	must(sso.DescribePermissionSetProvisioningStatus(ctx, &ssoadmin.DescribePermissionSetProvisioningStatusInput{InstanceArn: in,
		ProvisionPermissionSetRequestId: prov.PermissionSetProvisioningStatus.RequestId}))
	accts := must(sso.ListAccountsForProvisionedPermissionSet(ctx, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: in, PermissionSetArn: arn}))
	if len(accts.AccountIds) > 0 {
		sets := must(sso.ListPermissionSetsProvisionedToAccount(ctx, &ssoadmin.ListPermissionSetsProvisionedToAccountInput{InstanceArn: in, AccountId: &accts.AccountIds[0]}))
		if !slices.Contains(sets.PermissionSets, aws.ToString(arn)) {
			t.Fatalf("ListPermissionSetsProvisionedToAccount %v lacks %s", sets.PermissionSets, aws.ToString(arn))
		}
	} else {
		must(sso.ListPermissionSetsProvisionedToAccount(ctx, &ssoadmin.ListPermissionSetsProvisionedToAccountInput{InstanceArn: in, AccountId: accountID}))
	}
	must(sso.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: in, ResourceArn: arn, Tags: []ssotypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))
	must(sso.ListTagsForResource(ctx, &ssoadmin.ListTagsForResourceInput{InstanceArn: in, ResourceArn: arn}))
	must(sso.UntagResource(ctx, &ssoadmin.UntagResourceInput{InstanceArn: in, ResourceArn: arn, TagKeys: []string{"k"}}))
	deleted := must(sso.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: in, PermissionSetArn: arn, TargetId: accountID,
		TargetType: ssotypes.TargetTypeAwsAccount, PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: group.GroupId}))
	must(sso.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{InstanceArn: in,
		AccountAssignmentDeletionRequestId: deleted.AccountAssignmentDeletionStatus.RequestId}))
	must(sso.DetachCustomerManagedPolicyReferenceFromPermissionSet(ctx, &ssoadmin.DetachCustomerManagedPolicyReferenceFromPermissionSetInput{InstanceArn: in, PermissionSetArn: arn, CustomerManagedPolicyReference: ref}))
	must(sso.DetachManagedPolicyFromPermissionSet(ctx, &ssoadmin.DetachManagedPolicyFromPermissionSetInput{InstanceArn: in, PermissionSetArn: arn, ManagedPolicyArn: policy}))
	must(sso.DeleteInlinePolicyFromPermissionSet(ctx, &ssoadmin.DeleteInlinePolicyFromPermissionSetInput{InstanceArn: in, PermissionSetArn: arn}))
	must(sso.DeletePermissionsBoundaryFromPermissionSet(ctx, &ssoadmin.DeletePermissionsBoundaryFromPermissionSetInput{InstanceArn: in, PermissionSetArn: arn}))
	must(sso.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: in, PermissionSetArn: arn}))
	fails(sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: in, PermissionSetArn: arn}))

	must(sso.DescribeInstance(ctx, &ssoadmin.DescribeInstanceInput{InstanceArn: in}))
	must(sso.ListApplications(ctx, &ssoadmin.ListApplicationsInput{InstanceArn: in}))
	must(sso.ListApplicationProviders(ctx, &ssoadmin.ListApplicationProvidersInput{}))
	must(sso.ListTrustedTokenIssuers(ctx, &ssoadmin.ListTrustedTokenIssuersInput{InstanceArn: in}))
	app := aws.String("arn:aws:sso::111111111111:application/ssoins-1/apl-1")
	fails(sso.DescribeApplication(ctx, &ssoadmin.DescribeApplicationInput{ApplicationArn: app}))
	fails(sso.DescribeApplicationAssignment(ctx, &ssoadmin.DescribeApplicationAssignmentInput{ApplicationArn: app, PrincipalId: group.GroupId, PrincipalType: ssotypes.PrincipalTypeGroup}))
	fails(sso.DescribeApplicationProvider(ctx, &ssoadmin.DescribeApplicationProviderInput{ApplicationProviderArn: aws.String("arn:aws:sso::aws:applicationProvider/custom")}))
	fails(sso.DescribeInstanceAccessControlAttributeConfiguration(ctx, &ssoadmin.DescribeInstanceAccessControlAttributeConfigurationInput{InstanceArn: in}))
	fails(sso.DescribeTrustedTokenIssuer(ctx, &ssoadmin.DescribeTrustedTokenIssuerInput{TrustedTokenIssuerArn: aws.String("arn:aws:sso::111111111111:trustedTokenIssuer/ssoins-1/tti-1")}))
	fails(sso.GetApplicationAccessScope(ctx, &ssoadmin.GetApplicationAccessScopeInput{ApplicationArn: app, Scope: aws.String("sso:account:access")}))
	fails(sso.GetApplicationAssignmentConfiguration(ctx, &ssoadmin.GetApplicationAssignmentConfigurationInput{ApplicationArn: app}))
	fails(sso.GetApplicationAuthenticationMethod(ctx, &ssoadmin.GetApplicationAuthenticationMethodInput{ApplicationArn: app, AuthenticationMethodType: ssotypes.AuthenticationMethodTypeIam}))
	fails(sso.GetApplicationGrant(ctx, &ssoadmin.GetApplicationGrantInput{ApplicationArn: app, GrantType: ssotypes.GrantTypeRefreshToken}))
	fails(sso.ListApplicationAccessScopes(ctx, &ssoadmin.ListApplicationAccessScopesInput{ApplicationArn: app}))
	fails(sso.ListApplicationAssignments(ctx, &ssoadmin.ListApplicationAssignmentsInput{ApplicationArn: app}))
	fails(sso.ListApplicationAuthenticationMethods(ctx, &ssoadmin.ListApplicationAuthenticationMethodsInput{ApplicationArn: app}))
	fails(sso.ListApplicationGrants(ctx, &ssoadmin.ListApplicationGrantsInput{ApplicationArn: app}))
	must(sso.ListApplicationAssignmentsForPrincipal(ctx, &ssoadmin.ListApplicationAssignmentsForPrincipalInput{InstanceArn: in, PrincipalId: group.GroupId, PrincipalType: ssotypes.PrincipalTypeGroup}))
	must(ids.ListGroupMemberships(ctx, &identitystore.ListGroupMembershipsInput{IdentityStoreId: inst.IdentityStoreId, GroupId: group.GroupId}))
	must(ids.ListGroupMembershipsForMember(ctx, &identitystore.ListGroupMembershipsForMemberInput{IdentityStoreId: inst.IdentityStoreId,
		MemberId: &idtypes.MemberIdMemberUserId{Value: aws.ToString(users.Users[0].UserId)}}))
	fails(ids.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: inst.IdentityStoreId, GroupId: group.GroupId,
		MemberId: &idtypes.MemberIdMemberUserId{Value: aws.ToString(users.Users[0].UserId)}}))
	fails(ids.DescribeGroupMembership(ctx, &identitystore.DescribeGroupMembershipInput{IdentityStoreId: inst.IdentityStoreId, MembershipId: aws.String("m-1")}))
	checkExchanges(t, sim, rec, model.SSOAdmin.TargetPrefix)
	checkExchanges(t, sim, rec, model.IdentityStore.TargetPrefix)
}

func TestBudgetsConformance(t *testing.T) {
	sim, awsCfg, rec := simConfig(t, awssim.DefaultConfig())
	ctx := context.Background()
	c := budgets.NewFromConfig(awsCfg)
	acct := aws.String("111111111111")
	n := &btypes.Notification{NotificationType: btypes.NotificationTypeActual, ComparisonOperator: btypes.ComparisonOperatorGreaterThan, Threshold: 80}
	sub := &btypes.Subscriber{SubscriptionType: btypes.SubscriptionTypeEmail, Address: aws.String("alerts@example.com")}
	b := &btypes.Budget{BudgetName: aws.String("Monthly"), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
		BudgetLimit: &btypes.Spend{Amount: aws.String("1000"), Unit: aws.String("USD")}}
	must(c.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: acct, Budget: b,
		NotificationsWithSubscribers: []btypes.NotificationWithSubscribers{{Notification: n, Subscribers: []btypes.Subscriber{*sub}}},
		ResourceTags:                 []btypes.ResourceTag{{Key: aws.String("k"), Value: aws.String("v")}}}))
	fails(c.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: acct, Budget: b}))
	bad := *b
	bad.BudgetName = aws.String("a:b")
	if _, err := c.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: acct, Budget: &bad}); err == nil || !strings.Contains(err.Error(), "not allowed") {
		t.Fatalf("a budget name with ':' must be refused, got %v", err)
	}
	if err := sim.SetBudgetSpend("Monthly", "412.50", "980"); err != nil {
		t.Fatal(err)
	}
	got := must(c.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: acct, BudgetName: aws.String("Monthly")}))
	if aws.ToString(got.Budget.CalculatedSpend.ActualSpend.Amount) != "412.5" || aws.ToString(got.Budget.BudgetLimit.Amount) != "1000.0" {
		t.Fatalf("spend %+v limit %+v", got.Budget.CalculatedSpend.ActualSpend, got.Budget.BudgetLimit)
	}
	fails(c.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: acct, BudgetName: aws.String("Nope")}))
	must(c.DescribeBudgets(ctx, &budgets.DescribeBudgetsInput{AccountId: acct}))
	b.BudgetLimit.Amount = aws.String("2000")
	must(c.UpdateBudget(ctx, &budgets.UpdateBudgetInput{AccountId: acct, NewBudget: b}))
	notes := must(c.DescribeNotificationsForBudget(ctx, &budgets.DescribeNotificationsForBudgetInput{AccountId: acct, BudgetName: b.BudgetName}))
	if len(notes.Notifications) != 1 || notes.Notifications[0].ThresholdType != "" {
		t.Fatalf("notifications: %+v (a PERCENTAGE threshold type is omitted, as AWS does)", notes.Notifications)
	}
	n2 := &btypes.Notification{NotificationType: btypes.NotificationTypeForecasted, ComparisonOperator: btypes.ComparisonOperatorGreaterThan, Threshold: 100, ThresholdType: btypes.ThresholdTypePercentage}
	must(c.CreateNotification(ctx, &budgets.CreateNotificationInput{AccountId: acct, BudgetName: b.BudgetName, Notification: n2, Subscribers: []btypes.Subscriber{*sub}}))
	fails(c.CreateNotification(ctx, &budgets.CreateNotificationInput{AccountId: acct, BudgetName: b.BudgetName, Notification: n2, Subscribers: []btypes.Subscriber{*sub}}))
	sub2 := &btypes.Subscriber{SubscriptionType: btypes.SubscriptionTypeEmail, Address: aws.String("more@example.com")}
	must(c.CreateSubscriber(ctx, &budgets.CreateSubscriberInput{AccountId: acct, BudgetName: b.BudgetName, Notification: n2, Subscriber: sub2}))
	must(c.DescribeSubscribersForNotification(ctx, &budgets.DescribeSubscribersForNotificationInput{AccountId: acct, BudgetName: b.BudgetName, Notification: n2}))
	must(c.DeleteSubscriber(ctx, &budgets.DeleteSubscriberInput{AccountId: acct, BudgetName: b.BudgetName, Notification: n2, Subscriber: sub2}))
	must(c.DeleteNotification(ctx, &budgets.DeleteNotificationInput{AccountId: acct, BudgetName: b.BudgetName, Notification: n2}))
	arn := aws.String("arn:aws:budgets::111111111111:budget/Monthly")
	must(c.TagResource(ctx, &budgets.TagResourceInput{ResourceARN: arn, ResourceTags: []btypes.ResourceTag{{Key: aws.String("a"), Value: aws.String("b")}}}))
	must(c.ListTagsForResource(ctx, &budgets.ListTagsForResourceInput{ResourceARN: arn}))
	must(c.UntagResource(ctx, &budgets.UntagResourceInput{ResourceARN: arn, ResourceTagKeys: []string{"a"}}))
	if notes := must(c.DescribeBudgetNotificationsForAccount(ctx, &budgets.DescribeBudgetNotificationsForAccountInput{AccountId: acct})); len(notes.BudgetNotificationsForAccount) != 1 {
		t.Fatalf("DescribeBudgetNotificationsForAccount: %+v", notes.BudgetNotificationsForAccount)
	}
	must(c.DescribeBudgetActionsForAccount(ctx, &budgets.DescribeBudgetActionsForAccountInput{AccountId: acct}))
	must(c.DescribeBudgetActionsForBudget(ctx, &budgets.DescribeBudgetActionsForBudgetInput{AccountId: acct, BudgetName: b.BudgetName}))
	fails(c.DescribeBudgetAction(ctx, &budgets.DescribeBudgetActionInput{AccountId: acct, BudgetName: b.BudgetName, ActionId: aws.String("00000000-0000-0000-0000-000000000000")}))
	fails(c.DescribeBudgetActionHistories(ctx, &budgets.DescribeBudgetActionHistoriesInput{AccountId: acct, BudgetName: b.BudgetName, ActionId: aws.String("00000000-0000-0000-0000-000000000000")}))
	perf := must(c.DescribeBudgetPerformanceHistory(ctx, &budgets.DescribeBudgetPerformanceHistoryInput{AccountId: acct, BudgetName: b.BudgetName}))
	if h := perf.BudgetPerformanceHistory; h == nil || aws.ToString(h.BudgetName) != aws.ToString(b.BudgetName) || len(h.BudgetedAndActualAmountsList) != 1 ||
		h.BudgetedAndActualAmountsList[0].BudgetedAmount == nil {
		t.Fatalf("DescribeBudgetPerformanceHistory: %+v", perf.BudgetPerformanceHistory)
	}
	must(c.DeleteBudget(ctx, &budgets.DeleteBudgetInput{AccountId: acct, BudgetName: b.BudgetName}))
	checkExchanges(t, sim, rec, model.Budgets.TargetPrefix)
}

func TestCloudTrailConformance(t *testing.T) {
	cfg := awssim.DefaultConfig()
	cfg.MissingBuckets = []string{"missing-bucket"}
	sim, awsCfg, rec := simConfig(t, cfg)
	ctx := context.Background()
	c := cloudtrail.NewFromConfig(awsCfg)
	name := aws.String("org-trail")
	must(c.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: name, S3BucketName: aws.String("logs"), IsOrganizationTrail: aws.Bool(true),
		IsMultiRegionTrail: aws.Bool(true), EnableLogFileValidation: aws.Bool(true), KmsKeyId: aws.String("alias/cloudtrail-key")}))
	fails(c.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: name, S3BucketName: aws.String("logs")}))
	fails(c.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("my--trail"), S3BucketName: aws.String("logs")}))
	fails(c.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("other"), S3BucketName: aws.String("missing-bucket")}))
	tr := must(c.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: name})).Trail
	if aws.ToString(tr.HomeRegion) != "us-east-1" || !aws.ToBool(tr.IsOrganizationTrail) || aws.ToString(tr.KmsKeyId) == "alias/cloudtrail-key" {
		t.Fatalf("trail: %+v (the KMS key id is reported as a key ARN)", tr)
	}
	fails(c.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("nope")}))
	if l := must(c.ListTrails(ctx, &cloudtrail.ListTrailsInput{})); len(l.Trails) != 1 || aws.ToString(l.Trails[0].Name) != "org-trail" {
		t.Fatalf("ListTrails: %+v", l.Trails)
	}
	if d := must(c.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{aws.ToString(tr.TrailARN)}})); len(d.TrailList) != 1 || !aws.ToBool(d.TrailList[0].IsOrganizationTrail) {
		t.Fatalf("DescribeTrails: %+v", d.TrailList)
	}
	must(c.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: name, S3KeyPrefix: aws.String("p")}))
	if st := must(c.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: name})); aws.ToBool(st.IsLogging) {
		t.Fatal("a new trail must not log until StartLogging")
	}
	must(c.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: name}))
	must(c.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: name}))
	must(c.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: name}))
	sel := []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true),
		DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3:::sensitive-bucket/"}}}}}
	must(c.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: name, EventSelectors: sel}))
	fails(c.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: name, EventSelectors: sel,
		AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Data"}}}}}}))
	fails(c.GetInsightSelectors(ctx, &cloudtrail.GetInsightSelectorsInput{TrailName: name}))
	must(c.PutInsightSelectors(ctx, &cloudtrail.PutInsightSelectorsInput{TrailName: name, InsightSelectors: []cttypes.InsightSelector{{InsightType: cttypes.InsightTypeApiCallRateInsight}}}))
	must(c.GetInsightSelectors(ctx, &cloudtrail.GetInsightSelectorsInput{TrailName: name}))
	arn := tr.TrailARN
	must(c.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: arn, TagsList: []cttypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))
	must(c.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{aws.ToString(arn)}}))
	must(c.RemoveTags(ctx, &cloudtrail.RemoveTagsInput{ResourceId: arn, TagsList: []cttypes.Tag{{Key: aws.String("k")}}}))
	must(c.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: name}))
	must(c.ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{}))
	must(c.ListChannels(ctx, &cloudtrail.ListChannelsInput{}))
	must(c.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{}))
	must(c.ListImports(ctx, &cloudtrail.ListImportsInput{}))
	store := aws.String("arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/00000000-0000-0000-0000-000000000000")
	fails(c.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: store}))
	fails(c.ListQueries(ctx, &cloudtrail.ListQueriesInput{EventDataStore: store}))
	fails(c.DescribeQuery(ctx, &cloudtrail.DescribeQueryInput{QueryId: aws.String("00000000-0000-0000-0000-000000000000")}))
	fails(c.GetQueryResults(ctx, &cloudtrail.GetQueryResultsInput{EventDataStore: store, QueryId: aws.String("00000000-0000-0000-0000-000000000000")}))
	fails(c.GetChannel(ctx, &cloudtrail.GetChannelInput{Channel: aws.String("arn:aws:cloudtrail:us-east-1:111111111111:channel/00000000-0000-0000-0000-000000000000")}))
	fails(c.GetDashboard(ctx, &cloudtrail.GetDashboardInput{DashboardId: aws.String("arn:aws:cloudtrail:us-east-1:111111111111:dashboard/none")}))
	must(c.ListDashboards(ctx, &cloudtrail.ListDashboardsInput{}))
	fails(c.GetImport(ctx, &cloudtrail.GetImportInput{ImportId: aws.String("00000000-0000-0000-0000-000000000000")}))
	must(c.ListImportFailures(ctx, &cloudtrail.ListImportFailuresInput{ImportId: aws.String("00000000-0000-0000-0000-000000000000")}))
	fails(c.GetResourcePolicy(ctx, &cloudtrail.GetResourcePolicyInput{ResourceArn: arn}))
	must(c.ListInsightsMetricData(ctx, &cloudtrail.ListInsightsMetricDataInput{EventSource: aws.String("iam.amazonaws.com"), EventName: aws.String("CreateUser"),
		InsightType: cttypes.InsightTypeApiCallRateInsight}))
	if ev := must(c.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("CreateTrail")}}})); len(ev.Events) != 1 {
		t.Fatalf("LookupEvents(EventName=CreateTrail): %d events, want the one that succeeded", len(ev.Events))
	}
	fails(c.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(0)}))
	checkExchanges(t, sim, rec, model.CloudTrail.TargetPrefix)
}
