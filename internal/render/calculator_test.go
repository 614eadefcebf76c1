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
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/dop251/goja"
	"golang.org/x/net/html"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/assess"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
)

// page is what matrix.html carries for its calculator.
type page struct {
	script, data, csp string
	// scripts counts <script> elements, of any type.
	scripts int
}

// parsePage reads the calculator's parts out of a rendered matrix.html, as
// a browser would find them.
func parsePage(t testing.TB, out []byte) page {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	var p page
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			attrs := map[string]string{}
			for _, a := range n.Attr {
				attrs[a.Key] = a.Val
			}
			switch {
			case n.Data == "script":
				p.scripts++
				text := ""
				if n.FirstChild != nil {
					text = n.FirstChild.Data
				}
				if attrs["type"] == "application/json" && attrs["id"] == "calc-data" {
					p.data = text
				} else {
					p.script = text
				}
			case n.Data == "meta" && attrs["http-equiv"] == "Content-Security-Policy":
				p.csp = attrs["content"]
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return p
}

// engine runs the page's script without a document, as its pure part.
type engine struct {
	vm *goja.Runtime
}

// checkJS is the test's side of the script: resolve, evaluate, export and
// round-trip the fragment, all with the page's own functions.
const checkJS = `
function check(dataText, ratingsText, threshold) {
  var C = SkillMatrixCalculator, d = JSON.parse(dataText);
  d.threshold = threshold;
  var r = C.toRanks(d, JSON.parse(ratingsText));
  if (r.problems.length) return JSON.stringify({problems: r.problems.length});
  var back = C.toRanks(d, C.fromFragment(C.toFragment(d, r.ranks))).ranks;
  return JSON.stringify({ranks: r.ranks, ignored: r.ignored, result: C.evaluate(d, r.ranks),
    exported: C.exportJSON(d, r.ranks), fragmentRanks: back});
}
function parseRatings(dataText, text, csv) {
  try { return JSON.stringify({ratings: SkillMatrixCalculator.parse(JSON.parse(dataText), text, csv)}); }
  catch (e) { return JSON.stringify({error: String(e.message)}); }
}`

func newEngine(t testing.TB, script string) *engine {
	t.Helper()
	vm := goja.New()
	if _, err := vm.RunString(script); err != nil {
		t.Fatalf("the page's script does not run: %v", err)
	}
	if _, err := vm.RunString(checkJS); err != nil {
		t.Fatal(err)
	}
	return &engine{vm: vm}
}

func (e *engine) call(t testing.TB, fn string, args ...any) string {
	t.Helper()
	f, ok := goja.AssertFunction(e.vm.Get(fn))
	if !ok {
		t.Fatalf("%s is not a function", fn)
	}
	vals := make([]goja.Value, len(args))
	for i, a := range args {
		vals[i] = e.vm.ToValue(a)
	}
	v, err := f(goja.Undefined(), vals...)
	if err != nil {
		t.Fatalf("%s: %v", fn, err)
	}
	return v.String()
}

// jsAnswer is the script's answer; levelAnswer and cellRef its parts.
type jsAnswer struct {
	Problems      int      `json:"problems"`
	Ranks         []int    `json:"ranks"`
	Ignored       []string `json:"ignored"`
	Result        answer   `json:"result"`
	Exported      string   `json:"exported"`
	FragmentRanks []int    `json:"fragmentRanks"`
}

type answer struct {
	Current   int           `json:"current"`
	Next      int           `json:"next"`
	Readiness int           `json:"readiness"`
	Levels    []levelAnswer `json:"levels"`
	Gaps      [][2]int      `json:"gaps"`
	Unmet     [][2]int      `json:"unmet"`
}

type levelAnswer struct {
	Met          bool   `json:"met"`
	Required     [2]int `json:"required"`
	Other        [2]int `json:"other"`
	OtherPercent int    `json:"otherPercent"`
	Readiness    int    `json:"readiness"`
}

// fromAssess puts internal/assess's result in the script's terms: levels and
// skills by index.
func fromAssess(m *model.RoleMatrix, r *assess.Result) answer {
	skill, level := map[string]int{}, map[string]int{}
	for _, c := range m.Categories {
		for _, s := range c.Skills {
			skill[s.ID] = len(skill)
		}
	}
	for i, l := range m.Levels {
		level[l.ID] = i
	}
	index := func(l *assess.LevelRef) int {
		if l == nil {
			return -1
		}
		return level[l.ID]
	}
	a := answer{Current: index(r.Current), Next: index(r.Next), Readiness: r.ReadinessPercent, Gaps: [][2]int{}, Unmet: [][2]int{}}
	for _, l := range r.Levels {
		a.Levels = append(a.Levels, levelAnswer{Met: l.Met, Required: [2]int{l.Required.Met, l.Required.Total},
			Other: [2]int{l.Other.Met, l.Other.Total}, OtherPercent: l.OtherPercent, Readiness: l.ReadinessPercent})
	}
	for _, g := range r.Gaps {
		a.Gaps = append(a.Gaps, [2]int{skill[g.SkillID], level[g.LevelID]})
	}
	for _, g := range r.Unmet {
		a.Unmet = append(a.Unmet, [2]int{skill[g.SkillID], level[g.LevelID]})
	}
	return a
}

// differential compares the script and internal/assess on one rating set.
func differential(t *testing.T, e *engine, p page, m *model.RoleMatrix, ratings assess.Ratings, catalog []string, threshold int) {
	t.Helper()
	want, wantErr := assess.Assess(m, ratings, assess.Options{ThresholdPercent: threshold, Catalog: catalog})
	rj, err := json.Marshal(ratings)
	if err != nil {
		t.Fatal(err)
	}
	var got jsAnswer
	if err := json.Unmarshal([]byte(e.call(t, "check", p.data, string(rj), threshold)), &got); err != nil {
		t.Fatal(err)
	}
	var re *assess.RatingsError
	if wantErr != nil || got.Problems > 0 {
		if !errors.As(wantErr, &re) || got.Problems != len(re.Problems) {
			t.Fatalf("ratings %v at %d%%: assess says %v, the page finds %d problems", ratings, threshold, wantErr, got.Problems)
		}
		return
	}
	if w := fromAssess(m, want); !reflect.DeepEqual(got.Result, w) {
		t.Fatalf("ratings %v at %d%%:\n page:   %+v\n assess: %+v", ratings, threshold, got.Result, w)
	}
	if !slices.Equal(got.Ignored, want.Ignored) && len(got.Ignored)+len(want.Ignored) > 0 {
		t.Fatalf("ignored: page %v, assess %v", got.Ignored, want.Ignored)
	}
	if !slices.Equal(got.FragmentRanks, got.Ranks) {
		t.Fatalf("the URL fragment loses ratings: %v became %v", got.Ranks, got.FragmentRanks)
	}
	// The export is a ratings file assess reads, with the same answer.
	exported, err := assess.ParseRatings("ratings.json", []byte(got.Exported))
	if err != nil {
		t.Fatalf("assess cannot read the page's export %q: %v", got.Exported, err)
	}
	again, err := assess.Assess(m, exported, assess.Options{ThresholdPercent: threshold})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromAssess(m, again), fromAssess(m, want)) {
		t.Fatalf("the exported ratings %q give another answer", got.Exported)
	}
}

