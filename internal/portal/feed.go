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

package portal

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/kubecache"
)

// The Atom feeds (RFC 4287): what happened to the Proposals and Roles of a
// Role, a SkillMatrix or a namespace. Entry ids are tag: URIs (RFC 4151)
// made of the object's UID and the event, so an entry keeps its id whatever
// is renamed and however often the portal restarts.
const (
	tagPrefix      = "tag:skillmatrix.dev,2026:"
	maxFeedEntries = 100
	atomNS         = "http://www.w3.org/2005/Atom"
)

type atomFeed struct {
	XMLName xml.Name    `xml:"feed"`
	XMLNS   string      `xml:"xmlns,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomEntry struct {
	ID       string      `xml:"id"`
	Title    string      `xml:"title"`
	Updated  string      `xml:"updated"`
	Author   *atomPerson `xml:"author,omitempty"`
	Link     atomLink    `xml:"link"`
	Summary  atomText    `xml:"summary"`
	Category *struct {
		Term string `xml:"term,attr"`
	} `xml:"category,omitempty"`
	at time.Time
}

// feedScope is what one feed covers.
type feedScope struct {
	id, title, self, alternate string
	ns                         string
	// keep selects the Roles of the feed; Proposals follow their Role.
	keep func(role string) bool
	// matrix, when set, keeps Roles of that SkillMatrix only.
	matrix string
}

func (s *Server) namespaceFeed(r *http.Request) (page, error) {
	ns, err := pathName(r, "ns")
	if err != nil {
		return page{}, err
	}
	t := translator{locale: requestLocale(r)}
	return s.feed(r, feedScope{id: tagPrefix + "namespace:" + ns, title: t.T("portal.feed.namespace", "Namespace", ns),
		self: namespaceFeedURL(ns), alternate: namespaceURL(ns), ns: ns})
}

func (s *Server) matrixFeed(r *http.Request) (page, error) {
	matrix, err := s.matrixOf(r)
	if err != nil {
		return page{}, err
	}
	ns := matrix.Namespace
	t := translator{locale: requestLocale(r)}
	return s.feed(r, feedScope{id: tagPrefix + "skillmatrix:" + string(matrix.UID),
		title: t.T("portal.feed.matrix", "Matrix", cmp.Or(matrix.Spec.DisplayName, matrix.Name)),
		self:  matrixFeedURL(ns, matrix.Name), alternate: matrixURL(ns, matrix.Name), ns: ns, matrix: matrix.Name})
}

func (s *Server) roleFeed(r *http.Request) (page, error) {
	role, _, err := s.roleAndMatrix(r)
	if role == nil {
		return page{}, err
	}
	// A Role whose SkillMatrix is gone still has a history to follow.
	ns, name := role.Namespace, role.Name
	t := translator{locale: requestLocale(r)}
	return s.feed(r, feedScope{id: tagPrefix + "role:" + string(role.UID),
		title: t.T("portal.feed.role", "Role", cmp.Or(role.Spec.DisplayName, name)), self: roleFeedURL(ns, name),
		alternate: roleURL(ns, name), ns: ns, keep: func(r string) bool { return r == name }})
}

// feed builds the feed of scope from the cache.
func (s *Server) feed(r *http.Request, scope feedScope) (page, error) {
	var roles v1.RoleList
	opts := []client.ListOption{client.InNamespace(scope.ns)}
	if scope.matrix != "" {
		opts = append(opts, client.MatchingFields{kubecache.IndexRoleMatrix: scope.matrix})
	}
	if err := s.reader.List(r.Context(), &roles, opts...); err != nil {
		return page{}, err
	}
	t := translator{locale: requestLocale(r)}
	kept := map[string]bool{}
	titles := map[string]string{}
	var entries []atomEntry
	for i := range roles.Items {
		role := &roles.Items[i]
		if scope.keep != nil && !scope.keep(role.Name) {
			continue
		}
		kept[role.Name] = true
		titles[role.Name] = cmp.Or(role.Spec.DisplayName, role.Name)
		if e, ok := s.republished(t, role); ok {
			entries = append(entries, e)
		}
	}
	var proposals v1.ProposalList
	if err := s.reader.List(r.Context(), &proposals, client.InNamespace(scope.ns)); err != nil {
		return page{}, err
	}
	for i := range proposals.Items {
		p := &proposals.Items[i]
		if (scope.keep != nil || scope.matrix != "") && !kept[string(p.Spec.RoleRef)] {
			continue
		}
		roleTitle := cmp.Or(titles[string(p.Spec.RoleRef)], string(p.Spec.RoleRef))
		entries = append(entries, proposalEntries(t, p, roleTitle)...)
		var ballots v1.BallotList
		if err := s.reader.List(r.Context(), &ballots, client.InNamespace(p.Namespace),
			client.MatchingFields{kubecache.IndexBallotProposal: p.Name}); err != nil {
			return page{}, err
		}
		entries = append(entries, s.ballotEntries(t, p, ballots.Items)...)
	}
	return s.atomPage(scope, entries)
}

func (s *Server) atomPage(scope feedScope, entries []atomEntry) (page, error) {
	slices.SortStableFunc(entries, func(a, b atomEntry) int { return cmp.Or(b.at.Compare(a.at), cmp.Compare(a.ID, b.ID)) })
	if len(entries) > maxFeedEntries {
		entries = entries[:maxFeedEntries]
	}
	updated := s.changes.started
	if len(entries) > 0 {
		updated = entries[0].at
	}
	f := atomFeed{XMLNS: atomNS, ID: scope.id, Title: scope.title, Updated: atomTime(updated),
		Author: atomPerson{Name: "skillmatrix-operator"},
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: s.absolute(scope.self)},
			{Rel: "alternate", Type: "text/html", Href: s.absolute(scope.alternate)}},
		Entries: entries}
	for i := range f.Entries {
		f.Entries[i].Link.Href = s.absolute(f.Entries[i].Link.Href)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return page{}, err
	}
	buf.WriteByte('\n')
	return contentPage(buf.Bytes(), "application/atom+xml; charset=utf-8", s.modified(scope.ns)), nil
}

// absolute makes a portal path absolute when the public URL is known.
func (s *Server) absolute(path string) string {
	if s.opts.PublicURL == "" {
		return path
	}
	return strings.TrimSuffix(s.opts.PublicURL, "/") + path
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func entry(id, title, href, author, summary, term string, at time.Time) atomEntry {
	e := atomEntry{ID: id, Title: title, Updated: atomTime(at), Link: atomLink{Rel: "alternate", Type: "text/html", Href: href},
		Summary: atomText{Type: "text", Text: summary}, at: at}
	if author != "" {
		e.Author = &atomPerson{Name: author}
	}
	e.Category = &struct {
		Term string `xml:"term,attr"`
	}{Term: term}
	return e
}

// proposalEntries are a Proposal's events: created, decided, applied.
func proposalEntries(t translator, p *v1.Proposal, roleTitle string) []atomEntry {
	base := tagPrefix + "proposal:" + string(p.UID) + ":"
	href := proposalURL(p.Namespace, p.Name)
	author := string(p.Spec.Author)
	out := []atomEntry{entry(base+"created", t.T("portal.feed.created", "Author", author, "Title", p.Spec.Title, "Role", roleTitle),
		href, author, t.T("portal.feed.createdSummary", "Author", author, "Count", len(p.Spec.Changes), "Role", roleTitle),
		"proposal-created", p.CreationTimestamp.UTC())}
	if phase := decidedPhase(p); phase != "" {
		out = append(out, entry(base+"decided", t.T("portal.feed.decided", "Phase", t.phase(phase), "Title", p.Spec.Title),
			href, author, cmp.Or(p.Status.Message, t.phase(phase)), "proposal-decided", decidedAt(p)))
	}
	if p.Status.Phase == v1.PhaseApplied && p.Status.AppliedAt != nil {
		out = append(out, entry(base+"applied", t.T("portal.feed.applied", "Role", roleTitle, "Title", p.Spec.Title), href, author,
			t.T("portal.feed.appliedSummary", "Role", roleTitle), "proposal-applied", p.Status.AppliedAt.UTC()))
	}
	return out
}

// ballotEntries are a Proposal's votes and reviews, one entry per voter or
// reviewer and decision: its entries of spec.votes and spec.reviews, and
// its Ballots. A Ballot's time is its creation, or when the portal saw its
// decision change; an entry carries no time of its own: it is when the
// portal saw it cast, or, for one cast before the portal started, the
// Proposal's latest known change.
func (s *Server) ballotEntries(t translator, p *v1.Proposal, ballots []v1.Ballot) []atomEntry {
	base := tagPrefix + "proposal:" + string(p.UID) + ":"
	href := proposalURL(p.Namespace, p.Name)
	fallback := latestTransition(p.Status.Conditions, p.CreationTimestamp.UTC())
	at := func(key string) time.Time {
		if cast, ok := s.changes.ballotCast(p.UID, key); ok {
			return cast.Truncate(time.Second)
		}
		return fallback
	}
	out := make([]atomEntry, 0, len(p.Spec.Votes)+len(p.Spec.Reviews)+len(ballots))
	index := map[string]int{}
	add := func(kind governance.BallotKind, user, decision, comment string, when time.Time) {
		key := ballotKey(kind, user, decision)
		title := t.T("portal.feed."+string(kind)+"."+decision, "User", user, "Title", p.Spec.Title)
		summary := title
		if comment != "" {
			summary += t.T("portal.sep.sentence") + t.T("portal.feed.comment", "Comment", comment)
		}
		e := entry(base+key, title, href, user, summary, "proposal-"+string(kind), when)
		if i, seen := index[key]; seen {
			if when.After(out[i].at) {
				out[i] = e
			}
			return
		}
		index[key] = len(out)
		out = append(out, e)
	}
	for _, v := range p.Spec.Votes {
		key := ballotKey(governance.BallotVote, string(v.Voter), string(v.Decision))
		add(governance.BallotVote, string(v.Voter), string(v.Decision), v.Comment, at(key))
	}
	for _, r := range p.Spec.Reviews {
		key := ballotKey(governance.BallotReview, string(r.Reviewer), string(r.Decision))
		add(governance.BallotReview, string(r.Reviewer), string(r.Decision), r.Comment, at(key))
	}
	for i := range ballots {
		b := &ballots[i]
		when := b.CreationTimestamp.UTC()
		if cast, ok := s.changes.ballotCast(b.UID, ballotObjectKey(b)); ok && cast.After(when) {
			when = cast.Truncate(time.Second)
		}
		add(governance.KindOf(b.Spec.Kind), string(b.Spec.Voter), string(b.Spec.Decision), b.Spec.Comment, when)
	}
	return out
}

// decidedPhase is the decision a closed Proposal got; "" while it is open.
func decidedPhase(p *v1.Proposal) string {
	switch {
	case p.Status.Phase.IsOpen():
		return ""
	case p.Status.Phase == v1.PhaseApplied:
		return string(v1.PhaseAccepted)
	}
	return string(p.Status.Phase)
}

// decidedAt is when the decision was taken, as the status tells: the
// deadline for an expired Proposal, else the latest condition transition.
func decidedAt(p *v1.Proposal) time.Time {
	if p.Status.Phase == v1.PhaseExpired && p.Status.Deadline != nil {
		return p.Status.Deadline.UTC()
	}
	if c := meta.FindStatusCondition(p.Status.Conditions, v1.ConditionAccepted); c != nil &&
		c.Status == metav1.ConditionTrue {
		return c.LastTransitionTime.UTC()
	}
	return latestTransition(p.Status.Conditions, p.CreationTimestamp.UTC())
}

func latestTransition(conds []metav1.Condition, floor time.Time) time.Time {
	t := floor
	for _, c := range conds {
		if c.LastTransitionTime.After(t) {
			t = c.LastTransitionTime.UTC()
		}
	}
	return t
}

// republished is the entry of a Role's current publication: one per
// content hash, so each republication is a new entry.
func (s *Server) republished(t translator, role *v1.Role) (atomEntry, bool) {
	if role.Status.ContentHash == "" {
		return atomEntry{}, false
	}
	at := latestTransition(role.Status.Conditions, role.CreationTimestamp.UTC())
	if n := len(role.Status.History); n > 0 && role.Status.History[n-1].AppliedAt.After(at) {
		at = role.Status.History[n-1].AppliedAt.UTC()
	}
	if seen, ok := s.changes.published(role.UID, role.Status.ContentHash); ok && seen.After(at) {
		at = seen
	}
	hash := strings.TrimPrefix(role.Status.ContentHash, "sha256:")
	title := cmp.Or(role.Spec.DisplayName, role.Name)
	return entry(tagPrefix+"role:"+string(role.UID)+":published:"+hash, t.T("portal.feed.republished", "Role", title),
		matrixHTMLURL(role.Namespace, role.Name), "", t.T("portal.feed.republishedSummary", "Role", title,
			"Generation", strconv.FormatInt(role.Status.ObservedGeneration, 10), "Hash", role.Status.ContentHash),
		"role-republished", at.Truncate(time.Second)), true
}
