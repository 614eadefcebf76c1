package switchover

import (
	"testing"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// FuzzMakePlan: whatever Git holds and whatever two carried Proposals set, a
// plan either has conflicts and no changes, or applies to Git's spec with its
// `from`s and leaves the field at the value the newest Proposal set; Git's
// value is committed over only when a carried change replaced or set it.
func FuzzMakePlan(f *testing.F) {
	f.Add("W", "W", "V", "V", "E", false, false)
	f.Add("E", "W", "V", "V", "E", false, false)
	f.Add("V", "W", "V", "V", "E", true, false)
	f.Add("W", "", "V", "", "E", false, true)
	f.Add("A", "A", "A", "A", "A", true, true)
	f.Fuzz(func(t *testing.T, gitValue, from1, to1, from2, to2 string, gitHasGo, removeGo bool) {
		git := base()
		git.Skills[0].Cells[1].Proficiency = v1.ProficiencyID(gitValue)
		if gitHasGo {
			git.Skills = append(git.Skills, v1.SkillRequirement{ID: "go", Cells: []v1.Cell{{Level: "junior", Proficiency: v1.ProficiencyID(gitValue)}}})
		}
		first := []v1.Change{setProf("k8s", "senior", v1.ProficiencyID(from1), v1.ProficiencyID(to1)), addSkill("go")}
		second := []v1.Change{setProf("k8s", "senior", v1.ProficiencyID(from2), v1.ProficiencyID(to2))}
		if removeGo {
			second = append(second, v1.Change{Op: v1.OpRemoveSkill, Skill: "go"})
		}
		carried := []Carried{{Proposal: "ns/a", UID: "a", Changes: first}, {Proposal: "ns/b", UID: "b", Changes: second}}
		plan := MakePlan(git, base(), carried)
		if len(plan.Conflicts) > 0 {
			if plan.Changes != nil {
				t.Fatalf("changes despite conflicts: %+v", plan)
			}
			return
		}
		after, conflicts := governance.Apply(git, plan.Changes)
		if len(conflicts) > 0 {
			t.Fatalf("plan %+v does not apply: %v", plan.Changes, conflicts)
		}
		k := fieldKey{kind: cellProficiency, skill: "k8s", level: "senior"}
		if got := valueOf(after, k); got != toOf(&second[0]) {
			t.Fatalf("k8s@senior is %s after the plan, want %s", got, toOf(&second[0]))
		}
		if have := valueOf(git, k); have != toOf(&second[0]) && have != fromOf(&first[0]) && have != toOf(&first[0]) && have != fromOf(&second[0]) {
			t.Fatalf("Git's %s was committed over without a carried change replacing it", have)
		}
		hasGo := after.Row("go") != nil
		if hasGo == removeGo {
			t.Fatalf("row go present=%v after the plan, removed by the carried changes=%v", hasGo, removeGo)
		}
	})
}
