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
	"cmp"
	_ "embed"
	"fmt"
	"html/template"
	"strings"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/assess"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
)

// The page is one html/template so that every piece of user text goes
// through contextual escaping; nothing is concatenated into markup by hand.
// (Plain cells are rendered by a template of that same set, once per
// distinct cell, and joined: see plainCells.)
//
//go:embed matrix.html.tmpl
var matrixHTMLSource string

var matrixHTML = template.Must(template.New("matrix.html").Parse(matrixHTMLSource))

// tints is the number of background shades of the heat map; proficiency
// ranks are spread over them whatever the length of the scale.
const tints = 5

type htmlView struct {
	Title, Family, Summary string
	Matrix, RoleRef        string
	Schema                 string
	Figures                []htmlFigure
	Dimensions             string
	KeyAreas               []string
	Scale                  []htmlProficiency
	ExampleCode            string
	Levels                 []model.Level
	HasFocus, HasStack     bool
	Categories             []htmlCategory
	CareerPaths            []htmlPath
	Changelog              []htmlChange
	// CSS and Script are the page's inline style and script, CSP the policy
	// that allows exactly them.
	CSS    template.CSS
	Script template.JS
	CSP    string
	// Calc is the level calculator; nil when the Role has nothing to rate.
	Calc *htmlCalc
	// T gives the interface strings of the page's locale, Lang its tag.
	T        *messages
	Lang     string
	Overview string
	FAQ      []FAQEntry
}

type htmlCalc struct {
	Data      template.JS
	Threshold int
	Warnings  []htmlWarning
}

type htmlFigure struct {
	Value int
	Label string
}

type htmlProficiency struct {
	model.Proficiency
	Tint string
}

type htmlCategory struct {
	Anchor, Name, Description string
	Skills                    string
	Required                  int
	Rows                      []htmlRow
	HasNotes                  bool
}

type htmlRow struct {
	ID, Name, Description string
	Cells                 []htmlCell
	// Segments are the row's cells as the table shows them: runs of plain
	// cells already rendered, and the cells that open, one by one.
	Segments []htmlSegment
	HasNotes bool
}

// htmlSegment is a run of plain cells (Run, each cell on a line of its
// own), or one cell that opens (Run empty).
type htmlSegment struct {
	Run  template.HTML
	Cell *htmlCell
}

type htmlCell struct {
	Level       model.Level
	Code, Name  string
	Tint        string
	Required    bool
	Description string
	Examples    []string
	// HasDetails makes the cell open like the seed's "click a cell".
	HasDetails bool
	// End anchors the pop-up to the cell's right edge so it does not run
	// off the page in the last columns.
	End bool
	// RequiredWord is "required" and NotStatedWord "not stated" in the
	// page's locale, for the cell templates.
	RequiredWord, NotStatedWord string
}

// plainCellKey is what a cell without details shows; the page's locale is
// the same for every cell of one page.
type plainCellKey struct {
	code, name, tint string
	required         bool
}

// plainCells renders each distinct cell without details once per page,
// through the page's own html/template (so contextual escaping is the same
// as in place): a matrix has at most a few such cells per scale step, and
// running the template for each of its hundreds of cells was most of the
// page's rendering time.
type plainCells struct {
	seen map[plainCellKey]template.HTML
	buf  bytes.Buffer
	err  error
}

func (pc *plainCells) render(c *htmlCell) template.HTML {
	key := plainCellKey{code: c.Code, name: c.Name, tint: c.Tint, required: c.Required}
	if h, ok := pc.seen[key]; ok {
		return h
	}
	pc.buf.Reset()
	if err := matrixHTML.ExecuteTemplate(&pc.buf, "plainCell", c); err != nil {
		pc.err = cmp.Or(pc.err, fmt.Errorf("execute template plainCell: %w", err))
		return ""
	}
	// #nosec G203 -- the output of html/template, escaped in the context the page inserts it in.
	h := template.HTML(pc.buf.String())
	if pc.seen == nil {
		pc.seen = map[plainCellKey]template.HTML{}
	}
	pc.seen[key] = h
	return h
}

