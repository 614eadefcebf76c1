// Package switchover decides what a Role's switch-over to Git write-back
// commits: the fields that cluster-side promotions set and Git's manifest
// lacks, or, when Git changed one of them meanwhile, a conflict per field and
// nothing to commit. It is plain Go over RoleSpecs and Changes; it owns the
// rule "Git's value must be one a carried change replaced or set, else Git
// was edited". It has no Kubernetes client and no Git: it must not import
// client-go, controller-runtime, internal/controller, internal/gitwrite or
// internal/cli (internal/archtest checks the first ones).
package switchover

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// Carried is one Proposal promoted in the cluster, with its changes, in the
// order the promotions landed.
type Carried struct {
	// Proposal is "namespace/name".
	Proposal string
	UID      string
	Changes  []v1.Change
}

// ConflictKind says why a field cannot be carried to Git.
type ConflictKind int

const (
	// GitChanged: Git's value is neither a `from` nor a value a carried
	// change set: someone edited the field in Git.
	GitChanged ConflictKind = iota + 1
	// NoFrom: Git's value differs from the promoted one and no carried change
	// of the field says what it replaced, so an edit in Git cannot be told
	// from the value before the promotion.
	NoFrom
	// Malformed: the carried change does not apply even to the value it
	// expects (a change that bypassed admission).
	Malformed
)

func (k ConflictKind) String() string {
	switch k {
	case GitChanged:
		return "GitChanged"
	case NoFrom:
		return "NoFrom"
	case Malformed:
		return "Malformed"
	}
	return "ConflictKind(" + strconv.Itoa(int(k)) + ")"
}

// Conflict is one field Git changed meanwhile.
type Conflict struct {
	Kind ConflictKind
	// Field names it: "skills[kubernetes].cells[senior].proficiency",
	// "levels[senior].focus", "skills[kubernetes]".
	Field string
	// Proposal is the newest carried Proposal that set the field.
	Proposal string
	// Git is the value Git holds; From the value the oldest carried change
	// replaced ("" when none says); To the value the newest set. Cells and
	// rows read "absent" when missing; a tech stack is a quoted list.
	Git, From, To string
}

func (c Conflict) String() string {
	switch c.Kind {
	case NoFrom:
		return fmt.Sprintf("%s: Git holds %s, Proposal %s set %s and gives no `from`, so an edit in Git cannot be ruled out",
			c.Field, c.Git, c.Proposal, c.To)
	case Malformed:
		return fmt.Sprintf("%s: the change of Proposal %s does not apply", c.Field, c.Proposal)
	}
	return fmt.Sprintf("%s: Git holds %s, neither the %s Proposal %s replaced nor the %s it set",
		c.Field, c.Git, c.From, c.Proposal, c.To)
}

// Plan is what the switch-over commits. With Conflicts, Changes is nil and
// nothing may be committed for the Role.
type Plan struct {
	// Changes turn Git's spec into one that carries every carried field; each
	// Set's `from` is Git's current value, so the edit's compare-and-swap
	// holds exactly for the spec the plan was made against. Empty when Git
	// already carries them all.
	Changes   []v1.Change
	Conflicts []Conflict
	// Reverted names the fields whose promoted value the cluster no longer
	// holds (someone changed the Role after the promotion). They are still
	// committed: the Proposal was applied, and the report says so.
	Reverted []string
}

// kind of field a change sets.
type fieldKind int

const (
	cellProficiency fieldKind = iota
	cellRequired
	levelFocus
	levelTechStack
	row
)

type fieldKey struct {
	kind         fieldKind
	skill, level v1.ID
}

func (k fieldKey) String() string {
	switch k.kind {
	case cellProficiency:
		return fmt.Sprintf("skills[%s].cells[%s].proficiency", k.skill, k.level)
	case cellRequired:
		return fmt.Sprintf("skills[%s].cells[%s].required", k.skill, k.level)
	case levelFocus:
		return fmt.Sprintf("levels[%s].focus", k.level)
	case levelTechStack:
		return fmt.Sprintf("levels[%s].techStack", k.level)
	}
	return fmt.Sprintf("skills[%s]", k.skill)
}

