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
	"fmt"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/revert"
)

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func entry(uid string, minute int) v1.AppliedProposal {
	return v1.AppliedProposal{Name: v1.ObjectName(uid), UID: uid, AppliedAt: metav1.NewTime(t0.Add(time.Duration(minute) * time.Minute))}
}

func uids(h []v1.AppliedProposal) []string {
	out := make([]string, len(h))
	for i := range h {
		out[i] = h[i].UID
	}
	return out
}

func TestMerge(t *testing.T) {
	for _, tc := range []struct {
		name             string
		history, rebuilt []v1.AppliedProposal
		want             []string
		added            int
	}{
		{name: "an empty history gets the rebuilt entries in the order they landed",
			rebuilt: []v1.AppliedProposal{entry("b", 2), entry("a", 1), entry("c", 3)}, want: []string{"a", "b", "c"}, added: 3},
		{name: "rebuilt entries go before the entries the re-created Role recorded itself",
			history: []v1.AppliedProposal{entry("new", 10)}, rebuilt: []v1.AppliedProposal{entry("old", 1)},
			want: []string{"old", "new"}, added: 1},
		{name: "a tie puts the rebuilt entry first",
			history: []v1.AppliedProposal{entry("new", 1)}, rebuilt: []v1.AppliedProposal{entry("old", 1)},
			want: []string{"old", "new"}, added: 1},
		{name: "an entry the history holds is not added twice",
			history: []v1.AppliedProposal{entry("a", 1)}, rebuilt: []v1.AppliedProposal{entry("a", 1), entry("a", 1)},
			want: []string{"a"}},
		{name: "the history's own order is kept, rebuilt entries fall between",
			history: []v1.AppliedProposal{entry("h1", 1), entry("h3", 3)}, rebuilt: []v1.AppliedProposal{entry("r2", 2), entry("r4", 4)},
			want: []string{"h1", "r2", "h3", "r4"}, added: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, added := Merge(tc.history, tc.rebuilt)
			if fmt.Sprint(uids(got)) != fmt.Sprint(tc.want) || added != tc.added {
				t.Errorf("Merge = %v (%d added), want %v (%d)", uids(got), added, tc.want, tc.added)
			}
		})
	}
}

// TestMergeKeepsTheBound: of 60 entries the newest 50 stay, and merging the
// same again changes nothing (what the bound dropped stays dropped).
func TestMergeKeepsTheBound(t *testing.T) {
	rebuilt := make([]v1.AppliedProposal, 0, 60)
	for i := range 60 {
		rebuilt = append(rebuilt, entry(fmt.Sprintf("p%02d", i), i))
	}
	got, added := Merge(nil, rebuilt)
	if len(got) != v1.MaxHistory || added != v1.MaxHistory || got[0].UID != "p10" || got[49].UID != "p59" {
		t.Fatalf("Merge kept %d (%d added) from %s to %s", len(got), added, got[0].UID, got[len(got)-1].UID)
	}
	again, added := Merge(got, rebuilt)
	if added != 0 || !equality.Semantic.DeepEqual(again, got) {
		t.Errorf("merging again added %d and changed the history", added)
	}
}

func spec(rows ...v1.SkillRequirement) *v1.RoleSpec { return &v1.RoleSpec{Skills: rows} }

func row(id v1.ID, cells ...v1.Cell) v1.SkillRequirement {
	return v1.SkillRequirement{ID: id, Cells: cells}
}

func TestDiff(t *testing.T) {
	before := spec(
		row("docker", v1.Cell{Level: "junior", Proficiency: "A"}, v1.Cell{Level: "senior", Proficiency: "V", Required: true}),
		row("k8s", v1.Cell{Level: "junior", Proficiency: "A"}))
	after := spec(
		row("docker", v1.Cell{Level: "junior", Proficiency: "W", Required: true}, v1.Cell{Level: "senior", Proficiency: "V"},
			v1.Cell{Level: "middle", Proficiency: "W", Required: true}),
		row("terraform", v1.Cell{Level: "junior", Proficiency: "A"}))
	got := revert.Cells(Diff(before, after))
	want := []v1.AppliedCell{
		{Skill: "docker", Level: "junior", Proficiency: "W"},
		{Skill: "docker", Level: "junior", Required: new(true)},
		{Skill: "docker", Level: "senior", Required: new(false)},
		{Skill: "docker", Level: "middle", Proficiency: "W"},
		{Skill: "docker", Level: "middle", Required: new(true)},
		{Skill: "terraform", Level: "junior", Proficiency: "A", Required: new(false)},
		{Skill: "k8s", Removed: true},
	}
	if !equality.Semantic.DeepEqual(got, want) {
		t.Errorf("Diff's cells =\n%+v\nwant\n%+v", got, want)
	}
	if d := Diff(after, after); len(d) != 0 {
		t.Errorf("Diff of a spec with itself = %+v", d)
	}
	if d := Diff(nil, spec(row("x"))); len(d) != 1 || d[0].Op != v1.OpAddSkill {
		t.Errorf("Diff from nothing = %+v", d)
	}
}

// TestDiffRecordsWhatRevertFindChecks: the cells Diff records are carried
// by the spec they came from, and reported once a cell is set back.
func TestDiffRecordsWhatRevertFindChecks(t *testing.T) {
	before := spec(row("docker", v1.Cell{Level: "junior", Proficiency: "A"}))
	after := spec(row("docker", v1.Cell{Level: "junior", Proficiency: "W", Required: true}))
	h := []v1.AppliedProposal{{Name: "p", UID: "u", Cells: revert.Cells(Diff(before, after)), RebuiltFrom: v1.HistoryFromGit, Commit: "c1"}}
	if f := revert.Find(after, h); len(f) != 0 {
		t.Errorf("a spec that carries the commit is reported: %+v", f)
	}
	if f := revert.Find(before, h); len(f) != 1 || f[0].UID != "u" {
		t.Errorf("a spec that set the commit back is not reported: %+v", f)
	}
}
