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
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/kubecache"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
)

type roleView struct {
	frame
	Namespace, Name, Title, Family, Summary string
	Matrix, MatrixTitle, MatrixURL          string
	MatrixHTML, PDF, Feed, Follow, Propose  string
	Figures                                 []figure
	KeyAreas                                []string
	// Languages lists the matrix in each language it is published in.
	Languages []langLink
	// Notice says the portal's rendering is not what is published, and why.
	Notice string
	// Ready is the Role's Ready condition, as the Role controller wrote it.
	Ready        bool
	ReadyMessage string
	Open, Closed []proposalRow
	Changelog    []changeEntry
	Paths        []pathRow
}

type proposalRow struct {
	Name, Title, URL, Author, Phase string
	Created                         time.Time
}

type changeEntry struct {
	Proposal, URL, Title, Author string
	AppliedAt                    time.Time
	Generation                   int64
}

type pathRow struct {
	Role, Title, URL, FromLevel, Description string
	// Missing: no such Role in the namespace, so no link.
	Missing bool
}

// roleAndMatrix reads the Role of the path and its SkillMatrix.
func (s *Server) roleAndMatrix(r *http.Request) (*v1.Role, *v1.SkillMatrix, error) {
	ns, err := pathName(r, "ns")
	if err != nil {
		return nil, nil, err
	}
	name, err := pathName(r, "role")
	if err != nil {
		return nil, nil, err
	}
	var role v1.Role
	if err := s.get(r, ns, name, &role, "Role"); err != nil {
		return nil, nil, err
	}
	var matrix v1.SkillMatrix
	if err := s.get(r, ns, string(role.Spec.MatrixRef), &matrix, "SkillMatrix"); err != nil {
		return &role, nil, err
	}
	return &role, &matrix, nil
}

// matrixHTML serves the Role's matrix.html: the bytes the operator
// publishes, under the page's own policy sent as a header.
func (s *Server) matrixHTML(r *http.Request) (page, error) {
	role, matrix, err := s.roleAndMatrix(r)
	if err != nil {
		return page{}, err
	}
	out, err := s.renders.get(role, matrix)
	if err != nil {
		return page{}, err
	}
	return page{gz: out.gz, contentType: "text/html; charset=utf-8", etag: out.etag,
		modified: s.modified(role.Namespace), csp: matrixCSP}, nil
}

// roleFile serves the Role's other files: matrix.<locale>.html, the
// matrix in a published language other than the default, byte for byte
// the operator's; matrix.pdf and matrix.<locale>.pdf, the PDF the kubectl
// plugin's render -o pdf makes.
func (s *Server) roleFile(r *http.Request) (page, error) {
	file := r.PathValue("file")
	base, ext, ok := strings.Cut(file, ".")
	locale := ""
	if ok && strings.Count(ext, ".") == 1 {
		locale, ext, _ = strings.Cut(ext, ".")
	}
	if base != "matrix" || (ext != "html" && ext != "pdf") {
		return page{}, errNotFound{what: "file " + file}
	}
	role, matrix, err := s.roleAndMatrix(r)
	if err != nil {
		return page{}, err
	}
	out, err := s.renders.get(role, matrix)
	if err != nil {
		return page{}, err
	}
	if locale != "" && !slices.Contains(out.locales, locale) {
		return page{}, errNotFound{what: "matrix in language " + locale + " (the SkillMatrix publishes " +
			strings.Join(out.locales, ", ") + ")"}
	}
	if locale == out.locales[0] && ext == "html" {
		// The default language has the plain name, as in the ConfigMap.
		return page{}, errNotFound{what: "file " + file + " (the default language is " + matrixHTMLURL(role.Namespace, role.Name) + ")"}
	}
	if ext == "pdf" {
		return s.pdfPage(r, role, matrix, out, cmp.Or(locale, out.locales[0]))
	}
	html, err := s.renders.localized(role, matrix, out, locale)
	if err != nil {
		return page{}, err
	}
	return page{gz: html.gz, contentType: "text/html; charset=utf-8", etag: html.etag,
		modified: s.modified(role.Namespace), csp: matrixCSP}, nil
}

