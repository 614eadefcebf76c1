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
	"slices"
	"strings"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// The fuzzer picks ids from small alphabets, so that changes hit the Role's
// real skills and levels often enough to get past "unknown", plus one fuzzed
// string that can stand in for any id or value.
var (
	fuzzOps = []v1alpha1.ChangeOp{
		v1alpha1.OpSetProficiency, v1alpha1.OpSetRequired, v1alpha1.OpAddSkill,
		v1alpha1.OpRemoveSkill, v1alpha1.OpSetFocus, v1alpha1.OpSetTechStack, "Bogus",
	}
	fuzzSkills = []string{"python", "golang", "docker", "kubernetes-core", "mlflow", ""}
	fuzzLevels = []string{"junior", "middle", "senior", "principal", ""}
	fuzzProfs  = []string{"A", "W", "V", "E", "X", ""}
	fuzzFocus  = []string{"", "Pipelines", "Platform"}
	fuzzStacks = [][]string{{}, {"Python", "Docker"}, {"Kubeflow"}, {"Docker", "Python"}}
)

// fuzzInput reads a fuzzed byte string as a list of changes. Every change
// takes at least 9 bytes (op, skill, level, proficiency, required, focus,
// techStack, cell count, from kind), then 2 per cell and 1 for the from
// value; missing bytes read as 0. testdata/fuzz/FuzzApply seeds are written
// in this layout.
type fuzzInput struct {
	data  []byte
	extra string
}

func (in *fuzzInput) byte() int {
	if len(in.data) == 0 {
		return 0
	}
	b := in.data[0]
	in.data = in.data[1:]
	return int(b)
}

// pick returns alphabet[b] for b below its length and the fuzzed string for b at it.
func (in *fuzzInput) pick(alphabet []string) string {
	if b := in.byte() % (len(alphabet) + 1); b < len(alphabet) {
		return alphabet[b]
	}
	return in.extra
}

func (in *fuzzInput) changes() []v1alpha1.Change {
	var out []v1alpha1.Change
	for len(in.data) > 0 && len(out) < 16 {
		out = append(out, in.change())
	}
	return out
}

func (in *fuzzInput) change() v1alpha1.Change {
	c := v1alpha1.Change{
		Op:          fuzzOps[in.byte()%len(fuzzOps)],
		Skill:       v1alpha1.ID(in.pick(fuzzSkills)),
		Level:       v1alpha1.ID(in.pick(fuzzLevels)),
		Proficiency: v1alpha1.ProficiencyID(in.pick(fuzzProfs)),
		Required:    in.boolPtr(),
		Focus:       in.stringPtr(),
		TechStack:   in.stack(),
	}
	for n := in.byte() % 5; n > 0; n-- {
		c.Cells = append(c.Cells, v1alpha1.Cell{
			Level:       v1alpha1.ID(in.pick(fuzzLevels)),
			Proficiency: v1alpha1.ProficiencyID(in.pick(fuzzProfs)),
		})
	}
	switch in.byte() % 6 {
	case 1:
		c.From = &v1alpha1.ChangeValue{Proficiency: v1alpha1.ProficiencyID(in.pick(fuzzProfs))}
	case 2:
		c.From = &v1alpha1.ChangeValue{Required: in.boolPtr()}
	case 3:
		c.From = &v1alpha1.ChangeValue{Focus: in.stringPtr()}
	case 4:
		c.From = &v1alpha1.ChangeValue{TechStack: in.stack()}
	case 5:
		c.From = &v1alpha1.ChangeValue{}
	}
	return c
}

func (in *fuzzInput) boolPtr() *bool {
	switch in.byte() % 3 {
	case 1:
		return new(false)
	case 2:
		return new(true)
	}
	return nil
}

func (in *fuzzInput) stringPtr() *string {
	if b := in.byte() % (len(fuzzFocus) + 2); b > 0 {
		if b <= len(fuzzFocus) {
			return new(fuzzFocus[b-1])
		}
		return new(in.extra)
	}
	return nil
}

func (in *fuzzInput) stack() []string {
	b := in.byte() % (len(fuzzStacks) + 2)
	switch {
	case b == 0:
		return nil
	case b <= len(fuzzStacks):
		return slices.Clone(fuzzStacks[b-1])
	}
	return []string{in.extra}
}

