package manifestedit

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// style is how the generated file is written.
type style struct {
	indent    int
	flushDash bool
	flowCells bool
	comments  bool
	flowStack bool
}

var (
	levelIDs = []v1alpha1.ID{"junior", "middle", "senior", "lead"}
	skillIDs = []v1alpha1.ID{"go", "python", "rust", "sql", "k8s", "yes", "123"}
	profs    = []v1alpha1.ProficiencyID{"A", "W", "V", "E", "N", "Y"}
	texts    = []string{"Python", "cost control", "Setting up ML pipelines and more", "a: b", "yes", "multi\nline", "Größe", "say \"hi\"", "#tag", "", "x, y", "- dash"}
)

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

func genSpec(r *rand.Rand) v1alpha1.RoleSpec {
	spec := v1alpha1.RoleSpec{MatrixRef: "m", DisplayName: "R"}
	levels := levelIDs[:2+r.IntN(3)]
	for _, l := range levels {
		if r.IntN(3) > 0 {
			lv := v1alpha1.RoleLevel{Level: l, Focus: pick(r, texts)}
			for range r.IntN(3) {
				lv.TechStack = append(lv.TechStack, pick(r, texts[:8]))
			}
			spec.Levels = append(spec.Levels, lv)
		}
	}
	for _, id := range skillIDs[:r.IntN(len(skillIDs))] {
		row := v1alpha1.SkillRequirement{ID: id}
		for _, l := range levels {
			c := v1alpha1.Cell{Level: l, Proficiency: pick(r, profs), Required: r.IntN(2) == 0}
			if r.IntN(4) == 0 {
				c.Description = pick(r, texts)
			}
			row.Cells = append(row.Cells, c)
		}
		spec.Skills = append(spec.Skills, row)
	}
	return spec
}

// quote writes any string as a JSON string, which YAML reads as a double-quoted scalar.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// scalarText writes s plain when it is a simple word list, else quoted.
func scalarText(r *rand.Rand, s string) string {
	plain := s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ ") == "" &&
		s != "yes" && !strings.HasSuffix(s, " ")
	switch {
	case plain && r.IntN(3) == 0:
		return "'" + s + "'"
	case plain:
		return s
	}
	return quote(s)
}

// focusText also writes folded block scalars and plain scalars that wrap
// over two lines.
func focusText(r *rand.Rand, s, pad string) string {
	words := strings.Fields(s)
	simple := strings.Join(words, " ") == s && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ ") == ""
	switch {
	case simple && len(words) > 2 && r.IntN(2) == 0:
		return strings.Join(words[:2], " ") + "\n" + pad + strings.Join(words[2:], " ")
	case !strings.Contains(s, "\n") && strings.TrimSpace(s) == s && s != "" && r.IntN(3) == 0:
		return ">-\n" + pad + s
	case strings.Contains(s, "\n") && r.IntN(2) == 0:
		return "|-\n" + pad + strings.ReplaceAll(s, "\n", "\n"+pad)
	}
	return scalarText(r, s)
}

