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

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/cli"
)

// lowerCaseScale holds a SkillMatrix with the scale a, w, v, e and a Role of it.
var lowerCaseScale = filepath.Join("testdata", "lower-case-scale.yaml")

// Ids are case-sensitive, so an id in the wrong case is refused, and the
// "did you mean" names the right case: for a one-letter proficiency too,
// which is a whole id away from any other by edit distance.
func TestProposeSuggestsTheRightCase(t *testing.T) {
	cases := []struct {
		name, flag, arg, want string
	}{
		{"proficiency", "--set", "docker@senior=V", `proficiency "V" is not on the SkillMatrix's scale (want one of a, w, v, e); did you mean "v"? ids are case-sensitive`},
		{"skill", "--set", "Docker@senior=v", `did you mean "docker"? ids are case-sensitive`},
		{"level", "--set", "docker@Senior=v", `did you mean "senior"? ids are case-sensitive`},
		{"skill in upper case", "--require", "KUBERNETES-CORE@junior", `did you mean "kubernetes-core"? ids are case-sensitive`},
		{"added skill's proficiency", "--add-skill", "docker=A,w", `did you mean "a"? ids are case-sensitive`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := offline(t, "", "propose", "platform-engineer", "--dry-run", "--title", "case", tc.flag, tc.arg, "-f", lowerCaseScale)
			if r.code != cli.ExitFailure || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, tc.flag+" "+tc.arg) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 1 naming %s %s with %s", r.code, r.stderr, tc.flag, tc.arg, tc.want)
			}
		})
	}
	r := offline(t, "", "propose", "platform-engineer", "--dry-run", "--title", "case", "--set", "docker@senior=v", "-f", lowerCaseScale)
	if r.code != cli.ExitOK || !strings.Contains(r.stdout, "set docker@senior to w → v") {
		t.Errorf("the right case: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
