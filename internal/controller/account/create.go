// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package account

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/orgapi"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// find gives the object its account id when it has one in AWS: from its CreateAccount
// request, or an account with its email (under the ownership rules), or a request it
// lost in a crash. It reports whether the account was adopted, and whether this
// process just created it (with the spec's tags).
func (k *Kind) find(ctx context.Context, a *v1alpha1.Account) (adopted, created bool, err error) {
	if a.Status.ID != "" {
		return false, false, nil
	}
	if a.Status.CreateAccountRequestID != "" {
		created, err := k.followRequest(ctx, a)
		if err != nil || a.Status.ID != "" {
			return false, created, err
		}
	}
	adopted, err = k.recover(ctx, a)
	return adopted, false, err
}

// followRequest follows the object's CreateAccount request to its end, and reports
// whether this process created the account.
func (k *Kind) followRequest(ctx context.Context, a *v1alpha1.Account) (bool, error) {
	st, ours, err := k.Creations.Status(ctx, common.OwnerOf(a), a.Status.CreateAccountRequestID)
	if awsx.IsNotFound(err) {
		a.Status.CreateAccountRequestID = "" // AWS forgot the request (kept 90 days): recover by email
		return false, nil
	}
	if err != nil {
		return false, err
	}
	switch {
	case st.State == types.CreateAccountStateInProgress:
		return false, reconciler.Wait(CreatePoll, v1alpha1.ReasonCreating, "AWS is creating the account (request %s)", a.Status.CreateAccountRequestID)
	case st.State == types.CreateAccountStateSucceeded && ours:
		return true, k.takeCreated(ctx, a, st)
	case st.State == types.CreateAccountStateSucceeded:
		return false, k.claimCreated(ctx, a, aws.ToString(st.AccountId))
	default:
		return false, k.failed(ctx, a, string(st.FailureReason))
	}
}

// takeCreated takes the account this process asked AWS to create for the object: it
// is the object's, with the email and tags it was created with.
func (k *Kind) takeCreated(ctx context.Context, a *v1alpha1.Account, st *types.CreateAccountStatus) error {
	tree, err := k.Org.Tree(ctx)
	if err != nil {
		return err
	}
	id := aws.ToString(st.AccountId)
	a.Status.ID, a.Status.ARN = id, tree.AccountArn(id)
	k.Org.Update(func(t *orgapi.Tree) {
		t.Accounts[id] = orgapi.Account{ID: id, Arn: a.Status.ARN, Name: a.AWSName(), Email: a.Spec.Email,
			State: string(types.AccountStateActive), ParentID: t.RootID}
	})
	return nil
}

// claimCreated takes the account a request created, after checking that it carries
// this object's email and owner tag (a request found after a crash may be another's).
func (k *Kind) claimCreated(ctx context.Context, a *v1alpha1.Account, id string) error {
	d, err := k.OrgAPI.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: &id})
	if err != nil {
		return err
	}
	tags, err := orgapi.Tags(ctx, k.OrgAPI, id)
	if err != nil {
		return err
	}
	if !strings.EqualFold(aws.ToString(d.Account.Email), a.Spec.Email) || tags[common.OwnerTag] != common.OwnerOf(a) {
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
		return reconciler.Wait(CreatePoll, v1alpha1.ReasonCreating, "another request for an account with this email is in progress; waiting for it")
	}
	if a.Status.ObservedGeneration != a.Generation {
		a.Status.CreateAccountRequestID = "" // the spec changed since: try again
		return nil
	}
	return reconciler.Stalled(v1alpha1.ReasonAWSRefused,
		"AWS could not create the account: %s; fix the cause (for ACCOUNT_LIMIT_EXCEEDED, raise the quota) and change the spec (e.g. a tag) to try again", reason)
}

// recover finds an account this object should hold without creating one: an account
// with its email (under the ownership and tenancy rules), or the request it sent just
// before a crash, before it could write the request id.
func (k *Kind) recover(ctx context.Context, a *v1alpha1.Account) (bool, error) {
	if adopted, ok, err := k.byEmail(ctx, a); ok || err != nil {
		return adopted, err
	}
	other, err := k.Reserve(ctx, a, "email:"+strings.ToLower(a.Spec.Email))
	if err != nil {
		return false, err
	}
	if other != "" {
		return false, reconciler.Stalled(v1alpha1.ReasonNameTaken,
			"another Account object is creating an account with email %s; one AWS account cannot have two objects: choose another email", a.Spec.Email)
	}
	if a.Status.CreateRequestedAt == nil {
		return false, nil
	}
	if err := k.findLostRequest(ctx, a); err != nil {
		return false, err
	}
	// No request in progress: it may have finished meanwhile. Read the tree again once.
	k.Org.Invalidate()
	if adopted, ok, err := k.byEmail(ctx, a); ok || err != nil {
		return adopted, err
	}
	a.Status.CreateRequestedAt = nil // the call never reached AWS: create again
	return false, nil
}

