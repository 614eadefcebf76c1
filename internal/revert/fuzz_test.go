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

	"k8s.io/apimachinery/pkg/api/equality"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/revert"
)

var (
	fuzzSkills = []v1.ID{"kubernetes", "python", "terraform"}
	fuzzLevels = []v1.ID{"junior", "senior"}
	fuzzScale  = []v1.ProficiencyID{"A", "W", "V", "E"}
)

// fuzzChange decodes one change from two bytes; ok is false at the end.
func fuzzChange(b0, b1 byte) v1.Change {
	skill := fuzzSkills[int(b0>>2)%len(fuzzSkills)]
	level := fuzzLevels[int(b1)%len(fuzzLevels)]
	switch b0 % 4 {
	case 0:
		return setProficiency(skill, level, fuzzScale[int(b1>>1)%len(fuzzScale)])
	case 1:
		return setRequired(skill, level, b1&2 != 0)
	case 2:
		cells := []v1.Cell{{Level: "junior", Proficiency: fuzzScale[int(b1>>1)%len(fuzzScale)]}}
		if b1&8 != 0 {
			cells = append(cells, v1.Cell{Level: "senior", Proficiency: fuzzScale[int(b1>>4)%len(fuzzScale)], Required: b1&2 != 0})
		}
		return v1.Change{Op: v1.OpAddSkill, Skill: skill, Cells: cells}
	default:
		return v1.Change{Op: v1.OpRemoveSkill, Skill: skill}
	}
}

// FuzzFind promotes the Proposals the input describes (changes that do not
// apply are dropped, as a conflicted Proposal never lands), then edits the
// Role as the rest of the input says. Invariants: with no edit nothing is
// reverted, whatever the supersessions and batches; Find neither mutates
// the spec nor depends on anything but its inputs; every reverted cell is
// one its Proposal recorded; a partly reverted field is one the spec still
// carries.
func FuzzFind(f *testing.F) {
	f.Add([]byte{0x00, 0x03, 0xff, 0x00, 0x05}, []byte{0x00, 0x01})
	f.Add([]byte{0x03, 0x00, 0x80, 0x02, 0x0f, 0xff, 0x04, 0x06}, []byte{0x04, 0x07})
	f.Add([]byte{0x01, 0x02, 0x80, 0x00, 0x06, 0x81, 0x00, 0x00}, []byte{})
	f.Fuzz(func(t *testing.T, promotions, edits []byte) {
		s := spec()
		var history []v1.AppliedProposal
		generation := int64(1)
		var changes []v1.Change
		flush := func(sameGeneration bool) {
			if len(changes) == 0 {
				return
			}
			if !sameGeneration || len(history) == 0 {
				generation++
			}
			name := fmt.Sprintf("p%d", len(history))
			history = append(history, v1.AppliedProposal{Name: v1.ObjectName(name), UID: "uid-" + name,
				Generation: generation, Cells: revert.Cells(changes)})
			changes = nil
		}
		for i := 0; i+1 < len(promotions) && len(history) < v1.MaxHistory; i += 2 {
			if promotions[i]&0x80 != 0 {
				flush(promotions[i]&0x40 != 0)
				continue
			}
			c := fuzzChange(promotions[i], promotions[i+1])
			next, conflicts := governance.Apply(s, []v1.Change{c})
			if len(conflicts) > 0 {
				continue
			}
			s = next
			changes = append(changes, c)
		}
		flush(false)

		if got := revert.Find(s, history); len(got) != 0 {
			t.Fatalf("nothing was edited, yet Find = %+v\nspec %+v\nhistory %+v", got, s, history)
		}

		for i := 0; i+1 < len(edits); i += 2 {
			c := fuzzChange(edits[i], edits[i+1])
			if next, conflicts := governance.Apply(s, []v1.Change{c}); len(conflicts) == 0 {
				s = next
			}
		}
		before := s.DeepCopy()
		got := revert.Find(s, history)
		if !equality.Semantic.DeepEqual(before, s) {
			t.Fatal("Find changed the spec")
		}
		if again := revert.Find(s, history); !equality.Semantic.DeepEqual(got, again) {
			t.Fatalf("Find is not deterministic: %+v then %+v", got, again)
		}
		// Each recorded value judged alone is reported exactly when
		// Carried says the spec does not hold it.
		for _, h := range history {
			for _, c := range h.Cells {
				alone := []v1.AppliedProposal{{Name: "alone", UID: "alone", Generation: 1, Cells: []v1.AppliedCell{c}}}
				var carried bool
				switch {
				case c.Removed:
					carried = revert.Carried(s, &v1.Change{Op: v1.OpRemoveSkill, Skill: c.Skill})
				case c.Proficiency != "" && c.Required != nil:
					carried = revert.Carried(s, new(setProficiency(c.Skill, c.Level, c.Proficiency))) &&
						revert.Carried(s, new(setRequired(c.Skill, c.Level, *c.Required)))
				case c.Proficiency != "":
					carried = revert.Carried(s, new(setProficiency(c.Skill, c.Level, c.Proficiency)))
				default:
					carried = revert.Carried(s, new(setRequired(c.Skill, c.Level, *c.Required)))
				}
				if reported := len(revert.Find(s, alone)) > 0; reported == carried {
					t.Errorf("cell %+v alone: reported %v, but Carried says %v", deref([]v1.AppliedCell{c}), reported, carried)
				}
			}
		}
		for _, finding := range got {
			i := slices.IndexFunc(history, func(h v1.AppliedProposal) bool { return h.UID == finding.UID })
			if i < 0 || len(finding.Cells) == 0 {
				t.Fatalf("finding %+v names no recorded Proposal or no cell", finding)
			}
			for _, name := range finding.Cells {
				if !slices.ContainsFunc(history[i].Cells, func(c v1.AppliedCell) bool {
					return name == string(c.Skill) || name == string(c.Skill)+"@"+string(c.Level)
				}) {
					t.Errorf("finding %+v reports cell %s its Proposal did not set", finding, name)
				}
			}
			for _, p := range finding.Partial {
				if !slices.Contains(finding.Cells, string(p.Skill)+"@"+string(p.Level)) {
					t.Errorf("partial field %+v is outside the reverted cells %v", p, finding.Cells)
				}
				c := cell(s, p.Skill, p.Level)
				if c == nil {
					t.Errorf("partial field %+v of a cell that is gone", p)
				}
			}
		}
	})
}
