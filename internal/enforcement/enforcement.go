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

// Package enforcement decides whether the admission policies that the
// operator's governance relies on are in force as shipped: every
// ValidatingAdmissionPolicy with the spec config/admission gives it, every
// binding of one in Deny mode with the shipped parameters. Promotion fails
// closed on its findings. Only specs are compared, so labels and annotations
// that Helm or Argo CD add do not matter, and fields the API server fills in
// with their defaults are tolerated at exactly those defaults.
//
// It is plain Go over decoded objects (map[string]any): it must not import a
// Kubernetes client; the controller lists the live objects and calls it.
package enforcement

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"reflect"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// Kinds of shipped objects.
const (
	KindPolicy  = "ValidatingAdmissionPolicy"
	KindBinding = "ValidatingAdmissionPolicyBinding"
)

// Manifest is one shipped policy or binding.
type Manifest struct {
	Kind, Name string
	Spec       map[string]any
}

// Load reads every policy and binding from the YAML files in fsys.
func Load(fsys fs.FS) ([]Manifest, error) {
	files, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	var out []Manifest
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", f, err)
		}
		for doc := range bytes.SplitSeq(data, []byte("\n---")) {
			var obj struct {
				Kind     string                `json:"kind"`
				Metadata struct{ Name string } `json:"metadata"`
				Spec     map[string]any        `json:"spec"`
			}
			if err := yaml.Unmarshal(doc, &obj); err != nil {
				return nil, fmt.Errorf("decoding %s: %w", f, err)
			}
			if obj.Kind == KindPolicy || obj.Kind == KindBinding {
				out = append(out, Manifest{Kind: obj.Kind, Name: obj.Metadata.Name, Spec: obj.Spec})
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no admission policy or binding found")
	}
	return out, nil
}

// Live is what the API server holds: the spec of each policy and binding by
// name, as the API returns it (defaults filled in).
type Live struct {
	Policies, Bindings map[string]map[string]any
}

// Finding is one reason the shipped rules are not in force.
type Finding struct {
	Kind, Name string
	Problem    string
}

func (f Finding) String() string { return f.Kind + " " + f.Name + ": " + f.Problem }

// Check compares the live objects with the shipped ones. paramsNamespace is
// where this install keeps the policies' parameters, the one field of a
// binding that differs between installs.
func Check(shipped []Manifest, live Live, paramsNamespace string) []Finding {
	var out []Finding
	for _, m := range shipped {
		got, ok := live.Policies[m.Name]
		want := m.Spec
		if m.Kind == KindBinding {
			got, ok = live.Bindings[m.Name]
			want = withParamsNamespace(m.Spec, paramsNamespace)
			if ok && !denies(got) {
				out = append(out, Finding{m.Kind, m.Name, fmt.Sprintf("validationActions is %v, not Deny: a violation is let through",
					got["validationActions"])})
				continue
			}
		}
		if !ok {
			out = append(out, Finding{m.Kind, m.Name, "not installed"})
			continue
		}
		if diffs := compare("spec", want, got); len(diffs) > 0 {
			out = append(out, Finding{m.Kind, m.Name, "differs from the shipped spec at " + strings.Join(diffs, ", ")})
		}
	}
	return out
}

func denies(spec map[string]any) bool {
	actions, _ := spec["validationActions"].([]any)
	return slices.Contains(actions, any("Deny"))
}

func withParamsNamespace(spec map[string]any, namespace string) map[string]any {
	ref, ok := spec["paramRef"].(map[string]any)
	if !ok || namespace == "" {
		return spec
	}
	if _, fixed := ref["namespace"]; !fixed {
		// Parameters in the request's own namespace (per-namespace ones).
		return spec
	}
	out := maps.Clone(spec)
	refCopy := maps.Clone(ref)
	refCopy["namespace"] = namespace
	out["paramRef"] = refCopy
	return out
}

// serverDefaults are the values the API server fills in when a policy or
// binding leaves them out (admissionregistration.k8s.io/v1 defaulting),
// by path with "[]" for any list index. A live field the shipped spec lacks
// is tolerated only at its default: anything else (a matchCondition that
// exempts a user, a narrower selector) is a difference.
var serverDefaults = map[string]any{
	"spec.failurePolicy":                                 "Fail",
	"spec.matchConstraints.matchPolicy":                  "Equivalent",
	"spec.matchConstraints.namespaceSelector":            map[string]any{},
	"spec.matchConstraints.objectSelector":               map[string]any{},
	"spec.matchConstraints.resourceRules[].scope":        "*",
	"spec.matchResources.matchPolicy":                    "Equivalent",
	"spec.matchResources.namespaceSelector":              map[string]any{},
	"spec.matchResources.objectSelector":                 map[string]any{},
	"spec.matchResources.resourceRules[].scope":          "*",
	"spec.matchConstraints.excludeResourceRules[].scope": "*",
}

// compare returns the paths where got differs from want beyond defaults.
func compare(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{path}
		}
		var out []string
		for _, k := range sortedKeys(w) {
			out = append(out, compare(path+"."+k, w[k], g[k])...)
		}
		for _, k := range sortedKeys(g) {
			if _, shipped := w[k]; shipped {
				continue
			}
			if d, ok := serverDefaults[defaultsKey(path+"."+k)]; !ok || !reflect.DeepEqual(d, g[k]) {
				out = append(out, path+"."+k)
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{path}
		}
		var out []string
		for i := range w {
			out = append(out, compare(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return out
	default:
		if !reflect.DeepEqual(normalize(want), normalize(got)) {
			return []string{path}
		}
		return nil
	}
}

// normalize makes numbers from YAML and from JSON compare equal.
func normalize(v any) any {
	switch n := v.(type) {
	case int:
		return float64(n)
	case int64:
		return float64(n)
	case int32:
		return float64(n)
	}
	return v
}

func defaultsKey(path string) string {
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		if path[i] != '[' {
			b.WriteByte(path[i])
			continue
		}
		b.WriteString("[]")
		for i < len(path) && path[i] != ']' {
			i++
		}
	}
	return b.String()
}

func sortedKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}
