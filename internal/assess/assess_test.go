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
		name, file, data string
		want             Ratings
		err              string
	}{
		{name: "yaml", file: "r.yaml", data: "# me\ndocker: V\nhelm:\nkubernetes-core: w\n",
			want: Ratings{"docker": "V", "helm": "", "kubernetes-core": "w"}},
		{name: "json", file: "r.json", data: `{"docker": "V"}`, want: Ratings{"docker": "V"}},
		{name: "yaml duplicate", file: "r.yaml", data: "docker: V\ndocker: W\n", err: "docker"},
		{name: "yaml number", file: "r.yaml", data: "docker: 3\n", err: `skill "docker": the proficiency must be a proficiency id`},
		{name: "yaml list", file: "r.yaml", data: "- docker\n", err: "not a YAML map"},
		{name: "csv with header", file: "r.csv", data: "skill,proficiency\ndocker,V\n# comment\n\nhelm,\n",
			want: Ratings{"docker": "V", "helm": ""}},
		{name: "csv without header", file: "R.CSV", data: "docker, V\n", want: Ratings{"docker": "V"}},
		{name: "csv duplicate", file: "r.csv", data: "docker,V\ndocker,W\n", err: `r.csv:2: skill "docker" is rated twice`},
		{name: "csv three columns", file: "r.csv", data: "docker,V,x\n", err: "want two columns"},
		{name: "csv empty skill", file: "r.csv", data: ",V\n", err: "skill column is empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseRatings(tc.file, []byte(tc.data))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
