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
	"strconv"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// roleState is a Role being changed one Change at a time. Validate and Apply
// walk the same state with the same step, so they agree on what each change
// finds: a skill added earlier in a Proposal is there for a later Set, a
// removed one is not.
type roleState struct {
	spec *v1alpha1.RoleSpec
	// skillAt and levelAt index the first row per skill id and the first
	// spec.levels entry per level; a Role that repeats one is already invalid,
	// and the first definition is the one validation judges too.
	skillAt map[v1alpha1.ID]int
	levelAt map[v1alpha1.ID]int
	// owned says spec is a private deep copy (Apply) that can be written in
	// place. Otherwise (Validate) the rows' cells still alias the caller's
	// Role, and ownRows records the rows already copied for writing: copying
	// a 500-skill Role to check ten changes would dominate the cost.
	owned   bool
	ownRows map[v1alpha1.ID]bool
}

func newState(spec *v1alpha1.RoleSpec, owned bool) *roleState {
	s := &roleState{spec: spec, owned: owned}
	if !owned {
		shallow := *spec
		shallow.Skills = slices.Clone(spec.Skills)
		shallow.Levels = slices.Clone(spec.Levels)
		s.spec = &shallow
		s.ownRows = make(map[v1alpha1.ID]bool)
	}
	s.skillAt = make(map[v1alpha1.ID]int, len(s.spec.Skills))
	for i, row := range s.spec.Skills {
		if _, dup := s.skillAt[row.ID]; !dup {
			s.skillAt[row.ID] = i
		}
	}
	s.levelAt = make(map[v1alpha1.ID]int, len(s.spec.Levels))
	for i, l := range s.spec.Levels {
		if _, dup := s.levelAt[l.Level]; !dup {
			s.levelAt[l.Level] = i
		}
	}
	return s
}

func (s *roleState) hasSkill(id v1alpha1.ID) bool {
	_, ok := s.skillAt[id]
	return ok
}

// cell returns the first cell of skill at level, or nil.
func (s *roleState) cell(skill, level v1alpha1.ID) *v1alpha1.Cell {
	k, ok := s.skillAt[skill]
	if !ok {
		return nil
	}
	return s.spec.Skills[k].Cell(level)
}

// writableCell is cell, copied first if it still belongs to the caller.
func (s *roleState) writableCell(skill, level v1alpha1.ID) *v1alpha1.Cell {
	if !s.owned && !s.ownRows[skill] {
		if k, ok := s.skillAt[skill]; ok {
			s.spec.Skills[k].Cells = slices.Clone(s.spec.Skills[k].Cells)
			s.ownRows[skill] = true
		}
	}
	return s.cell(skill, level)
}

// focus and techStack read a level's values; a level the Role does not list
// has an empty focus and tech stack, which is what `from` compares against.
func (s *roleState) focus(level v1alpha1.ID) string {
	if k, ok := s.levelAt[level]; ok {
		return s.spec.Levels[k].Focus
	}
	return ""
}

func (s *roleState) techStack(level v1alpha1.ID) []string {
	if k, ok := s.levelAt[level]; ok {
		return s.spec.Levels[k].TechStack
	}
	return nil
}

// levelEntry returns the level's entry, appending one when the Role lacks
// it. Apply has no matrix to find the level's place in; the renderers order
// levels by the matrix anyway.
func (s *roleState) levelEntry(level v1alpha1.ID) *v1alpha1.RoleLevel {
	k, ok := s.levelAt[level]
	if !ok {
		k = len(s.spec.Levels)
		s.spec.Levels = append(s.spec.Levels, v1alpha1.RoleLevel{Level: level})
		s.levelAt[level] = k
	}
	return &s.spec.Levels[k]
}

// sameStack compares tech stacks as ordered lists; nil equals empty.
func sameStack(a, b []string) bool { return slices.Equal(a, b) }

// missKind is why a change cannot be applied to the Role as it is.
type missKind int

const (
	// missFrom: the change's from no longer matches.
	missFrom missKind = iota + 1
	// missSkillPresent: AddSkill of a skill the Role already has.
	missSkillPresent
	// missSkillAbsent: RemoveSkill or a Set on a skill the Role lacks.
	missSkillAbsent
	// missCellAbsent: a Set on a cell the skill's row lacks.
	missCellAbsent
)

// The Expected and Actual of a Conflict about whether a skill or cell exists.
const (
	present = "present"
	absent  = "absent"
)

// miss is a change that does not fit the Role; field is relative to the change.
type miss struct {
	kind             missKind
	field            string
	expected, actual string
}

func (m *miss) conflictKind() ConflictKind {
	if m.kind == missFrom {
		return ConflictStaleFrom
	}
	return ConflictMissingTarget
}

