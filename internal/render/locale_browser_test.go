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
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/browser"
)

// TestZhCNInBrowser opens the zh-CN page in Chromium: the document's
// language, the calculator's words from the catalog, the FAQ; and saves a
// screenshot as bin/locales/matrix.zh-CN.png for people to look at.
func TestZhCNInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is not short")
	}
	ctx := browser.Start(t)
	out, err := render.HTML(sampleModel(t).Localized("zh-CN"))
	if err != nil {
		t.Fatal(err)
	}
	tr := watch(ctx)
	url := serve(t, out, tr)
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.ID("calculator"))); err != nil {
		t.Fatal(err)
	}
	type view struct {
		Lang, You, Current, FAQ, Matrix string
		Questions                       int
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[view](`({Lang: document.documentElement.lang,
		You: document.querySelector("table.matrix thead th:last-child").textContent,
		Current: document.getElementById("calc-current").textContent,
		FAQ: document.getElementById("faq").textContent,
		Matrix: document.getElementById("matrix").textContent,
		Questions: document.querySelectorAll(".faq dt").length})`))
	if err != nil {
		t.Fatal(err)
	}
	want := view{Lang: "zh-CN", You: "您", Current: "尚无:低于Junior", FAQ: "常见问题", Matrix: "技能矩阵", Questions: 4}
	if got != want {
		t.Errorf("the zh-CN page shows %+v, want %+v", got, want)
	}
	localeShot(t, ctx, "matrix.zh-CN.png", chromedp.FullScreenshot(100))
	localeShot(t, ctx, "matrix.zh-CN-top.png", chromedp.CaptureScreenshot())
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("faq").scrollIntoView(), true`)); err != nil {
		t.Fatal(err)
	}
	localeShot(t, ctx, "matrix.zh-CN-faq.png", chromedp.CaptureScreenshot())
	checkTraffic(t, tr, url)
}

// localeShot saves a screenshot under bin/locales/.
func localeShot(t *testing.T, ctx context.Context, name string, action chromedp.Action[[]byte]) {
	t.Helper()
	img, err := chromedp.Run(ctx, action)
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "..", "bin", "locales")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, img, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}
