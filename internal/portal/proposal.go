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
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/kubecache"
)

type proposalView struct {
	frame
	Namespace, Name, Title, Description, Author string
	Role, RoleTitle, RoleURL, Feed, Follow      string
	Created, Deadline                           time.Time
	DeadlinePassed                              bool
	// Phase and Message are the operator's; Outlook is governance.Judge's
	// verdict now, which the operator's phase follows.
	Phase, Message, Outlook string
	// Open: it still takes votes and reviews; Waiting: it waits for its
	// decision (withdrawable).
	Open, Waiting bool
	Withdrawn     bool
	Changes       []changeRow
	Tally         governance.Tally
	Policy        governance.Policy
	// Ratio is the share of approving votes now, -1 before any vote.
	Ratio             int
	Missing, Blockers []string
	OwnersUnchecked   bool
	Votes, Reviews    []ballot
	Commands          []command
	// Act is what the signed-in person may do here; nil for anyone else.
	Act     *proposalActions
	Refusal *refusal
}

// proposalActions are the forms the signed-in person gets.
type proposalActions struct {
	Token                           string
	IsAuthor, CanWithdraw           bool
	MayVote, MayReview              bool
	MyVote, MyReview                *ballot
	VoteURL, ReviewURL, WithdrawURL string
	// The choices and comments the forms show: the person's ballot, or
	// what they sent when the form comes back refused.
	VoteChoice, VoteComment, ReviewChoice, ReviewComment string
}

type ballot struct {
	User, Decision, Comment string
	Groups                  []string
	// Uncounted is why the operator no longer counts it, if it does not.
	Uncounted string
}

type command struct{ What, Line string }

// proposalPage shows one Proposal: its changes, where it stands against the
// policy (governance.Judge, as the operator and the CLI's status judge it),
// its votes and reviews, and the forms (or commands) to act on it.
func (s *Server) proposalPage(r *http.Request) (page, error) {
	ns, err := pathName(r, "ns")
	if err != nil {
		return page{}, err
	}
	name, err := pathName(r, "proposal")
	if err != nil {
		return page{}, err
	}
	var p v1.Proposal
	if err := s.get(r, ns, name, &p, "Proposal"); err != nil {
		return page{}, err
	}
	t := translator{locale: requestLocale(r)}
	roleName := string(p.Spec.RoleRef)
	view := proposalView{
		Namespace: ns, Name: p.Name, Title: p.Spec.Title, Description: p.Spec.Description, Author: string(p.Spec.Author),
		Role: roleName, RoleTitle: roleName, RoleURL: roleURL(ns, roleName), Feed: roleFeedURL(ns, roleName),
		Follow:  followURL(ns, roleName),
		Created: p.CreationTimestamp.UTC(), Phase: phaseOf(&p), Message: p.Status.Message,
		Open: !p.Status.Phase.VotesFrozen() && !p.Spec.Withdrawn, Waiting: p.Status.Phase.Withdrawable() && !p.Spec.Withdrawn,
		Withdrawn: p.Spec.Withdrawn, Outlook: "Unknown", Refusal: refusalOf(r),
	}
	objects, err := s.ballotsOf(r, &p)
	if err != nil {
		return page{}, err
	}
	in := governance.ProposalInput(&p, objects, "")
	// The operator's re-checks of the voters' authority are in the status:
	// the portal cannot ask RBAC on their behalf.
	in.Revoked = governance.RevokedFrom(p.Status.Uncounted)
	var collection governance.Collection
	var role v1.Role
	var matrix v1.SkillMatrix
	roleErr := s.get(r, ns, roleName, &role, "Role")
	if roleErr == nil {
		roleErr = s.get(r, ns, string(role.Spec.MatrixRef), &matrix, "SkillMatrix")
	}
	n := namesOf(t, nil, nil)
	switch {
	case roleErr == nil:
		view.RoleTitle = cmp.Or(role.Spec.DisplayName, roleName)
		n = namesOf(t, &matrix, &role)
		in.Role, in.Matrix, in.Now = &role.Spec, &matrix.Spec, s.opts.Now()
		collection = view.judge(t, n, &p, &matrix, in)
	case isNotFound(roleErr):
		view.Policy = governance.Defaults
		collection = governance.Collect(&in, governance.Deadline(p.CreationTimestamp.Time, governance.Defaults))
		view.Tally = governance.CountBallots(collection.Counted)
		if view.Waiting {
			view.Blockers = []string{t.T("portal.blocker.noRole", "Role", roleName)}
		}
	default:
		return page{}, roleErr
	}
	if p.Status.Deadline != nil {
		view.Deadline = p.Status.Deadline.UTC()
	}
	view.DeadlinePassed = !view.Deadline.IsZero() && !s.opts.Now().Before(view.Deadline)
	if !view.Open && p.Status.Tally != nil {
		// Decided: the tally is the one the operator decided by; a ballot
		// cast or withdrawn since changes nothing.
		st := p.Status.Tally
		view.Tally = governance.Tally{Approvals: st.Approvals, Rejections: st.Rejections,
			ReviewApprovals: st.ReviewApprovals, ChangesRequested: st.ChangesRequested}
	}
	view.Ratio = ratio(view.Tally)
	view.Votes, view.Reviews = ballotViews(&p, objects, collection)
	view.Commands = commands(t, ns, p.Name)
	var current *v1.RoleSpec
	if roleErr == nil && view.Waiting {
		current = &role.Spec
	}
	for i := range p.Spec.Changes {
		view.Changes = append(view.Changes, n.describe(&p.Spec.Changes[i], current))
	}
	view.frame = s.frameFor(r, p.Spec.Title, home(t), link{Text: view.RoleTitle, URL: view.RoleURL})
	view.Feed = roleFeedURL(ns, roleName)
	if id := me(r); id != nil && s.act != nil {
		view.Act = s.actionsFor(r, id, &p, view.Votes, view.Reviews, view.Token)
	}
	return s.htmlPage(r, "proposal.html", view, s.modified(ns))
}

