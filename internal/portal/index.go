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

	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/kubecache"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
)

type figure struct {
	Value int
	Label string
}

type indexView struct {
	frame
	Heading   string
	Namespace string
	Feed      string
	Follow    string
	Matrices  []matrixView
}

type matrixView struct {
	Namespace, Name, Title, Description string
	URL, Feed, Follow, PathsURL         string
	Figures                             []figure
	Families                            []familyView
	Paths                               pathsView
}

type familyView struct {
	Name  string
	Roles []roleRow
}

type roleRow struct {
	Name, Title, URL, MatrixHTML string
	Ready                        bool
	Skills, Required             int
	Open                         int
}

// namespacePage is the index of a namespace: each SkillMatrix with its
// figures, its Roles by family and its career paths.
func (s *Server) namespacePage(r *http.Request) (page, error) {
	ns, err := pathName(r, "ns")
	if err != nil {
		return page{}, err
	}
	var matrices v1.SkillMatrixList
	if err := s.reader.List(r.Context(), &matrices, client.InNamespace(ns)); err != nil {
		return page{}, err
	}
	if len(matrices.Items) == 0 {
		return page{}, errNotFound{what: "SkillMatrices in namespace " + ns}
	}
	open, err := s.openProposals(r, ns)
	if err != nil {
		return page{}, err
	}
	t := translator{locale: requestLocale(r)}
	view := indexView{Namespace: ns, Feed: namespaceFeedURL(ns), Follow: namespaceURL(ns) + "follow",
		Heading: t.T("portal.namespace.heading", "Namespace", ns)}
	slices.SortFunc(matrices.Items, func(a, b v1.SkillMatrix) int { return cmp.Compare(a.Name, b.Name) })
	for i := range matrices.Items {
		mv, err := s.matrixViewOf(r, t, &matrices.Items[i], open)
		if err != nil {
			return page{}, err
		}
		view.Matrices = append(view.Matrices, mv)
	}
	view.frame = s.frameFor(r, view.Heading, home(t))
	view.frame.Feed = view.Feed
	return s.htmlPage(r, "index.html", view, s.modified(ns))
}

// matrixPage is one SkillMatrix of the index on a page of its own.
func (s *Server) matrixPage(r *http.Request) (page, error) {
	matrix, err := s.matrixOf(r)
	if err != nil {
		return page{}, err
	}
	open, err := s.openProposals(r, matrix.Namespace)
	if err != nil {
		return page{}, err
	}
	t := translator{locale: requestLocale(r)}
	mv, err := s.matrixViewOf(r, t, matrix, open)
	if err != nil {
		return page{}, err
	}
	view := indexView{Namespace: matrix.Namespace, Feed: mv.Feed, Follow: mv.Follow, Heading: mv.Title,
		Matrices: []matrixView{mv}}
	view.frame = s.frameFor(r, mv.Title, home(t))
	view.frame.Feed = view.Feed
	return s.htmlPage(r, "index.html", view, s.modified(matrix.Namespace))
}

func (s *Server) matrixOf(r *http.Request) (*v1.SkillMatrix, error) {
	ns, err := pathName(r, "ns")
	if err != nil {
		return nil, err
	}
	name, err := pathName(r, "matrix")
	if err != nil {
		return nil, err
	}
	var matrix v1.SkillMatrix
	if err := s.get(r, ns, name, &matrix, "SkillMatrix"); err != nil {
		return nil, err
	}
	return &matrix, nil
}

// catalogOf resolves a SkillMatrix and its Roles as the SkillMatrix
// controller's catalog does.
func (s *Server) catalogOf(r *http.Request, matrix *v1.SkillMatrix) (*model.Catalog, error) {
	var roles v1.RoleList
	if err := s.reader.List(r.Context(), &roles, client.InNamespace(matrix.Namespace),
		client.MatchingFields{kubecache.IndexRoleMatrix: matrix.Name}); err != nil {
		return nil, err
	}
	return model.BuildCatalog(matrix, roles.Items), nil
}

func (s *Server) matrixViewOf(r *http.Request, t translator, matrix *v1.SkillMatrix, open map[string]int) (matrixView, error) {
	c, err := s.catalogOf(r, matrix)
	if err != nil {
		return matrixView{}, err
	}
	ns := matrix.Namespace
	skills := 0
	for _, cat := range c.Categories {
		skills += len(cat.Skills)
	}
	mv := matrixView{
		Namespace: ns, Name: matrix.Name, Title: cmp.Or(c.DisplayName, matrix.Name), Description: c.Description,
		URL: matrixURL(ns, matrix.Name), Feed: matrixFeedURL(ns, matrix.Name), Follow: matrixURL(ns, matrix.Name) + "follow",
		PathsURL: pathsURL(ns, matrix.Name),
		Figures: []figure{{len(c.Roles), t.T("portal.figure.roles", "Count", len(c.Roles))},
			{len(c.Levels), t.T("portal.figure.levels", "Count", len(c.Levels))},
			{len(c.Categories), t.T("portal.figure.categories", "Count", len(c.Categories))},
			{skills, t.T("portal.figure.skills", "Count", skills)},
			{len(c.Scale), t.T("portal.figure.proficiencies", "Count", len(c.Scale))}},
		Paths: layoutPaths(t, c, ns),
	}
	mv.Families = familiesOf(c, ns, open)
	return mv, nil
}

// familiesOf groups a catalog's Roles by family, Roles without one last.
func familiesOf(c *model.Catalog, ns string, open map[string]int) []familyView {
	var out []familyView
	families := map[string]int{}
	for _, role := range c.Roles {
		row := roleRow{Name: role.Name, Title: cmp.Or(role.DisplayName, role.Name), URL: roleURL(ns, role.Name),
			MatrixHTML: matrixHTMLURL(ns, role.Name), Ready: role.Ready, Skills: role.Skills, Required: role.Required,
			Open: open[role.Name]}
		i, ok := families[role.Family]
		if !ok {
			i = len(out)
			families[role.Family] = i
			out = append(out, familyView{Name: role.Family})
		}
		out[i].Roles = append(out[i].Roles, row)
	}
	slices.SortStableFunc(out, func(a, b familyView) int {
		return cmp.Or(cmp.Compare(boolRank(a.Name == ""), boolRank(b.Name == "")), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// openProposals counts the open Proposals of each Role of the namespace.
func (s *Server) openProposals(r *http.Request, ns string) (map[string]int, error) {
	var proposals v1.ProposalList
	if err := s.reader.List(r.Context(), &proposals, client.InNamespace(ns)); err != nil {
		return nil, err
	}
	open := map[string]int{}
	for i := range proposals.Items {
		if isOpen(&proposals.Items[i]) {
			open[string(proposals.Items[i].Spec.RoleRef)]++
		}
	}
	return open, nil
}

// isOpen: the Proposal still takes votes or waits to be applied.
func isOpen(p *v1.Proposal) bool { return !p.Status.Phase.IsClosed() && !p.Spec.Withdrawn }
