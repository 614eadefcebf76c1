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

package governance

import (
	"fmt"
	"slices"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// Problem is one reason a Proposal's changes are Invalid against the Role and SkillMatrix.
type Problem struct {
	// Index is the change's position in spec.changes (-1: the whole Proposal).
	Index int
	// Field is the path of the offending value, e.g. "spec.changes[2].skill".
	Field string
	// Message is one sentence naming the id or value, with a "did you mean"
	// when a valid id is close; it does not repeat Field (String joins the two).
	Message string
}

// String is "field: message", for a status message or an event.
func (p Problem) String() string { return p.Field + ": " + p.Message }

// Validate checks the changes against the Role as it is now and its
// SkillMatrix, each change against the Role as the changes before it leave
// it (so AddSkill followed by a Set on the new skill is valid): unknown skill,
// level or proficiency; a Set on a skill or cell the Role lacks; AddSkill of
// a skill the Role has, or whose cells do not cover exactly the matrix's
// levels; RemoveSkill of a skill the Role lacks; a no-op change; two changes
// with the same target. Every problem in one pass, in change order.
//
// RemoveSkill is the one op that does not require the skill to be in the
// catalog: removing a row whose skill the matrix has dropped is how a Role is
// repaired. `from` is not checked here; whether it still holds is decided at
// promotion time by Apply.
func Validate(changes []v1alpha1.Change, role *v1alpha1.RoleSpec, matrix *v1alpha1.SkillMatrixSpec) []Problem {
	switch {
	case role == nil:
		return []Problem{{Index: -1, Field: fieldRoleRef, Message: "there is no Role spec to check the changes against"}}
	case matrix == nil:
		return []Problem{{Index: -1, Field: fieldRoleRef, Message: "there is no SkillMatrix spec to check the changes against"}}
	case len(changes) == 0:
		return []Problem{{Index: -1, Field: "spec.changes", Message: "the Proposal has no changes"}}
	}
	v := validator{
		m:      indexMatrix(matrix),
		s:      newState(role, false),
		target: make(map[target]int, len(changes)),
	}
	for i := range changes {
		v.check(i, &changes[i])
	}
	return v.problems
}

// matrixIndex is what changes are checked against, built once per call. The
// first definition of a repeated id counts, as in internal/validation.
type matrixIndex struct {
	levels   []v1alpha1.ID
	profs    []v1alpha1.ProficiencyID
	skills   []v1alpha1.ID // catalog order, so a suggestion is the same on every run
	catalog  map[v1alpha1.ID]struct{}
	levelSet map[v1alpha1.ID]struct{}
}

func indexMatrix(m *v1alpha1.SkillMatrixSpec) *matrixIndex {
	total := 0
	for _, c := range m.Categories {
		total += len(c.Skills)
	}
	idx := &matrixIndex{
		catalog:  make(map[v1alpha1.ID]struct{}, total),
		skills:   make([]v1alpha1.ID, 0, total),
		levelSet: make(map[v1alpha1.ID]struct{}, len(m.Levels)),
	}
	for _, l := range m.Levels {
		if _, dup := idx.levelSet[l.ID]; !dup && l.ID != "" {
			idx.levelSet[l.ID] = struct{}{}
			idx.levels = append(idx.levels, l.ID)
		}
	}
	for _, p := range m.Proficiencies {
		if p.ID != "" && !slices.Contains(idx.profs, p.ID) {
			idx.profs = append(idx.profs, p.ID)
		}
	}
	for _, c := range m.Categories {
		for _, s := range c.Skills {
			if _, dup := idx.catalog[s.ID]; !dup && s.ID != "" {
				idx.catalog[s.ID] = struct{}{}
				idx.skills = append(idx.skills, s.ID)
			}
		}
	}
	return idx
}

func (m *matrixIndex) hasLevel(id v1alpha1.ID) bool {
	_, ok := m.levelSet[id]
	return ok
}

func (m *matrixIndex) hasSkill(id v1alpha1.ID) bool {
	_, ok := m.catalog[id]
	return ok
}

// target is what a change changes. AddSkill and RemoveSkill share one target
// per skill: adding and removing the same skill in one Proposal is at best a
// roundabout way to replace a row, which Set changes say plainly.
type target struct {
	op           v1alpha1.ChangeOp
	skill, level v1alpha1.ID
}

func targetOf(c *v1alpha1.Change) target {
	switch c.Op {
	case v1alpha1.OpAddSkill, v1alpha1.OpRemoveSkill:
		return target{op: v1alpha1.OpAddSkill, skill: c.Skill}
	case v1alpha1.OpSetFocus, v1alpha1.OpSetTechStack:
		return target{op: c.Op, level: c.Level}
	}
	return target{op: c.Op, skill: c.Skill, level: c.Level}
}

type validator struct {
	m        *matrixIndex
	s        *roleState
	target   map[target]int
	problems []Problem
}

func (v *validator) report(i int, field, format string, args ...any) {
	v.problems = append(v.problems, Problem{Index: i, Field: changeField(i, field), Message: fmt.Sprintf(format, args...)})
}

func (v *validator) check(i int, c *v1alpha1.Change) {
	issues := malformed(c)
	for _, is := range issues {
		v.report(i, is.field, "%s", is.message)
	}
	unknownSkill, unknownLevel := v.checkIDs(i, c)
	if len(issues) > 0 {
		// Apply refuses the change too, so later changes meet the Role without it.
		return
	}
	t := targetOf(c)
	if first, dup := v.target[t]; dup {
		v.report(i, "", "%s changes the same %s as spec.changes[%d]", c.Op, describe(t), first)
	} else {
		v.target[t] = i
		if !unknownSkill && !unknownLevel {
			v.checkNoOp(i, c)
		}
	}
	m := v.s.step(c, false)
	switch {
	case m == nil:
	case m.kind == missSkillAbsent && !unknownSkill:
		hint := "; add it with an AddSkill change before this one"
		if c.Op == v1alpha1.OpRemoveSkill {
			hint = text.Hint(string(c.Skill), v.roleSkills())
		}
		v.report(i, m.field, "the Role has no skill %s%s", text.Quote(c.Skill), hint)
	case m.kind == missSkillPresent && !unknownSkill:
		v.report(i, m.field, "skill %s is already in the Role; change its cells with SetProficiency and SetRequired", text.Quote(c.Skill))
	case m.kind == missCellAbsent && !unknownLevel:
		v.report(i, m.field, "skill %s has no cell for level %s in the Role", text.Quote(c.Skill), text.Quote(c.Level))
	}
}

func describe(t target) string {
	switch t.op {
	case v1alpha1.OpAddSkill:
		return fmt.Sprintf("skill %s", text.Quote(t.skill))
	case v1alpha1.OpSetFocus:
		return fmt.Sprintf("focus of level %s", text.Quote(t.level))
	case v1alpha1.OpSetTechStack:
		return fmt.Sprintf("tech stack of level %s", text.Quote(t.level))
	}
	return fmt.Sprintf("cell %s at level %s", text.Quote(t.skill), text.Quote(t.level))
}

// checkIDs reports ids and values the matrix does not define. Empty ones are
// left to malformed, which names them as missing; fields the op does not use
// are the schema's business and ignored, as Apply ignores them.
func (v *validator) checkIDs(i int, c *v1alpha1.Change) (unknownSkill, unknownLevel bool) {
	if !slices.Contains(knownOps, c.Op) {
		return false, false
	}
	if usesSkill(c.Op) && c.Skill != "" && c.Op != v1alpha1.OpRemoveSkill && !v.m.hasSkill(c.Skill) {
		unknownSkill = true
		v.report(i, "skill", "skill %s is not in the SkillMatrix's catalog%s", text.Quote(c.Skill), text.Hint(string(c.Skill), v.m.skills))
	}
	if usesLevel(c.Op) && c.Level != "" && !v.m.hasLevel(c.Level) {
		unknownLevel = true
		v.reportLevel(i, "level", c.Level)
	}
	if c.Op == v1alpha1.OpSetProficiency {
		v.checkProficiency(i, "proficiency", c.Proficiency)
	}
	if c.Op == v1alpha1.OpAddSkill {
		v.checkCells(i, c)
	}
	return unknownSkill, unknownLevel
}

func (v *validator) reportLevel(i int, field string, level v1alpha1.ID) {
	v.report(i, field, "level %s is not a level of the SkillMatrix (want one of %s)%s",
		text.Quote(level), text.OneOf(v.m.levels), text.Hint(string(level), v.m.levels))
}

func (v *validator) checkProficiency(i int, field string, p v1alpha1.ProficiencyID) {
	if p != "" && !slices.Contains(v.m.profs, p) {
		v.report(i, field, "proficiency %s is not on the SkillMatrix's scale (want one of %s)%s",
			text.Quote(p), text.OneOf(v.m.profs), text.Hint(string(p), v.m.profs))
	}
}

// checkCells holds AddSkill to one cell per matrix level, no more, no less.
func (v *validator) checkCells(i int, c *v1alpha1.Change) {
	covered := make(map[v1alpha1.ID]bool, len(c.Cells))
	for j, cell := range c.Cells {
		if cell.Level != "" && !v.m.hasLevel(cell.Level) {
			v.reportLevel(i, fmt.Sprintf("cells[%d].level", j), cell.Level)
		}
		covered[cell.Level] = true
		if !slices.Contains(v.m.profs, cell.Proficiency) {
			v.checkProficiency(i, fmt.Sprintf("cells[%d].proficiency", j), cell.Proficiency)
		}
	}
	if len(c.Cells) == 0 {
		return // malformed already asks for the cells
	}
	var missing []v1alpha1.ID
	for _, l := range v.m.levels {
		if !covered[l] {
			missing = append(missing, l)
		}
	}
	if len(missing) > 0 {
		v.report(i, "cells", "AddSkill of %s has no cell for level %s; it needs one cell for each level of the SkillMatrix (%s)",
			text.Quote(c.Skill), text.OneOf(missing), text.OneOf(v.m.levels))
	}
}

// checkNoOp reports a change whose new value is already in place: the
// Proposal would be voted on and promoted without changing anything, which
// usually means it was written against an outdated Role.
func (v *validator) checkNoOp(i int, c *v1alpha1.Change) {
	switch c.Op {
	case v1alpha1.OpSetProficiency:
		if cell := v.s.cell(c.Skill, c.Level); cell != nil && cell.Proficiency == c.Proficiency {
			v.report(i, "proficiency", "changes nothing: skill %s at level %s already has proficiency %s",
				text.Quote(c.Skill), text.Quote(c.Level), text.Quote(c.Proficiency))
		}
	case v1alpha1.OpSetRequired:
		if cell := v.s.cell(c.Skill, c.Level); cell != nil && cell.Required == *c.Required {
			v.report(i, "required", "changes nothing: skill %s at level %s already has required %t",
				text.Quote(c.Skill), text.Quote(c.Level), cell.Required)
		}
	case v1alpha1.OpSetFocus:
		if v.s.focus(c.Level) == *c.Focus {
			v.report(i, "focus", "changes nothing: level %s already has focus %s", text.Quote(c.Level), text.Quote(*c.Focus))
		}
	case v1alpha1.OpSetTechStack:
		if cur := v.s.techStack(c.Level); sameStack(cur, c.TechStack) {
			v.report(i, "techStack", "changes nothing: level %s already has tech stack %s", text.Quote(c.Level), text.QuoteList(cur))
		}
	}
}

func (v *validator) roleSkills() []v1alpha1.ID {
	ids := make([]v1alpha1.ID, len(v.s.spec.Skills))
	for k, row := range v.s.spec.Skills {
		ids[k] = row.ID
	}
	return ids
}