func writeRole(r *rand.Rand, spec v1alpha1.RoleSpec, st style) string {
	var b strings.Builder
	in := func(n int) string { return strings.Repeat(" ", n*st.indent) }
	dash := func(n int) string { // the dash of a list whose key is at depth n
		if st.flushDash {
			return in(n)
		}
		return in(n + 1)
	}
	item := func(n int) string { return dash(n) + "  " } // the keys of an item
	b.WriteString("apiVersion: career.skillmatrix.dev/v1alpha1\nkind: Role\nmetadata:\n" + in(1) + "name: r\nspec:\n")
	b.WriteString(in(1) + "matrixRef: m\n" + in(1) + "displayName: " + quote(spec.DisplayName) + "\n")
	if len(spec.Levels) > 0 {
		b.WriteString(in(1) + "levels:\n")
		for _, l := range spec.Levels {
			b.WriteString(dash(1) + "- level: " + string(l.Level) + "\n")
			if l.Focus != "" {
				b.WriteString(item(1) + "focus: " + focusText(r, l.Focus, strings.Repeat(" ", len(item(1))+st.indent)) + "\n")
			}
			if len(l.TechStack) > 0 && st.flowStack {
				items := make([]string, len(l.TechStack))
				for i, s := range l.TechStack {
					items[i] = quote(s)
				}
				b.WriteString(item(1) + "techStack: [" + strings.Join(items, ", ") + "]\n")
			} else if len(l.TechStack) > 0 {
				b.WriteString(item(1) + "techStack:\n")
				for _, s := range l.TechStack {
					b.WriteString(strings.Repeat(" ", len(item(1))) + dash(0) + "- " + scalarText(r, s) + "\n")
				}
			}
		}
	}
	if len(spec.Skills) > 0 {
		b.WriteString(in(1) + "skills:\n")
	}
	for _, row := range spec.Skills {
		if st.comments {
			b.WriteString(dash(1) + "# about " + string(row.ID) + "\n")
		}
		b.WriteString(dash(1) + "- id: " + quote(string(row.ID)) + "\n" + item(1) + "cells:\n")
		pad := strings.Repeat(" ", len(item(1))) + dash(0)
		for _, c := range row.Cells {
			writeCell(&b, r, c, st, pad)
		}
		if st.comments {
			b.WriteString("\n")
		}
	}
	return b.String()
}

func writeCell(b *strings.Builder, r *rand.Rand, c v1alpha1.Cell, st style, pad string) {
	fields := []string{"level: " + string(c.Level), "proficiency: " + quote(string(c.Proficiency))}
	if c.Required || r.IntN(3) == 0 {
		fields = append(fields, fmt.Sprintf("required: %v", c.Required))
	}
	if c.Description != "" {
		fields = append(fields, "description: "+quote(c.Description))
	}
	if st.flowCells {
		b.WriteString(pad + "- {" + strings.Join(fields, ", ") + "}")
	} else {
		b.WriteString(pad + "- " + strings.Join(fields, "\n"+pad+"  "))
	}
	if st.comments && r.IntN(2) == 0 {
		b.WriteString("  # note")
	}
	b.WriteString("\n")
}

func genChanges(r *rand.Rand, spec v1alpha1.RoleSpec) []v1alpha1.Change {
	n := 1 + r.IntN(8)
	out := make([]v1alpha1.Change, 0, n)
	for range n {
		out = append(out, genChange(r, spec))
	}
	return out
}

func genChange(r *rand.Rand, spec v1alpha1.RoleSpec) v1alpha1.Change {
	skill, level := pick(r, skillIDs), pick(r, levelIDs)
	if len(spec.Skills) > 0 && r.IntN(4) > 0 {
		row := pick(r, spec.Skills)
		skill, level = row.ID, pick(r, row.Cells).Level
	}
	withFrom := r.IntN(2) == 0
	switch r.IntN(6) {
	case 0:
		c := v1alpha1.Change{Op: v1alpha1.OpSetProficiency, Skill: skill, Level: level, Proficiency: pick(r, profs)}
		if withFrom {
			c.From = &v1alpha1.ChangeValue{Proficiency: pick(r, profs)}
		}
		return c
	case 1:
		c := v1alpha1.Change{Op: v1alpha1.OpSetRequired, Skill: skill, Level: level, Required: new(r.IntN(2) == 0)}
		if withFrom {
			c.From = &v1alpha1.ChangeValue{Required: new(r.IntN(2) == 0)}
		}
		return c
	case 2:
		c := v1alpha1.Change{Op: v1alpha1.OpSetFocus, Level: pick(r, levelIDs), Focus: new(pick(r, texts))}
		if withFrom {
			c.From = &v1alpha1.ChangeValue{Focus: new(pick(r, texts))}
		}
		return c
	case 3:
		c := v1alpha1.Change{Op: v1alpha1.OpSetTechStack, Level: pick(r, levelIDs), TechStack: []string{pick(r, texts[:8]), pick(r, texts[:8])}[:r.IntN(3)]}
		if withFrom {
			c.From = &v1alpha1.ChangeValue{TechStack: []string{pick(r, texts[:8])}}
		}
		return c
	case 4:
		return v1alpha1.Change{Op: v1alpha1.OpAddSkill, Skill: pick(r, skillIDs), Cells: []v1alpha1.Cell{
			{Level: "junior", Proficiency: pick(r, profs), Required: true, Description: pick(r, texts), Examples: []string{pick(r, texts[:8])}},
			{Level: "senior", Proficiency: pick(r, profs)}}}
	default:
		return v1alpha1.Change{Op: v1alpha1.OpRemoveSkill, Skill: skill}
	}
}

