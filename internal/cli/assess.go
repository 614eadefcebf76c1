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
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/assess"
)

type assessOptions struct {
	ratings, format string
	files           []string
	matrixFiles     []string
	roleFiles       []string
	threshold       int
}

func newAssessCommand(o *options) *cobra.Command {
	opts := &assessOptions{}
	cmd := &cobra.Command{
		Use:   "assess ROLE --ratings RATINGS.yaml|csv [-o table|json|yaml|md] [--threshold PERCENT] [-f FILE ...]",
		Short: "The level calculator: a person's current level, readiness and gaps",
		Long: `Measure a person's proficiency per skill against a career Role and say:

  - the current level: the highest level L such that every level up to L is
    met. A level is met when all its required cells are met and at least
    --threshold percent (default 70) of its other cells are. A cell is met
    when the person's proficiency ranks at least as high on the SkillMatrix's
    scale as the cell expects.
  - readiness for the next level, in percent: the share of the next level's
    cells that are met, with required cells counting double:
        floor(100 * (2*required met + other met) / (2*required + other))
    100 at the top level.
  - the gaps to the next level: every cell of it that is not met (category,
    skill, expected, actual, required or not), required ones first.
  - the unmet cells at the current level and below: what the threshold let
    pass in the levels already held.
  - warnings where the Role expects less at a higher level than at a lower
    one (a drop makes the higher level easier to meet in those skills).

Ratings are a YAML (or JSON) map of skill id to proficiency, or a CSV with the
columns skill and proficiency; matrix.html exports them as JSON. A skill left
out is rated none. Proficiencies are ids of the scale (A, W, V, E), in any
case, or their names (Advanced). A skill the Role does not have is an error
(unless the SkillMatrix's catalog has it: then it is ignored), and so is a
proficiency the scale does not have, a file that rates nothing (empty, only
comments, only a CSV header) and a file that is not a map.

The Role and SkillMatrix come from the cluster, or offline from files of
objects: -f (files or directories, as kubectl reads them), or --matrix and
--role. Nothing is ever written. Until the next release, a -f file that
declares no kind is still read as the ratings, with a deprecation warning.`,
		Example: `  # Assess a sample engineer against the MLOps Engineer Role in the cluster
  kubectl skillmatrix assess mlops-engineer --ratings docs/examples/mlops-engineer-ratings.yaml

  # Offline, as JSON, with a stricter threshold
  kubectl skillmatrix assess --ratings ratings.csv --threshold 80 -o json -f config/samples/

  # A Markdown report for a development plan
  kubectl skillmatrix assess mlops-engineer --ratings ratings.yaml -o md > plan.md`,
		Args: args(0, 1, "ROLE"),
		RunE: func(cmd *cobra.Command, a []string) error { return o.runAssess(cmd, a, opts) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.ratings, "ratings", "", "the person's ratings: YAML (skill-id: proficiency) or CSV (skill,proficiency); - for stdin")
	f.StringArrayVarP(&opts.files, "filename", "f", nil, "read the SkillMatrix and Role from these YAML files or directories instead of the cluster")
	f.StringVarP(&opts.format, "output", "o", "table", "format: table, json, yaml or md")
	f.IntVar(&opts.threshold, "threshold", assess.DefaultThresholdPercent, "percent of a level's non-required cells that must be met")
	f.StringArrayVar(&opts.matrixFiles, "matrix", nil, "read the SkillMatrix from this YAML file instead of the cluster")
	f.StringArrayVar(&opts.roleFiles, "role", nil, "read the Role from this YAML file instead of the cluster")
	o.addLocaleFlag(cmd)
	return cmd
}

// runAssess is the assess command once its flags are parsed.
func (o *options) runAssess(cmd *cobra.Command, a []string, opts *assessOptions) error {
	if err := checkOutput(opts.format, "table", formatJSON, formatYAML, "md", formatMarkdown); err != nil {
		return err
	}
	if opts.threshold < 0 || opts.threshold > 100 {
		return usageErrorf("--threshold %d is out of range: want 0 to 100", opts.threshold)
	}
	in, err := o.readAssessInputs(opts)
	if err != nil {
		return err
	}
	ratings, err := assess.ParseRatings(in.ratingsPath, in.ratings)
	if err != nil {
		return err
	}
	var matrix *v1.SkillMatrix
	var role *v1.Role
	if len(in.files) > 0 {
		matrix, role, err = in.objects.role(first(a), o.namespaceFlag(), in.files)
	} else {
		matrix, role, err = o.loadRole(cmd.Context(), first(a), nil)
	}
	if err != nil {
		return err
	}
	var catalog []string
	for _, c := range matrix.Spec.Categories {
		for _, s := range c.Skills {
			catalog = append(catalog, string(s.ID))
		}
	}
	m, err := o.resolve(matrix, role)
	if err != nil {
		return err
	}
	res, err := assess.Assess(m, ratings, assess.Options{ThresholdPercent: opts.threshold, Catalog: catalog})
	if err != nil {
		return fmt.Errorf("%s: %w", in.ratingsPath, err)
	}
	t := messages{locale: o.localeOf(matrix)}
	localizeWarnings(t, res, m.Stats.Skills)
	p := &printer{w: o.streams.Out}
	switch opts.format {
	case formatJSON, formatYAML:
		return writeData(o.streams.Out, opts.format, res)
	case "md", formatMarkdown:
		printAssessMarkdown(p, t, res)
	default:
		printAssessTable(p, t, res)
	}
	return p.err
}

// assessInputs are the ratings and the objects assess reads.
type assessInputs struct {
	ratingsPath string
	ratings     []byte
	objects     *bundle
	files       []string
}

// readAssessInputs reads --ratings and the files of objects (-f, --matrix,
// --role), each once, so stdin can be any of them. A -f file that declares
// no kind is the ratings, as assess read them before --ratings.
func (o *options) readAssessInputs(opts *assessOptions) (*assessInputs, error) {
	in := &assessInputs{ratingsPath: opts.ratings, objects: &bundle{}}
	for _, given := range slices.Concat(opts.files, opts.matrixFiles, opts.roleFiles) {
		paths, fromDir, err := expandDir(given)
		if err != nil {
			return nil, err
		}
		for _, path := range paths {
			data, err := o.readFile(path)
			if err != nil {
				return nil, err
			}
			if !fromDir && slices.Contains(opts.files, path) && !declaresKind(data) {
				if in.ratingsPath != "" {
					return nil, usageErrorf("-f %s declares no kind, so it would be ratings, but the ratings are %s", path, in.ratingsPath)
				}
				o.warnf("warning: -f %s: reading ratings with -f is deprecated and will be removed; use --ratings %s (-f is for files of objects)\n", path, path)
				in.ratingsPath, in.ratings = path, data
				continue
			}
			in.objects.lenient = fromDir
			if err := in.objects.addFile(path, data); err != nil {
				return nil, err
			}
			in.files = append(in.files, path)
		}
	}
	in.objects.lenient = false
	if in.ratingsPath == "" {
		return nil, usageErrorf("missing --ratings RATINGS: a YAML map or CSV of skill id to proficiency")
	}
	if in.ratings == nil {
		var err error
		if in.ratings, err = o.readFile(in.ratingsPath); err != nil {
			return nil, err
		}
	}
	return in, nil
}

func levelLabel(l *assess.LevelRef) string {
	if l.ShortName != "" && l.ShortName != l.Name {
		return l.Name + " (" + l.ShortName + ")"
	}
	return l.Name
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// localizeWarnings rewrites the warnings' messages in the locale of t, as
// every format prints them: the domain words them in English. skills is how
// many skills the Role has.
func localizeWarnings(t messages, r *assess.Result, skills int) {
	for i := range r.Warnings {
		r.Warnings[i].Message = dropWarning(t, &r.Warnings[i], skills)
	}
}

// dropWarning says where the Role expects less at a higher level, naming
// the first assess.MaxNamedDrops skills, as internal/assess does in English.
func dropWarning(t messages, w *assess.Warning, skills int) string {
	var examples []string
	for _, d := range w.Drops[:min(len(w.Drops), assess.MaxNamedDrops)] {
		examples = append(examples, fmt.Sprintf("%s %s → %s", d.SkillName, d.From, d.To))
	}
	if more := len(w.Drops) - assess.MaxNamedDrops; more > 0 {
		examples = append(examples, t.s("assess.more", "Count", more))
	}
	return t.s("assess.warning", "Count", skills, "Higher", w.Higher.Name, "Lower", w.Lower.Name,
		"Drops", len(w.Drops), "Examples", t.list(examples))
}

// verdict is the current and next level in words.
func verdict(t messages, r *assess.Result) (current, next string) {
	if r.Current == nil {
		current = t.s("assess.below", "Level", r.Next.Name)
	} else {
		current = r.Current.Name
	}
	if r.Next == nil {
		next = t.s("assess.top", "Level", r.Current.Name)
	} else {
		next = t.s("assess.next", "Level", r.Next.Name, "Percent", r.ReadinessPercent)
	}
	return current, next
}

func requiredCount(gaps []assess.Gap) int {
	n := 0
	for _, g := range gaps {
		if g.Required {
			n++
		}
	}
	return n
}

// labelled lines up "label value" lines: each label padded to the widest,
// counted in terminal columns, plus one space.
func labelled(labels ...string) func(label string) string {
	width := 0
	for _, l := range labels {
		width = max(width, displayWidth(l))
	}
	return func(label string) string {
		return label + strings.Repeat(" ", width+1-displayWidth(label))
	}
}

func printAssessTable(p *printer, t messages, r *assess.Result) {
	p.f("%s\n", t.s("assess.heading", "Role", r.RoleDisplayName, "ID", r.Role, "Matrix", r.Matrix))
	p.f("%s\n\n", t.s("assess.rule", "Threshold", r.ThresholdPercent))
	tw := p.table()
	tw.ln(t.header("col.level", "col.requiredMet", "col.otherMet", "col.ready", "col.met"))
	for _, l := range r.Levels {
		tw.f("%s\t%d/%d\t%d/%d (%d%%)\t%d%%\t%s\n", levelLabel(&l.LevelRef),
			l.Required.Met, l.Required.Total, l.Other.Met, l.Other.Total, l.OtherPercent, l.ReadinessPercent, t.yesNo(l.Met))
	}
	p.flush(tw)
	current, next := verdict(t, r)
	label := labelled(t.s("calc.current"), t.s("calc.nextLevel"), t.s("assess.ignoredLabel"))
	p.f("\n%s%s\n%s%s\n", label(t.s("calc.current")), current, label(t.s("calc.nextLevel")), next)
	if len(r.Ignored) > 0 {
		p.f("%s%s\n", label(t.s("assess.ignoredLabel")), t.s("assess.ignored", "Skills", t.list(r.Ignored)))
	}
	for _, w := range r.Warnings {
		p.f("\n%s\n", t.s("assess.warningLine", "Warning", w.Message))
	}
	if r.Next == nil {
		p.f("\n%s\n", t.s("assess.noGaps"))
	} else {
		p.f("\n%s\n", t.s("assess.gapsTo", "Level", r.Next.Name, "Cells", t.n("count.cells", len(r.Gaps)), "Required", requiredCount(r.Gaps)))
		printGapTable(p, t, r.Gaps, false)
	}
	if r.Current == nil {
		return
	}
	p.f("\n%s\n", t.s("assess.unmetBelow", "Level", r.Current.Name, "Cells", t.n("count.cells", len(r.Unmet)), "Required", requiredCount(r.Unmet)))
	printGapTable(p, t, r.Unmet, true)
}

// gapColumns are the catalog ids of the columns of a gap table, with the
// level's first when withLevel is set.
func gapColumns(withLevel bool) []string {
	cols := []string{"col.category", "col.skill", "col.expected", "col.actual", "col.required"}
	if withLevel {
		return append([]string{"col.level"}, cols...)
	}
	return cols
}

// printGapTable prints cells the person does not meet, with their level when
// withLevel is set.
func printGapTable(p *printer, t messages, gaps []assess.Gap, withLevel bool) {
	if len(gaps) == 0 {
		return
	}
	level := func(g assess.Gap) string {
		if withLevel {
			return g.LevelName + "\t"
		}
		return ""
	}
	tw := p.table()
	tw.ln("  " + t.header(gapColumns(withLevel)...))
	for _, g := range gaps {
		tw.f("  %s%s\t%s (%s)\t%s\t%s\t%s\n", level(g), g.CategoryName, g.SkillName, g.SkillID, g.Expected, orDash(g.Actual), t.yesNo(g.Required))
	}
	p.flush(tw)
}

// mdEscaper escapes the Markdown metacharacters that could break a table.
var mdEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "|", `\|`, "~", `\~`, "\n", "<br>")

func md(s string) string { return mdEscaper.Replace(s) }

// Markdown column alignments.
const (
	mdLeft   = "---"
	mdRight  = "--:"
	mdCenter = ":-:"
)

// mdRow is a Markdown table row of cells.
func mdRow(cells ...string) string { return "| " + strings.Join(cells, " | ") + " |" }

// mdHeader is a Markdown table's heading row, from the catalog's column
// names, and its alignment row.
func mdHeader(p *printer, t messages, align []string, ids ...string) {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = md(t.s(id))
	}
	p.ln(mdRow(names...))
	p.ln(mdRow(align...))
}

