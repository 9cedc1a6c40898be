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
	"maps"

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
func Setup(mgr ctrl.Manager, env *common.Env, api trailapi.API, opts reconciler.Options) error {
	return reconciler.Setup(mgr, "orgtrail", reconciler.Kind[*v1alpha1.OrgTrail](&Kind{Env: env, API: api}),
		func() *v1alpha1.OrgTrail { return &v1alpha1.OrgTrail{} }, opts)
}

func boolOr(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// settings are the trail's settings as compared; KMS is compared separately.
type settings struct {
	Bucket, Prefix, Topic, LogGroup, Role string
	Global, MultiRegion, Validation, Org  bool
}

func wantSettings(t *v1alpha1.OrgTrail) settings {
	return settings{Bucket: t.Spec.S3BucketName, Prefix: t.Spec.S3KeyPrefix, Topic: t.Spec.SNSTopicName, LogGroup: t.Spec.CloudWatchLogsLogGroupARN,
		Role: t.Spec.CloudWatchLogsRoleARN, Global: boolOr(t.Spec.IncludeGlobalServiceEvents, true), MultiRegion: boolOr(t.Spec.MultiRegion, true),
		Validation: boolOr(t.Spec.LogFileValidation, true), Org: true}
}

func haveSettings(tr *cttypes.Trail) settings {
	return settings{Bucket: aws.ToString(tr.S3BucketName), Prefix: aws.ToString(tr.S3KeyPrefix), Topic: aws.ToString(tr.SnsTopicName),
		LogGroup: aws.ToString(tr.CloudWatchLogsLogGroupArn), Role: aws.ToString(tr.CloudWatchLogsRoleArn), Global: aws.ToBool(tr.IncludeGlobalServiceEvents),
		MultiRegion: aws.ToBool(tr.IsMultiRegionTrail), Validation: aws.ToBool(tr.LogFileValidationEnabled), Org: aws.ToBool(tr.IsOrganizationTrail)}
}

// kmsUpToDate compares the key: CloudTrail reports a key ARN for an alias, so the ARN
// it reported when the operator set the current spec value is what must still be there.
func kmsUpToDate(t *v1alpha1.OrgTrail, have string) bool {
	want := t.Spec.KMSKeyID
	switch {
	case want == "":
		return have == ""
	case want == have:
		return true
	default:
		return t.Status.AppliedKMSKeyID == want && t.Status.KMSKeyARN == have
	}
}

// Observe compares the trail, its selectors, tags and logging with the spec.
func (k *Kind) Observe(ctx context.Context, t *v1alpha1.OrgTrail) (reconciler.Observation, error) {
	name := t.AWSName()
	out, err := k.API.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: &name})
	if awsx.IsNotFound(err) {
		t.Status.ID, t.Status.ARN = "", ""
		return reconciler.Observation{}, nil
	}
	if err != nil {
		return reconciler.Observation{}, err
	}
	tr := out.Trail
	t.Status.ID, t.Status.ARN, t.Status.HomeRegion = name, aws.ToString(tr.TrailARN), aws.ToString(tr.HomeRegion)
	st, err := k.API.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: &name})
	if err != nil {
		return reconciler.Observation{}, err
	}
	t.Status.IsLogging, t.Status.LatestDeliveryError = aws.ToBool(st.IsLogging), aws.ToString(st.LatestDeliveryError)
	if haveSettings(tr) != wantSettings(t) || !kmsUpToDate(t, aws.ToString(tr.KmsKeyId)) || t.Status.IsLogging != boolOr(t.Spec.Logging, true) {
		return reconciler.Observation{Exists: true}, nil
	}
	same, err := k.selectorsUpToDate(ctx, t)
	if err != nil || !same {
		return reconciler.Observation{Exists: true}, err
	}
	if common.NeedsFullCheck(t) {
		tags, err := k.tags(ctx, t.Status.ARN)
		if err != nil {
			return reconciler.Observation{}, err
		}
		if !maps.Equal(tags, map[string]string(t.Spec.Tags)) && len(tags)+len(t.Spec.Tags) > 0 {
			return reconciler.Observation{Exists: true}, nil
		}
	}
	return reconciler.Observation{Exists: true, UpToDate: true}, nil
}

