// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Package importer reads a live AWS organization and writes manifests of this API
// that describe it, so a team can bring an organization built by hand, by Terraform
// or by Control Tower under management: apply them in Observe, read the plan, then
// switch to Manage.
package importer

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
	awsx "github.com/awsorg/awsorg-operator/internal/aws"
	"github.com/awsorg/awsorg-operator/internal/controller/common"
)

// Options say how the manifests are written.
type Options struct {
	// Namespace is where Accounts and Budgets go.
	Namespace string
	// ManagementPolicy is set on every object: Observe (the default) or Manage.
	ManagementPolicy v1alpha1.ManagementPolicy
	// Progress receives a line per service read; nil means none.
	Progress io.Writer
}

// Result is what an import found: the objects, by the file they go to.
type Result struct {
	// Files maps a path under the output directory to its content.
	Files map[string][]byte
	// Counts says how many objects of each kind were written.
	Counts map[string]int
	// Skipped lists what was left out, and why.
	Skipped []string
}

// Summary is a line for people: what was written, and what was left out.
func (r *Result) Summary() string {
	var parts []string
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%d %s", r.Counts[k.kind], k.plural))
	}
	s := "imported " + strings.Join(parts, ", ")
	if len(r.Skipped) > 0 {
		s += fmt.Sprintf("; left out %d: %s", len(r.Skipped), strings.Join(r.Skipped, "; "))
	}
	return s
}

// kinds are the kinds written, in the order of the summary, with their directories.
var kinds = []struct{ kind, plural, dir string }{
	{"OrganizationalUnit", "OUs", "organizationalunits"},
	{"Account", "accounts", "accounts"},
	{"ServiceControlPolicy", "policies", "policies"},
	{"PermissionSet", "permission sets", "permissionsets"},
	{"Budget", "budgets", "budgets"},
	{"OrgTrail", "trails", "trails"},
}

// Import reads the organization through the clients and returns its manifests.
func Import(ctx context.Context, c *awsx.Clients, o Options) (*Result, error) {
	if o.Namespace == "" {
		o.Namespace = "awsorg-system"
	}
	if o.ManagementPolicy == "" {
		o.ManagementPolicy = v1alpha1.Observe
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	im := &importer{c: c, o: o, out: &Result{Files: map[string][]byte{}, Counts: map[string]int{}}}
	steps := []struct {
		service string
		read    func(context.Context) error
	}{
		{"organizations", im.organization},
		{"sso-admin", im.permissionSets},
		{"budgets", im.budgets},
		{"cloudtrail", im.trails},
	}
	for _, s := range steps {
		fmt.Fprintf(o.Progress, "reading %s...\n", s.service)
		if err := s.read(ctx); err != nil {
			return nil, fmt.Errorf("reading %s: %w", s.service, err)
		}
	}
	return im.out, im.kustomization()
}

// Write writes the files under dir, replacing manifests an earlier import wrote there.
func Write(dir string, r *Result) error {
	for _, k := range kinds {
		if err := os.RemoveAll(filepath.Join(dir, k.dir)); err != nil {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(r.Files)) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, r.Files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

type importer struct {
	c   *awsx.Clients
	o   Options
	out *Result

	management string            // the management account's id
	rootID     string            // the root's id
	ouNames    map[string]string // OU id -> object name
	accounts   map[string]string // member account id -> object name
}

// add writes obj to its kind's directory.
func (im *importer) add(kind string, obj client.Object) error {
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return err
	}
	delete(u, "status")
	if md, ok := u["metadata"].(map[string]any); ok {
		delete(md, "creationTimestamp")
	}
	u["apiVersion"], u["kind"] = v1alpha1.GroupVersion.String(), kind
	b, err := yaml.Marshal(u)
	if err != nil {
		return err
	}
	for _, k := range kinds {
		if k.kind == kind {
			im.out.Files[k.dir+"/"+obj.GetName()+".yaml"] = b
			im.out.Counts[kind]++
		}
	}
	return nil
}

// kustomization lists every file written.
func (im *importer) kustomization() error {
	files := slices.Sorted(maps.Keys(im.out.Files))
	k := map[string]any{"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": files}
	if len(files) == 0 {
		k["resources"] = []string{}
	}
	b, err := yaml.Marshal(k)
	if err != nil {
		return err
	}
	im.out.Files["kustomization.yaml"] = append([]byte("# Written by awsorg import; apply with: kubectl apply -k .\n"), b...)
	return nil
}

func (im *importer) skip(format string, args ...any) {
	im.out.Skipped = append(im.out.Skipped, fmt.Sprintf(format, args...))
}

// userTags are the tags a spec should carry: all but the owner tag and AWS's own.
func userTags(tags map[string]string) v1alpha1.Tags {
	out := v1alpha1.Tags{}
	for k, v := range tags {
		if k != common.OwnerTag && !strings.HasPrefix(k, "aws:") {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

var notNameChars = regexp.MustCompile(`[^a-z0-9-]+`)

// assign gives AWS objects (AWS names by id) Kubernetes names derived from their AWS
// names: lowercase, runs of other characters as one dash, at most 63 characters.
// Where two would get one name, the one with the smaller AWS id keeps it and the
// others take the end of their id as a suffix, so names stay the same from one
// import to the next.
func assign(byID map[string]string, fallback string) map[string]string {
	used := map[string]string{} // name -> AWS id holding it
	out := map[string]string{}
	ids := slices.Sorted(maps.Keys(byID))
	var later []string
	for _, id := range ids {
		base := kubeName(byID[id], fallback)
		if _, taken := used[base]; taken {
			later = append(later, id)
			continue
		}
		used[base], out[id] = id, base
	}
	for _, id := range later {
		base := kubeName(byID[id], fallback)
		suffix := kubeName(id, "")
		if len(suffix) > 8 {
			suffix = suffix[len(suffix)-8:]
		}
		name := trimName(base, 62-len(suffix)) + "-" + suffix
		for i := 2; ; i++ {
			if _, taken := used[name]; !taken {
				break
			}
			name = trimName(base, 60-len(suffix)) + "-" + suffix + fmt.Sprint(i)
		}
		used[name], out[id] = id, name
	}
	return out
}

func kubeName(s, fallback string) string {
	n := strings.Trim(notNameChars.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if n == "" {
		n = fallback
	}
	return trimName(n, 63)
}

func trimName(s string, max int) string {
	if len(s) > max {
		s = strings.TrimRight(s[:max], "-")
	}
	return s
}

func ptr[T any](v T) *T { return &v }
