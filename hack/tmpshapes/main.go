package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/awsorg/awsorg-operator/internal/awssim/model"
)

func main() {
	svcs := map[string]*model.Service{"sso": &model.SSOAdmin, "ids": &model.IdentityStore, "bud": &model.Budgets, "ct": &model.CloudTrail}
	svc := svcs[os.Args[1]]
	for _, op := range os.Args[2:] {
		o := svc.Operations[op]
		fmt.Printf("%s errs=%v\n  IN %s\n  OUT %s\n", op, o.Errors, desc(svc, o.Input), desc(svc, o.Output))
	}
}

func desc(svc *model.Service, name string) string {
	sh, _ := svc.ShapeOf(name)
	var b []string
	for _, m := range sh.Members {
		r := ""
		if m.Required {
			r = "*"
		}
		t, _ := svc.ShapeOf(m.Target)
		extra := t.Type
		if t.Type == "list" || t.Type == "map" {
			extra += "<" + t.Target + ">"
		}
		b = append(b, m.Name+r+":"+extra)
	}
	return strings.Join(b, ", ")
}
