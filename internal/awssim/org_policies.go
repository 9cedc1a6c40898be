// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim

import (
	"encoding/json"
	"strings"

	"github.com/awsorg/awsorg-operator/internal/awssim/model"
)

func (s *Server) registerPolicies(svc *model.Service, reg func(...string) []string) {
	register(s, svc, "CreatePolicy", orgInvalid, s.createPolicy, reg("InvalidInputException", "DuplicatePolicyException", "MalformedPolicyDocumentException", "PolicyTypeNotAvailableForOrganizationException", "ConstraintViolationException")...)
	register(s, svc, "DescribePolicy", orgInvalid, s.describePolicy, reg("InvalidInputException", "PolicyNotFoundException")...)
	register(s, svc, "UpdatePolicy", orgInvalid, s.updatePolicy, reg("InvalidInputException", "DuplicatePolicyException", "MalformedPolicyDocumentException", "PolicyNotFoundException", "ConstraintViolationException")...)
	register(s, svc, "DeletePolicy", orgInvalid, s.deletePolicy, reg("InvalidInputException", "PolicyInUseException", "PolicyNotFoundException")...)
	register(s, svc, "ListPolicies", orgInvalid, s.listPolicies, reg("InvalidInputException")...)
	register(s, svc, "AttachPolicy", orgInvalid, s.attachPolicy, reg("InvalidInputException", "DuplicatePolicyAttachmentException", "PolicyNotFoundException", "PolicyTypeNotEnabledException", "TargetNotFoundException", "ConstraintViolationException")...)
	register(s, svc, "DetachPolicy", orgInvalid, s.detachPolicy, reg("InvalidInputException", "PolicyNotAttachedException", "PolicyNotFoundException", "TargetNotFoundException", "ConstraintViolationException")...)
	register(s, svc, "ListTargetsForPolicy", orgInvalid, s.listTargetsForPolicy, reg("InvalidInputException", "PolicyNotFoundException")...)
	register(s, svc, "ListPoliciesForTarget", orgInvalid, s.listPoliciesForTarget, reg("InvalidInputException", "TargetNotFoundException")...)
	register(s, svc, "EnablePolicyType", orgInvalid, s.enablePolicyType, reg("InvalidInputException", "PolicyTypeAlreadyEnabledException", "PolicyTypeNotAvailableForOrganizationException", "RootNotFoundException")...)
	register(s, svc, "DisablePolicyType", orgInvalid, s.disablePolicyType, reg("InvalidInputException", "PolicyTypeNotEnabledException", "RootNotFoundException")...)
	register(s, svc, "TagResource", orgInvalid, s.tagResource, reg("InvalidInputException", "TargetNotFoundException", "ConstraintViolationException")...)
	register(s, svc, "UntagResource", orgInvalid, s.untagResource, reg("InvalidInputException", "TargetNotFoundException")...)
	register(s, svc, "ListTagsForResource", orgInvalid, s.listTagsForResource, reg("InvalidInputException", "TargetNotFoundException")...)
}

func policySummary(p *policy) map[string]any {
	return map[string]any{"Id": p.ID, "Arn": p.Arn, "Name": p.Name, "Description": p.Description, "Type": p.Type, "AwsManaged": p.AwsManaged}
}

func policyOut(p *policy) map[string]any {
	return map[string]any{"Policy": map[string]any{"PolicySummary": policySummary(p), "Content": p.Content}}
}

// checkContent refuses documents that are not JSON policies or exceed the size limit.
func (s *Server) checkContent(typ, content string) error {
	var doc map[string]any
	if err := json.Unmarshal([]byte(content), &doc); err != nil || doc["Statement"] == nil {
		return orgErr("MalformedPolicyDocumentException", "The provided policy document doesn't meet the requirements of the specified policy type.")
	}
	limit := 10000
	switch typ {
	case "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY":
		limit = s.cfg.PolicySizeLimit
	case "AISERVICES_OPT_OUT_POLICY":
		limit = 2500
	}
	if len(content) > limit {
		return constraint("POLICY_CONTENT_LIMIT_EXCEEDED", "You attempted to create a policy with content that exceeds the %d character limit.", limit)
	}
	return nil
}

func (s *Server) createPolicy(in *struct {
	Content, Description, Name, Type string
	Tags                             []tag
}) (any, error) {
	o := s.org
	for _, p := range o.policies {
		if p.Name == in.Name && p.Type == in.Type {
			return nil, orgErr("DuplicatePolicyException", "A policy with the same name already exists.")
		}
	}
	if err := s.checkContent(in.Type, in.Content); err != nil {
		return nil, err
	}
	if len(o.policies) >= 10000 {
		return nil, constraint("POLICY_NUMBER_LIMIT_EXCEEDED", "You attempted to exceed the number of policies that you can have in an organization.")
	}
	tags, err := tagMap(nil, in.Tags)
	if err != nil {
		return nil, err
	}
	id := "p-" + s.randomString(8, lowerDigits)
	p := &policy{ID: id, Name: in.Name, Description: in.Description, Type: in.Type, Content: in.Content,
		Arn:     "arn:aws:organizations::" + s.cfg.ManagementAccountID + ":policy/" + o.id + "/" + strings.ToLower(in.Type) + "/" + id,
		Targets: map[string]bool{}, Tags: tags, Created: s.now()}
	o.policies[id] = p
	return policyOut(p), nil
}

