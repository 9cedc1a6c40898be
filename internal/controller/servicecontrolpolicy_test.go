// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package controller_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
)

func newSCP(name, awsName, doc string, targets ...v1alpha1.PolicyTargetRef) *v1alpha1.ServiceControlPolicy {
	return &v1alpha1.ServiceControlPolicy{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: v1alpha1.ServiceControlPolicySpec{
		Name: awsName, Document: runtime.RawExtension{Raw: []byte(doc)}, TargetRefs: targets}}
}

const denyLeave = `{"Version": "2012-10-17", "Statement": [{"Sid": "DenyLeaveOrg", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]}`

func awsPolicy(t *testing.T, id string) *types.Policy {
	t.Helper()
	out, err := org.DescribePolicy(context.Background(), &organizations.DescribePolicyInput{PolicyId: &id})
	if err != nil {
		t.Fatal(err)
	}
	return out.Policy
}

func awsTargets(t *testing.T, id string) []string {
	t.Helper()
	out, err := org.ListTargetsForPolicy(context.Background(), &organizations.ListTargetsForPolicyInput{PolicyId: &id})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tg := range out.Targets {
		ids = append(ids, aws.ToString(tg.TargetId))
	}
	sort.Strings(ids)
	return ids
}

func TestSCPCreateAttachDriftAndDelete(t *testing.T) {
	ctx := context.Background()
	ou := newOU("ou-scp", "SCP Target", "")
	create(t, ou)
	acct := newAccount(operatorNS, "scp-acct", "scp-acct@example.com", "")
	create(t, acct)
	p := newSCP("deny-leave-org", "DenyLeaveOrg", denyLeave,
		v1alpha1.PolicyTargetRef{Kind: "Root"}, v1alpha1.PolicyTargetRef{Kind: "OrganizationalUnit", Name: "ou-scp"},
		v1alpha1.PolicyTargetRef{Kind: "Account", Name: "scp-acct"})
	p.Spec.Description = "Members may not leave the organization"
	create(t, p)
	waitReady(t, p)
	waitReady(t, ou)
	waitReady(t, acct)

	root := rootID(t)
	roots, _ := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if len(roots.Roots[0].PolicyTypes) == 0 || roots.Roots[0].PolicyTypes[0].Type != types.PolicyTypeServiceControlPolicy {
		t.Fatalf("SCPs not enabled on the root: %+v", roots.Roots[0].PolicyTypes)
	}
	pol := awsPolicy(t, p.Status.ID)
	// The API server stores the document with its keys sorted; AWS gets it minified.
	minified := `{"Statement":[{"Action":"organizations:LeaveOrganization","Effect":"Deny","Resource":"*","Sid":"DenyLeaveOrg"}],"Version":"2012-10-17"}`
	if aws.ToString(pol.Content) != minified || aws.ToString(pol.PolicySummary.Name) != "DenyLeaveOrg" ||
		aws.ToString(pol.PolicySummary.Description) != p.Spec.Description {
		t.Fatalf("policy in AWS: %+v %s", pol.PolicySummary, aws.ToString(pol.Content))
	}
	if p.Status.DocumentSize != len(minified) {
		t.Fatalf("documentSize %d, want %d", p.Status.DocumentSize, len(minified))
	}
	want := []string{root, ou.Status.ID, acct.Status.ID}
	sort.Strings(want)
	if got := awsTargets(t, p.Status.ID); !slices.Equal(got, want) {
		t.Fatalf("targets in AWS %v, want %v", got, want)
	}

	// Drift: detached and edited by hand; both put back.
	if _, err := org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: &p.Status.ID, TargetId: &ou.Status.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := org.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: &p.Status.ID, Content: aws.String(`{"Version":"2012-10-17","Statement":[]}`)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		if got := awsTargets(t, p.Status.ID); !slices.Equal(got, want) {
			return fmt.Errorf("targets %v", got)
		}
		if c := aws.ToString(awsPolicy(t, p.Status.ID).Content); c != minified {
			return fmt.Errorf("content %s", c)
		}
		return nil
	})

	// Detach through the spec.
	update(t, p, func(x *v1alpha1.ServiceControlPolicy) { x.Spec.TargetRefs = x.Spec.TargetRefs[:1] })
	waitReady(t, p)
	if got := awsTargets(t, p.Status.ID); !slices.Equal(got, []string{root}) {
		t.Fatalf("targets after removing two: %v", got)
	}

	// Delete: detached everywhere, then deleted.
	id := p.Status.ID
	deleteAndWait(t, p)
	if _, err := org.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: &id}); err == nil || !strings.Contains(err.Error(), "PolicyNotFoundException") {
		t.Fatalf("policy still in AWS: %v", err)
	}
	deleteAndWait(t, acct)
	deleteAndWait(t, ou)
}