// step is one carried change of a field.
type step struct {
	proposal string
	change   *v1.Change
}

// MakePlan compares Git's spec with what the carried promotions set. For each
// field they touched (a whole row when a carried change adds or removes the
// skill), the final value is what the newest carried change set. Git already
// holding it needs nothing; Git holding a value that one of the changes
// replaced (its `from`; a row's absence for AddSkill, its presence for
// RemoveSkill) or set on the way is committed over; any other value is a
// Conflict, and then nothing is committed. cluster is the Role's spec in the
// cluster; a field it no longer holds at the final value is listed in
// Reverted.
func MakePlan(git, cluster *v1.RoleSpec, carried []Carried) Plan {
	var order []fieldKey
	chains := map[fieldKey][]step{}
	rowTouched := map[v1.ID]bool{}
	for _, c := range carried {
		for i := range c.Changes {
			ch := &c.Changes[i]
			if ch.Op == v1.OpAddSkill || ch.Op == v1.OpRemoveSkill {
				rowTouched[ch.Skill] = true
			}
		}
	}
	for _, c := range carried {
		for i := range c.Changes {
			ch := &c.Changes[i]
			k := keyOf(ch)
			if k.skill != "" && rowTouched[k.skill] {
				k = fieldKey{kind: row, skill: k.skill}
			}
			if _, seen := chains[k]; !seen {
				order = append(order, k)
			}
			chains[k] = append(chains[k], step{proposal: c.Proposal, change: ch})
		}
	}
	var plan Plan
	for _, k := range order {
		var changes []v1.Change
		var conflict *Conflict
		var reverted bool
		if k.kind == row {
			changes, conflict, reverted = planRow(git, cluster, k, chains[k])
		} else {
			changes, conflict, reverted = planValue(git, cluster, k, chains[k])
		}
		if conflict != nil {
			plan.Conflicts = append(plan.Conflicts, *conflict)
		}
		if reverted {
			plan.Reverted = append(plan.Reverted, k.String())
		}
		plan.Changes = append(plan.Changes, changes...)
	}
	if len(plan.Conflicts) > 0 {
		plan.Changes = nil
	}
	return plan
}

func keyOf(c *v1.Change) fieldKey {
	switch c.Op {
	case v1.OpSetProficiency:
		return fieldKey{kind: cellProficiency, skill: c.Skill, level: c.Level}
	case v1.OpSetRequired:
		return fieldKey{kind: cellRequired, skill: c.Skill, level: c.Level}
	case v1.OpSetFocus:
		return fieldKey{kind: levelFocus, level: c.Level}
	case v1.OpSetTechStack:
		return fieldKey{kind: levelTechStack, level: c.Level}
	}
	return fieldKey{kind: row, skill: c.Skill}
}

const absent = "absent"

// valueOf reads a cell or level field of spec as text ("absent" for a
// missing cell).
func valueOf(spec *v1.RoleSpec, k fieldKey) string {
	switch k.kind {
	case cellProficiency, cellRequired:
		cell := spec.Cell(k.skill, k.level)
		if cell == nil {
			return absent
		}
		if k.kind == cellProficiency {
			return text.Quote(string(cell.Proficiency))
		}
		return strconv.FormatBool(cell.Required)
	case levelFocus:
		if l := spec.Level(k.level); l != nil {
			return text.Quote(l.Focus)
		}
		return text.Quote("")
	}
	if l := spec.Level(k.level); l != nil {
		return text.QuoteList(l.TechStack)
	}
	return text.QuoteList([]string(nil))
}

