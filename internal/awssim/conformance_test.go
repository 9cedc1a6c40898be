// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsorg/awsorg-operator/internal/awssim"
	"github.com/awsorg/awsorg-operator/internal/awssim/model"
)

// exchange is one recorded call: the X-Amz-Target, the status and the raw body.
type exchange struct {
	target string
	status int
	body   []byte
}

type recorder struct {
	mu  sync.Mutex
	log []exchange
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.log = append(r.log, exchange{req.Header.Get("X-Amz-Target"), resp.StatusCode, body})
	r.mu.Unlock()
	return resp, nil
}

func newClients(t *testing.T, cfg awssim.Config) (*awssim.Server, *organizations.Client, *recorder) {
	t.Helper()
	sim := awssim.New(cfg)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	rec := &recorder{}
	awsCfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), HTTPClient: &http.Client{Transport: rec},
		Credentials: credentials.NewStaticCredentialsProvider("AKIA", "secret", ""), RetryMaxAttempts: 1}
	return sim, organizations.NewFromConfig(awsCfg), rec
}

// TestServedOperationsAreModeled holds every served operation, and every error code it
// declares, against the official models.
func TestServedOperationsAreModeled(t *testing.T) {
	sim := awssim.New(awssim.DefaultConfig())
	for target, errs := range sim.Operations() {
		svc, op := serviceOf(target)
		if svc == nil {
			t.Errorf("%s: no model has this target prefix", target)
			continue
		}
		if _, ok := svc.Operations[op]; !ok {
			t.Errorf("%s: %s has no operation %s", target, svc.Name, op)
			continue
		}
		for _, code := range errs {
			if !svc.HasError(op, code) {
				t.Errorf("%s may return %s, which the model does not list for it", target, code)
			}
		}
	}
}

func serviceOf(target string) (*model.Service, string) {
	prefix, op, _ := strings.Cut(target, ".")
	for _, svc := range []*model.Service{&model.Organizations, &model.SSOAdmin, &model.IdentityStore, &model.Budgets, &model.CloudTrail} {
		if svc.TargetPrefix == prefix {
			return svc, op
		}
	}
	return nil, op
}

// TestOrganizationsConformance drives every served Organizations operation through the
// SDK, successes and errors, and checks each raw response against the model: required
// members present, enum values valid, error codes listed for the operation.
func TestOrganizationsConformance(t *testing.T) {
	cfg := awssim.DefaultConfig()
	cfg.CreateAccountDelay = 0
	cfg.EmptyFirstPage = true // the SDK paginators must cope with AWS's empty pages
	sim, c, rec := newClients(t, cfg)
	scenario(t, c)
	readScenario(t, c)

	checkExchanges(t, sim, rec, model.Organizations.TargetPrefix)
}

// checkExchanges holds every recorded answer against the model, and checks that every
// served operation of the service (by target prefix) was exercised.
func checkExchanges(t *testing.T, sim *awssim.Server, rec *recorder, prefix string) {
	t.Helper()
	exercised := map[string]bool{}
	for _, x := range rec.log {
		svc, op := serviceOf(x.target)
		if svc == nil {
			continue
		}
		exercised[x.target] = true
		if x.status >= 300 {
			var e struct {
				Type string `json:"__type"`
			}
			_ = json.Unmarshal(x.body, &e)
			if !svc.HasError(op, e.Type) {
				t.Errorf("%s returned %s, which the model does not list for it", op, e.Type)
			}
			continue
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(x.body))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			t.Errorf("%s: response is not JSON: %v", op, err)
			continue
		}
		for _, problem := range conforms(svc, svc.Operations[op].Output, v, op) {
			t.Error(problem)
		}
	}
	for target := range sim.Operations() {
		if strings.HasPrefix(target, prefix+".") && !exercised[target] {
			t.Errorf("the scenario does not exercise %s", target)
		}
	}
}

