// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package aws

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	ctrl "sigs.k8s.io/controller-runtime"
)

// The CloudTrail event sources of the services the operator manages.
const (
	SourceOrganizations = "organizations.amazonaws.com"
	SourceSSO           = "sso.amazonaws.com"
	SourceIdentityStore = "identitystore.amazonaws.com"
	SourceBudgets       = "budgets.amazonaws.com"
	SourceCloudTrail    = "cloudtrail.amazonaws.com"
)

// LookupAPI is the part of CloudTrail the change feed reads.
type LookupAPI interface {
	LookupEvents(context.Context, *cloudtrail.LookupEventsInput, ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error)
}

// History is one region's CloudTrail event history and the services whose events it
// holds (Organizations and Budgets log in us-east-1, Identity Center in its region).
type History struct {
	API     LookupAPI
	Sources []string
}

// Changes is a change feed: it reads CloudTrail's event history for the changes
// made to the managed services by anyone but the operator (whose own writes it knows
// by their request ids), so that reads of AWS that nothing changed since can be used
// again instead of read each resync. CloudTrail delivers an event minutes after the
// call (about 5 on average, not guaranteed): each stretch of the history is read once
// it is Lateness old, so a change made by hand is seen about Lateness after it was
// made. A read is vouched for only while every history has been read up to then
// (a history that cannot be read, say for want of cloudtrail:LookupEvents, vouches
// for nothing, and every read model is read again each resync, as without the feed),
// and at most Keep after it was made: events CloudTrail never delivers are found then.
type Changes struct {
	Histories []History
	// Lateness is how late CloudTrail may deliver an event (default 15m).
	Lateness time.Duration
	// Every is how often the history is read (default 1m).
	Every time.Duration
	// Keep is how long a read nothing changed since may be used (default 1h).
	Keep time.Duration
	// Margin covers the clocks' skew and AWS's eventually consistent lists: a change
	// made up to Margin before a read may be missing from it (default 2m).
	Margin time.Duration

	mu      sync.Mutex
	started time.Time
	covered []time.Time          // every event up to then, by history, is known
	last    map[string]time.Time // the latest change by others, by event source
	own     map[string]time.Time // the request ids of the operator's writes, and when
}

func (c *Changes) defaults() {
	if c.Lateness <= 0 {
		c.Lateness = 15 * time.Minute
	}
	if c.Every <= 0 {
		c.Every = time.Minute
	}
	if c.Keep <= 0 {
		c.Keep = time.Hour
	}
	if c.Margin <= 0 {
		c.Margin = 2 * time.Minute
	}
}

// Own records the request id of one of the operator's writes, so its event is not
// taken for a change made by hand. A feed that does not run keeps none: nothing reads
// its history to forget them again.
func (c *Changes) Own(requestID string) {
	if c == nil || requestID == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started.IsZero() {
		return
	}
	if c.own == nil {
		c.own = map[string]time.Time{}
	}
	c.own[requestID] = time.Now()
}

// Unchanged reports whether the feed vouches that no one else changed anything in the
// service with the event source since a read made at since: the history has been
// read up to Lateness ago (plus three rounds) and holds no such change after it.
func (c *Changes) Unchanged(source string, since time.Time) bool {
	if c == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started.IsZero() || since.Before(c.started.Add(c.Margin)) || time.Since(since) >= c.Keep {
		return false
	}
	behind := time.Now().Add(-c.Lateness - 3*c.Every)
	for _, at := range c.covered {
		if at.Before(behind) {
			return false
		}
	}
	return c.last[source].Before(since.Add(-c.Margin))
}

// Start reads the histories every round until ctx ends (a manager Runnable).
func (c *Changes) Start(ctx context.Context) error {
	c.mu.Lock()
	c.defaults()
	c.started = time.Now()
	c.covered = make([]time.Time, len(c.Histories))
	for i := range c.covered {
		c.covered[i] = c.started
	}
	c.mu.Unlock()
	log := ctrl.Log.WithName("changes")
	t := time.NewTicker(c.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		for i := range c.Histories {
			if err := c.read(ctx, i); err != nil && ctx.Err() == nil {
				log.Info("reading CloudTrail's event history failed; AWS is read each resync until it can be read", "error", err.Error())
			}
		}
	}
}

// read reads the stretch of history i from where it was read up to Lateness ago.
func (c *Changes) read(ctx context.Context, i int) error {
	c.mu.Lock()
	from, to := c.covered[i], time.Now().Add(-c.Lateness)
	c.mu.Unlock()
	if !to.After(from) {
		return nil
	}
	h := c.Histories[i]
	in := &cloudtrail.LookupEventsInput{StartTime: aws.Time(from), EndTime: aws.Time(to), MaxResults: aws.Int32(50),
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyReadOnly, AttributeValue: aws.String("false")}}}
	var found []cttypes.Event
	for p := cloudtrail.NewLookupEventsPaginator(h.API, in); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		found = append(found, page.Events...)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range found {
		c.note(h, e)
	}
	c.covered[i] = to
	read := c.oldestCovered().Add(-c.Margin)
	for id, at := range c.own { // their events are read by now
		if at.Before(read) {
			delete(c.own, id)
		}
	}
	return nil
}

// note takes in one event: a change to a managed service, made by someone else.
func (c *Changes) note(h History, e cttypes.Event) {
	source := aws.ToString(e.EventSource)
	managed := false
	for _, s := range h.Sources {
		managed = managed || s == source
	}
	if !managed {
		return
	}
	var record struct {
		RequestID string `json:"requestID"`
		ErrorCode string `json:"errorCode"`
	}
	_ = json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &record)
	if record.ErrorCode != "" { // a call AWS refused changed nothing
		return
	}
	if _, ours := c.own[record.RequestID]; ours && record.RequestID != "" {
		return
	}
	if c.last == nil {
		c.last = map[string]time.Time{}
	}
	if at := aws.ToTime(e.EventTime); at.After(c.last[source]) {
		c.last[source] = at
	}
	ctrl.Log.WithName("changes").V(1).Info("AWS was changed outside the operator", "source", source, "event", aws.ToString(e.EventName),
		"user", aws.ToString(e.Username), "at", aws.ToTime(e.EventTime))
}

func (c *Changes) oldestCovered() time.Time {
	oldest := c.covered[0]
	for _, at := range c.covered[1:] {
		if at.Before(oldest) {
			oldest = at
		}
	}
	return oldest
}

// Reuse lets a read model or memo use a read older than its period again, while the
// change feed vouches that nothing changed in the service since.
type Reuse struct {
	Changes *Changes
	Source  string
}

// ok reports whether a read made at read may be used again.
func (r Reuse) ok(read time.Time) bool {
	return r.Changes != nil && r.Changes.Unchanged(r.Source, read)
}
