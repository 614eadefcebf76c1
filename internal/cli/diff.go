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

package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/suggest"
)

// Proficiency changes between two levels.
const (
	changeRises   = "rises"
	changeFalls   = "falls"
	changeStays   = "stays"
	changeStated  = "stated"   // no proficiency at the lower level, one at the higher
	changeDropped = "unstated" // the other way round

	reqNewly    = "newly required"
	reqNoLonger = "no longer required"
)

type diffOptions struct {
	files       []string
	from, to    string
	format      string
	exitCode    bool
	changedOnly bool
}

func newDiffCommand(o *options) *cobra.Command {
	opts := &diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff ROLE --from LEVEL --to LEVEL | diff -f OLD.yaml -f NEW.yaml",
		Short: "Compare two levels of a Role, or two versions of a Role",
		Long: `Two comparisons:

  diff ROLE --from LEVEL --to LEVEL
      What changes for a person moving between two levels of a Role: per
      category, the skills whose expected proficiency rises, falls or stays,
      and the cells that become required (or stop being required). Levels are
      given by id, short name or name ("senior", "Sen", "Lead / Staff").

  diff -f OLD.yaml -f NEW.yaml
      A cell-by-cell diff of two versions of a Role: added and removed skills,
      changed cells (proficiency, required flag, description, examples), focus
      and tech stack per level, and the other fields of the spec. Add the
      SkillMatrix file with a third -f to get names and the matrix's order.

The Role is read from the cluster, or from files with -f. With --exit-code the
command exits with 1 when there are differences, like git diff.`,
		Example: `  # What changes from Middle to Senior for an MLOps Engineer
  kubectl skillmatrix diff mlops-engineer --from middle --to senior

  # The same offline, as JSON
  kubectl skillmatrix diff mlops-engineer --from Mid --to Sen -o json \
    -f config/samples/career_v1alpha1_skillmatrix.yaml -f config/samples/career_v1alpha1_role.yaml

  # Review an edited Role before applying it
  kubectl get crole mlops-engineer -o yaml > old.yaml
  kubectl skillmatrix diff -f old.yaml -f new.yaml`,
		Args: args(0, 1, "ROLE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			if err := checkOutput(opts.format, "text", "json"); err != nil {
				return err
			}
			levels := opts.from != "" || opts.to != ""
			switch {
			case levels && (opts.from == "" || opts.to == ""):
				return usageErrorf("--from and --to go together: name both levels")
			case levels:
				return o.diffLevels(cmd, first(a), opts)
			case len(a) > 0:
				return usageErrorf("diff ROLE needs --from LEVEL and --to LEVEL; to compare two versions of a Role use diff -f OLD.yaml -f NEW.yaml")
			case len(opts.files) == 0:
				return usageErrorf("nothing to compare: give ROLE --from LEVEL --to LEVEL, or -f OLD.yaml -f NEW.yaml")
			}
			return o.diffFiles(opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.from, "from", "", "the level to start from")
	f.StringVar(&opts.to, "to", "", "the level to compare with")
	f.StringArrayVarP(&opts.files, "filename", "f", nil, "YAML files: the SkillMatrix and Role (levels), or OLD and NEW Role (versions)")
	f.StringVarP(&opts.format, "output", "o", "text", "format: text or json")
	f.BoolVar(&opts.exitCode, "exit-code", false, "exit with 1 when there are differences")
	f.BoolVar(&opts.changedOnly, "changed-only", false, "levels: leave out the skills whose cell does not change")
	return cmd
}

// levelDiff is what changes between two levels of a Role.
type levelDiff struct {
	Role        string            `json:"role"`
	DisplayName string            `json:"displayName"`
	From        levelName         `json:"from"`
	To          levelName         `json:"to"`
	Summary     levelDiffSummary  `json:"summary"`
	Categories  []levelDiffSkills `json:"categories"`
}

type levelName struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	ShortName string `json:"shortName"`
}

type levelDiffSummary struct {
	Rises            int `json:"rises"`
	Falls            int `json:"falls"`
	Stays            int `json:"stays"`
	NewlyRequired    int `json:"newlyRequired"`
	NoLongerRequired int `json:"noLongerRequired"`
}

type levelDiffSkills struct {
	ID     string          `json:"id"`
	Name   string          `json:"name"`
	Skills []levelDiffCell `json:"skills"`
}

type cellValue struct {
	Proficiency string `json:"proficiency"`
	Required    bool   `json:"required"`
}

