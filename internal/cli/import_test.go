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

package cli_test

import (
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/cli"
)

// importCase is one import run over the files of testdata/import.
type importCase struct {
	name   string
	args   []string
	code   int
	stderr []string // each must appear on stderr
	check  func(t *testing.T, role *v1.Role)
}

func TestImportCases(t *testing.T) {
	dir := filepath.Join("testdata", "import")
	at := func(name string) string { return filepath.Join(dir, name) }
	base := []string{"--base", at("role.yaml"), "--matrix-file", at("matrix.yaml")}
	withBase := func(csv string, extra ...string) []string {
		return append(append([]string{"import", "--csv", at(csv)}, base...), extra...)
	}
	cases := []importCase{
		{name: "a full export imports to the base Role", args: withBase("full.csv"), code: cli.ExitOK,
			check: func(t *testing.T, r *v1.Role) {
				if got := r.Spec.Skills[0].Cells[2].Examples; len(got) != 2 {
					t.Errorf("docker@senior examples = %q", got)
				}
			}},
		{name: "a missing examples column is an error naming it", args: withBase("no-examples-column.csv"), code: cli.ExitFailure,
			stderr: []string{"does not give 1 column that the base Role has data in", `column senior_examples: the examples of 2 cells (first: skill "docker")`}},
		{name: "a missing level is an error naming its columns", args: withBase("no-senior-columns.csv"), code: cli.ExitFailure,
			stderr: []string{"does not give 4 columns", "column senior: the proficiency of 3 cells", "column senior_required: the required flag of 1 cell",
				"column senior_description: the description of 1 cell", "column senior_examples: the examples of 2 cells"}},
		{name: "a level column without its _required column is not read: an error, not a silent drop", args: withBase("no-senior-required-column.csv"),
			code: cli.ExitFailure, stderr: []string{`ignoring column "senior"`,
				`column senior: the proficiency of 3 cells (first: skill "docker"); the column is there, but without its level's "senior_required" column it is not read`}},
		{name: "a header-only CSV removes every skill: refused", args: withBase("header-only.csv"), code: cli.ExitFailure,
			stderr: []string{"has no row for 3 skills of the base Role, so the import would remove them: docker, kubernetes-core, mlflow", "--allow-removals"}},
		{name: "a removed row is refused", args: withBase("without-mlflow.csv"), code: cli.ExitFailure,
			stderr: []string{"has no row for 1 skill of the base Role, so the import would remove it: mlflow"}},
		{name: "a removed row with --allow-removals is removed, and said", args: withBase("without-mlflow.csv", "--allow-removals"), code: cli.ExitOK,
			stderr: []string{"warning: removing 1 skill the CSV has no row for: mlflow"},
			check: func(t *testing.T, r *v1.Role) {
				if len(r.Spec.Skills) != 2 {
					t.Errorf("%d skills, want 2", len(r.Spec.Skills))
				}
			}},
		{name: "bad proficiencies are reported by line and column", args: withBase("bad-proficiencies.csv"), code: cli.ExitFailure,
			stderr: []string{"(2 problems)",
				`line 4, column middle: skill "kubernetes-core" at level "middle" has unknown proficiency "X" (want one of A, W, V, E)`,
				`line 5, column junior: skill "mlflow" at level "junior" has unknown proficiency "w" (want one of A, W, V, E); did you mean "W"? ids are case-sensitive`}},
		{name: "an unknown skill names its line and the skill_id column", args: withBase("typo-skill.csv", "--allow-removals"), code: cli.ExitFailure,
			stderr: []string{`line 2, column skill_id: skill "dokcer" is not in the matrix's catalog; did you mean "docker"?`}},
		{name: "without a SkillMatrix and no cluster: refused", args: []string{"import", "--csv", at("full.csv"), "--base", at("role.yaml")}, code: cli.ExitFailure,
			stderr: []string{`cannot check the import against SkillMatrix "small": cannot talk to a cluster`, "--matrix-file", "--skip-validation"}},
		{name: "--skip-validation imports unchecked, and says so", args: []string{"import", "--csv", at("bad-proficiencies.csv"), "--base", at("role.yaml"), "--skip-validation"},
			code: cli.ExitOK, stderr: []string{`warning: --skip-validation: the imported Role was not checked against SkillMatrix "small"`}},
		{name: "-f takes the base and the SkillMatrix as files of objects, or their directory", args: []string{"import", "--csv", at("full.csv"), "-f", dir}, code: cli.ExitOK},
		{name: "a CSV given with -f is still read, with a deprecation warning", args: []string{"import", "-f", at("full.csv"), "-f", at("role.yaml"), "-f", at("matrix.yaml")},
			code: cli.ExitOK, stderr: []string{"reading a CSV with -f is deprecated", "use --csv"}},
		{name: "two CSVs are a usage error", args: []string{"import", "--csv", at("full.csv"), "-f", at("header-only.csv")}, code: cli.ExitUsage,
			stderr: []string{"is a second CSV"}},
		{name: "no CSV is a usage error", args: []string{"import", "-f", at("role.yaml")}, code: cli.ExitUsage, stderr: []string{"missing --csv"}},
		{name: "a numeric scale with a lower-case code imports", args: []string{"import", "--csv", at("dreyfus.csv"), "--name", "sre", "--matrix", "dreyfus",
			"--matrix-file", at("matrix-dreyfus.yaml")}, code: cli.ExitOK,
			check: func(t *testing.T, r *v1.Role) {
				if got := r.Spec.Skills[1].Cells[1].Proficiency; got != "x" {
					t.Errorf("kubernetes-core@senior = %q, want x", got)
				}
			}},
		{name: "a Role for another scale is refused once per foreign code", args: []string{"import", "--csv", at("dreyfus-foreign-scale.csv"), "--name", "sre",
			"--matrix", "small", "--matrix-file", at("matrix.yaml")}, code: cli.ExitFailure,
			stderr: []string{"(3 problems)", `unknown proficiency "1" (want one of A, W, V, E); 3 other cells use it too`,
				`unknown proficiency "2" (want one of A, W, V, E); 2 other cells use it too`, `unknown proficiency "3" (want one of A, W, V, E); 1 other cell uses it too`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := offline(t, "", tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, tc.code, r.stderr)
			}
			for _, w := range tc.stderr {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not contain %q:\n%s", w, r.stderr)
				}
			}
			if tc.code != cli.ExitOK {
				if r.stdout != "" {
					t.Errorf("a refused import printed a Role:\n%s", r.stdout)
				}
				return
			}
			var role v1.Role
			if err := yaml.UnmarshalStrict([]byte(r.stdout), &role); err != nil {
				t.Fatalf("output is not a Role: %v\n%s", err, r.stdout)
			}
			if tc.check != nil {
				tc.check(t, &role)
			}
		})
	}
}
