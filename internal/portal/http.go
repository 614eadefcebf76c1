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
	"bytes"
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render/pdf"
)

var (
	requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "skillmatrix_portal_requests_total",
		Help: "Requests the portal answered, by route and status code.",
	}, []string{"route", "code"})
	requestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "skillmatrix_portal_request_duration_seconds",
		Help:    "Time the portal took to answer a request, by route.",
		Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16),
	}, []string{"route"})
)

func init() { ctrlmetrics.Registry.MustRegister(requests, requestDuration) }

// pageCSP is the policy of the portal's own pages: its stylesheet, its
// images (the career-path SVG), forms that post to the portal itself and
// nothing else; no script at all.
const pageCSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

// matrixCSP is matrix.html's own policy, sent as a header, plus what only a
// header can say.
var matrixCSP = render.HTMLContentSecurityPolicy() + "; frame-ancestors 'none'"

// page is one response.
type page struct {
	// body is the uncompressed content; gz the compressed one, when it is
	// kept compressed (then body is nil).
	body, gz    []byte
	contentType string
	// etag identifies the content (unquoted, without encoding suffix).
	etag     string
	modified time.Time
	csp      string
	// code, when set, is the status instead of 200 (a form refused); such a
	// page is never answered with 304.
	code int
	// filename names a download (Content-Disposition: inline).
	filename string
}

// handlerFunc makes a page or fails with errBadName (400), errNotFound (404)
// or anything else (500).
type handlerFunc func(r *http.Request) (page, error)

// errNotFound is a page for an object the cache does not hold.
type errNotFound struct{ what string }

func (e errNotFound) Error() string { return e.what + " not found" }

// statusRecorder remembers the status code for the metrics.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (w *statusRecorder) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

// handle serves h under route, with the security headers, the error pages
// and the metrics every response has. It learns who sent the request and in
// which language to answer first: a token that fails verification, or has
// expired, gets the page that says to sign in again (401), whatever the
// route.
func (s *Server) handle(route string, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		securityHeaders(rec.Header())
		info := &requestInfo{locale: localeOf(r)}
		if route != "stylesheet" {
			info.creds = s.identify(rec, r)
			info.flash = flashOf(r, info.locale)
		}
		r = r.WithContext(withRequestInfo(withLocale(r.Context(), info.locale), info))
		var p page
		var err error
		switch ns := r.PathValue("ns"); {
		case info.creds.state == expired || info.creds.state == rejected:
			err = errSignInAgain{state: info.creds.state, why: info.creds.why}
		case ns != "" && !s.opts.shows(ns):
			err = errNotFound{what: "namespace " + ns}
		default:
			p, err = h(r)
		}
		if err != nil {
			s.fail(rec, r, err)
		} else {
			s.write(rec, r, p)
		}
		requests.WithLabelValues(route, strconv.Itoa(rec.code)).Inc()
		requestDuration.WithLabelValues(route).Observe(time.Since(started).Seconds())
	})
}

// errSignInAgain is a request whose token the portal cannot accept.
type errSignInAgain struct {
	state authState
	why   error
}

func (e errSignInAgain) Error() string {
	if e.state == expired {
		return "the sign-in has expired"
	}
	return "the sign-in could not be verified"
}

func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "interest-cohort=()")
}

