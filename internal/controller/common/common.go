// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Package common holds what the kinds' controllers share: their environment (clients,
// the organization's read model, the operator's namespace) and the resolution of
// references between objects. It must not hold kind-specific mapping to AWS.
package common

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/orgapi"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// Env is what every controller of this operator shares.
type Env struct {
	// Client reads and writes Kubernetes objects (through the manager's cache).
	Client client.Client
	// OrgAPI is the shared Organizations client.
	OrgAPI orgapi.API
	// Org is the shared read model of the organization's tree.
	Org *orgapi.Org
	// CreateGate bounds CreateAccount requests in progress.
	CreateGate *orgapi.CreateGate
	// OperatorNamespace is the namespace with admin rights over placement and adoption.
	OperatorNamespace string
	// DependencyPoll is how soon to look again when a referenced object is not ready.
	DependencyPoll time.Duration
}

// AccountIDIndex is the field index of Accounts by status.id.
const AccountIDIndex = "status.id"

// OwnerTag is the AWS tag that records which Account object created or adopted an
// account, as "namespace/name".
const OwnerTag = "awsorg.dev/owner"

// PolicySizeLimit is the largest SCP or RCP document AWS accepts, in characters.
const PolicySizeLimit = 5120

// IsReady reports whether the object's Ready condition is True for its generation.
func IsReady(obj reconciler.Object) bool {
	c := meta.FindStatusCondition(obj.AWSStatus().Conditions, v1alpha1.ConditionReady)
	return c != nil && c.Status == metav1.ConditionTrue && obj.AWSStatus().ObservedGeneration == obj.GetGeneration()
}

// NeedsFullCheck reports whether details that are costly to read (tags) must be read
// from AWS: when the spec changed since AWS last matched it, or it never matched.
func NeedsFullCheck(obj reconciler.Object) bool { return !IsReady(obj) }

// OUID resolves an OrganizationalUnit by name to its AWS id, waiting while it has none.
func (e *Env) OUID(ctx context.Context, name string) (string, *v1alpha1.OrganizationalUnit, error) {
	ou := &v1alpha1.OrganizationalUnit{}
	if err := e.Client.Get(ctx, types.NamespacedName{Name: name}, ou); err != nil {
		if client.IgnoreNotFound(err) == nil {
			return "", nil, reconciler.Wait(e.DependencyPoll, v1alpha1.ReasonDependencyNotReady,
				"OrganizationalUnit %q does not exist; create it, or fix the reference", name)
		}
		return "", nil, err
	}
	if ou.Status.ID == "" {
		return "", nil, reconciler.Wait(e.DependencyPoll, v1alpha1.ReasonDependencyNotReady,
			"waiting for OrganizationalUnit %q to be created in AWS", name)
	}
	return ou.Status.ID, ou, nil
}

// AccountID resolves an Account by namespace and name to its AWS id, waiting while it has none.
func (e *Env) AccountID(ctx context.Context, namespace, name string) (string, error) {
	if namespace == "" {
		namespace = e.OperatorNamespace
	}
	a := &v1alpha1.Account{}
	if err := e.Client.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, a); err != nil {
		if client.IgnoreNotFound(err) == nil {
			return "", reconciler.Wait(e.DependencyPoll, v1alpha1.ReasonDependencyNotReady,
				"Account %s/%s does not exist; create it, or fix the reference", namespace, name)
		}
		return "", err
	}
	if a.Status.ID == "" {
		return "", reconciler.Wait(e.DependencyPoll, v1alpha1.ReasonDependencyNotReady,
			"waiting for Account %s/%s to be created in AWS", namespace, name)
	}
	return a.Status.ID, nil
}

// Refused turns an error AWS returned into what happens next: AWS's refusals of the
// input become Stalled with AWS's code and message; throttles and conflicts stay
// transient (retried with backoff).
func Refused(action string, err error) error {
	code := aws.Code(err)
	if code == "" || aws.IsThrottled(err) || aws.IsConflict(err) || code == "ServiceException" {
		return fmt.Errorf("%s: %w", action, err)
	}
	reason := v1alpha1.ReasonAWSRefused
	if r := orgapi.Reason(err); r != "" {
		code += " " + r
		if r == "ACCOUNT_NUMBER_LIMIT_EXCEEDED" || r == "OU_NUMBER_LIMIT_EXCEEDED" || r == "POLICY_NUMBER_LIMIT_EXCEEDED" ||
			r == "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED" || r == "OU_DEPTH_LIMIT_EXCEEDED" || r == "MAX_TAG_LIMIT_EXCEEDED" {
			reason = v1alpha1.ReasonQuotaExceeded
		}
	}
	return reconciler.Stalled(reason, "AWS refused to %s (%s): %s; fix the spec, or the AWS quota, and the operator will try again", action, code, aws.Message(err))
}
