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
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/validation"
)

// generated builds the largest Role the schema admits in skills: categories x
// perCategory skills over the given number of levels, every row valid and
// rising, so the benchmark measures the clean path every reconcile takes.
func generated(categories, perCategory, levels int) (*v1alpha1.SkillMatrixSpec, *v1alpha1.RoleSpec) {
	m := &v1alpha1.SkillMatrixSpec{
		Proficiencies: []v1alpha1.Proficiency{
			{ID: "A", Name: "Awareness"}, {ID: "W", Name: "Working"}, {ID: "V", Name: "Advanced"}, {ID: "E", Name: "Expert"},
		},
	}
	for l := range levels {
		m.Levels = append(m.Levels, v1alpha1.Level{ID: v1alpha1.ID(fmt.Sprintf("level-%d", l)), Name: fmt.Sprintf("Level %d", l)})
	}
	r := &v1alpha1.RoleSpec{MatrixRef: "generated", DisplayName: "Generated"}
	for c := range categories {
		cat := v1alpha1.Category{ID: v1alpha1.ID(fmt.Sprintf("category-%d", c)), Name: fmt.Sprintf("Category %d", c)}
		for s := range perCategory {
			id := v1alpha1.ID(fmt.Sprintf("skill-%d-%d", c, s))
			cat.Skills = append(cat.Skills, v1alpha1.Skill{ID: id, Name: string(id)})
			row := v1alpha1.SkillRequirement{ID: id}
			for l, level := range m.Levels {
				prof := m.Proficiencies[min(l, len(m.Proficiencies)-1)].ID
				row.Cells = append(row.Cells, v1alpha1.Cell{Level: level.ID, Proficiency: prof, Required: (s+l)%2 == 0})
			}
			r.Skills = append(r.Skills, row)
		}
		m.Categories = append(m.Categories, cat)
	}
	return m, r
}

func TestGeneratedRoleIsValid(t *testing.T) {
	m, r := generated(10, 50, 5)
	if len(r.Skills) != v1alpha1.MaxSkills {
		t.Fatalf("generated %d skills, want %d", len(r.Skills), v1alpha1.MaxSkills)
	}
	if res := validation.Matrix(m); len(res.Problems) != 0 {
		t.Errorf("generated matrix: %s", res.Summary(validation.SeverityError, 5))
	}
	if res := validation.Role(r, m); len(res.Problems) != 0 {
		t.Errorf("generated role: %v", res.Problems)
	}
}

func BenchmarkRole(b *testing.B) {
	sampleMatrix, sampleRole := loadSamples(b)
	bigMatrix, bigRole := generated(10, 50, 5)
	for _, bc := range []struct {
		name   string
		matrix *v1alpha1.SkillMatrixSpec
		role   *v1alpha1.RoleSpec
	}{
		{"mlops-sample", sampleMatrix, sampleRole},
		{"500-skills", bigMatrix, bigRole},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = validation.Role(bc.role, bc.matrix)
			}
		})
	}
}

func BenchmarkMatrix(b *testing.B) {
	sampleMatrix, _ := loadSamples(b)
	bigMatrix, _ := generated(10, 50, 5)
	for _, bc := range []struct {
		name   string
		matrix *v1alpha1.SkillMatrixSpec
	}{
		{"mlops-sample", sampleMatrix},
		{"500-skills", bigMatrix},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = validation.Matrix(bc.matrix)
			}
		})
	}
}