// spellings are the ways a rating of proficiency p may be written.
func spell(rng *rand.Rand, p model.Proficiency) string {
	switch rng.IntN(6) {
	case 0:
		return strings.ToLower(p.ID)
	case 1:
		return strings.ToUpper(p.Name)
	case 2:
		return " \t" + p.ID + " "
	case 3:
		return p.Name
	default:
		return p.ID
	}
}

var noneSpellings = []string{"", "-", "none", "NONE", " - "}

// randomRatings rates each skill of m: none with probability pNone,
// otherwise a random step of the scale, spelt in one of the accepted ways.
// Now and then it adds a catalog skill the Role does not have, or a value
// the scale does not have.
func randomRatings(rng *rand.Rand, m *model.RoleMatrix, pNone float64) (assess.Ratings, []string) {
	r := assess.Ratings{}
	for _, c := range m.Categories {
		for _, s := range c.Skills {
			switch {
			case rng.Float64() < pNone:
				if rng.IntN(3) == 0 {
					r[s.ID] = noneSpellings[rng.IntN(len(noneSpellings))]
				}
			case len(m.Scale) > 0:
				r[s.ID] = spell(rng, m.Scale[rng.IntN(len(m.Scale))])
			}
		}
	}
	var catalog []string
	if rng.IntN(10) == 0 {
		r["not-in-this-role"] = "W"
		catalog = []string{"not-in-this-role"}
	}
	if rng.IntN(25) == 0 && len(r) > 0 {
		for k := range r {
			r[k] = "no such level ✗"
			break
		}
	}
	return r, catalog
}

// fullRatings rates every skill at the top (or bottom) of the scale.
func fullRatings(m *model.RoleMatrix, top bool) assess.Ratings {
	r := assess.Ratings{}
	for _, c := range m.Categories {
		for _, s := range c.Skills {
			p := m.Scale[0]
			if top {
				p = m.Scale[len(m.Scale)-1]
			}
			r[s.ID] = p.ID
		}
	}
	return r
}

