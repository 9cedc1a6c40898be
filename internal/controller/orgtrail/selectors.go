// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package orgtrail

import (
	"context"
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// selector and field are the canonical forms of event selectors, for comparing.
type selector struct {
	RW       string     `json:"rw,omitempty"`
	Mgmt     bool       `json:"mgmt,omitempty"`
	Data     [][]string `json:"data,omitempty"`
	Exclude  []string   `json:"exclude,omitempty"`
	Name     string     `json:"name,omitempty"`
	Fields   []field    `json:"fields,omitempty"`
	Advanced bool       `json:"advanced,omitempty"`
}

type field struct {
	Field                                                               string
	Equals, StartsWith, EndsWith, NotEquals, NotStartsWith, NotEndsWith []string
}

func sortedCopy(in []string) []string {
	out := slices.Clone(in)
	sort.Strings(out)
	return out
}

// wantBasic is the spec's basic selectors, or AWS's default (all management events)
// when the spec sets no selectors.
func wantBasic(t *v1alpha1.OrgTrail) []cttypes.EventSelector {
	specs := t.Spec.EventSelectors
	if len(specs) == 0 {
		specs = []v1alpha1.EventSelector{{}}
	}
	out := make([]cttypes.EventSelector, 0, len(specs))
	for _, s := range specs {
		es := cttypes.EventSelector{ReadWriteType: cttypes.ReadWriteType(or(s.ReadWriteType, "All")), IncludeManagementEvents: aws.Bool(boolOr(s.IncludeManagementEvents, true)),
			ExcludeManagementEventSources: s.ExcludeManagementEventSources, DataResources: []cttypes.DataResource{}}
		for _, d := range s.DataResources {
			es.DataResources = append(es.DataResources, cttypes.DataResource{Type: aws.String(d.Type), Values: d.Values})
		}
		out = append(out, es)
	}
	return out
}

func wantAdvanced(t *v1alpha1.OrgTrail) []cttypes.AdvancedEventSelector {
	out := make([]cttypes.AdvancedEventSelector, 0, len(t.Spec.AdvancedEventSelectors))
	for _, s := range t.Spec.AdvancedEventSelectors {
		a := cttypes.AdvancedEventSelector{Name: optional(s.Name)}
		for _, f := range s.FieldSelectors {
			a.FieldSelectors = append(a.FieldSelectors, cttypes.AdvancedFieldSelector{Field: aws.String(f.Field), Equals: f.Equals, StartsWith: f.StartsWith,
				EndsWith: f.EndsWith, NotEquals: f.NotEquals, NotStartsWith: f.NotStartsWith, NotEndsWith: f.NotEndsWith})
		}
		out = append(out, a)
	}
	return out
}

func canonicalSelectors(basic []cttypes.EventSelector, advanced []cttypes.AdvancedEventSelector) string {
	var out []selector
	for _, s := range basic {
		c := selector{RW: string(s.ReadWriteType), Mgmt: aws.ToBool(s.IncludeManagementEvents), Exclude: sortedCopy(s.ExcludeManagementEventSources)}
		for _, d := range s.DataResources {
			c.Data = append(c.Data, append([]string{aws.ToString(d.Type)}, sortedCopy(d.Values)...))
		}
		out = append(out, c)
	}
	for _, s := range advanced {
		c := selector{Advanced: true, Name: aws.ToString(s.Name)}
		for _, f := range s.FieldSelectors {
			c.Fields = append(c.Fields, field{Field: aws.ToString(f.Field), Equals: sortedCopy(f.Equals), StartsWith: sortedCopy(f.StartsWith), EndsWith: sortedCopy(f.EndsWith),
				NotEquals: sortedCopy(f.NotEquals), NotStartsWith: sortedCopy(f.NotStartsWith), NotEndsWith: sortedCopy(f.NotEndsWith)})
		}
		out = append(out, c)
	}
	return canonical(out)
}

func wantSelectors(t *v1alpha1.OrgTrail) string {
	if len(t.Spec.AdvancedEventSelectors) > 0 {
		return canonicalSelectors(nil, wantAdvanced(t))
	}
	return canonicalSelectors(wantBasic(t), nil)
}

func wantInsights(t *v1alpha1.OrgTrail) []string {
	var out []string
	for _, s := range t.Spec.InsightSelectors {
		out = append(out, s.InsightType)
	}
	return sortedCopy(out)
}

func (k *Kind) haveSelectors(ctx context.Context, name string) (string, []string, error) {
	es, err := k.API.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: &name})
	if err != nil {
		return "", nil, err
	}
	var insights []string
	in, err := k.API.GetInsightSelectors(ctx, &cloudtrail.GetInsightSelectorsInput{TrailName: &name})
	switch {
	case awsx.Code(err) == "InsightNotEnabledException":
	case err != nil:
		return "", nil, err
	default:
		for _, s := range in.InsightSelectors {
			insights = append(insights, string(s.InsightType))
		}
	}
	return canonicalSelectors(es.EventSelectors, es.AdvancedEventSelectors), sortedCopy(insights), nil
}

