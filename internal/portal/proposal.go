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
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/kubecache"
)

type proposalView struct {
	Namespace, Name, Title, Description, Author string
	Role, RoleTitle, RoleURL, Feed              string
	Created, Deadline                           time.Time
	DeadlinePassed                              bool
	// Phase and Message are the operator's; Outlook is governance.Judge's
	// verdict now, which the operator's phase follows.
	Phase, Message, Outlook string
	Open                    bool
	Changes                 []changeRow
	Tally                   governance.Tally
	Policy                  governance.Policy
	RatioNow                string
	Missing, Blockers       []string
	Unowned                 []string
	OwnersUnchecked         bool
	Votes, Reviews          []ballot
	Uncounted               []v1.UncountedBallot
	Commands                []command
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
// its votes and reviews, and the commands to vote and review.
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
	roleName := string(p.Spec.RoleRef)
	view := proposalView{
		Namespace: ns, Name: p.Name, Title: p.Spec.Title, Description: p.Spec.Description, Author: string(p.Spec.Author),
		Role: roleName, RoleTitle: roleName, RoleURL: roleURL(ns, roleName), Feed: roleFeedURL(ns, roleName),
		Created: p.CreationTimestamp.UTC(), Phase: phaseOf(&p), Message: p.Status.Message, Open: isOpen(&p),
		Uncounted: p.Status.Uncounted, Outlook: "Unknown",
	}
	ballots, err := s.ballotsOf(r, &p)
	if err != nil {
		return page{}, err
	}
	in := governance.ProposalInput(&p, ballots, "")
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
	switch {
	case roleErr == nil:
		view.RoleTitle = cmp.Or(role.Spec.DisplayName, roleName)
		in.Role, in.Matrix, in.Now = &role.Spec, &matrix.Spec, s.opts.Now()
		collection = view.judge(in)
	case isNotFound(roleErr):
		view.Policy = governance.Defaults
		collection = governance.Collect(&in, governance.Deadline(p.CreationTimestamp.Time, governance.Defaults))
		view.Tally = governance.CountBallots(collection.Counted)
		view.Blockers = []string{roleErr.Error()}
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
		t := p.Status.Tally
		view.Tally = governance.Tally{Approvals: t.Approvals, Rejections: t.Rejections,
			ReviewApprovals: t.ReviewApprovals, ChangesRequested: t.ChangesRequested}
	}
	view.RatioNow = ratio(view.Tally)
	view.Votes, view.Reviews = ballotViews(&p, ballots, collection)
	view.Uncounted = uncountedViews(&p, collection)
	view.Commands = commands(ns, p.Name)
	view.Changes = changeRows(p.Spec.Changes, &role.Spec, view.Open)
	return s.htmlPage("proposal.html", view, s.modified(ns))
}

