// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package ssoapi

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	awsx "github.com/awsorg/awsorg-operator/internal/aws"
)

// Request kinds, as the operator records them in status.
const (
	Provision        = "Provision"
	CreateAssignment = "CreateAssignment"
	DeleteAssignment = "DeleteAssignment"
)

// ErrAssignBusy means Identity Center's limit of assignment creations in progress is
// reached; the caller is queued and woken when one ends.
var ErrAssignBusy = errors.New("IAM Identity Center already has the most account assignment creations in progress")

// Requests follows Identity Center's asynchronous requests (provisioning, assignment
// creations and deletions) in bulk, one list call per kind a round, and keeps the
// assignment creations in progress under AWS's limit of ten. A round comes when a
// request is due (awsx.Pace: when requests of its kind have taken that long), and at
// least half that time after the last, so one round sees many end; while callers wait
// in line for slots that only our creations hold, when the last of those is due, so
// one list frees all ten and the lists take a tenth of the calls. A request that
// leaves the list of those in progress frees its slot at once; whether it failed is
// learned from the list of failed requests, asked at most once every FailedEvery, and
// every fifth while all the callers it would tell wait in line (their turn wakes them).
type Requests struct {
	api   API
	limit int
	// Wake is called with a caller's key when its request ended or a slot is free.
	Wake func(key string)
	// Poll is how long requests are taken to last until some have ended, and how
	// often the list is looked at while only someone else's requests hold the slots.
	Poll time.Duration
	// FastPoll is the shortest wait between two looks at a late request.
	FastPoll time.Duration
	// FailedEvery is how often at most the failed requests are listed.
	FailedEvery time.Duration

	mu       sync.Mutex
	instance string
	inFlight map[string]*request
	ended    map[string]*request   // out of the list of those in progress; how they ended is not known yet
	others   int                   // assignment creations in progress that are not ours
	paces    map[string]*awsx.Pace // by kind
	// lastRound is when the requests in progress were last listed.
	lastRound time.Time
	// lastFailed is when the failed requests were last listed.
	lastFailed time.Time
	done       map[string]outcome
	queue      []string
	// wants counts, by caller, the creations it asked for while none was free;
	// granted holds the slots set aside for a caller that was woken to use them.
	wants   map[string]int
	granted map[string]grant
	polling bool
}

// grant is slots set aside for a caller, until it uses them or they expire.
type grant struct {
	n  int
	at time.Time
}

type request struct {
	kind, key string
	sent      time.Time
	seen      time.Time // when a list last showed it in progress
	look      awsx.Look
}

// Result is how a request ended.
type Result struct{ Status, Reason string }

// outcome is how a request ended, and when that was learned.
type outcome struct {
	Result
	at time.Time
}

// keepOutcomes is how long how a request ended is kept: a reconcile that reads an
// object's status before the cache holds the last write still finds its requests'
// ends here, without describing each.
const keepOutcomes = time.Minute

// NewRequests follows the requests of one instance.
func NewRequests(api API) *Requests {
	return &Requests{api: api, limit: 10, Wake: func(string) {}, Poll: 500 * time.Millisecond, FastPoll: 100 * time.Millisecond, FailedEvery: time.Second,
		paces: map[string]*awsx.Pace{}, inFlight: map[string]*request{}, ended: map[string]*request{}, done: map[string]outcome{}, wants: map[string]int{}, granted: map[string]grant{}}
}

// CreateAssignment calls CreateAccountAssignment for the caller key if fewer than ten
// creations are in progress; otherwise it queues key and returns ErrAssignBusy, with
// the caller's place in the queue. wants is how many creations the caller has still to
// make, this one included: a caller in line is woken with as many slots as are free,
// up to the most it wanted, so that one reconcile makes many.
func (r *Requests) CreateAssignment(ctx context.Context, key string, wants int, in *ssoadmin.CreateAccountAssignmentInput) (string, int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.instance = aws.ToString(in.InstanceArn)
	g, mine := r.granted[key]
	if mine {
		g.n--
		r.granted[key] = g
		if g.n <= 0 {
			delete(r.granted, key)
		}
	}
	if !mine && (r.busy() || len(r.queue) > 0) {
		r.wants[key] = max(r.wants[key], wants)
		return "", r.enqueue(key), ErrAssignBusy
	}
	out, err := r.api.CreateAccountAssignment(ctx, in)
	if awsx.IsThrottled(err) && r.creating() > 0 { // AWS counts more in progress than we know of
		r.others = max(r.others, r.limit-r.creating())
		r.start()
		r.wants[key] = max(r.wants[key], wants)
		return "", r.enqueue(key), ErrAssignBusy
	}
	if err != nil {
		return "", 0, err
	}
	id := aws.ToString(out.AccountAssignmentCreationStatus.RequestId)
	r.follow(CreateAssignment, id, key)
	r.start()
	return id, 0, nil
}

