package manifestedit

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

const roleHead = "apiVersion: career.skillmatrix.dev/v1alpha1\nkind: Role\nmetadata:\n  name: r\n"

const roleBody = `spec:
  matrixRef: m
  displayName: R
  skills:
    - id: go
      cells:
        - level: junior
          proficiency: A
`

var setGoJunior = []v1alpha1.Change{{Op: v1alpha1.OpSetProficiency, Skill: "go", Level: "junior", Proficiency: "W"}}

func TestEditRefuses(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want error
		line int
	}{
		{"no document", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\n", ErrNotFound, 0},
		{"other namespace", strings.Replace(roleHead, "name: r", "name: r\n  namespace: other", 1) + roleBody, ErrNotFound, 0},
		{"other apiVersion", strings.Replace(roleHead, "v1alpha1", "v1beta1", 1) + roleBody, ErrNotFound, 0},
		{"twice", roleHead + roleBody + "---\n" + roleHead + roleBody, ErrAmbiguous, 0},
		{"helm template", roleHead + "  labels: {{ include \"labels\" . }}\n" + roleBody, ErrNotPlain, 0},
		{"kustomize patch", roleHead + "spec:\n  skills:\n    - id: go\n      cells:\n        - {level: junior, proficiency: A}\n", ErrNotPlain, 6},
		{"anchor", roleHead + strings.Replace(roleBody, "proficiency: A", "proficiency: &p A", 1), ErrNotPlain, 12},
		{"alias", roleHead + "  annotations: {a: &x y, b: *x}\n" + roleBody, ErrNotPlain, 5},
		{"merge key", roleHead + strings.Replace(roleBody, "- level: junior", "- <<: {level: junior}", 1), ErrNotPlain, 11},
		{"tag", roleHead + strings.Replace(roleBody, "proficiency: A", "proficiency: !!str A", 1), ErrNotPlain, 12},
		{"duplicate key", roleHead + strings.Replace(roleBody, "proficiency: A", "proficiency: A\n          proficiency: V", 1), ErrNotPlain, 13},
		{"conflict", roleHead + strings.Replace(roleBody, "proficiency: A", "proficiency: V", 1), ErrConflict, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			changes := setGoJunior
			if tc.name == "conflict" {
				changes = []v1alpha1.Change{{Op: v1alpha1.OpSetProficiency, Skill: "go", Level: "junior", Proficiency: "W", From: &v1alpha1.ChangeValue{Proficiency: "A"}}}
			}
			_, err := Edit([]byte(tc.src), RoleTarget("career", "r"), changes)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			var np *NotPlainError
			if errors.As(err, &np) && np.Line != tc.line {
				t.Errorf("line %d, want %d (%v)", np.Line, tc.line, err)
			}
		})
	}
}

// TestEditConflictsAsGovernance reports exactly governance.Apply's conflicts.
func TestEditConflictsAsGovernance(t *testing.T) {
	src := roleHead + roleBody
	changes := []v1alpha1.Change{
		{Op: v1alpha1.OpSetProficiency, Skill: "go", Level: "junior", Proficiency: "W", From: &v1alpha1.ChangeValue{Proficiency: "E"}},
		{Op: v1alpha1.OpRemoveSkill, Skill: "python"},
	}
	_, err := Edit([]byte(src), RoleTarget("career", "r"), changes)
	var ce *ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a ConflictError", err)
	}
	role, _ := decodeRole([]byte(src))
	_, want := governance.Apply(&role.Spec, changes)
	if !reflect.DeepEqual(ce.Conflicts, want) || len(want) != 2 {
		t.Errorf("conflicts %+v, want %+v", ce.Conflicts, want)
	}
}

// TestEditMatchesNamespace: a document without a namespace is the Role in
// whatever namespace it is in; one with the Role's namespace too.
func TestEditMatchesNamespace(t *testing.T) {
	withNS := strings.Replace(roleHead, "name: r", "name: r\n  namespace: career", 1) + roleBody
	for _, src := range []string{roleHead + roleBody, withNS} {
		out, err := Edit([]byte(src), RoleTarget("career", "r"), setGoJunior)
		if err != nil {
			t.Fatal(err)
		}
		if d := lineDiff(src, string(out)); strings.Count(d, "\n") != 2 || !strings.Contains(d, "proficiency: W") {
			t.Errorf("diff:\n%s", d)
		}
	}
}

// TestEditIndentationStyles: 2 and 4 spaces, dashes indented or not, CRLF.
func TestEditIndentationStyles(t *testing.T) {
	styles := map[string]string{
		"2 indented":      "spec:\n  matrixRef: m\n  displayName: R\n  skills:\n    - id: go\n      cells:\n        - level: junior\n          proficiency: A\n",
		"2 flush":         "spec:\n  matrixRef: m\n  displayName: R\n  skills:\n  - id: go\n    cells:\n    - level: junior\n      proficiency: A\n",
		"4 indented":      "spec:\n    matrixRef: m\n    displayName: R\n    skills:\n        - id: go\n          cells:\n              - level: junior\n                proficiency: A\n",
		"4 flush":         "spec:\n    matrixRef: m\n    displayName: R\n    skills:\n    - id: go\n      cells:\n      - level: junior\n        proficiency: A\n",
		"4 wide dash":     "spec:\n    matrixRef: m\n    displayName: R\n    skills:\n        -   id: go\n            cells:\n                -   level: junior\n                    proficiency: A\n",
		"2 indented crlf": strings.ReplaceAll("spec:\n  matrixRef: m\n  displayName: R\n  skills:\n    - id: go\n      cells:\n        - level: junior\n          proficiency: A\n", "\n", "\r\n"),
	}
	changes := []v1alpha1.Change{
		{Op: v1alpha1.OpSetRequired, Skill: "go", Level: "junior", Required: new(true)},
		{Op: v1alpha1.OpAddSkill, Skill: "rust", Cells: []v1alpha1.Cell{{Level: "junior", Proficiency: "A", Examples: []string{"a CLI"}}}},
		{Op: v1alpha1.OpSetTechStack, Level: "junior", TechStack: []string{"Go", "Rust"}},
	}
	for name, body := range styles {
		t.Run(name, func(t *testing.T) {
			src := strings.ReplaceAll(roleHead, "\n", nlOf(body)) + body
			out, err := Edit([]byte(src), RoleTarget("career", "r"), changes)
			if err != nil {
				t.Fatal(err)
			}
			got := string(out)
			if nlOf(body) == "\r\n" && strings.Count(got, "\n") != strings.Count(got, "\r\n") {
				t.Errorf("mixed line breaks:\n%q", got)
			}
			diff := lineDiff(strings.ReplaceAll(src, "\r\n", "\n"), strings.ReplaceAll(got, "\r\n", "\n"))
			path := filepath.Join("testdata", "styles", strings.ReplaceAll(name, " ", "-")+".diff")
			if *update {
				if err := os.WriteFile(path, []byte(diff), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if want, err := os.ReadFile(path); err != nil || string(want) != diff {
				t.Errorf("diff (err %v):\n%s\nwant:\n%s", err, diff, want)
			}
		})
	}
}

func nlOf(s string) string {
	if strings.Contains(s, "\r\n") {
		return "\r\n"
	}
	return "\n"
}
