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
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
)

func loadSamples(t testing.TB) (*v1.SkillMatrix, *v1.Role) {
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
	return &matrix, &role
}

func TestBuildRoleSample(t *testing.T) {
	matrix, role := loadSamples(t)
	m := model.BuildRole(matrix, role)

	want := model.Summary{
		Skills:       56,
		Levels:       5,
		Categories:   13,
		Requirements: 280,
		Required:     123,
		KeyAreas:     []string{"Programming Fundamentals", "Backend Development", "Database Management"},
	}
	if !reflect.DeepEqual(m.Stats, want) {
		t.Fatalf("Stats = %+v, want %+v", m.Stats, want)
	}
	if m.Name != "mlops-engineer" || m.MatrixName != "engineering" || m.DisplayName != "MLOps Engineer" || m.Family != "ML & AI Engineering" {
		t.Errorf("identity = %q %q %q %q", m.Name, m.MatrixName, m.DisplayName, m.Family)
	}
	shorts := make([]string, 0, len(m.Levels))
	for _, l := range m.Levels {
		shorts = append(shorts, l.ShortName)
	}
	if want := []string{"Jun", "Mid", "Sen", "Lead", "Princ"}; !slices.Equal(shorts, want) {
		t.Errorf("short names = %v, want %v", shorts, want)
	}
	if m.Levels[0].Focus == "" || len(m.Levels[0].TechStack) != 8 || m.Levels[0].TechStack[0] != "Python" {
		t.Errorf("junior focus/tech stack not resolved: %+v", m.Levels[0])
	}
	if len(m.CareerPaths) != 2 || m.CareerPaths[0].Role != "ml-platform-architect" || m.CareerPaths[0].FromLevel != "senior" {
		t.Errorf("career paths = %+v", m.CareerPaths)
	}
	// The seed lists categories alphabetically, which is also the catalog order.
	if m.Categories[0].Name != "AI-Assisted Development" || m.Categories[12].Name != "Version Control & Collaboration" {
		t.Errorf("category order: first %q, last %q", m.Categories[0].Name, m.Categories[12].Name)
	}
	sum := 0
	for _, c := range m.Categories {
		sum += c.Required
		for _, s := range c.Skills {
			if len(s.Cells) != 5 {
				t.Errorf("%s has %d cells", s.ID, len(s.Cells))
			}
		}
	}
	if sum != 123 {
		t.Errorf("category required counts add up to %d, want 123", sum)
	}
}

// small is a three-level matrix with three categories, small enough that
// each test case reads on its own.
func small() *v1.SkillMatrix {
	return &v1.SkillMatrix{
		ObjectMeta: metav1.ObjectMeta{Name: "m", Namespace: "ns"},
		Spec: v1.SkillMatrixSpec{
			Levels: []v1.Level{
				{ID: "l1", Name: "One", ShortName: "1"},
				{ID: "l2", Name: "Two"},
				{ID: "l3", Name: "Three", ShortName: "3"},
			},
			Proficiencies: []v1.Proficiency{{ID: "A", Name: "Awareness"}, {ID: "W", Name: "Working"}, {ID: "E", Name: "Expert"}},
			Categories: []v1.Category{
				{ID: "c1", Name: "Cat One", Skills: []v1.Skill{{ID: "s1", Name: "S1"}, {ID: "s2", Name: "S2"}}},
				{ID: "c2", Name: "Cat Two", Skills: []v1.Skill{{ID: "s3", Name: "S3"}}},
				{ID: "c3", Name: "Cat Three", Skills: []v1.Skill{{ID: "s4", Name: "S4"}, {ID: "s5", Name: "S5"}}},
				{ID: "c4", Name: "Cat Four", Skills: []v1.Skill{{ID: "s6", Name: "S6"}}},
			},
		},
	}
}

// row builds a skill row from "A", "W*" (required) or "" (no cell) per level.
func row(id string, cells ...string) v1.SkillRequirement {
	r := v1.SkillRequirement{ID: v1.ID(id)}
	for i, c := range cells {
		if c == "" {
			continue
		}
		cell := v1.Cell{Level: v1.ID([]string{"l1", "l2", "l3"}[i]), Proficiency: v1.ProficiencyID(c[:1])}
		cell.Required = len(c) > 1 && c[1] == '*'
		r.Cells = append(r.Cells, cell)
	}
	return r
}