func TestSCPSteadyStateMakesNoWrites(t *testing.T) {
	p := newSCP("steady", "Steady", denyLeave, v1alpha1.PolicyTargetRef{Kind: "Root"})
	create(t, p)
	waitReady(t, p)
	ou := newOU("ou-steady", "Steady", "")
	create(t, ou)
	waitReady(t, ou)
	before := env.Sim.Calls()
	w := writes()
	time.Sleep(2*resyncPeriod + time.Second) // at least one resync of every object
	if got := writes(); got != w {
		t.Fatalf("%d AWS writes in steady state; calls before %v after %v", got-w, before, env.Sim.Calls())
	}
	after := env.Sim.Calls()
	if after["organizations:ListTargetsForPolicy"] == before["organizations:ListTargetsForPolicy"] {
		t.Fatalf("no resync happened: the test proves nothing")
	}
	deleteAndWait(t, p)
	deleteAndWait(t, ou)
}

func TestSCPAdoptsByName(t *testing.T) {
	ctx := context.Background()
	made, err := org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("Adopted"), Description: aws.String(""),
		Type: types.PolicyTypeServiceControlPolicy, Content: aws.String(denyLeave)})
	if err != nil {
		t.Fatal(err)
	}
	p := newSCP("adopted", "Adopted", denyLeave)
	create(t, p)
	waitReady(t, p)
	if p.Status.ID != aws.ToString(made.Policy.PolicySummary.Id) {
		t.Fatalf("adopted %s, want %s", p.Status.ID, aws.ToString(made.Policy.PolicySummary.Id))
	}
	deleteAndWait(t, p)
}

