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

// Package pdf renders a resolved Role as a printable A4 landscape PDF: the
// header with the summary figures, the proficiency legend, focus and tech
// stack per level, one table per category with the required cells marked,
// the cell details, career paths and the changelog. It is the PDF the seed
// page offers, produced with github.com/go-pdf/fpdf. The operator does not
// publish it (a ConfigMap is no place for binary documents); the CLI renders
// it on demand.
//
// Text is set in the bundled Go fonts (Latin, Greek, Cyrillic, symbols)
// and, for other scripts, a TrueType font from the system or --font
// (fonts.go); runs of text switch fonts and lines are wrapped here. A
// character no font covers fails the render with a MissingGlyphsError, or
// with ReplaceMissing prints as ReplacementMarker: never a silent dot.
// Interface strings come from internal/render's catalogs, by m.Locale.
//
// It imports fpdf, x/image's fonts, internal/model and internal/render, never a
// Kubernetes client, controller-runtime, internal/controller or internal/cli
// (internal/archtest checks).
package pdf

import (
	"bytes"
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
)

// Options tune the document.
type Options struct {
	// Created is the creation date in the document's metadata; the zero value
	// means now. Set it to get the same bytes for the same Role.
	Created time.Time
	// Font is a TrueType font for what the Go fonts lack (CJK and so on),
	// tried before the first of SystemFontPaths that exists; NoSystemFont
	// leaves the system font out.
	Font         *Font
	NoSystemFont bool
	// ReplaceMissing prints a character no font covers as
	// ReplacementMarker instead of failing, and reports the characters to
	// OnMissing.
	ReplaceMissing bool
	OnMissing      func(runes []rune)
}

// Page geometry in millimetres.
const (
	pageW, pageH = 297.0, 210.0
	margin       = 12.0
	footerH      = 8.0
	bottom       = pageH - margin - footerH // lowest y content may reach
	nameW        = 60.0                     // skill name column
	levelMaxW    = 20.0
	detailsMinW  = 60.0
)

// Colours.
var (
	ink      = rgb{33, 37, 41}
	muted    = rgb{96, 103, 112}
	rule     = rgb{190, 196, 204}
	headerBg = rgb{233, 236, 239}
	heatLow  = rgb{232, 240, 250}
	heatHigh = rgb{24, 62, 110}
	accent   = rgb{176, 0, 32}
)

type rgb struct{ r, g, b int }

// Render renders m. The result starts with %PDF and has one page or more.
func Render(m *model.RoleMatrix, opts Options) (out []byte, err error) {
	// fpdf reads a font's tables as the font describes them; a font that
	// passed ParseFont but lies about a table fails the render, not the
	// program.
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("%w: the PDF library could not read it: %v", ErrNotTrueType, r)
		}
	}()
	if m == nil {
		m = &model.RoleMatrix{}
	}
	f := fpdf.New("L", "mm", "A4", "")
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(false, margin) // pages are broken by hand, row by row
	f.SetCatalogSort(true)
	created := opts.Created
	if created.IsZero() {
		created = time.Now()
	}
	f.SetCreationDate(created)
	f.SetModificationDate(created)
	f.SetTitle(m.DisplayName+" skill matrix", true)
	f.SetSubject("Skill matrix of Role "+m.Name+" against SkillMatrix "+m.MatrixName, true)
	f.SetCreator("kubectl-skillmatrix", true)
	locale := cmp.Or(m.Locale, render.DefaultLocale)
	f.SetLang(locale)
	f.AliasNbPages("{nb}")

	d := &doc{f: f, tr: func(s string) string { return s }, m: m, width: pageW - 2*margin, locale: locale,
		fonts: &fontSet{missing: map[rune]bool{}}}
	if opts.Font != nil {
		d.fonts.extras = append(d.fonts.extras, opts.Font)
	}
	if !opts.NoSystemFont {
		if sys, ok := FindSystemFont(); ok && (opts.Font == nil || opts.Font.Path != sys.Path) {
			d.fonts.extras = append(d.fonts.extras, sys)
		}
	}
	d.addFonts()
	d.scale = make(map[string]model.Proficiency, len(m.Scale))
	for _, p := range m.Scale {
		d.scale[p.ID] = p
	}
	f.SetFooterFunc(d.footer)
	f.AddPage()
	d.title()
	d.figures()
	d.legend()
	d.levels()
	d.heading(d.msg("heading.matrix"), 13)
	d.para(d.msg("dimensions", "Skills", d.count("count.skills", m.Stats.Skills), "Levels", d.count("count.levels", m.Stats.Levels))+
		". "+d.msg("matrix.intro.pdf"), 8.5, muted)
	for i := range m.Categories {
		d.category(&m.Categories[i])
	}
	d.careerPaths()
	d.faq()
	d.changelog()

	if err := f.Error(); err != nil {
		return nil, err
	}
	if err := d.checkMissing(opts); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type doc struct {
	f      *fpdf.Fpdf
	tr     func(string) string
	m      *model.RoleMatrix
	scale  map[string]model.Proficiency
	width  float64
	locale string
	fonts  *fontSet
	// style and size are the current font's, whatever family a run takes.
	style string
	size  float64
}

