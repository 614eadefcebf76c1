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

// Package history rebuilds a Role's record of applied Proposals when the
// Role's status lost it (the Role was deleted and re-created from Git, or
// restored without its status): Merge puts the entries rebuilt from the
// durable sources (the Applied Proposals that name the Role, the commits
// of the tracked branch the operator wrote) into the history in the order
// they landed, within the history's bound, and Diff tells what a commit
// changed in the Role's cells, which is what an entry rebuilt from Git
// records. It has no Kubernetes client and must not import client-go,
// controller-runtime, internal/controller or internal/cli
// (internal/archtest checks).
package history

import (
	"slices"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// Merge returns history with the rebuilt entries it lacks put in: each
// before the first entry of history that landed after it (by appliedAt;
// on a tie the rebuilt entry goes first, since the entries a Role records
// itself came after the ones it lost), in appliedAt order among
// themselves (a stable sort: the caller's order decides ties). History's
// own order is kept. Of the result the newest v1.MaxHistory are kept, as
// RecordApplied keeps them, so an entry that the bound had dropped is
// dropped again: rebuilding twice changes nothing. added counts the
// rebuilt entries the result holds.
func Merge(history, rebuilt []v1.AppliedProposal) (merged []v1.AppliedProposal, added int) {
	seen := make(map[string]bool, len(history)+len(rebuilt))
	for i := range history {
		seen[history[i].UID] = true
	}
	var fresh []v1.AppliedProposal
	for _, e := range rebuilt {
		if e.UID == "" || seen[e.UID] {
			continue
		}
		seen[e.UID] = true
		fresh = append(fresh, e)
	}
	if len(fresh) == 0 {
		return history, 0
	}
	slices.SortStableFunc(fresh, func(a, b v1.AppliedProposal) int { return a.AppliedAt.Compare(b.AppliedAt.Time) })
	merged = make([]v1.AppliedProposal, 0, len(history)+len(fresh))
	isRebuilt := make([]bool, 0, cap(merged))
	i := 0
	for _, e := range history {
		for i < len(fresh) && !fresh[i].AppliedAt.After(e.AppliedAt.Time) {
			merged, isRebuilt = append(merged, fresh[i]), append(isRebuilt, true)
			i++
		}
		merged, isRebuilt = append(merged, e), append(isRebuilt, false)
	}
	for ; i < len(fresh); i++ {
		merged, isRebuilt = append(merged, fresh[i]), append(isRebuilt, true)
	}
	if n := len(merged); n > v1.MaxHistory {
		merged, isRebuilt = merged[n-v1.MaxHistory:], isRebuilt[n-v1.MaxHistory:]
	}
	for _, r := range isRebuilt {
		if r {
			added++
		}
	}
	if added == 0 {
		return history, 0
	}
	return merged, added
}

// Diff returns the changes that turn before's skills into after's, as
// Proposals would make them: a row after adds that before lacks is an
// AddSkill with its cells, a row before has that after lacks a
// RemoveSkill, and a cell whose proficiency or required flag differs a
// SetProficiency or SetRequired (a cell a row gains sets both). A cell a
// row loses has no change of its own, and focus and tech stack are texts a
// history entry does not record. before may be nil (no Role before):
// every row is then added. Rows come in after's order, removals last.
func Diff(before, after *v1.RoleSpec) []v1.Change {
	if before == nil {
		before = &v1.RoleSpec{}
	}
	var out []v1.Change
	for i := range after.Skills {
		row := &after.Skills[i]
		old := before.Row(row.ID)
		if old == nil {
			out = append(out, v1.Change{Op: v1.OpAddSkill, Skill: row.ID, Cells: slices.Clone(row.Cells)})
			continue
		}
		for _, cell := range row.Cells {
			was := old.Cell(cell.Level)
			if was == nil || was.Proficiency != cell.Proficiency {
				out = append(out, v1.Change{Op: v1.OpSetProficiency, Skill: row.ID, Level: cell.Level, Proficiency: cell.Proficiency})
			}
			if (was == nil && cell.Required) || (was != nil && was.Required != cell.Required) {
				out = append(out, v1.Change{Op: v1.OpSetRequired, Skill: row.ID, Level: cell.Level, Required: new(cell.Required)})
			}
		}
	}
	for i := range before.Skills {
		if after.Row(before.Skills[i].ID) == nil {
			out = append(out, v1.Change{Op: v1.OpRemoveSkill, Skill: before.Skills[i].ID})
		}
	}
	return out
}
