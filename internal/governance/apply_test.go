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
	"reflect"
	"strings"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// row returns the row of skill in r, failing the test if it is absent.
func row(t *testing.T, r *v1alpha1.RoleSpec, skill v1alpha1.ID) *v1alpha1.SkillRequirement {
	t.Helper()
	for i := range r.Skills {
		if r.Skills[i].ID == skill {
			return &r.Skills[i]
		}
	}
	t.Fatalf("no skill %q", skill)
	return nil
}

func cellOf(t *testing.T, r *v1alpha1.RoleSpec, skill, level v1alpha1.ID) *v1alpha1.Cell {
	t.Helper()
	cells := row(t, r, skill).Cells
	for j := range cells {
		if cells[j].Level == level {
			return &cells[j]
		}
	}
	t.Fatalf("no cell %s@%s", skill, level)
	return nil
}

func TestApply(t *testing.T) {
	tests := []struct {
		name    string
		changes []v1alpha1.Change
		// edit turns testRole() into the expected result.
		edit func(t *testing.T, r *v1alpha1.RoleSpec)
	}{
		{
			name:    "no changes: an equal copy",
			changes: nil,
			edit:    func(*testing.T, *v1alpha1.RoleSpec) {},
		},
		{
			name:    "SetProficiency without from",
			changes: []v1alpha1.Change{setProf("kubernetes-core", "senior", "V")},
			edit:    func(t *testing.T, r *v1alpha1.RoleSpec) { cellOf(t, r, "kubernetes-core", "senior").Proficiency = "V" },
		},
		{
			name:    "SetProficiency with a matching from",
			changes: []v1alpha1.Change{withFrom(setProf("kubernetes-core", "senior", "V"), v1alpha1.ChangeValue{Proficiency: "A"})},
			edit:    func(t *testing.T, r *v1alpha1.RoleSpec) { cellOf(t, r, "kubernetes-core", "senior").Proficiency = "V" },
		},
		{
			name:    "SetRequired with a matching from",
			changes: []v1alpha1.Change{withFrom(setReq("kubernetes-core", "junior", true), v1alpha1.ChangeValue{Required: new(false)})},
			edit:    func(t *testing.T, r *v1alpha1.RoleSpec) { cellOf(t, r, "kubernetes-core", "junior").Required = true },
		},
		{
			name:    "SetRequired to false",
			changes: []v1alpha1.Change{setReq("python", "senior", false)},
			edit:    func(t *testing.T, r *v1alpha1.RoleSpec) { cellOf(t, r, "python", "senior").Required = false },
		},
		{
			name:    "AddSkill appends the row with its cells",
			changes: []v1alpha1.Change{addSkill("golang", cells("A", "W", "V"))},
			edit: func(_ *testing.T, r *v1alpha1.RoleSpec) {
				r.Skills = append(r.Skills, v1alpha1.SkillRequirement{ID: "golang", Cells: cells("A", "W", "V")})
			},
		},
		{
			name:    "RemoveSkill",
			changes: []v1alpha1.Change{removeSkill("docker")},
			edit:    func(_ *testing.T, r *v1alpha1.RoleSpec) { r.Skills = append(r.Skills[:1], r.Skills[2:]...) },
		},
		{
			name:    "SetFocus on a listed level with a matching from",
			changes: []v1alpha1.Change{withFrom(setFocus("junior", "Serving"), v1alpha1.ChangeValue{Focus: new("Pipelines")})},
			edit:    func(_ *testing.T, r *v1alpha1.RoleSpec) { r.Levels[0].Focus = "Serving" },
		},
		{
			name:    "SetFocus to empty keeps the level's entry",
			changes: []v1alpha1.Change{setFocus("junior", "")},
			edit:    func(_ *testing.T, r *v1alpha1.RoleSpec) { r.Levels[0].Focus = "" },
		},
		{
			name:    "SetFocus on an unlisted level appends its entry; an absent focus matches from \"\"",
			changes: []v1alpha1.Change{withFrom(setFocus("senior", "Platform"), v1alpha1.ChangeValue{Focus: new("")})},
			edit: func(_ *testing.T, r *v1alpha1.RoleSpec) {
				r.Levels = append(r.Levels, v1alpha1.RoleLevel{Level: "senior", Focus: "Platform"})
			},
		},
		{
			name:    "SetFocus to empty on an unlisted level adds no empty entry",
			changes: []v1alpha1.Change{setFocus("senior", "")},
			edit:    func(*testing.T, *v1alpha1.RoleSpec) {},
		},
		{
			name: "SetTechStack replaces the list as a whole",
			changes: []v1alpha1.Change{withFrom(setStack("junior", "Python", "MLflow", "DVC"),
				v1alpha1.ChangeValue{TechStack: []string{"Python", "Docker"}})},
			edit: func(_ *testing.T, r *v1alpha1.RoleSpec) { r.Levels[0].TechStack = []string{"Python", "MLflow", "DVC"} },
		},
		{
			name:    "SetTechStack to empty clears the list",
			changes: []v1alpha1.Change{setStack("middle")},
			edit:    func(_ *testing.T, r *v1alpha1.RoleSpec) { r.Levels[1].TechStack = nil },
		},
		{
			name:    "SetTechStack on an unlisted level appends its entry; an absent stack matches from []",
			changes: []v1alpha1.Change{withFrom(setStack("senior", "Ray Serve"), v1alpha1.ChangeValue{TechStack: []string{}})},
			edit: func(_ *testing.T, r *v1alpha1.RoleSpec) {
				r.Levels = append(r.Levels, v1alpha1.RoleLevel{Level: "senior", TechStack: []string{"Ray Serve"}})
			},
		},
		{
			name:    "SetFocus then SetTechStack on one unlisted level share one entry",
			changes: []v1alpha1.Change{setFocus("senior", "Platform"), setStack("senior", "Ray Serve")},
			edit: func(_ *testing.T, r *v1alpha1.RoleSpec) {
				r.Levels = append(r.Levels, v1alpha1.RoleLevel{Level: "senior", Focus: "Platform", TechStack: []string{"Ray Serve"}})
			},
		},
		{
			name: "SetProficiency then SetRequired on the same cell",
			changes: []v1alpha1.Change{
				withFrom(setProf("docker", "junior", "W"), v1alpha1.ChangeValue{Proficiency: "A"}),
				withFrom(setReq("docker", "junior", true), v1alpha1.ChangeValue{Required: new(false)}),
			},
			edit: func(t *testing.T, r *v1alpha1.RoleSpec) {
				c := cellOf(t, r, "docker", "junior")
				c.Proficiency, c.Required = "W", true
			},
		},
		{
			name: "changes apply in order: a later from sees an earlier change",
			changes: []v1alpha1.Change{
				setProf("docker", "junior", "W"),
				withFrom(setProf("docker", "junior", "V"), v1alpha1.ChangeValue{Proficiency: "W"}),
			},
			edit: func(t *testing.T, r *v1alpha1.RoleSpec) { cellOf(t, r, "docker", "junior").Proficiency = "V" },
		},
		{
			name: "AddSkill then SetProficiency on the added skill",
			changes: []v1alpha1.Change{
				addSkill("golang", cells("A", "W", "V")),
				withFrom(setProf("golang", "senior", "E"), v1alpha1.ChangeValue{Proficiency: "V"}),
			},
			edit: func(_ *testing.T, r *v1alpha1.RoleSpec) {
				r.Skills = append(r.Skills, v1alpha1.SkillRequirement{ID: "golang", Cells: cells("A", "W", "E")})
			},
		},
		{
			name:    "RemoveSkill then AddSkill of the same skill replaces the row at the end",
			changes: []v1alpha1.Change{removeSkill("python"), addSkill("python", cells("A", "A", "A"))},
			edit: func(_ *testing.T, r *v1alpha1.RoleSpec) {
				r.Skills = append(r.Skills[1:], v1alpha1.SkillRequirement{ID: "python", Cells: cells("A", "A", "A")})
			},
		},
		{
			name:    "a change that sets the current value applies without complaint (Validate judges no-ops)",
			changes: []v1alpha1.Change{setProf("python", "junior", "W")},
			edit:    func(*testing.T, *v1alpha1.RoleSpec) {},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			role := testRole()
			before := role.DeepCopy()
			got, conflicts := governance.Apply(role, tt.changes)
			if conflicts != nil {
				t.Fatalf("unexpected conflicts: %v", conflicts)
			}
			want := testRole()
			tt.edit(t, want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Apply() =\n%+v\nwant\n%+v", got, want)
			}
			if !reflect.DeepEqual(role, before) {
				t.Error("Apply mutated the input Role")
			}
			if got == role {
				t.Error("Apply returned the input Role instead of a copy")
			}
		})
	}
}

