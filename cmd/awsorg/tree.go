// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/awsorg/awsorg-operator/api/v1alpha1"
)

// objects is what the cluster holds of this API, as far as the caller may read it.
type objects struct {
	ous       []v1alpha1.OrganizationalUnit
	accounts  []v1alpha1.Account
	policies  []v1alpha1.ServiceControlPolicy
	sets      []v1alpha1.PermissionSet
	budgets   []v1alpha1.Budget
	trails    []v1alpha1.OrgTrail
	forbidden []string // kinds the caller may not list
	namespace string   // the tenant's view: only the OUs that lead to its accounts
}

func runTree(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tree", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kubeconfig := fs.String("kubeconfig", "", "the kubeconfig (default: $KUBECONFIG, else ~/.kube/config)")
	ns := fs.String("namespace", "", "show only what this namespace's Accounts and Budgets reach, with what its RBAC can read (a tenant's view)")
	colour := fs.String("color", "auto", "colour the output: auto (on a terminal), always or never")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: *kubeconfig, Precedence: clientcmd.NewDefaultClientConfigLoadingRules().Precedence},
		&clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return fmt.Errorf("loading the kubeconfig: %w", err)
	}
	scheme := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		return err
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return err
	}
	objs, err := load(ctx, c, *ns)
	if err != nil {
		return err
	}
	useColour := *colour == "always" || (*colour == "auto" && isTerminal(stdout) && os.Getenv("NO_COLOR") == "")
	fmt.Fprint(stdout, render(objs, useColour))
	return nil
}

// load lists every kind, in ns for the namespaced ones when ns is set; a kind the
// caller may not list is left out and named.
func load(ctx context.Context, c client.Client, ns string) (*objects, error) {
	o := &objects{namespace: ns}
	var opts []client.ListOption
	if ns != "" {
		opts = append(opts, client.InNamespace(ns))
	}
	lists := []struct {
		kind       string
		list       client.ObjectList
		namespaced bool
	}{
		{"OrganizationalUnit", &v1alpha1.OrganizationalUnitList{}, false},
		{"Account", &v1alpha1.AccountList{}, true},
		{"ServiceControlPolicy", &v1alpha1.ServiceControlPolicyList{}, false},
		{"PermissionSet", &v1alpha1.PermissionSetList{}, false},
		{"Budget", &v1alpha1.BudgetList{}, true},
		{"OrgTrail", &v1alpha1.OrgTrailList{}, false},
	}
	for _, l := range lists {
		var err error
		if l.namespaced {
			err = c.List(ctx, l.list, opts...)
		} else {
			err = c.List(ctx, l.list)
		}
		switch {
		case apierrors.IsForbidden(err):
			o.forbidden = append(o.forbidden, l.kind)
			continue
		case err != nil:
			return nil, fmt.Errorf("listing %ss: %w", l.kind, err)
		}
		switch list := l.list.(type) {
		case *v1alpha1.OrganizationalUnitList:
			o.ous = list.Items
		case *v1alpha1.AccountList:
			o.accounts = list.Items
		case *v1alpha1.ServiceControlPolicyList:
			o.policies = list.Items
		case *v1alpha1.PermissionSetList:
			o.sets = list.Items
		case *v1alpha1.BudgetList:
			o.budgets = list.Items
		case *v1alpha1.OrgTrailList:
			o.trails = list.Items
		}
	}
	return o, nil
}

// unseen marks an OU the tree knows only from an Account's reference.
const unseen = "awsorg.dev/unseen"

// painter colours text for a terminal, or leaves it plain.
type painter bool

