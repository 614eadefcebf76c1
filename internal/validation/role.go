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

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// Role validates a Role spec against its SkillMatrix spec: all problems in one pass.
// It does not repeat the matrix's own problems: where the matrix is itself
// invalid (a duplicate level id, say) the first definition counts, so a Role is
// judged against what the matrix evidently means.
//
// Career paths are checked only for their fromLevel and for repeats: whether
// the Role they name exists needs a client, which is the controller's business.
// A nil spec or matrix is reported as one InvalidValue problem, not a panic.
func Role(spec *v1alpha1.RoleSpec, matrix *v1alpha1.SkillMatrixSpec) Result {
	var r Result
	switch {
	case spec == nil:
		r.errorf(KindInvalidValue, at{field: "spec"}, "the Role has no spec")
		return r
	case matrix == nil:
		r.errorf(KindInvalidValue, at{field: "spec.matrixRef", value: string(spec.MatrixRef)},
			"no SkillMatrix spec given for %s to validate the Role against", text.Quote(spec.MatrixRef))
		return r
	}
	v := roleValidator{matrix: indexMatrix(matrix), r: &r, unknownProficiencies: map[v1alpha1.ProficiencyID]*unknownUse{}}
	v.checkLevels(spec.Levels)
	v.checkSkills(spec.Skills)
	v.checkCareerPaths(spec.CareerPaths)
	v.summarizeUnknownProficiencies()
	checkRoleTranslations(&r, spec, matrix)
	return r
}

// unknownUse is where a proficiency the scale lacks was first reported and in
// how many cells it appears. A Role written for another scale (1-5 against
// A/W/V/E, say) uses a foreign id in every cell: one problem per id, with the
// count, says that in a few lines instead of one line per cell.
type unknownUse struct {
	problem int // index in Result.Problems
	cells   int
}

// summarizeUnknownProficiencies adds to each unknown proficiency's one
// problem how many other cells use it.
func (v roleValidator) summarizeUnknownProficiencies() {
	for _, u := range v.unknownProficiencies {
		if others := u.cells - 1; others > 0 {
			v.r.Problems[u.problem].Message += fmt.Sprintf("; %s %s it too",
				text.Plural(others, "other cell", "other cells"), text.Agree(others, "uses", "use"))
		}
	}
}

// matrixIndex is what a Role is checked against, built once per call so that
// every lookup in the per-cell loop is a map hit rather than a scan.
type matrixIndex struct {
	levels   []v1alpha1.ID // seniority order; empty and repeated ids left out
	levelPos map[v1alpha1.ID]int
	// profRank is the index in spec.proficiencies, the order of mastery.
	profRank map[v1alpha1.ProficiencyID]int
	profIDs  []v1alpha1.ProficiencyID
	catalog  map[v1alpha1.ID]struct{}
	// skillIDs is the catalog in display order, so that a suggestion for a
	// mistyped id is the same on every run.
	skillIDs []v1alpha1.ID
	// suggestionsLeft bounds the catalog scans per Role. A Role of 500
	// unknown ids against a catalog of thousands would otherwise cost the
	// reconcile loop real time for hints nobody reads past the first screen.
	suggestionsLeft int

	wantLevels, wantProficiencies string
}

func indexMatrix(m *v1alpha1.SkillMatrixSpec) *matrixIndex {
	idx := &matrixIndex{
		levelPos: make(map[v1alpha1.ID]int, len(m.Levels)),
		profRank: make(map[v1alpha1.ProficiencyID]int, len(m.Proficiencies)),

		suggestionsLeft: maxSuggestions,
	}
	for _, l := range m.Levels {
		if _, dup := idx.levelPos[l.ID]; l.ID == "" || dup {
			continue
		}
		idx.levelPos[l.ID] = len(idx.levels)
		idx.levels = append(idx.levels, l.ID)
	}
	for i, p := range m.Proficiencies {
		if _, dup := idx.profRank[p.ID]; p.ID == "" || dup {
			continue
		}
		idx.profRank[p.ID] = i
		idx.profIDs = append(idx.profIDs, p.ID)
	}
	total := 0
	for _, c := range m.Categories {
		total += len(c.Skills)
	}
	idx.catalog = make(map[v1alpha1.ID]struct{}, total)
	idx.skillIDs = make([]v1alpha1.ID, 0, total)
	for _, c := range m.Categories {
		for _, s := range c.Skills {
			if _, dup := idx.catalog[s.ID]; s.ID == "" || dup {
				continue
			}
			idx.catalog[s.ID] = struct{}{}
			idx.skillIDs = append(idx.skillIDs, s.ID)
		}
	}
	idx.wantLevels = text.OneOf(idx.levels)
	idx.wantProficiencies = text.OneOf(idx.profIDs)
	return idx
}