// wantConflict is a Conflict as a test states it: the message only has to contain text.
type wantConflict struct {
	index            int
	field            string
	expected, actual string
	contains         string
}

func TestApplyConflicts(t *testing.T) {
	tests := []struct {
		name    string
		changes []v1alpha1.Change
		want    []wantConflict
	}{
		{
			name:    "from.proficiency no longer holds",
			changes: []v1alpha1.Change{withFrom(setProf("kubernetes-core", "middle", "V"), v1alpha1.ChangeValue{Proficiency: "A"})},
			want: []wantConflict{{0, "spec.changes[0].from.proficiency", "A", "W",
				`skill "kubernetes-core" at level "middle" has proficiency "W", not the expected "A"`}},
		},
		{
			name:    "from.required no longer holds",
			changes: []v1alpha1.Change{withFrom(setReq("python", "junior", false), v1alpha1.ChangeValue{Required: new(false)})},
			want: []wantConflict{{0, "spec.changes[0].from.required", "false", "true",
				`skill "python" at level "junior" has required true, not the expected false`}},
		},
		{
			name:    "from.focus no longer holds",
			changes: []v1alpha1.Change{withFrom(setFocus("middle", "X"), v1alpha1.ChangeValue{Focus: new("CI/CD")})},
			want:    []wantConflict{{0, "spec.changes[0].from.focus", "CI/CD", "CI/CD for ML", `level "middle" has focus "CI/CD for ML", not the expected "CI/CD"`}},
		},
		{
			name:    "from.focus against an unlisted level, which has an empty focus",
			changes: []v1alpha1.Change{withFrom(setFocus("senior", "X"), v1alpha1.ChangeValue{Focus: new("Platform")})},
			want:    []wantConflict{{0, "spec.changes[0].from.focus", "Platform", "", `has focus "", not the expected "Platform"`}},
		},
		{
			name: "from.techStack compares ordered lists",
			changes: []v1alpha1.Change{withFrom(setStack("junior", "Go"),
				v1alpha1.ChangeValue{TechStack: []string{"Docker", "Python"}})},
			want: []wantConflict{{0, "spec.changes[0].from.techStack", `["Docker", "Python"]`, `["Python", "Docker"]`,
				`level "junior" has tech stack ["Python", "Docker"], not the expected ["Docker", "Python"]`}},
		},
		{
			name:    "from.techStack empty against a listed stack",
			changes: []v1alpha1.Change{withFrom(setStack("middle", "Go"), v1alpha1.ChangeValue{TechStack: []string{}})},
			want:    []wantConflict{{0, "spec.changes[0].from.techStack", `[]`, `["Kubeflow"]`, `not the expected []`}},
		},
		{
			name:    "AddSkill of a skill already there",
			changes: []v1alpha1.Change{addSkill("docker", cells("A", "W", "V"))},
			want:    []wantConflict{{0, "spec.changes[0].skill", "absent", "present", `AddSkill: skill "docker" is already in the Role`}},
		},
		{
			name:    "RemoveSkill of a missing skill",
			changes: []v1alpha1.Change{removeSkill("golang")},
			want:    []wantConflict{{0, "spec.changes[0].skill", "present", "absent", `RemoveSkill: the Role has no skill "golang"`}},
		},
		{
			name:    "SetProficiency on a missing skill",
			changes: []v1alpha1.Change{setProf("mlflow", "junior", "W")},
			want:    []wantConflict{{0, "spec.changes[0].skill", "present", "absent", `SetProficiency: the Role has no skill "mlflow"`}},
		},
		{
			name:    "SetRequired on a missing cell",
			changes: []v1alpha1.Change{setReq("python", "principal", true)},
			want: []wantConflict{{0, "spec.changes[0].level", "present", "absent",
				`SetRequired: skill "python" has no cell for level "principal" in the Role`}},
		},
		{
			name: "the second change conflicts: nothing is applied",
			changes: []v1alpha1.Change{
				setProf("docker", "junior", "W"),
				withFrom(setProf("docker", "middle", "V"), v1alpha1.ChangeValue{Proficiency: "A"}),
			},
			want: []wantConflict{{1, "spec.changes[1].from.proficiency", "A", "W", `skill "docker" at level "middle"`}},
		},
		{
			name: "every conflict in one pass; a conflicting change is skipped for the ones after it",
			changes: []v1alpha1.Change{
				removeSkill("golang"),
				addSkill("python", cells("E", "E", "E")),
				withFrom(setProf("python", "junior", "V"), v1alpha1.ChangeValue{Proficiency: "W"}), // still sees python's W
				removeSkill("docker"),
				setReq("docker", "junior", true), // docker is gone
			},
			want: []wantConflict{
				{0, "spec.changes[0].skill", "present", "absent", "golang"},
				{1, "spec.changes[1].skill", "absent", "present", "python"},
				{4, "spec.changes[4].skill", "present", "absent", "docker"},
			},
		},
		{
			name:    "a change the schema forbids is refused, not half-applied",
			changes: []v1alpha1.Change{{Op: v1alpha1.OpSetRequired, Skill: "python", Level: "junior"}},
			want:    []wantConflict{{0, "spec.changes[0].required", "", "", "SetRequired needs the new required flag"}},
		},
		{
			name:    "an unknown op is refused",
			changes: []v1alpha1.Change{{Op: "Rename", Skill: "python"}},
			want:    []wantConflict{{0, "spec.changes[0].op", "", "", `op "Rename" is not one of`}},
		},
		{
			name: "AddSkill with two cells for one level is refused",
			changes: []v1alpha1.Change{addSkill("golang", []v1alpha1.Cell{
				{Level: "junior", Proficiency: "A"}, {Level: "junior", Proficiency: "W"},
			})},
			want: []wantConflict{{0, "spec.changes[0].cells[1].level", "", "", `two cells for level "junior"`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			role := testRole()
			before := role.DeepCopy()
			got, conflicts := governance.Apply(role, tt.changes)
			if got != nil {
				t.Errorf("Apply() returned a Role despite conflicts")
			}
			if !reflect.DeepEqual(role, before) {
				t.Error("Apply mutated the input Role")
			}
			checkConflicts(t, conflicts, tt.want)
		})
	}
}

func checkConflicts(t *testing.T, got []governance.Conflict, want []wantConflict) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d conflicts, want %d: %v", len(got), len(want), got)
	}
	for k, w := range want {
		g := got[k]
		if g.Index != w.index || g.Field != w.field || g.Expected != w.expected || g.Actual != w.actual ||
			!strings.Contains(g.Message, w.contains) {
			t.Errorf("conflict %d = %+v, want %+v", k, g, w)
		}
		if g.String() != g.Field+": "+g.Message {
			t.Errorf("conflict %d: String() = %q", k, g.String())
		}
	}
}

