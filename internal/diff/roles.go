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
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// RoleDiff is a cell-by-cell diff of two versions of a Role.
type RoleDiff struct {
	Old           string        `json:"old"`
	New           string        `json:"new"`
	Fields        []FieldChange `json:"fields"`
	Levels        []LevelChange `json:"levels"`
	SkillsAdded   []SkillRow    `json:"skillsAdded"`
	SkillsRemoved []SkillRow    `json:"skillsRemoved"`
	Cells         []CellChange  `json:"cells"`
}

// FieldChange is a changed field of the spec outside levels and skills, the
// structured ones (governance, careerPaths) as one line of JSON.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// LevelChange is a changed focus or tech stack of one level.
type LevelChange struct {
	Level string `json:"level"`
	// Field is focus or techStack.
	Field   string   `json:"field"`
	Old     string   `json:"old,omitempty"`
	New     string   `json:"new,omitempty"`
	Added   []string `json:"added,omitempty"`
	Removed []string `json:"removed,omitempty"`
}

// SkillRow is a skill added or removed, with its cells.
type SkillRow struct {
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"`
	Category string `json:"category,omitempty"`
	// NotInCatalog is set when the SkillMatrix is known and lacks the skill.
	NotInCatalog bool        `json:"notInCatalog,omitempty"`
	Cells        []LevelCell `json:"cells"`
}

// LevelCell is a cell of a SkillRow.
type LevelCell struct {
	Level string `json:"level"`
	CellValue
}

