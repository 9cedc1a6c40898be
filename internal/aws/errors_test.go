// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package aws

import (
	"context"
	"errors"
	"fmt"
	"testing"

	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"
)

func TestClassify(t *testing.T) {
	generic := func(code string) error { return &smithy.GenericAPIError{Code: code, Message: "m"} }
	for _, tc := range []struct {
		name string
		err  error
		want Class
	}{
		{"5xx code", generic("InternalServerException"), Transient},
		{"service exception", generic("ServiceException"), Transient},
		{"throttle", generic("TooManyRequestsException"), Transient},
		{"timeout, no answer", fmt.Errorf("calling: %w", context.DeadlineExceeded), Transient},
		{"policy type not enabled yet", generic("PolicyTypeNotEnabledException"), Transient},
		{"parent not visible yet", generic("DestinationParentNotFoundException"), Transient},
		{"conflict", generic("ConcurrentModificationException"), Transient},
		{"close requests in progress", &orgtypes.ConstraintViolationException{Reason: "CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED"}, Busy},
		{"creations in progress", &orgtypes.ConstraintViolationException{Reason: "ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED"}, Busy},
		{"policy in use", generic("PolicyInUseException"), Busy},
		{"budget locked", generic("ResourceLockedException"), Busy},
		{"closure quota", &orgtypes.ConstraintViolationException{Reason: "CLOSE_ACCOUNT_QUOTA_EXCEEDED"}, Quota},
		{"account quota", &orgtypes.ConstraintViolationException{Reason: "ACCOUNT_NUMBER_LIMIT_EXCEEDED"}, Quota},
		{"sso quota", generic("ServiceQuotaExceededException"), Quota},
		{"access denied", generic("AccessDeniedException"), AccessDenied},
		{"not found", generic("PolicyNotFoundException"), NotFound},
		{"duplicate", generic("DuplicatePolicyException"), AlreadyExists},
		{"malformed", generic("MalformedPolicyDocumentException"), Refused},
		{"last SCP", &orgtypes.ConstraintViolationException{Reason: "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"}, Refused},
		{"unknown 5xx", &httpErr{GenericAPIError: smithy.GenericAPIError{Code: "Weird"}, status: 503}, Transient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Classify(tc.err); got != tc.want {
				t.Fatalf("Classify(%v) = %d, want %d", tc.err, got, tc.want)
			}
		})
	}
}

type httpErr struct {
	smithy.GenericAPIError
	status int
}

func (e *httpErr) HTTPStatusCode() int { return e.status }

func TestIAMActionOfAFailedCall(t *testing.T) {
	err := &smithy.OperationError{ServiceID: "Organizations", OperationName: "CreatePolicy", Err: errors.New("denied")}
	svc, op := Operation(fmt.Errorf("wrapped: %w", err))
	for _, tc := range []struct{ svc, op, want string }{
		{svc, op, "organizations:CreatePolicy"},
		{"SSO Admin", "CreateAccountAssignment", "sso:CreateAccountAssignment"},
		{"Budgets", "DescribeBudget", "budgets:ViewBudget"},
		{"Budgets", "UpdateBudget", "budgets:ModifyBudget"},
		{"Budgets", "TagResource", "budgets:TagResource"},
		{"CloudTrail", "StartLogging", "cloudtrail:StartLogging"},
		{"identitystore", "GetGroupId", "identitystore:GetGroupId"},
	} {
		if got := IAMAction(tc.svc, tc.op); got != tc.want {
			t.Errorf("IAMAction(%s, %s) = %s, want %s", tc.svc, tc.op, got, tc.want)
		}
	}
}
