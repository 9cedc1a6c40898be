// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim

import (
	"net/http"
	"time"

	"github.com/awsorg/awsorg-operator/internal/awssim/model"
)

// Fault is how AWS misbehaves on the next calls of one operation, for rehearsing and
// testing AWS's bad days: an error instead of the answer, an answer lost after the
// work was done, a slow answer, or a success that AWS did not keep.
type Fault struct {
	// Operation is the operation's name, e.g. DescribePolicy (any service).
	Operation string `json:"operation"`
	// Count is how many of the next calls the fault hits.
	Count int `json:"count"`
	// Code is the AWS error code to answer, e.g. InternalServerException,
	// AccessDeniedException, or Throttling for the service's own throttling error.
	Code string `json:"code,omitempty"`
	// Status is the HTTP status of the error; default 500 for server errors, else 400.
	Status int `json:"status,omitempty"`
	// Message and Reason fill the error's members.
	Message string `json:"message,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// Delay holds the answer back this long, e.g. longer than the client waits.
	Delay time.Duration `json:"delay,omitempty"`
	// After does the operation first, then answers with the error: the work was done
	// but the answer was lost.
	After bool `json:"after,omitempty"`
	// Drop answers success without doing the operation: AWS did not keep the change.
	Drop bool `json:"drop,omitempty"`
}

// InjectFault makes the next f.Count calls of f.Operation fail as f says. Faults of
// one operation are used in the order they were injected.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Count > 0 {
		s.faults = append(s.faults, &f)
	}
}

// ClearFaults removes every fault not used yet.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Throttle makes AWS throttle the next n calls of an operation (by name, any service).
func (s *Server) Throttle(operation string, n int) {
	s.InjectFault(Fault{Operation: operation, Count: n, Code: "Throttling"})
}

// takeFault uses one call of the first fault of the operation; s.mu must be held.
func (s *Server) takeFault(operation string) *Fault {
	for i, f := range s.faults {
		if f.Operation != operation {
			continue
		}
		f.Count--
		if f.Count <= 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		return f
	}
	return nil
}

// faultError is the error a fault answers with.
func faultError(svc *model.Service, f *Fault) *Error {
	if f.Code == "Throttling" {
		return throttleError(svc)
	}
	status := f.Status
	if status == 0 {
		status = 400
		if isServerError(f.Code) {
			status = 500
		}
	}
	msg := f.Message
	if msg == "" {
		msg = "The simulator was told to fail this call (" + f.Code + ")."
	}
	return &Error{Code: f.Code, Message: msg, Status: status, Reason: f.Reason}
}

func isServerError(code string) bool {
	switch code {
	case "InternalServerException", "InternalErrorException", "ServiceException", "ServiceUnavailable", "InternalFailure":
		return true
	}
	return false
}

// throttleError is the service's throttling error: Organizations sends
// TooManyRequestsException with HTTP 400, the others ThrottlingException.
func throttleError(svc *model.Service) *Error {
	if svc.Name == "organizations" {
		return &Error{Code: "TooManyRequestsException", Message: "You have sent too many requests in too short a period of time.", Status: 400, Type: "TooManyRequests"}
	}
	return &Error{Code: "ThrottlingException", Message: "Rate exceeded", Status: 400}
}

// faulted answers a call hit by a fault that answers before doing anything, and
// reports whether it did. A delay is served first, cut short if the client gives up.
func faulted(w http.ResponseWriter, r *http.Request, svc *model.Service, f *Fault) bool {
	if f == nil {
		return false
	}
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return true
		}
	}
	switch {
	case f.Drop:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = w.Write([]byte("{}"))
		return true
	case f.Code != "" && !f.After:
		writeError(w, faultError(svc, f))
		return true
	}
	return false
}
