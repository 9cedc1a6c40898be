// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/awsorg/awsorg-operator/internal/awssim/model"
)

// Config sets up a simulator.
type Config struct {
	// ManagementAccountID is the id of the organization's management account.
	ManagementAccountID string
	// ManagementEmail is the email of the management account.
	ManagementEmail string
	// Region is the region reported by regional services.
	Region string
	// CreateAccountDelay is how long CreateAccount (and CloseAccount) stay in progress.
	CreateAccountDelay time.Duration
	// MaxAccounts is the organization's account quota, the management account included.
	MaxAccounts int
	// MaxCreateInProgress is how many CreateAccount requests may be in progress at once.
	MaxCreateInProgress int
	// StateFile, when set, is where the simulator writes its state (GET /_sim/state)
	// after every change, atomically; cmd/awssim loads it at start.
	StateFile string
	// Standalone starts the simulator as an account outside any organization: the
	// Organizations calls answer AWSOrganizationsNotInUseException until
	// CreateOrganization, as AWS does.
	Standalone bool
	// PolicySizeLimit is the largest SCP or RCP document, in characters.
	PolicySizeLimit int
	// SCPEnabled starts the organization with service control policies enabled.
	SCPEnabled bool
	// ExternalEmails are emails used by AWS accounts outside the organization;
	// CreateAccount with one of them fails with EMAIL_ALREADY_EXISTS.
	ExternalEmails []string
	// EmptyFirstPage makes every paginated list answer its first page empty, with a
	// NextToken, as AWS occasionally does; clients must keep paging.
	EmptyFirstPage bool
	// DefaultPageSize, when set, is the page of a list that leaves MaxResults out:
	// AWS then answers "a value that is specific to the operation", which may be far
	// below the most it allows. 0 answers the most.
	DefaultPageSize int
	// Seed makes generated ids repeatable.
	Seed int64
	// SSODelay is how long Identity Center's asynchronous requests stay in progress.
	SSODelay time.Duration
	// Groups and Users are the identity store's groups (by display name) and users (by user name).
	Groups, Users []string
	// CustomerManagedPolicies, when set, are the only customer managed policies that
	// exist in the accounts; provisioning a permission set that references another fails.
	CustomerManagedPolicies []string
	// MissingBuckets are S3 buckets that do not exist, for CloudTrail.
	MissingBuckets []string
	// CallerAccountID is the account the caller's credentials belong to (default: the
	// management account); another account may not create an organization trail.
	CallerAccountID string
	// Chaos is how AWS misbehaves from the start (rate limits, random throttles and
	// server errors, latency); SetChaos and POST /_sim/chaos change it later.
	Chaos Chaos
	// ConsistencyDelay is how long a new OU, account or policy is missing from lists,
	// as AWS's eventually consistent lists are (0: at once).
	ConsistencyDelay time.Duration
	// CloseAccountDelay is how long a closing account stays PENDING_CLOSURE before it
	// is SUSPENDED (default: CreateAccountDelay).
	CloseAccountDelay time.Duration
	// MaxCloseInProgress is how many accounts may be closing at once (AWS: 3).
	MaxCloseInProgress int
	// EventDelay is how long a change's CloudTrail event takes to show in
	// LookupEvents (AWS: about 5 minutes on average, not guaranteed; 0: at once).
	EventDelay time.Duration
	// CloseQuota is how many accounts may be closed in a rolling 30 days (default, as
	// AWS: 20 % of the member accounts, at least 250 and at most 1000).
	CloseQuota int
}

// DefaultConfig returns the configuration of `awssim` without flags.
func DefaultConfig() Config {
	return Config{
		ManagementAccountID: "111111111111",
		ManagementEmail:     "management@example.com",
		Region:              "us-east-1",
		CreateAccountDelay:  2 * time.Second,
		MaxAccounts:         1000,
		MaxCreateInProgress: 5,
		PolicySizeLimit:     5120,
		Seed:                1,
		SSODelay:            time.Second,
		MaxCloseInProgress:  3,
		Groups:              []string{"Platform", "Developers", "Security"},
		Users:               []string{"alice", "bob"},
	}
}

