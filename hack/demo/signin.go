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
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/skillmatrix-dev/skillmatrix-operator/hack/internal/managerproc"
	"github.com/skillmatrix-dev/skillmatrix-operator/hack/oidcissuer"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// Sign-in for the demo: a small OIDC issuer in this process (hack/oidcissuer)
// whose sign-in page lists the demo users, oauth2-proxy in front of the
// portal as the cluster's authenticating proxy would be, and the portal
// running as its own ServiceAccount with config/portal's RBAC, so it acts
// as the signed-in person through constrained impersonation.

const (
	// portalNamespace holds the portal's ServiceAccount.
	portalNamespace = "skillmatrix-portal"
	// oidcClientID is the portal's client at the demo issuer.
	oidcClientID = "skillmatrix-portal"
	// portalKubeconfig is the portal's own kubeconfig (its ServiceAccount's token).
	portalKubeconfig = "portal.kubeconfig"
	proxyLog         = "oauth2-proxy.log"
)

// signInUsers are the people of the demo issuer: the four demo users and
// erin, whom no RoleBinding names.
func signInUsers() []oidcissuer.User {
	users := make([]oidcissuer.User, 0, len(demoUsers)+1)
	for _, u := range demoUsers {
		users = append(users, oidcissuer.User{Name: u.name, Display: strings.ToUpper(u.name[:1]) + u.name[1:],
			Email: u.name + "@demo.example", Groups: []string{demoGroup}, Note: u.part + " (" + u.clusterRole + ")"})
	}
	return append(users, oidcissuer.User{Name: "erin", Display: "Erin", Email: "erin@demo.example",
		Groups: []string{demoGroup}, Note: "has no rights in namespace " + namespace + ": sees how the portal refuses"})
}

func secret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// startIssuer starts the demo's identity provider.
func (d *demo) startIssuer() error {
	d.clientSecret = secret(24)
	var err error
	d.issuer, err = oidcissuer.Start(d.opts.issuerAddr, oidcissuer.Options{Users: signInUsers(), ClientID: oidcClientID,
		ClientSecret: d.clientSecret, RedirectURIs: []string{d.proxyURL("/oauth2/callback")},
		Title: "The demo's identity provider", TokenTTL: 10 * time.Minute})
	return err
}

// portalIdentity gives the portal a ServiceAccount with config/portal's
// RBAC (reads, and impersonation for its writes) and writes its
// kubeconfig, with a token of that ServiceAccount.
func (d *demo) portalIdentity(ctx context.Context) error {
	if err := d.admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: portalNamespace}}); err != nil {
		return err
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "portal", Namespace: portalNamespace}}
	if err := d.admin.Create(ctx, sa); err != nil {
		return err
	}
	for _, f := range []string{"role.yaml", "role_binding.yaml", "impersonator.yaml"} {
		objs, err := testenv.ReadObjects(filepath.Join(d.root, "config", "portal", f))
		if err != nil {
			return err
		}
		for _, u := range objs {
			if subjects, ok := u.Object["subjects"].([]any); ok {
				for _, s := range subjects {
					s.(map[string]any)["namespace"] = portalNamespace
				}
			}
			if err := d.admin.Create(ctx, u); err != nil {
				return fmt.Errorf("applying %s from config/portal/%s: %w", u.GetName(), f, err)
			}
		}
		fmt.Printf("    applied config/portal/%s\n", f)
	}
	req := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
		ExpirationSeconds: new(int64(48 * 3600))}}
	if err := d.admin.SubResource("token").Create(ctx, sa, req); err != nil {
		return fmt.Errorf("a token for the portal's ServiceAccount: %w", err)
	}
	cfg, err := clientcmd.Load(d.env.KubeConfig)
	if err != nil {
		return err
	}
	for _, a := range cfg.AuthInfos {
		a.ClientCertificateData, a.ClientKeyData, a.ClientCertificate, a.ClientKey = nil, nil, "", ""
		a.Token = req.Status.Token
	}
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		return err
	}
	fmt.Printf("    ServiceAccount %s/portal, kubeconfig %s\n", portalNamespace, filepath.Join(d.relDir, portalKubeconfig))
	return os.WriteFile(filepath.Join(d.dir, portalKubeconfig), data, 0o600)
}

