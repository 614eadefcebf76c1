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
	"bytes"
	"cmp"
	"encoding/json"
	"time"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
)

// The document types below are the published schema, kept apart from the
// model so that refactoring the model cannot silently change what portals
// parse. Lists are always present ([] rather than null) so consumers need no
// null checks; only a cell's description and examples are omitted when empty,
// because most cells have none and a 500-skill matrix would carry thousands
// of empty fields.

type matrixDoc struct {
	SchemaVersion string           `json:"schemaVersion"`
	Role          roleDoc          `json:"role"`
	Matrix        string           `json:"matrix"`
	Summary       summaryDoc       `json:"summary"`
	Levels        []levelDoc       `json:"levels"`
	Scale         []proficiencyDoc `json:"scale"`
	Categories    []categoryDoc    `json:"categories"`
	CareerPaths   []careerPathDoc  `json:"careerPaths"`
	Changelog     []changelogDoc   `json:"changelog"`
	// Locale is the BCP 47 tag of the texts and the FAQ.
	Locale string     `json:"locale"`
	FAQ    []FAQEntry `json:"faq"`
}

type roleDoc struct {
	Name        string `json:"name"`
	Namespace   string `json:"namespace"`
	DisplayName string `json:"displayName"`
	Family      string `json:"family"`
	Summary     string `json:"summary"`
}

type summaryDoc struct {
	Skills       int      `json:"skills"`
	Levels       int      `json:"levels"`
	Categories   int      `json:"categories"`
	Requirements int      `json:"requirements"`
	Required     int      `json:"required"`
	KeyAreas     []string `json:"keyAreas"`
}

type levelDoc struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	ShortName   string   `json:"shortName"`
	Description string   `json:"description"`
	Focus       string   `json:"focus"`
	TechStack   []string `json:"techStack"`
}

type proficiencyDoc struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Rank        int    `json:"rank"`
}

type categoryDoc struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Required    int        `json:"required"`
	Skills      []skillDoc `json:"skills"`
}

type skillDoc struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Cells       []cellDoc `json:"cells"`
}

type cellDoc struct {
	Level       string   `json:"level"`
	Proficiency string   `json:"proficiency"`
	Required    bool     `json:"required"`
	Description string   `json:"description,omitempty"`
	Examples    []string `json:"examples,omitempty"`
}

type careerPathDoc struct {
	Role        string `json:"role"`
	FromLevel   string `json:"fromLevel"`
	Description string `json:"description"`
}

type changelogDoc struct {
	Proposal   string    `json:"proposal"`
	UID        string    `json:"uid"`
	Title      string    `json:"title"`
	Author     string    `json:"author"`
	AppliedAt  time.Time `json:"appliedAt"`
	Generation int64     `json:"generation"`
	// Reverted is set while the Role no longer carries the change, and
	// RevertedCells names the cells (skill@level) that differ.
	Reverted      bool     `json:"reverted,omitempty"`
	RevertedCells []string `json:"revertedCells,omitempty"`
}

// JSON renders matrix.json: the versioned document portals and the CLI read.
func JSON(m *model.RoleMatrix) ([]byte, error) {
	if m == nil {
		m = &model.RoleMatrix{}
	}
	doc := matrixDoc{
		SchemaVersion: SchemaVersion,
		Role: roleDoc{
			Name:        m.Name,
			Namespace:   m.Namespace,
			DisplayName: m.DisplayName,
			Family:      m.Family,
			Summary:     m.Summary,
		},
		Matrix: m.MatrixName,
		Summary: summaryDoc{
			Skills:       m.Stats.Skills,
			Levels:       m.Stats.Levels,
			Categories:   m.Stats.Categories,
			Requirements: m.Stats.Requirements,
			Required:     m.Stats.Required,
			KeyAreas:     nonNil(m.Stats.KeyAreas),
		},
		Levels:      levelDocs(m.Levels),
		Scale:       scaleDocs(m.Scale),
		Categories:  make([]categoryDoc, 0, len(m.Categories)),
		CareerPaths: make([]careerPathDoc, 0, len(m.CareerPaths)),
		Changelog:   make([]changelogDoc, 0, len(m.Changelog)),
		Locale:      cmp.Or(m.Locale, DefaultLocale),
		FAQ:         FAQ(m),
	}
	for _, c := range m.Categories {
		cd := categoryDoc{
			ID:          c.ID,
			Name:        c.Name,
			Description: c.Description,
			Required:    c.Required,
			Skills:      make([]skillDoc, 0, len(c.Skills)),
		}
		for _, s := range c.Skills {
			sd := skillDoc{ID: s.ID, Name: s.Name, Description: s.Description, Cells: make([]cellDoc, 0, len(s.Cells))}
			for _, cell := range s.Cells {
				sd.Cells = append(sd.Cells, cellDoc{
					Level:       cell.Level,
					Proficiency: cell.Proficiency,
					Required:    cell.Required,
					Description: cell.Description,
					Examples:    cell.Examples,
				})
			}
			cd.Skills = append(cd.Skills, sd)
		}
		doc.Categories = append(doc.Categories, cd)
	}
	for _, p := range m.CareerPaths {
		doc.CareerPaths = append(doc.CareerPaths, careerPathDoc(p))
	}
	for _, e := range m.Changelog {
		doc.Changelog = append(doc.Changelog, changelogDoc{
			Proposal:      e.Proposal,
			UID:           e.UID,
			Title:         e.Title,
			Author:        e.Author,
			AppliedAt:     e.AppliedAt.UTC(),
			Generation:    e.Generation,
			Reverted:      e.Reverted(),
			RevertedCells: e.RevertedCells,
		})
	}
	return marshal(doc)
}

func levelDocs(levels []model.Level) []levelDoc {
	out := make([]levelDoc, 0, len(levels))
	for _, l := range levels {
		out = append(out, levelDoc{
			ID:          l.ID,
			Name:        l.Name,
			ShortName:   l.ShortName,
			Description: l.Description,
			Focus:       l.Focus,
			TechStack:   nonNil(l.TechStack),
		})
	}
	return out
}

func scaleDocs(scale []model.Proficiency) []proficiencyDoc {
	out := make([]proficiencyDoc, 0, len(scale))
	for _, p := range scale {
		out = append(out, proficiencyDoc(p))
	}
	return out
}

// marshal indents with two spaces and ends with a newline, so the document
// reads well in `kubectl get cm -o yaml` and diffs line by line. HTML escaping
// is off: the document is served as JSON, never inlined into a page, and
// "Cloud \u0026 Infrastructure" would only hurt people reading it.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
