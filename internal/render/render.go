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

// Package render turns a resolved model.RoleMatrix or model.Catalog into the
// bytes the operator publishes in ConfigMaps. Every renderer is a pure
// function of its input: the same model gives the same bytes, so the
// controllers can hash the output and skip writes that change nothing.
// docs/rendering.md describes each format.
//
// It owns the published formats, their interface strings (the message
// catalogs in locales/, one per locale), the FAQ and the CSV import; it
// imports the API types, internal/model, internal/assess, internal/text and
// go-i18n, never a Kubernetes client,
// controller-runtime, internal/controller or internal/cli (internal/archtest
// checks).
package render

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
)

// SchemaVersion identifies the layout of matrix.json. Bump it on any change a
// consumer could trip over (a removed or retyped field); adding fields does not.
const SchemaVersion = "skillmatrix.dev/matrix/v1"

// CatalogSchemaVersion identifies the layout of catalog.json.
const CatalogSchemaVersion = "skillmatrix.dev/catalog/v1"

// ConfigMap keys of the rendered outputs.
const (
	KeyJSON            = "matrix.json"
	KeyMarkdown        = "matrix.md"
	KeyCSV             = "matrix.csv"
	KeyHTML            = "matrix.html"
	KeyCatalogJSON     = "catalog.json"
	KeyCatalogMarkdown = "catalog.md"
)

// Options say what Role renders.
type Options struct {
	// Formats to render; JSON is always included.
	Formats []v1alpha1.RenderFormat
	// Locales to render, the first being the default: its files keep the
	// plain keys (matrix.md), the others carry their tag (matrix.zh-CN.md,
	// see LocaleKey). Empty means DefaultLocale alone.
	Locales []v1alpha1.Locale
}

// PublishedOptions are the Options a SkillMatrix's publishing settings ask
// for: what the operator publishes, and what everything that must match it
// byte for byte (the portal, the bench, the tests) renders.
func PublishedOptions(p v1alpha1.PublishingSpec) Options {
	return Options{Formats: p.Formats, Locales: p.Locales}
}

// Role renders the requested formats in the requested locales, keyed by
// their ConfigMap keys. JSON is always included because the catalog and the
// CLI read it; duplicates are ignored and an unknown format is an error
// rather than a silent omission.
func Role(m *model.RoleMatrix, opts Options) (map[string][]byte, error) {
	if m == nil {
		m = &model.RoleMatrix{}
	}
	want := []v1alpha1.RenderFormat{v1alpha1.FormatJSON}
	for _, f := range opts.Formats {
		if !slices.Contains(want, f) {
			want = append(want, f)
		}
	}
	locales := opts.Locales
	if len(locales) == 0 {
		locales = []v1alpha1.Locale{DefaultLocale}
	}
	out := make(map[string][]byte, len(want)*len(locales))
	for i, loc := range locales {
		lm := m.Localized(string(loc))
		for _, f := range want {
			key, data, err := renderFormat(lm, f)
			if err != nil {
				return nil, err
			}
			if i > 0 {
				key = LocaleKey(key, string(loc))
			}
			if _, dup := out[key]; !dup {
				out[key] = data
			}
		}
	}
	return out, nil
}

// LocaleKey is the ConfigMap key of file key in a locale other than the
// default: the tag goes before the extension, matrix.md becomes
// matrix.zh-CN.md. Tags hold letters, digits and "-", all valid in keys.
func LocaleKey(key, locale string) string {
	ext := path.Ext(key)
	return strings.TrimSuffix(key, ext) + "." + locale + ext
}

func renderFormat(m *model.RoleMatrix, f v1alpha1.RenderFormat) (string, []byte, error) {
	var (
		key  string
		data []byte
		err  error
	)
	switch f {
	case v1alpha1.FormatJSON:
		key = KeyJSON
		data, err = JSON(m)
	case v1alpha1.FormatMarkdown:
		key, data = KeyMarkdown, Markdown(m)
	case v1alpha1.FormatCSV:
		key = KeyCSV
		data, err = CSV(m)
	case v1alpha1.FormatHTML:
		key = KeyHTML
		data, err = HTML(m)
	default:
		return "", nil, fmt.Errorf("unknown render format %q", f)
	}
	if err != nil {
		return "", nil, fmt.Errorf("render %s: %w", f, err)
	}
	return key, data, nil
}

// Catalog renders catalog.json and catalog.md.
func Catalog(c *model.Catalog) (map[string][]byte, error) {
	data, err := catalogJSON(c)
	if err != nil {
		return nil, fmt.Errorf("render catalog json: %w", err)
	}
	return map[string][]byte{
		KeyCatalogJSON:     data,
		KeyCatalogMarkdown: catalogMarkdown(c),
	}, nil
}

// lookup indexes the scale and the levels of a matrix for the renderers,
// which meet proficiency and level ids in cells and career paths.
type lookup struct {
	scale  map[string]model.Proficiency
	levels map[string]model.Level
}

func newLookup(levels []model.Level, scale []model.Proficiency) lookup {
	l := lookup{
		scale:  make(map[string]model.Proficiency, len(scale)),
		levels: make(map[string]model.Level, len(levels)),
	}
	for _, p := range scale {
		l.scale[p.ID] = p
	}
	for _, lv := range levels {
		l.levels[lv.ID] = lv
	}
	return l
}

// levelName shows a level by name, or by its raw id when the matrix does not
// know it, so a dangling reference stays visible instead of vanishing.
func (l lookup) levelName(id string) string {
	if lv, ok := l.levels[id]; ok {
		return lv.Name
	}
	return id
}

func (l lookup) proficiencyName(id string) string {
	if p, ok := l.scale[id]; ok {
		return p.Name
	}
	return id
}

func roleName(m *model.RoleMatrix) string {
	if m.Namespace == "" {
		return m.Name
	}
	return m.Namespace + "/" + m.Name
}
