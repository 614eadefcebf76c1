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
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

func newStatusCommand(o *options) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "status [PROPOSAL] [-o text|json|yaml|name|wide]",
		Short: "Show a Proposal's tally, what it still needs and its deadline",
		Long: `Show where a Proposal stands: its changes, the votes and reviews cast, the
tally against the effective governance policy (the Role's, else the
SkillMatrix's, else the built-in defaults), what is still missing for
acceptance and the deadline. The tally is computed from the votes and reviews
as they are now, with the same rules the operator applies (a vote the operator
has not processed yet already counts); the phase is the operator's.

Without PROPOSAL, list the Proposals of the namespace; -o wide adds the
title, the outlook and the age. -o json and -o yaml give the standing as
data, -o name the Proposals' names.`,
		Example: `  kubectl skillmatrix status -n career
  kubectl skillmatrix status mlops-engineer-raise-kubernetes-core
  kubectl skillmatrix status mlops-engineer-raise-kubernetes-core -o json | jq .missing
  kubectl skillmatrix status -o wide`,
		Args: args(0, 1, "PROPOSAL"),
		RunE: func(cmd *cobra.Command, a []string) error {
			formats := []string{formatText, formatJSON, formatYAML, formatName}
			if len(a) == 0 {
				formats = append(formats, formatWide)
			}
			if err := checkOutput(format, formats...); err != nil {
				return err
			}
			s, err := o.connect()
			if err != nil {
				return err
			}
			if len(a) == 0 {
				return o.listProposals(cmd.Context(), s, format)
			}
			p, err := s.getProposal(cmd.Context(), a[0])
			if err != nil {
				return err
			}
			ballots, err := s.ballotsOf(cmd.Context(), p.Name, "", "")
			if err != nil {
				return err
			}
			st := s.standing(cmd.Context(), p, ballots, map[string]*roleContext{}, time.Now())
			switch format {
			case formatJSON, formatYAML:
				return writeData(o.streams.Out, format, st)
			case formatName:
				_, err := fmt.Fprintln(o.streams.Out, proposalRef(st.Name))
				return err
			}
			out := &printer{w: o.streams.Out}
			printStanding(out, st)
			return out.err
		},
	}
	cmd.Flags().StringVarP(&format, "output", "o", formatText, "format: text, json, yaml or name; wide for the list")
	return cmd
}

// standing is where a Proposal stands, for status.
type standing struct {
	Name      string    `json:"name"`
	Namespace string    `json:"namespace"`
	Title     string    `json:"title"`
	Role      string    `json:"role"`
	Author    string    `json:"author"`
	Created   time.Time `json:"created"`
	Phase     string    `json:"phase"`
	Message   string    `json:"message"`
	Changes   []string  `json:"changes"`
	// Votes and Reviews are the counted ones: each person's entry of
	// spec.votes or spec.reviews, or their newest Ballot.
	Votes    []v1.Vote   `json:"votes"`
	Reviews  []v1.Review `json:"reviews"`
	Tally    tally       `json:"tally"`
	Policy   policy      `json:"policy"`
	Deadline time.Time   `json:"deadline"`
	// Missing is what acceptance still needs (governance.Decide), while the
	// Proposal is open.
	Missing []string `json:"missing"`
	// Outlook is the phase governance.Judge gives now, as the operator
	// does: Open, Accepted, Rejected, Expired, Conflicted (a `from` no longer
	// holds) or Invalid; the phase itself once the Proposal is closed;
	// Unknown when the Role or its SkillMatrix cannot be read. The
	// operator's Phase follows it.
	Outlook string `json:"outlook"`
	// Blockers say why the changes cannot be applied (Conflicted, Invalid).
	Blockers []string `json:"blockers,omitempty"`
	// Uncounted are the votes and reviews that do not count: those the
	// operator's re-check revoked, and the Ballots that do not count for
	// the Proposal (cast on an earlier text, after the deadline, ...).
	Uncounted []v1.UncountedBallot `json:"uncounted,omitempty"`
	// Held says why an accepted Proposal is not promoted (the admission
	// policies are not in force as shipped).
	Held string `json:"held,omitempty"`
	now  time.Time
}