// Waits reports whether the caller key waits in line for a slot: its turn has not
// come, and will wake it.
func (r *Requests) Waits(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Contains(r.queue, key)
}

// Leave takes key out of line, and gives back the slots set aside for it (its object
// is gone): the next round gives them to the next in line.
func (r *Requests) Leave(key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i := slices.Index(r.queue, key); i >= 0 {
		r.queue = slices.Delete(r.queue, i, i+1)
	}
	delete(r.granted, key)
	delete(r.wants, key)
}

// Track follows a request the caller made (a provisioning, an assignment deletion).
func (r *Requests) Track(instance, kind, id, key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.instance = instance
	r.follow(kind, id, key)
	r.start()
}

// follow adds a request in progress; r.mu must be held.
func (r *Requests) follow(kind, id, key string) {
	now := time.Now()
	r.inFlight[id] = &request{kind: kind, key: key, sent: now, seen: now, look: r.pace(kind).First(now, r.FastPoll)}
}

// pace is how long requests of a kind take; r.mu must be held.
func (r *Requests) pace(kind string) *awsx.Pace {
	p := r.paces[kind]
	if p == nil {
		p = awsx.NewPace(r.Poll)
		r.paces[kind] = p
	}
	return p
}

// Status returns how a request stands without a call to AWS while it is followed in
// bulk; a request this process does not follow (after a restart) is looked up once,
// then followed. ok is false while the request is in progress.
func (r *Requests) Status(ctx context.Context, instance, kind, id, key string) (res Result, ok bool, err error) {
	r.mu.Lock()
	if o, ok := r.done[id]; ok {
		r.mu.Unlock()
		return o.Result, true, nil
	}
	if req, ok := r.inFlight[id]; ok {
		req.key = key
		r.mu.Unlock()
		return Result{}, false, nil
	}
	if req, ok := r.ended[id]; ok {
		req.key = key
		r.mu.Unlock()
		return Result{}, false, nil
	}
	r.mu.Unlock()
	res, err = describe(ctx, r.api, instance, kind, id)
	if err != nil {
		return Result{}, false, err
	}
	if res.Status == string(ssotypes.StatusValuesInProgress) {
		r.Track(instance, kind, id, key)
		return Result{}, false, nil
	}
	return res, true, nil
}

func (r *Requests) creating() int {
	n := 0
	for _, req := range r.inFlight {
		if req.kind == CreateAssignment {
			n++
		}
	}
	return n
}

// free is how many creations may start now, besides the slots granted.
func (r *Requests) free() int {
	n := r.limit - r.creating() - r.others
	for k, g := range r.granted {
		if time.Since(g.at) > 30*time.Second { // a caller that did not come back
			delete(r.granted, k)
			continue
		}
		n -= g.n
	}
	return n
}

func (r *Requests) busy() bool { return r.free() <= 0 }

func (r *Requests) enqueue(key string) int {
	for i, k := range r.queue {
		if k == key {
			return i + 1
		}
	}
	r.queue = append(r.queue, key)
	return len(r.queue)
}

func (r *Requests) start() {
	if !r.polling {
		r.polling = true
		go r.poll()
	}
}

// poll lists the requests in progress of the kinds with one due, a round at a time,
// until none is left.
func (r *Requests) poll() {
	ctx := context.Background()
	for {
		time.Sleep(r.nextRound())
		for d := r.nextRound(); d > minWait; d = r.nextRound() { // requests sent meanwhile may put it off
			time.Sleep(d)
		}
		r.mu.Lock()
		instance, asked, kinds := r.instance, time.Now(), map[string]bool{}
		r.lastRound = asked
		for _, req := range r.inFlight {
			if !req.look.Due.After(asked) {
				kinds[req.kind] = true
			}
		}
		if r.othersHoldTheSlots() {
			kinds[CreateAssignment] = true
		}
		r.mu.Unlock()
		progress, listed, creations := map[string]bool{}, map[string]bool{}, -1
		for kind := range kinds {
			ids, err := inProgress(ctx, r.api, instance, kind)
			if err != nil {
				continue
			}
			listed[kind] = true
			for _, id := range ids {
				progress[id] = true
			}
			if kind == CreateAssignment {
				creations = len(ids)
			}
		}
		r.settle(ctx, instance, kinds, listed, progress, creations, asked)
		r.mu.Lock()
		if len(r.inFlight) == 0 && len(r.queue) == 0 && len(r.ended) == 0 {
			r.polling = false
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
	}
}

// nextRound is how long to wait for the next round: until the first request is due
// (of our creations, the last, while callers wait in line for their slots), and at
// least half the time requests take after the last round.
func (r *Requests) nextRound() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	wait, gap := time.Duration(1<<62), time.Duration(1<<62)
	batch := len(r.queue) > 0 && r.others == 0
	var last time.Duration // of our creations, when callers wait in line for their slots
	for _, req := range r.inFlight {
		gap = min(gap, r.pace(req.kind).Expected()/2)
		if batch && req.kind == CreateAssignment {
			last = max(last, time.Until(req.look.Due))
			continue
		}
		wait = min(wait, time.Until(req.look.Due))
	}
	if batch && r.creating() > 0 {
		wait = min(wait, last)
	}
	switch {
	case r.othersHoldTheSlots():
		wait = min(wait, r.Poll-time.Since(r.lastRound))
	case len(r.inFlight) == 0: // only outcomes to learn
		wait = time.Until(r.outcomesAt())
	}
	if len(r.inFlight) > 0 {
		wait = max(wait, max(gap, r.FastPoll)-time.Since(r.lastRound))
	}
	return max(wait, minWait)
}

