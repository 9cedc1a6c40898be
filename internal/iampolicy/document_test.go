// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package iampolicy

import "testing"

func TestSame(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{`{"Version":"2012-10-17","Statement":[]}`, `{"Statement":[],"Version":"2012-10-17"}`, true},
		{`{"A": 1.50}`, `{"A":1.50}`, true},
		{`{"A":1.5}`, `{"A":1.50}`, false},
		{`{"A":["x","y"]}`, `{"A":["y","x"]}`, false},
		{`{"A":"x"}`, `{"A":"y"}`, false},
		{`not json`, `not json`, true},
		{`not json`, `{}`, false},
	} {
		if got := Same(c.a, c.b); got != c.same {
			t.Errorf("Same(%s, %s) = %v, want %v", c.a, c.b, got, c.same)
		}
	}
}
