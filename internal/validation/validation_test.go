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

package validation_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"sigs.k8s.io/yaml"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/validation"
)

// loadSamples decodes the MLOps Engineer samples strictly, so a field renamed
// in the API types fails here rather than silently validating an empty list.
func loadSamples(tb testing.TB) (*v1alpha1.SkillMatrixSpec, *v1alpha1.RoleSpec) {
	tb.Helper()
	var matrix v1alpha1.SkillMatrix
	var role v1alpha1.Role
	for name, into := range map[string]any{
		"career_v1alpha1_skillmatrix.yaml": &matrix,
		"career_v1alpha1_role.yaml":        &role,
	} {
		data, err := os.ReadFile(filepath.Join("..", "..", "config", "samples", name))
		if err != nil {
			tb.Fatal(err)
		}
		if err := yaml.UnmarshalStrict(data, into); err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
	}
	return &matrix.Spec, &role.Spec
}

// smallMatrix is the docs/api.md example: three levels, the A/W/V/E scale and
// three skills in two categories.
func smallMatrix() *v1alpha1.SkillMatrixSpec {
	return &v1alpha1.SkillMatrixSpec{
		DisplayName: "Engineering Career Framework",
		Levels: []v1alpha1.Level{
			{ID: "junior", Name: "Junior"},
			{ID: "middle", Name: "Middle"},
			{ID: "senior", Name: "Senior"},
		},
		Proficiencies: []v1alpha1.Proficiency{
			{ID: "A", Name: "Awareness"},
			{ID: "W", Name: "Working"},
			{ID: "V", Name: "Advanced"},
			{ID: "E", Name: "Expert"},
		},
		Categories: []v1alpha1.Category{
			{ID: "cloud-infrastructure", Name: "Cloud & Infrastructure", Skills: []v1alpha1.Skill{
				{ID: "docker", Name: "Docker"},
				{ID: "kubernetes-core", Name: "Kubernetes Core"},
			}},
			{ID: "machine-learning", Name: "Machine Learning & AI", Skills: []v1alpha1.Skill{
				{ID: "mlflow", Name: "MLflow"},
			}},
		},
	}
}

func cells(profs ...v1alpha1.ProficiencyID) []v1alpha1.Cell {
	levels := []v1alpha1.ID{"junior", "middle", "senior"}
	out := make([]v1alpha1.Cell, len(profs))
	for i, p := range profs {
		out[i] = v1alpha1.Cell{Level: levels[i], Proficiency: p, Required: i > 0}
	}
	return out
}

// smallRole is valid against smallMatrix with no warnings either.
func smallRole() *v1alpha1.RoleSpec {
	return &v1alpha1.RoleSpec{
		MatrixRef:   "engineering",
		DisplayName: "MLOps Engineer",
		Levels: []v1alpha1.RoleLevel{
			{Level: "junior", Focus: "Containerizing models.", TechStack: []string{"Python", "Docker"}},
			{Level: "senior", Focus: "Platform architecture."},
		},
		Skills: []v1alpha1.SkillRequirement{
			{ID: "docker", Cells: cells("W", "V", "E")},
			{ID: "kubernetes-core", Cells: cells("A", "W", "W")},
			{ID: "mlflow", Cells: cells("W", "V", "V")},
		},
		CareerPaths: []v1alpha1.CareerPath{{Role: "ml-platform-architect", FromLevel: "senior"}},
	}
}

// want is what a test expects of one Problem. contains lists substrings of the
// message: the skill, level and value it must name.
type want struct {
	severity validation.Severity
	kind     validation.Kind
	field    string
	skill    string
	level    string
	value    string
	contains []string
	lacks    []string
}

func wantError(kind validation.Kind, field string, contains ...string) want {
	return want{severity: validation.SeverityError, kind: kind, field: field, contains: contains}
}

func (w want) without(substrings ...string) want {
	w.lacks = append(w.lacks, substrings...)
	return w
}

func (w want) about(skill, level, value string) want {
	w.skill, w.level, w.value = skill, level, value
	return w
}

// assertProblems checks got against wants one by one, in order, so a test also
// pins the walk order that keeps status messages stable.
func assertProblems(t *testing.T, got validation.Result, wants []want) {
	t.Helper()
	for i, p := range got.Problems {
		if !strings.HasPrefix(p.Message, p.Field+": ") {
			t.Errorf("problem %d: message %q does not start with its field %q", i, p.Message, p.Field)
		}
		if p.String() != p.Message {
			t.Errorf("problem %d: String() = %q, want the message", i, p.String())
		}
		if i >= len(wants) {
			t.Errorf("unexpected problem %d: %s %s %s", i, p.Severity, p.Kind, p.Message)
			continue
		}
		w := wants[i]
		if p.Severity != w.severity || p.Kind != w.kind || p.Field != w.field {
			t.Errorf("problem %d = (%s, %s, %s), want (%s, %s, %s); message: %s",
				i, p.Severity, p.Kind, p.Field, w.severity, w.kind, w.field, p.Message)
		}
		if w.skill != "" || w.level != "" || w.value != "" {
			if p.Skill != w.skill || p.Level != w.level || p.Value != w.value {
				t.Errorf("problem %d: (skill, level, value) = (%q, %q, %q), want (%q, %q, %q)",
					i, p.Skill, p.Level, p.Value, w.skill, w.level, w.value)
			}
		}
		for _, s := range w.contains {
			if !strings.Contains(p.Message, s) {
				t.Errorf("problem %d: message %q does not contain %q", i, p.Message, s)
			}
		}
		for _, s := range w.lacks {
			if strings.Contains(p.Message, s) {
				t.Errorf("problem %d: message %q contains %q", i, p.Message, s)
			}
		}
	}
	for i := len(got.Problems); i < len(wants); i++ {
		t.Errorf("missing problem %d: %s %s at %s", i, wants[i].severity, wants[i].kind, wants[i].field)
	}
}

