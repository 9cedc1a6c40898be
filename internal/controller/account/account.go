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
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	ktypes "k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/orgapi"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// CreatePoll is how often an account creation in progress is looked at when nothing
// wakes the object first (the followers of creations wake it when its request ends).
var CreatePoll = 30 * time.Second

// RequestIndex is the field index of Accounts by status.createAccountRequestId.
const RequestIndex = "status.createAccountRequestId"

// Kind is the Account controller's mapping to AWS.
type Kind struct {
	*common.Env
	// QuarantineOU names the OrganizationalUnit object accounts move to before they
	// are closed; "" closes them where they are.
	QuarantineOU string
}

// Setup registers the controller and the index of Accounts by request id.
func Setup(ctx context.Context, mgr ctrl.Manager, env *common.Env, quarantineOU string, opts reconciler.Options) error {
	if err := mgr.GetFieldIndexer().IndexField(ctx, &v1alpha1.Account{}, RequestIndex, func(o client.Object) []string {
		if id := o.(*v1alpha1.Account).Status.CreateAccountRequestID; id != "" {
			return []string{id}
		}
		return nil
	}); err != nil {
		return err
	}
	wake := make(chan event.TypedGenericEvent[client.Object], 1024)
	env.Creations.Wake = func(key string) {
		ns, name, _ := strings.Cut(key, "/")
		wake <- event.TypedGenericEvent[client.Object]{Object: &v1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}}
	}
	env.Closings.Wake = env.Creations.Wake
	return reconciler.Setup(ctx, mgr, reconciler.Controller[*v1alpha1.Account]{Name: "account", Kind: &Kind{Env: env, QuarantineOU: quarantineOU},
		New: func() *v1alpha1.Account { return &v1alpha1.Account{} },
		Dependencies: []reconciler.Dependency{common.OnOU("spec.organizationalUnitRef", func(o client.Object) []string {
			if ref := o.(*v1alpha1.Account).Spec.OrganizationalUnitRef; ref != nil {
				return []string{ref.Name}
			}
			return nil
		})},
		Watches: []func(*ctrl.Builder) *ctrl.Builder{func(b *ctrl.Builder) *ctrl.Builder {
			return b.WatchesRawSource(source.Channel(wake, &handler.EnqueueRequestForObject{}))
		}}}, opts)
}

// parentID resolves the desired parent and enforces the placement rule.
func (k *Kind) parentID(ctx context.Context, a *v1alpha1.Account, tree *orgapi.Tree) (string, error) {
	switch {
	case a.Spec.OrganizationalUnitRef != nil:
		id, ou, err := k.OUID(ctx, a.Spec.OrganizationalUnitRef.Name)
		if err != nil {
			return "", err
		}
		if !ou.DeletionTimestamp.IsZero() {
			return "", reconciler.Stalled(v1alpha1.ReasonInvalidSpec,
				"OrganizationalUnit %q is being deleted; place the account in another OU (spec.organizationalUnitRef)", ou.Name)
		}
		if err := k.mayPlace(ctx, a, ou); err != nil {
			return "", err
		}
		return id, nil
	case !k.Admin(a):
		return "", reconciler.Stalled(v1alpha1.ReasonNotAllowed,
			"accounts in namespace %s must set spec.organizationalUnitRef to an OU whose accountPlacement selects this namespace", a.Namespace)
	case a.Spec.ParentID != "":
		return a.Spec.ParentID, nil
	default:
		return tree.RootID, nil
	}
}

