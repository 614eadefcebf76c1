package gitwrite

import (
	"fmt"
	"strconv"
	"strings"
	"text/template"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// Trailer keys. Proposal-UID is what makes a write exactly once.
const (
	TrailerProposal    = "Proposal"
	TrailerProposalUID = "Proposal-UID"
	TrailerProposedBy  = "Proposed-by"
	TrailerApprovedBy  = "Approved-by"
	TrailerReviewedBy  = "Reviewed-by"
)

// message renders the template and appends the trailers as the last
// paragraph. Values are cut to one line, so nothing a Proposal's author
// writes can end the trailer block or forge a trailer.
func message(t *template.Template, p *Proposal, file string) (string, error) {
	data := MessageData{
		Namespace: p.Namespace, Name: p.Name, UID: p.UID, Title: oneLine(p.Title), Description: p.Description,
		Author: p.Author, Role: p.Role, File: file, Changes: make([]string, len(p.Changes)),
	}
	for i := range p.Changes {
		data.Changes[i] = describeChange(&p.Changes[i])
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", &Error{Op: "render message template", Kind: ErrConfig, Err: err}
	}
	body := strings.TrimSpace(strings.ReplaceAll(b.String(), "\r\n", "\n"))
	if body == "" {
		body = oneLine(p.Title)
	}
	trailers := []string{
		TrailerProposal + ": " + oneLine(p.Namespace+"/"+p.Name),
		TrailerProposalUID + ": " + oneLine(p.UID),
		TrailerProposedBy + ": " + oneLine(p.Author),
	}
	for _, v := range p.ApprovedBy {
		trailers = append(trailers, TrailerApprovedBy+": "+oneLine(v))
	}
	for _, r := range p.ReviewedBy {
		trailers = append(trailers, TrailerReviewedBy+": "+oneLine(r))
	}
	return body + "\n\n" + strings.Join(trailers, "\n") + "\n", nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// trailerValues reads key's values from the last paragraph of a commit
// message, the only place trailers live.
func trailerValues(msg, key string) []string {
	msg = strings.TrimRight(strings.ReplaceAll(msg, "\r\n", "\n"), "\n")
	last := msg
	if i := strings.LastIndex(msg, "\n\n"); i >= 0 {
		last = msg[i+2:]
	}
	var out []string
	for line := range strings.SplitSeq(last, "\n") {
		if v, ok := strings.CutPrefix(line, key+": "); ok {
			out = append(out, strings.TrimSpace(v))
		}
	}
	return out
}

// describeChange is one line for the commit body.
func describeChange(c *v1alpha1.Change) string {
	switch c.Op {
	case v1alpha1.OpSetProficiency:
		return fmt.Sprintf("%s %s@%s: %s", c.Op, c.Skill, c.Level, arrow(string(fromProficiency(c)), string(c.Proficiency)))
	case v1alpha1.OpSetRequired:
		return fmt.Sprintf("%s %s@%s: %s", c.Op, c.Skill, c.Level, arrow(fromBool(c), boolText(c.Required)))
	case v1alpha1.OpSetFocus:
		return fmt.Sprintf("%s %s: %s", c.Op, c.Level, strconv.Quote(deref(c.Focus)))
	case v1alpha1.OpSetTechStack:
		return fmt.Sprintf("%s %s: [%s]", c.Op, c.Level, strings.Join(c.TechStack, ", "))
	case v1alpha1.OpAddSkill:
		return fmt.Sprintf("%s %s (%d cells)", c.Op, c.Skill, len(c.Cells))
	default:
		return fmt.Sprintf("%s %s", c.Op, c.Skill)
	}
}

func arrow(from, to string) string {
	if from == "" {
		return to
	}
	return from + " -> " + to
}

func fromProficiency(c *v1alpha1.Change) v1alpha1.ProficiencyID {
	if c.From == nil {
		return ""
	}
	return c.From.Proficiency
}

func fromBool(c *v1alpha1.Change) string {
	if c.From == nil {
		return ""
	}
	return boolText(c.From.Required)
}

func boolText(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
