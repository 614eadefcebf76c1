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

// Package model resolves Roles against their SkillMatrix into plain, ordered
// values that renderers, the controllers and the CLI share, and applies
// their per-locale translations (RoleMatrix.Localized). It does no I/O and
// does not validate: validation reports problems, the model renders whatever
// can be resolved so a half-broken Role still shows something useful.
//
// It imports only the API types: never a Kubernetes client,
// controller-runtime, another internal package above it, internal/controller
// or internal/cli (internal/archtest checks).
package model

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// KeyAreaCount is how many categories Summary.KeyAreas names, as the seed page does.
const KeyAreaCount = 3

// RoleMatrix is a Role resolved against its SkillMatrix: everything a renderer needs, in display order.
type RoleMatrix struct {
	Name, Namespace              string // the Role object's name/namespace
	DisplayName, Family, Summary string
	MatrixName                   string
	// Levels are in matrix level order; Focus/TechStack come from the Role's spec.levels.
	Levels []Level
	// Scale is in matrix proficiency order.
	Scale []Proficiency
	// Categories are in catalog order and hold only categories with at least
	// one of the Role's skills; skills are in catalog order. Role rows whose
	// skill is not in the catalog are skipped (validation reports them).
	Categories  []Category
	CareerPaths []CareerPath
	Stats       Summary
	// Changelog comes from role.Status.History, oldest first.
	Changelog []ChangelogEntry
	// Locale is the BCP 47 tag the texts are in, as Localized set it; ""
	// for the default text. Renderers pick their interface strings by it.
	Locale       string
	translations map[string]*localeTexts
}

// Level is one level of the matrix with what the Role expects there.
type Level struct {
	ID, Name string
	// ShortName falls back to Name so table headers never come out empty.
	ShortName   string
	Description string
	Focus       string
	TechStack   []string
}

// Proficiency is one step of the scale. Rank is its index on the scale, 0 lowest.
type Proficiency struct {
	ID, Name, Description string
	Rank                  int
}

// Category is a catalog category with the Role's skills in it.
type Category struct {
	ID, Name, Description string
	Skills                []Skill
	// Required counts the required cells of the category's skills.
	Required int
}

// Skill is one row of the matrix. Cells are in level order, exactly one per
// matrix level; a level the Role states nothing for is a Cell with an empty
// Proficiency.
type Skill struct {
	ID, Name, Description string
	Cells                 []Cell
}

// Cell is the expectation for one skill at one level. Level is the level id.
type Cell struct {
	Level, Proficiency string
	Required           bool
	Description        string
	Examples           []string
}

// CareerPath is a move from this Role to another one.
type CareerPath struct {
	Role, FromLevel, Description string
}

// Summary holds the figures the seed page shows above the matrix.
type Summary struct {
	Skills, Levels, Categories int
	// Requirements counts the cells that state a proficiency: skills x levels
	// for a valid Role.
	Requirements int
	Required     int
	// KeyAreas names the top 3 categories by required cells, most first, ties
	// in catalog order, only categories with at least one required cell.
	KeyAreas []string
}

// ChangelogEntry is one Proposal the operator applied to the Role.
type ChangelogEntry struct {
	Proposal, UID, Title, Author string
	AppliedAt                    time.Time
	Generation                   int64
	// RevertedCells are the cells (skill@level) of the Role that no longer
	// hold what the Proposal set, from role.Status.Reverted: the entry is
	// marked reverted while this is not empty.
	RevertedCells []string
}

// Reverted reports whether the Role no longer carries the entry's change.
func (e ChangelogEntry) Reverted() bool { return len(e.RevertedCells) > 0 }

// BuildRole resolves role against matrix. Either may be nil; the result is
// never nil and never aliases slices of its inputs, so callers may keep it
// after the objects change.
func BuildRole(matrix *v1alpha1.SkillMatrix, role *v1alpha1.Role) *RoleMatrix {
	if matrix == nil {
		matrix = &v1alpha1.SkillMatrix{}
	}
	if role == nil {
		role = &v1alpha1.Role{}
	}
	m := &RoleMatrix{
		Name:        role.Name,
		Namespace:   role.Namespace,
		DisplayName: text(role.Spec.DisplayName),
		Family:      text(role.Spec.Family),
		Summary:     text(role.Spec.Summary),
		MatrixName:  cmp.Or(matrix.Name, string(role.Spec.MatrixRef)),
		Levels:      roleLevels(matrix, role),
		Scale:       scale(matrix),
	}
	m.Categories = roleCategories(matrix, role, m.Levels)
	for _, p := range role.Spec.CareerPaths {
		m.CareerPaths = append(m.CareerPaths, CareerPath{
			Role:        string(p.Role),
			FromLevel:   string(p.FromLevel),
			Description: text(p.Description),
		})
	}
	m.Stats = summarize(m)
	m.Changelog = changelog(role.Status.History, role.Status.Reverted)
	m.translations = gatherTranslations(matrix, role)
	return m
}

func matrixLevels(matrix *v1alpha1.SkillMatrix) []Level {
	levels := make([]Level, 0, len(matrix.Spec.Levels))
	for _, l := range matrix.Spec.Levels {
		levels = append(levels, Level{
			ID:          string(l.ID),
			Name:        text(l.Name),
			ShortName:   text(cmp.Or(l.ShortName, l.Name)),
			Description: text(l.Description),
		})
	}
	return levels
}

