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
	"strings"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render/pdf/chromium"
)

func TestPrintKeepsChineseAndEmoji(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	if _, err := chromium.Find(); errors.Is(err, chromium.ErrNoBrowser) {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	page := `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>t</title></head>` +
		`<body><h1>技能矩阵</h1><p>Контейнеризация 🚀</p></body></html>`
	data, err := chromium.Print(context.Background(), []byte(page))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "%PDF-") {
		t.Fatalf("not a PDF: %q", data[:min(16, len(data))])
	}
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
	for _, want := range []string{"技能矩阵", "Контейнеризация"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("pdftotext does not find %q in %q", want, text)
		}
	}
}
