// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package orgapi

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	awsx "github.com/awsorg/awsorg-operator/internal/aws"
)

// ErrCreateBusy means AWS's limit of account creations in progress is reached; the
// caller is queued and woken when a slot frees.
var ErrCreateBusy = errors.New("the organization already has the maximum number of account creations in progress")

// Creations runs the organization's account creations: at most Limit in progress (AWS
// allows five), callers waiting for a slot woken in turn as slots free, and every
// request in progress followed with one ListCreateAccountStatus per poll, each request
// looked at when it is due (awsx.Pace), so no slot stays idle long and a late request
// costs few polls.
type Creations struct {
	api   API
	limit int
	// Wake is called with a caller's key when its request ended or a slot is free.
	Wake func(key string)
	// FastPoll is how often requests are polled once they are due.
	FastPoll time.Duration

	mu       sync.Mutex
	inFlight map[string]*creation // by request id
	others   int                  // requests in progress that are not ours
	done     map[string]types.CreateAccountStatus
	line     awsx.Line
	sent     map[string]string // request id -> the key this process sent it for
	pace     *awsx.Pace
	seeded   bool
	polling  bool
}

type creation struct {
	key     string
	started time.Time
	look    awsx.Look
}

// NewCreations follows creations over an Organizations client.
func NewCreations(api API, limit int) *Creations {
	return &Creations{api: api, limit: limit, FastPoll: 100 * time.Millisecond, Wake: func(string) {},
		inFlight: map[string]*creation{}, done: map[string]types.CreateAccountStatus{}, line: awsx.Line{Limit: limit}, sent: map[string]string{}, pace: awsx.NewPace(time.Second)}
}

// Create calls CreateAccount for the caller key if a slot is free; otherwise it
// queues key and returns ErrCreateBusy, with the caller's place in the queue.
func (c *Creations) Create(ctx context.Context, key string, in *organizations.CreateAccountInput) (*types.CreateAccountStatus, int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.seeded {
		if err := c.seed(ctx); err != nil {
			return nil, 0, err
		}
	}
	if !c.line.Turn(key, c.held()) {
		return nil, c.line.Join(key), ErrCreateBusy
	}
	out, err := c.api.CreateAccount(ctx, in)
	if awsx.Classify(err) == awsx.Busy {
		c.others = max(c.others, c.limit-len(c.inFlight)) // someone else's requests fill the slots
		c.startPolling()
		return nil, c.line.Join(key), ErrCreateBusy
	}
	if err != nil {
		return nil, 0, err
	}
	c.line.Leave(key)
	id := aws.ToString(out.CreateAccountStatus.Id)
	c.follow(id, key, time.Now())
	c.sent[id] = key
	c.startPolling()
	return out.CreateAccountStatus, 0, nil
}

// Leave takes key out of line, and gives back the slot kept for it (its object is
// gone).
func (c *Creations) Leave(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.line.Leave(key)
}

// Waiting reports whether the caller key would wait in line if it asked for a
// creation now, and puts it in line then, with its place; a caller first asks, so
// that it writes that it is about to create an account only when its turn has come.
func (c *Creations) Waiting(key string) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.seeded || c.line.Open(key, c.held()) {
		return 0, false
	}
	return c.line.Join(key), true
}

// follow adds a request in progress; c.mu must be held.
func (c *Creations) follow(id, key string, started time.Time) {
	c.inFlight[id] = &creation{key: key, started: started, look: c.pace.First(started, c.FastPoll)}
}

// held is how many slots the requests in progress take; c.mu must be held.
func (c *Creations) held() int { return len(c.inFlight) + c.others }

// Status returns the state of a request without a call to AWS while it is followed
// in bulk; a request this process does not follow yet (after a restart) is looked up
// once, then followed. ours is true when this process sent the request for key, so
// the account it created is the caller's without a doubt.
func (c *Creations) Status(ctx context.Context, key, id string) (st *types.CreateAccountStatus, ours bool, err error) {
	c.mu.Lock()
	if st, ok := c.done[id]; ok {
		delete(c.done, id)
		mine := c.sent[id] == key
		delete(c.sent, id)
		c.mu.Unlock()
		return &st, mine, nil
	}
	if cr, ok := c.inFlight[id]; ok {
		cr.key = key
		c.mu.Unlock()
		return &types.CreateAccountStatus{Id: &id, State: types.CreateAccountStateInProgress}, false, nil
	}
	c.mu.Unlock()
	out, err := c.api.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: &id})
	if err != nil {
		return nil, false, err
	}
	st = out.CreateAccountStatus
	if st.State == types.CreateAccountStateInProgress {
		c.mu.Lock()
		started := time.Now()
		if st.RequestedTimestamp != nil {
			started = *st.RequestedTimestamp
		}
		c.follow(id, key, started)
		c.startPolling()
		c.mu.Unlock()
	}
	return st, false, nil
}

