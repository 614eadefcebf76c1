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
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render/pdf"
)

//go:embed templates/*.html templates/portal.css
var templateFiles embed.FS

// Options configure a Server.
type Options struct {
	// Now is the clock Proposals are judged by; time.Now when nil.
	Now func() time.Time
	// PublicURL, when set (https://career.example.com), makes the feeds'
	// links absolute; they are relative to the feed otherwise. It is also
	// an origin the portal accepts forms from.
	PublicURL string
	// Namespaces are those the cache was built for (CacheOptions); nil for
	// all. A page of any other namespace is not found, rather than a cache
	// error.
	Namespaces []string
	// Auth turns sign-in and acting as the person on; nil keeps the portal
	// read-only.
	Auth *AuthOptions
	// PDFFont is a TrueType font for the PDFs' characters the bundled Go
	// fonts lack (CJK); the system's when nil.
	PDFFont *pdf.Font
}

// shows says whether the portal serves namespace ns.
func (o Options) shows(ns string) bool {
	return len(o.Namespaces) == 0 || slices.Contains(o.Namespaces, ns)
}

// Server serves the portal from a cache. Build it with New, register the
// cache's indexes with Indexes and its change tracking with Track before
// the cache starts.
type Server struct {
	reader client.Reader
	opts   Options
	// pages holds the templates once per language.
	pages   map[string]*template.Template
	css     []byte
	handler http.Handler
	changes *changeLog
	synced  atomic.Bool
	renders *renderCache
	pdfs    *pdfCache

	// Sign-in and writes; nil without Options.Auth.
	auth    *authenticator
	keys    *keys
	act     actor
	access  *accessCache
	limits  *rateLimits
	origins *http.CrossOriginProtection
	// awaitFor bounds the wait for the cache to show a write (awaitCached).
	awaitFor time.Duration
}

// New returns a Server reading from reader, which must be an informer cache
// with the indexes of Indexes. With Options.Auth it verifies sign-ins, but
// writes only with the impersonating client Setup gives it.
func New(reader client.Reader, opts Options) (*Server, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{reader: reader, opts: opts, pages: map[string]*template.Template{},
		changes: newChangeLog(opts.Now), renders: newRenderCache(), pdfs: newPDFCache(),
		awaitFor: 3 * time.Second}
	for _, l := range locales {
		pages, err := template.New("portal").Funcs(funcsFor(l)).ParseFS(templateFiles, "templates/*.html")
		if err != nil {
			return nil, fmt.Errorf("parsing the portal's templates: %w", err)
		}
		s.pages[l] = pages
	}
	css, err := templateFiles.ReadFile("templates/portal.css")
	if err != nil {
		return nil, fmt.Errorf("reading the portal's stylesheet: %w", err)
	}
	s.css = css
	if a := opts.Auth; a != nil {
		if len(a.Issuers) == 0 {
			return nil, errors.New("sign-in needs at least one OIDC issuer")
		}
		if s.keys, err = deriveKeys(a.SessionKey); err != nil {
			return nil, err
		}
		if a.Login != nil && (a.Login.ClientID == "" || a.Login.RedirectURL == "") {
			return nil, errors.New("the portal's own login needs a client ID and a redirect URL")
		}
		s.auth = newAuthenticator(a.Issuers, a.HTTPClient, opts.Now)
		s.access = newAccessCache(30 * time.Second)
		s.limits = newRateLimits(a.WritesPerMinute, a.WriteBurst)
		s.origins = http.NewCrossOriginProtection()
		if opts.PublicURL != "" {
			if err := s.origins.AddTrustedOrigin(strings.TrimRight(opts.PublicURL, "/")); err != nil {
				return nil, fmt.Errorf("--public-url: %w", err)
			}
		}
	}
	s.handler = s.onlyReads(s.routes())
	return s, nil
}

// ServeHTTP serves the portal.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// errBadName is a path segment that cannot be a Kubernetes object name.
type errBadName struct{ what, value string }

func (e errBadName) Error() string {
	return fmt.Sprintf("%q is not a valid %s name", e.value, e.what)
}

// pathName is the path value key, checked as a DNS-1123 subdomain, as every
// namespace and object name of the three kinds is.
func pathName(r *http.Request, key string) (string, error) {
	v := r.PathValue(key)
	check := validation.IsDNS1123Subdomain
	if key == "ns" {
		check = validation.IsDNS1123Label
	}
	if errs := check(v); len(errs) > 0 {
		return "", errBadName{what: key, value: v}
	}
	return v, nil
}

// changeLog remembers when the portal last saw anything change in each
// namespace: the Last-Modified of that namespace's pages. Objects carry no
// modification time of their own; a change before the portal started
// counts as at its start, which never claims a page older than it is.
type changeLog struct {
	mu      sync.RWMutex
	now     func() time.Time
	started time.Time
	last    map[string]time.Time
	// seen is when the portal saw each Role's current content hash appear.
	seen map[types.UID]seenHash
	// ballots is when the portal saw each vote and review appear, by
	// Proposal and ballotKey.
	ballots map[types.UID]map[string]time.Time
}

type seenHash struct {
	hash string
	at   time.Time
}

func newChangeLog(now func() time.Time) *changeLog {
	return &changeLog{now: now, started: now(), last: map[string]time.Time{}, seen: map[types.UID]seenHash{},
		ballots: map[types.UID]map[string]time.Time{}}
}

func (c *changeLog) touch(namespace string) {
	t := c.now()
	c.mu.Lock()
	c.last[namespace] = t
	c.last[""] = t
	c.mu.Unlock()
}

// republished records that the portal saw role's content hash change to hash.
func (c *changeLog) republished(role types.UID, hash string) {
	c.mu.Lock()
	c.seen[role] = seenHash{hash: hash, at: c.now()}
	c.mu.Unlock()
}

// published is when the portal saw role's content hash become hash, if it did.
func (c *changeLog) published(role types.UID, hash string) (time.Time, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s, ok := c.seen[role]
	return s.at, ok && s.hash == hash
}

// ballotsCast records that the portal saw the ballots keys appear on proposal.
func (c *changeLog) ballotsCast(proposal types.UID, keys []string) {
	t := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.ballots[proposal]
	if m == nil {
		m = map[string]time.Time{}
		c.ballots[proposal] = m
	}
	for _, k := range keys {
		m[k] = t
	}
}

// ballotCast is when the portal saw the ballot key appear on proposal, if it did.
func (c *changeLog) ballotCast(proposal types.UID, key string) (time.Time, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	t, ok := c.ballots[proposal][key]
	return t, ok
}

// forgetProposal drops what the log knows of a deleted Proposal.
func (c *changeLog) forgetProposal(proposal types.UID) {
	c.mu.Lock()
	delete(c.ballots, proposal)
	c.mu.Unlock()
}

// modified is when namespace last changed; "" is any namespace.
func (c *changeLog) modified(namespace string) time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if t, ok := c.last[namespace]; ok {
		return t
	}
	return c.started
}
