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
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/image/font/gofont/goregular"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render/pdf"
)

// Names a test Role gives its skills: Chinese, Cyrillic and Greek, one line
// mixing scripts.
const (
	chineseSkill  = "机器学习流水线"
	cyrillicSkill = "Контейнеризация моделей"
	mixedSkill    = "Kubernetes 集群 и GPU調度 αβγ"
)

func unicodeModel(t *testing.T) *model.RoleMatrix {
	m := sampleModel(t).Localized("zh-CN")
	m.Categories[0].Skills[0].Name = chineseSkill
	m.Categories[0].Skills[1].Name = cyrillicSkill
	m.Categories[0].Skills[2].Name = mixedSkill
	m.Categories[0].Skills[2].Description = strings.Repeat("在生产环境中运行模型服务 with GPUs на кластере. ", 12)
	return m
}

// needTool finds a Debian tool the test needs: `make test-deps` installs it;
// without it the test skips, under CI=true it fails.
func needTool(t *testing.T, name, pkg string) string {
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found: install Debian's %s (make test-deps)", name, pkg)
		}
		t.Skipf("%s not found: install Debian's %s (make test-deps)", name, pkg)
	}
	return path
}

func systemFont(t *testing.T) *pdf.Font {
	f, ok := pdf.FindSystemFont()
	if !ok {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no CJK TrueType font in %v: install fonts-droid-fallback (make test-deps)", pdf.SystemFontPaths)
		}
		t.Skipf("no CJK TrueType font in %v", pdf.SystemFontPaths)
	}
	return f
}

func TestZhCNPDFCarriesTextAndGlyphs(t *testing.T) {
	pdftotext := needTool(t, "pdftotext", "poppler-utils")
	font := systemFont(t)
	data, err := pdf.Render(unicodeModel(t), pdf.Options{Created: created, Font: font})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "zh.pdf")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if *out != "" {
		_ = os.WriteFile(strings.TrimSuffix(*out, ".pdf")+".zh-CN.pdf", data, 0o644)
	}
	raw, err := exec.Command(pdftotext, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	// Lines may wrap anywhere in a table cell; compare without white space.
	got := strings.Join(strings.Fields(string(raw)), "")
	for _, want := range []string{"技能矩阵", "常见问题", "56技能", "必备", chineseSkill, cyrillicSkill, "Kubernetes集群иGPU調度αβγ"} {
		if !strings.Contains(got, strings.Join(strings.Fields(want), "")) {
			t.Errorf("pdftotext does not find %q", want)
		}
	}
	// pdftotext also finds text drawn as empty boxes: check that a font the
	// document embeds has a glyph for every character it shows.
	goFont, err := pdf.ParseFont(goregular.TTF)
	if err != nil {
		t.Fatal(err)
	}
	var uncovered []rune
	for _, r := range string(raw) {
		if unicode.IsSpace(r) || unicode.IsControl(r) || goFont.Covers(r) || font.Covers(r) || slices.Contains(uncovered, r) {
			continue
		}
		uncovered = append(uncovered, r)
	}
	if len(uncovered) > 0 {
		t.Errorf("characters no embedded font covers: %q", string(uncovered))
	}
	if strings.ContainsRune(string(raw), pdf.ReplacementMarker) {
		t.Error("the PDF prints a replacement marker")
	}
	if pdffonts, err := exec.LookPath("pdffonts"); err == nil {
		list, err := exec.Command(pdffonts, path).Output()
		if err != nil {
			t.Fatal(err)
		}
		// Every font is embedded as a subset (the "emb" column says yes).
		for _, line := range strings.Split(string(list), "\n")[2:] {
			if strings.TrimSpace(line) != "" && !strings.Contains(line, " yes ") {
				t.Errorf("font not embedded: %s", line)
			}
		}
	}
}

func TestPDFMissingGlyphs(t *testing.T) {
	m := unicodeModel(t)
	m.Categories[0].Skills[3].Name = "Rocket 🚀 launch"
	_, err := pdf.Render(m, pdf.Options{Created: created, NoSystemFont: true})
	var missing *pdf.MissingGlyphsError
	if !errors.As(err, &missing) || !errors.Is(err, pdf.ErrMissingGlyphs) {
		t.Fatalf("err = %v, want a MissingGlyphsError", err)
	}
	for _, r := range []rune{'技', '🚀'} {
		if !slices.Contains(missing.Runes, r) {
			t.Errorf("missing %q not named in %v", r, missing.Runes)
		}
	}
	for _, want := range []string{"U+1F680", "--font", "--engine chromium", "--replace-missing"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q: %v", want, err)
		}
	}
	// With a CJK font only the emoji is missing; --replace-missing prints
	// the marker and reports it.
	font := systemFont(t)
	var reported []rune
	data, err := pdf.Render(m, pdf.Options{Created: created, Font: font, ReplaceMissing: true,
		OnMissing: func(r []rune) { reported = r }})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(reported, []rune{'🚀'}) {
		t.Errorf("reported %q, want the rocket only", string(reported))
	}
	if pdftotext, err := exec.LookPath("pdftotext"); err == nil {
		path := filepath.Join(t.TempDir(), "m.pdf")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		raw, err := exec.Command(pdftotext, "-enc", "UTF-8", path, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.ContainsRune(raw, pdf.ReplacementMarker) {
			t.Error("no visible marker in place of the emoji")
		}
	}
}

func TestParseFontRefuses(t *testing.T) {
	header := func(magic string) []byte { return append([]byte(magic), make([]byte, 64)...) }
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"collection", header("ttcf"), pdf.ErrFontCollection},
		{"cff", header("OTTO"), pdf.ErrCFFFont},
		{"garbage", []byte("not a font at all, not at all"), pdf.ErrNotTrueType},
		{"truncated truetype", header("\x00\x01\x00\x00"), pdf.ErrNotTrueType},
		{"empty", nil, pdf.ErrNotTrueType},
	}
	for _, tt := range tests {
		if _, err := pdf.ParseFont(tt.data); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	// What fpdf would print to stdout about, refused before: a licence that
	// forbids embedding, a name table of format 1, no Unicode cmap.
	for _, patch := range []struct {
		table     string
		off       int
		value     uint16
		wantInErr string
	}{
		{"OS/2", 8, 0x0002, "licence"},
		{"name", 0, 1, "name table"},
		{"hhea", 34, 0, "hhea"},
	} {
		data := patchTable(t, goregular.TTF, patch.table, patch.off, patch.value)
		if _, err := pdf.ParseFont(data); !errors.Is(err, pdf.ErrNotTrueType) || !strings.Contains(err.Error(), patch.wantInErr) {
			t.Errorf("%s patched: err = %v, want one about the %s", patch.table, err, patch.wantInErr)
		}
	}
	if _, err := pdf.ParseFont(goregular.TTF); err != nil {
		t.Errorf("Go Regular refused: %v", err)
	}
	if _, err := pdf.LoadFont(filepath.Join(t.TempDir(), "none.ttf")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// patchTable returns a copy of font with the big-endian uint16 at off in
// table set to value.
func patchTable(t *testing.T, font []byte, table string, off int, value uint16) []byte {
	t.Helper()
	data := bytes.Clone(font)
	n := int(data[4])<<8 | int(data[5])
	for i := range n {
		rec := 12 + 16*i
		if string(data[rec:rec+4]) != table {
			continue
		}
		at := int(data[rec+8])<<24 | int(data[rec+9])<<16 | int(data[rec+10])<<8 | int(data[rec+11]) + off
		data[at], data[at+1] = byte(value>>8), byte(value)
		return data
	}
	t.Fatalf("no %s table", table)
	return nil
}
