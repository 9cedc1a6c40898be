// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package controller_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ktypes "k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
)

// adoption drives what every kind shares when it meets an AWS object it did not
// create: in Observe, the plan shows in status and AWS is not written; in Manage, the
// additive changes are applied and the removals held (Stalled ChangesPending) until
// the object allows removals on adoption, and then they are applied too.
type adoption struct {
	obj              object
	planned          []string    // what the plan must hold in Observe (each a prefix of a line)
	held             []string    // the removals among them, held in Manage
	additive, remove func() bool // whether AWS holds the additive changes, and the removals
}

func (a adoption) run(t *testing.T) {
	t.Helper()
	obj := a.obj
	create(t, obj)
	waitPlan(t, obj, a.planned)
	w := writes()
	time.Sleep(2 * resyncPeriod)
	if n := writes() - w; n != 0 {
		t.Fatalf("%d AWS writes by an object in Observe: %v", n, env.Sim.Calls())
	}
	if a.additive() {
		t.Fatal("AWS changed while the object observed")
	}
	if c, _ := condition(t, obj, v1alpha1.ConditionReady); c == nil || c.Status != metav1.ConditionFalse {
		t.Fatalf("an object whose AWS object differs is Ready: %+v", c)
	}

	patch(t, obj, `{"spec":{"managementPolicy":"Manage"}}`)
	eventually(t, func() error {
		if !a.additive() {
			return fmt.Errorf("the additive changes are not in AWS yet")
		}
		return nil
	})
	waitCondition(t, obj, v1alpha1.ConditionStalled, v1alpha1.ReasonChangesPending, v1alpha1.AllowRemovalsOnAdoption)
	waitPlan(t, obj, a.held)
	for _, line := range obj.AWSStatus().PlannedChanges {
		if !slices.ContainsFunc(a.held, func(h string) bool { return strings.HasPrefix(line, h) }) && !strings.HasPrefix(line, "provision ") {
			t.Fatalf("held %q, which is not a removal (want only %q)", line, a.held)
		}
	}
	if a.remove() {
		t.Fatal("removals applied without the annotation")
	}

	patch(t, obj, fmt.Sprintf(`{"metadata":{"annotations":{%q:"true"}}}`, v1alpha1.AllowRemovalsOnAdoption))
	waitReady(t, obj)
	if !a.remove() || !a.additive() {
		t.Fatal("Ready, but AWS does not hold every change")
	}
	if obj.AWSStatus().Adopting || len(obj.AWSStatus().PlannedChanges) != 0 {
		t.Fatalf("Ready, but status still says adopting=%v planned=%v", obj.AWSStatus().Adopting, obj.AWSStatus().PlannedChanges)
	}
}

// waitPlan waits until every line wanted starts one line of status.plannedChanges.
func waitPlan(t *testing.T, obj object, want []string) {
	t.Helper()
	eventually(t, func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		have := obj.AWSStatus().PlannedChanges
		for _, w := range want {
			if !slices.ContainsFunc(have, func(h string) bool { return strings.HasPrefix(h, w) }) {
				return fmt.Errorf("%s: planned %q, want a line starting %q", obj.GetName(), have, w)
			}
		}
		if obj.AWSStatus().PendingChanges != len(have) {
			return fmt.Errorf("pendingChanges %d for %d planned changes", obj.AWSStatus().PendingChanges, len(have))
		}
		return nil
	})
}

func patch(t *testing.T, obj client.Object, merge string) {
	t.Helper()
	if err := k8s.Patch(context.Background(), obj, client.RawPatch(ktypes.MergePatchType, []byte(merge))); err != nil {
		t.Fatal(err)
	}
}

