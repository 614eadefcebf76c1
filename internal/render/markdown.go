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
	"fmt"
	"strings"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
)

// Markers used in matrix.md; the legend explains them.
const (
	mdEmptyCell = "—"
	mdTimeFmt   = "2006-01-02 15:04"
)

// Markdown renders matrix.md, laid out like the seed page: header and
// figures, scale legend, tech stack and focus per level, one table per
// category with its skill and cell details below it, career paths and the
// changelog.
func Markdown(m *model.RoleMatrix) []byte {
	if m == nil {
		m = &model.RoleMatrix{}
	}
	t := messagesFor(m.Locale)
	lk := newLookup(m.Levels, m.Scale)
	w := &mdWriter{}

	mdHeader(w, m, t)
	mdScale(w, m.Scale, exampleCode(m.Scale), t)
	mdLevels(w, m.Levels, t)

	w.line("## ", t.S("heading.matrix"))
	w.blank()
	w.line(dimensions(m.Stats, t), ". ", t.S("matrix.intro.md"))
	w.blank()
	if len(m.Categories) == 0 {
		w.line(t.S("matrix.empty"))
		w.blank()
	}
	for _, c := range m.Categories {
		mdCategory(w, c, m.Levels, lk, t)
	}

	mdCareerPaths(w, m.CareerPaths, lk, t)
	mdFAQ(w, faq(m, t), t)
	mdChangelog(w, m.Changelog, t)
	w.line("---")
	w.blank()
	w.line("*", t.F("footer", "Role", mdCode(roleName(m)), "Matrix", mdCode(m.MatrixName), "Schema", SchemaVersion), "*")
	return w.Bytes()
}

// dimensions is "56 skills × 5 levels".
func dimensions(s model.Summary, t *messages) string {
	return t.F("dimensions", "Skills", t.N("count.skills", s.Skills), "Levels", t.N("count.levels", s.Levels))
}

func mdFAQ(w *mdWriter, entries []FAQEntry, t *messages) {
	w.line("## ", t.S("heading.faq"))
	w.blank()
	for _, e := range entries {
		w.line("### ", mdInline(e.Question, " "))
		w.blank()
		w.line(mdProse(e.Answer))
		w.blank()
	}
}

// mdHeader is the title, the family and matrix, the summary and the figures.
func mdHeader(w *mdWriter, m *model.RoleMatrix, t *messages) {
	w.line("# ", mdInline(m.DisplayName, " "))
	w.blank()
	var meta []string
	if m.Family != "" {
		meta = append(meta, "*"+mdInline(m.Family, " ")+"*")
	}
	if m.MatrixName != "" {
		meta = append(meta, t.F("matrixRef", "Name", mdCode(m.MatrixName)))
	}
	if len(meta) > 0 {
		w.line(strings.Join(meta, " · "))
		w.blank()
	}
	if m.Summary != "" {
		w.line(mdProse(m.Summary))
		w.blank()
	}
	s := m.Stats
	w.line("**", strings.Join([]string{
		t.N("count.skills", s.Skills),
		t.N("count.levels", s.Levels),
		t.N("count.categories", s.Categories),
		t.N("count.required", s.Required),
		t.N("count.requirements", s.Requirements),
	}, " · "), "**")
	w.blank()
	w.line(mdProse(overview(m, t)))
	w.blank()
	if len(s.KeyAreas) > 0 {
		w.line("**", t.S("keyAreas"), "** ", strings.Join(mdJoinEach(s.KeyAreas), t.S("sep.list")))
		w.blank()
	}
}

func mdCareerPaths(w *mdWriter, paths []model.CareerPath, lk lookup, t *messages) {
	if len(paths) == 0 {
		return
	}
	w.line("## ", t.S("heading.careerPaths"))
	w.blank()
	for _, p := range paths {
		from := ""
		if p.FromLevel != "" {
			from = ", " + t.F("careerPath.from", "Level", mdInline(lk.levelName(p.FromLevel), " "))
		}
		desc := ""
		if p.Description != "" {
			desc = ": " + mdInline(p.Description, "<br>")
		}
		w.line("- **", mdInline(p.Role, " "), "**", from, desc)
	}
	w.blank()
}

