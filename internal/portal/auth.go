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
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/time/rate"
)

// Sign-in. The portal learns who a person is from an OpenID Connect ID
// token and verifies it itself: the issuer, one of the audiences, the
// signature against the issuer's published keys (JWKS, found by
// discovery) and the expiry. The token comes from the authenticating proxy
// in front of the portal (Authorization: Bearer, as oauth2-proxy's
// --pass-authorization-header sends it) or from the portal's own login
// (login.go), kept in its session cookie. Nothing else says who someone
// is: X-Forwarded-User, X-Auth-Request-User, Remote-User and the like are
// never read.
//
// The username and groups are mapped from the token's claims as the
// cluster's OIDC authenticator maps them (Issuer), so the portal acts as the
// identity the person has with kubectl.

// Issuer is one OIDC issuer whose ID tokens the portal accepts, with the
// claim mappings of the cluster's authenticator for it.
type Issuer struct {
	// URL is the issuer (the tokens' iss), https:// outside tests and demos.
	URL string
	// DiscoveryURL, when set, is where the discovery document is instead of
	// URL/.well-known/openid-configuration.
	DiscoveryURL string
	// Audiences: a token must name one of them in aud (the client ID).
	Audiences []string
	// UsernameClaim ("sub" when empty) and UsernamePrefix, prepended to its
	// value, as the cluster's claimMappings.username (or the legacy
	// --oidc-username-claim and --oidc-username-prefix) say.
	UsernameClaim, UsernamePrefix string
	// GroupsClaim (none when empty) and GroupsPrefix likewise.
	GroupsClaim, GroupsPrefix string
	// RequiredClaims must be present with these string values.
	RequiredClaims map[string]string
}

// Claims and values the mappings name.
const (
	claimEmail  = "email"
	schemeHTTPS = "https"
)

func (i Issuer) usernameClaim() string {
	if i.UsernameClaim == "" {
		return "sub"
	}
	return i.UsernameClaim
}

// identity is a person the portal verified, as the cluster sees them.
type identity struct {
	// Username and Groups are what the portal impersonates: the mapped
	// claims; Groups holds no system: group but system:authenticated, which
	// the API server adds to every impersonated user, so what a ballot
	// records is exactly what admission sees.
	Username string
	Groups   []string
	// Issuer and Subject (the token's iss and sub) name the person for the
	// form tokens; Display is a friendly name for the page header.
	Issuer, Subject, Display string
	// Email is the token's email claim when the token says it is verified
	// (email_verified not false, as the API server reads it) and it is an
	// address a Follow accepts; "" otherwise. The portal's Follow form
	// sends mail there.
	Email  string
	Expiry time.Time
	// Session is the portal session the request came with (its cookie).
	Session string
}

// authState is what a request's credentials amount to.
type authState int

const (
	// anonymous: no credentials.
	anonymous authState = iota
	// signedIn: a verified token.
	signedIn
	// expired: a token that was valid but has expired; sign in again.
	expired
	// rejected: a token that fails verification (signature, issuer,
	// audience, claims) or cannot be read.
	rejected
)

// errTokenExpired marks a token past its expiry.
var errTokenExpired = errors.New("the sign-in has expired")

// authenticator verifies ID tokens of its issuers.
type authenticator struct {
	issuers []*issuerVerifier
	now     func() time.Time
}

// issuerVerifier verifies the tokens of one issuer. Discovery runs on first
// use (so the portal starts while the identity provider is unreachable) and
// again at most every discoveryRetry after a failure.
type issuerVerifier struct {
	iss    Issuer
	client *http.Client
	now    func() time.Time

	mu       sync.Mutex
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	lastTry  time.Time
	lastErr  error

	// knownKeys are the key ids tokens were verified with. A token signed
	// with another makes go-oidc fetch the issuer's keys again (a key
	// rotation); unknownKeys bounds how often, so a flood of tokens with
	// made-up key ids cannot make the portal flood the identity provider.
	knownKeys   sync.Map
	unknownKeys *rate.Limiter
}

const discoveryRetry = 5 * time.Second

func newAuthenticator(issuers []Issuer, client *http.Client, now func() time.Time) *authenticator {
	a := &authenticator{now: now}
	for _, iss := range issuers {
		a.issuers = append(a.issuers, &issuerVerifier{iss: iss, client: client, now: now,
			unknownKeys: rate.NewLimiter(rate.Every(2*time.Second), 5)})
	}
	return a
}

// discovered returns the issuer's provider and verifier, discovering them
// when needed.
func (v *issuerVerifier) discovered() (*oidc.Provider, *oidc.IDTokenVerifier, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.verifier != nil {
		return v.provider, v.verifier, nil
	}
	if !v.lastTry.IsZero() && v.now().Sub(v.lastTry) < discoveryRetry {
		return nil, nil, v.lastErr
	}
	v.lastTry = v.now()
	// Key sets fetch with this context for the portal's life; a request's
	// context would end with the request.
	ctx := context.Background()
	if v.client != nil {
		ctx = oidc.ClientContext(ctx, v.client)
	}
	discoverCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if v.iss.DiscoveryURL != "" {
		discoverCtx = oidc.InsecureIssuerURLContext(discoverCtx, v.iss.URL)
	}
	p, err := oidc.NewProvider(discoverCtx, cmpOr(v.iss.DiscoveryURL, v.iss.URL))
	if err != nil {
		v.lastErr = fmt.Errorf("discovering OIDC issuer %s: %w", v.iss.URL, err)
		return nil, nil, v.lastErr
	}
	v.provider = p
	// The audience is checked against the list below; expiry and issuer by
	// go-oidc, with the portal's clock.
	v.verifier = p.VerifierContext(ctx, &oidc.Config{SkipClientIDCheck: true, Now: v.now})
	return v.provider, v.verifier, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// unverified reads the key id of a JWT's header and the iss claim of its
// payload without verifying anything, only to pick the verifier that then
// checks it.
func unverified(raw string) (kid, issuer string, err error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", "", errors.New("not a JWT")
	}
	var h struct {
		KeyID string `json:"kid"`
	}
	var c struct {
		Issuer string `json:"iss"`
	}
	for i, v := range []any{&h, &c} {
		data, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return "", "", fmt.Errorf("reading the token: %w", err)
		}
		if err := json.Unmarshal(data, v); err != nil {
			return "", "", fmt.Errorf("reading the token: %w", err)
		}
	}
	return h.KeyID, c.Issuer, nil
}