func TestSmallFixturesAreValid(t *testing.T) {
	assertProblems(t, validation.Matrix(smallMatrix()), nil)
	assertProblems(t, validation.Role(smallRole(), smallMatrix()), nil)
}

func TestMatrix(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(m *v1alpha1.SkillMatrixSpec)
		want   []want
	}{{
		name: "duplicate level id",
		mutate: func(m *v1alpha1.SkillMatrixSpec) {
			m.Levels = append(m.Levels, v1alpha1.Level{ID: "junior", Name: "Junior again"})
		},
		want: []want{wantError(validation.KindDuplicateID, "spec.levels[3].id", `level id "junior"`, "spec.levels[0].id").
			about("", "junior", "junior")},
	}, {
		name: "duplicate proficiency id",
		mutate: func(m *v1alpha1.SkillMatrixSpec) {
			m.Proficiencies[3].ID = "W"
		},
		want: []want{wantError(validation.KindDuplicateID, "spec.proficiencies[3].id", `proficiency id "W"`, "spec.proficiencies[1].id").
			about("", "", "W")},
	}, {
		name: "duplicate category id",
		mutate: func(m *v1alpha1.SkillMatrixSpec) {
			m.Categories[1].ID = "cloud-infrastructure"
		},
		want: []want{wantError(validation.KindDuplicateID, "spec.categories[1].id", `category id "cloud-infrastructure"`).
			about("", "", "cloud-infrastructure")},
	}, {
		name: "skill id in two categories names both",
		mutate: func(m *v1alpha1.SkillMatrixSpec) {
			m.Categories[1].Skills = append(m.Categories[1].Skills, v1alpha1.Skill{ID: "docker", Name: "Docker for ML"})
		},
		want: []want{wantError(validation.KindDuplicateSkill, "spec.categories[1].skills[1].id",
			`skill "docker"`, `category "cloud-infrastructure" (spec.categories[0].skills[0])`,
			`category "machine-learning" (spec.categories[1].skills[1])`).about("docker", "", "docker")},
	}, {
		name: "skill id twice in one category",
		mutate: func(m *v1alpha1.SkillMatrixSpec) {
			m.Categories[0].Skills = append(m.Categories[0].Skills, v1alpha1.Skill{ID: "kubernetes-core", Name: "K8s"})
		},
		want: []want{wantError(validation.KindDuplicateSkill, "spec.categories[0].skills[2].id",
			`skill "kubernetes-core" appears twice in category "cloud-infrastructure"`,
			"spec.categories[0].skills[1]").about("kubernetes-core", "", "kubernetes-core")},
	}, {
		name: "empty category",
		mutate: func(m *v1alpha1.SkillMatrixSpec) {
			m.Categories = append(m.Categories, v1alpha1.Category{ID: "data-engineering", Name: "Data Engineering"})
		},
		want: []want{wantError(validation.KindEmptyCategory, "spec.categories[2].skills", `category "data-engineering" has no skills`).
			about("", "", "data-engineering")},
	}, {
		name: "more skills than a Role can list",
		mutate: func(m *v1alpha1.SkillMatrixSpec) {
			extra := v1alpha1.Category{ID: "generated", Name: "Generated"}
			for i := range v1alpha1.MaxSkills - 2 {
				extra.Skills = append(extra.Skills, v1alpha1.Skill{ID: v1alpha1.ID(fmt.Sprintf("skill-%d", i)), Name: "Skill"})
			}
			m.Categories = append(m.Categories, extra)
		},
		want: []want{wantError(validation.KindInvalidValue, "spec.categories", "501 skills", "500").about("", "", "501")},
	}, {
		name: "exactly MaxSkills is fine",
		mutate: func(m *v1alpha1.SkillMatrixSpec) {
			extra := v1alpha1.Category{ID: "generated", Name: "Generated"}
			for i := range v1alpha1.MaxSkills - 3 {
				extra.Skills = append(extra.Skills, v1alpha1.Skill{ID: v1alpha1.ID(fmt.Sprintf("skill-%d", i)), Name: "Skill"})
			}
			m.Categories = append(m.Categories, extra)
		},
	}, {
		name:   "blank level name",
		mutate: func(m *v1alpha1.SkillMatrixSpec) { m.Levels[1].Name = "  " },
		want: []want{wantError(validation.KindInvalidValue, "spec.levels[1].name", `level "middle" has an empty name`).
			about("", "middle", "  ")},
	}, {
		name:   "empty proficiency name",
		mutate: func(m *v1alpha1.SkillMatrixSpec) { m.Proficiencies[2].Name = "" },
		want:   []want{wantError(validation.KindInvalidValue, "spec.proficiencies[2].name", `proficiency "V" has an empty name`)},
	}, {
		name:   "empty category name",
		mutate: func(m *v1alpha1.SkillMatrixSpec) { m.Categories[0].Name = "" },
		want:   []want{wantError(validation.KindInvalidValue, "spec.categories[0].name", `category "cloud-infrastructure" has an empty name`)},
	}, {
		name:   "empty skill name",
		mutate: func(m *v1alpha1.SkillMatrixSpec) { m.Categories[1].Skills[0].Name = "" },
		want: []want{wantError(validation.KindInvalidValue, "spec.categories[1].skills[0].name",
			`skill "mlflow" in category "machine-learning" has an empty name`).about("mlflow", "", "")},
	}, {
		name:   "empty ids",
		mutate: func(m *v1alpha1.SkillMatrixSpec) { m.Levels[0].ID, m.Categories[0].Skills[1].ID = "", "" },
		want: []want{
			wantError(validation.KindInvalidValue, "spec.levels[0].id", "level id is empty"),
			wantError(validation.KindInvalidValue, "spec.categories[0].skills[1].id", `skill id in category "cloud-infrastructure" is empty`),
		},
	}, {
		name:   "no levels, proficiencies or categories",
		mutate: func(m *v1alpha1.SkillMatrixSpec) { *m = v1alpha1.SkillMatrixSpec{} },
		want: []want{
			wantError(validation.KindInvalidValue, "spec.levels", "no level"),
			wantError(validation.KindInvalidValue, "spec.proficiencies", "no proficiency"),
			wantError(validation.KindInvalidValue, "spec.categories", "no category"),
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := smallMatrix()
			tt.mutate(m)
			assertProblems(t, validation.Matrix(m), tt.want)
		})
	}
}

