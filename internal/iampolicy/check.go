// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package iampolicy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Type is the kind of policy a document is, whose rules it must follow.
type Type string

const (
	// SCP is a service control policy: no Principal, Allow or Deny.
	SCP Type = "SERVICE_CONTROL_POLICY"
	// RCP is a resource control policy: Deny only, Principal "*", the services AWS lists.
	RCP Type = "RESOURCE_CONTROL_POLICY"
	// Identity is an identity-based policy, such as a permission set's inline policy.
	Identity Type = "IDENTITY"
)

// SizeLimit is the most characters AWS stores in a minified SCP or RCP.
const SizeLimit = 5120

// Problem is one thing wrong with a document.
type Problem struct {
	// Statement names the statement, by Sid or by index ("statement 2"); "" for the document.
	Statement string
	// Field is the element at fault, e.g. "Effect".
	Field string
	// Message says what is wrong and what to write instead.
	Message string
}

func (p Problem) String() string {
	var where []string
	if p.Statement != "" {
		where = append(where, p.Statement)
	}
	if p.Field != "" {
		where = append(where, p.Field)
	}
	if len(where) == 0 {
		return p.Message
	}
	return strings.Join(where, ", ") + ": " + p.Message
}

// Problems is every problem of a document.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, 0, len(ps))
	for _, p := range ps {
		lines = append(lines, p.String())
	}
	return strings.Join(lines, "; ")
}

// rcpServices are the services whose actions an RCP may name.
var rcpServices = []string{"s3", "sts", "sqs", "secretsmanager", "kms", "dynamodb", "ecr", "aoss", "cognito-identity", "logs"}

var (
	actionPattern = regexp.MustCompile(`^([a-z0-9-]+:[A-Za-z0-9*?]+|\*)$`)
	sidPattern    = regexp.MustCompile(`^[A-Za-z0-9]*$`)
	baseOperators = []string{
		"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
		"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
		"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
		"Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
	}
	statementKeys = []string{"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition", "Principal", "NotPrincipal"}
)

