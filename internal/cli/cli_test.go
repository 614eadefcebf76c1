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
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/cli"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden from the current output")

var (
	sampleMatrix = filepath.Join(repoRoot, "config", "samples", "career_v1alpha1_skillmatrix.yaml")
	sampleRole   = filepath.Join(repoRoot, "config", "samples", "career_v1alpha1_role.yaml")
	editedRole   = filepath.Join("testdata", "mlops-engineer-edited.yaml")
	// The sample engineer of docs/cli.md.
	samRatings = filepath.Join(repoRoot, "docs", "examples", "mlops-engineer-ratings.yaml")
)

// offline runs the plugin with no cluster: a kubeconfig that points nowhere,
// so a command that tried to reach a cluster would fail.
func offline(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	kubeconfig := filepath.Join(t.TempDir(), "none")
	var out, errOut bytes.Buffer
	args = append(args, "--kubeconfig", kubeconfig)
	code := cli.Run(context.Background(), args, genericiooptions.IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut})
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./internal/cli/ -run TestGolden -update` to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s; if the change is intended, rerun with -update and review the diff.\ngot:\n%s", path, got)
	}
}

// editedRoleInvalid is the warning diff -f gives for the edited Role of
// testdata, which adds a skill the catalog lacks: the diff is printed all
// the same.
const editedRoleInvalid = `warning: career Role "mlops-engineer" is invalid: 1 problem against SkillMatrix "engineering": ` +
	`spec.skills[55].id: skill "llm-serving" is not in the matrix's catalog` + "\n"

func TestGolden(t *testing.T) {
	files := []string{"-f", sampleMatrix, "-f", sampleRole}
	cases := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"render.md", append([]string{"render", "mlops-engineer", "-o", "md"}, files...), ""},
		{"render.zh-CN.md", append([]string{"render", "mlops-engineer", "-o", "md", "--locale", "zh-CN"}, files...), ""},
		{"diff-levels-middle-senior.txt", append([]string{"diff", "mlops-engineer", "--from", "middle", "--to", "senior"}, files...), ""},
		{"diff-levels-senior-lead-changed-only.txt", append([]string{"diff", "mlops-engineer", "--from", "Sen", "--to", "Lead / Staff", "--changed-only"}, files...), ""},
		{"diff-levels-junior-middle.json", append([]string{"diff", "mlops-engineer", "--from", "junior", "--to", "middle", "-o", "json"}, files...), ""},
		{"diff-files.txt", []string{"diff", "-f", sampleMatrix, "-f", sampleRole, "-f", editedRole}, editedRoleInvalid},
		{"diff-files.json", []string{"diff", "-f", sampleMatrix, "-f", sampleRole, "-f", editedRole, "-o", "json"}, editedRoleInvalid},
		{"diff-files-no-matrix.txt", []string{"diff", "-f", sampleRole, "-f", editedRole}, ""},
		{"assess.txt", []string{"assess", "--ratings", samRatings, "--matrix", sampleMatrix, "--role", sampleRole}, ""},
		{"assess.json", []string{"assess", "mlops-engineer", "--ratings", samRatings, "--matrix", sampleMatrix, "--role", sampleRole, "-o", "json"}, ""},
		{"assess.md", []string{"assess", "--ratings", samRatings, "--matrix", sampleMatrix, "--role", sampleRole, "-o", "md"}, ""},
		{"assess-threshold-90.txt", []string{"assess", "--ratings", samRatings, "--matrix", sampleMatrix, "--role", sampleRole, "--threshold", "90"}, ""},
		// --locale zh-CN: every interface string from the zh-CN catalog.
		{"assess.zh-CN.txt", []string{"assess", "--ratings", samRatings, "--matrix", sampleMatrix, "--role", sampleRole, "--locale", "zh-CN"}, ""},
		{"assess.zh-CN.md", []string{"assess", "--ratings", samRatings, "--matrix", sampleMatrix, "--role", sampleRole, "-o", "md", "--locale", "zh-CN"}, ""},
		{"assess.zh-CN.json", []string{"assess", "--ratings", samRatings, "--matrix", sampleMatrix, "--role", sampleRole, "-o", "json", "--locale", "zh-CN"}, ""},
		{"assess-threshold-90.zh-CN.txt", []string{"assess", "--ratings", samRatings, "--matrix", sampleMatrix, "--role", sampleRole, "--threshold", "90", "--locale", "zh-CN"}, ""},
		{"diff-levels-middle-senior.zh-CN.txt", append([]string{"diff", "mlops-engineer", "--from", "middle", "--to", "senior", "--locale", "zh-CN"}, files...), ""},
		{"diff-files.zh-CN.txt", []string{"diff", "-f", sampleMatrix, "-f", sampleRole, "-f", editedRole, "--locale", "zh-CN"}, editedRoleInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := offline(t, "", tc.args...)
			if r.code != cli.ExitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if r.stderr != tc.stderr {
				t.Errorf("stderr: %s\nwant: %s", r.stderr, tc.stderr)
			}
			golden(t, tc.name, []byte(r.stdout))
		})
	}
}