type htmlPath struct {
	Role, FromLevel, Description string
}

type htmlChange struct {
	model.ChangelogEntry
	Date, Datetime string
	// RevertedNote says which cells no longer hold the change; empty while
	// the Role carries it.
	RevertedNote string
}

// HTML renders matrix.html: one self-contained, printable page with inline
// CSS. Cells with details open in place with <details>, the no-JavaScript
// equivalent of the seed's "click a cell for details"; with JavaScript the
// page also carries the level calculator (calculator.go) at assess's
// default threshold.
func HTML(m *model.RoleMatrix) ([]byte, error) {
	if m == nil {
		m = &model.RoleMatrix{}
	}
	v, err := htmlViewOf(m, messagesFor(m.Locale))
	if err != nil {
		return nil, err
	}
	if len(m.Levels) > 0 && m.Stats.Skills > 0 {
		t := assess.Compile(m)
		data, err := calculatorData(m, t, assess.DefaultThresholdPercent, calculatorText(v.T))
		if err != nil {
			return nil, err
		}
		v.Calc = &htmlCalc{Data: data, Threshold: assess.DefaultThresholdPercent, Warnings: htmlWarnings(t)}
	}
	var buf bytes.Buffer
	// Room for the inline CSS and script and about 400 bytes per cell (the
	// sample's page is 108 KiB), so the page is not copied as it grows.
	buf.Grow(len(matrixCSS) + len(calculatorScript) + 400*m.Stats.Skills*max(1, len(m.Levels)) + 32<<10)
	if err := matrixHTML.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("execute template: %w", err)
	}
	return buf.Bytes(), nil
}

func htmlViewOf(m *model.RoleMatrix, t *messages) (htmlView, error) {
	lk := newLookup(m.Levels, m.Scale)
	s := m.Stats
	v := htmlView{
		T:        t,
		Lang:     t.locale,
		Overview: overview(m, t),
		FAQ:      faq(m, t),
		Title:    m.DisplayName,
		Family:   m.Family,
		Summary:  m.Summary,
		Matrix:   m.MatrixName,
		RoleRef:  roleName(m),
		Schema:   SchemaVersion,
		Figures: []htmlFigure{
			{s.Skills, t.N("label.skills", s.Skills)},
			{s.Levels, t.N("label.levels", s.Levels)},
			{s.Categories, t.N("label.categories", s.Categories)},
			{s.Required, t.N("label.required", s.Required)},
			{s.Requirements, t.N("label.requirements", s.Requirements)},
		},
		Dimensions:  dimensions(s, t),
		KeyAreas:    m.Stats.KeyAreas,
		ExampleCode: exampleCode(m.Scale),
		Levels:      m.Levels,
		// #nosec G203 -- the page's own embedded files, not user input.
		CSS:    template.CSS(matrixCSS),
		Script: template.JS(calculatorScript),
		CSP:    contentSecurityPolicy(calculatorScript, matrixCSS),
	}
	for _, p := range m.Scale {
		v.Scale = append(v.Scale, htmlProficiency{Proficiency: p, Tint: tint(p.Rank, len(m.Scale))})
	}
	for _, l := range m.Levels {
		v.HasFocus = v.HasFocus || l.Focus != "" || l.Description != ""
		v.HasStack = v.HasStack || len(l.TechStack) > 0
	}
	var plain plainCells
	v.Categories = htmlCategories(m, t, lk, &plain)
	if plain.err != nil {
		return htmlView{}, plain.err
	}
	for _, p := range m.CareerPaths {
		hp := htmlPath{Role: p.Role, Description: p.Description}
		if p.FromLevel != "" {
			hp.FromLevel = lk.levelName(p.FromLevel)
		}
		v.CareerPaths = append(v.CareerPaths, hp)
	}
	for _, e := range m.Changelog {
		at := e.AppliedAt.UTC()
		v.Changelog = append(v.Changelog, htmlChange{
			ChangelogEntry: e,
			Date:           at.Format(mdTimeFmt),
			Datetime:       at.Format("2006-01-02T15:04:05Z07:00"),
			RevertedNote:   revertedNote(t, e),
		})
	}
	return v, nil
}

