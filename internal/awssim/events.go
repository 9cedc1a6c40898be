// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/awsorg/awsorg-operator/internal/awssim/model"
)

// maxEvents is how many CloudTrail events the simulator keeps (AWS keeps 90 days).
const maxEvents = 50000

// event is one CloudTrail management event: a change the simulator made. Reads are
// not recorded, so LookupEvents answers write events only.
type event struct {
	ID, Name, Source, RequestID, AccessKeyID string
	// Time is when the call was made; Visible is when LookupEvents shows it
	// (Config.EventDelay later, as CloudTrail delivers events minutes late).
	Time, Visible time.Time
	Request       json.RawMessage
	Response      json.RawMessage
	Resources     [][2]string // ResourceType, ResourceName
}

// eventSources are the services' names in CloudTrail events.
var eventSources = map[string]string{
	"organizations": "organizations.amazonaws.com", "sso-admin": "sso.amazonaws.com", "identitystore": "identitystore.amazonaws.com",
	"budgets": "budgets.amazonaws.com", "cloudtrail": "cloudtrail.amazonaws.com",
}

// ReadOnly reports whether an operation only reads, which CloudTrail marks ReadOnly
// (and the simulator does not record).
func ReadOnly(op string) bool {
	for _, p := range []string{"List", "Describe", "Get", "Lookup", "Is", "Search"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

// nextRequestID returns the id of the next answer, sent as x-amzn-RequestId and kept
// in the call's CloudTrail event as requestID, as AWS does.
func (s *Server) nextRequestID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", s.cfg.Seed&0xffffffff, (s.requests>>48)&0xffff, (s.requests>>36)&0xfff, (s.requests>>24)&0xfff, s.requests&0xffffffffffff)
}

// record keeps the CloudTrail event of a change the simulator answered.
func (s *Server) record(r *http.Request, svc *model.Service, op, requestID string, body []byte, out any) {
	if ReadOnly(op) {
		return
	}
	resp, err := json.Marshal(out)
	if err != nil || string(resp) == "{}" {
		resp = nil
	}
	var params map[string]any
	_ = json.Unmarshal(body, &params)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.events = append(s.events, &event{ID: eventID(s.requests), Name: op, Source: eventSources[svc.Name], RequestID: requestID, AccessKeyID: accessKeyID(r),
		Time: now, Visible: now.Add(s.cfg.EventDelay), Request: body, Response: resp, Resources: resourcesOf(svc, params)})
	if len(s.events) > maxEvents {
		s.events = slices.Delete(s.events, 0, len(s.events)-maxEvents)
	}
}

// eventID is the id of the n-th event (not drawn from the seeded ids, which stay
// as they were without events).
func eventID(n int) string {
	return fmt.Sprintf("%08x-%04x-4%03x-9%03x-%012x", 0xe7e47, (n>>40)&0xffff, (n>>28)&0xfff, (n>>16)&0xfff, n)
}

// accessKeyID is the access key that signed the request (SigV4's Credential).
func accessKeyID(r *http.Request) string {
	_, cred, ok := strings.Cut(r.Header.Get("Authorization"), "Credential=")
	if !ok {
		return ""
	}
	key, _, _ := strings.Cut(cred, "/")
	return key
}

// resourcesOf names the resources a request names at its top level (ids, ARNs and
// names), as CloudTrail's Resources list does.
func resourcesOf(svc *model.Service, params map[string]any) [][2]string {
	var out [][2]string
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v, ok := params[k].(string)
		if !ok || v == "" || k == "InstanceArn" || k == "IdentityStoreId" || k == "AccountId" && svc.Name == "budgets" {
			continue
		}
		kind, found := strings.CutSuffix(k, "Id")
		if !found {
			kind, found = strings.CutSuffix(k, "Arn")
		}
		if !found && !strings.HasSuffix(k, "Name") {
			continue
		}
		out = append(out, [2]string{resourceType(svc, kind), v})
	}
	return out
}

func resourceType(svc *model.Service, kind string) string {
	name := map[string]string{"organizations": "Organizations", "sso-admin": "SSO", "identitystore": "IdentityStore", "budgets": "Budgets", "cloudtrail": "CloudTrail"}[svc.Name]
	return "AWS::" + name + "::" + strings.TrimSuffix(kind, "Name")
}

// lookupInvalid is LookupEvents' error for input outside the model's rules.
func lookupInvalid(msg, _ string) *Error {
	switch {
	case strings.Contains(msg, "MaxResults"):
		return ctErr("InvalidMaxResultsException", "%s", msg)
	case strings.Contains(msg, "Time"):
		return ctErr("InvalidTimeRangeException", "%s", msg)
	case strings.Contains(msg, "NextToken"):
		return ctErr("InvalidNextTokenException", "%s", msg)
	case strings.Contains(msg, "EventCategory"):
		return ctErr("InvalidEventCategoryException", "%s", msg)
	}
	return ctErr("InvalidLookupAttributesException", "%s", msg)
}

type lookupEventsIn struct {
	LookupAttributes []struct{ AttributeKey, AttributeValue string }
	StartTime        *float64
	EndTime          *float64
	EventCategory    string
	MaxResults       *int32
	NextToken        *string
}

