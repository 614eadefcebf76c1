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

package revert_test

import (
	"fmt"
	"slices"
	"testing"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/revert"
)

// spec is a Role of two skills over junior and senior.
func spec() *v1.RoleSpec {
	return &v1.RoleSpec{Skills: []v1.SkillRequirement{
		{ID: "kubernetes", Cells: []v1.Cell{{Level: "junior", Proficiency: "A"}, {Level: "senior", Proficiency: "W"}}},
		{ID: "python", Cells: []v1.Cell{{Level: "junior", Proficiency: "W", Required: true}, {Level: "senior", Proficiency: "V"}}},
	}}
}

func setProficiency(skill, level v1.ID, p v1.ProficiencyID) v1.Change {
	return v1.Change{Op: v1.OpSetProficiency, Skill: skill, Level: level, Proficiency: p}
}

func setRequired(skill, level v1.ID, r bool) v1.Change {
	return v1.Change{Op: v1.OpSetRequired, Skill: skill, Level: level, Required: new(r)}
}

// applied applies each Proposal's changes in order with governance.Apply,
// one generation each, and returns the spec they leave and the history.
func applied(t *testing.T, proposals ...[]v1.Change) (*v1.RoleSpec, []v1.AppliedProposal) {
	t.Helper()
	s := spec()
	history := make([]v1.AppliedProposal, 0, len(proposals))
	for i, changes := range proposals {
		next, conflicts := governance.Apply(s, changes)
		if len(conflicts) > 0 {
			t.Fatalf("proposal %d does not apply: %v", i, conflicts)
		}
		s = next
		name := fmt.Sprintf("p%d", i)
		history = append(history, v1.AppliedProposal{Name: v1.ObjectName(name), UID: "uid-" + name,
			Generation: int64(i + 2), Cells: revert.Cells(changes)})
	}
	return s, history
}

func cell(s *v1.RoleSpec, skill, level v1.ID) *v1.Cell {
	for i := range s.Skills {
		if s.Skills[i].ID != skill {
			continue
		}
		for j := range s.Skills[i].Cells {
			if s.Skills[i].Cells[j].Level == level {
				return &s.Skills[i].Cells[j]
			}
		}
	}
	return nil
}

func removeRow(s *v1.RoleSpec, skill v1.ID) {
	s.Skills = slices.DeleteFunc(s.Skills, func(r v1.SkillRequirement) bool { return r.ID == skill })
}

type want struct {
	name    string
	cells   []string
	partial []revert.Field
}

