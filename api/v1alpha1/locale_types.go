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

// Locale is a BCP 47 language tag such as "en", "zh-CN" or "sr-Latn-RS": a
// language subtag of 2 or 3 letters, then subtags of 1 to 8 letters or
// digits. Tags are matched as written (case matters to ConfigMap keys), so
// write them in their canonical case.
// +kubebuilder:validation:MinLength=2
// +kubebuilder:validation:MaxLength=35
// +kubebuilder:validation:Pattern=`^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$`
type Locale string

// DefaultLocale is the locale published when spec.publishing.locales is empty.
const DefaultLocale Locale = "en"

// LevelTranslation is a level's text in one locale. An empty field keeps the
// default text.
type LevelTranslation struct {
	// id of the level in spec.levels.
	// +required
	ID ID `json:"id"`

	// name in this locale.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Name string `json:"name,omitempty"`

	// shortName in this locale, for table headers.
	// +kubebuilder:validation:MaxLength=16
	// +optional
	ShortName string `json:"shortName,omitempty"`

	// description in this locale.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Description string `json:"description,omitempty"`
}

// ProficiencyTranslation is a proficiency's text in one locale; the code
// (id) stays as it is, since cells and Proposals use it.
type ProficiencyTranslation struct {
	// id of the proficiency in spec.proficiencies.
	// +required
	ID ProficiencyID `json:"id"`

	// name in this locale.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Name string `json:"name,omitempty"`

	// description in this locale.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Description string `json:"description,omitempty"`
}

// TextTranslation is the name and description of a category or a skill in
// one locale.
type TextTranslation struct {
	// id of the category or skill.
	// +required
	ID ID `json:"id"`

	// name in this locale.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	Name string `json:"name,omitempty"`

	// description in this locale.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Description string `json:"description,omitempty"`
}

// SkillMatrixTranslation holds the SkillMatrix's texts in one locale. What it
// leaves out is shown in the default text.
type SkillMatrixTranslation struct {
	// locale these texts are in.
	// +required
	Locale Locale `json:"locale"`

	// levels translated, by level id.
	// +listType=map
	// +listMapKey=id
	// +kubebuilder:validation:MaxItems=12
	// +optional
	Levels []LevelTranslation `json:"levels,omitempty"`

	// proficiencies translated, by proficiency id.
	// +listType=map
	// +listMapKey=id
	// +kubebuilder:validation:MaxItems=10
	// +optional
	Proficiencies []ProficiencyTranslation `json:"proficiencies,omitempty"`

	// categories translated, by category id.
	// +listType=map
	// +listMapKey=id
	// +kubebuilder:validation:MaxItems=100
	// +optional
	Categories []TextTranslation `json:"categories,omitempty"`

	// skills translated, by skill id (skill ids are unique across categories).
	// +listType=map
	// +listMapKey=id
	// +kubebuilder:validation:MaxItems=2000
	// +optional
	Skills []TextTranslation `json:"skills,omitempty"`
}

// RoleLevelTranslation is a level's focus for this Role in one locale.
type RoleLevelTranslation struct {
	// level id.
	// +required
	Level ID `json:"level"`

	// focus in this locale.
	// +kubebuilder:validation:MaxLength=4096
	// +optional
	Focus string `json:"focus,omitempty"`
}

// CellTranslation is a cell's description and examples in one locale.
type CellTranslation struct {
	// skill id of the cell's row.
	// +required
	Skill ID `json:"skill"`

	// level id of the cell.
	// +required
	Level ID `json:"level"`

	// description in this locale.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Description string `json:"description,omitempty"`

	// examples in this locale; when set they replace the default examples
	// as a whole.
	// +kubebuilder:validation:MaxItems=10
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=512
	// +listType=atomic
	// +optional
	Examples []string `json:"examples,omitempty"`
}

// RoleTranslation holds the Role's texts in one locale. What it leaves out is
// shown in the default text.
type RoleTranslation struct {
	// locale these texts are in.
	// +required
	Locale Locale `json:"locale"`

	// displayName in this locale.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	DisplayName string `json:"displayName,omitempty"`

	// family in this locale.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	Family string `json:"family,omitempty"`

	// summary in this locale.
	// +kubebuilder:validation:MaxLength=4096
	// +optional
	Summary string `json:"summary,omitempty"`

	// levels translated: the focus per level id.
	// +listType=map
	// +listMapKey=level
	// +kubebuilder:validation:MaxItems=12
	// +optional
	Levels []RoleLevelTranslation `json:"levels,omitempty"`

	// cells translated, by skill and level.
	// +listType=map
	// +listMapKey=skill
	// +listMapKey=level
	// +kubebuilder:validation:MaxItems=6000
	// +optional
	Cells []CellTranslation `json:"cells,omitempty"`
}