// toOf and fromOf are the values a Set change sets and expects, as valueOf
// writes them; fromOf is "" when the change gives no `from`.
func toOf(c *v1.Change) string {
	switch c.Op {
	case v1.OpSetProficiency:
		return text.Quote(string(c.Proficiency))
	case v1.OpSetRequired:
		return strconv.FormatBool(c.Required != nil && *c.Required)
	case v1.OpSetFocus:
		return text.Quote(deref(c.Focus))
	}
	return text.QuoteList(c.TechStack)
}

func fromOf(c *v1.Change) string {
	if c.From == nil {
		return ""
	}
	switch c.Op {
	case v1.OpSetProficiency:
		return text.Quote(string(c.From.Proficiency))
	case v1.OpSetRequired:
		return strconv.FormatBool(c.From.Required != nil && *c.From.Required)
	case v1.OpSetFocus:
		return text.Quote(deref(c.From.Focus))
	}
	return text.QuoteList(c.From.TechStack)
}

func planValue(git, cluster *v1.RoleSpec, k fieldKey, chain []step) ([]v1.Change, *Conflict, bool) {
	last := chain[len(chain)-1]
	final := toOf(last.change)
	reverted := valueOf(cluster, k) != final
	have := valueOf(git, k)
	if have == final {
		return nil, nil, reverted
	}
	accepted, anyFrom := false, false
	for i, s := range chain {
		if from := fromOf(s.change); from != "" {
			anyFrom = true
			accepted = accepted || from == have
		}
		if i < len(chain)-1 {
			accepted = accepted || toOf(s.change) == have
		}
	}
	conflict := &Conflict{Kind: GitChanged, Field: k.String(), Proposal: last.proposal, Git: have,
		From: fromOf(chain[0].change), To: final}
	switch {
	case have == absent:
		// Git lacks the cell: a `from` names a value, never an absence.
		return nil, conflict, reverted
	case !accepted && !anyFrom:
		conflict.Kind = NoFrom
		return nil, conflict, reverted
	case !accepted:
		return nil, conflict, reverted
	}
	c := *last.change.DeepCopy()
	c.From = fromValue(git, k)
	// The Set must apply to Git's spec as it stands; one that does not
	// (malformed) is refused here rather than by the edit.
	if _, conflicts := governance.Apply(git, []v1.Change{c}); len(conflicts) > 0 {
		conflict.Kind = Malformed
		return nil, conflict, reverted
	}
	return []v1.Change{c}, nil, reverted
}

// fromValue is Git's current value of a field, as a `from`.
func fromValue(spec *v1.RoleSpec, k fieldKey) *v1.ChangeValue {
	switch k.kind {
	case cellProficiency:
		return &v1.ChangeValue{Proficiency: spec.Cell(k.skill, k.level).Proficiency}
	case cellRequired:
		r := spec.Cell(k.skill, k.level).Required
		return &v1.ChangeValue{Required: &r}
	case levelFocus:
		f := ""
		if l := spec.Level(k.level); l != nil {
			f = l.Focus
		}
		return &v1.ChangeValue{Focus: &f}
	}
	var stack []string
	if l := spec.Level(k.level); l != nil {
		stack = slices.Clone(l.TechStack)
	}
	return &v1.ChangeValue{TechStack: stack}
}

// planRow carries a row a carried change added or removed, together with
// the carried cell changes of that skill: the row is the field.
func planRow(git, cluster *v1.RoleSpec, k fieldKey, chain []step) ([]v1.Change, *Conflict, bool) {
	last := chain[len(chain)-1]
	gitRow := git.Row(k.skill)
	final, ok := finalRow(chain, cmp.Or(gitRow, cluster.Row(k.skill), &v1.SkillRequirement{ID: k.skill}))
	conflict := &Conflict{Kind: GitChanged, Field: k.String(), Proposal: last.proposal,
		Git: rowText(gitRow), From: rowText(nil), To: rowText(final)}
	if !ok {
		conflict.Kind = Malformed
		return nil, conflict, false
	}
	reverted := !sameRow(cluster.Row(k.skill), final)
	if sameRow(gitRow, final) {
		return nil, nil, reverted
	}
	adds := slices.ContainsFunc(chain, func(s step) bool { return s.change.Op == v1.OpAddSkill })
	removes := slices.ContainsFunc(chain, func(s step) bool { return s.change.Op == v1.OpRemoveSkill })
	if first := chain[0].change; first.Op == v1.OpRemoveSkill {
		conflict.From = "present"
	}
	var changes []v1.Change
	switch {
	case gitRow == nil && adds:
	case gitRow != nil && removes:
		changes = append(changes, v1.Change{Op: v1.OpRemoveSkill, Skill: k.skill})
	default:
		return nil, conflict, reverted
	}
	if final != nil {
		changes = append(changes, v1.Change{Op: v1.OpAddSkill, Skill: k.skill, Cells: final.Cells})
	}
	if _, conflicts := governance.Apply(git, changes); len(conflicts) > 0 {
		conflict.Kind = Malformed
		return nil, conflict, reverted
	}
	return changes, nil, reverted
}

