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

package admission_test

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// phaseSets are the CEL variables that may list Proposal phases, each with
// the Go rule it must equal. A policy that needs another set of phases adds
// its rule to api/v1alpha1/phases.go and its variable here.
var phaseSets = map[string]func() []v1.ProposalPhase{
	"closedPhases":   v1.ClosedPhases,
	"openPhases":     v1.OpenPhases,
	"inFlightPhases": v1.InFlightPhases,
}

var quoted = regexp.MustCompile(`'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"`)

// TestPhaseListsAreTheGoRules holds every policy of this directory to the
// phase rules of api/v1alpha1: a variable named after a phase set lists
// exactly that set, and no other expression names a phase, so a policy
// cannot keep a list of its own.
func TestPhaseListsAreTheGoRules(t *testing.T) {
	phases := crdPhases(t)
	files, err := filepath.Glob("*_policy.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no policies found: %v", err)
	}
	seen := map[string]bool{}
	for _, file := range files {
		var policy struct {
			Spec struct {
				Variables []struct{ Name, Expression string } `json:"variables"`
			} `json:"spec"`
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(data, &policy); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, v := range policy.Spec.Variables {
			rule, ok := phaseSets[v.Name]
			if !ok {
				continue
			}
			seen[v.Name] = true
			listed := literals(v.Expression)
			phases := rule()
			want := make([]string, 0, len(phases))
			for _, p := range phases {
				want = append(want, string(p))
			}
			slices.Sort(listed)
			slices.Sort(want)
			if !slices.Equal(listed, want) {
				t.Errorf("%s: variable %s lists %q; api/v1alpha1 says %q", file, v.Name, listed, want)
			}
		}
		// Every other string literal of the policy: no phase names.
		var generic any
		if err := yaml.Unmarshal(data, &generic); err != nil {
			t.Fatal(err)
		}
		checked := map[string]bool{}
		for i, v := range policy.Spec.Variables {
			if _, ok := phaseSets[v.Name]; ok {
				checked[fmt.Sprintf("spec.variables[%d].expression", i)] = true
			}
		}
		walkStrings(generic, nil, func(path []string, s string) {
			if checked[strings.Join(path, ".")] {
				return
			}
			for _, lit := range literals(s) {
				if phases[lit] {
					t.Errorf("%s: %s names the phase %q outside the phase sets (%v): use or add a variable of api/v1alpha1's rules",
						file, strings.Join(path, "."), lit, slices.Sorted(maps.Keys(phaseSets)))
				}
			}
		})
	}
	if !seen["closedPhases"] || !seen["openPhases"] {
		t.Errorf("the authenticity policy must list closedPhases and openPhases; found %v", seen)
	}
}

// crdPhases are the phases the Proposal CRD allows.
func crdPhases(t *testing.T) map[string]bool {
	t.Helper()
	data, err := os.ReadFile("../crd/bases/career.skillmatrix.dev_proposals.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var crd apiextensionsv1.CustomResourceDefinition
	if err := yaml.Unmarshal(data, &crd); err != nil {
		t.Fatal(err)
	}
	phase := crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["status"].Properties["phase"]
	out := map[string]bool{}
	for _, e := range phase.Enum {
		out[strings.Trim(string(e.Raw), `"`)] = true
	}
	if len(out) < 10 {
		t.Fatalf("the CRD lists only %d phases", len(out))
	}
	return out
}

func literals(expr string) []string {
	matches := quoted.FindAllStringSubmatch(expr, -1)
	out := make([]string, 0, len(matches))
	for _, m := range matches {
		out = append(out, m[1]+m[2])
	}
	return out
}

func walkStrings(node any, path []string, visit func([]string, string)) {
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			walkStrings(v, append(slices.Clone(path), k), visit)
		}
	case []any:
		for i, v := range n {
			indexed := slices.Clone(path)
			indexed[len(indexed)-1] += fmt.Sprintf("[%d]", i)
			walkStrings(v, indexed, visit)
		}
	case string:
		visit(path, n)
	}
}
