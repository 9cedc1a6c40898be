// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package aws

import (
	"context"
	"fmt"
	"strings"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

type readOnlyKey struct{}

// ReadOnly returns a context in which every AWS call that could change anything is
// refused before it leaves the process. The engine observes AWS in such a context, and
// objects whose management policy is Observe never leave it.
func ReadOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, readOnlyKey{}, true)
}

// IsReadOnly reports whether ctx forbids AWS writes.
func IsReadOnly(ctx context.Context) bool { v, _ := ctx.Value(readOnlyKey{}).(bool); return v }

// ErrWriteInReadOnly is returned for a write attempted in a read-only context.
type ErrWriteInReadOnly struct{ Service, Operation string }

func (e *ErrWriteInReadOnly) Error() string {
	return fmt.Sprintf("refused to call %s %s: AWS may only be read here", e.Service, e.Operation)
}

// IsRead reports whether an operation only reads (Identity Store's IsMemberInGroups
// too, as CloudTrail marks it).
func IsRead(operation string) bool {
	for _, p := range []string{"List", "Describe", "Get", "Lookup", "Is", "Search"} {
		if strings.HasPrefix(operation, p) {
			return true
		}
	}
	return false
}

func readOnlyGuard() middleware.InitializeMiddleware {
	return middleware.InitializeMiddlewareFunc("awsorgReadOnly", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		if op := awsmiddleware.GetOperationName(ctx); IsReadOnly(ctx) && !IsRead(op) {
			return middleware.InitializeOutput{}, middleware.Metadata{}, &ErrWriteInReadOnly{Service: awsmiddleware.GetServiceID(ctx), Operation: op}
		}
		return next.HandleInitialize(ctx, in)
	})
}