type tally struct {
	Approvals        int32 `json:"approvals"`
	Rejections       int32 `json:"rejections"`
	ReviewApprovals  int32 `json:"reviewApprovals"`
	ChangesRequested int32 `json:"changesRequested"`
}

type policy struct {
	MinApprovals         int32  `json:"minApprovals"`
	ApprovalRatioPercent int32  `json:"approvalRatioPercent"`
	RequiredReviews      int32  `json:"requiredReviews"`
	VotingPeriod         string `json:"votingPeriod"`
	// Source says where the policy came from: "role and matrix", "status"
	// (the operator's last tally, when the Role cannot be read) or "defaults".
	Source string `json:"source"`
}

// roleContext is a Proposal's Role and SkillMatrix as the CLI could read
// them; nil when it could not.
type roleContext struct {
	matrix *v1.SkillMatrix
	role   *v1.Role
}

// roleContextFor reads the Proposal's Role and SkillMatrix once per Role for
// a list (roles caches them).
func (s *session) roleContextFor(ctx context.Context, p *v1.Proposal, roles map[string]*roleContext) *roleContext {
	name := string(p.Spec.RoleRef)
	if cached, ok := roles[name]; ok {
		return cached
	}
	var rc *roleContext
	if matrix, role, err := s.getRole(ctx, name); err == nil {
		rc = &roleContext{matrix: matrix, role: role}
	}
	roles[name] = rc
	return rc
}

// outlookUnknown is the outlook when the Role or its SkillMatrix cannot be
// read: whether the changes still apply decides the phase as much as the
// votes do.
const outlookUnknown = "Unknown"

// standing judges the Proposal with governance.Judge, exactly as the
// operator does, so the outlook is the phase the operator will give it.
// ballots are the Ballots cast on it.
func (s *session) standing(ctx context.Context, p *v1.Proposal, ballots []v1.Ballot, roles map[string]*roleContext,
	now time.Time) *standing {
	created := p.CreationTimestamp.UTC()
	var (
		pol        governance.Policy
		source     string
		t          governance.Tally
		deadline   time.Time
		outlook    string
		missing    []string
		blockers   []string
		collection governance.Collection
	)
	in := governance.ProposalInput(p, governance.Pointers(ballots), "")
	// The operator's re-checks of the voters' authority are in the status:
	// the CLI cannot ask RBAC on their behalf.
	in.Revoked = governance.RevokedFrom(p.Status.Uncounted)
	if rc := s.roleContextFor(ctx, p, roles); rc != nil {
		in.Role, in.Matrix, in.Now = &rc.role.Spec, &rc.matrix.Spec, now
		v := governance.Judge(in)
		pol, source, t, deadline, outlook, missing = v.Policy, "role and matrix", v.Tally, v.Deadline, string(v.Outcome), v.Decision.Missing
		collection = v.Collection
		for _, c := range v.Conflicts {
			blockers = append(blockers, c.String())
		}
		for _, pr := range v.Problems {
			blockers = append(blockers, pr.String())
		}
	} else {
		pol, source = governance.Defaults, "defaults"
		if st := p.Status.Tally; st != nil {
			pol.MinApprovals, pol.ApprovalRatioPercent, pol.RequiredReviews = st.MinApprovals, st.ApprovalRatioPercent, st.RequiredReviews
			source = "status"
		}
		deadline, outlook = governance.Deadline(created, pol), outlookUnknown
		collection = governance.Collect(&in, deadline)
		t = governance.CountBallots(eligible(collection.Counted, in.Revoked))
		missing = governance.Decide(t, pol, deadline, now).Missing
	}
	if p.Status.Deadline != nil {
		deadline = p.Status.Deadline.UTC()
	}
	st := &standing{
		Name: p.Name, Namespace: p.Namespace, Title: p.Spec.Title, Role: string(p.Spec.RoleRef),
		Author: string(p.Spec.Author), Created: created,
		Phase: string(p.Status.Phase), Message: p.Status.Message,
		Changes: []string{}, Votes: []v1.Vote{}, Reviews: []v1.Review{},
		Tally:    tally{t.Approvals, t.Rejections, t.ReviewApprovals, t.ChangesRequested},
		Policy:   policy{pol.MinApprovals, pol.ApprovalRatioPercent, pol.RequiredReviews, pol.VotingPeriod.String(), source},
		Deadline: deadline, Missing: []string{}, Outlook: outlook, now: now,
	}
	st.Votes, st.Reviews = countedEntries(p, ballots, collection.Counted)
	st.Uncounted = uncountedOf(p, collection)
	if c := meta.FindStatusCondition(p.Status.Conditions, v1.ConditionApplied); c != nil &&
		c.Status == metav1.ConditionFalse && c.Reason == v1.ReasonPromotionHeld {
		st.Held = c.Message
	}
	st.settle(p, outlook, blockers)
	for i := range p.Spec.Changes {
		st.Changes = append(st.Changes, describeChange(&p.Spec.Changes[i]))
	}
	if st.open() && missing != nil {
		st.Missing = missing
	}
	return st
}

