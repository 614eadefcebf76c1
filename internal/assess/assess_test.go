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

package assess

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
)

// ladder is a three-level Role over the scale A < W < V < E with eleven
// skills: s01 is required at every level, s02..s11 are not, so each level has
// one required cell and exactly ten others, and the 70% threshold means 7 of
// them. Junior expects A everywhere, Middle W, Senior V.
func ladder(t *testing.T) *model.RoleMatrix {
	t.Helper()
	levels := []v1alpha1.ID{"junior", "middle", "senior"}
	expect := []v1alpha1.ProficiencyID{"A", "W", "V"}
	matrix := &v1alpha1.SkillMatrix{}
	matrix.Name = "eng"
	matrix.Spec.Levels = []v1alpha1.Level{
		{ID: "junior", Name: "Junior", ShortName: "Jun"},
		{ID: "middle", Name: "Middle", ShortName: "Mid"},
		{ID: "senior", Name: "Senior", ShortName: "Sen"},
	}
	matrix.Spec.Proficiencies = []v1alpha1.Proficiency{
		{ID: "A", Name: "Awareness"}, {ID: "W", Name: "Working"}, {ID: "V", Name: "Advanced"}, {ID: "E", Name: "Expert"},
	}
	core := v1alpha1.Category{ID: "core", Name: "Core"}
	extra := v1alpha1.Category{ID: "extra", Name: "Extra"}
	role := &v1alpha1.Role{}
	role.Name = "dev"
	role.Spec.MatrixRef = "eng"
	role.Spec.DisplayName = "Developer"
	for n := 1; n <= 11; n++ {
		id := v1alpha1.ID(fmt.Sprintf("s%02d", n))
		skill := v1alpha1.Skill{ID: id, Name: fmt.Sprintf("Skill %d", n)}
		if n <= 2 {
			core.Skills = append(core.Skills, skill)
		} else {
			extra.Skills = append(extra.Skills, skill)
		}
		row := v1alpha1.SkillRequirement{ID: id}
		for i, l := range levels {
			row.Cells = append(row.Cells, v1alpha1.Cell{Level: l, Proficiency: expect[i], Required: n == 1})
		}
		role.Spec.Skills = append(role.Spec.Skills, row)
	}
	// A catalog skill the Role does not list.
	extra.Skills = append(extra.Skills, v1alpha1.Skill{ID: "cobol", Name: "COBOL"})
	matrix.Spec.Categories = []v1alpha1.Category{core, extra}
	return model.BuildRole(matrix, role)
}

// rate gives s01..s11 the proficiencies in order; "" leaves a skill out.
func rate(profs ...string) Ratings {
	r := Ratings{}
	for i, p := range profs {
		if p != "" {
			r[fmt.Sprintf("s%02d", i+1)] = p
		}
	}
	return r
}

