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
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/hack/oidcissuer"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// testUsers are the people of the test issuer.
var testUsers = []oidcissuer.User{
	{Name: "alice", Display: "Alice", Email: "alice@example.com", Groups: []string{"engineers"}},
	{Name: "bob", Display: "Bob", Email: "bob@example.com", Groups: []string{"engineers", "engineers", "system:masters"}},
	{Name: "carol", Display: "Carol", Email: "carol@example.com", Groups: []string{"engineers", "experts"}},
	{Name: "system:admin", Display: "Root", Email: "root@example.com"},
}

func testUser(name string) oidcissuer.User {
	for _, u := range testUsers {
		if u.Name == name {
			return u
		}
	}
	panic(name)
}

// write is one write the fake actor was asked to make.
type write struct {
	op, user, decision, comment string
	groups                      []string
	proposal                    *v1.Proposal
	follow                      *v1.Follow
}

// fakeActor records the writes and answers access reviews; err, when set,
// is the API server's answer to every write.
type fakeActor struct {
	mu     sync.Mutex
	writes []write
	err    error
	may    func(user string, attrs authorizationv1.ResourceAttributes) bool
	// follows are the Follows as the fake API server holds them, by
	// namespace/name; readErr, when set, answers every read of one.
	follows map[string]*v1.Follow
	readErr error
}

func (a *fakeActor) record(w write) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err != nil {
		return a.err
	}
	a.writes = append(a.writes, w)
	return nil
}

func (a *fakeActor) written() []write {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.writes)
}

func (a *fakeActor) createProposal(_ context.Context, id *identity, p *v1.Proposal) error {
	return a.record(write{op: "propose", user: id.Username, groups: id.Groups, proposal: p.DeepCopy()})
}

func (a *fakeActor) cast(_ context.Context, id *identity, p *v1.Proposal, kind governance.BallotKind, decision, comment string) error {
	return a.record(write{op: string(kind), user: id.Username, groups: id.Groups, decision: decision, comment: comment,
		proposal: p.DeepCopy()})
}

func (a *fakeActor) withdraw(_ context.Context, id *identity, p *v1.Proposal) error {
	return a.record(write{op: "withdraw", user: id.Username, proposal: p.DeepCopy()})
}

func (a *fakeActor) allowed(_ context.Context, id *identity, attrs authorizationv1.ResourceAttributes) (bool, error) {
	if a.may == nil {
		return true, nil
	}
	return a.may(id.Username, attrs), nil
}

func (a *fakeActor) getFollow(_ context.Context, _ *identity, key client.ObjectKey) (*v1.Follow, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.readErr != nil {
		return nil, a.readErr
	}
	if f, ok := a.follows[key.String()]; ok {
		return f.DeepCopy(), nil
	}
	return nil, apierrors.NewNotFound(v1.GroupVersion.WithResource("follows").GroupResource(), key.Name)
}

func (a *fakeActor) createFollow(_ context.Context, id *identity, f *v1.Follow) error {
	if err := a.record(write{op: "follow", user: id.Username, follow: f.DeepCopy()}); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.follows == nil {
		a.follows = map[string]*v1.Follow{}
	}
	f = f.DeepCopy()
	f.UID, f.ResourceVersion = types.UID("uid-"+f.Name), "1"
	a.follows[client.ObjectKeyFromObject(f).String()] = f
	return nil
}

func (a *fakeActor) patchFollow(_ context.Context, id *identity, have *v1.Follow, delivery *v1.DeliverySchedule,
	locale v1.Locale) error {
	changed := have.DeepCopy()
	changed.Spec.Delivery, changed.Spec.Locale = delivery, locale
	if err := a.record(write{op: "follow-change", user: id.Username, follow: changed.DeepCopy()}); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.follows[client.ObjectKeyFromObject(have).String()] = changed
	return nil
}

func (a *fakeActor) deleteFollow(_ context.Context, id *identity, have *v1.Follow) error {
	if err := a.record(write{op: "unfollow", user: id.Username, follow: have.DeepCopy()}); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.follows, client.ObjectKeyFromObject(have).String())
	return nil
}

// authEnv is a portal with sign-in against a test issuer, served over TLS
// (its cookies are Secure).
type authEnv struct {
	t      *testing.T
	iss    *oidcissuer.Issuer
	evil   *oidcissuer.Issuer
	srv    *httptest.Server
	portal *Server
	act    *fakeActor
}

