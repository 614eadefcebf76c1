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

package notify

import (
	"net/url"
	"strings"
	"time"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
)

// Message is what one recipient is told, in their language, as plain text:
// every formatter (Slack, Teams, webhook, email) escapes it for its channel,
// so a title or comment arrives as the text its author typed.
type Message struct {
	// ID is the delivery id: of the one event, or of the digest.
	ID string
	// Entries are the events it tells, with their own delivery ids (one,
	// or a digest's).
	Entries []Entry
	// Digest: the message lists several events (or a daily digest's).
	Digest bool
	// More counts events a digest does not list (an outbox's overflow).
	More    int
	Locale  string
	Subject string
	Summary string
	// Description is what the author wrote about an opened Proposal.
	Description string
	Facts       []Fact
	Quotes      []Quote
	// Link is where to act: the portal's page, when a portal is configured.
	Link *Link
	// Command is what to run instead when there is no portal.
	Command string
	Footer  []string
	// Unsubscribe is the one-click unsubscribe link of a Follow's mail.
	Unsubscribe string
}

// Entry is one event a message tells.
type Entry struct {
	ID        string `json:"deliveryId"`
	Event     string `json:"event"`
	Namespace string `json:"namespace"`
	Object    string `json:"object"`
	Role      string `json:"role,omitempty"`
	Outcome   string `json:"outcome,omitempty"`
	Title     string `json:"title,omitempty"`
	// Text is the entry's line in a digest.
	Text string `json:"text"`
	Link string `json:"link,omitempty"`
}

// Fact is a labelled value.
type Fact struct{ Label, Value string }

// Quote is what someone wrote: a review's or vote's comment.
type Quote struct{ Who, Said, Text string }

// Link is a labelled URL.
type Link struct{ Text, URL string }

// Audience is who reads a message and where it comes from.
type Audience struct {
	Locale   string
	Location *time.Location
	// PortalURL is the portal's public address, without a trailing slash;
	// empty: messages name a kubectl command instead of a link.
	PortalURL string
	Namespace string
	// Why is the footer line that says why the recipient gets it (see
	// WhyFollow, WhyRule, WhyReviewer).
	Why         string
	Unsubscribe string
	// Unfollow is the command that stops a Follow's mail where there is
	// no unsubscribe link.
	Unfollow string
}

// Detail is what a single message says beyond its record, read when it is
// sent: the Proposal as it is then.
type Detail struct {
	Author   string
	Changes  int
	Deadline time.Time
	Tally    *v1.Tally
	// Status is the operator's message on the object (in English).
	Status string
	// Asked are the reviewers a ReviewNeeded asks, Categories the names of
	// the categories it touches.
	Asked      []string
	Categories []string
	Comments   []Quote
	// Description is the Proposal's, told when it opens.
	Description string
}

// Why lines of the footer.

// WhyFollow: subscriber follows role.
func WhyFollow(locale, subscriber, role string) string {
	return render.Message(locale, "notify.why.follow", "Subscriber", subscriber, "Role", role)
}

// WhyRule: the channel of a notification rule.
func WhyRule(locale, rule, namespace string) string {
	return render.Message(locale, "notify.why.rule", "Rule", rule, "Namespace", namespace)
}

// WhyReviewer: a reviewer named by a rule or the SkillMatrix.
func WhyReviewer(locale, rule, namespace string) string {
	return render.Message(locale, "notify.why.reviewer", "Rule", rule, "Namespace", namespace)
}