func (k *Kind) selectorsUpToDate(ctx context.Context, t *v1alpha1.OrgTrail) (bool, error) {
	sel, insights, err := k.haveSelectors(ctx, t.AWSName())
	if err != nil {
		return false, err
	}
	return sel == wantSelectors(t) && slices.Equal(insights, wantInsights(t)), nil
}

// syncSelectors puts the spec's event and insight selectors, each only when it differs.
func (k *Kind) syncSelectors(ctx context.Context, t *v1alpha1.OrgTrail) (reconciler.Changes, error) {
	name := t.AWSName()
	sel, insights, err := k.haveSelectors(ctx, name)
	if err != nil {
		return nil, err
	}
	var changes reconciler.Changes
	if sel != wantSelectors(t) {
		in := &cloudtrail.PutEventSelectorsInput{TrailName: &name}
		if len(t.Spec.AdvancedEventSelectors) > 0 {
			in.AdvancedEventSelectors = wantAdvanced(t)
		} else {
			in.EventSelectors = wantBasic(t)
		}
		if _, err := k.API.PutEventSelectors(ctx, in); err != nil {
			return nil, common.Refused("put the event selectors of the trail "+name, err)
		}
		changes = append(changes, "Put the event selectors of the trail "+name)
	}
	if want := wantInsights(t); !slices.Equal(insights, want) {
		in := &cloudtrail.PutInsightSelectorsInput{TrailName: &name, InsightSelectors: []cttypes.InsightSelector{}}
		for _, typ := range want {
			in.InsightSelectors = append(in.InsightSelectors, cttypes.InsightSelector{InsightType: cttypes.InsightType(typ)})
		}
		if _, err := k.API.PutInsightSelectors(ctx, in); err != nil {
			return changes, common.Refused("put the insight selectors of the trail "+name, err)
		}
		changes = append(changes, "Put the insight selectors of the trail "+name)
	}
	return changes, nil
}

func (k *Kind) tags(ctx context.Context, arn string) (map[string]string, error) {
	out, err := k.API.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{arn}})
	if err != nil {
		return nil, err
	}
	tags := map[string]string{}
	for _, r := range out.ResourceTagList {
		for _, t := range r.TagsList {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return tags, nil
}

func (k *Kind) syncTags(ctx context.Context, arn string, have, want map[string]string) (reconciler.Changes, error) {
	set, remove := awsx.DiffTags(have, want)
	if len(remove) > 0 {
		keys := make([]cttypes.Tag, 0, len(remove))
		for _, key := range remove {
			keys = append(keys, cttypes.Tag{Key: aws.String(key)})
		}
		if _, err := k.API.RemoveTags(ctx, &cloudtrail.RemoveTagsInput{ResourceId: &arn, TagsList: keys}); err != nil {
			return nil, common.Refused("untag the trail", err)
		}
	}
	if len(set) > 0 {
		if _, err := k.API.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: &arn, TagsList: trailTags(set)}); err != nil {
			return nil, common.Refused("tag the trail", err)
		}
	}
	if len(set)+len(remove) == 0 {
		return nil, nil
	}
	return reconciler.Changes{"Updated the tags of the trail"}, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
