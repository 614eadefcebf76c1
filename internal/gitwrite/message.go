package gitwrite

import (
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"unicode"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// Trailer keys. The operator reads them only from the trailer block of
// commits it wrote (Trust): a Proposal-UID anyone typed proves nothing.
const (
	TrailerProposal    = "Proposal"
	TrailerProposalUID = "Proposal-UID"
	TrailerProposedBy  = "Proposed-by"
	TrailerApprovedBy  = "Approved-by"
	TrailerReviewedBy  = "Reviewed-by"
)

// message renders the template and appends the trailers as the last
// paragraph. What a Proposal's people wrote reaches the template only
// through MessageData, which is safe by construction: single-line values
// are one line, a line of theirs that could be read as a trailer is
// quoted, multi-line text is indented, and tech-stack items are quoted
// when they hold anything but plain words. So the trailer block is the
// operator's alone, and no line above it reads as a trailer either.
func message(t *template.Template, p *Proposal, file string) (string, error) {
	data := MessageData{
		Namespace: safeLine(p.Namespace), Name: safeLine(p.Name), UID: safeLine(p.UID), Title: safeLine(p.Title),
		Description: safeLines(p.Description), Author: safeLine(p.Author), Role: safeLine(p.Role), File: safeLine(file),
		Changes: make([]string, len(p.Changes)),
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
		body = data.Title
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

// oneLine joins s's words with single spaces: no line break, no control
// character, no leading or trailing space survives.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
}

// safeLine is s on one line, quoted when it could be read as a trailer.
func safeLine(s string) string {
	s = oneLine(s)
	if looksLikeTrailer(s) {
		return strconv.Quote(s)
	}
	return s
}

// safeLines renders multi-line text (a description) as an indented block:
// each line starts with four spaces, so git reads none of them as the
// start of a trailer, and a line that a lenient reader could take for one
// is quoted as well. Control characters other than line breaks go.
func safeLines(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	s = strings.TrimRight(s, "\n \t")
	if strings.TrimSpace(s) == "" {
		return ""
	}
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		line = strings.TrimRightFunc(strings.Map(func(r rune) rune {
			if r == '\t' {
				return ' '
			}
			if unicode.IsControl(r) {
				return -1
			}
			return r
		}, line), unicode.IsSpace)
		switch {
		case line == "":
			lines[i] = ""
		case looksLikeTrailer(line):
			lines[i] = "    " + strconv.Quote(line)
		default:
			lines[i] = "    " + line
		}
	}
	return strings.Join(lines, "\n")
}

// describeChange is one line for the commit body. Ids are the schema's
// (no spaces or colons); focus is quoted; tech-stack items are quoted when
// they hold more than a plain word.
func describeChange(c *v1alpha1.Change) string {
	switch c.Op {
	case v1alpha1.OpSetProficiency:
		return fmt.Sprintf("%s %s@%s: %s", c.Op, c.Skill, c.Level, arrow(string(fromProficiency(c)), string(c.Proficiency)))
	case v1alpha1.OpSetRequired:
		return fmt.Sprintf("%s %s@%s: %s", c.Op, c.Skill, c.Level, arrow(fromBool(c), boolText(c.Required)))
	case v1alpha1.OpSetFocus:
		return fmt.Sprintf("%s %s: %s", c.Op, c.Level, strconv.Quote(deref(c.Focus)))
	case v1alpha1.OpSetTechStack:
		items := make([]string, len(c.TechStack))
		for i, item := range c.TechStack {
			items[i] = techStackItem(item)
		}
		return fmt.Sprintf("%s %s: [%s]", c.Op, c.Level, strings.Join(items, ", "))
	case v1alpha1.OpAddSkill:
		return fmt.Sprintf("%s %s (%d cells)", c.Op, c.Skill, len(c.Cells))
	default:
		return fmt.Sprintf("%s %s", c.Op, c.Skill)
	}
}

// techStackItem is an item as it is, or quoted when it has a character
// that could end the line or the list, or read as a trailer.
func techStackItem(item string) string {
	if item == "" || looksLikeTrailer(item) || strings.ContainsAny(item, ",[]\"\\") ||
		strings.ContainsFunc(item, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) && r != ' ' }) ||
		item != strings.TrimSpace(item) {
		return strconv.Quote(item)
	}
	return item
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