// InProgress returns the requests AWS reports in progress.
func InProgress(ctx context.Context, api API) ([]types.CreateAccountStatus, error) {
	var out []types.CreateAccountStatus
	p := organizations.NewListCreateAccountStatusPaginator(api, &organizations.ListCreateAccountStatusInput{
		States: []types.CreateAccountState{types.CreateAccountStateInProgress}, MaxResults: aws.Int32(awsx.OrganizationsPage)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.CreateAccountStatuses...)
	}
	return out, nil
}

// seed learns the requests in progress before the first creation; c.mu must be held.
func (c *Creations) seed(ctx context.Context) error {
	reqs, err := InProgress(ctx, c.api)
	if err != nil {
		return err
	}
	c.others = 0
	for _, r := range reqs {
		if _, ours := c.inFlight[aws.ToString(r.Id)]; !ours {
			c.others++
		}
	}
	c.seeded = true
	if c.others > 0 {
		c.startPolling()
	}
	return nil
}

// startPolling starts the poller unless it runs; c.mu must be held.
func (c *Creations) startPolling() {
	if c.polling {
		return
	}
	c.polling = true
	go c.poll()
}

// poll follows every request in progress with one ListCreateAccountStatus a round,
// waiting until the first is due; it ends when nothing is in progress.
func (c *Creations) poll() {
	ctx := context.Background()
	for {
		time.Sleep(c.nextPoll())
		asked := time.Now()
		reqs, err := InProgress(ctx, c.api)
		if err == nil {
			c.settle(ctx, reqs, asked)
		} else {
			c.mu.Lock()
			for _, cr := range c.inFlight { // AWS did not answer: look again later, as if still in progress
				c.pace.Later(&cr.look, asked, c.FastPoll)
			}
			c.mu.Unlock()
		}
		c.mu.Lock()
		if len(c.inFlight) == 0 && c.others == 0 && c.line.Waiting() == 0 {
			c.polling = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
	}
}

// nextPoll is how long to wait: until the first request is due, FastPoll at least.
func (c *Creations) nextPoll() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	wait := c.pace.Expected()
	for _, cr := range c.inFlight {
		wait = min(wait, time.Until(cr.look.Due))
	}
	return max(wait, c.FastPoll)
}

// settle records the requests that are no longer in progress (one Describe each),
// frees their slots, and wakes their callers and the next ones in the queue.
func (c *Creations) settle(ctx context.Context, reqs []types.CreateAccountStatus, asked time.Time) {
	inProgress := map[string]bool{}
	for _, r := range reqs {
		inProgress[aws.ToString(r.Id)] = true
	}
	c.mu.Lock()
	c.others = 0
	for id := range inProgress {
		if c.inFlight[id] == nil {
			c.others++
		}
	}
	var ended []string
	for id, cr := range c.inFlight {
		switch {
		case !cr.started.Before(asked): // one sent after the list was asked for is not in it yet
		case !inProgress[id]:
			ended = append(ended, id)
		default:
			c.pace.Later(&cr.look, asked, c.FastPoll)
		}
	}
	c.mu.Unlock()
	var wake []string
	for _, id := range ended {
		out, err := c.api.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: &id})
		if err != nil || out.CreateAccountStatus.State == types.CreateAccountStateInProgress {
			c.mu.Lock()
			if cr := c.inFlight[id]; cr != nil {
				c.pace.Later(&cr.look, asked, c.FastPoll) // the next rounds look again, less and less often
			}
			c.mu.Unlock()
			continue
		}
		if key, ok := c.finish(id, *out.CreateAccountStatus); ok {
			wake = append(wake, key)
		}
	}
	c.mu.Lock()
	wake = append(wake, c.line.Next(c.held())...)
	c.mu.Unlock()
	for _, key := range wake { // the callers of ended requests, then the line in order
		c.Wake(key)
	}
}

// finish records a request's end and returns its caller's key.
func (c *Creations) finish(id string, st types.CreateAccountStatus) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cr, ok := c.inFlight[id]
	if !ok {
		return "", false
	}
	c.done[id] = st
	delete(c.inFlight, id)
	took := time.Since(cr.started)
	if st.RequestedTimestamp != nil && st.CompletedTimestamp != nil { // AWS's own account of it, without our polling's delay
		took = st.CompletedTimestamp.Sub(*st.RequestedTimestamp)
	}
	c.pace.Took(took)
	return cr.key, true
}
