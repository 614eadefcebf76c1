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
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/validation"
)

var knownKinds = map[validation.Kind]bool{
	validation.KindUnknownSkill: true, validation.KindUnknownLevel: true, validation.KindUnknownProficiency: true,
	validation.KindMissingCell: true, validation.KindDuplicateCell: true, validation.KindDuplicateSkill: true,
	validation.KindDuplicateID: true, validation.KindEmptyCategory: true, validation.KindDecreasingProficiency: true,
	validation.KindInvalidValue: true,
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// FuzzRole feeds arbitrary bytes for a SkillMatrix spec and a Role spec. The
// schema is not applied first, on purpose: the validator must cope with
// anything a decoder can produce. Each input is one of:
//   - empty: a nil spec;
//   - editMarker then bytes: edits to the MLOps Engineer sample (see editRole
//     and editMatrix), since random mutations of JSON mostly break it and so
//     rarely reach the validator with a near-valid spec;
//   - JSON of the spec; anything else falls back to a small valid fixture.
//
// Edit mode needs its marker rather than taking over every non-JSON input: a
// mutated 20 KB sample would otherwise turn into new coverage in edit mode,
// and the fuzzer then spends its whole run minimizing 20 KB inputs.
func FuzzRole(f *testing.F) {
	sampleMatrix, sampleRole := loadSamples(f)
	f.Add(mustJSON(f, withoutProse(sampleMatrix)), mustJSON(f, withoutProseRole(sampleRole)))
	f.Add(mustJSON(f, smallMatrix()), mustJSON(f, smallRole()))
	f.Add(mustJSON(f, smallMatrix()), mustJSON(f, manyProblemsRole()))
	f.Add([]byte(`{}`), []byte(`{}`))
	f.Add([]byte{}, []byte(`{"matrixRef":"x"}`))
	f.Add([]byte(`{"levels":[{"id":"a"},{"id":"a"},{"id":""}],"proficiencies":[{"id":""},{"id":"B"}],`+
		`"categories":[{"id":"c","skills":[{"id":"s"},{"id":"s"}]},{"id":"c"}]}`),
		[]byte(`{"levels":[{"level":"z"}],"skills":[{"id":"t","cells":[{"level":"a","proficiency":"X"},{"level":"a"},`+
			`{"level":"q"},{"level":"q","proficiency":"B"}]},{"id":""},{"id":"s"},{"id":"s"}],"careerPaths":[{"role":"r","fromLevel":"z"},{"role":"r"}]}`))
	f.Add([]byte(editMarker+"\x00\x01\x02\x03\x04\x05\x06\x07"),
		[]byte(editMarker+"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11"))
	f.Add([]byte(editMarker), []byte(editMarker+"\x05\x00\x00\x06\x03\x00\x00\x00\xff"))

	f.Fuzz(func(t *testing.T, matrixData, roleData []byte) {
		matrix := specFrom(matrixData, smallMatrix, func(edits []byte) *v1alpha1.SkillMatrixSpec {
			return editMatrix(sampleMatrix.DeepCopy(), edits)
		})
		role := specFrom(roleData, smallRole, func(edits []byte) *v1alpha1.RoleSpec {
			return editRole(sampleRole.DeepCopy(), sampleMatrix, edits)
		})

		mres := validation.Matrix(matrix)
		rres := validation.Role(role, matrix)
		checkInvariants(t, "Matrix", mres)
		checkInvariants(t, "Role", rres)

		if again := validation.Matrix(matrix); !reflect.DeepEqual(again, mres) {
			t.Errorf("Matrix() is not deterministic:\n%v\n%v", mres, again)
		}
		if again := validation.Role(role, matrix); !reflect.DeepEqual(again, rres) {
			t.Errorf("Role() is not deterministic:\n%v\n%v", rres, again)
		}
	})
}

// withoutProse drops the descriptions the validator never reads: the seed is
// half the size, so each mutation of it decodes, and minimizes, faster.
func withoutProse(m *v1alpha1.SkillMatrixSpec) *v1alpha1.SkillMatrixSpec {
	m = m.DeepCopy()
	m.Description = ""
	for i := range m.Levels {
		m.Levels[i].Description = ""
	}
	for i := range m.Proficiencies {
		m.Proficiencies[i].Description = ""
	}
	for i := range m.Categories {
		m.Categories[i].Description = ""
		for j := range m.Categories[i].Skills {
			m.Categories[i].Skills[j].Description = ""
		}
	}
	return m
}

func withoutProseRole(r *v1alpha1.RoleSpec) *v1alpha1.RoleSpec {
	r = r.DeepCopy()
	r.Summary = ""
	for i := range r.Levels {
		r.Levels[i].Focus, r.Levels[i].TechStack = "", nil
	}
	for i := range r.CareerPaths {
		r.CareerPaths[i].Description = ""
	}
	return r
}

const editMarker = "!"

// specFrom turns fuzz bytes into a spec as FuzzRole describes.
func specFrom[T any](data []byte, fixture func() *T, edit func([]byte) *T) *T {
	if len(data) == 0 {
		return nil
	}
	if edits, ok := strings.CutPrefix(string(data), editMarker); ok {
		return edit([]byte(edits))
	}
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return fixture()
	}
	return &v
}