// rolePage is the Role's page: its figures, its open Proposals, its career
// paths, its changelog, and links to matrix.html, the PDF, the propose page
// and the Follow page.
func (s *Server) rolePage(r *http.Request) (page, error) {
	role, matrix, err := s.roleAndMatrix(r)
	if err != nil {
		return page{}, err
	}
	out, err := s.renders.get(role, matrix)
	if err != nil {
		return page{}, err
	}
	t := translator{locale: requestLocale(r)}
	texts := out.textsIn(t.locale)
	ns := role.Namespace
	view := roleView{
		Namespace: ns, Name: role.Name, Title: cmp.Or(texts.DisplayName, role.Name),
		Family: texts.Family, Summary: texts.Summary,
		Matrix: matrix.Name, MatrixTitle: cmp.Or(matrix.Spec.DisplayName, matrix.Name),
		MatrixURL: matrixURL(ns, matrix.Name), MatrixHTML: matrixFileURL(ns, role.Name, out, t.locale, "html"),
		PDF: matrixFileURL(ns, role.Name, out, t.locale, "pdf"), Feed: roleFeedURL(ns, role.Name),
		Follow: followURL(ns, role.Name), Propose: proposeURL(ns, role.Name, nil),
		Figures:  summaryFigures(t, texts.Stats),
		KeyAreas: texts.Stats.KeyAreas,
		Notice:   contentNotice(t, role, out),
	}
	for _, l := range out.locales {
		view.Languages = append(view.Languages, langLink{Code: l, Name: languageName(l),
			URL: matrixFileURL(ns, role.Name, out, l, "html"), Current: l == t.locale})
	}
	if c := meta.FindStatusCondition(role.Status.Conditions, v1.ConditionReady); c != nil {
		view.Ready, view.ReadyMessage = c.Status == "True", c.Message
	}
	if view.Open, view.Closed, err = s.proposalsOf(r, role); err != nil {
		return page{}, err
	}
	for _, e := range slices.Backward(role.Status.History) {
		view.Changelog = append(view.Changelog, changeEntry{Proposal: string(e.Name), URL: proposalURL(ns, string(e.Name)),
			Title: e.Title, Author: string(e.Author), AppliedAt: e.AppliedAt.UTC(), Generation: e.Generation})
	}
	n := namesOf(t, matrix, nil)
	for _, p := range role.Spec.CareerPaths {
		var next v1.Role
		missing := s.get(r, ns, string(p.Role), &next, "Role") != nil
		row := pathRow{Role: string(p.Role), Title: cmp.Or(next.Spec.DisplayName, string(p.Role)),
			URL: roleURL(ns, string(p.Role)), Missing: missing, Description: p.Description}
		if p.FromLevel != "" {
			row.FromLevel = n.level(p.FromLevel)
		}
		view.Paths = append(view.Paths, row)
	}
	view.frame = s.frameFor(r, view.Title, home(t), link{Text: view.MatrixTitle, URL: view.MatrixURL})
	view.frame.Feed = view.Feed
	return s.htmlPage(r, "role.html", view, s.modified(ns))
}

// matrixFileURL is the Role's matrix.html (or PDF) in locale when it is
// published in it, else in the default language.
func matrixFileURL(ns, role string, out *rendered, locale, ext string) string {
	if locale == out.locales[0] || !slices.Contains(out.locales, locale) {
		return roleURL(ns, role) + "matrix." + ext
	}
	return roleURL(ns, role) + "matrix." + locale + "." + ext
}

func summaryFigures(t translator, st model.Summary) []figure {
	return []figure{{st.Skills, t.T("portal.figure.skills", "Count", st.Skills)},
		{st.Levels, t.T("portal.figure.levels", "Count", st.Levels)},
		{st.Categories, t.T("portal.figure.categories", "Count", st.Categories)},
		{st.Required, t.T("portal.figure.required", "Count", st.Required)},
		{st.Requirements, t.T("portal.figure.requirements", "Count", st.Requirements)}}
}

// contentNotice compares the portal's rendering with the content hash the
// Role controller recorded: empty when they agree.
func contentNotice(t translator, role *v1.Role, out *rendered) string {
	switch {
	case role.Status.ContentHash == "":
		return t.T("portal.role.notPublished")
	case role.Status.ContentHash != out.hash:
		return t.T("portal.role.differs", "Published", role.Status.ContentHash, "Rendered", out.hash)
	case !out.published:
		return t.T("portal.role.htmlNotPublished")
	}
	return ""
}

// proposalsOf returns the Role's open Proposals, oldest first, and the
// closed ones, newest first.
func (s *Server) proposalsOf(r *http.Request, role *v1.Role) (open, closed []proposalRow, err error) {
	var proposals v1.ProposalList
	if err := s.reader.List(r.Context(), &proposals, client.InNamespace(role.Namespace),
		client.MatchingFields{kubecache.IndexProposalRole: role.Name}); err != nil {
		return nil, nil, err
	}
	slices.SortFunc(proposals.Items, func(a, b v1.Proposal) int {
		return cmp.Or(a.CreationTimestamp.Compare(b.CreationTimestamp.Time), cmp.Compare(a.Name, b.Name))
	})
	for i := range proposals.Items {
		p := &proposals.Items[i]
		row := proposalRow{Name: p.Name, Title: p.Spec.Title, URL: proposalURL(p.Namespace, p.Name),
			Author: string(p.Spec.Author), Phase: phaseOf(p), Created: p.CreationTimestamp.UTC()}
		if isOpen(p) {
			open = append(open, row)
		} else {
			closed = append(closed, row)
		}
	}
	slices.Reverse(closed)
	return open, closed, nil
}

// phaseOf is the Proposal's phase, Open until the operator has seen it.
func phaseOf(p *v1.Proposal) string {
	if p.Status.Phase == "" {
		return string(v1.PhaseOpen)
	}
	return string(p.Status.Phase)
}
