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

// Package oidcissuer is a small OpenID Connect issuer for the demo and the
// tests, never for production: a sign-in page that lists its users (no
// passwords: pick one and you are them), the authorization code flow with
// PKCE, refresh tokens, discovery, JWKS, userinfo, and ID tokens signed
// with an RSA key made at start. Tests also mint tokens directly (Mint),
// with any expiry or audience, to try what the portal must refuse.
package oidcissuer

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Names the protocol uses more than once.
const (
	claimEmail   = "email"
	grantRefresh = "refresh_token"
)

// User is someone who can sign in.
type User struct {
	// Name is the preferred_username (and the subject's suffix).
	Name string
	// Display is the name claim; Email the email (verified).
	Display, Email string
	Groups         []string
	// Note says on the sign-in page what the user may do in the demo.
	Note string
}

// Options configure an Issuer.
type Options struct {
	Users []User
	// ClientID and ClientSecret are the one client's; RedirectURIs the
	// callbacks it may use (any when empty).
	ClientID, ClientSecret string
	RedirectURIs           []string
	// TokenTTL is the lifetime of ID and access tokens (10 minutes when 0).
	TokenTTL time.Duration
	// Title heads the sign-in page.
	Title string
	Now   func() time.Time
}

// Issuer is a running issuer.
type Issuer struct {
	opts Options
	url  string
	key  *rsa.PrivateKey
	kid  string
	srv  *http.Server
	ln   net.Listener

	mu       sync.Mutex
	codes    map[string]grant
	refresh  map[string]string // refresh token -> user name
	access   map[string]string // access token -> user name
	logins   int
	finished int
	keySets  int
}

// grant is an authorization code's context.
type grant struct {
	user, clientID, redirectURI, nonce, challenge, method string
	expires                                               time.Time
}

// Start listens on addr (127.0.0.1:0 for a free port) and serves.
func Start(addr string, opts Options) (*Issuer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	iss, err := New("http://"+ln.Addr().String(), opts)
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	iss.ln = ln
	iss.srv = &http.Server{Handler: iss, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = iss.srv.Serve(ln) }()
	return iss, nil
}

// New is an issuer at url that is served by its ServeHTTP.
func New(issuerURL string, opts Options) (*Issuer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	if opts.TokenTTL == 0 {
		opts.TokenTTL = 10 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Title == "" {
		opts.Title = "Demo identity provider"
	}
	return &Issuer{opts: opts, url: strings.TrimSuffix(issuerURL, "/"), key: key, kid: random(8),
		codes: map[string]grant{}, refresh: map[string]string{}, access: map[string]string{}}, nil
}

// URL is the issuer URL (the tokens' iss).
func (i *Issuer) URL() string { return i.url }

// Close stops serving.
func (i *Issuer) Close() error {
	if i.srv == nil {
		return nil
	}
	return i.srv.Close()
}

// SignIns is how many sign-ins finished with a code exchange.
func (i *Issuer) SignIns() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.finished
}

func random(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// KeySetRequests is how often the JWKS was fetched.
func (i *Issuer) KeySetRequests() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.keySets
}

