// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package importer

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
)

// trails reads the organization trails (trails of the management account alone are
// not this API's) with their selectors, logging state and tags.
func (im *importer) trails(ctx context.Context) error {
	api := im.c.CloudTrail
	out, err := api.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(false)})
	if err != nil {
		return err
	}
	byName := map[string]string{}
	for _, t := range out.TrailList {
		if !aws.ToBool(t.IsOrganizationTrail) {
			im.skip("the trail %s, which is not an organization trail", aws.ToString(t.Name))
			continue
		}
		byName[aws.ToString(t.Name)] = aws.ToString(t.Name)
	}
	objNames := assign(byName, "trail")
	for _, t := range out.TrailList {
		if name, ok := objNames[aws.ToString(t.Name)]; ok {
			if err := im.addTrail(ctx, t, name); err != nil {
				return err
			}
		}
	}
	return nil
}

func (im *importer) addTrail(ctx context.Context, t cttypes.Trail, name string) error {
	api := im.c.CloudTrail
	tn := aws.ToString(t.Name)
	spec := v1alpha1.OrgTrailSpec{Name: tn, S3BucketName: aws.ToString(t.S3BucketName), S3KeyPrefix: aws.ToString(t.S3KeyPrefix),
		SNSTopicName: aws.ToString(t.SnsTopicName), KMSKeyID: aws.ToString(t.KmsKeyId),
		CloudWatchLogsLogGroupARN: aws.ToString(t.CloudWatchLogsLogGroupArn), CloudWatchLogsRoleARN: aws.ToString(t.CloudWatchLogsRoleArn),
		MultiRegion: falseOnly(t.IsMultiRegionTrail), LogFileValidation: falseOnly(t.LogFileValidationEnabled),
		IncludeGlobalServiceEvents: falseOnly(t.IncludeGlobalServiceEvents),
		DeletionPolicy:             v1alpha1.DeletionPolicyRetain, ManagementPolicy: im.o.ManagementPolicy}
	st, err := api.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: &tn})
	if err != nil {
		return err
	}
	spec.Logging = falseOnly(st.IsLogging)
	es, err := api.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: &tn})
	if err != nil {
		return err
	}
	spec.EventSelectors, spec.AdvancedEventSelectors = basicSelectors(es.EventSelectors), advancedSelectors(es.AdvancedEventSelectors)
	ins, err := api.GetInsightSelectors(ctx, &cloudtrail.GetInsightSelectorsInput{TrailName: &tn})
	switch {
	case awsx.IsCode(err, "InsightNotEnabledException"):
	case err != nil:
		return err
	default:
		for _, s := range ins.InsightSelectors {
			spec.InsightSelectors = append(spec.InsightSelectors, v1alpha1.InsightSelector{InsightType: string(s.InsightType)})
		}
	}
	tags, err := api.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{aws.ToString(t.TrailARN)}})
	if err != nil {
		return err
	}
	m := map[string]string{}
	for _, r := range tags.ResourceTagList {
		for _, tg := range r.TagsList {
			m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
	}
	spec.Tags = userTags(m)
	return im.add("OrgTrail", &v1alpha1.OrgTrail{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: spec})
}

// basicSelectors are the trail's event selectors, left out when they are AWS's
// default (all management events, no data events), which an empty spec means.
func basicSelectors(in []cttypes.EventSelector) []v1alpha1.EventSelector {
	if len(in) == 1 && in[0].ReadWriteType == cttypes.ReadWriteTypeAll && aws.ToBool(in[0].IncludeManagementEvents) &&
		len(in[0].DataResources) == 0 && len(in[0].ExcludeManagementEventSources) == 0 {
		return nil
	}
	var out []v1alpha1.EventSelector
	for _, s := range in {
		es := v1alpha1.EventSelector{ReadWriteType: string(s.ReadWriteType), IncludeManagementEvents: falseOnly(s.IncludeManagementEvents),
			ExcludeManagementEventSources: s.ExcludeManagementEventSources}
		for _, d := range s.DataResources {
			es.DataResources = append(es.DataResources, v1alpha1.DataResource{Type: aws.ToString(d.Type), Values: d.Values})
		}
		out = append(out, es)
	}
	return out
}

func advancedSelectors(in []cttypes.AdvancedEventSelector) []v1alpha1.AdvancedEventSelector {
	var out []v1alpha1.AdvancedEventSelector
	for _, s := range in {
		a := v1alpha1.AdvancedEventSelector{Name: aws.ToString(s.Name)}
		for _, f := range s.FieldSelectors {
			a.FieldSelectors = append(a.FieldSelectors, v1alpha1.FieldSelector{Field: aws.ToString(f.Field), Equals: f.Equals, StartsWith: f.StartsWith,
				EndsWith: f.EndsWith, NotEquals: f.NotEquals, NotStartsWith: f.NotStartsWith, NotEndsWith: f.NotEndsWith})
		}
		out = append(out, a)
	}
	return out
}

// falseOnly writes a setting whose default is true only when it is false.
func falseOnly(b *bool) *bool {
	if aws.ToBool(b) {
		return nil
	}
	return ptr(false)
}
