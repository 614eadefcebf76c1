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

package enforcement

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"

	admission "github.com/skillmatrix-dev/skillmatrix-operator/config/admission"
)

const paramsNS = "skillmatrix-system"

// installed is what the API server returns for the shipped objects: the
// specs through JSON (numbers as the API sends them), the binding's params
// in this install's namespace, and the defaults the server fills in.
func installed(t *testing.T, shipped []Manifest) Live {
	t.Helper()
	live := Live{Policies: map[string]map[string]any{}, Bindings: map[string]map[string]any{}}
	for _, m := range shipped {
		var spec map[string]any
		raw, err := json.Marshal(m.Spec)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &spec); err != nil {
			t.Fatal(err)
		}
		if m.Kind == KindBinding {
			if ref, ok := spec["paramRef"].(map[string]any); ok && ref["namespace"] != nil {
				ref["namespace"] = paramsNS
			}
			live.Bindings[m.Name] = spec
			continue
		}
		if _, ok := spec["failurePolicy"]; !ok {
			spec["failurePolicy"] = "Fail"
		}
		if mc, ok := spec["matchConstraints"].(map[string]any); ok {
			mc["matchPolicy"] = "Equivalent"
			mc["namespaceSelector"] = map[string]any{}
			if _, ok := mc["objectSelector"]; !ok {
				mc["objectSelector"] = map[string]any{}
			}
		}
		live.Policies[m.Name] = spec
	}
	return live
}

func TestCheck(t *testing.T) {
	shipped, err := Load(admission.Manifests)
	if err != nil {
		t.Fatal(err)
	}
	var policy, binding string
	for _, m := range shipped {
		if m.Name == "skillmatrix-proposal-authenticity" {
			if m.Kind == KindPolicy {
				policy = m.Name
			} else {
				binding = m.Name
			}
		}
	}
	if policy == "" || binding == "" {
		t.Fatalf("the authenticity policy and binding are not among %d shipped objects", len(shipped))
	}

	tests := []struct {
		name   string
		mutate func(l Live)
		want   []string // substrings, one finding each; none when empty
	}{
		{name: "as shipped, with server defaults and another namespace for the params", mutate: func(Live) {}},
		{name: "binding deleted", mutate: func(l Live) { delete(l.Bindings, binding) }, want: []string{"not installed"}},
		{name: "policy deleted", mutate: func(l Live) { delete(l.Policies, policy) }, want: []string{"not installed"}},
		{name: "binding in Warn mode", mutate: func(l Live) { l.Bindings[binding]["validationActions"] = []any{"Warn"} },
			want: []string{"not Deny"}},
		{name: "binding in Audit mode", mutate: func(l Live) { l.Bindings[binding]["validationActions"] = []any{"Audit"} },
			want: []string{"not Deny"}},
		{name: "Deny plus Audit is still Deny, but differs", mutate: func(l Live) {
			l.Bindings[binding]["validationActions"] = []any{"Deny", "Audit"}
		}, want: []string{"spec.validationActions"}},
		{name: "params of another namespace", mutate: func(l Live) {
			ref, ok := l.Bindings[binding]["paramRef"].(map[string]any)
			if !ok {
				ref = map[string]any{"name": "skillmatrix-admission-params"}
				l.Bindings[binding]["paramRef"] = ref
			}
			ref["namespace"] = "team-a"
		}, want: []string{"spec.paramRef"}},
		{name: "a validation removed", mutate: func(l Live) {
			v := l.Policies[policy]["validations"].([]any)
			l.Policies[policy]["validations"] = v[1:]
		}, want: []string{"spec.validations"}},
		{name: "a validation's expression weakened", mutate: func(l Live) {
			l.Policies[policy]["validations"].([]any)[0].(map[string]any)["expression"] = "true"
		}, want: []string{"spec.validations[0].expression"}},
		{name: "a match condition that exempts a user", mutate: func(l Live) {
			l.Policies[policy]["matchConditions"] = []any{map[string]any{"name": "x", "expression": "request.userInfo.username != 'mallory'"}}
		}, want: []string{"spec.matchConditions"}},
		{name: "failurePolicy Ignore", mutate: func(l Live) { l.Policies[policy]["failurePolicy"] = "Ignore" },
			want: []string{"spec.failurePolicy"}},
		{name: "a narrower namespace selector", mutate: func(l Live) {
			l.Policies[policy]["matchConstraints"].(map[string]any)["namespaceSelector"] =
				map[string]any{"matchLabels": map[string]any{"x": "y"}}
		}, want: []string{"spec.matchConstraints.namespaceSelector"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live := installed(t, shipped)
			tt.mutate(live)
			got := Check(shipped, live, paramsNS)
			if len(got) != len(tt.want) {
				t.Fatalf("findings %v, want %d like %v", got, len(tt.want), tt.want)
			}
			for i, f := range got {
				if !strings.Contains(f.String(), tt.want[i]) {
					t.Errorf("finding %q does not say %q", f, tt.want[i])
				}
			}
		})
	}
}

func TestLoadRefusesNothingShipped(t *testing.T) {
	if _, err := Load(emptyFS{}); err == nil {
		t.Error("an empty directory is taken for a set of policies")
	}
}

type emptyFS struct{}

func (emptyFS) Open(string) (fs.File, error) { return nil, fs.ErrNotExist }
