// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package orgtrail

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

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
	case awsx.IsCode(err, "InsightNotEnabledException"):
	case err != nil:
		return "", nil, err
	default:
		for _, s := range in.InsightSelectors {
			insights = append(insights, string(s.InsightType))
		}
	}
	return canonicalSelectors(es.EventSelectors, es.AdvancedEventSelectors), sortedCopy(insights), nil
}

// selectorPlan puts the spec's event and insight selectors, each only when it differs.
// A trail about to be created has none (haveSel and haveInsights are empty).
func (k *Kind) selectorPlan(t *v1alpha1.OrgTrail, haveSel string, haveInsights []string) reconciler.Plan {
	name := t.AWSName()
	var plan reconciler.Plan
	if haveSel != wantSelectors(t) {
		in := &cloudtrail.PutEventSelectorsInput{TrailName: &name}
		kind := "event selectors"
		if len(t.Spec.AdvancedEventSelectors) > 0 {
			in.AdvancedEventSelectors, kind = wantAdvanced(t), "advanced event selectors"
		} else {
			in.EventSelectors = wantBasic(t)
		}
		plan.Add(fmt.Sprintf("put the %s of trail %s", kind, name), func(ctx context.Context) error {
			if _, err := k.API.PutEventSelectors(ctx, in); err != nil {
				return common.Fail("put the event selectors of the trail "+name, err)
			}
			return nil
		})
	}
	if want := wantInsights(t); !slices.Equal(haveInsights, want) {
		in := &cloudtrail.PutInsightSelectorsInput{TrailName: &name, InsightSelectors: []cttypes.InsightSelector{}}
		for _, typ := range want {
			in.InsightSelectors = append(in.InsightSelectors, cttypes.InsightSelector{InsightType: cttypes.InsightType(typ)})
		}
		desc := fmt.Sprintf("turn on the insights %s of trail %s", strings.Join(want, ", "), name)
		if len(want) == 0 {
			desc = "turn off insights on trail " + name
		}
		plan.Add(desc, func(ctx context.Context) error {
			if _, err := k.API.PutInsightSelectors(ctx, in); err != nil {
				return common.Fail("put the insight selectors of the trail "+name, err)
			}
			return nil
		})
	}
	return plan
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

func (k *Kind) tagFuncs(arn string) awsx.TagFuncs {
	return awsx.TagFuncs{
		Set: func(ctx context.Context, tags map[string]string) error {
			_, err := k.API.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: &arn, TagsList: trailTags(tags)})
			return err
		},
		Remove: func(ctx context.Context, keys []string) error {
			list := make([]cttypes.Tag, 0, len(keys))
			for _, key := range keys {
				list = append(list, cttypes.Tag{Key: aws.String(key)})
			}
			_, err := k.API.RemoveTags(ctx, &cloudtrail.RemoveTagsInput{ResourceId: &arn, TagsList: list})
			return err
		},
	}
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
