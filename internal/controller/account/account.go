// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Package account maps Account objects to AWS member accounts: asynchronous creation
// that never runs twice for one object, adoption by email under the tenancy rules,
// placement in an OU (moved back when moved by hand), tags, and closing on delete
// only when the spec says Close.
package account

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	ktypes "k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/orgapi"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// CreatePoll is how often an account creation in progress is looked at.
var CreatePoll = 3 * time.Second

// Kind is the Account controller's mapping to AWS.
type Kind struct{ *common.Env }

// Setup registers the controller and the index of Accounts by AWS id.
func Setup(ctx context.Context, mgr ctrl.Manager, env *common.Env, opts reconciler.Options) error {
	if err := mgr.GetFieldIndexer().IndexField(ctx, &v1alpha1.Account{}, common.AccountIDIndex, func(o client.Object) []string {
		if id := o.(*v1alpha1.Account).Status.ID; id != "" {
			return []string{id}
		}
		return nil
	}); err != nil {
		return err
	}
	return reconciler.Setup(mgr, "account", reconciler.Kind[*v1alpha1.Account](&Kind{env}),
		func() *v1alpha1.Account { return &v1alpha1.Account{} }, opts)
}

func owner(a *v1alpha1.Account) string { return a.Namespace + "/" + a.Name }

func (k *Kind) admin(a *v1alpha1.Account) bool { return a.Namespace == k.OperatorNamespace }

func wantTags(a *v1alpha1.Account) map[string]string {
	want := maps.Clone(map[string]string(a.Spec.Tags))
	if want == nil {
		want = map[string]string{}
	}
	want[common.OwnerTag] = owner(a)
	return want
}

// parentID resolves the desired parent and enforces the placement rule.
func (k *Kind) parentID(ctx context.Context, a *v1alpha1.Account, tree *orgapi.Tree) (string, error) {
	switch {
	case a.Spec.OrganizationalUnitRef != nil:
		id, ou, err := k.OUID(ctx, a.Spec.OrganizationalUnitRef.Name)
		if err != nil {
			return "", err
		}
		if err := k.mayPlace(ctx, a, ou); err != nil {
			return "", err
		}
		return id, nil
	case !k.admin(a):
		return "", reconciler.Stalled(v1alpha1.ReasonNotAllowed,
			"accounts in namespace %s must set spec.organizationalUnitRef to an OU whose accountPlacement selects this namespace", a.Namespace)
	case a.Spec.ParentID != "":
		return a.Spec.ParentID, nil
	default:
		return tree.RootID, nil
	}
}

func (k *Kind) mayPlace(ctx context.Context, a *v1alpha1.Account, ou *v1alpha1.OrganizationalUnit) error {
	if k.admin(a) {
		return nil
	}
	notAllowed := reconciler.Stalled(v1alpha1.ReasonNotAllowed,
		"namespace %s may not place accounts in OrganizationalUnit %q: its spec.accountPlacement.namespaceSelector does not select this namespace; ask a platform admin, or choose another OU", a.Namespace, ou.Name)
	if ou.Spec.AccountPlacement == nil || ou.Spec.AccountPlacement.NamespaceSelector == nil {
		return notAllowed
	}
	sel, err := metav1.LabelSelectorAsSelector(ou.Spec.AccountPlacement.NamespaceSelector)
	if err != nil {
		return reconciler.Stalled(v1alpha1.ReasonNotAllowed, "OrganizationalUnit %q has an invalid namespaceSelector: %v", ou.Name, err)
	}
	ns := &corev1.Namespace{}
	if err := k.Client.Get(ctx, ktypes.NamespacedName{Name: a.Namespace}, ns); err != nil {
		return err
	}
	if !sel.Matches(labels.Set(ns.Labels)) {
		return notAllowed
	}
	return nil
}

