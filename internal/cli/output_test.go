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
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/cli"
)

// The -o yaml outputs that need no cluster, as golden files; each is the
// same data as -o json.
func TestGoldenYAML(t *testing.T) {
	files := []string{"-f", sampleMatrix, "-f", sampleRole}
	propose := []string{"propose", "mlops-engineer", "--dry-run=client", "--set", "kubernetes-core@senior=V",
		"--require", "kubernetes-core@junior", "--title", "Raise Kubernetes Core to Advanced at Senior"}
	cases := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"diff-levels-middle-senior.yaml", append([]string{"diff", "mlops-engineer", "--from", "middle", "--to", "senior", "-o", "yaml"}, files...), ""},
		{"diff-files.yaml", []string{"diff", "-f", sampleMatrix, "-f", sampleRole, "-f", editedRole, "-o", "yaml"}, editedRoleInvalid},
		{"assess.yaml", []string{"assess", "mlops-engineer", "--ratings", samRatings, "-f", filepath.Join(repoRoot, "config", "samples"), "-o", "yaml"}, ""},
		{"propose-dry-run-client.yaml", slices.Concat(propose, []string{"-o", "yaml"}, files),
			"warning: --dry-run=client without a cluster: the author is the placeholder YOUR-USERNAME\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := offline(t, "", tc.args...)
			if r.code != cli.ExitOK || r.stderr != tc.stderr {
				t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
			}
			golden(t, tc.name, []byte(r.stdout))
			args := append([]string{}, tc.args...)
			for i := range args {
				if args[i] == "yaml" && args[i-1] == "-o" {
					args[i] = "json"
				}
			}
			asJSON := offline(t, "", args...)
			if !sameData(t, r.stdout, asJSON.stdout) {
				t.Errorf("-o yaml and -o json differ:\n%s\n%s", r.stdout, asJSON.stdout)
			}
		})
	}
}

func sameData(t *testing.T, yamlText, jsonText string) bool {
	t.Helper()
	var a, b any
	if err := yaml.Unmarshal([]byte(yamlText), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(jsonText), &b); err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// propose --dry-run=client with -f needs no cluster and creates nothing; the
// other forms of --dry-run and -o are checked before anything is read.
func TestProposeDryRunOffline(t *testing.T) {
	files := []string{"-f", filepath.Join(repoRoot, "config", "samples")}
	base := []string{"propose", "mlops-engineer", "--set", "kubernetes-core@senior=V", "--title", "Raise it"}
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{"--dry-run alone means client", append(append(base, "--dry-run"), files...), cli.ExitOK,
			[]string{"proposal.career.skillmatrix.dev/mlops-engineer-raise-it created (dry run)", "set kubernetes-core@senior to A → V", "Nothing was created."}, nil},
		{"-o name", append(append(base, "--dry-run=client", "-o", "name"), files...), cli.ExitOK,
			[]string{"proposal.career.skillmatrix.dev/mlops-engineer-raise-it\n"}, nil},
		{"--dry-run=server needs a cluster", append(append(base, "--dry-run=server"), files...), cli.ExitFailure,
			nil, []string{"cannot talk to a cluster"}},
		{"--dry-run=none needs a cluster", append(append(base, "--dry-run=none"), files...), cli.ExitFailure,
			nil, []string{"cannot talk to a cluster"}},
		{"a bad --dry-run is a usage error", append(append(base, "--dry-run=maybe"), files...), cli.ExitUsage,
			nil, []string{`--dry-run "maybe": want none, client or server`}},
		{"a bad -o is a usage error", append(append(base, "--dry-run", "-o", "wide"), files...), cli.ExitUsage,
			nil, []string{`--output "wide" is not supported`}},
		{"the changes are checked offline too", append([]string{"propose", "mlops-engineer", "--set", "kubernets-core@senior=V", "--title", "typo", "--dry-run"}, files...),
			cli.ExitFailure, nil, []string{`did you mean "kubernetes-core"?`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := offline(t, "", tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, tc.code, r.stderr)
			}
			for _, w := range tc.stdout {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout does not contain %q:\n%s", w, r.stdout)
				}
			}
			for _, w := range tc.stderr {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not contain %q:\n%s", w, r.stderr)
				}
			}
		})
	}
}

