// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmw "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/awsorg/awsorg-operator/internal/awssim"
)

// TestChangesShowInLookupEvents drives LookupEvents through the SDK: every change the
// simulator answers is a CloudTrail event carrying the call's request id, its
// parameters and the resources it names, newest first, in pages of at most 50.
func TestChangesShowInLookupEvents(t *testing.T) {
	_, awsCfg, _ := simConfig(t, awssim.DefaultConfig())
	ctx := context.Background()
	org, ct := organizations.NewFromConfig(awsCfg), cloudtrail.NewFromConfig(awsCfg)
	root := must(org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	created := must(org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String("Workloads")}))
	id, ok := awsmw.GetRequestIDMetadata(created.ResultMetadata)
	if !ok || id == "" {
		t.Fatal("CreateOrganizationalUnit answered no x-amzn-RequestId")
	}
	for _, name := range []string{"a", "b", "c"} {
		must(org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String(name)}))
	}

	writes := must(ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyReadOnly, AttributeValue: aws.String("false")}}}))
	if len(writes.Events) != 4 {
		t.Fatalf("LookupEvents(ReadOnly=false) = %d events, want the 4 OU creations (ListRoots is a read)", len(writes.Events))
	}
	first := writes.Events[len(writes.Events)-1] // newest first
	var record struct {
		RequestID         string          `json:"requestID"`
		EventSource       string          `json:"eventSource"`
		RequestParameters json.RawMessage `json:"requestParameters"`
		ResponseElements  struct {
			OrganizationalUnit struct{ Id string } //nolint:revive // AWS's member name
		} `json:"responseElements"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(first.CloudTrailEvent)), &record); err != nil {
		t.Fatal(err)
	}
	if record.RequestID != id || record.EventSource != "organizations.amazonaws.com" || record.ResponseElements.OrganizationalUnit.Id != aws.ToString(created.OrganizationalUnit.Id) ||
		aws.ToString(first.EventName) != "CreateOrganizationalUnit" || aws.ToString(first.AccessKeyId) != "AKIA" {
		t.Fatalf("first event %+v, record %+v: want the request id %s and the new OU's id", first, record, id)
	}
	named := must(ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyResourceName, AttributeValue: root}}}))
	if len(named.Events) != 4 {
		t.Fatalf("events naming the root %s: %d, want 4 (each creation names its parent)", aws.ToString(root), len(named.Events))
	}

	var pages int
	p := cloudtrail.NewLookupEventsPaginator(ct, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(3)})
	seen := 0
	for p.HasMorePages() {
		pg := must(p.NextPage(ctx))
		pages, seen = pages+1, seen+len(pg.Events)
		must(org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String("more" + string(rune('a'+pages)))}))
	}
	if pages != 2 || seen != 4 {
		t.Fatalf("pages of 3: %d pages, %d events; want 2 pages and the 4 events of the first page's moment", pages, seen)
	}
	fails(ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)}))
	fails(ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("x")}, {AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String("y")}}}))
	fails(ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(time.Now()), EndTime: aws.Time(time.Now().Add(-time.Hour))}))
	fails(ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{NextToken: aws.String("nope")}))
	fails(ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{EventCategory: "other"}))
	if old := must(ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{EndTime: aws.Time(time.Now().Add(-time.Hour))})); len(old.Events) != 0 {
		t.Fatalf("events older than an hour: %d", len(old.Events))
	}
}

// TestEventsShowLate: CloudTrail delivers an event minutes after the call;
// --cloudtrail-event-delay holds it back from LookupEvents as long.
func TestEventsShowLate(t *testing.T) {
	cfg := awssim.DefaultConfig()
	cfg.EventDelay = 5 * time.Minute
	sim, awsCfg, _ := simConfig(t, cfg)
	var mu sync.Mutex
	now := time.Now()
	sim.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	ctx := context.Background()
	org, ct := organizations.NewFromConfig(awsCfg), cloudtrail.NewFromConfig(awsCfg)
	root := must(org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	must(org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String("Workloads")}))
	if got := must(ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{})); len(got.Events) != 0 {
		t.Fatalf("an event showed %d s after its call, before the 5 minutes", 0)
	}
	mu.Lock()
	now = now.Add(5 * time.Minute)
	mu.Unlock()
	if got := must(ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{})); len(got.Events) != 1 || aws.ToString(got.Events[0].EventName) != "CreateOrganizationalUnit" {
		t.Fatalf("after 5 minutes: %+v", got.Events)
	}
}
