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

package validation

import (
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

func TestSuggestionsAreBounded(t *testing.T) {
	m := indexMatrix(&v1alpha1.SkillMatrixSpec{Categories: []v1alpha1.Category{{ID: "c", Skills: []v1alpha1.Skill{{ID: "docker"}}}}})
	for i := range maxSuggestions {
		if got := m.skillHint("dokcer"); got != `; did you mean "docker"?` {
			t.Fatalf("suggestion %d = %q", i, got)
		}
	}
	if got := m.skillHint("dokcer"); got != "" {
		t.Errorf("suggestion past the budget: %q", got)
	}
}