func (s *Server) findPolicy(id string) (*policy, error) {
	if p := s.org.policies[id]; p != nil {
		return p, nil
	}
	return nil, orgErr("PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified.")
}

func (s *Server) describePolicy(in *struct{ PolicyId string }) (any, error) { //nolint:revive
	p, err := s.findPolicy(in.PolicyId)
	if err != nil {
		return nil, err
	}
	return policyOut(p), nil
}

func (s *Server) updatePolicy(in *struct {
	PolicyID                   string `json:"PolicyId"`
	Name, Description, Content *string
}) (any, error) {
	p, err := s.findPolicy(in.PolicyID)
	if err != nil {
		return nil, err
	}
	if p.AwsManaged {
		return nil, orgInvalid("You can't modify an AWS managed policy.", "IMMUTABLE_POLICY")
	}
	if in.Name != nil && *in.Name != p.Name {
		for _, other := range s.org.policies {
			if other.Name == *in.Name && other.Type == p.Type {
				return nil, orgErr("DuplicatePolicyException", "A policy with the same name already exists.")
			}
		}
	}
	if in.Content != nil {
		if err := s.checkContent(p.Type, *in.Content); err != nil {
			return nil, err
		}
		p.Content = *in.Content
	}
	if in.Name != nil {
		p.Name = *in.Name
	}
	if in.Description != nil {
		p.Description = *in.Description
	}
	return policyOut(p), nil
}

func (s *Server) deletePolicy(in *struct{ PolicyId string }) (any, error) { //nolint:revive
	p, err := s.findPolicy(in.PolicyId)
	if err != nil {
		return nil, err
	}
	if p.AwsManaged {
		return nil, orgInvalid("You can't delete an AWS managed policy.", "IMMUTABLE_POLICY")
	}
	if len(p.Targets) > 0 {
		return nil, orgErr("PolicyInUseException", "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.")
	}
	delete(s.org.policies, p.ID)
	return nil, nil
}

func (s *Server) listPolicies(in *struct {
	pageIn
	Filter string
}) (any, error) {
	var out []map[string]any
	for _, id := range sortedKeys(s.org.policies) {
		if p := s.org.policies[id]; p.Type == in.Filter && s.visible(p.Created) {
			out = append(out, policySummary(p))
		}
	}
	items, next, err := page(s, out, in.NextToken, in.MaxResults, 20)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Policies": nonNil(items), "NextToken": next}, nil
}

type policyTargetIn struct {
	PolicyID string `json:"PolicyId"`
	TargetID string `json:"TargetId"`
}

func (s *Server) policyAndTarget(in *policyTargetIn) (*policy, error) {
	p, err := s.findPolicy(in.PolicyID)
	if err != nil {
		return nil, err
	}
	if !s.org.targetExists(in.TargetID) {
		return nil, orgErr("TargetNotFoundException", "We can't find a root, OU, account, or policy with the TargetId that you specified.")
	}
	return p, nil
}

func (s *Server) attachedOfType(target, typ string) int {
	n := 0
	for _, p := range s.org.policies {
		if p.Type == typ && p.Targets[target] {
			n++
		}
	}
	return n
}

func (s *Server) attachPolicy(in *policyTargetIn) (any, error) {
	p, err := s.policyAndTarget(in)
	if err != nil {
		return nil, err
	}
	if !s.org.policyTypes[p.Type] {
		return nil, orgErr("PolicyTypeNotEnabledException", "The specified policy type isn't currently enabled in this root. You can't attach policies of the specified type to entities in a root until you enable that type in the root.")
	}
	if p.Targets[in.TargetID] {
		return nil, orgErr("DuplicatePolicyAttachmentException", "The selected policy is already attached to the specified target.")
	}
	if s.attachedOfType(in.TargetID, p.Type) >= 5 {
		return nil, constraint("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time.")
	}
	p.Targets[in.TargetID] = true
	return nil, nil
}

func (s *Server) detachPolicy(in *policyTargetIn) (any, error) {
	p, err := s.policyAndTarget(in)
	if err != nil {
		return nil, err
	}
	if !p.Targets[in.TargetID] {
		return nil, orgErr("PolicyNotAttachedException", "The policy isn't attached to the specified target in the specified root.")
	}
	if p.AwsManaged && p.Type == "RESOURCE_CONTROL_POLICY" {
		return nil, orgInvalid("You can't detach this AWS managed policy.", "NON_DETACHABLE_POLICY")
	}
	if p.Type == "SERVICE_CONTROL_POLICY" && s.attachedOfType(in.TargetID, p.Type) <= 1 {
		return nil, constraint("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.")
	}
	delete(p.Targets, in.TargetID)
	return nil, nil
}

