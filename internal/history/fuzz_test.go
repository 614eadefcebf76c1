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

package history

import (
	"testing"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/revert"
)

var (
	fuzzSkills = []v1.ID{"docker", "kubernetes", "terraform"}
	fuzzLevels = []v1.ID{"junior", "middle", "senior"}
	fuzzScale  = []v1.ProficiencyID{"A", "W", "V", "E"}
)

// fuzzSpec decodes a Role's skills: per skill one byte says whether the
// row is there, then per level one byte its proficiency and flag, or no
// cell.
func fuzzSpec(data []byte) *v1.RoleSpec {
	next := func() byte {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return b
	}
	spec := &v1.RoleSpec{}
	for _, skill := range fuzzSkills {
		if next()%3 == 0 {
			continue
		}
		row := v1.SkillRequirement{ID: skill}
		for _, level := range fuzzLevels {
			b := next()
			if b%5 == 4 {
				continue
			}
			row.Cells = append(row.Cells, v1.Cell{Level: level, Proficiency: fuzzScale[int(b)%len(fuzzScale)], Required: b&8 != 0})
		}
		if len(row.Cells) == 0 {
			// The schema asks for one cell at least.
			row.Cells = []v1.Cell{{Level: fuzzLevels[0], Proficiency: fuzzScale[0]}}
		}
		spec.Skills = append(spec.Skills, row)
	}
	return spec
}

// FuzzDiff: what a commit's diff records is carried by the spec the commit
// made (an entry rebuilt from Git is never reported reverted by the very
// commit it came from), and every cell it records holds there.
func FuzzDiff(f *testing.F) {
	f.Add([]byte{1, 1, 2, 3, 0, 0, 0, 1}, []byte{1, 2, 2, 3, 1, 4, 0, 0})
	f.Add([]byte{}, []byte{1, 9, 9, 9, 1, 1, 1, 1, 1, 12, 13, 14})
	f.Add([]byte{1, 4, 4, 4, 1, 3, 3, 3}, []byte{0, 0, 0, 0, 1, 3, 3, 3})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		before, after := fuzzSpec(a), fuzzSpec(b)
		changes := Diff(before, after)
		cells := revert.Cells(changes)
		entry := []v1.AppliedProposal{{Name: "c", UID: "c", Cells: cells, RebuiltFrom: v1.HistoryFromGit, Commit: "c"}}
		if found := revert.Find(after, entry); len(cells) < v1.MaxAppliedCells && len(found) > 0 {
			t.Fatalf("the spec a commit made reverts it: %+v\nbefore %+v\nafter %+v", found, before, after)
		}
		for i := range changes {
			if !revert.Carried(after, &changes[i]) {
				t.Fatalf("change %+v is not carried by the spec it came from %+v", changes[i], after)
			}
		}
		if len(Diff(after, after)) != 0 {
			t.Fatal("a spec differs from itself")
		}
	})
}
