// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package controller_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"go.uber.org/zap/zapcore"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/awssim"
	"github.com/awsorg/awsorg-operator/internal/controller/account"
	"github.com/awsorg/awsorg-operator/internal/controller/permissionset"
	"github.com/awsorg/awsorg-operator/internal/manager"
	"github.com/awsorg/awsorg-operator/internal/testenv"
)

const (
	operatorNS   = "awsorg-system"
	takenEmail   = "taken@elsewhere.example.com"
	resyncPeriod = 3 * time.Second
	quarantineOU = "quarantine"
)

// eventuallyFor is how long eventually waits.
var eventuallyFor = 40 * time.Second

var (
	env *testenv.Env
	k8s client.Client
	org *organizations.Client
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctrl.SetLogger(zap.New(zap.UseDevMode(false), zap.Level(zapLevel())))
	var err error
	cfg := awssim.DefaultConfig()
	cfg.CreateAccountDelay = 300 * time.Millisecond
	cfg.ExternalEmails = []string{takenEmail}
	cfg.SSODelay = 200 * time.Millisecond
	cfg.CustomerManagedPolicies = []string{"team-boundary"}
	cfg.MissingBuckets = []string{"missing-bucket"}
	cfg.CloseAccountDelay = time.Second
	env, err = testenv.Start(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = env.Stop() }()
	k8s, org = env.Client, env.Org
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, ns := range []string{operatorNS, "team-a", "team-b"} {
		labels := map[string]string{}
		if ns == "team-a" {
			labels["tenant"] = "true"
		}
		if err := k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: labels}}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	account.CreatePoll, account.CloseTakes = 200*time.Millisecond, time.Second // ClosePoll stays long: closures wake their objects
	permissionset.RequestPoll = 200 * time.Millisecond
	o := env.ManagerOptions()
	o.OperatorNamespace = operatorNS
	o.ResyncPeriod = resyncPeriod
	o.QuarantineOU = quarantineOU
	o.DependencyPoll = 300 * time.Millisecond
	o.AWS.Rates = nil // no limit
	o.AWS.RetryMaxBackoff = 50 * time.Millisecond
	o.AWS.CallTimeout = 2 * time.Second
	o.RetryMin, o.RetryMax = 20*time.Millisecond, 3*time.Second
	mgr, err := manager.New(ctx, env.Config, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	go func() {
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "manager:", err)
		}
	}()
	// Accounts move to the quarantine OU before they are closed.
	if err := k8s.Create(ctx, &v1alpha1.OrganizationalUnit{ObjectMeta: metav1.ObjectMeta{Name: quarantineOU}, Spec: v1alpha1.OrganizationalUnitSpec{Name: "Quarantine"}}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

func zapLevel() zapcore.Level {
	if os.Getenv("TEST_VERBOSE") != "" {
		return -1
	}
	return 2
}

// eventually polls f until it returns nil, or fails the test with its last error.
func eventually(t *testing.T, f func() error) {
	t.Helper()
	deadline := time.Now().Add(eventuallyFor)
	var err error
	for time.Now().Before(deadline) {
		if err = f(); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("not reached in %s: %v", eventuallyFor, err)
}

type object interface {
	client.Object
	AWSStatus() *v1alpha1.ResourceStatus
}

// condition reads obj again and returns its condition of type typ (nil if absent).
func condition(t *testing.T, obj object, typ string) (*metav1.Condition, error) {
	t.Helper()
	if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
		return nil, err
	}
	return meta.FindStatusCondition(obj.AWSStatus().Conditions, typ), nil
}

// waitReady waits for Ready=True at the object's current generation.
func waitReady(t *testing.T, obj object) {
	t.Helper()
	eventually(t, func() error {
		c, err := condition(t, obj, v1alpha1.ConditionReady)
		if err != nil {
			return err
		}
		if c == nil || c.Status != metav1.ConditionTrue || obj.AWSStatus().ObservedGeneration != obj.GetGeneration() {
			return fmt.Errorf("%s not ready: %+v", obj.GetName(), c)
		}
		return nil
	})
}

// waitCondition waits for a True condition of type typ whose reason is reason and
// whose message contains text.
func waitCondition(t *testing.T, obj object, typ, reason, text string) *metav1.Condition {
	t.Helper()
	var got *metav1.Condition
	eventually(t, func() error {
		c, err := condition(t, obj, typ)
		if err != nil {
			return err
		}
		if c == nil || c.Status != metav1.ConditionTrue || c.Reason != reason || !strings.Contains(c.Message, text) {
			return fmt.Errorf("%s: want %s=True reason %s message with %q, have %+v", obj.GetName(), typ, reason, text, c)
		}
		got = c
		return nil
	})
	return got
}

func create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := k8s.Create(context.Background(), obj); err != nil {
		t.Fatalf("creating %s: %v", obj.GetName(), err)
	}
}

// update applies change to the latest version of obj.
func update[T client.Object](t *testing.T, obj T, change func(T)) {
	t.Helper()
	eventually(t, func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		change(obj)
		return k8s.Update(context.Background(), obj)
	})
}

func deleteAndWait(t *testing.T, obj client.Object) {
	t.Helper()
	if err := k8s.Delete(context.Background(), obj); err != nil {
		t.Fatalf("deleting %s: %v", obj.GetName(), err)
	}
	eventually(t, func() error {
		err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
		if client.IgnoreNotFound(err) != nil {
			return err
		}
		if err == nil {
			return fmt.Errorf("%s still exists", obj.GetName())
		}
		return nil
	})
}

// --- AWS, read back through the SDK ---

func rootID(t *testing.T) string {
	t.Helper()
	out, err := org.ListRoots(context.Background(), &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Roots[0].Id)
}

func awsOUs(t *testing.T, parent string) map[string]types.OrganizationalUnit {
	t.Helper()
	out := map[string]types.OrganizationalUnit{}
	p := organizations.NewListOrganizationalUnitsForParentPaginator(org, &organizations.ListOrganizationalUnitsForParentInput{ParentId: &parent})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page.OrganizationalUnits {
			out[aws.ToString(u.Name)] = u
		}
	}
	return out
}

func awsAccountsByEmail(t *testing.T, email string) []types.Account {
	t.Helper()
	var out []types.Account
	p := organizations.NewListAccountsPaginator(org, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Accounts {
			if strings.EqualFold(aws.ToString(a.Email), email) {
				out = append(out, a)
			}
		}
	}
	return out
}

func awsParent(t *testing.T, child string) string {
	t.Helper()
	out, err := org.ListParents(context.Background(), &organizations.ListParentsInput{ChildId: &child})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Parents[0].Id)
}

func awsTags(t *testing.T, id string) map[string]string {
	t.Helper()
	out, err := org.ListTagsForResource(context.Background(), &organizations.ListTagsForResourceInput{ResourceId: &id})
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string]string{}
	for _, tg := range out.Tags {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return tags
}

// writes counts the simulator's calls of operations that change AWS.
func writes() int { return env.Sim.Writes() }

func keyOf(obj client.Object) client.ObjectKey { return client.ObjectKeyFromObject(obj) }

// updateErr applies change to the latest version of obj and returns the API server's
// answer, retrying only on write conflicts.
func updateErr[T client.Object](obj T, change func(T)) error {
	for {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		change(obj)
		err := k8s.Update(context.Background(), obj)
		if !apierrors.IsConflict(err) {
			return err
		}
	}
}