func FuzzApply(f *testing.F) {
	// The sample Proposal's two changes, each with from.
	f.Add([]byte{0, 3, 2, 2, 0, 0, 0, 0, 1, 0, 1, 3, 0, 5, 2, 0, 0, 0, 2, 1}, "")
	// AddSkill golang, then a Set on it.
	f.Add([]byte{2, 1, 4, 5, 0, 0, 0, 3, 0, 0, 1, 1, 2, 2, 0, 0, 1, 2, 3, 0, 0, 0, 0, 0}, "")
	// SetFocus and SetTechStack on the unlisted senior level.
	f.Add([]byte{4, 5, 2, 5, 0, 3, 0, 0, 0, 5, 5, 2, 5, 0, 0, 2, 0, 4, 1}, "")
	// A fuzzed id standing in for a skill.
	f.Add([]byte{0, 6, 0, 1, 0, 0, 0, 0, 0}, "kubernets-core")
	matrix := testMatrix()
	f.Fuzz(func(t *testing.T, data []byte, extra string) {
		in := &fuzzInput{data: data, extra: extra}
		changes := in.changes()
		role := testRole()
		roleBefore, changesBefore := role.DeepCopy(), deepCopyChanges(changes)

		problems := governance.Validate(changes, role, matrix)
		checkProblemOrder(t, problems, len(changes))
		result, conflicts := governance.Apply(role, changes)
		if !reflect.DeepEqual(role, roleBefore) || !reflect.DeepEqual(changes, changesBefore) {
			t.Fatal("Validate or Apply mutated its input")
		}
		if (result == nil) == (conflicts == nil) {
			t.Fatalf("Apply returned result %v and conflicts %v: want exactly one", result != nil, conflicts)
		}
		for k, c := range conflicts {
			if c.Index < 0 || c.Index >= len(changes) || k > 0 && c.Index <= conflicts[k-1].Index {
				t.Fatalf("conflict %d has index %d: want one per change, in order", k, c.Index)
			}
			// Validate and Apply walk the Role the same way, so a valid
			// Proposal can only conflict on `from`.
			if problems == nil && !strings.Contains(c.Field, ".from") {
				t.Fatalf("Validate found nothing, yet Apply conflicts on %s", c)
			}
		}
		if result == nil {
			return
		}
		checkNoDuplicates(t, result)
		checkIdempotent(t, changes, result, matrix, problems == nil)

		// Nothing of the result may alias the input.
		scribble(result)
		if !reflect.DeepEqual(role, roleBefore) || !reflect.DeepEqual(changes, changesBefore) {
			t.Fatal("the result of Apply shares memory with its input")
		}
	})
}

func checkProblemOrder(t *testing.T, problems []governance.Problem, n int) {
	t.Helper()
	for k, p := range problems {
		if p.Index < -1 || p.Index >= n || k > 0 && p.Index < problems[k-1].Index {
			t.Fatalf("problem %d has index %d: want change order", k, p.Index)
		}
		if p.Message == "" || p.Field == "" {
			t.Fatalf("problem %d is blank: %+v", k, p)
		}
	}
}

func checkNoDuplicates(t *testing.T, r *v1alpha1.RoleSpec) {
	t.Helper()
	skills := map[v1alpha1.ID]bool{}
	for _, row := range r.Skills {
		if skills[row.ID] {
			t.Fatalf("skill %q appears twice", row.ID)
		}
		skills[row.ID] = true
		levels := map[v1alpha1.ID]bool{}
		for _, c := range row.Cells {
			if levels[c.Level] {
				t.Fatalf("skill %q has two cells for level %q", row.ID, c.Level)
			}
			levels[c.Level] = true
		}
	}
	levels := map[v1alpha1.ID]bool{}
	for _, l := range r.Levels {
		if levels[l.Level] {
			t.Fatalf("level %q is listed twice", l.Level)
		}
		levels[l.Level] = true
	}
}

// checkIdempotent applies the changes a second time: promotion must never
// apply a Proposal twice, so the second time has to conflict or, per
// Validate, change nothing.
func checkIdempotent(t *testing.T, changes []v1alpha1.Change, result *v1alpha1.RoleSpec, matrix *v1alpha1.SkillMatrixSpec, wasValid bool) {
	t.Helper()
	resultBefore := result.DeepCopy()
	if _, again := governance.Apply(result, changes); again != nil {
		return
	}
	problems := governance.Validate(changes, result, matrix)
	if !reflect.DeepEqual(result, resultBefore) {
		t.Fatal("Apply or Validate mutated a Role it was given")
	}
	if len(problems) == 0 {
		t.Fatal("applying the changes twice neither conflicts nor counts as a no-op")
	}
	if !wasValid {
		return
	}
	// A valid Proposal that applies twice without conflict has no AddSkill
	// or RemoveSkill, so each of its changes must now be a no-op.
	noops := 0
	for _, p := range problems {
		if strings.HasPrefix(p.Message, "changes nothing") {
			noops++
		}
	}
	if noops != len(changes) || len(problems) != len(changes) {
		t.Fatalf("re-applied valid changes: %d no-ops among %d problems for %d changes:\n%s",
			noops, len(problems), len(changes), problemList(problems))
	}
}