// Create creates the organization trail; selectors and logging follow in Update.
func (k *Kind) Create(ctx context.Context, t *v1alpha1.OrgTrail) (reconciler.Changes, error) {
	w := wantSettings(t)
	out, err := k.API.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(t.AWSName()), S3BucketName: &w.Bucket, S3KeyPrefix: optional(w.Prefix),
		SnsTopicName: optional(w.Topic), CloudWatchLogsLogGroupArn: optional(w.LogGroup), CloudWatchLogsRoleArn: optional(w.Role),
		IncludeGlobalServiceEvents: &w.Global, IsMultiRegionTrail: &w.MultiRegion, EnableLogFileValidation: &w.Validation,
		IsOrganizationTrail: aws.Bool(true), KmsKeyId: optional(t.Spec.KMSKeyID), TagsList: trailTags(t.Spec.Tags)})
	if awsx.IsAlreadyExists(err) {
		return nil, nil // it exists: the next observe adopts it by name
	}
	if err != nil {
		return nil, common.Refused(fmt.Sprintf("create the organization trail %q", t.AWSName()), err)
	}
	t.Status.ID, t.Status.ARN = t.AWSName(), aws.ToString(out.TrailARN)
	t.Status.KMSKeyARN, t.Status.AppliedKMSKeyID = aws.ToString(out.KmsKeyId), t.Spec.KMSKeyID
	return reconciler.Changes{fmt.Sprintf("Created the organization trail %s", t.Status.ARN)}, nil
}

// Update makes the trail's settings, selectors, tags and logging match the spec.
func (k *Kind) Update(ctx context.Context, t *v1alpha1.OrgTrail) (reconciler.Changes, error) {
	name := t.AWSName()
	out, err := k.API.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: &name})
	if err != nil {
		return nil, err
	}
	var changes reconciler.Changes
	if w := wantSettings(t); haveSettings(out.Trail) != w || !kmsUpToDate(t, aws.ToString(out.Trail.KmsKeyId)) {
		up, err := k.API.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: &name, S3BucketName: &w.Bucket, S3KeyPrefix: aws.String(w.Prefix),
			SnsTopicName: aws.String(w.Topic), CloudWatchLogsLogGroupArn: aws.String(w.LogGroup), CloudWatchLogsRoleArn: aws.String(w.Role),
			IncludeGlobalServiceEvents: &w.Global, IsMultiRegionTrail: &w.MultiRegion, EnableLogFileValidation: &w.Validation,
			IsOrganizationTrail: aws.Bool(true), KmsKeyId: aws.String(t.Spec.KMSKeyID)})
		if err != nil {
			return nil, common.Refused("update the organization trail "+name, err)
		}
		t.Status.KMSKeyARN, t.Status.AppliedKMSKeyID = aws.ToString(up.KmsKeyId), t.Spec.KMSKeyID
		changes = append(changes, "Updated the settings of the trail "+name)
	}
	c, err := k.syncSelectors(ctx, t)
	changes = append(changes, c...)
	if err != nil {
		return changes, err
	}
	c, err = k.syncLogging(ctx, t)
	changes = append(changes, c...)
	if err != nil {
		return changes, err
	}
	tags, err := k.tags(ctx, t.Status.ARN)
	if err != nil {
		return changes, err
	}
	c, err = k.syncTags(ctx, t.Status.ARN, tags, t.Spec.Tags)
	return append(changes, c...), err
}

func (k *Kind) syncLogging(ctx context.Context, t *v1alpha1.OrgTrail) (reconciler.Changes, error) {
	name := t.AWSName()
	st, err := k.API.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: &name})
	if err != nil {
		return nil, err
	}
	want := boolOr(t.Spec.Logging, true)
	if aws.ToBool(st.IsLogging) == want {
		return nil, nil
	}
	if want {
		_, err = k.API.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: &name})
	} else {
		_, err = k.API.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: &name})
	}
	if err != nil {
		return nil, common.Refused("turn logging of the trail "+name+fmt.Sprintf(" to %t", want), err)
	}
	t.Status.IsLogging = want
	if want {
		return reconciler.Changes{"Started logging on the trail " + name}, nil
	}
	return reconciler.Changes{"Stopped logging on the trail " + name}, nil
}

// Delete deletes the trail; the engine calls it only with deletionPolicy Delete.
func (k *Kind) Delete(ctx context.Context, t *v1alpha1.OrgTrail) (reconciler.Changes, error) {
	if t.Status.ID == "" {
		return nil, nil
	}
	_, err := k.API.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String(t.Status.ID)})
	if err != nil && !awsx.IsNotFound(err) {
		return nil, common.Refused("delete the trail "+t.Status.ID, err)
	}
	return reconciler.Changes{"Deleted the organization trail " + t.Status.ID + ", as the deletion policy Delete says"}, nil
}

// Retain reports whether the deletion policy keeps the trail (the default).
func (k *Kind) Retain(t *v1alpha1.OrgTrail) bool {
	return t.Spec.DeletionPolicy != v1alpha1.DeletionPolicyDelete
}

func canonical(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func trailTags(m map[string]string) []cttypes.Tag {
	return awsx.TagList(m, func(k, v string) cttypes.Tag { return cttypes.Tag{Key: aws.String(k), Value: aws.String(v)} })
}
