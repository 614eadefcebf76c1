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
	"unicode/utf8"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// want is a Problem as a test states it: the message only has to contain text.
type want struct {
	index    int
	field    string
	contains string
}

func TestValidate(t *testing.T) {
	roleWith := func(edit func(*v1alpha1.RoleSpec)) *v1alpha1.RoleSpec {
		r := testRole()
		edit(r)
		return r
	}
	tests := []struct {
		name    string
		role    *v1alpha1.RoleSpec // testRole() when nil
		changes []v1alpha1.Change
		want    []want
	}{
		// Valid proposals
		{
			name: "one valid change of every op",
			changes: []v1alpha1.Change{
				withFrom(setProf("kubernetes-core", "senior", "V"), v1alpha1.ChangeValue{Proficiency: "A"}),
				setReq("kubernetes-core", "junior", true),
				setFocus("junior", "Pipelines and serving"),
				setStack("middle", "Kubeflow", "Feast"),
				addSkill("mlflow", cells("A", "W", "V")),
				removeSkill("docker"),
			},
		},
		{
			name:    "AddSkill then a Set on the added skill",
			changes: []v1alpha1.Change{addSkill("golang", cells("A", "W", "V")), setProf("golang", "senior", "E")},
		},
		{
			name:    "SetProficiency and SetRequired on the same cell are different targets",
			changes: []v1alpha1.Change{setProf("docker", "junior", "W"), setReq("docker", "junior", true)},
		},
		{
			name:    "SetFocus and SetTechStack on a level the Role does not list yet",
			changes: []v1alpha1.Change{setFocus("senior", "Platform architecture"), setStack("senior", "Ray Serve")},
		},
		{
			name:    "clearing a focus and a tech stack",
			changes: []v1alpha1.Change{setFocus("junior", ""), setStack("middle")},
		},
		{
			name:    "reordering a tech stack is a change",
			changes: []v1alpha1.Change{setStack("junior", "Docker", "Python")},
		},
		{
			name: "RemoveSkill of a row whose skill the catalog dropped",
			role: roleWith(func(r *v1alpha1.RoleSpec) {
				r.Skills = append(r.Skills, v1alpha1.SkillRequirement{ID: "legacy-tool", Cells: cells("A", "A", "A")})
			}),
			changes: []v1alpha1.Change{removeSkill("legacy-tool")},
		},
		{
			name:    "from is not checked against the Role: that is promotion's business",
			changes: []v1alpha1.Change{withFrom(setProf("python", "junior", "V"), v1alpha1.ChangeValue{Proficiency: "E"})},
		},

		// Unknown ids
		{
			name:    "unknown skill in a Set, with a suggestion",
			changes: []v1alpha1.Change{setProf("kubernets-core", "senior", "V")},
			want:    []want{{0, "spec.changes[0].skill", `skill "kubernets-core" is not in the SkillMatrix's catalog; did you mean "kubernetes-core"?`}},
		},
		{
			name:    "unknown skill in AddSkill, with a suggestion",
			changes: []v1alpha1.Change{addSkill("mlfow", cells("A", "W", "V"))},
			want:    []want{{0, "spec.changes[0].skill", `skill "mlfow" is not in the SkillMatrix's catalog; did you mean "mlflow"?`}},
		},
		{
			name:    "unknown skill far from every id: no suggestion",
			changes: []v1alpha1.Change{setReq("terraform", "junior", true)},
			want:    []want{{0, "spec.changes[0].skill", `skill "terraform" is not in the SkillMatrix's catalog`}},
		},
		{
			name:    "unknown level in a Set",
			changes: []v1alpha1.Change{setProf("python", "seniro", "V")},
			want: []want{{0, "spec.changes[0].level",
				`level "seniro" is not a level of the SkillMatrix (want one of junior, middle, senior); did you mean "senior"?`}},
		},
		{
			name:    "unknown level in SetFocus",
			changes: []v1alpha1.Change{setFocus("staff", "Strategy")},
			want:    []want{{0, "spec.changes[0].level", `level "staff" is not a level of the SkillMatrix`}},
		},
		{
			name:    "unknown level in SetTechStack",
			changes: []v1alpha1.Change{setStack("midle", "Go")},
			want:    []want{{0, "spec.changes[0].level", `did you mean "middle"?`}},
		},
		{
			name:    "unknown proficiency",
			changes: []v1alpha1.Change{setProf("python", "junior", "X")},
			want:    []want{{0, "spec.changes[0].proficiency", `proficiency "X" is not on the SkillMatrix's scale (want one of A, W, V, E)`}},
		},

		// The Role's current content
		{
			name:    "SetProficiency on a catalog skill the Role lacks",
			changes: []v1alpha1.Change{setProf("golang", "junior", "W")},
			want:    []want{{0, "spec.changes[0].skill", `the Role has no skill "golang"; add it with an AddSkill change before this one`}},
		},
		{
			name:    "SetRequired on a catalog skill the Role lacks",
			changes: []v1alpha1.Change{setReq("mlflow", "middle", true)},
			want:    []want{{0, "spec.changes[0].skill", `the Role has no skill "mlflow"`}},
		},
		{
			name:    "a Set on a skill an earlier change removed",
			changes: []v1alpha1.Change{removeSkill("docker"), setProf("docker", "junior", "W")},
			want:    []want{{1, "spec.changes[1].skill", `the Role has no skill "docker"`}},
		},
		{
			name:    "a Set on a cell the Role's row lacks",
			role:    roleWith(func(r *v1alpha1.RoleSpec) { r.Skills[1].Cells = r.Skills[1].Cells[:2] }),
			changes: []v1alpha1.Change{setProf("docker", "senior", "E")},
			want:    []want{{0, "spec.changes[0].level", `skill "docker" has no cell for level "senior" in the Role`}},
		},
		{
			name:    "AddSkill of a skill the Role already has",
			changes: []v1alpha1.Change{addSkill("python", cells("A", "W", "V"))},
			want:    []want{{0, "spec.changes[0].skill", `skill "python" is already in the Role`}},
		},
		{
			name:    "AddSkill missing a level",
			changes: []v1alpha1.Change{addSkill("golang", cells("A", "W"))},
			want: []want{{0, "spec.changes[0].cells",
				`AddSkill of "golang" has no cell for level senior; it needs one cell for each level of the SkillMatrix (junior, middle, senior)`}},
		},
		{
			name: "AddSkill with an unknown level instead of a known one",
			changes: []v1alpha1.Change{addSkill("golang", []v1alpha1.Cell{
				{Level: "junior", Proficiency: "A"}, {Level: "middle", Proficiency: "W"}, {Level: "staff", Proficiency: "V"},
			})},
			want: []want{
				{0, "spec.changes[0].cells[2].level", `level "staff" is not a level of the SkillMatrix`},
				{0, "spec.changes[0].cells", `no cell for level senior`},
			},
		},
		{
			name: "AddSkill with an extra unknown level",
			changes: []v1alpha1.Change{addSkill("golang", append(cells("A", "W", "V"),
				v1alpha1.Cell{Level: "principal", Proficiency: "E"}))},
			want: []want{{0, "spec.changes[0].cells[3].level", `level "principal" is not a level of the SkillMatrix`}},
		},
		{
			name:    "AddSkill with an unknown proficiency",
			changes: []v1alpha1.Change{addSkill("golang", cells("A", "Q", "V"))},
			want:    []want{{0, "spec.changes[0].cells[1].proficiency", `proficiency "Q" is not on the SkillMatrix's scale`}},
		},
		{
			name: "AddSkill with two cells for one level",
			changes: []v1alpha1.Change{addSkill("golang", []v1alpha1.Cell{
				{Level: "junior", Proficiency: "A"}, {Level: "junior", Proficiency: "W"}, {Level: "senior", Proficiency: "V"},
			})},
			want: []want{
				{0, "spec.changes[0].cells[1].level", `skill "golang" has two cells for level "junior" (cells[0] and cells[1])`},
				{0, "spec.changes[0].cells", `no cell for level middle`},
			},
		},
		{
			name:    "RemoveSkill of a skill the Role lacks, with a suggestion from the Role",
			changes: []v1alpha1.Change{removeSkill("dockr")},
			want:    []want{{0, "spec.changes[0].skill", `the Role has no skill "dockr"; did you mean "docker"?`}},
		},

		// No-ops
		{
			name:    "SetProficiency to the proficiency the cell has",
			changes: []v1alpha1.Change{setProf("python", "junior", "W")},
			want:    []want{{0, "spec.changes[0].proficiency", `changes nothing: skill "python" at level "junior" already has proficiency "W"`}},
		},
		{
			name:    "SetRequired to the flag the cell has",
			changes: []v1alpha1.Change{setReq("docker", "junior", false)},
			want:    []want{{0, "spec.changes[0].required", `changes nothing: skill "docker" at level "junior" already has required false`}},
		},
		{
			name:    "SetFocus to the same text",
			changes: []v1alpha1.Change{setFocus("junior", "Pipelines")},
			want:    []want{{0, "spec.changes[0].focus", `changes nothing: level "junior" already has focus "Pipelines"`}},
		},
		{
			name:    "SetFocus to empty on a level the Role does not list",
			changes: []v1alpha1.Change{setFocus("senior", "")},
			want:    []want{{0, "spec.changes[0].focus", `changes nothing: level "senior" already has focus ""`}},
		},
		{
			name:    "SetTechStack to the same list",
			changes: []v1alpha1.Change{setStack("junior", "Python", "Docker")},
			want:    []want{{0, "spec.changes[0].techStack", `changes nothing: level "junior" already has tech stack ["Python", "Docker"]`}},
		},
		{
			name:    "SetTechStack to empty on a level without one",
			changes: []v1alpha1.Change{setStack("senior")},
			want:    []want{{0, "spec.changes[0].techStack", `already has tech stack []`}},
		},
		{
			name:    "a Set on an added skill to the value AddSkill gave it",
			changes: []v1alpha1.Change{addSkill("golang", cells("A", "W", "V")), setProf("golang", "middle", "W")},
			want:    []want{{1, "spec.changes[1].proficiency", `already has proficiency "W"`}},
		},

		// Two changes with one target
		{
			name:    "the same cell and op twice",
			changes: []v1alpha1.Change{setProf("python", "junior", "V"), setProf("python", "junior", "E")},
			want:    []want{{1, "spec.changes[1]", `SetProficiency changes the same cell "python" at level "junior" as spec.changes[0]`}},
		},
		{
			name:    "SetRequired twice on one cell",
			changes: []v1alpha1.Change{setReq("docker", "senior", true), setReq("docker", "senior", false)},
			want:    []want{{1, "spec.changes[1]", `as spec.changes[0]`}},
		},
		{
			name:    "the same level's focus twice",
			changes: []v1alpha1.Change{setFocus("middle", "A"), setFocus("middle", "B")},
			want:    []want{{1, "spec.changes[1]", `SetFocus changes the same focus of level "middle" as spec.changes[0]`}},
		},
		{
			name:    "the same level's tech stack twice",
			changes: []v1alpha1.Change{setStack("middle", "Go"), setStack("middle", "Rust")},
			want:    []want{{1, "spec.changes[1]", `SetTechStack changes the same tech stack of level "middle" as spec.changes[0]`}},
		},
		{
			name:    "the same skill added twice",
			changes: []v1alpha1.Change{addSkill("golang", cells("A", "W", "V")), addSkill("golang", cells("W", "V", "E"))},
			want: []want{
				{1, "spec.changes[1]", `AddSkill changes the same skill "golang" as spec.changes[0]`},
				{1, "spec.changes[1].skill", `skill "golang" is already in the Role`},
			},
		},
		{
			name:    "a skill removed and added back",
			changes: []v1alpha1.Change{removeSkill("docker"), addSkill("docker", cells("W", "V", "E"))},
			want:    []want{{1, "spec.changes[1]", `AddSkill changes the same skill "docker" as spec.changes[0]`}},
		},

		// Shapes the schema forbids
		{
			name:    "unknown op",
			changes: []v1alpha1.Change{{Op: "SetFocuss", Level: "junior", Focus: new("x")}},
			want:    []want{{0, "spec.changes[0].op", `op "SetFocuss" is not one of SetProficiency, SetRequired, AddSkill, RemoveSkill, SetFocus, SetTechStack; did you mean "SetFocus"?`}},
		},
		{
			name:    "SetRequired without the new flag",
			changes: []v1alpha1.Change{{Op: v1alpha1.OpSetRequired, Skill: "python", Level: "junior"}},
			want:    []want{{0, "spec.changes[0].required", `SetRequired needs the new required flag`}},
		},
		{
			name:    "AddSkill with from",
			changes: []v1alpha1.Change{withFrom(addSkill("golang", cells("A", "W", "V")), v1alpha1.ChangeValue{Proficiency: "A"})},
			want:    []want{{0, "spec.changes[0].from", `AddSkill takes no from`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			role := tt.role
			if role == nil {
				role = testRole()
			}
			before, changesBefore := role.DeepCopy(), deepCopyChanges(tt.changes)
			got := governance.Validate(tt.changes, role, testMatrix())
			checkProblems(t, got, tt.want)
			if !reflect.DeepEqual(role, before) || !reflect.DeepEqual(tt.changes, changesBefore) {
				t.Error("Validate mutated its input")
			}
		})
	}
}

func checkProblems(t *testing.T, got []governance.Problem, want []want) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(got), len(want), problemList(got))
	}
	for k, w := range want {
		g := got[k]
		if g.Index != w.index || g.Field != w.field || !strings.Contains(g.Message, w.contains) {
			t.Errorf("problem %d = {%d %s %q}, want {%d %s ...%q...}", k, g.Index, g.Field, g.Message, w.index, w.field, w.contains)
		}
		if strings.Contains(g.Message, "spec.changes[") && !strings.Contains(w.contains, "spec.changes[") {
			t.Errorf("problem %d: Message repeats the field: %q", k, g.Message)
		}
		if g.String() != g.Field+": "+g.Message {
			t.Errorf("problem %d: String() = %q", k, g.String())
		}
	}
}