// settle gives a closed Proposal its phase as the outlook and the tally it
// was decided by: its changes are in the Role or never will be, and judging
// them again against today's Role says nothing; why they never will be is
// what the operator found when it closed it. An open one keeps the CLI's outlook, with the blockers when
// that outlook is that the changes cannot be applied.
func (st *standing) settle(p *v1.Proposal, outlook string, blockers []string) {
	cannotApply := func(phase string) bool {
		return phase == string(v1.PhaseConflicted) || phase == string(v1.PhaseInvalid)
	}
	switch {
	case st.final():
		st.Outlook = st.Phase
		if cannotApply(st.Phase) && p.Status.Message != "" {
			st.Blockers = []string{p.Status.Message}
		}
		if pt := p.Status.Tally; pt != nil {
			// The tally the operator decided by: a ballot cast or
			// withdrawn since changes nothing.
			st.Tally = tally{pt.Approvals, pt.Rejections, pt.ReviewApprovals, pt.ChangesRequested}
		}
	case cannotApply(outlook):
		st.Blockers = blockers
	}
}

// open says whether votes can still change the outcome.
func (st *standing) open() bool { return v1.ProposalPhase(st.Phase).IsOpen() }

// final says whether the operator has settled the Proposal for good.
func (st *standing) final() bool { return v1.ProposalPhase(st.Phase).IsClosed() }

// until is the time to or since the deadline in words.
func (st *standing) until() string {
	d := st.Deadline.Sub(st.now)
	if d >= 0 {
		return "in " + duration.HumanDuration(d)
	}
	return duration.HumanDuration(-d) + " ago"
}

func printStanding(p *printer, st *standing) {
	tw := p.table()
	phase := st.Phase
	if phase == "" {
		phase = "(not yet seen by the operator)"
	}
	tw.f("Proposal:\t%s (namespace %s)\n", st.Name, st.Namespace)
	tw.f("Title:\t%s\n", st.Title)
	tw.f("Role:\t%s\n", st.Role)
	tw.f("Author:\t%s\n", st.Author)
	tw.f("Phase:\t%s\n", phase)
	if st.Message != "" {
		tw.f("Message:\t%s\n", st.Message)
	}
	tw.f("Deadline:\t%s (%s)\n", st.Deadline.Format(time.RFC3339), st.until())
	p.flush(tw)
	p.f("\nChanges (%d):\n", len(st.Changes))
	for _, c := range st.Changes {
		p.f("  - %s\n", c)
	}
	pol, t := st.Policy, st.Tally
	p.f("\nVotes: %d approving, %d rejecting (needs %d approving and %d%% approval)\n",
		t.Approvals, t.Rejections, pol.MinApprovals, pol.ApprovalRatioPercent)
	tw = p.table()
	for _, v := range st.Votes {
		tw.f("  %s\t%s\t%s\n", v.Voter, v.Decision, v.Comment)
	}
	p.flush(tw)
	p.f("Reviews: %d approving, %d requesting changes (needs %d approving)\n",
		t.ReviewApprovals, t.ChangesRequested, pol.RequiredReviews)
	tw = p.table()
	for _, r := range st.Reviews {
		tw.f("  %s\t%s\t%s\n", r.Reviewer, r.Decision, r.Comment)
	}
	p.flush(tw)
	if len(st.Uncounted) > 0 {
		p.ln("Not counted:")
		for _, u := range st.Uncounted {
			what := u.Kind + " by " + string(u.User)
			if u.Ballot != "" {
				what += " (ballot " + u.Ballot + ")"
			}
			p.f("  %s: %s\n", what, u.Reason)
		}
	}
	switch {
	case st.Held != "":
		p.f("\nAccepted, not promoted: %s.\n", strings.TrimPrefix(st.Held, "accepted, not promoted: "))
	case len(st.Blockers) > 0:
		p.f("\nThe rules say %s: %s.\n", st.Outlook, strings.Join(st.Blockers, "; "))
	case !st.open():
		p.f("\nClosed: the Proposal is %s.\n", st.Phase)
	case len(st.Missing) > 0:
		p.f("\nMissing for acceptance: %s.\n", strings.Join(st.Missing, "; "))
	case st.Outlook == string(v1.PhaseAccepted):
		p.ln("\nNothing is missing: the rules are met and the operator applies the changes.")
	default:
		p.f("\nThe rules say %s.\n", st.Outlook)
	}
}

