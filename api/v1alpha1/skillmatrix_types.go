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

// Level is one rung of the career ladder. The order of spec.levels is the
// order of seniority, lowest first.
type Level struct {
	// id is the stable identifier Roles and Proposals use, e.g. "junior".
	// +required
	ID ID `json:"id"`

	// name is the display name, e.g. "Lead / Staff".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +required
	Name string `json:"name"`

	// shortName is an abbreviation for narrow table headers, e.g. "Jun".
	// +kubebuilder:validation:MaxLength=16
	// +optional
	ShortName string `json:"shortName,omitempty"`

	// description says what the level means across all Roles.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Description string `json:"description,omitempty"`
}

// Proficiency is one step of the proficiency scale. The order of
// spec.proficiencies is the order of mastery, lowest first.
type Proficiency struct {
	// id is the short code used in cells, e.g. "A".
	// +required
	ID ProficiencyID `json:"id"`

	// name is the display name, e.g. "Awareness".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +required
	Name string `json:"name"`

	// description says what a person at this proficiency can do.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Description string `json:"description,omitempty"`
}

// Skill is one entry of the skill catalog.
type Skill struct {
	// id is the stable identifier Roles and Proposals use, e.g. "kubernetes-core".
	// It must be unique across all categories of the SkillMatrix.
	// +required
	ID ID `json:"id"`

	// name is the display name, e.g. "Kubernetes Core".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +required
	Name string `json:"name"`

	// description says what the skill covers.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Description string `json:"description,omitempty"`
}

// Category groups skills, e.g. "Cloud & Infrastructure".
type Category struct {
	// id is the stable identifier of the category.
	// +required
	ID ID `json:"id"`

	// name is the display name.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +required
	Name string `json:"name"`

	// description says what the category covers.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Description string `json:"description,omitempty"`

	// skills of this category, in display order.
	// +listType=map
	// +listMapKey=id
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=500
	// +required
	Skills []Skill `json:"skills"`

	// owners are told when a Proposal that changes a skill of this category
	// needs a review (docs/notifications.md). Naming someone here grants
	// nothing: whose review counts as an owner's is RBAC's to say (the verb
	// review on categories <skillmatrix>.<id>, docs/governance.md).
	// +listType=set
	// +kubebuilder:validation:MaxItems=20
	// +optional
	Owners []Username `json:"owners,omitempty"`
}

// RenderFormat is one output format of the rendered matrix.
// +kubebuilder:validation:Enum=json;markdown;csv;html
type RenderFormat string

// Render formats. JSON is always published: portals and the CLI consume it.
const (
	FormatJSON     RenderFormat = "json"
	FormatMarkdown RenderFormat = "markdown"
	FormatCSV      RenderFormat = "csv"
	FormatHTML     RenderFormat = "html"
)

// PublishingSpec says which rendered formats the operator publishes and how it
// names the ConfigMaps.
type PublishingSpec struct {
	// formats to publish for each Role. Defaults to all four; json is always
	// included because the catalog and the CLI read it.
	// +listType=set
	// +kubebuilder:validation:MaxItems=4
	// +kubebuilder:default={json,markdown,csv,html}
	// +kubebuilder:validation:XValidation:rule="self.exists(f, f == 'json')",message="formats must include json"
	// +optional
	Formats []RenderFormat `json:"formats,omitempty"`

	// configMapSuffix is appended to a Role's name to name the ConfigMap that
	// holds its rendered matrix. The catalog ConfigMap of the SkillMatrix is
	// always named <skillmatrix>-catalog.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern=`^-[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +kubebuilder:default="-matrix"
	// +optional
	ConfigMapSuffix string `json:"configMapSuffix,omitempty"`

	// locales to publish each Role's matrix in, as BCP 47 tags. The first is
	// the default: its files keep the plain keys (matrix.md); every other
	// locale's files carry the tag (matrix.zh-CN.md). Interface strings come
	// from the operator's message catalogs (English where a locale has none),
	// content from spec.translations, falling back to the default text.
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=8
	// +kubebuilder:default={en}
	// +optional
	Locales []Locale `json:"locales,omitempty"`
}

// SkillMatrixSpec is the framework that a set of Roles shares.
type SkillMatrixSpec struct {
	// displayName is the framework's human-readable name.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	DisplayName string `json:"displayName,omitempty"`

	// description of the framework.
	// +kubebuilder:validation:MaxLength=4096
	// +optional
	Description string `json:"description,omitempty"`

	// levels of the career ladder, lowest first.
	// +listType=map
	// +listMapKey=id
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=12
	// +required
	Levels []Level `json:"levels"`

	// proficiencies is the proficiency scale, lowest first, e.g. A, W, V, E.
	// +listType=map
	// +listMapKey=id
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=10
	// +required
	Proficiencies []Proficiency `json:"proficiencies"`

	// categories of the skill catalog, in display order.
	// +listType=map
	// +listMapKey=id
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=100
	// +required
	Categories []Category `json:"categories"`

	// governance is the default policy for Proposals against this matrix's Roles.
	// +optional
	Governance *GovernancePolicy `json:"governance,omitempty"`

	// publishing options for rendered matrices.
	// +kubebuilder:default={}
	// +optional
	Publishing PublishingSpec `json:"publishing,omitempty"`

	// translations of the levels, the proficiency scale and the catalog, one
	// entry per locale. Anything left out shows the default text.
	// +listType=map
	// +listMapKey=locale
	// +kubebuilder:validation:MaxItems=16
	// +optional
	Translations []SkillMatrixTranslation `json:"translations,omitempty"`
}

// SkillMatrixSummary counts what the matrix defines.
type SkillMatrixSummary struct {
	Levels        int32 `json:"levels"`
	Proficiencies int32 `json:"proficiencies"`
	Categories    int32 `json:"categories"`
	Skills        int32 `json:"skills"`
	// roles is the number of Roles that reference this matrix.
	Roles int32 `json:"roles"`
}

// SkillMatrixStatus is the observed state of a SkillMatrix.
type SkillMatrixStatus struct {
	// observedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Valid, Published and Ready.
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=8
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// summary counts levels, proficiencies, categories, skills and Roles.
	// +optional
	Summary *SkillMatrixSummary `json:"summary,omitempty"`

	// configMapName is the catalog ConfigMap the operator publishes.
	// +kubebuilder:validation:MaxLength=253
	// +optional
	ConfigMapName string `json:"configMapName,omitempty"`
}

// SkillMatrix is the framework a set of Roles shares: levels, proficiency
// scale, skill catalog, governance defaults and publishing options.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=skm,categories=career
// +kubebuilder:printcolumn:name="Levels",type=integer,JSONPath=`.status.summary.levels`
// +kubebuilder:printcolumn:name="Skills",type=integer,JSONPath=`.status.summary.skills`
// +kubebuilder:printcolumn:name="Roles",type=integer,JSONPath=`.status.summary.roles`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:validation:XValidation:rule="size(self.metadata.name) <= 221",message="metadata.name must be at most 221 characters so the catalog ConfigMap name fits"
type SkillMatrix struct {
	metav1.TypeMeta `json:",inline"`

	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	// +required
	Spec SkillMatrixSpec `json:"spec"`

	// +optional
	Status SkillMatrixStatus `json:"status,omitzero"`
}

// +kubebuilder:object:root=true

// SkillMatrixList contains a list of SkillMatrix.
type SkillMatrixList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []SkillMatrix `json:"items"`
}