// Observe finds the account: by id, by its CreateAccount request, or by email.
func (k *Kind) Observe(ctx context.Context, a *v1alpha1.Account) (reconciler.Observation, error) {
	tree, err := k.Org.Tree(ctx)
	if err != nil {
		return reconciler.Observation{}, err
	}
	parent, err := k.parentID(ctx, a, tree)
	if err != nil {
		return reconciler.Observation{}, err
	}
	if a.Status.ID == "" && a.Status.CreateAccountRequestID != "" {
		if err := k.followRequest(ctx, a); err != nil {
			return reconciler.Observation{}, err
		}
		tree, err = k.Org.Tree(ctx)
		if err != nil {
			return reconciler.Observation{}, err
		}
	}
	if a.Status.ID == "" {
		if err := k.recover(ctx, a, tree); err != nil {
			return reconciler.Observation{}, err
		}
		if a.Status.ID == "" {
			return reconciler.Observation{}, nil
		}
	}
	return k.observeAccount(ctx, a, tree, parent)
}

func (k *Kind) observeAccount(ctx context.Context, a *v1alpha1.Account, tree *orgapi.Tree, parent string) (reconciler.Observation, error) {
	found, ok := tree.Accounts[a.Status.ID]
	if !ok {
		k.Org.Invalidate()
		return reconciler.Observation{}, reconciler.Stalled("AccountNotInOrganization",
			"account %s is no longer in the organization; it was removed or closed outside the operator: delete this object, or restore the account", a.Status.ID)
	}
	a.Status.ARN, a.Status.State, a.Status.ParentID = found.Arn, found.State, found.ParentID
	if found.State != string(types.AccountStateActive) && found.State != string(types.AccountStatePendingActivation) {
		return reconciler.Observation{}, reconciler.Stalled("AccountNotActive",
			"account %s is %s in AWS (closed outside the operator); reinstate it through AWS Support, or delete this object", found.ID, found.State)
	}
	upToDate := found.ParentID == parent
	if upToDate && common.NeedsFullCheck(a) {
		tags, err := orgapi.Tags(ctx, k.OrgAPI, found.ID)
		if err != nil {
			return reconciler.Observation{}, err
		}
		upToDate = maps.Equal(tags, wantTags(a))
	}
	return reconciler.Observation{Exists: true, UpToDate: upToDate}, nil
}

// followRequest follows the object's CreateAccount request to its end.
func (k *Kind) followRequest(ctx context.Context, a *v1alpha1.Account) error {
	out, err := k.OrgAPI.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: &a.Status.CreateAccountRequestID})
	if awsx.IsNotFound(err) {
		a.Status.CreateAccountRequestID = "" // AWS forgot the request (kept 90 days): recover by email
		return nil
	}
	if err != nil {
		return err
	}
	st := out.CreateAccountStatus
	switch st.State {
	case types.CreateAccountStateInProgress:
		return reconciler.Wait(CreatePoll, v1alpha1.ReasonCreating, "AWS is creating the account (request %s)", a.Status.CreateAccountRequestID)
	case types.CreateAccountStateSucceeded:
		k.CreateGate.Finished(a.Status.CreateAccountRequestID)
		return k.claimCreated(ctx, a, aws.ToString(st.AccountId))
	default:
		k.CreateGate.Finished(a.Status.CreateAccountRequestID)
		return k.failed(ctx, a, string(st.FailureReason))
	}
}

// claimCreated takes the account a request created, after checking it carries this
// object's email (a request found by name after a crash may be someone else's).
func (k *Kind) claimCreated(ctx context.Context, a *v1alpha1.Account, id string) error {
	d, err := k.OrgAPI.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: &id})
	if err != nil {
		return err
	}
	if !strings.EqualFold(aws.ToString(d.Account.Email), a.Spec.Email) {
		a.Status.CreateAccountRequestID = ""
		return nil
	}
	a.Status.ID, a.Status.ARN = id, aws.ToString(d.Account.Arn)
	k.Org.Update(func(t *orgapi.Tree) {
		t.Accounts[id] = orgapi.Account{ID: id, Arn: a.Status.ARN, Name: aws.ToString(d.Account.Name), Email: a.Spec.Email,
			State: string(types.AccountStateActive), ParentID: t.RootID}
	})
	return nil
}