func (c cellValue) String() string {
	switch {
	case c.Proficiency == "":
		return "—"
	case c.Required:
		return c.Proficiency + "*"
	}
	return c.Proficiency
}

type levelDiffCell struct {
	ID   string    `json:"id"`
	Name string    `json:"name"`
	From cellValue `json:"from"`
	To   cellValue `json:"to"`
	// Change is rises, falls, stays, stated or unstated.
	Change string `json:"change"`
	// Required is "newly required", "no longer required" or "".
	Required string `json:"required"`
}

// findLevel resolves a level given by id, short name or name.
func findLevel(m *model.RoleMatrix, s string) (int, error) {
	for i, l := range m.Levels {
		if l.ID == s {
			return i, nil
		}
	}
	for i, l := range m.Levels {
		if strings.EqualFold(l.ID, s) || strings.EqualFold(l.ShortName, s) || strings.EqualFold(l.Name, s) {
			return i, nil
		}
	}
	ids := make([]string, len(m.Levels))
	for i, l := range m.Levels {
		ids[i] = l.ID
	}
	return 0, fmt.Errorf("level %q is not a level of SkillMatrix %q (want one of %s)%s",
		s, m.MatrixName, strings.Join(ids, ", "), suggest.Hint(strings.ToLower(s), ids))
}

// compareLevels computes the level diff; ranks come from the matrix's scale.
func compareLevels(m *model.RoleMatrix, from, to int) *levelDiff {
	rank := map[string]int{}
	for _, p := range m.Scale {
		rank[p.ID] = p.Rank
	}
	ref := func(i int) levelName {
		l := m.Levels[i]
		return levelName{ID: l.ID, Name: l.Name, ShortName: l.ShortName}
	}
	d := &levelDiff{Role: m.Name, DisplayName: m.DisplayName, From: ref(from), To: ref(to), Categories: []levelDiffSkills{}}
	for _, c := range m.Categories {
		cat := levelDiffSkills{ID: c.ID, Name: c.Name}
		for _, s := range c.Skills {
			var a, b model.Cell
			if from < len(s.Cells) {
				a = s.Cells[from]
			}
			if to < len(s.Cells) {
				b = s.Cells[to]
			}
			cell := levelDiffCell{
				ID: s.ID, Name: s.Name,
				From: cellValue{a.Proficiency, a.Required}, To: cellValue{b.Proficiency, b.Required},
			}
			ra, okA := rank[a.Proficiency]
			rb, okB := rank[b.Proficiency]
			switch {
			case !okA && okB:
				cell.Change = changeStated
			case okA && !okB:
				cell.Change = changeDropped
			case rb > ra:
				cell.Change = changeRises
				d.Summary.Rises++
			case rb < ra:
				cell.Change = changeFalls
				d.Summary.Falls++
			default:
				cell.Change = changeStays
				d.Summary.Stays++
			}
			switch {
			case b.Required && !a.Required:
				cell.Required = reqNewly
				d.Summary.NewlyRequired++
			case a.Required && !b.Required:
				cell.Required = reqNoLonger
				d.Summary.NoLongerRequired++
			}
			cat.Skills = append(cat.Skills, cell)
		}
		d.Categories = append(d.Categories, cat)
	}
	return d
}

func (o *options) diffLevels(cmd *cobra.Command, role string, opts *diffOptions) error {
	matrix, r, err := o.loadRole(cmd.Context(), role, opts.files)
	if err != nil {
		return err
	}
	m := o.resolve(matrix, r)
	from, err := findLevel(m, opts.from)
	if err != nil {
		return err
	}
	to, err := findLevel(m, opts.to)
	if err != nil {
		return err
	}
	d := compareLevels(m, from, to)
	if opts.format == formatJSON {
		if err := writeJSON(o.streams.Out, d); err != nil {
			return err
		}
	} else {
		p := &printer{w: o.streams.Out}
		if printLevelDiff(p, d, !opts.changedOnly); p.err != nil {
			return p.err
		}
	}
	s := d.Summary
	if opts.exitCode && (s.Rises+s.Falls+s.NewlyRequired+s.NoLongerRequired > 0) {
		return &exitCodeError{code: ExitFailure}
	}
	return nil
}