func printAssessMarkdown(p *printer, t messages, r *assess.Result) {
	current, next := verdict(t, r)
	p.f("# %s\n\n", t.s("assess.md.title", "Role", md(r.RoleDisplayName)))
	p.f("- **%s** %s\n", t.s("assess.roleLabel"),
		t.s("assess.heading", "Role", md(r.RoleDisplayName), "ID", "`"+r.Role+"`", "Matrix", "`"+r.Matrix+"`"))
	p.f("- **%s** %s\n", t.s("calc.current"), md(current))
	p.f("- **%s** %s\n", t.s("calc.nextLevel"), md(next))
	if len(r.Ignored) > 0 {
		p.f("- **%s** %s\n", t.s("assess.ignoredRatingsLabel"), md(t.s("assess.ignored", "Skills", t.list(r.Ignored))))
	}
	p.f("\n%s%s%s\n\n", t.s("assess.rule", "Threshold", r.ThresholdPercent), t.s("sep.sentence"), t.s("assess.readiness"))
	p.f("## %s\n\n", t.s("heading.levels"))
	mdHeader(p, t, []string{mdLeft, mdRight, mdRight, mdRight, mdCenter}, "col.level", "col.requiredMet", "col.otherMet", "col.ready", "col.met")
	for _, l := range r.Levels {
		p.ln(mdRow(md(levelLabel(&l.LevelRef)), fmt.Sprintf("%d/%d", l.Required.Met, l.Required.Total),
			fmt.Sprintf("%d/%d (%d%%)", l.Other.Met, l.Other.Total, l.OtherPercent), fmt.Sprintf("%d%%", l.ReadinessPercent), t.yesNo(l.Met)))
	}
	if len(r.Warnings) > 0 {
		p.f("\n## %s\n\n", t.s("calc.warnings"))
		for _, w := range r.Warnings {
			p.f("- %s\n", t.s("assess.warningItem", "Warning", md(w.Message)))
		}
	}
	if r.Next == nil {
		p.f("\n%s\n", t.s("assess.noGaps"))
	} else {
		p.f("\n## %s\n\n", t.s("assess.md.gapsTo", "Level", md(r.Next.Name)))
		printGapMarkdown(p, t, r.Gaps, false)
	}
	if r.Current != nil {
		p.f("\n## %s\n\n", t.s("assess.md.unmetBelow", "Level", md(r.Current.Name)))
		printGapMarkdown(p, t, r.Unmet, true)
	}
}

func printGapMarkdown(p *printer, t messages, gaps []assess.Gap, withLevel bool) {
	if len(gaps) == 0 {
		p.ln(t.s("assess.md.none"))
		return
	}
	p.f("%s\n\n", t.s("assess.md.cells", "Cells", t.n("count.cells", len(gaps)), "Required", requiredCount(gaps)))
	align := []string{mdLeft, mdLeft, mdCenter, mdCenter, mdCenter}
	if withLevel {
		align = append([]string{mdLeft}, align...)
	}
	mdHeader(p, t, align, gapColumns(withLevel)...)
	for _, g := range gaps {
		actual := "—"
		if g.Actual != "" {
			actual = fmt.Sprintf("%s (%s)", g.Actual, md(g.ActualName))
		}
		var cells []string
		if withLevel {
			cells = append(cells, md(g.LevelName))
		}
		cells = append(cells, md(g.CategoryName), md(g.SkillName), fmt.Sprintf("%s (%s)", g.Expected, md(g.ExpectedName)), actual, t.yesNo(g.Required))
		p.ln(mdRow(cells...))
	}
}
