// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim

import "github.com/awsorg/awsorg-operator/internal/awssim/model"

// The read operations an org playbook and the AWS CLI's read commands use that have
// nothing to show in an organization the simulator models (no handshakes, delegated
// administrators, group memberships, applications, budget actions or CloudTrail Lake):
// they answer as AWS answers such an organization, with empty lists or NotFound.

// empty answers an empty list in member.
func empty[In any](member string) func(*In) (any, error) {
	return func(*In) (any, error) { return map[string]any{member: []any{}}, nil }
}

type accountIn struct {
	AccountID string `json:"AccountId"`
}

type storeIn struct {
	IdentityStoreID string `json:"IdentityStoreId"`
}

func (s *Server) registerReads() {
	org := &model.Organizations
	oreg := func(errs ...string) []string { return append(append([]string{}, orgCommon...), errs...) }
	register(s, org, "ListHandshakesForOrganization", orgInvalid, empty[pageIn]("Handshakes"), oreg("InvalidInputException")...)
	register(s, org, "ListHandshakesForAccount", orgInvalid, empty[pageIn]("Handshakes"), "AccessDeniedException", "ConcurrentModificationException",
		"InvalidInputException", "ServiceException", "TooManyRequestsException")
	register(s, org, "ListDelegatedAdministrators", orgInvalid, empty[pageIn]("DelegatedAdministrators"), oreg("InvalidInputException")...)
	register(s, org, "ListDelegatedServicesForAccount", orgInvalid, func(in *accountIn) (any, error) {
		if _, err := s.findAccount(in.AccountID); err != nil {
			return nil, err
		}
		return nil, orgErr("AccountNotRegisteredException", "The provided account is not a registered delegated administrator for your organization.")
	}, oreg("AccountNotFoundException", "AccountNotRegisteredException", "InvalidInputException")...)
	register(s, org, "ListAWSServiceAccessForOrganization", orgInvalid, func(*pageIn) (any, error) {
		out := []map[string]any{{"ServicePrincipal": "sso.amazonaws.com", "DateEnabled": ts(s.sso.created)}}
		for _, t := range s.trails {
			if t.Fields["IsOrganizationTrail"] == true {
				out = append(out, map[string]any{"ServicePrincipal": "cloudtrail.amazonaws.com", "DateEnabled": ts(t.Started)})
				break
			}
		}
		return map[string]any{"EnabledServicePrincipals": out}, nil
	}, oreg("InvalidInputException")...)
	register(s, org, "DescribeResourcePolicy", orgInvalid, func(*struct{}) (any, error) {
		return nil, orgErr("ResourcePolicyNotFoundException", "We can't find a resource policy request with the parameter that you specified.")
	}, oreg("ResourcePolicyNotFoundException")...)

	ids := &model.IdentityStore
	noMembership := func(*map[string]any) (any, error) {
		return nil, ssoErr("ResourceNotFoundException", "The simulator's groups have no members.")
	}
	register(s, ids, "ListGroupMemberships", ssoInvalid, empty[storeIn]("GroupMemberships"), "ResourceNotFoundException", "ValidationException")
	register(s, ids, "ListGroupMembershipsForMember", ssoInvalid, empty[storeIn]("GroupMemberships"), "ResourceNotFoundException", "ValidationException")
	register(s, ids, "GetGroupMembershipId", ssoInvalid, noMembership, "ResourceNotFoundException", "ValidationException")
	register(s, ids, "DescribeGroupMembership", ssoInvalid, noMembership, "ResourceNotFoundException", "ValidationException")

	sso := &model.SSOAdmin
	sreg := func(errs ...string) []string { return append(append([]string{}, ssoCommon...), errs...) }
	register(s, sso, "DescribeInstance", ssoInvalid, func(in *instanceIn) (any, error) {
		st := s.sso
		if in.InstanceArn != st.instanceArn {
			return nil, ssoInvalid("The instance "+in.InstanceArn+" does not exist.", "")
		}
		return map[string]any{"InstanceArn": st.instanceArn, "IdentityStoreId": st.storeID, "OwnerAccountId": s.cfg.ManagementAccountID,
			"Name": "awssim", "Status": "ACTIVE", "CreatedDate": ts(st.created)}, nil
	}, sreg()...)
	register(s, sso, "ListApplications", ssoInvalid, empty[instanceIn]("Applications"), sreg()...)
	register(s, sso, "ListApplicationProviders", ssoInvalid, empty[pageIn]("ApplicationProviders"), sreg()...)
	register(s, sso, "ListTrustedTokenIssuers", ssoInvalid, empty[instanceIn]("TrustedTokenIssuers"), sreg()...)

	b := &model.Budgets
	breg := func(errs ...string) []string { return append(append([]string{}, budgetCommon...), errs...) }
	register(s, b, "DescribeBudgetNotificationsForAccount", budgetInvalid, func(in *accountIn) (any, error) {
		if err := s.checkAccount(in.AccountID); err != nil {
			return nil, err
		}
		out := []map[string]any{}
		for _, name := range sortedKeys(s.budgets) {
			var notes []map[string]any
			for _, n := range s.budgets[name].Notifications {
				notes = append(notes, n.Notification)
			}
			if len(notes) > 0 {
				out = append(out, map[string]any{"BudgetName": name, "Notifications": notes})
			}
		}
		return map[string]any{"BudgetNotificationsForAccount": out}, nil
	}, breg("NotFoundException", "InvalidNextTokenException", "ExpiredNextTokenException")...)
	register(s, b, "DescribeBudgetActionsForAccount", budgetInvalid, empty[accountIn]("Actions"), breg("InvalidNextTokenException")...)

	ct := &model.CloudTrail
	register(s, ct, "ListEventDataStores", ctInvalid, empty[struct{}]("EventDataStores"), "OperationNotPermittedException", "UnsupportedOperationException")
	register(s, ct, "ListChannels", ctInvalid, empty[struct{}]("Channels"), "OperationNotPermittedException", "UnsupportedOperationException")
	register(s, ct, "ListPublicKeys", ctInvalid, empty[struct{}]("PublicKeyList"), "OperationNotPermittedException", "UnsupportedOperationException")
	register(s, ct, "ListImports", ctInvalid, empty[struct{}]("Imports"), "OperationNotPermittedException", "UnsupportedOperationException")
}