// maxSuggestions is how many "did you mean" hints one Role gets.
const maxSuggestions = 100

// skillHint is the "did you mean" for an unknown skill id, or "" once the
// Role has had its maxSuggestions.
func (m *matrixIndex) skillHint(id v1alpha1.ID) string {
	if m.suggestionsLeft <= 0 {
		return ""
	}
	m.suggestionsLeft--
	return text.Hint(string(id), m.skillIDs)
}

type roleValidator struct {
	matrix               *matrixIndex
	r                    *Result
	unknownProficiencies map[v1alpha1.ProficiencyID]*unknownUse
}

func (v roleValidator) checkLevels(levels []v1alpha1.RoleLevel) {
	first := make(map[v1alpha1.ID]int, len(levels))
	for i, l := range levels {
		where := func() at {
			return at{field: fmt.Sprintf("spec.levels[%d].level", i), level: string(l.Level), value: string(l.Level)}
		}
		if _, ok := v.matrix.levelPos[l.Level]; !ok {
			v.r.errorf(KindUnknownLevel, where(), "level %s is not a level of the matrix (want one of %s)",
				text.Quote(l.Level), v.matrix.wantLevels)
		}
		if prev, dup := first[l.Level]; dup {
			v.r.errorf(KindDuplicateID, where(), "level %s is listed twice (first at spec.levels[%d])", text.Quote(l.Level), prev)
			continue
		}
		first[l.Level] = i
	}
}

func (v roleValidator) checkSkills(skills []v1alpha1.SkillRequirement) {
	first := make(map[v1alpha1.ID]int, len(skills))
	// cellAt[levelPos] is the index of the row's first cell for that level, or
	// -1; one slice reused across rows keeps a 500-row Role at a handful of
	// allocations.
	cellAt := make([]int, len(v.matrix.levels))
	for i := range skills {
		row := &skills[i]
		v.checkSkillID(i, row.ID, first)
		v.checkCells(i, row, cellAt)
		v.checkMissingCells(i, row.ID, cellAt)
		v.checkProgression(i, row, cellAt)
	}
}

func (v roleValidator) checkSkillID(i int, id v1alpha1.ID, first map[v1alpha1.ID]int) {
	where := func() at {
		return at{field: fmt.Sprintf("spec.skills[%d].id", i), skill: string(id), value: string(id)}
	}
	if id == "" {
		v.r.errorf(KindInvalidValue, where(), "skill id is empty")
		return
	}
	if _, ok := v.matrix.catalog[id]; !ok {
		v.r.errorf(KindUnknownSkill, where(), "skill %s is not in the matrix's catalog%s", text.Quote(id), v.matrix.skillHint(id))
	}
	if prev, dup := first[id]; dup {
		v.r.errorf(KindDuplicateSkill, where(), "skill %s is listed twice (first at spec.skills[%d])", text.Quote(id), prev)
		return
	}
	first[id] = i
}

// checkCells reports cells with an unknown level or proficiency and repeated
// levels, and fills cellAt with the first cell of each matrix level.
func (v roleValidator) checkCells(i int, row *v1alpha1.SkillRequirement, cellAt []int) {
	for k := range cellAt {
		cellAt[k] = -1
	}
	// Only rows with unknown levels pay for this map; they are already wrong.
	var unknownAt map[v1alpha1.ID]int
	for j, c := range row.Cells {
		// Built only when reporting: formatting paths for every valid cell would
		// be most of the cost of validating a clean Role.
		where := func(leaf, value string) at {
			return at{field: fmt.Sprintf("spec.skills[%d].cells[%d].%s", i, j, leaf),
				skill: string(row.ID), level: string(c.Level), value: value}
		}
		prev := -1
		if pos, ok := v.matrix.levelPos[c.Level]; ok {
			prev = cellAt[pos]
			if prev < 0 {
				cellAt[pos] = j
			}
		} else {
			v.r.errorf(KindUnknownLevel, where("level", string(c.Level)),
				"skill %s has a cell for level %s, which is not a level of the matrix (want one of %s)",
				text.Quote(row.ID), text.Quote(c.Level), v.matrix.wantLevels)
			if unknownAt == nil {
				unknownAt = make(map[v1alpha1.ID]int)
			}
			if seen, dup := unknownAt[c.Level]; dup {
				prev = seen
			} else {
				unknownAt[c.Level] = j
			}
		}
		if prev >= 0 {
			v.r.errorf(KindDuplicateCell, where("level", string(c.Level)),
				"skill %s has two cells for level %s (spec.skills[%d].cells[%d] and spec.skills[%d].cells[%d])",
				text.Quote(row.ID), text.Quote(c.Level), i, prev, i, j)
		}
		if _, ok := v.matrix.profRank[c.Proficiency]; !ok {
			v.reportUnknownProficiency(where("proficiency", string(c.Proficiency)), row.ID, c)
		}
	}
}

