// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/awsorg/awsorg-operator/internal/awssim/model"
)

// budget is one AWS Budgets budget of the management account.
type budget struct {
	Budget        map[string]any // the Budget structure as last written, without CalculatedSpend
	Notifications []*budgetNotification
	Tags          map[string]string
	Actual        string
	Forecasted    string
	Updated       time.Time
}

type budgetNotification struct {
	Notification map[string]any
	Subscribers  []map[string]any
}

func budgetErr(code, format string, args ...any) *Error {
	status := 400
	if code == "InternalErrorException" {
		status = 500
	}
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: status}
}

func budgetInvalid(msg, _ string) *Error { return budgetErr("InvalidParameterException", "%s", msg) }

var budgetCommon = []string{"AccessDeniedException", "InternalErrorException", "InvalidParameterException", "ThrottlingException"}

func (s *Server) registerBudgets() {
	svc := &model.Budgets
	reg := func(errs ...string) []string { return append(append([]string{}, budgetCommon...), errs...) }
	register(s, svc, "CreateBudget", budgetInvalid, s.createBudget, reg("CreationLimitExceededException", "DuplicateRecordException")...)
	register(s, svc, "DescribeBudget", budgetInvalid, s.describeBudget, reg("NotFoundException")...)
	register(s, svc, "DescribeBudgets", budgetInvalid, s.describeBudgets, reg("NotFoundException", "InvalidNextTokenException")...)
	register(s, svc, "UpdateBudget", budgetInvalid, s.updateBudget, reg("NotFoundException")...)
	register(s, svc, "DeleteBudget", budgetInvalid, s.deleteBudget, reg("NotFoundException")...)
	register(s, svc, "CreateNotification", budgetInvalid, s.createNotification, reg("CreationLimitExceededException", "DuplicateRecordException", "NotFoundException")...)
	register(s, svc, "DescribeNotificationsForBudget", budgetInvalid, s.describeNotifications, reg("NotFoundException", "InvalidNextTokenException")...)
	register(s, svc, "DeleteNotification", budgetInvalid, s.deleteNotification, reg("NotFoundException")...)
	register(s, svc, "CreateSubscriber", budgetInvalid, s.createSubscriber, reg("CreationLimitExceededException", "DuplicateRecordException", "NotFoundException")...)
	register(s, svc, "DeleteSubscriber", budgetInvalid, s.deleteSubscriber, reg("NotFoundException")...)
	register(s, svc, "DescribeSubscribersForNotification", budgetInvalid, s.describeSubscribers, reg("NotFoundException", "InvalidNextTokenException")...)
	register(s, svc, "TagResource", budgetInvalid, s.budgetTag, reg("NotFoundException", "ServiceQuotaExceededException")...)
	register(s, svc, "UntagResource", budgetInvalid, s.budgetUntag, reg("NotFoundException")...)
	register(s, svc, "ListTagsForResource", budgetInvalid, s.budgetListTags, reg("NotFoundException")...)
}

// SetBudgetSpend sets a budget's actual and forecasted spend, as AWS would compute them.
func (s *Server) SetBudgetSpend(name, actual, forecasted string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.budgets[name]
	if b == nil {
		return fmt.Errorf("no budget named %q", name)
	}
	b.Actual, b.Forecasted = actual, forecasted
	return nil
}

func (s *Server) checkAccount(id string) error {
	if id != s.cfg.ManagementAccountID {
		return budgetErr("AccessDeniedException", "You are not authorized to manage budgets of account %s.", id)
	}
	return nil
}

// echoAmount is the amount as AWS echoes it: a decimal with at least one fraction digit.
func echoAmount(a string) string {
	f, err := strconv.ParseFloat(a, 64)
	if err != nil {
		return a
	}
	out := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(out, ".") {
		out += ".0"
	}
	return out
}

func (s *Server) budgetOut(b *budget) map[string]any {
	out := map[string]any{}
	for k, v := range b.Budget {
		out[k] = v
	}
	unit := "USD"
	if lim, ok := out["BudgetLimit"].(map[string]any); ok {
		unit = fmt.Sprint(lim["Unit"])
		out["BudgetLimit"] = map[string]any{"Amount": echoAmount(fmt.Sprint(lim["Amount"])), "Unit": unit}
	}
	spend := map[string]any{"ActualSpend": map[string]any{"Amount": echoAmount(b.Actual), "Unit": unit}}
	if b.Forecasted != "" {
		spend["ForecastedSpend"] = map[string]any{"Amount": echoAmount(b.Forecasted), "Unit": unit}
	}
	out["CalculatedSpend"] = spend
	out["LastUpdatedTime"] = ts(b.Updated)
	return out
}

