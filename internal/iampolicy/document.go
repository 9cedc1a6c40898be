// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Package iampolicy handles IAM policy documents: SCPs, RCPs, and the inline policies of
// permission sets.
package iampolicy

import (
	"bytes"
	"encoding/json"
)

// Minify returns the document as AWS will store it: compact JSON.
func Minify(raw []byte) (string, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// Same reports whether two documents say the same: equal JSON, whatever the order
// of keys and the spacing (the API server sorts the keys of a spec's document).
func Same(a, b string) bool {
	if a == b {
		return true
	}
	ca, errA := canonical(a)
	cb, errB := canonical(b)
	return errA == nil && errB == nil && ca == cb
}

func canonical(doc string) (string, error) {
	d := json.NewDecoder(bytes.NewReader([]byte(doc)))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return "", err
	}
	out, err := json.Marshal(v) // maps marshal with sorted keys
	return string(out), err
}