// htmlCategories are the category tables of the page.
func htmlCategories(m *model.RoleMatrix, t *messages, lk lookup, plain *plainCells) []htmlCategory {
	requiredWord, notStatedWord := t.S("word.required"), t.S("word.notStated")
	out := make([]htmlCategory, 0, len(m.Categories))
	for _, c := range m.Categories {
		hc := htmlCategory{
			Anchor:      "cat-" + c.ID,
			Name:        c.Name,
			Description: c.Description,
			Skills:      t.N("count.skills", len(c.Skills)),
			Required:    c.Required,
			Rows:        make([]htmlRow, 0, len(c.Skills)),
		}
		for _, s := range c.Skills {
			row := htmlRow{ID: s.ID, Name: s.Name, Description: s.Description, HasNotes: s.Description != "",
				Cells: make([]htmlCell, 0, len(s.Cells))}
			for i, cell := range s.Cells {
				hcell := htmlCell{
					RequiredWord:  requiredWord,
					NotStatedWord: notStatedWord,
					Level:         levelAt(m.Levels, i, cell.Level),
					Code:          cell.Proficiency,
					Required:      cell.Required,
					Description:   cell.Description,
					Examples:      cell.Examples,
					HasDetails:    cell.Description != "" || len(cell.Examples) > 0,
					End:           i >= len(s.Cells)-2 && len(s.Cells) > 2,
				}
				if p, ok := lk.scale[cell.Proficiency]; ok {
					hcell.Name = p.Name
					hcell.Tint = tint(p.Rank, len(m.Scale))
				} else {
					hcell.Name = cell.Proficiency
				}
				row.HasNotes = row.HasNotes || hcell.HasDetails
				row.Cells = append(row.Cells, hcell)
			}
			row.Segments = segments(row.Cells, plain)
			hc.HasNotes = hc.HasNotes || row.HasNotes
			hc.Rows = append(hc.Rows, row)
		}
		out = append(out, hc)
	}
	return out
}

// segments groups a row's cells into runs of plain cells (no code, or no
// details: the plainCell template), already rendered, and single cells that
// open.
func segments(cells []htmlCell, plain *plainCells) []htmlSegment {
	var out []htmlSegment
	var run strings.Builder
	flush := func() {
		if run.Len() > 0 {
			// #nosec G203 -- plainCells output, escaped by html/template.
			out = append(out, htmlSegment{Run: template.HTML(run.String())})
			run.Reset()
		}
	}
	for i := range cells {
		c := &cells[i]
		if c.Code != "" && c.HasDetails {
			flush()
			out = append(out, htmlSegment{Cell: c})
			continue
		}
		run.WriteByte('\n')
		run.WriteString(string(plain.render(c)))
	}
	flush()
	return out
}

// tint spreads a rank over the heat-map shades, lowest rank lightest.
func tint(rank, scale int) string {
	if scale <= 1 {
		return "t0"
	}
	return fmt.Sprintf("t%d", (rank*(tints-1)+(scale-1)/2)/(scale-1))
}

// exampleCode picks a code from the scale for the legend's "required" example,
// the second step when there is one, as W is on the seed's scale.
func exampleCode(scale []model.Proficiency) string {
	switch len(scale) {
	case 0:
		return "W"
	case 1:
		return scale[0].ID
	default:
		return scale[1].ID
	}
}

// revertedNote is the mark of a changelog entry the Role no longer carries.
func revertedNote(t *messages, e model.ChangelogEntry) string {
	if !e.Reverted() {
		return ""
	}
	return t.F("changelog.reverted", "Cells", t.list(e.RevertedCells))
}
