// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package controller_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/iampolicy"
)

// Every rule of the policy grammar and of each policy type refuses a document before
// any AWS call: Stalled with reason InvalidPolicy, naming the statement and the field.
func TestBadPolicyDocumentsAreRefusedBeforeAWS(t *testing.T) {
	before := env.Sim.Calls()
	var objs []object
	for i, c := range iampolicy.Examples {
		var obj object
		if c.Type == iampolicy.Identity {
			obj = &v1alpha1.PermissionSet{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("bad-inline-%d", i)},
				Spec: v1alpha1.PermissionSetSpec{Name: fmt.Sprintf("BadInline%d", i), InlinePolicy: &runtime.RawExtension{Raw: []byte(c.Doc)}}}
		} else {
			p := newSCP(fmt.Sprintf("bad-doc-%d", i), fmt.Sprintf("BadDoc%d", i), c.Doc)
			p.Spec.Type = string(c.Type)
			obj = p
		}
		if err := k8s.Create(context.Background(), obj); err != nil {
			if !strings.Contains(err.Error(), "must be of type object") { // the API server refuses what is not an object
				t.Fatalf("%s: %v", c.Name, err)
			}
			obj = nil
		}
		objs = append(objs, obj)
	}
	for i, c := range iampolicy.Examples {
		if objs[i] == nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			waitCondition(t, objs[i], v1alpha1.ConditionStalled, v1alpha1.ReasonInvalidPolicy, c.Want)
		})
	}
	after := env.Sim.Calls()
	for _, op := range []string{"organizations:CreatePolicy", "organizations:UpdatePolicy", "sso-admin:CreatePermissionSet", "sso-admin:PutInlinePolicyToPermissionSet"} {
		if after[op] != before[op] {
			t.Errorf("%d %s calls for documents that break the rules", after[op]-before[op], op)
		}
	}
	for _, obj := range objs {
		if obj != nil {
			deleteAndWait(t, obj)
		}
	}
}