func TestMatrixNil(t *testing.T) {
	assertProblems(t, validation.Matrix(nil), []want{wantError(validation.KindInvalidValue, "spec", "no spec")})
}

func TestRole(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(r *v1alpha1.RoleSpec, m *v1alpha1.SkillMatrixSpec)
		want   []want
	}{{
		name:   "unknown skill suggests the closest catalog id",
		mutate: func(r *v1alpha1.RoleSpec, _ *v1alpha1.SkillMatrixSpec) { r.Skills[0].ID = "dokcer" },
		want: []want{wantError(validation.KindUnknownSkill, "spec.skills[0].id",
			`skill "dokcer" is not in the matrix's catalog; did you mean "docker"?`).about("dokcer", "", "dokcer")},
	}, {
		name:   "unknown skill far from every catalog id gets no suggestion",
		mutate: func(r *v1alpha1.RoleSpec, _ *v1alpha1.SkillMatrixSpec) { r.Skills[2].ID = "quantum-computing" },
		want: []want{wantError(validation.KindUnknownSkill, "spec.skills[2].id",
			`skill "quantum-computing" is not in the matrix's catalog`).about("quantum-computing", "", "quantum-computing").
			without("did you mean")},
	}, {
		name: "suggestions reach three edits and no further",
		mutate: func(r *v1alpha1.RoleSpec, m *v1alpha1.SkillMatrixSpec) {
			r.Skills[0].ID = "dkr"           // 3 edits from "docker"
			r.Skills[1].ID = "kubernets-cor" // 2 edits from "kubernetes-core"
			r.Skills[2].ID = "ml"            // 4 edits from "mlflow"
			// "js" is 2 edits from "go", but those edits replace every letter.
			m.Categories[1].Skills = append(m.Categories[1].Skills, v1alpha1.Skill{ID: "go", Name: "Go"})
			r.Skills = append(r.Skills, v1alpha1.SkillRequirement{ID: "js", Cells: cells("A", "A", "A")})
		},
		want: []want{
			wantError(validation.KindUnknownSkill, "spec.skills[0].id", `"dkr"`, `did you mean "docker"?`),
			wantError(validation.KindUnknownSkill, "spec.skills[1].id", `"kubernets-cor"`, `did you mean "kubernetes-core"?`),
			wantError(validation.KindUnknownSkill, "spec.skills[2].id", `skill "ml" is not in the matrix's catalog`).without("did you mean"),
			wantError(validation.KindUnknownSkill, "spec.skills[3].id", `skill "js" is not in the matrix's catalog`).without("did you mean"),
		},
	}, {
		name:   "empty skill id",
		mutate: func(r *v1alpha1.RoleSpec, _ *v1alpha1.SkillMatrixSpec) { r.Skills[1].ID = "" },
		want:   []want{wantError(validation.KindInvalidValue, "spec.skills[1].id", "skill id is empty")},
	}, {
		name: "duplicate skill row",
		mutate: func(r *v1alpha1.RoleSpec, _ *v1alpha1.SkillMatrixSpec) {
			r.Skills = append(r.Skills, v1alpha1.SkillRequirement{ID: "docker", Cells: cells("W", "W", "W")})
		},
		want: []want{wantError(validation.KindDuplicateSkill, "spec.skills[3].id",
			`skill "docker" is listed twice`, "spec.skills[0]").about("docker", "", "docker")},
	}, {
		name: "cell for an unknown level also leaves that level missing",
		mutate: func(r *v1alpha1.RoleSpec, _ *v1alpha1.SkillMatrixSpec) {
			r.Skills[1].Cells[2].Level = "staff"
		},
		want: []want{
			wantError(validation.KindUnknownLevel, "spec.skills[1].cells[2].level",
				`skill "kubernetes-core"`, `level "staff"`, "want one of junior, middle, senior").
				about("kubernetes-core", "staff", "staff"),
			wantError(validation.KindMissingCell, "spec.skills[1].cells",
				`skill "kubernetes-core" has no cell for level "senior"`).about("kubernetes-core", "senior", ""),
		},
	}, {
		name: "unknown proficiency lists the scale",
		mutate: func(r *v1alpha1.RoleSpec, m *v1alpha1.SkillMatrixSpec) {
			// Four rows with docker last, so the message is the documented example verbatim.
			m.Categories[0].Skills = append(m.Categories[0].Skills, v1alpha1.Skill{ID: "terraform", Name: "Terraform"})
			r.Skills = []v1alpha1.SkillRequirement{
				{ID: "kubernetes-core", Cells: cells("A", "W", "W")},
				{ID: "mlflow", Cells: cells("W", "V", "V")},
				{ID: "terraform", Cells: cells("A", "A", "W")},
				{ID: "docker", Cells: cells("W", "V", "X")},
			}
		},
		want: []want{wantError(validation.KindUnknownProficiency, "spec.skills[3].cells[2].proficiency",
			`spec.skills[3].cells[2].proficiency: skill "docker" at level "senior" has unknown proficiency "X" (want one of A, W, V, E)`).
			about("docker", "senior", "X")},
	}, {
		name: "a Role for another scale is reported once per foreign id, not once per cell",
		mutate: func(r *v1alpha1.RoleSpec, _ *v1alpha1.SkillMatrixSpec) {
			r.Skills = []v1alpha1.SkillRequirement{
				{ID: "docker", Cells: cells("1", "2", "3")},
				{ID: "kubernetes-core", Cells: cells("1", "2", "3")},
				{ID: "mlflow", Cells: cells("2", "3", "3")},
			}
		},
		want: []want{
			wantError(validation.KindUnknownProficiency, "spec.skills[0].cells[0].proficiency",
				`unknown proficiency "1" (want one of A, W, V, E); 1 other cell uses it too`).about("docker", "junior", "1"),
			wantError(validation.KindUnknownProficiency, "spec.skills[0].cells[1].proficiency",
				`unknown proficiency "2" (want one of A, W, V, E); 2 other cells use it too`).about("docker", "middle", "2"),
			wantError(validation.KindUnknownProficiency, "spec.skills[0].cells[2].proficiency",
				`unknown proficiency "3" (want one of A, W, V, E); 3 other cells use it too`).about("docker", "senior", "3"),
		},
	}, {
		name: "proficiency ids are case-sensitive, and the hint says so",
		mutate: func(r *v1alpha1.RoleSpec, _ *v1alpha1.SkillMatrixSpec) {
			r.Skills[0].Cells[1].Proficiency = "w"
		},
		want: []want{wantError(validation.KindUnknownProficiency, "spec.skills[0].cells[1].proficiency",
			`unknown proficiency "w" (want one of A, W, V, E); did you mean "W"? ids are case-sensitive`).
			about("docker", "middle", "w")},
	}, {
		name: "duplicate cell",
		mutate: func(r *v1alpha1.RoleSpec, _ *v1alpha1.SkillMatrixSpec) {
			r.Skills[2].Cells = append(r.Skills[2].Cells, v1alpha1.Cell{Level: "middle", Proficiency: "E"})
		},
		want: []want{wantError(validation.KindDuplicateCell, "spec.skills[2].cells[3].level",
			`skill "mlflow" has two cells for level "middle"`, "spec.skills[2].cells[1]", "spec.skills[2].cells[3]").
			about("mlflow", "middle", "middle")},
	}, {
		name: "missing cells name each level",
		mutate: func(r *v1alpha1.RoleSpec, _ *v1alpha1.SkillMatrixSpec) {
			r.Skills[0].Cells = r.Skills[0].Cells[1:2]
		},
		want: []want{
			wantError(validation.KindMissingCell, "spec.skills[0].cells", `skill "docker" has no cell for level "junior"`).
				about("docker", "junior", ""),
			wantError(validation.KindMissingCell, "spec.skills[0].cells", `skill "docker" has no cell for level "senior"`).
				about("docker", "senior", ""),
		},
	}, {
		name: "role level that the matrix lacks",
		mutate: func(r *v1alpha1.RoleSpec, _ *v1alpha1.SkillMatrixSpec) {
			r.Levels = append(r.Levels, v1alpha1.RoleLevel{Level: "principal", Focus: "Org-wide direction."})
		},
		want: []want{wantError(validation.KindUnknownLevel, "spec.levels[2].level",
			`level "principal" is not a level of the matrix`, "want one of junior, middle, senior").about("", "principal", "principal")},
	}, {
		name: "role level listed twice",
		mutate: func(r *v1alpha1.RoleSpec, _ *v1alpha1.SkillMatrixSpec) {
			r.Levels = append(r.Levels, v1alpha1.RoleLevel{Level: "junior"})
		},
		want: []want{wantError(validation.KindDuplicateID, "spec.levels[2].level",
			`level "junior" is listed twice`, "spec.levels[0]").about("", "junior", "junior")},
	}, {
		name: "career path from a level the matrix lacks",
		mutate: func(r *v1alpha1.RoleSpec, _ *v1alpha1.SkillMatrixSpec) {
			r.CareerPaths = append(r.CareerPaths, v1alpha1.CareerPath{Role: "ml-engineer", FromLevel: "staff"})
		},
		want: []want{wantError(validation.KindInvalidValue, "spec.careerPaths[1].fromLevel",
			`career path to role "ml-engineer" starts from level "staff"`, "want one of junior, middle, senior").
			about("", "staff", "staff")},
	}, {
		name: "career path to a role that may not exist is not checked",
		mutate: func(r *v1alpha1.RoleSpec, _ *v1alpha1.SkillMatrixSpec) {
			r.CareerPaths = append(r.CareerPaths, v1alpha1.CareerPath{Role: "no-such-role"})
		},
	}, {
		name: "career path listed twice",
		mutate: func(r *v1alpha1.RoleSpec, _ *v1alpha1.SkillMatrixSpec) {
			r.CareerPaths = append(r.CareerPaths, v1alpha1.CareerPath{Role: "ml-platform-architect", FromLevel: "middle"})
		},
		want: []want{wantError(validation.KindDuplicateID, "spec.careerPaths[1].role",
			`career path to role "ml-platform-architect" is listed twice`).about("", "", "ml-platform-architect")},
	}, {
		name: "decreasing proficiency is a warning",
		mutate: func(r *v1alpha1.RoleSpec, _ *v1alpha1.SkillMatrixSpec) {
			r.Skills[1].Cells = cells("W", "V", "A")
		},
		want: []want{{
			severity: validation.SeverityWarning, kind: validation.KindDecreasingProficiency, field: "spec.skills[1].cells",
			skill: "kubernetes-core", level: "senior", value: "A",
			contains: []string{`spec.skills[1].cells: skill "kubernetes-core": proficiency drops from V at "middle" to A at "senior"`},
		}},
	}, {
		name: "every drop warns once, rises do not",
		mutate: func(r *v1alpha1.RoleSpec, m *v1alpha1.SkillMatrixSpec) {
			m.Levels = append(m.Levels, v1alpha1.Level{ID: "lead", Name: "Lead"})
			for i := range r.Skills {
				r.Skills[i].Cells = append(r.Skills[i].Cells, v1alpha1.Cell{Level: "lead", Proficiency: "E"})
			}
			r.Skills[0].Cells = []v1alpha1.Cell{
				{Level: "junior", Proficiency: "V"}, {Level: "middle", Proficiency: "W"},
				{Level: "senior", Proficiency: "E"}, {Level: "lead", Proficiency: "A"},
			}
		},
		want: []want{
			{severity: validation.SeverityWarning, kind: validation.KindDecreasingProficiency, field: "spec.skills[0].cells",
				skill: "docker", level: "middle", value: "W", contains: []string{`from V at "junior" to W at "middle"`}},
			{severity: validation.SeverityWarning, kind: validation.KindDecreasingProficiency, field: "spec.skills[0].cells",
				skill: "docker", level: "lead", value: "A", contains: []string{`from E at "senior" to A at "lead"`}},
		},
	}, {
		name: "cells out of order are compared in the matrix's level order",
		mutate: func(r *v1alpha1.RoleSpec, _ *v1alpha1.SkillMatrixSpec) {
			c := r.Skills[0].Cells
			r.Skills[0].Cells = []v1alpha1.Cell{c[2], c[0], c[1]}
		},
	}, {
		name: "a drop across a missing level is still a drop",
		mutate: func(r *v1alpha1.RoleSpec, _ *v1alpha1.SkillMatrixSpec) {
			r.Skills[2].Cells = []v1alpha1.Cell{{Level: "junior", Proficiency: "V"}, {Level: "senior", Proficiency: "W"}}
		},
		want: []want{
			wantError(validation.KindMissingCell, "spec.skills[2].cells", `level "middle"`).about("mlflow", "middle", ""),
			{severity: validation.SeverityWarning, kind: validation.KindDecreasingProficiency, field: "spec.skills[2].cells",
				skill: "mlflow", level: "senior", value: "W", contains: []string{`from V at "junior" to W at "senior"`}},
		},
	}, {
		name: "a long list of valid levels is clipped in the message",
		mutate: func(r *v1alpha1.RoleSpec, m *v1alpha1.SkillMatrixSpec) {
			for i := range 10 {
				m.Levels = append(m.Levels, v1alpha1.Level{ID: v1alpha1.ID(fmt.Sprintf("extra-%d", i)), Name: "Extra"})
			}
			r.Skills = nil
			r.Levels = []v1alpha1.RoleLevel{{Level: "staff"}}
		},
		want: []want{wantError(validation.KindUnknownLevel, "spec.levels[0].level",
			"want one of junior, middle, senior, extra-0, ", "extra-8, ... (13 in all))").without("extra-9")},
	}, {
		name: "the matrix's own problems are not repeated",
		mutate: func(_ *v1alpha1.RoleSpec, m *v1alpha1.SkillMatrixSpec) {
			m.Levels = append(m.Levels, v1alpha1.Level{ID: "junior"}, v1alpha1.Level{Name: "No id"})
			m.Proficiencies = append(m.Proficiencies, v1alpha1.Proficiency{ID: "A"})
			m.Categories = append(m.Categories, v1alpha1.Category{ID: "machine-learning", Skills: []v1alpha1.Skill{{ID: "docker"}}},
				v1alpha1.Category{ID: "empty"})
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, m := smallRole(), smallMatrix()
			tt.mutate(r, m)
			assertProblems(t, validation.Role(r, m), tt.want)
		})
	}
}