func (k *Kind) byEmail(ctx context.Context, a *v1alpha1.Account) (adopted, found bool, err error) {
	tree, err := k.Org.Tree(ctx)
	if err != nil {
		return false, false, err
	}
	acct, ok := tree.AccountByEmail(a.Spec.Email)
	if !ok {
		return false, false, nil
	}
	tags, err := orgapi.Tags(ctx, k.OrgAPI, acct.ID)
	if err != nil {
		return false, true, err
	}
	if adopted, err = k.Claim(ctx, a, k.awsObject(a, acct.ID, tags)); err != nil {
		return false, true, err
	}
	a.Status.ID, a.Status.ARN, a.Status.CreateRequestedAt = acct.ID, acct.Arn, nil
	return adopted, true, nil
}

// findLostRequest looks for a request in progress with the object's account name,
// sent since it was about to call CreateAccount, that no other object holds.
func (k *Kind) findLostRequest(ctx context.Context, a *v1alpha1.Account) error {
	reqs, err := orgapi.InProgress(ctx, k.OrgAPI)
	if err != nil {
		return err
	}
	since := a.Status.CreateRequestedAt.Add(-time.Minute)
	for _, r := range reqs {
		if aws.ToString(r.AccountName) != a.AWSName() || (r.RequestedTimestamp != nil && r.RequestedTimestamp.Before(since)) {
			continue
		}
		var holders v1alpha1.AccountList
		if err := k.Client.List(ctx, &holders, client.MatchingFields{RequestIndex: aws.ToString(r.Id)}); err != nil {
			return err
		}
		if len(holders.Items) > 0 {
			continue
		}
		a.Status.CreateAccountRequestID, a.Status.CreateRequestedAt = aws.ToString(r.Id), nil
		return reconciler.Wait(CreatePoll, v1alpha1.ReasonCreating,
			"AWS is creating the account (request %s, found again after a restart)", a.Status.CreateAccountRequestID)
	}
	return nil
}

// createPlan creates the account and moves it from the root to its OU.
func (k *Kind) createPlan(a *v1alpha1.Account, tree *orgapi.Tree, parent string) reconciler.Plan {
	var plan reconciler.Plan
	plan.Add(fmt.Sprintf("create account %q <%s>", a.AWSName(), a.Spec.Email), k.create(a))
	if parent != tree.RootID {
		to := tree.Describe(parent)
		plan.Add(fmt.Sprintf("move the new account from %s to %s", tree.Describe(tree.RootID), to), func(ctx context.Context) error {
			if a.Status.ID == "" {
				return reconciler.Wait(CreatePoll, v1alpha1.ReasonCreating, "AWS is creating the account (request %s); it is moved to %s once it exists", a.Status.CreateAccountRequestID, to)
			}
			return k.move(a, a.Status.ID, to, parent)(ctx)
		})
	}
	return plan
}

// create asks AWS for the account. It first writes that it is about to, so a crash
// right after the call finds the request rather than creating a second account; the
// request id lands in status before anything else.
func (k *Kind) create(a *v1alpha1.Account) func(context.Context) error {
	return func(ctx context.Context) error {
		if place, waiting := k.Creations.Waiting(common.OwnerOf(a)); waiting {
			return inLine(place)
		}
		now := metav1.Now()
		a.Status.CreateRequestedAt = &now
		if err := reconciler.SaveStatus(ctx); err != nil {
			return err
		}
		st, place, err := k.Creations.Create(ctx, common.OwnerOf(a), &organizations.CreateAccountInput{
			Email: aws.String(a.Spec.Email), AccountName: aws.String(a.AWSName()), RoleName: aws.String(a.Spec.RoleName),
			IamUserAccessToBilling: types.IAMUserAccessToBilling(a.Spec.IAMUserAccessToBilling), Tags: orgapi.ToTags(common.WantTags(a, a.Spec.Tags))})
		switch {
		case errors.Is(err, orgapi.ErrCreateBusy):
			a.Status.CreateRequestedAt = nil
			return inLine(place)
		case err != nil && awsx.Classify(err) != awsx.Transient:
			a.Status.CreateRequestedAt = nil // AWS answered no: nothing was created
			return common.Fail(fmt.Sprintf("create account %q", a.AWSName()), err)
		case err != nil:
			return common.Fail(fmt.Sprintf("create account %q", a.AWSName()), err) // it may have been: keep looking
		}
		a.Status.CreateAccountRequestID, a.Status.CreateRequestedAt = aws.ToString(st.Id), nil
		return nil
	}
}

// InLinePoll is how often an account waiting in line for a creation slot is looked at
// when nothing wakes it first (the followers of creations wake it when its turn comes).
var InLinePoll = 5 * time.Minute

func inLine(place int) error {
	return reconciler.Wait(InLinePoll, v1alpha1.ReasonWaiting,
		"AWS allows five account creations in progress at once; this account is number %d in line for a free slot", place)
}
