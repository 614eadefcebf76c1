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

package render_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
)

// revertedSample is the sample Role with a second applied Proposal that the
// Role no longer carries (status.reverted names it) after the first.
func revertedSample(t *testing.T) *model.RoleMatrix {
	t.Helper()
	matrix, role := sample(t)
	role.Status.History = append(role.Status.History, v1.AppliedProposal{
		Name:       "mlops-engineer-kubernetes-senior",
		UID:        "0c6a1d2e-5f3b-4c8a-9e21-7b4d3f2a1c90",
		Title:      "Kubernetes matters more for seniors",
		Author:     "bob",
		AppliedAt:  metav1.NewTime(time.Date(2026, time.March, 9, 9, 0, 0, 0, time.UTC)),
		Generation: 3,
		Cells:      []v1.AppliedCell{{Skill: "kubernetes", Level: "senior", Proficiency: "V", Required: new(true)}},
	})
	role.Status.Reverted = []v1.RevertedProposal{{
		Name:  "mlops-engineer-kubernetes-senior",
		UID:   "0c6a1d2e-5f3b-4c8a-9e21-7b4d3f2a1c90",
		Cells: []string{"kubernetes@senior", "docker@senior"},
		Since: metav1.NewTime(time.Date(2026, time.March, 10, 8, 0, 0, 0, time.UTC)),
	}}
	return model.BuildRole(matrix, role)
}

// TestGoldenReverted: every changelog part marks the reverted entry, with
// its cells, and only that one.
func TestGoldenReverted(t *testing.T) {
	files, err := render.Role(revertedSample(t), render.Options{Formats: allFormats, Locales: []v1.Locale{"en", "zh-CN"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{render.KeyJSON, render.KeyMarkdown, render.KeyHTML, "matrix.zh-CN.md"} {
		t.Run(key, func(t *testing.T) {
			path := filepath.Join("testdata", "golden", "mlops-engineer-reverted", key)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, files[key], 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			golden, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run `go test ./internal/render/ -run TestGoldenReverted -update` to create it)", err)
			}
			if !bytes.Equal(files[key], golden) {
				t.Errorf("%s differs from %s; if the change is intended, rerun with -update and review the diff.\n%s",
					key, path, firstDiff(files[key], golden))
			}
		})
	}

	var doc struct {
		Changelog []struct {
			Proposal      string   `json:"proposal"`
			Reverted      bool     `json:"reverted"`
			RevertedCells []string `json:"revertedCells"`
		} `json:"changelog"`
	}
	if err := json.Unmarshal(files[render.KeyJSON], &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Changelog) != 2 || doc.Changelog[0].Reverted || !doc.Changelog[1].Reverted ||
		strings.Join(doc.Changelog[1].RevertedCells, ",") != "kubernetes@senior,docker@senior" {
		t.Errorf("changelog = %+v, want the second entry alone reverted with its two cells", doc.Changelog)
	}
	md := string(files[render.KeyMarkdown])
	if strings.Count(md, "reverted: the Role no longer holds") != 1 || !strings.Contains(md, "kubernetes@senior, docker@senior") {
		t.Errorf("the Markdown changelog does not mark exactly the reverted entry:\n%s", md)
	}
	html := string(files[render.KeyHTML])
	if strings.Count(html, `<tr class="reverted">`) != 1 {
		t.Errorf("the HTML changelog does not mark exactly one row reverted")
	}
}
