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

package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// bundle is what a set of YAML files holds, in file and document order.
type bundle struct {
	matrices  []v1.SkillMatrix
	roles     []v1.Role
	proposals []v1.Proposal
	// lenient skips what is not a SkillMatrix, Role or Proposal instead of
	// refusing it: for the files of a directory, which may hold a
	// kustomization.yaml or a Deployment next to the Roles.
	lenient bool
}

// readFiles reads SkillMatrix, Role and Proposal objects from YAML or JSON
// files, several documents per file allowed, and kind List too (what
// `kubectl get -o yaml` prints for several objects). "-" reads stdin; a
// directory stands for its .yaml, .yml and .json files in name order, not
// its subdirectories, as kubectl -f DIR reads them.
// Unknown fields are errors: a typo in a file must not silently vanish.
func (o *options) readFiles(paths []string) (*bundle, error) {
	b := &bundle{}
	for _, given := range paths {
		files, fromDir, err := expandDir(given)
		if err != nil {
			return nil, err
		}
		b.lenient = fromDir
		for _, path := range files {
			data, err := o.readFile(path)
			if err != nil {
				return nil, err
			}
			if err := b.addFile(path, data); err != nil {
				return nil, err
			}
		}
	}
	b.lenient = false
	return b, nil
}

// addFile adds the objects of one file's documents.
func (b *bundle) addFile(path string, data []byte) error {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for doc := 1; ; doc++ {
		raw, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := b.add(raw, fmt.Sprintf("%s, document %d", path, doc)); err != nil {
			return err
		}
	}
}

// expandDir is a directory's .yaml, .yml and .json files in name order
// (not its subdirectories'), or path itself when it is no directory.
func expandDir(path string) ([]string, bool, error) {
	info, err := os.Stat(path)
	if path == "-" || err != nil || !info.IsDir() {
		return []string{path}, false, nil // reading it reports a missing file
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, false, fmt.Errorf("reading directory %s: %w", path, err)
	}
	var out []string
	for _, e := range entries {
		switch filepath.Ext(e.Name()) {
		case ".yaml", ".yml", ".json":
			if !e.IsDir() {
				out = append(out, filepath.Join(path, e.Name()))
			}
		}
	}
	if len(out) == 0 {
		return nil, false, fmt.Errorf("directory %s holds no .yaml, .yml or .json files", path)
	}
	return out, true, nil
}

func (o *options) readFile(path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(o.streams.In)
	}
	return os.ReadFile(path)
}

func (b *bundle) add(raw []byte, where string) error {
	var head struct {
		APIVersion string            `json:"apiVersion"`
		Kind       string            `json:"kind"`
		Items      []json.RawMessage `json:"items"`
	}
	if err := yaml.Unmarshal(raw, &head); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	if head.Kind == "" && head.APIVersion == "" {
		if len(bytes.TrimSpace(stripComments(raw))) == 0 || string(bytes.TrimSpace(raw)) == "null" {
			return nil // an empty document, e.g. after a trailing ---
		}
		if b.lenient {
			return nil // a kustomization.yaml, say
		}
		return fmt.Errorf("%s: no apiVersion and kind", where)
	}
	if head.Kind == "List" {
		for i, item := range head.Items {
			if err := b.add(item, fmt.Sprintf("%s, item %d", where, i)); err != nil {
				return err
			}
		}
		return nil
	}
	if head.APIVersion != v1.GroupVersion.String() {
		if b.lenient {
			return nil
		}
		return fmt.Errorf("%s: %s %s is not a %s object", where, head.APIVersion, head.Kind, v1.GroupVersion)
	}
	var err error
	switch head.Kind {
	case "SkillMatrix":
		var m v1.SkillMatrix
		if err = yaml.UnmarshalStrict(raw, &m); err == nil {
			b.matrices = append(b.matrices, m)
		}
	case "Role":
		var r v1.Role
		if err = yaml.UnmarshalStrict(raw, &r); err == nil {
			b.roles = append(b.roles, r)
		}
	case kindProposal:
		var p v1.Proposal
		if err = yaml.UnmarshalStrict(raw, &p); err == nil {
			b.proposals = append(b.proposals, p)
		}
	default:
		if b.lenient {
			return nil
		}
		return fmt.Errorf("%s: kind %s is not a SkillMatrix, Role or Proposal", where, head.Kind)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	return nil
}

// declaresKind says whether any YAML document of data names a kind: a file
// of objects, not a ratings map or CSV.
func declaresKind(data []byte) bool {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		raw, err := r.Read()
		if err != nil {
			return false
		}
		var head struct {
			Kind string `json:"kind"`
		}
		if yaml.Unmarshal(raw, &head) == nil && head.Kind != "" {
			return true
		}
	}
}

