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

package model

import (
	"slices"
	"strings"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// localeTexts are the translations of one locale, gathered from the
// SkillMatrix's and the Role's spec.translations and indexed by id. An empty
// text means "not translated": the default text stays.
type localeTexts struct {
	displayName, family, summary string
	levels                       map[string]v1alpha1.LevelTranslation
	focus                        map[string]string
	scale                        map[string]v1alpha1.ProficiencyTranslation
	categories, skills           map[string]v1alpha1.TextTranslation
	cells                        map[cellKey]v1alpha1.CellTranslation
}

type cellKey struct{ skill, level string }

// gatherTranslations indexes the translations of matrix and role by locale.
// Entries are copied, so the result never aliases the objects. For an id
// listed twice (which the list-map API prevents) the first entry wins.
func gatherTranslations(matrix *v1alpha1.SkillMatrix, role *v1alpha1.Role) map[string]*localeTexts {
	out := map[string]*localeTexts{}
	get := func(locale v1alpha1.Locale) *localeTexts {
		key := strings.ToLower(string(locale))
		if lt, ok := out[key]; ok {
			return lt
		}
		lt := &localeTexts{
			levels: map[string]v1alpha1.LevelTranslation{}, focus: map[string]string{},
			scale:      map[string]v1alpha1.ProficiencyTranslation{},
			categories: map[string]v1alpha1.TextTranslation{}, skills: map[string]v1alpha1.TextTranslation{},
			cells: map[cellKey]v1alpha1.CellTranslation{},
		}
		out[key] = lt
		return lt
	}
	for _, t := range matrix.Spec.Translations {
		lt := get(t.Locale)
		for _, l := range t.Levels {
			putFirst(lt.levels, string(l.ID), l)
		}
		for _, p := range t.Proficiencies {
			putFirst(lt.scale, string(p.ID), p)
		}
		for _, c := range t.Categories {
			putFirst(lt.categories, string(c.ID), c)
		}
		for _, s := range t.Skills {
			putFirst(lt.skills, string(s.ID), s)
		}
	}
	for _, t := range role.Spec.Translations {
		lt := get(t.Locale)
		lt.displayName = cmpOr(lt.displayName, text(t.DisplayName))
		lt.family = cmpOr(lt.family, text(t.Family))
		lt.summary = cmpOr(lt.summary, text(t.Summary))
		for _, l := range t.Levels {
			putFirst(lt.focus, string(l.Level), text(l.Focus))
		}
		for _, c := range t.Cells {
			c.Examples = texts(c.Examples)
			putFirst(lt.cells, cellKey{string(c.Skill), string(c.Level)}, c)
		}
	}
	return out
}

func putFirst[K comparable, V any](m map[K]V, k K, v V) {
	if _, ok := m[k]; !ok {
		m[k] = v
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Locales lists the locales the Role or its SkillMatrix carry translations
// for, lower-cased and sorted.
func (m *RoleMatrix) Locales() []string {
	out := make([]string, 0, len(m.translations))
	for k := range m.translations {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Localized returns a copy of m with the texts of locale (a BCP 47 tag,
// matched ignoring case) where the Role and its SkillMatrix translate them,
// and the default text elsewhere; its Locale is set to locale. The figures
// are recomputed, so the key areas carry the translated category names. m is
// left as it is and the copy shares no slice with it.
func (m *RoleMatrix) Localized(locale string) *RoleMatrix {
	out := m.clone()
	out.Locale = locale
	lt, ok := m.translations[strings.ToLower(locale)]
	if !ok {
		return out
	}
	out.DisplayName = cmpOr(lt.displayName, out.DisplayName)
	out.Family = cmpOr(lt.family, out.Family)
	out.Summary = cmpOr(lt.summary, out.Summary)
	for i := range out.Levels {
		l := &out.Levels[i]
		if t, ok := lt.levels[l.ID]; ok {
			short := cmpOr(text(t.ShortName), cmpOr(text(t.Name), ""))
			l.Name = cmpOr(text(t.Name), l.Name)
			l.ShortName = cmpOr(short, l.ShortName)
			l.Description = cmpOr(text(t.Description), l.Description)
		}
		l.Focus = cmpOr(lt.focus[l.ID], l.Focus)
	}
	for i := range out.Scale {
		p := &out.Scale[i]
		if t, ok := lt.scale[p.ID]; ok {
			p.Name = cmpOr(text(t.Name), p.Name)
			p.Description = cmpOr(text(t.Description), p.Description)
		}
	}
	for i := range out.Categories {
		localizeCategory(&out.Categories[i], lt)
	}
	out.Stats = summarize(out)
	return out
}

func localizeCategory(c *Category, lt *localeTexts) {
	if t, ok := lt.categories[c.ID]; ok {
		c.Name = cmpOr(text(t.Name), c.Name)
		c.Description = cmpOr(text(t.Description), c.Description)
	}
	for j := range c.Skills {
		s := &c.Skills[j]
		if t, ok := lt.skills[s.ID]; ok {
			s.Name = cmpOr(text(t.Name), s.Name)
			s.Description = cmpOr(text(t.Description), s.Description)
		}
		for k := range s.Cells {
			cell := &s.Cells[k]
			t, ok := lt.cells[cellKey{s.ID, cell.Level}]
			if !ok {
				continue
			}
			cell.Description = cmpOr(text(t.Description), cell.Description)
			if len(t.Examples) > 0 {
				cell.Examples = slices.Clone(t.Examples)
			}
		}
	}
}

// clone copies m deeply enough that changing the copy's texts leaves m alone.
func (m *RoleMatrix) clone() *RoleMatrix {
	out := *m
	out.Levels = slices.Clone(m.Levels)
	for i := range out.Levels {
		out.Levels[i].TechStack = slices.Clone(out.Levels[i].TechStack)
	}
	out.Scale = slices.Clone(m.Scale)
	out.Categories = slices.Clone(m.Categories)
	for i := range out.Categories {
		c := &out.Categories[i]
		c.Skills = slices.Clone(c.Skills)
		for j := range c.Skills {
			s := &c.Skills[j]
			s.Cells = slices.Clone(s.Cells)
			for k := range s.Cells {
				s.Cells[k].Examples = slices.Clone(s.Cells[k].Examples)
			}
		}
	}
	out.CareerPaths = slices.Clone(m.CareerPaths)
	out.Changelog = slices.Clone(m.Changelog)
	out.Stats.KeyAreas = slices.Clone(m.Stats.KeyAreas)
	return &out
}
