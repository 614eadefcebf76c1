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
}

// readFiles reads SkillMatrix, Role and Proposal objects from YAML or JSON
// files, several documents per file allowed, and kind List too (what
// `kubectl get -o yaml` prints for several objects). "-" reads stdin.
// Unknown fields are errors: a typo in a file must not silently vanish.
func (o *options) readFiles(paths []string) (*bundle, error) {
	b := &bundle{}
	for _, path := range paths {
		data, err := o.readFile(path)
		if err != nil {
			return nil, err
		}
		r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		for doc := 1; ; doc++ {
			raw, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			if err := b.add(raw, fmt.Sprintf("%s, document %d", path, doc)); err != nil {
				return nil, err
			}
		}
	}
	return b, nil
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
		return fmt.Errorf("%s: kind %s is not a SkillMatrix, Role or Proposal", where, head.Kind)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	return nil
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
// name is empty) and its SkillMatrix from the files.
func (b *bundle) role(name string, paths []string) (*v1.SkillMatrix, *v1.Role, error) {
	files := strings.Join(paths, ", ")
	var role *v1.Role
	names := make([]string, 0, len(b.roles))
	for i := range b.roles {
		names = append(names, b.roles[i].Name)
		if b.roles[i].Name == name || name == "" && len(b.roles) == 1 {
			role = &b.roles[i]
		}
	}
	switch {
	case len(b.roles) == 0:
		return nil, nil, fmt.Errorf("no career Role in %s", files)
	case role == nil && name == "":
		return nil, nil, usageErrorf("%s hold %d Roles (%s): name the one you mean", files, len(b.roles), strings.Join(names, ", "))
	case role == nil:
		return nil, nil, fmt.Errorf("career Role %q not found in %s (it has %s)%s",
			name, files, strings.Join(names, ", "), text.Hint(name, names))
	}
	matrix, err := b.matrix(string(role.Spec.MatrixRef), files)
	if err != nil {
		return nil, nil, fmt.Errorf("career Role %q refers to SkillMatrix %q: %w", role.Name, role.Spec.MatrixRef, err)
	}
	return matrix, role, nil
}

func (b *bundle) matrix(name, files string) (*v1.SkillMatrix, error) {
	var names []string
	for i := range b.matrices {
		if b.matrices[i].Name == name {
			return &b.matrices[i], nil
		}
		names = append(names, b.matrices[i].Name)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no SkillMatrix in %s; add its file with -f", files)
	}
	return nil, fmt.Errorf("it is not in %s (they hold %s)", files, strings.Join(names, ", "))
}
