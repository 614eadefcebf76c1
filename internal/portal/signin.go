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
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
)

// AuthOptions turn sign-in on. Without them (Options.Auth nil) the portal
// is read-only, as it always was.
type AuthOptions struct {
	// Issuers whose ID tokens the portal accepts, with the cluster's claim
	// mappings (LegacyIssuer, ParseAuthenticationConfig).
	Issuers []Issuer
	// SessionKey signs form tokens and encrypts the session cookie: at least
	// MinSessionKeyBytes of random bytes, the same in every replica (a
	// Secret). Changing it signs everyone out.
	SessionKey []byte
	// HTTPClient fetches discovery documents and keys and, for the own
	// login, tokens (a CA of the identity provider); http.DefaultClient when
	// nil.
	HTTPClient *http.Client
	// Login, when set, is the portal's own login with the first issuer.
	Login *LoginOptions
	// SignInURL is where "Sign in" leads when the portal has no login of its
	// own: the authenticating proxy's start page, {rd} replaced by the
	// address to return to (oauth2-proxy: /oauth2/start?rd={rd}).
	SignInURL string
	// SignOutURL is where signing out leads after the portal dropped its
	// session (oauth2-proxy: /oauth2/sign_out?rd=/).
	SignOutURL string
	// WritesPerMinute and WriteBurst bound each person's writes; 0 takes
	// the defaults (30 a minute, bursts of 10).
	WritesPerMinute float64
	WriteBurst      int
}

// LoginOptions are the portal's own OIDC login: the authorization code flow
// with PKCE (S256), a nonce and a state, as a confidential client.
type LoginOptions struct {
	ClientID, ClientSecret string
	// RedirectURL is the callback the identity provider knows for the
	// portal: <public URL>/login/callback.
	RedirectURL string
	// Scopes besides openid; "email" and "profile" when empty.
	Scopes []string
}

// loginState is what the login cookie carries between /login and the
// callback.
type loginState struct {
	State, Verifier, Nonce, Return string
	Expires                        int64
}

const loginTTL = 10 * time.Minute

// credentials says who made the request: a verified identity, or why not.
type credentials struct {
	state authState
	id    *identity
	// why is the verification error of a rejected or expired token, for the
	// log.
	why error
}

// bearer is the token of an Authorization: Bearer header.
func bearer(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// identify verifies the request's token (the proxy's header first, else the
// session's own-login token) and ties a signed-in person to a portal
// session, starting one (a cookie) when the request has none.
func (s *Server) identify(w http.ResponseWriter, r *http.Request) credentials {
	if s.auth == nil {
		return credentials{state: anonymous}
	}
	now := s.opts.Now()
	sess, hasSession := s.keys.readSession(r, now)
	raw, fromHeader := bearer(r), true
	if raw == "" && r.Header.Get("Authorization") != "" {
		return credentials{state: rejected, why: errors.New("the Authorization header is not a Bearer token")}
	}
	if raw == "" && hasSession && sess.IDToken != "" {
		raw, fromHeader = sess.IDToken, false
	}
	if raw == "" {
		return credentials{state: anonymous}
	}
	id, err := s.auth.verify(r.Context(), raw, "")
	switch {
	case errors.Is(err, errTokenExpired):
		if !fromHeader {
			clearCookie(w, sessionCookie)
		}
		return credentials{state: expired, why: err}
	case err != nil:
		if !fromHeader {
			clearCookie(w, sessionCookie)
		}
		return credentials{state: rejected, why: err}
	}
	if !hasSession {
		sess = &session{ID: randomID(), Expires: now.Add(sessionTTL).Unix()}
		if err := s.keys.writeSession(w, sess); err != nil {
			return credentials{state: rejected, why: err}
		}
	}
	id.Session = sess.ID
	return credentials{state: signedIn, id: id}
}

// signInURL is where "Sign in" leads, back to back afterwards.
func (s *Server) signInURL(back string) string {
	switch {
	case s.auth == nil:
		return ""
	case s.opts.Auth.Login != nil:
		return "/login?rd=" + url.QueryEscape(back)
	case s.opts.Auth.SignInURL != "":
		return strings.ReplaceAll(s.opts.Auth.SignInURL, "{rd}", url.QueryEscape(back))
	}
	return ""
}

// localPath is back when it is a path on this portal, else "/": the
// sign-in's and the language switch's return addresses never lead
// elsewhere (no open redirect).
func localPath(back string) string {
	if back == "" || back[0] != '/' || strings.HasPrefix(back, "//") || strings.ContainsAny(back, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(back)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return back
}

// oauthConfig is the own login's client, with the issuer's endpoints.
func (s *Server) oauthConfig() (*oauth2.Config, error) {
	p, _, err := s.auth.issuers[0].discovered()
	if err != nil {
		return nil, err
	}
	l := s.opts.Auth.Login
	scopes := append([]string{oidc.ScopeOpenID}, l.Scopes...)
	if len(l.Scopes) == 0 {
		scopes = append(scopes, "email", "profile")
	}
	return &oauth2.Config{ClientID: l.ClientID, ClientSecret: l.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: l.RedirectURL, Scopes: scopes}, nil
}

// login starts the own login: a state, a PKCE verifier and a nonce in the
// login cookie, then off to the identity provider.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	back := localPath(r.URL.Query().Get("rd"))
	if s.auth == nil || s.opts.Auth.Login == nil {
		if u := s.signInURL(back); u != "" {
			http.Redirect(w, r, u, http.StatusFound)
			return
		}
		s.fail(w, r, errNotFound{what: "sign-in"})
		return
	}
	cfg, err := s.oauthConfig()
	if err != nil {
		s.fail(w, r, errSignIn{err})
		return
	}
	st := loginState{State: randomID(), Verifier: oauth2.GenerateVerifier(), Nonce: randomID(), Return: back,
		Expires: s.opts.Now().Add(loginTTL).Unix()}
	v, err := s.keys.seal(loginCookie, st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, hostCookie(loginCookie, v, time.Unix(st.Expires, 0)))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, cfg.AuthCodeURL(st.State, oauth2.S256ChallengeOption(st.Verifier), oidc.Nonce(st.Nonce)),
		http.StatusFound)
}