var thresholds = []int{70, 0, 100, 50, 90}

// The script's answer is internal/assess's, for every rating set: over the
// sample Role and over generated Roles with other level counts, other
// scales, drops between levels and cells left unstated.
func TestCalculatorDifferential(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 2026))
	cases := 0
	run := func(m *model.RoleMatrix, sets int) {
		out, err := render.HTML(m)
		if err != nil {
			t.Fatal(err)
		}
		p := parsePage(t, out)
		if p.data == "" || p.script == "" {
			t.Fatal("the page has no calculator")
		}
		e := newEngine(t, p.script)
		for _, top := range []bool{false, true} {
			for _, th := range thresholds[:2] {
				differential(t, e, p, m, fullRatings(m, top), nil, th)
				cases++
			}
		}
		differential(t, e, p, m, assess.Ratings{}, nil, 70)
		cases++
		for i := range sets {
			r, catalog := randomRatings(rng, m, []float64{0, 0.2, 0.5, 0.9}[i%4])
			th := thresholds[rng.IntN(len(thresholds))]
			if rng.IntN(3) == 0 {
				th = rng.IntN(101)
			}
			differential(t, e, p, m, r, catalog, th)
			cases++
		}
	}
	run(sampleModel(t), 400)
	for i := range 60 {
		run(model.BuildRole(randomRole(rng, i)), 12)
	}
	if cases < 1000 {
		t.Fatalf("only %d rating sets compared, want at least 1000", cases)
	}
	t.Logf("%d rating sets: the page and internal/assess agree on every one", cases)
}

// randomRole generates a Role of 1 to 7 levels over a scale of 1 to 7 steps
// (letters, digits or words, in mixed case, with Unicode names), 1 to 40
// skills in up to 5 categories; cells rise, drop, repeat or are left
// unstated at random, and about 40% are required.
func randomRole(rng *rand.Rand, n int) (*v1.SkillMatrix, *v1.Role) {
	matrix := &v1.SkillMatrix{}
	matrix.Name = fmt.Sprintf("gen-%d", n)
	role := &v1.Role{}
	role.Name = fmt.Sprintf("gen-role-%d", n)
	role.Spec.MatrixRef = v1.ObjectName(matrix.Name)
	role.Spec.DisplayName = fmt.Sprintf("Generated %d", n)
	levels := 1 + rng.IntN(7)
	for i := range levels {
		matrix.Spec.Levels = append(matrix.Spec.Levels, v1.Level{ID: v1.ID(fmt.Sprintf("l%d", i)), Name: fmt.Sprintf("Level %d · 段%d", i, i)})
	}
	steps := 1 + rng.IntN(7)
	styles := [][]string{
		{"A", "W", "V", "E", "X", "Y", "Z"},
		{"1", "2", "3", "4", "5", "6", "7"},
		{"a", "B", "c", "D", "e", "F", "g"},
		{"Novice", "Beginner", "Competent", "Proficient", "Expert", "Master", "Guru"},
	}
	style := styles[rng.IntN(len(styles))]
	names := []string{"Awareness", "working", "Advanced 🚀", "Ünïcødé", "高级", "a", "W"}
	for i := range steps {
		matrix.Spec.Proficiencies = append(matrix.Spec.Proficiencies, v1.Proficiency{ID: v1.ProficiencyID(style[i]), Name: names[(i+n)%len(names)]})
	}
	categories := 1 + rng.IntN(5)
	for c := range categories {
		matrix.Spec.Categories = append(matrix.Spec.Categories, v1.Category{ID: v1.ID(fmt.Sprintf("c%d", c)), Name: fmt.Sprintf("Category %d", c)})
	}
	for s := range 1 + rng.IntN(40) {
		id := v1.ID(fmt.Sprintf("skill-%d", s))
		c := rng.IntN(categories)
		matrix.Spec.Categories[c].Skills = append(matrix.Spec.Categories[c].Skills, v1.Skill{ID: id, Name: fmt.Sprintf("Skill %d <b>&'\"", s)})
		row := v1.SkillRequirement{ID: id}
		rank := rng.IntN(steps)
		for l := range levels {
			switch rng.IntN(10) {
			case 0:
				continue // unstated
			case 1, 2:
				rank = max(0, rank-1-rng.IntN(2)) // a drop
			case 3, 4, 5:
				rank = min(steps-1, rank+1)
			}
			row.Cells = append(row.Cells, v1.Cell{Level: v1.ID(fmt.Sprintf("l%d", l)), Proficiency: v1.ProficiencyID(style[rank]), Required: rng.IntN(10) < 4})
		}
		role.Spec.Skills = append(role.Spec.Skills, row)
	}
	return matrix, role
}

