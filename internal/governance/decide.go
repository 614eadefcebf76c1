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

package governance

import (
	"fmt"
	"time"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// Tally is what the votes and reviews add up to.
type Tally struct{ Approvals, Rejections, ReviewApprovals, ChangesRequested int32 }

// Count tallies the entries of spec.votes and spec.reviews; entries by the
// author are ignored (defence in depth: admission forbids them). A voter or
// reviewer listed twice, which the map-typed lists make impossible in the
// cluster but a file read by the CLI can contain, counts once, by their
// first entry. Ballot objects are counted by Judge (Collect).
func Count(spec *v1alpha1.ProposalSpec) Tally {
	return CountBallots(Ballots(spec))
}

// Decision is the phase the governance rules put a Proposal in.
type Decision struct {
	// Phase is PhaseOpen, PhaseAccepted, PhaseRejected or PhaseExpired.
	Phase v1alpha1.ProposalPhase
	// Reason is a CamelCase condition reason, one of the Reason constants.
	Reason string
	// Message is a human sentence; for Open it says exactly what is still missing.
	Message string
	// Missing is what is still missing (Open) or was missing when voting
	// closed (Expired), one item per entry, for the CLI's status; nil otherwise.
	Missing []string
}

// Decide applies the rules to a tally. Before the deadline a Proposal is
// Accepted as soon as approvals >= min, approvals*100 >= ratio*(approvals+rejections)
// (with no votes cast the ratio counts as met only when min is 0),
// reviewApprovals >= required and no RequestChanges review stands; it is
// Rejected (RatioNotMet) early only when the ratio could not be met even if
// every remaining vote slot (v1alpha1.MaxBallotsPerProposal in all) approved;
// otherwise it stays Open.
//
// At or after the deadline the vote is closed and acceptance is no longer
// considered, so a vote cast after the deadline never tips a Proposal that the
// controller happens to evaluate late: a standing RequestChanges review
// rejects it (ChangesRequested); quorum without the ratio rejects it
// (RatioNotMet); anything else expires it (DeadlinePassed).
func Decide(t Tally, p Policy, deadline, now time.Time) Decision {
	g := measure(t, p)
	if now.Before(deadline) {
		switch {
		case g.accepted():
			return Decision{Phase: v1alpha1.PhaseAccepted, Reason: v1alpha1.ReasonAccepted, Message: g.acceptedMessage()}
		case !g.ratioReachable():
			return Decision{Phase: v1alpha1.PhaseRejected, Reason: v1alpha1.ReasonRatioNotMet, Message: fmt.Sprintf(
				"the %d%% approval ratio can no longer be met: %s, and at most %d more can be cast",
				p.ApprovalRatioPercent, g.votesCast(), g.slotsLeft())}
		}
		return g.open()
	}
	switch {
	case t.ChangesRequested > 0:
		return Decision{Phase: v1alpha1.PhaseRejected, Reason: v1alpha1.ReasonChangesRequested,
			Message: "voting closed at the deadline while " + standing(t.ChangesRequested)}
	case g.quorum() && !g.ratioMet:
		return Decision{Phase: v1alpha1.PhaseRejected, Reason: v1alpha1.ReasonRatioNotMet, Message: fmt.Sprintf(
			"voting closed at the deadline with %s, below the %d%% approval ratio",
			g.votesCast(), p.ApprovalRatioPercent)}
	}
	missing := g.needs()
	msg := "voting closed at the deadline before the proposal was accepted"
	if len(missing) > 0 {
		msg = "voting closed at the deadline without quorum: it needed " + text.Join(missing)
	}
	return Decision{Phase: v1alpha1.PhaseExpired, Reason: v1alpha1.ReasonDeadlinePassed, Message: msg, Missing: missing}
}

// gaps is a tally measured against a policy. Arithmetic is in int64 so a
// policy or tally that bypassed the schema bounds cannot overflow.
type gaps struct {
	t        Tally
	p        Policy
	cast     int64
	ratioMet bool
	// ratioGap is the approvals still needed for the ratio alone, assuming no
	// further rejections; unreachable when no number of approvals would do.
	ratioGap    int64
	unreachable bool
	minGap      int64
	reviewGap   int64
}

func measure(t Tally, p Policy) gaps {
	a, r := int64(t.Approvals), int64(t.Rejections)
	g := gaps{
		t:         t,
		p:         p,
		cast:      a + r,
		minGap:    max(int64(p.MinApprovals)-a, 0),
		reviewGap: max(int64(p.RequiredReviews)-int64(t.ReviewApprovals), 0),
	}
	g.ratioGap, g.unreachable = approvalsForRatio(a, r, int64(p.ApprovalRatioPercent))
	// With no votes cast there is no ratio to speak of: it only stands in the
	// way when approvals are needed at all.
	g.ratioMet = g.ratioGap == 0 && !g.unreachable || g.cast == 0 && p.MinApprovals <= 0
	return g
}

// approvalsForRatio returns the fewest further approvals k that make
// (a+k)*100 >= pct*(a+r+k) true, or unreachable.
func approvalsForRatio(a, r, pct int64) (k int64, unreachable bool) {
	switch {
	case a+r > 0 && a*100 >= pct*(a+r):
		return 0, false
	case a+r == 0:
		// One approval alone is a 100% share.
		return 1, pct > 100
	case pct >= 100:
		// Every added approval moves the share towards 100% but never reaches it
		// while a rejection stands.
		return 0, true
	}
	need := pct*(a+r) - 100*a
	return (need + 100 - pct - 1) / (100 - pct), false
}

func (g gaps) quorum() bool { return g.minGap == 0 && g.reviewGap == 0 }

func (g gaps) accepted() bool { return g.quorum() && g.ratioMet && g.t.ChangesRequested <= 0 }

func (g gaps) slotsLeft() int64 { return max(v1alpha1.MaxBallotsPerProposal-g.cast, 0) }

func (g gaps) ratioReachable() bool {
	return g.ratioMet || !g.unreachable && g.ratioGap <= g.slotsLeft()
}

// needs lists the votes and reviews still missing. One figure covers both the
// minimum and the ratio, because a voter wants to know how many approvals
// are needed, not which rule each of them satisfies.
func (g gaps) needs() []string {
	var out []string
	votes := g.minGap
	if !g.ratioMet && !g.unreachable {
		votes = max(votes, g.ratioGap)
	}
	if votes > 0 {
		item := text.Plural(votes, "more approving vote", "more approving votes")
		if !g.ratioMet && g.ratioGap > g.minGap {
			item += fmt.Sprintf(" to reach the %d%% approval ratio (%s so far)", g.p.ApprovalRatioPercent, g.votesCast())
		}
		out = append(out, item)
	}
	if g.reviewGap > 0 {
		out = append(out, text.Plural(g.reviewGap, "more expert approval", "more expert approvals"))
	}
	return out
}

func (g gaps) open() Decision {
	needs := g.needs()
	d := Decision{Phase: v1alpha1.PhaseOpen, Reason: v1alpha1.ReasonAwaitingVotes, Missing: needs}
	if len(needs) > 0 {
		d.Message = "needs " + text.Join(needs)
	}
	if g.t.ChangesRequested > 0 {
		// It outranks missing votes as the reason: more votes cannot get the
		// Proposal accepted while it stands.
		d.Reason = v1alpha1.ReasonChangesRequested
		blocker := standing(g.t.ChangesRequested)
		d.addMissing(blocker, "nothing else is missing, but "+blocker, blocker)
	}
	return d
}

// addMissing records one more thing the Proposal lacks: alone is the
// message when nothing else is said yet, clause what follows the rest.
func (d *Decision) addMissing(item, alone, clause string) {
	d.Missing = append(d.Missing, item)
	if d.Message == "" {
		d.Message = alone
	} else {
		d.Message += "; " + clause
	}
}

func (g gaps) acceptedMessage() string {
	return fmt.Sprintf("the rules are met: %s (at least %d approvals and %d%% needed), %s (%d needed), no RequestChanges review",
		g.votesCast(), g.p.MinApprovals, g.p.ApprovalRatioPercent,
		text.Plural(g.t.ReviewApprovals, "expert approval", "expert approvals"), g.p.RequiredReviews)
}

// votesCast reads "2 approving and 1 rejecting votes", which stays
// grammatical for any count, unlike "1 of 1 votes".
func (g gaps) votesCast() string {
	return fmt.Sprintf("%d approving and %d rejecting votes", g.t.Approvals, g.t.Rejections)
}

func standing(n int32) string {
	if n == 1 {
		return "a RequestChanges review stands"
	}
	return fmt.Sprintf("%d RequestChanges reviews stand", n)
}