func newAuthEnv(t *testing.T, mutate ...func(*AuthOptions)) *authEnv {
	t.Helper()
	iss, err := oidcissuer.Start("127.0.0.1:0", oidcissuer.Options{Users: testUsers, ClientID: "portal", ClientSecret: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = iss.Close() })
	evil, err := oidcissuer.Start("127.0.0.1:0", oidcissuer.Options{Users: testUsers, ClientID: "portal"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = evil.Close() })
	issuer, err := LegacyIssuer(iss.URL(), "portal", "preferred_username", "-", "groups", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	auth := &AuthOptions{Issuers: []Issuer{issuer}, SessionKey: []byte(strings.Repeat("k", 32)),
		SignInURL: "/oauth2/start?rd={rd}", SignOutURL: "/oauth2/sign_out"}
	for _, m := range mutate {
		m(auth)
	}
	f := newFixture(t)
	f.open.Spec.Author = "alice"
	s := f.serverWith(t, Options{Now: time.Now, Auth: auth})
	act := &fakeActor{}
	s.act = act
	// The fake actor writes nothing into the cache: do not wait for it.
	s.awaitFor = time.Millisecond
	srv := httptest.NewTLSServer(s)
	t.Cleanup(srv.Close)
	return &authEnv{t: t, iss: iss, evil: evil, srv: srv, portal: s, act: act}
}

func (e *authEnv) token(user string, o oidcissuer.MintOptions) string {
	e.t.Helper()
	tok, err := e.iss.Mint(testUser(user), o)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// visitor is a browser with its own cookies, sending a bearer token as
// oauth2-proxy does.
type visitor struct {
	e      *authEnv
	c      *http.Client
	bearer string
	header http.Header
}

func (e *authEnv) browser(bearer string) *visitor {
	jar, _ := cookiejar.New(nil)
	c := e.srv.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &visitor{e: e, c: &http.Client{Transport: c.Transport, Jar: jar, CheckRedirect: c.CheckRedirect}, bearer: bearer,
		header: http.Header{}}
}

func (b *visitor) do(method, path string, form url.Values) response {
	b.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.e.srv.URL+path, body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// What a browser sends with a form of the portal's own page.
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Origin", b.e.srv.URL)
	}
	if b.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+b.bearer)
	}
	maps.Copy(req.Header, b.header)
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, _ := io.ReadAll(resp.Body)
	return response{code: resp.StatusCode, header: resp.Header, body: string(data)}
}

var tokenField = regexp.MustCompile(`name="token" value="([^"]+)"`)

// formToken loads path and returns the form token of its first form.
func (b *visitor) formToken(path string) string {
	b.e.t.Helper()
	r := b.do(http.MethodGet, path, nil)
	m := tokenField.FindStringSubmatch(r.body)
	if m == nil {
		b.e.t.Fatalf("%s (%d) has no form token:\n%s", path, r.code, r.body)
	}
	return m[1]
}

const openPath = "/ns/career/proposals/mlops-engineer-kubernetes-senior"

