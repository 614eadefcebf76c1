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
	"net/http"
	"net/url"
	"slices"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// The portal's addresses. Every page of a namespace lives under /ns/NS/.
func namespaceURL(ns string) string        { return "/ns/" + url.PathEscape(ns) + "/" }
func roleURL(ns, role string) string       { return namespaceURL(ns) + "roles/" + url.PathEscape(role) + "/" }
func matrixHTMLURL(ns, role string) string { return roleURL(ns, role) + "matrix.html" }
func roleFeedURL(ns, role string) string   { return roleURL(ns, role) + "feed.atom" }
func proposalURL(ns, p string) string      { return namespaceURL(ns) + "proposals/" + url.PathEscape(p) }
func matrixURL(ns, m string) string        { return namespaceURL(ns) + "matrices/" + url.PathEscape(m) + "/" }
func matrixFeedURL(ns, m string) string    { return matrixURL(ns, m) + "feed.atom" }
func pathsURL(ns, m string) string         { return matrixURL(ns, m) + "paths.svg" }
func namespaceFeedURL(ns string) string    { return namespaceURL(ns) + "feed.atom" }

func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	for _, r := range []struct {
		pattern, route string
		h              handlerFunc
	}{
		{"GET /{$}", "root", s.rootPage},
		{"GET /static/portal.css", "stylesheet", s.stylesheet},
		{"GET /ns/{ns}/{$}", "namespace", s.namespacePage},
		{"GET /ns/{ns}/feed.atom", "namespace-feed", s.namespaceFeed},
		{"GET /ns/{ns}/matrices/{matrix}/{$}", "skillmatrix", s.matrixPage},
		{"GET /ns/{ns}/matrices/{matrix}/paths.svg", "career-paths", s.pathsSVG},
		{"GET /ns/{ns}/matrices/{matrix}/feed.atom", "skillmatrix-feed", s.matrixFeed},
		{"GET /ns/{ns}/roles/{role}/{$}", "role", s.rolePage},
		{"GET /ns/{ns}/roles/{role}/matrix.html", "matrix-html", s.matrixHTML},
		{"GET /ns/{ns}/roles/{role}/feed.atom", "role-feed", s.roleFeed},
		{"GET /ns/{ns}/proposals/{proposal}", "proposal", s.proposalPage},
		{"/", "not-found", notFoundPage},
	} {
		mux.Handle(r.pattern, s.handle(r.route, r.h))
	}
	probe := func(ok func() bool) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			securityHeaders(w.Header())
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			if !ok() {
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = w.Write([]byte("waiting for the cache to sync\n"))
				return
			}
			_, _ = w.Write([]byte("ok\n"))
		}
	}
	// A namespace or Role address without its trailing slash.
	for _, pattern := range []string{"GET /ns/{ns}", "GET /ns/{ns}/roles/{role}", "GET /ns/{ns}/matrices/{matrix}"} {
		mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			securityHeaders(w.Header())
			http.Redirect(w, r, r.URL.EscapedPath()+"/", http.StatusMovedPermanently)
		}))
	}
	mux.Handle("GET /healthz", probe(func() bool { return true }))
	mux.Handle("GET /readyz", probe(s.synced.Load))
	return mux
}

// MarkSynced makes /readyz answer ok: call it once the cache has synced.
func (s *Server) MarkSynced() { s.synced.Store(true) }

// onlyReads refuses every method but GET and HEAD: the portal changes nothing.
func (s *Server) onlyReads(next http.Handler) http.Handler {
	refuse := s.handle("method-not-allowed", func(*http.Request) (page, error) { return page{}, errMethod{} })
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			refuse.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// errMethod is a request that would change something.
type errMethod struct{}

func (errMethod) Error() string { return "the portal is read-only: only GET and HEAD are served" }

func notFoundPage(r *http.Request) (page, error) {
	return page{}, errNotFound{what: "page " + r.URL.Path}
}

func (s *Server) stylesheet(*http.Request) (page, error) {
	return contentPage(s.css, "text/css; charset=utf-8", s.changes.started), nil
}

// rootPage lists the namespaces that hold a SkillMatrix.
func (s *Server) rootPage(r *http.Request) (page, error) {
	var matrices v1.SkillMatrixList
	if err := s.reader.List(r.Context(), &matrices); err != nil {
		return page{}, err
	}
	var namespaces []string
	for i := range matrices.Items {
		if ns := matrices.Items[i].Namespace; !slices.Contains(namespaces, ns) {
			namespaces = append(namespaces, ns)
		}
	}
	slices.Sort(namespaces)
	links := make([]link, 0, len(namespaces))
	for _, ns := range namespaces {
		links = append(links, link{Text: ns, URL: namespaceURL(ns)})
	}
	return s.htmlPage("root.html", rootView{Namespaces: links}, s.changes.modified(""))
}

type rootView struct{ Namespaces []link }

type link struct{ Text, URL string }

// modified is the Last-Modified of a namespace's pages.
func (s *Server) modified(ns string) time.Time { return s.changes.modified(ns) }

// get reads one object of the namespace from the cache; a missing one is errNotFound.
func (s *Server) get(r *http.Request, ns, name string, obj client.Object, kind string) error {
	err := s.reader.Get(r.Context(), client.ObjectKey{Namespace: ns, Name: name}, obj)
	if client.IgnoreNotFound(err) == nil && err != nil {
		return errNotFound{what: kind + " " + ns + "/" + name}
	}
	return err
}
