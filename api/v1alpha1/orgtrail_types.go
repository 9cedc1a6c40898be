// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// DataResource selects data events of one resource type.
type DataResource struct {
	Type string `json:"type"`
	// +optional
	Values []string `json:"values,omitempty"`
}

// EventSelector is a basic CloudTrail event selector.
type EventSelector struct {
	// +optional
	// +kubebuilder:default=All
	// +kubebuilder:validation:Enum=ReadOnly;WriteOnly;All
	ReadWriteType string `json:"readWriteType,omitempty"`
	// +optional
	// +kubebuilder:default=true
	IncludeManagementEvents *bool `json:"includeManagementEvents,omitempty"`
	// +optional
	DataResources []DataResource `json:"dataResources,omitempty"`
	// +optional
	ExcludeManagementEventSources []string `json:"excludeManagementEventSources,omitempty"`
}

// FieldSelector is one condition of an advanced event selector.
type FieldSelector struct {
	Field string `json:"field"`
	// +optional
	Equals []string `json:"equals,omitempty"`
	// +optional
	StartsWith []string `json:"startsWith,omitempty"`
	// +optional
	EndsWith []string `json:"endsWith,omitempty"`
	// +optional
	NotEquals []string `json:"notEquals,omitempty"`
	// +optional
	NotStartsWith []string `json:"notStartsWith,omitempty"`
	// +optional
	NotEndsWith []string `json:"notEndsWith,omitempty"`
}

// AdvancedEventSelector is a CloudTrail advanced event selector.
type AdvancedEventSelector struct {
	// +optional
	Name string `json:"name,omitempty"`
	// +kubebuilder:validation:MinItems=1
	FieldSelectors []FieldSelector `json:"fieldSelectors"`
}

// InsightSelector turns on a CloudTrail Insights type.
type InsightSelector struct {
	// +kubebuilder:validation:Enum=ApiCallRateInsight;ApiErrorRateInsight
	InsightType string `json:"insightType"`
}

// OrgTrailSpec is the desired state of the organization's CloudTrail trail.
// +kubebuilder:validation:XValidation:rule="!(has(self.eventSelectors) && size(self.eventSelectors) > 0 && has(self.advancedEventSelectors) && size(self.advancedEventSelectors) > 0)",message="set eventSelectors or advancedEventSelectors, not both"
type OrgTrailSpec struct {
	// +optional
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9]([A-Za-z0-9]|[._-][A-Za-z0-9])*$`
	Name string `json:"name,omitempty"`
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=63
	S3BucketName string `json:"s3BucketName"`
	// +optional
	S3KeyPrefix string `json:"s3KeyPrefix,omitempty"`
	// +optional
	SNSTopicName string `json:"snsTopicName,omitempty"`
	// +optional
	KMSKeyID string `json:"kmsKeyId,omitempty"`
	// +optional
	CloudWatchLogsLogGroupARN string `json:"cloudWatchLogsLogGroupArn,omitempty"`
	// +optional
	CloudWatchLogsRoleARN string `json:"cloudWatchLogsRoleArn,omitempty"`
	// +optional
	// +kubebuilder:default=true
	MultiRegion *bool `json:"multiRegion,omitempty"`
	// +optional
	// +kubebuilder:default=true
	LogFileValidation *bool `json:"logFileValidation,omitempty"`
	// +optional
	// +kubebuilder:default=true
	IncludeGlobalServiceEvents *bool `json:"includeGlobalServiceEvents,omitempty"`
	// +optional
	// +kubebuilder:default=true
	Logging *bool `json:"logging,omitempty"`
	// +optional
	// +kubebuilder:validation:MaxItems=5
	EventSelectors []EventSelector `json:"eventSelectors,omitempty"`
	// +optional
	AdvancedEventSelectors []AdvancedEventSelector `json:"advancedEventSelectors,omitempty"`
	// +optional
	InsightSelectors []InsightSelector `json:"insightSelectors,omitempty"`
	// +optional
	Tags Tags `json:"tags,omitempty"`
	// deletionPolicy defaults to Retain: losing the organization's audit log is never
	// what a prune meant.
	// +optional
	// +kubebuilder:default=Retain
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`
}

// OrgTrailStatus is the observed state of the trail.
type OrgTrailStatus struct {
	ResourceStatus `json:",inline"`
	// +optional
	HomeRegion string `json:"homeRegion,omitempty"`
	// +optional
	IsLogging bool `json:"isLogging,omitempty"`
	// +optional
	LatestDeliveryError string `json:"latestDeliveryError,omitempty"`
	// kmsKeyArn is the key ARN CloudTrail reported for spec.kmsKeyId when the operator
	// last set it (CloudTrail resolves aliases to key ARNs).
	// +optional
	KMSKeyARN string `json:"kmsKeyArn,omitempty"`
	// appliedKmsKeyId is the spec.kmsKeyId that kmsKeyArn was resolved from.
	// +optional
	AppliedKMSKeyID string `json:"appliedKmsKeyId,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=trail,categories=awsorg
// +kubebuilder:printcolumn:name="AWS Name",type=string,JSONPath=`.spec.name`
// +kubebuilder:printcolumn:name="Logging",type=boolean,JSONPath=`.status.isLogging`
// +kubebuilder:printcolumn:name="Region",type=string,JSONPath=`.status.homeRegion`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// OrgTrail is the organization's CloudTrail trail.
type OrgTrail struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec OrgTrailSpec `json:"spec"`
	// +optional
	Status OrgTrailStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// OrgTrailList is a list of OrgTrails.
type OrgTrailList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []OrgTrail `json:"items"`
}

// AWSName returns the trail's name in AWS.
func (t *OrgTrail) AWSName() string { return nameOr(t.Spec.Name, t.Name) }

// AWSStatus returns the status shared by every kind.
func (t *OrgTrail) AWSStatus() *ResourceStatus { return &t.Status.ResourceStatus }

func init() { register(&OrgTrail{}, &OrgTrailList{}) }
