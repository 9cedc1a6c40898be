// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package manager

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-logr/logr"
	authnv1 "k8s.io/api/authentication/v1"
	authzv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// The filter serves a token the API server authenticates and allows to get the path,
// refuses the others with 401 or 403, reports a failed review as 500, and asks the
// API server once for a caller that scrapes again.
func TestMetricsAuthAsksTheAPIServer(t *testing.T) {
	kube := fake.NewClientset()
	reviews, accesses := 0, 0
	kube.PrependReactor("create", "tokenreviews", func(a k8stesting.Action) (bool, runtime.Object, error) {
		reviews++
		tr := a.(k8stesting.CreateAction).GetObject().(*authnv1.TokenReview)
		switch tr.Spec.Token {
		case "broken":
			return true, nil, errors.New("the API server is down")
		case "reader", "other":
			tr.Status = authnv1.TokenReviewStatus{Authenticated: true, User: authnv1.UserInfo{Username: "system:serviceaccount:monitoring:" + tr.Spec.Token,
				Groups: []string{"system:serviceaccounts"}, Extra: map[string]authnv1.ExtraValue{"k": {"v"}}}}
		}
		return true, tr, nil
	})
	kube.PrependReactor("create", "subjectaccessreviews", func(a k8stesting.Action) (bool, runtime.Object, error) {
		accesses++
		sar := a.(k8stesting.CreateAction).GetObject().(*authzv1.SubjectAccessReview)
		na := sar.Spec.NonResourceAttributes
		sar.Status.Allowed = sar.Spec.User == "system:serviceaccount:monitoring:reader" && na != nil && na.Path == "/metrics" && na.Verb == "get" &&
			len(sar.Spec.Groups) == 1 && sar.Spec.Extra["k"][0] == "v"
		return true, sar, nil
	})
	filter := reviewFilter(&reviewer{tokens: kube.AuthenticationV1().TokenReviews(), access: kube.AuthorizationV1().SubjectAccessReviews()})
	h, err := filter(logr.Discard(), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("metrics")) }))
	if err != nil {
		t.Fatal(err)
	}
	get := func(auth string) int {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	for _, c := range []struct {
		auth string
		want int
	}{{"", 401}, {"Basic eDp4", 401}, {"Bearer ", 401}, {"Bearer unknown", 401}, {"Bearer other", 403}, {"Bearer broken", 500}, {"Bearer reader", 200}} {
		if got := get(c.auth); got != c.want {
			t.Errorf("Authorization %q: %d, want %d", c.auth, got, c.want)
		}
	}
	before := reviews + accesses
	if get("Bearer reader") != 200 || get("Bearer other") != 403 || reviews+accesses != before {
		t.Fatalf("a second scrape asked the API server again (%d reviews before, %d after)", before, reviews+accesses)
	}
	if get("Bearer broken") != 500 || reviews+accesses != before+1 {
		t.Fatal("a review that failed was kept")
	}
}
