// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Package orgtrail maps the OrgTrail object to the organization's CloudTrail trail:
// its settings, event and insight selectors, tags, and logging on or off. Deleting the
// trail needs deletionPolicy Delete; the default keeps the organization's audit log.
package orgtrail

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/trailapi"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// Kind is the OrgTrail controller's mapping to AWS.
type Kind struct {
	*common.Env
	API trailapi.API
}

// Setup registers the controller.
func Setup(ctx context.Context, mgr ctrl.Manager, env *common.Env, api trailapi.API, opts reconciler.Options) error {
	return reconciler.Setup(ctx, mgr, reconciler.Controller[*v1alpha1.OrgTrail]{Name: "orgtrail", Kind: &Kind{Env: env, API: api},
		New: func() *v1alpha1.OrgTrail { return &v1alpha1.OrgTrail{} }}, opts)
}

func boolOr(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

// Observe compares the trail, its selectors, tags and logging with the spec, and
// plans what differs.
func (k *Kind) Observe(ctx context.Context, t *v1alpha1.OrgTrail) (reconciler.Observation, error) {
	name := t.AWSName()
	out, err := k.API.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: &name})
	if awsx.IsNotFound(err) {
		return reconciler.Observation{Plan: k.createPlan(t)}, nil
	}
	if err != nil {
		return reconciler.Observation{}, err
	}
	tr := out.Trail
	arn := aws.ToString(tr.TrailARN)
	var tags map[string]string
	adopted := false
	if reconciler.FullCheck(ctx) || t.Status.ID != name {
		if tags, err = k.tags(ctx, arn); err != nil {
			return reconciler.Observation{}, err
		}
		adopted, err = k.Claim(ctx, t, common.AWSObject{Noun: "trail", Name: name, ID: name, Owner: tags[common.OwnerTag], Fix: "choose another spec.name"})
		if err != nil {
			return reconciler.Observation{}, err
		}
	}
	t.Status.ID, t.Status.ARN, t.Status.HomeRegion = name, arn, aws.ToString(tr.HomeRegion)
	st, err := k.API.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: &name})
	if err != nil {
		return reconciler.Observation{}, err
	}
	t.Status.IsLogging, t.Status.LatestDeliveryError = aws.ToBool(st.IsLogging), aws.ToString(st.LatestDeliveryError)
	sel, insights, err := k.haveSelectors(ctx, name)
	if err != nil {
		return reconciler.Observation{}, err
	}
	var plan reconciler.Plan
	if c := k.settingsChange(t, tr); c != nil {
		plan = append(plan, *c)
	}
	plan = append(plan, k.selectorPlan(t, sel, insights)...)
	if c := k.loggingChange(t, t.Status.IsLogging); c != nil {
		plan = append(plan, *c)
	}
	if tags != nil {
		plan = common.AddTags(plan, "trail "+name, tags, common.WantTags(t, t.Spec.Tags), k.tagFuncs(arn))
	}
	return reconciler.Observation{Exists: true, Adopted: adopted, Plan: plan}, nil
}

// createPlan creates the organization trail, puts its selectors and starts logging.
func (k *Kind) createPlan(t *v1alpha1.OrgTrail) reconciler.Plan {
	var plan reconciler.Plan
	plan.Add(fmt.Sprintf("create the organization trail %s logging to s3://%s", t.AWSName(), t.Spec.S3BucketName), func(ctx context.Context) error {
		in := &cloudtrail.CreateTrailInput{Name: aws.String(t.AWSName()), S3BucketName: aws.String(t.Spec.S3BucketName), S3KeyPrefix: optional(t.Spec.S3KeyPrefix),
			SnsTopicName: optional(t.Spec.SNSTopicName), CloudWatchLogsLogGroupArn: optional(t.Spec.CloudWatchLogsLogGroupARN), CloudWatchLogsRoleArn: optional(t.Spec.CloudWatchLogsRoleARN),
			IncludeGlobalServiceEvents: aws.Bool(boolOr(t.Spec.IncludeGlobalServiceEvents, true)), IsMultiRegionTrail: aws.Bool(boolOr(t.Spec.MultiRegion, true)),
			EnableLogFileValidation: aws.Bool(boolOr(t.Spec.LogFileValidation, true)), IsOrganizationTrail: aws.Bool(true), KmsKeyId: optional(t.Spec.KMSKeyID),
			TagsList: trailTags(common.WantTags(t, t.Spec.Tags))}
		out, err := k.API.CreateTrail(ctx, in)
		if awsx.IsAlreadyExists(err) {
			return fmt.Errorf("a trail named %q appeared meanwhile; reading it again", t.AWSName())
		}
		if err != nil {
			return common.Fail(fmt.Sprintf("create the organization trail %q", t.AWSName()), err)
		}
		t.Status.ID, t.Status.ARN = t.AWSName(), aws.ToString(out.TrailARN)
		t.Status.KMSKeyARN, t.Status.AppliedKMSKeyID = aws.ToString(out.KmsKeyId), t.Spec.KMSKeyID
		return nil
	})
	plan = append(plan, k.selectorPlan(t, canonicalSelectors(wantBasic(&v1alpha1.OrgTrail{}), nil), nil)...)
	if c := k.loggingChange(t, false); c != nil {
		plan = append(plan, *c)
	}
	return plan
}

