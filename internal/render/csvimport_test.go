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
	"reflect"
	"strings"
	"testing"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
)

// Exporting the sample and importing the CSV gives back the Role's rows:
// every cell with its proficiency, required flag, description and examples.
func TestParseCSVRoundTripsTheSample(t *testing.T) {
	matrix, role := sample(t)
	data, err := render.CSV(model.BuildRole(matrix, role))
	if err != nil {
		t.Fatal(err)
	}
	got, err := render.ParseCSV(data)
	if err != nil {
		t.Fatal(err)
	}
	if want := []v1.ID{"junior", "middle", "senior", "lead", "principal"}; !reflect.DeepEqual(got.Levels, want) {
		t.Errorf("levels = %v, want %v", got.Levels, want)
	}
	if len(got.Ignored) != 0 {
		t.Errorf("ignored = %v", got.Ignored)
	}
	if !reflect.DeepEqual(got.Skills, role.Spec.Skills) {
		for i := range min(len(got.Skills), len(role.Spec.Skills)) {
			if !reflect.DeepEqual(got.Skills[i], role.Spec.Skills[i]) {
				t.Fatalf("row %d:\n got %+v\nwant %+v", i, got.Skills[i], role.Spec.Skills[i])
			}
		}
		t.Fatalf("%d rows, want %d", len(got.Skills), len(role.Spec.Skills))
	}
}

func TestParseCSV(t *testing.T) {
	const header = "category_id,category_name,skill_id,skill_name,junior,junior_required,senior,senior_required,junior_description,junior_examples,senior_description,senior_examples\n"
	cases := []struct {
		name, data string
		want       []v1.SkillRequirement
		ignored    []string
		err        string
	}{
		{
			name: "edited in a spreadsheet: BOM, spaces, case, a notes column, blank lines",
			data: "\uFEFF" + strings.TrimSuffix(header, "\n") + ",notes\n" +
				"c,C,docker,Docker, W ,TRUE,V,,\"Builds images.\",\"one\n\ntwo\",,,my note\n" +
				",,,,,,,,,,,,\n" +
				"c,C,helm,Helm,A,false,,,,,,,\n",
			want: []v1.SkillRequirement{
				{ID: "docker", Cells: []v1.Cell{
					{Level: "junior", Proficiency: "W", Required: true, Description: "Builds images.", Examples: []string{"one", "two"}},
					{Level: "senior", Proficiency: "V"},
				}},
				{ID: "helm", Cells: []v1.Cell{{Level: "junior", Proficiency: "A"}}},
			},
			ignored: []string{"notes"},
		},
		{name: "empty", data: "", err: "the CSV is empty"},
		{name: "no skill_id", data: "skill,junior,junior_required\n", err: "there is no skill_id column"},
		{name: "no levels", data: "skill_id,junior\n", err: "no level columns"},
		{name: "repeated column", data: "skill_id,junior,junior_required,junior\n", err: `column "junior" appears twice`},
		{name: "orphan detail column", data: "skill_id,junior,junior_required,senior_description\n",
			err: `header: column "senior_description" belongs to level "senior", which lacks 2 columns: "senior" and "senior_required"`},
		{name: "only the level's proficiency column missing", data: "skill_id,junior,junior_required,senior_required,senior_description\n",
			err: `header: column "senior_required" belongs to level "senior", which lacks 1 column: "senior"`},
		{name: "only the level's required column missing", data: "skill_id,junior,junior_required,senior,senior_examples\n",
			err: `header: column "senior_examples" belongs to level "senior", which lacks 1 column: "senior_required"`},
		{name: "empty skill id", data: header + "c,C,,Docker,W,true,,,,,,\n", err: "line 2: column skill_id is empty"},
		{name: "repeated skill", data: header + "c,C,docker,,W,,,,,,,\nc,C,docker,,W,,,,,,,\n", err: `line 3: skill "docker" is listed twice (first on line 2)`},
		{name: "bad flag", data: header + "c,C,docker,,W,yes,,,,,,\n", err: `column junior_required of skill "docker" is "yes"`},
		{name: "flag without proficiency", data: header + "c,C,docker,,,true,,,,,,\n", err: `skill "docker" at level "junior" has a required flag, description or examples but no proficiency`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := render.ParseCSV([]byte(tc.data))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Skills, tc.want) {
				t.Errorf("skills = %+v\nwant %+v", got.Skills, tc.want)
			}
			if !reflect.DeepEqual(got.Ignored, tc.ignored) {
				t.Errorf("ignored = %v, want %v", got.Ignored, tc.ignored)
			}
		})
	}
}

// FuzzParseCSV feeds arbitrary bytes to the importer: it must never panic,
// and whatever it accepts must hold only rows with ids and cells with a
// proficiency, at most one cell per level.
func FuzzParseCSV(f *testing.F) {
	f.Add([]byte("skill_id,junior,junior_required\ndocker,W,true\n"))
	f.Add([]byte("category_id,skill_id,a,a_required,a_description,a_examples\nc,x,V,false,\"d\",\"e1\ne2\"\n"))
	f.Add([]byte("\uFEFFskill_id,a,a_required,b,b_required\n,,,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := render.ParseCSV(data)
		if err != nil {
			return
		}
		for _, row := range got.Skills {
			if row.ID == "" {
				t.Fatalf("a row without id: %+v", row)
			}
			seen := map[v1.ID]bool{}
			for _, c := range row.Cells {
				if c.Proficiency == "" || seen[c.Level] {
					t.Fatalf("bad cells in %+v", row)
				}
				seen[c.Level] = true
			}
		}
	})
}
