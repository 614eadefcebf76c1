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

package validation

import (
	"fmt"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// MaxReported is how many problems a message spells out before "; and N
// more": the operator's status conditions and the CLI's errors alike.
const MaxReported = 8

// MatrixErrorMessage is the message of a SkillMatrix's Valid condition when
// its spec has errors: "2 problems: a; b".
func (r Result) MatrixErrorMessage() string {
	return fmt.Sprintf("%s: %s", text.Plural(len(r.Errors()), "problem", "problems"), r.Summary(SeverityError, MaxReported))
}

// RoleErrorMessage is the message of a Role's Valid condition when its spec
// has errors against SkillMatrix matrix: "2 problems against SkillMatrix
// "engineering": a; b".
func (r Result) RoleErrorMessage(matrix string) string {
	return fmt.Sprintf("%s against SkillMatrix %q: %s", text.Plural(len(r.Errors()), "problem", "problems"), matrix,
		r.Summary(SeverityError, MaxReported))
}

// InvalidMatrixError is a SkillMatrix whose spec has errors. Its message is
// the one the operator's Valid condition of the SkillMatrix shows, after the
// SkillMatrix's name, so the CLI refuses a file in the words of the cluster.
type InvalidMatrixError struct {
	Matrix string
	Result Result
}

func (e *InvalidMatrixError) Error() string {
	return fmt.Sprintf("SkillMatrix %q is invalid: %s", e.Matrix, e.Result.MatrixErrorMessage())
}

// InvalidRoleError is a Role whose spec has errors against its SkillMatrix,
// worded as the operator's Valid condition of the Role after its name.
type InvalidRoleError struct {
	Role, Matrix string
	Result       Result
}

func (e *InvalidRoleError) Error() string {
	return fmt.Sprintf("career Role %q is invalid: %s", e.Role, e.Result.RoleErrorMessage(e.Matrix))
}

// CheckMatrix is nil when the SkillMatrix's spec has no errors, else an
// *InvalidMatrixError. Warnings do not count: the operator publishes a
// SkillMatrix that has only warnings.
func CheckMatrix(matrix *v1alpha1.SkillMatrix) error {
	if r := Matrix(&matrix.Spec); r.HasErrors() {
		return &InvalidMatrixError{Matrix: matrix.Name, Result: r}
	}
	return nil
}

// CheckRole is nil when the SkillMatrix and the Role against it have no
// errors, else an *InvalidMatrixError or an *InvalidRoleError. The
// SkillMatrix comes first, as in the Role's reconciler: against a broken
// matrix (a level listed twice, say) a Role's figures mean nothing.
func CheckRole(matrix *v1alpha1.SkillMatrix, role *v1alpha1.Role) error {
	if err := CheckMatrix(matrix); err != nil {
		return err
	}
	if r := Role(&role.Spec, &matrix.Spec); r.HasErrors() {
		return &InvalidRoleError{Role: role.Name, Matrix: matrix.Name, Result: r}
	}
	return nil
}