// The page reads the ratings files assess reads, with the same result or a
// refusal where assess refuses: the JSON the page exports and the CSV.
func TestCalculatorImportParity(t *testing.T) {
	out, err := render.HTML(sampleModel(t))
	if err != nil {
		t.Fatal(err)
	}
	p := parsePage(t, out)
	e := newEngine(t, p.script)
	type input struct {
		text string
		csv  bool
	}
	inputs := []input{
		{`{"docker": "V", "helm": null, "python-advanced": "w"}`, false},
		{`{"docker": "V", "docker": "W"}`, false},
		{`{"a": {"b": "c"}, "docker": "V"}`, false},
		{`{"x": "{\"docker\": 1}", "docker": 3}`, false},
		{`{}`, false},
		{`[]`, false},
		{`null`, false},
		{`"docker"`, false},
		{`{"docker": ["V"]}`, false},
		{`{"__proto__": "V", "constructor": "W"}`, false},
		{"skill,proficiency\ndocker,V\n# comment\n\nhelm,\n", true},
		{"docker, V\r\nhelm,\"W\"\r\n", true},
		{"Skill_ID,proficiency\n", true},
		{"", true},
		{"# only\n", true},
		{"docker,V\ndocker,W\n", true},
		{"docker,V,x\n", true},
		{"docker,V,  \n", true},
		{",V\n", true},
		{"docker,\"V\n", true},
		{"docker,V\"\n", true},
		{"docker,\"V\"x\n", true},
		{"\"doc\nker\",V\n", true},
		{"  docker  ,  \"V\"  \n", true},
		{"docker\n", true},
		{"docker,V\r", true},
		{"\u00a0docker,\u3000V\n", true},
		{"s" + strings.Repeat("-long", 13) + ",V\n", true},
		{`{"` + strings.Repeat("技", 63) + `": "V"}`, false},
		{`{"` + strings.Repeat("技", 64) + `": "V"}`, false},
		{strings.Repeat("技", 64) + ",V\n", true},
	}
	alphabet := []string{"docker", "helm", ",", "\"", "#", " ", "\n", "\r\n", "V", "w", "-", "\t", "skill", "\u00a0"}
	rng := rand.New(rand.NewPCG(1, 2))
	inputs = slices.Grow(inputs, 400)
	for range 400 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		inputs = append(inputs, input{b.String(), true})
	}
	for _, in := range inputs {
		name := "ratings.json"
		if in.csv {
			name = "ratings.csv"
		}
		want, wantErr := assess.ParseRatings(name, []byte(in.text))
		var got struct {
			Ratings map[string]string `json:"ratings"`
			Error   string            `json:"error"`
		}
		if err := json.Unmarshal([]byte(e.call(t, "parseRatings", p.data, in.text, in.csv)), &got); err != nil {
			t.Fatal(err)
		}
		switch {
		case (wantErr != nil) != (got.Error != ""):
			t.Errorf("%q: assess says %v, the page says %q", in.text, wantErr, got.Error)
		case wantErr == nil && !reflect.DeepEqual(map[string]string(want), got.Ratings) && len(want)+len(got.Ratings) > 0:
			t.Errorf("%q: assess reads %v, the page %v", in.text, want, got.Ratings)
		}
	}
}