// Single composes the message of one event.
func Single(n v1.PendingNotification, d Detail, a Audience) Message {
	t := func(id string, kv ...any) string { return render.Message(a.Locale, id, kv...) }
	entry := entryOf(n, a)
	m := Message{ID: n.ID, Entries: []Entry{entry}, Locale: a.Locale}
	when := func(at time.Time) string { return FormatTime(at, a.Location) }
	subj := "notify.subject." + string(n.Event)
	sum := "notify.summary." + string(n.Event)
	switch n.Event {
	case v1.EventDecided:
		subj += "." + n.Outcome
		sum += "." + n.Outcome
	case v1.EventWriteBackFailing:
		if n.Outcome == string(v1.PhaseAbandoned) || n.Outcome == string(v1.PhaseDiverged) || n.Outcome == string(v1.PhaseTimedOut) {
			subj += ".proposal"
			sum += "." + n.Outcome
		}
	}
	m.Subject = SingleLine(t(subj, "Title", n.Title, "Role", n.Role, "Object", n.Object))
	changes := t("notify.count.changes", "Count", d.Changes)
	m.Summary = t(sum, "Title", n.Title, "Role", n.Role, "Object", n.Object, "Author", d.Author,
		"Changes", changes, "Deadline", when(d.Deadline), "Reason", n.Outcome, "Cells", n.Outcome)
	switch n.Event {
	case v1.EventReviewNeeded:
		if len(d.Categories) > 0 {
			m.Summary += t("sep.sentence") + t("notify.summary.categories", "Categories", list(a.Locale, d.Categories))
		}
		if len(d.Asked) > 0 {
			m.Summary += t("sep.sentence") + t("notify.summary.asked", "Reviewers", list(a.Locale, d.Asked))
		}
	case v1.EventReverted, v1.EventWriteBackFailing:
		if d.Status != "" {
			m.Facts = append(m.Facts, Fact{t("notify.fact.status"), d.Status})
		}
	}
	if n.Role != "" && n.Event != v1.EventWriteBackFailing {
		m.Facts = append([]Fact{{t("notify.fact.role"), n.Role}}, m.Facts...)
	}
	if d.Author != "" {
		m.Facts = append(m.Facts, Fact{t("notify.fact.author"), d.Author})
	}
	if d.Tally != nil {
		m.Facts = append(m.Facts,
			Fact{t("notify.fact.votes"), t("notify.fact.votes.value", "Approvals", d.Tally.Approvals,
				"Min", d.Tally.MinApprovals, "Rejections", d.Tally.Rejections)},
			Fact{t("notify.fact.reviews"), t("notify.fact.reviews.value", "Approvals", d.Tally.ReviewApprovals,
				"Required", d.Tally.RequiredReviews, "Changes", d.Tally.ChangesRequested)})
	}
	if !d.Deadline.IsZero() && (n.Event == v1.EventOpened || n.Event == v1.EventReviewNeeded || n.Event == v1.EventDeadlineNear) {
		m.Facts = append(m.Facts, Fact{t("notify.fact.deadline"), when(d.Deadline)})
	}
	for _, q := range d.Comments {
		m.Quotes = append(m.Quotes, Quote{Who: q.Who, Said: t("notify.said." + q.Said), Text: q.Text})
	}
	m.Description = d.Description
	m.Link, m.Command = action(n, a)
	m.Footer = footer(m.ID, a)
	m.Unsubscribe = a.Unsubscribe
	return m
}

// Digest composes one message that lists several events, oldest first, and
// says how many more it leaves out.
func Digest(pending []v1.PendingNotification, more int, a Audience) Message {
	t := func(id string, kv ...any) string { return render.Message(a.Locale, id, kv...) }
	ids := make([]string, 0, len(pending))
	m := Message{Locale: a.Locale, More: more, Digest: true}
	for _, n := range pending {
		ids = append(ids, n.ID)
		m.Entries = append(m.Entries, entryOf(n, a))
	}
	m.ID = DigestID(ids)
	m.Subject = SingleLine(t("notify.subject.digest", "Count", len(pending)+more, "Namespace", a.Namespace))
	m.Summary = t("notify.summary.digest", "Namespace", a.Namespace)
	if a.PortalURL != "" {
		m.Link = &Link{Text: t("notify.action.portal"), URL: a.PortalURL + "/ns/" + url.PathEscape(a.Namespace) + "/"}
	}
	m.Footer = footer(m.ID, a)
	m.Unsubscribe = a.Unsubscribe
	return m
}

// entryOf is one event's entry: its line in a digest and its link.
func entryOf(n v1.PendingNotification, a Audience) Entry {
	t := func(id string, kv ...any) string { return render.Message(a.Locale, id, kv...) }
	label := "notify.label." + string(n.Event)
	if n.Event == v1.EventDecided || (n.Event == v1.EventWriteBackFailing && n.Title != "") {
		label = "notify.label." + n.Outcome
	}
	what := n.Title
	if what == "" {
		what = n.Object
	}
	line := t("notify.digest.line", "Label", t(label), "Title", what, "Role", n.Role)
	if n.Role == "" {
		line = t("notify.digest.lineNoRole", "Label", t(label), "Title", what)
	}
	link, _ := action(n, a)
	e := Entry{ID: n.ID, Event: string(n.Event), Namespace: a.Namespace, Object: n.Object, Role: n.Role,
		Outcome: n.Outcome, Title: n.Title, Text: SingleLine(line)}
	if link != nil {
		e.Link = link.URL
	}
	return e
}