// oddIDs are ids a spec should not use: empty, unknown, a typo, bytes no id
// may hold, and longer than any id.
var oddIDs = []string{"", "staff", "X", "dokcer", "é\x00\n\"", strings.Repeat("long-", 40)}

// pick chooses from the ids a spec should use plus oddIDs.
func pick[S ~string](valid []S, b byte) S {
	i := int(b) % (len(valid) + len(oddIDs))
	if i < len(valid) {
		return valid[i]
	}
	return S(oddIDs[i-len(valid)])
}

// maxEdits bounds an edit script: a long input would otherwise grow the Role
// without limit and slow every execution, and every bug seen so far needs a
// few edits, not thousands.
const maxEdits = 64

func clip(data []byte, width int) []byte {
	return data[:min(len(data), maxEdits*width)]
}

// editRole applies data, read three bytes at a time as (op, a, b), to role.
// Each op breaks the spec the way a hand edit or a bad merge would.
func editRole(role *v1alpha1.RoleSpec, matrix *v1alpha1.SkillMatrixSpec, data []byte) *v1alpha1.RoleSpec {
	levels := make([]v1alpha1.ID, 0, len(matrix.Levels))
	for _, l := range matrix.Levels {
		levels = append(levels, l.ID)
	}
	profs := make([]v1alpha1.ProficiencyID, 0, len(matrix.Proficiencies))
	for _, p := range matrix.Proficiencies {
		profs = append(profs, p.ID)
	}
	var skills []v1alpha1.ID
	for _, c := range matrix.Categories {
		for _, s := range c.Skills {
			skills = append(skills, s.ID)
		}
	}
	for data = clip(data, 3); len(data) >= 3; data = data[3:] {
		op, a, b := data[0], int(data[1]), data[2]
		if len(role.Skills) == 0 {
			role.Skills = append(role.Skills, v1alpha1.SkillRequirement{ID: pick(skills, b)})
			continue
		}
		row := &role.Skills[a%len(role.Skills)]
		switch op % 9 {
		case 0:
			row.ID = pick(skills, b)
		case 1, 2, 3:
			if len(row.Cells) == 0 {
				row.Cells = append(row.Cells, v1alpha1.Cell{Level: pick(levels, b), Proficiency: pick(profs, b)})
				continue
			}
			cell := &row.Cells[int(b)%len(row.Cells)]
			switch op % 9 {
			case 1:
				cell.Level = pick(levels, b/3)
			case 2:
				cell.Proficiency = pick(profs, b/3)
			default:
				row.Cells = append(row.Cells[:int(b)%len(row.Cells)], row.Cells[int(b)%len(row.Cells)+1:]...)
			}
		case 4:
			row.Cells = append(row.Cells, v1alpha1.Cell{Level: pick(levels, b), Proficiency: pick(profs, b/7)})
		case 5:
			role.Skills = append(role.Skills, *row.DeepCopy())
		case 6:
			role.Skills = append(role.Skills[:a%len(role.Skills)], role.Skills[a%len(role.Skills)+1:]...)
		case 7:
			role.Levels = append(role.Levels, v1alpha1.RoleLevel{Level: pick(levels, b)})
		default:
			role.CareerPaths = append(role.CareerPaths,
				v1alpha1.CareerPath{Role: pick([]v1alpha1.ObjectName{"ml-engineer"}, b), FromLevel: pick(levels, b/5)})
		}
	}
	return role
}

