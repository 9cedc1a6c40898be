// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package orgapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/awsorg/awsorg-operator/internal/aws/orgapi"
	"github.com/awsorg/awsorg-operator/internal/awssim"
)

func TestCreateGateKeepsFiveInProgress(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	sim := awssim.New(awssim.DefaultConfig())
	sim.SetClock(func() time.Time { return now })
	srv := httptest.NewServer(sim)
	defer srv.Close()
	c := organizations.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
	ctx := context.Background()
	gate := orgapi.NewCreateGate(c, 5)
	create := func(i int) (*string, error) {
		st, err := gate.Create(ctx, &organizations.CreateAccountInput{AccountName: aws.String("A"), Email: aws.String(fmt.Sprintf("g%d@example.com", i))})
		if err != nil {
			return nil, err
		}
		return st.Id, nil
	}
	var ids []*string
	for i := range 5 {
		id, err := create(i)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if _, err := create(5); !errors.Is(err, orgapi.ErrCreateBusy) {
		t.Fatalf("sixth creation: want ErrCreateBusy, got %v", err)
	}
	if n := sim.Calls()["organizations:CreateAccount"]; n != 5 {
		t.Fatalf("%d CreateAccount calls reached AWS, want 5", n)
	}
	// Requests finish in AWS: the gate sees it and lets the next one through.
	now = now.Add(3 * time.Second)
	gate.Finished(aws.ToString(ids[0]))
	if _, err := create(5); err != nil {
		t.Fatalf("after one finished: %v", err)
	}
}
