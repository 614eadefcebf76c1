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

// Package browser starts the real browser the page tests drive (chromedp
// and Debian's Chromium), with one set of flags and one rule for a machine
// without it: skip, or fail under CI=true, where hack/ensure-packages.sh must
// have installed it. Only tests import it.
package browser

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// ChromiumPath is where Debian's chromium package installs the browser.
const ChromiumPath = "/usr/bin/chromium"

// Start starts a headless Chromium with a fresh profile and no background
// traffic (this machine's network is closed), and returns its context; the
// browser stops with the test.
func Start(t testing.TB) context.Context {
	t.Helper()
	path, err := exec.LookPath(ChromiumPath)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium is not installed at %s (CI=true: hack/ensure-packages.sh chromium must install it): %v",
				ChromiumPath, err)
		}
		t.Skipf("Chromium is not installed at %s: skipping the browser test "+
			"(run hack/ensure-packages.sh chromium, or make test-deps, as root)", ChromiumPath)
	}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1000))
	t.Cleanup(cancel)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(cancelCtx)
	return ctx
}
