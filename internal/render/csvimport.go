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

package render

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// ImportedCSV is a matrix.csv read back by ParseCSV.
type ImportedCSV struct {
	// Levels are the level ids of the grid columns, in header order.
	Levels []v1alpha1.ID
	// Skills are the rows in file order as Role rows, each with one cell per
	// level whose proficiency column is not empty, in level order.
	Skills []v1alpha1.SkillRequirement
	// Ignored names header columns ParseCSV does not know (a spreadsheet
	// user's notes, say); their content is dropped.
	Ignored []string
}

// ParseCSV reads the layout CSV writes back into Role rows, following the
// rules for importers in docs/rendering.md: rows are matched by skill_id and
// columns by level id (a level is a column N for which N_required exists
// too); category_* and skill_name are informational and ignored;
// N_required is true or false in any case, empty meaning false; N_examples
// is split on line breaks with empty lines dropped. Ids, proficiencies and
// flags are trimmed of surrounding spaces; descriptions are kept verbatim. A
// byte-order mark, which spreadsheets like to add, is skipped.
//
// It refuses, naming the line and column: a file without skill_id or
// without any level; a repeated column; a detail column of a level that has
// no grid columns; an empty or repeated skill_id; a required flag that is not
// true or false; a required flag, description or examples on a cell without
// a proficiency. Whether the ids and proficiencies exist in a SkillMatrix is
// for internal/validation to say.
func ParseCSV(data []byte) (*ImportedCSV, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the CSV is empty: want a header row with skill_id and the level columns")
	}
	if err != nil {
		return nil, err
	}
	cols, err := parseHeader(header)
	if err != nil {
		return nil, err
	}
	out := &ImportedCSV{Levels: cols.levels, Ignored: cols.ignored}
	seen := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := r.FieldPos(0)
		field := func(i int) string {
			if i < 0 || i >= len(rec) {
				return ""
			}
			return rec[i]
		}
		id := strings.TrimSpace(field(cols.skill))
		if id == "" {
			if strings.TrimSpace(strings.Join(rec, "")) == "" {
				continue // a blank line a spreadsheet left behind
			}
			return nil, fmt.Errorf("line %d: column %s is empty", line, CSVColSkillID)
		}
		if first, dup := seen[id]; dup {
			return nil, fmt.Errorf("line %d: skill %q is listed twice (first on line %d)", line, id, first)
		}
		seen[id] = line
		row := v1alpha1.SkillRequirement{ID: v1alpha1.ID(id)}
		for _, l := range cols.levels {
			cell, err := parseCSVCell(id, l, cols.perLevel[l], field)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			if cell.Proficiency != "" {
				row.Cells = append(row.Cells, cell)
			}
		}
		out.Skills = append(out.Skills, row)
	}
	return out, nil
}

// parseCSVCell reads skill's cell at level l from a row's fields. A cell
// without a proficiency comes back with none, and is an error if it holds
// anything else.
func parseCSVCell(skill string, l v1alpha1.ID, lc *levelColumns, field func(int) string) (v1alpha1.Cell, error) {
	cell := v1alpha1.Cell{
		Level:       l,
		Proficiency: v1alpha1.ProficiencyID(strings.TrimSpace(field(lc.proficiency))),
		Description: field(lc.description),
	}
	switch req := strings.TrimSpace(field(lc.required)); {
	case req == "" || strings.EqualFold(req, "false"):
	case strings.EqualFold(req, "true"):
		cell.Required = true
	default:
		return cell, fmt.Errorf("column %s of skill %q is %q: want true, false or empty", string(l)+CSVSuffixRequired, skill, req)
	}
	for ex := range strings.SplitSeq(field(lc.examples), "\n") {
		if strings.TrimSpace(ex) != "" {
			cell.Examples = append(cell.Examples, ex)
		}
	}
	if cell.Proficiency == "" && (cell.Required || cell.Description != "" || len(cell.Examples) > 0) {
		return cell, fmt.Errorf("skill %q at level %q has a required flag, description or examples but no proficiency in column %s",
			skill, l, l)
	}
	return cell, nil
}

// csvColumns are the positions of the columns ParseCSV reads; -1 is absent.
type csvColumns struct {
	skill    int
	levels   []v1alpha1.ID
	perLevel map[v1alpha1.ID]*levelColumns
	ignored  []string
}

type levelColumns struct{ proficiency, required, description, examples int }

func parseHeader(header []string) (*csvColumns, error) {
	pos := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.TrimSpace(h)
		if _, dup := pos[h]; dup {
			return nil, fmt.Errorf("header: column %q appears twice", h)
		}
		pos[h] = i
	}
	skill, ok := pos[CSVColSkillID]
	if !ok {
		return nil, fmt.Errorf("header: there is no %s column; is this a matrix.csv from `kubectl skillmatrix export`?", CSVColSkillID)
	}
	cols := &csvColumns{skill: skill, perLevel: map[v1alpha1.ID]*levelColumns{}}
	for _, h := range header {
		h = strings.TrimSpace(h)
		if _, ok := pos[h+CSVSuffixRequired]; ok && !strings.Contains(h, "_") && h != "" {
			l := v1alpha1.ID(h)
			cols.levels = append(cols.levels, l)
			cols.perLevel[l] = &levelColumns{proficiency: pos[h], required: pos[h+CSVSuffixRequired], description: -1, examples: -1}
		}
	}
	if len(cols.levels) == 0 {
		return nil, fmt.Errorf("header: no level columns: want a column per level id followed by <level>%s", CSVSuffixRequired)
	}
	for i, h := range header {
		h = strings.TrimSpace(h)
		switch h {
		case CSVColCategoryID, CSVColCategory, CSVColSkillID, CSVColSkill:
			continue
		}
		if _, ok := cols.perLevel[v1alpha1.ID(h)]; ok {
			continue
		}
		matched := false
		for _, suffix := range []string{CSVSuffixRequired, CSVSuffixDescription, CSVSuffixExamples} {
			level, ok := strings.CutSuffix(h, suffix)
			if !ok {
				continue
			}
			matched = true
			lc, ok := cols.perLevel[v1alpha1.ID(level)]
			if !ok {
				missing := absentColumns(pos, level, level+CSVSuffixRequired)
				return nil, fmt.Errorf("header: column %q belongs to level %q, which lacks %s: %s",
					h, level, text.Plural(len(missing), "column", "columns"), text.Join(missing))
			}
			switch suffix {
			case CSVSuffixDescription:
				lc.description = i
			case CSVSuffixExamples:
				lc.examples = i
			}
		}
		if !matched && !slices.Contains(cols.ignored, h) {
			cols.ignored = append(cols.ignored, h)
		}
	}
	return cols, nil
}

// absentColumns lists, quoted, the columns of names that the header (pos)
// does not have: exactly what a level's detail column is missing, so a CSV
// without only "senior" is not also said to lack "senior_required".
func absentColumns(pos map[string]int, names ...string) []string {
	var out []string
	for _, n := range names {
		if _, ok := pos[n]; !ok {
			out = append(out, text.Quote(n))
		}
	}
	return out
}
