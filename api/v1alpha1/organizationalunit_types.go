// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// OrganizationalUnitSpec is the desired state of an AWS Organizations OU.
// +kubebuilder:validation:XValidation:rule="!(has(self.parentRef) && has(self.parentId))",message="set at most one of parentRef and parentId; omit both to place the OU under the root"
// +kubebuilder:validation:XValidation:rule="has(self.parentRef) == has(oldSelf.parentRef) && (!has(self.parentRef) || self.parentRef.name == oldSelf.parentRef.name)",message="the parent of an OU cannot change: AWS cannot move OUs; create a new OrganizationalUnit under the new parent, move the accounts, then delete this one"
// +kubebuilder:validation:XValidation:rule="has(self.parentId) == has(oldSelf.parentId) && (!has(self.parentId) || self.parentId == oldSelf.parentId)",message="the parent of an OU cannot change: AWS cannot move OUs; create a new OrganizationalUnit under the new parent, move the accounts, then delete this one"
type OrganizationalUnitSpec struct {
	// name of the OU in AWS; defaults to metadata.name. Unique under its parent.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	Name string `json:"name,omitempty"`

	// parentRef names the parent OrganizationalUnit. Omit it and parentId for the root.
	// +optional
	ParentRef *LocalRef `json:"parentRef,omitempty"`

	// parentId is the raw id of a parent root or OU that this operator does not manage.
	// +optional
	// +kubebuilder:validation:Pattern=`^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`
	ParentID string `json:"parentId,omitempty"`

	// tags applied to the OU and kept in sync.
	// +optional
	Tags Tags `json:"tags,omitempty"`

	// accountPlacement says which namespaces may place Accounts in this OU.
	// +optional
	AccountPlacement *AccountPlacement `json:"accountPlacement,omitempty"`

	// deletionPolicy: Delete removes the OU from AWS (waiting while it is not empty);
	// Retain leaves it.
	// +optional
	// +kubebuilder:default=Delete
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`

	// managementPolicy: Manage makes AWS match the spec; Observe only reads AWS and
	// reports the changes Manage would make in status.plannedChanges. Empty means the
	// operator's default (--default-management-policy).
	// +optional
	ManagementPolicy ManagementPolicy `json:"managementPolicy,omitempty"`
}

// AccountPlacement controls self-service placement of Accounts in an OU.
type AccountPlacement struct {
	// namespaceSelector selects the namespaces whose Accounts may be placed in this OU.
	// When omitted, only the operator's own namespace may place accounts here.
	// +optional
	NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector,omitempty"`
}

// OrganizationalUnitStatus is the observed state of the OU.
type OrganizationalUnitStatus struct {
	ResourceStatus `json:",inline"`
	// parentId is the id of the root or OU that holds this OU.
	// +optional
	ParentID string `json:"parentId,omitempty"`
	// path is the OU's place in the tree, by name, e.g. Root/Workloads/Production.
	// +optional
	Path string `json:"path,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=ou;ous,categories=awsorg
// +kubebuilder:printcolumn:name="AWS Name",type=string,JSONPath=`.spec.name`
// +kubebuilder:printcolumn:name="ID",type=string,JSONPath=`.status.id`
// +kubebuilder:printcolumn:name="Path",type=string,JSONPath=`.status.path`
// +kubebuilder:printcolumn:name="Pending",type=integer,JSONPath=`.status.pendingChanges`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// OrganizationalUnit is an AWS Organizations organizational unit.
type OrganizationalUnit struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +optional
	Spec OrganizationalUnitSpec `json:"spec,omitempty"`
	// +optional
	Status OrganizationalUnitStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// OrganizationalUnitList is a list of OrganizationalUnits.
type OrganizationalUnitList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []OrganizationalUnit `json:"items"`
}

// AWSName returns the OU's name in AWS.
func (o *OrganizationalUnit) AWSName() string { return nameOr(o.Spec.Name, o.Name) }

// AWSStatus returns the status shared by every kind.
func (o *OrganizationalUnit) AWSStatus() *ResourceStatus { return &o.Status.ResourceStatus }

// GetManagementPolicy returns the spec's management policy ("" for the default).
func (o *OrganizationalUnit) GetManagementPolicy() ManagementPolicy { return o.Spec.ManagementPolicy }

func init() { register(&OrganizationalUnit{}, &OrganizationalUnitList{}) }

func nameOr(name, fallback string) string {
	if name != "" {
		return name
	}
	return fallback
}
