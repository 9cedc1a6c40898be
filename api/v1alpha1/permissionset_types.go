// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// CustomerManagedPolicyRef names an IAM policy that exists in each target account.
type CustomerManagedPolicyRef struct {
	// name of the IAM policy.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:Pattern=`^[\w+=,.@-]+$`
	Name string `json:"name"`
	// path of the IAM policy.
	// +optional
	// +kubebuilder:default="/"
	// +kubebuilder:validation:Pattern=`^((/[A-Za-z0-9\.,\+@=_-]+)*)/$`
	Path string `json:"path,omitempty"`
}

// PermissionsBoundary is either an AWS managed policy or a customer managed policy.
// +kubebuilder:validation:XValidation:rule="has(self.managedPolicyArn) != has(self.customerManagedPolicy)",message="set exactly one of managedPolicyArn and customerManagedPolicy"
type PermissionsBoundary struct {
	// managedPolicyArn is an AWS managed policy, e.g. arn:aws:iam::aws:policy/PowerUserAccess.
	// +optional
	ManagedPolicyArn string `json:"managedPolicyArn,omitempty"`
	// customerManagedPolicy is an IAM policy that exists in each target account.
	// +optional
	CustomerManagedPolicy *CustomerManagedPolicyRef `json:"customerManagedPolicy,omitempty"`
}

// Principal is an Identity Center group or user, by display name or id.
// +kubebuilder:validation:XValidation:rule="has(self.name) != has(self.id)",message="set exactly one of name and id"
type Principal struct {
	// type of the principal: GROUP or USER.
	// +kubebuilder:validation:Enum=GROUP;USER
	Type string `json:"type"`
	// name is the group's display name or the user's user name.
	// +optional
	Name string `json:"name,omitempty"`
	// id is the identity store id.
	// +optional
	ID string `json:"id,omitempty"`
}

// Assignment gives a principal the permission set on some accounts.
type Assignment struct {
	// principal is the group or user to assign.
	Principal Principal `json:"principal"`
	// accountRefs name Accounts (namespace defaults to the operator's namespace).
	// +optional
	AccountRefs []NamespacedRef `json:"accountRefs,omitempty"`
	// accountIds are raw ids of accounts this operator does not manage.
	// +optional
	// +kubebuilder:validation:items:Pattern=`^\d{12}$`
	AccountIDs []string `json:"accountIds,omitempty"`
}