func (d *doc) color(c rgb)    { d.f.SetTextColor(c.r, c.g, c.b) }
func (d *doc) fill(c rgb)     { d.f.SetFillColor(c.r, c.g, c.b) }
func (d *doc) stroke(c rgb)   { d.f.SetDrawColor(c.r, c.g, c.b) }
func (d *doc) y() float64     { return d.f.GetY() }
func (d *doc) setY(y float64) { d.f.SetXY(margin, y) }

// ensure starts a new page unless h more millimetres fit on this one, and
// reports whether it did.
func (d *doc) ensure(h float64) bool {
	if d.y()+h <= bottom {
		return false
	}
	d.f.AddPage()
	return true
}

// text writes already-split lines at x, y, each run in its own font.
func (d *doc) text(x, y, w, lh float64, lines []string, align string) {
	for i, l := range lines {
		runs := d.fonts.runs(l)
		total := d.measureRuns(runs)
		start := x
		switch align {
		case "C":
			start = x + (w-total)/2
		case "R":
			start = x + w - total
		}
		d.f.SetXY(start, y+float64(i)*lh)
		for _, r := range runs {
			d.f.SetFont(r.family, d.style, d.size)
			rw := d.f.GetStringWidth(r.text)
			d.f.CellFormat(rw, lh, r.text, "", 0, "L", false, 0, "")
		}
	}
	d.f.SetFont(familyGo, d.style, d.size)
}

func (d *doc) msg(id string, kv ...any) string { return render.Message(d.locale, id, kv...) }

func (d *doc) count(id string, n int) string { return render.Message(d.locale, id, "Count", n) }

func (d *doc) faq() {
	entries := render.FAQ(d.m)
	d.heading(d.msg("heading.faq"), 13)
	for _, e := range entries {
		d.ensure(12)
		d.setFont("B", 9.5)
		d.color(ink)
		for _, l := range d.lines(e.Question, d.width) {
			d.text(margin, d.y(), d.width, 4.5, []string{l}, "L")
			d.setY(d.y() + 4.5)
		}
		d.para(e.Answer, 9, ink)
	}
}

// para writes a wrapped paragraph over the full width, breaking pages
// between lines.
func (d *doc) para(s string, size float64, c rgb) {
	if s == "" {
		return
	}
	d.setFont("", size)
	d.color(c)
	lh := size * 0.45
	for _, l := range d.lines(s, d.width) {
		d.ensure(lh)
		d.text(margin, d.y(), d.width, lh, []string{l}, "L")
		d.setY(d.y() + lh)
	}
	d.setY(d.y() + 1.5)
}

func (d *doc) heading(s string, size float64) {
	d.ensure(size*0.5 + 12) // never leave a heading alone at the foot of a page
	d.setY(d.y() + 2)
	d.setFont("B", size)
	d.color(ink)
	d.text(margin, d.y(), d.width, size*0.5, d.lines(s, d.width), "L")
	d.setY(d.y() + size*0.5 + 1.5)
}