func skillMiss(kind missKind) *miss {
	if kind == missSkillPresent {
		return &miss{kind: kind, field: "skill", expected: absent, actual: present}
	}
	return &miss{kind: kind, field: "skill", expected: present, actual: absent}
}

// step applies one well-formed change (see malformed) to the state, or
// returns why it cannot and leaves the state as it was. Validate passes
// checkFrom=false: whether `from` still holds is a question for promotion
// time, not for whether the Proposal makes sense.
func (s *roleState) step(c *v1alpha1.Change, checkFrom bool) *miss {
	switch c.Op {
	case v1alpha1.OpSetProficiency, v1alpha1.OpSetRequired:
		return s.stepCell(c, checkFrom)
	case v1alpha1.OpAddSkill:
		return s.stepAddSkill(c)
	case v1alpha1.OpRemoveSkill:
		return s.stepRemoveSkill(c)
	case v1alpha1.OpSetFocus:
		return s.stepFocus(c, checkFrom)
	case v1alpha1.OpSetTechStack:
		return s.stepTechStack(c, checkFrom)
	}
	return nil
}

func (s *roleState) stepAddSkill(c *v1alpha1.Change) *miss {
	if s.hasSkill(c.Skill) {
		return skillMiss(missSkillPresent)
	}
	row := v1alpha1.SkillRequirement{ID: c.Skill, Cells: make([]v1alpha1.Cell, len(c.Cells))}
	for j := range c.Cells {
		c.Cells[j].DeepCopyInto(&row.Cells[j])
	}
	s.skillAt[c.Skill] = len(s.spec.Skills)
	s.spec.Skills = append(s.spec.Skills, row)
	if !s.owned {
		s.ownRows[c.Skill] = true
	}
	return nil
}

func (s *roleState) stepRemoveSkill(c *v1alpha1.Change) *miss {
	k, ok := s.skillAt[c.Skill]
	if !ok {
		return skillMiss(missSkillAbsent)
	}
	s.spec.Skills = slices.Delete(s.spec.Skills, k, k+1)
	// Shifting the index in place costs a fraction of rebuilding it,
	// which showed in the 500-skill benchmark.
	delete(s.skillAt, c.Skill)
	for id, at := range s.skillAt {
		if at > k {
			s.skillAt[id] = at - 1
		}
	}
	// A repeated id (invalid input) surfaces its next row, which is
	// still the caller's.
	delete(s.ownRows, c.Skill)
	if j := slices.IndexFunc(s.spec.Skills, func(r v1alpha1.SkillRequirement) bool { return r.ID == c.Skill }); j >= 0 {
		s.skillAt[c.Skill] = j
	}
	return nil
}

func (s *roleState) stepFocus(c *v1alpha1.Change, checkFrom bool) *miss {
	cur := s.focus(c.Level)
	if checkFrom && c.From != nil && *c.From.Focus != cur {
		return &miss{kind: missFrom, field: "from.focus", expected: *c.From.Focus, actual: cur}
	}
	if _, listed := s.levelAt[c.Level]; listed || *c.Focus != "" {
		s.levelEntry(c.Level).Focus = *c.Focus
	}
	return nil
}

func (s *roleState) stepTechStack(c *v1alpha1.Change, checkFrom bool) *miss {
	cur := s.techStack(c.Level)
	if checkFrom && c.From != nil && !sameStack(c.From.TechStack, cur) {
		return &miss{kind: missFrom, field: "from.techStack", expected: text.QuoteList(c.From.TechStack), actual: text.QuoteList(cur)}
	}
	// Cloned so the Role never shares memory with the Proposal; empty is
	// stored as absent, which is what an empty list means.
	var stack []string
	if len(c.TechStack) > 0 {
		stack = slices.Clone(c.TechStack)
	}
	if _, listed := s.levelAt[c.Level]; listed || stack != nil {
		s.levelEntry(c.Level).TechStack = stack
	}
	return nil
}

func (s *roleState) stepCell(c *v1alpha1.Change, checkFrom bool) *miss {
	if !s.hasSkill(c.Skill) {
		return skillMiss(missSkillAbsent)
	}
	cur := s.cell(c.Skill, c.Level)
	if cur == nil {
		return &miss{kind: missCellAbsent, field: "level", expected: present, actual: absent}
	}
	if c.Op == v1alpha1.OpSetProficiency {
		if checkFrom && c.From != nil && c.From.Proficiency != cur.Proficiency {
			return &miss{kind: missFrom, field: "from.proficiency",
				expected: string(c.From.Proficiency), actual: string(cur.Proficiency)}
		}
		s.writableCell(c.Skill, c.Level).Proficiency = c.Proficiency
		return nil
	}
	if checkFrom && c.From != nil && *c.From.Required != cur.Required {
		return &miss{kind: missFrom, field: "from.required",
			expected: strconv.FormatBool(*c.From.Required), actual: strconv.FormatBool(cur.Required)}
	}
	s.writableCell(c.Skill, c.Level).Required = *c.Required
	return nil
}

