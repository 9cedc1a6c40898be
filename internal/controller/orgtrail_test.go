// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package controller_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
)

func newTrail(name, bucket string) *v1alpha1.OrgTrail {
	return &v1alpha1.OrgTrail{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: v1alpha1.OrgTrailSpec{
		Name: name, S3BucketName: bucket, KMSKeyID: "alias/cloudtrail-key",
		EventSelectors: []v1alpha1.EventSelector{{ReadWriteType: "All", IncludeManagementEvents: aws.Bool(true),
			DataResources: []v1alpha1.DataResource{{Type: "AWS::S3::Object", Values: []string{"arn:aws:s3:::sensitive-bucket/"}}}}},
		InsightSelectors: []v1alpha1.InsightSelector{{InsightType: "ApiCallRateInsight"}},
		Tags:             v1alpha1.Tags{"Owner": "security"},
	}}
}

func TestOrgTrailCreateDriftAndRetain(t *testing.T) {
	ctx := context.Background()
	c := cloudtrail.NewFromConfig(env.AWS)
	tr := newTrail("organization-trail", "my-cloudtrail-bucket")
	create(t, tr)
	waitReady(t, tr)
	got, err := c.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("organization-trail")})
	if err != nil {
		t.Fatal(err)
	}
	g := got.Trail
	if !aws.ToBool(g.IsOrganizationTrail) || !aws.ToBool(g.IsMultiRegionTrail) || !aws.ToBool(g.LogFileValidationEnabled) ||
		aws.ToString(g.S3BucketName) != "my-cloudtrail-bucket" || !strings.Contains(aws.ToString(g.KmsKeyId), ":key/") {
		t.Fatalf("trail in AWS: %+v", g)
	}
	if tr.Status.ARN != aws.ToString(g.TrailARN) || tr.Status.HomeRegion != "us-east-1" || !tr.Status.IsLogging {
		t.Fatalf("status: %+v", tr.Status)
	}
	sel, _ := c.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("organization-trail")})
	if len(sel.EventSelectors) != 1 || sel.EventSelectors[0].DataResources[0].Values[0] != "arn:aws:s3:::sensitive-bucket/" {
		t.Fatalf("event selectors: %+v", sel.EventSelectors)
	}
	ins, err := c.GetInsightSelectors(ctx, &cloudtrail.GetInsightSelectorsInput{TrailName: aws.String("organization-trail")})
	if err != nil || len(ins.InsightSelectors) != 1 {
		t.Fatalf("insight selectors: %+v %v", ins, err)
	}

	// Steady state: the KMS alias that AWS reports as a key ARN causes no updates.
	w := writes()
	time.Sleep(resyncPeriod + time.Second)
	if got := writes(); got != w {
		t.Fatalf("%d AWS writes in steady state: %v", got-w, env.Sim.Calls())
	}

	// Drift: logging stopped by hand is started again.
	if _, err := c.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("organization-trail")}); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		st, err := c.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("organization-trail")})
		if err != nil || !aws.ToBool(st.IsLogging) {
			return fmt.Errorf("logging %v %v", st, err)
		}
		return nil
	})

	// A delivery error shows in status.
	if err := env.Sim.SetTrailDeliveryError("organization-trail", "AccessDenied"); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		_ = k8s.Get(ctx, keyOf(tr), tr)
		if tr.Status.LatestDeliveryError != "AccessDenied" {
			return fmt.Errorf("latestDeliveryError %q", tr.Status.LatestDeliveryError)
		}
		return nil
	})

	// Logging off through the spec.
	update(t, tr, func(x *v1alpha1.OrgTrail) { x.Spec.Logging = aws.Bool(false) })
	waitReady(t, tr)
	if st, _ := c.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("organization-trail")}); aws.ToBool(st.IsLogging) {
		t.Fatal("logging: false in the spec, but the trail logs")
	}

	// Retain (the default): a prune leaves the organization's audit log alone.
	deleteAndWait(t, tr)
	if _, err := c.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("organization-trail")}); err != nil {
		t.Fatalf("deletion policy Retain, but the trail is gone: %v", err)
	}
	// Adopted by a new object with deletionPolicy Delete, then deleted for real.
	again := newTrail("organization-trail", "my-cloudtrail-bucket")
	again.Spec.DeletionPolicy = v1alpha1.DeletionPolicyDelete
	create(t, again)
	waitReady(t, again)
	deleteAndWait(t, again)
	if _, err := c.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("organization-trail")}); err == nil {
		t.Fatal("deletion policy Delete, but the trail is still in AWS")
	}
}

func TestOrgTrailRefusalsAndValidation(t *testing.T) {
	tr := newTrail("missing-bucket-trail", "missing-bucket")
	create(t, tr)
	waitCondition(t, tr, v1alpha1.ConditionStalled, v1alpha1.ReasonAWSRefused, "S3BucketDoesNotExistException")
	deleteAndWait(t, tr)

	both := newTrail("both-selectors", "b")
	both.Spec.AdvancedEventSelectors = []v1alpha1.AdvancedEventSelector{{FieldSelectors: []v1alpha1.FieldSelector{{Field: "eventCategory", Equals: []string{"Data"}}}}}
	if err := k8s.Create(context.Background(), both); err == nil || !strings.Contains(err.Error(), "not both") {
		t.Fatalf("want both kinds of selectors refused, got %v", err)
	}
	bad := newTrail("my--trail", "my-cloudtrail-bucket")
	if err := k8s.Create(context.Background(), bad); err == nil || !strings.Contains(err.Error(), "spec.name") {
		t.Fatalf("want the bad trail name refused, got %v", err)
	}
}
