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
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

type catalogDoc struct {
	SchemaVersion string               `json:"schemaVersion"`
	Matrix        catalogMatrixDoc     `json:"matrix"`
	Summary       catalogSummaryDoc    `json:"summary"`
	Levels        []catalogLevelDoc    `json:"levels"`
	Scale         []proficiencyDoc     `json:"scale"`
	Categories    []catalogCategoryDoc `json:"categories"`
	Roles         []catalogRoleDoc     `json:"roles"`
	CareerPaths   graphDoc             `json:"careerPaths"`
}

type catalogMatrixDoc struct {
	Name        string `json:"name"`
	Namespace   string `json:"namespace"`
	DisplayName string `json:"displayName"`
	Description string `json:"description"`
}

type catalogSummaryDoc struct {
	Levels        int `json:"levels"`
	Proficiencies int `json:"proficiencies"`
	Categories    int `json:"categories"`
	Skills        int `json:"skills"`
	Roles         int `json:"roles"`
	ReadyRoles    int `json:"readyRoles"`
}

type catalogLevelDoc struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ShortName   string `json:"shortName"`
	Description string `json:"description"`
}

type catalogCategoryDoc struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Skills      []catalogSkillDoc `json:"skills"`
}

type catalogSkillDoc struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

type catalogRoleDoc struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	Family      string `json:"family"`
	ConfigMap   string `json:"configMap"`
	Ready       bool   `json:"ready"`
	Skills      int    `json:"skills"`
	Required    int    `json:"required"`
}

type graphDoc struct {
	Nodes []nodeDoc `json:"nodes"`
	Edges []edgeDoc `json:"edges"`
}

type nodeDoc struct {
	ID      string `json:"id"`
	Label   string `json:"label"`
	Missing bool   `json:"missing"`
}

type edgeDoc struct {
	From        string `json:"from"`
	To          string `json:"to"`
	FromLevel   string `json:"fromLevel"`
	Description string `json:"description"`
	Missing     bool   `json:"missing"`
}

// node is a vertex of the career-path graph: every Role of the catalog plus
// every Role a path points at that does not exist, so dangling edges still
// have both ends.
type node struct {
	id, label string
	missing   bool
}

func pathNodes(c *model.Catalog) []node {
	nodes := make([]node, 0, len(c.Roles))
	for _, r := range c.Roles {
		nodes = append(nodes, node{id: r.Name, label: cmp.Or(r.DisplayName, r.Name)})
	}
	for _, p := range c.Paths {
		for _, end := range []string{p.From, p.To} {
			if !slices.ContainsFunc(nodes, func(n node) bool { return n.id == end }) {
				nodes = append(nodes, node{id: end, label: end, missing: true})
			}
		}
	}
	slices.SortStableFunc(nodes, func(a, b node) int { return cmp.Compare(a.id, b.id) })
	return nodes
}

func catalogJSON(c *model.Catalog) ([]byte, error) {
	if c == nil {
		c = &model.Catalog{}
	}
	doc := catalogDoc{
		SchemaVersion: CatalogSchemaVersion,
		Matrix: catalogMatrixDoc{
			Name:        c.Name,
			Namespace:   c.Namespace,
			DisplayName: c.DisplayName,
			Description: c.Description,
		},
		Levels:     make([]catalogLevelDoc, 0, len(c.Levels)),
		Scale:      scaleDocs(c.Scale),
		Categories: make([]catalogCategoryDoc, 0, len(c.Categories)),
		Roles:      make([]catalogRoleDoc, 0, len(c.Roles)),
		CareerPaths: graphDoc{
			Nodes: []nodeDoc{},
			Edges: make([]edgeDoc, 0, len(c.Paths)),
		},
	}
	doc.Summary = catalogSummary(c)
	for _, l := range c.Levels {
		doc.Levels = append(doc.Levels, catalogLevelDoc{ID: l.ID, Name: l.Name, ShortName: l.ShortName, Description: l.Description})
	}
	for _, cat := range c.Categories {
		cd := catalogCategoryDoc{ID: cat.ID, Name: cat.Name, Description: cat.Description, Skills: make([]catalogSkillDoc, 0, len(cat.Skills))}
		for _, s := range cat.Skills {
			cd.Skills = append(cd.Skills, catalogSkillDoc{ID: s.ID, Name: s.Name, Description: s.Description})
		}
		doc.Categories = append(doc.Categories, cd)
	}
	for _, r := range c.Roles {
		doc.Roles = append(doc.Roles, catalogRoleDoc(r))
	}
	for _, n := range pathNodes(c) {
		doc.CareerPaths.Nodes = append(doc.CareerPaths.Nodes, nodeDoc{ID: n.id, Label: n.label, Missing: n.missing})
	}
	for _, p := range c.Paths {
		doc.CareerPaths.Edges = append(doc.CareerPaths.Edges, edgeDoc(p))
	}
	return marshal(doc)
}

func catalogSummary(c *model.Catalog) catalogSummaryDoc {
	s := catalogSummaryDoc{
		Levels:        len(c.Levels),
		Proficiencies: len(c.Scale),
		Categories:    len(c.Categories),
		Roles:         len(c.Roles),
	}
	for _, cat := range c.Categories {
		s.Skills += len(cat.Skills)
	}
	for _, r := range c.Roles {
		if r.Ready {
			s.ReadyRoles++
		}
	}
	return s
}