// CellChange is one changed field of a cell both versions have, or a cell
// one version lacks.
type CellChange struct {
	Skill string `json:"skill"`
	Level string `json:"level"`
	// Field is proficiency, required, description, examples or cell (the
	// whole cell was added or removed).
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Count is the number of differences.
func (d *RoleDiff) Count() int {
	return len(d.Fields) + len(d.Levels) + len(d.SkillsAdded) + len(d.SkillsRemoved) + len(d.Cells)
}

// Empty reports whether the two versions are the same.
func (d *RoleDiff) Empty() bool { return d.Count() == 0 }

// Roles compares two versions of a Role. With the SkillMatrix (nil when not
// known) levels and skills come in the matrix's order and skills carry their
// names; ids the matrix lacks follow in the order the new, then the old
// version lists them.
func Roles(old, cur *v1.Role, matrix *v1.SkillMatrix) *RoleDiff {
	d := &RoleDiff{
		Old: old.Name, New: cur.Name,
		Fields: fieldChanges(old, cur), Levels: []LevelChange{}, SkillsAdded: []SkillRow{}, SkillsRemoved: []SkillRow{}, Cells: []CellChange{},
	}
	o := orderOf(matrix, cur, old)
	for _, l := range o.levels.ids {
		d.Levels = append(d.Levels, levelChanges(l, roleLevel(old, l), roleLevel(cur, l))...)
	}
	for _, id := range o.skills.ids {
		a, b := old.Spec.Row(v1.ID(id)), cur.Spec.Row(v1.ID(id))
		switch {
		case a == nil && b == nil:
		case a == nil:
			r := o.row(b)
			_, known := o.names[id]
			r.NotInCatalog = matrix != nil && !known
			d.SkillsAdded = append(d.SkillsAdded, r)
		case b == nil:
			d.SkillsRemoved = append(d.SkillsRemoved, o.row(a))
		default:
			for _, l := range o.levels.ids {
				d.Cells = append(d.Cells, cellChanges(id, l, a.Cell(v1.ID(l)), b.Cell(v1.ID(l)))...)
			}
		}
	}
	return d
}

func fieldChanges(old, cur *v1.Role) []FieldChange {
	out := []FieldChange{}
	field := func(name, a, b string) {
		if a != b {
			out = append(out, FieldChange{Field: name, Old: a, New: b})
		}
	}
	field("metadata.name", old.Name, cur.Name)
	field("spec.matrixRef", string(old.Spec.MatrixRef), string(cur.Spec.MatrixRef))
	field("spec.displayName", old.Spec.DisplayName, cur.Spec.DisplayName)
	field("spec.family", old.Spec.Family, cur.Spec.Family)
	field("spec.summary", old.Spec.Summary, cur.Spec.Summary)
	field("spec.governance", compact(old.Spec.Governance), compact(cur.Spec.Governance))
	field("spec.careerPaths", compact(old.Spec.CareerPaths), compact(cur.Spec.CareerPaths))
	return out
}

func levelChanges(level string, a, b v1.RoleLevel) []LevelChange {
	var out []LevelChange
	if a.Focus != b.Focus {
		out = append(out, LevelChange{Level: level, Field: "focus", Old: a.Focus, New: b.Focus})
	}
	if !slices.Equal(a.TechStack, b.TechStack) {
		lc := LevelChange{Level: level, Field: "techStack", Old: strings.Join(a.TechStack, ", "), New: strings.Join(b.TechStack, ", ")}
		for _, t := range b.TechStack {
			if !slices.Contains(a.TechStack, t) {
				lc.Added = append(lc.Added, t)
			}
		}
		for _, t := range a.TechStack {
			if !slices.Contains(b.TechStack, t) {
				lc.Removed = append(lc.Removed, t)
			}
		}
		out = append(out, lc)
	}
	return out
}

func cellChanges(skill, level string, a, b *v1.Cell) []CellChange {
	change := func(f, x, y string) CellChange {
		return CellChange{Skill: skill, Level: level, Field: f, Old: x, New: y}
	}
	switch {
	case a == nil && b == nil:
		return nil
	case a == nil:
		return []CellChange{change("cell", "", valueOf(b).String())}
	case b == nil:
		return []CellChange{change("cell", valueOf(a).String(), "")}
	}
	var out []CellChange
	if a.Proficiency != b.Proficiency {
		out = append(out, change("proficiency", string(a.Proficiency), string(b.Proficiency)))
	}
	if a.Required != b.Required {
		out = append(out, change("required", fmt.Sprint(a.Required), fmt.Sprint(b.Required)))
	}
	if a.Description != b.Description {
		out = append(out, change("description", a.Description, b.Description))
	}
	if !slices.Equal(a.Examples, b.Examples) {
		out = append(out, change("examples", strings.Join(a.Examples, "; "), strings.Join(b.Examples, "; ")))
	}
	return out
}

func valueOf(c *v1.Cell) CellValue {
	return CellValue{Proficiency: string(c.Proficiency), Required: c.Required}
}

// ids lists ids once each, in the order first added.
type ids struct {
	ids  []string
	seen map[string]bool
}

func (o *ids) add(id string) {
	if o.seen == nil {
		o.seen = map[string]bool{}
	}
	if !o.seen[id] {
		o.seen[id] = true
		o.ids = append(o.ids, id)
	}
}

// order is the order levels and skills are compared in, with the skill
// names and categories the matrix gives.
type order struct {
	levels, skills    ids
	names, categories map[string]string
}

func orderOf(matrix *v1.SkillMatrix, roles ...*v1.Role) *order {
	o := &order{names: map[string]string{}, categories: map[string]string{}}
	if matrix != nil {
		for _, l := range matrix.Spec.Levels {
			o.levels.add(string(l.ID))
		}
		for _, c := range matrix.Spec.Categories {
			for _, s := range c.Skills {
				o.skills.add(string(s.ID))
				o.names[string(s.ID)], o.categories[string(s.ID)] = s.Name, c.Name
			}
		}
	}
	for _, r := range roles {
		for _, l := range r.Spec.Levels {
			o.levels.add(string(l.Level))
		}
		for _, s := range r.Spec.Skills {
			o.skills.add(string(s.ID))
			for _, c := range s.Cells {
				o.levels.add(string(c.Level))
			}
		}
	}
	return o
}

// row is a skill row with its cells in level order.
func (o *order) row(r *v1.SkillRequirement) SkillRow {
	id := string(r.ID)
	out := SkillRow{ID: id, Name: o.names[id], Category: o.categories[id], Cells: []LevelCell{}}
	for _, l := range o.levels.ids {
		if c := r.Cell(v1.ID(l)); c != nil {
			out.Cells = append(out.Cells, LevelCell{Level: l, CellValue: valueOf(c)})
		}
	}
	return out
}

// roleLevel is the Role's entry for level, empty when it has none: a level
// without focus or tech stack differs from one with them all the same.
func roleLevel(r *v1.Role, level string) v1.RoleLevel {
	if l := r.Spec.Level(v1.ID(level)); l != nil {
		return *l
	}
	return v1.RoleLevel{}
}

// compact is a value as one line of JSON, "" for nothing.
func compact(v any) string {
	data, err := json.Marshal(v)
	if err != nil || string(data) == "null" || string(data) == "[]" {
		return ""
	}
	return string(data)
}