func TestRoleNil(t *testing.T) {
	assertProblems(t, validation.Role(nil, smallMatrix()), []want{wantError(validation.KindInvalidValue, "spec", "no spec")})
	assertProblems(t, validation.Role(smallRole(), nil), []want{
		wantError(validation.KindInvalidValue, "spec.matrixRef", `"engineering"`).about("", "", "engineering"),
	})
}

// manyProblemsRole breaks smallRole in many ways at once.
func manyProblemsRole() *v1alpha1.RoleSpec {
	r := smallRole()
	r.Levels = append(r.Levels, v1alpha1.RoleLevel{Level: "staff"}, v1alpha1.RoleLevel{Level: "junior"})
	r.Skills[0].Cells[1].Proficiency = "Z"
	r.Skills[0].Cells = append(r.Skills[0].Cells, v1alpha1.Cell{Level: "junior", Proficiency: "A"})
	r.Skills[1].ID = "kubernetes-cre"
	r.Skills[1].Cells = r.Skills[1].Cells[:1]
	r.Skills[2].Cells = cells("E", "A", "W")
	r.Skills = append(r.Skills,
		v1alpha1.SkillRequirement{ID: "mlflow", Cells: []v1alpha1.Cell{
			{Level: "junior", Proficiency: "A"}, {Level: "lead", Proficiency: "W"},
			{Level: "middle", Proficiency: "W"}, {Level: "senior", Proficiency: "W"},
		}},
		v1alpha1.SkillRequirement{ID: "terraform"},
	)
	r.CareerPaths = append(r.CareerPaths, v1alpha1.CareerPath{Role: "ml-engineer", FromLevel: "mid"})
	return r
}

