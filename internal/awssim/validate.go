// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/awsorg/awsorg-operator/internal/awssim/model"
)

// validateInput checks a request against the model's input shape: required members,
// lengths, ranges, patterns and enums, which the SDK leaves to the service.
func validateInput(op operation, body []byte) *Error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return op.invalid("the request body is not valid JSON", "INVALID_SYNTAX")
	}
	c := checker{svc: op.svc}
	if msg, reason := c.check(op.svc.Operations[op.name].Input, v, ""); msg != "" {
		return op.invalid(msg, reason)
	}
	return nil
}

type checker struct{ svc *model.Service }

func (c checker) check(shapeName string, v any, path string) (string, string) {
	sh, ok := c.svc.ShapeOf(shapeName)
	if !ok || v == nil {
		return "", ""
	}
	switch sh.Type {
	case "structure", "union":
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s must be an object", label(path)), "INVALID_SYNTAX"
		}
		for _, m := range sh.Members {
			val, present := obj[m.Name]
			if m.Required && (!present || val == nil) {
				return fmt.Sprintf("%s is required", label(join(path, m.Name))), "INPUT_REQUIRED"
			}
			if msg, reason := c.check(m.Target, val, join(path, m.Name)); msg != "" {
				return msg, reason
			}
		}
	case "list":
		arr, ok := v.([]any)
		if !ok {
			return fmt.Sprintf("%s must be a list", label(path)), "INVALID_SYNTAX"
		}
		if msg, reason := bounds(path, int64(len(arr)), sh, "items"); msg != "" {
			return msg, reason
		}
		for i, item := range arr {
			if msg, reason := c.check(sh.Target, item, fmt.Sprintf("%s[%d]", path, i)); msg != "" {
				return msg, reason
			}
		}
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s must be a map", label(path)), "INVALID_SYNTAX"
		}
		for k, item := range obj {
			if msg, reason := c.check(sh.Target, item, join(path, k)); msg != "" {
				return msg, reason
			}
		}
	case "string":
		return checkString(path, v, sh)
	case "enum":
		str, _ := v.(string)
		if !slices.Contains(sh.Enum, str) {
			return fmt.Sprintf("%s must be one of %v", label(path), sh.Enum), "INVALID_ENUM"
		}
	case "integer", "long", "double", "float":
		n, ok := v.(json.Number)
		if !ok {
			return fmt.Sprintf("%s must be a number", label(path)), "INVALID_SYNTAX"
		}
		f, _ := n.Float64()
		if sh.Min != nil && f < *sh.Min {
			return fmt.Sprintf("%s must be at least %v", label(path), *sh.Min), "MIN_VALUE_EXCEEDED"
		}
		if sh.Max != nil && f > *sh.Max {
			return fmt.Sprintf("%s must be at most %v", label(path), *sh.Max), "MAX_VALUE_EXCEEDED"
		}
	}
	return "", ""
}

func checkString(path string, v any, sh model.Shape) (string, string) {
	str, ok := v.(string)
	if !ok {
		return fmt.Sprintf("%s must be a string", label(path)), "INVALID_SYNTAX"
	}
	if msg, reason := bounds(path, int64(utf8.RuneCountInString(str)), sh, "characters"); msg != "" {
		return msg, reason
	}
	if re := compiled(sh.Pattern); re != nil && !re.MatchString(str) {
		return fmt.Sprintf("%s does not match the pattern %s", label(path), sh.Pattern), "INVALID_PATTERN"
	}
	return "", ""
}

func bounds(path string, n int64, sh model.Shape, unit string) (string, string) {
	if sh.MinLength >= 0 && n < sh.MinLength {
		return fmt.Sprintf("%s must have at least %d %s", label(path), sh.MinLength, unit), "MIN_LENGTH_EXCEEDED"
	}
	if sh.MaxLength >= 0 && n > sh.MaxLength {
		return fmt.Sprintf("%s must have at most %d %s", label(path), sh.MaxLength, unit), "MAX_LENGTH_EXCEEDED"
	}
	return "", ""
}

var patterns sync.Map // pattern -> *regexp.Regexp or nil when RE2 cannot compile it

func compiled(p string) *regexp.Regexp {
	if p == "" {
		return nil
	}
	if re, ok := patterns.Load(p); ok {
		return re.(*regexp.Regexp)
	}
	re, err := regexp.Compile(p)
	if err != nil {
		re = nil // lookaheads and other non-RE2 syntax: the handler checks what matters
	}
	patterns.Store(p, re)
	return re
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func label(path string) string {
	if path == "" {
		return "the request"
	}
	return "'" + path + "'"
}
