// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	"github.com/awsorg/awsorg-operator/internal/iampolicy"
)

// errProblems makes the exit status 1 once the problems are printed.
var errProblems = errors.New("problems found")

// manifest is one object read from a file.
type manifest struct {
	file string
	obj  map[string]any
}

func (m manifest) kind() string { s, _ := m.obj["kind"].(string); return s }

func (m manifest) name() string {
	md, _ := m.obj["metadata"].(map[string]any)
	s, _ := md["name"].(string)
	return s
}

func (m manifest) spec() map[string]any { s, _ := m.obj["spec"].(map[string]any); return s }

// runLint checks the policy documents of the manifests under the paths, as the
// operator does before any AWS call, and the lockouts the manifests alone show.
func runLint(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("lint", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() {
		fmt.Fprintln(stderr, "usage: awsorg lint FILE|DIR...\n\nChecks the policy documents of ServiceControlPolicy and PermissionSet manifests (the IAM\ngrammar, each policy type's rules, the size limit) and the lockouts the manifests show. Exit status 1 on any problem.")
	}
	if err := fset.Parse(args); err != nil {
		return err
	}
	if fset.NArg() == 0 {
		fset.Usage()
		return errUsage
	}
	var all []manifest
	for _, p := range fset.Args() {
		ms, err := readManifests(p)
		if err != nil {
			return err
		}
		all = append(all, ms...)
	}
	problems, policies := lint(all)
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	if len(problems) > 0 {
		noun := "problems"
		if len(problems) == 1 {
			noun = "problem"
		}
		fmt.Fprintf(stderr, "%d %s in %d policy documents\n", len(problems), noun, policies)
		return errProblems
	}
	fmt.Fprintf(stderr, "%d policy documents in %d objects: no problems\n", policies, len(all))
	return nil
}

// lint returns a line per problem and the number of documents checked.
func lint(all []manifest) ([]string, int) {
	var out []string
	n := 0
	holdsAccounts := ousWithAccounts(all)
	for _, m := range all {
		where := fmt.Sprintf("%s: %s %s", m.file, m.kind(), m.name())
		spec := m.spec()
		switch m.kind() {
		case "ServiceControlPolicy":
			n++
			typ, _ := spec["type"].(string)
			if typ == "" {
				typ = v1alpha1.PolicyTypeSCP
			}
			doc, _ := json.Marshal(spec["document"])
			for _, p := range iampolicy.Check(doc, iampolicy.Type(typ)) {
				out = append(out, where+": "+p.String())
			}
			if allow, _ := spec["allowLockout"].(bool); !allow && typ == v1alpha1.PolicyTypeSCP && iampolicy.DeniesEverything(doc) {
				for _, t := range targetsOf(spec) {
					if t.kind == "Root" || (t.kind == "OrganizationalUnit" && holdsAccounts[t.name]) {
						out = append(out, fmt.Sprintf("%s: denies every action on every resource without a condition on %s, which holds accounts: that locks them out (set spec.allowLockout: true if you mean it)", where, t))
					}
				}
			}
		case "PermissionSet":
			if doc, ok := spec["inlinePolicy"]; ok {
				n++
				raw, _ := json.Marshal(doc)
				for _, p := range iampolicy.Check(raw, iampolicy.Identity) {
					out = append(out, where+": inlinePolicy: "+p.String())
				}
			}
		}
	}
	return out, n
}

type target struct{ kind, name string }

func (t target) String() string {
	if t.kind == "Root" {
		return "the root"
	}
	return t.kind + " " + t.name
}

func targetsOf(spec map[string]any) []target {
	refs, _ := spec["targetRefs"].([]any)
	var out []target
	for _, r := range refs {
		m, _ := r.(map[string]any)
		k, _ := m["kind"].(string)
		n, _ := m["name"].(string)
		out = append(out, target{k, n})
	}
	return out
}

// ousWithAccounts returns the OU objects that hold accounts in the manifests, directly
// or below them.
func ousWithAccounts(all []manifest) map[string]bool {
	parent := map[string]string{}
	holds := map[string]bool{}
	for _, m := range all {
		if m.kind() == "OrganizationalUnit" {
			if ref, ok := m.spec()["parentRef"].(map[string]any); ok {
				parent[m.name()], _ = ref["name"].(string)
			}
		}
	}
	for _, m := range all {
		if m.kind() != "Account" {
			continue
		}
		ref, _ := m.spec()["organizationalUnitRef"].(map[string]any)
		ou, _ := ref["name"].(string)
		for seen := 0; ou != "" && seen < 10; seen++ {
			holds[ou] = true
			ou = parent[ou]
		}
	}
	return holds
}

// readManifests reads every object of the YAML and JSON files at path (a file, or a
// folder walked recursively), except kustomization files.
func readManifests(path string) ([]manifest, error) {
	var files []string
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		ext := strings.ToLower(filepath.Ext(p))
		if !d.IsDir() && slices.Contains([]string{".yaml", ".yml", ".json"}, ext) && !strings.HasPrefix(filepath.Base(p), "kustomization.") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []manifest
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(raw), 4096)
		for {
			obj := map[string]any{}
			if err := dec.Decode(&obj); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if len(obj) > 0 {
				out = append(out, manifest{file: f, obj: obj})
			}
		}
	}
	return out, nil
}
