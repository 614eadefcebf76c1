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

// Package oauth2proxy runs the real oauth2-proxy (the pinned one
// hack/oauth2-proxy.sh installs into bin/) in front of a portal for the
// tests, as the cluster's authenticating proxy would stand in front of it:
// OIDC against a test issuer, the ID token passed on in the Authorization
// header, renewed with the refresh token.
package oauth2proxy

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Binary is the oauth2-proxy hack/oauth2-proxy.sh provides, installing it
// when missing. Under -short, or when it cannot be had outside CI, the
// test is skipped.
func Binary(t testing.TB, root string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("oauth2-proxy is not for -short")
	}
	var stderr bytes.Buffer
	cmd := exec.Command(filepath.Join(root, "hack", "oauth2-proxy.sh"))
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("hack/oauth2-proxy.sh: %v\n%s", err, stderr.String())
		}
		t.Skipf("no oauth2-proxy (hack/oauth2-proxy.sh: %v)", err)
	}
	return strings.TrimSpace(string(out))
}

// Options configure a proxy.
type Options struct {
	// Issuer is the OIDC issuer URL; ClientID and ClientSecret the
	// portal's client there.
	Issuer, ClientID, ClientSecret string
	// Upstream is the portal's address (http://127.0.0.1:port).
	Upstream string
	// Addr is where the proxy listens; Redirect must then be
	// http://Addr/oauth2/callback, as the issuer knows it.
	Addr string
	// Refresh is --cookie-refresh (a minute when 0).
	Refresh time.Duration
}

// FreeAddr is a loopback address with a port free now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

func secret() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Start runs the proxy until the test ends and returns its URL.
func Start(t testing.TB, bin string, o Options) string {
	t.Helper()
	if o.Refresh == 0 {
		o.Refresh = time.Minute
	}
	dir := t.TempDir()
	url := "http://" + o.Addr
	settings := strings.Join([]string{
		`provider = "oidc"`, `provider_display_name = "the test identity provider"`,
		`oidc_issuer_url = "` + o.Issuer + `"`, `client_id = "` + o.ClientID + `"`,
		`client_secret = "` + o.ClientSecret + `"`, `redirect_url = "` + url + `/oauth2/callback"`,
		`code_challenge_method = "S256"`, `scope = "openid email profile groups"`, `oidc_groups_claim = "groups"`,
		`email_domains = ["*"]`, `http_address = "` + o.Addr + `"`, `upstreams = ["` + o.Upstream + `/"]`,
		`cookie_secret = "` + secret() + `"`, `cookie_secure = false`, `cookie_refresh = "` + o.Refresh.String() + `"`,
		`cookie_expire = "24h"`, `pass_authorization_header = true`, `pass_host_header = true`,
		`skip_provider_button = false`,
	}, "\n") + "\n"
	cfg := filepath.Join(dir, "oauth2-proxy.cfg")
	if err := os.WriteFile(cfg, []byte(settings), 0o600); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "oauth2-proxy.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config="+cfg)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		_ = logFile.Close()
		if t.Failed() {
			data, _ := os.ReadFile(logPath)
			t.Logf("oauth2-proxy's log:\n%s", tail(data, 40))
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/ping", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
		select {
		case <-done:
			data, _ := os.ReadFile(logPath)
			t.Fatalf("oauth2-proxy exited:\n%s", tail(data, 40))
		case <-ctx.Done():
			t.Fatal(fmt.Errorf("oauth2-proxy did not answer /ping: %w", ctx.Err()))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func tail(data []byte, n int) string {
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
