package switchover

import (
	"slices"
	"strings"
	"testing"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

func base() *v1.RoleSpec {
	return &v1.RoleSpec{
		MatrixRef: "m", DisplayName: "R",
		Levels: []v1.RoleLevel{{Level: "junior", Focus: "learn", TechStack: []string{"git"}}, {Level: "senior", Focus: "lead"}},
		Skills: []v1.SkillRequirement{
			{ID: "k8s", Cells: []v1.Cell{{Level: "junior", Proficiency: "A"}, {Level: "senior", Proficiency: "W"}}},
			{ID: "py", Cells: []v1.Cell{{Level: "junior", Proficiency: "W", Required: true}, {Level: "senior", Proficiency: "V"}}},
		},
	}
}

func setProf(skill, level v1.ID, from, to v1.ProficiencyID) v1.Change {
	c := v1.Change{Op: v1.OpSetProficiency, Skill: skill, Level: level, Proficiency: to}
	if from != "" {
		c.From = &v1.ChangeValue{Proficiency: from}
	}
	return c
}

func setFocus(level v1.ID, from, to string) v1.Change {
	return v1.Change{Op: v1.OpSetFocus, Level: level, Focus: &to, From: &v1.ChangeValue{Focus: &from}}
}

func addSkill(id v1.ID) v1.Change {
	return v1.Change{Op: v1.OpAddSkill, Skill: id, Cells: []v1.Cell{{Level: "junior", Proficiency: "A"}, {Level: "senior", Proficiency: "W", Required: true}}}
}

// applied is spec after the carried changes, as the cluster promotions left it.
func applied(t *testing.T, spec *v1.RoleSpec, carried []Carried) *v1.RoleSpec {
	t.Helper()
	for _, c := range carried {
		next, conflicts := governance.Apply(spec, c.Changes)
		if len(conflicts) > 0 {
			t.Fatalf("fixture: %v", conflicts)
		}
		spec = next
	}
	return spec
}

func edit(f func(*v1.RoleSpec)) *v1.RoleSpec {
	s := base()
	f(s)
	return s
}

func TestMakePlan(t *testing.T) {
	one := func(cs ...v1.Change) []Carried { return []Carried{{Proposal: "ns/a", UID: "ua", Changes: cs}} }
	tests := []struct {
		name    string
		git     *v1.RoleSpec
		carried []Carried
		// cluster defaults to base() with the carried changes applied.
		cluster *v1.RoleSpec
		// wantSpec: Git's spec after the planned changes (nil: base with carried applied).
		wantConflicts []string
		wantReverted  []string
		wantNoChanges bool
	}{
		{name: "cell Git lacks", git: base(), carried: one(setProf("k8s", "senior", "W", "V"))},
		{name: "Git already carries it", git: edit(func(s *v1.RoleSpec) { s.Skills[0].Cells[1].Proficiency = "V" }),
			carried: one(setProf("k8s", "senior", "W", "V")), wantNoChanges: true},
		{name: "Git edited the cell", git: edit(func(s *v1.RoleSpec) { s.Skills[0].Cells[1].Proficiency = "E" }),
			carried:       one(setProf("k8s", "senior", "W", "V"), setFocus("junior", "learn", "build")),
			wantConflicts: []string{`GitChanged skills[k8s].cells[senior].proficiency: Git holds "E", neither the "W" Proposal ns/a replaced nor the "V" it set`}},
		{name: "two conflicts, one per field",
			git:     edit(func(s *v1.RoleSpec) { s.Skills[0].Cells[1].Proficiency = "E"; s.Levels[0].Focus = "other" }),
			carried: one(setProf("k8s", "senior", "W", "V"), setFocus("junior", "learn", "build")),
			wantConflicts: []string{
				`GitChanged skills[k8s].cells[senior].proficiency: Git holds "E", neither the "W" Proposal ns/a replaced nor the "V" it set`,
				`GitChanged levels[junior].focus: Git holds "other", neither the "learn" Proposal ns/a replaced nor the "build" it set`,
			}},
		{name: "chain of two Proposals, Git at the start",
			git: base(),
			carried: []Carried{{Proposal: "ns/a", UID: "ua", Changes: []v1.Change{setProf("k8s", "senior", "W", "V")}},
				{Proposal: "ns/b", UID: "ub", Changes: []v1.Change{setProf("k8s", "senior", "V", "E")}}}},
		{name: "chain of two Proposals, Git ported the first by hand",
			git: edit(func(s *v1.RoleSpec) { s.Skills[0].Cells[1].Proficiency = "V" }),
			carried: []Carried{{Proposal: "ns/a", UID: "ua", Changes: []v1.Change{setProf("k8s", "senior", "W", "V")}},
				{Proposal: "ns/b", UID: "ub", Changes: []v1.Change{setProf("k8s", "senior", "V", "E")}}}},
		{name: "no from and Git differs", git: base(), carried: one(setProf("k8s", "senior", "", "V")),
			wantConflicts: []string{`NoFrom skills[k8s].cells[senior].proficiency: Git holds "W", Proposal ns/a set "V" and gives no ` + "`from`" + `, so an edit in Git cannot be ruled out`}},
		{name: "no from and Git already carries it", git: edit(func(s *v1.RoleSpec) { s.Skills[0].Cells[1].Proficiency = "V" }),
			carried: one(setProf("k8s", "senior", "", "V")), wantNoChanges: true},
		{name: "required flag", git: base(),
			carried: one(v1.Change{Op: v1.OpSetRequired, Skill: "k8s", Level: "senior", Required: new(true), From: &v1.ChangeValue{Required: new(false)}})},
		{name: "tech stack", git: base(),
			carried: one(v1.Change{Op: v1.OpSetTechStack, Level: "senior", TechStack: []string{"k8s"}, From: &v1.ChangeValue{}})},
		{name: "cell Git removed", git: edit(func(s *v1.RoleSpec) { s.Skills = s.Skills[1:] }),
			carried:       one(setProf("k8s", "senior", "W", "V")),
			wantConflicts: []string{`GitChanged skills[k8s].cells[senior].proficiency: Git holds absent, neither the "W" Proposal ns/a replaced nor the "V" it set`}},
		{name: "added skill with a later cell change", git: base(),
			carried: []Carried{{Proposal: "ns/a", UID: "ua", Changes: []v1.Change{addSkill("go")}},
				{Proposal: "ns/b", UID: "ub", Changes: []v1.Change{setProf("go", "senior", "W", "V")}}}},
		{name: "added skill Git already has as promoted", git: applied(t, base(), []Carried{{Changes: []v1.Change{addSkill("go")}}}),
			carried: one(addSkill("go")), wantNoChanges: true},
		{name: "added skill Git has with other cells",
			git: func() *v1.RoleSpec {
				s := applied(t, base(), []Carried{{Changes: []v1.Change{addSkill("go")}}})
				s.Skills[2].Cells[0].Proficiency = "E"
				return s
			}(),
			carried:       one(addSkill("go")),
			wantConflicts: []string{`GitChanged skills[go]: Git holds row [junior=E senior=W!], neither the absent Proposal ns/a replaced nor the row [junior=A senior=W!] it set`}},
		{name: "removed skill", git: base(), carried: one(v1.Change{Op: v1.OpRemoveSkill, Skill: "py"})},
		{name: "removed skill Git removed too", git: edit(func(s *v1.RoleSpec) { s.Skills = s.Skills[:1] }),
			carried: one(v1.Change{Op: v1.OpRemoveSkill, Skill: "py"}), wantNoChanges: true},
		{name: "reverted in the cluster is still committed and reported", git: base(),
			carried: one(setProf("k8s", "senior", "W", "V")), cluster: base(),
			wantReverted: []string{"skills[k8s].cells[senior].proficiency"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cluster := tt.cluster
			if cluster == nil {
				cluster = applied(t, base(), tt.carried)
			}
			got := MakePlan(tt.git, cluster, tt.carried)
			var texts []string
			for _, c := range got.Conflicts {
				texts = append(texts, c.Kind.String()+" "+c.String())
			}
			if !slices.Equal(texts, tt.wantConflicts) {
				t.Fatalf("conflicts:\n got %q\nwant %q", texts, tt.wantConflicts)
			}
			if !slices.Equal(got.Reverted, tt.wantReverted) {
				t.Errorf("reverted: got %q, want %q", got.Reverted, tt.wantReverted)
			}
			if len(tt.wantConflicts) > 0 {
				if got.Changes != nil {
					t.Fatalf("changes with conflicts: %+v", got.Changes)
				}
				return
			}
			if tt.wantNoChanges != (len(got.Changes) == 0) {
				t.Fatalf("changes: %+v", got.Changes)
			}
			// The plan applies to Git's spec with its `from`s and leaves it
			// carrying every promoted field, as the cluster's promotions did.
			after, conflicts := governance.Apply(tt.git, got.Changes)
			if len(conflicts) > 0 {
				t.Fatalf("the plan does not apply to Git: %v", conflicts)
			}
			want := tt.git
			if !tt.wantNoChanges {
				want = applied(t, tt.git, dropFrom(tt.carried))
			}
			if !equalJSON(after, want) && !carries(after, tt.carried) {
				t.Errorf("Git after the plan:\n%+v\nwant\n%+v", after, want)
			}
		})
	}
}

func dropFrom(carried []Carried) []Carried {
	out := make([]Carried, 0, len(carried))
	for _, c := range carried {
		cs := make([]v1.Change, len(c.Changes))
		for i := range c.Changes {
			cs[i] = *c.Changes[i].DeepCopy()
			cs[i].From = nil
		}
		out = append(out, Carried{Proposal: c.Proposal, Changes: cs})
	}
	return out
}

// carries: applying every carried change again (without from) changes nothing.
func carries(spec *v1.RoleSpec, carried []Carried) bool {
	last := map[fieldKey]v1.Change{}
	for _, c := range carried {
		for _, ch := range c.Changes {
			last[keyOf(&ch)] = ch
		}
	}
	for k, ch := range last {
		if k.kind == row {
			continue
		}
		ch.From = nil
		again, conflicts := governance.Apply(spec, []v1.Change{ch})
		if len(conflicts) > 0 || !equalJSON(again, spec) {
			return false
		}
	}
	return true
}

func equalJSON(a, b *v1.RoleSpec) bool {
	return strings.EqualFold(specText(a), specText(b))
}

func specText(s *v1.RoleSpec) string {
	var b strings.Builder
	for _, l := range s.Levels {
		b.WriteString(string(l.Level) + ":" + l.Focus + ":" + strings.Join(l.TechStack, ",") + ";")
	}
	for _, r := range s.Skills {
		b.WriteString(rowText(&r) + string(r.ID) + ";")
	}
	return b.String()
}

func TestUnsynced(t *testing.T) {
	committed := &v1.RoleSpec{Skills: []v1.SkillRequirement{
		{ID: "docker", Cells: []v1.Cell{{Level: "junior", Proficiency: "W"}, {Level: "senior", Proficiency: "E"}}},
		{ID: "terraform", Cells: []v1.Cell{{Level: "junior", Proficiency: "A"}}},
	}, Levels: []v1.RoleLevel{{Level: "junior", Focus: "Ship"}}}
	carried := []Carried{
		{Proposal: "ns/a", UID: "a", Changes: []v1.Change{{Op: v1.OpSetProficiency, Skill: "docker", Level: "junior", Proficiency: "W"}}},
		{Proposal: "ns/b", UID: "b", Changes: []v1.Change{{Op: v1.OpAddSkill, Skill: "terraform", Cells: []v1.Cell{{Level: "junior", Proficiency: "A"}}},
			{Op: v1.OpSetFocus, Level: "junior", Focus: new("Ship")}}},
	}
	if got := Unsynced(committed, committed, carried); len(got) != 0 {
		t.Errorf("a Role that holds the commit: %v", got)
	}
	patched := committed.DeepCopy()
	patched.Skills[0].Cells[1].Proficiency = "A" // not carried: a kustomize patch may change it
	if got := Unsynced(patched, committed, carried); len(got) != 0 {
		t.Errorf("a field the switch-over did not carry counts: %v", got)
	}
	reverted := committed.DeepCopy()
	reverted.Skills[0].Cells[0].Proficiency = "A"
	reverted.Skills = reverted.Skills[:1]
	got := Unsynced(reverted, committed, carried)
	if len(got) != 2 || !strings.Contains(got[0], `skills[docker].cells[junior].proficiency: the Role holds "A", the commit "W"`) ||
		!strings.Contains(got[1], "skills[terraform]: the Role holds absent") {
		t.Errorf("Unsynced = %q", got)
	}
}