// finalRow replays the chain, ignoring `from`, on the row it starts from
// (none for a chain that adds the skill first): what the carried changes
// left of the skill (nil: absent). ok is false when a change does not apply
// at all.
func finalRow(chain []step, start *v1.SkillRequirement) (*v1.SkillRequirement, bool) {
	spec := &v1.RoleSpec{}
	if chain[0].change.Op != v1.OpAddSkill {
		spec.Skills = []v1.SkillRequirement{*start.DeepCopy()}
	}
	for _, s := range chain {
		c := *s.change.DeepCopy()
		c.From = nil
		next, conflicts := governance.Apply(spec, []v1.Change{c})
		if len(conflicts) > 0 {
			return nil, false
		}
		spec = next
	}
	if len(spec.Skills) == 0 {
		return nil, true
	}
	return &spec.Skills[0], true
}

func sameRow(a, b *v1.SkillRequirement) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return equality.Semantic.DeepEqual(a, b)
}

func rowText(r *v1.SkillRequirement) string {
	if r == nil {
		return absent
	}
	cells := make([]string, len(r.Cells))
	for i, c := range r.Cells {
		cells[i] = fmt.Sprintf("%s=%s", c.Level, c.Proficiency)
		if c.Required {
			cells[i] += "!"
		}
	}
	return "row [" + strings.Join(cells, " ") + "]"
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ErrConflict: Git changed a field the switch-over carries.
var ErrConflict = errors.New("the Git manifest changed fields the cluster-side promotions set")

// ConflictError carries the plan's conflicts, one per field.
type ConflictError struct {
	Conflicts []Conflict
}

func (e *ConflictError) Error() string {
	texts := make([]string, len(e.Conflicts))
	for i, c := range e.Conflicts {
		texts[i] = c.String()
	}
	return ErrConflict.Error() + ": " + strings.Join(texts, "; ")
}

func (e *ConflictError) Unwrap() error { return ErrConflict }

// Unsynced names the fields the carried Proposals set whose value in live
// differs from committed, each as "field: the Role holds X, the commit Y":
// none when the Role holds what the switch-over commit gave the sync for
// every field the switch-over carried. Only those fields are compared, so a
// kustomize patch or substitution that changes others does not keep a
// switch-over from counting as synced.
func Unsynced(live, committed *v1.RoleSpec, carried []Carried) []string {
	seen := map[fieldKey]bool{}
	var out []string
	for _, p := range carried {
		for i := range p.Changes {
			k := keyOf(&p.Changes[i])
			if seen[k] {
				continue
			}
			seen[k] = true
			if k.kind == row {
				a, b := live.Row(k.skill), committed.Row(k.skill)
				if !sameRow(a, b) {
					out = append(out, fmt.Sprintf("%s: the Role holds %s, the commit %s", k, rowText(a), rowText(b)))
				}
				continue
			}
			if a, b := valueOf(live, k), valueOf(committed, k); a != b {
				out = append(out, fmt.Sprintf("%s: the Role holds %s, the commit %s", k, a, b))
			}
		}
	}
	return out
}