func printLevelDiff(p *printer, d *levelDiff, staying bool) {
	s := d.Summary
	p.f("%s (%s): %s → %s\n", d.DisplayName, d.Role, d.From.Name, d.To.Name)
	p.f("Proficiency: %d %s, %d %s, %d %s. Required: %d newly, %d no longer.\n",
		s.Rises, changeRises, s.Falls, changeFalls, s.Stays, changeStays, s.NewlyRequired, s.NoLongerRequired)
	p.ln("(* marks a required cell)")
	for _, c := range d.Categories {
		rows := slices.DeleteFunc(slices.Clone(c.Skills), func(x levelDiffCell) bool {
			return !staying && x.Change == changeStays && x.Required == ""
		})
		if len(rows) == 0 {
			continue
		}
		p.f("\n%s\n", c.Name)
		tw := p.table()
		tw.f("  SKILL\t%s\t%s\tPROFICIENCY\tREQUIRED\n", strings.ToUpper(d.From.ShortName), strings.ToUpper(d.To.ShortName))
		for _, x := range rows {
			tw.f("  %s\t%s\t%s\t%s\t%s\n", x.Name, x.From, x.To, x.Change, orDash(x.Required))
		}
		p.flush(tw)
	}
}

// writeJSON writes v indented, without escaping HTML characters (the output
// is JSON for programs, not a web page), as matrix.json is written.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// roleDiff is a cell-by-cell diff of two versions of a Role.
type roleDiff struct {
	Old           string        `json:"old"`
	New           string        `json:"new"`
	Fields        []fieldChange `json:"fields"`
	Levels        []levelChange `json:"levels"`
	SkillsAdded   []skillRow    `json:"skillsAdded"`
	SkillsRemoved []skillRow    `json:"skillsRemoved"`
	Cells         []cellChange  `json:"cells"`
}

type fieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

type levelChange struct {
	Level string `json:"level"`
	// Field is focus or techStack.
	Field   string   `json:"field"`
	Old     string   `json:"old,omitempty"`
	New     string   `json:"new,omitempty"`
	Added   []string `json:"added,omitempty"`
	Removed []string `json:"removed,omitempty"`
}

type skillRow struct {
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"`
	Category string `json:"category,omitempty"`
	// NotInCatalog is set when the SkillMatrix is known and lacks the skill.
	NotInCatalog bool        `json:"notInCatalog,omitempty"`
	Cells        []levelCell `json:"cells"`
}

type levelCell struct {
	Level string `json:"level"`
	cellValue
}