func TestAdoptingAnOU(t *testing.T) {
	ctx := context.Background()
	root := rootID(t)
	out, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: &root, Name: aws.String("Adopted OU"),
		Tags: []types.Tag{{Key: aws.String("Team"), Value: aws.String("a")}, {Key: aws.String("Legacy"), Value: aws.String("yes")}}})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.OrganizationalUnit.Id)
	ou := newOU("adopted-ou", "Adopted OU", "")
	ou.Spec.Tags, ou.Spec.ManagementPolicy, ou.Spec.DeletionPolicy = v1alpha1.Tags{"Team": "b"}, v1alpha1.Observe, v1alpha1.DeletionPolicyDelete
	adoption{obj: ou,
		planned: []string{"tag OU Adopted OU (" + id + ") with Team=b", "remove the tags Legacy from OU Adopted OU"},
		held:    []string{"remove the tags Legacy from OU Adopted OU"},
		additive: func() bool {
			tags := awsTags(t, id)
			return tags["Team"] == "b" && tags[common.OwnerTag] == "adopted-ou"
		},
		remove: func() bool { _, legacy := awsTags(t, id)["Legacy"]; return !legacy },
	}.run(t)
	deleteAndWait(t, ou)
	if len(awsOUs(t, root)) != 0 && awsOUs(t, root)[id].Id != nil {
		t.Fatal("the adopted OU was not deleted with its object (deletionPolicy Delete)")
	}
}

func TestAdoptingAnAccount(t *testing.T) {
	dest := newOU("adoption-dest", "Adoption Dest", "")
	dest.Spec.DeletionPolicy = v1alpha1.DeletionPolicyDelete
	create(t, dest)
	waitReady(t, dest)
	id := createByHand(t, "adopted-acct", "adopted-acct@example.com", map[string]string{"Legacy": "yes"})
	a := newAccount(operatorNS, "adopted-acct", "adopted-acct@example.com", "adoption-dest")
	a.Spec.Name, a.Spec.ManagementPolicy, a.Spec.Tags = "adopted-acct", v1alpha1.Observe, v1alpha1.Tags{"Env": "dev"}
	adoption{obj: a,
		planned:  []string{"tag account " + id + " with Env=dev", "move account " + id + " from Root", "remove the tags Legacy from account " + id},
		held:     []string{"move account " + id + " from Root", "remove the tags Legacy from account " + id},
		additive: func() bool { return awsTags(t, id)["Env"] == "dev" },
		remove: func() bool {
			_, legacy := awsTags(t, id)["Legacy"]
			return !legacy && awsParent(t, id) == dest.Status.ID
		},
	}.run(t)
	deleteAndWait(t, a) // Retain: the account stays
	moveToRoot(t, id)
	deleteAndWait(t, dest)
}

func TestAdoptingAnSCP(t *testing.T) {
	ctx := context.Background()
	if _, err := org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rootID(t)), PolicyType: types.PolicyTypeServiceControlPolicy}); err != nil &&
		!strings.Contains(err.Error(), "PolicyTypeAlreadyEnabled") {
		t.Fatal(err)
	}
	keep, drop := newOU("scp-adopt-keep", "SCP Adopt Keep", ""), newOU("scp-adopt-drop", "SCP Adopt Drop", "")
	for _, ou := range []*v1alpha1.OrganizationalUnit{keep, drop} {
		ou.Spec.DeletionPolicy = v1alpha1.DeletionPolicyDelete
		create(t, ou)
		waitReady(t, ou)
	}
	p := newSCP("adopted-scp", "AdoptedSCP", denyLeave, v1alpha1.PolicyTargetRef{Kind: "OrganizationalUnit", Name: "scp-adopt-keep"})
	p.Spec.ManagementPolicy, p.Spec.Description = v1alpha1.Observe, "adopted"
	out, err := org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("AdoptedSCP"), Description: aws.String("by hand"),
		Type: types.PolicyTypeServiceControlPolicy, Content: aws.String(denyLeave)})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.Policy.PolicySummary.Id)
	if _, err := org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: &id, TargetId: &drop.Status.ID}); err != nil {
		t.Fatal(err)
	}
	adoption{obj: p,
		planned: []string{"update the description of SCP AdoptedSCP (" + id + ")", "attach SCP AdoptedSCP to OU SCP Adopt Keep (" + keep.Status.ID + ")",
			"detach SCP AdoptedSCP from OU SCP Adopt Drop (" + drop.Status.ID + ")"},
		held: []string{"detach SCP AdoptedSCP from OU SCP Adopt Drop"},
		additive: func() bool {
			return slices.Contains(awsTargets(t, id), keep.Status.ID) && aws.ToString(awsPolicy(t, id).PolicySummary.Description) == "adopted"
		},
		remove: func() bool { return !slices.Contains(awsTargets(t, id), drop.Status.ID) },
	}.run(t)
	deleteAndWait(t, p)
	deleteAndWait(t, keep)
	deleteAndWait(t, drop)
}

