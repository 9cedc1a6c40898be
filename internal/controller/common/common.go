// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Package common holds what the kinds' controllers share: their environment (clients,
// the organization's read model, the operator's namespace), the one rule of who owns
// an AWS object, what an AWS error means for an object, and the resolution of
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
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/orgapi"
	"github.com/awsorg/awsorg-operator/internal/iampolicy"
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
	// Creations runs account creations: five at once, followed in bulk.
	Creations *orgapi.Creations
	// Closings runs account closures: three at once, each followed when it is due.
	Closings *orgapi.Closings
	// OperatorNamespace is the namespace with admin rights over placement and adoption.
	OperatorNamespace string
	// DependencyPoll is how soon to look again when a referenced object is not ready.
	DependencyPoll time.Duration
	// Changes is the change feed, nil when it is off: reads of AWS nothing changed
	// since are used again (awsx.Reuse).
	Changes *awsx.Changes

	claims claims
}

// PolicySizeLimit is the largest SCP or RCP document AWS accepts, in characters.
const PolicySizeLimit = iampolicy.SizeLimit

// IsReady reports whether the object's Ready condition is True for its generation.
func IsReady(obj reconciler.Object) bool {
	c := meta.FindStatusCondition(obj.AWSStatus().Conditions, v1alpha1.ConditionReady)
	return c != nil && c.Status == metav1.ConditionTrue && obj.AWSStatus().ObservedGeneration == obj.GetGeneration()
}

// Admin reports whether obj speaks for the platform team: cluster-scoped, or in the
// operator's namespace.
func (e *Env) Admin(obj client.Object) bool {
	return obj.GetNamespace() == "" || obj.GetNamespace() == e.OperatorNamespace
}

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
			"OrganizationalUnit %q to be created in AWS", name)
	}
	return ou.Status.ID, ou, nil
}

// AccountID resolves an Account by namespace and name to its AWS id, waiting while it has none.
func (e *Env) AccountID(ctx context.Context, namespace, name string) (string, error) {
	if namespace == "" {
		namespace = e.OperatorNamespace
	}
	a := &v1alpha1.Account{}
	// Only the id is read: no copy of the cached object (a permission set on a
	// thousand accounts resolves them all at each reconcile).
	if err := e.Client.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, a, client.UnsafeDisableDeepCopy); err != nil {
		if client.IgnoreNotFound(err) == nil {
			return "", reconciler.Wait(e.DependencyPoll, v1alpha1.ReasonDependencyNotReady,
				"Account %s/%s, which does not exist; create it, or fix the reference", namespace, name)
		}
		return "", err
	}
	if a.Status.ID == "" {
		return "", reconciler.Wait(e.DependencyPoll, v1alpha1.ReasonDependencyNotReady,
			"Account %s/%s to be created in AWS", namespace, name)
	}
	return a.Status.ID, nil
}

// Fail turns an error AWS returned for action into what happens next, as the AWS seam
// classifies it: transient errors are retried with backoff, limits that free
// themselves are waited on, quotas, access denied and refusals become Stalled with
// AWS's code and message.
func Fail(action string, err error) error {
	code, msg := awsx.Code(err), awsx.Message(err)
	if r := awsx.Reason(err); r != "" {
		code += " " + r
	}
	switch awsx.Classify(err) {
	case awsx.Transient:
		return fmt.Errorf("%s: %w", action, err)
	case awsx.Busy:
		return reconciler.Wait(15*time.Second, v1alpha1.ReasonWaiting, "AWS could not %s yet (%s): %s; trying again shortly", action, code, msg)
	case awsx.Quota:
		return reconciler.Stalled(v1alpha1.ReasonQuotaExceeded, "AWS refused to %s (%s): %s; raise the AWS quota or make room, and the operator will try again at the next resync", action, code, msg)
	case awsx.AccessDenied:
		svc, op := awsx.Operation(err)
		perm := awsx.IAMAction(svc, op)
		return reconciler.Stalled(v1alpha1.ReasonAccessDenied, "the operator's AWS credentials may not %s: %s was denied (%s: %s); grant %s to the operator's IAM role", action, perm, code, msg, perm)
	}
	return reconciler.Stalled(v1alpha1.ReasonAWSRefused, "AWS refused to %s (%s): %s; fix the spec, and the operator will try again", action, code, msg)
}

// OnOU is a dependency on OrganizationalUnits, by name.
func OnOU(index string, refs func(client.Object) []string) reconciler.Dependency {
	return reconciler.Dependency{On: &v1alpha1.OrganizationalUnit{}, Index: index, Refs: refs, Key: func(o client.Object) string { return o.GetName() }}
}

// OnAccount is a dependency on Accounts, by "namespace/name".
func OnAccount(index string, refs func(client.Object) []string) reconciler.Dependency {
	return reconciler.Dependency{On: &v1alpha1.Account{}, Index: index, Refs: refs, Key: func(o client.Object) string { return o.GetNamespace() + "/" + o.GetName() }}
}

// AccountKey is the key of an Account reference: an empty namespace means the
// referrer's namespace, or the operator's for cluster-scoped referrers.
func (e *Env) AccountKey(referrer client.Object, namespace, name string) string {
	switch {
	case namespace != "":
	case referrer.GetNamespace() != "":
		namespace = referrer.GetNamespace()
	default:
		namespace = e.OperatorNamespace
	}
	return namespace + "/" + name
}