func TestAssess(t *testing.T) {
	m := ladder(t)
	cases := []struct {
		name      string
		ratings   Ratings
		threshold int
		current   string // "" = below the first level
		next      string // "" = none
		readiness int
		gaps      []string // skill ids, "*" suffix when required
		ignored   []string
	}{
		{
			name: "exactly at Middle: the required cell and 7 of 10 others",
			// s01 W (required), s02..s08 W (7 others), s09..s11 A.
			ratings:   rate("W", "W", "W", "W", "W", "W", "W", "W", "A", "A", "A"),
			threshold: 70,
			current:   "middle", next: "senior",
			readiness: 0, // nothing is V yet
			gaps:      []string{"s01*", "s02", "s03", "s04", "s05", "s06", "s07", "s08", "s09", "s10", "s11"},
		},
		{
			name: "one required cell short of Middle",
			// Everything W but the required s01, which is only A.
			ratings:   rate("A", "W", "W", "W", "W", "W", "W", "W", "W", "W", "W"),
			threshold: 70,
			current:   "junior", next: "middle",
			// (2*0 + 10) / (2*1 + 10) = 83.3%
			readiness: 83,
			gaps:      []string{"s01*"},
		},
		{
			name: "one non-required cell short of the threshold",
			// s01 W, s02..s07 W (6 of 10 = 60% < 70%), s08..s11 A.
			ratings:   rate("W", "W", "W", "W", "W", "W", "W", "A", "A", "A", "A"),
			threshold: 70,
			current:   "junior", next: "middle",
			// (2*1 + 6) / (2*1 + 10) = 66.6%
			readiness: 66,
			gaps:      []string{"s08", "s09", "s10", "s11"},
		},
		{
			name:      "the same ratings meet Middle at a 60% threshold",
			ratings:   rate("W", "W", "W", "W", "W", "W", "W", "A", "A", "A", "A"),
			threshold: 60,
			current:   "middle", next: "senior",
			readiness: 0,
			gaps:      []string{"s01*", "s02", "s03", "s04", "s05", "s06", "s07", "s08", "s09", "s10", "s11"},
		},
		{
			name:      "threshold 0: only required cells count",
			ratings:   rate("V"),
			threshold: 0,
			current:   "senior", next: "",
			readiness: 100,
			gaps:      []string{},
		},
		{
			name:      "beyond the top level: everything Expert",
			ratings:   rate("E", "E", "E", "E", "E", "E", "E", "E", "E", "E", "E"),
			threshold: 70,
			current:   "senior", next: "",
			readiness: 100,
			gaps:      []string{},
		},
		{
			name:      "exactly the top level at threshold 100",
			ratings:   rate("V", "V", "V", "V", "V", "V", "V", "V", "V", "V", "V"),
			threshold: 100,
			current:   "senior", next: "",
			readiness: 100,
			gaps:      []string{},
		},
		{
			name:      "empty ratings: below the first level",
			ratings:   Ratings{},
			threshold: 70,
			current:   "", next: "junior",
			readiness: 0,
			gaps:      []string{"s01*", "s02", "s03", "s04", "s05", "s06", "s07", "s08", "s09", "s10", "s11"},
		},
		{
			name:      "none, empty and missing ratings all count as none",
			ratings:   Ratings{"s01": "none", "s02": "", "s03": "-", "s04": "A"},
			threshold: 70,
			current:   "", next: "junior",
			// (2*0 + 1) / (2*1 + 10) = 8.3%
			readiness: 8,
			gaps:      []string{"s01*", "s02", "s03", "s05", "s06", "s07", "s08", "s09", "s10", "s11"},
		},
		{
			name: "ids ignoring case and names count; a rated catalog skill outside the Role is ignored",
			ratings: Ratings{
				"s01": "w", "s02": "Working", "s03": "working", "s04": "W", "s05": "W", "s06": "W", "s07": "W", "s08": "W",
				"cobol": "E",
			},
			threshold: 70,
			current:   "middle", next: "senior",
			readiness: 0,
			gaps:      []string{"s01*", "s02", "s03", "s04", "s05", "s06", "s07", "s08", "s09", "s10", "s11"},
			ignored:   []string{"cobol"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Assess(m, tc.ratings, Options{ThresholdPercent: tc.threshold, Catalog: []string{"cobol"}})
			if err != nil {
				t.Fatal(err)
			}
			if got := levelID(res.Current); got != tc.current {
				t.Errorf("current level = %q, want %q", got, tc.current)
			}
			if got := levelID(res.Next); got != tc.next {
				t.Errorf("next level = %q, want %q", got, tc.next)
			}
			if res.ReadinessPercent != tc.readiness {
				t.Errorf("readiness = %d%%, want %d%%", res.ReadinessPercent, tc.readiness)
			}
			var gaps []string
			for _, g := range res.Gaps {
				id := g.SkillID
				if g.Required {
					id += "*"
				}
				gaps = append(gaps, id)
			}
			if strings.Join(gaps, ",") != strings.Join(tc.gaps, ",") {
				t.Errorf("gaps = %v, want %v", gaps, tc.gaps)
			}
			if res.Gaps == nil {
				t.Error("Gaps is nil; want an empty list so JSON shows []")
			}
			if strings.Join(res.Ignored, ",") != strings.Join(tc.ignored, ",") {
				t.Errorf("ignored = %v, want %v", res.Ignored, tc.ignored)
			}
		})
	}
}

