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

package admission

import (
	"path/filepath"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// readRBAC reads a file of config/rbac.
func readRBAC(file string) ([]*unstructured.Unstructured, error) {
	return testenv.ReadObjects(filepath.Join(repoRoot, "config", "rbac", file))
}

// TestNoWildcardVerbs: no ClusterRole or Role we ship grants verbs with '*'.
// A wildcard also grants the custom verbs the admission policies ask the
// authorizer about ("review", "moderate"), so an admin role would quietly
// make its holders reviewers and moderators.
func TestNoWildcardVerbs(t *testing.T) {
	var files []string
	patterns := []string{"config/rbac/*.yaml", "config/rbac/user/*.yaml", "charts/skillmatrix-operator/files/*.yaml"}
	for _, pattern := range patterns {
		matches, err := filepath.Glob(filepath.Join(repoRoot, pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, matches...)
	}
	checked := 0
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		objs, err := testenv.ReadObjects(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			if o.GetKind() != "ClusterRole" && o.GetKind() != "Role" {
				continue
			}
			checked++
			rules, _, _ := unstructured.NestedSlice(o.Object, "rules")
			for i, r := range rules {
				verbs, _, _ := unstructured.NestedStringSlice(r.(map[string]any), "verbs")
				if slices.Contains(verbs, "*") {
					t.Errorf("%s: %s %s rule %d grants verbs '*'; name the verbs", f, o.GetKind(), o.GetName(), i)
				}
			}
		}
	}
	if checked < 10 {
		t.Fatalf("checked only %d roles in %v", checked, files)
	}
}
