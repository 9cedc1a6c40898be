// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package permissionset

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/aws/ssoapi"
	"github.com/awsorg/awsorg-operator/internal/awssim"
)

// An assignment whose creation was in progress while the shared read model of its
// principal was rebuilt is missing from that snapshot, as AWS lists it only once it is
// made. When the creation ends the set stops counting it as pending, so the model
// must hold it again then; otherwise the next reconcile creates it a second time.
func TestAnAssignmentMadeWhileItsPrincipalWasReadAgainStaysKnown(t *testing.T) {
	cfg := awssim.DefaultConfig()
	cfg.CreateAccountDelay, cfg.SSODelay = 0, 2*time.Second // a creation outlasts a rebuild by far
	srv := httptest.NewServer(awssim.New(cfg))
	t.Cleanup(srv.Close)
	awsCfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")}
	org, sso := organizations.NewFromConfig(awsCfg), ssoadmin.NewFromConfig(awsCfg)
	dir := ssoapi.NewDirectory(sso, identitystore.NewFromConfig(awsCfg))
	dir.Assignments.Period = time.Nanosecond // every read starts a rebuild
	ctx := context.Background()

	created, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("A"), Email: aws.String("a@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	status, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: created.CreateAccountStatus.Id})
	if err != nil {
		t.Fatal(err)
	}
	account := aws.ToString(status.CreateAccountStatus.AccountId)
	instance, _, err := dir.Instance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	group, err := dir.PrincipalID(ctx, "GROUP", "Platform")
	if err != nil {
		t.Fatal(err)
	}
	set, err := sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: &instance, Name: aws.String("Admins")})
	if err != nil {
		t.Fatal(err)
	}
	ps := &v1alpha1.PermissionSet{}
	ps.Name, ps.Status.ARN = "admins", aws.ToString(set.PermissionSet.PermissionSetArn)
	held := func() bool {
		m, err := dir.Assignments.Of(ctx, instance, "GROUP", group)
		if err != nil {
			t.Fatal(err)
		}
		return m.Has(ssoapi.Assignment{PermissionSet: ps.Status.ARN, Account: account})
	}
	k := &Kind{SSO: dir}

	if held() { // the model is built, without the assignment
		t.Fatal("the group holds the assignment before it was made")
	}
	if err := k.createAssignment(ctx, ps, instance, assignmentKey{Account: account, PrincipalType: "GROUP", PrincipalID: group}, 1); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Second); held(); { // a rebuild while AWS makes it drops it
		if time.Now().After(deadline) {
			t.Fatal("no rebuild of the group's assignments ended while the creation was in progress")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for deadline := time.Now().Add(10 * time.Second); len(ps.Status.PendingRequests) > 0; {
		if err := k.followRequests(ctx, instance, ps); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("the creation did not end")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if ps.Status.Failure != "" {
		t.Fatalf("the creation failed: %s", ps.Status.Failure)
	}

	inAWS, err := sso.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: &instance, PermissionSetArn: &ps.Status.ARN, AccountId: &account})
	if err != nil {
		t.Fatal(err)
	}
	if len(inAWS.AccountAssignments) != 1 {
		t.Fatalf("AWS holds %d assignments of the set in the account, want 1", len(inAWS.AccountAssignments))
	}
	if !held() { // the snapshot read while it was in progress, as it is until the next rebuild ends
		t.Error("the creation ended, but the group's read model does not hold the assignment: the next reconcile would make it again")
	}
}
