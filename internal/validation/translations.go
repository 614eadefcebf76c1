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

package validation

import (
	"fmt"
	"strings"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// Translations are optional and fall back to the default text, so what is
// wrong with them is a warning: a translation for a locale nobody publishes
// is never shown, and one for an id that does not exist translates nothing.

// publishedLocales is spec.publishing.locales as the API server defaults it.
func publishedLocales(matrix *v1alpha1.SkillMatrixSpec) []v1alpha1.Locale {
	if len(matrix.Publishing.Locales) == 0 {
		return []v1alpha1.Locale{v1alpha1.DefaultLocale}
	}
	return matrix.Publishing.Locales
}

func (r *Result) checkLocalePublished(path string, locale v1alpha1.Locale, matrix *v1alpha1.SkillMatrixSpec) {
	published := publishedLocales(matrix)
	for _, l := range published {
		if strings.EqualFold(string(l), string(locale)) {
			return
		}
	}
	r.warnf(KindUnpublishedLocale, at{field: path + ".locale", value: string(locale)},
		"translations for locale %s are never shown: the SkillMatrix publishes %s", text.Quote(locale), text.QuoteList(published))
}

// checkMatrixTranslations warns about translations of a SkillMatrix for a
// locale it does not publish or for ids it does not have.
func checkMatrixTranslations(r *Result, spec *v1alpha1.SkillMatrixSpec) {
	levels, scale, categories, skills := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, l := range spec.Levels {
		levels[string(l.ID)] = true
	}
	for _, p := range spec.Proficiencies {
		scale[string(p.ID)] = true
	}
	for _, c := range spec.Categories {
		categories[string(c.ID)] = true
		for _, s := range c.Skills {
			skills[string(s.ID)] = true
		}
	}
	for i, t := range spec.Translations {
		path := fmt.Sprintf("spec.translations[%d]", i)
		r.checkLocalePublished(path, t.Locale, spec)
		for j, l := range t.Levels {
			r.unknownTranslated(levels, fmt.Sprintf("%s.levels[%d].id", path, j), "level", string(l.ID))
		}
		for j, p := range t.Proficiencies {
			r.unknownTranslated(scale, fmt.Sprintf("%s.proficiencies[%d].id", path, j), "proficiency", string(p.ID))
		}
		for j, c := range t.Categories {
			r.unknownTranslated(categories, fmt.Sprintf("%s.categories[%d].id", path, j), "category", string(c.ID))
		}
		for j, s := range t.Skills {
			r.unknownTranslated(skills, fmt.Sprintf("%s.skills[%d].id", path, j), "skill", string(s.ID))
		}
	}
}

// checkRoleTranslations warns about translations of a Role for a locale its
// SkillMatrix does not publish, for a level the matrix lacks, or for a cell
// of a skill the Role does not list.
func checkRoleTranslations(r *Result, spec *v1alpha1.RoleSpec, matrix *v1alpha1.SkillMatrixSpec) {
	levels, rows := map[string]bool{}, map[string]bool{}
	for _, l := range matrix.Levels {
		levels[string(l.ID)] = true
	}
	for _, s := range spec.Skills {
		rows[string(s.ID)] = true
	}
	for i, t := range spec.Translations {
		path := fmt.Sprintf("spec.translations[%d]", i)
		r.checkLocalePublished(path, t.Locale, matrix)
		for j, l := range t.Levels {
			r.unknownTranslated(levels, fmt.Sprintf("%s.levels[%d].level", path, j), "level", string(l.Level))
		}
		for j, c := range t.Cells {
			cell := fmt.Sprintf("%s.cells[%d]", path, j)
			r.unknownTranslated(rows, cell+".skill", "skill of the Role", string(c.Skill))
			r.unknownTranslated(levels, cell+".level", "level", string(c.Level))
		}
	}
}

func (r *Result) unknownTranslated(known map[string]bool, field, noun, id string) {
	if known[id] {
		return
	}
	r.warnf(KindUnknownTranslation, at{field: field, value: id}, "translates %s %s, which does not exist; it is ignored", noun, text.Quote(id))
}
