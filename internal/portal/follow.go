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
	"strings"
)

// The Follow pages explain, in HTML, what following means and how: the
// Atom feed of a Role, a SkillMatrix or a namespace, its address to copy
// into a feed reader, and a link to it (which opens raw XML in a browser,
// so it is never the only thing "Follow" leads to). A Role's page also
// follows it by email: the signed-in person's follow form (followform.go),
// else how to sign in or use kubectl.

type followView struct {
	frame
	// What is followed, said as people say it; Feed its feed's address
	// on this portal, FeedURL the full address to copy.
	What, Feed, FeedURL string
	Back                string
	// ByEmail is set on a Role's page: following it by email. Form is the
	// signed-in person's follow form; without it the page says how to
	// (sign in, or kubectl).
	ByEmail *followByEmail
	Refusal *refusal
}

// followByEmail is the part of a Role's Follow page about email.
type followByEmail struct {
	Form *followFormView
	// Command follows the Role with kubectl.
	Command string
}

func (s *Server) followPage(r *http.Request, what, feed, back string, byEmail *followByEmail, crumbs ...link) (page, error) {
	t := translator{locale: requestLocale(r)}
	view := followView{What: what, Feed: feed, FeedURL: s.fullURL(r, feed), Back: back, ByEmail: byEmail,
		Refusal: refusalOf(r)}
	view.frame = s.frameFor(r, t.T("portal.follow.title", "What", what), append([]link{home(t)}, crumbs...)...)
	view.frame.Feed = feed
	return s.htmlPage(r, "follow.html", view, s.changes.started)
}

func (s *Server) roleFollow(r *http.Request) (page, error) {
	role, _, err := s.roleAndMatrix(r)
	if role == nil {
		return page{}, err
	}
	title := cmp.Or(role.Spec.DisplayName, role.Name)
	byEmail := &followByEmail{Command: "kubectl skillmatrix follow " + role.Name + " -n " + role.Namespace}
	if id := me(r); id != nil && s.act != nil {
		byEmail.Form = s.followForm(r, role, id)
	}
	return s.followPage(r, title, roleFeedURL(role.Namespace, role.Name), roleURL(role.Namespace, role.Name), byEmail,
		link{Text: title, URL: roleURL(role.Namespace, role.Name)})
}

func (s *Server) matrixFollow(r *http.Request) (page, error) {
	matrix, err := s.matrixOf(r)
	if err != nil {
		return page{}, err
	}
	title := cmp.Or(matrix.Spec.DisplayName, matrix.Name)
	u := matrixURL(matrix.Namespace, matrix.Name)
	return s.followPage(r, title, matrixFeedURL(matrix.Namespace, matrix.Name), u, nil, link{Text: title, URL: u})
}

func (s *Server) namespaceFollow(r *http.Request) (page, error) {
	ns, err := pathName(r, "ns")
	if err != nil {
		return page{}, err
	}
	if _, err := s.openProposals(r, ns); err != nil {
		return page{}, err
	}
	t := translator{locale: requestLocale(r)}
	what := t.T("portal.namespace.heading", "Namespace", ns)
	return s.followPage(r, what, namespaceFeedURL(ns), namespaceURL(ns), nil, link{Text: what, URL: namespaceURL(ns)})
}

// fullURL is path as readers reach it: under the public URL when it is
// known, else under the address the request came to (shown for copying
// only; nothing trusts it).
func (s *Server) fullURL(r *http.Request, path string) string {
	if s.opts.PublicURL != "" {
		return strings.TrimSuffix(s.opts.PublicURL, "/") + path
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == schemeHTTPS {
		scheme = schemeHTTPS
	}
	return scheme + "://" + r.Host + path
}
