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
	"slices"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/validation"
)

func TestTranslationWarnings(t *testing.T) {
	type problem struct {
		kind  validation.Kind
		field string
	}
	tests := []struct {
		name   string
		matrix func(*v1alpha1.SkillMatrixSpec)
		role   func(*v1alpha1.RoleSpec)
		want   []problem
	}{
		{name: "published locale, existing ids", matrix: func(m *v1alpha1.SkillMatrixSpec) {
			m.Translations = []v1alpha1.SkillMatrixTranslation{{Locale: "zh-CN",
				Levels: []v1alpha1.LevelTranslation{{ID: "junior", Name: "初级"}},
				Skills: []v1alpha1.TextTranslation{{ID: "docker", Name: "Докер"}}}}
		}, role: func(r *v1alpha1.RoleSpec) {
			r.Translations = []v1alpha1.RoleTranslation{{Locale: "zh-cn", DisplayName: "MLOps 工程师",
				Cells: []v1alpha1.CellTranslation{{Skill: "docker", Level: "junior", Description: "能构建镜像"}}}}
		}},
		{name: "unpublished locale", matrix: func(m *v1alpha1.SkillMatrixSpec) {
			m.Translations = []v1alpha1.SkillMatrixTranslation{{Locale: "de"}}
		}, role: func(r *v1alpha1.RoleSpec) {
			r.Translations = []v1alpha1.RoleTranslation{{Locale: "fr", Summary: "x"}}
		}, want: []problem{
			{validation.KindUnpublishedLocale, "spec.translations[0].locale"},
			{validation.KindUnpublishedLocale, "spec.translations[0].locale"},
		}},
		{name: "unknown ids", matrix: func(m *v1alpha1.SkillMatrixSpec) {
			m.Translations = []v1alpha1.SkillMatrixTranslation{{Locale: "zh-CN",
				Levels:        []v1alpha1.LevelTranslation{{ID: "intern"}},
				Proficiencies: []v1alpha1.ProficiencyTranslation{{ID: "Z"}},
				Categories:    []v1alpha1.TextTranslation{{ID: "cooking"}},
				Skills:        []v1alpha1.TextTranslation{{ID: "knitting"}}}}
		}, role: func(r *v1alpha1.RoleSpec) {
			r.Translations = []v1alpha1.RoleTranslation{{Locale: "zh-CN",
				Levels: []v1alpha1.RoleLevelTranslation{{Level: "intern"}},
				Cells:  []v1alpha1.CellTranslation{{Skill: "knitting", Level: "junior"}, {Skill: "docker", Level: "intern"}}}}
		}, want: []problem{
			{validation.KindUnknownTranslation, "spec.translations[0].levels[0].id"},
			{validation.KindUnknownTranslation, "spec.translations[0].proficiencies[0].id"},
			{validation.KindUnknownTranslation, "spec.translations[0].categories[0].id"},
			{validation.KindUnknownTranslation, "spec.translations[0].skills[0].id"},
			{validation.KindUnknownTranslation, "spec.translations[0].levels[0].level"},
			{validation.KindUnknownTranslation, "spec.translations[0].cells[0].skill"},
			{validation.KindUnknownTranslation, "spec.translations[0].cells[1].level"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			matrix, role := loadSamples(t)
			tt.matrix(matrix)
			tt.role(role)
			var got []problem
			for _, r := range []validation.Result{validation.Matrix(matrix), validation.Role(role, matrix)} {
				if r.HasErrors() {
					t.Fatalf("errors: %v", r.Errors())
				}
				for _, p := range r.Warnings() {
					if p.Kind == validation.KindUnpublishedLocale || p.Kind == validation.KindUnknownTranslation {
						got = append(got, problem{p.Kind, p.Field})
					}
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("warnings = %v, want %v", got, tt.want)
			}
		})
	}
}