// mdPathDetails is what follows a career path's roles in a list item: the
// level it starts from, a mark for a Role that does not exist, the description.
func mdPathDetails(lk lookup, fromLevel string, missing bool, description string) string {
	var b strings.Builder
	if fromLevel != "" {
		b.WriteString(", from " + mdInline(lk.levelName(fromLevel), " "))
	}
	if missing {
		b.WriteString(" *(no such Role)*")
	}
	if description != "" {
		b.WriteString(": " + mdInline(description, "<br>"))
	}
	return b.String()
}

func mdChangelog(w *mdWriter, changelog []model.ChangelogEntry, t *messages) {
	w.line("## ", t.S("heading.changelog"))
	w.blank()
	if len(changelog) == 0 {
		w.line(t.S("changelog.none"))
	} else {
		w.row(t.S("col.applied"), t.S("col.proposal"), t.S("col.title"), t.S("col.author"), t.S("col.generation"))
		w.line("|---|---|---|---|--:|")
		for _, e := range changelog {
			title := mdCell(e.Title)
			if e.Reverted() {
				title += " **" + mdCell(t.F("changelog.reverted", "Cells", t.list(e.RevertedCells))) + "**"
			}
			w.row(e.AppliedAt.UTC().Format(mdTimeFmt), mdCode(e.Proposal), title,
				mdCell(e.Author), fmt.Sprint(e.Generation))
		}
	}
	w.blank()
}

func mdScale(w *mdWriter, scale []model.Proficiency, example string, t *messages) {
	w.line("## ", t.S("heading.scale"))
	w.blank()
	w.row(t.S("col.code"), t.S("col.proficiency"), t.S("col.meaning"))
	w.line("|:-:|---|---|")
	for _, p := range scale {
		w.row("**"+mdCell(p.ID)+"**", mdCell(p.Name), mdCell(p.Description))
	}
	w.blank()
	w.line(t.F("legend.md", "Example", "**"+mdInline(example, " ")+"**\\*", "Empty", mdEmptyCell))
	w.blank()
}

func mdLevels(w *mdWriter, levels []model.Level, t *messages) {
	if len(levels) == 0 {
		return
	}
	w.line("## ", t.S("heading.techStack"))
	w.blank()
	w.row(t.S("col.level"), t.S("col.technologies"))
	w.line("|---|---|")
	for _, l := range levels {
		stack := make([]string, 0, len(l.TechStack))
		for _, t := range l.TechStack {
			stack = append(stack, mdCell(t))
		}
		w.row("**"+mdCell(l.Name)+"**", orDash(strings.Join(stack, ", ")))
	}
	w.blank()
	w.line("## ", t.S("heading.focus"))
	w.blank()
	for _, l := range levels {
		heading := "### " + mdInline(l.Name, " ")
		if l.ShortName != l.Name {
			heading += " (" + mdInline(l.ShortName, " ") + ")"
		}
		w.line(heading)
		w.blank()
		if l.Focus != "" {
			w.line(mdProse(l.Focus))
			w.blank()
		}
		if l.Description != "" {
			w.line("*", t.S("acrossRoles"), "* ", mdProse(l.Description))
			w.blank()
		}
	}
}

func mdCategory(w *mdWriter, c model.Category, levels []model.Level, lk lookup, t *messages) {
	w.line("### ", mdInline(c.Name, " "), " · ", t.N("count.skills", len(c.Skills)),
		" · ", t.N("count.required", c.Required))
	w.blank()
	if c.Description != "" {
		w.line(mdProse(c.Description))
		w.blank()
	}
	header := make([]string, 0, 1+len(levels))
	align := make([]string, 0, 1+len(levels))
	header = append(header, t.S("col.skill"))
	align = append(align, "---")
	for _, l := range levels {
		header = append(header, mdCell(l.ShortName))
		align = append(align, ":-:")
	}
	w.row(header...)
	w.row(align...)
	for _, s := range c.Skills {
		row := make([]string, 0, 1+len(s.Cells))
		row = append(row, mdCell(s.Name))
		for _, cell := range s.Cells {
			row = append(row, mdCellCode(cell))
		}
		w.row(row...)
	}
	w.blank()

	// Markdown has no click-to-open, so what the seed shows on click follows
	// the table as a nested list: skill, then each cell that has details.
	wrote := false
	for _, s := range c.Skills {
		var details []string
		for i, cell := range s.Cells {
			if cell.Description == "" && len(cell.Examples) == 0 {
				continue
			}
			item := "  - *" + mdInline(levelAt(levels, i, cell.Level).Name, " ") + "*, " + mdCellCode(cell)
			if cell.Proficiency != "" {
				item += " (" + mdInline(lk.proficiencyName(cell.Proficiency), " ")
				if cell.Required {
					item += ", " + t.S("word.required")
				}
				item += ")"
			}
			if cell.Description != "" {
				item += ": " + mdInline(cell.Description, "<br>")
			}
			details = append(details, item)
			for _, ex := range cell.Examples {
				details = append(details, "    - "+mdInline(ex, "<br>"))
			}
		}
		if s.Description == "" && len(details) == 0 {
			continue
		}
		item := "- **" + mdInline(s.Name, " ") + "**"
		if s.Description != "" {
			item += ": " + mdInline(s.Description, "<br>")
		}
		w.line(item)
		for _, d := range details {
			w.line(d)
		}
		wrote = true
	}
	if wrote {
		w.blank()
	}
}