type cellChange struct {
	Skill string `json:"skill"`
	Level string `json:"level"`
	// Field is proficiency, required, description, examples or cell (the
	// whole cell was added or removed).
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

func (d *roleDiff) empty() bool {
	return len(d.Fields)+len(d.Levels)+len(d.SkillsAdded)+len(d.SkillsRemoved)+len(d.Cells) == 0
}

func (o *options) diffFiles(opts *diffOptions) error {
	b, err := o.readFiles(opts.files)
	if err != nil {
		return err
	}
	if len(b.roles) != 2 {
		return usageErrorf("diff -f wants exactly two Roles, OLD then NEW; %s hold %d", strings.Join(opts.files, ", "), len(b.roles))
	}
	old, cur := &b.roles[0], &b.roles[1]
	var matrix *v1.SkillMatrix
	for i := range b.matrices {
		if b.matrices[i].Name == string(cur.Spec.MatrixRef) {
			matrix = &b.matrices[i]
		}
	}
	d := compareRoles(old, cur, matrix)
	if opts.format == formatJSON {
		if err := writeJSON(o.streams.Out, d); err != nil {
			return err
		}
	} else {
		p := &printer{w: o.streams.Out}
		if printRoleDiff(p, d); p.err != nil {
			return p.err
		}
	}
	if opts.exitCode && !d.empty() {
		return &exitCodeError{code: ExitFailure}
	}
	return nil
}

// order lists ids: the matrix's order first, then the rest as met.
type order struct {
	ids  []string
	seen map[string]bool
}

func (o *order) add(id string) {
	if o.seen == nil {
		o.seen = map[string]bool{}
	}
	if !o.seen[id] {
		o.seen[id] = true
		o.ids = append(o.ids, id)
	}
}

func compareRoles(old, cur *v1.Role, matrix *v1.SkillMatrix) *roleDiff {
	d := &roleDiff{
		Old: old.Name, New: cur.Name,
		Fields: []fieldChange{}, Levels: []levelChange{}, SkillsAdded: []skillRow{}, SkillsRemoved: []skillRow{}, Cells: []cellChange{},
	}
	names, categories := map[string]string{}, map[string]string{}
	var levels, skills order
	if matrix != nil {
		for _, l := range matrix.Spec.Levels {
			levels.add(string(l.ID))
		}
		for _, c := range matrix.Spec.Categories {
			for _, s := range c.Skills {
				skills.add(string(s.ID))
				names[string(s.ID)], categories[string(s.ID)] = s.Name, c.Name
			}
		}
	}
	for _, r := range []*v1.Role{cur, old} {
		for _, l := range r.Spec.Levels {
			levels.add(string(l.Level))
		}
		for _, s := range r.Spec.Skills {
			skills.add(string(s.ID))
			for _, c := range s.Cells {
				levels.add(string(c.Level))
			}
		}
	}

	field := func(name, a, b string) {
		if a != b {
			d.Fields = append(d.Fields, fieldChange{Field: name, Old: a, New: b})
		}
	}
	field("metadata.name", old.Name, cur.Name)
	field("spec.matrixRef", string(old.Spec.MatrixRef), string(cur.Spec.MatrixRef))
	field("spec.displayName", old.Spec.DisplayName, cur.Spec.DisplayName)
	field("spec.family", old.Spec.Family, cur.Spec.Family)
	field("spec.summary", old.Spec.Summary, cur.Spec.Summary)
	field("spec.governance", compact(old.Spec.Governance), compact(cur.Spec.Governance))
	field("spec.careerPaths", compact(old.Spec.CareerPaths), compact(cur.Spec.CareerPaths))

	for _, l := range levels.ids {
		a, b := roleLevel(old, l), roleLevel(cur, l)
		if a.Focus != b.Focus {
			d.Levels = append(d.Levels, levelChange{Level: l, Field: "focus", Old: a.Focus, New: b.Focus})
		}
		if !slices.Equal(a.TechStack, b.TechStack) {
			lc := levelChange{Level: l, Field: "techStack", Old: strings.Join(a.TechStack, ", "), New: strings.Join(b.TechStack, ", ")}
			for _, t := range b.TechStack {
				if !slices.Contains(a.TechStack, t) {
					lc.Added = append(lc.Added, t)
				}
			}
			for _, t := range a.TechStack {
				if !slices.Contains(b.TechStack, t) {
					lc.Removed = append(lc.Removed, t)
				}
			}
			d.Levels = append(d.Levels, lc)
		}
	}

	for _, id := range skills.ids {
		a, b := roleRow(old, id), roleRow(cur, id)
		switch {
		case a == nil && b == nil:
			continue
		case a == nil:
			r := row(b, names[id], categories[id], levels.ids)
			_, known := names[id]
			r.NotInCatalog = matrix != nil && !known
			d.SkillsAdded = append(d.SkillsAdded, r)
			continue
		case b == nil:
			d.SkillsRemoved = append(d.SkillsRemoved, row(a, names[id], categories[id], levels.ids))
			continue
		}
		for _, l := range levels.ids {
			d.Cells = append(d.Cells, compareCells(id, l, cell(a, l), cell(b, l))...)
		}
	}
	return d
}

func compareCells(skill, level string, a, b *v1.Cell) []cellChange {
	change := func(f, x, y string) cellChange {
		return cellChange{Skill: skill, Level: level, Field: f, Old: x, New: y}
	}
	switch {
	case a == nil && b == nil:
		return nil
	case a == nil:
		return []cellChange{change("cell", "", cellValue{string(b.Proficiency), b.Required}.String())}
	case b == nil:
		return []cellChange{change("cell", cellValue{string(a.Proficiency), a.Required}.String(), "")}
	}
	var out []cellChange
	if a.Proficiency != b.Proficiency {
		out = append(out, change("proficiency", string(a.Proficiency), string(b.Proficiency)))
	}
	if a.Required != b.Required {
		out = append(out, change("required", fmt.Sprint(a.Required), fmt.Sprint(b.Required)))
	}
	if a.Description != b.Description {
		out = append(out, change("description", a.Description, b.Description))
	}
	if !slices.Equal(a.Examples, b.Examples) {
		out = append(out, change("examples", strings.Join(a.Examples, "; "), strings.Join(b.Examples, "; ")))
	}
	return out
}

func roleLevel(r *v1.Role, level string) v1.RoleLevel {
	for _, l := range r.Spec.Levels {
		if string(l.Level) == level {
			return l
		}
	}
	return v1.RoleLevel{}
}

func roleRow(r *v1.Role, id string) *v1.SkillRequirement {
	for i := range r.Spec.Skills {
		if string(r.Spec.Skills[i].ID) == id {
			return &r.Spec.Skills[i]
		}
	}
	return nil
}

func cell(r *v1.SkillRequirement, level string) *v1.Cell {
	for i := range r.Cells {
		if string(r.Cells[i].Level) == level {
			return &r.Cells[i]
		}
	}
	return nil
}

func row(r *v1.SkillRequirement, name, category string, levels []string) skillRow {
	out := skillRow{ID: string(r.ID), Name: name, Category: category, Cells: []levelCell{}}
	for _, l := range levels {
		if c := cell(r, l); c != nil {
			out.Cells = append(out.Cells, levelCell{Level: l, cellValue: cellValue{string(c.Proficiency), c.Required}})
		}
	}
	return out
}

// compact is a value as one line of JSON, "" for nothing.
func compact(v any) string {
	data, err := json.Marshal(v)
	if err != nil || string(data) == "null" || string(data) == "[]" {
		return ""
	}
	return string(data)
}

func printRoleDiff(p *printer, d *roleDiff) {
	title := d.New
	if d.Old != d.New {
		title = d.Old + " → " + d.New
	}
	if d.empty() {
		p.f("career Role %s: no differences\n", title)
		return
	}
	n := len(d.Fields) + len(d.Levels) + len(d.SkillsAdded) + len(d.SkillsRemoved) + len(d.Cells)
	p.f("career Role %s: %d %s\n", title, n, pluralWord(n, "difference", "differences"))
	if len(d.Fields) > 0 {
		p.ln("\nFields:")
		for _, f := range d.Fields {
			printText(p, f.Field, f.Old, f.New)
		}
	}
	if len(d.Levels) > 0 {
		p.ln("\nLevels:")
		for _, l := range d.Levels {
			if l.Field == "focus" {
				printText(p, l.Level+" focus", l.Old, l.New)
				continue
			}
			var parts []string
			for _, t := range l.Added {
				parts = append(parts, "+ "+quoted(t))
			}
			for _, t := range l.Removed {
				parts = append(parts, "- "+quoted(t))
			}
			if len(parts) == 0 {
				parts = append(parts, "reordered")
			}
			p.f("  ~ %s tech stack: %s\n", l.Level, strings.Join(parts, ", "))
		}
	}
	printRows := func(title, mark string, rows []skillRow) {
		if len(rows) == 0 {
			return
		}
		p.f("\n%s:\n", title)
		for _, r := range rows {
			label := r.ID
			switch {
			case r.Name != "":
				label += " (" + r.Name + ")"
			case r.NotInCatalog:
				label += " (not in the SkillMatrix's catalog)"
			}
			var cells []string
			for _, c := range r.Cells {
				cells = append(cells, c.Level+" "+c.String())
			}
			p.f("  %s %s: %s\n", mark, label, strings.Join(cells, ", "))
		}
	}
	printRows("Skills added", "+", d.SkillsAdded)
	printRows("Skills removed", "-", d.SkillsRemoved)
	if len(d.Cells) > 0 {
		p.ln("\nCells:")
		for _, c := range d.Cells {
			switch c.Field {
			case "description", "examples":
				printText(p, fmt.Sprintf("%s @ %s: %s", c.Skill, c.Level, c.Field), c.Old, c.New)
			case "cell":
				p.f("  ~ %s @ %s: cell %s → %s\n", c.Skill, c.Level, orNone(c.Old), orNone(c.New))
			default:
				p.f("  ~ %s @ %s: %s %s → %s\n", c.Skill, c.Level, c.Field, c.Old, c.New)
			}
		}
	}
}

// printText shows a changed text on one line when both versions are short,
// else the old and the new version on lines of their own.
func printText(p *printer, label, old, cur string) {
	const short = 40
	if len(old) <= short && len(cur) <= short {
		p.f("  ~ %s: %q → %q\n", label, old, cur)
		return
	}
	p.f("  ~ %s:\n      - %q\n      + %q\n", label, old, cur)
}

func quoted(s string) string {
	const maxLen = 80
	if r := []rune(s); len(r) > maxLen {
		s = string(r[:maxLen]) + "..."
	}
	return fmt.Sprintf("%q", s)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
