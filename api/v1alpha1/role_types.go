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

// RoleLevel is what a Role expects at one level beyond the skill cells.
type RoleLevel struct {
	// level is the id of a level of the SkillMatrix.
	// +required
	Level ID `json:"level"`

	// focus says what people at this level of the Role concentrate on.
	// +kubebuilder:validation:MaxLength=4096
	// +optional
	Focus string `json:"focus,omitempty"`

	// techStack lists the technologies used at this level, in display order.
	// A Proposal replaces the list as a whole, so it is atomic.
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=40
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=128
	// +optional
	TechStack []string `json:"techStack,omitempty"`
}

// Cell is the expectation for one skill at one level.
type Cell struct {
	// level is the id of a level of the SkillMatrix.
	// +required
	Level ID `json:"level"`

	// proficiency is the id of a proficiency of the SkillMatrix's scale.
	// +required
	Proficiency ProficiencyID `json:"proficiency"`

	// required marks the cell as a must-have for the level.
	// +optional
	Required bool `json:"required,omitempty"`

	// description says what this proficiency means for this skill at this level.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	Description string `json:"description,omitempty"`

	// examples of work that demonstrates the cell.
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=10
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=512
	// +optional
	Examples []string `json:"examples,omitempty"`
}

// SkillRequirement is one row of the matrix: a skill with a cell per level.
type SkillRequirement struct {
	// id is the id of a skill of the SkillMatrix's catalog.
	// +required
	ID ID `json:"id"`

	// cells has one entry per level of the SkillMatrix.
	// +listType=map
	// +listMapKey=level
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=12
	// +required
	Cells []Cell `json:"cells"`
}

// CareerPath points to a Role people of this Role commonly move on to.
type CareerPath struct {
	// role is the name of another Role in the same namespace.
	// +required
	Role ObjectName `json:"role"`

	// fromLevel is the level of this Role from which the move is typical.
	// +optional
	FromLevel ID `json:"fromLevel,omitempty"`

	// description of the move.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	Description string `json:"description,omitempty"`
}

// RoleSpec is one job role described against one SkillMatrix.
type RoleSpec struct {
	// matrixRef is the name of the SkillMatrix in the same namespace.
	// +required
	MatrixRef ObjectName `json:"matrixRef"`

	// displayName is the Role's title, e.g. "MLOps Engineer".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +required
	DisplayName string `json:"displayName"`

	// family is the job family, e.g. "ML & AI Engineering".
	// +kubebuilder:validation:MaxLength=128
	// +optional
	Family string `json:"family,omitempty"`

	// summary is a one-paragraph description of the Role.
	// +kubebuilder:validation:MaxLength=4096
	// +optional
	Summary string `json:"summary,omitempty"`

	// levels holds the focus and tech stack per level.
	// +listType=map
	// +listMapKey=level
	// +kubebuilder:validation:MaxItems=12
	// +optional
	Levels []RoleLevel `json:"levels,omitempty"`

	// skills are the rows of the matrix, keyed by skill id.
	// +listType=map
	// +listMapKey=id
	// +kubebuilder:validation:MaxItems=500
	// +optional
	Skills []SkillRequirement `json:"skills,omitempty"`

	// governance overrides the SkillMatrix's policy for Proposals on this Role.
	// +optional
	Governance *GovernancePolicy `json:"governance,omitempty"`

	// careerPaths lists the Roles people move on to.
	// +listType=map
	// +listMapKey=role
	// +kubebuilder:validation:MaxItems=20
	// +optional
	CareerPaths []CareerPath `json:"careerPaths,omitempty"`

	// translations of the Role's texts, one entry per locale. Anything left
	// out shows the default text.
	// +listType=map
	// +listMapKey=locale
	// +kubebuilder:validation:MaxItems=16
	// +optional
	Translations []RoleTranslation `json:"translations,omitempty"`
}

// RoleSummary holds the figures the rendered matrix shows.
type RoleSummary struct {
	// skills is the number of skill rows.
	Skills int32 `json:"skills"`
	// levels is the number of levels of the SkillMatrix.
	Levels int32 `json:"levels"`
	// categories is the number of categories with at least one of the Role's skills.
	Categories int32 `json:"categories"`
	// requirements is the number of cells: skills x levels.
	Requirements int32 `json:"requirements"`
	// required is the number of cells marked required.
	Required int32 `json:"required"`
	// keyAreas are the names of the categories with the most required cells.
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=5
	// +kubebuilder:validation:items:MaxLength=128
	// +optional
	KeyAreas []string `json:"keyAreas,omitempty"`
}

// AppliedProposal records a Proposal that the operator promoted into the Role.
type AppliedProposal struct {
	// name of the Proposal.
	Name ObjectName `json:"name"`
	// uid of the Proposal.
	// +kubebuilder:validation:MaxLength=64
	UID string `json:"uid"`
	// title of the Proposal.
	// +kubebuilder:validation:MaxLength=200
	// +optional
	Title string `json:"title,omitempty"`
	// author of the Proposal.
	// +optional
	Author Username `json:"author,omitempty"`
	// appliedAt is when the change landed.
	AppliedAt metav1.Time `json:"appliedAt"`
	// generation is the Role's generation that carries the change.
	Generation int64 `json:"generation"`
	// cells are the values the Proposal set, per cell (an AddSkill sets each
	// of its cells, a RemoveSkill names the row alone): what the Role must
	// keep carrying for the Proposal not to be reported reverted, also once
	// the Proposal is deleted. Texts (descriptions, focus, tech stacks) are
	// not recorded, to keep the history small.
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=48
	// +optional
	Cells []AppliedCell `json:"cells,omitempty"`
	// commit is, with Git write-back, the commit on the tracked branch that
	// carries the change: the operator's own, or the squash or rebase that
	// merged it.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Commit string `json:"commit,omitempty"`
	// rebuiltFrom says where an entry the Role's status had lost (the Role
	// was re-created, from Git or a backup) was rebuilt from: Proposal (the
	// Applied Proposal that names the Role) or Git (a commit of the tracked
	// branch whose signature verifies against the operator's keys, or one
	// the operator recorded). Empty for an entry recorded as it happened.
	// +optional
	RebuiltFrom HistorySource `json:"rebuiltFrom,omitempty"`
}

