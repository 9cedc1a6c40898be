// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
)

func status(ready, reason, msg string, pending int) v1alpha1.ResourceStatus {
	st := v1alpha1.ResourceStatus{PendingChanges: pending, Conditions: []metav1.Condition{{Type: v1alpha1.ConditionReady, Status: metav1.ConditionStatus(ready), Reason: reason, Message: msg}}}
	if ready == "False" && reason == v1alpha1.ReasonChangesPending {
		st.Conditions = append(st.Conditions, metav1.Condition{Type: v1alpha1.ConditionStalled, Status: "True", Reason: reason, Message: msg})
	}
	return st
}

func sample() *objects {
	ou := func(name, parent string, st v1alpha1.ResourceStatus) v1alpha1.OrganizationalUnit {
		o := v1alpha1.OrganizationalUnit{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: v1alpha1.OrganizationalUnitSpec{Name: strings.ToUpper(name)}}
		if parent != "" {
			o.Spec.ParentRef = &v1alpha1.LocalRef{Name: parent}
		}
		o.Status.ResourceStatus = st
		return o
	}
	acct := func(ns, name, ou string, st v1alpha1.ResourceStatus) v1alpha1.Account {
		a := v1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: v1alpha1.AccountSpec{Email: name + "@example.com"}}
		if ou != "" {
			a.Spec.OrganizationalUnitRef = &v1alpha1.LocalRef{Name: ou}
		}
		a.Status.ResourceStatus = st
		a.Status.ID = "1234567890" + name[len(name)-2:]
		return a
	}
	ready := status("True", "Ready", "AWS matches the spec", 0)
	return &objects{
		ous: []v1alpha1.OrganizationalUnit{ou("workloads", "", ready), ou("prod", "workloads", ready), ou("sandbox", "", status("False", v1alpha1.ReasonChangesPending, "1 changes pending: move account", 1))},
		accounts: []v1alpha1.Account{acct("awsorg-system", "web-01", "prod", ready), acct("team-a", "dev-02", "sandbox", status("False", "Creating", "CreateAccount in progress", 1)),
			acct("team-a", "tools-03", "", ready)},
		policies: []v1alpha1.ServiceControlPolicy{{ObjectMeta: metav1.ObjectMeta{Name: "deny-leave"}, Spec: v1alpha1.ServiceControlPolicySpec{Name: "DenyLeave",
			TargetRefs: []v1alpha1.PolicyTargetRef{{Kind: "Root"}, {Kind: "OrganizationalUnit", Name: "prod"}}}}},
	}
}

func TestTreeDrawsTheOrganization(t *testing.T) {
	out := render(sample(), false)
	for _, want := range []string{
		"Root  SCPs: DenyLeave",
		"├── Account team-a/tools-03 (tools-03, 123456789003) ✔ Ready",
		"├── OU sandbox (SANDBOX, no id yet) ✘ Stalled ChangesPending: 1 changes pending: move account",
		"│   └── Account team-a/dev-02 (dev-02, 123456789002) … Creating: CreateAccount in progress (1 changes pending)",
		"└── OU workloads (WORKLOADS, no id yet) ✔ Ready",
		"    └── OU prod (PROD, no id yet) ✔ Ready  SCPs: DenyLeave",
		"        └── Account awsorg-system/web-01 (web-01, 123456789001) ✔ Ready",
		"Service control policies\n  deny-leave (DenyLeave, no id yet, 0 accounts) … not reconciled yet",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour when not asked for")
	}
	if !strings.Contains(render(sample(), true), "\x1b[32m✔ Ready\x1b[0m") {
		t.Error("no colour when asked for")
	}
}

func TestTreeForATenant(t *testing.T) {
	o := sample()
	o.namespace, o.forbidden = "team-a", []string{"OrganizationalUnit", "ServiceControlPolicy"}
	o.ous, o.policies = nil, nil
	o.accounts = o.accounts[1:]
	out := render(o, false)
	for _, want := range []string{"├── Account team-a/tools-03", "└── OU sandbox (your RBAC may not read it)", "    └── Account team-a/dev-02",
		"Not shown (your RBAC may not list them): OrganizationalUnit, ServiceControlPolicy"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "workloads") || strings.Contains(out, "web-01") {
		t.Errorf("the tenant's view shows another tenant's part:\n%s", out)
	}
}