func (d *doc) footer() {
	d.f.SetXY(margin, pageH-margin-3)
	d.setFont("", 7.5)
	d.color(muted)
	left := fmt.Sprintf("%s (%s) · SkillMatrix %s · %s", d.m.DisplayName, roleName(d.m), d.m.MatrixName, render.SchemaVersion)
	y := d.y()
	d.text(margin, y, d.width-30, 4, []string{left}, "L")
	d.text(margin+d.width-30, y, 30, 4, []string{d.msg("page", "Page", d.f.PageNo(), "Pages", "{nb}")}, "R")
}

func (d *doc) title() {
	m := d.m
	if m.Family != "" {
		d.setFont("", 9)
		d.color(muted)
		d.text(margin, d.y(), d.width, 4.5, []string{d.tr(strings.ToUpper(m.Family))}, "L")
		d.setY(d.y() + 5)
	}
	d.setFont("B", 22)
	d.color(ink)
	for _, l := range d.lines(m.DisplayName, d.width) {
		d.text(margin, d.y(), d.width, 9, []string{l}, "L")
		d.setY(d.y() + 9)
	}
	d.setY(d.y() + 1)
	d.para(d.msg("pdf.roleRef", "Role", roleName(m), "Matrix", m.MatrixName), 8.5, muted)
	d.para(m.Summary, 9.5, ink)
}

func (d *doc) figures() {
	s := d.m.Stats
	tiles := []struct {
		n     int
		label string
	}{
		{s.Skills, d.count("label.skills", s.Skills)}, {s.Levels, d.count("label.levels", s.Levels)},
		{s.Categories, d.count("label.categories", s.Categories)},
		{s.Required, d.count("label.required", s.Required)}, {s.Requirements, d.count("label.requirements", s.Requirements)},
	}
	const gap, h = 4.0, 15.0
	w := (d.width - gap*float64(len(tiles)-1)) / float64(len(tiles))
	d.ensure(h + 8)
	y := d.y() + 1
	d.stroke(rule)
	d.fill(headerBg)
	for i, t := range tiles {
		x := margin + float64(i)*(w+gap)
		d.f.Rect(x, y, w, h, "FD")
		d.setFont("B", 16)
		d.color(ink)
		d.text(x, y+1.5, w, 7, []string{strconv.Itoa(t.n)}, "C")
		d.setFont("", 8)
		d.color(muted)
		d.text(x, y+9, w, 4, []string{t.label}, "C")
	}
	d.setY(y + h + 2)
	if len(s.KeyAreas) > 0 {
		d.setFont("B", 9)
		d.color(ink)
		label := d.msg("keyAreas") + " "
		lw := d.measure(label) + 1
		d.text(margin, d.y(), lw, 4.5, []string{label}, "L")
		d.setFont("", 9)
		d.text(margin+lw, d.y(), d.width-lw, 4.5, []string{strings.Join(s.KeyAreas, d.msg("sep.list"))}, "L")
		d.setY(d.y() + 6)
	}
}

// heat is the background of a cell of the given rank and whether its text
// must be light: a heat map over the scale, darker for higher proficiency.
func (d *doc) heat(id string) (rgb, bool) {
	p, ok := d.scale[id]
	if !ok || len(d.m.Scale) == 0 {
		return rgb{255, 255, 255}, false
	}
	t := float64(p.Rank+1) / float64(len(d.m.Scale))
	mix := func(a, b int) int { return a + int(float64(b-a)*t+0.5) }
	return rgb{mix(heatLow.r, heatHigh.r), mix(heatLow.g, heatHigh.g), mix(heatLow.b, heatHigh.b)}, t > 0.55
}