// levelAt finds a cell's level by position, which BuildRole guarantees, and
// falls back to the id for models built by hand.
func levelAt(levels []model.Level, i int, id string) model.Level {
	if i < len(levels) && levels[i].ID == id {
		return levels[i]
	}
	return model.Level{ID: id, Name: id, ShortName: id}
}

func mdCellCode(c model.Cell) string {
	if c.Proficiency == "" {
		return mdEmptyCell
	}
	code := mdInline(c.Proficiency, " ")
	if c.Required {
		return "**" + code + "**\\*"
	}
	return code
}

type mdWriter struct{ bytes.Buffer }

func (w *mdWriter) line(parts ...string) {
	for _, p := range parts {
		w.WriteString(p)
	}
	w.WriteByte('\n')
}

func (w *mdWriter) blank() { w.WriteByte('\n') }

// row writes a table row; callers escape each cell with mdCell.
func (w *mdWriter) row(cells ...string) {
	w.WriteString("| ")
	w.WriteString(strings.Join(cells, " | "))
	w.WriteString(" |\n")
}

// mdSpecial are the characters that would start emphasis, code, links, raw
// HTML, strikethrough or end a table cell in GitHub-flavoured Markdown.
const mdSpecial = "\\`*_[]<>|~"

// mdInline escapes user text for inline Markdown. Line breaks become nl:
// "<br>" keeps them visible inside table cells and list items, where a raw
// newline would end the cell or the item; " " folds them into one line.
func mdInline(s, nl string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i, line := range splitLines(s) {
		if i > 0 {
			b.WriteString(nl)
		}
		writeMDLine(&b, line)
	}
	return b.String()
}

// mdCell escapes user text for a table cell.
func mdCell(s string) string { return mdInline(s, "<br>") }

// mdProse escapes a paragraph. Lines stay lines (Markdown joins them), and
// each line's start is escaped so text cannot open a heading, quote or list.
func mdProse(s string) string { return mdInline(s, "\n") }

func writeMDLine(b *strings.Builder, line string) {
	// Leading blanks would turn a line into an indented code block.
	line = strings.TrimLeft(line, " \t")
	marker := blockMarker(line)
	for i, r := range line {
		if i == marker || strings.ContainsRune(mdSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
}

// blockMarker returns the byte offset of the character that would make the
// line open a block (a heading, list item, thematic break or setext
// underline; quotes and "*" lists are covered by mdSpecial), or -1. For an
// ordered-list marker it is the "." or ")" after the digits, because a
// backslash before a digit is no escape in CommonMark.
func blockMarker(line string) int {
	if line == "" {
		return -1
	}
	switch line[0] {
	case '#', '-', '+', '=':
		return 0
	}
	digits := len(line) - len(strings.TrimLeft(line, "0123456789"))
	if digits > 0 && digits < len(line) && (line[digits] == '.' || line[digits] == ')') {
		return digits
	}
	return -1
}

// splitLines splits on LF, CRLF and lone CR alike.
func splitLines(s string) []string {
	if !strings.ContainsAny(s, "\r\n") {
		return []string{s}
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Split(s, "\n")
}

func mdJoinEach(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = mdInline(s, " ")
	}
	return out
}

// mdCode shows an object name in a code span. Names are DNS labels, but a
// hand-built model could hold anything; text with a backtick or a line break
// cannot sit in a code span, so it falls back to escaped text.
func mdCode(s string) string {
	if s == "" {
		return mdEmptyCell
	}
	if strings.ContainsAny(s, "`\r\n|") {
		return mdInline(s, " ")
	}
	return "`" + s + "`"
}

func orDash(s string) string {
	if s == "" {
		return mdEmptyCell
	}
	return s
}
