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
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/assess"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/browser"
)

// traffic records what a page does that it must not: requests besides the
// page, dialogs (an injected alert), exceptions and console errors such as
// CSP violations.
type traffic struct {
	mu       sync.Mutex
	requests []string
	problems []string
}

func (tr *traffic) add(list *[]string, s string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	*list = append(*list, s)
}

func (tr *traffic) snapshot() (requests, problems []string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return slices.Clone(tr.requests), slices.Clone(tr.problems)
}

// watch subscribes to the events before anything loads.
func watch(ctx context.Context) *traffic {
	tr := &traffic{}
	requests := chromedp.Events(ctx, network.RequestWillBeSent)
	dialogs := chromedp.Events(ctx, cdppage.JavascriptDialogOpening)
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	logs := chromedp.Events(ctx, log.EntryAdded)
	go func() {
		for ev, err := range requests {
			if err != nil {
				return
			}
			tr.add(&tr.requests, ev.Request.URL)
		}
	}()
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			tr.add(&tr.problems, "dialog: "+ev.Message)
			_, _ = chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			tr.add(&tr.problems, "exception: "+(&chromedp.ExceptionError{ExceptionDetails: ev.ExceptionDetails}).Error())
		}
	}()
	go func() {
		for ev, err := range logs {
			if err != nil {
				return
			}
			if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
				tr.add(&tr.problems, fmt.Sprintf("console %s (%s): %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text))
			}
		}
	}()
	return tr
}

// serve serves page at / on loopback and records every other path asked for.
func serve(t *testing.T, out []byte, tr *traffic) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			tr.add(&tr.problems, "server: the page asked for "+r.URL.String())
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(out)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// screenshot saves a PNG under bin/calculator/ for people to look at.
func screenshot(t *testing.T, ctx context.Context, name string, action chromedp.Action[[]byte]) {
	t.Helper()
	img, err := chromedp.Run(ctx, action)
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "..", "bin", "calculator")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, img, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// panel is what the result panel shows.
type panel struct {
	Current, Next, Ready, GapsHead, UnmetHead, Summary string
	Gaps, Unmet                                        []string
	Ranks                                              []int
	Hash, Exported                                     string
}

const readPanel = `(() => {
  const text = id => document.getElementById(id).textContent;
  const names = id => Array.from(document.querySelectorAll("#" + id + " > li > strong"), e => e.textContent);
  return {Current: text("calc-current"), Next: text("calc-next"), Ready: text("calc-ready"),
    GapsHead: text("calc-gaps-head"), UnmetHead: text("calc-unmet-head"), Summary: text("calc-summary"),
    Gaps: names("calc-gaps"), Unmet: names("calc-unmet"), Ranks: SkillMatrixCalculator.state().ranks,
    Hash: location.hash, Exported: document.getElementById("calc-text").value};
})()`

// rateInPage sets every rating of ranks: even skills by keyboard (focus the
// row's "none" radio, then arrow right), odd ones by clicking the radio.
func rateInPage(t *testing.T, ctx context.Context, m *model.RoleMatrix, ranks map[string]int) {
	t.Helper()
	k := 0
	for _, c := range m.Categories {
		for _, s := range c.Skills {
			r, ok := ranks[s.ID]
			if !ok || r < 0 {
				k++
				continue
			}
			row := fmt.Sprintf(`tr[data-skill=%q] `, s.ID)
			var err error
			if k%2 == 0 {
				steps := make([]chromedp.Action[chromedp.Void], 0, r+2)
				steps = append(steps, chromedp.Focus(chromedp.CSS(row+`input[value="-1"]`)))
				for range r + 1 {
					steps = append(steps, chromedp.KeyEvent(kb.ArrowRight))
				}
				err = chromedp.Do(ctx, steps...)
			} else {
				err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(row+fmt.Sprintf(`input[value="%d"]`, r))))
			}
			if err != nil {
				t.Fatalf("rating %s: %v", s.ID, err)
			}
			k++
		}
	}
}

// want is internal/assess's answer as the panel shows it.
func wantPanel(t *testing.T, m *model.RoleMatrix, ratings assess.Ratings) (panel, *assess.Result) {
	t.Helper()
	res, err := assess.Assess(m, ratings, assess.Options{ThresholdPercent: assess.DefaultThresholdPercent})
	if err != nil {
		t.Fatal(err)
	}
	p := panel{Current: "none yet: below " + m.Levels[0].Name, Ready: fmt.Sprintf("%d%% ready", res.ReadinessPercent)}
	if res.Current != nil {
		p.Current = res.Current.Name
	}
	if res.Next != nil {
		p.Next = res.Next.Name
	} else {
		p.Next = "none: " + res.Current.Name + " is the top level"
	}
	for _, g := range res.Gaps {
		p.Gaps = append(p.Gaps, g.SkillName)
	}
	for _, g := range res.Unmet {
		p.Unmet = append(p.Unmet, g.SkillName)
	}
	return p, res
}

