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
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/assess"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
)

// messageID is a string literal of the CLI's sources that names a catalog
// message.
var messageID = regexp.MustCompile(`"((?:assess|diff|col|word|count|calc|heading|sep)\.[A-Za-z.]*[A-Za-z])"`)

// Every message the CLI asks for is in every catalog: a missing one would
// print its id. The sources are scanned, so branches the goldens do not
// reach (the top level, no differences) are covered too; the ids built at
// run time are listed here.
func TestMessagesAreInTheCatalogs(t *testing.T) {
	ids := map[string]bool{}
	for _, field := range []string{"proficiency", "required", "description", "examples", "cell"} { // diff.CellChange.Field
		ids["diff.field."+field] = true
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range messageID.FindAllStringSubmatch(string(src), -1) {
			ids[m[1]] = true
		}
	}
	if len(ids) < 40 {
		t.Fatalf("found only %d message ids in the sources: is the pattern stale?", len(ids))
	}
	for id := range ids {
		if strings.HasSuffix(id, ".") {
			continue // a prefix, completed at run time
		}
		for _, locale := range render.CatalogLocales() {
			if got := render.Message(locale, id, "Count", 2); got == id {
				t.Errorf("catalog %s has no message %q", locale, id)
			}
		}
	}
}

// The table printer lines up columns by terminal width, as text/tabwriter
// does for ASCII; a Chinese heading takes two columns a character.
func TestAlignColumns(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"ascii", "a\tbb\tc\nccc\td\te\n", "a    bb  c\nccc  d   e\n"},
		{"wide characters", "级别\tMET\nJunior\tyes\n", "级别    MET\nJunior  yes\n"},
		{"text after the last tab is not aligned", "a\tlong text\nbbbb\tx\n", "a     long text\nbbbb  x\n"},
		{"a column ends where a line lacks it", "a\tb\nno tabs\nccc\td\n", "a  b\nno tabs\nccc  d\n"},
		{"combining marks take no column", "e\u0301\tx\nab\ty\n", "e\u0301   x\nab  y\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := alignColumns(tc.in); got != tc.want {
				t.Errorf("alignColumns(%q) =\n%q\nwant\n%q", tc.in, got, tc.want)
			}
		})
	}
}

// The en catalog words a drop warning as internal/assess does, so -o json
// says in English what the domain says: the sample's warning, and one skill
// of one.
func TestDropWarningInEnglishIsTheDomains(t *testing.T) {
	b, err := (&options{}).readFiles([]string{filepath.Join("..", "..", "config", "samples")})
	if err != nil {
		t.Fatal(err)
	}
	matrix, role, err := b.role("mlops-engineer", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	full := model.BuildRole(matrix, role)
	one := model.BuildRole(matrix, role)
	one.Categories = one.Categories[:1]
	one.Categories[0].Skills = one.Categories[0].Skills[:1]
	for name, m := range map[string]*model.RoleMatrix{"the sample": full, "one skill": one} {
		res, err := assess.Assess(m, nil, assess.Options{})
		if err != nil || len(res.Warnings) == 0 {
			t.Fatalf("%s: %v, %d warnings; want some", name, err, len(res.Warnings))
		}
		skills := 0
		for _, c := range m.Categories {
			skills += len(c.Skills)
		}
		for _, w := range res.Warnings {
			if got := dropWarning(messages{locale: "en"}, &w, skills); got != w.Message {
				t.Errorf("%s: catalog %q\nassess  %q", name, got, w.Message)
			}
		}
	}
}
