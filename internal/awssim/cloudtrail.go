// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim

import (
	"crypto/sha256"
	"fmt"
	"net"
	"regexp"
	"strings"
	"time"

	"github.com/awsorg/awsorg-operator/internal/awssim/model"
)

// trail is one CloudTrail trail in the simulator's region.
type trail struct {
	Fields         map[string]any // the CreateTrail/UpdateTrail members as stored
	Logging        bool
	Started        time.Time
	Stopped        time.Time
	EventSelectors []any
	Advanced       []any
	Insights       []any
	InsightsSet    bool
	Tags           map[string]string
	DeliveryError  string
}

func ctErr(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: 400}
}

func ctInvalid(msg, _ string) *Error { return ctErr("InvalidParameterException", "%s", msg) }

func ctNameInvalid(msg, reason string) *Error {
	if strings.Contains(msg, "Name") {
		return ctErr("InvalidTrailNameException", "%s", msg)
	}
	return ctInvalid(msg, reason)
}

func (s *Server) registerCloudTrail() {
	svc := &model.CloudTrail
	register(s, svc, "CreateTrail", ctNameInvalid, s.createTrail, "TrailAlreadyExistsException", "MaximumNumberOfTrailsExceededException",
		"S3BucketDoesNotExistException", "InvalidTrailNameException", "InvalidParameterException", "NotOrganizationMasterAccountException", "ThrottlingException")
	register(s, svc, "GetTrail", ctNameInvalid, s.getTrail, "TrailNotFoundException", "InvalidTrailNameException")
	register(s, svc, "UpdateTrail", ctNameInvalid, s.updateTrail, "TrailNotFoundException", "S3BucketDoesNotExistException", "InvalidTrailNameException", "InvalidParameterException", "ThrottlingException")
	register(s, svc, "DeleteTrail", ctNameInvalid, s.deleteTrail, "TrailNotFoundException", "InvalidTrailNameException", "ThrottlingException")
	register(s, svc, "StartLogging", ctNameInvalid, s.startLogging, "TrailNotFoundException", "InvalidTrailNameException", "ThrottlingException")
	register(s, svc, "StopLogging", ctNameInvalid, s.stopLogging, "TrailNotFoundException", "InvalidTrailNameException", "ThrottlingException")
	register(s, svc, "GetTrailStatus", ctNameInvalid, s.getTrailStatus, "TrailNotFoundException", "InvalidTrailNameException")
	register(s, svc, "PutEventSelectors", ctNameInvalid, s.putEventSelectors, "TrailNotFoundException", "InvalidEventSelectorsException", "InvalidTrailNameException", "ThrottlingException")
	register(s, svc, "GetEventSelectors", ctNameInvalid, s.getEventSelectors, "TrailNotFoundException", "InvalidTrailNameException")
	register(s, svc, "PutInsightSelectors", ctInvalid, s.putInsightSelectors, "TrailNotFoundException", "InvalidInsightSelectorsException", "InvalidParameterException", "ThrottlingException")
	register(s, svc, "GetInsightSelectors", ctInvalid, s.getInsightSelectors, "TrailNotFoundException", "InsightNotEnabledException", "InvalidParameterException", "ThrottlingException")
	register(s, svc, "AddTags", ctInvalid, s.addTrailTags, "ResourceNotFoundException", "TagsLimitExceededException", "InvalidTagParameterException")
	register(s, svc, "RemoveTags", ctInvalid, s.removeTrailTags, "ResourceNotFoundException", "InvalidTagParameterException")
	register(s, svc, "ListTags", ctInvalid, s.listTrailTags, "ResourceNotFoundException")
	register(s, svc, "DescribeTrails", ctInvalid, s.describeTrails, "InvalidTrailNameException")
	register(s, svc, "ListTrails", ctInvalid, s.listTrails, "OperationNotPermittedException")
	register(s, svc, "LookupEvents", lookupInvalid, s.lookupEvents, "InvalidLookupAttributesException", "InvalidMaxResultsException",
		"InvalidEventCategoryException", "InvalidTimeRangeException", "InvalidNextTokenException")
}

// SetTrailDeliveryError sets the delivery error GetTrailStatus reports for a trail.
func (s *Server) SetTrailDeliveryError(name, msg string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.trails[name]
	if t == nil {
		return fmt.Errorf("no trail named %q", name)
	}
	t.DeliveryError = msg
	return nil
}