// issue is a change whose shape the schema forbids; field is relative to the change.
type issue struct{ field, message string }

var knownOps = []v1alpha1.ChangeOp{
	v1alpha1.OpSetProficiency, v1alpha1.OpSetRequired, v1alpha1.OpAddSkill,
	v1alpha1.OpRemoveSkill, v1alpha1.OpSetFocus, v1alpha1.OpSetTechStack,
}

// malformed reports what the CRD schema's CEL rules would have refused: an
// unknown op, a missing id or value, a `from` without the op's field, an
// AddSkill without one well-formed cell per level. The API server never
// stores such a change, but the CLI reads files and a stale CRD may lack a
// rule; Apply refuses them rather than write a Role the schema would reject,
// and step relies on them being caught (it dereferences the op's value).
func malformed(c *v1alpha1.Change) []issue {
	var out []issue
	add := func(field, format string, args ...any) {
		out = append(out, issue{field: field, message: fmt.Sprintf(format, args...)})
	}
	if !slices.Contains(knownOps, c.Op) {
		add("op", "op %s is not one of %s%s", text.Quote(c.Op), text.OneOf(knownOps), text.Hint(string(c.Op), knownOps))
		return out
	}
	if usesSkill(c.Op) && c.Skill == "" {
		add("skill", "%s needs a skill", c.Op)
	}
	if usesLevel(c.Op) && c.Level == "" {
		add("level", "%s needs a level", c.Op)
	}
	return append(out, malformedValues(c)...)
}

// malformedValues reports a change without its op's new value, a `from`
// without the value it expects, and an AddSkill's bad cells.
func malformedValues(c *v1alpha1.Change) []issue {
	var out []issue
	check := func(bad bool, field, message string) {
		if bad {
			out = append(out, issue{field: field, message: message})
		}
	}
	switch c.Op {
	case v1alpha1.OpSetProficiency:
		check(c.Proficiency == "", "proficiency", "SetProficiency needs the new proficiency")
		check(c.From != nil && c.From.Proficiency == "", "from.proficiency", "from must give the proficiency SetProficiency expects to replace")
	case v1alpha1.OpSetRequired:
		check(c.Required == nil, "required", "SetRequired needs the new required flag")
		check(c.From != nil && c.From.Required == nil, "from.required", "from must give the required flag SetRequired expects to replace")
	case v1alpha1.OpSetFocus:
		check(c.Focus == nil, "focus", "SetFocus needs the new focus text (\"\" clears it)")
		check(c.From != nil && c.From.Focus == nil, "from.focus", "from must give the focus text SetFocus expects to replace")
	case v1alpha1.OpAddSkill, v1alpha1.OpRemoveSkill:
		check(c.From != nil, "from", string(c.Op)+" takes no from: the skill's presence is what it expects")
		if c.Op == v1alpha1.OpAddSkill {
			out = append(out, malformedCells(c)...)
		}
	}
	return out
}

func usesSkill(op v1alpha1.ChangeOp) bool {
	return op != v1alpha1.OpSetFocus && op != v1alpha1.OpSetTechStack
}

func usesLevel(op v1alpha1.ChangeOp) bool {
	return op != v1alpha1.OpAddSkill && op != v1alpha1.OpRemoveSkill
}

func malformedCells(c *v1alpha1.Change) []issue {
	if len(c.Cells) == 0 {
		return []issue{{field: "cells", message: fmt.Sprintf("AddSkill of %s needs its cells, one per level", text.Quote(c.Skill))}}
	}
	var out []issue
	for j, cell := range c.Cells {
		field := "cells[" + strconv.Itoa(j) + "]"
		if cell.Level == "" {
			out = append(out, issue{field: field + ".level", message: "the cell has no level"})
		} else if prev := slices.IndexFunc(c.Cells[:j], func(o v1alpha1.Cell) bool { return o.Level == cell.Level }); prev >= 0 {
			out = append(out, issue{field: field + ".level", message: fmt.Sprintf(
				"skill %s has two cells for level %s (cells[%d] and cells[%d])", text.Quote(c.Skill), text.Quote(cell.Level), prev, j)})
		}
		if cell.Proficiency == "" {
			out = append(out, issue{field: field + ".proficiency", message: "the cell has no proficiency"})
		}
	}
	return out
}
