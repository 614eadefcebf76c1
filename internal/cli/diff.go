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
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/diff"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
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
			if err := checkOutput(opts.format, formatText, formatJSON, formatYAML); err != nil {
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
	f.StringVarP(&opts.format, "output", "o", formatText, "format: text, json or yaml")
	f.BoolVar(&opts.exitCode, "exit-code", false, "exit with 1 when there are differences")
	f.BoolVar(&opts.changedOnly, "changed-only", false, "levels: leave out the skills whose cell does not change")
	o.addLocaleFlag(cmd)
	return cmd
}

func (o *options) diffLevels(cmd *cobra.Command, role string, opts *diffOptions) error {
	matrix, r, err := o.loadRole(cmd.Context(), role, opts.files)
	if err != nil {
		return err
	}
	m, err := o.resolve(matrix, r)
	if err != nil {
		return err
	}
	from, err := diff.FindLevel(m, opts.from)
	if err != nil {
		return err
	}
	to, err := diff.FindLevel(m, opts.to)
	if err != nil {
		return err
	}
	d := diff.Levels(m, from, to)
	if opts.format != formatText {
		if err := writeData(o.streams.Out, opts.format, d); err != nil {
			return err
		}
	} else {
		p := &printer{w: o.streams.Out}
		if printLevelDiff(p, messages{locale: o.localeOf(matrix)}, d, !opts.changedOnly); p.err != nil {
			return p.err
		}
	}
	if opts.exitCode && d.Changed() {
		return &exitCodeError{code: ExitFailure}
	}
	return nil
}

// levelChanges are the catalog ids of diff.Levels' words for a change.
var levelChanges = map[string]string{
	diff.Rises: "diff.change.rises", diff.Falls: "diff.change.falls", diff.Stays: "diff.change.stays",
	diff.Stated: "diff.change.stated", diff.Unstated: "diff.change.unstated",
	diff.NewlyRequired: "diff.required.newly", diff.NoLongerRequired: "diff.required.noLonger",
}

// changeWord is a change of diff.Levels in words, "—" for none.
func changeWord(t messages, change string) string {
	if id, ok := levelChanges[change]; ok {
		return t.s(id)
	}
	return orDash(change)
}

func printLevelDiff(p *printer, t messages, d *diff.LevelDiff, staying bool) {
	s := d.Summary
	p.f("%s (%s): %s → %s\n", d.DisplayName, d.Role, d.From.Name, d.To.Name)
	p.ln(t.s("diff.summary", "Rises", s.Rises, "Falls", s.Falls, "Stays", s.Stays, "Newly", s.NewlyRequired, "NoLonger", s.NoLongerRequired))
	p.ln(t.s("diff.legend"))
	for _, c := range d.Categories {
		rows := slices.DeleteFunc(slices.Clone(c.Skills), func(x diff.SkillShift) bool {
			return !staying && x.Change == diff.Stays && x.Required == ""
		})
		if len(rows) == 0 {
			continue
		}
		p.f("\n%s\n", c.Name)
		tw := p.table()
		tw.f("  %s\t%s\t%s\t%s\n", t.header("col.skill"), strings.ToUpper(d.From.ShortName), strings.ToUpper(d.To.ShortName),
			t.header("col.proficiency", "col.required"))
		for _, x := range rows {
			tw.f("  %s\t%s\t%s\t%s\t%s\n", x.Name, x.From, x.To, changeWord(t, x.Change), changeWord(t, x.Required))
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

func (o *options) diffFiles(opts *diffOptions) error {
	b, err := o.readFiles(opts.files)
	if err != nil {
		return err
	}
	if ns := o.namespaceFlag(); ns != "" {
		b.roles = slices.DeleteFunc(b.roles, func(r v1.Role) bool { return !inNamespace(r.Namespace, ns) })
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
	if matrix != nil {
		if err := o.checkEditable(matrix, cur); err != nil {
			return err
		}
	}
	d := diff.Roles(old, cur, matrix)
	if opts.format != formatText {
		if err := writeData(o.streams.Out, opts.format, d); err != nil {
			return err
		}
	} else {
		p := &printer{w: o.streams.Out}
		if printRoleDiff(p, messages{locale: o.localeOf(matrix)}, d); p.err != nil {
			return p.err
		}
	}
	if opts.exitCode && !d.Empty() {
		return &exitCodeError{code: ExitFailure}
	}
	return nil
}

func printRoleDiff(p *printer, t messages, d *diff.RoleDiff) {
	title := d.New
	if d.Old != d.New {
		title = d.Old + " → " + d.New
	}
	if d.Empty() {
		p.ln(t.s("diff.role.same", "Role", title))
		return
	}
	p.ln(t.s("diff.role.changed", "Role", title, "Count", d.Count()))
	if len(d.Fields) > 0 {
		p.f("\n%s\n", t.s("diff.heading.fields"))
		for _, f := range d.Fields {
			printText(p, f.Field, f.Old, f.New)
		}
	}
	if len(d.Levels) > 0 {
		p.f("\n%s\n", t.s("diff.heading.levels"))
		for _, l := range d.Levels {
			if l.Field == "focus" {
				printText(p, t.s("diff.focus", "Level", l.Level), l.Old, l.New)
				continue
			}
			var parts []string
			for _, s := range l.Added {
				parts = append(parts, "+ "+quoted(s))
			}
			for _, s := range l.Removed {
				parts = append(parts, "- "+quoted(s))
			}
			if len(parts) == 0 {
				parts = append(parts, t.s("diff.reordered"))
			}
			p.f("  ~ %s: %s\n", t.s("diff.techStack", "Level", l.Level), strings.Join(parts, ", "))
		}
	}
	printRows := func(heading, mark string, rows []diff.SkillRow) {
		if len(rows) == 0 {
			return
		}
		p.f("\n%s\n", t.s(heading))
		for _, r := range rows {
			label := r.ID
			switch {
			case r.Name != "":
				label += " (" + r.Name + ")"
			case r.NotInCatalog:
				label += " " + t.s("diff.notInCatalog")
			}
			var cells []string
			for _, c := range r.Cells {
				cells = append(cells, c.Level+" "+c.String())
			}
			p.f("  %s %s: %s\n", mark, label, strings.Join(cells, ", "))
		}
	}
	printRows("diff.heading.added", "+", d.SkillsAdded)
	printRows("diff.heading.removed", "-", d.SkillsRemoved)
	if len(d.Cells) > 0 {
		p.f("\n%s\n", t.s("diff.heading.cells"))
		for _, c := range d.Cells {
			field := t.s("diff.field." + c.Field)
			switch c.Field {
			case "description", "examples":
				printText(p, fmt.Sprintf("%s @ %s: %s", c.Skill, c.Level, field), c.Old, c.New)
			case "cell":
				p.f("  ~ %s @ %s: %s %s → %s\n", c.Skill, c.Level, field, orNone(t, c.Old), orNone(t, c.New))
			default:
				p.f("  ~ %s @ %s: %s %s → %s\n", c.Skill, c.Level, field, c.Old, c.New)
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

// quoted shows a user's text in a line of output, at most 80 runes of it.
func quoted(s string) string {
	return fmt.Sprintf("%q", text.TruncateRunes(s, 80))
}

func orNone(t messages, s string) string {
	if s == "" {
		return t.s("diff.none")
	}
	return s
}