// PermissionSetSpec is the desired state of an IAM Identity Center permission set.
type PermissionSetSpec struct {
	// name of the permission set in AWS; defaults to metadata.name. It cannot change in AWS.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern=`^[\w+=,.@-]+$`
	Name string `json:"name,omitempty"`
	// description of the permission set.
	// +optional
	// +kubebuilder:validation:MaxLength=700
	Description string `json:"description,omitempty"`
	// sessionDuration is an ISO-8601 duration from PT1H to PT12H.
	// +optional
	// +kubebuilder:default=PT1H
	// +kubebuilder:validation:Pattern=`^PT([1-9]|1[0-2])H$|^PT([6-9][0-9]|[1-6][0-9]{2}|7[01][0-9]|720)M$`
	SessionDuration string `json:"sessionDuration,omitempty"`
	// relayState is the URL users land on in the AWS console.
	// +optional
	// +kubebuilder:validation:MaxLength=240
	RelayState string `json:"relayState,omitempty"`
	// managedPolicies are ARNs of AWS managed policies to attach.
	// +optional
	// +kubebuilder:validation:MaxItems=20
	ManagedPolicies []string `json:"managedPolicies,omitempty"`
	// customerManagedPolicies are IAM policies, by name and path, that exist in each account.
	// +optional
	// +kubebuilder:validation:MaxItems=20
	CustomerManagedPolicies []CustomerManagedPolicyRef `json:"customerManagedPolicies,omitempty"`
	// inlinePolicy is an IAM policy document as a structured object.
	// +optional
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	InlinePolicy *runtime.RawExtension `json:"inlinePolicy,omitempty"`
	// permissionsBoundary caps what the roles the set creates may do.
	// +optional
	PermissionsBoundary *PermissionsBoundary `json:"permissionsBoundary,omitempty"`
	// tags applied to the permission set and kept in sync.
	// +optional
	Tags Tags `json:"tags,omitempty"`
	// assignments give principals the permission set on accounts; removed ones are deleted in AWS.
	// +optional
	Assignments []Assignment `json:"assignments,omitempty"`
	// deletionPolicy: Delete removes the assignments, then the permission set.
	// +optional
	// +kubebuilder:default=Delete
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`

	// managementPolicy: Manage makes AWS match the spec; Observe only reads AWS and
	// reports the changes Manage would make in status.plannedChanges. Empty means the
	// operator's default (--default-management-policy).
	// +optional
	ManagementPolicy ManagementPolicy `json:"managementPolicy,omitempty"`
}

// PendingRequest is an Identity Center request in progress.
type PendingRequest struct {
	// type is Provision, CreateAssignment or DeleteAssignment.
	Type string `json:"type"`
	// requestId is AWS's id of the request.
	RequestID string `json:"requestId"`
	// accountId is the account the request is about, if one.
	// +optional
	AccountID string `json:"accountId,omitempty"`
	// principalType is the type of the principal of an assignment request.
	// +optional
	PrincipalType string `json:"principalType,omitempty"`
	// principalId is the principal of an assignment request.
	// +optional
	PrincipalID string `json:"principalId,omitempty"`
}

// PermissionSetStatus is the observed state of the permission set.
type PermissionSetStatus struct {
	ResourceStatus `json:",inline"`
	// instanceArn is the IAM Identity Center instance that holds the permission set.
	// +optional
	InstanceARN string `json:"instanceArn,omitempty"`
	// provisionedAccountIds are the accounts where the latest version is provisioned.
	// +optional
	ProvisionedAccountIDs []string `json:"provisionedAccountIds,omitempty"`
	// pendingRequests are provisioning and assignment requests in progress.
	// +optional
	PendingRequests []PendingRequest `json:"pendingRequests,omitempty"`
	// failure is AWS's reason for the last request that failed, while the spec of
	// failedGeneration stands.
	// +optional
	Failure string `json:"failure,omitempty"`
	// failedGeneration is the generation of the spec whose request failed.
	// +optional
	FailedGeneration int64 `json:"failedGeneration,omitempty"`
	// resolvedAccounts are the account ids the accountRefs resolved to. While a
	// reference does not resolve (its Account is being created, or was deleted and
	// retained), its assignments stay as they were.
	// +optional
	ResolvedAccounts []ResolvedRef `json:"resolvedAccounts,omitempty"`
}

// +kubebuilder:validation:XValidation:rule="(has(self.spec.name) ? self.spec.name : self.metadata.name) == (has(oldSelf.spec.name) ? oldSelf.spec.name : oldSelf.metadata.name)",message="the permission set name (spec.name, or metadata.name when it is unset) cannot change: IAM Identity Center cannot rename a permission set; create a new PermissionSet object with the new name and delete this one"
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=ps,categories=awsorg
// +kubebuilder:printcolumn:name="AWS Name",type=string,JSONPath=`.spec.name`
// +kubebuilder:printcolumn:name="ARN",type=string,JSONPath=`.status.arn`,priority=1
// +kubebuilder:printcolumn:name="Pending",type=integer,JSONPath=`.status.pendingChanges`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// PermissionSet is an IAM Identity Center permission set, its policies and its assignments.
type PermissionSet struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +optional
	Spec PermissionSetSpec `json:"spec,omitempty"`
	// +optional
	Status PermissionSetStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// PermissionSetList is a list of PermissionSets.
type PermissionSetList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []PermissionSet `json:"items"`
}

// AWSName returns the permission set's name in AWS.
func (p *PermissionSet) AWSName() string { return nameOr(p.Spec.Name, p.Name) }

// AWSStatus returns the status shared by every kind.
func (p *PermissionSet) AWSStatus() *ResourceStatus { return &p.Status.ResourceStatus }

// GetManagementPolicy returns the spec's management policy ("" for the default).
func (p *PermissionSet) GetManagementPolicy() ManagementPolicy { return p.Spec.ManagementPolicy }

func init() { register(&PermissionSet{}, &PermissionSetList{}) }
