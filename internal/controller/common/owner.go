// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package common

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// OwnerTag is the AWS tag that records which object of this operator owns an AWS
// object: "namespace/name" for namespaced kinds, "name" for cluster-scoped ones. It
// lives in AWS, so ownership survives restarts and leader changes.
const OwnerTag = "awsorg.dev/owner"

// OwnerOf is the owner tag value of obj.
func OwnerOf(obj client.Object) string {
	if obj.GetNamespace() == "" {
		return obj.GetName()
	}
	return obj.GetNamespace() + "/" + obj.GetName()
}

// WantTags are the tags an AWS object should carry: the spec's and the owner tag. An
// object that only observes leaves the owner tag as AWS has it: it writes nothing, so
// it claims nothing in AWS (see TagChanges).
func WantTags(obj reconciler.Object, spec map[string]string) map[string]string {
	out := maps.Clone(spec)
	if out == nil {
		out = map[string]string{}
	}
	if obj.AWSStatus().ManagementPolicy != v1alpha1.Observe {
		out[OwnerTag] = OwnerOf(obj)
	}
	return out
}

// AWSObject is an AWS object an object of this operator wants to hold.
type AWSObject struct {
	// Noun names its kind for people, e.g. "budget", "permission set".
	Noun string
	// Name is its AWS name (or email), as the user wrote it.
	Name string
	// ID is its AWS id, unique among AWS objects of its kind.
	ID string
	// Owner is the owner tag it carries, "" when it has none.
	Owner string
	// Fix says what the user can do when it belongs to another object.
	Fix string
}

// claims remembers, in this process, which owner claimed which AWS object, so that
// two objects racing for one untagged AWS object cannot both take it before either
// has written the owner tag.
type claims struct {
	mu sync.Mutex
	m  map[string]string
}

// Claim is the one rule of ownership: it decides whether obj may hold the AWS object,
// and reports whether doing so adopts it (takes over an AWS object obj did not create).
//   - An AWS object tagged with obj's owner value is obj's.
//   - One tagged for another object that exists is never taken: Stalled, NameTaken.
//   - One without a tag (or whose tagged owner no longer exists) may be adopted only
//     by admin objects (cluster-scoped, or in the operator's namespace), and only when
//     no other object holds it (by status.id, or by a claim in this process).
//
// Messages to tenants never name another namespace's objects or AWS ids.
func (e *Env) Claim(ctx context.Context, obj reconciler.Object, a AWSObject) (adopted bool, err error) {
	me := OwnerOf(obj)
	held := a.ID != "" && obj.AWSStatus().ID == a.ID
	key := kindOf(e.Client, obj).Kind + "/" + a.ID
	if a.Owner == me {
		e.claims.set(key, me)
		return false, nil
	}
	if a.Owner != "" {
		exists, err := e.ownerExists(ctx, obj, a.Owner)
		if err != nil {
			return false, err
		}
		if exists {
			return false, e.taken(obj, a, a.Owner)
		}
	}
	if !held && !e.Admin(obj) {
		return false, reconciler.Stalled(v1alpha1.ReasonNotAllowed,
			"an AWS %s %q already exists and was not created by this object; namespace %s may not take over existing AWS objects: %s, or ask a platform admin",
			a.Noun, a.Name, obj.GetNamespace(), a.Fix)
	}
	other, err := e.holder(ctx, obj, a.ID)
	if err != nil {
		return false, err
	}
	if other == "" {
		if other, err = e.claim(ctx, obj, key); err != nil {
			return false, err
		}
	}
	if other != "" {
		return false, e.taken(obj, a, other)
	}
	return !held, nil
}

// Owns reports whether obj may change or delete an AWS object that carries the owner
// tag owner: it is obj's, or it has no owner tag and obj already holds it.
func Owns(obj reconciler.Object, id, owner string) bool {
	return owner == OwnerOf(obj) || (owner == "" && id != "" && obj.AWSStatus().ID == id)
}

func (e *Env) taken(obj client.Object, a AWSObject, other string) error {
	if e.Admin(obj) {
		return reconciler.Stalled(v1alpha1.ReasonNameTaken, "the AWS %s %q (%s) belongs to %s %s of this operator; one AWS object cannot have two objects: %s",
			a.Noun, a.Name, a.ID, kindOf(e.Client, obj).Kind, other, a.Fix)
	}
	return reconciler.Stalled(v1alpha1.ReasonNameTaken, "the AWS %s %q belongs to another object of this operator; one AWS object cannot have two objects: %s", a.Noun, a.Name, a.Fix)
}

// holder returns another object of obj's kind that holds id in status.id, or "".
func (e *Env) holder(ctx context.Context, obj client.Object, id string) (string, error) {
	gvk := kindOf(e.Client, obj)
	list, err := e.Client.Scheme().New(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
	if err != nil {
		return "", err
	}
	l := list.(client.ObjectList)
	if err := e.Client.List(ctx, l, client.MatchingFields{reconciler.IDIndex: id}); err != nil {
		return "", err
	}
	items, err := meta.ExtractList(l)
	if err != nil {
		return "", err
	}
	for _, item := range items {
		o := item.(client.Object)
		if o.GetNamespace() != obj.GetNamespace() || o.GetName() != obj.GetName() {
			return OwnerOf(o), nil
		}
	}
	return "", nil
}

// Reserve records in this process that obj is about to create the AWS object named
// by key (e.g. an account's email), and returns the owner of another object that
// reserved it first ("" when obj may go ahead).
func (e *Env) Reserve(ctx context.Context, obj client.Object, key string) (string, error) {
	return e.claim(ctx, obj, kindOf(e.Client, obj).Kind+"/"+key)
}

// claim records in this process that obj claims key, and returns the owner that
// claimed it before, if that owner's object still exists.
func (e *Env) claim(ctx context.Context, obj client.Object, key string) (string, error) {
	me := OwnerOf(obj)
	prev := e.claims.take(key, me)
	if prev == "" || prev == me {
		return "", nil
	}
	exists, err := e.ownerExists(ctx, obj, prev)
	if err != nil || exists {
		return prev, err
	}
	e.claims.set(key, me) // the previous claimant is gone
	return "", nil
}

// ownerExists reports whether the object an owner tag names exists.
func (e *Env) ownerExists(ctx context.Context, obj client.Object, owner string) (bool, error) {
	ns, name, found := strings.Cut(owner, "/")
	if !found {
		ns, name = "", owner
	}
	other, err := e.Client.Scheme().New(kindOf(e.Client, obj))
	if err != nil {
		return false, err
	}
	err = e.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, other.(client.Object))
	if client.IgnoreNotFound(err) != nil {
		return false, err
	}
	return err == nil, nil
}

func kindOf(c client.Client, obj client.Object) schema.GroupVersionKind {
	gvk, err := apiutil.GVKForObject(obj, c.Scheme())
	if err != nil {
		panic(fmt.Sprintf("object of an unknown kind: %v", err))
	}
	return gvk
}

// take records the claim of key by owner unless another owner holds it, and returns
// the owner that held it before ("" if none).
func (c *claims) take(key, owner string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]string{}
	}
	if h, ok := c.m[key]; ok && h != owner {
		return h
	}
	c.m[key] = owner
	return ""
}

func (c *claims) set(key, owner string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]string{}
	}
	c.m[key] = owner
}
