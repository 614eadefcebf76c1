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

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/skillmatrix-dev/skillmatrix-operator/hack/internal/managerproc"
)

// portalLog receives the portal's stdout and stderr.
const portalLog = "portal.log"

// buildPortal builds the portal binary from ./cmd/portal.
func buildPortal(ctx context.Context, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/portal")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build -o %s ./cmd/portal: %w", out, err)
	}
	return nil
}

// startPortal starts the portal beside the manager, as the admin (the
// demo's cluster has no ServiceAccount tokens to give it), serving on
// d.opts.portalAddr, and waits until its cache has synced.
func (d *demo) startPortal(ctx context.Context) error {
	abs, err := filepath.Abs(d.opts.portal)
	if err != nil {
		return err
	}
	key := filepath.Join(d.dir, "portal-session.key")
	if err := os.WriteFile(key, []byte(secret(32)), 0o600); err != nil {
		return err
	}
	p, err := managerproc.Start(managerproc.Config{
		Bin: abs,
		// The portal runs as its ServiceAccount, not as the admin.
		Kubeconfig: filepath.Join(d.dir, portalKubeconfig),
		Args: []string{"--zap-encoder=console", "--bind-address=" + d.opts.portalAddr,
			"--public-url=" + d.proxyURL(""),
			// Sign-in: the tokens of the demo issuer, mapped as an API server
			// with these --oidc-* flags would map them: the demo users' names
			// and groups, the same identities their kubeconfigs have.
			"--oidc-issuer-url=" + d.issuer.URL(), "--oidc-client-id=" + oidcClientID,
			"--oidc-username-claim=preferred_username", "--oidc-username-prefix=-", "--oidc-groups-claim=groups",
			"--session-key-file=" + key,
			"--sign-in-url=/oauth2/start?rd={rd}", "--sign-out-url=/oauth2/sign_out?rd=/"},
		MetricsAddr: "0",
		ProbeAddr:   d.opts.portalProbeAddr,
		LogPath:     filepath.Join(d.dir, portalLog),
		SysProcAttr: childSysProcAttr(),
	})
	if err != nil {
		return err
	}
	if err := p.WaitReady(ctx, d.opts.timeout); err != nil {
		_ = p.Stop(managerStopTimeout)
		return err
	}
	d.portal = p
	return nil
}

func (d *demo) portalURL(path string) string { return "http://" + d.opts.portalAddr + path }

// proposalPageURL is the portal's page of the sample Proposal.
func (d *demo) proposalPageURL() string {
	return d.portalURL("/ns/" + namespace + "/proposals/" + d.proposal)
}

// roleFeedURL is the Atom feed of the sample Role, which the sample Proposal is for.
func (d *demo) roleFeedURL() string {
	return d.portalURL("/ns/" + namespace + "/roles/" + sampleRoleName + "/feed.atom")
}

// sampleRoleName is the Role the samples apply and the sample Proposal changes.
const sampleRoleName = "mlops-engineer"

// checkPortalShows loads the Proposal page and the Role's feed until both
// show voter's vote, as a reader reloading them would see it.
func (d *demo) checkPortalShows(ctx context.Context, voter string) error {
	page, feed := d.proposalPageURL(), d.roleFeedURL()
	fmt.Printf("$ curl -s %s | grep '<strong>%s</strong> approves'\n", page, voter)
	fmt.Printf("$ curl -s %s | grep ':vote:Approve:%s<'\n", feed, voter)
	start := time.Now()
	err := d.waitFor(ctx, func(ctx context.Context) (bool, error) {
		body, err := fetch(ctx, page)
		if err != nil || !strings.Contains(body, "<strong>"+voter+"</strong> approves") {
			return false, nil //nolint:nilerr // not there yet: keep loading
		}
		atom, err := fetch(ctx, feed)
		if err != nil || !strings.Contains(atom, ":vote:Approve:"+voter+"</id>") {
			return false, nil //nolint:nilerr // not there yet: keep loading
		}
		return true, nil
	})
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("the portal did not show %s's vote on %s and in %s within %s%s", voter, page, feed,
			d.opts.timeout, d.portal.Tail(managerproc.TailLines))
	}
	if err != nil {
		return err
	}
	fmt.Printf("    the Proposal page and the Role's feed show %s's vote (%s)\n", voter, since(start))
	return nil
}

func fetch(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return string(body), nil
}

// buildPlugin builds the kubectl plugin into out: on PATH, kubectl finds it
// as `kubectl skillmatrix`.
func buildPlugin(ctx context.Context, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/kubectl-skillmatrix")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build -o %s ./cmd/kubectl-skillmatrix: %w", out, err)
	}
	return nil
}
