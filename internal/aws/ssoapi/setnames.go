// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package ssoapi

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	awsx "github.com/awsorg/awsorg-operator/internal/aws"
)

// SetNames finds permission sets by name. AWS lists permission sets by ARN only and
// has no filter by name, and a permission set's name never changes: so each ARN is
// described once, the first time a lookup meets it, and a lookup costs one list and
// one describe of the set it finds (for its attributes as they are now), however many
// sets the instance holds.
type SetNames struct {
	api API

	mu    sync.Mutex
	names map[string]string // ARN -> name
}

// NewSetNames returns an empty index over the client.
func NewSetNames(api API) *SetNames { return &SetNames{api: api, names: map[string]string{}} }

// Find returns the instance's permission set named name, nil when there is none.
func (s *SetNames) Find(ctx context.Context, instance, name string) (*ssotypes.PermissionSet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var arns []string
	pages := ssoadmin.NewListPermissionSetsPaginator(s.api, &ssoadmin.ListPermissionSetsInput{InstanceArn: &instance, MaxResults: aws.Int32(awsx.IdentityCenterPage)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		arns = append(arns, page.PermissionSets...)
	}
	listed := make(map[string]bool, len(arns))
	for _, arn := range arns {
		listed[arn] = true
		known, ok := s.names[arn]
		if ok && known != name {
			continue
		}
		out, err := s.api.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: &instance, PermissionSetArn: aws.String(arn)})
		if err != nil {
			return nil, err
		}
		s.names[arn] = aws.ToString(out.PermissionSet.Name)
		if s.names[arn] == name {
			return out.PermissionSet, nil
		}
	}
	for arn := range s.names { // deleted since
		if !listed[arn] {
			delete(s.names, arn)
		}
	}
	return nil, nil
}