// checkBudget applies AWS's rules that the model does not state and fills defaults.
func (s *Server) checkBudget(in map[string]any) error {
	name := fmt.Sprint(in["BudgetName"])
	if strings.ContainsAny(name, ":\\") || strings.Contains(name, "/action/") || strings.Contains(strings.ToLower(name), "<script>") {
		return budgetErr("InvalidParameterException", "The budget name %q is not allowed.", name)
	}
	_, hasLimit := in["BudgetLimit"]
	_, hasPlanned := in["PlannedBudgetLimits"]
	_, hasAuto := in["AutoAdjustData"]
	if !hasLimit && !hasPlanned && !hasAuto {
		return budgetErr("InvalidParameterException", "A budget needs a BudgetLimit, PlannedBudgetLimits or AutoAdjustData.")
	}
	if hasLimit && hasPlanned {
		return budgetErr("InvalidParameterException", "Set BudgetLimit or PlannedBudgetLimits, not both.")
	}
	if _, ok := in["CostFilters"]; ok {
		if _, both := in["FilterExpression"]; both {
			return budgetErr("InvalidParameterException", "Set CostFilters or FilterExpression, not both.")
		}
	}
	delete(in, "CalculatedSpend")
	delete(in, "LastUpdatedTime")
	if _, ok := in["TimePeriod"]; !ok {
		now := s.now().UTC()
		start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
		in["TimePeriod"] = map[string]any{"Start": ts(start), "End": ts(time.Unix(3706473600, 0))}
	}
	return nil
}

func (s *Server) createBudget(in *struct {
	AccountID                    string `json:"AccountId"`
	Budget                       map[string]any
	NotificationsWithSubscribers []struct {
		Notification map[string]any
		Subscribers  []map[string]any
	}
	ResourceTags []tag
}) (any, error) {
	if err := s.checkAccount(in.AccountID); err != nil {
		return nil, err
	}
	name := fmt.Sprint(in.Budget["BudgetName"])
	if s.budgets[name] != nil {
		return nil, budgetErr("DuplicateRecordException", "Error creating budget: %s - the budget already exists.", name)
	}
	if len(s.budgets) >= 20000 {
		return nil, budgetErr("CreationLimitExceededException", "You have reached the limit of budgets for this account.")
	}
	if err := s.checkBudget(in.Budget); err != nil {
		return nil, err
	}
	if len(in.NotificationsWithSubscribers) > 10 {
		return nil, budgetErr("CreationLimitExceededException", "A budget may have at most 10 notifications.")
	}
	b := &budget{Budget: in.Budget, Tags: map[string]string{}, Actual: "0", Updated: s.now()}
	for _, n := range in.NotificationsWithSubscribers {
		if err := checkSubscribers(n.Subscribers); err != nil {
			return nil, err
		}
		b.Notifications = append(b.Notifications, &budgetNotification{Notification: withThresholdType(n.Notification), Subscribers: n.Subscribers})
	}
	for _, t := range in.ResourceTags {
		b.Tags[t.Key] = t.Value
	}
	s.budgets[name] = b
	return nil, nil
}

func checkSubscribers(subs []map[string]any) error {
	emails, sns := 0, 0
	for _, sub := range subs {
		if sub["SubscriptionType"] == "SNS" {
			sns++
		} else {
			emails++
		}
	}
	if emails > 10 || sns > 1 {
		return budgetErr("CreationLimitExceededException", "A notification may have at most 10 email subscribers and 1 SNS subscriber.")
	}
	return nil
}

func withThresholdType(n map[string]any) map[string]any {
	if _, ok := n["ThresholdType"]; !ok {
		n["ThresholdType"] = "PERCENTAGE"
	}
	delete(n, "NotificationState")
	return n
}

func (s *Server) findBudget(account, name string) (*budget, error) {
	if err := s.checkAccount(account); err != nil {
		return nil, err
	}
	b := s.budgets[name]
	if b == nil {
		return nil, budgetErr("NotFoundException", "Unable to get budget: %s - the budget doesn't exist.", name)
	}
	return b, nil
}

type budgetNameIn struct {
	AccountID  string `json:"AccountId"`
	BudgetName string
}