func TestRoleReportsEveryProblemInOrder(t *testing.T) {
	got := validation.Role(manyProblemsRole(), smallMatrix())
	warning := func(field, contains string) want {
		return want{severity: validation.SeverityWarning, kind: validation.KindDecreasingProficiency, field: field, contains: []string{contains}}
	}
	assertProblems(t, got, []want{
		wantError(validation.KindUnknownLevel, "spec.levels[2].level", `"staff"`),
		wantError(validation.KindDuplicateID, "spec.levels[3].level", `"junior"`),
		wantError(validation.KindUnknownProficiency, "spec.skills[0].cells[1].proficiency", `"docker"`, `"middle"`, `"Z"`),
		wantError(validation.KindDuplicateCell, "spec.skills[0].cells[3].level", `"docker"`, `"junior"`),
		wantError(validation.KindUnknownSkill, "spec.skills[1].id", `"kubernetes-cre"`, `did you mean "kubernetes-core"?`),
		wantError(validation.KindMissingCell, "spec.skills[1].cells", `"kubernetes-cre"`, `"middle"`),
		wantError(validation.KindMissingCell, "spec.skills[1].cells", `"kubernetes-cre"`, `"senior"`),
		warning("spec.skills[2].cells", `"mlflow": proficiency drops from E at "junior" to A at "middle"`),
		wantError(validation.KindDuplicateSkill, "spec.skills[3].id", `"mlflow"`, "spec.skills[2]"),
		wantError(validation.KindUnknownLevel, "spec.skills[3].cells[1].level", `"mlflow"`, `"lead"`),
		wantError(validation.KindUnknownSkill, "spec.skills[4].id", `"terraform"`),
		wantError(validation.KindMissingCell, "spec.skills[4].cells", `"terraform"`, `"junior"`),
		wantError(validation.KindMissingCell, "spec.skills[4].cells", `"terraform"`, `"middle"`),
		wantError(validation.KindMissingCell, "spec.skills[4].cells", `"terraform"`, `"senior"`),
		wantError(validation.KindInvalidValue, "spec.careerPaths[1].fromLevel", `"ml-engineer"`, `"mid"`),
	})
	if !got.HasErrors() || len(got.Errors()) != 14 || len(got.Warnings()) != 1 {
		t.Errorf("HasErrors=%v errors=%d warnings=%d, want true 14 1", got.HasErrors(), len(got.Errors()), len(got.Warnings()))
	}
	wantCounts := map[validation.Kind]int{
		validation.KindUnknownLevel: 2, validation.KindDuplicateID: 1, validation.KindUnknownProficiency: 1,
		validation.KindDuplicateCell: 1, validation.KindUnknownSkill: 2, validation.KindMissingCell: 5,
		validation.KindDecreasingProficiency: 1, validation.KindDuplicateSkill: 1, validation.KindInvalidValue: 1,
	}
	if counts := got.CountByKind(); !reflect.DeepEqual(counts, wantCounts) {
		t.Errorf("CountByKind() = %v, want %v", counts, wantCounts)
	}
}