// Server is the simulator. It is an http.Handler; all state is behind one mutex.
type Server struct {
	cfg Config
	now func() time.Time

	mu      sync.Mutex
	rnd     *rand.Rand
	org     *orgState
	sso     *ssoState
	budgets map[string]*budget
	trails  map[string]*trail
	calls   map[string]int
	errs    map[string]int // by "service:Operation:Code"
	written []byte         // the state last written to the state file
	// faults are the misbehaviours injected for the next calls of operations.
	faults []*Fault
	// chaos is how every call misbehaves.
	chaos chaosState

	ops map[string]operation

	// requests counts the answers, for their request ids; events are the CloudTrail
	// events of the changes made.
	requests int
	events   []*event
}

type operation struct {
	svc     *model.Service
	name    string
	handle  func(body []byte) (any, error)
	errs    []string
	invalid func(msg, reason string) *Error
}

// New returns a simulator with a fresh all-features organization.
func New(cfg Config) *Server {
	def := DefaultConfig()
	if cfg.ManagementAccountID == "" {
		cfg.ManagementAccountID = def.ManagementAccountID
	}
	if cfg.ManagementEmail == "" {
		cfg.ManagementEmail = def.ManagementEmail
	}
	if cfg.Region == "" {
		cfg.Region = def.Region
	}
	if cfg.MaxAccounts == 0 {
		cfg.MaxAccounts = def.MaxAccounts
	}
	if cfg.MaxCreateInProgress == 0 {
		cfg.MaxCreateInProgress = def.MaxCreateInProgress
	}
	if cfg.PolicySizeLimit == 0 {
		cfg.PolicySizeLimit = def.PolicySizeLimit
	}
	if cfg.MaxCloseInProgress == 0 {
		cfg.MaxCloseInProgress = def.MaxCloseInProgress
	}
	if cfg.CloseAccountDelay == 0 {
		cfg.CloseAccountDelay = cfg.CreateAccountDelay
	}
	s := &Server{cfg: cfg, now: time.Now, rnd: rand.New(rand.NewSource(cfg.Seed)), calls: map[string]int{}, errs: map[string]int{}, ops: map[string]operation{}}
	s.org = newOrgState(s)
	s.sso = newSSOState(s)
	s.budgets, s.trails = map[string]*budget{}, map[string]*trail{}
	s.registerOrganizations()
	s.registerSSO()
	s.registerBudgets()
	s.registerCloudTrail()
	s.registerReads()
	s.SetChaos(cfg.Chaos)
	return s
}

// SetClock replaces the simulator's clock, for tests that step time by hand.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// Operations returns the names of the operations served, as "prefix.Operation", with
// the error codes each can return.
func (s *Server) Operations() map[string][]string {
	out := map[string][]string{}
	for target, op := range s.ops {
		out[target] = append([]string(nil), op.errs...)
	}
	return out
}

// Calls returns how many times each operation was called, by "service:Operation".
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// Writes returns how many calls were made of operations that change state (all but
// List*, Describe*, Get*, Lookup* and the like), whatever their answer.
func (s *Server) Writes() int {
	n := 0
	for op, c := range s.Calls() {
		if !ReadOnly(op[strings.Index(op, ":")+1:]) {
			n += c
		}
	}
	return n
}

// Errors returns how many calls AWS answered with an error, by
// "service:Operation:ErrorCode" (throttles and injected faults included).
func (s *Server) Errors() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.errs))
	for k, v := range s.errs {
		out[k] = v
	}
	return out
}

// CreateAccountRequest is one CreateAccount request as the simulator holds it.
type CreateAccountRequest struct {
	ID, AccountName, Email, State, AccountID, FailureReason string
	Requested, Completed                                    time.Time
}

// CreateAccountRequests returns every CreateAccount request the organization has seen.
func (s *Server) CreateAccountRequests() []CreateAccountRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]CreateAccountRequest, 0, len(s.org.requests))
	for _, id := range sortedKeys(s.org.requests) {
		r := s.org.requests[id]
		out = append(out, CreateAccountRequest{ID: r.ID, AccountName: r.AccountName, Email: r.Email, State: r.State, AccountID: r.AccountID,
			FailureReason: r.FailureReason, Requested: r.Requested, Completed: r.Completed})
	}
	return out
}