// startProxy starts oauth2-proxy in front of the portal: the only way in
// with a sign-in. It passes the ID token to the portal (which verifies it
// itself) and renews it every minute.
func (d *demo) startProxy(ctx context.Context) error {
	abs, err := filepath.Abs(d.opts.oauth2Proxy)
	if err != nil {
		return err
	}
	// The settings go into a file in the demo directory: the secrets stay
	// out of the process list, and the directory in the command line marks
	// the process as this demo's (stopLeftovers).
	settings := strings.Join([]string{
		`provider = "oidc"`, `provider_display_name = "the demo's identity provider"`,
		`oidc_issuer_url = "` + d.issuer.URL() + `"`, `client_id = "` + oidcClientID + `"`,
		`client_secret = "` + d.clientSecret + `"`, `redirect_url = "` + d.proxyURL("/oauth2/callback") + `"`,
		`code_challenge_method = "S256"`, `scope = "openid email profile groups"`, `oidc_groups_claim = "groups"`,
		`email_domains = ["*"]`, `http_address = "` + d.opts.proxyAddr + `"`,
		`upstreams = ["http://` + d.opts.portalAddr + `/"]`, `cookie_secret = "` + secret(24) + `"`,
		`cookie_secure = false`, `cookie_refresh = "1m"`, `cookie_expire = "24h"`, `cookie_name = "_skillmatrix_demo"`,
		`pass_authorization_header = true`, `pass_host_header = true`, `skip_provider_button = false`,
	}, "\n") + "\n"
	cfgPath := filepath.Join(d.dir, "oauth2-proxy.cfg")
	if err := os.WriteFile(cfgPath, []byte(settings), 0o600); err != nil {
		return err
	}
	p, err := managerproc.Start(managerproc.Config{
		Bin:         abs,
		Plain:       true,
		Args:        []string{"--config=" + cfgPath},
		ProbeAddr:   d.opts.proxyAddr,
		ReadyPath:   "/ping",
		LogPath:     filepath.Join(d.dir, proxyLog),
		SysProcAttr: childSysProcAttr(),
	})
	if err != nil {
		return err
	}
	if err := p.WaitReady(ctx, d.opts.timeout); err != nil {
		_ = p.Stop(managerStopTimeout)
		return err
	}
	d.proxy = p
	return nil
}

// proxyURL is path on the portal as people reach it: through oauth2-proxy.
func (d *demo) proxyURL(path string) string { return "http://" + d.opts.proxyAddr + path }

// loopbackJar keeps cookies as a browser does on http://127.0.0.1, which
// browsers treat as a secure context: Secure cookies (the portal's
// __Host- session) are sent there too, unlike Go's cookiejar over http.
type loopbackJar struct{ jar *cookiejar.Jar }

func secureURL(u *url.URL) *url.URL {
	c := *u
	if c.Scheme == "http" && (c.Hostname() == "127.0.0.1" || c.Hostname() == "localhost") {
		c.Scheme = "https"
	}
	return &c
}

func (j loopbackJar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	j.jar.SetCookies(secureURL(u), cookies)
}
func (j loopbackJar) Cookies(u *url.URL) []*http.Cookie { return j.jar.Cookies(secureURL(u)) }

// person is one demo user in a browser of their own: their own cookies.
type person struct {
	d    *demo
	name string
	c    *http.Client
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`)

// signIn signs name in through oauth2-proxy and the demo issuer's page,
// as a browser would, and returns the page it lands on.
func (d *demo) signIn(ctx context.Context, name, landing string) (*person, string, error) {
	jar, _ := cookiejar.New(nil)
	p := &person{d: d, name: name, c: &http.Client{Jar: loopbackJar{jar}, Timeout: 30 * time.Second}}
	// Without a session the proxy answers with its sign-in page (403).
	code, body, err := p.get(ctx, d.proxyURL(landing))
	if err != nil {
		return nil, "", err
	}
	if code != http.StatusForbidden || !strings.Contains(body, "/oauth2/start") {
		return nil, "", fmt.Errorf("oauth2-proxy let %s in without a sign-in: %d", name, code)
	}
	// Its button leads to the issuer's page, which lists the demo users.
	code, body, err = p.get(ctx, d.proxyURL("/oauth2/start?rd="+url.QueryEscape(landing)))
	if err != nil {
		return nil, "", err
	}
	if code != http.StatusOK || !strings.Contains(body, `id="user-`+name+`"`) {
		return nil, "", fmt.Errorf("the sign-in page does not list %s (%d)", name, code)
	}
	form := url.Values{"user": {name}}
	for _, m := range hiddenInput.FindAllStringSubmatch(body, -1) {
		form.Set(m[1], htmlUnescape(m[2]))
	}
	code, body, err = p.post(ctx, d.issuer.URL()+"/authorize", form)
	if err != nil {
		return nil, "", err
	}
	if code != http.StatusOK || !strings.Contains(body, "Signed in as") {
		return nil, "", fmt.Errorf("after signing in, %s is not signed in on %s (%d):\n%s", name, landing, code, body)
	}
	return p, body, nil
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

func (p *person) get(ctx context.Context, u string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", err
	}
	return p.do(req)
}

func (p *person) post(ctx context.Context, u string, form url.Values) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// What a browser sends with a form of the page it shows.
	if pu, err := url.Parse(u); err == nil {
		req.Header.Set("Origin", pu.Scheme+"://"+pu.Host)
	}
	return p.do(req)
}

func (p *person) do(req *http.Request) (int, string, error) {
	resp, err := p.c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

var formToken = regexp.MustCompile(`name="token" value="([^"]+)"`)

// submit loads page (through the proxy) and posts form to action with the
// page's form token, as the person's browser would; it returns the page
// the portal answers with.
func (p *person) submit(ctx context.Context, page, action string, form url.Values) (int, string, error) {
	_, body, err := p.get(ctx, p.d.proxyURL(page))
	if err != nil {
		return 0, "", err
	}
	m := formToken.FindStringSubmatch(body)
	if m == nil {
		return 0, "", errors.New(page + " carries no form token: is " + p.name + " signed in?")
	}
	form.Set("token", htmlUnescape(m[1]))
	return p.post(ctx, p.d.proxyURL(action), form)
}