// actionsFor says which forms id gets on p: withdraw for its author while
// it is open; vote and review for others who may (a SelfSubjectAccessReview
// as the person each: the verb vote on the Proposal, review on its Role).
func (s *Server) actionsFor(r *http.Request, id *identity, p *v1.Proposal, votes, reviews []ballot,
	token string) *proposalActions {
	a := &proposalActions{Token: token, IsAuthor: string(p.Spec.Author) == id.Username,
		VoteURL:     proposalURL(p.Namespace, p.Name) + "/vote",
		ReviewURL:   proposalURL(p.Namespace, p.Name) + "/review",
		WithdrawURL: proposalURL(p.Namespace, p.Name) + "/withdraw",
		MyVote:      mine(votes, id.Username), MyReview: mine(reviews, id.Username)}
	a.CanWithdraw = a.IsAuthor && p.Status.Phase.Withdrawable() && !p.Spec.Withdrawn
	if a.MyVote != nil {
		a.VoteChoice, a.VoteComment = formChoice(a.MyVote.Decision), a.MyVote.Comment
	}
	if a.MyReview != nil {
		a.ReviewChoice, a.ReviewComment = formChoice(a.MyReview.Decision), a.MyReview.Comment
	}
	if r.Method == http.MethodPost {
		switch r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:] {
		case "vote":
			a.VoteChoice, a.VoteComment = r.PostForm.Get("decision"), r.PostForm.Get("comment")
		case "review":
			a.ReviewChoice, a.ReviewComment = r.PostForm.Get("decision"), r.PostForm.Get("comment")
		}
	}
	if a.IsAuthor || p.Status.Phase.VotesFrozen() || p.Spec.Withdrawn {
		return a
	}
	now := s.opts.Now()
	a.MayVote = s.access.may(r.Context(), s.act, id, authorizationv1.ResourceAttributes{Namespace: p.Namespace,
		Verb: "vote", Group: v1.GroupVersion.Group, Resource: "proposals", Name: p.Name}, now)
	a.MayReview = s.access.may(r.Context(), s.act, id, authorizationv1.ResourceAttributes{Namespace: p.Namespace,
		Verb: "review", Group: v1.GroupVersion.Group, Resource: "roles", Name: string(p.Spec.RoleRef)}, now)
	return a
}

// formChoice is the form's value of a decision: approve, reject,
// request-changes.
func formChoice(decision string) string {
	switch decision {
	case string(v1.VoteApprove):
		return choiceApprove
	case string(v1.VoteReject):
		return choiceReject
	case string(v1.ReviewRequestChanges):
		return choiceRequestChanges
	}
	return ""
}

// judge fills in what governance.Judge says of the Proposal now, with the
// ballots the operator found no longer count left out, as the CLI does,
// and returns which ballots count.
// What blocks the changes and what is still needed are said only while the
// Proposal waits for its decision: a decided one is not re-checked against
// the Role that may carry it already.
func (v *proposalView) judge(t translator, n *names, p *v1.Proposal, matrix *v1.SkillMatrix,
	in governance.Input) governance.Collection {
	verdict := governance.Judge(in)
	v.Policy, v.Tally, v.Deadline = verdict.Policy, verdict.Tally, verdict.Deadline
	v.Outlook = string(verdict.Outcome)
	if !v.Waiting {
		return verdict.Collection
	}
	v.OwnersUnchecked = verdict.OwnersUnchecked
	v.Missing = stillNeeded(t, verdict.Tally, verdict.Policy)
	for _, c := range verdict.Unowned {
		v.Missing = append(v.Missing, t.T("portal.needed.owner", "Category", categoryName(matrix, c)))
	}
	for _, c := range verdict.Conflicts {
		v.Blockers = append(v.Blockers, conflictText(t, n, p, c))
	}
	for _, pr := range verdict.Problems {
		v.Blockers = append(v.Blockers, pr.Message)
	}
	return verdict.Collection
}

// ballotsOf are the Ballots cast on p, from the cache's index.
func (s *Server) ballotsOf(r *http.Request, p *v1.Proposal) ([]*v1.Ballot, error) {
	var list v1.BallotList
	if err := s.reader.List(r.Context(), &list, client.InNamespace(p.Namespace),
		client.MatchingFields{kubecache.IndexBallotProposal: p.Name}); err != nil {
		return nil, err
	}
	return governance.Pointers(list.Items), nil
}

