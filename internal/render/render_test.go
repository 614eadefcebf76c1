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

package render_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden from the current output")

var allFormats = []v1.RenderFormat{v1.FormatJSON, v1.FormatMarkdown, v1.FormatCSV, v1.FormatHTML}

func TestGolden(t *testing.T) {
	m := sampleModel(t)
	role, err := render.Role(m, render.Options{Formats: allFormats, Locales: []v1.Locale{"en", "zh-CN"}})
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := render.Catalog(sampleCatalog(t))
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string][]byte{}
	maps.Copy(outputs, role)
	maps.Copy(outputs, catalog)
	want := []string{render.KeyJSON, render.KeyMarkdown, render.KeyCSV, render.KeyHTML, render.KeyCatalogJSON, render.KeyCatalogMarkdown,
		"matrix.zh-CN.json", "matrix.zh-CN.md", "matrix.zh-CN.csv", "matrix.zh-CN.html"}
	if got := slices.Sorted(maps.Keys(outputs)); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
		t.Fatalf("keys = %v, want %v", got, want)
	}
	for _, key := range want {
		t.Run(key, func(t *testing.T) {
			path := filepath.Join("testdata", "golden", "mlops-engineer", key)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, outputs[key], 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			golden, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run `go test ./internal/render/ -run TestGolden -update` to create it)", err)
			}
			if !bytes.Equal(outputs[key], golden) {
				t.Errorf("%s differs from %s; if the change is intended, rerun with -update and review the diff.\n%s",
					key, path, firstDiff(outputs[key], golden))
			}
		})
	}
}

func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + gl + "\nwant: " + wl
		}
	}
	return ""
}

func TestJSONSchema(t *testing.T) {
	out, err := render.JSON(sampleModel(t))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, []byte("{\n  \"schemaVersion\": \""+render.SchemaVersion+"\",\n")) {
		t.Errorf("schemaVersion must be the first field, got %.80q", out)
	}
	if !bytes.HasSuffix(out, []byte("}\n")) {
		t.Error("matrix.json must end with a newline")
	}
	var doc struct {
		Role struct {
			Name, DisplayName, Family string
		}
		Summary struct {
			Skills, Levels, Categories, Requirements, Required int
			KeyAreas                                           []string
		}
		Levels []struct {
			ShortName, Focus string
			TechStack        []string
		}
		Categories []struct {
			Skills []struct {
				Cells []struct {
					Level, Proficiency string
					Required           bool
					Examples           []string
				}
			}
		}
		Changelog []struct{ Proposal string }
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	s := doc.Summary
	if s.Skills != 56 || s.Levels != 5 || s.Categories != 13 || s.Requirements != 280 || s.Required != 123 {
		t.Errorf("summary = %+v", s)
	}
	if !slices.Equal(s.KeyAreas, []string{"Programming Fundamentals", "Backend Development", "Database Management"}) {
		t.Errorf("keyAreas = %v", s.KeyAreas)
	}
	if doc.Role.Name != "mlops-engineer" || doc.Role.DisplayName != "MLOps Engineer" || len(doc.Levels) != 5 || doc.Levels[4].ShortName != "Princ" {
		t.Errorf("role/levels = %+v %+v", doc.Role, doc.Levels)
	}
	if len(doc.Changelog) != 1 || doc.Changelog[0].Proposal != "mlops-engineer-principal-llm-stack" {
		t.Errorf("changelog = %+v", doc.Changelog)
	}
}

func TestRoleFormats(t *testing.T) {
	m := sampleModel(t)
	tests := []struct {
		name    string
		formats []v1.RenderFormat
		keys    []string
	}{
		{"nothing asked still gives JSON", nil, []string{render.KeyJSON}},
		{"JSON added when absent", []v1.RenderFormat{v1.FormatCSV}, []string{render.KeyCSV, render.KeyJSON}},
		{"duplicates ignored", []v1.RenderFormat{v1.FormatMarkdown, v1.FormatMarkdown, v1.FormatJSON}, []string{render.KeyJSON, render.KeyMarkdown}},
		{"all four", allFormats, []string{render.KeyCSV, render.KeyHTML, render.KeyJSON, render.KeyMarkdown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := render.Role(m, render.Options{Formats: tt.formats})
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Sorted(maps.Keys(out)); !slices.Equal(got, tt.keys) {
				t.Errorf("keys = %v, want %v", got, tt.keys)
			}
			for k, v := range out {
				if len(v) == 0 {
					t.Errorf("%s is empty", k)
				}
			}
		})
	}
	if _, err := render.Role(m, render.Options{Formats: []v1.RenderFormat{"pdf"}}); err == nil {
		t.Error("an unknown format must be an error")
	}
}