func (p painter) paint(code, s string) string {
	if !p {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// state is an object's readiness, pending changes and stalled reason, in one phrase.
func (p painter) state(st *v1alpha1.ResourceStatus) string {
	ready := meta.FindStatusCondition(st.Conditions, v1alpha1.ConditionReady)
	stalled := meta.FindStatusCondition(st.Conditions, v1alpha1.ConditionStalled)
	var out string
	switch {
	case ready != nil && ready.Status == "True":
		out = p.paint("32", "✔ Ready")
	case stalled != nil && stalled.Status == "True":
		out = p.paint("31", "✘ Stalled "+stalled.Reason) + ": " + firstLine(stalled.Message)
	case ready != nil:
		out = p.paint("33", "… "+ready.Reason) + ": " + firstLine(ready.Message)
	default:
		out = p.paint("33", "… not reconciled yet")
	}
	if st.PendingChanges > 0 && (stalled == nil || stalled.Status != "True") {
		out += p.paint("33", fmt.Sprintf(" (%d changes pending)", st.PendingChanges))
	}
	return out
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}

// render draws the organization: the root, the OUs by parent, each node's accounts and
// SCPs, then the permission sets, budgets and trails.
func render(o *objects, colour bool) string {
	p := painter(colour)
	var b strings.Builder
	known := map[string]v1alpha1.OrganizationalUnit{}
	for _, ou := range o.ous {
		known[ou.Name] = ou
	}
	// OUs the accounts are in but the caller cannot read still show, by name.
	for _, a := range o.accounts {
		if ref := a.Spec.OrganizationalUnitRef; ref != nil {
			if _, ok := known[ref.Name]; !ok {
				known[ref.Name] = v1alpha1.OrganizationalUnit{ObjectMeta: metav1.ObjectMeta{Name: ref.Name, Annotations: map[string]string{unseen: "true"}}}
			}
		}
	}
	if o.namespace != "" { // keep only the OUs on the way to the namespace's accounts
		keep := map[string]bool{}
		for _, a := range o.accounts {
			for ref, depth := a.Spec.OrganizationalUnitRef, 0; ref != nil && depth < 8; depth++ {
				keep[ref.Name] = true
				ref = known[ref.Name].Spec.ParentRef
			}
		}
		for name := range known {
			if !keep[name] {
				delete(known, name)
			}
		}
	}
	children := map[string][]v1alpha1.OrganizationalUnit{} // parent OU object name ("" for the root)
	for _, ou := range known {
		parent := ""
		if ou.Spec.ParentRef != nil {
			parent = ou.Spec.ParentRef.Name
		}
		children[parent] = append(children[parent], ou)
	}
	accountsIn := map[string][]v1alpha1.Account{}
	for _, a := range o.accounts {
		ou := ""
		if a.Spec.OrganizationalUnitRef != nil {
			ou = a.Spec.OrganizationalUnitRef.Name
		}
		accountsIn[ou] = append(accountsIn[ou], a)
	}
	policiesOn := func(kind, name, namespace string) []string {
		var out []string
		for _, pol := range o.policies {
			for _, t := range pol.Spec.TargetRefs {
				if t.Kind == kind && t.Name == name && (kind != "Account" || cmp.Or(t.Namespace, namespace) == namespace) {
					out = append(out, pol.AWSName())
				}
			}
		}
		slices.Sort(out)
		return out
	}
	scps := func(names []string) string {
		if len(names) == 0 {
			return ""
		}
		return p.paint("36", "  SCPs: "+strings.Join(names, ", "))
	}
	fmt.Fprintf(&b, "%s%s\n", p.paint("1", "Root"), scps(policiesOn("Root", "", "")))
	var node func(parent, indent string)
	node = func(parent, indent string) {
		ous := children[parent]
		slices.SortFunc(ous, func(x, y v1alpha1.OrganizationalUnit) int { return cmp.Compare(x.AWSName(), y.AWSName()) })
		accts := accountsIn[parent]
		slices.SortFunc(accts, func(x, y v1alpha1.Account) int { return cmp.Compare(x.AWSName(), y.AWSName()) })
		n, i := len(ous)+len(accts), 0
		branch := func() (string, string) {
			i++
			if i == n {
				return indent + "└── ", indent + "    "
			}
			return indent + "├── ", indent + "│   "
		}
		for _, a := range accts {
			head, _ := branch()
			fmt.Fprintf(&b, "%sAccount %s/%s %s %s%s\n", head, a.Namespace, a.Name, p.paint("2", fmt.Sprintf("(%s, %s)", a.AWSName(), or(a.Status.ID, "no id yet"))),
				p.state(&a.Status.ResourceStatus), scps(policiesOn("Account", a.Name, a.Namespace)))
		}
		for _, ou := range ous {
			head, next := branch()
			if ou.Annotations[unseen] != "" {
				fmt.Fprintf(&b, "%sOU %s %s\n", head, ou.Name, p.paint("2", "(your RBAC may not read it)"))
				node(ou.Name, next)
				continue
			}
			fmt.Fprintf(&b, "%sOU %s %s %s%s\n", head, ou.Name, p.paint("2", fmt.Sprintf("(%s, %s)", ou.AWSName(), or(ou.Status.ID, "no id yet"))),
				p.state(&ou.Status.ResourceStatus), scps(policiesOn("OrganizationalUnit", ou.Name, "")))
			node(ou.Name, next)
		}
	}
	node("", "")
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		slices.Sort(lines)
		fmt.Fprintf(&b, "\n%s\n", p.paint("1", title))
		for _, l := range lines {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	var lines []string
	for _, pol := range o.policies {
		lines = append(lines, fmt.Sprintf("%s %s %s", pol.Name, p.paint("2", fmt.Sprintf("(%s, %s, %d accounts)", pol.AWSName(), or(pol.Status.ID, "no id yet"), pol.Status.AffectedAccounts)),
			p.state(&pol.Status.ResourceStatus)))
	}
	section("Service control policies", lines)
	lines = nil
	for _, s := range o.sets {
		lines = append(lines, fmt.Sprintf("%s %s %s", s.Name, p.paint("2", fmt.Sprintf("(%s, %d assignments)", s.AWSName(), len(s.Spec.Assignments))), p.state(&s.Status.ResourceStatus)))
	}
	section("Permission sets", lines)
	lines = nil
	for _, bu := range o.budgets {
		lines = append(lines, fmt.Sprintf("%s/%s %s %s", bu.Namespace, bu.Name, p.paint("2", fmt.Sprintf("(%s, %s %s)", bu.AWSName(), bu.Spec.Limit.Amount, bu.Spec.Limit.Unit)), p.state(&bu.Status.ResourceStatus)))
	}
	section("Budgets", lines)
	lines = nil
	for _, t := range o.trails {
		lines = append(lines, fmt.Sprintf("%s %s %s", t.Name, p.paint("2", fmt.Sprintf("(%s, s3://%s)", t.AWSName(), t.Spec.S3BucketName)), p.state(&t.Status.ResourceStatus)))
	}
	section("Organization trails", lines)
	if len(o.forbidden) > 0 {
		fmt.Fprintf(&b, "\n%s\n", p.paint("2", "Not shown (your RBAC may not list them): "+strings.Join(o.forbidden, ", ")))
	}
	return b.String()
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