// failed handles a FAILED request. A refusal stays Stalled until the spec changes, so
// a failing request is not repeated by every resync.
func (k *Kind) failed(ctx context.Context, a *v1alpha1.Account, reason string) error {
	switch reason {
	case string(types.CreateAccountFailureReasonEmailAlreadyExists):
		k.Org.Invalidate()
		tree, err := k.Org.Tree(ctx)
		if err != nil {
			return err
		}
		if _, ok := tree.AccountByEmail(a.Spec.Email); ok {
			a.Status.CreateAccountRequestID = "" // it is in the organization: recover() decides
			return nil
		}
		return reconciler.Stalled(v1alpha1.ReasonAWSRefused,
			"AWS could not create the account: EMAIL_ALREADY_EXISTS: an AWS account outside the organization uses %s; the email cannot change, so delete this object and create one with another email", a.Spec.Email)
	case string(types.CreateAccountFailureReasonConcurrentAccountModification):
		a.Status.CreateAccountRequestID = ""
		return reconciler.Wait(CreatePoll, v1alpha1.ReasonCreating, "another request for this account is in progress; waiting for it")
	}
	if a.Status.ObservedGeneration != a.Generation {
		a.Status.CreateAccountRequestID = "" // the spec changed since: try again
		return nil
	}
	return reconciler.Stalled(v1alpha1.ReasonAWSRefused,
		"AWS could not create the account: %s; fix the cause (for ACCOUNT_LIMIT_EXCEEDED, raise the quota) and change the spec (e.g. a tag) to try again", reason)
}

// recover finds an account this object should hold without creating one: an account
// with its email (adopted under the tenancy rules), or a request still in progress
// with its name, left by a crash between CreateAccount and the status write.
func (k *Kind) recover(ctx context.Context, a *v1alpha1.Account, tree *orgapi.Tree) error {
	if found, ok := tree.AccountByEmail(a.Spec.Email); ok {
		return k.adopt(ctx, a, found)
	}
	reqs, err := orgapi.InProgress(ctx, k.OrgAPI)
	if err != nil {
		return err
	}
	for _, r := range reqs {
		if aws.ToString(r.AccountName) == a.AWSName() {
			a.Status.CreateAccountRequestID = aws.ToString(r.Id)
			return reconciler.Wait(CreatePoll, v1alpha1.ReasonCreating,
				"AWS is creating an account named %q (request %s); waiting for it before creating another", a.AWSName(), a.Status.CreateAccountRequestID)
		}
	}
	return nil
}

// adopt takes an existing account with this object's email if the tenancy rules allow.
func (k *Kind) adopt(ctx context.Context, a *v1alpha1.Account, found orgapi.Account) error {
	var others v1alpha1.AccountList
	if err := k.Client.List(ctx, &others, client.MatchingFields{common.AccountIDIndex: found.ID}); err != nil {
		return err
	}
	for _, o := range others.Items {
		if o.Namespace != a.Namespace || o.Name != a.Name {
			return reconciler.Stalled(v1alpha1.ReasonNotAllowed,
				"account %s (%s) is already managed by Account %s/%s; one AWS account cannot have two objects", found.ID, a.Spec.Email, o.Namespace, o.Name)
		}
	}
	tags, err := orgapi.Tags(ctx, k.OrgAPI, found.ID)
	if err != nil {
		return err
	}
	if tags[common.OwnerTag] != owner(a) && !k.admin(a) {
		return reconciler.Stalled(v1alpha1.ReasonNotAllowed,
			"an AWS account with email %s already exists (%s) and namespace %s may not adopt existing accounts; choose another email, or ask a platform admin to adopt it",
			a.Spec.Email, found.ID, a.Namespace)
	}
	a.Status.ID, a.Status.ARN = found.ID, found.Arn
	return nil
}

