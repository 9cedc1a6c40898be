// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package reconciler

import (
	"errors"
	"fmt"
	"time"
)

// StalledError means no progress is possible without a human: the object gets
// Stalled=True with the reason and message, and is not retried until it changes
// (or the periodic resync looks again).
type StalledError struct {
	Reason  string
	Message string
}

func (e *StalledError) Error() string { return e.Message }

// Stalled returns a StalledError; the message says what is wrong and what to do.
func Stalled(reason, format string, args ...any) error {
	return &StalledError{Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// WaitError means work is in progress elsewhere (an AWS async request, a dependency):
// the object gets Reconciling=True and is looked at again after the delay.
type WaitError struct {
	Reason  string
	Message string
	After   time.Duration
}

func (e *WaitError) Error() string { return e.Message }

// Wait returns a WaitError.
func Wait(after time.Duration, reason, format string, args ...any) error {
	return &WaitError{Reason: reason, Message: fmt.Sprintf(format, args...), After: after}
}

// IsStalled reports whether err is (or wraps) a StalledError.
func IsStalled(err error) bool {
	var s *StalledError
	return errors.As(err, &s)
}

// IsWait reports whether err is (or wraps) a WaitError.
func IsWait(err error) bool {
	var w *WaitError
	return errors.As(err, &w)
}