func TestSignInIsVerified(t *testing.T) {
	e := newAuthEnv(t)
	good := e.token("bob", oidcissuer.MintOptions{})
	b := e.browser(good)
	r := b.do(http.MethodGet, openPath, nil)
	if r.code != http.StatusOK || !strings.Contains(r.body, "Signed in as Bob") {
		t.Fatalf("a valid token: %d\n%s", r.code, r.body)
	}
	var session *http.Cookie
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == sessionCookie {
			session = c
		}
	}
	if session == nil || !session.Secure || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" ||
		session.Domain != "" {
		t.Errorf("session cookie %+v: want __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain", session)
	}
	if !strings.Contains(r.header.Get("Cache-Control"), "private") {
		t.Errorf("a signed-in page is cacheable by others: %q", r.header.Get("Cache-Control"))
	}

	parts := strings.Split(good, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	forgedPayload := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), `"bob"`, `"carol"`, 1)))
	otherIssuer, _ := e.evil.Mint(testUser("bob"), oidcissuer.MintOptions{})
	// Signed by another key but claiming the trusted issuer.
	impostor, _ := e.evil.Mint(testUser("bob"), oidcissuer.MintOptions{Issuer: e.iss.URL()})
	unsigned := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	for name, tc := range map[string]struct {
		token string
		code  int
		want  string
	}{
		"tampered claims":           {parts[0] + "." + forgedPayload + "." + parts[2], http.StatusUnauthorized, "could not be verified"},
		"tampered signature":        {parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2])), http.StatusUnauthorized, "could not be verified"},
		"unsigned (alg none)":       {unsigned, http.StatusUnauthorized, "could not be verified"},
		"expired":                   {e.token("bob", oidcissuer.MintOptions{Expiry: time.Now().Add(-time.Minute)}), http.StatusUnauthorized, "Your sign-in has expired"},
		"another issuer":            {otherIssuer, http.StatusUnauthorized, "could not be verified"},
		"another key, same issuer":  {impostor, http.StatusUnauthorized, "could not be verified"},
		"another audience":          {e.token("bob", oidcissuer.MintOptions{Audience: []string{"grafana"}}), http.StatusUnauthorized, "could not be verified"},
		"a system: username":        {e.token("system:admin", oidcissuer.MintOptions{}), http.StatusUnauthorized, "could not be verified"},
		"not a JWT":                 {"hello", http.StatusUnauthorized, "could not be verified"},
		"unverified email claim":    {e.token("bob", oidcissuer.MintOptions{Claims: map[string]any{"email_verified": false}}), http.StatusOK, "Signed in as Bob"},
		"groups claim not a string": {e.token("bob", oidcissuer.MintOptions{Claims: map[string]any{"groups": 42}}), http.StatusOK, "Signed in as Bob"},
	} {
		b := e.browser(tc.token)
		for _, path := range []string{"/", openPath} {
			r := b.do(http.MethodGet, path, nil)
			if r.code != tc.code || !strings.Contains(r.body, tc.want) {
				t.Errorf("%s: GET %s: %d, want %d with %q\n%s", name, path, r.code, tc.code, tc.want, r.body)
			}
			if tc.code == http.StatusUnauthorized && (strings.Contains(r.body, "Signed in as") || r.header.Get("Set-Cookie") != "") {
				t.Errorf("%s: a refused token got a greeting or a session", name)
			}
		}
		if tc.code == http.StatusUnauthorized {
			r := b.do(http.MethodPost, openPath+"/vote", url.Values{"decision": {"approve"}, "token": {"x"}})
			if r.code != http.StatusUnauthorized {
				t.Errorf("%s: POST vote: %d, want 401", name, r.code)
			}
		}
	}
	if w := e.act.written(); len(w) != 0 {
		t.Errorf("refused tokens wrote %v", w)
	}
}

// A flood of tokens signed with unknown keys does not make the portal
// flood the identity provider with key fetches.
func TestUnknownKeysDoNotFloodTheIssuer(t *testing.T) {
	e := newAuthEnv(t)
	good := e.token("bob", oidcissuer.MintOptions{})
	if r := e.browser(good).do(http.MethodGet, "/", nil); r.code != http.StatusOK {
		t.Fatalf("a good token: %d", r.code)
	}
	before := e.iss.KeySetRequests()
	impostor, err := e.evil.Mint(testUser("bob"), oidcissuer.MintOptions{Issuer: e.iss.URL()})
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		if r := e.browser(impostor).do(http.MethodGet, "/", nil); r.code != http.StatusUnauthorized {
			t.Fatalf("an impostor's token: %d", r.code)
		}
	}
	if n := e.iss.KeySetRequests() - before; n > 6 {
		t.Errorf("50 tokens of an unknown key made the portal fetch the keys %d times", n)
	}
	if r := e.browser(good).do(http.MethodGet, "/", nil); r.code != http.StatusOK {
		t.Errorf("a good token after the flood: %d", r.code)
	}
}

// Identity headers a proxy might set are never believed: without a token
// the request is anonymous, and a token decides who it is whatever they say.
func TestIdentityHeadersAreIgnored(t *testing.T) {
	e := newAuthEnv(t)
	forged := http.Header{"X-Forwarded-User": {"carol"}, "X-Forwarded-Email": {"carol@example.com"},
		"X-Auth-Request-User": {"carol"}, "X-Auth-Request-Email": {"carol@example.com"}, "Remote-User": {"carol"},
		"X-Remote-User": {"carol"}, "X-Remote-Group": {"system:masters"}, "Impersonate-User": {"carol"},
		"X-Forwarded-Groups": {"experts"}}
	anon := e.browser("")
	anon.header = forged
	if r := anon.do(http.MethodGet, openPath, nil); r.code != http.StatusOK || strings.Contains(r.body, "Signed in as") ||
		strings.Contains(r.body, "vote-form") {
		t.Errorf("forged headers signed someone in: %d", r.code)
	}
	if r := anon.do(http.MethodPost, openPath+"/vote", url.Values{"decision": {"approve"}}); r.code != http.StatusUnauthorized ||
		!strings.Contains(r.body, "Sign in first") {
		t.Errorf("a vote with forged headers: %d\n%s", r.code, r.body)
	}
	bob := e.browser(e.token("bob", oidcissuer.MintOptions{}))
	bob.header = forged
	token := bob.formToken(openPath)
	if r := bob.do(http.MethodPost, openPath+"/vote", url.Values{"decision": {"approve"}, "token": {token}}); r.code != http.StatusSeeOther {
		t.Fatalf("bob's vote: %d\n%s", r.code, r.body)
	}
	w := e.act.written()
	if len(w) != 1 || w[0].user != "bob" {
		t.Fatalf("writes %+v, want one as bob", w)
	}
	// Duplicates and system: groups of the token are dropped; the API
	// server adds system:authenticated, and so does the portal.
	if !slices.Equal(w[0].groups, []string{"engineers", "system:authenticated"}) {
		t.Errorf("bob acts with groups %q", w[0].groups)
	}
}

