/*
Copyright 2026.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Size limits shared by the schema and the domain packages. They are sized so a
// Role with 500 skills over 10 levels still fits in one object and every CEL
// rule stays inside the API server's cost budget.
const (
	MaxLevels         = 12
	MaxProficiencies  = 10
	MaxCategories     = 100
	MaxSkills         = 500
	MaxTechStackItems = 40
	MaxExamples       = 10
	MaxCareerPaths    = 20
	MaxChanges        = 50
	MaxVotes          = 500
	MaxReviews        = 50
	MaxHistory        = 50
)

// ID is a stable identifier of a level, category or skill: a DNS-1123 label,
// so it is safe in ConfigMap keys, labels and URLs.
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=63
// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
type ID string

// ProficiencyID is the short code of a proficiency on the scale, such as A, W,
// V or E, 1 to 5 for a Dreyfus-style scale, or w for a lower-case one: letters
// and digits, at most 8, which keep the rendered matrix compact. Ids are
// case-sensitive: w and W are different proficiencies.
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=8
// +kubebuilder:validation:Pattern=`^[A-Za-z0-9]+$`
type ProficiencyID string

// ObjectName is the name of another object in the same namespace.
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=253
// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
type ObjectName string

// Username is a Kubernetes username as the API server authenticates it
// (request.userInfo.username), e.g. "alice" or "system:serviceaccount:ns:bot".
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=253
type Username string

// GovernancePolicy sets when a Proposal is accepted. Every field is optional:
// a Role's policy overrides its SkillMatrix's, which overrides the built-in
// defaults (2 approving votes, 66 percent approval, 1 expert approval, 168h).
type GovernancePolicy struct {
	// minApprovals is the minimum number of approving votes.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=500
	// +optional
	MinApprovals *int32 `json:"minApprovals,omitempty"`

	// approvalRatioPercent is the minimum share of approving votes among all
	// votes cast, in percent: approve*100 >= percent*(approve+reject).
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	// +optional
	ApprovalRatioPercent *int32 `json:"approvalRatioPercent,omitempty"`

	// requiredReviews is the number of approving expert reviews needed.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=50
	// +optional
	RequiredReviews *int32 `json:"requiredReviews,omitempty"`

	// votingPeriod is how long a Proposal stays open after creation, as a Go
	// duration such as "168h" or "30m". At least one second, at most a year.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s') && duration(self) <= duration('8760h')",message="votingPeriod must be a duration between 1s and 8760h, e.g. 168h"
	// +optional
	VotingPeriod *metav1.Duration `json:"votingPeriod,omitempty"`

	// requireCategoryOwners, when true, makes a change to a skill count only
	// with an approving review by an owner of the skill's category: someone
	// RBAC grants the verb "review" on categories.career.skillmatrix.dev
	// named "<skillmatrix>.<category>" (docs/governance.md). A Proposal that
	// touches two categories needs an owner of each; requiredReviews still
	// applies on top.
	// +optional
	RequireCategoryOwners *bool `json:"requireCategoryOwners,omitempty"`
}
