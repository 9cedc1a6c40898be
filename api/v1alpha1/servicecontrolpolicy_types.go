// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Policy types this kind manages.
const (
	PolicyTypeSCP = "SERVICE_CONTROL_POLICY"
	PolicyTypeRCP = "RESOURCE_CONTROL_POLICY"
)

// PolicyTargetRef names a target of a policy: the root, an OrganizationalUnit or an Account.
// +kubebuilder:validation:XValidation:rule="self.kind == 'Root' ? !has(self.name) : has(self.name)",message="a Root target has no name; OrganizationalUnit and Account targets need one"
// +kubebuilder:validation:XValidation:rule="self.kind == 'Account' || !has(self.namespace)",message="only Account targets have a namespace"
type PolicyTargetRef struct {
	// kind of the target.
	// +kubebuilder:validation:Enum=Root;OrganizationalUnit;Account
	Kind string `json:"kind"`
	// name of the OrganizationalUnit or Account object.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name,omitempty"`
	// namespace of the Account object; defaults to the operator's namespace.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	Namespace string `json:"namespace,omitempty"`
}

// ServiceControlPolicySpec is the desired state of an organization policy and its attachments.
type ServiceControlPolicySpec struct {
	// name of the policy in AWS; defaults to metadata.name.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	Name string `json:"name,omitempty"`

	// description of the policy.
	// +optional
	// +kubebuilder:validation:MaxLength=512
	Description string `json:"description,omitempty"`

	// type of the policy; it cannot change.
	// +optional
	// +kubebuilder:default=SERVICE_CONTROL_POLICY
	// +kubebuilder:validation:Enum=SERVICE_CONTROL_POLICY;RESOURCE_CONTROL_POLICY
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="type is immutable: AWS cannot change a policy's type; create a new object"
	Type string `json:"type,omitempty"`

	// document is the policy as a structured object (JSON pasted here is YAML too).
	// It is sent to AWS minified.
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	Document runtime.RawExtension `json:"document"`

	// targetRefs are the root, OUs and Accounts the policy is attached to.
	// +optional
	// +kubebuilder:validation:MaxItems=1000
	TargetRefs []PolicyTargetRef `json:"targetRefs,omitempty"`

	// targetIds are raw ids (r-, ou-, 12 digits) of targets this operator does not manage.
	// +optional
	// +kubebuilder:validation:MaxItems=1000
	// +kubebuilder:validation:items:Pattern=`^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\d{12})$`
	TargetIDs []string `json:"targetIds,omitempty"`

	// tags applied to the policy and kept in sync.
	// +optional
	Tags Tags `json:"tags,omitempty"`

	// allowLockout lets the policy leave a target with no SCP that allows anything, or
	// deny every action on every resource, unconditionally, on the root or an OU that
	// holds accounts. Without it the operator refuses such changes (WouldLockOut).
	// +optional
	AllowLockout bool `json:"allowLockout,omitempty"`

	// deletionPolicy: Delete detaches the policy from every target, then deletes it.
	// +optional
	// +kubebuilder:default=Delete
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`

	// managementPolicy: Manage makes AWS match the spec; Observe only reads AWS and
	// reports the changes Manage would make in status.plannedChanges. Empty means the
	// operator's default (--default-management-policy).
	// +optional
	ManagementPolicy ManagementPolicy `json:"managementPolicy,omitempty"`
}

// ServiceControlPolicyStatus is the observed state of the policy.
type ServiceControlPolicyStatus struct {
	ResourceStatus `json:",inline"`
	// attachedTargetIds are the targets the policy is attached to.
	// +optional
	AttachedTargetIDs []string `json:"attachedTargetIds,omitempty"`
	// affectedAccounts is the number of member accounts at or under the policy's targets:
	// its reach.
	// +optional
	AffectedAccounts int `json:"affectedAccounts"`
	// documentSize is the number of characters of the minified document AWS stores.
	// +optional
	DocumentSize int `json:"documentSize,omitempty"`
	// resolvedTargets are the AWS ids each targetRef resolved to. An id stays attached
	// while its reference is in the spec, even when the object it names is gone or now
	// names another AWS object, until the AWS target leaves the organization: deleting
	// and re-creating an Account never strips a policy from an account still in it.
	// +optional
	ResolvedTargets []ResolvedRef `json:"resolvedTargets,omitempty"`
}

// ResolvedRef records what a reference resolved to.
type ResolvedRef struct {
	// ref names the reference, e.g. "Account team-a/dev" or "OrganizationalUnit sandbox".
	Ref string `json:"ref"`
	// ids are the AWS ids it resolved to.
	IDs []string `json:"ids"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=scp;scps,categories=awsorg
// +kubebuilder:printcolumn:name="AWS Name",type=string,JSONPath=`.spec.name`
// +kubebuilder:printcolumn:name="ID",type=string,JSONPath=`.status.id`
// +kubebuilder:printcolumn:name="Targets",type=string,JSONPath=`.status.attachedTargetIds`
// +kubebuilder:printcolumn:name="Accounts",type=integer,JSONPath=`.status.affectedAccounts`
// +kubebuilder:printcolumn:name="Size",type=integer,JSONPath=`.status.documentSize`,priority=1
// +kubebuilder:printcolumn:name="Pending",type=integer,JSONPath=`.status.pendingChanges`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// ServiceControlPolicy is an AWS Organizations policy (SCP or RCP) and its attachments.
type ServiceControlPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec ServiceControlPolicySpec `json:"spec"`
	// +optional
	Status ServiceControlPolicyStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// ServiceControlPolicyList is a list of ServiceControlPolicies.
type ServiceControlPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ServiceControlPolicy `json:"items"`
}

// AWSName returns the policy's name in AWS.
func (p *ServiceControlPolicy) AWSName() string { return nameOr(p.Spec.Name, p.Name) }

// PolicyType returns the AWS policy type, SERVICE_CONTROL_POLICY when unset.
func (p *ServiceControlPolicy) PolicyType() string { return nameOr(p.Spec.Type, PolicyTypeSCP) }

// AWSStatus returns the status shared by every kind.
func (p *ServiceControlPolicy) AWSStatus() *ResourceStatus { return &p.Status.ResourceStatus }

// GetManagementPolicy returns the spec's management policy ("" for the default).
func (p *ServiceControlPolicy) GetManagementPolicy() ManagementPolicy { return p.Spec.ManagementPolicy }

func init() { register(&ServiceControlPolicy{}, &ServiceControlPolicyList{}) }