// Offline commands honour -n when the files hold the same Role in several
// namespaces.
func TestOfflineNamespaces(t *testing.T) {
	role := string(mustRead(t, sampleRole))
	matrix := string(mustRead(t, sampleMatrix))
	inNS := func(doc, ns string) string {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatal(err)
		}
		obj["metadata"].(map[string]any)["namespace"] = ns
		if ns == "team-b" && obj["kind"] == "Role" {
			obj["spec"].(map[string]any)["displayName"] = "MLOps Engineer (team B)"
		}
		out, err := yaml.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	both := strings.Join([]string{inNS(matrix, "team-a"), inNS(role, "team-a"), inNS(matrix, "team-b"), inNS(role, "team-b")}, "---\n")
	r := offline(t, both, "render", "mlops-engineer", "-f", "-")
	if r.code != cli.ExitUsage || !strings.Contains(r.stderr, `hold career Role "mlops-engineer" in namespaces team-a, team-b: pick one with -n`) {
		t.Errorf("without -n: exit %d: %s", r.code, r.stderr)
	}
	r = offline(t, both, "render", "mlops-engineer", "-f", "-", "-n", "team-b")
	if r.code != cli.ExitOK || !strings.Contains(r.stdout, "MLOps Engineer (team B)") {
		t.Errorf("-n team-b: exit %d: %s", r.code, r.stderr)
	}
	r = offline(t, both, "diff", "-f", "-")
	if r.code != cli.ExitOK || !strings.Contains(r.stdout, `"MLOps Engineer" → "MLOps Engineer (team B)"`) {
		t.Errorf("diff of the two namespaces' Roles: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	r = offline(t, both, "diff", "-f", "-", "-n", "team-a")
	if r.code != cli.ExitUsage || !strings.Contains(r.stderr, "hold 1") {
		t.Errorf("diff -n team-a of one Role: exit %d: %s", r.code, r.stderr)
	}
	r = offline(t, both, "render", "mlops-engineer", "-f", "-", "-n", "team-c")
	if r.code != cli.ExitFailure || !strings.Contains(r.stderr, `no career Role in namespace "team-c"`) {
		t.Errorf("-n team-c: exit %d: %s", r.code, r.stderr)
	}
}

// -f DIR reads the directory's object files, as kubectl does.
func TestFilenameDirectory(t *testing.T) {
	dir := filepath.Join(repoRoot, "config", "samples")
	fromDir := offline(t, "", "render", "mlops-engineer", "-o", "json", "-f", dir)
	fromFiles := offline(t, "", "render", "mlops-engineer", "-o", "json", "-f", sampleMatrix, "-f", sampleRole)
	if fromDir.code != cli.ExitOK || fromDir.stdout != fromFiles.stdout {
		t.Errorf("-f %s: exit %d: %s", dir, fromDir.code, fromDir.stderr)
	}
	empty := t.TempDir()
	r := offline(t, "", "render", "-f", empty)
	if r.code != cli.ExitFailure || !strings.Contains(r.stderr, "holds no .yaml, .yml or .json files") {
		t.Errorf("-f of an empty directory: exit %d: %s", r.code, r.stderr)
	}
}

// assess: --ratings for the ratings, -f for objects; a -f file without a kind
// is still read as ratings for one release, with a warning.
func TestAssessRatingsFlag(t *testing.T) {
	want := offline(t, "", "assess", "--ratings", samRatings, "--matrix", sampleMatrix, "--role", sampleRole, "-o", "json")
	if want.code != cli.ExitOK {
		t.Fatalf("exit %d: %s", want.code, want.stderr)
	}
	ratings := string(mustRead(t, samRatings))
	cases := []struct {
		name, stdin string
		args        []string
		code        int
		stderr      string
	}{
		{"-f files of objects", "", []string{"--ratings", samRatings, "-f", sampleMatrix, "-f", sampleRole}, cli.ExitOK, ""},
		{"-f a directory", "", []string{"--ratings", samRatings, "-f", filepath.Join(repoRoot, "config", "samples")}, cli.ExitOK, ""},
		{"ratings on stdin", ratings, []string{"--ratings", "-", "-f", sampleMatrix, "-f", sampleRole}, cli.ExitOK, ""},
		{"-f ratings, deprecated", "", []string{"-f", samRatings, "-f", sampleMatrix, "-f", sampleRole}, cli.ExitOK,
			"reading ratings with -f is deprecated and will be removed; use --ratings"},
		{"-f - ratings, deprecated", ratings, []string{"-f", "-", "--matrix", sampleMatrix, "--role", sampleRole}, cli.ExitOK,
			"reading ratings with -f is deprecated"},
		{"two ratings", "", []string{"--ratings", samRatings, "-f", samRatings, "-f", sampleMatrix, "-f", sampleRole}, cli.ExitUsage,
			"declares no kind, so it would be ratings, but the ratings are"},
		{"no ratings", "", []string{"-f", sampleMatrix, "-f", sampleRole}, cli.ExitUsage, "missing --ratings"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := offline(t, tc.stdin, append([]string{"assess", "mlops-engineer", "-o", "json"}, tc.args...)...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) {
				t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, tc.code, r.stderr)
			}
			if tc.code == cli.ExitOK && r.stdout != want.stdout {
				t.Errorf("the assessment differs from --ratings with --matrix and --role:\n%s", r.stdout)
			}
		})
	}
}