func TestFormsAreProtected(t *testing.T) {
	e := newAuthEnv(t)
	bob := e.browser(e.token("bob", oidcissuer.MintOptions{}))
	token := bob.formToken(openPath)
	vote := url.Values{"decision": {"approve"}, "comment": {hostile}, "token": {token}}

	// Cross-origin: another site's form, or a fetch from another origin.
	for name, h := range map[string]http.Header{
		"Sec-Fetch-Site cross-site": {"Sec-Fetch-Site": {"cross-site"}},
		"Sec-Fetch-Site same-site":  {"Sec-Fetch-Site": {"same-site"}},
		"Origin of another site":    {"Sec-Fetch-Site": nil, "Origin": {"https://evil.example"}},
	} {
		bob.header = h
		r := bob.do(http.MethodPost, openPath+"/vote", vote)
		if r.code != http.StatusForbidden || !strings.Contains(r.body, "another site") {
			t.Errorf("%s: %d\n%s", name, r.code, r.body)
		}
	}
	bob.header = http.Header{}

	// Form tokens: none, garbage, another person's, another session's.
	alice := e.browser(e.token("alice", oidcissuer.MintOptions{}))
	aliceToken := alice.formToken("/ns/career/roles/mlops-engineer/propose?skill=docker&level=senior")
	bobElsewhere := e.browser(e.token("bob", oidcissuer.MintOptions{}))
	otherSession := bobElsewhere.formToken(openPath)
	for name, tok := range map[string]string{"no token": "", "garbage": "123.abc", "alice's token": aliceToken,
		"bob's token of another session": otherSession, "expired": e.portal.keys.formToken(&identity{}, time.Now().Add(-13*time.Hour))} {
		f := url.Values{"decision": {"approve"}, "token": {tok}}
		r := bob.do(http.MethodPost, openPath+"/vote", f)
		if r.code != http.StatusForbidden || !strings.Contains(r.body, "another session") {
			t.Errorf("%s: %d\n%s", name, r.code, r.body)
		}
	}
	if w := e.act.written(); len(w) != 0 {
		t.Fatalf("refused forms wrote %+v", w)
	}

	// The right token writes, with the hostile comment as it is.
	r := bob.do(http.MethodPost, openPath+"/vote", vote)
	if r.code != http.StatusSeeOther || r.header.Get("Location") != openPath+"?done=voted" {
		t.Fatalf("bob's vote: %d to %q\n%s", r.code, r.header.Get("Location"), r.body)
	}
	w := e.act.written()
	if len(w) != 1 || w[0].op != "vote" || w[0].decision != string(v1.VoteApprove) || w[0].comment != hostile {
		t.Fatalf("writes %+v", w)
	}

	// The rate limit: the burst passes, the next is refused.
	for i := range defaultWriteBurst + 1 {
		r := bob.do(http.MethodPost, openPath+"/vote", vote)
		if i < defaultWriteBurst-1 && r.code != http.StatusSeeOther {
			t.Fatalf("vote %d: %d", i, r.code)
		}
		if i == defaultWriteBurst && (r.code != http.StatusTooManyRequests || r.header.Get("Retry-After") == "") {
			t.Errorf("vote %d past the burst: %d, want 429", i, r.code)
		}
	}
	if n := len(e.act.written()); n != defaultWriteBurst {
		t.Errorf("%d writes passed the limit of a burst of %d", n, defaultWriteBurst)
	}
}