// The published page, in a real browser: ratings set by keyboard and by
// click give internal/assess's answer, the URL fragment and the export carry
// them, and the page asks for nothing besides itself.
func TestCalculatorInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is not short")
	}
	ctx := browser.Start(t)
	m := sampleModel(t)
	out, err := render.HTML(m)
	if err != nil {
		t.Fatal(err)
	}
	tr := watch(ctx)
	url := serve(t, out, tr)
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.ID("calculator"))); err != nil {
		t.Fatal(err)
	}

	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "examples", "mlops-engineer-ratings.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sam, err := assess.ParseRatings("sam.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	ranks := map[string]int{}
	for id, v := range sam {
		p, ok := assess.Proficiency(m.Scale, v)
		if !ok {
			t.Fatalf("sam's %s: %q", id, v)
		}
		ranks[id] = assess.Compile(m).Rank(p)
	}
	rateInPage(t, ctx, m, ranks)

	got, err := chromedp.Run(ctx, chromedp.Evaluate[panel](readPanel))
	if err != nil {
		t.Fatal(err)
	}
	want, res := wantPanel(t, m, sam)
	if got.Current != want.Current || got.Next != want.Next || got.Ready != want.Ready ||
		!slices.Equal(got.Gaps, want.Gaps) || !slices.Equal(got.Unmet, want.Unmet) {
		t.Errorf("the panel shows\n %+v\nassess says\n %+v", got, want)
	}
	if want := fmt.Sprintf("Gaps to %s: %d (2 required)", res.Next.Name, len(res.Gaps)); got.GapsHead != want {
		t.Errorf("gaps heading = %q, want %q", got.GapsHead, want)
	}
	exported, err := assess.ParseRatings("export.json", []byte(got.Exported))
	if err != nil {
		t.Fatalf("the page's export %q: %v", got.Exported, err)
	}
	again, err := assess.Assess(m, exported, assess.Options{ThresholdPercent: assess.DefaultThresholdPercent})
	if err != nil || again.ReadinessPercent != res.ReadinessPercent || again.Current.ID != res.Current.ID {
		t.Errorf("assess on the export: %+v, %v", again, err)
	}
	screenshot(t, ctx, "sample-rated.png", chromedp.FullScreenshot(100))
	screenshot(t, ctx, "sample-panel.png", chromedp.Screenshot(chromedp.ID("calculator")))
	screenshot(t, ctx, "sample-category.png", chromedp.Screenshot(chromedp.CSS("section.category")))

	checkLink(t, ctx, url, got)
	checkPastedCSV(t, ctx, m)
	checkFileImport(t, ctx, m)
	checkTraffic(t, tr, url)
}

// checkFileImport imports files through the page's file input: a JSON
// ratings file gives assess's answer for it, a CSV that assess refuses is
// refused with a message and changes nothing.
func checkFileImport(t *testing.T, ctx context.Context, m *model.RoleMatrix) {
	t.Helper()
	dir := t.TempDir()
	good := filepath.Join(dir, "ratings.json")
	if err := os.WriteFile(good, []byte("{\"docker\": \"V\", \"helm\": \"working\", \"python-web-frameworks\": null}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "ratings.csv")
	if err := os.WriteFile(bad, []byte("docker,V\ndocker,W\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("calc-clear")), chromedp.SetUploadFiles(chromedp.ID("calc-file"), []string{good})); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`SkillMatrixCalculator.state().ranks.some(r => r >= 0)`)); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[panel](readPanel))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	ratings, err := assess.ParseRatings(good, data)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := wantPanel(t, m, ratings)
	if got.Current != want.Current || got.Ready != want.Ready || !slices.Equal(got.Gaps, want.Gaps) {
		t.Errorf("after importing %s: %+v, want %+v", good, got, want)
	}
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID("calc-file"), []string{bad})); err != nil {
		t.Fatal(err)
	}
	msg, err := chromedp.Run(ctx, chromedp.Poll[string](`document.getElementById("calc-msg").textContent`))
	if err != nil || msg != `ratings.csv: skill "docker" is rated twice` {
		t.Errorf("importing a CSV that rates a skill twice: message %q, %v", msg, err)
	}
	after, err := chromedp.Run(ctx, chromedp.Evaluate[panel](readPanel))
	if err != nil || !slices.Equal(after.Ranks, got.Ranks) {
		t.Errorf("a refused import changed the ratings: %v, %v", after.Ranks, err)
	}
}

// checkLink loads the page afresh from the link the ratings made.
func checkLink(t *testing.T, ctx context.Context, url string, got panel) {
	t.Helper()
	if !strings.HasPrefix(got.Hash, "#r=") {
		t.Fatalf("location.hash = %q, want the ratings", got.Hash)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(url+got.Hash), chromedp.WaitVisible(chromedp.ID("calculator"))); err != nil {
		t.Fatal(err)
	}
	reloaded, err := chromedp.Run(ctx, chromedp.Evaluate[panel](readPanel))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(reloaded.Ranks, got.Ranks) || reloaded.Current != got.Current || reloaded.Ready != got.Ready {
		t.Errorf("after a reload from the link: %+v, want %+v", reloaded, got)
	}
	// A link to an anchor of the page keeps its anchor.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(url+"#matrix"), chromedp.WaitVisible(chromedp.ID("calculator"))); err != nil {
		t.Fatal(err)
	}
	if hash, err := chromedp.Run(ctx, chromedp.Evaluate[string]("location.hash")); err != nil || hash != "#matrix" {
		t.Errorf("location.hash = %q, %v after opening #matrix; want it kept", hash, err)
	}

}

// checkPastedCSV imports the CSV assess takes, pasted into the page.
func checkPastedCSV(t *testing.T, ctx context.Context, m *model.RoleMatrix) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("details.paste > summary")),
		chromedp.SetValue(chromedp.ID("calc-text"), "skill,proficiency\ndocker,E\nnot-a-skill,W\n"),
		chromedp.Click(chromedp.ID("calc-import")),
	); err != nil {
		t.Fatal(err)
	}
	imported, err := chromedp.Run(ctx, chromedp.Evaluate[panel](readPanel))
	if err != nil {
		t.Fatal(err)
	}
	wantImported, _ := wantPanel(t, m, assess.Ratings{"docker": "E"})
	if imported.Current != wantImported.Current || !slices.Equal(imported.Gaps, wantImported.Gaps) {
		t.Errorf("after importing CSV: %+v, want %+v", imported, wantImported)
	}
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("calc-msg")))
	if err != nil || !strings.Contains(msg, "ignored not-a-skill (not skills of this Role)") {
		t.Errorf("import message = %q, %v", msg, err)
	}
}

