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

package render

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// The interface strings of every format come from message catalogs, one
// JSON file per locale under locales/ (go-i18n's format, with CLDR plural
// forms: "one", "other", ...). English is the default and the fallback: a
// locale without a catalog, or a key a catalog lacks, gets the English text.
// Adding a locale is adding one file; TestCatalogsComplete fails while a
// catalog lacks a key en has.
//
//go:embed locales/*.json
var catalogFiles embed.FS

// DefaultLocale is the locale of the default catalog, and of a model that
// Localized did not set.
const DefaultLocale = "en"

var catalogs = sync.OnceValues(loadCatalogs)

func loadCatalogs() (*i18n.Bundle, error) {
	bundle := i18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	files, err := fs.Glob(catalogFiles, "locales/*.json")
	if err != nil {
		return nil, fmt.Errorf("list catalogs: %w", err)
	}
	for _, f := range files {
		if _, err := bundle.LoadMessageFileFS(catalogFiles, f); err != nil {
			return nil, fmt.Errorf("load catalog %s: %w", f, err)
		}
	}
	return bundle, nil
}

// CatalogLocales lists the locales the operator has interface strings for,
// as the catalog files name them, sorted.
func CatalogLocales() []string {
	files, _ := fs.Glob(catalogFiles, "locales/*.json")
	out := make([]string, 0, len(files))
	for _, f := range files {
		out = append(out, strings.TrimSuffix(path.Base(f), ".json"))
	}
	slices.Sort(out)
	return out
}

// messages looks up the interface strings of one locale. It remembers the
// ids it could not find in any catalog, so tests can insist on none.
type messages struct {
	locale  string
	loc     *i18n.Localizer
	missing []string
}

func messagesFor(locale string) *messages {
	if locale == "" {
		locale = DefaultLocale
	}
	bundle, err := catalogs()
	if err != nil {
		// The catalogs are embedded and checked by tests; this cannot
		// happen in a build that passed them.
		panic(err)
	}
	return &messages{locale: locale, loc: i18n.NewLocalizer(bundle, locale, DefaultLocale)}
}

// F formats message id with data given as name, value pairs. A key "Count"
// also selects the plural form.
func (t *messages) F(id string, kv ...any) string {
	data := make(map[string]any, len(kv)/2)
	var count any
	for i := 0; i+1 < len(kv); i += 2 {
		name, _ := kv[i].(string)
		data[name] = kv[i+1]
		if name == "Count" {
			count = kv[i+1]
		}
	}
	msg, err := t.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if msg == "" && err != nil {
		t.missing = append(t.missing, id)
		return id
	}
	return msg
}

// S is message id without data.
func (t *messages) S(id string) string {
	return t.memo(memoKey{locale: t.locale, id: id}, func() string { return t.F(id) })
}

// N is message id for a count, e.g. N("count.skills", 56) is "56 skills".
func (t *messages) N(id string, n int) string {
	return t.memo(memoKey{locale: t.locale, id: id, count: n, counted: true}, func() string { return t.F(id, "Count", n) })
}

// memoKey names one formatted message: a locale's message id, without data
// or with a count only.
type memoKey struct {
	locale, id string
	count      int
	counted    bool
}

// formatted remembers the messages S and N formatted: the catalogs are
// embedded and never change, so the text of a key is the same in every
// render, and formatting it through go-i18n each time (a Localize, a template
// execution) was an eighth of rendering in a profile of a cold start: the
// HTML asks for the same few strings once per cell. Counts are bounded by
// the sizes of the matrices, so the memo stays small.
var formatted sync.Map // memoKey -> string

func (t *messages) memo(key memoKey, format func() string) string {
	if s, ok := formatted.Load(key); ok {
		return s.(string)
	}
	missing := len(t.missing)
	s := format()
	if len(t.missing) == missing {
		// Only found messages are remembered, so each render still
		// reports the ids it could not find.
		formatted.Store(key, s)
	}
	return s
}

// list joins items with the locale's list separator.
func (t *messages) list(items []string) string { return strings.Join(items, t.S("sep.list")) }

// Message is the interface string id in locale, with data given as name,
// value pairs ("Count" also picks the plural form), for renderers in other
// packages (the PDF) that share these catalogs.
func Message(locale, id string, kv ...any) string { return messagesFor(locale).F(id, kv...) }
