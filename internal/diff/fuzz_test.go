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

package diff_test

import (
	"encoding/json"
	"testing"

	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/diff"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
)

// FuzzRoles diffs two Roles read from YAML, with and without the
// SkillMatrix, and checks what must hold for any input: a Role equals
// itself, a diff and its reverse agree on every count, the result is JSON,
// and the level diff of the new Role is symmetric (what rises one way
// falls the other).
func FuzzRoles(f *testing.F) {
	f.Add("spec:\n  skills:\n  - id: docker\n    cells:\n    - {level: junior, proficiency: A}\n",
		"spec:\n  skills:\n  - id: docker\n    cells:\n    - {level: junior, proficiency: W, required: true}\n", true)
	f.Fuzz(func(t *testing.T, oldYAML, curYAML string, withMatrix bool) {
		var old, cur v1.Role
		if yaml.Unmarshal([]byte(oldYAML), &old) != nil || yaml.Unmarshal([]byte(curYAML), &cur) != nil {
			return
		}
		var m *v1.SkillMatrix
		if withMatrix {
			m = matrix()
		}
		for _, r := range []*v1.Role{&old, &cur} {
			if d := diff.Roles(r, r, m); !d.Empty() {
				t.Fatalf("a Role differs from itself: %+v", d)
			}
		}
		forth, back := diff.Roles(&old, &cur, m), diff.Roles(&cur, &old, m)
		if len(forth.SkillsAdded) != len(back.SkillsRemoved) || len(forth.SkillsRemoved) != len(back.SkillsAdded) ||
			len(forth.Cells) != len(back.Cells) || len(forth.Fields) != len(back.Fields) || len(forth.Levels) != len(back.Levels) {
			t.Fatalf("the diff and its reverse disagree:\n%+v\n%+v", forth, back)
		}
		if _, err := json.Marshal(forth); err != nil {
			t.Fatalf("the diff is no JSON: %v", err)
		}
		checkLevelsSymmetric(t, model.BuildRole(matrix(), &cur))
	})
}

func checkLevelsSymmetric(t *testing.T, m *model.RoleMatrix) {
	for i := range m.Levels {
		for j := range m.Levels {
			up, down := diff.Levels(m, i, j).Summary, diff.Levels(m, j, i).Summary
			if up.Rises != down.Falls || up.Stays != down.Stays || up.NewlyRequired != down.NoLongerRequired {
				t.Fatalf("levels %d→%d %+v, %d→%d %+v", i, j, up, j, i, down)
			}
		}
	}
}