func levelID(l *LevelRef) string {
	if l == nil {
		return ""
	}
	return l.ID
}

func TestAssessLevelFigures(t *testing.T) {
	res, err := Assess(ladder(t), rate("W", "W", "W", "W", "W", "W", "W", "A", "A", "A", "A"), Options{ThresholdPercent: 70})
	if err != nil {
		t.Fatal(err)
	}
	want := []LevelResult{
		{LevelRef: LevelRef{"junior", "Junior", "Jun"}, Met: true, Required: Count{1, 1}, Other: Count{10, 10}, OtherPercent: 100, ReadinessPercent: 100},
		{LevelRef: LevelRef{"middle", "Middle", "Mid"}, Met: false, Required: Count{1, 1}, Other: Count{6, 10}, OtherPercent: 60, ReadinessPercent: 66},
		{LevelRef: LevelRef{"senior", "Senior", "Sen"}, Met: false, Required: Count{0, 1}, Other: Count{0, 10}, OtherPercent: 0, ReadinessPercent: 0},
	}
	for i := range want {
		if res.Levels[i] != want[i] {
			t.Errorf("level %d = %+v, want %+v", i, res.Levels[i], want[i])
		}
	}
	g := res.Gaps[0]
	if g.CategoryName != "Extra" || g.SkillName != "Skill 8" || g.Expected != "W" || g.ExpectedName != "Working" ||
		g.Actual != "A" || g.ActualName != "Awareness" || g.Required {
		t.Errorf("first gap = %+v", g)
	}
}

