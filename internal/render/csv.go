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
	"strconv"
	"strings"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
)

// CSV column names. Level columns are named after level ids, not display
// names, so an importer can map them back without the matrix's labels and a
// renamed level does not break a saved spreadsheet. Every fixed name holds an
// underscore, which ids cannot, so no level can collide with them.
const (
	CSVColCategoryID = "category_id"
	CSVColCategory   = "category_name"
	CSVColSkillID    = "skill_id"
	CSVColSkill      = "skill_name"

	CSVSuffixRequired    = "_required"
	CSVSuffixDescription = "_description"
	CSVSuffixExamples    = "_examples"
)

// CSV renders matrix.csv (RFC 4180, LF line endings, header row), one row per
// skill. The grid a spreadsheet user edits comes first: per level the
// proficiency code and a true/false required column. The cell details follow
// at the right: per level the description and the examples, one per line
// inside the field. Every column a Role can hold is present, so an import
// of an unedited export gives back the same Role.
func CSV(m *model.RoleMatrix) ([]byte, error) {
	if m == nil {
		m = &model.RoleMatrix{}
	}
	header := make([]string, 0, 4+4*len(m.Levels))
	header = append(header, CSVColCategoryID, CSVColCategory, CSVColSkillID, CSVColSkill)
	for _, l := range m.Levels {
		header = append(header, l.ID, l.ID+CSVSuffixRequired)
	}
	for _, l := range m.Levels {
		header = append(header, l.ID+CSVSuffixDescription, l.ID+CSVSuffixExamples)
	}

	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(header); err != nil {
		return nil, err
	}
	record := make([]string, len(header))
	for _, c := range m.Categories {
		for _, s := range c.Skills {
			clear(record)
			record[0], record[1], record[2], record[3] = c.ID, c.Name, s.ID, s.Name
			grid, details := 4, 4+2*len(m.Levels)
			for i := range m.Levels {
				// Cells are one per level in level order (BuildRole's
				// contract); a short row from a hand-built model leaves the
				// remaining columns empty rather than shifting them.
				if i >= len(s.Cells) {
					break
				}
				cell := s.Cells[i]
				record[grid+2*i] = cell.Proficiency
				if cell.Proficiency != "" {
					record[grid+2*i+1] = strconv.FormatBool(cell.Required)
				}
				record[details+2*i] = cell.Description
				record[details+2*i+1] = strings.Join(cell.Examples, "\n")
			}
			if err := w.Write(record); err != nil {
				return nil, err
			}
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