// action is where to act on the event: a portal page, or without a portal a
// kubectl command.
func action(n v1.PendingNotification, a Audience) (*Link, string) {
	t := func(id string) string { return render.Message(a.Locale, id) }
	ns := a.Namespace
	switch {
	case n.Event == v1.EventReverted:
		if a.PortalURL != "" {
			return &Link{Text: t("notify.action.role"), URL: RolePage(a.PortalURL, ns, n.Role)}, ""
		}
		return nil, "kubectl get roles.career.skillmatrix.dev " + n.Role + " -n " + ns + " -o yaml"
	case n.Event == v1.EventWriteBackFailing && n.Title == "":
		return nil, "kubectl describe gitwritebacks.career.skillmatrix.dev " + n.Object + " -n " + ns
	case a.PortalURL != "":
		return &Link{Text: t("notify.action.proposal"), URL: ProposalPage(a.PortalURL, ns, n.Object)}, ""
	}
	return nil, "kubectl skillmatrix status " + n.Object + " -n " + ns
}

// ProposalPage is the portal's page of a Proposal.
func ProposalPage(portal, namespace, name string) string {
	return portal + "/ns/" + url.PathEscape(namespace) + "/proposals/" + url.PathEscape(name)
}

// RolePage is the portal's page of a Role.
func RolePage(portal, namespace, name string) string {
	return portal + "/ns/" + url.PathEscape(namespace) + "/roles/" + url.PathEscape(name) + "/"
}

func footer(id string, a Audience) []string {
	out := []string{}
	if a.Why != "" {
		out = append(out, a.Why)
	}
	if a.Unsubscribe == "" && a.Unfollow != "" {
		out = append(out, render.Message(a.Locale, "notify.footer.unfollow", "Command", a.Unfollow))
	}
	return append(out, render.Message(a.Locale, "notify.footer.delivery", "ID", id))
}

// FormatTime shows t in loc, to the minute, with the zone's abbreviation.
func FormatTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

// list joins items with the locale's list separator.
func list(locale string, items []string) string {
	return strings.Join(items, render.Message(locale, "sep.list"))
}

// SingleLine makes s one line of printable text: line breaks and other
// control characters become spaces (a header, a subject or a JSON title
// carries no line of its own).
func SingleLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == '\u2028' || r == '\u2029' || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
}

// PlainText is the message as plain text: the email's text part and the
// webhook's text.
func PlainText(m Message) string {
	var b strings.Builder
	b.WriteString(m.Subject + "\n\n")
	if m.Summary != "" {
		b.WriteString(m.Summary + "\n\n")
	}
	if m.Description != "" {
		b.WriteString(m.Description + "\n\n")
	}
	for _, f := range m.Facts {
		b.WriteString(f.Label + ": " + f.Value + "\n")
	}
	if len(m.Facts) > 0 {
		b.WriteString("\n")
	}
	for _, q := range m.Quotes {
		b.WriteString(q.Who + " (" + q.Said + "): " + q.Text + "\n")
	}
	if len(m.Quotes) > 0 {
		b.WriteString("\n")
	}
	if m.Digest {
		for _, e := range m.Entries {
			b.WriteString("- " + e.Text + "\n")
			if e.Link != "" {
				b.WriteString("  " + e.Link + "\n")
			}
		}
		if m.More > 0 {
			b.WriteString("- " + render.Message(m.Locale, "notify.digest.more", "Count", m.More) + "\n")
		}
		b.WriteString("\n")
	}
	if m.Link != nil {
		b.WriteString(m.Link.Text + ": " + m.Link.URL + "\n\n")
	}
	if m.Command != "" {
		b.WriteString(m.Command + "\n\n")
	}
	b.WriteString("--\n")
	for _, f := range m.Footer {
		b.WriteString(f + "\n")
	}
	if m.Unsubscribe != "" {
		b.WriteString(render.Message(m.Locale, "notify.footer.unsubscribe") + ": " + m.Unsubscribe + "\n")
	}
	return b.String()
}
