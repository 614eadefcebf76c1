package manifestedit

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

var update = flag.Bool("update", false, "rewrite the golden diffs in testdata/golden")

// TestGoldenSplice edits a commented multi-document file with each op and
// compares the line diff with testdata/golden/<case>.diff: only the changed
// lines differ, and the other documents are byte-identical.
func TestGoldenSplice(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "golden", "input.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		changes []v1alpha1.Change
	}{
		{"set-proficiency-flow-cell", []v1alpha1.Change{{Op: v1alpha1.OpSetProficiency, Skill: "github-copilot", Level: "junior", Proficiency: "W", From: &v1alpha1.ChangeValue{Proficiency: "A"}}}},
		{"set-proficiency-quoted", []v1alpha1.Change{{Op: v1alpha1.OpSetProficiency, Skill: "python", Level: "senior", Proficiency: "A"}}},
		{"set-required-add-flow", []v1alpha1.Change{{Op: v1alpha1.OpSetRequired, Skill: "go", Level: "junior", Required: new(true), From: &v1alpha1.ChangeValue{Required: new(false)}}}},
		{"set-required-add-block", []v1alpha1.Change{{Op: v1alpha1.OpSetRequired, Skill: "python", Level: "junior", Required: new(true)}}},
		{"set-required-replace", []v1alpha1.Change{{Op: v1alpha1.OpSetRequired, Skill: "github-copilot", Level: "senior", Required: new(false)}}},
		{"set-focus-plain-commented", []v1alpha1.Change{{Op: v1alpha1.OpSetFocus, Level: "junior", Focus: new("Building ML pipelines."), From: &v1alpha1.ChangeValue{Focus: new("Setting up ML pipelines.")}}}},
		{"set-focus-folded", []v1alpha1.Change{{Op: v1alpha1.OpSetFocus, Level: "senior", Focus: new("Platform strategy: serving, cost.")}}},
		{"set-focus-new-level", []v1alpha1.Change{{Op: v1alpha1.OpSetFocus, Level: "lead", Focus: new("Standards across teams.")}}},
		{"set-tech-stack-block", []v1alpha1.Change{{Op: v1alpha1.OpSetTechStack, Level: "junior", TechStack: []string{"Python", "MLflow", "DVC"}}}},
		{"set-tech-stack-flow", []v1alpha1.Change{{Op: v1alpha1.OpSetTechStack, Level: "senior", TechStack: []string{"Kubeflow", "Ray Serve", "yes"}, From: &v1alpha1.ChangeValue{TechStack: []string{"Kubeflow", "Triton"}}}}},
		{"add-skill", []v1alpha1.Change{{Op: v1alpha1.OpAddSkill, Skill: "rust", Cells: []v1alpha1.Cell{{Level: "junior", Proficiency: "A"}, {Level: "senior", Proficiency: "W", Required: true}}}}},
		{"remove-skill", []v1alpha1.Change{{Op: v1alpha1.OpRemoveSkill, Skill: "python"}}},
		{"several", []v1alpha1.Change{
			{Op: v1alpha1.OpAddSkill, Skill: "rust", Cells: []v1alpha1.Cell{{Level: "junior", Proficiency: "A", Description: "Reads Rust.\nWrites small tools."}, {Level: "senior", Proficiency: "W"}}},
			{Op: v1alpha1.OpSetProficiency, Skill: "rust", Level: "senior", Proficiency: "E"},
			{Op: v1alpha1.OpRemoveSkill, Skill: "go"},
			{Op: v1alpha1.OpSetTechStack, Level: "junior", TechStack: nil},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Edit(src, RoleTarget("career", "mlops-engineer"), tc.changes)
			if err != nil {
				t.Fatal(err)
			}
			assertOutsideRoleUnchanged(t, src, out)
			got := lineDiff(string(src), string(out))
			path := filepath.Join("testdata", "golden", tc.name+".diff")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("diff of %s:\n%s\nwant:\n%s", tc.name, got, want)
			}
		})
	}
}

// assertOutsideRoleUnchanged checks the documents before and after the
// Role's are byte-identical.
func assertOutsideRoleUnchanged(t *testing.T, src, out []byte) {
	t.Helper()
	doc, err := locate(src, RoleTarget("career", "mlops-engineer"))
	if err != nil {
		t.Fatal(err)
	}
	tail := src[doc.end:]
	if !bytes.HasPrefix(out, src[:doc.start]) || !bytes.HasSuffix(out, tail) || len(out) < doc.start+len(tail) {
		t.Fatalf("the documents around the Role changed")
	}
}
