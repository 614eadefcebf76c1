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

package validation_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/validation"
)

// CheckRole refuses what the operator refuses, in the words of the status it
// would write: the SkillMatrix first, then the Role against it.
func TestCheckRole(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(m *v1alpha1.SkillMatrix, r *v1alpha1.Role)
		valid bool
		// matrixErr: an *InvalidMatrixError, else an *InvalidRoleError.
		matrixErr bool
		want      string
	}{
		{name: "valid", edit: func(*v1alpha1.SkillMatrix, *v1alpha1.Role) {}, valid: true},
		{name: "a warning is no error", valid: true, edit: func(_ *v1alpha1.SkillMatrix, r *v1alpha1.Role) {
			r.Spec.Skills[0].Cells[2].Proficiency = "A" // drops from V: DecreasingProficiency
		}},
		{name: "a level listed twice", matrixErr: true, edit: func(m *v1alpha1.SkillMatrix, _ *v1alpha1.Role) {
			m.Spec.Levels = append(m.Spec.Levels, m.Spec.Levels[2])
		}, want: `SkillMatrix "engineering" is invalid: 1 problem: spec.levels[3].id: level id "senior" is a duplicate of spec.levels[2].id`},
		{name: "a skill id in two categories", matrixErr: true, edit: func(m *v1alpha1.SkillMatrix, _ *v1alpha1.Role) {
			m.Spec.Categories[1].Skills[0].ID = "docker"
		}, want: `SkillMatrix "engineering" is invalid: 1 problem: spec.categories[1].skills[0].id: skill "docker" is in both category`},
		{name: "a broken matrix is reported before the Role", matrixErr: true, edit: func(m *v1alpha1.SkillMatrix, r *v1alpha1.Role) {
			m.Spec.Proficiencies = append(m.Spec.Proficiencies, m.Spec.Proficiencies[0])
			r.Spec.Skills[0].Cells[0].Proficiency = "X"
		}, want: `SkillMatrix "engineering" is invalid: 1 problem: spec.proficiencies[4].id: proficiency id "A" is a duplicate`},
		{name: "an unknown proficiency", edit: func(_ *v1alpha1.SkillMatrix, r *v1alpha1.Role) {
			r.Spec.Skills[0].Cells[0].Proficiency = "X"
		}, want: `career Role "mlops-engineer" is invalid: 1 problem against SkillMatrix "engineering": spec.skills[0].cells[0].proficiency: ` +
			`skill "docker" at level "junior" has unknown proficiency "X"`},
		{name: "a skill listed twice", edit: func(_ *v1alpha1.SkillMatrix, r *v1alpha1.Role) {
			r.Spec.Skills = append(r.Spec.Skills, r.Spec.Skills[0])
		}, want: `career Role "mlops-engineer" is invalid: 1 problem against SkillMatrix "engineering": spec.skills[3].id: `},
		{name: "two problems are counted", edit: func(_ *v1alpha1.SkillMatrix, r *v1alpha1.Role) {
			r.Spec.Skills[0].Cells[0].Proficiency = "X"
			r.Spec.Skills[1].Cells[0].Proficiency = "Y"
		}, want: `career Role "mlops-engineer" is invalid: 2 problems against SkillMatrix "engineering": `},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := &v1alpha1.SkillMatrix{Spec: *smallMatrix()}
			m.Name = "engineering"
			r := &v1alpha1.Role{Spec: *smallRole()}
			r.Name = "mlops-engineer"
			tc.edit(m, r)
			err := validation.CheckRole(m, r)
			if tc.valid {
				if err != nil {
					t.Fatalf("CheckRole = %v, want nil", err)
				}
				return
			}
			_, isMatrix := errors.AsType[*validation.InvalidMatrixError](err)
			_, isRole := errors.AsType[*validation.InvalidRoleError](err)
			if isMatrix != tc.matrixErr || isRole == tc.matrixErr {
				t.Errorf("CheckRole = %T, want the matrix's error: %v", err, tc.matrixErr)
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("CheckRole = %v\nwant it to start with %s", err, tc.want)
			}
		})
	}
}

// The messages are the operator's status messages: the count, then at most
// MaxReported problems, the rest counted.
func TestErrorMessagesAreBounded(t *testing.T) {
	spec := smallMatrix()
	for range 12 {
		spec.Levels = append(spec.Levels, spec.Levels[0])
	}
	r := validation.Matrix(spec)
	msg := r.MatrixErrorMessage()
	if !strings.HasPrefix(msg, "12 problems: spec.levels[3].id: ") || !strings.HasSuffix(msg, "; and 4 more") ||
		strings.Count(msg, "is a duplicate of") != validation.MaxReported {
		t.Errorf("MatrixErrorMessage = %s", msg)
	}
	if got := r.RoleErrorMessage("engineering"); !strings.HasPrefix(got, `12 problems against SkillMatrix "engineering": spec.levels[3].id`) {
		t.Errorf("RoleErrorMessage = %s", got)
	}
}
