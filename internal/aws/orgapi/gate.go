// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package orgapi

import (
	"context"
	"errors"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// ErrCreateBusy means the limit of CreateAccount requests in progress is reached.
var ErrCreateBusy = errors.New("the organization already has the maximum number of account creations in progress")

// CreateGate keeps the CreateAccount requests in progress under AWS's limit. It counts
// the requests it started and, when it believes the limit is reached, re-reads the
// requests in progress from AWS before refusing (requests may have finished, or been
// started by someone else).
type CreateGate struct {
	api   API
	limit int

	mu       sync.Mutex
	inFlight map[string]bool
	seeded   bool
}

// NewCreateGate returns a gate allowing limit requests in progress.
func NewCreateGate(api API, limit int) *CreateGate {
	return &CreateGate{api: api, limit: limit, inFlight: map[string]bool{}}
}

// Create calls CreateAccount if a slot is free, and returns ErrCreateBusy otherwise.
func (g *CreateGate) Create(ctx context.Context, in *organizations.CreateAccountInput) (*types.CreateAccountStatus, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.seeded || len(g.inFlight) >= g.limit {
		if err := g.reseed(ctx); err != nil {
			return nil, err
		}
	}
	if len(g.inFlight) >= g.limit {
		return nil, ErrCreateBusy
	}
	out, err := g.api.CreateAccount(ctx, in)
	if err != nil {
		return nil, err
	}
	g.inFlight[aws.ToString(out.CreateAccountStatus.Id)] = true
	return out.CreateAccountStatus, nil
}

// Finished releases the slot of a request that succeeded or failed.
func (g *CreateGate) Finished(requestID string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.inFlight, requestID)
}

// InProgress returns the requests AWS reports in progress.
func InProgress(ctx context.Context, api API) ([]types.CreateAccountStatus, error) {
	var out []types.CreateAccountStatus
	p := organizations.NewListCreateAccountStatusPaginator(api, &organizations.ListCreateAccountStatusInput{
		States: []types.CreateAccountState{types.CreateAccountStateInProgress}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.CreateAccountStatuses...)
	}
	return out, nil
}

func (g *CreateGate) reseed(ctx context.Context) error {
	reqs, err := InProgress(ctx, g.api)
	if err != nil {
		return err
	}
	g.inFlight = map[string]bool{}
	for _, r := range reqs {
		g.inFlight[aws.ToString(r.Id)] = true
	}
	g.seeded = true
	return nil
}
