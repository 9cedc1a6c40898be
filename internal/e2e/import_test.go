// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package e2e_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/testenv"
)

// An organization built by hand is imported, applied in Observe and Ready with no
// AWS write; a second import writes the same files; an edit shows its plan and leaves
// AWS alone until the object is switched to Manage, which applies exactly that.
func TestImportBringsAnOrganizationUnderManagement(t *testing.T) {
	ctx := context.Background()
	st := newStack(t)
	st.url = st.env.SimURL // the in-process simulator, whose calls the test can count
	policyID := buildOrganization(t, st.env.AWS)

	dir := filepath.Join(st.dir, "org")
	st.runImport(t, dir)
	if d := os.Getenv("AWSORG_IMPORT_KEEP"); d != "" {
		_ = exec.Command("cp", "-r", dir, d).Run()
	}
	again := filepath.Join(st.dir, "again")
	st.runImport(t, again)
	sameFiles(t, dir, again)

	st.startManager(t, "manager", "--resync-period", "5s")
	before := st.env.Sim.Writes()
	objs, err := testenv.Apply(ctx, st.env.Client, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) < 12 {
		t.Fatalf("imported %d objects, want the 3 OUs, 3 accounts, 2 policies, 2 permission sets, a budget and the trail", len(objs))
	}
	if err := testenv.WaitReady(ctx, st.env.Client, objs, 2*time.Minute, os.Stderr); err != nil {
		t.Fatalf("%v\nmanager log tail:\n%s", err, managerLog(st))
	}
	time.Sleep(6 * time.Second) // a resync
	if n := st.env.Sim.Writes() - before; n != 0 {
		t.Fatalf("%d AWS writes while observing an imported organization: %v", n, st.env.Sim.Calls())
	}

	// An edit in Observe: the plan, and AWS untouched.
	scp := &unstructured.Unstructured{}
	scp.SetGroupVersionKind(v1alpha1.GroupVersion.WithKind("ServiceControlPolicy"))
	if err := st.env.Client.Get(ctx, client.ObjectKey{Name: "deny-leaving"}, scp); err != nil {
		t.Fatal(err)
	}
	_ = unstructured.SetNestedField(scp.Object, "no one leaves", "spec", "description")
	if err := st.env.Client.Update(ctx, scp); err != nil {
		t.Fatal(err)
	}
	want := "update the description of SCP Deny Leaving (" + policyID + ")"
	waitFor(t, st, scp, func(u *unstructured.Unstructured) bool {
		planned, _, _ := unstructured.NestedStringSlice(u.Object, "status", "plannedChanges")
		return slices.Contains(planned, want) && condition(u, "Stalled", "ChangesPending")
	})
	if n := st.env.Sim.Writes() - before; n != 0 {
		t.Fatalf("%d AWS writes for an edit in Observe", n)
	}
	org := organizations.NewFromConfig(st.env.AWS)
	if d := must(org.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: &policyID})); aws.ToString(d.Policy.PolicySummary.Description) == "no one leaves" {
		t.Fatal("the description changed in AWS while the object observed")
	}

	// Manage applies that change.
	if err := st.env.Client.Get(ctx, client.ObjectKeyFromObject(scp), scp); err != nil {
		t.Fatal(err)
	}
	_ = unstructured.SetNestedField(scp.Object, "Manage", "spec", "managementPolicy")
	if err := st.env.Client.Update(ctx, scp); err != nil {
		t.Fatal(err)
	}
	waitFor(t, st, scp, func(u *unstructured.Unstructured) bool { return condition(u, "Ready", "") })
	if d := must(org.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: &policyID})); aws.ToString(d.Policy.PolicySummary.Description) != "no one leaves" {
		t.Fatalf("Manage did not apply the planned change: the description is %q", aws.ToString(d.Policy.PolicySummary.Description))
	}
	if n := st.env.Sim.Writes() - before; n != 2 { // the description, and the owner tag of the adopted policy
		t.Fatalf("%d AWS writes to apply one planned change, want 2 (it and the owner tag): %v", n, st.env.Sim.Calls())
	}
}