func TestDeterministic(t *testing.T) {
	// Two models built from two separate loads: nothing may depend on map
	// order, pointer identity or the clock.
	a, err := render.Role(sampleModel(t), render.Options{Formats: allFormats})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		b, err := render.Role(sampleModel(t), render.Options{Formats: allFormats})
		if err != nil {
			t.Fatal(err)
		}
		for k := range a {
			if !bytes.Equal(a[k], b[k]) {
				t.Errorf("%s differs between two renders of the same input", k)
			}
		}
	}
	c1, err := render.Catalog(sampleCatalog(t))
	if err != nil {
		t.Fatal(err)
	}
	c2, err := render.Catalog(sampleCatalog(t))
	if err != nil {
		t.Fatal(err)
	}
	for k := range c1 {
		if !bytes.Equal(c1[k], c2[k]) {
			t.Errorf("%s differs between two renders of the same input", k)
		}
	}
}

func TestNilModels(t *testing.T) {
	if _, err := render.Role(nil, render.Options{Formats: allFormats}); err != nil {
		t.Fatal(err)
	}
	if _, err := render.Catalog(nil); err != nil {
		t.Fatal(err)
	}
	empty, err := render.Role(model.BuildRole(nil, nil), render.Options{Formats: allFormats})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(empty[render.KeyMarkdown], []byte("No proposals applied yet.")) ||
		!bytes.Contains(empty[render.KeyHTML], []byte("No proposals applied yet.")) {
		t.Error("an empty changelog must say so")
	}
	if !json.Valid(empty[render.KeyJSON]) || bytes.Contains(empty[render.KeyJSON], []byte("null")) {
		t.Errorf("empty matrix.json must be valid and use [] rather than null:\n%s", empty[render.KeyJSON])
	}
}

// Hostile strings a user can put in any text field of a Role or SkillMatrix.
var hostile = []string{
	`He said "hi", then left`,
	"comma, separated, values",
	"line one\nline two\n\nline four",
	"<script>alert(1)</script>",
	`"><img src=x onerror=alert(1)>`,
	`'><svg onload=alert(1)>`,
	"pipe | in | text and a \\ backslash \\| before one",
	"Ünïcødé — 日本語 · emoji 🚀 · RTL עברית",
	"=HYPERLINK(\"http://x\",\"y\")",
	"# not a heading\n- not a list\n> not a quote",
	"*bold* _em_ `code` [link](http://x) ~~strike~~",
	"tab\tand trailing space ",
	"1. not a list\n2) nor this\n===",
	"",
}

// hostileRole puts the hostile strings into every text field of a small Role:
// one skill per string, each cell and level carrying it too.
func hostileRole() (*v1.SkillMatrix, *v1.Role) {
	matrix := &v1.SkillMatrix{Spec: v1.SkillMatrixSpec{
		Levels: []v1.Level{
			{ID: "one", Name: hostile[4], ShortName: "1|<b>"},
			{ID: "two", Name: hostile[3]},
		},
		Proficiencies: []v1.Proficiency{{ID: "A", Name: hostile[4], Description: hostile[3]}, {ID: "E", Name: "Expert"}},
	}}
	matrix.Name = "hostile"
	role := &v1.Role{Spec: v1.RoleSpec{
		MatrixRef:   "hostile",
		DisplayName: hostile[3],
		Family:      hostile[4],
		Summary:     strings.Join(hostile, "\n"),
		Levels: []v1.RoleLevel{
			{Level: "one", Focus: hostile[9], TechStack: hostile[:4]},
			{Level: "two", Focus: hostile[3], TechStack: []string{hostile[4]}},
		},
		CareerPaths: []v1.CareerPath{{Role: "next", FromLevel: "one", Description: hostile[4]}},
	}}
	role.Name = "hostile-role"
	cat := v1.Category{ID: "cat", Name: hostile[4], Description: hostile[3]}
	for i, h := range hostile {
		id := v1.ID("skill-" + string(rune('a'+i)))
		cat.Skills = append(cat.Skills, v1.Skill{ID: id, Name: h, Description: h})
		examples := []string{h, "plain"}
		if h == "" {
			examples = nil
		}
		role.Spec.Skills = append(role.Spec.Skills, v1.SkillRequirement{ID: id, Cells: []v1.Cell{
			{Level: "one", Proficiency: "A", Required: true, Description: h, Examples: examples},
			{Level: "two", Proficiency: "E", Description: h},
		}})
	}
	matrix.Spec.Categories = []v1.Category{cat}
	role.Status.History = []v1.AppliedProposal{{Name: "p", UID: "u", Title: hostile[3], Author: v1.Username(hostile[4])}}
	return matrix, role
}