func (d *doc) legend() {
	d.heading(d.msg("heading.scale"), 13)
	const codeW, nameW, lh = 14.0, 32.0, 3.8
	descW := d.width - codeW - nameW
	d.setFont("", 8.5)
	for _, p := range d.m.Scale {
		desc := d.lines(p.Description, descW-2)
		h := max(float64(len(desc))*lh, lh) + 2
		d.ensure(h)
		y := d.y()
		bg, light := d.heat(p.ID)
		d.fill(bg)
		d.stroke(rule)
		d.f.Rect(margin, y, codeW, h, "FD")
		d.setFont("B", 10)
		d.color(ink)
		if light {
			d.color(rgb{255, 255, 255})
		}
		d.text(margin, y+(h-lh)/2, codeW, lh, []string{d.tr(p.ID)}, "C")
		d.setFont("B", 8.5)
		d.color(ink)
		d.text(margin+codeW+1, y+1, nameW-1, lh, []string{d.tr(p.Name)}, "L")
		d.setFont("", 8.5)
		d.text(margin+codeW+nameW, y+1, descW, lh, desc, "L")
		d.setY(y + h + 0.8)
	}
	d.setY(d.y() + 1)
	// The notation, drawn with sample cells.
	y := d.y()
	d.ensure(8)
	bg, light := d.heat(firstID(d.m.Scale, 1))
	d.sampleCell(margin, y, bg, light, true, firstID(d.m.Scale, 1)+"*")
	d.setFont("", 8.5)
	d.color(ink)
	d.text(margin+16, y+1, 70, 4, []string{d.msg("pdf.required")}, "L")
	d.sampleCell(margin+90, y, rgb{255, 255, 255}, false, false, d.tr("—"))
	d.color(ink)
	d.setFont("", 8.5)
	d.text(margin+106, y+1, 90, 4, []string{d.msg("pdf.none")}, "L")
	d.setY(y + 9)
}

func firstID(scale []model.Proficiency, i int) string {
	if len(scale) == 0 {
		return "?"
	}
	return scale[min(i, len(scale)-1)].ID
}

func (d *doc) sampleCell(x, y float64, bg rgb, light, required bool, s string) {
	d.fill(bg)
	d.stroke(rule)
	d.f.Rect(x, y, 14, 6, "FD")
	if required {
		d.frame(x, y, 14, 6)
	}
	style := ""
	if required {
		style = "B"
	}
	d.setFont(style, 9)
	d.color(ink)
	if light {
		d.color(rgb{255, 255, 255})
	}
	d.text(x, y+1, 14, 4, []string{s}, "C")
}

// frame marks a required cell with an accent border inside the cell.
func (d *doc) frame(x, y, w, h float64) {
	d.f.SetLineWidth(0.6)
	d.stroke(accent)
	d.f.Rect(x+0.5, y+0.5, w-1, h-1, "D")
	d.f.SetLineWidth(0.2)
	d.stroke(rule)
}

func (d *doc) levels() {
	d.heading(d.msg("pdf.levels"), 13)
	const levelW, lh = 34.0, 3.8
	focusW := (d.width - levelW) * 0.55
	stackW := d.width - levelW - focusW
	d.tableHeader([]string{d.msg("col.level"), d.msg("col.focus"), d.msg("heading.techStack")}, []float64{levelW, focusW, stackW}, "L")
	for _, l := range d.m.Levels {
		d.setFont("", 8.5)
		name := d.lines(l.Name+" ("+l.ShortName+")", levelW-2)
		focus := d.lines(l.Focus, focusW-2)
		if l.Description != "" {
			focus = append(focus, d.lines(l.Description, focusW-2)...)
		}
		stack := d.lines(strings.Join(l.TechStack, ", "), stackW-2)
		h := float64(max(len(name), len(focus), len(stack), 1))*lh + 2
		if d.ensure(h) {
			d.tableHeader([]string{d.msg("col.level"), d.msg("col.focus"), d.msg("heading.techStack")}, []float64{levelW, focusW, stackW}, "L")
		}
		y := d.y()
		d.stroke(rule)
		d.f.Rect(margin, y, levelW, h, "D")
		d.f.Rect(margin+levelW, y, focusW, h, "D")
		d.f.Rect(margin+levelW+focusW, y, stackW, h, "D")
		d.setFont("B", 8.5)
		d.color(ink)
		d.text(margin+1, y+1, levelW-2, lh, name, "L")
		d.setFont("", 8.5)
		nf := len(d.lines(l.Focus, focusW-2))
		d.text(margin+levelW+1, y+1, focusW-2, lh, focus[:nf], "L")
		d.color(muted)
		d.text(margin+levelW+1, y+1+float64(nf)*lh, focusW-2, lh, focus[nf:], "L")
		d.color(ink)
		d.text(margin+levelW+focusW+1, y+1, stackW-2, lh, stack, "L")
		d.setY(y + h)
	}
	d.setY(d.y() + 3)
}