// ServeHTTP serves the issuer's endpoints.
func (i *Issuer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	switch r.URL.Path {
	case "/.well-known/openid-configuration":
		i.discovery(w)
	case "/jwks":
		i.mu.Lock()
		i.keySets++
		i.mu.Unlock()
		writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &i.key.PublicKey, KeyID: i.kid,
			Algorithm: string(jose.RS256), Use: "sig"}}})
	case "/authorize":
		i.authorize(w, r)
	case "/token":
		i.token(w, r)
	case "/userinfo":
		i.userinfo(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (i *Issuer) discovery(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer": i.url, "authorization_endpoint": i.url + "/authorize", "token_endpoint": i.url + "/token",
		"userinfo_endpoint": i.url + "/userinfo", "jwks_uri": i.url + "/jwks",
		"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", claimEmail, "profile", "groups", "offline_access"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256", "plain"},
		"grant_types_supported":                 []string{"authorization_code", grantRefresh},
		"claims_supported": []string{"sub", "iss", "aud", "exp", "iat", "nonce", "email", "email_verified", "name",
			"preferred_username", "groups"},
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func oauthError(w http.ResponseWriter, code int, kind, desc string) {
	writeJSON(w, code, map[string]string{"error": kind, "error_description": desc})
}

func (i *Issuer) user(name string) (User, bool) {
	for _, u := range i.opts.Users {
		if u.Name == name {
			return u, true
		}
	}
	return User{}, false
}

var signInPage = template.Must(template.New("signin").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · {{.Title}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#1d2330}
button{display:block;width:100%;margin:.5rem 0;padding:.7rem;font:inherit;text-align:left;
border:1px solid #1a4f8b;border-radius:6px;background:#fff;color:#1d2330;cursor:pointer}
button strong{color:#1a4f8b}.note{color:#515a6a;font-size:.9rem}</style></head>
<body><main><h1>Sign in</h1>
<p>{{.Title}} for the skillmatrix-operator demo. There are no passwords: pick who you want to be.</p>
<form method="post" action="/authorize">
{{range $k, $v := .Params}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
{{range .Users}}<button type="submit" name="user" value="{{.Name}}" id="user-{{.Name}}">
<strong>{{.Display}}</strong> ({{.Name}}){{if .Note}}<br><span class="note">{{.Note}}</span>{{end}}</button>
{{end}}</form></main></body></html>
`))

// authorize shows the sign-in page (GET) and, once a user is picked (POST),
// redirects back with a code.
func (i *Issuer) authorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	q := r.Form
	if q.Get("client_id") != i.opts.ClientID {
		http.Error(w, "unknown client_id", http.StatusBadRequest)
		return
	}
	redirect := q.Get("redirect_uri")
	if u, err := url.Parse(redirect); err != nil || u.Scheme == "" ||
		(len(i.opts.RedirectURIs) > 0 && !slices.Contains(i.opts.RedirectURIs, redirect)) {
		http.Error(w, "redirect_uri is not registered", http.StatusBadRequest)
		return
	}
	if q.Get("response_type") != "code" {
		http.Error(w, "only response_type=code", http.StatusBadRequest)
		return
	}
	if r.Method == http.MethodGet {
		params := map[string]string{}
		for _, k := range []string{"client_id", "redirect_uri", "response_type", "scope", "state", "nonce",
			"code_challenge", "code_challenge_method"} {
			params[k] = q.Get(k)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' "+
			redirectOrigin(redirect)+"; frame-ancestors 'none'")
		_ = signInPage.Execute(w, map[string]any{"Title": i.opts.Title, "Users": i.opts.Users, "Params": params})
		return
	}
	u, ok := i.user(q.Get("user"))
	if !ok {
		http.Error(w, "no such user", http.StatusBadRequest)
		return
	}
	code := random(24)
	i.mu.Lock()
	i.codes[code] = grant{user: u.Name, clientID: q.Get("client_id"), redirectURI: redirect, nonce: q.Get("nonce"),
		challenge: q.Get("code_challenge"), method: q.Get("code_challenge_method"), expires: i.opts.Now().Add(time.Minute)}
	i.logins++
	i.mu.Unlock()
	back, _ := url.Parse(redirect)
	bq := back.Query()
	bq.Set("code", code)
	if s := q.Get("state"); s != "" {
		bq.Set("state", s)
	}
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// redirectOrigin is the origin of a redirect URI, which the sign-in form
// may send the browser on to.
func redirectOrigin(redirect string) string {
	u, err := url.Parse(redirect)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// clientOK checks the client's credentials (basic or in the form).
func (i *Issuer) clientOK(r *http.Request) bool {
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if i.opts.ClientSecret == "" {
		return id == i.opts.ClientID
	}
	return id == i.opts.ClientID && subtle.ConstantTimeCompare([]byte(secret), []byte(i.opts.ClientSecret)) == 1
}

func (i *Issuer) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "POST only")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if !i.clientOK(r) {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
		return
	}
	var name, nonce string
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		code := r.PostForm.Get("code")
		i.mu.Lock()
		g, ok := i.codes[code]
		delete(i.codes, code) // single use
		i.mu.Unlock()
		if !ok || i.opts.Now().After(g.expires) || g.redirectURI != r.PostForm.Get("redirect_uri") {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown, used or expired code")
			return
		}
		if err := checkPKCE(g, r.PostForm.Get("code_verifier")); err != nil {
			oauthError(w, http.StatusBadRequest, "invalid_grant", err.Error())
			return
		}
		name, nonce = g.user, g.nonce
	case grantRefresh:
		i.mu.Lock()
		user, ok := i.refresh[r.PostForm.Get(grantRefresh)]
		i.mu.Unlock()
		if !ok {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown refresh token")
			return
		}
		name = user
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "authorization_code or refresh_token")
		return
	}
	u, _ := i.user(name)
	idToken, err := i.Mint(u, MintOptions{Nonce: nonce})
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	access, refresh := random(24), random(24)
	i.mu.Lock()
	i.access[access] = name
	i.refresh[refresh] = name
	i.finished++
	i.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": access, "token_type": "Bearer",
		"expires_in": int(i.opts.TokenTTL.Seconds()), grantRefresh: refresh, "id_token": idToken})
}

func checkPKCE(g grant, verifier string) error {
	switch {
	case g.challenge == "":
		return nil
	case verifier == "":
		return errors.New("code_verifier is missing")
	case g.method == "S256":
		sum := sha256.Sum256([]byte(verifier))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
			return errors.New("code_verifier does not match the challenge")
		}
	case verifier != g.challenge:
		return errors.New("code_verifier does not match the challenge")
	}
	return nil
}

func (i *Issuer) userinfo(w http.ResponseWriter, r *http.Request) {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	i.mu.Lock()
	name, ok := i.access[tok]
	i.mu.Unlock()
	if !ok {
		oauthError(w, http.StatusUnauthorized, "invalid_token", "unknown access token")
		return
	}
	u, _ := i.user(name)
	writeJSON(w, http.StatusOK, i.claims(u))
}

// Subject is the sub claim of user name.
func Subject(name string) string { return "user-" + name }

func (i *Issuer) claims(u User) map[string]any {
	c := map[string]any{"sub": Subject(u.Name), "preferred_username": u.Name, "name": u.Display,
		claimEmail: u.Email, "email_verified": true}
	if u.Groups != nil {
		c["groups"] = u.Groups
	}
	return c
}

// MintOptions change what Mint signs.
type MintOptions struct {
	Nonce string
	// Audience replaces the client ID; Expiry the issuer's TTL from now;
	// Issuer the issuer URL.
	Audience []string
	Expiry   time.Time
	Issuer   string
	// Claims are added or replace the user's.
	Claims map[string]any
}

// Mint signs an ID token for u.
func (i *Issuer) Mint(u User, o MintOptions) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: i.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", i.kid))
	if err != nil {
		return "", err
	}
	now := i.opts.Now()
	exp := o.Expiry
	if exp.IsZero() {
		exp = now.Add(i.opts.TokenTTL)
	}
	aud := o.Audience
	if aud == nil {
		aud = []string{i.opts.ClientID}
	}
	claims := i.claims(u)
	claims["iss"] = cmpOr(o.Issuer, i.url)
	claims["aud"] = aud
	claims["iat"] = now.Unix()
	claims["exp"] = exp.Unix()
	if o.Nonce != "" {
		claims["nonce"] = o.Nonce
	}
	maps.Copy(claims, o.Claims)
	return jwt.Signed(signer).Claims(claims).Serialize()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// String names the issuer for logs.
func (i *Issuer) String() string { return fmt.Sprintf("OIDC issuer %s", i.url) }