// minWait is the shortest wait between two rounds.
const minWait = 10 * time.Millisecond

// othersHoldTheSlots reports whether callers wait in line for slots that only the
// list of creations in progress can show free: someone else's, or none of ours in
// progress; r.mu must be held.
func (r *Requests) othersHoldTheSlots() bool {
	return len(r.queue) > 0 && (r.others > 0 || r.creating() == 0)
}

// settle frees the slots of the requests no longer in progress and gives them to the
// callers in line, learns how the ended requests went when that is due (outcomesAt),
// then wakes the callers whose turn came and the other callers of ended requests. A
// request that left the list of those in progress succeeded unless the list of failed
// requests (one call per kind) holds it; only a failure is described, for its reason.
func (r *Requests) settle(ctx context.Context, instance string, asked map[string]bool, listed, progress map[string]bool, creations int, at time.Time) {
	r.mu.Lock()
	ours := 0
	within := map[string]time.Duration{} // by kind: the youngest ended request no list showed in progress
	for id, req := range r.inFlight {
		switch {
		case !listed[req.kind]: // AWS did not answer: look again later, as if still in progress
			if asked[req.kind] {
				r.pace(req.kind).Later(&req.look, at, r.FastPoll)
			}
		case !req.sent.Before(at): // one sent after the list was asked for is not in it yet
		case !progress[id]: // it ended between the last list that showed it and this one
			if req.seen.After(req.sent) {
				r.pace(req.kind).Took(req.seen.Sub(req.sent) + at.Sub(req.seen)/2)
			} else if d, ok := within[req.kind]; !ok || at.Sub(req.sent) < d {
				within[req.kind] = at.Sub(req.sent)
			}
			r.ended[id] = req
			delete(r.inFlight, id)
		default:
			req.seen = at
			r.pace(req.kind).Later(&req.look, at, r.FastPoll)
			if req.kind == CreateAssignment {
				ours++
			}
		}
	}
	for kind, d := range within {
		r.pace(kind).EndedWithin(d)
	}
	if creations >= 0 { // creations in progress that are someone else's
		r.others = max(creations-ours, 0)
	}
	var turns []string
	for free := r.free(); free > 0 && len(r.queue) > 0; {
		key := r.queue[0]
		n := min(free, max(r.wants[key], 1))
		r.queue, r.granted[key] = r.queue[1:], grant{n: n, at: time.Now()}
		delete(r.wants, key)
		free -= n
		turns = append(turns, key)
	}
	gone := map[string][]string{} // kind -> ended ids
	if len(r.ended) > 0 && !time.Now().Before(r.outcomesAt()) {
		for id, req := range r.ended {
			gone[req.kind] = append(gone[req.kind], id)
		}
	}
	r.mu.Unlock()
	ended := r.outcomes(ctx, instance, gone)
	// A caller learns how its requests ended when it is next woken: by its turn (the
	// outcomes learned in this round are recorded before it), or, if it does not wait
	// in line, once for them.
	r.mu.Lock()
	ended = slices.DeleteFunc(slices.Compact(slices.Sorted(slices.Values(ended))), func(key string) bool {
		return slices.Contains(turns, key) || r.inLine(key)
	})
	r.mu.Unlock()
	for _, key := range append(turns, ended...) {
		r.Wake(key)
	}
}

// inLineEvery is how many times FailedEvery the failed requests may go unlisted while
// every caller of an ended request waits in line: their turns wake them anyway.
const inLineEvery = 5

// outcomesAt is when the failed requests are to be listed next: FailedEvery after the
// last list if a caller of an ended request waits for nothing else, else later.
func (r *Requests) outcomesAt() time.Time {
	every := inLineEvery * r.FailedEvery
	for _, req := range r.ended {
		if !r.inLine(req.key) {
			every = r.FailedEvery
			break
		}
	}
	return r.lastFailed.Add(every)
}

