// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package ssoapi_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/ssoapi"
	"github.com/awsorg/awsorg-operator/internal/awssim"
)

// BenchmarkAssignmentCreations measures how close the tracker of Identity Center's
// requests comes to AWS's bound when many permission sets wait in line: 20 callers
// each want an assignment on 20 accounts, through the governor at 18 calls a second,
// on a simulator that answers 20 a second and takes 0.5 s for each creation. AWS's
// bound is the assignments over its 20 calls a second; the floor under the governor
// counts one list of the requests in progress for every ten creations.
func BenchmarkAssignmentCreations(b *testing.B) {
	const callers, accounts, rate = 20, 20, 18.0
	sim, clients := governedSSO(b, rate)
	dir := ssoapi.NewDirectory(clients.SSOAdmin, clients.IdentityStore)
	ids := memberAccounts(b, clients.Organizations, accounts, "bench")
	instance, group, _ := setup(b, dir, clients.SSOAdmin, "First")
	sets := permissionSets(b, clients.SSOAdmin, instance, callers)
	sim.SetChaos(awssim.Chaos{RateLimits: map[string]float64{"sso-admin": 20}})
	before := sim.Calls()
	t0 := time.Now()
	assignAll(b, dir.Requests, instance, group, sets, ids)
	took := time.Since(t0)
	calls := map[string]int{}
	total := 0
	for op, n := range sim.Calls() {
		if d := n - before[op]; d > 0 {
			calls[op] = d
			total += d
		}
	}
	n := callers * accounts
	lists := calls["sso-admin:ListAccountAssignmentCreationStatus"]
	fmt.Printf("\n%d assignment creations in %.1f s (%.1f a second; AWS's bound %.0f s at 20 a second, the floor %.1f s at %g a second with a list for every ten)\n",
		n, took.Seconds(), float64(n)/took.Seconds(), float64(n)/20, float64(n)*1.1/rate, rate)
	throttled := 0
	for op, n := range sim.Errors() {
		if strings.HasPrefix(op, "sso-admin:") && strings.HasSuffix(op, "ThrottlingException") {
			throttled += n
		}
	}
	fmt.Printf("  %d calls: %d creations, %d lists of requests (%.1f creations a list), %d throttled\n",
		total, calls["sso-admin:CreateAccountAssignment"], lists, float64(n)/float64(max(lists, 1)), throttled)
	b.ReportMetric(float64(n)/took.Seconds(), "creations/s")
	b.ReportMetric(float64(n)/float64(max(lists, 1)), "creations/list")
}

// assignAll has a caller for each permission set assign group to every account, as
// permission sets do: each creates assignments until there is no slot, then waits in
// line to be woken, saying how many it still wants.
func assignAll(tb testing.TB, r *ssoapi.Requests, instance, group string, sets, accounts []*string) {
	ctx := context.Background()
	wake := map[string]chan struct{}{}
	for i := range sets {
		wake[fmt.Sprint("ps-", i)] = make(chan struct{}, 1)
	}
	r.Wake = func(key string) {
		select {
		case wake[key] <- struct{}{}:
		default:
		}
	}
	var wg sync.WaitGroup
	for i, set := range sets {
		key := fmt.Sprint("ps-", i)
		wg.Go(func() {
			for next := 0; next < len(accounts); {
				_, _, err := r.CreateAssignment(ctx, key, len(accounts)-next, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: &instance, PermissionSetArn: set,
					TargetId: accounts[next], TargetType: ssotypes.TargetTypeAwsAccount, PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: &group})
				switch {
				case errors.Is(err, ssoapi.ErrAssignBusy):
					select {
					case <-wake[key]:
					case <-time.After(30 * time.Second):
						tb.Errorf("%s never woken", key)
						return
					}
				case err != nil:
					tb.Error(err)
					return
				default:
					next++
				}
			}
		})
	}
	wg.Wait()
}

// permissionSets creates n permission sets and returns their ARNs.
func permissionSets(tb testing.TB, sso *ssoadmin.Client, instance string, n int) []*string {
	var arns []*string
	for i := range n {
		out, err := sso.CreatePermissionSet(context.Background(), &ssoadmin.CreatePermissionSetInput{InstanceArn: &instance, Name: aws.String(fmt.Sprint("Set", i))})
		if err != nil {
			tb.Fatal(err)
		}
		arns = append(arns, out.PermissionSet.PermissionSetArn)
	}
	return arns
}

// governedSSO starts the simulator with Identity Center's requests taking 0.5 s, and
// returns the operator's clients of it, Identity Center's governed at rate.
func governedSSO(tb testing.TB, rate float64) (*awssim.Server, *awsx.Clients) {
	sim, url := startSim(tb, 500*time.Millisecond)
	awsCfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")}
	return sim, awsx.NewClientsFromConfig(awsCfg, awsx.Options{Endpoint: url, Rates: map[string]float64{"sso": rate}})
}