func roleWith(rows ...v1.SkillRequirement) *v1.Role {
	return &v1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "r", Namespace: "ns"},
		Spec:       v1.RoleSpec{MatrixRef: "m", DisplayName: "R", Skills: rows},
	}
}

func TestBuildRoleSummary(t *testing.T) {
	tests := []struct {
		name string
		role *v1.Role
		want model.Summary
	}{
		{
			name: "empty role",
			role: roleWith(),
			want: model.Summary{Levels: 3},
		},
		{
			name: "one skill, nothing required",
			role: roleWith(row("s1", "A", "W", "E")),
			want: model.Summary{Skills: 1, Levels: 3, Categories: 1, Requirements: 3},
		},
		{
			name: "key areas by required cells, most first",
			role: roleWith(
				row("s1", "A*", "W", "E"),
				row("s3", "A*", "W*", "E*"),
				row("s4", "A", "W*", "E"),
				row("s5", "A", "W*", "E"),
			),
			want: model.Summary{Skills: 4, Levels: 3, Categories: 3, Requirements: 12, Required: 6,
				KeyAreas: []string{"Cat Two", "Cat Three", "Cat One"}},
		},
		{
			name: "ties keep catalog order and only three are named",
			role: roleWith(
				row("s6", "A*", "W", "E"),
				row("s4", "A*", "W", "E"),
				row("s3", "A*", "W", "E"),
				row("s1", "A*", "W", "E"),
			),
			want: model.Summary{Skills: 4, Levels: 3, Categories: 4, Requirements: 12, Required: 4,
				KeyAreas: []string{"Cat One", "Cat Two", "Cat Three"}},
		},
		{
			name: "categories without required cells are no key area",
			role: roleWith(row("s1", "A", "W", "E"), row("s3", "A", "W", "E*")),
			want: model.Summary{Skills: 2, Levels: 3, Categories: 2, Requirements: 6, Required: 1,
				KeyAreas: []string{"Cat Two"}},
		},
		{
			name: "missing cells are no requirement",
			role: roleWith(row("s1", "A*", "", "E"), row("s2", "", "", "E*")),
			want: model.Summary{Skills: 2, Levels: 3, Categories: 1, Requirements: 3, Required: 2,
				KeyAreas: []string{"Cat One"}},
		},
		{
			name: "unknown skills are skipped",
			role: roleWith(row("nope", "A*", "W*", "E*"), row("s2", "A", "W", "E")),
			want: model.Summary{Skills: 1, Levels: 3, Categories: 1, Requirements: 3},
		},
		{
			name: "a duplicated row counts once",
			role: roleWith(row("s2", "A*", "W", "E"), row("s2", "E*", "E*", "E*")),
			want: model.Summary{Skills: 1, Levels: 3, Categories: 1, Requirements: 3, Required: 1,
				KeyAreas: []string{"Cat One"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := model.BuildRole(small(), tt.role).Stats
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Stats = %+v\nwant    %+v", got, tt.want)
			}
		})
	}
}

