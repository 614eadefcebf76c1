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
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"sync"

	"k8s.io/apimachinery/pkg/types"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
)

// renderKey is everything a Role's rendering depends on: its spec (the
// generation), its SkillMatrix's spec, and its history, which the
// changelog shows. Name and namespace are fixed for a UID.
type renderKey struct {
	role, matrix       types.UID
	roleGen, matrixGen int64
	history            string
}

func renderKeyOf(role *v1.Role, matrix *v1.SkillMatrix) renderKey {
	h := sha256.New()
	for _, e := range role.Status.History {
		_, _ = fmt.Fprintf(h, "%d:%s|%d:%s|%d:%s|%d:%s|%d|%d\n", len(e.Name), e.Name, len(e.UID), e.UID,
			len(e.Title), e.Title, len(e.Author), e.Author, e.AppliedAt.UnixNano(), e.Generation)
	}
	return renderKey{role: role.UID, matrix: matrix.UID, roleGen: role.Generation, matrixGen: matrix.Generation,
		history: hex.EncodeToString(h.Sum(nil))}
}

// rendered is a Role's matrix.html as the Role controller renders it, kept
// gzip-compressed: a thousand Roles' pages stay a few megabytes.
type rendered struct {
	key renderKey
	// hash is publish.Hash over the files the SkillMatrix publishes, to
	// compare with the Role's status.contentHash.
	hash string
	// published says matrix.html is one of them (the SkillMatrix's
	// publishing.formats include html).
	published bool
	gz        []byte
	size      int
	etag      string
	stats     model.Summary
	// locales are the languages the SkillMatrix publishes, the default
	// first; texts the Role's texts and figures in each language the portal
	// speaks (a few hundred bytes each).
	locales []string
	texts   map[string]roleTexts
}

// roleTexts are what the Role page shows of the matrix in one language.
type roleTexts struct {
	DisplayName, Family, Summary string
	Stats                        model.Summary
}

// textsIn are the Role's texts in locale, or in the default language.
func (r *rendered) textsIn(locale string) roleTexts {
	if t, ok := r.texts[locale]; ok {
		return t
	}
	return r.texts[""]
}

// renderCache holds the latest rendering of each Role, and the few most
// recent renderings of matrix.html in other languages (rendered on demand:
// keeping every language of a thousand Roles would double the memory for
// pages few people ask for).
type renderCache struct {
	mu    sync.Mutex
	roles map[types.NamespacedName]*rendered
	other *lru[localizedKey, *localizedHTML]
}

type localizedKey struct {
	key    renderKey
	locale string
}

// localizedHTML is matrix.html in a language other than the default.
type localizedHTML struct {
	gz   []byte
	etag string
}

// maxLocalized bounds the other-language pages kept.
const maxLocalized = 64

func newRenderCache() *renderCache {
	return &renderCache{roles: map[types.NamespacedName]*rendered{}, other: newLRU[localizedKey, *localizedHTML](maxLocalized)}
}

// localized is matrix.html of role in locale, which out says the
// SkillMatrix publishes: byte for byte what the operator publishes as
// matrix.<locale>.html (render.Role renders each language as render.HTML
// of the localized model).
func (c *renderCache) localized(role *v1.Role, matrix *v1.SkillMatrix, out *rendered, locale string) (*localizedHTML, error) {
	k := localizedKey{key: out.key, locale: locale}
	if h, ok := c.other.get(k); ok {
		return h, nil
	}
	page, err := render.HTML(model.BuildRole(matrix, role).Localized(locale))
	if err != nil {
		return nil, fmt.Errorf("rendering matrix.%s.html of Role %s/%s: %w", locale, role.Namespace, role.Name, err)
	}
	sum := sha256.Sum256(page)
	h := &localizedHTML{etag: hex.EncodeToString(sum[:12])}
	if h.gz, err = gzipped(page); err != nil {
		return nil, err
	}
	c.other.put(k, h)
	return h, nil
}