// judge fills in what governance.Judge says of the Proposal now, with the
// ballots the operator found no longer count left out, as the CLI does,
// and returns which ballots count.
func (v *proposalView) judge(in governance.Input) governance.Collection {
	verdict := governance.Judge(in)
	v.Policy, v.Tally, v.Deadline = verdict.Policy, verdict.Tally, verdict.Deadline
	v.Outlook = string(verdict.Outcome)
	v.Missing = verdict.Decision.Missing
	v.OwnersUnchecked = verdict.OwnersUnchecked
	for _, c := range verdict.Unowned {
		v.Unowned = append(v.Unowned, string(c))
	}
	for _, c := range verdict.Conflicts {
		v.Blockers = append(v.Blockers, c.String())
	}
	for _, pr := range verdict.Problems {
		v.Blockers = append(v.Blockers, pr.String())
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

func ratio(t governance.Tally) string {
	cast := t.Approvals + t.Rejections
	if cast == 0 {
		return "no votes yet"
	}
	return fmt.Sprintf("%d%% approve", t.Approvals*100/cast)
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

// uncountedViews are what does not count, as the CLI's status lists it.
func uncountedViews(p *v1.Proposal, c governance.Collection) []v1.UncountedBallot {
	var out []v1.UncountedBallot
	for _, u := range p.Status.Uncounted {
		if u.Cause == "" || u.Cause == v1.CauseRevoked {
			out = append(out, u)
		}
	}
	for _, n := range c.NotCounted {
		out = append(out, v1.UncountedBallot{Kind: string(n.Kind), User: n.User, Reason: n.Reason, Cause: n.Cause, Ballot: n.Name})
	}
	return out
}

// commands are the kubectl skillmatrix command lines that act on the
// Proposal. Names are DNS subdomains, so nothing in them needs quoting.
func commands(ns, name string) []command {
	base := "kubectl skillmatrix -n " + ns + " "
	return []command{
		{"Approve", base + "vote " + name + " approve -m \"why\""},
		{"Reject", base + "vote " + name + " reject -m \"why\""},
		{"Review as an expert", base + "review " + name + " approve -m \"why\""},
		{"Request changes as an expert", base + "review " + name + " request-changes -m \"what\""},
		{"Where it stands", base + "status " + name},
	}
}

// changeRow is one change as from -> to. From is the change's own `from`
// when it carries one, else the Role's value now while the Proposal is open.
type changeRow struct {
	Op, Target, From, To string
	// Stated: From is the change's own compare-and-swap value.
	Stated bool
}

func changeRows(changes []v1.Change, role *v1.RoleSpec, open bool) []changeRow {
	rows := make([]changeRow, 0, len(changes))
	for i := range changes {
		c := &changes[i]
		row := changeRow{Op: string(c.Op), Target: target(c), To: newValue(c)}
		switch {
		case c.From != nil:
			row.From, row.Stated = valueText(c.From.Proficiency, c.From.Required, c.From.Focus, c.From.TechStack), true
		case open:
			row.From = currentValue(c, role)
		}
		rows = append(rows, row)
	}
	return rows
}

func target(c *v1.Change) string {
	switch {
	case c.Skill != "" && c.Level != "":
		return string(c.Skill) + " @ " + string(c.Level)
	case c.Skill != "":
		return string(c.Skill)
	}
	return string(c.Level)
}

func newValue(c *v1.Change) string {
	switch c.Op {
	case v1.OpRemoveSkill:
		return "(removed)"
	case v1.OpAddSkill:
		cells := make([]string, 0, len(c.Cells))
		for _, cell := range c.Cells {
			cells = append(cells, string(cell.Level)+": "+valueText(cell.Proficiency, &cell.Required, nil, nil))
		}
		return strings.Join(cells, ", ")
	}
	return valueText(c.Proficiency, c.Required, c.Focus, c.TechStack)
}

func valueText(prof v1.ProficiencyID, required *bool, focus *string, stack []string) string {
	var parts []string
	if prof != "" {
		parts = append(parts, string(prof))
	}
	if required != nil {
		parts = append(parts, map[bool]string{true: "required", false: "optional"}[*required])
	}
	if focus != nil {
		parts = append(parts, *focus)
	}
	if stack != nil {
		parts = append(parts, strings.Join(stack, ", "))
	}
	return strings.Join(parts, ", ")
}

// currentValue is what the change would replace in the Role as it is now.
func currentValue(c *v1.Change, role *v1.RoleSpec) string {
	switch c.Op {
	case v1.OpSetProficiency:
		if cell := role.Cell(c.Skill, c.Level); cell != nil {
			return string(cell.Proficiency)
		}
	case v1.OpSetRequired:
		if cell := role.Cell(c.Skill, c.Level); cell != nil {
			return valueText("", &cell.Required, nil, nil)
		}
	case v1.OpRemoveSkill:
		if row := role.Row(c.Skill); row != nil {
			return fmt.Sprintf("%d cells", len(row.Cells))
		}
	case v1.OpAddSkill:
		return "(absent)"
	case v1.OpSetFocus:
		if level := role.Level(c.Level); level != nil {
			return level.Focus
		}
	case v1.OpSetTechStack:
		if level := role.Level(c.Level); level != nil {
			return strings.Join(level.TechStack, ", ")
		}
	}
	return ""
}

func isNotFound(err error) bool {
	var nf errNotFound
	return errors.As(err, &nf)
}