// Every refusal, the portal's and the API server's, is said in words and
// changes nothing.
func TestRefusalsInWords(t *testing.T) {
	e := newAuthEnv(t)
	alice := e.browser(e.token("alice", oidcissuer.MintOptions{}))
	token := alice.formToken("/ns/career/roles/mlops-engineer/propose?skill=docker&level=senior")
	// alice wrote the open Proposal: no vote form for her, and a vote is refused.
	if r := alice.do(http.MethodGet, openPath, nil); strings.Contains(r.body, "vote-form") || !strings.Contains(r.body, "withdraw-form") {
		t.Errorf("the author's page offers a vote or no withdrawal")
	}
	r := alice.do(http.MethodPost, openPath+"/vote", url.Values{"decision": {"approve"}, "token": {token}})
	if r.code != http.StatusForbidden || !strings.Contains(r.body, "You cannot vote on your own proposal.") ||
		!strings.Contains(r.body, "Nothing was changed.") {
		t.Errorf("the author's vote: %d\n%s", r.code, r.body)
	}
	// The API server refuses: a person without RBAC.
	carol := e.browser(e.token("carol", oidcissuer.MintOptions{}))
	ctoken := carol.formToken(openPath)
	denied := apierrors.NewForbidden(schema.GroupResource{Group: "career.skillmatrix.dev", Resource: "proposals"},
		"mlops-engineer-kubernetes-senior", errors.New(`ValidatingAdmissionPolicy 'skillmatrix-proposal-authenticity' with binding `+
			`'skillmatrix-proposal-authenticity' denied request: user "carol" may not vote on proposal "mlops-engineer-kubernetes-senior": `+
			`RBAC does not grant the verb "vote" on proposals.career.skillmatrix.dev`))
	e.act.err = denied
	r = carol.do(http.MethodPost, openPath+"/vote", url.Values{"decision": {"reject"}, "comment": {"kept"}, "token": {ctoken}})
	if r.code != http.StatusForbidden || !strings.Contains(r.body, "You may not vote on this proposal") ||
		strings.Contains(r.body, "<p><strong>ValidatingAdmissionPolicy") || !strings.Contains(r.body, ">kept</textarea>") {
		t.Errorf("a refused vote: %d\n%s", r.code, r.body)
	}
	e.act.err = apierrors.NewForbidden(schema.GroupResource{Group: "authentication.k8s.io", Resource: "users"}, "carol",
		errors.New(`User "system:serviceaccount:x:portal" cannot impersonate:user-info resource "users" in API group "authentication.k8s.io"`))
	r = carol.do(http.MethodPost, openPath+"/vote", url.Values{"decision": {"reject"}, "token": {ctoken}})
	if r.code != http.StatusForbidden || !strings.Contains(r.body, "lacks the impersonation grant") {
		t.Errorf("the portal without its grant: %d\n%s", r.code, r.body)
	}
	e.act.err = nil
	if w := e.act.written(); len(w) != 0 {
		t.Fatalf("refusals wrote %+v", w)
	}
	// Review is offered only to who may review (the access review).
	e.act.may = func(user string, attrs authorizationv1.ResourceAttributes) bool {
		return attrs.Verb != "review" || user == "carol"
	}
	e.portal.access = newAccessCache(0)
	bob := e.browser(e.token("bob", oidcissuer.MintOptions{}))
	if page := bob.do(http.MethodGet, openPath, nil).body; strings.Contains(page, "review-form") || !strings.Contains(page, "vote-form") {
		t.Error("bob, no expert, is offered a review form, or no vote form")
	}
	if page := carol.do(http.MethodGet, openPath, nil).body; !strings.Contains(page, "review-form") {
		t.Error("carol, the expert, is not offered a review form")
	}
	r = carol.do(http.MethodPost, openPath+"/review", url.Values{"decision": {"request-changes"}, "comment": {"say why"}, "token": {ctoken}})
	if r.code != http.StatusSeeOther {
		t.Fatalf("carol's review: %d\n%s", r.code, r.body)
	}
	if w := e.act.written(); len(w) != 1 || w[0].op != "review" || w[0].decision != string(v1.ReviewRequestChanges) {
		t.Errorf("writes %+v", w)
	}
}

