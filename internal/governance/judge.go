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
	"slices"
	"time"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// BallotKind tells a vote from an expert review.
type BallotKind string

// The two kinds of ballot.
const (
	BallotVote   BallotKind = "vote"
	BallotReview BallotKind = "review"
)

// Revocation is a vote or review that no longer counts, because a re-check
// of its author's authority at decision time failed (their RBAC binding was
// removed, their groups no longer qualify). The caller makes the check;
// Judge only leaves the ballot out.
type Revocation struct {
	Kind BallotKind
	User v1alpha1.Username
	// Reason is one sentence for the Proposal's status.
	Reason string
}

// Input is everything the rules judge a Proposal by. Role and Matrix are
// required: without them nothing can be judged.
type Input struct {
	Proposal *v1alpha1.ProposalSpec
	// Created is the Proposal's creation time; the deadline derives from it.
	Created time.Time
	Role    *v1alpha1.RoleSpec
	Matrix  *v1alpha1.SkillMatrixSpec
	Now     time.Time
	// Revoked lists the ballots that no longer count.
	Revoked []Revocation
	// Ballots are the Ballot objects cast for the Proposal (those whose
	// spec.proposalRef names it); Collect decides which count. Without
	// them only spec.votes and spec.reviews count.
	Ballots []*v1alpha1.Ballot
	// UID is the Proposal's uid: a Ballot owned by another Proposal of the
	// same name does not count.
	UID string
	// Generation is the Proposal's metadata.generation and TextGeneration
	// the generation its text last changed at (TextGeneration); a Ballot
	// counts only when cast on a generation between the two. Zero
	// Generation leaves the rule out (a Proposal read from a file).
	Generation, TextGeneration int64
	// Owners are the categories each approving reviewer owns, when the
	// caller checked them; nil when it did not, and then a policy that
	// requires category owners is judged as if every owner had approved
	// (Verdict.OwnersUnchecked says so): the operator checks them before it
	// acts on an Accepted verdict.
	Owners OwnerApprovals
}

// Verdict is what the rules say of a Proposal against one Role spec at one
// moment. The Proposal controller writes it to the status, the promotion
// batches Proposals by it, and the CLI's status shows it, so all three agree.
type Verdict struct {
	Policy   Policy
	Deadline time.Time
	Tally    Tally
	// Outcome is the phase the Proposal belongs in: Withdrawn (its author
	// took it back, which outranks everything else), Conflicted (a `from` no
	// longer holds, which no vote can mend), Invalid (the changes do not fit
	// the Role or its SkillMatrix), else the Decision's phase.
	Outcome v1alpha1.ProposalPhase
	// Reason is the condition reason for Outcome.
	Reason string
	// NewSpec is the Role spec with the changes applied; nil when they
	// conflict.
	NewSpec *v1alpha1.RoleSpec
	// Conflicts are the changes that do not apply to the Role as it is.
	Conflicts []Conflict
	// Problems are set once the changes apply; Decision once they are valid.
	Problems []Problem
	Decision Decision
	// Revoked echoes the ballots left out of the tally by the re-check.
	Revoked []Revocation
	// Collection is which ballots count before the re-check (Collect):
	// Counted holds every counted vote and review, the revoked ones
	// included, and NotCounted the others with their reason.
	Collection
	// Unowned are the touched categories still without an owner's approval.
	Unowned []v1alpha1.ID
	// OwnersUnchecked: the policy requires category owners and Input.Owners
	// was nil.
	OwnersUnchecked bool
}

