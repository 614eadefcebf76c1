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

package cli

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
)

// FuzzImportLosses: whatever CSV ParseCSV accepts, when checkLosses lets an
// import through without --allow-removals, every skill of the base Role is
// still there and every level the base has cells at is read from the CSV,
// with its description and examples columns where the base has those. The
// seeds are testdata/import's CSVs (testdata/fuzz/FuzzImportLosses).
func FuzzImportLosses(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("testdata", "import", "role.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	var base v1.Role
	if err := yaml.UnmarshalStrict(data, &base); err != nil {
		f.Fatal(err)
	}
	o := &options{streams: genericiooptions.IOStreams{Out: io.Discard, ErrOut: io.Discard}}
	f.Fuzz(func(t *testing.T, csvData []byte) {
		imported, err := render.ParseCSV(csvData)
		if err != nil {
			return
		}
		layout := scanCSV(csvData)
		if err := o.checkLosses(base.Spec.Skills, imported, layout, false, "fuzz.csv"); err != nil {
			return
		}
		merged := mergeSkills(base.Spec.Skills, imported.Skills)
		for _, row := range base.Spec.Skills {
			if !slices.ContainsFunc(merged, func(r v1.SkillRequirement) bool { return r.ID == row.ID }) {
				t.Fatalf("skill %q of the base was removed without --allow-removals", row.ID)
			}
			for _, c := range row.Cells {
				if !slices.Contains(imported.Levels, c.Level) {
					t.Fatalf("level %q of skill %q is not read from the CSV, yet the import went through", c.Level, row.ID)
				}
				if c.Description != "" && !layout.columns[string(c.Level)+render.CSVSuffixDescription] ||
					len(c.Examples) > 0 && !layout.columns[string(c.Level)+render.CSVSuffixExamples] {
					t.Fatalf("the details of %s@%s have no column, yet the import went through", row.ID, c.Level)
				}
			}
		}
	})
}
