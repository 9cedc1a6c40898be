// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/awsorg/awsorg-operator/internal/awssim"
)

func rootOf(t *testing.T, c *organizations.Client) *string {
	t.Helper()
	out, err := c.ListRoots(context.Background(), &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	return out.Roots[0].Id
}

func TestCreateAccountIsAsynchronousAndLimited(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	cfg := awssim.DefaultConfig()
	cfg.ExternalEmails = []string{"outside@example.com"}
	sim, c, _ := newClients(t, cfg)
	sim.SetClock(func() time.Time { return now })

	var ids []*string
	for i := range 5 {
		out, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("A"), Email: aws.String(string(rune('a'+i)) + "@example.com")})
		if err != nil {
			t.Fatal(err)
		}
		if out.CreateAccountStatus.State != types.CreateAccountStateInProgress {
			t.Fatalf("state %s, want IN_PROGRESS", out.CreateAccountStatus.State)
		}
		ids = append(ids, out.CreateAccountStatus.Id)
	}
	_, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("F"), Email: aws.String("f@example.com")})
	var cv *types.ConstraintViolationException
	if !errors.As(err, &cv) || cv.Reason != types.ConstraintViolationExceptionReasonAccountCreationRateLimitExceeded {
		t.Fatalf("sixth create in progress: want ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED, got %v", err)
	}
	now = now.Add(2 * time.Second)
	st, err := c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: ids[0]})
	if err != nil || st.CreateAccountStatus.State != types.CreateAccountStateSucceeded || st.CreateAccountStatus.AccountId == nil {
		t.Fatalf("after the delay: %+v %v", st, err)
	}
	// New accounts land in the root; the email is unique, in and outside the org.
	if p, _ := c.ListParents(ctx, &organizations.ListParentsInput{ChildId: st.CreateAccountStatus.AccountId}); aws.ToString(p.Parents[0].Id) != aws.ToString(rootOf(t, c)) {
		t.Fatalf("new account under %s, want the root", aws.ToString(p.Parents[0].Id))
	}
	for _, email := range []string{"a@example.com", "outside@example.com"} {
		out, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("Dup"), Email: aws.String(email)})
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(2 * time.Second)
		st, _ := c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
		if st.CreateAccountStatus.State != types.CreateAccountStateFailed || st.CreateAccountStatus.FailureReason != types.CreateAccountFailureReasonEmailAlreadyExists {
			t.Fatalf("%s: %+v", email, st.CreateAccountStatus)
		}
	}
}

func TestAccountQuota(t *testing.T) {
	cfg := awssim.DefaultConfig()
	cfg.MaxAccounts = 2
	cfg.CreateAccountDelay = 0
	_, c, _ := newClients(t, cfg)
	ctx := context.Background()
	if _, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("A"), Email: aws.String("a@example.com")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("B"), Email: aws.String("b@example.com")})
	var cv *types.ConstraintViolationException
	if !errors.As(err, &cv) || cv.Reason != types.ConstraintViolationExceptionReasonAccountNumberLimitExceeded {
		t.Fatalf("want ACCOUNT_NUMBER_LIMIT_EXCEEDED, got %v", err)
	}
}