// The plugin renders exactly what the operator publishes.
func TestRenderMatchesRenderPackage(t *testing.T) {
	for _, f := range []string{"json", "csv", "html"} {
		r := offline(t, "", "render", "-o", f, "-f", sampleMatrix, "-f", sampleRole)
		if r.code != 0 {
			t.Fatalf("-o %s: exit %d: %s", f, r.code, r.stderr)
		}
		// One multi-document file gives the same bytes.
		both := string(mustRead(t, sampleMatrix)) + "\n---\n" + string(mustRead(t, sampleRole))
		r2 := offline(t, both, "render", "mlops-engineer", "-o", f, "-f", "-")
		if r2.code != 0 || r2.stdout != r.stdout {
			t.Errorf("-o %s from one multi-document stdin differs (exit %d, %s)", f, r2.code, r2.stderr)
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestRenderPDF(t *testing.T) {
	out := filepath.Join(t.TempDir(), "mlops-engineer.pdf")
	r := offline(t, "", "render", "mlops-engineer", "-o", "pdf", "--output-file", out, "-f", sampleMatrix, "-f", sampleRole)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if r.stdout != "" || !strings.Contains(r.stderr, "wrote "+out) {
		t.Errorf("stdout %q, stderr %q", r.stdout, r.stderr)
	}
	data := mustRead(t, out)
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", data[:min(16, len(data))])
	}
	if n := bytes.Count(data, []byte("/Type /Page\n")); n < 4 || n > 12 {
		t.Errorf("%d pages, want 4 to 12", n)
	}
}

// Exporting the sample and importing the CSV with the Role as base gives the
// same Role; without a base, the same skill rows.
func TestExportImportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "mlops-engineer.csv")
	r := offline(t, "", "export", "mlops-engineer", "-o", "csv", "--output-file", csvPath, "-f", sampleMatrix, "-f", sampleRole)
	if r.code != 0 {
		t.Fatalf("export: exit %d: %s", r.code, r.stderr)
	}
	var want v1.Role
	if err := yaml.UnmarshalStrict(mustRead(t, sampleRole), &want); err != nil {
		t.Fatal(err)
	}

	for _, format := range []string{"yaml", "json"} {
		r = offline(t, "", "import", "--csv", csvPath, "--base", sampleRole, "--matrix-file", sampleMatrix, "-o", format)
		if r.code != 0 {
			t.Fatalf("import -o %s: exit %d: %s", format, r.code, r.stderr)
		}
		var got v1.Role
		if err := yaml.UnmarshalStrict([]byte(r.stdout), &got); err != nil {
			t.Fatalf("import -o %s: %v", format, err)
		}
		if !reflect.DeepEqual(got.Spec, want.Spec) {
			t.Errorf("import -o %s: the spec differs from the sample's", format)
		}
		if got.Name != want.Name || got.Kind != "Role" || got.APIVersion != v1.GroupVersion.String() {
			t.Errorf("import -o %s: %s %s %s", format, got.APIVersion, got.Kind, got.Name)
		}
	}

	r = offline(t, "", "import", "--csv", csvPath, "--name", "mlops-copy", "--matrix", "engineering", "--matrix-file", sampleMatrix, "-n", "career")
	if r.code != 0 {
		t.Fatalf("import without base: exit %d: %s", r.code, r.stderr)
	}
	var bare v1.Role
	if err := yaml.UnmarshalStrict([]byte(r.stdout), &bare); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(bare.Spec.Skills, want.Spec.Skills) || bare.Name != "mlops-copy" || bare.Namespace != "career" ||
		bare.Spec.MatrixRef != "engineering" || bare.Spec.DisplayName != "mlops-copy" {
		t.Errorf("import without base: %+v", bare.ObjectMeta)
	}

	// An edited CSV: the diff shows exactly the edit.
	edited := strings.Replace(string(mustRead(t, csvPath)), "kubernetes-core,Kubernetes Core,A,false,W,true,A,true", "kubernetes-core,Kubernetes Core,A,false,W,true,V,true", 1)
	r = offline(t, edited, "import", "--csv", "-", "--base", sampleRole, "--matrix-file", sampleMatrix, "--output-file", filepath.Join(dir, "new.yaml"))
	if r.code != 0 {
		t.Fatalf("import of the edit: exit %d: %s", r.code, r.stderr)
	}
	r = offline(t, "", "diff", "-f", sampleRole, "-f", filepath.Join(dir, "new.yaml"), "--exit-code")
	if r.code != cli.ExitFailure || !strings.Contains(r.stdout, "kubernetes-core @ senior: proficiency A → V") ||
		!strings.Contains(r.stdout, "1 difference") {
		t.Errorf("diff of the edit: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A CSV that does not fit the SkillMatrix is refused, naming the problem.
	bad := strings.Replace(string(mustRead(t, csvPath)), ",docker,Docker,A,", ",dokcer,Docker,A,", 1)
	r = offline(t, bad, "import", "--csv", "-", "--base", sampleRole, "--matrix-file", sampleMatrix, "--allow-removals")
	if r.code != cli.ExitFailure || !strings.Contains(r.stderr, `"dokcer"`) || !strings.Contains(r.stderr, `did you mean "docker"?`) {
		t.Errorf("bad import: exit %d: %s", r.code, r.stderr)
	}
}

// CSV ratings give the same assessment as YAML ones.
func TestAssessCSVRatings(t *testing.T) {
	yamlOut := offline(t, "", "assess", "--ratings", samRatings, "--matrix", sampleMatrix, "--role", sampleRole, "-o", "json")
	var csv strings.Builder
	csv.WriteString("skill,proficiency\n")
	var ratings map[string]any
	if err := yaml.Unmarshal(mustRead(t, samRatings), &ratings); err != nil {
		t.Fatal(err)
	}
	for skill, p := range ratings {
		if p == nil {
			p = ""
		}
		csv.WriteString(skill + "," + p.(string) + "\n")
	}
	path := filepath.Join(t.TempDir(), "sam.csv")
	if err := os.WriteFile(path, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	csvOut := offline(t, "", "assess", "--ratings", path, "--matrix", sampleMatrix, "--role", sampleRole, "-o", "json")
	if yamlOut.code != 0 || csvOut.code != 0 || yamlOut.stdout != csvOut.stdout {
		t.Errorf("YAML and CSV ratings differ:\n%s%s\n%s%s", yamlOut.stdout, yamlOut.stderr, csvOut.stdout, csvOut.stderr)
	}
}

func TestErrors(t *testing.T) {
	files := []string{"-f", sampleMatrix, "-f", sampleRole}
	dir := t.TempDir()
	badRatings := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badRatings, []byte("dokcer: V\nkubernetes-core: X\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"unknown role", append([]string{"render", "mlops-engnr"}, files...), cli.ExitFailure,
			[]string{`career Role "mlops-engnr" not found`, `did you mean "mlops-engineer"?`}},
		{"unknown level", append([]string{"diff", "mlops-engineer", "--from", "midle", "--to", "senior"}, files...), cli.ExitFailure,
			[]string{`level "midle" is not a level of SkillMatrix "engineering"`, `did you mean "middle"?`}},
		{"unknown skill and proficiency in the ratings", []string{"assess", "--ratings", badRatings, "--matrix", sampleMatrix, "--role", sampleRole}, cli.ExitFailure,
			[]string{`skill "dokcer" is not a skill of Role "mlops-engineer"; did you mean "docker"?`,
				`proficiency "X" of skill "kubernetes-core" is not on the scale of SkillMatrix "engineering"`}},
		{"missing ratings file", []string{"assess", "--ratings", filepath.Join(dir, "nope.yaml"), "--role", sampleRole}, cli.ExitFailure,
			[]string{"no such file"}},
		{"no SkillMatrix in the files", []string{"render", "-f", sampleRole}, cli.ExitFailure,
			[]string{`refers to SkillMatrix "engineering"`, "no SkillMatrix in"}},
		{"bad format", append([]string{"render", "-o", "docx"}, files...), cli.ExitUsage,
			[]string{`--output "docx" is not supported`, "Run 'kubectl skillmatrix render --help' for usage."}},
		{"unknown flag", []string{"render", "--colour"}, cli.ExitUsage, []string{"unknown flag: --colour"}},
		{"unknown command", []string{"frobnicate"}, cli.ExitUsage, []string{`unknown command "frobnicate"`}},
		{"vote without decision", []string{"vote", "p"}, cli.ExitUsage, []string{"missing PROPOSAL and a decision"}},
		{"bad vote decision", []string{"vote", "p", "maybe"}, cli.ExitUsage, []string{`"maybe" is not a vote decision: want approve, reject or withdraw`}},
		{"bad review decision", []string{"review", "p", "reject"}, cli.ExitUsage, []string{`"reject" is not a review decision`}},
		{"diff with only --from", append([]string{"diff", "mlops-engineer", "--from", "junior"}, files...), cli.ExitUsage,
			[]string{"--from and --to go together"}},
		{"diff of one Role file", []string{"diff", "-f", sampleRole}, cli.ExitUsage, []string{"diff -f wants exactly two Roles"}},
		{"propose without title", []string{"propose", "mlops-engineer", "--set", "docker@junior=W"}, cli.ExitUsage, []string{"missing --title"}},
		{"threshold out of range", []string{"assess", "--ratings", samRatings, "--threshold", "120"}, cli.ExitUsage, []string{"--threshold 120 is out of range"}},
		{"import without base or name", []string{"import", "--csv", samRatings}, cli.ExitUsage, []string{"--name and --matrix are required"}},
		{"no cluster", []string{"status"}, cli.ExitFailure, []string{"cannot talk to a cluster", "check --kubeconfig and --context"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := offline(t, "", tc.args...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d; stderr: %s", r.code, tc.code, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not contain %q:\n%s", w, r.stderr)
				}
			}
		})
	}
}

// Every command documents itself with an example and answers --help with 0.
func TestHelp(t *testing.T) {
	root := cli.NewRootCommand(genericiooptions.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" || sub.Name() == "completion" {
				continue
			}
			if strings.TrimSpace(sub.Example) == "" {
				t.Errorf("%s has no example", sub.CommandPath())
			}
			if sub.Short == "" || sub.Long == "" {
				t.Errorf("%s has no description", sub.CommandPath())
			}
			r := offline(t, "", sub.Name(), "--help")
			if r.code != 0 || !strings.Contains(r.stdout, "Examples:") || !strings.Contains(r.stdout, "--kubeconfig") {
				t.Errorf("%s --help: exit %d\n%s", sub.Name(), r.code, r.stdout)
			}
			walk(sub)
		}
	}
	walk(root)
}
