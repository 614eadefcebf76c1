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
	"fmt"
	"testing"
	"time"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// benchCase turns a Role into a benchmark: the Role without its last row,
// and ten changes that are valid against it and apply cleanly, the Set ones
// carrying `from` as the CLI's propose fills it, so the benchmarks measure
// the success path including every compare-and-swap. The AddSkill restores
// the dropped row, which keeps it a catalog skill.
func benchCase(full *v1alpha1.RoleSpec) (*v1alpha1.RoleSpec, []v1alpha1.Change) {
	role := full.DeepCopy()
	dropped := role.Skills[len(role.Skills)-1]
	role.Skills = role.Skills[:len(role.Skills)-1]
	other := func(p v1alpha1.ProficiencyID) v1alpha1.ProficiencyID {
		if p == "E" {
			return "V"
		}
		return "E"
	}
	var changes []v1alpha1.Change
	for k := range 4 {
		row := role.Skills[k]
		cell := row.Cells[len(row.Cells)-1]
		changes = append(changes, withFrom(setProf(row.ID, cell.Level, other(cell.Proficiency)),
			v1alpha1.ChangeValue{Proficiency: cell.Proficiency}))
	}
	for k := 4; k < 6; k++ {
		row := role.Skills[k]
		cell := row.Cells[0]
		changes = append(changes, withFrom(setReq(row.ID, cell.Level, !cell.Required),
			v1alpha1.ChangeValue{Required: new(cell.Required)}))
	}
	first, second := role.Levels[0], role.Levels[1]
	changes = append(changes,
		withFrom(setFocus(first.Level, "Benchmarked focus"), v1alpha1.ChangeValue{Focus: new(first.Focus)}),
		withFrom(setStack(second.Level, "Go", "Rust", "Kubernetes"), v1alpha1.ChangeValue{TechStack: second.TechStack}),
		removeSkill(role.Skills[len(role.Skills)-1].ID),
		addSkill(dropped.ID, dropped.Cells),
	)
	return role, changes
}

// generatedRole is the largest Role the limits allow: v1alpha1.MaxSkills
// skills over ten levels, with a description in every cell.
func generatedRole() (*v1alpha1.RoleSpec, *v1alpha1.SkillMatrixSpec) {
	const levels = 10
	profs := []v1alpha1.ProficiencyID{"A", "W", "V", "E"}
	matrix := &v1alpha1.SkillMatrixSpec{Categories: []v1alpha1.Category{{ID: "all", Name: "All"}}}
	for _, p := range profs {
		matrix.Proficiencies = append(matrix.Proficiencies, v1alpha1.Proficiency{ID: p, Name: string(p)})
	}
	role := &v1alpha1.RoleSpec{MatrixRef: "generated", DisplayName: "Generated"}
	for l := range levels {
		id := v1alpha1.ID(fmt.Sprintf("level-%d", l))
		matrix.Levels = append(matrix.Levels, v1alpha1.Level{ID: id, Name: string(id)})
		role.Levels = append(role.Levels, v1alpha1.RoleLevel{Level: id, Focus: "Focus of " + string(id), TechStack: []string{"Go", "Python"}})
	}
	for s := range v1alpha1.MaxSkills {
		id := v1alpha1.ID(fmt.Sprintf("skill-%03d", s))
		matrix.Categories[0].Skills = append(matrix.Categories[0].Skills, v1alpha1.Skill{ID: id, Name: string(id)})
		row := v1alpha1.SkillRequirement{ID: id}
		for l := range levels {
			row.Cells = append(row.Cells, v1alpha1.Cell{
				Level:       matrix.Levels[l].ID,
				Proficiency: profs[l*len(profs)/levels],
				Required:    (s+l)%2 == 0,
				Description: "What this skill means at this level, in a sentence.",
			})
		}
		role.Skills = append(role.Skills, row)
	}
	return role, matrix
}

func benchRoles(b *testing.B) map[string]*v1alpha1.RoleSpec {
	b.Helper()
	var sample v1alpha1.Role
	loadSample(b, "career_v1alpha1_role.yaml", &sample)
	generated, _ := generatedRole()
	return map[string]*v1alpha1.RoleSpec{"mlops-sample": &sample.Spec, "generated-500-skills": generated}
}

func BenchmarkApply(b *testing.B) {
	for _, name := range []string{"mlops-sample", "generated-500-skills"} {
		role, changes := benchCase(benchRoles(b)[name])
		if _, conflicts := governance.Apply(role, changes); conflicts != nil {
			b.Fatalf("%s: the benchmark changes conflict: %v", name, conflicts)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				governance.Apply(role, changes)
			}
		})
	}
}

func BenchmarkValidate(b *testing.B) {
	var sampleMatrix v1alpha1.SkillMatrix
	loadSample(b, "career_v1alpha1_skillmatrix.yaml", &sampleMatrix)
	_, generatedMatrix := generatedRole()
	matrices := map[string]*v1alpha1.SkillMatrixSpec{"mlops-sample": &sampleMatrix.Spec, "generated-500-skills": generatedMatrix}
	for _, name := range []string{"mlops-sample", "generated-500-skills"} {
		role, changes := benchCase(benchRoles(b)[name])
		if problems := governance.Validate(changes, role, matrices[name]); problems != nil {
			b.Fatalf("%s: the benchmark changes are invalid: %v", name, problems)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				governance.Validate(changes, role, matrices[name])
			}
		})
	}
}

func BenchmarkDecide(b *testing.B) {
	deadline := time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC)
	p := governance.Defaults
	cases := []struct {
		name  string
		tally governance.Tally
		now   time.Time
	}{
		{"open", tally(1, 1, 0, 1), deadline.Add(-time.Hour)},
		{"accepted", tally(5, 1, 1, 0), deadline.Add(-time.Hour)},
		{"rejected-early", tally(0, 200, 0, 0), deadline.Add(-time.Hour)},
		{"expired", tally(1, 0, 0, 0), deadline},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				governance.Decide(c.tally, p, deadline, c.now)
			}
		})
	}
}

func BenchmarkCount(b *testing.B) {
	spec := &v1alpha1.ProposalSpec{Author: "alice"}
	for k := range v1alpha1.MaxVotes {
		d := v1alpha1.VoteApprove
		if k%3 == 0 {
			d = v1alpha1.VoteReject
		}
		spec.Votes = append(spec.Votes, v1alpha1.Vote{Voter: v1alpha1.Username(fmt.Sprintf("user-%d", k)), Decision: d})
	}
	for k := range v1alpha1.MaxReviews {
		spec.Reviews = append(spec.Reviews, v1alpha1.Review{Reviewer: v1alpha1.Username(fmt.Sprintf("expert-%d", k)), Decision: v1alpha1.ReviewApprove})
	}
	b.ReportAllocs()
	for b.Loop() {
		governance.Count(spec)
	}
}