// A level is reached only through every level below it: the seed's matrix
// expects less at Senior than at Middle, and someone who meets Junior and
// Senior but not Middle is at Junior.
func TestAssessLevelsAreContiguous(t *testing.T) {
	m := ladder(t)
	for ci := range m.Categories {
		for si := range m.Categories[ci].Skills {
			m.Categories[ci].Skills[si].Cells[2].Proficiency = "A"
		}
	}
	res, err := Assess(m, rate("A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "A"), Options{ThresholdPercent: 70})
	if err != nil {
		t.Fatal(err)
	}
	if levelID(res.Current) != "junior" || levelID(res.Next) != "middle" {
		t.Errorf("current, next = %q, %q; want junior, middle", levelID(res.Current), levelID(res.Next))
	}
	if !res.Levels[2].Met {
		t.Error("Senior should be met on its own")
	}
}

func TestAssessRefusesUnknownIDs(t *testing.T) {
	m := ladder(t)
	cases := []struct {
		name    string
		ratings Ratings
		want    []string
	}{
		{"unknown skill, with a suggestion", Ratings{"s1": "W"}, []string{`skill "s1" is not a skill of Role "dev"; did you mean "s01"?`}},
		{"unknown skill, nothing close", Ratings{"kubernetes": "W"}, []string{`skill "kubernetes" is not a skill of Role "dev"`}},
		{"unknown proficiency", Ratings{"s01": "X"}, []string{`proficiency "X" of skill "s01" is not on the scale of SkillMatrix "eng" (want one of A, W, V, E, or none)`}},
		{"every problem at once, in skill order", Ratings{"zz": "W", "s02": "Q", "s03": "W"}, []string{
			`proficiency "Q" of skill "s02"`, `skill "zz" is not a skill of Role "dev"`,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Assess(m, tc.ratings, Options{ThresholdPercent: 70})
			var re *RatingsError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want a *RatingsError", err)
			}
			if len(re.Problems) != len(tc.want) {
				t.Fatalf("problems = %q, want %d", re.Problems, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(re.Problems[i], w) {
					t.Errorf("problem %d = %q, want it to start with %q", i, re.Problems[i], w)
				}
			}
		})
	}
}

func TestAssessRefusesBadInput(t *testing.T) {
	if _, err := Assess(ladder(t), nil, Options{ThresholdPercent: 101}); err == nil {
		t.Error("threshold 101 accepted")
	}
	if _, err := Assess(ladder(t), nil, Options{ThresholdPercent: -1}); err == nil {
		t.Error("threshold -1 accepted")
	}
	if _, err := Assess(&model.RoleMatrix{}, nil, Options{}); err == nil {
		t.Error("a matrix without levels accepted")
	}
}

func TestParseRatings(t *testing.T) {
	cases := []struct {
		file string
		want Ratings
		// noRatings: errors.Is ErrNoRatings; line > 0: a *FileError at that
		// line; line < 0: a *FileError for the whole file.
		noRatings bool
		line      int
		err       string
	}{
		{file: "empty.yaml", noRatings: true},
		{file: "comments-only.yaml", noRatings: true},
		{file: "blank.yaml", noRatings: true},
		{file: "null-document.yaml", noRatings: true},
		{file: "header-only.csv", noRatings: true},
		{file: "comments-only.csv", noRatings: true},
		{file: "list.yaml", line: 1, err: "a ratings file is a map of skill id to proficiency, one per line, such as docker: W, not a list"},
		{file: "single-value.yaml", line: 1, err: `not the single value "docker W"`},
		{file: "map-value.yaml", line: 2, err: `skill "docker": want one proficiency such as W, not a map`},
		{file: "list-value.yaml", line: 1, err: `skill "docker": want one proficiency such as W, not a list`},
		{file: "duplicate.yaml", line: 3, err: `skill "docker" is rated twice (first on line 1)`},
		{file: "two-documents.yaml", line: 2, err: "holds more than one YAML document"},
		{file: "unquoted-dash.yaml", line: -1, err: `write "-" in quotes`},
		{file: "list-key.yaml", line: 1, err: "a skill id must be plain text, not a list"},
		{file: "bad-quote.csv", line: -1, err: "not valid CSV"},
		{file: "latin1.yaml", line: -1, err: "not UTF-8 text"},
		{file: "duplicate.csv", line: 2, err: `skill "s01" is rated twice`},
		{file: "three-columns.csv", line: 1, err: "want two columns, skill and proficiency, got 3"},
		{file: "long-key.yaml", line: 2, err: `skill id "s-long-long-long-lon"... is 66 characters long; a skill id has at most 63`},
		{file: "long-key.csv", line: 3, err: "is 66 characters long"},
		{file: "bound-key.json", want: Ratings{strings.Repeat("技", 63): "W"}},
		{file: "numeric.yaml", want: Ratings{"s01": "3", "s02": "4", "s03": "-", "s04": "", "s05": ""}},
		{file: "empty-map.json", want: Ratings{}},
		{file: "ratings.json", want: Ratings{"s01": "W", "s02": "working", "s03": ""}},
		{file: "ratings.csv", want: Ratings{"s01": "W", "s02": "V", "s03": ""}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", "ratings", tc.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseRatings(path, data)
			switch {
			case tc.noRatings:
				if !errors.Is(err, ErrNoRatings) {
					t.Fatalf("err = %v, want ErrNoRatings", err)
				}
				return
			case tc.err != "":
				var fe *FileError
				if !errors.As(err, &fe) {
					t.Fatalf("err = %v, want a *FileError", err)
				}
				if !strings.Contains(err.Error(), tc.err) {
					t.Errorf("err = %q, want it to contain %q", err, tc.err)
				}
				if want := max(tc.line, 0); fe.Line != want {
					t.Errorf("line = %d, want %d", fe.Line, want)
				}
				if strings.Contains(err.Error(), "map[string]") || strings.Contains(err.Error(), "float64") {
					t.Errorf("err = %q speaks Go, not the user's terms", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// A ratings file's values meet the scale in the user's terms: a value the
// scale does not define is named with the scale's ids, and a numeric scale
// reads numbers.
func TestRatingsFilesAgainstScales(t *testing.T) {
	numeric := ladder(t)
	for i, id := range []string{"1", "2", "3", "4"} {
		numeric.Scale[i].ID = id
	}
	for ci := range numeric.Categories {
		for si := range numeric.Categories[ci].Skills {
			for li, want := range []string{"1", "2", "3"} {
				numeric.Categories[ci].Skills[si].Cells[li].Proficiency = want
			}
		}
	}
	cases := []struct {
		name, file, data string
		m                *model.RoleMatrix
		current          string
		problem          string
	}{
		{name: "numeric scale", file: "r.yaml", data: "s01: 2\ns02: 2\ns03: 2\ns04: 2\ns05: 2\ns06: 2\ns07: 2\ns08: 2\n", m: numeric, current: "middle"},
		{name: "yes is a word, not a boolean", file: "r.yaml", data: "s01: yes\n", m: ladder(t),
			problem: `proficiency "yes" of skill "s01" is not on the scale of SkillMatrix "eng" (want one of A, W, V, E, or none)`},
		{name: "a number on a letter scale", file: "r.yaml", data: "s01: 3\n", m: ladder(t),
			problem: `proficiency "3" of skill "s01" is not on the scale`},
		{name: "undefined code in CSV", file: "r.csv", data: "s01,X\n", m: ladder(t),
			problem: `proficiency "X" of skill "s01" is not on the scale`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ratings, err := ParseRatings(tc.file, []byte(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Assess(tc.m, ratings, Options{ThresholdPercent: 70})
			if tc.problem != "" {
				var re *RatingsError
				if !errors.As(err, &re) || !strings.HasPrefix(re.Problems[0], tc.problem) {
					t.Fatalf("err = %v, want a *RatingsError starting with %q", err, tc.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if levelID(res.Current) != tc.current {
				t.Errorf("current = %q, want %q", levelID(res.Current), tc.current)
			}
		})
	}
}

// The answer lists what the levels a person holds still miss, and the gaps
// to the next level put required cells first.
func TestAssessUnmetAndOrder(t *testing.T) {
	m := ladder(t)
	// s05 becomes required at Senior: it must lead the gaps to Senior.
	m.Categories[1].Skills[2].Cells[2].Required = true
	res, err := Assess(m, rate("W", "W", "W", "W", "W", "W", "W", "W", "A", "A", ""), Options{ThresholdPercent: 70})
	if err != nil {
		t.Fatal(err)
	}
	if levelID(res.Current) != "middle" {
		t.Fatalf("current = %q, want middle", levelID(res.Current))
	}
	gaps := make([]string, 0, len(res.Gaps))
	unmet := make([]string, 0, len(res.Unmet))
	for _, g := range res.Gaps {
		gaps = append(gaps, g.LevelID+":"+g.SkillID+map[bool]string{true: "*"}[g.Required])
	}
	for _, g := range res.Unmet {
		unmet = append(unmet, g.LevelID+":"+g.SkillID+":"+g.Expected+">"+g.Actual)
	}
	wantGaps := "senior:s01*,senior:s05*,senior:s02,senior:s03,senior:s04,senior:s06,senior:s07,senior:s08,senior:s09,senior:s10,senior:s11"
	if strings.Join(gaps, ",") != wantGaps {
		t.Errorf("gaps = %v\nwant   %s", gaps, wantGaps)
	}
	// s11 is unrated: it misses Junior and Middle; s09, s10 at A miss Middle.
	wantUnmet := "junior:s11:A>,middle:s09:W>A,middle:s10:W>A,middle:s11:W>"
	if strings.Join(unmet, ",") != wantUnmet {
		t.Errorf("unmet = %v\nwant    %s", unmet, wantUnmet)
	}
	if g := res.Unmet[1]; g.LevelName != "Middle" || g.ActualName != "Awareness" || g.ExpectedName != "Working" {
		t.Errorf("unmet[1] = %+v", g)
	}

	below, err := Assess(m, Ratings{}, Options{ThresholdPercent: 70})
	if err != nil {
		t.Fatal(err)
	}
	if below.Current != nil || below.Unmet == nil || len(below.Unmet) != 0 {
		t.Errorf("below the first level: current = %v, unmet = %v; want nil and []", below.Current, below.Unmet)
	}
}

func TestAssessWarnsAboutDrops(t *testing.T) {
	m := ladder(t)
	if res, err := Assess(m, nil, Options{}); err != nil || res.Warnings == nil || len(res.Warnings) != 0 {
		t.Fatalf("a rising ladder: warnings = %v, %v; want []", res.Warnings, err)
	}
	for ci := range m.Categories {
		for si := range m.Categories[ci].Skills {
			m.Categories[ci].Skills[si].Cells[2].Proficiency = "A"
		}
	}
	// s02 states nothing at Middle: its drop is from Junior's V to Senior's A.
	m.Categories[0].Skills[1].Cells[0].Proficiency = "V"
	m.Categories[0].Skills[1].Cells[1].Proficiency = ""
	res, err := Assess(m, rate("W", "W", "W", "W", "W", "W", "W", "W", "W", "W", "W"), Options{ThresholdPercent: 70})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 2 {
		t.Fatalf("warnings = %+v, want two", res.Warnings)
	}
	first, second := res.Warnings[0], res.Warnings[1]
	if first.Lower.ID != "junior" || first.Higher.ID != "senior" || len(first.Drops) != 1 ||
		first.Drops[0] != (Drop{SkillID: "s02", SkillName: "Skill 2", From: "V", To: "A"}) {
		t.Errorf("first warning = %+v", first)
	}
	if second.Lower.ID != "middle" || second.Higher.ID != "senior" || len(second.Drops) != 10 {
		t.Errorf("second warning = %+v", second)
	}
	want := "Senior expects less than Middle in 10 of 11 skills (Skill 1 W → A, Skill 3 W → A, Skill 4 W → A, 7 more), " +
		"so meeting Senior can take less than meeting Middle in them"
	if second.Message != want {
		t.Errorf("message = %q\nwant      %q", second.Message, want)
	}
	// One skill in all: the noun agrees with the count.
	one := ladder(t)
	one.Categories = []model.Category{{ID: "core", Name: "Core", Skills: one.Categories[0].Skills[:1]}}
	one.Categories[0].Skills[0].Cells[2].Proficiency = "A"
	res, err = Assess(one, nil, Options{})
	if err != nil || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0].Message, "in 1 of 1 skill (Skill 1 W → A)") {
		t.Errorf("one skill: warnings = %+v, %v; want one, in 1 of 1 skill", res.Warnings, err)
	}
}

// Compile is what the page embeds: ranks per level, NotCounted where the
// Role states nothing or something off the scale.
func TestCompile(t *testing.T) {
	m := ladder(t)
	m.Categories[0].Skills[0].Cells[1].Proficiency = ""
	m.Categories[0].Skills[0].Cells[2].Proficiency = "Z"
	tab := Compile(m)
	if len(tab.Skills) != 11 || len(tab.Levels) != 3 || len(tab.Scale) != 4 {
		t.Fatalf("table = %d skills, %d levels, %d steps", len(tab.Skills), len(tab.Levels), len(tab.Scale))
	}
	want := []Expectation{{0, true}, {NotCounted, false}, {NotCounted, false}}
	if got := tab.Skills[0].Cells; !slices.Equal(got, want) {
		t.Errorf("s01 cells = %+v, want %+v", got, want)
	}
	if got := tab.Skills[10]; got.ID != "s11" || got.CategoryName != "Extra" || got.Cells[2] != (Expectation{2, false}) {
		t.Errorf("s11 = %+v", got)
	}
	if tab.Rank("") != NotCounted || tab.Rank("V") != 2 || tab.Rank("v") != NotCounted {
		t.Error("Rank takes canonical ids only")
	}
}

func TestProficiency(t *testing.T) {
	scale := []model.Proficiency{{ID: "A", Name: "Awareness"}, {ID: "a", Name: "lower"}, {ID: "Ü", Name: "Über"}}
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"A", "A", true}, {"a", "a", true}, {" awareness\t", "A", true}, {"LOWER", "a", true},
		{"NONE", "", true}, {" - ", "", true}, {"", "", true},
		{"Ü", "Ü", true}, {"ü", "", false}, {"über", "", false}, // only ASCII folds
		{"\u00a0A", "", false}, // only ASCII white space is trimmed
		{"B", "", false},
	}
	for _, tc := range cases {
		got, ok := Proficiency(scale, tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Proficiency(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