// conforms walks a response against a shape and returns what does not conform.
func conforms(svc *model.Service, shape string, v any, path string) []string {
	sh, ok := svc.ShapeOf(shape)
	if !ok || v == nil {
		return nil
	}
	var out []string
	switch sh.Type {
	case "structure":
		obj, _ := v.(map[string]any)
		for _, m := range sh.Members {
			val, present := obj[m.Name]
			if m.Required && (!present || val == nil) {
				out = append(out, path+"."+m.Name+" is required by the model but missing")
			}
			out = append(out, conforms(svc, m.Target, val, path+"."+m.Name)...)
		}
	case "list":
		arr, _ := v.([]any)
		for _, item := range arr {
			out = append(out, conforms(svc, sh.Target, item, path+"[]")...)
		}
	case "map":
		obj, _ := v.(map[string]any)
		for k, item := range obj {
			out = append(out, conforms(svc, sh.Target, item, path+"."+k)...)
		}
	case "enum":
		if s, _ := v.(string); !slices.Contains(sh.Enum, s) {
			out = append(out, path+": "+s+" is not a value of "+shape)
		}
	case "timestamp":
		if _, ok := v.(json.Number); !ok {
			out = append(out, path+": timestamps must be epoch numbers")
		}
	}
	return out
}

func scenario(t *testing.T, c *organizations.Client) {
	ctx := context.Background()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	fails := func(_ any, err error) {
		t.Helper()
		if err == nil {
			t.Fatal("want an error")
		}
	}
	must(c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}))
	fails(c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}))
	roots, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for len(roots.Roots) == 0 { // the first page may be empty, as AWS's sometimes are
		roots, err = c.ListRoots(ctx, &organizations.ListRootsInput{NextToken: roots.NextToken})
		if err != nil {
			t.Fatal(err)
		}
	}
	root := roots.Roots[0].Id
	ou, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String("A")})
	if err != nil {
		t.Fatal(err)
	}
	ouID := ou.OrganizationalUnit.Id
	fails(c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String("A")}))
	fails(c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String("r-zzzz"), Name: aws.String("B")}))
	must(c.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: ouID}))
	fails(c.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String("ou-zzzz-zzzzzzzz")}))
	must(c.UpdateOrganizationalUnit(ctx, &organizations.UpdateOrganizationalUnitInput{OrganizationalUnitId: ouID, Name: aws.String("A2")}))
	must(organizations.NewListOrganizationalUnitsForParentPaginator(c, &organizations.ListOrganizationalUnitsForParentInput{ParentId: root}).NextPage(ctx))
	acct, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("X"), Email: aws.String("x@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	fails(c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("X"), Email: aws.String("bad")}))
	st, err := c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: acct.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.State != types.CreateAccountStateSucceeded {
		t.Fatalf("create account: %+v %v", st, err)
	}
	id := st.CreateAccountStatus.AccountId
	fails(c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String("car-zzzzzzzzzz")}))
	pages(t, organizations.NewListCreateAccountStatusPaginator(c, &organizations.ListCreateAccountStatusInput{}))
	must(c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: id}))
	fails(c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String("999999999999")}))
	pages(t, organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{}))
	must(c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: id, SourceParentId: root, DestinationParentId: ouID}))
	fails(c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: id, SourceParentId: root, DestinationParentId: ouID}))
	pages(t, organizations.NewListAccountsForParentPaginator(c, &organizations.ListAccountsForParentInput{ParentId: ouID}))
	pages(t, organizations.NewListChildrenPaginator(c, &organizations.ListChildrenInput{ParentId: ouID, ChildType: types.ChildTypeAccount}))
	pages(t, organizations.NewListParentsPaginator(c, &organizations.ListParentsInput{ChildId: id}))
	fails(c.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: ouID}))

	fails(c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: id}))
	must(c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: root, PolicyType: types.PolicyTypeServiceControlPolicy}))
	fails(c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: root, PolicyType: types.PolicyTypeServiceControlPolicy}))
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`
	p, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("P"), Description: aws.String(""), Content: &doc, Type: types.PolicyTypeServiceControlPolicy})
	if err != nil {
		t.Fatal(err)
	}
	pid := p.Policy.PolicySummary.Id
	fails(c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("P"), Description: aws.String(""), Content: &doc, Type: types.PolicyTypeServiceControlPolicy}))
	fails(c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("Q"), Description: aws.String(""), Content: aws.String(strings.Repeat(" ", 5100) + doc), Type: types.PolicyTypeServiceControlPolicy}))
	must(c.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: pid}))
	must(c.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: pid, Description: aws.String("d")}))
	must(c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pid, TargetId: id}))
	fails(c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pid, TargetId: id}))
	pages(t, organizations.NewListPoliciesPaginator(c, &organizations.ListPoliciesInput{Filter: types.PolicyTypeServiceControlPolicy}))
	pages(t, organizations.NewListTargetsForPolicyPaginator(c, &organizations.ListTargetsForPolicyInput{PolicyId: pid}))
	pages(t, organizations.NewListPoliciesForTargetPaginator(c, &organizations.ListPoliciesForTargetInput{TargetId: id, Filter: types.PolicyTypeServiceControlPolicy}))
	fails(c.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: pid}))
	must(c.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: pid, TargetId: id}))
	fails(c.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: id}))
	must(c.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: pid}))
	must(c.TagResource(ctx, &organizations.TagResourceInput{ResourceId: id, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))
	pages(t, organizations.NewListTagsForResourcePaginator(c, &organizations.ListTagsForResourceInput{ResourceId: id}))
	must(c.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: id, TagKeys: []string{"k"}}))
	fails(c.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String("999999999999"), Tags: []types.Tag{}}))
	must(c.DisablePolicyType(ctx, &organizations.DisablePolicyTypeInput{RootId: root, PolicyType: types.PolicyTypeServiceControlPolicy}))
	must(c.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: id}))
	fails(c.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: id}))
	must(c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: id, SourceParentId: ouID, DestinationParentId: root}))
	must(c.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: ouID}))
}

type paginator[O any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*organizations.Options)) (O, error)
}

func pages[O any](t *testing.T, p paginator[O]) {
	t.Helper()
	for n := 0; p.HasMorePages(); n++ {
		if _, err := p.NextPage(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n > 1000 {
			t.Fatal("the paginator does not end")
		}
	}
}

func TestSTSGetCallerIdentity(t *testing.T) {
	sim := awssim.New(awssim.DefaultConfig())
	srv := httptest.NewServer(sim)
	defer srv.Close()
	c := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
	out, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(out.Account) != "111111111111" {
		t.Fatalf("GetCallerIdentity: %+v %v", out, err)
	}
}

// readScenario runs the read commands of an org playbook that have nothing to show.
func readScenario(t *testing.T, c *organizations.Client) {
	ctx := context.Background()
	for _, err := range []error{
		second(c.ListHandshakesForOrganization(ctx, &organizations.ListHandshakesForOrganizationInput{})),
		second(c.ListHandshakesForAccount(ctx, &organizations.ListHandshakesForAccountInput{})),
		second(c.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{})),
		second(c.ListAWSServiceAccessForOrganization(ctx, &organizations.ListAWSServiceAccessForOrganizationInput{})),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.ListDelegatedServicesForAccount(ctx, &organizations.ListDelegatedServicesForAccountInput{AccountId: aws.String("111111111111")}); err == nil {
		t.Fatal("the management account is no delegated administrator")
	}
	if _, err := c.DescribeResourcePolicy(ctx, &organizations.DescribeResourcePolicyInput{}); err == nil {
		t.Fatal("the organization has no resource policy")
	}
	var notFound *types.HandshakeNotFoundException
	if _, err := c.DescribeHandshake(ctx, &organizations.DescribeHandshakeInput{HandshakeId: aws.String("h-0123456789")}); !errors.As(err, &notFound) {
		t.Fatalf("DescribeHandshake: want HandshakeNotFoundException, got %v", err)
	}
	var noEffective *types.EffectivePolicyNotFoundException
	if _, err := c.DescribeEffectivePolicy(ctx, &organizations.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy}); !errors.As(err, &noEffective) {
		t.Fatalf("DescribeEffectivePolicy of tag policies: want EffectivePolicyNotFoundException, got %v", err)
	}
	var invalid *types.InvalidInputException
	if _, err := c.DescribeEffectivePolicy(ctx, &organizations.DescribeEffectivePolicyInput{PolicyType: "SERVICE_CONTROL_POLICY"}); !errors.As(err, &invalid) {
		t.Fatalf("DescribeEffectivePolicy of SCPs: want InvalidInputException, got %v", err)
	}
}

func second[T any](_ T, err error) error { return err }
