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

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// ConflictKind says why a change does not apply.
type ConflictKind int

const (
	// ConflictMalformed: the change's shape is one the schema forbids.
	ConflictMalformed ConflictKind = iota + 1
	// ConflictStaleFrom: the change's `from` no longer matches the Role.
	ConflictStaleFrom
	// ConflictMissingTarget: the skill or cell is not there (or, for
	// AddSkill, already is).
	ConflictMissingTarget
	// ConflictNoRole: there is no Role to apply the changes to.
	ConflictNoRole
)

// Conflict is a change whose expectation no longer holds on the Role.
type Conflict struct {
	// Kind is why; ConflictStaleFrom is the one no vote can mend.
	Kind ConflictKind
	// Index is the change's position in spec.changes (-1: the whole Proposal).
	Index int
	// Field is the path of what did not match, e.g. "spec.changes[0].from.proficiency".
	Field string
	// Expected and Actual are the value the change expected and the one the
	// Role holds ("present"/"absent" for a skill or cell; a tech stack as a
	// quoted list). Both are empty for a malformed change.
	Expected, Actual string
	// Message is one sentence naming the skill, level and values; it does
	// not repeat Field (String joins the two).
	Message string
}

// String is "field: message", for a status message or an event.
func (c Conflict) String() string { return c.Field + ": " + c.Message }

// Apply applies the changes in order to a deep copy of role, never mutating
// the input nor sharing memory with it or with the changes, with
// compare-and-swap: a change with From set conflicts when the Role's current
// value differs (proficiency, required, focus with absent equal to "",
// techStack as ordered lists with nil equal to empty); AddSkill conflicts
// when the skill is already there; RemoveSkill and Set* on a missing skill or
// cell conflict. A malformed change (see the CRD's CEL rules) is refused as a
// conflict too, so one that bypassed admission never reaches the Role.
//
// The changes are all-or-nothing: with any conflict it returns (nil, every
// conflict) and the caller changes nothing. Every conflict is found in one
// pass; a conflicting change is skipped, so later ones are checked against the
// Role without it.
//
// SetFocus or SetTechStack on a level missing from spec.levels appends an
// entry for it (unless the new value is empty, which the absent entry already
// means); AddSkill appends its row. The renderers order both by the matrix.
func Apply(role *v1alpha1.RoleSpec, changes []v1alpha1.Change) (*v1alpha1.RoleSpec, []Conflict) {
	if role == nil {
		return nil, []Conflict{{Kind: ConflictNoRole, Index: -1, Field: fieldRoleRef, Message: "there is no Role spec to apply the changes to"}}
	}
	s := newState(role.DeepCopy(), true)
	var conflicts []Conflict
	for i := range changes {
		c := &changes[i]
		if issues := malformed(c); len(issues) > 0 {
			conflicts = append(conflicts, Conflict{Kind: ConflictMalformed, Index: i,
				Field: changeField(i, issues[0].field), Message: issues[0].message})
			continue
		}
		if m := s.step(c, true); m != nil {
			conflicts = append(conflicts, Conflict{
				Kind: m.conflictKind(), Index: i, Field: changeField(i, m.field), Expected: m.expected, Actual: m.actual,
				Message: conflictMessage(c, m),
			})
		}
	}
	if len(conflicts) > 0 {
		return nil, conflicts
	}
	return s.spec, nil
}

// fieldRoleRef locates a problem with the Role as a whole: it is the field
// that names it.
const fieldRoleRef = "spec.roleRef"

func changeField(i int, field string) string {
	if field == "" {
		return fmt.Sprintf("spec.changes[%d]", i)
	}
	return fmt.Sprintf("spec.changes[%d].%s", i, field)
}

func conflictMessage(c *v1alpha1.Change, m *miss) string {
	switch m.kind {
	case missSkillPresent:
		return fmt.Sprintf("%s: skill %s is already in the Role", c.Op, text.Quote(c.Skill))
	case missSkillAbsent:
		return fmt.Sprintf("%s: the Role has no skill %s", c.Op, text.Quote(c.Skill))
	case missCellAbsent:
		return fmt.Sprintf("%s: skill %s has no cell for level %s in the Role", c.Op, text.Quote(c.Skill), text.Quote(c.Level))
	}
	switch c.Op {
	case v1alpha1.OpSetProficiency:
		return fmt.Sprintf("skill %s at level %s has proficiency %s, not the expected %s",
			text.Quote(c.Skill), text.Quote(c.Level), text.Quote(m.actual), text.Quote(m.expected))
	case v1alpha1.OpSetRequired:
		return fmt.Sprintf("skill %s at level %s has required %s, not the expected %s",
			text.Quote(c.Skill), text.Quote(c.Level), m.actual, m.expected)
	case v1alpha1.OpSetFocus:
		return fmt.Sprintf("level %s has focus %s, not the expected %s", text.Quote(c.Level), text.Quote(m.actual), text.Quote(m.expected))
	default:
		return fmt.Sprintf("level %s has tech stack %s, not the expected %s", text.Quote(c.Level), m.actual, m.expected)
	}
}
