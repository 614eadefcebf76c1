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
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/assess"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
)

// The level calculator of matrix.html: a small script (calculator.js) that
// evaluates internal/assess's rules over a table the page embeds as JSON,
// generated here from assess.Compile. The page allows exactly its own style
// and script by hash in a Content-Security-Policy, so it makes no request
// and runs nothing else, even if some text escaped its escaping.

//go:embed calculator.js
var calculatorScript string

//go:embed matrix.css
var matrixCSS string

// calcTable is the page's copy of an assess.Table, kept small: levels as
// [id, name, shortName], the scale as [id, name], and skills as
// [id, name, category index, cells] with a cell being rank*2+required, or -1
// where nothing counts.
type calcTable struct {
	Role       string      `json:"role"`
	Threshold  int         `json:"threshold"`
	Weight     int         `json:"weight"`
	Levels     [][3]string `json:"levels"`
	Scale      [][2]string `json:"scale"`
	Categories []string    `json:"categories"`
	Skills     [][4]any    `json:"skills"`
	// Text is every sentence the script shows, with {0}, {1}... for values,
	// so the page's words come from Go like the rest of the page's.
	Text map[string]string `json:"text"`
}

// calculatorKeys are the script's keys of its sentences; each comes from
// the catalog as calc.<key> (calc.linkName for "link", which the page's
// link button already uses).
var calculatorKeys = []string{"you", "pick", "none", "noneMark", "below", "top", "ready", "noGaps", "gaps", "unmet", "summary", "summaryTop", "cell", "required", "details", "ignored", "pasted", "link", "offScale", "notAMap", "twice", "tooLong", "notOne", "columns", "noSkill", "nothing", "csvOpenQuote", "csvQuote", "csvBareQuote", "bar", "barTop", "barDetails", "rateFirst"}

// calculatorText is the script's sentences in the page's locale. The
// ratings-file messages say what internal/assess's do.
func calculatorText(t *messages) map[string]string {
	out := make(map[string]string, len(calculatorKeys))
	for _, k := range calculatorKeys {
		id := "calc." + k
		if k == "link" {
			id = "calc.linkName"
		}
		out[k] = t.S(id)
	}
	return out
}

// calculatorData is the JSON the script reads, safe inside a <script>
// element: no <, >, &, quote or apostrophe appears raw in it.
func calculatorData(m *model.RoleMatrix, t *assess.Table, threshold int, sentences map[string]string) (template.JS, error) {
	ct := calcTable{Role: m.Name, Threshold: threshold, Weight: assess.RequiredWeight,
		Levels: [][3]string{}, Scale: [][2]string{}, Categories: []string{}, Skills: [][4]any{}, Text: sentences}
	for _, l := range t.Levels {
		ct.Levels = append(ct.Levels, [3]string{l.ID, l.Name, l.ShortName})
	}
	for _, p := range t.Scale {
		ct.Scale = append(ct.Scale, [2]string{p.ID, p.Name})
	}
	category := map[string]int{}
	for _, s := range t.Skills {
		c, ok := category[s.CategoryID]
		if !ok {
			c = len(ct.Categories)
			category[s.CategoryID] = c
			ct.Categories = append(ct.Categories, s.CategoryName)
		}
		cells := make([]int, len(s.Cells))
		for i, e := range s.Cells {
			cells[i] = -1
			if e.Rank != assess.NotCounted {
				cells[i] = e.Rank * 2
				if e.Required {
					cells[i]++
				}
			}
		}
		ct.Skills = append(ct.Skills, [4]any{s.ID, s.Name, c, cells})
	}
	data, err := json.Marshal(ct)
	if err != nil {
		return "", fmt.Errorf("calculator data: %w", err)
	}
	// #nosec G203 -- scriptSafe leaves no character that could end the element or a string.
	return template.JS(scriptSafe(data)), nil
}

// scriptSafe rewrites the quote and the apostrophe inside JSON strings as
// \u escapes; encoding/json has already escaped <, >, & and U+2028/U+2029.
// What is left cannot close the script element, open a comment or be taken
// for markup by anything that scans the page.
func scriptSafe(data []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(data) + len(data)/16)
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case !inString:
			inString = c == '"'
			out.WriteByte(c)
		case c == '\\' && i+1 < len(data) && data[i+1] == '"':
			out.WriteString(`\u0022`)
			i++
		case c == '\\' && i+1 < len(data):
			out.WriteByte(c)
			out.WriteByte(data[i+1])
			i++
		case c == '\'':
			out.WriteString(`\u0027`)
		case c == '"':
			inString = false
			out.WriteByte(c)
		default:
			out.WriteByte(c)
		}
	}
	return out.Bytes()
}

// contentSecurityPolicy allows the page its own inline style and script, by
// hash, and a data: icon; nothing else, so nothing is fetched.
func contentSecurityPolicy(script, style string) string {
	return fmt.Sprintf("default-src 'none'; script-src %s; style-src %s; img-src data:; base-uri 'none'; form-action 'none'",
		sourceHash(script), sourceHash(style))
}

func sourceHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// htmlWarning is an assess.Warning as the page shows it.
type htmlWarning struct {
	Lower, Higher string
	Skills        int
	Drops         []assess.Drop
}

func htmlWarnings(t *assess.Table) []htmlWarning {
	out := make([]htmlWarning, 0, len(t.Warnings))
	for _, w := range t.Warnings {
		out = append(out, htmlWarning{Lower: w.Lower.Name, Higher: w.Higher.Name, Skills: len(t.Skills), Drops: w.Drops})
	}
	return out
}