// verify checks raw and maps its claims. It returns errTokenExpired (wrapped)
// for an expired token that is otherwise valid. nonce, when not empty, must
// be the token's nonce (the portal's own login).
func (a *authenticator) verify(ctx context.Context, raw, nonce string) (*identity, error) {
	kid, issuer, err := unverified(raw)
	if err != nil {
		return nil, err
	}
	var v *issuerVerifier
	for _, c := range a.issuers {
		if c.iss.URL == issuer {
			v = c
		}
	}
	if v == nil {
		return nil, fmt.Errorf("the token's issuer %q is not one the portal trusts", issuer)
	}
	_, verifier, err := v.discovered()
	if err != nil {
		return nil, err
	}
	if _, known := v.knownKeys.Load(kid); !known && !v.unknownKeys.Allow() {
		return nil, errors.New("too many tokens signed with keys the issuer has not been seen to use; try again shortly")
	}
	tok, err := verifier.Verify(ctx, raw)
	if exp, ok := errors.AsType[*oidc.TokenExpiredError](err); ok {
		return nil, fmt.Errorf("%w (at %s)", errTokenExpired, exp.Expiry.UTC().Format(time.RFC3339))
	}
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(tok.Audience, func(aud string) bool { return slices.Contains(v.iss.Audiences, aud) }) {
		return nil, fmt.Errorf("the token is for %v, not for the portal (%v)", tok.Audience, v.iss.Audiences)
	}
	v.knownKeys.Store(kid, true)
	if nonce != "" && tok.Nonce != nonce {
		return nil, errors.New("the token's nonce is not the one of this sign-in")
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return nil, err
	}
	id, err := v.iss.identityOf(claims)
	if err != nil {
		return nil, err
	}
	id.Issuer, id.Subject, id.Expiry = tok.Issuer, tok.Subject, tok.Expiry
	return id, nil
}

// groupsOf are the groups of the claims with their prefix, without
// duplicates and without system: groups (the cluster's, system:masters above
// all: a token does not grant them), and with system:authenticated, which
// the API server adds to every impersonated user.
func (i Issuer) groupsOf(claims map[string]any) []string {
	var raw, out []string
	if i.GroupsClaim != "" {
		switch g := claims[i.GroupsClaim].(type) {
		case string:
			raw = []string{g}
		case []any:
			for _, x := range g {
				if s, ok := x.(string); ok {
					raw = append(raw, s)
				}
			}
		}
	}
	for _, g := range raw {
		g = i.GroupsPrefix + g
		if g != i.GroupsPrefix && !strings.HasPrefix(g, "system:") && !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return append(out, "system:authenticated")
}

// identityOf maps verified claims to the cluster's identity, refusing what
// the cluster's authenticator would refuse.
func (i Issuer) identityOf(claims map[string]any) (*identity, error) {
	for k, want := range i.RequiredClaims {
		if got, _ := claims[k].(string); got != want {
			return nil, fmt.Errorf("the token's claim %q is not %q", k, want)
		}
	}
	claim := i.usernameClaim()
	name, _ := claims[claim].(string)
	if name == "" {
		return nil, fmt.Errorf("the token has no %q claim to name the user", claim)
	}
	if claim == claimEmail {
		// As the API server: an email is a username only when verified.
		if v, ok := claims["email_verified"]; ok && v != true && v != "true" {
			return nil, errors.New("the token's email is not verified")
		}
	}
	id := &identity{Username: i.UsernamePrefix + name, Groups: i.groupsOf(claims)}
	if strings.HasPrefix(id.Username, "system:") {
		return nil, fmt.Errorf("the username %q is reserved for the cluster's own identities", id.Username)
	}
	for _, c := range []string{"name", "preferred_username", claimEmail} {
		if s, ok := claims[c].(string); ok && s != "" {
			id.Display = s
			break
		}
	}
	if id.Display == "" {
		id.Display = id.Username
	}
	id.Email = verifiedEmail(claims)
	return id, nil
}

// followEmail is what a Follow's spec.email accepts (its CRD's pattern and
// length).
var followEmail = regexp.MustCompile(`^[^\s<>@"]+@[^\s<>@"]+$`)

// verifiedEmail is the claims' email when the token does not say it is
// unverified and it is one plain address a Follow accepts, else "".
func verifiedEmail(claims map[string]any) string {
	email, _ := claims[claimEmail].(string)
	if v, ok := claims["email_verified"]; ok && v != true && v != "true" {
		return ""
	}
	if email == "" || len(email) > 254 || !followEmail.MatchString(email) {
		return ""
	}
	if a, err := mail.ParseAddress(email); err != nil || a.Name != "" || a.Address != email {
		return ""
	}
	return email
}
