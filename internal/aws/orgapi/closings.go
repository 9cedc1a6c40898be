// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package orgapi

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	awsx "github.com/awsorg/awsorg-operator/internal/aws"
)

// ErrCloseBusy means AWS's limit of accounts closing at once is reached; the caller
// is queued and woken when a slot frees.
var ErrCloseBusy = errors.New("the organization already has the maximum number of accounts closing")

// Closings runs the organization's account closures: at most Limit accounts closing
// at once (AWS allows three), callers waiting for a slot woken in turn as slots free,
// and every closing account looked at when it is due (awsx.Pace, learned from how
// long closures take), so a slot is taken again soon after AWS suspends an account
// and a slow closure costs few looks. AWS has no list of closures, so a round is one
// DescribeAccount for each account that is due, three at most.
type Closings struct {
	api API
	// Wake is called with a caller's key when its account closed or a slot is free.
	Wake func(key string)
	// FastPoll is how often a closure is looked at once it is due.
	FastPoll time.Duration
	// OthersPoll is how long the line waits, when AWS refused a closure because
	// closures started outside this process fill the slots, before it tries again.
	OthersPoll time.Duration

	mu      sync.Mutex
	closing map[string]*closure // by account id
	ended   map[string]string   // account id -> the state AWS reported at the end
	others  int                 // slots taken by closures this process does not follow
	retry   time.Time           // when the line tries again while others hold slots
	line    awsx.Line
	pace    *awsx.Pace
	polling bool
}

type closure struct {
	key     string
	started time.Time
	look    awsx.Look
}

// NewClosings follows closures over an Organizations client; expected is how long a
// closure is taken to last until one is seen to end. A late closure is looked at every
// sixth of that; the line tries again after that long when closures started outside
// this process fill the slots.
func NewClosings(api API, limit int, expected time.Duration) *Closings {
	return &Closings{api: api, Wake: func(string) {}, FastPoll: expected / 6, OthersPoll: expected,
		closing: map[string]*closure{}, ended: map[string]string{}, line: awsx.Line{Limit: limit}, pace: awsx.NewPace(expected)}
}

// Close calls CloseAccount for the account id of the caller key if a slot is free;
// otherwise it queues key and returns ErrCloseBusy, with the caller's place in line.
// AWS's other refusals are returned as they are.
func (c *Closings) Close(ctx context.Context, key, id string) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing[id] != nil {
		return 0, nil
	}
	if !c.line.Turn(key, c.held()) {
		return c.line.Join(key), ErrCloseBusy
	}
	_, err := c.api.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: &id})
	if awsx.Classify(err) == awsx.Busy { // closures started outside this process fill the slots
		c.others = max(c.others, c.line.Limit-len(c.closing))
		c.retry = time.Now().Add(c.OthersPoll)
		c.startPolling()
		return c.line.Join(key), ErrCloseBusy
	}
	if err != nil {
		return 0, err
	}
	c.line.Leave(key)
	c.follow(key, id, time.Now())
	return 0, nil
}

// Follow follows an account AWS reports closing that this process does not follow
// (one closed before a restart, or outside the operator): it takes a slot until AWS
// suspends it, and key is woken then.
func (c *Closings) Follow(key, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cr := c.closing[id]; cr != nil {
		cr.key = key
		return
	}
	c.line.Leave(key)
	c.follow(key, id, time.Now())
}

// State returns the state of an account this process follows, without a call to AWS:
// PENDING_CLOSURE while it closes, then the state it ended in, once; ok is false for
// an account it does not follow.
func (c *Closings) State(id string) (state string, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.ended[id]; ok {
		delete(c.ended, id)
		return st, true
	}
	if c.closing[id] != nil {
		return string(types.AccountStatePendingClosure), true
	}
	return "", false
}

// Leave takes key out of line, and gives back the slot kept for it (its object no
// longer closes an account, or is gone).
func (c *Closings) Leave(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.line.Leave(key)
}

// follow adds a closing account; c.mu must be held.
func (c *Closings) follow(key, id string, started time.Time) {
	c.closing[id] = &closure{key: key, started: started, look: c.pace.First(started, c.FastPoll)}
	c.startPolling()
}

// held is how many slots the closures in progress take; c.mu must be held.
func (c *Closings) held() int { return len(c.closing) + c.others }

// startPolling starts the poller unless it runs; c.mu must be held.
func (c *Closings) startPolling() {
	if !c.polling {
		c.polling = true
		go c.poll()
	}
}

// poll looks at each closing account when it is due, frees the slots of those AWS
// has suspended, and wakes their callers and the next in line; it ends when nothing
// closes and nobody waits.
func (c *Closings) poll() {
	ctx := context.Background()
	for {
		time.Sleep(c.nextPoll())
		c.round(ctx)
		c.mu.Lock()
		if len(c.closing) == 0 && c.line.Waiting() == 0 {
			c.others, c.polling = 0, false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
	}
}

// nextPoll is how long to wait: until the first closure is due, or the line tries
// again; FastPoll at least.
func (c *Closings) nextPoll() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	wait := c.pace.Expected()
	for _, cr := range c.closing {
		wait = min(wait, time.Until(cr.look.Due))
	}
	if c.others > 0 {
		wait = min(wait, time.Until(c.retry))
	}
	return max(wait, c.FastPoll)
}

// round describes the closing accounts that are due.
func (c *Closings) round(ctx context.Context) {
	now := time.Now()
	c.mu.Lock()
	var due []string
	for id, cr := range c.closing {
		if !cr.look.Due.After(now) {
			due = append(due, id)
		}
	}
	if c.others > 0 && !c.retry.After(now) {
		c.others = 0 // the next in line tries again; AWS's refusal counts them anew
	}
	c.mu.Unlock()
	var wake []string
	for _, id := range due {
		asked := time.Now()
		out, err := c.api.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: &id})
		state := ""
		switch {
		case awsx.IsNotFound(err): // gone from the organization: closed, its slot free
			state = string(types.AccountStateClosed)
		case err == nil && out.Account != nil:
			state = AccountState(*out.Account)
		}
		c.mu.Lock()
		cr := c.closing[id]
		switch {
		case cr == nil:
		case state == "" || state == string(types.AccountStatePendingClosure):
			c.pace.Later(&cr.look, asked, c.FastPoll) // still closing, or AWS did not answer
		default:
			delete(c.closing, id)
			c.ended[id] = state
			c.pace.Took(time.Since(cr.started))
			wake = append(wake, cr.key)
		}
		c.mu.Unlock()
	}
	c.mu.Lock()
	wake = append(wake, c.line.Next(c.held())...)
	c.mu.Unlock()
	for _, key := range wake { // the callers of ended closures, then the line in order
		c.Wake(key)
	}
}
