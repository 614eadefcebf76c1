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

// Matrix validates a SkillMatrix spec on its own: all problems in one pass.
//
// Most of what it checks the schema already enforces (list-map keys, MinItems,
// MinLength); it checks again because a spec need not have passed the API
// server (a file read from disk, an object built in a test). What only it can
// check is that a skill id is unique across categories and that the catalog as
// a whole stays within v1alpha1.MaxSkills, the most a Role can list. A nil
// spec is reported as one InvalidValue problem, not a panic.
func Matrix(spec *v1alpha1.SkillMatrixSpec) Result {
	var r Result
	if spec == nil {
		r.errorf(KindInvalidValue, at{field: "spec"}, "the SkillMatrix has no spec")
		return r
	}
	checkIDList(&r, "spec.levels", "level", spec.Levels,
		func(l v1alpha1.Level) (string, string) { return string(l.ID), l.Name })
	checkIDList(&r, "spec.proficiencies", "proficiency", spec.Proficiencies,
		func(p v1alpha1.Proficiency) (string, string) { return string(p.ID), p.Name })
	checkIDList(&r, "spec.categories", "category", spec.Categories,
		func(c v1alpha1.Category) (string, string) { return string(c.ID), c.Name })
	checkCatalog(&r, spec.Categories)
	checkMatrixTranslations(&r, spec)
	return r
}

// checkIDList reports an empty list, empty or duplicate ids and blank names in
// one of the matrix's keyed lists.
func checkIDList[T any](r *Result, path, noun string, items []T, idName func(T) (string, string)) {
	if len(items) == 0 {
		r.errorf(KindInvalidValue, at{field: path}, "the matrix has no %s: at least one is required", noun)
		return
	}
	first := make(map[string]int, len(items))
	for i, item := range items {
		id, name := idName(item)
		where := func(leaf, value string) at {
			w := at{field: fmt.Sprintf("%s[%d].%s", path, i, leaf), value: value}
			if noun == "level" {
				w.level = id
			}
			return w
		}
		switch prev, dup := first[id]; {
		case id == "":
			r.errorf(KindInvalidValue, where("id", id), "%s id is empty", noun)
		case dup:
			r.errorf(KindDuplicateID, where("id", id), "%s id %s is a duplicate of %s[%d].id", noun, text.Quote(id), path, prev)
		default:
			first[id] = i
		}
		if strings.TrimSpace(name) == "" {
			r.errorf(KindInvalidValue, where("name", name), "%s %s has an empty name", noun, text.Quote(id))
		}
	}
}

// skillPos is where a catalog skill is defined.
type skillPos struct{ category, skill int }

func (p skillPos) path() string {
	return fmt.Sprintf("spec.categories[%d].skills[%d]", p.category, p.skill)
}

// checkCatalog reports empty categories, skills without an id or name, skill
// ids that repeat within or across categories, and a catalog too large for a Role.
func checkCatalog(r *Result, categories []v1alpha1.Category) {
	first := make(map[v1alpha1.ID]skillPos)
	total := 0
	for ci, c := range categories {
		if len(c.Skills) == 0 {
			r.errorf(KindEmptyCategory, at{field: fmt.Sprintf("spec.categories[%d].skills", ci), value: string(c.ID)},
				"category %s has no skills", text.Quote(c.ID))
		}
		total += len(c.Skills)
		for si, s := range c.Skills {
			pos := skillPos{ci, si}
			where := func(leaf, value string) at {
				return at{field: pos.path() + "." + leaf, skill: string(s.ID), value: value}
			}
			prev, dup := first[s.ID]
			switch {
			case s.ID == "":
				r.errorf(KindInvalidValue, where("id", ""), "skill id in category %s is empty", text.Quote(c.ID))
			case dup && prev.category == ci:
				r.errorf(KindDuplicateSkill, where("id", string(s.ID)), "skill %s appears twice in category %s (%s and %s)",
					text.Quote(s.ID), text.Quote(c.ID), prev.path(), pos.path())
			case dup:
				r.errorf(KindDuplicateSkill, where("id", string(s.ID)),
					"skill %s is in both category %s (%s) and category %s (%s); a skill id must be unique across the catalog",
					text.Quote(s.ID), text.Quote(categories[prev.category].ID), prev.path(), text.Quote(c.ID), pos.path())
			default:
				first[s.ID] = pos
			}
			if strings.TrimSpace(s.Name) == "" {
				r.errorf(KindInvalidValue, where("name", s.Name),
					"skill %s in category %s has an empty name", text.Quote(s.ID), text.Quote(c.ID))
			}
		}
	}
	if total > v1alpha1.MaxSkills {
		r.errorf(KindInvalidValue, at{field: "spec.categories", value: fmt.Sprint(total)},
			"the catalog has %s in total, more than the %d a Role can list", text.Plural(total, "skill", "skills"), v1alpha1.MaxSkills)
	}
}