// HistorySource is where a rebuilt history entry came from.
// +kubebuilder:validation:Enum=Proposal;Git
type HistorySource string

// History sources.
const (
	// HistoryFromProposal: the Applied Proposal that names the Role, with
	// the cells and commit its status and spec hold.
	HistoryFromProposal HistorySource = "Proposal"
	// HistoryFromGit: a commit of the tracked branch the operator wrote
	// (signed with its keys, or recorded by SHA), with its trailers and
	// the cells its diff sets.
	HistoryFromGit HistorySource = "Git"
)

// MaxAppliedCells bounds AppliedProposal.cells: the history holds at most 50
// entries, and a Proposal that sets more cells is checked on the first ones.
const MaxAppliedCells = 48

// AppliedCell is what an applied Proposal set in one cell of the Role, or, with
// removed, that it removed the skill's row.
type AppliedCell struct {
	// skill is the id of the skill.
	Skill ID `json:"skill"`
	// level is the id of the level; empty when removed is set.
	// +optional
	Level ID `json:"level,omitempty"`
	// proficiency is the proficiency the Proposal set, if it set one.
	// +optional
	Proficiency ProficiencyID `json:"proficiency,omitempty"`
	// required is the flag the Proposal set, if it set one.
	// +optional
	Required *bool `json:"required,omitempty"`
	// removed means the Proposal removed the skill's row.
	// +optional
	Removed bool `json:"removed,omitempty"`
}

// RevertedProposal is an applied Proposal whose change the Role no longer
// carries, though no later applied Proposal changed the same cells.
type RevertedProposal struct {
	// name of the Proposal.
	Name ObjectName `json:"name"`
	// uid of the Proposal.
	// +kubebuilder:validation:MaxLength=64
	UID string `json:"uid"`
	// cells that no longer hold what the Proposal set, as skill@level (a row
	// as the skill id alone).
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=48
	// +kubebuilder:validation:items:MaxLength=128
	// +optional
	Cells []string `json:"cells,omitempty"`
	// since is when the operator first saw the revert.
	Since metav1.Time `json:"since"`
}

// RoleStatus is the observed state of a Role.
type RoleStatus struct {
	// observedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Valid, Published, Ready, Reverted, History and, with Git
	// write-back, WriteBack.
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=8
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// summary figures of the rendered matrix.
	// +optional
	Summary *RoleSummary `json:"summary,omitempty"`

	// configMapName is the ConfigMap holding the rendered matrix.
	// +kubebuilder:validation:MaxLength=253
	// +optional
	ConfigMapName string `json:"configMapName,omitempty"`

	// contentHash is the hash of the published content.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	ContentHash string `json:"contentHash,omitempty"`

	// history of applied Proposals, newest last, bounded to the last 50.
	// +listType=map
	// +listMapKey=uid
	// +kubebuilder:validation:MaxItems=50
	// +optional
	History []AppliedProposal `json:"history,omitempty"`

	// reverted lists the applied Proposals of the history whose change the
	// Role no longer carries (a kubectl apply or edit, or a sync, undid it),
	// oldest first. A Proposal leaves the list once the Role carries its
	// change again, or a later Proposal changes the same cells.
	// +listType=map
	// +listMapKey=uid
	// +kubebuilder:validation:MaxItems=50
	// +optional
	Reverted []RevertedProposal `json:"reverted,omitempty"`
}

// Role is one job role, e.g. "MLOps Engineer", with the expected proficiency
// per skill and level against one SkillMatrix. Its resource name collides with
// RBAC's roles in kubectl: use the short name crole or
// `kubectl get roles.career.skillmatrix.dev`.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=crole;careerrole,categories=career
// +kubebuilder:printcolumn:name="Title",type=string,JSONPath=`.spec.displayName`
// +kubebuilder:printcolumn:name="Matrix",type=string,JSONPath=`.spec.matrixRef`
// +kubebuilder:printcolumn:name="Skills",type=integer,JSONPath=`.status.summary.skills`
// +kubebuilder:printcolumn:name="Levels",type=integer,JSONPath=`.status.summary.levels`
// +kubebuilder:printcolumn:name="Required",type=integer,JSONPath=`.status.summary.required`,priority=1
// +kubebuilder:printcolumn:name="ConfigMap",type=string,JSONPath=`.status.configMapName`,priority=1
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:validation:XValidation:rule="size(self.metadata.name) <= 221",message="metadata.name must be at most 221 characters so the rendered ConfigMap name fits"
type Role struct {
	metav1.TypeMeta `json:",inline"`

	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	// +required
	Spec RoleSpec `json:"spec"`

	// +optional
	Status RoleStatus `json:"status,omitzero"`
}

// +kubebuilder:object:root=true

// RoleList contains a list of Role.
type RoleList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []Role `json:"items"`
}
