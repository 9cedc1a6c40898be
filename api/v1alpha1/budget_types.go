// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Spend is an amount of money or usage.
type Spend struct {
	// amount as a decimal string; compared numerically ("100" equals "100.0").
	// +kubebuilder:validation:Pattern=`^([0-9]*\.)?[0-9]+$`
	Amount string `json:"amount"`
	// +kubebuilder:validation:MinLength=1
	Unit string `json:"unit"`
}

// Subscriber receives a budget notification.
type Subscriber struct {
	// +kubebuilder:validation:Enum=EMAIL;SNS
	Type string `json:"type"`
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2147483647
	Address string `json:"address"`
}

// Notification is a budget alert.
type Notification struct {
	// +kubebuilder:validation:Enum=ACTUAL;FORECASTED
	Type string `json:"type"`
	// +optional
	// +kubebuilder:default=GREATER_THAN
	// +kubebuilder:validation:Enum=GREATER_THAN;LESS_THAN;EQUAL_TO
	Comparison string `json:"comparison,omitempty"`
	// +kubebuilder:validation:Minimum=0
	Threshold float64 `json:"threshold"`
	// +optional
	// +kubebuilder:default=PERCENTAGE
	// +kubebuilder:validation:Enum=PERCENTAGE;ABSOLUTE_VALUE
	ThresholdType string `json:"thresholdType,omitempty"`
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=11
	Subscribers []Subscriber `json:"subscribers"`
}

// BudgetSpec is the desired state of an AWS Budgets budget in the management account.
type BudgetSpec struct {
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=100
	// +kubebuilder:validation:Pattern=`^[^:\\]+$`
	Name string `json:"name,omitempty"`
	// +optional
	// +kubebuilder:default=COST
	// +kubebuilder:validation:Enum=USAGE;COST;RI_UTILIZATION;RI_COVERAGE;SAVINGS_PLANS_UTILIZATION;SAVINGS_PLANS_COVERAGE
	BudgetType string `json:"budgetType,omitempty"`
	// +optional
	// +kubebuilder:default=MONTHLY
	// +kubebuilder:validation:Enum=DAILY;MONTHLY;QUARTERLY;ANNUALLY
	TimeUnit string `json:"timeUnit,omitempty"`
	Limit    Spend  `json:"limit"`
	// accountRef names a same-namespace Account that filters the budget to it.
	// Required outside the operator's own namespace.
	// +optional
	AccountRef *LocalRef `json:"accountRef,omitempty"`
	// +optional
	CostFilters map[string][]string `json:"costFilters,omitempty"`
	// +optional
	// +kubebuilder:validation:MaxItems=10
	Notifications []Notification `json:"notifications,omitempty"`
	// +optional
	Tags Tags `json:"tags,omitempty"`
	// +optional
	// +kubebuilder:default=Delete
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`
}

// BudgetStatus is the observed state of the budget.
type BudgetStatus struct {
	ResourceStatus `json:",inline"`
	// +optional
	ActualSpend *Spend `json:"actualSpend,omitempty"`
	// +optional
	ForecastedSpend *Spend `json:"forecastedSpend,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Namespaced,shortName=bud,categories=awsorg
// +kubebuilder:printcolumn:name="AWS Name",type=string,JSONPath=`.spec.name`
// +kubebuilder:printcolumn:name="Limit",type=string,JSONPath=`.spec.limit.amount`
// +kubebuilder:printcolumn:name="Actual",type=string,JSONPath=`.status.actualSpend.amount`
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

func init() { register(&Budget{}, &BudgetList{}) }