func TestProposeAndWithdraw(t *testing.T) {
	e := newAuthEnv(t)
	alice := e.browser(e.token("alice", oidcissuer.MintOptions{}))
	const form = "/ns/career/roles/mlops-engineer/propose?skill=kubernetes-core&level=senior"
	page := alice.do(http.MethodGet, form, nil)
	if !strings.Contains(page.body, `class="propose-form"`) || !strings.Contains(page.body, `name="from_proficiency" value="A"`) {
		t.Fatalf("the propose form:\n%s", page.body)
	}
	token := tokenField.FindStringSubmatch(page.body)[1]
	post := url.Values{"token": {token}, "kind": {"cell"}, "skill": {"kubernetes-core"}, "level": {"senior"},
		"from_proficiency": {"A"}, "from_required": {"true"}, "proficiency": {"V"}, "required": {"true"},
		"description": {hostile}}
	r := alice.do(http.MethodPost, "/ns/career/roles/mlops-engineer/propose", post)
	if r.code != http.StatusSeeOther || !strings.HasSuffix(r.header.Get("Location"), "?done=proposed") {
		t.Fatalf("propose: %d %q\n%s", r.code, r.header.Get("Location"), r.body)
	}
	w := e.act.written()
	if len(w) != 1 || w[0].op != "propose" {
		t.Fatalf("writes %+v", w)
	}
	p := w[0].proposal
	if p.Spec.Author != "alice" || p.Spec.Title != "Kubernetes Core at Senior: Awareness → Advanced" || p.Spec.Description != hostile ||
		len(p.Spec.Changes) != 1 || p.Spec.Changes[0].Op != v1.OpSetProficiency || p.Spec.Changes[0].From == nil ||
		p.Spec.Changes[0].From.Proficiency != "A" || p.Name != "mlops-engineer-kubernetes-core-at-senior-awareness-advanced" {
		t.Errorf("proposed %s %+v", p.Name, p.Spec)
	}
	// A stale `from` (the Role changed since the form was shown), nothing
	// to change, an unknown proficiency: refused in words, nothing written.
	for name, change := range map[string]func(url.Values){
		"stale from":    func(v url.Values) { v.Set("from_proficiency", "W") },
		"no change":     func(v url.Values) { v.Set("proficiency", "A") },
		"not the scale": func(v url.Values) { v.Set("proficiency", "Z") },
		"no target":     func(v url.Values) { v.Set("kind", "") },
		"two lines":     func(v url.Values) { v.Set("title", "one\ntwo") },
	} {
		f := url.Values{}
		for k, v := range post {
			f[k] = slices.Clone(v)
		}
		change(f)
		r := alice.do(http.MethodPost, "/ns/career/roles/mlops-engineer/propose", f)
		if r.code < 400 || !strings.Contains(r.body, `class="refusal"`) {
			t.Errorf("%s: %d\n%s", name, r.code, r.body)
		}
	}
	if n := len(e.act.written()); n != 1 {
		t.Errorf("refused proposals wrote %d", n-1)
	}
	// Focus: the from is the Role's text.
	page = alice.do(http.MethodGet, "/ns/career/roles/mlops-engineer/propose?level=senior&what=focus", nil)
	if !strings.Contains(page.body, `name="from_focus"`) {
		t.Fatalf("the focus form:\n%s", page.body)
	}
	// Withdraw alice's own open Proposal; bob may not.
	r = alice.do(http.MethodPost, openPath+"/withdraw", url.Values{"token": {token}, "confirm": {"yes"}})
	if r.code != http.StatusSeeOther {
		t.Fatalf("withdraw: %d\n%s", r.code, r.body)
	}
	bob := e.browser(e.token("bob", oidcissuer.MintOptions{}))
	r = bob.do(http.MethodPost, openPath+"/withdraw", url.Values{"token": {bob.formToken(openPath)}, "confirm": {"yes"}})
	if r.code != http.StatusForbidden || !strings.Contains(r.body, "Only the author") {
		t.Errorf("bob withdraws alice's: %d", r.code)
	}
	if w := e.act.written(); len(w) != 2 || w[1].op != "withdraw" || w[1].user != "alice" {
		t.Errorf("writes %+v", w)
	}
}

