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
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
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
	p := &printer{w: o.streams.Out}
	switch opts.format {
	case formatJSON, formatYAML:
		return writeData(o.streams.Out, opts.format, res)
	case "md", formatMarkdown:
		printAssessMarkdown(p, res)
	default:
		printAssessTable(p, res)
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

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// verdict is the current and next level in words.
func verdict(r *assess.Result) (current, next string) {
	if r.Current == nil {
		current = fmt.Sprintf("none: below %s, the first level", r.Next.Name)
	} else {
		current = r.Current.Name
	}
	if r.Next == nil {
		next = fmt.Sprintf("none: %s is the top level", r.Current.Name)
	} else {
		next = fmt.Sprintf("%s, %d%% ready (required cells count double)", r.Next.Name, r.ReadinessPercent)
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

func printAssessTable(p *printer, r *assess.Result) {
	p.f("%s (%s), SkillMatrix %s\n", r.RoleDisplayName, r.Role, r.Matrix)
	p.f("A level is met when all its required cells and at least %d%% of its other cells are met.\n\n", r.ThresholdPercent)
	tw := p.table()
	tw.ln("LEVEL\tREQUIRED MET\tOTHER MET\tREADY\tMET")
	for _, l := range r.Levels {
		tw.f("%s\t%d/%d\t%d/%d (%d%%)\t%d%%\t%s\n", levelLabel(&l.LevelRef),
			l.Required.Met, l.Required.Total, l.Other.Met, l.Other.Total, l.OtherPercent, l.ReadinessPercent, yesNo(l.Met))
	}
	p.flush(tw)
	current, next := verdict(r)
	p.f("\nCurrent level: %s\nNext level:    %s\n", current, next)
	if len(r.Ignored) > 0 {
		p.f("Ignored:       %s (in the SkillMatrix, not in this Role)\n", strings.Join(r.Ignored, ", "))
	}
	for _, w := range r.Warnings {
		p.f("\nWarning: %s.\n", w.Message)
	}
	if r.Next == nil {
		p.ln("\nNo gaps: every level is met.")
	} else {
		p.f("\nGaps to %s: %s, %d required\n", r.Next.Name, text.Plural(len(r.Gaps), "cell", "cells"), requiredCount(r.Gaps))
		printGapTable(p, r.Gaps, false)
	}
	if r.Current == nil {
		return
	}
	p.f("\nUnmet at %s and below: %s, %d required (the threshold let them pass)\n",
		r.Current.Name, text.Plural(len(r.Unmet), "cell", "cells"), requiredCount(r.Unmet))
	printGapTable(p, r.Unmet, true)
}

// printGapTable prints cells the person does not meet, with their level when
// withLevel is set.
func printGapTable(p *printer, gaps []assess.Gap, withLevel bool) {
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
	if withLevel {
		tw.ln("  LEVEL\tCATEGORY\tSKILL\tEXPECTED\tACTUAL\tREQUIRED")
	} else {
		tw.ln("  CATEGORY\tSKILL\tEXPECTED\tACTUAL\tREQUIRED")
	}
	for _, g := range gaps {
		tw.f("  %s%s\t%s (%s)\t%s\t%s\t%s\n", level(g), g.CategoryName, g.SkillName, g.SkillID, g.Expected, orDash(g.Actual), yesNo(g.Required))
	}
	p.flush(tw)
}

// mdEscaper escapes the Markdown metacharacters that could break a table.
var mdEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "|", `\|`, "~", `\~`, "\n", "<br>")

func md(s string) string { return mdEscaper.Replace(s) }

func printAssessMarkdown(p *printer, r *assess.Result) {
	current, next := verdict(r)
	p.f("# Level assessment: %s\n\n", md(r.RoleDisplayName))
	p.f("- **Role:** %s (`%s`), SkillMatrix `%s`\n", md(r.RoleDisplayName), r.Role, r.Matrix)
	p.f("- **Current level:** %s\n", md(current))
	p.f("- **Next level:** %s\n", md(next))
	if len(r.Ignored) > 0 {
		p.f("- **Ignored ratings:** %s (in the SkillMatrix, not in this Role)\n", md(strings.Join(r.Ignored, ", ")))
	}
	p.f("\nA level is met when all its required cells and at least %d%% of its other cells are met. "+
		"Readiness is the share of a level's cells met, required cells counting double.\n\n", r.ThresholdPercent)
	p.ln("## Levels")
	p.ln()
	p.ln("| Level | Required met | Other met | Ready | Met |")
	p.ln("| --- | --: | --: | --: | :-: |")
	for _, l := range r.Levels {
		p.f("| %s | %d/%d | %d/%d (%d%%) | %d%% | %s |\n", md(levelLabel(&l.LevelRef)),
			l.Required.Met, l.Required.Total, l.Other.Met, l.Other.Total, l.OtherPercent, l.ReadinessPercent, yesNo(l.Met))
	}
	if len(r.Warnings) > 0 {
		p.ln("\n## Warnings")
		p.ln()
		for _, w := range r.Warnings {
			p.f("- %s.\n", md(w.Message))
		}
	}
	if r.Next == nil {
		p.ln("\nNo gaps: every level is met.")
	} else {
		p.f("\n## Gaps to %s\n\n", md(r.Next.Name))
		printGapMarkdown(p, r.Gaps, false)
	}
	if r.Current != nil {
		p.f("\n## Unmet at %s and below\n\n", md(r.Current.Name))
		printGapMarkdown(p, r.Unmet, true)
	}
}

func printGapMarkdown(p *printer, gaps []assess.Gap, withLevel bool) {
	if len(gaps) == 0 {
		p.ln("None.")
		return
	}
	p.f("%s, %d required.\n\n", text.Plural(len(gaps), "cell", "cells"), requiredCount(gaps))
	if withLevel {
		p.ln("| Level | Category | Skill | Expected | Actual | Required |")
		p.ln("| --- | --- | --- | :-: | :-: | :-: |")
	} else {
		p.ln("| Category | Skill | Expected | Actual | Required |")
		p.ln("| --- | --- | :-: | :-: | :-: |")
	}
	for _, g := range gaps {
		actual := "—"
		if g.Actual != "" {
			actual = fmt.Sprintf("%s (%s)", g.Actual, md(g.ActualName))
		}
		level := ""
		if withLevel {
			level = " " + md(g.LevelName) + " |"
		}
		p.f("|%s %s | %s | %s (%s) | %s | %s |\n", level, md(g.CategoryName), md(g.SkillName),
			g.Expected, md(g.ExpectedName), actual, yesNo(g.Required))
	}
}