func (o *options) listProposals(ctx context.Context, s *session, format string) error {
	var list v1.ProposalList
	if err := s.c.List(ctx, &list, client.InNamespace(s.ns)); err != nil {
		return s.explain(err, "list", resProposals, "")
	}
	slices.SortFunc(list.Items, func(a, b v1.Proposal) int { return strings.Compare(a.Name, b.Name) })
	// The namespace's Ballots in one request, not one per Proposal.
	var ballots v1.BallotList
	if err := s.c.List(ctx, &ballots, client.InNamespace(s.ns)); err != nil {
		return s.explain(err, "list", resBallots, "")
	}
	byProposal := map[v1.ObjectName][]v1.Ballot{}
	for _, b := range ballots.Items {
		byProposal[b.Spec.ProposalRef] = append(byProposal[b.Spec.ProposalRef], b)
	}
	now := time.Now()
	roles := map[string]*roleContext{}
	out := make([]*standing, 0, len(list.Items))
	for i := range list.Items {
		out = append(out, s.standing(ctx, &list.Items[i], byProposal[v1.ObjectName(list.Items[i].Name)], roles, now))
	}
	p := &printer{w: o.streams.Out}
	switch format {
	case formatJSON, formatYAML:
		return writeData(o.streams.Out, format, out)
	case formatName:
		for _, st := range out {
			p.ln(proposalRef(st.Name))
		}
		return p.err
	}
	if len(out) == 0 {
		o.warnf("No Proposals in namespace %s.\n", s.ns)
		return nil
	}
	printProposalTable(p, out, format == formatWide)
	return p.err
}

// printProposalTable lists Proposals, one a line; wide adds the title, the
// outlook and the age.
func printProposalTable(p *printer, list []*standing, wide bool) {
	tw := p.table()
	header := "NAME\tROLE\tAUTHOR\tPHASE\tVOTES\tREVIEWS\tDEADLINE\tMISSING"
	if wide {
		header += "\tOUTLOOK\tAGE\tTITLE"
	}
	tw.ln(header)
	for _, st := range list {
		missing := strings.Join(st.Missing, "; ")
		if missing == "" {
			missing = "-"
		}
		tw.f("%s\t%s\t%s\t%s\t+%d/-%d\t%d/%d\t%s\t%s", st.Name, st.Role, st.Author, orDash(st.Phase),
			st.Tally.Approvals, st.Tally.Rejections, st.Tally.ReviewApprovals, st.Policy.RequiredReviews, st.until(), missing)
		if wide {
			tw.f("\t%s\t%s\t%s", orDash(st.Outlook), duration.HumanDuration(st.now.Sub(st.Created)), text.TruncateRunes(st.Title, 60))
		}
		tw.ln()
	}
	p.flush(tw)
}