// stillNeeded says, in the person's language, what the tally lacks.
func stillNeeded(t translator, tl governance.Tally, p governance.Policy) []string {
	var out []string
	if d := p.MinApprovals - tl.Approvals; d > 0 {
		out = append(out, t.T("portal.needed.approvals", "Count", int(d)))
	}
	if cast := tl.Approvals + tl.Rejections; cast > 0 && tl.Approvals*100 < p.ApprovalRatioPercent*cast {
		out = append(out, t.T("portal.needed.ratio", "Percent", int(p.ApprovalRatioPercent)))
	}
	if d := p.RequiredReviews - tl.ReviewApprovals; d > 0 {
		out = append(out, t.T("portal.needed.reviews", "Count", int(d)))
	}
	if tl.ChangesRequested > 0 {
		out = append(out, t.T("portal.needed.noChangesRequested", "Count", int(tl.ChangesRequested)))
	}
	return out
}

func categoryName(matrix *v1.SkillMatrix, id v1.ID) string {
	for _, c := range matrix.Spec.Categories {
		if c.ID == id {
			return c.Name
		}
	}
	return string(id)
}

// conflictText says why a change no longer applies to the Role.
func conflictText(t translator, n *names, p *v1.Proposal, c governance.Conflict) string {
	if c.Index < 0 || c.Index >= len(p.Spec.Changes) {
		return c.Message
	}
	target := n.describe(&p.Spec.Changes[c.Index], nil).Target
	switch c.Kind {
	case governance.ConflictStaleFrom:
		return t.T("portal.blocker.stale", "Target", target, "Expected", c.Expected, "Actual", c.Actual)
	case governance.ConflictMissingTarget:
		return t.T("portal.blocker.missing", "Target", target)
	}
	return target + ": " + c.Message
}

// ratio is the percentage of approving votes, -1 before any vote.
func ratio(t governance.Tally) int {
	cast := t.Approvals + t.Rejections
	if cast == 0 {
		return -1
	}
	return int(t.Approvals * 100 / cast)
}

// ballotViews are the votes and reviews cast on p, counted or not: the
// entries of spec.votes and spec.reviews and the Ballots, each with why it
// does not count when it does not.
func ballotViews(p *v1.Proposal, objects []*v1.Ballot, c governance.Collection) (votes, reviews []ballot) {
	why := map[string]string{}
	for _, u := range p.Status.Uncounted {
		if u.Cause == "" || u.Cause == v1.CauseRevoked {
			why[u.Kind+"/"+string(u.User)] = u.Reason
		}
	}
	comments := map[string]string{}
	for _, b := range objects {
		comments[b.Name] = b.Spec.Comment
	}
	comment := func(b governance.Ballot) string {
		if !b.Legacy() {
			return comments[b.Name]
		}
		if b.Kind == governance.BallotVote {
			if i := slices.IndexFunc(p.Spec.Votes, func(v v1.Vote) bool { return v.Voter == b.User }); i >= 0 {
				return p.Spec.Votes[i].Comment
			}
			return ""
		}
		if i := slices.IndexFunc(p.Spec.Reviews, func(r v1.Review) bool { return r.Reviewer == b.User }); i >= 0 {
			return p.Spec.Reviews[i].Comment
		}
		return ""
	}
	add := func(b governance.Ballot, uncounted string) {
		view := ballot{User: string(b.User), Decision: string(b.Decision), Comment: comment(b), Groups: b.Groups,
			Uncounted: uncounted}
		if b.Kind == governance.BallotReview {
			reviews = append(reviews, view)
		} else {
			votes = append(votes, view)
		}
	}
	for _, b := range c.Counted {
		add(b, why[string(b.Kind)+"/"+string(b.User)])
	}
	for _, n := range c.NotCounted {
		add(n.Ballot, n.Reason)
	}
	return votes, reviews
}

// mine is user's ballot in list, if there is one.
func mine(list []ballot, user string) *ballot {
	for i := range list {
		if list[i].User == user {
			return &list[i]
		}
	}
	return nil
}

// commands are the kubectl skillmatrix command lines that act on the
// Proposal. Names are DNS subdomains, so nothing in them needs quoting.
func commands(t translator, ns, name string) []command {
	base := "kubectl skillmatrix -n " + ns + " "
	why := t.T("portal.commands.why")
	return []command{
		{t.T("portal.commands.approve"), base + "vote " + name + " approve -m \"" + why + "\""},
		{t.T("portal.commands.reject"), base + "vote " + name + " reject -m \"" + why + "\""},
		{t.T("portal.commands.review"), base + "review " + name + " approve -m \"" + why + "\""},
		{t.T("portal.commands.requestChanges"), base + "review " + name + " request-changes -m \"" + why + "\""},
		{t.T("portal.commands.status"), base + "status " + name},
	}
}

func isNotFound(err error) bool {
	var nf errNotFound
	return errors.As(err, &nf)
}
