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
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/diff"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

type proposeOptions struct {
	set, require, unrequire, focus, techStack, addSkill, removeSkill []string
	title, description, name, dryRun, format                         string
	files                                                            []string
}

func newProposeCommand(o *options) *cobra.Command {
	opts := &proposeOptions{}
	cmd := &cobra.Command{
		Use:   "propose ROLE --title TEXT [--set SKILL@LEVEL=PROFICIENCY ...] [--require SKILL@LEVEL ...] [flags]",
		Short: "Propose a change to a Role, as yourself",
		Long: `Create a Proposal to change a career Role. Colleagues then vote on it, experts
review it, and the operator applies it once the governance rules are met.

The Proposal is created as you: its author is the username the API server
reports for your credentials (a SelfSubjectReview), which the admission
policy checks. Each change records the value the Role holds now (from), so
the Proposal conflicts instead of overwriting if someone changes the same
cell first.

Changes, in the order they are applied:
  --add-skill SKILL=P1,P2,...   add a catalog skill, one proficiency per level
                                in the SkillMatrix's order; a trailing * marks
                                the cell required (A,W*,V*,E*,E*)
  --set SKILL@LEVEL=P           set the expected proficiency of a cell
  --require SKILL@LEVEL         make a cell required
  --unrequire SKILL@LEVEL       make a cell optional
  --focus LEVEL=TEXT            set the focus text of a level
  --tech-stack LEVEL=A,B,C      replace the tech stack of a level
  --remove-skill SKILL          remove a skill row
Every flag can be repeated. The changes are checked against the Role and its
SkillMatrix before anything is sent (unknown ids get a "did you mean").

The name is --name, or derived from the Role and the title.

--dry-run=client checks the changes and prints the Proposal without sending
it; with -f (the Role and its SkillMatrix as files) it needs no cluster at
all, and the author is a placeholder. --dry-run=server sends it with
dryRun=All: the API server and the admission policy judge it as they would
the real one, and nothing is created. -o yaml|json prints the Proposal (as
created, or as it would be), -o name its name.`,
		Example: `  # Raise Kubernetes Core to Advanced at Senior and require it there
  kubectl skillmatrix propose mlops-engineer \
    --set kubernetes-core@senior=V --require kubernetes-core@junior \
    --title "Raise Kubernetes Core to Advanced at Senior" \
    --description "Seniors run GPU scheduling and custom operators."

  # Add LLM serving to the Principal tech stack; look before sending
  kubectl skillmatrix propose mlops-engineer --dry-run -o yaml --title "LLM serving at Principal" \
    --tech-stack "principal=Enterprise MLOps,Multi-cloud ML,LLM infrastructure (vLLM, TGI),Cost optimization at scale"`,
		Args: args(1, 1, "ROLE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			return o.propose(cmd.Context(), a[0], opts)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.set, "set", nil, "SKILL@LEVEL=PROFICIENCY: set a cell's expected proficiency")
	f.StringArrayVar(&opts.require, "require", nil, "SKILL@LEVEL: make a cell required")
	f.StringArrayVar(&opts.unrequire, "unrequire", nil, "SKILL@LEVEL: make a cell optional")
	f.StringArrayVar(&opts.focus, "focus", nil, "LEVEL=TEXT: set a level's focus")
	f.StringArrayVar(&opts.techStack, "tech-stack", nil, "LEVEL=A,B,C: replace a level's tech stack")
	f.StringArrayVar(&opts.addSkill, "add-skill", nil, "SKILL=P1,P2,...: add a skill, one proficiency per level, * for required")
	f.StringArrayVar(&opts.removeSkill, "remove-skill", nil, "SKILL: remove a skill from the Role")
	f.StringVar(&opts.title, "title", "", "one-line summary of the change (required)")
	f.StringVar(&opts.description, "description", "", "why the change is right")
	f.StringVar(&opts.name, "name", "", "name of the Proposal (default: derived from the Role and the title)")
	f.StringArrayVarP(&opts.files, "filename", "f", nil, "read the Role and its SkillMatrix from these YAML files or directories instead of the cluster")
	f.StringVarP(&opts.format, "output", "o", formatText, "format: text, json, yaml or name")
	addDryRunFlag(f, &opts.dryRun, "the Proposal")
	return cmd
}

func (o *options) propose(ctx context.Context, roleName string, opts *proposeOptions) error {
	if strings.TrimSpace(opts.title) == "" {
		return usageErrorf("missing --title: say in one line what the Proposal changes")
	}
	if err := checkOutput(opts.format, formatText, formatJSON, formatYAML, formatName); err != nil {
		return err
	}
	mode, err := parseDryRun(opts.dryRun)
	if err != nil {
		return err
	}
	var s *session
	if mode != dryRunClient || len(opts.files) == 0 {
		if s, err = o.connect(); err != nil {
			return err
		}
	}
	matrix, role, err := o.proposeTarget(ctx, s, roleName, opts.files)
	if err != nil {
		return err
	}
	if err := o.checkEditable(matrix, role); err != nil {
		return err
	}
	changes, origins, err := buildChanges(opts, &role.Spec, &matrix.Spec)
	if err != nil {
		return err
	}
	if err := checkChanges(changes, origins, role, matrix); err != nil {
		return err
	}
	author, err := o.proposeAuthor(ctx, s, mode)
	if err != nil {
		return err
	}
	p := &v1.Proposal{Spec: v1.ProposalSpec{
		RoleRef: v1.ObjectName(role.Name), Title: opts.title, Description: opts.description,
		Author: v1.Username(author), Changes: changes,
	}}
	p.APIVersion, p.Kind = v1.GroupVersion.String(), kindProposal
	p.Name = opts.name
	if p.Name == "" {
		p.Name = proposalName(role.Name, opts.title)
	}
	if s != nil {
		p.Namespace = s.ns
	} else if p.Namespace = role.Namespace; p.Namespace == "" {
		p.Namespace = o.namespaceFlag()
	}
	if mode != dryRunClient {
		if err := s.createProposal(ctx, p, opts.name == "", mode); err != nil {
			return err
		}
	}
	return o.printProposed(p, opts.format, mode)
}

// proposeTarget reads the Role and its SkillMatrix: from the files when any
// are given, else from the cluster.
func (o *options) proposeTarget(ctx context.Context, s *session, roleName string, files []string) (*v1.SkillMatrix, *v1.Role, error) {
	if len(files) > 0 {
		b, err := o.readFiles(files)
		if err != nil {
			return nil, nil, err
		}
		return b.role(roleName, o.namespaceFlag(), files)
	}
	return s.getRole(ctx, roleName)
}

// authorPlaceholder is the author of a client dry run that cannot ask the
// API server who the user is.
const authorPlaceholder = "YOUR-USERNAME"

// proposeAuthor is who the API server says the user is; a client dry run
// that cannot tell gets a placeholder and a warning. Anything sent needs
// the API server's answer: the admission policy accepts nothing else.
func (o *options) proposeAuthor(ctx context.Context, s *session, mode dryRun) (string, error) {
	if s == nil {
		o.warnf("warning: --dry-run=client without a cluster: the author is the placeholder %s\n", authorPlaceholder)
		return authorPlaceholder, nil
	}
	me, err := s.whoami(ctx)
	if err != nil && mode == dryRunClient {
		o.warnf("warning: cannot tell who you are (%v); the author is the placeholder %s\n", err, authorPlaceholder)
		return authorPlaceholder, nil
	}
	return me, err
}

// printProposed prints the Proposal created (or that would be) in format.
func (o *options) printProposed(p *v1.Proposal, format string, mode dryRun) error {
	switch format {
	case formatJSON, formatYAML:
		return writeData(o.streams.Out, format, printableProposal(p))
	case formatName:
		_, err := fmt.Fprintln(o.streams.Out, proposalRef(p.Name))
		return err
	}
	out := &printer{w: o.streams.Out}
	out.f("%s created%s in namespace %s\n", proposalRef(p.Name), mode.suffix(), p.Namespace)
	out.f("%s by %s, %s to career Role %s:\n", quoted(p.Spec.Title), p.Spec.Author,
		text.Plural(len(p.Spec.Changes), "change", "changes"), p.Spec.RoleRef)
	printChanges(out, p.Spec.Changes)
	if mode != dryRunNone {
		out.f("\nNothing was created.\n")
		return out.err
	}
	out.f("\nVote:    kubectl skillmatrix vote %s approve|reject\n", p.Name)
	out.f("Review:  kubectl skillmatrix review %s approve|request-changes\n", p.Name)
	out.f("Follow:  kubectl skillmatrix status %s\n", p.Name)
	return out.err
}

// checkChanges validates the changes against the Role and its SkillMatrix
// before anything is sent, naming the flag behind each problem.
func checkChanges(changes []v1.Change, origins []string, role *v1.Role, matrix *v1.SkillMatrix) error {
	problems := governance.Validate(changes, &role.Spec, &matrix.Spec)
	if len(problems) == 0 {
		return nil
	}
	msgs := make([]string, 0, len(problems))
	for _, p := range problems {
		where := p.Field
		if p.Index >= 0 && p.Index < len(origins) {
			where = origins[p.Index]
		}
		msgs = append(msgs, where+": "+p.Message)
	}
	return fmt.Errorf("the changes do not fit career Role %q (nothing was sent):\n  %s", role.Name, strings.Join(msgs, "\n  "))
}

// createProposal creates p. A derived name (renumber) may be taken by an
// earlier Proposal with the same title: it is numbered rather than fail.
func (s *session) createProposal(ctx context.Context, p *v1.Proposal, renumber bool, mode dryRun) error {
	base := p.Name
	var opts []client.CreateOption
	if mode == dryRunServer {
		opts = append(opts, client.DryRunAll)
	}
	var err error
	for attempt := 2; ; attempt++ {
		err = s.c.Create(ctx, p, opts...)
		if err == nil || !renumber || !apierrors.IsAlreadyExists(err) || attempt > 20 {
			break
		}
		p.Name = fmt.Sprintf("%s-%d", base, attempt)
		p.ResourceVersion = ""
	}
	switch {
	case err == nil:
		return nil
	case apierrors.IsAlreadyExists(err):
		return fmt.Errorf("a Proposal named %q already exists in namespace %q: choose another --name", p.Name, s.ns)
	}
	return s.explain(err, "create", resProposals, p.Name)
}

// buildChanges turns the flags into changes with `from` filled from the
// Role as it is; origins[i] is the flag that produced changes[i].
func buildChanges(opts *proposeOptions, role *v1.RoleSpec, matrix *v1.SkillMatrixSpec) ([]v1.Change, []string, error) {
	levels := make([]v1.ID, len(matrix.Levels))
	for i, l := range matrix.Levels {
		levels[i] = l.ID
	}
	changes, origins, err := parseChanges(opts, levels)
	if err != nil {
		return nil, nil, err
	}
	for i := range changes {
		expectCurrent(&changes[i], role)
	}
	return changes, origins, nil
}

// changeFlag is one repeatable change flag and how one of its arguments
// becomes a change. parse reads only the argument (and the matrix's levels):
// what the Role holds now is filled in afterwards, by expectCurrent.
type changeFlag struct {
	name  string
	args  []string
	parse func(arg string) (v1.Change, error)
}

// changeFlags lists the change flags in the order their changes are applied.
func (opts *proposeOptions) changeFlags(levels []v1.ID) []changeFlag {
	return []changeFlag{
		{"--add-skill", opts.addSkill, func(arg string) (v1.Change, error) { return parseAddSkill(arg, levels) }},
		{"--set", opts.set, parseSet},
		{"--require", opts.require, parseRequired(true)},
		{"--unrequire", opts.unrequire, parseRequired(false)},
		{"--focus", opts.focus, parseFocus},
		{"--tech-stack", opts.techStack, parseTechStack},
		{"--remove-skill", opts.removeSkill, parseRemoveSkill},
	}
}

// parseChanges turns the flags into changes without `from`; origins[i] is
// the flag that produced changes[i]. levels are the matrix's, in order.
func parseChanges(opts *proposeOptions, levels []v1.ID) ([]v1.Change, []string, error) {
	var (
		changes []v1.Change
		origins []string
	)
	for _, flag := range opts.changeFlags(levels) {
		for _, arg := range flag.args {
			origin := flag.name + " " + arg
			c, err := flag.parse(arg)
			if err != nil {
				return nil, nil, usageErrorf("%s: %w", origin, err)
			}
			changes = append(changes, c)
			origins = append(origins, origin)
		}
	}
	if len(changes) == 0 {
		return nil, nil, usageErrorf("no changes: give at least one of --set, --require, --unrequire, --focus, --tech-stack, --add-skill, --remove-skill")
	}
	return changes, origins, nil
}

// parseAddSkill reads SKILL=P1,P2,..., one proficiency per level, a
// trailing * for a required cell.
func parseAddSkill(arg string, levels []v1.ID) (v1.Change, error) {
	skill, spec, ok := strings.Cut(arg, "=")
	if !ok || skill == "" || spec == "" {
		return v1.Change{}, errors.New("want SKILL=P1,P2,... with one proficiency per level")
	}
	profs := strings.Split(spec, ",")
	if len(profs) != len(levels) {
		ids := make([]string, len(levels))
		for i, l := range levels {
			ids[i] = string(l)
		}
		return v1.Change{}, fmt.Errorf("want %s, one per level (%s), got %d",
			text.Plural(len(levels), "proficiency", "proficiencies"), strings.Join(ids, ", "), len(profs))
	}
	c := v1.Change{Op: v1.OpAddSkill, Skill: v1.ID(skill)}
	for i, p := range profs {
		p = strings.TrimSpace(p)
		req := strings.HasSuffix(p, "*")
		c.Cells = append(c.Cells, v1.Cell{Level: levels[i], Proficiency: v1.ProficiencyID(strings.TrimSuffix(p, "*")), Required: req})
	}
	return c, nil
}

// parseSet reads SKILL@LEVEL=PROFICIENCY.
func parseSet(arg string) (v1.Change, error) {
	target, prof, ok := strings.Cut(arg, "=")
	skill, level, err := parseCell(target)
	if !ok || err != nil || prof == "" {
		return v1.Change{}, errors.New("want SKILL@LEVEL=PROFICIENCY, e.g. kubernetes-core@senior=V")
	}
	return v1.Change{Op: v1.OpSetProficiency, Skill: skill, Level: level, Proficiency: v1.ProficiencyID(prof)}, nil
}

// parseRequired reads SKILL@LEVEL for --require (true) or --unrequire (false).
func parseRequired(required bool) func(string) (v1.Change, error) {
	return func(arg string) (v1.Change, error) {
		skill, level, err := parseCell(arg)
		if err != nil {
			return v1.Change{}, errors.New("want SKILL@LEVEL, e.g. kubernetes-core@junior")
		}
		return v1.Change{Op: v1.OpSetRequired, Skill: skill, Level: level, Required: new(required)}, nil
	}
}

// parseFocus reads LEVEL=TEXT; the text may be empty.
func parseFocus(arg string) (v1.Change, error) {
	level, focus, ok := strings.Cut(arg, "=")
	if !ok || level == "" {
		return v1.Change{}, errors.New("want LEVEL=TEXT")
	}
	return v1.Change{Op: v1.OpSetFocus, Level: v1.ID(level), Focus: new(focus)}, nil
}

// parseTechStack reads LEVEL=A,B,C, dropping empty items.
func parseTechStack(arg string) (v1.Change, error) {
	level, list, ok := strings.Cut(arg, "=")
	if !ok || level == "" {
		return v1.Change{}, errors.New("want LEVEL=A,B,C")
	}
	var stack []string
	for item := range strings.SplitSeq(list, ",") {
		if item = strings.TrimSpace(item); item != "" {
			stack = append(stack, item)
		}
	}
	if len(stack) == 0 {
		return v1.Change{}, errors.New("the tech stack is empty; name at least one technology")
	}
	return v1.Change{Op: v1.OpSetTechStack, Level: v1.ID(level), TechStack: stack}, nil
}

func parseRemoveSkill(arg string) (v1.Change, error) {
	return v1.Change{Op: v1.OpRemoveSkill, Skill: v1.ID(arg)}, nil
}

// expectCurrent sets c.From to what the Role holds now, so the Proposal
// conflicts instead of overwriting if someone changes the same thing first.
func expectCurrent(c *v1.Change, role *v1.RoleSpec) {
	switch c.Op {
	case v1.OpSetProficiency:
		if cur := role.Cell(c.Skill, c.Level); cur != nil {
			c.From = &v1.ChangeValue{Proficiency: cur.Proficiency}
		}
	case v1.OpSetRequired:
		if cur := role.Cell(c.Skill, c.Level); cur != nil {
			c.From = &v1.ChangeValue{Required: new(cur.Required)}
		}
	case v1.OpSetFocus:
		var focus string
		if level := role.Level(c.Level); level != nil {
			focus = level.Focus
		}
		c.From = &v1.ChangeValue{Focus: &focus}
	case v1.OpSetTechStack:
		// An empty list cannot be sent as `from` (it would be dropped), so a
		// level without a tech stack is not compare-and-swapped.
		if level := role.Level(c.Level); level != nil && len(level.TechStack) > 0 {
			c.From = &v1.ChangeValue{TechStack: level.TechStack}
		}
	}
}

func parseCell(s string) (v1.ID, v1.ID, error) {
	skill, level, ok := strings.Cut(s, "@")
	if !ok || skill == "" || level == "" {
		return "", "", errors.New("want SKILL@LEVEL")
	}
	return v1.ID(skill), v1.ID(level), nil
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// proposalName derives a readable name from the Role and the title, at most
// 63 characters so it also fits in a label.
func proposalName(role, title string) string {
	name := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(role+"-"+title), "-"), "-")
	const maxLen = 63
	if len(name) > maxLen {
		name = strings.TrimRight(name[:maxLen], "-")
	}
	return name
}

// printChanges lists changes one per line, with the value each replaces.
func printChanges(p *printer, changes []v1.Change) {
	for _, c := range changes {
		p.f("  - %s\n", describeChange(&c))
	}
}

func describeChange(c *v1.Change) string {
	from := func(s string) string {
		if c.From == nil {
			return ""
		}
		return s + " → "
	}
	switch c.Op {
	case v1.OpSetProficiency:
		old := ""
		if c.From != nil {
			old = string(c.From.Proficiency)
		}
		return fmt.Sprintf("set %s@%s to %s%s", c.Skill, c.Level, from(old), c.Proficiency)
	case v1.OpSetRequired:
		verb := "make %s@%s optional"
		if c.Required != nil && *c.Required {
			verb = "make %s@%s required"
		}
		return fmt.Sprintf(verb, c.Skill, c.Level)
	case v1.OpSetFocus:
		return fmt.Sprintf("set the focus of %s to %s", c.Level, quoted(deref(c.Focus)))
	case v1.OpSetTechStack:
		return fmt.Sprintf("set the tech stack of %s to %s", c.Level, strings.Join(c.TechStack, ", "))
	case v1.OpAddSkill:
		cells := make([]string, 0, len(c.Cells))
		for _, cell := range c.Cells {
			cells = append(cells, fmt.Sprintf("%s %s", cell.Level, diff.CellValue{Proficiency: string(cell.Proficiency), Required: cell.Required}))
		}
		return fmt.Sprintf("add skill %s: %s", c.Skill, strings.Join(cells, ", "))
	case v1.OpRemoveSkill:
		return fmt.Sprintf("remove skill %s", c.Skill)
	}
	return string(c.Op)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