// errSignIn is a sign-in that could not finish.
type errSignIn struct{ err error }

func (e errSignIn) Error() string { return "the sign-in could not finish: " + e.err.Error() }
func (e errSignIn) Unwrap() error { return e.err }

// callback finishes the own login: the state must be the login cookie's,
// the code is exchanged with the PKCE verifier, and the ID token verified
// with the nonce before it becomes the session.
func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	if s.auth == nil || s.opts.Auth.Login == nil {
		s.fail(w, r, errNotFound{what: "sign-in"})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	q := r.URL.Query()
	var st loginState
	c, err := r.Cookie(loginCookie)
	if err == nil {
		err = s.keys.open(loginCookie, c.Value, &st)
	}
	clearCookie(w, loginCookie)
	switch {
	case err != nil || st.State == "" || s.opts.Now().Unix() > st.Expires:
		s.fail(w, r, errSignIn{errors.New("this sign-in was not started here or took longer than ten minutes")})
		return
	case q.Get("state") != st.State:
		s.fail(w, r, errSignIn{errors.New("the state the identity provider returned is not this sign-in's")})
		return
	case q.Get("error") != "":
		s.fail(w, r, errSignIn{fmt.Errorf("the identity provider answered %s", q.Get("error"))})
		return
	}
	cfg, err := s.oauthConfig()
	if err != nil {
		s.fail(w, r, errSignIn{err})
		return
	}
	ctx := r.Context()
	if s.opts.Auth.HTTPClient != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, s.opts.Auth.HTTPClient)
	}
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(st.Verifier))
	if err != nil {
		logf.FromContext(r.Context()).Info("sign-in: the code exchange failed", "error", err.Error())
		s.fail(w, r, errSignIn{errors.New("the identity provider did not accept the sign-in code")})
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		s.fail(w, r, errSignIn{errors.New("the identity provider returned no ID token")})
		return
	}
	if _, err := s.auth.verify(r.Context(), raw, st.Nonce); err != nil {
		logf.FromContext(r.Context()).Info("sign-in: the ID token failed verification", "error", err.Error())
		s.fail(w, r, errSignIn{errors.New("the ID token could not be verified")})
		return
	}
	sess := &session{ID: randomID(), IDToken: raw, Expires: s.opts.Now().Add(sessionTTL).Unix()}
	if err := s.keys.writeSession(w, sess); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, localPath(st.Return), http.StatusSeeOther)
}

// logout drops the portal's session, then leads to the proxy's sign-out
// when there is one.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	clearCookie(w, sessionCookie)
	w.Header().Set("Cache-Control", "no-store")
	to := "/"
	if s.auth != nil && s.opts.Auth.SignOutURL != "" {
		to = s.opts.Auth.SignOutURL
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
