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

package model

import (
	"cmp"
	"slices"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// Catalog is what the SkillMatrix controller publishes: the framework plus an
// index of its Roles and the career-path graph between them.
type Catalog struct {
	Name, Namespace, DisplayName, Description string
	Levels                                    []Level
	Scale                                     []Proficiency
	// Categories is the whole catalog; skills carry no cells.
	Categories []Category
	Roles      []CatalogRole // sorted by Name
	Paths      []PathEdge    // sorted by From, To
}

// CatalogRole is one Role in the catalog's index.
type CatalogRole struct {
	Name, DisplayName, Family, ConfigMap string
	Ready                                bool
	Skills, Required                     int
}

// PathEdge is a career path from one Role to another. Missing means To names
// no Role using this matrix: a dangling link a portal should not offer.
type PathEdge struct {
	From, To, FromLevel, Description string
	Missing                          bool
}

// BuildCatalog indexes the Roles that reference matrix. Roles that reference
// another matrix or live in another namespace are ignored, so callers may pass
// a whole namespace's list. Ready comes from the Role's Ready condition;
// Skills and Required from role.Status.Summary when the Role controller has
// written it, otherwise they are computed from the spec.
func BuildCatalog(matrix *v1alpha1.SkillMatrix, roles []v1alpha1.Role) *Catalog {
	if matrix == nil {
		matrix = &v1alpha1.SkillMatrix{}
	}
	c := &Catalog{
		Name:        matrix.Name,
		Namespace:   matrix.Namespace,
		DisplayName: text(matrix.Spec.DisplayName),
		Description: text(matrix.Spec.Description),
		Levels:      matrixLevels(matrix),
		Scale:       scale(matrix),
		Categories:  catalogCategories(matrix),
	}
	var members []*v1alpha1.Role
	for i := range roles {
		r := &roles[i]
		if !usesMatrix(matrix, r) {
			continue
		}
		members = append(members, r)
		c.Roles = append(c.Roles, catalogRole(matrix, r))
	}
	slices.SortStableFunc(c.Roles, func(a, b CatalogRole) int { return cmp.Compare(a.Name, b.Name) })

	for _, r := range members {
		for _, p := range r.Spec.CareerPaths {
			to := string(p.Role)
			_, found := slices.BinarySearchFunc(c.Roles, to, func(cr CatalogRole, name string) int {
				return cmp.Compare(cr.Name, name)
			})
			c.Paths = append(c.Paths, PathEdge{
				From:        r.Name,
				To:          to,
				FromLevel:   string(p.FromLevel),
				Description: text(p.Description),
				Missing:     !found,
			})
		}
	}
	slices.SortStableFunc(c.Paths, func(a, b PathEdge) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	return c
}

func usesMatrix(matrix *v1alpha1.SkillMatrix, r *v1alpha1.Role) bool {
	if matrix.Name != "" && string(r.Spec.MatrixRef) != matrix.Name {
		return false
	}
	return matrix.Namespace == "" || r.Namespace == "" || r.Namespace == matrix.Namespace
}

func catalogRole(matrix *v1alpha1.SkillMatrix, r *v1alpha1.Role) CatalogRole {
	cr := CatalogRole{
		Name:        r.Name,
		DisplayName: text(r.Spec.DisplayName),
		Family:      text(r.Spec.Family),
		ConfigMap:   r.Status.ConfigMapName,
	}
	for _, cond := range r.Status.Conditions {
		if cond.Type == v1alpha1.ConditionReady {
			cr.Ready = cond.Status == "True"
		}
	}
	if s := r.Status.Summary; s != nil {
		cr.Skills, cr.Required = int(s.Skills), int(s.Required)
	} else {
		stats := BuildRole(matrix, r).Stats
		cr.Skills, cr.Required = stats.Skills, stats.Required
	}
	return cr
}