func (s *Server) describeBudget(in *budgetNameIn) (any, error) {
	b, err := s.findBudget(in.AccountID, in.BudgetName)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Budget": s.budgetOut(b)}, nil
}

func (s *Server) describeBudgets(in *struct {
	pageIn
	AccountID string `json:"AccountId"`
}) (any, error) {
	if err := s.checkAccount(in.AccountID); err != nil {
		return nil, err
	}
	var out []map[string]any
	for _, name := range sortedKeys(s.budgets) {
		out = append(out, s.budgetOut(s.budgets[name]))
	}
	items, next, err := page(s, out, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, budgetErr("InvalidNextTokenException", "The NextToken is not valid.")
	}
	return map[string]any{"Budgets": nonNil(items), "NextToken": next}, nil
}

func (s *Server) updateBudget(in *struct {
	AccountID string `json:"AccountId"`
	NewBudget map[string]any
}) (any, error) {
	b, err := s.findBudget(in.AccountID, fmt.Sprint(in.NewBudget["BudgetName"]))
	if err != nil {
		return nil, err
	}
	if err := s.checkBudget(in.NewBudget); err != nil {
		return nil, err
	}
	b.Budget, b.Updated = in.NewBudget, s.now()
	return nil, nil
}

func (s *Server) deleteBudget(in *budgetNameIn) (any, error) {
	if _, err := s.findBudget(in.AccountID, in.BudgetName); err != nil {
		return nil, err
	}
	delete(s.budgets, in.BudgetName)
	return nil, nil
}