// inLine reports whether a caller waits in line for a slot or holds slots set aside
// for it; r.mu must be held.
func (r *Requests) inLine(key string) bool {
	_, granted := r.granted[key]
	return granted || slices.Contains(r.queue, key)
}

// outcomes lists the failed requests of each kind (one call each), records how the
// ended requests went, and returns their callers.
func (r *Requests) outcomes(ctx context.Context, instance string, gone map[string][]string) []string {
	r.mu.Lock()
	for id, o := range r.done {
		if time.Since(o.at) > keepOutcomes {
			delete(r.done, id)
		}
	}
	r.mu.Unlock()
	var ended []string
	for kind, ids := range gone {
		r.mu.Lock()
		r.lastFailed = time.Now() // a list that fails is asked again later too, not at once
		r.mu.Unlock()
		failed, err := listStatus(ctx, r.api, instance, kind, ssotypes.StatusValuesFailed)
		if err != nil {
			continue
		}
		for _, id := range ids {
			res := Result{Status: string(ssotypes.StatusValuesSucceeded)}
			if slices.Contains(failed, id) {
				if res, err = describe(ctx, r.api, instance, kind, id); err != nil {
					continue
				}
			}
			if key, ok := r.end(id, res); ok {
				ended = append(ended, key)
			}
		}
	}
	return ended
}

// end records how a request ended and returns its caller's key.
func (r *Requests) end(id string, res Result) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	req, ok := r.ended[id]
	if !ok {
		return "", false
	}
	r.done[id] = outcome{Result: res, at: time.Now()}
	delete(r.ended, id)
	return req.key, true
}

// inProgress lists the ids of one kind's requests in progress.
func inProgress(ctx context.Context, api API, instance, kind string) ([]string, error) {
	return listStatus(ctx, api, instance, kind, ssotypes.StatusValuesInProgress)
}

// listStatus lists the ids of one kind's requests with a status.
func listStatus(ctx context.Context, api API, instance, kind string, status ssotypes.StatusValues) ([]string, error) {
	filter, most := &ssotypes.OperationStatusFilter{Status: status}, aws.Int32(awsx.IdentityCenterPage)
	var ids []string
	switch kind {
	case Provision:
		p := ssoadmin.NewListPermissionSetProvisioningStatusPaginator(api, &ssoadmin.ListPermissionSetProvisioningStatusInput{InstanceArn: &instance, Filter: filter, MaxResults: most})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, s := range page.PermissionSetsProvisioningStatus {
				ids = append(ids, aws.ToString(s.RequestId))
			}
		}
	case CreateAssignment:
		p := ssoadmin.NewListAccountAssignmentCreationStatusPaginator(api, &ssoadmin.ListAccountAssignmentCreationStatusInput{InstanceArn: &instance, Filter: filter, MaxResults: most})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, s := range page.AccountAssignmentsCreationStatus {
				ids = append(ids, aws.ToString(s.RequestId))
			}
		}
	default:
		p := ssoadmin.NewListAccountAssignmentDeletionStatusPaginator(api, &ssoadmin.ListAccountAssignmentDeletionStatusInput{InstanceArn: &instance, Filter: filter, MaxResults: most})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, s := range page.AccountAssignmentsDeletionStatus {
				ids = append(ids, aws.ToString(s.RequestId))
			}
		}
	}
	return ids, nil
}

// describe reads one request's status; a request AWS no longer knows has ended.
func describe(ctx context.Context, api API, instance, kind, id string) (Result, error) {
	var st ssotypes.StatusValues
	var reason *string
	switch kind {
	case Provision:
		out, err := api.DescribePermissionSetProvisioningStatus(ctx, &ssoadmin.DescribePermissionSetProvisioningStatusInput{InstanceArn: &instance, ProvisionPermissionSetRequestId: &id})
		if err != nil {
			return gone(err)
		}
		st, reason = out.PermissionSetProvisioningStatus.Status, out.PermissionSetProvisioningStatus.FailureReason
	case CreateAssignment:
		out, err := api.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: &instance, AccountAssignmentCreationRequestId: &id})
		if err != nil {
			return gone(err)
		}
		st, reason = out.AccountAssignmentCreationStatus.Status, out.AccountAssignmentCreationStatus.FailureReason
	default:
		out, err := api.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{InstanceArn: &instance, AccountAssignmentDeletionRequestId: &id})
		if err != nil {
			return gone(err)
		}
		st, reason = out.AccountAssignmentDeletionStatus.Status, out.AccountAssignmentDeletionStatus.FailureReason
	}
	return Result{Status: string(st), Reason: aws.ToString(reason)}, nil
}

func gone(err error) (Result, error) {
	if awsx.IsNotFound(err) {
		return Result{Status: string(ssotypes.StatusValuesSucceeded)}, nil
	}
	return Result{}, err
}