func TestMatrixReportsEveryProblemInOrder(t *testing.T) {
	m := smallMatrix()
	m.Levels = append(m.Levels, v1alpha1.Level{ID: "middle"})
	m.Proficiencies[0].Name = ""
	m.Categories[1].Skills = append(m.Categories[1].Skills, v1alpha1.Skill{ID: "docker", Name: "Docker"})
	m.Categories = append(m.Categories, v1alpha1.Category{ID: "machine-learning", Name: "ML again"})
	assertProblems(t, validation.Matrix(m), []want{
		wantError(validation.KindDuplicateID, "spec.levels[3].id", `"middle"`),
		wantError(validation.KindInvalidValue, "spec.levels[3].name", `"middle"`),
		wantError(validation.KindInvalidValue, "spec.proficiencies[0].name", `"A"`),
		wantError(validation.KindDuplicateID, "spec.categories[2].id", `"machine-learning"`),
		wantError(validation.KindDuplicateSkill, "spec.categories[1].skills[1].id", `"docker"`),
		wantError(validation.KindEmptyCategory, "spec.categories[2].skills", `"machine-learning"`),
	})
}

func TestMLOpsEngineerSample(t *testing.T) {
	matrix, role := loadSamples(t)
	if res := validation.Matrix(matrix); len(res.Problems) != 0 {
		t.Fatalf("sample SkillMatrix: want no problems, got %s", res.Summary(validation.SeverityError, 0))
	}
	res := validation.Role(role, matrix)
	if res.HasErrors() {
		t.Fatalf("sample Role: want no errors, got %s", res.Summary(validation.SeverityError, 10))
	}
	warnings := res.Warnings()
	if len(warnings) != 56 || len(res.Problems) != 56 {
		t.Fatalf("sample Role: want 56 warnings and nothing else, got %d problems, %d warnings", len(res.Problems), len(warnings))
	}
	for i, w := range warnings {
		// Every row of the seed reads A, W, A, E, E: one drop, at Senior.
		field := fmt.Sprintf("spec.skills[%d].cells", i)
		if w.Kind != validation.KindDecreasingProficiency || w.Field != field ||
			w.Skill != string(role.Skills[i].ID) || w.Level != "senior" || w.Value != "A" {
			t.Errorf("warning %d = %+v, want a drop to A at senior in %s", i, w, field)
		}
	}
	const first = `spec.skills[0].cells: skill "github-copilot": proficiency drops from W at "middle" to A at "senior"`
	if warnings[0].Message != first {
		t.Errorf("first warning = %q, want %q", warnings[0].Message, first)
	}
	if counts := res.CountByKind(); !reflect.DeepEqual(counts, map[validation.Kind]int{validation.KindDecreasingProficiency: 56}) {
		t.Errorf("CountByKind() = %v", counts)
	}
}