// write sends p, or 304 when the client holds it already: If-None-Match
// decides when present, If-Modified-Since otherwise (RFC 9110, 13.2.2).
func (s *Server) write(w http.ResponseWriter, r *http.Request, p page) {
	h := w.Header()
	useGzip := acceptsGzip(r)
	etag := `"` + p.etag + `"`
	if useGzip {
		etag = `"` + p.etag + `-gz"`
	}
	if p.csp != "" {
		h.Set("Content-Security-Policy", p.csp)
	}
	h.Set("Vary", "Accept-Encoding, Accept-Language, Authorization, Cookie")
	h.Set("ETag", etag)
	h.Set("Cache-Control", "no-cache")
	if me(r) != nil {
		// A page for one person only: no shared cache keeps it.
		h.Set("Cache-Control", "private, no-cache")
	}
	if !p.modified.IsZero() {
		h.Set("Last-Modified", p.modified.UTC().Format(http.TimeFormat))
	}
	if p.filename != "" {
		h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": p.filename}))
	}
	if p.code == 0 && notModified(r, etag, p.modified) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", p.contentType)
	body, err := p.encoded(useGzip)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if useGzip {
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(cmp.Or(p.code, http.StatusOK))
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// encoded is the body as sent: compressed or not.
func (p page) encoded(useGzip bool) ([]byte, error) {
	switch {
	case useGzip && p.gz != nil:
		return p.gz, nil
	case useGzip:
		return gzipped(p.body)
	case p.body != nil:
		return p.body, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(p.gz))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

func acceptsGzip(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for tag := range strings.SplitSeq(inm, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == etag || tag == "*" {
				return true
			}
		}
		return false
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" || modified.IsZero() {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !modified.Truncate(time.Second).After(t)
}

// fail sends the error page err calls for, in the request's language.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	t := translator{locale: requestLocale(r)}
	code, title := http.StatusInternalServerError, t.T("portal.error.title.500")
	message := t.T("portal.error.500")
	view := errorView{}
	var bad errBadName
	var missing errNotFound
	var method errMethod
	var again errSignInAgain
	var signIn errSignIn
	var form errForm
	var rf *refusal
	var doc errPDF
	switch {
	case errors.As(err, &form):
		code, title, message = form.code, t.T("portal.error.title.refused"), t.T(form.key)
		view.SignInAgain = form.code == http.StatusUnauthorized
	case errors.As(err, &rf):
		code, title, message, view.Detail = rf.Code, t.T("portal.error.title.refused"), rf.Message, rf.Detail
	case errors.As(err, &doc):
		code, title = http.StatusServiceUnavailable, t.T("portal.error.title.pdf")
		message = t.T("portal.error.pdf", "Characters", pdf.Characters(doc.missing.Runes))
	case errors.As(err, &again):
		code, title, message = http.StatusUnauthorized, t.T("portal.error.title.signIn"), t.T("portal.signInAgain.rejected")
		if again.state == expired {
			title, message = t.T("portal.error.title.expired"), t.T("portal.signInAgain.expired")
		}
		view.SignInAgain = true
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		logf.FromContext(r.Context()).V(1).Info("refused a token", "path", r.URL.Path, "why", fmt.Sprint(again.why))
	case errors.As(err, &signIn):
		code, title, message = http.StatusUnauthorized, t.T("portal.error.title.signIn"), t.T("portal.signIn.failed")
		view.Detail = signIn.Error()
		view.SignInAgain = true
	case errors.As(err, &method):
		code, title, message = http.StatusMethodNotAllowed, t.T("portal.error.title.405"), t.T("portal.error.405")
	case errors.As(err, &bad):
		code, title, message = http.StatusBadRequest, t.T("portal.error.title.400"), t.T("portal.error.400")
		view.Detail = bad.Error()
	case errors.As(err, &missing), apierrors.IsNotFound(err):
		code, title, message = http.StatusNotFound, t.T("portal.error.title.404"), t.T("portal.error.404")
		view.Detail = err.Error()
	default:
		logf.FromContext(r.Context()).Error(err, "portal page failed", "path", r.URL.Path)
	}
	info := infoOf(r)
	if code == http.StatusUnauthorized {
		// The page must not greet someone the portal does not believe.
		info.creds = credentials{state: anonymous}
	}
	view.frame = s.frameFor(r, title, home(t))
	view.Code, view.Message = code, message
	var buf bytes.Buffer
	if terr := s.template(r).ExecuteTemplate(&buf, "error.html", view); terr != nil {
		buf.Reset()
		buf.WriteString(http.StatusText(code))
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

type errorView struct {
	frame
	Code            int
	Message, Detail string
	// SignInAgain offers to sign in (again).
	SignInAgain bool
}

// htmlPage executes the template name, in the request's language, into a
// page.
func (s *Server) htmlPage(r *http.Request, name string, view any, modified time.Time) (page, error) {
	var buf bytes.Buffer
	if err := s.template(r).ExecuteTemplate(&buf, name, view); err != nil {
		return page{}, err
	}
	return contentPage(buf.Bytes(), "text/html; charset=utf-8", modified), nil
}

// template is the set of templates in the request's language.
func (s *Server) template(r *http.Request) *template.Template {
	if t, ok := s.pages[requestLocale(r)]; ok {
		return t
	}
	return s.pages[render.DefaultLocale]
}

func contentPage(body []byte, contentType string, modified time.Time) page {
	sum := sha256.Sum256(body)
	return page{body: body, contentType: contentType, etag: hex.EncodeToString(sum[:12]), modified: modified}
}