func TestCSVRoundTrip(t *testing.T) {
	m := model.BuildRole(hostileRole())
	out, err := render.CSV(m)
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("matrix.csv does not parse: %v\n%s", err, out)
	}
	wantHeader := []string{"category_id", "category_name", "skill_id", "skill_name",
		"one", "one_required", "two", "two_required",
		"one_description", "one_examples", "two_description", "two_examples"}
	if !slices.Equal(records[0], wantHeader) {
		t.Errorf("header = %q\nwant     %q", records[0], wantHeader)
	}
	skills := m.Categories[0].Skills
	if len(records) != 1+len(skills) {
		t.Fatalf("%d records, want header + %d skills", len(records), len(skills))
	}
	for i, s := range skills {
		want := []string{"cat", hostile[4], s.ID, s.Name,
			"A", "true", "E", "false",
			s.Cells[0].Description, strings.Join(s.Cells[0].Examples, "\n"), s.Cells[1].Description, ""}
		if got := records[i+1]; !slices.Equal(got, want) {
			t.Errorf("row %d = %q\nwant   %q", i+1, got, want)
		}
		if s.Name != hostile[i] {
			t.Errorf("row %d: the model changed the skill name %q to %q", i+1, hostile[i], s.Name)
		}
	}
}

func TestHTMLEscaping(t *testing.T) {
	out, err := render.HTML(model.BuildRole(hostileRole()))
	if err != nil {
		t.Fatal(err)
	}
	page := string(out)
	for _, raw := range []string{"<script>alert", "<img", "<svg", "<b>", "onerror=alert(1)>"} {
		if strings.Contains(page, raw) {
			i := strings.Index(page, raw)
			t.Errorf("raw %q from user input in matrix.html: …%s…", raw, page[max(0, i-60):min(len(page), i+60)])
		}
	}
	for _, escaped := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;", "日本語 · emoji 🚀"} {
		if !strings.Contains(page, escaped) {
			t.Errorf("matrix.html lacks %q", escaped)
		}
	}
	for _, must := range []string{`<html lang="en">`, "<caption>", `<th scope="col">`, `<th scope="row"`, "@media print", "<details>"} {
		if !strings.Contains(page, must) {
			t.Errorf("matrix.html lacks %q", must)
		}
	}
	// Self-contained: nothing is fetched from anywhere (the page's own inline
	// script and data: icon are checked in calculator_test.go).
	for _, external := range []string{"<script src", `<link rel="stylesheet"`, `src="`, `href="http`, "url(", "@import"} {
		if strings.Contains(page, external) {
			t.Errorf("matrix.html references an external resource via %q", external)
		}
	}
}

func TestMarkdownEscaping(t *testing.T) {
	m := model.BuildRole(hostileRole())
	out := string(render.Markdown(m))
	for _, want := range []string{
		`pipe \| in \| text and a \\ backslash \\\| before one`,
		`\# not a heading<br>\- not a list<br>\> not a quote`,
		`1\. not a list<br>2\) nor this<br>\===`,
		"\\*bold\\* \\_em\\_ \\`code\\` \\[link\\](http://x) \\~\\~strike\\~\\~",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("matrix.md lacks the escaped form %s", want)
		}
	}
	// Every row of the category table must have exactly skill + 2 level
	// columns: an unescaped | or a raw newline would add or split cells.
	inTable := false
	rows := 0
	for line := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(line, "| Skill |") {
			inTable = true
		}
		if !inTable {
			continue
		}
		if line == "" {
			break
		}
		if n := cellCount(line); n != 3 {
			t.Errorf("table row has %d cells, want 3: %s", n, line)
		}
		rows++
	}
	if rows != 2+len(hostile) {
		t.Errorf("category table has %d lines, want %d", rows, 2+len(hostile))
	}
	for _, bad := range []string{"\n# not a heading", "\n- not a list", "\n> not a quote", `\\>`, `\1`} {
		if strings.Contains(out, bad) {
			t.Errorf("matrix.md contains unescaped %q", bad)
		}
	}
	if raw := regexp.MustCompile(`(^|[^\\])<(script|img|svg|b>)`).FindString(out); raw != "" {
		t.Errorf("matrix.md contains raw HTML from user input: %q", raw)
	}
}

// cellCount counts the cells of a Markdown table row: the pipes that are not
// backslash-escaped, minus the leading one.
func cellCount(line string) int {
	n, backslashes := 0, 0
	for _, r := range line {
		switch {
		case r == '\\':
			backslashes++
			continue
		case r == '|' && backslashes%2 == 0:
			n++
		}
		backslashes = 0
	}
	return n - 1
}

func TestMarkdownSample(t *testing.T) {
	out := string(render.Markdown(sampleModel(t)))
	for _, want := range []string{
		"# MLOps Engineer\n",
		"**56 skills · 5 levels · 13 categories · 123 required · 280 requirements**",
		"**Key areas:** Programming Fundamentals, Backend Development, Database Management",
		"| **A** | Awareness | Knows what the skill is",
		"| Skill | Jun | Mid | Sen | Lead | Princ |",
		"### Backend Development · 5 skills · ",
		"| Docker | **A**\\* | **W**\\* | **A**\\* |",
		"| 2026-03-02 14:30 | `mlops-engineer-principal-llm-stack` |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("matrix.md lacks %q", want)
		}
	}
}
