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
}

// renderCache holds the latest rendering of each Role.
type renderCache struct {
	mu    sync.Mutex
	roles map[types.NamespacedName]*rendered
}

func newRenderCache() *renderCache {
	return &renderCache{roles: map[types.NamespacedName]*rendered{}}
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
	out := &rendered{key: key, hash: publish.Hash(files), stats: resolved.Stats}
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
