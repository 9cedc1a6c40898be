// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim

import "github.com/awsorg/awsorg-operator/internal/awssim/model"

// The read operations an org playbook and the AWS CLI's read commands use that have
// nothing to show in an organization the simulator models (no handshakes, delegated
// administrators, management policies, group memberships, applications, budget
// actions or CloudTrail Lake): they answer as AWS answers such an organization, with
// empty lists or the NotFound error of the thing asked for.

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
	s.registerFeatureReads()
}

// notFound answers every request with the error e.
func notFound[In any](e *Error) func(*In) (any, error) {
	return func(*In) (any, error) { return nil, e }
}

type budgetIn struct {
	AccountID  string `json:"AccountId"`
	BudgetName string
}

// registerFeatureReads serves the read commands of the features the simulator does
// not model: what they ask for does not exist.
func (s *Server) registerFeatureReads() {
	org := &model.Organizations
	oreg := func(errs ...string) []string { return append(append([]string{}, orgCommon...), errs...) }
	register(s, org, "DescribeHandshake", orgInvalid, notFound[map[string]any](orgErr("HandshakeNotFoundException",
		"We can't find a handshake with the HandshakeId that you specified.")), "AccessDeniedException", "HandshakeNotFoundException", "InvalidInputException",
		"ServiceException", "TooManyRequestsException")
	register(s, org, "DescribeEffectivePolicy", orgInvalid, func(in *struct {
		PolicyType string
		TargetID   string `json:"TargetId"`
	}) (any, error) {
		if in.PolicyType == "SERVICE_CONTROL_POLICY" || in.PolicyType == "RESOURCE_CONTROL_POLICY" {
			return nil, orgInvalid("You can't use DescribeEffectivePolicy with "+in.PolicyType+"; it applies to management policies (tag, backup, AI services opt-out, chatbot, declarative).", "INVALID_ENUM_POLICY_TYPE")
		}
		if in.TargetID != "" && !s.org.targetExists(in.TargetID) {
			return nil, orgErr("TargetNotFoundException", "We can't find a root, OU, account, or policy with the TargetId that you specified.")
		}
		return nil, orgErr("EffectivePolicyNotFoundException", "We can't find an effective policy of type %s for the target that you specified.", in.PolicyType)
	}, oreg("EffectivePolicyNotFoundException", "InvalidInputException", "TargetNotFoundException")...)

	sso := &model.SSOAdmin
	sreg := func(errs ...string) []string { return append(append([]string{}, ssoCommon...), errs...) }
	missing := func(what string) *Error {
		return ssoErr("ResourceNotFoundException", "The %s you asked for does not exist.", what)
	}
	for _, op := range []string{"DescribeApplication", "DescribeApplicationAssignment", "GetApplicationAccessScope", "GetApplicationAssignmentConfiguration",
		"GetApplicationAuthenticationMethod", "GetApplicationGrant", "ListApplicationAccessScopes", "ListApplicationAssignments",
		"ListApplicationAuthenticationMethods", "ListApplicationGrants"} {
		register(s, sso, op, ssoInvalid, notFound[map[string]any](missing("application")), sreg("ResourceNotFoundException")...)
	}
	register(s, sso, "DescribeApplicationProvider", ssoInvalid, notFound[map[string]any](missing("application provider")), sreg("ResourceNotFoundException")...)
	register(s, sso, "DescribeTrustedTokenIssuer", ssoInvalid, notFound[map[string]any](missing("trusted token issuer")), sreg("ResourceNotFoundException")...)
	register(s, sso, "DescribeInstanceAccessControlAttributeConfiguration", ssoInvalid, func(in *instanceIn) (any, error) {
		if in.InstanceArn != s.sso.instanceArn {
			return nil, missing("instance")
		}
		return nil, missing("attributes for access control configuration")
	}, sreg("ResourceNotFoundException")...)
	register(s, sso, "ListApplicationAssignmentsForPrincipal", ssoInvalid, empty[instanceIn]("ApplicationAssignments"), sreg("ResourceNotFoundException")...)

	b := &model.Budgets
	breg := func(errs ...string) []string { return append(append([]string{}, budgetCommon...), errs...) }
	noAction := func(in *budgetIn) (any, error) {
		if _, err := s.findBudget(in.AccountID, in.BudgetName); err != nil {
			return nil, err
		}
		return nil, budgetErr("NotFoundException", "Unable to get action: the budget %s has no such action.", in.BudgetName)
	}
	register(s, b, "DescribeBudgetAction", budgetInvalid, noAction, breg("NotFoundException")...)
	register(s, b, "DescribeBudgetActionHistories", budgetInvalid, noAction, breg("NotFoundException", "InvalidNextTokenException")...)
	register(s, b, "DescribeBudgetActionsForBudget", budgetInvalid, func(in *budgetIn) (any, error) {
		if _, err := s.findBudget(in.AccountID, in.BudgetName); err != nil {
			return nil, err
		}
		return map[string]any{"Actions": []any{}}, nil
	}, breg("NotFoundException", "InvalidNextTokenException")...)
	register(s, b, "DescribeBudgetPerformanceHistory", budgetInvalid, func(in *budgetIn) (any, error) {
		bud, err := s.findBudget(in.AccountID, in.BudgetName)
		if err != nil {
			return nil, err
		}
		return map[string]any{"BudgetPerformanceHistory": s.performance(bud)}, nil
	}, breg("NotFoundException", "InvalidNextTokenException", "ExpiredNextTokenException")...)

	ct := &model.CloudTrail
	creg := func(errs ...string) []string { return append([]string{"UnsupportedOperationException"}, errs...) }
	noStore := ctErr("EventDataStoreNotFoundException", "The specified event data store was not found.")
	register(s, ct, "GetEventDataStore", ctInvalid, notFound[map[string]any](noStore), creg("EventDataStoreNotFoundException", "InvalidParameterException")...)
	register(s, ct, "ListQueries", ctInvalid, notFound[map[string]any](noStore), creg("EventDataStoreNotFoundException", "InvalidParameterException")...)
	for _, op := range []string{"DescribeQuery", "GetQueryResults"} {
		register(s, ct, op, ctInvalid, func(in *struct{ EventDataStore string }) (any, error) {
			if in.EventDataStore != "" {
				return nil, noStore
			}
			return nil, ctErr("QueryIdNotFoundException", "The query ID does not exist or does not map to a query.")
		}, creg("EventDataStoreNotFoundException", "QueryIdNotFoundException", "InvalidParameterException")...)
	}
	register(s, ct, "GetChannel", ctInvalid, notFound[map[string]any](ctErr("ChannelNotFoundException", "The specified channel was not found.")), creg("ChannelNotFoundException")...)
	register(s, ct, "GetDashboard", ctInvalid, notFound[map[string]any](ctErr("ResourceNotFoundException", "The specified dashboard was not found.")), creg("ResourceNotFoundException")...)
	register(s, ct, "ListDashboards", ctInvalid, empty[struct{}]("Dashboards"), creg()...)
	noImport := ctErr("ImportNotFoundException", "The specified import was not found.")
	register(s, ct, "GetImport", ctInvalid, notFound[map[string]any](noImport), creg("ImportNotFoundException", "InvalidParameterException")...)
	register(s, ct, "ListImportFailures", ctInvalid, func(*struct{}) (any, error) { return map[string]any{"Failures": []any{}}, nil }, creg("InvalidParameterException")...)
	register(s, ct, "GetResourcePolicy", ctInvalid, func(in *struct{ ResourceArn string }) (any, error) {
		if _, err := s.trailByArn(in.ResourceArn); err != nil {
			return nil, ctErr("ResourceNotFoundException", "The specified resource is not found.")
		}
		return nil, ctErr("ResourcePolicyNotFoundException", "The resource-based policy was not found.")
	}, creg("ResourceNotFoundException", "ResourcePolicyNotFoundException")...)
	register(s, ct, "ListInsightsMetricData", ctInvalid, func(in *struct{ EventSource, EventName, InsightType, ErrorCode string }) (any, error) {
		out := map[string]any{"EventSource": in.EventSource, "EventName": in.EventName, "InsightType": in.InsightType, "Timestamps": []any{}, "Values": []any{}}
		if in.ErrorCode != "" {
			out["ErrorCode"] = in.ErrorCode
		}
		return out, nil
	}, creg("InvalidParameterException")...)
}

// performance is a budget's history: the current period, its limit and its spend.
func (s *Server) performance(b *budget) map[string]any {
	out := s.budgetOut(b)
	hist := map[string]any{"BudgetName": out["BudgetName"], "BudgetType": out["BudgetType"], "TimeUnit": out["TimeUnit"]}
	for _, k := range []string{"CostFilters", "CostTypes"} {
		if v, ok := out[k]; ok {
			hist[k] = v
		}
	}
	amounts := map[string]any{"TimePeriod": out["TimePeriod"]}
	if lim, ok := out["BudgetLimit"]; ok {
		amounts["BudgetedAmount"] = lim
	}
	if spend, ok := out["CalculatedSpend"].(map[string]any); ok {
		amounts["ActualAmount"] = spend["ActualSpend"]
	}
	hist["BudgetedAndActualAmountsList"] = []any{amounts}
	return hist
}
