package manifestedit

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// BenchmarkEditSample edits the shipped MLOps Engineer sample (56 skills,
// 280 cells) with ten changes.
func BenchmarkEditSample(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("..", "..", "config", "samples", "career_v1alpha1_role.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	role, err := decodeRole(src)
	if err != nil {
		b.Fatal(err)
	}
	changes := make([]v1alpha1.Change, 0, 10)
	for _, row := range role.Spec.Skills[:10] {
		changes = append(changes, v1alpha1.Change{Op: v1alpha1.OpSetRequired, Skill: row.ID, Level: row.Cells[0].Level, Required: new(!row.Cells[0].Required)})
	}
	target := RoleTarget("career", role.Name)
	for b.Loop() {
		if _, err := Edit(src, target, changes); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEditLargest edits a Role of the schema's maximum size (500 skills
// over 12 levels) with the maximum of 100 changes, each change parsing the
// document again.
func BenchmarkEditLargest(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(roleHead + "spec:\n  matrixRef: m\n  displayName: R\n  skills:\n")
	for i := range v1alpha1.MaxSkills {
		fmt.Fprintf(&sb, "    - id: skill-%d\n      cells:\n", i)
		for l := range v1alpha1.MaxLevels {
			fmt.Fprintf(&sb, "        - {level: l%d, proficiency: A}\n", l)
		}
	}
	src := []byte(sb.String())
	changes := make([]v1alpha1.Change, v1alpha1.MaxChanges)
	for i := range changes {
		changes[i] = v1alpha1.Change{Op: v1alpha1.OpSetProficiency, Skill: v1alpha1.ID(fmt.Sprint("skill-", i*5)), Level: "l3", Proficiency: "E"}
	}
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Edit(src, RoleTarget("career", "r"), changes); err != nil {
			b.Fatal(err)
		}
	}
}
