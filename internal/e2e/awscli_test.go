// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package e2e_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
)

// awsCLI runs the AWS CLI against the simulator and decodes its JSON answer.
type awsCLI struct {
	t   *testing.T
	bin string
	url string
}

// cliV2 returns the first AWS CLI v2 on PATH; v1 (botocore from pip) may come first.
func cliV2() (string, bool) {
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		bin := filepath.Join(dir, "aws")
		if out, err := exec.Command(bin, "--version").CombinedOutput(); err == nil && strings.HasPrefix(string(out), "aws-cli/2.") {
			return bin, true
		}
	}
	return "", false
}

func (c awsCLI) command(args ...string) *exec.Cmd {
	cmd := exec.Command(c.bin, append([]string{"--endpoint-url", c.url, "--region", "us-east-1", "--output", "json"}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIACLI", "AWS_SECRET_ACCESS_KEY=cli", "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true", "AWS_MAX_ATTEMPTS=1")
	return cmd
}

// fails runs a command that must fail with AWS's error code.
func (c awsCLI) fails(code string, args ...string) {
	c.t.Helper()
	out, err := c.command(args...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "("+code+")") {
		c.t.Fatalf("aws %s: want the error %s, got %v\n%s", strings.Join(args, " "), code, err, out)
	}
}

func (c awsCLI) run(args ...string) map[string]any {
	c.t.Helper()
	out, err := c.command(args...).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		c.t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	m := map[string]any{}
	if len(strings.TrimSpace(string(out))) > 0 {
		if err := json.Unmarshal(out, &m); err != nil {
			c.t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return m
}

func str(m map[string]any, path ...string) string {
	var v any = m
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			if len(x) == 0 {
				return ""
			}
			v = x[0].(map[string]any)[p]
		}
	}
	s, _ := v.(string)
	return s
}

// An org playbook rehearsed with the real AWS CLI (botocore) against the simulator
// binary: Organizations, Identity Center, Budgets, CloudTrail and STS.
func TestAWSCLIPlaybook(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binaries")
	}
	awsBin, ok := cliV2()
	if !ok {
		t.Skip("the AWS CLI v2 is not installed: install it (Debian 12: apt install awscli; or AWS's installer) to rehearse the playbook with it")
	}
	cli := awsCLI{t: t, bin: awsBin, url: startSimulator(t, filepath.Join(bin, "awssim"))}

	if str(cli.run("sts", "get-caller-identity"), "Account") != "111111111111" {
		t.Fatal("get-caller-identity")
	}
	cli.run("organizations", "describe-organization")
	root := str(cli.run("organizations", "list-roots"), "Roots", "Id")
	cli.run("organizations", "enable-policy-type", "--root-id", root, "--policy-type", "SERVICE_CONTROL_POLICY")
	ou := str(cli.run("organizations", "create-organizational-unit", "--parent-id", root, "--name", "Workloads"), "OrganizationalUnit", "Id")
	cli.run("organizations", "list-organizational-units-for-parent", "--parent-id", root)
	cli.run("organizations", "describe-organizational-unit", "--organizational-unit-id", ou)
	req := str(cli.run("organizations", "create-account", "--account-name", "dev", "--email", "dev@example.com"), "CreateAccountStatus", "Id")
	var account string
	for deadline := time.Now().Add(30 * time.Second); account == ""; time.Sleep(200 * time.Millisecond) {
		st := cli.run("organizations", "describe-create-account-status", "--create-account-request-id", req)
		if str(st, "CreateAccountStatus", "State") == "SUCCEEDED" {
			account = str(st, "CreateAccountStatus", "AccountId")
		}
		if time.Now().After(deadline) {
			t.Fatal("the account was never created")
		}
	}
	cli.run("organizations", "list-create-account-status", "--states", "SUCCEEDED")
	cli.run("organizations", "move-account", "--account-id", account, "--source-parent-id", root, "--destination-parent-id", ou)
	if str(cli.run("organizations", "list-parents", "--child-id", account), "Parents", "Id") != ou {
		t.Fatal("move-account did not move it")
	}
	cli.run("organizations", "list-accounts")
	cli.run("organizations", "list-accounts-for-parent", "--parent-id", ou)
	cli.run("organizations", "describe-account", "--account-id", account)
	cli.run("organizations", "list-children", "--parent-id", root, "--child-type", "ORGANIZATIONAL_UNIT")
	cli.run("organizations", "tag-resource", "--resource-id", account, "--tags", "Key=Team,Value=web")
	if str(cli.run("organizations", "list-tags-for-resource", "--resource-id", account), "Tags", "Value") != "web" {
		t.Fatal("tags")
	}
	policy := str(cli.run("organizations", "create-policy", "--name", "DenyLeave", "--type", "SERVICE_CONTROL_POLICY", "--description", "no leaving",
		"--content", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`), "Policy", "PolicySummary", "Id")
	cli.run("organizations", "attach-policy", "--policy-id", policy, "--target-id", ou)
	cli.run("organizations", "list-policies", "--filter", "SERVICE_CONTROL_POLICY")
	cli.run("organizations", "list-policies-for-target", "--target-id", ou, "--filter", "SERVICE_CONTROL_POLICY")
	cli.run("organizations", "describe-policy", "--policy-id", policy)
	if str(cli.run("organizations", "list-targets-for-policy", "--policy-id", policy), "Targets", "TargetId") != ou {
		t.Fatal("attach-policy")
	}

	inst := cli.run("sso-admin", "list-instances")
	in, store := str(inst, "Instances", "InstanceArn"), str(inst, "Instances", "IdentityStoreId")
	groups := cli.run("identitystore", "list-groups", "--identity-store-id", store)
	group := str(groups, "Groups", "GroupId")
	cli.run("identitystore", "describe-group", "--identity-store-id", store, "--group-id", group)
	cli.run("identitystore", "list-users", "--identity-store-id", store)
	cli.run("identitystore", "get-group-id", "--identity-store-id", store, "--alternate-identifier",
		`{"UniqueAttribute":{"AttributePath":"displayName","AttributeValue":"Developers"}}`)
	ps := str(cli.run("sso-admin", "create-permission-set", "--instance-arn", in, "--name", "ReadOnly", "--session-duration", "PT4H"), "PermissionSet", "PermissionSetArn")
	cli.run("sso-admin", "attach-managed-policy-to-permission-set", "--instance-arn", in, "--permission-set-arn", ps, "--managed-policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	cli.run("sso-admin", "list-permission-sets", "--instance-arn", in)
	cli.run("sso-admin", "describe-permission-set", "--instance-arn", in, "--permission-set-arn", ps)
	cli.run("sso-admin", "list-managed-policies-in-permission-set", "--instance-arn", in, "--permission-set-arn", ps)
	cli.run("sso-admin", "create-account-assignment", "--instance-arn", in, "--permission-set-arn", ps, "--principal-type", "GROUP", "--principal-id", group,
		"--target-type", "AWS_ACCOUNT", "--target-id", account)
	cli.run("sso-admin", "list-account-assignment-creation-status", "--instance-arn", in)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if str(cli.run("sso-admin", "list-account-assignments", "--instance-arn", in, "--account-id", account, "--permission-set-arn", ps), "AccountAssignments", "PrincipalId") == group {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the assignment was never made")
		}
	}
	cli.run("sso-admin", "list-permission-sets-provisioned-to-account", "--instance-arn", in, "--account-id", account)
	cli.run("sso-admin", "list-accounts-for-provisioned-permission-set", "--instance-arn", in, "--permission-set-arn", ps)
	cli.run("sso-admin", "provision-permission-set", "--instance-arn", in, "--permission-set-arn", ps, "--target-type", "ALL_PROVISIONED_ACCOUNTS")
	cli.run("sso-admin", "list-permission-set-provisioning-status", "--instance-arn", in)

	cli.run("budgets", "create-budget", "--account-id", "111111111111", "--budget",
		`{"BudgetName":"Monthly","BudgetLimit":{"Amount":"1000","Unit":"USD"},"TimeUnit":"MONTHLY","BudgetType":"COST"}`,
		"--notifications-with-subscribers", `[{"Notification":{"NotificationType":"ACTUAL","ComparisonOperator":"GREATER_THAN","Threshold":80},"Subscribers":[{"SubscriptionType":"EMAIL","Address":"finops@example.com"}]}]`)
	if str(cli.run("budgets", "describe-budgets", "--account-id", "111111111111"), "Budgets", "BudgetName") != "Monthly" {
		t.Fatal("describe-budgets")
	}
	cli.run("budgets", "describe-notifications-for-budget", "--account-id", "111111111111", "--budget-name", "Monthly")

	cli.run("cloudtrail", "create-trail", "--name", "org-trail", "--s3-bucket-name", "org-logs", "--is-organization-trail", "--is-multi-region-trail")
	cli.run("cloudtrail", "start-logging", "--name", "org-trail")
	if str(cli.run("cloudtrail", "describe-trails"), "trailList", "Name") != "org-trail" || str(cli.run("cloudtrail", "list-trails"), "Trails", "Name") != "org-trail" {
		t.Fatal("describe-trails, list-trails")
	}
	if st := cli.run("cloudtrail", "get-trail-status", "--name", "org-trail"); st["IsLogging"] != true {
		t.Fatalf("get-trail-status: %v", st)
	}
	cli.run("cloudtrail", "get-trail", "--name", "org-trail")
	cli.run("cloudtrail", "get-event-selectors", "--trail-name", "org-trail")
	// Who changed what: the playbook's own changes, newest first.
	if ev := cli.run("cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=StartLogging", "--max-results", "5"); str(ev, "Events", "EventName") != "StartLogging" {
		t.Fatalf("lookup-events: %v", ev)
	}

	// The read commands of what the simulator's organization does not have answer as
	// AWS answers an organization without it.
	cli.run("organizations", "list-handshakes-for-organization")
	cli.run("organizations", "list-delegated-administrators")
	cli.run("organizations", "list-aws-service-access-for-organization")
	cli.fails("EffectivePolicyNotFoundException", "organizations", "describe-effective-policy", "--policy-type", "TAG_POLICY", "--target-id", account)
	cli.fails("HandshakeNotFoundException", "organizations", "describe-handshake", "--handshake-id", "h-0123456789")
	cli.fails("ResourceNotFoundException", "sso-admin", "describe-instance-access-control-attribute-configuration", "--instance-arn", in)
	cli.run("identitystore", "list-group-memberships", "--identity-store-id", store, "--group-id", group)
	cli.run("budgets", "describe-budget-actions-for-budget", "--account-id", "111111111111", "--budget-name", "Monthly")
	if str(cli.run("budgets", "describe-budget-performance-history", "--account-id", "111111111111", "--budget-name", "Monthly"),
		"BudgetPerformanceHistory", "BudgetedAndActualAmountsList", "BudgetedAmount", "Amount") == "" {
		t.Fatal("describe-budget-performance-history has no budgeted amount")
	}
	cli.fails("NotFoundException", "budgets", "describe-budget-action-histories", "--account-id", "111111111111", "--budget-name", "Monthly",
		"--action-id", "00000000-0000-0000-0000-000000000000")
	cli.run("cloudtrail", "list-event-data-stores")
	store = "arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/00000000-0000-0000-0000-000000000000"
	cli.fails("EventDataStoreNotFoundException", "cloudtrail", "get-event-data-store", "--event-data-store", store)
	cli.fails("EventDataStoreNotFoundException", "cloudtrail", "list-queries", "--event-data-store", store)
	cli.run("cloudtrail", "list-channels")
	// (Identity Center applications, CloudTrail Lake dashboards and resource policies
	// came to the CLI after Debian 12's 2.9; the SDK conformance tests cover them.)
}

// A rehearsal survives a restart of the simulator binary with --state-file.
func TestSimulatorStateFileSurvivesRestarts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binaries")
	}
	file := filepath.Join(t.TempDir(), "org.json")
	url, cmd := startSimulatorCmd(t, filepath.Join(bin, "awssim"), "--state-file", file)
	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: credentials.NewStaticCredentialsProvider("AKIA", "x", "")}
	org := organizations.NewFromConfig(cfg)
	root := aws.ToString(must(org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id)
	must(org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: &root, Name: aws.String("Kept")}))
	_ = cmd.Process.Kill()
	_ = cmd.Wait()

	url = startSimulator(t, filepath.Join(bin, "awssim"), "--state-file", file)
	cfg.BaseEndpoint = aws.String(url)
	org = organizations.NewFromConfig(cfg)
	ous := must(org.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: &root}))
	if len(ous.OrganizationalUnits) != 1 || aws.ToString(ous.OrganizationalUnits[0].Name) != "Kept" {
		t.Fatalf("after a restart the root holds %+v", ous.OrganizationalUnits)
	}
}
