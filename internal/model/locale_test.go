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

package model_test

import (
	"reflect"
	"slices"
	"testing"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
)

func TestLocalized(t *testing.T) {
	matrix, role := loadSamples(t)
	matrix.Spec.Translations = []v1.SkillMatrixTranslation{{Locale: "zh-CN",
		Levels:        []v1.LevelTranslation{{ID: "junior", Name: "初级"}, {ID: "middle", Name: "中级", ShortName: "中"}},
		Proficiencies: []v1.ProficiencyTranslation{{ID: "A", Name: "了解"}},
		Categories:    []v1.TextTranslation{{ID: "programming-fundamentals", Name: "编程基础"}},
		Skills:        []v1.TextTranslation{{ID: "docker", Name: "Докер\r\nконтейнеры", Description: "容器"}},
	}}
	role.Spec.Translations = []v1.RoleTranslation{{Locale: "zh-CN", DisplayName: "MLOps 工程师",
		Levels: []v1.RoleLevelTranslation{{Level: "senior", Focus: "平台架构"}},
		Cells:  []v1.CellTranslation{{Skill: "docker", Level: "junior", Description: "能构建镜像", Examples: []string{"构建推理镜像"}}},
	}}
	base := model.BuildRole(matrix, role)
	before := model.BuildRole(matrix, role)
	zh := base.Localized("ZH-cn")
	if !reflect.DeepEqual(base, before) {
		t.Fatal("Localized changed its receiver")
	}
	docker := findSkill(zh, "docker")
	tests := []struct{ what, got, want string }{
		{"locale", zh.Locale, "ZH-cn"},
		{"display name", zh.DisplayName, "MLOps 工程师"},
		{"family falls back", zh.Family, base.Family},
		{"level name", zh.Levels[0].Name, "初级"},
		{"short name falls back to the translated name", zh.Levels[0].ShortName, "初级"},
		{"short name", zh.Levels[1].ShortName, "中"},
		{"untranslated level", zh.Levels[2].Name, base.Levels[2].Name},
		{"focus", zh.Levels[2].Focus, "平台架构"},
		{"untranslated focus", zh.Levels[0].Focus, base.Levels[0].Focus},
		{"proficiency", zh.Scale[0].Name, "了解"},
		{"proficiency description falls back", zh.Scale[0].Description, base.Scale[0].Description},
		{"skill name, line endings normalised", docker.Name, "Докер\nконтейнеры"},
		{"cell", docker.Cells[0].Description, "能构建镜像"},
		{"cell examples", docker.Cells[0].Examples[0], "构建推理镜像"},
		{"key area", zh.Stats.KeyAreas[0], "编程基础"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.what, tt.got, tt.want)
		}
	}
	if zh.Stats.Skills != base.Stats.Skills || zh.Stats.Required != base.Stats.Required {
		t.Errorf("figures changed: %+v vs %+v", zh.Stats, base.Stats)
	}
	if got := base.Locales(); !slices.Equal(got, []string{"zh-cn"}) {
		t.Errorf("Locales() = %v", got)
	}
	// A locale without translations is the default text.
	de := base.Localized("de")
	de.Locale = ""
	if !reflect.DeepEqual(de, base) {
		t.Error("Localized(de) differs from the default text")
	}
}

func findSkill(m *model.RoleMatrix, id string) model.Skill {
	for _, c := range m.Categories {
		for _, s := range c.Skills {
			if s.ID == id {
				return s
			}
		}
	}
	return model.Skill{}
}