func TestDeterminism(t *testing.T) {
	matrix, role := loadSamples(t)
	broken := smallMatrix()
	broken.Categories[1].Skills = append(broken.Categories[1].Skills, v1alpha1.Skill{ID: "docker"})
	broken.Levels = append(broken.Levels, v1alpha1.Level{ID: "senior"})
	inputs := []struct {
		role   *v1alpha1.RoleSpec
		matrix *v1alpha1.SkillMatrixSpec
	}{{role, matrix}, {manyProblemsRole(), smallMatrix()}, {manyProblemsRole(), broken}}
	for i, in := range inputs {
		firstRole, firstMatrix := validation.Role(in.role, in.matrix), validation.Matrix(in.matrix)
		// Repeat enough times that a walk over a Go map, whose order changes
		// between iterations, would show.
		for range 20 {
			if again := validation.Role(in.role, in.matrix); !reflect.DeepEqual(again, firstRole) {
				t.Fatalf("input %d: Role() differs between runs:\n%v\n%v", i, firstRole, again)
			}
			if again := validation.Matrix(in.matrix); !reflect.DeepEqual(again, firstMatrix) {
				t.Fatalf("input %d: Matrix() differs between runs:\n%v\n%v", i, firstMatrix, again)
			}
		}
	}
}

func problems(sev validation.Severity, messages ...string) []validation.Problem {
	out := make([]validation.Problem, len(messages))
	for i, m := range messages {
		out[i] = validation.Problem{Severity: sev, Kind: validation.KindInvalidValue, Field: "spec", Message: m}
	}
	return out
}

