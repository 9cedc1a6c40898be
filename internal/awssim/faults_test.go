// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/smithy-go"

	"github.com/awsorg/awsorg-operator/internal/awssim"
)

func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

func TestFaults(t *testing.T) {
	ctx := context.Background()
	sim, c, rec := newClients(t, awssim.DefaultConfig())
	root := rootOf(t, c)

	// An error instead of the answer, for the next two calls only.
	sim.InjectFault(awssim.Fault{Operation: "ListRoots", Count: 2, Code: "InternalServerException"})
	for i := range 2 {
		if _, err := c.ListRoots(ctx, &organizations.ListRootsInput{}); errorCode(err) != "InternalServerException" {
			t.Fatalf("call %d: want InternalServerException, got %v", i, err)
		}
	}
	if last := rec.log[len(rec.log)-1]; last.status != 500 {
		t.Fatalf("a server error answers HTTP 500, got %d", last.status)
	}
	if _, err := c.ListRoots(ctx, &organizations.ListRootsInput{}); err != nil {
		t.Fatalf("the third call: %v", err)
	}

	// The work is done, the answer is lost.
	sim.InjectFault(awssim.Fault{Operation: "CreateOrganizationalUnit", Count: 1, Code: "InternalServerException", After: true})
	if _, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String("Lost")}); err == nil {
		t.Fatal("want the lost answer to be an error")
	}
	ous, err := c.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: root})
	if err != nil || len(ous.OrganizationalUnits) != 1 || aws.ToString(ous.OrganizationalUnits[0].Name) != "Lost" {
		t.Fatalf("the OU whose answer was lost must exist: %+v, %v", ous, err)
	}
	id := ous.OrganizationalUnits[0].Id

	// A success AWS did not keep.
	sim.InjectFault(awssim.Fault{Operation: "UpdateOrganizationalUnit", Count: 1, Drop: true})
	if _, err := c.UpdateOrganizationalUnit(ctx, &organizations.UpdateOrganizationalUnitInput{OrganizationalUnitId: id, Name: aws.String("Kept")}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: id})
	if err != nil || aws.ToString(d.OrganizationalUnit.Name) != "Lost" {
		t.Fatalf("a dropped rename must not change the name: %+v, %v", d, err)
	}

	// A slow answer: the client gives up first.
	sim.InjectFault(awssim.Fault{Operation: "ListRoots", Count: 1, Delay: 2 * time.Second})
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := c.ListRoots(short, &organizations.ListRootsInput{}); err == nil {
		t.Fatal("want a timeout")
	}

	// Access denied, with the operation's own status.
	sim.InjectFault(awssim.Fault{Operation: "CreatePolicy", Count: 1, Code: "AccessDeniedException", Status: 403})
	_, err = c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Content: aws.String(`{}`), Description: aws.String(""), Name: aws.String("P"), Type: "SERVICE_CONTROL_POLICY"})
	if errorCode(err) != "AccessDeniedException" {
		t.Fatalf("want AccessDeniedException, got %v", err)
	}
	sim.InjectFault(awssim.Fault{Operation: "ListRoots", Count: 5, Code: "InternalServerException"})
	sim.ClearFaults()
	if _, err := c.ListRoots(ctx, &organizations.ListRootsInput{}); err != nil {
		t.Fatalf("after ClearFaults: %v", err)
	}
}