// reportUnknownProficiency reports a proficiency the scale lacks the first
// time a cell uses it, and counts the cells after that.
func (v roleValidator) reportUnknownProficiency(where at, skill v1alpha1.ID, c v1alpha1.Cell) {
	if u, seen := v.unknownProficiencies[c.Proficiency]; seen {
		u.cells++
		return
	}
	v.unknownProficiencies[c.Proficiency] = &unknownUse{problem: len(v.r.Problems), cells: 1}
	v.r.errorf(KindUnknownProficiency, where,
		"skill %s at level %s has unknown proficiency %s (want one of %s)%s",
		text.Quote(skill), text.Quote(c.Level), text.Quote(c.Proficiency), v.matrix.wantProficiencies,
		text.Hint(string(c.Proficiency), v.matrix.profIDs))
}

func (v roleValidator) checkMissingCells(i int, id v1alpha1.ID, cellAt []int) {
	for pos, level := range v.matrix.levels {
		if cellAt[pos] >= 0 {
			continue
		}
		v.r.errorf(KindMissingCell, at{field: fmt.Sprintf("spec.skills[%d].cells", i), skill: string(id), level: string(level)},
			"skill %s has no cell for level %s", text.Quote(id), text.Quote(level))
	}
}

// checkProgression warns once for every level, in seniority order, whose
// proficiency ranks below the one before it. A drop is legal (the seed page
// publishes one in every row) but almost always a slip worth a second look.
// Levels without a cell or with an unknown proficiency are skipped: they are
// reported as errors already, and comparing across the gap still catches a drop.
func (v roleValidator) checkProgression(i int, row *v1alpha1.SkillRequirement, cellAt []int) {
	prevRank := -1
	var prev v1alpha1.Cell
	for pos := range v.matrix.levels {
		j := cellAt[pos]
		if j < 0 {
			continue
		}
		cell := row.Cells[j]
		rank, ok := v.matrix.profRank[cell.Proficiency]
		if !ok {
			continue
		}
		if rank < prevRank {
			where := at{field: fmt.Sprintf("spec.skills[%d].cells", i),
				skill: string(row.ID), level: string(cell.Level), value: string(cell.Proficiency)}
			v.r.warnf(KindDecreasingProficiency, where,
				"skill %s: proficiency drops from %s at %s to %s at %s",
				text.Quote(row.ID), text.Plain(prev.Proficiency), text.Quote(prev.Level), text.Plain(cell.Proficiency), text.Quote(cell.Level))
		}
		prevRank, prev = rank, cell
	}
}

func (v roleValidator) checkCareerPaths(paths []v1alpha1.CareerPath) {
	first := make(map[v1alpha1.ObjectName]int, len(paths))
	for i, p := range paths {
		if prev, dup := first[p.Role]; dup {
			v.r.errorf(KindDuplicateID, at{field: fmt.Sprintf("spec.careerPaths[%d].role", i), value: string(p.Role)},
				"career path to role %s is listed twice (first at spec.careerPaths[%d])", text.Quote(p.Role), prev)
		} else {
			first[p.Role] = i
		}
		if p.FromLevel == "" {
			continue
		}
		if _, ok := v.matrix.levelPos[p.FromLevel]; !ok {
			v.r.errorf(KindInvalidValue,
				at{field: fmt.Sprintf("spec.careerPaths[%d].fromLevel", i), level: string(p.FromLevel), value: string(p.FromLevel)},
				"career path to role %s starts from level %s, which is not a level of the matrix (want one of %s)",
				text.Quote(p.Role), text.Quote(p.FromLevel), v.matrix.wantLevels)
		}
	}
}