var trailName = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9]|[._-][A-Za-z0-9])*$`)

func checkTrailName(name string) error {
	switch {
	case len(name) < 3:
		return ctErr("InvalidTrailNameException", "Trail name too short. Minimum allowed length: 3 characters. Specified name length: %d characters.", len(name))
	case len(name) > 128:
		return ctErr("InvalidTrailNameException", "Trail name too long. Maximum allowed length: 128 characters. Specified name length: %d characters.", len(name))
	case !trailName.MatchString(name):
		return ctErr("InvalidTrailNameException", "Trail name must start and end with a letter or number, and contain only letters, numbers, periods, underscores and hyphens, without two of . _ - in a row.")
	case net.ParseIP(name) != nil:
		return ctErr("InvalidTrailNameException", "Trail name cannot be formatted as an IP address.")
	}
	return nil
}

func (s *Server) trailArn(name string) string {
	return "arn:aws:cloudtrail:" + s.cfg.Region + ":" + s.cfg.ManagementAccountID + ":trail/" + name
}

// findTrail accepts a trail's name or ARN.
func (s *Server) findTrail(nameOrArn string) (string, *trail, error) {
	name := nameOrArn
	if strings.HasPrefix(nameOrArn, "arn:") {
		name = nameOrArn[strings.LastIndex(nameOrArn, "/")+1:]
	} else if err := checkTrailName(name); err != nil {
		return "", nil, err
	}
	t := s.trails[name]
	if t == nil {
		return "", nil, ctErr("TrailNotFoundException", "Unknown trail: %s for the user: %s", nameOrArn, s.cfg.ManagementAccountID)
	}
	return name, t, nil
}

// kmsArn resolves a key id or alias to a key ARN, as CloudTrail reports it.
func (s *Server) kmsArn(id string) string {
	if strings.HasPrefix(id, "arn:aws:kms:") && strings.Contains(id, ":key/") {
		return id
	}
	sum := sha256.Sum256([]byte(strings.TrimPrefix(id, "arn:aws:kms:"+s.cfg.Region+":"+s.cfg.ManagementAccountID+":")))
	h := fmt.Sprintf("%x", sum)
	return "arn:aws:kms:" + s.cfg.Region + ":" + s.cfg.ManagementAccountID + ":key/" + h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

var trailFields = []string{"S3BucketName", "S3KeyPrefix", "SnsTopicName", "IncludeGlobalServiceEvents", "IsMultiRegionTrail",
	"EnableLogFileValidation", "CloudWatchLogsLogGroupArn", "CloudWatchLogsRoleArn", "KmsKeyId", "IsOrganizationTrail"}

func (s *Server) applyTrail(t *trail, in map[string]any) error {
	if b, ok := in["S3BucketName"].(string); ok && contains(s.cfg.MissingBuckets, b) {
		return ctErr("S3BucketDoesNotExistException", "The specified S3 bucket does not exist: %s.", b)
	}
	if org, _ := in["IsOrganizationTrail"].(bool); org && s.cfg.CallerAccountID != "" && s.cfg.CallerAccountID != s.cfg.ManagementAccountID {
		return ctErr("NotOrganizationMasterAccountException", "Only the management account of the organization can create or update an organization trail.")
	}
	for _, f := range trailFields {
		if v, ok := in[f]; ok {
			if topic, isTopic := v.(string); f == "SnsTopicName" && isTopic && strings.HasPrefix(topic, "arn:") {
				t.Fields["SnsTopicARN"] = topic // a name or an ARN; AWS reports both
				v = topic[strings.LastIndex(topic, ":")+1:]
			} else if f == "SnsTopicName" {
				delete(t.Fields, "SnsTopicARN")
			}
			if f == "KmsKeyId" {
				if id, _ := v.(string); id == "" {
					delete(t.Fields, f)
					continue
				}
				v = s.kmsArn(fmt.Sprint(v))
			}
			t.Fields[f] = v
		}
	}
	return nil
}

func (s *Server) trailOut(name string, t *trail) map[string]any {
	out := map[string]any{"Name": name, "TrailARN": s.trailArn(name), "HomeRegion": s.cfg.Region,
		"IncludeGlobalServiceEvents": true, "IsMultiRegionTrail": false, "IsOrganizationTrail": false, "LogFileValidationEnabled": false,
		"HasCustomEventSelectors": t.EventSelectors != nil || t.Advanced != nil, "HasInsightSelectors": len(t.Insights) > 0}
	for k, v := range t.Fields {
		if k == "EnableLogFileValidation" {
			out["LogFileValidationEnabled"] = v
			continue
		}
		out[k] = v
	}
	if topic, ok := t.Fields["SnsTopicName"].(string); ok && topic != "" && out["SnsTopicARN"] == nil {
		out["SnsTopicARN"] = "arn:aws:sns:" + s.cfg.Region + ":" + s.cfg.ManagementAccountID + ":" + topic
	}
	return out
}

func (s *Server) createTrail(in *map[string]any) (any, error) {
	name := fmt.Sprint((*in)["Name"])
	if err := checkTrailName(name); err != nil {
		return nil, err
	}
	if s.trails[name] != nil {
		return nil, ctErr("TrailAlreadyExistsException", "Trail %s already exists for customer: %s", name, s.cfg.ManagementAccountID)
	}
	if len(s.trails) >= 5 {
		return nil, ctErr("MaximumNumberOfTrailsExceededException", "User: %s already has 5 trails in %s.", s.cfg.ManagementAccountID, s.cfg.Region)
	}
	t := &trail{Fields: map[string]any{}, Tags: map[string]string{}}
	if err := s.applyTrail(t, *in); err != nil {
		return nil, err
	}
	if tags, ok := (*in)["TagsList"].([]any); ok {
		for _, raw := range tags {
			m, _ := raw.(map[string]any)
			t.Tags[fmt.Sprint(m["Key"])] = fmt.Sprint(m["Value"])
		}
	}
	s.trails[name] = t
	out := s.trailOut(name, t)
	delete(out, "HomeRegion")
	delete(out, "HasCustomEventSelectors")
	delete(out, "HasInsightSelectors")
	return out, nil
}

type trailNameIn struct{ Name string }

// describeTrails serves DescribeTrails: the trails named (by name or ARN), or all.
func (s *Server) describeTrails(in *struct{ TrailNameList []string }) (any, error) {
	names := in.TrailNameList
	if len(names) == 0 {
		names = sortedKeys(s.trails)
	}
	list := []map[string]any{}
	for _, n := range names {
		if name, t, err := s.findTrail(n); err == nil {
			list = append(list, s.trailOut(name, t))
		}
	}
	return map[string]any{"trailList": list}, nil
}

// listTrails serves ListTrails, by name.
func (s *Server) listTrails(in *struct{ NextToken *string }) (any, error) {
	var items []map[string]string
	for _, name := range sortedKeys(s.trails) {
		items = append(items, map[string]string{"Name": name, "TrailARN": s.trailArn(name), "HomeRegion": s.cfg.Region})
	}
	out, next, err := pageWhole(s, items, in.NextToken, 50)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Trails": nonNil(out), "NextToken": next}, nil
}

func (s *Server) getTrail(in *trailNameIn) (any, error) {
	name, t, err := s.findTrail(in.Name)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Trail": s.trailOut(name, t)}, nil
}

func (s *Server) updateTrail(in *map[string]any) (any, error) {
	name, t, err := s.findTrail(fmt.Sprint((*in)["Name"]))
	if err != nil {
		return nil, err
	}
	if err := s.applyTrail(t, *in); err != nil {
		return nil, err
	}
	out := s.trailOut(name, t)
	delete(out, "HomeRegion")
	delete(out, "HasCustomEventSelectors")
	delete(out, "HasInsightSelectors")
	return out, nil
}

func (s *Server) deleteTrail(in *trailNameIn) (any, error) {
	name, _, err := s.findTrail(in.Name)
	if err != nil {
		return nil, err
	}
	delete(s.trails, name)
	return nil, nil
}

func (s *Server) startLogging(in *trailNameIn) (any, error) {
	_, t, err := s.findTrail(in.Name)
	if err != nil {
		return nil, err
	}
	if !t.Logging {
		t.Logging, t.Started = true, s.now()
	}
	return nil, nil
}

func (s *Server) stopLogging(in *trailNameIn) (any, error) {
	_, t, err := s.findTrail(in.Name)
	if err != nil {
		return nil, err
	}
	if t.Logging {
		t.Logging, t.Stopped = false, s.now()
	}
	return nil, nil
}

func (s *Server) getTrailStatus(in *trailNameIn) (any, error) {
	_, t, err := s.findTrail(in.Name)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"IsLogging": t.Logging}
	if !t.Started.IsZero() {
		out["StartLoggingTime"] = ts(t.Started)
		out["TimeLoggingStarted"] = t.Started.UTC().Format(time.RFC3339)
	}
	if !t.Stopped.IsZero() {
		out["StopLoggingTime"] = ts(t.Stopped)
		out["TimeLoggingStopped"] = t.Stopped.UTC().Format(time.RFC3339)
	}
	if t.DeliveryError != "" {
		out["LatestDeliveryError"] = t.DeliveryError
	} else if t.Logging {
		out["LatestDeliveryTime"] = ts(s.now())
	}
	return out, nil
}

func (s *Server) putEventSelectors(in *struct {
	TrailName              string
	EventSelectors         []any
	AdvancedEventSelectors []any
}) (any, error) {
	name, t, err := s.findTrail(in.TrailName)
	if err != nil {
		return nil, err
	}
	switch {
	case in.EventSelectors != nil && in.AdvancedEventSelectors != nil:
		return nil, ctErr("InvalidEventSelectorsException", "You can use either EventSelectors or AdvancedEventSelectors in a PutEventSelectors request, but not both.")
	case in.EventSelectors == nil && in.AdvancedEventSelectors == nil:
		return nil, ctErr("InvalidEventSelectorsException", "Specify EventSelectors or AdvancedEventSelectors.")
	case len(in.EventSelectors) > 5:
		return nil, ctErr("InvalidEventSelectorsException", "A trail can have at most 5 event selectors.")
	case len(in.AdvancedEventSelectors) > 500:
		return nil, ctErr("InvalidEventSelectorsException", "Too many advanced event selectors.")
	}
	t.EventSelectors, t.Advanced = in.EventSelectors, in.AdvancedEventSelectors
	return s.eventSelectorsOut(name, t), nil
}

func (s *Server) eventSelectorsOut(name string, t *trail) map[string]any {
	out := map[string]any{"TrailARN": s.trailArn(name)}
	switch {
	case t.Advanced != nil:
		out["AdvancedEventSelectors"] = t.Advanced
	case t.EventSelectors != nil:
		out["EventSelectors"] = t.EventSelectors
	default: // a trail with no selectors logs all management events
		out["EventSelectors"] = []any{map[string]any{"ReadWriteType": "All", "IncludeManagementEvents": true, "DataResources": []any{}, "ExcludeManagementEventSources": []any{}}}
	}
	return out
}

func (s *Server) getEventSelectors(in *struct{ TrailName string }) (any, error) {
	name, t, err := s.findTrail(in.TrailName)
	if err != nil {
		return nil, err
	}
	return s.eventSelectorsOut(name, t), nil
}

func (s *Server) putInsightSelectors(in *struct {
	TrailName        string
	InsightSelectors []any
}) (any, error) {
	name, t, err := s.findTrail(in.TrailName)
	if err != nil {
		return nil, err
	}
	for _, raw := range in.InsightSelectors {
		m, _ := raw.(map[string]any)
		if m["InsightType"] == nil {
			return nil, ctErr("InvalidInsightSelectorsException", "Each insight selector needs an InsightType.")
		}
	}
	t.Insights, t.InsightsSet = in.InsightSelectors, true
	return map[string]any{"TrailARN": s.trailArn(name), "InsightSelectors": nonNil(t.Insights)}, nil
}

func (s *Server) getInsightSelectors(in *struct{ TrailName string }) (any, error) {
	name, t, err := s.findTrail(in.TrailName)
	if err != nil {
		return nil, err
	}
	if !t.InsightsSet {
		return nil, ctErr("InsightNotEnabledException", "Trail %s does not have Insights enabled.", s.trailArn(name))
	}
	return map[string]any{"TrailARN": s.trailArn(name), "InsightSelectors": nonNil(t.Insights)}, nil
}

func (s *Server) trailByArn(arn string) (*trail, error) {
	if strings.HasPrefix(arn, "arn:aws:cloudtrail:") {
		if t := s.trails[arn[strings.LastIndex(arn, "/")+1:]]; t != nil {
			return t, nil
		}
	}
	return nil, ctErr("ResourceNotFoundException", "Resource %s does not exist.", arn)
}

func (s *Server) addTrailTags(in *struct {
	ResourceID string `json:"ResourceId"`
	TagsList   []tag
}) (any, error) {
	t, err := s.trailByArn(in.ResourceID)
	if err != nil {
		return nil, err
	}
	for _, tg := range in.TagsList {
		t.Tags[tg.Key] = tg.Value
	}
	if len(t.Tags) > 50 {
		return nil, ctErr("TagsLimitExceededException", "A trail may have at most 50 tags.")
	}
	return nil, nil
}

func (s *Server) removeTrailTags(in *struct {
	ResourceID string `json:"ResourceId"`
	TagsList   []tag
}) (any, error) {
	t, err := s.trailByArn(in.ResourceID)
	if err != nil {
		return nil, err
	}
	for _, tg := range in.TagsList {
		delete(t.Tags, tg.Key)
	}
	return nil, nil
}

func (s *Server) listTrailTags(in *struct {
	ResourceIDList []string `json:"ResourceIdList"`
	NextToken      *string
}) (any, error) {
	var out []map[string]any
	for _, arn := range in.ResourceIDList {
		t, err := s.trailByArn(arn)
		if err != nil {
			return nil, err
		}
		out = append(out, map[string]any{"ResourceId": arn, "TagsList": tagList(t.Tags)})
	}
	return map[string]any{"ResourceTagList": nonNil(out)}, nil
}

func (s *Server) trailsSnapshot() []map[string]any {
	out := []map[string]any{}
	for _, name := range sortedKeys(s.trails) {
		t := s.trails[name]
		out = append(out, map[string]any{"trail": s.trailOut(name, t), "isLogging": t.Logging, "eventSelectors": t.EventSelectors,
			"advancedEventSelectors": t.Advanced, "insightSelectors": t.Insights, "tags": t.Tags, "latestDeliveryError": t.DeliveryError})
	}
	return out
}