// tableHeader draws a header row with the given column titles and widths.
func (d *doc) tableHeader(titles []string, widths []float64, align string) {
	const h = 6.0
	d.ensure(h + 8)
	y := d.y()
	x := margin
	d.setFont("B", 8.5)
	d.fill(headerBg)
	d.stroke(rule)
	d.color(ink)
	for i, t := range titles {
		a := align
		if i == 0 {
			a = "L"
		}
		d.f.Rect(x, y, widths[i], h, "FD")
		d.text(x+1, y+1, widths[i]-2, 4, []string{d.tr(t)}, a)
		x += widths[i]
	}
	d.setY(y + h)
}

// matrixColumns are the widths of a category table: skill, one per level,
// what the skill covers.
func (d *doc) matrixColumns() (titles []string, widths []float64) {
	n := max(len(d.m.Levels), 1)
	lw := min(levelMaxW, (d.width-nameW-detailsMinW)/float64(n))
	titles = append(titles, d.msg("col.skill"))
	widths = append(widths, nameW)
	for _, l := range d.m.Levels {
		titles = append(titles, l.ShortName)
		widths = append(widths, lw)
	}
	titles = append(titles, d.msg("pdf.covers"))
	widths = append(widths, d.width-nameW-lw*float64(len(d.m.Levels)))
	return titles, widths
}

type skillRow struct {
	name, desc []string
	h          float64
}

func (d *doc) category(c *model.Category) {
	const lh, descLH = 4.0, 3.4
	titles, widths := d.matrixColumns()
	descW := widths[len(widths)-1]
	rows := make([]skillRow, len(c.Skills))
	total := 0.0
	for i, s := range c.Skills {
		d.setFont("B", 8.5)
		rows[i].name = d.lines(s.Name, nameW-2)
		d.setFont("", 7.5)
		rows[i].desc = d.lines(s.Description, descW-2)
		rows[i].h = max(float64(len(rows[i].name))*lh, float64(len(rows[i].desc))*descLH, 6) + 2
		total += rows[i].h
	}
	d.setFont("", 8)
	catDesc := d.lines(c.Description, d.width)
	head := c.Name + " · " + d.count("count.skills", len(c.Skills)) + " · " + d.count("count.required", c.Required)
	// Keep a category on one page when it fits on one.
	need := 10 + float64(len(catDesc))*3.6 + 6 + total
	if d.y()+need > bottom && need <= bottom-margin {
		d.f.AddPage()
	}
	d.heading(head, 11)
	d.para(c.Description, 8, muted)
	d.tableHeader(titles, widths, "C")
	for i, s := range c.Skills {
		r := rows[i]
		if d.ensure(r.h) {
			d.setFont("B", 9)
			d.color(muted)
			d.text(margin, d.y(), d.width, 5, []string{d.msg("pdf.continued", "Name", c.Name)}, "L")
			d.setY(d.y() + 6)
			d.tableHeader(titles, widths, "C")
		}
		d.skill(&s, r, widths)
	}
	d.details(c)
	d.setY(d.y() + 2)
}

func (d *doc) skill(s *model.Skill, r skillRow, widths []float64) {
	const lh, descLH = 4.0, 3.4
	y, x := d.y(), margin
	d.stroke(rule)
	d.f.Rect(x, y, widths[0], r.h, "D")
	d.setFont("B", 8.5)
	d.color(ink)
	d.text(x+1, y+1, widths[0]-2, lh, r.name, "L")
	x += widths[0]
	for i := range d.m.Levels {
		w := widths[1+i]
		var cell model.Cell
		if i < len(s.Cells) {
			cell = s.Cells[i]
		}
		bg, light := d.heat(cell.Proficiency)
		d.fill(bg)
		d.stroke(rule)
		d.f.Rect(x, y, w, r.h, "FD")
		code, style := cell.Proficiency, ""
		switch {
		case code == "":
			code = "—"
		case cell.Required:
			code += "*"
			style = "B"
			d.frame(x, y, w, r.h)
		}
		d.setFont(style, 9)
		switch {
		case cell.Proficiency == "":
			d.color(muted)
		case light:
			d.color(rgb{255, 255, 255})
		default:
			d.color(ink)
		}
		d.text(x, y+(r.h-lh)/2, w, lh, []string{d.tr(code)}, "C")
		x += w
	}
	w := widths[len(widths)-1]
	d.stroke(rule)
	d.f.Rect(x, y, w, r.h, "D")
	d.setFont("", 7.5)
	d.color(muted)
	d.text(x+1, y+1, w-2, descLH, r.desc, "L")
	d.setY(y + r.h)
}