func TestAdoptingAPermissionSet(t *testing.T) {
	ctx := context.Background()
	acct := newAccount(operatorNS, "ps-adopt-acct", "ps-adopt@example.com", "")
	create(t, acct)
	waitReady(t, acct)
	c, in, _ := sso()
	out, err := c.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: &in, Name: aws.String("AdoptedSet")})
	if err != nil {
		t.Fatal(err)
	}
	arn := out.PermissionSet.PermissionSetArn
	if _, err := c.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: &in, PermissionSetArn: arn,
		ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: &in, PermissionSetArn: arn, PrincipalId: aws.String(groupID(t, "Security")),
		PrincipalType: ssotypes.PrincipalTypeGroup, TargetId: &acct.Status.ID, TargetType: ssotypes.TargetTypeAwsAccount}); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		if got := assignedPrincipals(t, aws.ToString(arn), acct.Status.ID); len(got) != 1 {
			return fmt.Errorf("assignment by hand not done yet: %v", got)
		}
		return nil
	})
	ps := &v1alpha1.PermissionSet{ObjectMeta: metav1.ObjectMeta{Name: "adopted-set"}, Spec: v1alpha1.PermissionSetSpec{Name: "AdoptedSet",
		ManagedPolicies: []string{adminPolicy}, ManagementPolicy: v1alpha1.Observe, DeletionPolicy: v1alpha1.DeletionPolicyDelete,
		Assignments: []v1alpha1.Assignment{{Principal: v1alpha1.Principal{Type: "GROUP", Name: "Platform"}, AccountRefs: []v1alpha1.NamespacedRef{{Name: "ps-adopt-acct"}}}}}}
	platform, security := groupID(t, "Platform"), groupID(t, "Security")
	has := func(principal string) bool {
		return slices.Contains(assignedPrincipals(t, aws.ToString(arn), acct.Status.ID), principal)
	}
	adoption{obj: ps,
		planned: []string{"attach managed policy " + adminPolicy, "detach managed policy arn:aws:iam::aws:policy/ReadOnlyAccess",
			"assign group Platform to account " + acct.Status.ID, "delete assignment of group Security to account " + acct.Status.ID + " with AdoptedSet"},
		held: []string{"detach managed policy arn:aws:iam::aws:policy/ReadOnlyAccess", "delete assignment of group Security to account " + acct.Status.ID},
		additive: func() bool {
			return slices.Contains(managedPolicies(t, aws.ToString(arn)), adminPolicy) && has(platform)
		},
		remove: func() bool {
			return !slices.Contains(managedPolicies(t, aws.ToString(arn)), "arn:aws:iam::aws:policy/ReadOnlyAccess") && !has(security)
		},
	}.run(t)
	deleteAndWait(t, ps)
	deleteAndWait(t, acct)
}

func TestAdoptingABudget(t *testing.T) {
	ctx := context.Background()
	bc := budgets.NewFromConfig(env.AWS)
	note := func(threshold float64) *btypes.Notification {
		return &btypes.Notification{NotificationType: btypes.NotificationTypeActual, ComparisonOperator: btypes.ComparisonOperatorGreaterThan, Threshold: threshold, ThresholdType: btypes.ThresholdTypePercentage}
	}
	if _, err := bc.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: aws.String(mgmt),
		Budget: &btypes.Budget{BudgetName: aws.String("Adopted-Budget"), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
			BudgetLimit: &btypes.Spend{Amount: aws.String("100"), Unit: aws.String("USD")}},
		NotificationsWithSubscribers: []btypes.NotificationWithSubscribers{{Notification: note(80),
			Subscribers: []btypes.Subscriber{{SubscriptionType: btypes.SubscriptionTypeEmail, Address: aws.String("old@example.com")}}}}}); err != nil {
		t.Fatal(err)
	}
	b := budget(operatorNS, "adopted-budget", "Adopted-Budget", "200", "")
	b.Spec.ManagementPolicy, b.Spec.DeletionPolicy = v1alpha1.Observe, v1alpha1.DeletionPolicyDelete
	b.Spec.Notifications = []v1alpha1.Notification{{Type: "ACTUAL", Threshold: 90, Subscribers: []v1alpha1.Subscriber{{Type: "EMAIL", Address: "new@example.com"}}}}
	limit := func() string {
		have, err := awsBudget(t, "Adopted-Budget")
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(have.BudgetLimit.Amount)
	}
	adoption{obj: b,
		planned: []string{"update the limit (to 200 USD) of budget Adopted-Budget", "create the notification", "delete the notification"},
		held:    []string{"delete the notification"},
		additive: func() bool {
			_, ok := awsNotifications(t, "Adopted-Budget")["ACTUAL 90"]
			return strings.HasPrefix(limit(), "200") && ok
		},
		remove: func() bool { _, ok := awsNotifications(t, "Adopted-Budget")["ACTUAL 80"]; return !ok },
	}.run(t)
	deleteAndWait(t, b)
}