// Judge applies the governance rules to a Proposal, in the order the
// Proposal's status reports them: a withdrawal first (Withdrawn, with a
// Decision of that phase, so the status reads like any other closing
// decision), a stale `from` next (Conflicted), then changes that do not fit
// (Invalid), then the votes and reviews (Decide).
func Judge(in Input) Verdict {
	v := Verdict{Revoked: in.Revoked}
	var matrixPolicy *v1alpha1.GovernancePolicy
	if in.Matrix != nil {
		matrixPolicy = in.Matrix.Governance
	}
	var rolePolicy *v1alpha1.GovernancePolicy
	if in.Role != nil {
		rolePolicy = in.Role.Governance
	}
	v.Policy = Effective(matrixPolicy, rolePolicy)
	// Shown and stored to the second.
	v.Deadline = Deadline(in.Created, v.Policy).Truncate(time.Second)
	v.Collection = Collect(&in, v.Deadline)
	v.Tally = CountBallots(v.Eligible())

	if in.Proposal != nil && in.Proposal.Withdrawn {
		v.Decision = Decision{Phase: v1alpha1.PhaseWithdrawn, Reason: v1alpha1.ReasonWithdrawn,
			Message: fmt.Sprintf("withdrawn by its author %q before it was accepted; it will not be promoted",
				in.Proposal.Author)}
		v.Outcome, v.Reason = v.Decision.Phase, v.Decision.Reason
		return v
	}

	var changes []v1alpha1.Change
	if in.Proposal != nil {
		changes = in.Proposal.Changes
	}
	v.NewSpec, v.Conflicts = Apply(in.Role, changes)
	if HasStaleFrom(v.Conflicts) {
		v.Outcome, v.Reason = v1alpha1.PhaseConflicted, v1alpha1.ReasonConflict
		return v
	}
	if v.Problems = Validate(changes, in.Role, in.Matrix); len(v.Problems) > 0 {
		v.Outcome, v.Reason = v1alpha1.PhaseInvalid, v1alpha1.ReasonInvalidChanges
		return v
	}
	v.Decision = Decide(v.Tally, v.Policy, v.Deadline, in.Now)
	if v.Policy.RequireCategoryOwners {
		if in.Owners == nil {
			v.OwnersUnchecked = true
		} else {
			v.Unowned = unownedCategories(TouchedCategories(changes, in.Matrix), in.Owners, v.Counted, in.Revoked)
			v.Decision = requireOwners(v.Decision, v.Unowned)
		}
	}
	v.Outcome, v.Reason = v.Decision.Phase, v.Decision.Reason
	return v
}

// requireOwners holds back a decision while touched categories lack an
// owner's approval: an Accepted one stays Open, an Open or Expired one says
// what else it needs.
func requireOwners(d Decision, unowned []v1alpha1.ID) Decision {
	if len(unowned) == 0 {
		return d
	}
	names := make([]string, len(unowned))
	for i, c := range unowned {
		names[i] = text.Quote(c)
	}
	item := "an approving review by an owner of category " + text.Join(names)
	if len(unowned) > 1 {
		item = "approving reviews by an owner of each of the categories " + text.Join(names)
	}
	switch d.Phase {
	case v1alpha1.PhaseAccepted:
		return Decision{Phase: v1alpha1.PhaseOpen, Reason: v1alpha1.ReasonAwaitingOwners, Message: "needs " + item, Missing: []string{item}}
	case v1alpha1.PhaseOpen, v1alpha1.PhaseExpired:
		d.addMissing(item, "needs "+item, "needs "+item)
	}
	return d
}

// Promotable reports whether the Proposal is accepted and its changes apply
// cleanly to the spec it was judged against.
func (v Verdict) Promotable() bool {
	return v.Outcome == v1alpha1.PhaseAccepted && len(v.Conflicts) == 0
}

// HasStaleFrom reports whether a conflict is a `from` that no longer holds:
// one that can never hold again for the same Proposal.
func HasStaleFrom(conflicts []Conflict) bool {
	return slices.ContainsFunc(conflicts, func(c Conflict) bool { return c.Kind == ConflictStaleFrom })
}

// Eligible are the counted ballots the re-check did not revoke: those
// the tally adds up.
func (v Verdict) Eligible() []Ballot {
	if len(v.Revoked) == 0 {
		return v.Counted
	}
	return slices.DeleteFunc(slices.Clone(v.Counted), func(b Ballot) bool { return isRevoked(v.Revoked, b.Kind, b.User) })
}

func isRevoked(revoked []Revocation, kind BallotKind, user v1alpha1.Username) bool {
	return slices.ContainsFunc(revoked, func(r Revocation) bool { return r.Kind == kind && r.User == user })
}