func (c *renderCache) drop(key types.NamespacedName) {
	c.mu.Lock()
	delete(c.roles, key)
	c.mu.Unlock()
}

// get returns the rendering of role against matrix, rendering it only when
// the Role, its SkillMatrix or its history changed since the last one.
func (c *renderCache) get(role *v1.Role, matrix *v1.SkillMatrix) (*rendered, error) {
	name := types.NamespacedName{Namespace: role.Namespace, Name: role.Name}
	key := renderKeyOf(role, matrix)
	c.mu.Lock()
	r, ok := c.roles[name]
	c.mu.Unlock()
	if ok && r.key == key {
		return r, nil
	}
	r, err := renderRole(key, role, matrix)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.roles[name] = r
	c.mu.Unlock()
	return r, nil
}

// renderRole renders as the Role controller's publish step does: the same
// model from the same objects, the same formats, the same hash.
func renderRole(key renderKey, role *v1.Role, matrix *v1.SkillMatrix) (*rendered, error) {
	resolved := model.BuildRole(matrix, role)
	files, err := render.Role(resolved, render.PublishedOptions(matrix.Spec.Publishing))
	if err != nil {
		return nil, fmt.Errorf("rendering Role %s/%s: %w", role.Namespace, role.Name, err)
	}
	out := &rendered{key: key, hash: publish.Hash(files), stats: resolved.Stats, texts: map[string]roleTexts{
		"": {DisplayName: resolved.DisplayName, Family: resolved.Family, Summary: resolved.Summary, Stats: resolved.Stats}}}
	for _, l := range render.PublishedOptions(matrix.Spec.Publishing).Locales {
		out.locales = append(out.locales, string(l))
	}
	if len(out.locales) == 0 {
		out.locales = []string{render.DefaultLocale}
	}
	for _, l := range locales {
		lm := resolved.Localized(l)
		out.texts[l] = roleTexts{DisplayName: lm.DisplayName, Family: lm.Family, Summary: lm.Summary, Stats: lm.Stats}
	}
	page, ok := files[render.KeyHTML]
	out.published = ok
	if !ok {
		if page, err = render.HTML(resolved); err != nil {
			return nil, fmt.Errorf("rendering matrix.html of Role %s/%s: %w", role.Namespace, role.Name, err)
		}
	}
	sum := sha256.Sum256(page)
	out.etag = hex.EncodeToString(sum[:12])
	out.size = len(page)
	if out.gz, err = gzipped(page); err != nil {
		return nil, err
	}
	return out, nil
}

// gzipWriters reuse compressors: each holds about a megabyte of tables,
// too much to allocate for every page served.
var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(io.Discard) }}

func gzipped(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(b)/4 + 64)
	w := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(w)
	w.Reset(&buf)
	if _, err := w.Write(b); err != nil {
		return nil, fmt.Errorf("compressing %s bytes: %w", strconv.Itoa(len(b)), err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("compressing %s bytes: %w", strconv.Itoa(len(b)), err)
	}
	return buf.Bytes(), nil
}

// lru is a small least-recently-used cache.
type lru[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	tick  uint64
	items map[K]*lruItem[V]
}

type lruItem[V any] struct {
	v    V
	used uint64
}

func newLRU[K comparable, V any](max int) *lru[K, V] {
	return &lru[K, V]{max: max, items: map[K]*lruItem[V]{}}
}

func (c *lru[K, V]) get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	c.tick++
	it.used = c.tick
	return it.v, true
}

func (c *lru[K, V]) put(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tick++
	if _, ok := c.items[k]; !ok && len(c.items) >= c.max {
		var oldest K
		first := true
		var min uint64
		for key, it := range c.items {
			if first || it.used < min {
				oldest, min, first = key, it.used, false
			}
		}
		delete(c.items, oldest)
	}
	c.items[k] = &lruItem[V]{v: v, used: c.tick}
}
