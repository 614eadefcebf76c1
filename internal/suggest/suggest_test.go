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

package suggest

import "testing"

func TestClosest(t *testing.T) {
	ids := []string{"docker", "kubernetes-core", "kubernetes-advanced", "helm"}
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"dokcer", "docker", true},
		{"kubernets-core", "kubernetes-core", true},
		{"docker", "", false}, // exact match: nothing to suggest
		{"terraform", "", false},
		{"", "", false},
		{"hel", "helm", true},
		{"ab", "", false},
	}
	for _, c := range cases {
		got, ok := Closest(c.in, ids)
		if got != c.want || ok != c.ok {
			t.Errorf("Closest(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	if h := Hint("dokcer", ids); h != `; did you mean "docker"?` {
		t.Errorf("Hint = %q", h)
	}
	if h := Hint("zzzzzzzz", ids); h != "" {
		t.Errorf("Hint = %q, want empty", h)
	}
}
