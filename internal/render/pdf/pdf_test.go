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

package pdf_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render/pdf"
)

var out = flag.String("out", "", "also write the sample PDF to this file, to look at it")

func sampleModel(t *testing.T) *model.RoleMatrix {
	t.Helper()
	var matrix v1.SkillMatrix
	var role v1.Role
	for name, into := range map[string]any{
		"career_v1alpha1_skillmatrix.yaml": &matrix,
		"career_v1alpha1_role.yaml":        &role,
	} {
		data, err := os.ReadFile(filepath.Join("..", "..", "..", "config", "samples", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.UnmarshalStrict(data, into); err != nil {
			t.Fatal(err)
		}
	}
	return model.BuildRole(&matrix, &role)
}

var created = time.Date(2026, time.March, 2, 14, 30, 0, 0, time.UTC)

// pages counts the page objects of an uncompressed or compressed PDF: fpdf
// writes one "/Type /Page" dictionary per page and "/Type /Pages" once.
func pages(data []byte) int {
	return len(regexp.MustCompile(`/Type /Page\b[^s]`).FindAll(data, -1))
}

func TestRenderSample(t *testing.T) {
	m := sampleModel(t)
	data, err := pdf.Render(m, pdf.Options{Created: created})
	if err != nil {
		t.Fatal(err)
	}
	if *out != "" {
		if err := os.WriteFile(*out, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("does not start with %%PDF-: %q", data[:min(len(data), 16)])
	}
	if !bytes.HasSuffix(bytes.TrimSpace(data), []byte("%%EOF")) {
		t.Errorf("does not end with %s", "%%EOF")
	}
	// 56 skills in 13 categories, the legend, levels and changelog: a handful
	// of landscape pages, not one and not dozens.
	if n := pages(data); n < 4 || n > 12 {
		t.Errorf("%d pages, want 4 to 12", n)
	}
	// A4 landscape is 841.89 x 595.28 points.
	if !regexp.MustCompile(`/MediaBox \[0 0 841\.8\d* 595\.2\d*\]`).Match(data) {
		t.Error("pages are not A4 landscape")
	}
	again, err := pdf.Render(m, pdf.Options{Created: created})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Error("two renders of the same Role with the same date differ")
	}
}

// Any text, including characters the core fonts lack, control characters and
// very long words, renders without error.
func TestRenderOddText(t *testing.T) {
	m := sampleModel(t)
	m.DisplayName = "Ingénieur « MLOps » — 机器学习 \x00\t<script>"
	m.Categories[0].Skills[0].Name = strings.Repeat("Supercalifragilistic", 20)
	m.Categories[0].Skills[0].Description = strings.Repeat("word ", 400)
	m.Categories[0].Skills[0].Cells[0] = model.Cell{Level: "junior", Proficiency: "ZZ", Required: true,
		Description: "line\nbreak", Examples: []string{"a\r\nb"}}
	data, err := pdf.Render(m, pdf.Options{Created: created})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("%PDF-")) || pages(data) < 1 {
		t.Fatal("not a PDF")
	}
	for _, empty := range []*model.RoleMatrix{nil, {}} {
		data, err := pdf.Render(empty, pdf.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if pages(data) != 1 {
			t.Errorf("empty matrix: %d pages, want 1", pages(data))
		}
	}
}