func (k *Kind) mayPlace(ctx context.Context, a *v1alpha1.Account, ou *v1alpha1.OrganizationalUnit) error {
	if k.Admin(a) {
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

// Observe finds the account (by id, by its CreateAccount request, or by email) and
// plans its creation, its move to its OU and its tags.
func (k *Kind) Observe(ctx context.Context, a *v1alpha1.Account) (reconciler.Observation, error) {
	tree, err := k.Org.Tree(ctx)
	if err != nil {
		return reconciler.Observation{}, err
	}
	parent, err := k.parentID(ctx, a, tree)
	if err != nil {
		return reconciler.Observation{}, err
	}
	adopted, created, err := k.find(ctx, a)
	if err != nil {
		return reconciler.Observation{}, err
	}
	if a.Status.ID == "" {
		return reconciler.Observation{Plan: k.createPlan(a, tree, parent)}, nil
	}
	if tree, err = k.Org.Tree(ctx); err != nil {
		return reconciler.Observation{}, err
	}
	// An account this process just created carries the spec's tags: no need to read them.
	full := adopted || (reconciler.FullCheck(ctx) && !(created && a.Status.ObservedGeneration == a.Generation))
	plan, err := k.observeAccount(ctx, a, tree, parent, full)
	return reconciler.Observation{Exists: true, Adopted: adopted, Plan: plan}, err
}

func (k *Kind) observeAccount(ctx context.Context, a *v1alpha1.Account, tree *orgapi.Tree, parent string, full bool) (reconciler.Plan, error) {
	found, ok := tree.Accounts[a.Status.ID]
	if !ok {
		return nil, k.notInTree(ctx, a.Status.ID)
	}
	a.Status.ARN, a.Status.State, a.Status.ParentID = found.Arn, found.State, found.ParentID
	if found.State != string(types.AccountStateActive) && found.State != string(types.AccountStatePendingActivation) {
		return nil, reconciler.Stalled("AccountNotActive",
			"account %s is %s in AWS (closed outside the operator); reinstate it through AWS Support, or delete this object", found.ID, found.State)
	}
	if found.ID == tree.Management && a.Spec.DeletionPolicy == v1alpha1.AccountClose {
		return nil, reconciler.Stalled(v1alpha1.ReasonInvalidSpec,
			"account %s is the management account, which can never be closed: set spec.deletionPolicy to Retain", found.ID)
	}
	if found.Name != a.AWSName() {
		return nil, reconciler.Stalled(v1alpha1.ReasonInvalidSpec,
			"account %s is named %q in AWS, but the object says %q, and AWS Organizations cannot rename accounts: rename the account in the AWS console, or create this object again with spec.name %q (deleting an Account with deletionPolicy Retain leaves the account in AWS)",
			found.ID, found.Name, a.AWSName(), found.Name)
	}
	var plan reconciler.Plan
	if found.ParentID != parent {
		from, to := tree.Describe(found.ParentID), tree.Describe(parent)
		// A move made again is done (AWS answers DuplicateAccountException), and it
		// returns no id to keep: its status goes with the reconcile's.
		plan = append(plan, reconciler.Change{Description: fmt.Sprintf("move account %s from %s to %s", found.ID, from, to),
			Removal: true, SeenCheaply: true, Repeatable: true, Apply: k.move(a, found.ID, to, parent)})
	}
	if full {
		tags, err := k.ownedTags(ctx, a, found)
		if err != nil {
			return nil, err
		}
		plan = common.AddTags(plan, "account "+found.ID, tags, common.WantTags(a, a.Spec.Tags), orgapi.TagFuncs(k.OrgAPI, found.ID))
	}
	return plan, nil
}

// notInTree asks AWS about an account the read model does not hold: gone from the
// organization (Stalled), or not in the model yet (read the tree again).
func (k *Kind) notInTree(ctx context.Context, id string) error {
	_, err := k.OrgAPI.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: &id})
	if awsx.IsNotFound(err) {
		return reconciler.Stalled("AccountNotInOrganization",
			"account %s is no longer in the organization; it was removed or closed outside the operator: delete this object, or restore the account", id)
	}
	k.Org.Invalidate()
	if err != nil {
		return err
	}
	return fmt.Errorf("account %s is not in the read model of the organization yet; reading the organization again", id)
}

// ownedTags reads the account's tags and checks that the account is this object's.
func (k *Kind) ownedTags(ctx context.Context, a *v1alpha1.Account, found orgapi.Account) (map[string]string, error) {
	tags, err := orgapi.Tags(ctx, k.OrgAPI, found.ID)
	if err != nil {
		return nil, err
	}
	if _, err := k.Claim(ctx, a, k.awsObject(a, found.ID, tags)); err != nil {
		return nil, err
	}
	return tags, nil
}

func (k *Kind) awsObject(a *v1alpha1.Account, id string, tags map[string]string) common.AWSObject {
	return common.AWSObject{Noun: "account with email", Name: a.Spec.Email, ID: id, Owner: tags[common.OwnerTag],
		Fix: "choose another email"}
}

func (k *Kind) move(a *v1alpha1.Account, id, to, parent string) func(context.Context) error {
	return func(ctx context.Context) error {
		tree, err := k.Org.Tree(ctx)
		if err != nil {
			return err
		}
		cur := tree.Accounts[id]
		_, err = k.OrgAPI.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &id, SourceParentId: &cur.ParentID, DestinationParentId: &parent})
		switch {
		case awsx.IsAlreadyExists(err):
		case awsx.IsCode(err, "SourceParentNotFoundException") || awsx.IsNotFound(err):
			k.Org.Invalidate()
			return fmt.Errorf("moving account %s: the organization changed outside the operator; reading it again: %w", id, err)
		case err != nil:
			return common.Fail(fmt.Sprintf("move account %s to %s", id, to), err)
		}
		k.Org.Update(func(t *orgapi.Tree) { cur.ParentID = parent; t.Accounts[cur.ID] = cur })
		a.Status.ParentID = parent
		return nil
	}
}

var _ reconciler.Forgetter[*v1alpha1.Account] = (*Kind)(nil)

// Forget takes a deleted Account out of the lines for creation and closure slots, so
// no slot is kept for it at its turn.
func (k *Kind) Forget(a *v1alpha1.Account) {
	k.Creations.Leave(common.OwnerOf(a))
	k.Closings.Leave(common.OwnerOf(a))
}

// Retain reports whether the deletion policy keeps the account (the default).
func (k *Kind) Retain(a *v1alpha1.Account) bool {
	return a.Spec.DeletionPolicy != v1alpha1.AccountClose
}
