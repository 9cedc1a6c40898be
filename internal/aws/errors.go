// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package aws

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"

	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"
)

// Class says what an AWS error means for the caller: what happens next.
type Class int

const (
	// Refused: AWS refused the input; retrying the same request cannot help.
	Refused Class = iota
	// Transient: a throttle, a 5xx, a timeout or a state AWS has not caught up with yet
	// (eventual consistency); retry with backoff.
	Transient
	// Busy: a limit that frees itself (requests in progress, a lock); look again later.
	Busy
	// Quota: a quota of the organization is exhausted; a human must raise it or make room.
	Quota
	// AccessDenied: the operator's credentials may not make the call.
	AccessDenied
	// NotFound: the object does not exist.
	NotFound
	// AlreadyExists: the object, attachment or state already exists.
	AlreadyExists
)

// Codes by class. A code missing here is Refused, unless the HTTP status is 5xx.
var (
	transientCodes = []string{
		"TooManyRequestsException", "ThrottlingException", "Throttling", "ThrottledException", "RequestLimitExceeded",
		"RequestThrottledException", "SlowDown", "ServiceException", "ServiceUnavailable", "ServiceUnavailableException",
		"InternalServerException", "InternalErrorException", "InternalFailure", "InternalError", "RequestTimeout",
		"RequestTimeoutException", "ConcurrentModificationException", "PolicyChangesInProgressException",
		"FinalizingOrganizationException", "ConflictException",
		// eventual consistency: right after EnablePolicyType or CreateOrganizationalUnit
		"PolicyTypeNotEnabledException", "DestinationParentNotFoundException",
	}
	notFoundCodes = []string{
		"OrganizationalUnitNotFoundException", "PolicyNotFoundException", "AccountNotFoundException",
		"TargetNotFoundException", "ResourceNotFoundException", "NotFoundException", "TrailNotFoundException",
		"CreateAccountStatusNotFoundException", "ChildNotFoundException", "ParentNotFoundException",
		"PolicyNotAttachedException",
	}
	alreadyExistsCodes = []string{
		"DuplicateOrganizationalUnitException", "DuplicatePolicyException", "DuplicatePolicyAttachmentException",
		"DuplicateAccountException", "PolicyTypeAlreadyEnabledException", "AccountAlreadyClosedException",
		"DuplicateRecordException", "TrailAlreadyExistsException",
	}
	busyCodes   = []string{"ResourceLockedException", "PolicyInUseException", "OrganizationalUnitNotEmptyException"}
	busyReasons = []string{"CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED", "ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED"}
	quotaCodes  = []string{"ServiceQuotaExceededException", "CreationLimitExceededException", "MaximumNumberOfTrailsExceededException",
		"TagsLimitExceededException", "LimitExceededException"}
	quotaReasons = []string{"ACCOUNT_NUMBER_LIMIT_EXCEEDED", "OU_NUMBER_LIMIT_EXCEEDED", "POLICY_NUMBER_LIMIT_EXCEEDED",
		"MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "OU_DEPTH_LIMIT_EXCEEDED", "MAX_TAG_LIMIT_EXCEEDED",
		"CLOSE_ACCOUNT_QUOTA_EXCEEDED", "ACCOUNT_CANNOT_LEAVE_ORGANIZATION"}
	accessCodes = []string{"AccessDeniedException", "AccessDenied", "AccessDeniedForDependencyException", "UnauthorizedOperation",
		"NotOrganizationMasterAccountException", "InsufficientDependencyServiceAccessPermissionException"}
)

// Classify says what err means. Errors that are not AWS answers (a timeout, a
// connection reset, a cancelled context) are Transient.
func Classify(err error) Class {
	if err == nil {
		return Refused
	}
	code := Code(err)
	reason := Reason(err)
	switch {
	case code == "":
		return Transient
	case slices.Contains(busyReasons, reason):
		return Busy
	case slices.Contains(quotaReasons, reason), slices.Contains(quotaCodes, code):
		return Quota
	case slices.Contains(notFoundCodes, code):
		return NotFound
	case slices.Contains(alreadyExistsCodes, code):
		return AlreadyExists
	case slices.Contains(busyCodes, code):
		return Busy
	case slices.Contains(accessCodes, code):
		return AccessDenied
	case slices.Contains(transientCodes, code), HTTPStatus(err) >= 500:
		return Transient
	}
	return Refused
}

// Code returns the AWS error code of err, or "" when err is not an AWS API error.
func Code(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// Message returns AWS's message of err, or err's text when it is not an API error.
func Message(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorMessage()
	}
	return err.Error()
}

// Reason returns the Reason member some errors carry (Organizations'
// ConstraintViolationException and InvalidInputException), or "".
func Reason(err error) string {
	var cv *orgtypes.ConstraintViolationException
	if errors.As(err, &cv) {
		return string(cv.Reason)
	}
	var ii *orgtypes.InvalidInputException
	if errors.As(err, &ii) {
		return string(ii.Reason)
	}
	return ""
}

// HTTPStatus returns the HTTP status of AWS's answer, or 0.
func HTTPStatus(err error) int {
	var r interface{ HTTPStatusCode() int }
	if errors.As(err, &r) {
		return r.HTTPStatusCode()
	}
	return 0
}

// Operation returns the service and operation of a failed call ("Organizations",
// "CreatePolicy"), or "" when err is not an operation error.
func Operation(err error) (service, operation string) {
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		return oe.ServiceID, oe.OperationName
	}
	return "", ""
}

// IAMAction names the IAM action a call needs, e.g. organizations:CreatePolicy.
func IAMAction(service, operation string) string {
	switch service {
	case "SSO Admin":
		return "sso:" + operation
	case "Budgets":
		switch {
		case strings.Contains(operation, "Tag"):
			return "budgets:" + operation
		case strings.HasPrefix(operation, "Describe"):
			return "budgets:ViewBudget"
		}
		return "budgets:ModifyBudget"
	}
	return strings.ToLower(strings.ReplaceAll(service, " ", "")) + ":" + operation
}

// IsNotFound reports whether AWS said the object does not exist.
func IsNotFound(err error) bool { return err != nil && Classify(err) == NotFound }

// IsAlreadyExists reports whether AWS said the object (or attachment, or state) already exists.
func IsAlreadyExists(err error) bool { return err != nil && Classify(err) == AlreadyExists }

// IsThrottled reports whether AWS throttled the call.
func IsThrottled(err error) bool {
	return slices.Contains([]string{"TooManyRequestsException", "ThrottlingException", "Throttling", "ThrottledException",
		"RequestLimitExceeded", "RequestThrottledException", "SlowDown"}, Code(err))
}

// IsCode reports whether err is the AWS error code; for service quirks the seams name.
func IsCode(err error, code string) bool { return err != nil && Code(err) == code }

// IsTimeout reports whether err is a timeout or a cancelled call rather than an answer.
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}