// checkTraffic fails on any request besides the page and on every problem
// the page showed.
func checkTraffic(t *testing.T, tr *traffic, url string) {
	t.Helper()
	requests, problems := tr.snapshot()
	for _, r := range requests {
		if !strings.HasPrefix(r, url) && r != "about:blank" {
			t.Errorf("a request besides the page: %s", r)
		}
	}
	if len(requests) == 0 {
		t.Error("no request seen at all: the network watch does not work")
	}
	for _, p := range problems {
		t.Errorf("%s", p)
	}
	t.Logf("requests: %q", requests)
}

// A Role full of hostile texts: the calculator shows them as text, and
// nothing injected runs (no dialog, no exception, no CSP violation, no
// request), although the page's own script does.
func TestCalculatorHostileInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is not short")
	}
	ctx := browser.Start(t)
	m := model.BuildRole(hostileRole())
	out, err := render.HTML(m)
	if err != nil {
		t.Fatal(err)
	}
	tr := watch(ctx)
	url := serve(t, out, tr)
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.ID("calculator"))); err != nil {
		t.Fatal(err)
	}
	// One skill at the lowest step: the others are gaps with hostile names.
	rateInPage(t, ctx, m, map[string]int{"skill-a": 0})
	got, err := chromedp.Run(ctx, chromedp.Evaluate[panel](readPanel))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := wantPanel(t, m, assess.Ratings{"skill-a": "A"})
	if !slices.Equal(got.Gaps, want.Gaps) || got.Current != want.Current {
		t.Errorf("the panel shows %+v, want %+v", got, want)
	}
	// The cell details under a gap are the matrix's own, copied as nodes.
	details, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#calc-gaps li details .cell").textContent`))
	if err != nil || !strings.Contains(details, hostile[1]) || !strings.Contains(details, "plain") {
		t.Errorf("first gap's details = %q, %v; want the cell's description and examples", details, err)
	}
	injected, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("img, svg, iframe, b, script:not(#calc-data)").length`))
	if err != nil {
		t.Fatal(err)
	}
	if injected != 1 {
		t.Errorf("%d img/svg/iframe/b/script elements, want only the page's own script", injected)
	}
	screenshot(t, ctx, "hostile.png", chromedp.Screenshot(chromedp.ID("calculator")))
	checkTraffic(t, tr, url)
	if b, _ := json.Marshal(got); t.Failed() {
		t.Logf("panel: %s", b)
	}
}

// Without JavaScript the page is the full matrix, as before the calculator:
// the calculator stays hidden and no table gains a column.
func TestCalculatorWithoutJavaScriptInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is not short")
	}
	ctx := browser.Start(t)
	m := sampleModel(t)
	out, err := render.HTML(m)
	if err != nil {
		t.Fatal(err)
	}
	tr := watch(ctx)
	url := serve(t, out, tr)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	type view struct {
		Hidden             bool
		Rows, Cells, Heads int
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[view](`({Hidden: document.getElementById("calculator").offsetParent === null,
		Rows: document.querySelectorAll("table.matrix tbody tr").length,
		Cells: document.querySelectorAll("table.matrix tbody td").length,
		Heads: document.querySelectorAll("table.matrix thead th").length})`))
	if err != nil {
		t.Fatal(err)
	}
	levels := len(m.Levels)
	want := view{Hidden: true, Rows: m.Stats.Skills, Cells: m.Stats.Skills * levels, Heads: m.Stats.Categories * (levels + 1)}
	if got != want {
		t.Errorf("without JavaScript: %+v, want %+v", got, want)
	}
	screenshot(t, ctx, "sample-no-javascript.png", chromedp.CaptureScreenshot())
	checkTraffic(t, tr, url)
}
