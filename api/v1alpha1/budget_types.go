// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Spend is an amount of money or usage.
type Spend struct {
	// amount as a decimal string; compared numerically ("100" equals "100.0").
	// +kubebuilder:validation:Pattern=`^([0-9]*\.)?[0-9]+$`
	Amount string `json:"amount"`
	// unit of the amount, e.g. USD (or GB for usage budgets).
	// +kubebuilder:validation:MinLength=1
	Unit string `json:"unit"`
}

// Subscriber receives a budget notification.
type Subscriber struct {
	// type of the subscriber: EMAIL or SNS.
	// +kubebuilder:validation:Enum=EMAIL;SNS
	Type string `json:"type"`
	// address is the email address or the SNS topic ARN.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2147483647
	Address string `json:"address"`
}

// Notification is a budget alert.
type Notification struct {
	// type of spend that triggers the alert: ACTUAL or FORECASTED.
	// +kubebuilder:validation:Enum=ACTUAL;FORECASTED
	Type string `json:"type"`
	// comparison of the spend with the threshold.
	// +optional
	// +kubebuilder:default=GREATER_THAN
	// +kubebuilder:validation:Enum=GREATER_THAN;LESS_THAN;EQUAL_TO
	Comparison string `json:"comparison,omitempty"`
	// threshold is a percentage of the limit, or an amount (thresholdType).
	// +kubebuilder:validation:Minimum=0
	Threshold float64 `json:"threshold"`
	// thresholdType: PERCENTAGE (the default) or ABSOLUTE_VALUE.
	// +optional
	// +kubebuilder:default=PERCENTAGE
	// +kubebuilder:validation:Enum=PERCENTAGE;ABSOLUTE_VALUE
	ThresholdType string `json:"thresholdType,omitempty"`
	// subscribers receive the alert: at most 10 emails and 1 SNS topic.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=11
	Subscribers []Subscriber `json:"subscribers"`
}

// BudgetSpec is the desired state of an AWS Budgets budget in the management account.
type BudgetSpec struct {
	// name of the budget in AWS; defaults to metadata.name. No ":" or "\\".
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=100
	// +kubebuilder:validation:Pattern=`^[^:\\]+$`
	Name string `json:"name,omitempty"`
	// budgetType: what the budget tracks.
	// +optional
	// +kubebuilder:default=COST
	// +kubebuilder:validation:Enum=USAGE;COST;RI_UTILIZATION;RI_COVERAGE;SAVINGS_PLANS_UTILIZATION;SAVINGS_PLANS_COVERAGE
	BudgetType string `json:"budgetType,omitempty"`
	// timeUnit: the period the limit applies to.
	// +optional
	// +kubebuilder:default=MONTHLY
	// +kubebuilder:validation:Enum=DAILY;MONTHLY;QUARTERLY;ANNUALLY
	TimeUnit string `json:"timeUnit,omitempty"`
	// limit of the budget for each period.
	Limit Spend `json:"limit"`
	// accountRef names a same-namespace Account that filters the budget to it.
	// Required outside the operator's own namespace.
	// +optional
	AccountRef *LocalRef `json:"accountRef,omitempty"`
	// costFilters limit what the budget counts, e.g. {Service: [Amazon Simple Storage Service]}.
	// +optional
	CostFilters map[string][]string `json:"costFilters,omitempty"`
	// notifications are the budget's alerts, kept in sync with their subscribers.
	// +optional
	// +kubebuilder:validation:MaxItems=10
	Notifications []Notification `json:"notifications,omitempty"`
	// tags applied to the budget and kept in sync.
	// +optional
	Tags Tags `json:"tags,omitempty"`
	// deletionPolicy: Delete removes the budget from AWS; Retain leaves it.
	// +optional
	// +kubebuilder:default=Delete
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`

	// managementPolicy: Manage makes AWS match the spec; Observe only reads AWS and
	// reports the changes Manage would make in status.plannedChanges. Empty means the
	// operator's default (--default-management-policy).
	// +optional
	ManagementPolicy ManagementPolicy `json:"managementPolicy,omitempty"`
}

// BudgetStatus is the observed state of the budget.
type BudgetStatus struct {
	ResourceStatus `json:",inline"`
	// actualSpend is what AWS computed for the current period.
	// +optional
	ActualSpend *Spend `json:"actualSpend,omitempty"`
	// forecastedSpend is what AWS forecasts for the current period.
	// +optional
	ForecastedSpend *Spend `json:"forecastedSpend,omitempty"`
}

// +kubebuilder:validation:XValidation:rule="(has(self.spec.name) ? self.spec.name : self.metadata.name) == (has(oldSelf.spec.name) ? oldSelf.spec.name : oldSelf.metadata.name)",message="the budget name (spec.name, or metadata.name when it is unset) cannot change: AWS Budgets cannot rename a budget; create a new Budget object with the new name and delete this one"
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Namespaced,shortName=bud,categories=awsorg
// +kubebuilder:printcolumn:name="AWS Name",type=string,JSONPath=`.spec.name`
// +kubebuilder:printcolumn:name="Limit",type=string,JSONPath=`.spec.limit.amount`
// +kubebuilder:printcolumn:name="Actual",type=string,JSONPath=`.status.actualSpend.amount`
// +kubebuilder:printcolumn:name="Pending",type=integer,JSONPath=`.status.pendingChanges`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// Budget is an AWS Budgets budget with its notifications and subscribers.
type Budget struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec BudgetSpec `json:"spec"`
	// +optional
	Status BudgetStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// BudgetList is a list of Budgets.
type BudgetList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Budget `json:"items"`
}

// AWSName returns the budget's name in AWS.
func (b *Budget) AWSName() string { return nameOr(b.Spec.Name, b.Name) }

// AWSStatus returns the status shared by every kind.
func (b *Budget) AWSStatus() *ResourceStatus { return &b.Status.ResourceStatus }

// GetManagementPolicy returns the spec's management policy ("" for the default).
func (b *Budget) GetManagementPolicy() ManagementPolicy { return b.Spec.ManagementPolicy }

func init() { register(&Budget{}, &BudgetList{}) }