// Check checks a document against the IAM policy grammar and the rules of its type,
// and returns every problem found, each naming its statement and field.
func Check(doc []byte, typ Type) Problems {
	var ps Problems
	add := func(stmt, field, format string, args ...any) {
		ps = append(ps, Problem{Statement: stmt, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var top map[string]any
	if err := d.Decode(&top); err != nil || top == nil {
		add("", "", "the document is not a JSON object")
		return ps
	}
	if typ == SCP || typ == RCP {
		if n := len(mustMinify(doc)); n > SizeLimit {
			add("", "", "the minified document is %d characters and AWS allows at most %d; shorten it or split it into several policies", n, SizeLimit)
		}
	}
	for k := range top {
		if k != "Version" && k != "Statement" && k != "Id" {
			add("", k, "unknown element; a policy has Version, Statement and Id")
		}
	}
	switch v := top["Version"]; v {
	case "2012-10-17", "2008-10-17":
	case nil:
		add("", "Version", `missing; set it to "2012-10-17"`)
	default:
		add("", "Version", `is %v; it must be "2012-10-17" (or the older "2008-10-17")`, jsonText(v))
	}
	var stmts []any
	switch s := top["Statement"].(type) {
	case map[string]any:
		stmts = []any{s}
	case []any:
		stmts = s
		if len(s) == 0 {
			add("", "Statement", "is empty; a policy needs at least one statement")
		}
	case nil:
		add("", "Statement", "missing; a policy needs at least one statement")
	default:
		add("", "Statement", "must be a statement object or a list of them")
	}
	sids := map[string]bool{}
	for i, raw := range stmts {
		name := fmt.Sprintf("statement %d", i+1)
		st, ok := raw.(map[string]any)
		if !ok {
			add(name, "", "must be an object")
			continue
		}
		if sid, ok := st["Sid"].(string); ok && sid != "" {
			name = fmt.Sprintf("statement %q", sid)
			if sids[sid] {
				add(name, "Sid", "is used by another statement; Sids must be unique")
			}
			sids[sid] = true
			if !sidPattern.MatchString(sid) {
				add(name, "Sid", "may contain only letters and digits")
			}
		} else if _, has := st["Sid"]; has {
			add(name, "Sid", "must be a string of letters and digits")
		}
		checkStatement(st, name, typ, add)
	}
	return ps
}

func checkStatement(st map[string]any, name string, typ Type, add func(stmt, field, format string, args ...any)) {
	for k := range st {
		if !slices.Contains(statementKeys, k) {
			add(name, k, "unknown element; a statement has %s", strings.Join(statementKeys, ", "))
		}
	}
	effect := st["Effect"]
	switch effect {
	case "Allow", "Deny":
	case nil:
		add(name, "Effect", `missing; set it to "Allow" or "Deny"`)
	default:
		add(name, "Effect", `is %s; it must be "Allow" or "Deny"`, jsonText(effect))
	}
	one := func(a, b string, required bool) {
		_, hasA := st[a]
		_, hasB := st[b]
		switch {
		case hasA && hasB:
			add(name, a, "and %s are both set; use one of them", b)
		case !hasA && !hasB && required:
			add(name, a, "missing; a statement needs %s or %s", a, b)
		}
	}
	one("Action", "NotAction", true)
	one("Resource", "NotResource", typ != SCP)
	for _, f := range []string{"Action", "NotAction"} {
		if v, ok := st[f]; ok {
			for _, a := range stringsOf(v, func() { add(name, f, "must be a string or a list of strings") }) {
				if !actionPattern.MatchString(a) {
					add(name, f, `%q is not an action; write "service:Action" (wildcards * and ? allowed), or "*"`, a)
				} else if svc, _, _ := strings.Cut(a, ":"); typ == RCP && a != "*" && !slices.Contains(rcpServices, svc) {
					add(name, f, "%q: resource control policies apply only to %s", a, strings.Join(rcpServices, ", "))
				}
			}
		}
	}
	for _, f := range []string{"Resource", "NotResource"} {
		if v, ok := st[f]; ok {
			for _, r := range stringsOf(v, func() { add(name, f, "must be a string or a list of strings") }) {
				if r != "*" && !strings.HasPrefix(r, "arn:") {
					add(name, f, `%q is not a resource; write an ARN ("arn:...") or "*"`, r)
				}
			}
		}
	}
	if c, ok := st["Condition"]; ok {
		checkCondition(c, name, add)
	}
	switch typ {
	case SCP, Identity:
		for _, f := range []string{"Principal", "NotPrincipal"} {
			if _, ok := st[f]; ok {
				add(name, f, "is not allowed in %s; remove it", noun(typ))
			}
		}
	case RCP:
		if effect == "Allow" {
			add(name, "Effect", `resource control policies take only "Deny" statements (AWS's RCPFullAWSAccess allows the rest)`)
		}
		if p, ok := st["Principal"]; !ok || p != "*" {
			add(name, "Principal", `must be "*" in a resource control policy; narrow it with a Condition`)
		}
		if _, ok := st["NotPrincipal"]; ok {
			add(name, "NotPrincipal", "is not allowed in a resource control policy; use a Condition")
		}
		if _, ok := st["NotAction"]; ok {
			add(name, "NotAction", "is not allowed in a resource control policy; list the actions")
		}
	}
}

func checkCondition(c any, name string, add func(stmt, field, format string, args ...any)) {
	ops, ok := c.(map[string]any)
	if !ok {
		add(name, "Condition", "must be an object of condition operators")
		return
	}
	for op, v := range ops {
		if !knownOperator(op) {
			add(name, "Condition", "%q is not a condition operator (e.g. StringEquals, ArnLike, Bool, with IfExists, ForAllValues: or ForAnyValue:)", op)
		}
		keys, ok := v.(map[string]any)
		if !ok || len(keys) == 0 {
			add(name, "Condition", "%s must map condition keys to values", op)
			continue
		}
		for key, val := range keys {
			switch x := val.(type) {
			case string, bool, json.Number:
			case []any:
				for _, e := range x {
					switch e.(type) {
					case string, bool, json.Number:
					default:
						add(name, "Condition", "%s %s: values must be strings, numbers or booleans", op, key)
					}
				}
			default:
				add(name, "Condition", "%s %s: values must be strings, numbers or booleans", op, key)
			}
		}
	}
}

func knownOperator(op string) bool {
	for _, prefix := range []string{"ForAllValues:", "ForAnyValue:"} {
		op = strings.TrimPrefix(op, prefix)
	}
	base, ifExists := strings.CutSuffix(op, "IfExists")
	return slices.Contains(baseOperators, base) && !(ifExists && base == "Null")
}

// stringsOf returns a string or a list of strings; bad is called for anything else.
func stringsOf(v any, bad func()) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				bad()
				return nil
			}
			out = append(out, s)
		}
		if len(out) == 0 {
			bad()
		}
		return out
	}
	bad()
	return nil
}

func noun(t Type) string {
	switch t {
	case SCP:
		return "a service control policy"
	case RCP:
		return "a resource control policy"
	}
	return "an identity policy (Identity Center applies it to the role)"
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func mustMinify(doc []byte) string {
	s, err := Minify(doc)
	if err != nil {
		return string(doc)
	}
	return s
}

// Allows reports whether the document has a statement that allows something.
func Allows(doc []byte) bool {
	for _, st := range statements(doc) {
		if st["Effect"] == "Allow" {
			return true
		}
	}
	return false
}

// DeniesEverything reports whether the document denies every action on every
// resource without a condition.
func DeniesEverything(doc []byte) bool {
	for _, st := range statements(doc) {
		if st["Effect"] != "Deny" || st["Condition"] != nil {
			continue
		}
		all := func(field string) bool {
			return slices.Contains(stringsOf(st[field], func() {}), "*")
		}
		if all("Action") && all("Resource") {
			return true
		}
	}
	return false
}

func statements(doc []byte) []map[string]any {
	var top struct{ Statement any }
	if json.Unmarshal(doc, &top) != nil {
		return nil
	}
	var out []map[string]any
	switch s := top.Statement.(type) {
	case map[string]any:
		out = append(out, s)
	case []any:
		for _, e := range s {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}