func TestSummary(t *testing.T) {
	mixed := validation.Result{Problems: append(append(problems(validation.SeverityError, "e1", "e2"),
		problems(validation.SeverityWarning, "w1")...), problems(validation.SeverityError, "e3", "e4")...)}
	tests := []struct {
		name     string
		result   validation.Result
		severity validation.Severity
		max      int
		want     string
	}{
		{"no problems", validation.Result{}, validation.SeverityError, 3, ""},
		{"only the other severity", validation.Result{Problems: problems(validation.SeverityWarning, "w1")}, validation.SeverityError, 3, ""},
		{"fewer than max", mixed, validation.SeverityError, 10, "e1; e2; e3; e4"},
		{"exactly max", mixed, validation.SeverityError, 4, "e1; e2; e3; e4"},
		{"truncated", mixed, validation.SeverityError, 2, "e1; e2; and 2 more"},
		{"truncated to one", mixed, validation.SeverityError, 1, "e1; and 3 more"},
		{"warnings only", mixed, validation.SeverityWarning, 1, "w1"},
		{"max 0 means no count limit", mixed, validation.SeverityError, 0, "e1; e2; e3; e4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.result.Summary(tt.severity, tt.max); got != tt.want {
				t.Errorf("Summary(%s, %d) = %q, want %q", tt.severity, tt.max, got, tt.want)
			}
		})
	}
}

func TestSummaryFitsInAConditionMessage(t *testing.T) {
	const conditionMessageLimit = 32 << 10
	long := strings.Repeat("x", 300)
	msgs := make([]string, 1000)
	for i := range msgs {
		msgs[i] = fmt.Sprintf("%d %s", i, long)
	}
	got := validation.Result{Problems: problems(validation.SeverityError, msgs...)}.Summary(validation.SeverityError, 0)
	if len(got) > conditionMessageLimit/2+len("; and 1000 more") {
		t.Errorf("Summary is %d bytes, want at most half the %d-byte condition limit", len(got), conditionMessageLimit)
	}
	if !strings.HasPrefix(got, "0 x") || !strings.HasSuffix(got, " more") {
		t.Errorf("Summary = %q..., want the first messages then the count of the rest", got[:20])
	}
	shown := strings.Count(got, "; ")
	if !strings.HasSuffix(got, fmt.Sprintf("; and %d more", 1000-shown)) {
		t.Errorf("Summary shows %d messages but ends %q", shown, got[len(got)-20:])
	}

	// The odd leading byte puts the cut in the middle of an "é".
	huge := validation.Result{Problems: problems(validation.SeverityError, "x"+strings.Repeat("é", conditionMessageLimit))}
	got = huge.Summary(validation.SeverityError, 1)
	if len(got) > conditionMessageLimit/2 || !strings.HasPrefix(got, "xé") || !utf8.ValidString(got) {
		t.Errorf("a single huge message is %d bytes (valid UTF-8: %v), want it clipped to half the condition limit on a rune boundary",
			len(got), utf8.ValidString(got))
	}
}

func TestMessagesClipHugeValues(t *testing.T) {
	r := smallRole()
	r.Skills[0].ID = v1alpha1.ID(strings.Repeat("a", 10_000))
	res := validation.Role(r, smallMatrix())
	if len(res.Problems) != 1 || res.Problems[0].Kind != validation.KindUnknownSkill {
		t.Fatalf("want one UnknownSkill, got %v", res.Problems)
	}
	if p := res.Problems[0]; len(p.Message) > 300 || p.Value != string(r.Skills[0].ID) {
		t.Errorf("message is %d bytes (want it clipped), value %d bytes (want it whole)", len(p.Message), len(p.Value))
	}
}

func TestErrorsAndWarningsOfAnEmptyResult(t *testing.T) {
	var r validation.Result
	if r.HasErrors() || len(r.Errors()) != 0 || len(r.Warnings()) != 0 || len(r.CountByKind()) != 0 {
		t.Errorf("empty Result reports problems")
	}
}