func roleLevels(matrix *v1alpha1.SkillMatrix, role *v1alpha1.Role) []Level {
	levels := matrixLevels(matrix)
	for i := range levels {
		// spec.levels is a list-map, so at most one entry matches; the first
		// wins should a duplicate slip past validation.
		rl := role.Spec.Level(v1alpha1.ID(levels[i].ID))
		if rl == nil {
			continue
		}
		levels[i].Focus = text(rl.Focus)
		levels[i].TechStack = texts(rl.TechStack)
	}
	return levels
}

func scale(matrix *v1alpha1.SkillMatrix) []Proficiency {
	out := make([]Proficiency, 0, len(matrix.Spec.Proficiencies))
	for i, p := range matrix.Spec.Proficiencies {
		out = append(out, Proficiency{
			ID:          string(p.ID),
			Name:        text(p.Name),
			Description: text(p.Description),
			Rank:        i,
		})
	}
	return out
}

func catalogCategories(matrix *v1alpha1.SkillMatrix) []Category {
	out := make([]Category, 0, len(matrix.Spec.Categories))
	for _, c := range matrix.Spec.Categories {
		cat := Category{ID: string(c.ID), Name: text(c.Name), Description: text(c.Description)}
		for _, s := range c.Skills {
			cat.Skills = append(cat.Skills, Skill{ID: string(s.ID), Name: text(s.Name), Description: text(s.Description)})
		}
		out = append(out, cat)
	}
	return out
}

func roleCategories(matrix *v1alpha1.SkillMatrix, role *v1alpha1.Role, levels []Level) []Category {
	rows := make(map[string]*v1alpha1.SkillRequirement, len(role.Spec.Skills))
	for i := range role.Spec.Skills {
		r := &role.Spec.Skills[i]
		if _, dup := rows[string(r.ID)]; !dup {
			rows[string(r.ID)] = r
		}
	}
	// A skill id listed in two categories is a validation error; showing the
	// row once, under its first category, keeps the figures honest meanwhile.
	placed := make(map[string]bool, len(rows))
	var out []Category
	for _, cat := range catalogCategories(matrix) {
		skills := cat.Skills[:0]
		for _, s := range cat.Skills {
			row, ok := rows[s.ID]
			if !ok || placed[s.ID] {
				continue
			}
			placed[s.ID] = true
			s.Cells = cells(row, levels)
			for _, c := range s.Cells {
				if c.Required {
					cat.Required++
				}
			}
			skills = append(skills, s)
		}
		if len(skills) == 0 {
			continue
		}
		cat.Skills = skills
		out = append(out, cat)
	}
	return out
}

func cells(row *v1alpha1.SkillRequirement, levels []Level) []Cell {
	out := make([]Cell, len(levels))
	for i, l := range levels {
		out[i].Level = l.ID
		c := row.Cell(v1alpha1.ID(l.ID))
		if c == nil {
			continue
		}
		out[i].Proficiency = string(c.Proficiency)
		// A required flag on a cell without a proficiency requires nothing.
		out[i].Required = c.Required && c.Proficiency != ""
		out[i].Description = text(c.Description)
		out[i].Examples = texts(c.Examples)
	}
	return out
}

func summarize(m *RoleMatrix) Summary {
	s := Summary{Levels: len(m.Levels), Categories: len(m.Categories)}
	for _, cat := range m.Categories {
		s.Skills += len(cat.Skills)
		s.Required += cat.Required
		for _, sk := range cat.Skills {
			for _, c := range sk.Cells {
				if c.Proficiency != "" {
					s.Requirements++
				}
			}
		}
	}
	ranked := make([]Category, 0, len(m.Categories))
	for _, c := range m.Categories {
		if c.Required > 0 {
			ranked = append(ranked, c)
		}
	}
	// Stable so that ties keep catalog order.
	slices.SortStableFunc(ranked, func(a, b Category) int { return cmp.Compare(b.Required, a.Required) })
	for _, c := range ranked[:min(KeyAreaCount, len(ranked))] {
		s.KeyAreas = append(s.KeyAreas, c.Name)
	}
	return s
}

func changelog(history []v1alpha1.AppliedProposal, reverted []v1alpha1.RevertedProposal) []ChangelogEntry {
	revertedCells := make(map[string][]string, len(reverted))
	for _, r := range reverted {
		revertedCells[r.UID] = slices.Clone(r.Cells)
	}
	out := make([]ChangelogEntry, 0, len(history))
	for _, h := range history {
		out = append(out, ChangelogEntry{
			Proposal:      string(h.Name),
			UID:           h.UID,
			Title:         text(h.Title),
			Author:        string(h.Author),
			AppliedAt:     h.AppliedAt.UTC(),
			Generation:    h.Generation,
			RevertedCells: revertedCells[h.UID],
		})
	}
	// History is kept newest last, but it is written by several controllers
	// over time; sorting makes the changelog right even if an entry was
	// appended out of order. Stable keeps the recorded order for equal keys.
	slices.SortStableFunc(out, func(a, b ChangelogEntry) int {
		return cmp.Or(a.AppliedAt.Compare(b.AppliedAt), cmp.Compare(a.Generation, b.Generation))
	})
	return out
}

// text normalises line endings to LF. Browsers and Windows editors send CRLF,
// and CSV readers fold CRLF inside quoted fields to LF; normalising once here
// makes every format carry the same string and the CSV round-trip exactly.
func text(s string) string {
	if !strings.ContainsRune(s, '\r') {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

func texts(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = text(s)
	}
	return out
}