// buildOrganization makes an organization with raw SDK calls, as a team would have
// by hand or with Terraform, and returns the id of its SCP.
func buildOrganization(t *testing.T, cfg aws.Config) string {
	t.Helper()
	ctx := context.Background()
	org := organizations.NewFromConfig(cfg)
	root := aws.ToString(must(org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id)
	must(org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: &root, PolicyType: types.PolicyTypeServiceControlPolicy}))
	ou := func(parent, name string) string {
		return aws.ToString(must(org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: &parent, Name: &name})).OrganizationalUnit.Id)
	}
	prod := ou(root, "Production")
	web := ou(prod, "Web Apps")
	sandbox := ou(root, "Sandbox")
	account := func(name, email, parent string) string {
		req := must(org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: &name, Email: &email}))
		for {
			st := must(org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: req.CreateAccountStatus.Id}))
			if st.CreateAccountStatus.State == types.CreateAccountStateSucceeded {
				id := aws.ToString(st.CreateAccountStatus.AccountId)
				if parent != root {
					must(org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &id, SourceParentId: &root, DestinationParentId: &parent}))
				}
				return id
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	webProd := account("web-prod", "web-prod@example.com", web)
	sandbox1 := account("Sandbox 1", "sandbox-1@example.com", sandbox)
	account("Shared Services", "shared@example.com", root)
	must(org.TagResource(ctx, &organizations.TagResourceInput{ResourceId: &webProd, Tags: []types.Tag{{Key: aws.String("CostCenter"), Value: aws.String("42")}}}))

	policy := func(name, doc string, targets ...string) string {
		p := must(org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: &name, Description: aws.String(name), Type: types.PolicyTypeServiceControlPolicy, Content: &doc}))
		id := aws.ToString(p.Policy.PolicySummary.Id)
		for _, tg := range targets {
			must(org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: &id, TargetId: &tg}))
		}
		return id
	}
	deny := policy("Deny Leaving", `{"Version":"2012-10-17","Statement":[{"Sid":"NoLeaving","Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`, prod, sandbox1)
	policy("Region Lock", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":["iam:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}}`, root)

	sso, ids := ssoadmin.NewFromConfig(cfg), identitystore.NewFromConfig(cfg)
	inst := must(sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})).Instances[0]
	group := must(ids.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: inst.IdentityStoreId,
		AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{Value: idtypes.UniqueAttribute{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("Developers")}}})).GroupId
	dev := must(sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: inst.InstanceArn, Name: aws.String("DeveloperAccess"),
		Description: aws.String("developers"), SessionDuration: aws.String("PT4H")})).PermissionSet.PermissionSetArn
	must(sso.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: inst.InstanceArn, PermissionSetArn: dev,
		ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))
	must(sso.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: inst.InstanceArn, PermissionSetArn: dev,
		InlinePolicy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)}))
	for _, a := range []string{webProd, sandbox1} {
		must(sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: inst.InstanceArn, PermissionSetArn: dev, PrincipalId: group,
			PrincipalType: ssotypes.PrincipalTypeGroup, TargetId: aws.String(a), TargetType: ssotypes.TargetTypeAwsAccount}))
	}
	must(sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: inst.InstanceArn, Name: aws.String("ReadOnly")}))

	b := budgets.NewFromConfig(cfg)
	must(b.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: aws.String("111111111111"),
		Budget: &btypes.Budget{BudgetName: aws.String("Org Monthly"), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
			BudgetLimit: &btypes.Spend{Amount: aws.String("1000"), Unit: aws.String("USD")}},
		NotificationsWithSubscribers: []btypes.NotificationWithSubscribers{{
			Notification: &btypes.Notification{NotificationType: btypes.NotificationTypeActual, ComparisonOperator: btypes.ComparisonOperatorGreaterThan, Threshold: 80, ThresholdType: btypes.ThresholdTypePercentage},
			Subscribers:  []btypes.Subscriber{{SubscriptionType: btypes.SubscriptionTypeEmail, Address: aws.String("finops@example.com")}}}}}))

	ct := cloudtrail.NewFromConfig(cfg)
	must(ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("org-trail"), S3BucketName: aws.String("org-logs"),
		IsOrganizationTrail: aws.Bool(true), IsMultiRegionTrail: aws.Bool(true), EnableLogFileValidation: aws.Bool(true)}))
	must(ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("org-trail")}))
	return deny
}

// runImport runs `awsorg import` against the simulator, writing to dir.
func (st *stack) runImport(t *testing.T, dir string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, "awsorg"), "import", "--output", dir)
	cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL="+st.url, "AWS_ACCESS_KEY_ID=AKIAE2E", "AWS_SECRET_ACCESS_KEY=e2e",
		"AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("awsorg import: %v\n%s", err, out)
	}
	for _, want := range []string{"reading organizations", "reading sso-admin", "reading budgets", "reading cloudtrail",
		"imported 3 OUs, 3 accounts, 2 policies, 2 permission sets, 1 budgets, 1 trails"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("awsorg import printed no %q:\n%s", want, out)
		}
	}
}

// sameFiles checks that two imports wrote the same files.
func sameFiles(t *testing.T, a, b string) {
	t.Helper()
	read := func(dir string) map[string][]byte {
		out := map[string][]byte{}
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(dir, p)
				out[rel] = must(os.ReadFile(p))
			}
			return err
		})
		return out
	}
	fa, fb := read(a), read(b)
	if len(fa) != len(fb) {
		t.Fatalf("a second import wrote %d files, the first %d", len(fb), len(fa))
	}
	for name, content := range fa {
		if !bytes.Equal(content, fb[name]) {
			t.Fatalf("a second import wrote %s differently:\n%s\n---\n%s", name, content, fb[name])
		}
	}
}

func waitFor(t *testing.T, st *stack, u *unstructured.Unstructured, ok func(*unstructured.Unstructured) bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		if err := st.env.Client.Get(context.Background(), client.ObjectKeyFromObject(u), u); err != nil {
			t.Fatal(err)
		}
		if ok(u) {
			return
		}
		if time.Now().After(deadline) {
			status, _, _ := unstructured.NestedMap(u.Object, "status")
			t.Fatalf("%s %s: condition not reached; status: %v\nmanager log tail:\n%s", u.GetKind(), u.GetName(), status, managerLog(st))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// condition reports whether u has the condition True (with the reason, unless "").
func condition(u *unstructured.Unstructured, typ, reason string) bool {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	gen := u.GetGeneration()
	observed, _, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == typ && m["status"] == "True" && (reason == "" || m["reason"] == reason) {
			return observed == gen
		}
	}
	return false
}

func managerLog(st *stack) string {
	out, _ := os.ReadFile(filepath.Join(st.dir, "manager.log"))
	return tail(string(out), 3000)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