func TestFind(t *testing.T) {
	addRow := v1.Change{Op: v1.OpAddSkill, Skill: "terraform", Cells: []v1.Cell{
		{Level: "junior", Proficiency: "A"}, {Level: "senior", Proficiency: "V", Required: true}}}
	tests := []struct {
		name      string
		proposals [][]v1.Change
		// edit changes the spec after the promotions, as kubectl or a sync would.
		edit func(s *v1.RoleSpec)
		// sameGeneration records every Proposal at one generation (a batch).
		sameGeneration bool
		want           []want
	}{
		{name: "carried", proposals: [][]v1.Change{{setProficiency("kubernetes", "senior", "V")}}},
		{name: "whole cell reverted",
			proposals: [][]v1.Change{{setProficiency("kubernetes", "senior", "V"), setRequired("kubernetes", "senior", true)}},
			edit:      func(s *v1.RoleSpec) { *cell(s, "kubernetes", "senior") = v1.Cell{Level: "senior", Proficiency: "W"} },
			want:      []want{{name: "p0", cells: []string{"kubernetes@senior"}}}},
		{name: "partly reverted cell names the fields still carried",
			proposals: [][]v1.Change{{setProficiency("kubernetes", "senior", "V"), setRequired("kubernetes", "senior", true)}},
			edit:      func(s *v1.RoleSpec) { cell(s, "kubernetes", "senior").Proficiency = "W" },
			want: []want{{name: "p0", cells: []string{"kubernetes@senior"},
				partial: []revert.Field{{Skill: "kubernetes", Level: "senior", Name: revert.FieldRequired}}}}},
		{name: "superseded by a later Proposal is not reverted",
			proposals: [][]v1.Change{{setProficiency("kubernetes", "senior", "V")}, {setProficiency("kubernetes", "senior", "E")}}},
		{name: "reverted to the superseded value reports the latest only",
			proposals: [][]v1.Change{{setProficiency("kubernetes", "senior", "V")}, {setProficiency("kubernetes", "senior", "E")}},
			edit:      func(s *v1.RoleSpec) { cell(s, "kubernetes", "senior").Proficiency = "V" },
			want:      []want{{name: "p1", cells: []string{"kubernetes@senior"}}}},
		{name: "a later Proposal on another field of the cell keeps the earlier one judged on its own",
			proposals: [][]v1.Change{{setProficiency("kubernetes", "senior", "V")}, {setRequired("kubernetes", "senior", true)}},
			edit:      func(s *v1.RoleSpec) { cell(s, "kubernetes", "senior").Proficiency = "W" },
			want:      []want{{name: "p0", cells: []string{"kubernetes@senior"}}}},
		{name: "the fields of another Proposal in a reverted cell are not released",
			proposals: [][]v1.Change{{setRequired("kubernetes", "senior", true)}, {setProficiency("kubernetes", "senior", "V")}},
			edit:      func(s *v1.RoleSpec) { cell(s, "kubernetes", "senior").Proficiency = "W" },
			want:      []want{{name: "p1", cells: []string{"kubernetes@senior"}}}},
		{name: "a removed skill that is back",
			proposals: [][]v1.Change{{{Op: v1.OpRemoveSkill, Skill: "python"}}},
			edit:      func(s *v1.RoleSpec) { s.Skills = append(s.Skills, spec().Skills[1]) },
			want:      []want{{name: "p0", cells: []string{"python"}}}},
		{name: "a removal supersedes the older values of the skill",
			proposals: [][]v1.Change{{setProficiency("python", "senior", "E")}, {{Op: v1.OpRemoveSkill, Skill: "python"}}}},
		{name: "a later value of a skill supersedes its removal",
			proposals: [][]v1.Change{{{Op: v1.OpRemoveSkill, Skill: "python"}}, {{Op: v1.OpAddSkill, Skill: "python",
				Cells: []v1.Cell{{Level: "junior", Proficiency: "A"}}}}}},
		{name: "an added row edited in one cell",
			proposals: [][]v1.Change{{addRow}},
			edit:      func(s *v1.RoleSpec) { cell(s, "terraform", "senior").Proficiency = "W" },
			want: []want{{name: "p0", cells: []string{"terraform@senior"},
				partial: []revert.Field{{Skill: "terraform", Level: "senior", Name: revert.FieldRequired}}}}},
		{name: "an added row deleted",
			proposals: [][]v1.Change{{addRow}},
			edit:      func(s *v1.RoleSpec) { removeRow(s, "terraform") },
			want:      []want{{name: "p0", cells: []string{"terraform@junior", "terraform@senior"}}}},
		{name: "a batch of one generation: the field the spec carries is carried for all",
			proposals:      [][]v1.Change{{setProficiency("kubernetes", "senior", "V")}, {setProficiency("kubernetes", "senior", "E")}},
			sameGeneration: true},
		{name: "a batch reverted: every setter is reported",
			proposals:      [][]v1.Change{{setProficiency("kubernetes", "senior", "V")}, {setProficiency("kubernetes", "senior", "E")}},
			sameGeneration: true,
			edit:           func(s *v1.RoleSpec) { cell(s, "kubernetes", "senior").Proficiency = "W" },
			want:           []want{{name: "p0", cells: []string{"kubernetes@senior"}}, {name: "p1", cells: []string{"kubernetes@senior"}}}},
		{name: "a Proposal that only changed texts is never reported",
			proposals: [][]v1.Change{{{Op: v1.OpSetFocus, Level: "senior", Focus: new("platforms")}}},
			edit:      func(s *v1.RoleSpec) { s.Levels = nil }},
		{name: "re-applied by hand is carried again",
			proposals: [][]v1.Change{{setProficiency("kubernetes", "senior", "V")}},
			edit: func(s *v1.RoleSpec) {
				cell(s, "kubernetes", "senior").Proficiency = "W"
				cell(s, "kubernetes", "senior").Proficiency = "V"
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, history := applied(t, tt.proposals...)
			if tt.sameGeneration {
				for i := range history {
					history[i].Generation = 2
				}
			}
			if tt.edit != nil {
				tt.edit(s)
			}
			before := s.DeepCopy()
			got := revert.Find(s, history)
			if len(got) != len(tt.want) {
				t.Fatalf("Find = %+v, want %+v", got, tt.want)
			}
			for i, w := range tt.want {
				if string(got[i].Name) != w.name || got[i].UID != "uid-"+w.name || !slices.Equal(got[i].Cells, w.cells) ||
					!slices.Equal(got[i].Partial, w.partial) {
					t.Errorf("finding %d = %+v, want %+v", i, got[i], w)
				}
			}
			if fmt.Sprint(before) != fmt.Sprint(s) {
				t.Errorf("Find changed the spec")
			}
		})
	}
}

func TestCells(t *testing.T) {
	changes := []v1.Change{
		setProficiency("a", "junior", "W"),
		setRequired("a", "senior", false),
		{Op: v1.OpAddSkill, Skill: "b", Cells: []v1.Cell{{Level: "junior", Proficiency: "A", Description: "not recorded"}}},
		{Op: v1.OpRemoveSkill, Skill: "c"},
		{Op: v1.OpSetTechStack, Level: "senior", TechStack: []string{"x"}},
	}
	got := revert.Cells(changes)
	want := []v1.AppliedCell{
		{Skill: "a", Level: "junior", Proficiency: "W"},
		{Skill: "a", Level: "senior", Required: new(false)},
		{Skill: "b", Level: "junior", Proficiency: "A", Required: new(false)},
		{Skill: "c", Removed: true},
	}
	if fmt.Sprint(deref(got)) != fmt.Sprint(deref(want)) {
		t.Errorf("Cells = %v, want %v", deref(got), deref(want))
	}

	many := make([]v1.Change, v1.MaxChanges)
	for i := range many {
		many[i] = v1.Change{Op: v1.OpAddSkill, Skill: v1.ID(fmt.Sprint("s", i)), Cells: []v1.Cell{{Level: "a", Proficiency: "A"}, {Level: "b", Proficiency: "A"}}}
	}
	if n := len(revert.Cells(many)); n != v1.MaxAppliedCells {
		t.Errorf("Cells of %d cells = %d entries, want the bound %d", 2*v1.MaxChanges, n, v1.MaxAppliedCells)
	}
}

// deref shows a recorded required flag by value.
func deref(cells []v1.AppliedCell) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		r := "-"
		if c.Required != nil {
			r = fmt.Sprint(*c.Required)
		}
		out[i] = fmt.Sprintf("%s@%s p=%s r=%s removed=%v", c.Skill, c.Level, c.Proficiency, r, c.Removed)
	}
	return out
}