// details lists the cells of a category that carry a description or
// examples, as the HTML page prints them under each table.
func (d *doc) details(c *model.Category) {
	const lh = 3.4
	first := true
	for _, s := range c.Skills {
		for i, cell := range s.Cells {
			if cell.Description == "" && len(cell.Examples) == 0 {
				continue
			}
			if first {
				d.setY(d.y() + 1.5)
				d.ensure(2 * lh)
				d.setFont("B", 7.5)
				d.color(ink)
				d.text(margin+1, d.y(), d.width, lh, []string{d.msg("pdf.cellDetails")}, "L")
				d.setY(d.y() + lh)
				first = false
			}
			level := cell.Level
			if i < len(d.m.Levels) {
				level = d.m.Levels[i].Name
			}
			what := cell.Proficiency
			if p, ok := d.scale[cell.Proficiency]; ok {
				what += " (" + p.Name + ")"
			}
			if cell.Required {
				what += ", required"
			}
			note := fmt.Sprintf("%s at %s: %s.", s.Name, level, what)
			if cell.Description != "" {
				note += " " + cell.Description
			}
			if len(cell.Examples) > 0 {
				note += " Examples: " + strings.Join(cell.Examples, "; ")
			}
			d.setFont("", 7.5)
			d.color(ink)
			for j, l := range d.lines(note, d.width-8) {
				d.ensure(lh)
				if j == 0 {
					d.text(margin+1, d.y(), 4, lh, []string{d.tr("•")}, "L")
				}
				d.text(margin+4, d.y(), d.width-8, lh, []string{l}, "L")
				d.setY(d.y() + lh)
			}
		}
	}
}

func (d *doc) careerPaths() {
	if len(d.m.CareerPaths) == 0 {
		return
	}
	d.heading(d.msg("heading.careerPaths"), 13)
	for _, p := range d.m.CareerPaths {
		s := d.msg("pdf.toRole", "Role", p.Role)
		if p.FromLevel != "" {
			s += ", from " + d.levelName(p.FromLevel)
		}
		if p.Description != "" {
			s += ": " + p.Description
		}
		d.para(s, 9, ink)
	}
}

func (d *doc) levelName(id string) string {
	for _, l := range d.m.Levels {
		if l.ID == id {
			return l.Name
		}
	}
	return id
}

func (d *doc) changelog() {
	d.heading(d.msg("heading.changelog"), 13)
	if len(d.m.Changelog) == 0 {
		d.para(d.msg("changelog.none"), 9, muted)
		return
	}
	widths := []float64{38, 70, d.width - 38 - 70 - 40 - 20, 40, 20}
	titles := []string{d.msg("col.applied"), d.msg("col.proposal"), d.msg("col.title"), d.msg("col.author"), d.msg("col.generation")}
	d.tableHeader(titles, widths, "L")
	d.setFont("", 8)
	for _, e := range d.m.Changelog {
		cols := []string{e.AppliedAt.UTC().Format("2006-01-02 15:04"), e.Proposal, e.Title, e.Author, strconv.FormatInt(e.Generation, 10)}
		wrapped := make([][]string, len(cols))
		n := 1
		for i, c := range cols {
			wrapped[i] = d.lines(c, widths[i]-2)
			n = max(n, len(wrapped[i]))
		}
		h := float64(n)*3.6 + 2
		if d.ensure(h) {
			d.tableHeader(titles, widths, "L")
			d.setFont("", 8)
		}
		y, x := d.y(), margin
		d.color(ink)
		for i := range cols {
			d.stroke(rule)
			d.f.Rect(x, y, widths[i], h, "D")
			d.text(x+1, y+1, widths[i]-2, 3.6, wrapped[i], "L")
			x += widths[i]
		}
		d.setY(y + h)
	}
}

func roleName(m *model.RoleMatrix) string {
	if m.Namespace == "" {
		return m.Name
	}
	return m.Namespace + "/" + m.Name
}