func TestLanguages(t *testing.T) {
	s := newFixture(t).server(t)
	for _, tc := range []struct {
		path, accept, want, lang string
	}{
		{openPath, "zh-CN,zh;q=0.9,en;q=0.5", "职业发展门户", "zh-CN"},
		{openPath, "zh", "赞成票", "zh-CN"},
		{openPath, "fr-FR, de", "Approving votes", "en"},
		{openPath + "?lang=en", "zh-CN", "Approving votes", "en"},
		{"/", "zh-CN", "角色及其技能矩阵", "zh-CN"},
		{"/ns/career/roles/mlops-engineer/", "zh-CN", `href="/ns/career/roles/mlops-engineer/matrix.zh-CN.html"`, "zh-CN"},
		{"/ns/career/roles/mlops-engineer/", "zh-CN", "下载 PDF", "zh-CN"},
		{openPath, "zh-CN", "Kubernetes Core", "zh-CN"},
	} {
		r := get(t, s, tc.path, "Accept-Language", tc.accept)
		if r.code != http.StatusOK || !strings.Contains(r.body, tc.want) || !strings.Contains(r.body, `<html lang="`+tc.lang+`">`) {
			t.Errorf("%s with %q: %d, lacks %q or lang %s", tc.path, tc.accept, r.code, tc.want, tc.lang)
		}
	}
	// The switch remembers the choice and goes back only to the portal.
	for back, want := range map[string]string{"/ns/career/": "/ns/career/", "https://evil.example/": "/", "//evil.example": "/",
		"/\\evil.example": "/", "javascript:alert(1)": "/"} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/lang?to=zh-CN&back="+url.QueryEscape(back), nil))
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != want ||
			!strings.Contains(rec.Header().Get("Set-Cookie"), localeCookie+"=zh-CN") {
			t.Errorf("switch back to %q: %d %q %q", back, rec.Code, rec.Header().Get("Location"), rec.Header().Get("Set-Cookie"))
		}
	}
	r := get(t, s, "/", "Cookie", localeCookie+"=zh-CN", "Accept-Language", "en")
	if !strings.Contains(r.body, `<html lang="zh-CN">`) {
		t.Error("the switch's cookie does not win over Accept-Language")
	}
	// The zh-CN matrix is served, byte for byte what the operator publishes.
	if r := get(t, s, "/ns/career/roles/mlops-engineer/matrix.zh-CN.html"); r.code != http.StatusOK ||
		!strings.Contains(r.body, `<html lang="zh-CN">`) {
		t.Errorf("matrix.zh-CN.html: %d", r.code)
	}
	for _, p := range []string{"/ns/career/roles/mlops-engineer/matrix.fr.html", "/ns/career/roles/mlops-engineer/matrix.en.html",
		"/ns/career/roles/mlops-engineer/other.html"} {
		if r := get(t, s, p); r.code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, r.code)
		}
	}
}

// The portal's own login: authorization code flow with PKCE, state and
// nonce, the session in a __Host- cookie.
func TestOwnLogin(t *testing.T) {
	e := newAuthEnv(t, func(a *AuthOptions) {
		a.Login = &LoginOptions{ClientID: "portal", ClientSecret: "s3cret", RedirectURL: "https://portal.invalid/login/callback"}
		a.SignInURL = ""
	})
	// The issuer's redirect_uri is the portal's test address.
	e.portal.opts.Auth.Login.RedirectURL = e.srv.URL + "/login/callback"
	b := e.browser("")
	r := b.do(http.MethodGet, "/login?rd="+url.QueryEscape(openPath), nil)
	loc, err := url.Parse(r.header.Get("Location"))
	if r.code != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), e.iss.URL()+"/authorize") {
		t.Fatalf("/login: %d to %q", r.code, r.header.Get("Location"))
	}
	q := loc.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("nonce") == "" {
		t.Fatalf("the authorization request lacks PKCE, state or nonce: %v", q)
	}
	// The person picks alice on the issuer's page.
	q.Set("user", "alice")
	plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := plain.PostForm(e.iss.URL()+"/authorize", q)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	back, _ := url.Parse(resp.Header.Get("Location"))
	// A callback with another state is refused.
	bad := back.Query()
	bad.Set("state", "forged")
	if r := b.do(http.MethodGet, "/login/callback?"+bad.Encode(), nil); r.code != http.StatusUnauthorized {
		t.Errorf("a forged state: %d", r.code)
	}
	// The login cookie is single use: start again.
	r = b.do(http.MethodGet, "/login?rd="+url.QueryEscape(openPath), nil)
	loc, _ = url.Parse(r.header.Get("Location"))
	q = loc.Query()
	q.Set("user", "alice")
	resp, err = plain.PostForm(e.iss.URL()+"/authorize", q)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	back, _ = url.Parse(resp.Header.Get("Location"))
	r = b.do(http.MethodGet, "/login/callback?"+back.RawQuery, nil)
	if r.code != http.StatusSeeOther || r.header.Get("Location") != openPath {
		t.Fatalf("callback: %d to %q\n%s", r.code, r.header.Get("Location"), r.body)
	}
	if page := b.do(http.MethodGet, openPath, nil); !strings.Contains(page.body, "Signed in as Alice") {
		t.Fatalf("after the login:\n%s", page.body)
	}
	// The session cookie is encrypted: its value names no one.
	u, _ := url.Parse(e.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == sessionCookie && (strings.Contains(c.Value, "alice") || strings.Contains(c.Value, "eyJ")) {
			t.Error("the session cookie shows its content")
		}
	}
	// Sign out drops the session.
	r = b.do(http.MethodPost, "/logout", url.Values{})
	if r.code != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.code)
	}
	if page := b.do(http.MethodGet, openPath, nil); strings.Contains(page.body, "Signed in as") {
		t.Error("still signed in after signing out")
	}
}

