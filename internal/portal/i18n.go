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
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"golang.org/x/text/language"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
)

// The portal speaks the languages of the operator's message catalogs
// (internal/render/locales: one mechanism for matrix.html, the PDF and the
// portal), every string through render.Message under keys starting with
// "portal.". A person's language is, in order: ?lang= on the address, the
// language they picked with the switch (a cookie), their browser's
// Accept-Language, English.

// locales are the languages the portal speaks, the default first.
var locales = func() []string {
	out := []string{render.DefaultLocale}
	for _, l := range render.CatalogLocales() {
		if l != render.DefaultLocale {
			out = append(out, l)
		}
	}
	return out
}()

var localeMatcher = func() language.Matcher {
	tags := make([]language.Tag, len(locales))
	for i, l := range locales {
		tags[i] = language.MustParse(l)
	}
	return language.NewMatcher(tags)
}()

// localeCookie remembers the language picked with the switch. It says
// nothing about anyone, so it is an ordinary cookie that also works over
// plain HTTP.
const localeCookie = "skillmatrix-lang"

// localeOf is the language of the request.
func localeOf(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); slices.Contains(locales, l) {
		return l
	}
	if c, err := r.Cookie(localeCookie); err == nil && slices.Contains(locales, c.Value) {
		return c.Value
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return render.DefaultLocale
	}
	_, i, conf := localeMatcher.Match(tags...)
	if conf == language.No {
		return render.DefaultLocale
	}
	return locales[i]
}

// languageName is each language in itself, for the switch.
func languageName(locale string) string {
	return render.Message(locale, "portal.language.self")
}

// translator formats the portal's strings in one language.
type translator struct {
	locale string
}

// plain remembers strings without data: the catalogs are embedded, so a
// key's text never changes.
var plain sync.Map // locale + "\x00" + id -> string

// T is message id with data given as name, value pairs.
func (t translator) T(id string, kv ...any) string {
	if len(kv) == 0 {
		key := t.locale + "\x00" + id
		if s, ok := plain.Load(key); ok {
			return s.(string)
		}
		s := render.Message(t.locale, id)
		plain.Store(key, s)
		return s
	}
	return render.Message(t.locale, id, kv...)
}

// phase is a Proposal phase in words.
func (t translator) phase(p string) string {
	if p == "" {
		p = string(v1.PhaseOpen)
	}
	return t.T("portal.phase." + p)
}

// duration says a voting period as people do: 7 days, 36 hours, 90 minutes.
func (t translator) duration(d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return t.T("portal.duration.days", "Count", int(d/(24*time.Hour)))
	case d >= time.Hour && d%time.Hour == 0:
		return t.T("portal.duration.hours", "Count", int(d/time.Hour))
	case d >= time.Minute && d%time.Minute == 0:
		return t.T("portal.duration.minutes", "Count", int(d/time.Minute))
	}
	return d.String()
}

// funcsFor are the template helpers in one language. None returns markup:
// html/template escapes everything they give it.
func funcsFor(locale string) template.FuncMap {
	t := translator{locale: locale}
	return template.FuncMap{
		"t":        t.T,
		"phase":    t.phase,
		"duration": t.duration,
		"date":     func(x time.Time) string { return x.UTC().Format("2006-01-02 15:04 UTC") },
		"datetime": func(x time.Time) string { return x.UTC().Format(time.RFC3339) },
	}
}

// langLink is one entry of the language switch.
type langLink struct {
	Code, Name, URL string
	Current         bool
}

// languageSwitch links every language, each leading back to back.
func languageSwitch(current, back string) []langLink {
	out := make([]langLink, 0, len(locales))
	for _, l := range locales {
		out = append(out, langLink{Code: l, Name: languageName(l), Current: l == current,
			URL: "/lang?to=" + url.QueryEscape(l) + "&back=" + url.QueryEscape(back)})
	}
	return out
}

// switchLanguage remembers the language picked and goes back.
func (s *Server) switchLanguage(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	to := r.URL.Query().Get("to")
	if slices.Contains(locales, to) {
		http.SetCookie(w, &http.Cookie{Name: localeCookie, Value: to, Path: "/", MaxAge: 365 * 24 * 3600,
			SameSite: http.SameSiteLaxMode, HttpOnly: true})
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, localPath(r.URL.Query().Get("back")), http.StatusSeeOther)
}

type localeKey struct{}

func withLocale(ctx context.Context, l string) context.Context {
	return context.WithValue(ctx, localeKey{}, l)
}

// requestLocale is the language the request was served in.
func requestLocale(r *http.Request) string {
	if l, ok := r.Context().Value(localeKey{}).(string); ok {
		return l
	}
	return localeOf(r)
}
