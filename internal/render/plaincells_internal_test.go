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
	"html/template"
	"strings"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
)

// inPlaceCells is the page's cell loop as it was before plainCells: every
// cell through the page's template where it stands.
const inPlaceCells = `{{- range .Cells}}
{{- if not .Code}}
<td class="none"><span aria-hidden="true">—</span><span class="vh">{{$.T.S "word.notStated"}}</span></td>
{{- else if .HasDetails}}
<td class="more {{.Tint}}{{if .Required}} req{{end}}{{if .End}} end{{end}}"><details><summary>{{template "code" .}}</summary><div class="pop"><p class="head">{{$skill}} · {{.Level.Name}}: {{.Name}}{{if .Required}}, {{$.T.S "word.required"}}{{end}}</p>{{if .Description}}<p>{{.Description}}</p>{{end}}{{if .Examples}}<ul>{{range .Examples}}<li>{{.}}</li>{{end}}</ul>{{end}}</div></details></td>
{{- else}}
<td class="{{.Tint}}{{if .Required}} req{{end}}">{{template "code" .}}</td>
{{- end}}
{{- end}}`

// TestPlainCellsAsInPlace: a page whose plain cells are rendered once each
// and inserted is byte for byte the page that renders every cell in place,
// markup, quotes and empty codes included.
func TestPlainCellsAsInPlace(t *testing.T) {
	start := strings.Index(matrixHTMLSource, "{{- range .Segments}}\n{{- if .Run}}")
	end := strings.Index(matrixHTMLSource[start:], "{{- end}}{{end}}\n{{- end}}")
	if start < 0 || end < 0 {
		t.Fatal("the page's cell loop is not where this test looks for it")
	}
	end += start + len("{{- end}}{{end}}\n{{- end}}")
	inPlace := template.Must(template.New("matrix.html").Parse(matrixHTMLSource[:start] + inPlaceCells + matrixHTMLSource[end:]))

	hostile := `<b>"A&B"</b> 'x' +1 {{.}} </td><script>alert(1)</script>`
	m := &model.RoleMatrix{
		Name: "r", DisplayName: "R", MatrixName: "m",
		Levels: []model.Level{{ID: "j", Name: "Junior", ShortName: "J"}, {ID: "m", Name: hostile, ShortName: "M<"}, {ID: "s", Name: "Senior", ShortName: "S"}},
		Scale: []model.Proficiency{{ID: "A", Name: "Aware", Rank: 0}, {ID: "W", Name: hostile, Rank: 1},
			{ID: `"E"`, Name: "Expert & more", Rank: 2}},
		Categories: []model.Category{{ID: "c", Name: hostile, Skills: []model.Skill{
			{ID: "s1", Name: hostile, Cells: []model.Cell{{Level: "j", Proficiency: "A"}, {Level: "m", Proficiency: "W", Required: true},
				{Level: "s", Proficiency: `"E"`, Required: true}}},
			{ID: "s2", Name: "two", Description: hostile, Cells: []model.Cell{{Level: "j", Proficiency: ""},
				{Level: "m", Proficiency: "W", Required: true, Description: hostile, Examples: []string{hostile}},
				{Level: "s", Proficiency: "", Description: "details of an empty cell"}}},
			{ID: "s3", Name: "three", Cells: []model.Cell{{Level: "j", Proficiency: "unknown<code>"}, {Level: "m", Proficiency: "W"},
				{Level: "s", Proficiency: "A", Required: true}}},
		}}},
	}
	for _, locale := range []string{"en", "zh-CN"} {
		m.Locale = locale
		got, err := HTML(m)
		if err != nil {
			t.Fatal(err)
		}
		v, err := htmlViewOf(m, messagesFor(m.Locale))
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := inPlace.Execute(&want, v); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			i := 0
			for i < len(got) && i < want.Len() && got[i] == want.Bytes()[i] {
				i++
			}
			t.Fatalf("%s: the page differs from rendering in place at byte %d:\n got %q\nwant %q", locale, i,
				got[max(0, i-80):min(len(got), i+80)], want.Bytes()[max(0, i-80):min(want.Len(), i+80)])
		}
		if strings.Contains(string(got), "<script>alert") {
			t.Fatalf("%s: raw markup from user text", locale)
		}
	}
}