// lookupEvents answers CloudTrail's LookupEvents: the write events of the last 90
// days, newest first, 50 a page at most, filtered by one attribute and a time range.
func (s *Server) lookupEvents(in *lookupEventsIn) (any, error) {
	if len(in.LookupAttributes) > 1 {
		return nil, ctErr("InvalidLookupAttributesException", "You can specify only one lookup attribute.")
	}
	if in.MaxResults != nil && (*in.MaxResults < 1 || *in.MaxResults > 50) {
		return nil, ctErr("InvalidMaxResultsException", "MaxResults must be between 1 and 50.")
	}
	if in.EventCategory != "" && in.EventCategory != "insight" {
		return nil, ctErr("InvalidEventCategoryException", "The event category %s is not valid; the valid category is insight.", in.EventCategory)
	}
	now := s.now()
	start, end := now.Add(-90*24*time.Hour), now
	if in.StartTime != nil {
		start = fromEpoch(*in.StartTime)
	}
	if in.EndTime != nil {
		end = fromEpoch(*in.EndTime)
	}
	if start.After(end) {
		return nil, ctErr("InvalidTimeRangeException", "The start time must be before the end time.")
	}
	// A token holds the moment of the first page, so events delivered meanwhile do not
	// shift the pages that follow.
	cutoff, offset := now, 0
	if in.NextToken != nil && *in.NextToken != "" {
		var nanos int64
		if _, err := fmt.Sscanf(*in.NextToken, "events-%d-%d", &nanos, &offset); err != nil || offset < 0 {
			return nil, ctErr("InvalidNextTokenException", "The NextToken is not valid.")
		}
		cutoff = time.Unix(0, nanos)
	}
	match, err := lookupFilter(in)
	if err != nil {
		return nil, err
	}
	var found []*event
	if in.EventCategory == "" {
		for _, e := range slices.Backward(s.events) {
			if !e.Visible.After(cutoff) && !e.Time.Before(start) && !e.Time.After(end) && match(e) {
				found = append(found, e)
			}
		}
	}
	slices.SortStableFunc(found, func(a, b *event) int { return b.Time.Compare(a.Time) })
	n := 50
	if in.MaxResults != nil {
		n = int(*in.MaxResults)
	}
	if offset > len(found) {
		return nil, ctErr("InvalidNextTokenException", "The NextToken is not valid.")
	}
	pageOf := found[offset:min(len(found), offset+n)]
	out := make([]map[string]any, 0, len(pageOf))
	for _, e := range pageOf {
		out = append(out, s.eventOut(e))
	}
	resp := map[string]any{"Events": out}
	if offset+n < len(found) {
		resp["NextToken"] = fmt.Sprintf("events-%d-%d", cutoff.UnixNano(), offset+n)
	}
	return resp, nil
}

func fromEpoch(sec float64) time.Time {
	return time.UnixMilli(int64(sec * 1000))
}

// lookupFilter is the test of LookupEvents' one attribute.
func lookupFilter(in *lookupEventsIn) (func(*event) bool, error) {
	if len(in.LookupAttributes) == 0 {
		return func(*event) bool { return true }, nil
	}
	a := in.LookupAttributes[0]
	v := a.AttributeValue
	switch a.AttributeKey {
	case "EventId":
		return func(e *event) bool { return e.ID == v }, nil
	case "EventName":
		return func(e *event) bool { return e.Name == v }, nil
	case "EventSource":
		return func(e *event) bool { return e.Source == v }, nil
	case "ReadOnly":
		return func(*event) bool { return v == "false" }, nil // every recorded event is a write
	case "Username", "AccessKeyId":
		return func(e *event) bool { return e.AccessKeyID == v }, nil
	case "ResourceName", "ResourceType":
		i := 1
		if a.AttributeKey == "ResourceType" {
			i = 0
		}
		return func(e *event) bool {
			return slices.ContainsFunc(e.Resources, func(r [2]string) bool { return r[i] == v })
		}, nil
	}
	return nil, ctErr("InvalidLookupAttributesException", "The attribute key %s is not valid.", a.AttributeKey)
}

// eventOut is an event as LookupEvents returns it, with the CloudTrail record as JSON.
func (s *Server) eventOut(e *event) map[string]any {
	record := map[string]any{
		"eventVersion": "1.08", "eventTime": e.Time.UTC().Format(time.RFC3339), "eventSource": e.Source, "eventName": e.Name,
		"awsRegion": s.cfg.Region, "sourceIPAddress": "127.0.0.1", "userAgent": "awssim",
		"userIdentity": map[string]any{"type": "IAMUser", "accountId": s.caller(), "accessKeyId": e.AccessKeyID, "userName": e.AccessKeyID,
			"arn": "arn:aws:iam::" + s.caller() + ":user/" + e.AccessKeyID},
		"requestParameters": e.Request, "responseElements": e.Response, "requestID": e.RequestID, "eventID": e.ID,
		"readOnly": false, "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": s.caller(), "eventCategory": "Management",
	}
	if e.Response == nil {
		record["responseElements"] = nil
	}
	detail, _ := json.Marshal(record)
	resources := make([]map[string]string, 0, len(e.Resources))
	for _, r := range e.Resources {
		resources = append(resources, map[string]string{"ResourceType": r[0], "ResourceName": r[1]})
	}
	return map[string]any{"EventId": e.ID, "EventName": e.Name, "ReadOnly": "false", "AccessKeyId": e.AccessKeyID, "EventTime": ts(e.Time),
		"EventSource": e.Source, "Username": e.AccessKeyID, "Resources": resources, "CloudTrailEvent": string(detail)}
}

// caller is the account whose credentials call the simulator.
func (s *Server) caller() string {
	if s.cfg.CallerAccountID != "" {
		return s.cfg.CallerAccountID
	}
	return s.cfg.ManagementAccountID
}