func TestSCPRefusals(t *testing.T) {
	// Over the size limit: refused before any AWS call, with the size and the limit.
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["` + strings.Repeat("ec2:DescribeInstances", 300) + `"],"Resource":"*"}]}`
	creates := env.Sim.Calls()["organizations:CreatePolicy"]
	p := newSCP("too-big", "TooBig", big)
	create(t, p)
	waitCondition(t, p, v1alpha1.ConditionStalled, v1alpha1.ReasonInvalidPolicy, "AWS allows at most 5120")
	if !strings.Contains(stalledMessage(t, p), fmt.Sprint(len(big))) || env.Sim.Calls()["organizations:CreatePolicy"] != creates {
		t.Fatalf("size refusal: %s; CreatePolicy calls %d -> %d", stalledMessage(t, p), creates, env.Sim.Calls()["organizations:CreatePolicy"])
	}
	// Fixing the spec clears the stall.
	update(t, p, func(x *v1alpha1.ServiceControlPolicy) { x.Spec.Document.Raw = []byte(denyLeave) })
	waitReady(t, p)
	deleteAndWait(t, p)

	// A malformed document is refused before AWS sees it (guardrails_test.go has every rule).
	bad := newSCP("malformed", "Malformed", `{"Version":"2012-10-17"}`)
	creates = env.Sim.Calls()["organizations:CreatePolicy"]
	create(t, bad)
	waitCondition(t, bad, v1alpha1.ConditionStalled, v1alpha1.ReasonInvalidPolicy, "Statement: missing")
	if env.Sim.Calls()["organizations:CreatePolicy"] != creates {
		t.Fatal("a malformed document was sent to AWS")
	}
	deleteAndWait(t, bad)

	// A sixth SCP on one target: AWS's attachment quota.
	var many []*v1alpha1.ServiceControlPolicy
	for i := range 5 {
		x := newSCP(fmt.Sprintf("quota-%d", i), fmt.Sprintf("Quota%d", i), denyLeave, v1alpha1.PolicyTargetRef{Kind: "Root"})
		create(t, x)
		many = append(many, x)
	}
	// The root already holds FullAWSAccess: exactly one of the five cannot attach.
	eventually(t, func() error {
		stalled, ready := 0, 0
		for _, x := range many {
			if c, _ := condition(t, x, v1alpha1.ConditionStalled); c != nil && c.Reason == v1alpha1.ReasonQuotaExceeded &&
				strings.Contains(c.Message, "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED") {
				stalled++
			}
			if c, _ := condition(t, x, v1alpha1.ConditionReady); c != nil && c.Status == metav1.ConditionTrue {
				ready++
			}
		}
		if stalled != 1 || ready != 4 {
			return fmt.Errorf("%d stalled on the quota and %d ready, want 1 and 4", stalled, ready)
		}
		return nil
	})
	for _, x := range many {
		deleteAndWait(t, x)
	}
}

func stalledMessage(t *testing.T, p *v1alpha1.ServiceControlPolicy) string {
	c, _ := condition(t, p, v1alpha1.ConditionStalled)
	if c == nil {
		return ""
	}
	return c.Message
}

func TestSCPValidationAtTheAPIServer(t *testing.T) {
	p := newSCP("root-with-name", "X", denyLeave, v1alpha1.PolicyTargetRef{Kind: "Root", Name: "x"})
	if err := k8s.Create(context.Background(), p); err == nil || !strings.Contains(err.Error(), "a Root target has no name") {
		t.Fatalf("want a Root target with a name refused, got %v", err)
	}
}

// reconciles reads how many reconciles a controller has finished.
func reconciles(t *testing.T, controller string) float64 {
	t.Helper()
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0.0
	for _, f := range families {
		if f.GetName() != "controller_runtime_reconcile_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "controller" && l.GetValue() == controller {
					n += m.GetCounter().GetValue()
				}
			}
		}
	}
	return n
}

// The reconciles between two resyncs (woken by an edit, a dependency, a request that
// ended) reuse the last read of the policy's targets instead of reading them again.
func TestSCPReconcilesBetweenResyncsReuseTheTargetsRead(t *testing.T) {
	p := newSCP("reuse", "Reuse", denyLeave, v1alpha1.PolicyTargetRef{Kind: "Root"})
	create(t, p)
	waitReady(t, p)
	before := env.Sim.Calls()["organizations:ListTargetsForPolicy"]
	woken := 0
	for i := range 6 {
		r := reconciles(t, "servicecontrolpolicy")
		update(t, p, func(x *v1alpha1.ServiceControlPolicy) {
			metav1.SetMetaDataAnnotation(&x.ObjectMeta, "example.com/wake", fmt.Sprint(i))
		})
		eventually(t, func() error {
			if reconciles(t, "servicecontrolpolicy") <= r {
				return fmt.Errorf("the edit did not wake the policy")
			}
			return nil
		})
		woken++
	}
	// Six reconciles in under two seconds; a resync (every 3 s) may fall among them,
	// and the last read may have aged before the first.
	if got := env.Sim.Calls()["organizations:ListTargetsForPolicy"] - before; got > 2 {
		t.Fatalf("%d ListTargetsForPolicy calls for %d reconciles between resyncs, want at most 2", got, woken)
	}
	deleteAndWait(t, p)
}
