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

package render_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
)

const sampleNamespace = "career"

// sample loads the MLOps Engineer samples as the operator would see them once
// applied: in a namespace, with one applied proposal in the Role's history so
// the changelog has something to show.
func sample(t testing.TB) (*v1.SkillMatrix, *v1.Role) {
	t.Helper()
	var matrix v1.SkillMatrix
	var role v1.Role
	for name, into := range map[string]any{
		"career_v1alpha1_skillmatrix.yaml": &matrix,
		"career_v1alpha1_role.yaml":        &role,
	} {
		data, err := os.ReadFile(filepath.Join("..", "..", "config", "samples", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.UnmarshalStrict(data, into); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	matrix.Namespace = sampleNamespace
	role.Namespace = sampleNamespace
	role.Status.History = []v1.AppliedProposal{{
		Name:       "mlops-engineer-principal-llm-stack",
		UID:        "6f1c2a9e-4b7d-4e0a-9c55-2d8e7f3b1a40",
		Title:      "Add LLM infrastructure (vLLM, TGI) to the Principal tech stack",
		Author:     "alice",
		AppliedAt:  metav1.NewTime(time.Date(2026, time.March, 2, 14, 30, 0, 0, time.UTC)),
		Generation: 2,
	}}
	return &matrix, &role
}

func sampleModel(t testing.TB) *model.RoleMatrix {
	t.Helper()
	return model.BuildRole(sample(t))
}

// sampleCatalog is the catalog of the "engineering" matrix with the MLOps
// Engineer (published and Ready) and a small ML Engineer Role that has not
// been reconciled yet, so the index shows both states and the career-path
// graph has a resolved edge, a dangling one and a way back.
func sampleCatalog(t testing.TB) *model.Catalog {
	t.Helper()
	matrix, mlops := sample(t)
	m := model.BuildRole(matrix, mlops)
	mlops.Status.ConfigMapName = "mlops-engineer-matrix"
	mlops.Status.Conditions = []metav1.Condition{{Type: v1.ConditionReady, Status: metav1.ConditionTrue, Reason: "Published"}}
	mlops.Status.Summary = &v1.RoleSummary{
		Skills: int32(m.Stats.Skills), Levels: int32(m.Stats.Levels), Categories: int32(m.Stats.Categories),
		Requirements: int32(m.Stats.Requirements), Required: int32(m.Stats.Required), KeyAreas: m.Stats.KeyAreas,
	}
	mlEngineer := v1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "ml-engineer", Namespace: sampleNamespace},
		Spec: v1.RoleSpec{
			MatrixRef:   "engineering",
			DisplayName: "ML Engineer",
			Family:      "ML & AI Engineering",
			Skills: []v1.SkillRequirement{
				fullRow("mlflow", "W*", "V*", "V*", "E", "E"),
				fullRow("experiment-tracking", "W*", "V*", "E*", "E", "E"),
			},
			CareerPaths: []v1.CareerPath{{Role: "mlops-engineer", FromLevel: "senior", Description: "Takes models all the way to production."}},
		},
	}
	return model.BuildCatalog(matrix, []v1.Role{*mlops, mlEngineer})
}

var sampleLevels = []v1.ID{"junior", "middle", "senior", "lead", "principal"}

// fullRow builds a row from codes per level; a trailing * marks required.
func fullRow(id string, codes ...string) v1.SkillRequirement {
	r := v1.SkillRequirement{ID: v1.ID(id)}
	for i, c := range codes {
		r.Cells = append(r.Cells, v1.Cell{
			Level:       sampleLevels[i],
			Proficiency: v1.ProficiencyID(c[:1]),
			Required:    len(c) > 1,
		})
	}
	return r
}

// generated builds a matrix and Role of categories x skillsPer skills over the
// sample's five levels, every cell filled and every fifth one with details.
func generated(categories, skillsPer int) (*v1.SkillMatrix, *v1.Role) {
	matrix := &v1.SkillMatrix{
		ObjectMeta: metav1.ObjectMeta{Name: "big", Namespace: "bench"},
		Spec: v1.SkillMatrixSpec{
			Proficiencies: []v1.Proficiency{
				{ID: "A", Name: "Awareness"}, {ID: "W", Name: "Working"}, {ID: "V", Name: "Advanced"}, {ID: "E", Name: "Expert"},
			},
		},
	}
	for _, l := range sampleLevels {
		matrix.Spec.Levels = append(matrix.Spec.Levels, v1.Level{ID: l, Name: string(l)})
	}
	role := &v1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "big-role", Namespace: "bench"},
		Spec:       v1.RoleSpec{MatrixRef: "big", DisplayName: "Big Role", Family: "Benchmarks"},
	}
	codes := []v1.ProficiencyID{"A", "W", "V", "E"}
	for c := range categories {
		cat := v1.Category{ID: v1.ID(fmt.Sprintf("category-%02d", c)), Name: fmt.Sprintf("Category %d", c)}
		for s := range skillsPer {
			id := v1.ID(fmt.Sprintf("skill-%02d-%02d", c, s))
			cat.Skills = append(cat.Skills, v1.Skill{ID: id, Name: fmt.Sprintf("Skill %d.%d", c, s), Description: "What the skill covers."})
			row := v1.SkillRequirement{ID: id}
			for i, l := range sampleLevels {
				cell := v1.Cell{Level: l, Proficiency: codes[min(i, 3)], Required: (c+s+i)%2 == 0}
				if (s+i)%5 == 0 {
					cell.Description = "What this cell means for the skill at the level."
					cell.Examples = []string{"A first example of the work.", "A second example, with a comma."}
				}
				row.Cells = append(row.Cells, cell)
			}
			role.Spec.Skills = append(role.Spec.Skills, row)
		}
		matrix.Spec.Categories = append(matrix.Spec.Categories, cat)
	}
	return matrix, role
}
