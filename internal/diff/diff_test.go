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

package diff_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/diff"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
)

func matrix() *v1.SkillMatrix {
	m := &v1.SkillMatrix{Spec: v1.SkillMatrixSpec{
		Levels: []v1.Level{
			{ID: "junior", Name: "Junior", ShortName: "Jun"},
			{ID: "middle", Name: "Middle", ShortName: "Mid"},
			{ID: "senior", Name: "Senior", ShortName: "Sen"},
			{ID: "lead", Name: "Lead / Staff"},
		},
		Proficiencies: []v1.Proficiency{{ID: "A", Name: "Aware"}, {ID: "W", Name: "Working"}, {ID: "E", Name: "Expert"}},
		Categories: []v1.Category{
			{ID: "infra", Name: "Infrastructure", Skills: []v1.Skill{{ID: "docker", Name: "Docker"}, {ID: "k8s", Name: "Kubernetes"}}},
			{ID: "code", Name: "Code", Skills: []v1.Skill{{ID: "python", Name: "Python"}, {ID: "go", Name: "Go"}}},
		},
	}}
	m.Name = "engineering"
	return m
}

func cells(levelsAndValues ...string) []v1.Cell {
	var out []v1.Cell
	for i := 0; i+1 < len(levelsAndValues); i += 2 {
		p, req := levelsAndValues[i+1], false
		if n := len(p); n > 0 && p[n-1] == '*' {
			p, req = p[:n-1], true
		}
		out = append(out, v1.Cell{Level: v1.ID(levelsAndValues[i]), Proficiency: v1.ProficiencyID(p), Required: req})
	}
	return out
}

func role() *v1.Role {
	r := &v1.Role{Spec: v1.RoleSpec{
		MatrixRef:   "engineering",
		DisplayName: "Platform Engineer",
		Levels: []v1.RoleLevel{
			{Level: "junior", Focus: "Learn", TechStack: []string{"Docker"}},
			{Level: "senior", Focus: "Lead", TechStack: []string{"Kubernetes", "Helm"}},
		},
		Skills: []v1.SkillRequirement{
			{ID: "docker", Cells: cells("junior", "A", "middle", "W*", "senior", "E*", "lead", "W")},
			{ID: "k8s", Cells: cells("junior", "", "middle", "A", "senior", "A*", "lead", "")},
			{ID: "python", Cells: cells("junior", "W", "middle", "W", "senior", "W", "lead", "W")},
		},
	}}
	r.Name = "platform-engineer"
	return r
}