// editMatrix applies data, read two bytes at a time as (op, a), to matrix.
func editMatrix(m *v1alpha1.SkillMatrixSpec, data []byte) *v1alpha1.SkillMatrixSpec {
	for data = clip(data, 2); len(data) >= 2; data = data[2:] {
		op, a := data[0], int(data[1])
		switch op % 7 {
		case 0:
			if len(m.Levels) > 0 {
				m.Levels = append(m.Levels[:a%len(m.Levels)], m.Levels[a%len(m.Levels)+1:]...)
			}
		case 1:
			m.Levels = append(m.Levels, v1alpha1.Level{ID: pick([]v1alpha1.ID{"junior", "lead"}, byte(a)), Name: "L"})
		case 2:
			m.Proficiencies = append(m.Proficiencies, v1alpha1.Proficiency{ID: pick([]v1alpha1.ProficiencyID{"A", "W"}, byte(a))})
		case 3:
			if len(m.Proficiencies) > 0 {
				i, j := a%len(m.Proficiencies), (a/16)%len(m.Proficiencies)
				m.Proficiencies[i], m.Proficiencies[j] = m.Proficiencies[j], m.Proficiencies[i]
			}
		case 4:
			if len(m.Categories) > 0 {
				c := &m.Categories[a%len(m.Categories)]
				c.Skills = c.Skills[:len(c.Skills)/2]
			}
		case 5:
			// Copying a category into another doubles at worst; the cap keeps a
			// short input from building a catalog of millions.
			if len(m.Categories) > 1 && catalogSize(m) <= 2*v1alpha1.MaxSkills {
				from, to := &m.Categories[a%len(m.Categories)], &m.Categories[(a+1)%len(m.Categories)]
				to.Skills = append(to.Skills, from.Skills...)
			}
		default:
			m.Categories = append(m.Categories, v1alpha1.Category{ID: pick([]v1alpha1.ID{"api-integration"}, byte(a))})
		}
	}
	return m
}

// checkInvariants holds for any input: every problem can be shown in a status
// condition, counted in a metric, and located in the object.
func checkInvariants(t *testing.T, what string, res validation.Result) {
	t.Helper()
	for i, p := range res.Problems {
		if p.Kind == "" || p.Field == "" || p.Message == "" {
			t.Fatalf("%s problem %d has an empty Kind, Field or Message: %+v", what, i, p)
		}
		if !knownKinds[p.Kind] {
			t.Errorf("%s problem %d has unknown kind %q", what, i, p.Kind)
		}
		if want := p.Kind == validation.KindDecreasingProficiency; (p.Severity == validation.SeverityWarning) != want ||
			(p.Severity != validation.SeverityWarning && p.Severity != validation.SeverityError) {
			t.Errorf("%s problem %d: kind %s has severity %q", what, i, p.Kind, p.Severity)
		}
		if !strings.HasPrefix(p.Message, p.Field+": ") {
			t.Errorf("%s problem %d: message %q does not start with its field %q", what, i, p.Message, p.Field)
		}
		if !utf8.ValidString(p.Message) || strings.ContainsAny(p.Message, "\n\r") {
			t.Errorf("%s problem %d: message is not one line of valid UTF-8: %q", what, i, p.Message)
		}
	}
	total := 0
	for _, n := range res.CountByKind() {
		total += n
	}
	if total != len(res.Problems) || len(res.Errors())+len(res.Warnings()) != len(res.Problems) {
		t.Errorf("%s: CountByKind, Errors and Warnings do not add up to %d problems", what, len(res.Problems))
	}
	for _, sev := range []validation.Severity{validation.SeverityError, validation.SeverityWarning} {
		if s := res.Summary(sev, 0); len(s) > 32<<10 || !utf8.ValidString(s) {
			t.Errorf("%s: Summary(%s) is %d bytes or not valid UTF-8", what, sev, len(s))
		}
	}
}

func catalogSize(m *v1alpha1.SkillMatrixSpec) int {
	n := 0
	for _, c := range m.Categories {
		n += len(c.Skills)
	}
	return n
}