func (s *Server) listTargetsForPolicy(in *struct {
	pageIn
	PolicyID string `json:"PolicyId"`
}) (any, error) {
	p, err := s.findPolicy(in.PolicyID)
	if err != nil {
		return nil, err
	}
	o := s.org
	var out []map[string]any
	for _, id := range sortedKeys(p.Targets) {
		t := map[string]any{"TargetId": id}
		switch {
		case id == o.rootID:
			t["Type"], t["Name"] = "ROOT", "Root"
			t["Arn"] = "arn:aws:organizations::" + s.cfg.ManagementAccountID + ":root/" + o.id + "/" + id
		case o.ous[id] != nil:
			t["Type"], t["Name"], t["Arn"] = "ORGANIZATIONAL_UNIT", o.ous[id].Name, o.ous[id].Arn
		case o.accounts[id] != nil:
			t["Type"], t["Name"], t["Arn"] = "ACCOUNT", o.accounts[id].Name, o.accounts[id].Arn
		}
		out = append(out, t)
	}
	items, next, err := page(s, out, in.NextToken, in.MaxResults, 20)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Targets": nonNil(items), "NextToken": next}, nil
}

func (s *Server) listPoliciesForTarget(in *struct {
	pageIn
	TargetID string `json:"TargetId"`
	Filter   string
}) (any, error) {
	if !s.org.targetExists(in.TargetID) {
		return nil, orgErr("TargetNotFoundException", "We can't find a root, OU, account, or policy with the TargetId that you specified.")
	}
	var out []map[string]any
	for _, id := range sortedKeys(s.org.policies) {
		if p := s.org.policies[id]; p.Type == in.Filter && p.Targets[in.TargetID] {
			out = append(out, policySummary(p))
		}
	}
	items, next, err := page(s, out, in.NextToken, in.MaxResults, 20)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Policies": nonNil(items), "NextToken": next}, nil
}

type policyTypeIn struct {
	RootID     string `json:"RootId"`
	PolicyType string
}

func (s *Server) enablePolicyType(in *policyTypeIn) (any, error) {
	o := s.org
	if in.RootID != o.rootID {
		return nil, orgErr("RootNotFoundException", "We can't find a root with the RootId that you specified.")
	}
	if o.policyTypes[in.PolicyType] {
		return nil, orgErr("PolicyTypeAlreadyEnabledException", "The specified policy type is already enabled.")
	}
	o.enablePolicyType(in.PolicyType)
	return map[string]any{"Root": s.rootOut()}, nil
}

func (s *Server) disablePolicyType(in *policyTypeIn) (any, error) {
	o := s.org
	if in.RootID != o.rootID {
		return nil, orgErr("RootNotFoundException", "We can't find a root with the RootId that you specified.")
	}
	if !o.policyTypes[in.PolicyType] {
		return nil, orgErr("PolicyTypeNotEnabledException", "The specified policy type isn't currently enabled in this root.")
	}
	delete(o.policyTypes, in.PolicyType)
	for _, p := range o.policies {
		if p.Type == in.PolicyType {
			p.Targets = map[string]bool{}
		}
	}
	return map[string]any{"Root": s.rootOut()}, nil
}

func (s *Server) taggable(id string) (map[string]string, error) {
	if tags := s.org.tagsOf(id); tags != nil {
		return tags, nil
	}
	return nil, orgErr("TargetNotFoundException", "We can't find a root, OU, account, or policy with the TargetId that you specified.")
}

func (s *Server) tagResource(in *struct {
	ResourceID string `json:"ResourceId"`
	Tags       []tag
}) (any, error) {
	cur, err := s.taggable(in.ResourceID)
	if err != nil {
		return nil, err
	}
	next, err := tagMap(cur, in.Tags)
	if err != nil {
		return nil, err
	}
	for k, v := range next {
		cur[k] = v
	}
	return nil, nil
}

func (s *Server) untagResource(in *struct {
	ResourceID string `json:"ResourceId"`
	TagKeys    []string
}) (any, error) {
	cur, err := s.taggable(in.ResourceID)
	if err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		delete(cur, k)
	}
	return nil, nil
}

func (s *Server) listTagsForResource(in *struct {
	ResourceID string `json:"ResourceId"`
	NextToken  *string
}) (any, error) {
	cur, err := s.taggable(in.ResourceID)
	if err != nil {
		return nil, err
	}
	items, next, err := pageWhole(s, tagList(cur), in.NextToken, 20)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Tags": items, "NextToken": next}, nil
}