// settingsChange plans UpdateTrail for the settings that differ. Optional strings are
// compared, and sent, only when the spec sets them.
func (k *Kind) settingsChange(t *v1alpha1.OrgTrail, tr *cttypes.Trail) *reconciler.Change {
	name := t.AWSName()
	in := &cloudtrail.UpdateTrailInput{Name: &name}
	var what []string
	str := func(label, want, have string, set **string) {
		if want != "" && want != have {
			what, *set = append(what, label), aws.String(want)
		}
	}
	boolean := func(label string, want bool, have *bool, set **bool) {
		if want != aws.ToBool(have) {
			what, *set = append(what, fmt.Sprintf("%s (to %t)", label, want)), aws.Bool(want)
		}
	}
	str("S3 bucket", t.Spec.S3BucketName, aws.ToString(tr.S3BucketName), &in.S3BucketName)
	str("S3 key prefix", t.Spec.S3KeyPrefix, aws.ToString(tr.S3KeyPrefix), &in.S3KeyPrefix)
	str("SNS topic", t.Spec.SNSTopicName, topicOf(t.Spec.SNSTopicName, tr), &in.SnsTopicName)
	str("CloudWatch Logs log group", t.Spec.CloudWatchLogsLogGroupARN, aws.ToString(tr.CloudWatchLogsLogGroupArn), &in.CloudWatchLogsLogGroupArn)
	str("CloudWatch Logs role", t.Spec.CloudWatchLogsRoleARN, aws.ToString(tr.CloudWatchLogsRoleArn), &in.CloudWatchLogsRoleArn)
	if !kmsUpToDate(t, aws.ToString(tr.KmsKeyId)) {
		what, in.KmsKeyId = append(what, "KMS key"), aws.String(t.Spec.KMSKeyID)
	}
	boolean("global service events", boolOr(t.Spec.IncludeGlobalServiceEvents, true), tr.IncludeGlobalServiceEvents, &in.IncludeGlobalServiceEvents)
	boolean("multi-region", boolOr(t.Spec.MultiRegion, true), tr.IsMultiRegionTrail, &in.IsMultiRegionTrail)
	boolean("log file validation", boolOr(t.Spec.LogFileValidation, true), tr.LogFileValidationEnabled, &in.EnableLogFileValidation)
	boolean("organization trail", true, tr.IsOrganizationTrail, &in.IsOrganizationTrail)
	if len(what) == 0 {
		return nil
	}
	return &reconciler.Change{Description: fmt.Sprintf("update the %s of trail %s", strings.Join(what, ", "), name), Apply: func(ctx context.Context) error {
		up, err := k.API.UpdateTrail(ctx, in)
		if err != nil {
			return common.Fail("update the organization trail "+name, err)
		}
		if in.KmsKeyId != nil {
			t.Status.KMSKeyARN, t.Status.AppliedKMSKeyID = aws.ToString(up.KmsKeyId), t.Spec.KMSKeyID
		}
		return nil
	}}
}

// topicOf is the trail's SNS topic in the form the spec gives it: an ARN or a name.
func topicOf(spec string, tr *cttypes.Trail) string {
	if strings.HasPrefix(spec, "arn:") {
		return aws.ToString(tr.SnsTopicARN)
	}
	return aws.ToString(tr.SnsTopicName)
}

// kmsUpToDate compares the key: CloudTrail reports a key ARN for an alias, so the ARN
// it reported when the operator set the current spec value is what must still be there.
func kmsUpToDate(t *v1alpha1.OrgTrail, have string) bool {
	want := t.Spec.KMSKeyID
	switch {
	case want == "", want == have:
		return true
	default:
		return t.Status.AppliedKMSKeyID == want && t.Status.KMSKeyARN == have
	}
}

func (k *Kind) loggingChange(t *v1alpha1.OrgTrail, logging bool) *reconciler.Change {
	name := t.AWSName()
	want := boolOr(t.Spec.Logging, true)
	if logging == want {
		return nil
	}
	verb := "start"
	if !want {
		verb = "stop"
	}
	return &reconciler.Change{Description: verb + " logging on trail " + name, Apply: func(ctx context.Context) error {
		var err error
		if want {
			_, err = k.API.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: &name})
		} else {
			_, err = k.API.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: &name})
		}
		if err != nil {
			return common.Fail(verb+" logging on the trail "+name, err)
		}
		t.Status.IsLogging = want
		return nil
	}}
}

// Delete deletes the trail; the engine calls it only with deletionPolicy Delete. A
// trail that belongs to another object is never deleted.
func (k *Kind) Delete(ctx context.Context, t *v1alpha1.OrgTrail) (reconciler.Changes, error) {
	name := t.AWSName()
	out, err := k.API.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: &name})
	if awsx.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	tags, err := k.tags(ctx, aws.ToString(out.Trail.TrailARN))
	if err != nil {
		return nil, err
	}
	if !common.Owns(t, name, tags[common.OwnerTag]) {
		return nil, nil
	}
	_, err = k.API.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: &name})
	if err != nil && !awsx.IsNotFound(err) {
		return nil, common.Fail("delete the trail "+name, err)
	}
	return reconciler.Changes{"Deleted the organization trail " + name + ", as the deletion policy Delete says"}, nil
}

// Retain reports whether the deletion policy keeps the trail (the default).
func (k *Kind) Retain(t *v1alpha1.OrgTrail) bool {
	return t.Spec.DeletionPolicy != v1alpha1.DeletionPolicyDelete
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func canonical(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func trailTags(m map[string]string) []cttypes.Tag {
	return awsx.TagList(m, func(k, v string) cttypes.Tag { return cttypes.Tag{Key: aws.String(k), Value: aws.String(v)} })
}