// AssignmentCreations returns when each account assignment creation was requested,
// earliest first; each stays in progress for the configured SSODelay.
func (s *Server) AssignmentCreations() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []time.Time
	for _, r := range s.sso.requests {
		if r.Kind == "create" {
			out = append(out, r.Created)
		}
	}
	slices.SortFunc(out, time.Time.Compare)
	return out
}

// outsideOrganization reports whether the account has not created its organization.
func (s *Server) outsideOrganization() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.Standalone
}

// ServeHTTP answers AWS API calls and GET /_sim/state.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Path == "/_sim/state" {
		s.serveState(w)
		return
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/_sim/") {
		s.serveControl(w, r)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "the simulator answers POST API calls and GET /_sim/state", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		s.serveQuery(w, body)
		return
	}
	target := r.Header.Get("X-Amz-Target")
	// botocore (the AWS CLI, boto3) names CloudTrail's operations in the long form
	// com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Op>, which AWS accepts too.
	target = strings.TrimPrefix(target, "com.amazonaws.cloudtrail.v20131101.")
	op, ok := s.ops[target]
	if !ok {
		writeError(w, &Error{Code: "UnknownOperationException", Message: fmt.Sprintf("the simulator does not serve %q", target), Status: 400})
		return
	}
	if op.svc == &model.Organizations && op.name != "CreateOrganization" && op.name != "ListHandshakesForAccount" && s.outsideOrganization() {
		writeError(w, &Error{Code: "AWSOrganizationsNotInUseException", Message: "Your account is not a member of an organization.", Status: 400})
		return
	}
	key := op.svc.Name + ":" + op.name
	if s.cfg.StateFile != "" {
		defer s.persistNow()
	}
	s.mu.Lock()
	s.calls[key]++
	fault := s.takeFault(op.name)
	s.mu.Unlock()
	requestID := s.nextRequestID()
	w.Header().Set("X-Amzn-Requestid", requestID)
	rec := &statusRecorder{ResponseWriter: w}
	w = rec
	defer func() {
		if rec.status >= 400 {
			s.mu.Lock()
			s.errs[key+":"+rec.Header().Get("X-Amzn-ErrorType")]++
			s.mu.Unlock()
		}
	}()
	if faulted(w, r, op.svc, fault) || s.chaotic(w, r, op.svc) {
		return
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	if verr := validateInput(op, body); verr != nil {
		writeError(w, verr)
		return
	}
	out, err := op.handle(body)
	if err == nil {
		s.record(r, op.svc, op.name, requestID, body, out)
	}
	if fault != nil && fault.After {
		writeError(w, faultError(op.svc, fault))
		return
	}
	if err != nil {
		var apiErr *Error
		if !errors.As(err, &apiErr) {
			apiErr = &Error{Code: "InternalFailure", Message: err.Error(), Status: 500}
		}
		writeError(w, apiErr)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if out == nil {
		out = struct{}{}
	}
	_ = json.NewEncoder(w).Encode(out)
}

// register adds a JSON operation. errs lists the modeled error codes the handler may
// return; the conformance test holds them against the model.
func register[In any](s *Server, svc *model.Service, name string, invalid func(msg, reason string) *Error, h func(*In) (any, error), errs ...string) {
	s.ops[svc.TargetPrefix+"."+name] = operation{
		svc: svc, name: name, errs: errs, invalid: invalid,
		handle: func(body []byte) (any, error) {
			in := new(In)
			if err := json.Unmarshal(body, in); err != nil {
				return nil, invalid("the request body is not valid JSON: "+err.Error(), "INVALID_SYNTAX")
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			return h(in)
		},
	}
}

// Error is an AWS error response.
type Error struct {
	Code    string
	Message string
	Status  int
	// Reason and Type are extra members some error shapes carry.
	Reason string
	Type   string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func writeError(w http.ResponseWriter, e *Error) {
	status := e.Status
	if status == 0 {
		status = 400
	}
	body := map[string]string{"__type": e.Code, "Message": e.Message}
	if e.Reason != "" {
		body["Reason"] = e.Reason
	}
	if e.Type != "" {
		body["Type"] = e.Type
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// epoch is a timestamp that encodes as epoch seconds, as the JSON protocols require.
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf("%.3f", float64(time.Time(t).UnixMilli())/1000)), nil
}

func ts(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

// pageWhole pages a list whose operation has no MaxResults: AWS's pages are its own.
func pageWhole[T any](s *Server, items []T, token *string, limit int) ([]T, *string, error) {
	n := int32(limit)
	return page(s, items, token, &n, limit)
}

// page returns one page of items and the token of the next, or nil on the last page.
func page[T any](s *Server, items []T, token *string, maxResults *int32, limit int) ([]T, *string, error) {
	start := 0
	if token != nil && *token != "" {
		if _, err := fmt.Sscanf(*token, "page-%d", &start); err != nil || start < 0 || start > len(items) {
			return nil, nil, &Error{Code: "InvalidInputException", Message: "The NextToken is not valid.", Reason: "INVALID_NEXT_TOKEN"}
		}
	} else if s.cfg.EmptyFirstPage && len(items) > 0 {
		next := "page-0"
		return []T{}, &next, nil
	}
	n := limit
	switch {
	case maxResults != nil && int(*maxResults) < n:
		n = int(*maxResults)
	case maxResults == nil && s.cfg.DefaultPageSize > 0:
		n = min(n, s.cfg.DefaultPageSize)
	}
	end := min(start+n, len(items))
	var next *string
	if end < len(items) {
		t := fmt.Sprintf("page-%d", end)
		next = &t
	}
	return items[start:end], next, nil
}

func (s *Server) serveState(w http.ResponseWriter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	doc, err := s.state()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(doc)
}

// persistNow writes the state file after a call, and says so on stderr if it cannot.
func (s *Server) persistNow() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.persist(); err != nil {
		fmt.Fprintf(os.Stderr, "awssim: writing the state file %s: %v\n", s.cfg.StateFile, err)
	}
}

// serveControl answers the simulator's own controls, which stand in for what AWS
// computes or what happens outside the API:
//
//	POST /_sim/budgets/spend        {"budgetName": "...", "actual": "412.50", "forecasted": "980.00"}
//	POST /_sim/trails/delivery-error {"trailName": "...", "error": "AccessDenied"}
//	POST /_sim/throttle              {"operation": "ListRoots", "count": 3}
//	POST /_sim/faults                {"operation": "DescribePolicy", "count": 5, "code": "InternalServerException"}
//	POST /_sim/faults/clear          {}
//	POST /_sim/chaos                 {"throttleFraction": 0.3, "serverErrorFraction": 0.05, "latency": 20000000, "rateLimits": {"organizations": 20}}
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	var in struct {
		BudgetName, Actual, Forecasted, TrailName, Error, Operation string
		Count                                                       int
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.URL.Path == "/_sim/chaos" {
		var c Chaos
		if err := json.Unmarshal(raw, &c); err != nil {
			http.Error(w, "the body must be the chaos as JSON: "+err.Error(), http.StatusBadRequest)
			return
		}
		s.SetChaos(c)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if r.URL.Path == "/_sim/faults" {
		var f Fault
		if err := json.Unmarshal(raw, &f); err != nil {
			http.Error(w, "the body must be a fault as JSON: "+err.Error(), http.StatusBadRequest)
			return
		}
		s.InjectFault(f)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		http.Error(w, "the body must be JSON: "+err.Error(), http.StatusBadRequest)
		return
	}
	switch r.URL.Path {
	case "/_sim/faults/clear":
		s.ClearFaults()
	case "/_sim/budgets/spend":
		err = s.SetBudgetSpend(in.BudgetName, in.Actual, in.Forecasted)
	case "/_sim/trails/delivery-error":
		err = s.SetTrailDeliveryError(in.TrailName, in.Error)
	case "/_sim/throttle":
		s.Throttle(in.Operation, in.Count)
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) randomString(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[s.rnd.Intn(len(alphabet))]
	}
	return string(b)
}

const (
	lowerDigits = "abcdefghijklmnopqrstuvwxyz0123456789"
	digits      = "0123456789"
)

// statusRecorder remembers the status of an answer.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}