func TestFindLevel(t *testing.T) {
	m := model.BuildRole(matrix(), role())
	tests := []struct {
		in   string
		want int
	}{
		{"middle", 1},
		{"SENIOR", 2},
		{"Jun", 0},
		{"lead / staff", 3},
		{"Lead", 3},
	}
	for _, tt := range tests {
		if got, err := diff.FindLevel(m, tt.in); err != nil || got != tt.want {
			t.Errorf("FindLevel(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	_, err := diff.FindLevel(m, "Midle")
	var unknown *diff.UnknownLevelError
	if !errors.As(err, &unknown) || unknown.Level != "Midle" || !slices.Equal(unknown.Known, []string{"junior", "middle", "senior", "lead"}) {
		t.Fatalf("FindLevel(Midle) error = %#v, want an UnknownLevelError", err)
	}
	want := `level "Midle" is not a level of SkillMatrix "engineering" (want one of junior, middle, senior, lead); did you mean "middle"?`
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
}

func TestLevels(t *testing.T) {
	m := model.BuildRole(matrix(), role())
	tests := []struct {
		name     string
		from, to int
		want     map[string]diff.SkillShift // by skill id; From/To left out
		summary  diff.LevelSummary
	}{
		{"up one level", 0, 1, map[string]diff.SkillShift{
			"docker": {Change: diff.Rises, Required: diff.NewlyRequired},
			"k8s":    {Change: diff.Stated},
			"python": {Change: diff.Stays},
		}, diff.LevelSummary{Rises: 1, Stays: 1, NewlyRequired: 1}},
		{"down", 2, 3, map[string]diff.SkillShift{
			"docker": {Change: diff.Falls, Required: diff.NoLongerRequired},
			"k8s":    {Change: diff.Unstated, Required: diff.NoLongerRequired},
			"python": {Change: diff.Stays},
		}, diff.LevelSummary{Falls: 1, Stays: 1, NoLongerRequired: 2}},
		{"same level", 1, 1, map[string]diff.SkillShift{
			"docker": {Change: diff.Stays},
			"k8s":    {Change: diff.Stays},
			"python": {Change: diff.Stays},
		}, diff.LevelSummary{Stays: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := diff.Levels(m, tt.from, tt.to)
			if d.Summary != tt.summary {
				t.Errorf("Summary = %+v, want %+v", d.Summary, tt.summary)
			}
			if d.Changed() != (tt.summary != diff.LevelSummary{Stays: tt.summary.Stays}) {
				t.Errorf("Changed() = %v for %+v", d.Changed(), d.Summary)
			}
			var seen []string
			for _, c := range d.Categories {
				for _, s := range c.Skills {
					seen = append(seen, s.ID)
					w := tt.want[s.ID]
					if s.Change != w.Change || s.Required != w.Required {
						t.Errorf("%s: %s/%q, want %s/%q", s.ID, s.Change, s.Required, w.Change, w.Required)
					}
				}
			}
			if !slices.Equal(seen, []string{"docker", "k8s", "python"}) {
				t.Errorf("skills in order %v, want the catalog's", seen)
			}
		})
	}
	d := diff.Levels(m, 0, 2)
	if got := d.Categories[0].Skills[0]; got.From.String() != "A" || got.To.String() != "E*" || got.Name != "Docker" {
		t.Errorf("docker junior→senior = %+v", got)
	}
	if got := d.Categories[0].Skills[1].From.String(); got != "—" {
		t.Errorf("an unstated cell prints %q, want —", got)
	}
	if d.From.ShortName != "Jun" || d.To.Name != "Senior" || d.Role != "platform-engineer" {
		t.Errorf("levels named %+v → %+v", d.From, d.To)
	}
}

func TestRolesOfTheSameRoleAreEmpty(t *testing.T) {
	for _, m := range []*v1.SkillMatrix{nil, matrix()} {
		d := diff.Roles(role(), role(), m)
		if !d.Empty() || d.Count() != 0 {
			t.Errorf("diff of a Role with itself: %+v", d)
		}
		data, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		want := `{"old":"platform-engineer","new":"platform-engineer","fields":[],"levels":[],"skillsAdded":[],"skillsRemoved":[],"cells":[]}`
		if string(data) != want {
			t.Errorf("JSON = %s\nwant   %s", data, want)
		}
	}
}

func TestRoles(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(r *v1.Role)
		matrix bool
		check  func(t *testing.T, d *diff.RoleDiff)
	}{
		{"summary", func(r *v1.Role) { r.Spec.Summary = "new" }, false, func(t *testing.T, d *diff.RoleDiff) {
			if len(d.Fields) != 1 || d.Fields[0] != (diff.FieldChange{Field: "spec.summary", New: "new"}) {
				t.Errorf("Fields = %+v", d.Fields)
			}
		}},
		{"career paths as JSON", func(r *v1.Role) { r.Spec.CareerPaths = []v1.CareerPath{{Role: "sre"}} }, false, func(t *testing.T, d *diff.RoleDiff) {
			if len(d.Fields) != 1 || d.Fields[0].Field != "spec.careerPaths" || d.Fields[0].New != `[{"role":"sre"}]` || d.Fields[0].Old != "" {
				t.Errorf("Fields = %+v", d.Fields)
			}
		}},
		{"focus and tech stack", func(r *v1.Role) {
			r.Spec.Levels[0].Focus = "Build"
			r.Spec.Levels[1].TechStack = []string{"Kubernetes", "Argo"}
		}, false, func(t *testing.T, d *diff.RoleDiff) {
			want := []diff.LevelChange{
				{Level: "junior", Field: "focus", Old: "Learn", New: "Build"},
				{Level: "senior", Field: "techStack", Old: "Kubernetes, Helm", New: "Kubernetes, Argo", Added: []string{"Argo"}, Removed: []string{"Helm"}},
			}
			if !equalJSON(d.Levels, want) {
				t.Errorf("Levels = %+v", d.Levels)
			}
		}},
		{"tech stack reordered", func(r *v1.Role) { r.Spec.Levels[1].TechStack = []string{"Helm", "Kubernetes"} }, false, func(t *testing.T, d *diff.RoleDiff) {
			if len(d.Levels) != 1 || d.Levels[0].Added != nil || d.Levels[0].Removed != nil {
				t.Errorf("Levels = %+v, want one change with nothing added or removed", d.Levels)
			}
		}},
		{"skill added from the catalog", func(r *v1.Role) {
			r.Spec.Skills = append(r.Spec.Skills, v1.SkillRequirement{ID: "go", Cells: cells("lead", "E*", "junior", "A")})
		}, true, func(t *testing.T, d *diff.RoleDiff) {
			want := []diff.SkillRow{{ID: "go", Name: "Go", Category: "Code", Cells: []diff.LevelCell{
				{Level: "junior", CellValue: diff.CellValue{Proficiency: "A"}},
				{Level: "lead", CellValue: diff.CellValue{Proficiency: "E", Required: true}},
			}}}
			if !equalJSON(d.SkillsAdded, want) || d.Count() != 1 {
				t.Errorf("SkillsAdded = %+v", d.SkillsAdded)
			}
		}},
		{"skill added outside the catalog", func(r *v1.Role) {
			r.Spec.Skills = append(r.Spec.Skills, v1.SkillRequirement{ID: "rust", Cells: cells("junior", "A")})
		}, true, func(t *testing.T, d *diff.RoleDiff) {
			if len(d.SkillsAdded) != 1 || !d.SkillsAdded[0].NotInCatalog || d.SkillsAdded[0].Name != "" {
				t.Errorf("SkillsAdded = %+v", d.SkillsAdded)
			}
		}},
		{"skill removed without the matrix", func(r *v1.Role) { r.Spec.Skills = r.Spec.Skills[1:] }, false, func(t *testing.T, d *diff.RoleDiff) {
			if len(d.SkillsRemoved) != 1 || d.SkillsRemoved[0].ID != "docker" || d.SkillsRemoved[0].NotInCatalog || len(d.SkillsRemoved[0].Cells) != 4 {
				t.Errorf("SkillsRemoved = %+v", d.SkillsRemoved)
			}
		}},
		{"cells", func(r *v1.Role) {
			c := r.Spec.Skills[0].Cells
			c[0].Proficiency, c[1].Required, c[2].Description, c[3].Examples = "W", false, "runs it", []string{"a", "b"}
			r.Spec.Skills[1].Cells = r.Spec.Skills[1].Cells[1:]
			r.Spec.Skills[2].Cells = append(r.Spec.Skills[2].Cells, v1.Cell{Level: "principal", Proficiency: "E"})
		}, true, func(t *testing.T, d *diff.RoleDiff) {
			want := []diff.CellChange{
				{Skill: "docker", Level: "junior", Field: "proficiency", Old: "A", New: "W"},
				{Skill: "docker", Level: "middle", Field: "required", Old: "true", New: "false"},
				{Skill: "docker", Level: "senior", Field: "description", Old: "", New: "runs it"},
				{Skill: "docker", Level: "lead", Field: "examples", Old: "", New: "a; b"},
				{Skill: "k8s", Level: "junior", Field: "cell", Old: "—", New: ""},
				{Skill: "python", Level: "principal", Field: "cell", Old: "", New: "E"},
			}
			if !equalJSON(d.Cells, want) {
				t.Errorf("Cells = %+v\nwant %+v", d.Cells, want)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := role()
			tt.edit(cur)
			var m *v1.SkillMatrix
			if tt.matrix {
				m = matrix()
			}
			tt.check(t, diff.Roles(role(), cur, m))
		})
	}
}

func TestRolesFollowTheMatrixOrder(t *testing.T) {
	old, cur := role(), role()
	// The new version lists its skills the other way round; the matrix's
	// order wins, and without it the new version's.
	slices.Reverse(cur.Spec.Skills)
	for i := range cur.Spec.Skills {
		cur.Spec.Skills[i].Cells[0].Proficiency = "E"
	}
	ids := func(d *diff.RoleDiff) []string {
		out := make([]string, 0, len(d.Cells))
		for _, c := range d.Cells {
			out = append(out, c.Skill)
		}
		return out
	}
	if got := ids(diff.Roles(old, cur, matrix())); !slices.Equal(got, []string{"docker", "k8s", "python"}) {
		t.Errorf("with the matrix: %v", got)
	}
	if got := ids(diff.Roles(old, cur, nil)); !slices.Equal(got, []string{"python", "k8s", "docker"}) {
		t.Errorf("without the matrix: %v", got)
	}
}

func equalJSON(a, b any) bool {
	x, errX := json.Marshal(a)
	y, errY := json.Marshal(b)
	return errX == nil && errY == nil && string(x) == string(y)
}