func TestAdoptingATrail(t *testing.T) {
	ctx := context.Background()
	ct := cloudtrail.NewFromConfig(env.AWS)
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("adopted-trail"), S3BucketName: aws.String("old-bucket"), IsOrganizationTrail: aws.Bool(true),
		IsMultiRegionTrail: aws.Bool(true), EnableLogFileValidation: aws.Bool(true), TagsList: []cttypes.Tag{{Key: aws.String("Legacy"), Value: aws.String("yes")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("adopted-trail")}); err != nil {
		t.Fatal(err)
	}
	tr := &v1alpha1.OrgTrail{ObjectMeta: metav1.ObjectMeta{Name: "adopted-trail"}, Spec: v1alpha1.OrgTrailSpec{Name: "adopted-trail", S3BucketName: "new-bucket",
		ManagementPolicy: v1alpha1.Observe, DeletionPolicy: v1alpha1.DeletionPolicyDelete}}
	read := func() (string, map[string]string) {
		out, err := ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("adopted-trail")})
		if err != nil {
			t.Fatal(err)
		}
		tags, err := ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{aws.ToString(out.Trail.TrailARN)}})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, tg := range tags.ResourceTagList[0].TagsList {
			m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		return aws.ToString(out.Trail.S3BucketName), m
	}
	adoption{obj: tr,
		planned: []string{"update the S3 bucket of trail adopted-trail", "remove the tags Legacy from trail adopted-trail"},
		held:    []string{"remove the tags Legacy from trail adopted-trail"},
		additive: func() bool {
			bucket, tags := read()
			return bucket == "new-bucket" && tags[common.OwnerTag] == "adopted-trail"
		},
		remove: func() bool { _, tags := read(); _, ok := tags["Legacy"]; return !ok },
	}.run(t)
	deleteAndWait(t, tr)
}

// An object in Observe whose AWS object does not exist plans its creation and
// creates nothing.
func TestObservePlansCreation(t *testing.T) {
	ou := newOU("observed-new-ou", "Observed New OU", "")
	ou.Spec.ManagementPolicy = v1alpha1.Observe
	p := newSCP("observed-new-scp", "ObservedNewSCP", denyLeave)
	p.Spec.ManagementPolicy = v1alpha1.Observe
	ps := &v1alpha1.PermissionSet{ObjectMeta: metav1.ObjectMeta{Name: "observed-new-set"}, Spec: v1alpha1.PermissionSetSpec{Name: "ObservedNewSet", ManagementPolicy: v1alpha1.Observe}}
	for _, obj := range []object{ou, p, ps} {
		create(t, obj)
	}
	waitPlan(t, ou, []string{`create OU "Observed New OU" under Root`})
	waitPlan(t, p, []string{"create SCP ObservedNewSCP"})
	waitPlan(t, ps, []string{"create permission set ObservedNewSet"})
	w := writes()
	time.Sleep(2 * resyncPeriod)
	if n := writes() - w; n != 0 {
		t.Fatalf("%d AWS writes by objects in Observe", n)
	}
	if _, ok := awsOUByName(t, "Observed New OU"); ok {
		t.Fatal("an OU was created by an object in Observe")
	}
	for _, obj := range []object{ou, p, ps} {
		deleteAndWait(t, obj)
	}
}

func awsOUByName(t *testing.T, name string) (types.OrganizationalUnit, bool) {
	for _, ou := range awsOUs(t, rootID(t)) {
		if aws.ToString(ou.Name) == name {
			return ou, true
		}
	}
	return types.OrganizationalUnit{}, false
}
