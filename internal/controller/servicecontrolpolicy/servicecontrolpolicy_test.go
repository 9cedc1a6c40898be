// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package servicecontrolpolicy

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/reconciler"
)

func TestDocumentIsMinifiedAndSizeChecked(t *testing.T) {
	big := `{"Statement":[{"Action":"` + strings.Repeat("a", 5100) + `"}]}`
	for _, tc := range []struct {
		name, raw, want string
		stalled         string
	}{
		{name: "minified", raw: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [ {\"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\"} ]\n}",
			want: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`},
		{name: "spaces inside strings kept", raw: `{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*", "Resource": "arn:aws:s3:::a b"}}`,
			want: `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"arn:aws:s3:::a b"}}`},
		{name: "grammar", raw: `{"Version": "2012-10-17", "Statement": {"Effect": "Maybe", "Action": "*", "Resource": "*"}}`, stalled: `statement 1, Effect: is "Maybe"`},
		{name: "over the limit", raw: big, stalled: "AWS allows at most 5120"},
		{name: "not JSON", raw: `{`, stalled: "not a JSON object"},
		{name: "empty", raw: ``, stalled: "not a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &v1alpha1.ServiceControlPolicy{Spec: v1alpha1.ServiceControlPolicySpec{Document: runtime.RawExtension{Raw: []byte(tc.raw)}}}
			got, err := document(p)
			if tc.stalled != "" {
				if !reconciler.IsStalled(err) || !strings.Contains(err.Error(), tc.stalled) {
					t.Fatalf("want Stalled with %q, got %v", tc.stalled, err)
				}
				return
			}
			if err != nil || got != tc.want || p.Status.DocumentSize != len(tc.want) {
				t.Fatalf("got %q (size %d), %v; want %q", got, p.Status.DocumentSize, err, tc.want)
			}
		})
	}
}
