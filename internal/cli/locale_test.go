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

package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/cli"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render/pdf"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render/pdf/chromium"
)

// rewritten copies a sample file with one replacement.
func rewritten(t *testing.T, path, old, new string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s has no %q", path, old)
	}
	out := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(out, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRenderLocaleDefaultsToTheMatrixFirstLocale(t *testing.T) {
	zhFirst := rewritten(t, sampleMatrix, "      - en\n      - zh-CN", "      - zh-CN\n      - en")
	r := offline(t, "", "render", "-f", zhFirst, "-f", sampleRole, "-o", "md")
	if r.code != 0 || !strings.Contains(r.stdout, "## 技能矩阵") {
		t.Fatalf("code %d, stderr %s; want the zh-CN page", r.code, r.stderr)
	}
	r = offline(t, "", "render", "-f", zhFirst, "-f", sampleRole, "-o", "md", "--locale", "en")
	if r.code != 0 || !strings.Contains(r.stdout, "## Skill matrix") {
		t.Fatalf("--locale en: code %d, stderr %s", r.code, r.stderr)
	}
}

func TestRenderPDFFonts(t *testing.T) {
	files := []string{"-f", sampleMatrix, "-f", sampleRole}
	collection := filepath.Join(t.TempDir(), "fonts.ttc")
	if err := os.WriteFile(collection, append([]byte("ttcf"), make([]byte, 64)...), 0o644); err != nil {
		t.Fatal(err)
	}
	// A refused font: nothing on stdout, a message saying what works.
	r := offline(t, "", append([]string{"render", "-o", "pdf", "--font", collection}, files...)...)
	if r.code == 0 || r.stdout != "" || !strings.Contains(r.stderr, ".ttc") || !strings.Contains(r.stderr, ".ttf") {
		t.Errorf("a .ttc font: code %d, %d bytes on stdout, stderr %q", r.code, len(r.stdout), r.stderr)
	}
	if _, ok := pdf.FindSystemFont(); !ok {
		t.Skip("no CJK TrueType font on this system (make test-deps installs fonts-droid-fallback)")
	}
	r = offline(t, "", append([]string{"render", "-o", "pdf", "--locale", "zh-CN"}, files...)...)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "%PDF-") || r.stderr != "" {
		t.Errorf("zh-CN PDF: code %d, stderr %q", r.code, r.stderr)
	}
	emoji := rewritten(t, sampleRole, "displayName: MLOps Engineer", "displayName: MLOps Engineer 🚀")
	r = offline(t, "", "render", "-o", "pdf", "-f", sampleMatrix, "-f", emoji)
	if r.code == 0 || r.stdout != "" || !strings.Contains(r.stderr, "U+1F680") || !strings.Contains(r.stderr, "--engine chromium") {
		t.Errorf("emoji: code %d, %d bytes on stdout, stderr %q", r.code, len(r.stdout), r.stderr)
	}
	r = offline(t, "", "render", "-o", "pdf", "--replace-missing", "-f", sampleMatrix, "-f", emoji)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "%PDF-") || !strings.Contains(r.stderr, "U+1F680") {
		t.Errorf("--replace-missing: code %d, stderr %q", r.code, r.stderr)
	}
}

// --engine chromium prints any text some installed font covers and fails,
// naming them, on characters none covers, as the built-in engine does:
// Chromium alone would print them as empty boxes and exit 0.
func TestRenderPDFChromiumNamesCharactersNoFontCovers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	_, errBrowser := chromium.Find()
	_, errFc := exec.LookPath(chromium.FcList) // the engine asks fontconfig what the fonts cover
	for _, err := range []error{errBrowser, errFc} {
		switch {
		case err == nil:
		case os.Getenv("CI") == "true":
			t.Fatal(err)
		default:
			t.Skip(err)
		}
	}
	// U+0378 is unassigned: no font has it, on any machine.
	unassigned := rewritten(t, sampleRole, "displayName: MLOps Engineer", "displayName: MLOps Engineer \u0378")
	args := []string{"render", "-o", "pdf", "--engine", "chromium", "-f", sampleMatrix, "-f", unassigned}
	r := offline(t, "", args...)
	if r.code != cli.ExitFailure || r.stdout != "" || !strings.Contains(r.stderr, `error: no font covers some characters: '\u0378' (U+0378)`) {
		t.Errorf("exit %d, %d bytes on stdout, stderr %q; want exit 1 naming U+0378", r.code, len(r.stdout), r.stderr)
	}
	r = offline(t, "", slices.Concat(args, []string{"--replace-missing"})...)
	if r.code != cli.ExitOK || !strings.HasPrefix(r.stdout, "%PDF-") ||
		!strings.Contains(r.stderr, `warning: no installed font covers '\u0378' (U+0378)`) {
		t.Errorf("--replace-missing: exit %d, stderr %q", r.code, r.stderr)
	}
}
