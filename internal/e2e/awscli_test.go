// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package e2e_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// awsCLI runs the AWS CLI against the simulator and decodes its JSON answer.
type awsCLI struct {
	t   *testing.T
	url string
}

func (c awsCLI) run(args ...string) map[string]any {
	c.t.Helper()
	cmd := exec.Command("aws", append([]string{"--endpoint-url", c.url, "--region", "us-east-1", "--output", "json"}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIACLI", "AWS_SECRET_ACCESS_KEY=cli", "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true")
	out, err := cmd.Output()
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
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI is not installed: install it (Debian: apt install awscli; or the AWS CLI v2 installer) to rehearse the playbook with it")
	}
	aws := awsCLI{t: t, url: startSimulator(t, filepath.Join(bin, "awssim"))}

	if str(aws.run("sts", "get-caller-identity"), "Account") != "111111111111" {
		t.Fatal("get-caller-identity")
	}
	aws.run("organizations", "describe-organization")
	root := str(aws.run("organizations", "list-roots"), "Roots", "Id")
	aws.run("organizations", "enable-policy-type", "--root-id", root, "--policy-type", "SERVICE_CONTROL_POLICY")
	ou := str(aws.run("organizations", "create-organizational-unit", "--parent-id", root, "--name", "Workloads"), "OrganizationalUnit", "Id")
	aws.run("organizations", "list-organizational-units-for-parent", "--parent-id", root)
	aws.run("organizations", "describe-organizational-unit", "--organizational-unit-id", ou)
	req := str(aws.run("organizations", "create-account", "--account-name", "dev", "--email", "dev@example.com"), "CreateAccountStatus", "Id")
	var account string
	for deadline := time.Now().Add(30 * time.Second); account == ""; time.Sleep(200 * time.Millisecond) {
		st := aws.run("organizations", "describe-create-account-status", "--create-account-request-id", req)
		if str(st, "CreateAccountStatus", "State") == "SUCCEEDED" {
			account = str(st, "CreateAccountStatus", "AccountId")
		}
		if time.Now().After(deadline) {
			t.Fatal("the account was never created")
		}
	}
	aws.run("organizations", "list-create-account-status", "--states", "SUCCEEDED")
	aws.run("organizations", "move-account", "--account-id", account, "--source-parent-id", root, "--destination-parent-id", ou)
	if str(aws.run("organizations", "list-parents", "--child-id", account), "Parents", "Id") != ou {
		t.Fatal("move-account did not move it")
	}
	aws.run("organizations", "list-accounts")
	aws.run("organizations", "list-accounts-for-parent", "--parent-id", ou)
	aws.run("organizations", "describe-account", "--account-id", account)
	aws.run("organizations", "list-children", "--parent-id", root, "--child-type", "ORGANIZATIONAL_UNIT")
	aws.run("organizations", "tag-resource", "--resource-id", account, "--tags", "Key=Team,Value=web")
	if str(aws.run("organizations", "list-tags-for-resource", "--resource-id", account), "Tags", "Value") != "web" {
		t.Fatal("tags")
	}
	policy := str(aws.run("organizations", "create-policy", "--name", "DenyLeave", "--type", "SERVICE_CONTROL_POLICY", "--description", "no leaving",
		"--content", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`), "Policy", "PolicySummary", "Id")
	aws.run("organizations", "attach-policy", "--policy-id", policy, "--target-id", ou)
	aws.run("organizations", "list-policies", "--filter", "SERVICE_CONTROL_POLICY")
	aws.run("organizations", "list-policies-for-target", "--target-id", ou, "--filter", "SERVICE_CONTROL_POLICY")
	aws.run("organizations", "describe-policy", "--policy-id", policy)
	if str(aws.run("organizations", "list-targets-for-policy", "--policy-id", policy), "Targets", "TargetId") != ou {
		t.Fatal("attach-policy")
	}

	inst := aws.run("sso-admin", "list-instances")
	in, store := str(inst, "Instances", "InstanceArn"), str(inst, "Instances", "IdentityStoreId")
	groups := aws.run("identitystore", "list-groups", "--identity-store-id", store)
	group := str(groups, "Groups", "GroupId")
	aws.run("identitystore", "describe-group", "--identity-store-id", store, "--group-id", group)
	aws.run("identitystore", "list-users", "--identity-store-id", store)
	aws.run("identitystore", "get-group-id", "--identity-store-id", store, "--alternate-identifier",
		`{"UniqueAttribute":{"AttributePath":"displayName","AttributeValue":"Developers"}}`)
	ps := str(aws.run("sso-admin", "create-permission-set", "--instance-arn", in, "--name", "ReadOnly", "--session-duration", "PT4H"), "PermissionSet", "PermissionSetArn")
	aws.run("sso-admin", "attach-managed-policy-to-permission-set", "--instance-arn", in, "--permission-set-arn", ps, "--managed-policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	aws.run("sso-admin", "list-permission-sets", "--instance-arn", in)
	aws.run("sso-admin", "describe-permission-set", "--instance-arn", in, "--permission-set-arn", ps)
	aws.run("sso-admin", "list-managed-policies-in-permission-set", "--instance-arn", in, "--permission-set-arn", ps)
	aws.run("sso-admin", "create-account-assignment", "--instance-arn", in, "--permission-set-arn", ps, "--principal-type", "GROUP", "--principal-id", group,
		"--target-type", "AWS_ACCOUNT", "--target-id", account)
	aws.run("sso-admin", "list-account-assignment-creation-status", "--instance-arn", in)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if str(aws.run("sso-admin", "list-account-assignments", "--instance-arn", in, "--account-id", account, "--permission-set-arn", ps), "AccountAssignments", "PrincipalId") == group {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the assignment was never made")
		}
	}
	aws.run("sso-admin", "list-permission-sets-provisioned-to-account", "--instance-arn", in, "--account-id", account)
	aws.run("sso-admin", "list-accounts-for-provisioned-permission-set", "--instance-arn", in, "--permission-set-arn", ps)
	aws.run("sso-admin", "provision-permission-set", "--instance-arn", in, "--permission-set-arn", ps, "--target-type", "ALL_PROVISIONED_ACCOUNTS")
	aws.run("sso-admin", "list-permission-set-provisioning-status", "--instance-arn", in)

	aws.run("budgets", "create-budget", "--account-id", "111111111111", "--budget",
		`{"BudgetName":"Monthly","BudgetLimit":{"Amount":"1000","Unit":"USD"},"TimeUnit":"MONTHLY","BudgetType":"COST"}`,
		"--notifications-with-subscribers", `[{"Notification":{"NotificationType":"ACTUAL","ComparisonOperator":"GREATER_THAN","Threshold":80},"Subscribers":[{"SubscriptionType":"EMAIL","Address":"finops@example.com"}]}]`)
	if str(aws.run("budgets", "describe-budgets", "--account-id", "111111111111"), "Budgets", "BudgetName") != "Monthly" {
		t.Fatal("describe-budgets")
	}
	aws.run("budgets", "describe-notifications-for-budget", "--account-id", "111111111111", "--budget-name", "Monthly")

	aws.run("cloudtrail", "create-trail", "--name", "org-trail", "--s3-bucket-name", "org-logs", "--is-organization-trail", "--is-multi-region-trail")
	aws.run("cloudtrail", "start-logging", "--name", "org-trail")
	if str(aws.run("cloudtrail", "describe-trails"), "trailList", "Name") != "org-trail" || str(aws.run("cloudtrail", "list-trails"), "Trails", "Name") != "org-trail" {
		t.Fatal("describe-trails, list-trails")
	}
	if st := aws.run("cloudtrail", "get-trail-status", "--name", "org-trail"); st["IsLogging"] != true {
		t.Fatalf("get-trail-status: %v", st)
	}
	aws.run("cloudtrail", "get-trail", "--name", "org-trail")
	aws.run("cloudtrail", "get-event-selectors", "--trail-name", "org-trail")
}
