// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// DataResource selects data events of one resource type.
type DataResource struct {
	// type of resource, e.g. AWS::S3::Object or AWS::Lambda::Function.
	Type string `json:"type"`
	// values are ARN prefixes of the resources to log.
	// +optional
	Values []string `json:"values,omitempty"`
}

// EventSelector is a basic CloudTrail event selector.
type EventSelector struct {
	// readWriteType: ReadOnly, WriteOnly or All events.
	// +optional
	// +kubebuilder:default=All
	// +kubebuilder:validation:Enum=ReadOnly;WriteOnly;All
	ReadWriteType string `json:"readWriteType,omitempty"`
	// includeManagementEvents logs management (control plane) events.
	// +optional
	// +kubebuilder:default=true
	IncludeManagementEvents *bool `json:"includeManagementEvents,omitempty"`
	// dataResources select data events to log.
	// +optional
	DataResources []DataResource `json:"dataResources,omitempty"`
	// excludeManagementEventSources leaves out event sources, e.g. kms.amazonaws.com.
	// +optional
	ExcludeManagementEventSources []string `json:"excludeManagementEventSources,omitempty"`
}

// FieldSelector is one condition of an advanced event selector.
type FieldSelector struct {
	// field to match, e.g. eventCategory, resources.type.
	Field string `json:"field"`
	// equals: the field is one of these values.
	// +optional
	Equals []string `json:"equals,omitempty"`
	// startsWith: the field starts with one of these.
	// +optional
	StartsWith []string `json:"startsWith,omitempty"`
	// endsWith: the field ends with one of these.
	// +optional
	EndsWith []string `json:"endsWith,omitempty"`
	// notEquals: the field is none of these values.
	// +optional
	NotEquals []string `json:"notEquals,omitempty"`
	// notStartsWith: the field starts with none of these.
	// +optional
	NotStartsWith []string `json:"notStartsWith,omitempty"`
	// notEndsWith: the field ends with none of these.
	// +optional
	NotEndsWith []string `json:"notEndsWith,omitempty"`
}

// AdvancedEventSelector is a CloudTrail advanced event selector.
type AdvancedEventSelector struct {
	// name of the selector, for people.
	// +optional
	Name string `json:"name,omitempty"`
	// fieldSelectors must all match for an event to be logged.
	// +kubebuilder:validation:MinItems=1
	FieldSelectors []FieldSelector `json:"fieldSelectors"`
}

// InsightSelector turns on a CloudTrail Insights type.
type InsightSelector struct {
	// insightType: ApiCallRateInsight or ApiErrorRateInsight.
	// +kubebuilder:validation:Enum=ApiCallRateInsight;ApiErrorRateInsight
	InsightType string `json:"insightType"`
}

