// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// AccountDeletionPolicy says what happens to the AWS account when the object is deleted.
// +kubebuilder:validation:Enum=Retain;Close
type AccountDeletionPolicy string

const (
	// AccountRetain leaves the account in AWS, untouched.
	AccountRetain AccountDeletionPolicy = "Retain"
	// AccountClose closes the account (CloseAccount). Irreversible after 90 days.
	AccountClose AccountDeletionPolicy = "Close"
)

// AccountSpec is the desired state of an AWS member account.
// +kubebuilder:validation:XValidation:rule="!(has(self.organizationalUnitRef) && has(self.parentId))",message="set at most one of organizationalUnitRef and parentId"
type AccountSpec struct {
	// name of the account in AWS; defaults to metadata.name. AWS Organizations cannot
	// rename an account: when it differs from the account's name in AWS, the object is
	// Stalled until the two agree.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=50
	// +kubebuilder:validation:Pattern=`^[\x20-\x7E]+$`
	Name string `json:"name,omitempty"`

	// email of the account's root user. Unique across AWS; immutable.
	// +kubebuilder:validation:MinLength=6
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[^\s@"'()<>\[\]:;,|%&]+@[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?\.[a-zA-Z0-9.-]*[a-zA-Z0-9]$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="email is immutable: AWS does not change a member account's email through Organizations"
	Email string `json:"email"`

	// organizationalUnitRef names the OrganizationalUnit to place the account in.
	// Required for tenants; in the operator's namespace, omit it (and parentId) for the root.
	// +optional
	OrganizationalUnitRef *LocalRef `json:"organizationalUnitRef,omitempty"`

	// parentId is the raw id of a root or OU this operator does not manage.
	// Only honoured in the operator's own namespace.
	// +optional
	// +kubebuilder:validation:Pattern=`^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`
	ParentID string `json:"parentId,omitempty"`

	// roleName is the IAM role AWS creates in the new account for the management account.
	// +optional
	// +kubebuilder:default=OrganizationAccountAccessRole
	// +kubebuilder:validation:Pattern=`^[\w+=,.@-]{1,64}$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="roleName is immutable: AWS only uses it when it creates the account"
	RoleName string `json:"roleName,omitempty"`

	// iamUserAccessToBilling lets IAM users of the account see its billing.
	// +optional
	// +kubebuilder:default=ALLOW
	// +kubebuilder:validation:Enum=ALLOW;DENY
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="iamUserAccessToBilling is immutable: AWS only uses it when it creates the account"
	IAMUserAccessToBilling string `json:"iamUserAccessToBilling,omitempty"`

	// tags applied to the account and kept in sync.
	// +optional
	Tags Tags `json:"tags,omitempty"`

	// deletionPolicy: Retain (default) leaves the account in AWS; Close closes it.
	// +optional
	// +kubebuilder:default=Retain
	DeletionPolicy AccountDeletionPolicy `json:"deletionPolicy,omitempty"`

	// managementPolicy: Manage makes AWS match the spec; Observe only reads AWS and
	// reports the changes Manage would make in status.plannedChanges. Empty means the
	// operator's default (--default-management-policy).
	// +optional
	ManagementPolicy ManagementPolicy `json:"managementPolicy,omitempty"`
}

// AccountStatus is the observed state of the account.
type AccountStatus struct {
	ResourceStatus `json:",inline"`
	// createAccountRequestId is the id of the CreateAccount request (car-...).
	// +optional
	CreateAccountRequestID string `json:"createAccountRequestId,omitempty"`
	// createRequestedAt is when the operator was about to call CreateAccount, written
	// before the call: if the operator dies before it writes the request id, it looks
	// for the request instead of creating a second account.
	// +optional
	CreateRequestedAt *metav1.Time `json:"createRequestedAt,omitempty"`
	// state is the account's state in AWS.
	// +optional
	State string `json:"state,omitempty"`
	// parentId is the id of the root or OU that holds the account.
	// +optional
	ParentID string `json:"parentId,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Namespaced,shortName=acct;accts,categories=awsorg
// +kubebuilder:printcolumn:name="AWS Name",type=string,JSONPath=`.spec.name`
// +kubebuilder:printcolumn:name="ID",type=string,JSONPath=`.status.id`
// +kubebuilder:printcolumn:name="State",type=string,JSONPath=`.status.state`
// +kubebuilder:printcolumn:name="Parent",type=string,JSONPath=`.status.parentId`
// +kubebuilder:printcolumn:name="Pending",type=integer,JSONPath=`.status.pendingChanges`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// Account is an AWS member account of the organization.
type Account struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec AccountSpec `json:"spec"`
	// +optional
	Status AccountStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// AccountList is a list of Accounts.
type AccountList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Account `json:"items"`
}

// AWSName returns the account's name in AWS.
func (a *Account) AWSName() string { return nameOr(a.Spec.Name, a.Name) }

// AWSStatus returns the status shared by every kind.
func (a *Account) AWSStatus() *ResourceStatus { return &a.Status.ResourceStatus }

// GetManagementPolicy returns the spec's management policy ("" for the default).
func (a *Account) GetManagementPolicy() ManagementPolicy { return a.Spec.ManagementPolicy }

func init() { register(&Account{}, &AccountList{}) }