func TestNoSignInMeansReadOnly(t *testing.T) {
	s := newFixture(t).server(t)
	for _, path := range []string{openPath + "/vote", "/ns/career/roles/mlops-engineer/propose", "/logout"} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader("decision=approve")))
		if rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("POST %s without sign-in: %d, want 405", path, rec.Code)
		}
	}
	if r := get(t, s, openPath, "Authorization", "Bearer whatever"); r.code != http.StatusOK || strings.Contains(r.body, "Sign in") {
		t.Errorf("a read-only portal reacts to a token or offers a sign-in: %d", r.code)
	}
}

// The writing client never sends a request without a person to act as.
func TestImpersonatingTransportFailsClosed(t *testing.T) {
	var seen http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = r.Header.Clone() }))
	t.Cleanup(srv.Close)
	rt := impersonatingTransport{next: http.DefaultTransport}
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("Impersonate-User", "carol")
	if _, err := rt.RoundTrip(req); !errors.Is(err, errNoIdentity) || seen != nil {
		t.Fatalf("without an identity: %v, sent %v", err, seen)
	}
	req, _ = http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("Impersonate-Uid", "x")
	req.Header.Set("Impersonate-Extra-Scopes", "admin")
	req.Header.Set("Impersonate-Group", "system:masters")
	req = req.WithContext(actingAs(context.Background(), &identity{Username: "bob", Groups: []string{"engineers", "system:authenticated"}}))
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if seen.Get("Impersonate-User") != "bob" || !slices.Equal(seen.Values("Impersonate-Group"), []string{"engineers", "system:authenticated"}) ||
		seen.Get("Impersonate-Uid") != "" || seen.Get("Impersonate-Extra-Scopes") != "" {
		t.Errorf("impersonation headers sent: %v", seen)
	}
}

func TestAuthenticationConfig(t *testing.T) {
	good := `apiVersion: apiserver.config.k8s.io/v1
kind: AuthenticationConfiguration
jwt:
- issuer:
    url: https://issuer.example.com
    audiences: [portal, kubernetes]
  claimValidationRules:
  - claim: hd
    requiredValue: example.com
  claimMappings:
    username:
      claim: email
      prefix: ""
    groups:
      claim: groups
      prefix: "oidc:"
`
	issuers, _, err := ParseAuthenticationConfig([]byte(good))
	if err != nil || len(issuers) != 1 {
		t.Fatalf("%v %v", issuers, err)
	}
	i := issuers[0]
	id, err := i.identityOf(map[string]any{"email": "a@example.com", "email_verified": true, "hd": "example.com",
		"groups": []any{"devs", "system:masters"}})
	if err != nil || id.Username != "a@example.com" || !slices.Equal(id.Groups, []string{"oidc:devs", "oidc:system:masters", "system:authenticated"}) {
		t.Errorf("%+v %v", id, err)
	}
	if _, err := i.identityOf(map[string]any{"email": "a@example.com", "hd": "evil.com"}); err == nil {
		t.Error("a required claim was not required")
	}
	for name, bad := range map[string]string{
		"CEL username":   strings.Replace(good, "claim: email\n      prefix: \"\"", "expression: claims.email", 1),
		"no prefix":      strings.Replace(good, "      prefix: \"\"\n", "", 1),
		"not the kind":   strings.Replace(good, "AuthenticationConfiguration", "Config", 1),
		"no issuer URL":  strings.Replace(good, "url: https://issuer.example.com", "url: \"\"", 1),
		"CEL validation": strings.Replace(good, "claim: hd\n    requiredValue: example.com", "expression: claims.hd == 'x'", 1),
	} {
		if _, _, err := ParseAuthenticationConfig([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	legacy, err := LegacyIssuer("https://i.example", "portal", "sub", "", "", "", nil)
	if err != nil || legacy.UsernamePrefix != "https://i.example#" {
		t.Errorf("the legacy default prefix: %+v %v", legacy, err)
	}
	if l, _ := LegacyIssuer("https://i.example", "portal", "email", "", "", "", nil); l.UsernamePrefix != "" {
		t.Errorf("email claim gets a prefix %q", l.UsernamePrefix)
	}
	if l, _ := LegacyIssuer("https://i.example", "portal", "sub", "-", "", "", nil); l.UsernamePrefix != "" {
		t.Errorf("- gives prefix %q", l.UsernamePrefix)
	}
	if _, err := LegacyIssuer("ftp://i.example", "portal", "sub", "", "", "", nil); err == nil {
		t.Error("a non-http issuer was accepted")
	}
}

func (f *fixture) serverWith(t *testing.T, opts Options) *Server {
	t.Helper()
	s := f.server(t)
	s2, err := New(s.reader, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s2
}
