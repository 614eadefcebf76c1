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
	"slices"
	"strings"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/cli"
)

// The offline commands check the SkillMatrix and the Role of their files as
// the operator does, and refuse what it refuses with the message its status
// would show: a level listed twice used to render as a sixth level with
// wrong figures, and exit 0.
func TestOfflineCommandsRefuseInvalidSpecs(t *testing.T) {
	const (
		dupLevel = `SkillMatrix "engineering" is invalid: 1 problem: spec.levels[5].id: level id "senior" is a duplicate of spec.levels[2].id`
		dupSkill = `SkillMatrix "engineering" is invalid: 1 problem: spec.categories[0].skills[1].id: skill "github-copilot" appears twice in category "ai-assisted-development"`
		dupProf  = `SkillMatrix "engineering" is invalid: 1 problem: spec.proficiencies[4].id: proficiency id "W" is a duplicate of spec.proficiencies[1].id`
		badProf  = `career Role "mlops-engineer" is invalid: 1 problem against SkillMatrix "engineering": spec.skills[0].cells[0].proficiency: ` +
			`skill "github-copilot" at level "junior" has unknown proficiency "X"`
		dupRow = `career Role "mlops-engineer" is invalid: 1 problem against SkillMatrix "engineering": spec.skills[1].id: `
	)
	matrices := map[string]string{
		"a level listed twice": rewritten(t, sampleMatrix, "  proficiencies:\n", "    - {id: senior, name: Senior again}\n  proficiencies:\n"),
		"a skill id twice":     rewritten(t, sampleMatrix, "        - id: cursor-ide\n", "        - id: github-copilot\n"),
		"a proficiency twice":  rewritten(t, sampleMatrix, "  categories:\n", "    - {id: W, name: Working again}\n  categories:\n"),
	}
	roles := map[string]string{
		"an unknown proficiency": rewritten(t, sampleRole, "proficiency: A}", "proficiency: X}"),
		"a skill listed twice":   rewritten(t, sampleRole, "    - id: cursor-ide\n", "    - id: github-copilot\n"),
	}
	ratings := []string{"--ratings", samRatings}
	commands := map[string][]string{
		"render":      {"render", "-o", "md"},
		"render pdf":  {"render", "-o", "pdf"},
		"export":      {"export"},
		"diff levels": {"diff", "mlops-engineer", "--from", "middle", "--to", "senior"},
		"assess":      append([]string{"assess"}, ratings...),
	}
	cases := []struct {
		name, matrix, role, want string
	}{
		{"a level listed twice", matrices["a level listed twice"], sampleRole, dupLevel},
		{"a skill id twice in the catalog", matrices["a skill id twice"], sampleRole, dupSkill},
		{"a proficiency listed twice", matrices["a proficiency twice"], sampleRole, dupProf},
		{"an unknown proficiency in the Role", sampleMatrix, roles["an unknown proficiency"], badProf},
		{"a skill listed twice in the Role", sampleMatrix, roles["a skill listed twice"], dupRow},
	}
	for _, tc := range cases {
		for cmd, args := range commands {
			t.Run(tc.name+"/"+cmd, func(t *testing.T) {
				r := offline(t, "", slices.Concat(args, []string{"-f", tc.matrix, "-f", tc.role})...)
				if r.code != cli.ExitFailure || r.stdout != "" || !strings.Contains(r.stderr, "error: "+tc.want) {
					t.Errorf("exit %d, %d bytes on stdout, stderr:\n%s\nwant exit 1, nothing on stdout and\n%s", r.code, len(r.stdout), r.stderr, tc.want)
				}
			})
		}
	}
}

// Commands that work on an edit of a Role refuse an invalid SkillMatrix but
// only warn about an invalid Role: the edit may be what repairs it.
func TestEditsOfAnInvalidRoleAreWarnedAbout(t *testing.T) {
	dupLevel := rewritten(t, sampleMatrix, "  proficiencies:\n", "    - {id: senior, name: Senior again}\n  proficiencies:\n")
	badRole := rewritten(t, sampleRole, "proficiency: A}", "proficiency: X}")
	repair := []string{"propose", "mlops-engineer", "--dry-run", "--title", "Repair", "--set", "github-copilot@junior=A"}
	const badProf = `warning: career Role "mlops-engineer" is invalid: 1 problem against SkillMatrix "engineering": ` +
		`spec.skills[0].cells[0].proficiency: skill "github-copilot" at level "junior" has unknown proficiency "X"`

	r := offline(t, "", slices.Concat(repair, []string{"-f", sampleMatrix, "-f", badRole})...)
	if r.code != cli.ExitOK || !strings.Contains(r.stderr, badProf) || !strings.Contains(r.stdout, "set github-copilot@junior to X → A") {
		t.Errorf("propose repairing an invalid Role: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = offline(t, "", slices.Concat(repair, []string{"-f", dupLevel, "-f", sampleRole})...)
	if r.code != cli.ExitFailure || !strings.Contains(r.stderr, `error: SkillMatrix "engineering" is invalid: 1 problem: spec.levels[5].id`) {
		t.Errorf("propose against an invalid SkillMatrix: exit %d\n%s", r.code, r.stderr)
	}

	r = offline(t, "", "diff", "-f", sampleMatrix, "-f", sampleRole, "-f", badRole)
	if r.code != cli.ExitOK || !strings.Contains(r.stderr, badProf) || !strings.Contains(r.stdout, "github-copilot @ junior: proficiency A → X") {
		t.Errorf("diff to an invalid version: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = offline(t, "", "diff", "-f", sampleMatrix, "-f", badRole, "-f", sampleRole)
	if r.code != cli.ExitOK || r.stderr != "" {
		t.Errorf("diff from an invalid version (the repair): exit %d, stderr %s", r.code, r.stderr)
	}
	r = offline(t, "", "diff", "-f", dupLevel, "-f", sampleRole, "-f", sampleRole)
	if r.code != cli.ExitFailure || !strings.Contains(r.stderr, `error: SkillMatrix "engineering" is invalid`) {
		t.Errorf("diff with an invalid SkillMatrix: exit %d\n%s", r.code, r.stderr)
	}
}

// import checks the SkillMatrix it validates the imported Role against.
func TestImportRefusesAnInvalidSkillMatrix(t *testing.T) {
	at := func(name string) string { return filepath.Join("testdata", "import", name) }
	dupLevel := rewritten(t, at("matrix.yaml"), "  proficiencies:\n", "    - {id: middle, name: Middle again}\n  proficiencies:\n")
	r := offline(t, "", "import", "--csv", at("full.csv"), "--base", at("role.yaml"), "--matrix-file", dupLevel)
	want := `error: SkillMatrix "small" is invalid: 1 problem: spec.levels[3].id: level id "middle" is a duplicate of spec.levels[1].id`
	if r.code != cli.ExitFailure || r.stdout != "" || !strings.Contains(r.stderr, want) {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant %s", r.code, r.stdout, r.stderr, want)
	}
}
