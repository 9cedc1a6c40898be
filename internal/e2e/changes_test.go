// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

// With the change feed, the manager binary reads the organization's tree once while
// CloudTrail shows no change made outside it, however many resyncs pass; an account
// moved by hand is seen in CloudTrail's history and moved back.
func TestTheChangeFeedSparesReadsAndStillFindsDrift(t *testing.T) {
	ctx := context.Background()
	st := newStack(t)
	st.url = st.env.SimURL // the in-process simulator, whose calls the test can count
	st.startManager(t, "manager", "--resync-period", "2s", "--change-feed", "--change-feed-lateness", "1s")
	ou := &v1alpha1.OrganizationalUnit{ObjectMeta: metav1.ObjectMeta{Name: "workloads"}, Spec: v1alpha1.OrganizationalUnitSpec{Name: "Workloads"}}
	acct := &v1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: "awsorg-system", Name: "dev"},
		Spec: v1alpha1.AccountSpec{Name: "dev", Email: "dev@example.com", OrganizationalUnitRef: &v1alpha1.LocalRef{Name: "workloads"}}}
	for _, o := range []client.Object{ou, acct} {
		if err := st.env.Client.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range []client.Object{ou, acct} {
		for deadline := time.Now().Add(time.Minute); !ready(ctx, st, o); time.Sleep(200 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s not Ready in a minute\nmanager log tail:\n%s", o.GetName(), managerLog(st))
			}
		}
	}
	time.Sleep(3 * time.Second) // reads from here on are vouched for (the margin is the lateness)
	before := st.env.Sim.Calls()
	time.Sleep(8 * time.Second) // four resyncs
	after := st.env.Sim.Calls()
	for _, op := range []string{"organizations:ListAccounts", "organizations:ListParents", "organizations:ListOrganizationalUnitsForParent"} {
		// Without the feed the tree is listed again every resync (4 times here); with it,
		// not at all (one is allowed for a round of the feed delayed on a loaded machine).
		if n := after[op] - before[op]; n > 1 {
			t.Errorf("%d %s calls in four resyncs with nothing changed outside the operator, want none (the feed vouches for the tree)", n, op)
		} else {
			t.Logf("%s: %d calls in four resyncs", op, n)
		}
	}
	if after["cloudtrail:LookupEvents"] == before["cloudtrail:LookupEvents"] {
		t.Error("the manager never read CloudTrail's event history")
	}

	if err := st.env.Client.Get(ctx, client.ObjectKeyFromObject(acct), acct); err != nil {
		t.Fatal(err)
	}
	if err := st.env.Client.Get(ctx, client.ObjectKeyFromObject(ou), ou); err != nil {
		t.Fatal(err)
	}
	org := organizations.NewFromConfig(st.env.AWS) // someone else's credentials
	root := must(org.ListRoots(ctx, &organizations.ListRootsInput{})).Roots[0].Id
	must(org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &acct.Status.ID, SourceParentId: &ou.Status.ID, DestinationParentId: root}))
	moved := time.Now()
	for {
		p := must(org.ListParents(ctx, &organizations.ListParentsInput{ChildId: &acct.Status.ID}))
		if aws.ToString(p.Parents[0].Id) == ou.Status.ID {
			t.Logf("moved back %.1f s after the move by hand", time.Since(moved).Seconds())
			return
		}
		if time.Since(moved) > 30*time.Second {
			t.Fatalf("the account moved by hand to the root was not moved back to %s in 30 s\nmanager log tail:\n%s", ou.Status.ID, managerLog(st))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func ready(ctx context.Context, st *stack, o client.Object) bool {
	if err := st.env.Client.Get(ctx, client.ObjectKeyFromObject(o), o); err != nil {
		return false
	}
	return meta.IsStatusConditionTrue(o.(reconciler.Object).AWSStatus().Conditions, v1alpha1.ConditionReady)
}
