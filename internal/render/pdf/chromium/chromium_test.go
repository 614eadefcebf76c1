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

package chromium_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render/pdf"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render/pdf/chromium"
)

// needBrowser skips a test without Chromium, or without fontconfig, which
// Print asks which characters the fonts cover; CI must have both.
func needBrowser(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a browser")
	}
	_, errBrowser := chromium.Find()
	_, errFc := exec.LookPath(chromium.FcList)
	for _, err := range []error{errBrowser, errFc} {
		switch {
		case err == nil:
		case os.Getenv("CI") == "true":
			t.Fatal(err)
		default:
			t.Skip(err)
		}
	}
}

// pdfText is the text of a PDF as pdftotext reads it; the test skips
// without pdftotext.
func pdfText(t *testing.T, data []byte) string {
	t.Helper()
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext not found (make test-deps)")
	}
	path := filepath.Join(t.TempDir(), "p.pdf")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	text, err := exec.Command(pdftotext, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(text)
}

func page(body string) []byte {
	return []byte(`<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>t</title></head><body>` + body + `</body></html>`)
}

// Chinese and Cyrillic print through the system's fonts; an emoji prints
// when an emoji font is installed, and is named in the error when none is.
func TestPrintKeepsChineseAndEmoji(t *testing.T) {
	needBrowser(t)
	ctx := context.Background()
	coverage, err := chromium.InstalledCoverage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !coverage.Covers('技') {
		if os.Getenv("CI") == "true" {
			t.Fatal("no installed font covers Chinese (make test-deps installs fonts-droid-fallback)")
		}
		t.Skip("no installed font covers Chinese (make test-deps installs fonts-droid-fallback)")
	}
	doc := page(`<h1>技能矩阵</h1><p>Контейнеризация 🚀</p>`)
	data, err := chromium.Print(ctx, doc, chromium.Options{})
	if !coverage.Covers('🚀') {
		var missing *chromium.MissingGlyphsError
		if !errors.As(err, &missing) || !errors.Is(err, pdf.ErrMissingGlyphs) || !slices.Equal(missing.Runes, []rune{'🚀'}) ||
			!strings.Contains(err.Error(), "U+1F680") {
			t.Fatalf("no emoji font: Print = %v, want an error naming only U+1F680", err)
		}
		var warned []rune
		data, err = chromium.Print(ctx, doc, chromium.Options{ReplaceMissing: true, OnMissing: func(r []rune) { warned = r }})
		if err != nil || !slices.Equal(warned, []rune{'🚀'}) {
			t.Fatalf("--replace-missing: %v, warned of %q", err, warned)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "%PDF-") {
		t.Fatalf("not a PDF: %q", data[:min(16, len(data))])
	}
	text := pdfText(t, data)
	for _, want := range []string{"技能矩阵", "Контейнеризация"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext does not find %q in %q", want, text)
		}
	}
}

// A character no font can have (U+0378 is unassigned; U+10FFFD is private
// use in a plane no font fills) fails the print naming it, whatever fonts
// the machine has; hidden by the print style, it does not count.
func TestPrintRefusesCharactersNoFontCovers(t *testing.T) {
	needBrowser(t)
	ctx := context.Background()
	_, err := chromium.Print(ctx, page("<p>Level \u0378 and \U0010FFFD</p>"), chromium.Options{})
	var missing *chromium.MissingGlyphsError
	if !errors.As(err, &missing) || !slices.Equal(missing.Runes, []rune{0x378, 0x10FFFD}) ||
		!strings.Contains(err.Error(), "U+0378") || !strings.Contains(err.Error(), "U+10FFFD") || !strings.Contains(err.Error(), "--replace-missing") {
		t.Fatalf("Print = %v, want a MissingGlyphsError naming U+0378 and U+10FFFD", err)
	}
	var warned []rune
	data, err := chromium.Print(ctx, page("<p>Level \u0378</p>"), chromium.Options{ReplaceMissing: true, OnMissing: func(r []rune) { warned = r }})
	if err != nil || !strings.HasPrefix(string(data), "%PDF-") || !slices.Equal(warned, []rune{0x378}) {
		t.Fatalf("ReplaceMissing: %v, warned of %q", err, warned)
	}
	hidden := page("<style>@media print{.screen{display:none}}</style><p>Level</p><p class=screen>\u0378</p>")
	if _, err := chromium.Print(ctx, hidden, chromium.Options{}); err != nil {
		t.Errorf("a character the print style hides: %v", err)
	}
}