// sameNotification compares notifications by AWS's key: type, operator, threshold and
// threshold type (PERCENTAGE when absent).
func sameNotification(a, b map[string]any) bool {
	a, b = withThresholdType(copyMap(a)), withThresholdType(copyMap(b))
	fa, _ := strconv.ParseFloat(fmt.Sprint(a["Threshold"]), 64)
	fb, _ := strconv.ParseFloat(fmt.Sprint(b["Threshold"]), 64)
	return a["NotificationType"] == b["NotificationType"] && a["ComparisonOperator"] == b["ComparisonOperator"] &&
		math.Abs(fa-fb) < 1e-9 && a["ThresholdType"] == b["ThresholdType"]
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

type notificationIn struct {
	AccountID    string `json:"AccountId"`
	BudgetName   string
	Notification map[string]any
}

func (s *Server) findNotification(in *notificationIn) (*budget, int, error) {
	b, err := s.findBudget(in.AccountID, in.BudgetName)
	if err != nil {
		return nil, -1, err
	}
	for i, n := range b.Notifications {
		if sameNotification(n.Notification, in.Notification) {
			return b, i, nil
		}
	}
	return b, -1, nil
}

func (s *Server) createNotification(in *struct {
	notificationIn
	Subscribers []map[string]any
}) (any, error) {
	b, i, err := s.findNotification(&in.notificationIn)
	if err != nil {
		return nil, err
	}
	if i >= 0 {
		return nil, budgetErr("DuplicateRecordException", "Error creating notification: the notification already exists.")
	}
	if len(b.Notifications) >= 10 {
		return nil, budgetErr("CreationLimitExceededException", "A budget may have at most 10 notifications.")
	}
	if err := checkSubscribers(in.Subscribers); err != nil {
		return nil, err
	}
	b.Notifications = append(b.Notifications, &budgetNotification{Notification: withThresholdType(in.Notification), Subscribers: in.Subscribers})
	return nil, nil
}

// notificationOut omits ThresholdType when it is PERCENTAGE, as AWS does.
func notificationOut(n map[string]any) map[string]any {
	out := copyMap(n)
	if out["ThresholdType"] == "PERCENTAGE" {
		delete(out, "ThresholdType")
	}
	out["NotificationState"] = "OK"
	return out
}

func (s *Server) describeNotifications(in *struct {
	pageIn
	budgetNameIn
}) (any, error) {
	b, err := s.findBudget(in.AccountID, in.BudgetName)
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	for _, n := range b.Notifications {
		out = append(out, notificationOut(n.Notification))
	}
	items, next, err := page(s, out, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, budgetErr("InvalidNextTokenException", "The NextToken is not valid.")
	}
	return map[string]any{"Notifications": nonNil(items), "NextToken": next}, nil
}

func (s *Server) deleteNotification(in *notificationIn) (any, error) {
	b, i, err := s.findNotification(in)
	if err != nil {
		return nil, err
	}
	if i < 0 {
		return nil, budgetErr("NotFoundException", "Unable to delete notification: the notification doesn't exist.")
	}
	b.Notifications = append(b.Notifications[:i], b.Notifications[i+1:]...)
	return nil, nil
}

type subscriberIn struct {
	notificationIn
	Subscriber map[string]any
}

func (s *Server) subscriberIndex(in *subscriberIn) (*budgetNotification, int, error) {
	b, i, err := s.findNotification(&in.notificationIn)
	if err != nil {
		return nil, -1, err
	}
	if i < 0 {
		return nil, -1, budgetErr("NotFoundException", "Unable to find the notification.")
	}
	n := b.Notifications[i]
	for j, sub := range n.Subscribers {
		if sub["SubscriptionType"] == in.Subscriber["SubscriptionType"] && sub["Address"] == in.Subscriber["Address"] {
			return n, j, nil
		}
	}
	return n, -1, nil
}

func (s *Server) createSubscriber(in *subscriberIn) (any, error) {
	n, j, err := s.subscriberIndex(in)
	if err != nil {
		return nil, err
	}
	if j >= 0 {
		return nil, budgetErr("DuplicateRecordException", "Error creating subscriber: the subscriber already exists.")
	}
	if err := checkSubscribers(append(append([]map[string]any{}, n.Subscribers...), in.Subscriber)); err != nil {
		return nil, err
	}
	n.Subscribers = append(n.Subscribers, in.Subscriber)
	return nil, nil
}

func (s *Server) deleteSubscriber(in *subscriberIn) (any, error) {
	n, j, err := s.subscriberIndex(in)
	if err != nil {
		return nil, err
	}
	if j < 0 {
		return nil, budgetErr("NotFoundException", "Unable to delete subscriber: the subscriber doesn't exist.")
	}
	n.Subscribers = append(n.Subscribers[:j], n.Subscribers[j+1:]...)
	return nil, nil
}

func (s *Server) describeSubscribers(in *struct {
	pageIn
	notificationIn
}) (any, error) {
	b, i, err := s.findNotification(&in.notificationIn)
	if err != nil {
		return nil, err
	}
	if i < 0 {
		return nil, budgetErr("NotFoundException", "Unable to find the notification.")
	}
	items, next, err := page(s, b.Notifications[i].Subscribers, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return nil, budgetErr("InvalidNextTokenException", "The NextToken is not valid.")
	}
	return map[string]any{"Subscribers": nonNil(items), "NextToken": next}, nil
}

func (s *Server) budgetByArn(arn string) (*budget, error) {
	prefix := "arn:aws:budgets::" + s.cfg.ManagementAccountID + ":budget/"
	if b := s.budgets[strings.TrimPrefix(arn, prefix)]; b != nil && strings.HasPrefix(arn, prefix) {
		return b, nil
	}
	return nil, budgetErr("NotFoundException", "Resource %s does not exist.", arn)
}

func (s *Server) budgetTag(in *struct {
	ResourceARN  string
	ResourceTags []tag
}) (any, error) {
	b, err := s.budgetByArn(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	for _, t := range in.ResourceTags {
		b.Tags[t.Key] = t.Value
	}
	if len(b.Tags) > 200 {
		return nil, budgetErr("ServiceQuotaExceededException", "A budget may have at most 200 tags.")
	}
	return nil, nil
}

func (s *Server) budgetUntag(in *struct {
	ResourceARN     string
	ResourceTagKeys []string
}) (any, error) {
	b, err := s.budgetByArn(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	for _, k := range in.ResourceTagKeys {
		delete(b.Tags, k)
	}
	return nil, nil
}

func (s *Server) budgetListTags(in *struct{ ResourceARN string }) (any, error) {
	b, err := s.budgetByArn(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	return map[string]any{"ResourceTags": tagList(b.Tags)}, nil
}

func (s *Server) budgetsSnapshot() []map[string]any {
	out := []map[string]any{}
	for _, name := range sortedKeys(s.budgets) {
		b := s.budgets[name]
		var notes []map[string]any
		for _, n := range b.Notifications {
			notes = append(notes, map[string]any{"notification": n.Notification, "subscribers": n.Subscribers})
		}
		out = append(out, map[string]any{"budget": s.budgetOut(b), "notifications": notes, "tags": b.Tags})
	}
	return out
}