// OrgTrailSpec is the desired state of the organization's CloudTrail trail.
// +kubebuilder:validation:XValidation:rule="!(has(self.eventSelectors) && size(self.eventSelectors) > 0 && has(self.advancedEventSelectors) && size(self.advancedEventSelectors) > 0)",message="set eventSelectors or advancedEventSelectors, not both"
type OrgTrailSpec struct {
	// name of the trail in AWS; defaults to metadata.name. 3 to 128 letters, digits, ".", "_" or "-".
	// +optional
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9]([A-Za-z0-9]|[._-][A-Za-z0-9])*$`
	Name string `json:"name,omitempty"`
	// s3BucketName is the bucket the logs go to; its policy must let CloudTrail write.
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=63
	S3BucketName string `json:"s3BucketName"`
	// s3KeyPrefix is the prefix of the log objects.
	// +optional
	S3KeyPrefix string `json:"s3KeyPrefix,omitempty"`
	// snsTopicName is notified of each log file delivered.
	// +optional
	SNSTopicName string `json:"snsTopicName,omitempty"`
	// kmsKeyId encrypts the logs: a key id, key ARN, alias or alias ARN.
	// +optional
	KMSKeyID string `json:"kmsKeyId,omitempty"`
	// cloudWatchLogsLogGroupArn also sends the logs to CloudWatch Logs (with cloudWatchLogsRoleArn).
	// +optional
	CloudWatchLogsLogGroupARN string `json:"cloudWatchLogsLogGroupArn,omitempty"`
	// cloudWatchLogsRoleArn is the role CloudTrail assumes to write to CloudWatch Logs.
	// +optional
	CloudWatchLogsRoleARN string `json:"cloudWatchLogsRoleArn,omitempty"`
	// multiRegion logs every region.
	// +optional
	// +kubebuilder:default=true
	MultiRegion *bool `json:"multiRegion,omitempty"`
	// logFileValidation writes digest files to prove logs were not changed.
	// +optional
	// +kubebuilder:default=true
	LogFileValidation *bool `json:"logFileValidation,omitempty"`
	// includeGlobalServiceEvents logs global services such as IAM.
	// +optional
	// +kubebuilder:default=true
	IncludeGlobalServiceEvents *bool `json:"includeGlobalServiceEvents,omitempty"`
	// logging turns logging on (StartLogging) or off (StopLogging).
	// +optional
	// +kubebuilder:default=true
	Logging *bool `json:"logging,omitempty"`
	// eventSelectors choose the events to log; none means all management events.
	// +optional
	// +kubebuilder:validation:MaxItems=5
	EventSelectors []EventSelector `json:"eventSelectors,omitempty"`
	// advancedEventSelectors choose events finely; not with eventSelectors.
	// +optional
	AdvancedEventSelectors []AdvancedEventSelector `json:"advancedEventSelectors,omitempty"`
	// insightSelectors turn on CloudTrail Insights; empty turns it off.
	// +optional
	InsightSelectors []InsightSelector `json:"insightSelectors,omitempty"`
	// +optional
	Tags Tags `json:"tags,omitempty"`
	// deletionPolicy defaults to Retain: losing the organization's audit log is never
	// what a prune meant.
	// +optional
	// +kubebuilder:default=Retain
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`

	// managementPolicy: Manage makes AWS match the spec; Observe only reads AWS and
	// reports the changes Manage would make in status.plannedChanges. Empty means the
	// operator's default (--default-management-policy).
	// +optional
	ManagementPolicy ManagementPolicy `json:"managementPolicy,omitempty"`
}

// OrgTrailStatus is the observed state of the trail.
type OrgTrailStatus struct {
	ResourceStatus `json:",inline"`
	// homeRegion is the region the trail was created in.
	// +optional
	HomeRegion string `json:"homeRegion,omitempty"`
	// isLogging says whether the trail is logging.
	// +optional
	IsLogging bool `json:"isLogging,omitempty"`
	// latestDeliveryError is the last error delivering logs to S3, if any.
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

// +kubebuilder:validation:XValidation:rule="(has(self.spec.name) ? self.spec.name : self.metadata.name) == (has(oldSelf.spec.name) ? oldSelf.spec.name : oldSelf.metadata.name)",message="the trail name (spec.name, or metadata.name when it is unset) cannot change: CloudTrail cannot rename a trail; create a new OrgTrail object with the new name, then delete this one (with deletionPolicy Delete to remove the old trail)"
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=trail,categories=awsorg
// +kubebuilder:printcolumn:name="AWS Name",type=string,JSONPath=`.spec.name`
// +kubebuilder:printcolumn:name="Logging",type=boolean,JSONPath=`.status.isLogging`
// +kubebuilder:printcolumn:name="ARN",type=string,JSONPath=`.status.arn`
// +kubebuilder:printcolumn:name="Region",type=string,JSONPath=`.status.homeRegion`
// +kubebuilder:printcolumn:name="Pending",type=integer,JSONPath=`.status.pendingChanges`
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

// GetManagementPolicy returns the spec's management policy ("" for the default).
func (t *OrgTrail) GetManagementPolicy() ManagementPolicy { return t.Spec.ManagementPolicy }

func init() { register(&OrgTrail{}, &OrgTrailList{}) }
