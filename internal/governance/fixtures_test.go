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

package governance_test

import (
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// testMatrix is a small framework: three levels, the A/W/V/E scale and five
// skills in three categories.
func testMatrix() *v1alpha1.SkillMatrixSpec {
	return &v1alpha1.SkillMatrixSpec{
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
			{ID: "programming", Name: "Programming", Skills: []v1alpha1.Skill{
				{ID: "python", Name: "Python"},
				{ID: "golang", Name: "Go"},
			}},
			{ID: "cloud", Name: "Cloud", Skills: []v1alpha1.Skill{
				{ID: "docker", Name: "Docker"},
				{ID: "kubernetes-core", Name: "Kubernetes Core"},
			}},
			{ID: "ml", Name: "Machine Learning", Skills: []v1alpha1.Skill{
				{ID: "mlflow", Name: "MLflow"},
			}},
		},
	}
}

// testRole uses three of the five skills, lists two of the three levels in
// spec.levels (senior has no focus or tech stack yet) and carries examples,
// so a result that shares memory with it shows up when the result is mutated.
func testRole() *v1alpha1.RoleSpec {
	return &v1alpha1.RoleSpec{
		MatrixRef:   "engineering",
		DisplayName: "MLOps Engineer",
		Levels: []v1alpha1.RoleLevel{
			{Level: "junior", Focus: "Pipelines", TechStack: []string{"Python", "Docker"}},
			{Level: "middle", Focus: "CI/CD for ML", TechStack: []string{"Kubeflow"}},
		},
		Skills: []v1alpha1.SkillRequirement{
			{ID: "python", Cells: []v1alpha1.Cell{
				{Level: "junior", Proficiency: "W", Required: true, Examples: []string{"writes a CLI"}},
				{Level: "middle", Proficiency: "V", Required: true},
				{Level: "senior", Proficiency: "E", Required: true},
			}},
			{ID: "docker", Cells: []v1alpha1.Cell{
				{Level: "junior", Proficiency: "A"},
				{Level: "middle", Proficiency: "W", Required: true},
				{Level: "senior", Proficiency: "V"},
			}},
			{ID: "kubernetes-core", Cells: []v1alpha1.Cell{
				{Level: "junior", Proficiency: "A"},
				{Level: "middle", Proficiency: "W"},
				{Level: "senior", Proficiency: "A"},
			}},
		},
	}
}

func cells(profs ...v1alpha1.ProficiencyID) []v1alpha1.Cell {
	levels := []v1alpha1.ID{"junior", "middle", "senior"}
	out := make([]v1alpha1.Cell, len(profs))
	for i, p := range profs {
		out[i] = v1alpha1.Cell{Level: levels[i], Proficiency: p}
	}
	return out
}

func setProf(skill, level v1alpha1.ID, p v1alpha1.ProficiencyID) v1alpha1.Change {
	return v1alpha1.Change{Op: v1alpha1.OpSetProficiency, Skill: skill, Level: level, Proficiency: p}
}

func setReq(skill, level v1alpha1.ID, required bool) v1alpha1.Change {
	return v1alpha1.Change{Op: v1alpha1.OpSetRequired, Skill: skill, Level: level, Required: new(required)}
}

func addSkill(skill v1alpha1.ID, c []v1alpha1.Cell) v1alpha1.Change {
	return v1alpha1.Change{Op: v1alpha1.OpAddSkill, Skill: skill, Cells: c}
}

func removeSkill(skill v1alpha1.ID) v1alpha1.Change {
	return v1alpha1.Change{Op: v1alpha1.OpRemoveSkill, Skill: skill}
}

func setFocus(level v1alpha1.ID, focus string) v1alpha1.Change {
	return v1alpha1.Change{Op: v1alpha1.OpSetFocus, Level: level, Focus: new(focus)}
}

func setStack(level v1alpha1.ID, stack ...string) v1alpha1.Change {
	if stack == nil {
		stack = []string{}
	}
	return v1alpha1.Change{Op: v1alpha1.OpSetTechStack, Level: level, TechStack: stack}
}

// withFrom returns c expecting to replace v.
func withFrom(c v1alpha1.Change, v v1alpha1.ChangeValue) v1alpha1.Change {
	c.From = &v
	return c
}

// loadSample decodes a file of config/samples strictly, so a field renamed in
// the API types fails here rather than silently yielding an empty spec.
func loadSample(tb testing.TB, name string, into any) {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "config", "samples", name))
	if err != nil {
		tb.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(data, into); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
}