func stripComments(raw []byte) []byte {
	var out []byte
	for line := range bytes.Lines(raw) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
			out = append(out, line...)
		}
	}
	return out
}

// role picks the Role named name (any Role when there is exactly one and
// name is empty) and its SkillMatrix from the files. With ns set (-n), only
// the objects of that namespace count, and those that name none; without
// it, a name found in several namespaces is a question to the user.
func (b *bundle) role(name, ns string, paths []string) (*v1.SkillMatrix, *v1.Role, error) {
	files := strings.Join(paths, ", ")
	var candidates []*v1.Role
	names := make([]string, 0, len(b.roles))
	for i := range b.roles {
		r := &b.roles[i]
		if !inNamespace(r.Namespace, ns) {
			continue
		}
		names = append(names, r.Name)
		if r.Name == name || name == "" {
			candidates = append(candidates, r)
		}
	}
	switch {
	case len(names) == 0 && ns != "" && len(b.roles) > 0:
		return nil, nil, fmt.Errorf("no career Role in namespace %q in %s", ns, files)
	case len(names) == 0:
		return nil, nil, fmt.Errorf("no career Role in %s", files)
	case len(candidates) == 0:
		return nil, nil, fmt.Errorf("career Role %q not found in %s (it has %s)%s",
			name, files, strings.Join(names, ", "), text.Hint(name, names))
	case len(candidates) > 1 && name == "":
		return nil, nil, usageErrorf("%s hold %s (%s): name the one you mean", files, text.Plural(len(names), "Role", "Roles"), strings.Join(names, ", "))
	case len(candidates) > 1:
		return nil, nil, usageErrorf("%s hold career Role %q in %s: pick one with -n", files, name, namespacesOf(candidates))
	}
	role := candidates[0]
	matrix, err := b.matrix(string(role.Spec.MatrixRef), role.Namespace, files)
	if err != nil {
		return nil, nil, fmt.Errorf("career Role %q refers to SkillMatrix %q: %w", role.Name, role.Spec.MatrixRef, err)
	}
	return matrix, role, nil
}

// inNamespace says whether an object of namespace has counts for -n ns: an
// object that names no namespace goes wherever it is applied.
func inNamespace(has, ns string) bool {
	return ns == "" || has == "" || has == ns
}

func namespacesOf(roles []*v1.Role) string {
	var out []string
	for _, r := range roles {
		ns := r.Namespace
		if ns == "" {
			ns = "(none)"
		}
		if !slices.Contains(out, ns) {
			out = append(out, ns)
		}
	}
	return "namespaces " + strings.Join(out, ", ")
}

// matrix finds the SkillMatrix name of namespace ns ("" for any) in the files.
func (b *bundle) matrix(name, ns, files string) (*v1.SkillMatrix, error) {
	var names []string
	for i := range b.matrices {
		m := &b.matrices[i]
		if m.Name == name && inNamespace(m.Namespace, ns) {
			return m, nil
		}
		names = append(names, m.Name)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no SkillMatrix in %s; add its file with -f", files)
	}
	return nil, fmt.Errorf("it is not in %s (they hold %s)", files, strings.Join(names, ", "))
}
