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

// Package revert decides whether a Role still carries the changes of the
// Proposals applied to it: Carried for one change (how a write-back sync is
// recognised), Find for a Role's whole history (which applied Proposals a
// kubectl apply, a forced server-side apply, a kubectl edit or a sync undid).
// It owns the cells a history entry records (Cells) and the rule that tells a
// revert from a supersession. It has no Kubernetes client and must not import
// client-go, controller-runtime, internal/controller or internal/cli
// (internal/archtest checks).
package revert

import (
	"slices"
	"strconv"

	"k8s.io/apimachinery/pkg/api/equality"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// Carried reports whether spec already holds what c sets. A Set is carried
// when applying it again (without its `from`) changes nothing; an AddSkill
// when the row is there exactly as the change adds it; a RemoveSkill when the
// row is gone.
func Carried(spec *v1.RoleSpec, c *v1.Change) bool {
	row := spec.Row(c.Skill)
	switch c.Op {
	case v1.OpRemoveSkill:
		return row == nil
	case v1.OpAddSkill:
		if row == nil {
			return false
		}
		without := spec.DeepCopy()
		without.Skills = slices.DeleteFunc(without.Skills, func(s v1.SkillRequirement) bool { return s.ID == c.Skill })
		added, conflicts := governance.Apply(without, []v1.Change{*c})
		if len(conflicts) > 0 {
			return false
		}
		again := added.Row(c.Skill)
		return again != nil && equality.Semantic.DeepEqual(*again, *row)
	}
	again := *c
	again.From = nil
	applied, conflicts := governance.Apply(spec, []v1.Change{again})
	return len(conflicts) == 0 && equality.Semantic.DeepEqual(applied, spec)
}

// Cells returns what changes set in the Role's cells, as a history entry
// records it: a SetProficiency or SetRequired its cell's value, an AddSkill
// the proficiency and flag of each of its cells, a RemoveSkill the row. Focus
// and tech stack changes are texts and are left out. At most
// v1.MaxAppliedCells are returned, the first ones.
func Cells(changes []v1.Change) []v1.AppliedCell {
	var out []v1.AppliedCell
	add := func(c v1.AppliedCell) {
		if len(out) < v1.MaxAppliedCells {
			out = append(out, c)
		}
	}
	for i := range changes {
		c := &changes[i]
		switch c.Op {
		case v1.OpSetProficiency:
			add(v1.AppliedCell{Skill: c.Skill, Level: c.Level, Proficiency: c.Proficiency})
		case v1.OpSetRequired:
			if c.Required != nil {
				add(v1.AppliedCell{Skill: c.Skill, Level: c.Level, Required: new(*c.Required)})
			}
		case v1.OpAddSkill:
			for _, cell := range c.Cells {
				add(v1.AppliedCell{Skill: c.Skill, Level: cell.Level, Proficiency: cell.Proficiency, Required: new(cell.Required)})
			}
		case v1.OpRemoveSkill:
			add(v1.AppliedCell{Skill: c.Skill, Removed: true})
		}
	}
	return out
}

// Field is one field of one cell: Name is FieldProficiency or FieldRequired.
type Field struct {
	Skill, Level v1.ID
	Name         string
}

// The fields of a cell a history entry records.
const (
	FieldProficiency = "proficiency"
	FieldRequired    = "required"
)

// Finding is one applied Proposal the Role no longer carries.
type Finding struct {
	Name v1.ObjectName
	UID  string
	// Cells are the reverted cells as skill@level (a removed row that is back
	// as the skill id), in the order the entry records them.
	Cells []string
	// Partial are the fields this Proposal set that the Role still carries in
	// a cell it reverted otherwise, and no other Proposal set: what keeps a
	// partly reverted cell a mix that nobody approved.
	Partial []Field
}

// fact is one value a history entry set: one field of a cell, or a row's
// absence.
type fact struct {
	entry int
	key   string
	skill v1.ID
	cell  string // skill@level, or the skill for a row
	field *Field // nil for a row
	check v1.Change
}

// Find returns the entries of history whose recorded cells spec no longer
// carries, in history order. A field is judged only against the newest entry
// that set it: an older entry's value that a newer one replaced is
// superseded, not reverted. A removed row supersedes every older value of the
// skill, and any newer value of a skill supersedes an older removal of it.
// Entries of one batch were recorded against one spec, so their order
// cannot be told: a field one of them carries is carried for all of them. A
// batch is a run of neighbouring entries of one generation (Batch); the
// history is in the order the changes landed, newest last, also where
// entries were rebuilt into it.
func Find(spec *v1.RoleSpec, history []v1.AppliedProposal) []Finding {
	j := &judge{cells: indexCells(spec), claimed: map[string]bool{}, touched: map[v1.ID]bool{}, removed: map[v1.ID]bool{},
		reverted: map[int][]fact{}, partial: map[int][]Field{}}
	// Newest batch first.
	for end := len(history); end > 0; {
		start := end - 1
		for start > 0 && Batch(&history[start-1]) == Batch(&history[end-1]) {
			start--
		}
		var facts, claims []fact
		for i := start; i < end; i++ {
			set := factsOf(i, history[i].Cells)
			claims = append(claims, set...)
			// A full entry may be cut short (Cells keeps the first
			// MaxAppliedCells): a later change of its own that the record
			// lost could have replaced any value it kept, so it is not
			// judged, only let supersede the older ones.
			if len(history[i].Cells) < v1.MaxAppliedCells {
				facts = append(facts, lastOfEntry(set)...)
			}
		}
		j.generation(facts, claims)
		end = start
	}

	var out []Finding
	for i := range history {
		facts := j.reverted[i]
		if len(facts) == 0 {
			continue
		}
		finding := Finding{Name: history[i].Name, UID: history[i].UID, Partial: j.partial[i]}
		for _, f := range facts {
			if !slices.Contains(finding.Cells, f.cell) {
				finding.Cells = append(finding.Cells, f.cell)
			}
		}
		out = append(out, finding)
	}
	return out
}

// Batch is what makes neighbouring history entries one batch, applied to
// one spec: the Role generation they were recorded at; for entries rebuilt
// from Git, the commit (each commit was one change to the manifest, and
// which of them a sync brought in together is not known); for entries
// rebuilt from Applied Proposals, the generation of the Role object they
// were applied to, kept apart from the live Role's generations.
func Batch(e *v1.AppliedProposal) string {
	switch e.RebuiltFrom {
	case v1.HistoryFromGit:
		return "commit " + e.Commit
	case v1.HistoryFromProposal:
		return "rebuilt " + strconv.FormatInt(e.Generation, 10)
	}
	return "generation " + strconv.FormatInt(e.Generation, 10)
}

// judge holds what the generations judged so far (the newer ones) decided.
type judge struct {
	cells    map[v1.ID]map[v1.ID]*v1.Cell
	claimed  map[string]bool // fields a newer generation set
	touched  map[v1.ID]bool  // skills a newer generation set something of
	removed  map[v1.ID]bool  // skills a newer generation removed
	reverted map[int][]fact  // per entry, its reverted facts
	partial  map[int][]Field // per entry, its carried fields in its reverted cells
}

// generation judges the facts of the entries of one generation (all, each
// entry's last values), then lets claims (everything the entries set,
// values their own later changes replaced included) supersede the older
// generations' facts.
func (j *judge) generation(all, claims []fact) {
	live, wiped := j.live(all, claims)
	carriedKeys := map[string]bool{}
	setters := map[string]int{}
	carriedCellOf := map[v1.ID]bool{} // skills with a carried cell value in the generation
	for _, f := range live {
		setters[f.key]++
		if j.holds(f) {
			carriedKeys[f.key] = true
			if f.field != nil {
				carriedCellOf[f.skill] = true
			}
		}
	}
	brokenCells := map[int]map[string]bool{}
	for _, f := range live {
		// Within one generation a carried removal explains the cells of
		// the row that are gone, and a carried cell the row that is back.
		if carriedKeys[f.key] || (f.field != nil && carriedKeys[rowKey(f.skill)]) ||
			(f.field == nil && carriedCellOf[f.skill]) || wiped(f) {
			continue
		}
		j.reverted[f.entry] = append(j.reverted[f.entry], f)
		if brokenCells[f.entry] == nil {
			brokenCells[f.entry] = map[string]bool{}
		}
		brokenCells[f.entry][f.cell] = true
	}
	for _, f := range live {
		if f.field != nil && carriedKeys[f.key] && setters[f.key] == 1 && brokenCells[f.entry][f.cell] {
			j.partial[f.entry] = append(j.partial[f.entry], *f.field)
		}
	}
	// Superseded facts count too: a removal a newer value undid still wiped
	// the row's older values, within one entry as across generations.
	for _, f := range claims {
		j.claimed[f.key] = true
		j.touched[f.skill] = true
		if f.field == nil {
			j.removed[f.skill] = true
		}
	}
}

// live are the facts of one generation that no newer generation replaced.
// wiped reports a cell fact whose row another entry of this generation
// removed: the removal may have come after it (their order cannot be told,
// and the row may have been added back since, by that entry or a newer
// generation), so its absence is no revert.
func (j *judge) live(all, claims []fact) (live []fact, wiped func(fact) bool) {
	removedBy := map[v1.ID][]int{}
	for _, f := range claims {
		if f.field == nil {
			removedBy[f.skill] = append(removedBy[f.skill], f.entry)
		}
	}
	for _, f := range all {
		if !j.superseded(f) {
			live = append(live, f)
		}
	}
	return live, func(f fact) bool {
		return f.field != nil && slices.ContainsFunc(removedBy[f.skill], func(e int) bool { return e != f.entry })
	}
}

// holds reports whether the spec holds what f set: Carried(spec, &f.check),
// answered from the index, since Carried copies the whole spec for each
// change and a Role's history is judged at every reconcile (FuzzFind checks
// that both agree).
func (j *judge) holds(f fact) bool {
	row, ok := j.cells[f.skill]
	switch {
	case f.field == nil:
		return !ok
	case !ok || row[f.field.Level] == nil:
		return false
	case f.field.Name == FieldProficiency:
		return row[f.field.Level].Proficiency == f.check.Proficiency
	default:
		return row[f.field.Level].Required == *f.check.Required
	}
}

// indexCells maps each skill of spec to its cells by level.
func indexCells(spec *v1.RoleSpec) map[v1.ID]map[v1.ID]*v1.Cell {
	out := make(map[v1.ID]map[v1.ID]*v1.Cell, len(spec.Skills))
	for i := range spec.Skills {
		row := make(map[v1.ID]*v1.Cell, len(spec.Skills[i].Cells))
		for k := range spec.Skills[i].Cells {
			row[spec.Skills[i].Cells[k].Level] = &spec.Skills[i].Cells[k]
		}
		out[spec.Skills[i].ID] = row
	}
	return out
}

// superseded reports whether a newer generation replaced what f set.
func (j *judge) superseded(f fact) bool {
	return supersededBy(f, j.claimed, j.touched, j.removed)
}

func supersededBy(f fact, claimed map[string]bool, touched, removed map[v1.ID]bool) bool {
	return removed[f.skill] || claimed[f.key] || (f.field == nil && touched[f.skill])
}

// lastOfEntry keeps the facts of one entry that its own later changes did
// not replace (a Proposal may set a cell, remove the row and add it again).
func lastOfEntry(facts []fact) []fact {
	claimed, touched, removed := map[string]bool{}, map[v1.ID]bool{}, map[v1.ID]bool{}
	var kept []fact
	for _, f := range slices.Backward(facts) {
		if !supersededBy(f, claimed, touched, removed) {
			kept = append(kept, f)
		}
		// A replaced removal still wiped the row's older values.
		claimed[f.key] = true
		touched[f.skill] = true
		if f.field == nil {
			removed[f.skill] = true
		}
	}
	slices.Reverse(kept)
	return kept
}

// factsOf turns an entry's recorded cells into the facts to check, each as
// the change that sets it again (no `from`), so Carried judges it.
func factsOf(entry int, cells []v1.AppliedCell) []fact {
	var out []fact
	for _, c := range cells {
		if c.Removed {
			out = append(out, fact{entry: entry, key: rowKey(c.Skill), skill: c.Skill, cell: string(c.Skill),
				check: v1.Change{Op: v1.OpRemoveSkill, Skill: c.Skill}})
			continue
		}
		cell := string(c.Skill) + "@" + string(c.Level)
		if c.Proficiency != "" {
			out = append(out, fact{entry: entry, key: FieldProficiency + " " + cell, skill: c.Skill, cell: cell,
				field: &Field{Skill: c.Skill, Level: c.Level, Name: FieldProficiency},
				check: v1.Change{Op: v1.OpSetProficiency, Skill: c.Skill, Level: c.Level, Proficiency: c.Proficiency}})
		}
		if c.Required != nil {
			out = append(out, fact{entry: entry, key: FieldRequired + " " + cell, skill: c.Skill, cell: cell,
				field: &Field{Skill: c.Skill, Level: c.Level, Name: FieldRequired},
				check: v1.Change{Op: v1.OpSetRequired, Skill: c.Skill, Level: c.Level, Required: new(*c.Required)}})
		}
	}
	return out
}

func rowKey(skill v1.ID) string { return "row " + string(skill) }
