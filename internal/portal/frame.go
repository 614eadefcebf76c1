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
	"net/http"
	"net/url"
)

// requestInfo is what the portal knows of a request before its handler
// runs: who sent it and in which language to answer.
type requestInfo struct {
	creds  credentials
	locale string
	// flash is the notice of the write the person just made (?done=).
	flash string
}

type requestInfoKey struct{}

func withRequestInfo(ctx context.Context, info *requestInfo) context.Context {
	return context.WithValue(ctx, requestInfoKey{}, info)
}

func infoOf(r *http.Request) *requestInfo {
	if info, ok := r.Context().Value(requestInfoKey{}).(*requestInfo); ok {
		return info
	}
	return &requestInfo{locale: localeOf(r)}
}

// me is the signed-in person of the request, nil for anyone else.
func me(r *http.Request) *identity {
	if c := infoOf(r).creds; c.state == signedIn {
		return c.id
	}
	return nil
}

// frame is what every page shows around its content: the language, the
// way back (breadcrumbs), who is signed in, the language switch.
type frame struct {
	Lang  string
	Title string
	// Crumbs lead from the portal's start to the page's parent.
	Crumbs []link
	// Me is the signed-in person; SignIn where signing in starts ("" when
	// the portal offers no sign-in); SignedOut says the portal offers one
	// and nobody is signed in.
	Me        *identity
	SignIn    string
	CanSignIn bool
	// Token is the form token of the person's session.
	Token string
	// Flash says what the person's last write did.
	Flash string
	Langs []langLink
	// Feed is the page's Atom feed, for the alternate link.
	Feed string
}

// frameFor is the frame of a page with title, for the request r.
func (s *Server) frameFor(r *http.Request, title string, crumbs ...link) frame {
	info := infoOf(r)
	back := r.URL.Path
	if q := stripParams(r.URL.Query(), "lang", "done", "token"); q != "" {
		back += "?" + q
	}
	f := frame{Lang: info.locale, Title: title, Crumbs: crumbs, Langs: languageSwitch(info.locale, back),
		SignIn: s.signInURL(back), Flash: info.flash}
	f.CanSignIn = f.SignIn != ""
	if id := me(r); id != nil {
		f.Me = id
		f.Token = s.keys.formToken(id, s.opts.Now())
	}
	return f
}

// home is the first crumb.
func home(t translator) link { return link{Text: t.T("portal.brand"), URL: "/"} }

// stripParams encodes q without the named parameters.
func stripParams(q url.Values, names ...string) string {
	for _, n := range names {
		q.Del(n)
	}
	return q.Encode()
}
