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
// (internal/render/pdf) cannot. It starts a browser, so it is no domain
// package: only the CLI uses it.
package chromium

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/chromedp/cdproto/cdp"
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

// Print loads html into a blank page and prints it as A4 landscape with
// backgrounds, as the page's own print style lays it out.
func Print(ctx context.Context, html []byte) ([]byte, error) {
	browser, err := Find()
	if err != nil {
		return nil, err
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
	yes := true
	res, err := chromedp.Call(bctx, page.PrintToPDF,
		page.PrintToPDFParams{Landscape: &yes, PrintBackground: &yes, PreferCSSPageSize: &yes})
	if err != nil {
		return nil, fmt.Errorf("chromium print: %w", err)
	}
	return res.Data, nil
}
