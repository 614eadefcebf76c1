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
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/kubecache"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
)

type roleView struct {
	Namespace, Name, Title, Family, Summary string
	Matrix, MatrixTitle, MatrixURL          string
	MatrixHTML, Feed                        string
	Figures                                 []figure
	KeyAreas                                []string
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
	Role, URL, FromLevel, Description string
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

// rolePage is the Role's page: its figures, its open Proposals, its career
// paths, its changelog, and links to matrix.html and the feed.
func (s *Server) rolePage(r *http.Request) (page, error) {
	role, matrix, err := s.roleAndMatrix(r)
	if err != nil {
		return page{}, err
	}
	out, err := s.renders.get(role, matrix)
	if err != nil {
		return page{}, err
	}
	ns := role.Namespace
	view := roleView{
		Namespace: ns, Name: role.Name, Title: cmp.Or(role.Spec.DisplayName, role.Name),
		Family: role.Spec.Family, Summary: role.Spec.Summary,
		Matrix: matrix.Name, MatrixTitle: cmp.Or(matrix.Spec.DisplayName, matrix.Name),
		MatrixURL: matrixURL(ns, matrix.Name), MatrixHTML: matrixHTMLURL(ns, role.Name), Feed: roleFeedURL(ns, role.Name),
		Figures:  summaryFigures(out.stats),
		KeyAreas: out.stats.KeyAreas,
		Notice:   contentNotice(role, out),
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
	levels := map[string]string{}
	for _, l := range matrix.Spec.Levels {
		levels[string(l.ID)] = l.Name
	}
	for _, p := range role.Spec.CareerPaths {
		var next v1.Role
		missing := s.get(r, ns, string(p.Role), &next, "Role") != nil
		view.Paths = append(view.Paths, pathRow{Role: string(p.Role), URL: roleURL(ns, string(p.Role)), Missing: missing,
			FromLevel: cmp.Or(levels[string(p.FromLevel)], string(p.FromLevel)), Description: p.Description})
	}
	return s.htmlPage("role.html", view, s.modified(ns))
}

func summaryFigures(st model.Summary) []figure {
	return []figure{{st.Skills, "skills"}, {st.Levels, "levels"}, {st.Categories, "categories"},
		{st.Required, "required"}, {st.Requirements, "requirements"}}
}

// contentNotice compares the portal's rendering with the content hash the
// Role controller recorded: empty when they agree.
func contentNotice(role *v1.Role, out *rendered) string {
	switch {
	case role.Status.ContentHash == "":
		return "The operator has not published this Role's matrix yet: this page shows it as it will be rendered."
	case role.Status.ContentHash != out.hash:
		return "This page differs from the matrix the operator published (content hash " + role.Status.ContentHash +
			", this rendering " + out.hash + "): the operator has not published the latest change yet, " +
			"or could not publish it (see the Role's Ready condition)."
	case !out.published:
		return "The SkillMatrix does not publish matrix.html; this page renders it from the same published content."
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
