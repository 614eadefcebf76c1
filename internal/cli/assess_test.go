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
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/cli"
)

// assess refuses ratings files it cannot honestly answer for, with exit code
// 1 and a message in the user's terms; the files are internal/assess's.
func TestAssessRatingsFileErrors(t *testing.T) {
	dir := filepath.Join(repoRoot, "internal", "assess", "testdata", "ratings")
	cases := []struct {
		file string
		want []string
	}{
		{"empty.yaml", []string{"empty.yaml: the ratings file rates no skill: it is empty or holds only comments"}},
		{"comments-only.yaml", []string{"rates no skill"}},
		{"header-only.csv", []string{"header-only.csv: the ratings file rates no skill"}},
		{"list.yaml", []string{"list.yaml:1: a ratings file is a map of skill id to proficiency", "not a list"}},
		{"list-value.yaml", []string{`list-value.yaml:1: skill "docker": want one proficiency such as W, not a list`}},
		{"duplicate.yaml", []string{`duplicate.yaml:3: skill "docker" is rated twice (first on line 1)`}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			r := offline(t, "", "assess", "--ratings", filepath.Join(dir, tc.file), "--matrix", sampleMatrix, "--role", sampleRole)
			if r.code != cli.ExitFailure {
				t.Errorf("exit %d, want %d", r.code, cli.ExitFailure)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not contain %q:\n%s", w, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
		})
	}
}

// A value the scale does not define is named with the scale.
func TestAssessUndefinedProficiency(t *testing.T) {
	r := offline(t, "docker: yes\nhelm: 3\n", "assess", "--ratings", "-", "--matrix", sampleMatrix, "--role", sampleRole)
	if r.code != cli.ExitFailure {
		t.Fatalf("exit %d, want %d", r.code, cli.ExitFailure)
	}
	for _, w := range []string{
		`proficiency "yes" of skill "docker" is not on the scale of SkillMatrix "engineering" (want one of A, W, V, E, or none)`,
		`proficiency "3" of skill "helm"`,
	} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr does not contain %q:\n%s", w, r.stderr)
		}
	}
}

// -o json carries the unmet cells below the current level and the warnings.
func TestAssessJSONHasUnmetAndWarnings(t *testing.T) {
	r := offline(t, "", "assess", "--ratings", samRatings, "--matrix", sampleMatrix, "--role", sampleRole, "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var res struct {
		Unmet []struct {
			LevelID, SkillID string
		}
		Warnings []struct {
			Lower, Higher struct{ ID string }
			Drops         []struct{ SkillID string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Unmet) != 12 || res.Unmet[0].LevelID != "junior" || res.Unmet[11].LevelID != "middle" {
		t.Errorf("unmet = %+v, want 6 at Junior and 6 at Middle", res.Unmet)
	}
	if len(res.Warnings) != 1 || res.Warnings[0].Lower.ID != "middle" || res.Warnings[0].Higher.ID != "senior" || len(res.Warnings[0].Drops) != 56 {
		t.Errorf("warnings = %+v, want Middle to Senior for all 56 skills", res.Warnings)
	}
}
