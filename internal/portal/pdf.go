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
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render/pdf"
)

// The Role's PDF (internal/render/pdf, as kubectl skillmatrix render -o pdf
// makes it) at a URL of its own: matrix.pdf, matrix.<locale>.pdf. Rendered
// on demand, one at a time, and the last few kept.

// maxPDFs bounds the PDFs kept.
const maxPDFs = 16

type pdfCache struct {
	docs *lru[localizedKey, []byte]
	// one renders one PDF at a time: a PDF takes tens of milliseconds and
	// megabytes, and a crowd asking for them must not take the portal down.
	one chan struct{}
}

func newPDFCache() *pdfCache {
	return &pdfCache{docs: newLRU[localizedKey, []byte](maxPDFs), one: make(chan struct{}, 1)}
}

// errPDF is a PDF that cannot be made with the fonts the portal has.
type errPDF struct{ missing *pdf.MissingGlyphsError }

func (e errPDF) Error() string { return e.missing.Error() }

// pdfPage serves the PDF of role in locale.
func (s *Server) pdfPage(r *http.Request, role *v1.Role, matrix *v1.SkillMatrix, out *rendered, locale string) (page, error) {
	k := localizedKey{key: out.key, locale: locale}
	doc, ok := s.pdfs.docs.get(k)
	if !ok {
		select {
		case s.pdfs.one <- struct{}{}:
		case <-r.Context().Done():
			return page{}, r.Context().Err()
		}
		defer func() { <-s.pdfs.one }()
		m := model.BuildRole(matrix, role).Localized(locale)
		// The same bytes for the same Role: dated by its last change.
		created := role.CreationTimestamp.UTC()
		if n := len(role.Status.History); n > 0 {
			created = role.Status.History[n-1].AppliedAt.UTC()
		}
		if created.IsZero() {
			created = time.Unix(0, 0).UTC()
		}
		var err error
		doc, err = pdf.Render(m, pdf.Options{Created: created, Font: s.opts.PDFFont})
		if missing, ok := errors.AsType[*pdf.MissingGlyphsError](err); ok {
			return page{}, errPDF{missing: missing}
		}
		if err != nil {
			return page{}, err
		}
		s.pdfs.docs.put(k, doc)
	}
	sum := sha256.Sum256(doc)
	p := page{body: doc, contentType: "application/pdf", etag: hex.EncodeToString(sum[:12]),
		modified: s.modified(role.Namespace)}
	p.filename = role.Name + "." + locale + ".pdf"
	return p, nil
}
