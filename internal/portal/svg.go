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

package portal

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// The career-path graph as SVG, laid out here and drawn by the template
// paths.svg: a row per Role (by family, then name), a box per level, and an
// arrow per career path from the level it starts at to the same level of
// the next Role. A path to a Role the SkillMatrix does not have ends at a
// dashed row of its own, as the catalog marks it Missing.
const (
	svgLabelWidth = 220
	svgColumn     = 92
	svgBoxWidth   = 76
	svgBoxHeight  = 26
	svgRowHeight  = 48
	svgTop        = 44
	svgBend       = 36
	// svgLabelRunes is how much of a Role's name fits left of the boxes.
	svgLabelRunes = 26
)

type pathsView struct {
	// ID prefixes the SVG's ids, so several graphs can share a page.
	ID            string
	Title         string
	Width, Height int
	Levels        []svgText
	Rows          []svgRow
	Edges         []svgEdge
	Empty         bool
}

type svgText struct {
	X, Y  int
	Text  string
	Title string
}

type svgRow struct {
	// Label is Title cut to fit the label column.
	Label, Title, URL string
	X, Y              int
	Missing           bool
	Boxes             []svgBox
}

type svgBox struct {
	X, Y, W, H int
	Text       string
	Title      string
	TextX      int
	TextY      int
}

type svgEdge struct {
	D, Title string
	Missing  bool
}

func layoutPaths(t translator, c *model.Catalog, ns string) pathsView {
	roles := slices.Clone(c.Roles)
	slices.SortStableFunc(roles, func(a, b model.CatalogRole) int {
		return cmp.Or(cmp.Compare(boolRank(a.Family == ""), boolRank(b.Family == "")), cmp.Compare(a.Family, b.Family),
			cmp.Compare(a.Name, b.Name))
	})
	v := pathsView{ID: "paths-" + c.Name, Empty: len(roles) == 0, Title: t.T("portal.paths.title")}
	levelIndex := map[string]int{}
	for j, l := range c.Levels {
		levelIndex[l.ID] = j
		v.Levels = append(v.Levels, svgText{X: svgLabelWidth + j*svgColumn + svgBoxWidth/2, Y: svgTop - 14,
			Text: l.ShortName, Title: l.Name})
	}
	rowOf := map[string]int{}
	addRow := func(label, title, url string, missing bool) int {
		i := len(v.Rows)
		y := svgTop + i*svgRowHeight
		row := svgRow{Label: text.TruncateRunes(label, svgLabelRunes), Title: title, URL: url, X: 8,
			Y: y + svgBoxHeight/2 + 5, Missing: missing}
		if !missing {
			for j, l := range c.Levels {
				x := svgLabelWidth + j*svgColumn
				row.Boxes = append(row.Boxes, svgBox{X: x, Y: y, W: svgBoxWidth, H: svgBoxHeight, Text: l.ShortName,
					Title: label + ", " + l.Name, TextX: x + svgBoxWidth/2, TextY: y + svgBoxHeight/2 + 5})
			}
		}
		v.Rows = append(v.Rows, row)
		return i
	}
	for _, r := range roles {
		label := cmp.Or(r.DisplayName, r.Name)
		rowOf[r.Name] = addRow(label, label, roleURL(ns, r.Name), false)
	}
	for _, p := range c.Paths {
		if _, ok := rowOf[p.To]; !ok {
			rowOf[p.To] = addRow(t.T("portal.paths.missing", "Role", p.To), t.T("portal.paths.missingTitle", "Role", p.To), "", true)
		}
	}
	for _, p := range c.Paths {
		v.Edges = append(v.Edges, edge(t, p, rowOf[p.From], rowOf[p.To], levelIndex, len(c.Levels)))
	}
	v.Width = svgLabelWidth + max(len(c.Levels), 1)*svgColumn + svgBend + 16
	v.Height = svgTop + max(len(v.Rows), 1)*svgRowHeight
	return v
}

// edge is the arrow of one career path: from the right edge of the level it
// starts at (the top level when the path names none) to the same place one
// row further, bending right so arrows between far rows stay apart.
func edge(t translator, p model.PathEdge, from, to int, levelIndex map[string]int, levels int) svgEdge {
	j, ok := levelIndex[p.FromLevel]
	if !ok {
		j = max(levels-1, 0)
	}
	x := svgLabelWidth + j*svgColumn + svgBoxWidth
	y1 := svgTop + from*svgRowHeight + svgBoxHeight/2
	y2 := svgTop + to*svgRowHeight + svgBoxHeight/2
	bend := svgBend / 2 * (1 + min(abs(to-from), 3))
	title := p.From + " → " + p.To
	if p.FromLevel != "" {
		title += " " + t.T("portal.paths.fromLevel", "Level", p.FromLevel)
	}
	if p.Description != "" {
		title += ": " + p.Description
	}
	return svgEdge{D: fmt.Sprintf("M%d %d C%d %d %d %d %d %d", x, y1, x+bend, y1, x+bend, y2, x+4, y2),
		Title: title, Missing: p.Missing}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// pathsSVG serves a SkillMatrix's career paths as an SVG document.
func (s *Server) pathsSVG(r *http.Request) (page, error) {
	matrix, err := s.matrixOf(r)
	if err != nil {
		return page{}, err
	}
	c, err := s.catalogOf(r, matrix)
	if err != nil {
		return page{}, err
	}
	var buf bytes.Buffer
	// The XML declaration is written here: html/template would escape it as
	// text (&lt;?xml), and browsers refuse the file then.
	buf.WriteString(xml.Header)
	t := translator{locale: requestLocale(r)}
	if err := s.template(r).ExecuteTemplate(&buf, "paths.svg.html", layoutPaths(t, c, matrix.Namespace)); err != nil {
		return page{}, err
	}
	p := contentPage(buf.Bytes(), "image/svg+xml; charset=utf-8", s.modified(matrix.Namespace))
	return p, nil
}
