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
	"regexp"
	"slices"
	"strings"
	"testing"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
)

// Markers fence every fuzzed string in the HTML check. They are plain
// letters, which html/template never escapes, so whatever lies between an
// opening and a closing marker in the page came from user input.
const (
	openMark  = "QZXOPEN"
	closeMark = "QZXCLOSE"
)

// fuzzRole puts the four fuzzed strings into every text field of a two-level,
// two-skill Role, each wrapped by wrap.
func fuzzRole(name, desc, example, focus string, wrap func(string) string) (*v1.SkillMatrix, *v1.Role) {
	matrix := &v1.SkillMatrix{Spec: v1.SkillMatrixSpec{
		DisplayName: wrap(name),
		Levels: []v1.Level{
			{ID: "one", Name: wrap(name), ShortName: wrap(focus), Description: wrap(desc)},
			{ID: "two", Name: "Two"},
		},
		Proficiencies: []v1.Proficiency{{ID: "A", Name: wrap(name), Description: wrap(desc)}, {ID: "E", Name: "Expert"}},
		Categories: []v1.Category{{ID: "cat", Name: wrap(name), Description: wrap(desc), Skills: []v1.Skill{
			{ID: "first", Name: wrap(name), Description: wrap(desc)},
			{ID: "second", Name: "Second"},
		}}},
	}}
	matrix.Name = "fuzz"
	role := &v1.Role{Spec: v1.RoleSpec{
		MatrixRef:   "fuzz",
		DisplayName: wrap(name),
		Family:      wrap(focus),
		Summary:     wrap(desc),
		Levels:      []v1.RoleLevel{{Level: "one", Focus: wrap(focus), TechStack: []string{wrap(example), "Go"}}},
		Skills: []v1.SkillRequirement{
			{ID: "first", Cells: []v1.Cell{
				{Level: "one", Proficiency: "A", Required: true, Description: wrap(desc), Examples: []string{wrap(example), wrap(name)}},
				{Level: "two", Proficiency: "E", Description: wrap(focus)},
			}},
			{ID: "second", Cells: []v1.Cell{{Level: "two", Proficiency: "A", Examples: []string{wrap(example)}}}},
		},
		CareerPaths: []v1.CareerPath{{Role: "next", FromLevel: "one", Description: wrap(desc)}},
		// The zh-CN texts are the same hostile strings, so the localized
		// renders are fuzzed too.
		Translations: []v1.RoleTranslation{{Locale: "zh-CN", DisplayName: wrap(name) + "工程师", Summary: wrap(desc),
			Levels: []v1.RoleLevelTranslation{{Level: "one", Focus: wrap(focus)}},
			Cells:  []v1.CellTranslation{{Skill: "first", Level: "one", Description: wrap(example), Examples: []string{wrap(desc)}}}}},
	}}
	role.Name = "fuzz-role"
	role.Status.History = []v1.AppliedProposal{{Name: "p", UID: "u", Title: wrap(name), Author: v1.Username(wrap(example))}}
	return matrix, role
}

