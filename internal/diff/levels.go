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

package diff

import (
	"fmt"
	"strings"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// How the expected proficiency of a cell changes between two levels.
const (
	Rises    = "rises"
	Falls    = "falls"
	Stays    = "stays"
	Stated   = "stated"   // no proficiency at the lower level, one at the higher
	Unstated = "unstated" // the other way round
)

// How the required flag of a cell changes between two levels.
const (
	NewlyRequired    = "newly required"
	NoLongerRequired = "no longer required"
)

// LevelDiff is what changes between two levels of a Role.
type LevelDiff struct {
	Role        string           `json:"role"`
	DisplayName string           `json:"displayName"`
	From        LevelName        `json:"from"`
	To          LevelName        `json:"to"`
	Summary     LevelSummary     `json:"summary"`
	Categories  []CategoryChange `json:"categories"`
}

// LevelName names a level the ways a user may give it.
type LevelName struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	ShortName string `json:"shortName"`
}

// LevelSummary counts the cells per kind of change.
type LevelSummary struct {
	Rises            int `json:"rises"`
	Falls            int `json:"falls"`
	Stays            int `json:"stays"`
	NewlyRequired    int `json:"newlyRequired"`
	NoLongerRequired int `json:"noLongerRequired"`
}

// CategoryChange is the cells of one category, in the matrix's order.
type CategoryChange struct {
	ID     string       `json:"id"`
	Name   string       `json:"name"`
	Skills []SkillShift `json:"skills"`
}

// SkillShift is one skill's cell at both levels.
type SkillShift struct {
	ID   string    `json:"id"`
	Name string    `json:"name"`
	From CellValue `json:"from"`
	To   CellValue `json:"to"`
	// Change is Rises, Falls, Stays, Stated or Unstated.
	Change string `json:"change"`
	// Required is NewlyRequired, NoLongerRequired or "".
	Required string `json:"required"`
}

// CellValue is what a cell expects.
type CellValue struct {
	Proficiency string `json:"proficiency"`
	Required    bool   `json:"required"`
}

// String is the proficiency with "*" for a required cell, "—" for none.
func (c CellValue) String() string {
	switch {
	case c.Proficiency == "":
		return "—"
	case c.Required:
		return c.Proficiency + "*"
	}
	return c.Proficiency
}

// Changed reports whether any cell's proficiency or required flag moves.
func (d *LevelDiff) Changed() bool {
	s := d.Summary
	return s.Rises+s.Falls+s.NewlyRequired+s.NoLongerRequired > 0
}

// UnknownLevelError is FindLevel's error for a name no level answers to.
type UnknownLevelError struct {
	Level, Matrix string
	// Known is the matrix's level ids, in order.
	Known []string
}

func (e *UnknownLevelError) Error() string {
	return fmt.Sprintf("level %q is not a level of SkillMatrix %q (want one of %s)%s",
		e.Level, e.Matrix, strings.Join(e.Known, ", "), text.Hint(e.Level, e.Known))
}

// FindLevel resolves a level given by id (exactly), or else by id, short name
// or name in any case, to its index in m.Levels.
func FindLevel(m *model.RoleMatrix, s string) (int, error) {
	for i, l := range m.Levels {
		if l.ID == s {
			return i, nil
		}
	}
	for i, l := range m.Levels {
		if strings.EqualFold(l.ID, s) || strings.EqualFold(l.ShortName, s) || strings.EqualFold(l.Name, s) {
			return i, nil
		}
	}
	ids := make([]string, len(m.Levels))
	for i, l := range m.Levels {
		ids[i] = l.ID
	}
	return 0, &UnknownLevelError{Level: s, Matrix: m.MatrixName, Known: ids}
}

// Levels compares the cells of levels from and to (indexes into m.Levels;
// a skill without a cell there counts as stating nothing). Proficiencies
// are ranked by the matrix's scale; one not on it counts as unstated.
func Levels(m *model.RoleMatrix, from, to int) *LevelDiff {
	rank := make(map[string]int, len(m.Scale))
	for _, p := range m.Scale {
		rank[p.ID] = p.Rank
	}
	name := func(i int) LevelName {
		if i < 0 || i >= len(m.Levels) {
			return LevelName{}
		}
		l := m.Levels[i]
		return LevelName{ID: l.ID, Name: l.Name, ShortName: l.ShortName}
	}
	d := &LevelDiff{Role: m.Name, DisplayName: m.DisplayName, From: name(from), To: name(to), Categories: []CategoryChange{}}
	for _, c := range m.Categories {
		cat := CategoryChange{ID: c.ID, Name: c.Name}
		for _, s := range c.Skills {
			shift := SkillShift{ID: s.ID, Name: s.Name, From: cellAt(s, from), To: cellAt(s, to)}
			shift.Change = proficiencyChange(rank, shift.From.Proficiency, shift.To.Proficiency)
			shift.Required = requiredChange(shift.From.Required, shift.To.Required)
			d.Summary.count(shift)
			cat.Skills = append(cat.Skills, shift)
		}
		d.Categories = append(d.Categories, cat)
	}
	return d
}

func cellAt(s model.Skill, level int) CellValue {
	if level < 0 || level >= len(s.Cells) {
		return CellValue{}
	}
	return CellValue{Proficiency: s.Cells[level].Proficiency, Required: s.Cells[level].Required}
}

func proficiencyChange(rank map[string]int, from, to string) string {
	ra, okA := rank[from]
	rb, okB := rank[to]
	switch {
	case !okA && okB:
		return Stated
	case okA && !okB:
		return Unstated
	case rb > ra:
		return Rises
	case rb < ra:
		return Falls
	}
	return Stays
}

func requiredChange(from, to bool) string {
	switch {
	case to && !from:
		return NewlyRequired
	case from && !to:
		return NoLongerRequired
	}
	return ""
}

func (s *LevelSummary) count(shift SkillShift) {
	switch shift.Change {
	case Rises:
		s.Rises++
	case Falls:
		s.Falls++
	case Stays:
		s.Stays++
	}
	switch shift.Required {
	case NewlyRequired:
		s.NewlyRequired++
	case NoLongerRequired:
		s.NoLongerRequired++
	}
}
