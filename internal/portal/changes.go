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

package portal

import (
	"cmp"
	"strings"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
)

// names says skills, levels and proficiencies as the Role's matrix names
// them in one language (its translations where it has them), for
// sentences such as "Kubernetes Core at Senior: Awareness → Advanced".
type names struct {
	t      translator
	skills map[string]string
	levels map[string]string
	scale  map[string]string
}

// namesOf resolves the names of role against matrix in t's language;
// either may be nil (ids then stand for themselves).
func namesOf(t translator, matrix *v1.SkillMatrix, role *v1.Role) *names {
	n := &names{t: t, skills: map[string]string{}, levels: map[string]string{}, scale: map[string]string{}}
	if matrix == nil {
		return n
	}
	if role == nil {
		role = &v1.Role{}
	}
	m := model.BuildRole(matrix, role).Localized(t.locale)
	for _, l := range m.Levels {
		n.levels[l.ID] = l.Name
	}
	for _, p := range m.Scale {
		n.scale[p.ID] = p.Name
	}
	// Skills the Role lacks (an AddSkill) are named from the catalog.
	for _, c := range matrix.Spec.Categories {
		for _, s := range c.Skills {
			n.skills[string(s.ID)] = s.Name
		}
	}
	for _, c := range m.Categories {
		for _, s := range c.Skills {
			n.skills[s.ID] = s.Name
		}
	}
	return n
}

func (n *names) skill(id v1.ID) string { return cmp.Or(n.skills[string(id)], string(id)) }
func (n *names) level(id v1.ID) string { return cmp.Or(n.levels[string(id)], string(id)) }

// proficiency is a proficiency by name, its code after it when the name is
// not the code: "Advanced (V)".
func (n *names) proficiency(id v1.ProficiencyID) string {
	name := n.scale[string(id)]
	if name == "" || name == string(id) {
		return string(id)
	}
	return name
}

func (n *names) required(r bool) string {
	if r {
		return n.t.T("portal.change.required")
	}
	return n.t.T("portal.change.optional")
}

// changeRow is one change as people say it: what it is about, the value
// it replaces and the new one.
type changeRow struct {
	Target, From, To string
	// Expected: From is the change's own compare-and-swap value.
	Expected bool
	// Long: the values are prose (a focus), shown as blocks.
	Long bool
}

// cellTarget is "Kubernetes Core at Senior".
func (n *names) cellTarget(skill, level v1.ID) string {
	return n.t.T("portal.change.cell", "Skill", n.skill(skill), "Level", n.level(level))
}

// describe says change c. role, when not nil, supplies the value it would
// replace where the change states none (an open Proposal).
func (n *names) describe(c *v1.Change, role *v1.RoleSpec) changeRow {
	switch c.Op {
	case v1.OpSetProficiency:
		return n.describeProficiency(c, role)
	case v1.OpSetRequired:
		return n.describeRequired(c, role)
	case v1.OpSetFocus:
		return n.describeFocus(c, role)
	case v1.OpSetTechStack:
		return n.describeTechStack(c, role)
	case v1.OpAddSkill:
		row := changeRow{Target: n.t.T("portal.change.addSkill", "Skill", n.skill(c.Skill))}
		cells := make([]string, 0, len(c.Cells))
		for _, cell := range c.Cells {
			v := n.t.T("portal.change.addCell", "Level", n.level(cell.Level), "Proficiency", n.proficiency(cell.Proficiency))
			if cell.Required {
				v += " (" + n.required(true) + ")"
			}
			cells = append(cells, v)
		}
		row.To = strings.Join(cells, n.t.T("portal.sep.list"))
		return row
	case v1.OpRemoveSkill:
		return changeRow{Target: n.t.T("portal.change.removeSkill", "Skill", n.skill(c.Skill)),
			To: n.t.T("portal.change.removed")}
	}
	return changeRow{Target: string(c.Op)}
}

func (n *names) describeProficiency(c *v1.Change, role *v1.RoleSpec) changeRow {
	row := changeRow{Target: n.cellTarget(c.Skill, c.Level), To: n.proficiency(c.Proficiency)}
	switch {
	case c.From != nil:
		row.From, row.Expected = n.proficiency(c.From.Proficiency), true
	case role != nil:
		if cell := role.Cell(c.Skill, c.Level); cell != nil {
			row.From = n.proficiency(cell.Proficiency)
		}
	}
	return row
}

func (n *names) describeRequired(c *v1.Change, role *v1.RoleSpec) changeRow {
	row := changeRow{Target: n.cellTarget(c.Skill, c.Level), To: n.required(c.Required != nil && *c.Required)}
	switch {
	case c.From != nil && c.From.Required != nil:
		row.From, row.Expected = n.required(*c.From.Required), true
	case role != nil:
		if cell := role.Cell(c.Skill, c.Level); cell != nil {
			row.From = n.required(cell.Required)
		}
	}
	return row
}

func (n *names) describeFocus(c *v1.Change, role *v1.RoleSpec) changeRow {
	row := changeRow{Target: n.t.T("portal.change.focus", "Level", n.level(c.Level)), Long: true}
	if c.Focus != nil {
		row.To = *c.Focus
	}
	switch {
	case c.From != nil && c.From.Focus != nil:
		row.From, row.Expected = *c.From.Focus, true
	case role != nil:
		if l := role.Level(c.Level); l != nil {
			row.From = l.Focus
		}
	}
	return row
}

func (n *names) describeTechStack(c *v1.Change, role *v1.RoleSpec) changeRow {
	sep := n.t.T("portal.sep.list")
	row := changeRow{Target: n.t.T("portal.change.techStack", "Level", n.level(c.Level)), To: strings.Join(c.TechStack, sep)}
	switch {
	case c.From != nil && c.From.TechStack != nil:
		row.From, row.Expected = strings.Join(c.From.TechStack, sep), true
	case role != nil:
		if l := role.Level(c.Level); l != nil {
			row.From = strings.Join(l.TechStack, sep)
		}
	}
	return row
}

// title is the one line that says the changes, for a Proposal whose author
// gave none: "Kubernetes Core at Senior: Awareness → Advanced".
func (n *names) title(changes []v1.Change, role *v1.RoleSpec) string {
	parts := make([]string, 0, len(changes))
	for i := range changes {
		row := n.describe(&changes[i], role)
		switch {
		case row.Long:
			parts = append(parts, row.Target)
		case row.From != "":
			parts = append(parts, row.Target+": "+row.From+" → "+row.To)
		default:
			parts = append(parts, row.Target+": "+row.To)
		}
	}
	title := strings.Join(parts, n.t.T("portal.sep.list"))
	// The API allows 200 characters on one line.
	title = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 {
			return ' '
		}
		return r
	}, title)
	if r := []rune(title); len(r) > 200 {
		title = string(r[:199]) + "…"
	}
	return title
}
