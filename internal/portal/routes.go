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
	"cmp"
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

func followURL(ns, role string) string   { return roleURL(ns, role) + "follow" }
func unfollowURL(ns, role string) string { return roleURL(ns, role) + "unfollow" }

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
		{"GET /ns/{ns}/follow", "namespace-follow", s.namespaceFollow},
		{"GET /ns/{ns}/matrices/{matrix}/{$}", "skillmatrix", s.matrixPage},
		{"GET /ns/{ns}/matrices/{matrix}/paths.svg", "career-paths", s.pathsSVG},
		{"GET /ns/{ns}/matrices/{matrix}/feed.atom", "skillmatrix-feed", s.matrixFeed},
		{"GET /ns/{ns}/matrices/{matrix}/follow", "skillmatrix-follow", s.matrixFollow},
		{"GET /ns/{ns}/roles/{role}/{$}", "role", s.rolePage},
		{"GET /ns/{ns}/roles/{role}/matrix.html", "matrix-html", s.matrixHTML},
		{"GET /ns/{ns}/roles/{role}/feed.atom", "role-feed", s.roleFeed},
		{"GET /ns/{ns}/roles/{role}/follow", "role-follow", s.roleFollow},
		{"GET /ns/{ns}/roles/{role}/propose", "propose-page", s.proposePage},
		{"GET /ns/{ns}/roles/{role}/{file}", "role-file", s.roleFile},
		{"GET /ns/{ns}/proposals/{proposal}", "proposal", s.proposalPage},
		{"/", "not-found", notFoundPage},
		{"POST /", "method-not-allowed", methodNotAllowed},
	} {
		mux.Handle(r.pattern, s.handle(r.route, r.h))
	}
	if s.auth != nil {
		// The routes are the actions refusal.go words refusals for.
		mux.Handle("POST /ns/{ns}/roles/{role}/propose", s.handleForm(string(actPropose), s.proposeForm, s.proposePage))
		mux.Handle("POST /ns/{ns}/proposals/{proposal}/vote", s.handleForm(string(actVote), s.castForm(voteForm), s.proposalPage))
		mux.Handle("POST /ns/{ns}/proposals/{proposal}/review", s.handleForm(string(actReview), s.castForm(reviewForm), s.proposalPage))
		mux.Handle("POST /ns/{ns}/proposals/{proposal}/withdraw", s.handleForm(string(actWithdraw), s.withdrawForm, s.proposalPage))
		mux.Handle("POST /ns/{ns}/roles/{role}/follow", s.handleForm(string(actFollow), s.followRole, s.roleFollow))
		mux.Handle("POST /ns/{ns}/roles/{role}/unfollow", s.handleForm(string(actUnfollow), s.unfollowRole, s.roleFollow))
		mux.Handle("GET /login", s.securedFunc(s.login))
		mux.Handle("GET /login/callback", s.securedFunc(s.callback))
		mux.Handle("POST /logout", s.securedFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := s.origins.Check(r); err != nil {
				s.fail(w, r, errForm{code: http.StatusForbidden, key: "portal.refused.crossOrigin"})
				return
			}
			s.logout(w, r)
		}))
	}
	mux.Handle("GET /lang", http.HandlerFunc(s.switchLanguage))
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

// securedFunc adds the security headers and the request's language to a
// handler outside handle.
func (s *Server) securedFunc(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header())
		info := &requestInfo{locale: localeOf(r)}
		h(w, r.WithContext(withRequestInfo(withLocale(r.Context(), info.locale), info)))
	}
}

// MarkSynced makes /readyz answer ok: call it once the cache has synced.
func (s *Server) MarkSynced() { s.synced.Store(true) }

// onlyReads refuses every method but GET, HEAD and POST (the forms, and a
// 405 for any other address): the portal changes nothing otherwise.
func (s *Server) onlyReads(next http.Handler) http.Handler {
	refuse := s.handle("method-not-allowed", methodNotAllowed)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
			refuse.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// errMethod is a request that would change something where nothing can.
type errMethod struct{}

func (errMethod) Error() string { return "only GET and HEAD are served here" }

func methodNotAllowed(*http.Request) (page, error) { return page{}, errMethod{} }

func notFoundPage(r *http.Request) (page, error) {
	return page{}, errNotFound{what: "page " + r.URL.Path}
}

func (s *Server) stylesheet(*http.Request) (page, error) {
	return contentPage(s.css, "text/css; charset=utf-8", s.changes.started), nil
}

// rootPage is where people start: every career framework the portal sees,
// with its Roles by family (careers first: namespaces are a detail).
func (s *Server) rootPage(r *http.Request) (page, error) {
	var matrices v1.SkillMatrixList
	if err := s.reader.List(r.Context(), &matrices); err != nil {
		return page{}, err
	}
	slices.SortFunc(matrices.Items, func(a, b v1.SkillMatrix) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	t := translator{locale: requestLocale(r)}
	view := rootView{}
	open := map[string]map[string]int{}
	for i := range matrices.Items {
		m := &matrices.Items[i]
		if _, ok := open[m.Namespace]; !ok {
			o, err := s.openProposals(r, m.Namespace)
			if err != nil {
				return page{}, err
			}
			open[m.Namespace] = o
		}
		c, err := s.catalogOf(r, m)
		if err != nil {
			return page{}, err
		}
		view.Frameworks = append(view.Frameworks, frameworkView{Namespace: m.Namespace,
			Title: cmp.Or(c.DisplayName, m.Name), Description: c.Description, URL: matrixURL(m.Namespace, m.Name),
			NamespaceURL: namespaceURL(m.Namespace), Families: familiesOf(c, m.Namespace, open[m.Namespace])})
	}
	view.frame = s.frameFor(r, t.T("portal.root.title"))
	return s.htmlPage(r, "root.html", view, s.changes.modified(""))
}

type rootView struct {
	frame
	Frameworks []frameworkView
}

type frameworkView struct {
	Namespace, NamespaceURL, Title, Description, URL string
	Families                                         []familyView
}

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
