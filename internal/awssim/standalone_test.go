// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsorg/awsorg-operator/internal/awssim"
)

// A standalone account answers AWSOrganizationsNotInUseException until it creates its
// organization, as AWS does; then the organization is there, once.
func TestStandaloneAccountCreatesItsOrganization(t *testing.T) {
	cfg := awssim.DefaultConfig()
	cfg.Standalone = true
	_, awsCfg, _ := simConfig(t, cfg)
	ctx := context.Background()
	org := organizations.NewFromConfig(awsCfg)
	if _, err := org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); err == nil || !strings.Contains(err.Error(), "AWSOrganizationsNotInUseException") {
		t.Fatalf("DescribeOrganization outside an organization: %v", err)
	}
	if _, err := org.ListRoots(ctx, &organizations.ListRootsInput{}); err == nil || !strings.Contains(err.Error(), "AWSOrganizationsNotInUseException") {
		t.Fatalf("ListRoots outside an organization: %v", err)
	}
	out, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetAll})
	if err != nil || out.Organization == nil || out.Organization.FeatureSet != types.OrganizationFeatureSetAll {
		t.Fatalf("CreateOrganization: %+v, %v", out, err)
	}
	if roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{}); err != nil || len(roots.Roots) != 1 {
		t.Fatalf("ListRoots in the new organization: %v", err)
	}
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err == nil || !strings.Contains(err.Error(), "AlreadyInOrganizationException") {
		t.Fatalf("a second CreateOrganization: %v", err)
	}
}