// Create asks AWS for the account; the request id lands in status before anything else.
func (k *Kind) Create(ctx context.Context, a *v1alpha1.Account) (reconciler.Changes, error) {
	st, err := k.CreateGate.Create(ctx, &organizations.CreateAccountInput{
		Email: aws.String(a.Spec.Email), AccountName: aws.String(a.AWSName()), RoleName: aws.String(a.Spec.RoleName),
		IamUserAccessToBilling: types.IAMUserAccessToBilling(a.Spec.IAMUserAccessToBilling), Tags: orgapi.ToTags(wantTags(a))})
	switch {
	case err == orgapi.ErrCreateBusy || orgapi.Reason(err) == string(types.ConstraintViolationExceptionReasonAccountCreationRateLimitExceeded):
		return nil, reconciler.Wait(15*time.Second, "WaitingForCreateSlot",
			"AWS allows five account creations in progress at once; waiting for a free slot")
	case err != nil:
		return nil, common.Refused(fmt.Sprintf("create account %q", a.AWSName()), err)
	}
	a.Status.CreateAccountRequestID = aws.ToString(st.Id)
	return reconciler.Changes{fmt.Sprintf("Requested account %q (request %s)", a.AWSName(), a.Status.CreateAccountRequestID)}, nil
}

// Update moves the account to its OU and syncs its tags.
func (k *Kind) Update(ctx context.Context, a *v1alpha1.Account) (reconciler.Changes, error) {
	var changes reconciler.Changes
	tree, err := k.Org.Tree(ctx)
	if err != nil {
		return nil, err
	}
	parent, err := k.parentID(ctx, a, tree)
	if err != nil {
		return nil, err
	}
	if cur := tree.Accounts[a.Status.ID]; cur.ParentID != parent {
		_, err := k.OrgAPI.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &a.Status.ID, SourceParentId: &cur.ParentID, DestinationParentId: &parent})
		switch {
		case awsx.IsAlreadyExists(err):
		case awsx.IsNotFound(err) || awsx.Code(err) == "SourceParentNotFoundException":
			k.Org.Invalidate()
			return changes, fmt.Errorf("moving account %s: the organization changed outside the operator: %w", a.Status.ID, err)
		case err != nil:
			return changes, common.Refused(fmt.Sprintf("move account %s to %s", a.Status.ID, parent), err)
		}
		k.Org.Update(func(t *orgapi.Tree) { cur.ParentID = parent; t.Accounts[cur.ID] = cur })
		a.Status.ParentID = parent
		changes = append(changes, fmt.Sprintf("Moved account %s from %s to %s", a.Status.ID, cur.ParentID, parent))
	}
	tags, err := orgapi.Tags(ctx, k.OrgAPI, a.Status.ID)
	if err != nil {
		return changes, err
	}
	changed, err := orgapi.SyncTags(ctx, k.OrgAPI, a.Status.ID, tags, wantTags(a))
	if err != nil {
		return changes, common.Refused("tag account "+a.Status.ID, err)
	}
	if changed {
		changes = append(changes, "Updated the tags of account "+a.Status.ID)
	}
	return changes, nil
}

// Delete closes the account; the engine calls it only when the policy is Close.
func (k *Kind) Delete(ctx context.Context, a *v1alpha1.Account) (reconciler.Changes, error) {
	if a.Status.ID == "" {
		if a.Status.CreateAccountRequestID != "" {
			if err := k.followRequest(ctx, a); err != nil && !reconciler.IsStalled(err) {
				return nil, err
			}
		}
		if a.Status.ID == "" {
			return nil, nil
		}
	}
	_, err := k.OrgAPI.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: &a.Status.ID})
	switch {
	case awsx.IsAlreadyExists(err), awsx.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, common.Refused("close account "+a.Status.ID, err)
	}
	k.Org.Update(func(t *orgapi.Tree) {
		cur := t.Accounts[a.Status.ID]
		cur.State = string(types.AccountStatePendingClosure)
		t.Accounts[a.Status.ID] = cur
	})
	return reconciler.Changes{"Closed account " + a.Status.ID + ", as the deletion policy Close says"}, nil
}

// Retain reports whether the deletion policy keeps the account (the default).
func (k *Kind) Retain(a *v1alpha1.Account) bool {
	return a.Spec.DeletionPolicy != v1alpha1.AccountClose
}
