// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package controller_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/awssim"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
)

// quiet checks that ops are not called again over a few resyncs.
func quiet(t *testing.T, what string, ops ...string) {
	t.Helper()
	before := map[string]int{}
	for _, op := range ops {
		before[op] = calls(op)
	}
	time.Sleep(3 * resyncPeriod)
	for _, op := range ops {
		if n := calls(op) - before[op]; n > 0 {
			t.Fatalf("%s: %d %s calls while nothing changed", what, n, op)
		}
	}
}

// Fields the spec leaves empty are neither sent nor compared, so what someone set in
// the console does not make the operator write again and again.
func TestNoLoopOnFieldsTheSpecLeavesOut(t *testing.T) {
	ctx := context.Background()
	ps := &v1alpha1.PermissionSet{ObjectMeta: metav1.ObjectMeta{Name: "console-edited"}, Spec: v1alpha1.PermissionSetSpec{Name: "ConsoleEdited", SessionDuration: "PT1H"}}
	create(t, ps)
	waitReady(t, ps)
	c, in, _ := sso()
	if _, err := c.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: &in, PermissionSetArn: &ps.Status.ARN,
		RelayState: aws.String("https://console.aws.amazon.com/ec2"), Description: aws.String("set in the console")}); err != nil {
		t.Fatal(err)
	}
	tr := newTrail("sns-by-arn", "sns-bucket")
	tr.Spec.SNSTopicName, tr.Spec.DeletionPolicy = "arn:aws:sns:us-east-1:111111111111:trail-topic", v1alpha1.DeletionPolicyDelete
	create(t, tr)
	waitReady(t, tr)
	quiet(t, "console edits and an SNS topic ARN", "sso-admin:UpdatePermissionSet", "sso-admin:ProvisionPermissionSet", "cloudtrail:UpdateTrail")
	waitReady(t, ps)
	waitReady(t, tr)
	deleteAndWait(t, ps)
	deleteAndWait(t, tr)
}

// An AWS-managed policy cannot be managed: the object says so once and makes no calls
// that could never succeed.
func TestAWSManagedPolicyIsNotRetried(t *testing.T) {
	p := newSCP("full-aws-access", "FullAWSAccess", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	create(t, p)
	waitCondition(t, p, v1alpha1.ConditionStalled, v1alpha1.ReasonInvalidSpec, "managed by AWS")
	quiet(t, "a ServiceControlPolicy named FullAWSAccess", "organizations:CreatePolicy", "organizations:UpdatePolicy", "organizations:AttachPolicy")
	deleteAndWait(t, p)
}

// A change AWS does not keep is tried a few times with backoff, then the object is
// Stalled with reason NotConverging naming the change, and left alone.
func TestChangesThatDoNotConvergeStall(t *testing.T) {
	p := newSCP("never-updated", "NeverUpdated", denyLeave)
	create(t, p)
	waitReady(t, p)
	inject(t, awssim.Fault{Operation: "UpdatePolicy", Count: 1000, Drop: true})
	before := calls("organizations:UpdatePolicy")
	update(t, p, func(x *v1alpha1.ServiceControlPolicy) { x.Spec.Description = "never kept" })
	c := &metav1.Condition{}
	func() {
		old := eventuallyFor
		defer func() { eventuallyFor = old }()
		eventuallyFor = 90 * time.Second
		c = waitCondition(t, p, v1alpha1.ConditionStalled, v1alpha1.ReasonNotConverging, "update the description of SCP NeverUpdated")
	}()
	if n := calls("organizations:UpdatePolicy") - before; n != 3 {
		t.Fatalf("%d updates before stalling, want 3: %s", n, c.Message)
	}
	quiet(t, "a stalled change", "organizations:UpdatePolicy")
	env.Sim.ClearFaults()
	update(t, p, func(x *v1alpha1.ServiceControlPolicy) { x.Spec.Description = "kept at last" }) // a new spec tries again
	waitReady(t, p)
	deleteAndWait(t, p)
}

// Tags removed or changed outside the operator, the owner tag among them, come back
// within about ten resyncs, without every resync reading them.
func TestTagsComeBack(t *testing.T) {
	ctx := context.Background()
	ou := newOU("retagged", "Retagged", "")
	ou.Spec.Tags = v1alpha1.Tags{"Team": "platform"}
	create(t, ou)
	waitReady(t, ou)
	reads := callCount(t, "Organizations", "ListTagsForResource", "success") // the operator's reads, not the test's
	if _, err := org.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: &ou.Status.ID, TagKeys: []string{"Team", common.OwnerTag}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15*resyncPeriod + 10*time.Second)
	for {
		tags := awsTags(t, ou.Status.ID)
		if tags["Team"] == "platform" && tags[common.OwnerTag] == "retagged" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("tags not put back after %d resyncs: %v", 15, tags)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if n := callCount(t, "Organizations", "ListTagsForResource", "success") - reads; n > 5 {
		t.Fatalf("the tags were read %v times to put them back once; they should be read about every tenth resync", n)
	}
	deleteAndWait(t, ou)
}
