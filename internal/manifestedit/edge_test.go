package manifestedit

import (
	"strings"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// TestEditEdgeShapes: shapes people write that the generator does not:
// multi-byte text before the edited value, quoted keys, comments between
// key and value, empty and null lists, a flow spec, CRLF.
func TestEditEdgeShapes(t *testing.T) {
	head := "apiVersion: career.skillmatrix.dev/v1alpha1\nkind: Role\nmetadata:\n  name: r\n"
	cases := map[string]struct {
		body    string
		changes []v1alpha1.Change
		want    string // a line the result must hold
	}{
		"multi-byte before the value": {
			"spec:\n  matrixRef: m\n  displayName: Ingénieur\n  skills:\n    - id: go\n      cells:\n        - {level: junior, description: \"Größe 数据\", proficiency: A}\n",
			setGoJunior, `- {level: junior, description: "Größe 数据", proficiency: W}`,
		},
		"quoted keys": {
			"spec:\n  \"matrixRef\": m\n  'displayName': R\n  \"skills\":\n    - \"id\": go\n      'cells':\n        - \"level\": junior\n          \"proficiency\": 'A'\n",
			setGoJunior, `"proficiency": 'W'`,
		},
		"comment between key and value": {
			"spec:\n  matrixRef: m\n  displayName: R\n  levels:\n    - level: junior\n      focus: # short\n        Old text\n",
			[]v1alpha1.Change{{Op: v1alpha1.OpSetFocus, Level: "junior", Focus: new("New text")}}, "      focus: # short",
		},
		"empty flow skills": {
			"spec:\n  matrixRef: m\n  displayName: R\n  skills: []  # none yet\n",
			[]v1alpha1.Change{{Op: v1alpha1.OpAddSkill, Skill: "go", Cells: []v1alpha1.Cell{{Level: "junior", Proficiency: "A"}}}},
			"  skills: [{id: go, cells: [{level: junior, proficiency: A}]}]  # none yet",
		},
		"null skills": {
			"spec:\n  matrixRef: m\n  displayName: R\n  skills:\n  levels: []\n",
			[]v1alpha1.Change{{Op: v1alpha1.OpAddSkill, Skill: "go", Cells: []v1alpha1.Cell{{Level: "junior", Proficiency: "A"}}}},
			"    - id: go",
		},
		"no levels": {
			"spec:\n  matrixRef: m\n  displayName: R\n",
			[]v1alpha1.Change{{Op: v1alpha1.OpSetTechStack, Level: "junior", TechStack: []string{"Go", "on"}}},
			`      - "on"`,
		},
		"flow spec": {
			"spec: {matrixRef: m, displayName: R, skills: [{id: go, cells: [{level: junior, proficiency: A}]}]}\n",
			[]v1alpha1.Change{{Op: v1alpha1.OpSetFocus, Level: "junior", Focus: new("x, y")}, {Op: v1alpha1.OpRemoveSkill, Skill: "go"}},
			`spec: {matrixRef: m, displayName: R, skills: [], levels: [{level: junior, focus: "x, y"}]}`,
		},
		"numeric-looking id": {
			"spec:\n  matrixRef: m\n  displayName: R\n  skills:\n  - id: go\n    cells:\n    - level: junior\n      proficiency: A\n",
			[]v1alpha1.Change{{Op: v1alpha1.OpAddSkill, Skill: "123", Cells: []v1alpha1.Cell{{Level: "1e3", Proficiency: "Y"}}}},
			`  - id: "123"`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			src := head + tc.body
			checkEdit(t, []byte(src), tc.changes, true)
			out, err := Edit([]byte(src), RoleTarget("career", "r"), tc.changes)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(out), tc.want+"\n") {
				t.Errorf("want the line %q in\n%s", tc.want, out)
			}
		})
	}
}