func FuzzRender(f *testing.F) {
	for _, h := range hostile {
		f.Add(h, h, h, h)
	}
	f.Add("MLOps Engineer", "Automating the ML model lifecycle.", "Builds the inference image", "Setting up ML pipelines.")
	f.Add("a\r\nb", "c\rd", "e\n", "\r")
	f.Add("</table>", "<!--", "]]>", "<details open>")
	f.Add("\x00\xff\xfe", "\u2028\u2029", "\ufeff", "\u202e")

	f.Fuzz(func(t *testing.T, name, desc, example, focus string) {
		m := model.BuildRole(fuzzRole(name, desc, example, focus, func(s string) string { return s }))
		if len(name)%2 == 1 {
			m = m.Localized("zh-CN")
		}

		// JSON is valid JSON.
		data, err := render.JSON(m)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(data) {
			t.Fatalf("matrix.json is not valid JSON:\n%s", data)
		}

		// CSV parses back to the model's strings.
		data, err = render.CSV(m)
		if err != nil {
			t.Fatal(err)
		}
		records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatalf("matrix.csv does not parse: %v\n%q", err, data)
		}
		if len(records) != 3 {
			t.Fatalf("matrix.csv has %d records, want 3:\n%q", len(records), data)
		}
		first := m.Categories[0].Skills[0]
		want := []string{"cat", m.Categories[0].Name, "first", first.Name,
			"A", "true", "E", "false",
			first.Cells[0].Description, strings.Join(first.Cells[0].Examples, "\n"), first.Cells[1].Description, ""}
		for i := range want {
			if records[1][i] != want[i] {
				t.Fatalf("matrix.csv column %d = %q, want %q", i, records[1][i], want[i])
			}
		}

		// Markdown renders, and the category table keeps its shape.
		lines := strings.Split(string(render.Markdown(m)), "\n")
		k := slices.Index(lines, "| --- | :-: | :-: |")
		if k < 1 || k+2 >= len(lines) {
			t.Fatalf("matrix.md has no category table:\n%s", strings.Join(lines, "\n"))
		}
		for _, line := range []string{lines[k-1], lines[k+1], lines[k+2]} {
			if n := cellCount(line); n != 3 {
				t.Fatalf("table row has %d cells, want 3: %q", n, line)
			}
		}

		// The catalog: JSON is valid and no label escapes the Mermaid block.
		matrix, role := fuzzRole(name, desc, example, focus, func(s string) string { return s })
		catalog, err := render.Catalog(model.BuildCatalog(matrix, []v1.Role{*role}))
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(catalog[render.KeyCatalogJSON]) {
			t.Fatalf("catalog.json is not valid JSON:\n%s", catalog[render.KeyCatalogJSON])
		}
		checkMermaid(t, string(catalog[render.KeyCatalogMarkdown]))

		// HTML: no raw markup from user input. Render again with every string
		// fenced by markers and check what lies between them.
		if strings.Contains(name+desc+example+focus, "QZX") {
			return
		}
		fenced := model.BuildRole(fuzzRole(name, desc, example, focus, func(s string) string { return openMark + s + closeMark }))
		data, err = render.HTML(fenced)
		if err != nil {
			t.Fatal(err)
		}
		page := string(data)
		for rest := page; ; {
			i := strings.Index(rest, openMark)
			if i < 0 {
				break
			}
			rest = rest[i+len(openMark):]
			j := strings.Index(rest, closeMark)
			if j < 0 {
				t.Fatalf("unterminated user string in matrix.html: %q", rest[:min(len(rest), 80)])
			}
			if user := rest[:j]; strings.ContainsAny(user, `<>"'`) {
				t.Fatalf("raw markup character from user input in matrix.html: %q", user)
			}
			rest = rest[j+len(closeMark):]
		}
		if !strings.Contains(page, openMark) {
			t.Fatal("the fenced strings do not appear in matrix.html")
		}
	})
}

var (
	mermaidNode = regexp.MustCompile(`^  n[0-9]+\["[^"` + "`" + `]*"\]$`)
	mermaidEdge = regexp.MustCompile(`^  n[0-9]+ -->(\|"[^"` + "`" + `|]*"\|)? n[0-9]+$`)
)

// checkMermaid asserts the graph block holds only the lines the renderer
// writes: user text must not add a line, end a label or close the fence.
func checkMermaid(t *testing.T, md string) {
	t.Helper()
	_, block, ok := strings.Cut(md, "```mermaid\ngraph LR\n")
	if !ok {
		t.Fatalf("catalog.md has no mermaid graph:\n%s", md)
	}
	block, _, ok = strings.Cut(block, "\n```\n")
	if !ok {
		t.Fatalf("the mermaid block is not closed:\n%s", md)
	}
	for line := range strings.SplitSeq(block, "\n") {
		if !mermaidNode.MatchString(line) && !mermaidEdge.MatchString(line) && !strings.HasPrefix(line, "  class") {
			t.Fatalf("unexpected line in the mermaid block: %q", line)
		}
	}
}