func problemList(ps []governance.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

func deepCopyChanges(changes []v1alpha1.Change) []v1alpha1.Change {
	if changes == nil {
		return nil
	}
	out := make([]v1alpha1.Change, len(changes))
	for i := range changes {
		changes[i].DeepCopyInto(&out[i])
	}
	return out
}

// TestValidateManyProblems checks that one pass reports every problem, in
// change order, and that a broken change does not cascade into the ones
// after it.
func TestValidateManyProblems(t *testing.T) {
	changes := []v1alpha1.Change{
		setProf("kubernets-core", "seniro", "X"),                            // 0: unknown skill, level and proficiency
		setProf("python", "junior", "W"),                                    // 1: no-op
		addSkill("golang", cells("A", "Q")),                                 // 2: unknown proficiency, missing senior
		setProf("golang", "junior", "W"),                                    // 3: valid: golang was added by 2 despite its problems
		removeSkill("mlflow"),                                               // 4: the Role lacks it
		setFocus("junior", "Pipelines"),                                     // 5: no-op
		setFocus("junior", "Serving"),                                       // 6: same target as 5
		{Op: v1alpha1.OpSetFocus, Level: "middle"},                          // 7: no focus given
		setReq("docker", "middle", false),                                   // 8: valid
		setReq("docker", "middle", true),                                    // 9: same target as 8
		setStack("staff", "Go"),                                             // 10: unknown level
		withFrom(setReq("python", "senior", false), v1alpha1.ChangeValue{}), // 11: from without required
	}
	got := governance.Validate(changes, testRole(), testMatrix())
	checkProblems(t, got, []want{
		{0, "spec.changes[0].skill", `"kubernets-core"`},
		{0, "spec.changes[0].level", `"seniro"`},
		{0, "spec.changes[0].proficiency", `"X"`},
		{1, "spec.changes[1].proficiency", `changes nothing`},
		{2, "spec.changes[2].cells[1].proficiency", `"Q"`},
		{2, "spec.changes[2].cells", `no cell for level senior`},
		{4, "spec.changes[4].skill", `the Role has no skill "mlflow"`},
		{5, "spec.changes[5].focus", `changes nothing`},
		{6, "spec.changes[6]", `as spec.changes[5]`},
		{7, "spec.changes[7].focus", `SetFocus needs the new focus text`},
		{9, "spec.changes[9]", `as spec.changes[8]`},
		{10, "spec.changes[10].level", `"staff"`},
		{11, "spec.changes[11].from.required", `from must give the required flag`},
	})
}

func TestValidateWithoutInputs(t *testing.T) {
	changes := []v1alpha1.Change{setProf("python", "junior", "V")}
	checkProblems(t, governance.Validate(changes, nil, testMatrix()), []want{{-1, "spec.roleRef", "no Role spec"}})
	checkProblems(t, governance.Validate(changes, testRole(), nil), []want{{-1, "spec.roleRef", "no SkillMatrix spec"}})
	checkProblems(t, governance.Validate(nil, testRole(), testMatrix()), []want{{-1, "spec.changes", "no changes"}})
}

// TestSampleProposal checks the shipped samples against each other: the
// sample Proposal is valid for the sample Role and applies cleanly.
func TestSampleProposal(t *testing.T) {
	var matrix v1alpha1.SkillMatrix
	var role v1alpha1.Role
	var proposal v1alpha1.Proposal
	loadSample(t, "career_v1alpha1_skillmatrix.yaml", &matrix)
	loadSample(t, "career_v1alpha1_role.yaml", &role)
	loadSample(t, "career_v1alpha1_proposal.yaml", &proposal)

	if problems := governance.Validate(proposal.Spec.Changes, &role.Spec, &matrix.Spec); problems != nil {
		t.Fatalf("the sample Proposal is invalid:\n%s", problemList(problems))
	}
	got, conflicts := governance.Apply(&role.Spec, proposal.Spec.Changes)
	if conflicts != nil {
		t.Fatalf("the sample Proposal conflicts: %v", conflicts)
	}
	var senior, junior *v1alpha1.Cell
	for i := range got.Skills {
		if got.Skills[i].ID != "kubernetes-core" {
			continue
		}
		for j := range got.Skills[i].Cells {
			switch c := &got.Skills[i].Cells[j]; c.Level {
			case "senior":
				senior = c
			case "junior":
				junior = c
			}
		}
	}
	if senior == nil || senior.Proficiency != "V" || junior == nil || !junior.Required {
		t.Errorf("kubernetes-core after the sample Proposal: senior %+v, junior %+v", senior, junior)
	}
	// Applied again, the same changes conflict: `from` no longer holds.
	if _, again := governance.Apply(got, proposal.Spec.Changes); len(again) != 2 {
		t.Errorf("applying the sample Proposal twice: %d conflicts, want 2", len(again))
	}
}

// TestMalformed covers the shapes the CRD's CEL rules forbid: Validate
// reports each, and Apply refuses the change on the same field.
func TestMalformed(t *testing.T) {
	long := strings.Repeat("k", 300)
	tests := []struct {
		name     string
		change   v1alpha1.Change
		field    string
		contains string
	}{
		{"Set without a skill", v1alpha1.Change{Op: v1alpha1.OpSetProficiency, Level: "junior", Proficiency: "W"},
			"spec.changes[0].skill", "SetProficiency needs a skill"},
		{"Set without a level", v1alpha1.Change{Op: v1alpha1.OpSetRequired, Skill: "python", Required: new(true)},
			"spec.changes[0].level", "SetRequired needs a level"},
		{"SetProficiency without a proficiency", v1alpha1.Change{Op: v1alpha1.OpSetProficiency, Skill: "python", Level: "junior"},
			"spec.changes[0].proficiency", "SetProficiency needs the new proficiency"},
		{"from without the proficiency", withFrom(setProf("python", "junior", "V"), v1alpha1.ChangeValue{Required: new(true)}),
			"spec.changes[0].from.proficiency", "from must give the proficiency"},
		{"from without the focus", withFrom(setFocus("junior", "X"), v1alpha1.ChangeValue{}),
			"spec.changes[0].from.focus", "from must give the focus text"},
		{"RemoveSkill with from", withFrom(removeSkill("docker"), v1alpha1.ChangeValue{Proficiency: "A"}),
			"spec.changes[0].from", "RemoveSkill takes no from"},
		{"SetFocus without a level", v1alpha1.Change{Op: v1alpha1.OpSetFocus, Focus: new("X")},
			"spec.changes[0].level", "SetFocus needs a level"},
		{"AddSkill without cells", v1alpha1.Change{Op: v1alpha1.OpAddSkill, Skill: "golang"},
			"spec.changes[0].cells", `AddSkill of "golang" needs its cells`},
		{"AddSkill with a cell without a level", addSkill("golang", []v1alpha1.Cell{{Proficiency: "A"}}),
			"spec.changes[0].cells[0].level", "the cell has no level"},
		{"AddSkill with a cell without a proficiency", addSkill("golang", []v1alpha1.Cell{{Level: "junior"}}),
			"spec.changes[0].cells[0].proficiency", "the cell has no proficiency"},
		{"an unknown op far from every op", v1alpha1.Change{Op: v1alpha1.ChangeOp(long)},
			"spec.changes[0].op", `op "` + strings.Repeat("k", 100) + `"... is not one of`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changes := []v1alpha1.Change{tt.change}
			problems := governance.Validate(changes, testRole(), testMatrix())
			if len(problems) == 0 || problems[0].Field != tt.field || !strings.Contains(problems[0].Message, tt.contains) {
				t.Errorf("Validate() =\n%s\nwant first %s: ...%s...", problemList(problems), tt.field, tt.contains)
			}
			_, conflicts := governance.Apply(testRole(), changes)
			if len(conflicts) != 1 || conflicts[0].Field != tt.field {
				t.Errorf("Apply() conflicts = %v, want one on %s", conflicts, tt.field)
			}
		})
	}
}

// TestMessagesBoundValues keeps a value that bypassed the schema from
// blowing up a status message.
func TestMessagesBoundValues(t *testing.T) {
	long := v1alpha1.ID(strings.Repeat("€", 200))
	stack := make([]string, 50)
	for k := range stack {
		stack[k] = "tool"
	}
	changes := []v1alpha1.Change{setProf(long, "junior", "W"), setStack("middle", stack...), setStack("junior", "Python", "Docker")}
	for _, p := range governance.Validate(changes, testRole(), testMatrix()) {
		if len(p.Message) > 400 {
			t.Errorf("%s: message of %d bytes", p.Field, len(p.Message))
		}
		if !utf8.ValidString(p.Message) {
			t.Errorf("%s: message cut inside a UTF-8 sequence: %q", p.Field, p.Message)
		}
	}
	_, conflicts := governance.Apply(testRole(), []v1alpha1.Change{withFrom(setStack("junior", "Go"), v1alpha1.ChangeValue{TechStack: stack})})
	if len(conflicts) != 1 || !strings.Contains(conflicts[0].Expected, "... (50 in all)") {
		t.Errorf("Apply() conflicts = %v, want the expected stack clipped", conflicts)
	}
}