// The page allows exactly its own script and style, by hashes of what it
// carries, and nothing that could fetch.
func TestCalculatorContentSecurityPolicy(t *testing.T) {
	out, err := render.HTML(sampleModel(t))
	if err != nil {
		t.Fatal(err)
	}
	p := parsePage(t, out)
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	page := string(out)
	style := page[strings.Index(page, "<style>")+len("<style>") : strings.Index(page, "</style>")]
	want := "default-src 'none'; script-src " + hash(p.script) + "; style-src " + hash(style) +
		"; img-src data:; base-uri 'none'; form-action 'none'"
	if p.csp != want {
		t.Errorf("CSP = %q\nwant  %q", p.csp, want)
	}
	if p.scripts != 2 {
		t.Errorf("%d script elements, want the data and the script", p.scripts)
	}
	if !strings.Contains(page, `<link rel="icon" href="data:,">`) {
		t.Error("no empty data: icon: the browser would ask the server for /favicon.ico")
	}
	for _, banned := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function(", "fetch(", "XMLHttpRequest", "setAttribute(\"on", "import("} {
		if strings.Contains(p.script, banned) {
			t.Errorf("the script uses %s", banned)
		}
	}
	// Without a document the script defines the calculator and touches nothing.
	newEngine(t, p.script)
}

// Hostile Role texts stay data: the embedded table decodes to exactly the
// Role's strings, and the page has no element or attribute the Role's text
// could have made.
func TestCalculatorHostileTexts(t *testing.T) {
	m := model.BuildRole(hostileRole())
	out, err := render.HTML(m)
	if err != nil {
		t.Fatal(err)
	}
	p := parsePage(t, out)
	if strings.ContainsAny(p.data, `<>'&`) || strings.Contains(p.data, `\"`) {
		t.Errorf("raw markup characters in the embedded data: %s", p.data)
	}
	var data struct {
		Levels [][3]string `json:"levels"`
		Scale  [][2]string `json:"scale"`
		Skills [][4]any    `json:"skills"`
	}
	if err := json.Unmarshal([]byte(p.data), &data); err != nil {
		t.Fatal(err)
	}
	for i, s := range m.Categories[0].Skills {
		if data.Skills[i][1] != s.Name {
			t.Errorf("skill %d name = %q, want %q", i, data.Skills[i][1], s.Name)
		}
	}
	if data.Levels[0][1] != hostile[4] || data.Scale[0][1] != hostile[4] {
		t.Errorf("level or scale name changed: %q, %q", data.Levels[0][1], data.Scale[0][1])
	}
	doc, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "img", "svg", "iframe", "object", "embed", "b":
				t.Errorf("a <%s> element in the page", n.Data)
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") {
					t.Errorf("<%s %s=%q>: an event handler attribute in the page", n.Data, a.Key, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if p.scripts != 2 {
		t.Errorf("%d script elements, want 2", p.scripts)
	}
}

// Without levels or skills there is nothing to rate, and no calculator.
func TestCalculatorAbsentWithoutSkills(t *testing.T) {
	out, err := render.HTML(model.BuildRole(nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	if p := parsePage(t, out); p.data != "" || strings.Contains(string(out), `id="calculator"`) {
		t.Error("an empty Role's page has a calculator")
	}
}

// Every sentence the script shows comes from the page's data.
func TestCalculatorTextComplete(t *testing.T) {
	out, err := render.HTML(sampleModel(t))
	if err != nil {
		t.Fatal(err)
	}
	p := parsePage(t, out)
	var data struct {
		Text map[string]string `json:"text"`
	}
	if err := json.Unmarshal([]byte(p.data), &data); err != nil {
		t.Fatal(err)
	}
	used := regexp.MustCompile(`say\(t, (?:[^"]*\? )?"(\w+)"(?: : "(\w+)")?`).FindAllStringSubmatch(p.script, -1)
	if len(used) < 20 {
		t.Fatalf("found %d uses of say in the script", len(used))
	}
	for _, u := range used {
		for _, key := range u[1:] {
			if _, ok := data.Text[key]; key != "" && !ok {
				t.Errorf("the script says %q, which the page's text lacks", key)
			}
		}
	}
}

// FuzzCalculatorCSV: the page's CSV import reads what assess reads, and
// refuses what assess refuses.
func FuzzCalculatorCSV(f *testing.F) {
	for _, seed := range []string{
		"skill,proficiency\ndocker,V\n# c\n\nhelm,\n", "docker, V\r\nhelm,\"W\"\r\n", "\"doc\nker\",V\n",
		"docker,\"V\"x\n", "  docker  ,  \"V\"  \n", "\u00a0docker,\u3000V\r", ",V\n", "a,b,\"\"\n",
	} {
		f.Add(seed)
	}
	out, err := render.HTML(sampleModel(f))
	if err != nil {
		f.Fatal(err)
	}
	p := parsePage(f, out)
	e := newEngine(f, p.script)
	var mu sync.Mutex
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			return // a browser reads a file as UTF-8, replacing what is not
		}
		want, wantErr := assess.ParseRatings("r.csv", []byte(text))
		mu.Lock()
		answer := e.call(t, "parseRatings", p.data, text, true)
		mu.Unlock()
		var got struct {
			Ratings map[string]string `json:"ratings"`
			Error   string            `json:"error"`
		}
		if err := json.Unmarshal([]byte(answer), &got); err != nil {
			t.Fatal(err)
		}
		if (wantErr != nil) != (got.Error != "") {
			t.Fatalf("%q: assess says %v, the page says %q", text, wantErr, got.Error)
		}
		if wantErr == nil && !reflect.DeepEqual(map[string]string(want), got.Ratings) {
			t.Fatalf("%q: assess reads %q, the page %q", text, want, got.Ratings)
		}
	})
}
