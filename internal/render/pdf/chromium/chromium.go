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

// Package chromium prints a rendered matrix.html to PDF through a local
// Chromium (chromedp, headless, a fresh profile): the browser falls back
// between the system's fonts and draws emoji, which the built-in engine
// (internal/render/pdf) cannot. Like the built-in engine it prints every
// character or fails naming those no installed font covers. It starts a
// browser and runs fontconfig, so it is no domain package: only the CLI
// uses it.
package chromium

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// ErrNoBrowser means no Chromium or Chrome is installed.
var ErrNoBrowser = errors.New("no Chromium found (install Debian's chromium, or use the built-in engine)")

// Browsers are the executables tried, in order.
var Browsers = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Find returns the path of the first installed browser.
func Find() (string, error) {
	for _, name := range Browsers {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoBrowser
}

// Options tune Print.
type Options struct {
	// ReplaceMissing prints even when no installed font covers some
	// characters of the page (Chromium draws them as empty boxes or leaves
	// them out), and even when fontconfig cannot say; OnMissing hears of them.
	ReplaceMissing bool
	// OnMissing, if set, is called with the characters no font covers
	// before a page is printed with ReplaceMissing.
	OnMissing func([]rune)
	// OnUnchecked, if set, is called with the reason the characters could
	// not be checked before a page is printed with ReplaceMissing.
	OnUnchecked func(error)
}

// Print loads html into a blank page and prints it as A4 landscape with
// backgrounds, as the page's own print style lays it out. Unless
// opts.ReplaceMissing is set, it fails with a *MissingGlyphsError naming the
// characters of the printed text no installed font covers, and with
// ErrNoFontconfig when it cannot tell.
func Print(ctx context.Context, html []byte, opts Options) ([]byte, error) {
	browser, err := Find()
	if err != nil {
		return nil, err
	}
	coverage, err := InstalledCoverage(ctx)
	switch {
	case err != nil && !opts.ReplaceMissing:
		return nil, err
	case err != nil && opts.OnUnchecked != nil:
		opts.OnUnchecked(err)
	}
	profile, err := os.MkdirTemp("", "skillmatrix-chromium-")
	if err != nil {
		return nil, fmt.Errorf("chromium profile: %w", err)
	}
	defer func() { _ = os.RemoveAll(profile) }()
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(browser), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.UserDataDir(profile),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-dev-shm-usage", true))
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if _, err := chromedp.Run(bctx, chromedp.Navigate("about:blank")); err != nil {
		return nil, fmt.Errorf("start %s: %w", browser, err)
	}
	tree, err := chromedp.Call(bctx, page.GetFrameTree, cdp.Empty{})
	if err != nil {
		return nil, fmt.Errorf("chromium frame: %w", err)
	}
	if _, err := chromedp.Call(bctx, page.SetDocumentContent,
		page.SetDocumentContentParams{FrameID: tree.FrameTree.Frame.ID, HTML: string(html)}); err != nil {
		return nil, fmt.Errorf("chromium load page: %w", err)
	}
	if coverage != nil {
		if err := checkGlyphs(bctx, coverage, opts); err != nil {
			return nil, err
		}
	}
	yes := true
	res, err := chromedp.Call(bctx, page.PrintToPDF,
		page.PrintToPDFParams{Landscape: &yes, PrintBackground: &yes, PreferCSSPageSize: &yes})
	if err != nil {
		return nil, fmt.Errorf("chromium print: %w", err)
	}
	return res.Data, nil
}

// checkGlyphs reads the text the page prints (its innerText with the print
// style applied: what the print style hides does not count, the notes it
// shows only in print do) and compares it with the fonts' coverage.
func checkGlyphs(ctx context.Context, coverage *Coverage, opts Options) error {
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		return fmt.Errorf("chromium print style: %w", err)
	}
	printed, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		return fmt.Errorf("chromium read the page's text: %w", err)
	}
	missing := coverage.Missing(printed)
	switch {
	case len(missing) == 0:
		return nil
	case !opts.ReplaceMissing:
		return &MissingGlyphsError{Runes: missing}
	case opts.OnMissing != nil:
		opts.OnMissing(missing)
	}
	return nil
}