func TestBuildRoleOrdering(t *testing.T) {
	// Rows and cells in reverse order: the model must follow the catalog and
	// the level ladder, never the order the Role happens to list them in.
	r := roleWith(row("s5", "A", "W", "E"), row("s3", "A", "W", "E"), row("s2", "A", "W", "E"), row("s1", "W", "W", "W"))
	for i := range r.Spec.Skills {
		slices.Reverse(r.Spec.Skills[i].Cells)
	}
	r.Spec.Levels = []v1.RoleLevel{
		{Level: "l3", Focus: "third", TechStack: []string{"z", "a"}},
		{Level: "l1", Focus: "first"},
	}
	m := model.BuildRole(small(), r)

	var got []string
	for _, c := range m.Categories {
		for _, s := range c.Skills {
			got = append(got, c.ID+"/"+s.ID)
			var levels []string
			for _, cell := range s.Cells {
				levels = append(levels, cell.Level)
			}
			if !slices.Equal(levels, []string{"l1", "l2", "l3"}) {
				t.Errorf("%s cells in order %v", s.ID, levels)
			}
		}
	}
	if want := []string{"c1/s1", "c1/s2", "c2/s3", "c3/s5"}; !slices.Equal(got, want) {
		t.Errorf("skills in order %v, want %v", got, want)
	}
	if m.Categories[1].Skills[0].Cells[2].Proficiency != "E" {
		t.Errorf("s3 at l3 = %q, want E", m.Categories[1].Skills[0].Cells[2].Proficiency)
	}
	if l := m.Levels; l[0].Focus != "first" || l[1].Focus != "" || l[2].Focus != "third" || !slices.Equal(l[2].TechStack, []string{"z", "a"}) {
		t.Errorf("levels = %+v", l)
	}
	if m.Levels[1].ShortName != "Two" {
		t.Errorf("short name falls back to the name, got %q", m.Levels[1].ShortName)
	}
	for i, p := range m.Scale {
		if p.Rank != i {
			t.Errorf("scale[%d] %s has rank %d", i, p.ID, p.Rank)
		}
	}
}

func TestBuildRoleMissingAndUnknownCells(t *testing.T) {
	r := roleWith(row("s1", "A", "", "E"))
	r.Spec.Skills[0].Cells = append(r.Spec.Skills[0].Cells, v1.Cell{Level: "l9", Proficiency: "E", Required: true})
	m := model.BuildRole(small(), r)

	cells := m.Categories[0].Skills[0].Cells
	want := []model.Cell{{Level: "l1", Proficiency: "A"}, {Level: "l2"}, {Level: "l3", Proficiency: "E"}}
	if !reflect.DeepEqual(cells, want) {
		t.Errorf("cells = %+v, want %+v", cells, want)
	}
	if m.Stats.Required != 0 {
		t.Errorf("a cell at an unknown level must not count: required = %d", m.Stats.Required)
	}
}

func TestBuildRoleCopiesAndNormalises(t *testing.T) {
	r := roleWith(row("s1", "A", "W", "E"))
	r.Spec.Summary = "line one\r\nline two\rline three"
	r.Spec.Levels = []v1.RoleLevel{{Level: "l1", TechStack: []string{"Go"}}}
	r.Spec.Skills[0].Cells[0].Examples = []string{"ex"}
	m := model.BuildRole(small(), r)

	if m.Summary != "line one\nline two\nline three" {
		t.Errorf("summary = %q", m.Summary)
	}
	m.Levels[0].TechStack[0] = "changed"
	m.Categories[0].Skills[0].Cells[0].Examples[0] = "changed"
	if r.Spec.Levels[0].TechStack[0] != "Go" || r.Spec.Skills[0].Cells[0].Examples[0] != "ex" {
		t.Error("the model aliases the Role's slices")
	}
}

func TestBuildRoleChangelog(t *testing.T) {
	r := roleWith()
	at := func(s string) metav1.Time {
		ts, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return metav1.NewTime(ts)
	}
	r.Status.History = []v1.AppliedProposal{
		{Name: "p2", UID: "u2", AppliedAt: at("2026-03-02T10:00:00+02:00"), Generation: 3},
		{Name: "p1", UID: "u1", Title: "first", Author: "alice", AppliedAt: at("2026-03-01T08:00:00Z"), Generation: 2},
		{Name: "p3", UID: "u3", AppliedAt: at("2026-03-02T08:00:00Z"), Generation: 4},
	}
	m := model.BuildRole(small(), r)
	names := make([]string, 0, len(m.Changelog))
	for _, e := range m.Changelog {
		names = append(names, e.Proposal)
		if e.AppliedAt.Location() != time.UTC {
			t.Errorf("%s applied at %v, want UTC", e.Proposal, e.AppliedAt)
		}
	}
	if !slices.Equal(names, []string{"p1", "p2", "p3"}) {
		t.Errorf("changelog order %v, want oldest first", names)
	}
	if e := m.Changelog[0]; e.Title != "first" || e.Author != "alice" || e.UID != "u1" || e.Generation != 2 {
		t.Errorf("entry = %+v", e)
	}
}

