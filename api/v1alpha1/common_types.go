// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Condition types, following kstatus.
const (
	// ConditionReady is True when AWS matches the spec of status.observedGeneration.
	ConditionReady = "Ready"
	// ConditionReconciling is present (True) only while work is in progress.
	ConditionReconciling = "Reconciling"
	// ConditionStalled is present (True) only when progress needs a human.
	ConditionStalled = "Stalled"
)

// Condition reasons shared by every kind.
const (
	ReasonReady              = "Ready"
	ReasonCreating           = "Creating"
	ReasonUpdating           = "Updating"
	ReasonDeleting           = "Deleting"
	ReasonProgressing        = "Progressing"
	ReasonWaiting            = "Waiting"
	ReasonReconcileError     = "ReconcileError"
	ReasonNotAllowed         = "NotAllowed"
	ReasonInvalidSpec        = "InvalidSpec"
	ReasonAWSRefused         = "AWSRefused"
	ReasonNameTaken          = "NameTaken"
	ReasonQuotaExceeded      = "QuotaExceeded"
	ReasonDependencyNotReady = "DependencyNotReady"
	// ReasonChangesPending: AWS differs from the spec and the operator does not change
	// it (managementPolicy Observe, or removals held after an adoption).
	ReasonChangesPending = "ChangesPending"
	// ReasonNotConverging: AWS still differs after the operator changed it several times.
	ReasonNotConverging = "NotConverging"
	// ReasonAccessDenied: the operator's AWS credentials may not make a call.
	ReasonAccessDenied = "AccessDenied"
	// ReasonInvalidPolicy: a policy document breaks the IAM grammar or its type's rules;
	// found before any AWS call.
	ReasonInvalidPolicy = "InvalidPolicy"
	// ReasonWouldLockOut: a change of an SCP would leave accounts with nothing allowed;
	// refused before AWS sees it unless the spec says allowLockout.
	ReasonWouldLockOut = "WouldLockOut"
)

// AllowRemovalsOnAdoption is the annotation that lets an object that adopted an
// existing AWS object remove from it what the spec does not list.
const AllowRemovalsOnAdoption = "org.awsorg.dev/allow-removals-on-adoption"

// ManagementPolicy says whether the operator changes AWS for an object.
// +kubebuilder:validation:Enum=Manage;Observe
type ManagementPolicy string

const (
	// Manage makes AWS match the spec.
	Manage ManagementPolicy = "Manage"
	// Observe only reads AWS: it reports what Manage would change in
	// status.plannedChanges, and never writes to AWS, not even when the object is deleted.
	Observe ManagementPolicy = "Observe"
)

// DeletionPolicy says what happens in AWS when the object is deleted from Kubernetes.
// +kubebuilder:validation:Enum=Delete;Retain
type DeletionPolicy string

const (
	// DeletionPolicyDelete deletes the AWS object.
	DeletionPolicyDelete DeletionPolicy = "Delete"
	// DeletionPolicyRetain leaves the AWS object untouched.
	DeletionPolicyRetain DeletionPolicy = "Retain"
)

// LocalRef names another object of this API, by its Kubernetes name.
type LocalRef struct {
	// name of the referenced object.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// NamespacedRef names a namespaced object of this API. An empty namespace means the
// namespace of the referring object (or, for cluster-scoped referrers, the operator's).
type NamespacedRef struct {
	// name of the referenced object.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
	// namespace of the referenced object.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	Namespace string `json:"namespace,omitempty"`
}

// Tags are applied to the AWS object and kept in sync. AWS allows 50 tags; the
// operator adds one, awsorg.dev/owner, that records which object owns the AWS object.
// +kubebuilder:validation:MaxProperties=49
type Tags map[string]string

// ResourceStatus is the part of the status every kind shares.
type ResourceStatus struct {
	// observedGeneration is the generation of the spec that AWS last matched.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// conditions: Ready always; Reconciling and Stalled only while True.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// id is the AWS identifier, written as soon as AWS returns it.
	// +optional
	ID string `json:"id,omitempty"`
	// arn is the AWS ARN, written as soon as AWS returns it.
	// +optional
	ARN string `json:"arn,omitempty"`
	// managementPolicy is the policy in force: the spec's, or the operator's default.
	// +optional
	ManagementPolicy ManagementPolicy `json:"managementPolicy,omitempty"`
	// plannedChanges lists, one line each, the AWS changes that Manage makes (or is
	// making) for the current spec; empty when AWS matches it.
	// +optional
	PlannedChanges []string `json:"plannedChanges,omitempty"`
	// pendingChanges is the number of plannedChanges.
	// +optional
	PendingChanges int `json:"pendingChanges,omitempty"`
	// adopting is true from the moment the object takes over an AWS object it did not
	// create until AWS first matches the spec; meanwhile removals wait for the
	// org.awsorg.dev/allow-removals-on-adoption annotation.
	// +optional
	Adopting bool `json:"adopting,omitempty"`
}

// GetResourceStatus returns the shared part of the status.
func (s *ResourceStatus) GetResourceStatus() *ResourceStatus { return s }