func catalogMarkdown(c *model.Catalog) []byte {
	if c == nil {
		c = &model.Catalog{}
	}
	lk := newLookup(c.Levels, c.Scale)
	w := &mdWriter{}
	w.line("# ", mdInline(cmp.Or(c.DisplayName, c.Name), " "))
	w.blank()
	w.line("SkillMatrix ", mdCode(c.Name))
	w.blank()
	if c.Description != "" {
		w.line(mdProse(c.Description))
		w.blank()
	}
	s := catalogSummary(c)
	w.line("**", strings.Join([]string{
		text.Plural(s.Levels, "level", "levels"),
		text.Plural(s.Proficiencies, "proficiency", "proficiencies"),
		text.Plural(s.Categories, "category", "categories"),
		text.Plural(s.Skills, "skill", "skills"),
		text.Plural(s.Roles, "role", "roles"),
		fmt.Sprintf("%d ready", s.ReadyRoles),
	}, " · "), "**")
	w.blank()

	catalogRoles(w, c.Roles)
	catalogPaths(w, c, lk)

	w.line("## Levels")
	w.blank()
	w.line("| Level | Short name | Description |")
	w.line("|---|---|---|")
	for _, l := range c.Levels {
		w.row(mdCell(l.Name)+" "+mdCode(l.ID), mdCell(l.ShortName), orDash(mdCell(l.Description)))
	}
	w.blank()
	mdScale(w, c.Scale, exampleCode(c.Scale), messagesFor(DefaultLocale))

	catalogSkills(w, c.Categories)
	w.line("---")
	w.blank()
	w.line("*Rendered by skillmatrix-operator from SkillMatrix ", mdCode(c.Name), " (schema ", CatalogSchemaVersion, ").*")
	return w.Bytes()
}

func catalogRoles(w *mdWriter, roles []model.CatalogRole) {
	w.line("## Roles")
	w.blank()
	if len(roles) == 0 {
		w.line("No Roles use this matrix yet.")
	} else {
		w.line("| Role | Title | Family | Skills | Required | Ready | ConfigMap |")
		w.line("|---|---|---|--:|--:|:-:|---|")
		for _, r := range roles {
			ready := "no"
			if r.Ready {
				ready = "yes"
			}
			w.row(mdCode(r.Name), mdCell(r.DisplayName), orDash(mdCell(r.Family)),
				strconv.Itoa(r.Skills), strconv.Itoa(r.Required), ready, mdCode(r.ConfigMap))
		}
	}
	w.blank()
}

func catalogPaths(w *mdWriter, c *model.Catalog, lk lookup) {
	w.line("## Career paths")
	w.blank()
	if len(c.Paths) == 0 {
		w.line("No career paths defined.")
		w.blank()
		return
	}
	for _, p := range c.Paths {
		w.line("- ", mdCode(p.From), " → ", mdCode(p.To), mdPathDetails(lk, p.FromLevel, p.Missing, p.Description))
	}
	w.blank()
	mermaid(w, c, lk)
}

func catalogSkills(w *mdWriter, categories []model.Category) {
	w.line("## Skill catalog")
	w.blank()
	for _, cat := range categories {
		w.line("### ", mdInline(cat.Name, " "), " · ", text.Plural(len(cat.Skills), "skill", "skills"))
		w.blank()
		if cat.Description != "" {
			w.line(mdProse(cat.Description))
			w.blank()
		}
		w.line("| Skill | Id | Description |")
		w.line("|---|---|---|")
		for _, sk := range cat.Skills {
			w.row(mdCell(sk.Name), mdCode(sk.ID), orDash(mdCell(sk.Description)))
		}
		w.blank()
	}
}

// mermaid draws the career paths as a left-to-right graph. Node ids are
// generated (n0, n1, ...) because Role names may contain characters Mermaid
// reads as syntax, and every label is entity-encoded for the same reason.
func mermaid(w *mdWriter, c *model.Catalog, lk lookup) {
	nodes := pathNodes(c)
	ids := make(map[string]string, len(nodes))
	w.line("```mermaid")
	w.line("graph LR")
	var missing []string
	for i, n := range nodes {
		id := "n" + strconv.Itoa(i)
		ids[n.id] = id
		w.line("  ", id, `["`, mermaidText(n.label), `"]`)
		if n.missing {
			missing = append(missing, id)
		}
	}
	for _, p := range c.Paths {
		arrow := " --> "
		if p.FromLevel != "" {
			arrow = ` -->|"` + mermaidText("from "+lk.levelName(p.FromLevel)) + `"| `
		}
		w.line("  ", ids[p.From], arrow, ids[p.To])
	}
	if len(missing) > 0 {
		w.line("  classDef missing stroke-dasharray: 5 5")
		w.line("  class ", strings.Join(missing, ","), " missing")
	}
	w.line("```")
	w.blank()
	if len(missing) > 0 {
		w.line("Dashed boxes are Roles that a career path names but that do not exist (yet).")
		w.blank()
	}
}

// mermaidText keeps letters, digits, spaces and harmless punctuation and
// writes everything else as a Mermaid entity (#NNN;), so a label can contain
// neither a quote that ends it nor a backtick or line break that ends the
// fenced block.
func mermaidText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ' || strings.ContainsRune("-_.,/():'+", r):
			b.WriteRune(r)
		default:
			b.WriteString("#" + strconv.Itoa(int(r)) + ";")
		}
	}
	return b.String()
}