func TestOUsAndPolicies(t *testing.T) {
	cfg := awssim.DefaultConfig()
	cfg.CreateAccountDelay = 0
	_, c, _ := newClients(t, cfg)
	ctx := context.Background()
	root := rootOf(t, c)

	// Depth 5 under the root, duplicate names per parent refused, same name elsewhere fine.
	parent := root
	for i := range 5 {
		out, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: parent, Name: aws.String("L")})
		if err != nil {
			t.Fatalf("level %d: %v", i+1, err)
		}
		parent = out.OrganizationalUnit.Id
	}
	_, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: parent, Name: aws.String("L")})
	var cv *types.ConstraintViolationException
	if !errors.As(err, &cv) || cv.Reason != types.ConstraintViolationExceptionReasonOuDepthLimitExceeded {
		t.Fatalf("sixth level: want OU_DEPTH_LIMIT_EXCEEDED, got %v", err)
	}
	_, err = c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String("L")})
	var dup *types.DuplicateOrganizationalUnitException
	if !errors.As(err, &dup) {
		t.Fatalf("duplicate OU name: got %v", err)
	}

	// SCPs: FullAWSAccess everywhere once enabled, at most 5 per target, at least 1.
	if _, err := c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: root, PolicyType: types.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	pols, _ := c.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: parent, Filter: types.PolicyTypeServiceControlPolicy})
	if len(pols.Policies) != 1 || aws.ToString(pols.Policies[0].Name) != "FullAWSAccess" {
		t.Fatalf("policies on an OU: %+v", pols.Policies)
	}
	doc := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`)
	for i := range 5 {
		p, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(string(rune('P' + i))), Description: aws.String(""), Content: doc, Type: types.PolicyTypeServiceControlPolicy})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: p.Policy.PolicySummary.Id, TargetId: root})
		if i < 4 && err != nil {
			t.Fatal(err)
		}
		if i == 4 && (!errors.As(err, &cv) || cv.Reason != types.ConstraintViolationExceptionReasonMaxPolicyTypeAttachmentLimitExceeded) {
			t.Fatalf("sixth SCP on the root: got %v", err)
		}
	}
	_, err = c.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: parent})
	if !errors.As(err, &cv) || cv.Reason != types.ConstraintViolationExceptionReasonMinPolicyTypeAttachmentLimitExceeded {
		t.Fatalf("detaching the last SCP: got %v", err)
	}
	_, err = c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("P"), Description: aws.String(""), Content: doc, Type: types.PolicyTypeServiceControlPolicy})
	var dp *types.DuplicatePolicyException
	if !errors.As(err, &dp) {
		t.Fatalf("duplicate policy name: got %v", err)
	}
}

func TestPaginationLimitsAndValidation(t *testing.T) {
	cfg := awssim.DefaultConfig()
	cfg.CreateAccountDelay = 0
	_, c, rec := newClients(t, cfg)
	ctx := context.Background()
	for i := range 25 {
		if _, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("A"), Email: aws.String(strings.Repeat("x", i+1) + "@example.com")}); err != nil {
			t.Fatal(err)
		}
	}
	first, err := c.ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil || len(first.Accounts) != 20 || first.NextToken == nil {
		t.Fatalf("first page: %d accounts, token %v, %v", len(first.Accounts), first.NextToken, err)
	}
	last, err := c.ListAccounts(ctx, &organizations.ListAccountsInput{NextToken: first.NextToken})
	if err != nil || len(last.Accounts) != 6 || last.NextToken != nil {
		t.Fatalf("last page: %d accounts, token %v, %v", len(last.Accounts), last.NextToken, err)
	}
	body := rec.log[len(rec.log)-1].body
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(body, &raw)
	if _, ok := raw["NextToken"]; ok && string(raw["NextToken"]) != "null" {
		t.Fatalf("the last page carries a NextToken: %s", raw["NextToken"])
	}
	_, err = c.ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(21)})
	var ii *types.InvalidInputException
	if !errors.As(err, &ii) || ii.Reason != types.InvalidInputExceptionReasonMaxValueExceeded {
		t.Fatalf("MaxResults 21: got %v", err)
	}
	_, err = c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String("not-an-id"), Name: aws.String("x")})
	if !errors.As(err, &ii) || ii.Reason != types.InvalidInputExceptionReasonInvalidPattern {
		t.Fatalf("bad ParentId: got %v", err)
	}
}

func TestStateEndpoint(t *testing.T) {
	sim := awssim.New(awssim.DefaultConfig())
	rec := &httpRecorder{header: http.Header{}}
	req, _ := http.NewRequest(http.MethodGet, "/_sim/state", nil)
	sim.ServeHTTP(rec, req)
	var state struct {
		Organization struct {
			ManagementAccountID string `json:"managementAccountId"`
			Accounts            []map[string]any
		}
	}
	if err := json.Unmarshal(rec.body, &state); err != nil || state.Organization.ManagementAccountID != "111111111111" || len(state.Organization.Accounts) != 1 {
		t.Fatalf("state: %s %v", rec.body, err)
	}
}

type httpRecorder struct {
	header http.Header
	body   []byte
	status int
}

func (r *httpRecorder) Header() http.Header { return r.header }
func (r *httpRecorder) Write(b []byte) (int, error) {
	r.body = append(r.body, b...)
	return len(b), nil
}
func (r *httpRecorder) WriteHeader(s int) { r.status = s }

func TestOnlyTheManagementAccountCreatesAnOrganizationTrail(t *testing.T) {
	cfg := awssim.DefaultConfig()
	cfg.CallerAccountID = "222222222222"
	_, awsCfg, _ := simConfig(t, cfg)
	_, err := cloudtrail.NewFromConfig(awsCfg).CreateTrail(context.Background(), &cloudtrail.CreateTrailInput{Name: aws.String("org"),
		S3BucketName: aws.String("logs"), IsOrganizationTrail: aws.Bool(true)})
	var notMgmt *cttypes.NotOrganizationMasterAccountException
	if !errors.As(err, &notMgmt) {
		t.Fatalf("want NotOrganizationMasterAccountException, got %v", err)
	}
}

func TestPermissionSetDeletionWaitsForAssignments(t *testing.T) {
	cfg := awssim.DefaultConfig()
	cfg.CreateAccountDelay, cfg.SSODelay = 0, time.Hour
	sim, awsCfg, _ := simConfig(t, cfg)
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	sim.SetClock(func() time.Time { return now })
	org, sso := organizations.NewFromConfig(awsCfg), ssoadmin.NewFromConfig(awsCfg)
	acct, _ := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("A"), Email: aws.String("a@example.com")})
	st, _ := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: acct.CreateAccountStatus.Id})
	inst, _ := sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	in := inst.Instances[0].InstanceArn
	ps, err := sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: in, Name: aws.String("P")})
	if err != nil {
		t.Fatal(err)
	}
	state := stateOf(t, sim)
	group := ""
	for id, name := range state.IdentityCenter.Groups {
		if name == "Platform" {
			group = id
		}
	}
	out, err := sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: in, PermissionSetArn: ps.PermissionSet.PermissionSetArn,
		TargetId: st.CreateAccountStatus.AccountId, TargetType: ssotypes.TargetTypeAwsAccount, PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: &group})
	if err != nil || out.AccountAssignmentCreationStatus.Status != ssotypes.StatusValuesInProgress {
		t.Fatalf("assignment: %+v %v", out, err)
	}
	_, err = sso.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: in, PermissionSetArn: ps.PermissionSet.PermissionSetArn})
	var conflict *ssotypes.ConflictException
	if !errors.As(err, &conflict) {
		t.Fatalf("deleting with an assignment in progress: want ConflictException, got %v", err)
	}
	now = now.Add(2 * time.Hour)
	done, _ := sso.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: in,
		AccountAssignmentCreationRequestId: out.AccountAssignmentCreationStatus.RequestId})
	if done.AccountAssignmentCreationStatus.Status != ssotypes.StatusValuesSucceeded {
		t.Fatalf("after the delay: %+v", done.AccountAssignmentCreationStatus)
	}
	if _, err = sso.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: in, PermissionSetArn: ps.PermissionSet.PermissionSetArn}); !errors.As(err, &conflict) {
		t.Fatalf("deleting with an assignment: want ConflictException, got %v", err)
	}
}

type simState struct {
	IdentityCenter struct {
		Groups map[string]string
	} `json:"identityCenter"`
}

func stateOf(t *testing.T, sim *awssim.Server) simState {
	t.Helper()
	rec := &httpRecorder{header: http.Header{}}
	req, _ := http.NewRequest(http.MethodGet, "/_sim/state", nil)
	sim.ServeHTTP(rec, req)
	var st simState
	if err := json.Unmarshal(rec.body, &st); err != nil {
		t.Fatal(err)
	}
	return st
}