func TestApplyNilRole(t *testing.T) {
	got, conflicts := governance.Apply(nil, []v1alpha1.Change{setProf("python", "junior", "V")})
	if got != nil || len(conflicts) != 1 || conflicts[0].Index != -1 {
		t.Errorf("Apply(nil) = %v, %v; want nil and one conflict about the Role", got, conflicts)
	}
}

// TestApplySharesNoMemory mutates every slice and string of the result and
// checks that neither the Role nor the changes move: the controller may edit
// the result while building its apply configuration.
func TestApplySharesNoMemory(t *testing.T) {
	role := testRole()
	added := cells("A", "W", "V")
	added[0].Examples = []string{"writes a handler"}
	changes := []v1alpha1.Change{
		addSkill("golang", added),
		setStack("senior", "Ray Serve"),
		setStack("junior", "Go", "Rust"),
		setProf("python", "middle", "E"),
	}
	roleBefore, changesBefore := role.DeepCopy(), deepCopyChanges(changes)
	got, conflicts := governance.Apply(role, changes)
	if conflicts != nil {
		t.Fatal(conflicts)
	}
	scribble(got)
	if !reflect.DeepEqual(role, roleBefore) {
		t.Error("the result shares memory with the input Role")
	}
	if !reflect.DeepEqual(changes, changesBefore) {
		t.Error("the result shares memory with the changes")
	}
}

// scribble overwrites everything reachable from r in place.
func scribble(r *v1alpha1.RoleSpec) {
	for i := range r.Levels {
		r.Levels[i].Focus = "scribbled"
		for k := range r.Levels[i].TechStack {
			r.Levels[i].TechStack[k] = "scribbled"
		}
	}
	for i := range r.Skills {
		for j := range r.Skills[i].Cells {
			c := &r.Skills[i].Cells[j]
			c.Proficiency, c.Required, c.Description = "Z", !c.Required, "scribbled"
			for k := range c.Examples {
				c.Examples[k] = "scribbled"
			}
		}
		r.Skills[i].ID = "scribbled"
	}
}