// checkEdit is the property: Edit refuses a document it cannot splice as
// not plain; for any other it refuses exactly what governance.Apply
// refuses, with the same conflicts; otherwise the edited document reads as
// governance.Apply of the original, and the rest of the file is unchanged.
func checkEdit(t *testing.T, src []byte, changes []v1alpha1.Change, mustSucceed bool) {
	t.Helper()
	target := RoleTarget("career", "r")
	out, err := Edit(src, target, changes)
	doc, lerr := locate(src, target)
	if lerr != nil {
		if err == nil {
			t.Fatalf("edited a file without one Role document")
		}
		return
	}
	// A document Edit cannot splice (no spec mapping, a template, a
	// partial patch) is refused as not plain before any change is checked:
	// its changes have nothing in the file to be checked against.
	if p, perr := parseDocument(src[doc.start:doc.end]); perr != nil || refuseUnplain(src[doc.start:doc.end], p) != nil {
		if !errors.Is(err, ErrNotPlain) {
			t.Fatalf("got %v for a document that is not plain, want ErrNotPlain", err)
		}
		return
	}
	orig, derr := decodeRole(src[doc.start:doc.end])
	if derr != nil {
		if err == nil {
			t.Fatalf("edited a document that does not decode")
		}
		return
	}
	want, conflicts := governance.Apply(&orig.Spec, changes)
	var ce *ConflictError
	switch {
	case len(conflicts) > 0:
		if !errors.As(err, &ce) || !reflect.DeepEqual(ce.Conflicts, conflicts) {
			t.Fatalf("got %v, want conflicts %+v", err, conflicts)
		}
		return
	case err != nil && mustSucceed:
		t.Fatalf("Edit: %v\n%s\nchanges %+v", err, src, changes)
	case err != nil:
		return
	}
	tail := src[doc.end:]
	if !strings.HasPrefix(string(out), string(src[:doc.start])) || !strings.HasSuffix(string(out), string(tail)) {
		t.Fatalf("bytes outside the Role's document changed")
	}
	got, err := decodeRole(out[doc.start : len(out)-len(tail)])
	if err != nil {
		t.Fatal(err)
	}
	gj, _ := json.Marshal(got.Spec)
	wj, _ := json.Marshal(want)
	if string(gj) != string(wj) {
		t.Fatalf("edited spec\n%s\nwant\n%s", gj, wj)
	}
}

func TestEditProperty(t *testing.T) {
	const others = "# a comment\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\n---\n"
	for seed := range uint64(1500) {
		r := rand.New(rand.NewPCG(seed, 7))
		st := style{indent: 2 + 2*r.IntN(2), flushDash: r.IntN(2) == 0, flowCells: r.IntN(2) == 0, comments: r.IntN(2) == 0, flowStack: r.IntN(2) == 0}
		spec := genSpec(r)
		src := others + writeRole(r, spec, st) + "---\n" + others
		changes := genChanges(r, spec)
		t.Run(fmt.Sprint(seed), func(t *testing.T) { checkEdit(t, []byte(src), changes, true) })
	}
}

func FuzzEdit(f *testing.F) {
	f.Add(roleHead+roleBody, `[{"op":"SetProficiency","skill":"go","level":"junior","proficiency":"W"}]`)
	f.Fuzz(func(t *testing.T, src, changesJSON string) {
		var changes []v1alpha1.Change
		if json.Unmarshal([]byte(changesJSON), &changes) != nil || len(changes) == 0 || len(changes) > 8 {
			return
		}
		checkEdit(t, []byte(src), changes, false)
	})
}
