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

package portal

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/log"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/browser"
)

// problems collects what a page must never do: open a dialog (an injected
// alert), throw, or log an error or warning such as a CSP violation.
type problems struct {
	mu   sync.Mutex
	list []string
	// statuses are the HTTP statuses the test expects pages to answer with
	// (a refused form, a sign-in page): Chromium logs each as an error.
	statuses bool
}

func (p *problems) add(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.list = append(p.list, s)
}

func (p *problems) snapshot() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.list)
}

func watchProblems(ctx context.Context, expectStatuses ...bool) *problems {
	p := &problems{statuses: len(expectStatuses) > 0 && expectStatuses[0]}
	dialogs := chromedp.Events(ctx, cdppage.JavascriptDialogOpening)
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	logs := chromedp.Events(ctx, log.EntryAdded)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			p.add("dialog: " + ev.Message)
			_, _ = chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			p.add("exception: " + (&chromedp.ExceptionError{ExceptionDetails: ev.ExceptionDetails}).Error())
		}
	}()
	go func() {
		for ev, err := range logs {
			if err != nil {
				return
			}
			if p.statuses && ev.Entry.Source == log.EntrySourceNetwork && strings.Contains(ev.Entry.Text, "the server responded with a status of") {
				continue
			}
			if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
				p.add(fmt.Sprintf("console %s (%s): %s %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		}
	}()
	return p
}

func shot(t *testing.T, ctx context.Context, name string, action chromedp.Action[[]byte]) {
	t.Helper()
	img, err := chromedp.Run(ctx, action)
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join(repoRoot, "bin", "portal")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, img, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// TestBrowserNavigation walks index -> Role -> Proposal by their links in a
// real browser, checks the career-path SVG, the calculator of matrix.html
// under the header policy, and that no hostile text runs or breaks out.
func TestBrowserNavigation(t *testing.T) {
	ctx := browser.Start(t)
	srv := httptest.NewServer(newFixture(t).server(t))
	t.Cleanup(srv.Close)
	seen := watchProblems(ctx)

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.Click(chromedp.CSS(`a[href="/ns/career/"]`)),
		chromedp.WaitVisible(chromedp.CSS("svg.paths"))); err != nil {
		t.Fatal(err)
	}
	type svgView struct{ Edges, Boxes, Links int }
	svg, err := chromedp.Run(ctx, chromedp.Evaluate[svgView](`({Edges: document.querySelectorAll("svg.paths path.path-edge").length,
		Boxes: document.querySelectorAll("svg.paths rect").length, Links: document.querySelectorAll("svg.paths a").length})`))
	if err != nil {
		t.Fatal(err)
	}
	if svg.Edges != 4 || svg.Boxes == 0 || svg.Links != 2 {
		t.Errorf("career-path SVG: %+v, want 4 arrows, level boxes and a link per Role", svg)
	}
	shot(t, ctx, "index.png", chromedp.FullScreenshot(100))

	steps := []struct {
		click, wait, path, screenshot string
	}{
		{`a.role-link[href="/ns/career/roles/mlops-engineer/"]`, "a.matrix-link", "/ns/career/roles/mlops-engineer/", "role.png"},
		{`a.proposal-link`, "details.commands", "/ns/career/proposals/mlops-engineer-kubernetes-senior", "proposal.png"},
		{`a.role-link`, "a.matrix-link", "/ns/career/roles/mlops-engineer/", ""},
		{`a.matrix-link`, "#calculator", "/ns/career/roles/mlops-engineer/matrix.html", "matrix.png"},
	}
	for _, s := range steps {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(s.click)), chromedp.WaitVisible(chromedp.CSS(s.wait))); err != nil {
			t.Fatalf("clicking %s: %v", s.click, err)
		}
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil || loc != srv.URL+s.path {
			t.Fatalf("after %s: at %s (%v), want %s", s.click, loc, err, s.path)
		}
		if s.screenshot != "" {
			shot(t, ctx, s.screenshot, chromedp.FullScreenshot(100))
		}
	}

	// The hostile Role: its texts come back as text, nothing runs.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/ns/career/roles/hostile/"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	type hostileView struct {
		H1             string
		Scripts, Imgs  int
		JavascriptURLs int
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[hostileView](`({H1: document.querySelector("h1").textContent,
		Scripts: document.scripts.length, Imgs: document.images.length,
		JavascriptURLs: [...document.querySelectorAll("a")].filter(a => a.protocol === "javascript:").length})`))
	if err != nil {
		t.Fatal(err)
	}
	if got != (hostileView{H1: hostile}) {
		t.Errorf("hostile Role page: %+v, want the text as the heading and no script, image or javascript: link", got)
	}
	shot(t, ctx, "hostile.png", chromedp.FullScreenshot(100))
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/ns/career/proposals/mlops-engineer-kubernetes-senior"),
		chromedp.WaitVisible(chromedp.CSS("ul.ballots"))); err != nil {
		t.Fatal(err)
	}
	comment, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS("li.vote q")))
	if err != nil || comment != hostile {
		t.Errorf("bob's hostile comment shows as %q (%v)", comment, err)
	}
	if p := seen.snapshot(); len(p) > 0 {
		t.Errorf("the pages did what they must not:\n%s", strings.Join(p, "\n"))
	}
}
