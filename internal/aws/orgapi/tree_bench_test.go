// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package orgapi_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/aws/orgapi"
	"github.com/awsorg/awsorg-operator/internal/awssim"
)

// BenchmarkResyncReadPath measures what one resync of every account costs in AWS
// list calls: each of N Account objects reads the shared tree, which is built once from
// pages of 20. It reports calls/account (about 1/20 plus two calls per OU, over N).
func BenchmarkResyncReadPath(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("accounts=%d", n), func(b *testing.B) {
			sim, c := orgWithAccounts(b, n, 10)
			b.ResetTimer()
			var calls int
			for range b.N {
				before := listCalls(sim)
				org := orgapi.NewOrg(c, time.Minute, awsx.Reuse{})
				for range n { // every Account object observes once per resync
					if _, err := org.Tree(context.Background()); err != nil {
						b.Fatal(err)
					}
				}
				calls = listCalls(sim) - before
			}
			b.ReportMetric(float64(calls)/float64(n), "calls/account")
		})
	}
}

func listCalls(sim *awssim.Server) int {
	n := 0
	for op, c := range sim.Calls() {
		if strings.Contains(op, ":List") || strings.Contains(op, ":Describe") {
			n += c
		}
	}
	return n
}

// orgWithAccounts makes an organization with n accounts spread over ous OUs.
func orgWithAccounts(b testing.TB, n, ous int) (*awssim.Server, *organizations.Client) {
	b.Helper()
	cfg := awssim.DefaultConfig()
	cfg.CreateAccountDelay = 0
	cfg.MaxCreateInProgress = n + 1
	cfg.MaxAccounts = n + 10
	cfg.DefaultPageSize = 1 // a list that leaves MaxResults out costs a call an item
	sim := awssim.New(cfg)
	srv := httptest.NewServer(sim)
	b.Cleanup(srv.Close)
	c := organizations.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
	ctx := context.Background()
	roots, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		b.Fatal(err)
	}
	root := roots.Roots[0].Id
	var parents []*string
	for i := range ous {
		ou, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String(fmt.Sprintf("OU%d", i))})
		if err != nil {
			b.Fatal(err)
		}
		parents = append(parents, ou.OrganizationalUnit.Id)
	}
	for i := range n {
		out, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("A"), Email: aws.String(fmt.Sprintf("a%d@example.com", i))})
		if err != nil {
			b.Fatal(err)
		}
		st, err := c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: st.CreateAccountStatus.AccountId, SourceParentId: root, DestinationParentId: parents[i%ous]}); err != nil {
			b.Fatal(err)
		}
	}
	return sim, c
}