func TestBuildRoleNil(t *testing.T) {
	if m := model.BuildRole(nil, nil); m == nil || m.Stats.Skills != 0 {
		t.Fatalf("BuildRole(nil, nil) = %+v", m)
	}
	if m := model.BuildRole(nil, roleWith(row("s1", "A"))); len(m.Categories) != 0 || m.MatrixName != "m" {
		t.Fatalf("without a matrix nothing resolves, got %+v", m)
	}
	if c := model.BuildCatalog(nil, nil); c == nil || len(c.Roles) != 0 {
		t.Fatalf("BuildCatalog(nil, nil) = %+v", c)
	}
}

func TestBuildCatalog(t *testing.T) {
	ready := roleWith(row("s1", "A*", "W*", "E"))
	ready.Name = "b-role"
	ready.Spec.DisplayName = "B Role"
	ready.Spec.CareerPaths = []v1.CareerPath{{Role: "z-missing"}, {Role: "a-role", FromLevel: "l2", Description: "back"}}
	ready.Status.Conditions = []metav1.Condition{{Type: v1.ConditionReady, Status: metav1.ConditionTrue}}
	ready.Status.ConfigMapName = "b-role-matrix"
	ready.Status.Summary = &v1.RoleSummary{Skills: 40, Required: 7}

	pending := roleWith(row("s1", "A*", "W*", "E*"), row("s3", "A", "W", "E"))
	pending.Name = "a-role"
	pending.Spec.CareerPaths = []v1.CareerPath{{Role: "b-role", FromLevel: "l3"}}
	pending.Status.Conditions = []metav1.Condition{{Type: v1.ConditionReady, Status: metav1.ConditionFalse}}

	other := roleWith(row("s1", "A", "W", "E"))
	other.Name = "c-other-matrix"
	other.Spec.MatrixRef = "another"

	c := model.BuildCatalog(small(), []v1.Role{*ready, *other, *pending})

	wantRoles := []model.CatalogRole{
		{Name: "a-role", DisplayName: "R", Skills: 2, Required: 3},
		{Name: "b-role", DisplayName: "B Role", ConfigMap: "b-role-matrix", Ready: true, Skills: 40, Required: 7},
	}
	if !reflect.DeepEqual(c.Roles, wantRoles) {
		t.Errorf("Roles = %+v\nwant    %+v", c.Roles, wantRoles)
	}
	wantPaths := []model.PathEdge{
		{From: "a-role", To: "b-role", FromLevel: "l3"},
		{From: "b-role", To: "a-role", FromLevel: "l2", Description: "back"},
		{From: "b-role", To: "z-missing", Missing: true},
	}
	if !reflect.DeepEqual(c.Paths, wantPaths) {
		t.Errorf("Paths = %+v\nwant    %+v", c.Paths, wantPaths)
	}
	if len(c.Categories) != 4 || len(c.Categories[2].Skills) != 2 || c.Categories[2].Skills[0].Cells != nil {
		t.Errorf("the catalog lists every category and skill without cells: %+v", c.Categories)
	}
	if c.Name != "m" || c.Namespace != "ns" || len(c.Levels) != 3 || len(c.Scale) != 3 {
		t.Errorf("catalog header = %q %q levels %d scale %d", c.Name, c.Namespace, len(c.Levels), len(c.Scale))
	}
}

func TestBuildCatalogSample(t *testing.T) {
	matrix, role := loadSamples(t)
	c := model.BuildCatalog(matrix, []v1.Role{*role})
	if len(c.Roles) != 1 || c.Roles[0].Skills != 56 || c.Roles[0].Required != 123 || c.Roles[0].Ready {
		t.Errorf("Roles = %+v", c.Roles)
	}
	skills := 0
	for _, cat := range c.Categories {
		skills += len(cat.Skills)
	}
	if skills != 56 || len(c.Categories) != 13 {
		t.Errorf("catalog has %d skills in %d categories", skills, len(c.Categories))
	}
	if len(c.Paths) != 2 || !c.Paths[0].Missing || c.Paths[0].To != "ml-engineer" {
		t.Errorf("Paths = %+v", c.Paths)
	}
}
