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

package governance_test

import (
	"testing"
	"time"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

func TestJudge(t *testing.T) {
	created := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	before := created.Add(time.Hour)
	after := created.Add(governance.Defaults.VotingPeriod + time.Second)
	approved := func(changes ...v1alpha1.Change) *v1alpha1.ProposalSpec {
		return &v1alpha1.ProposalSpec{
			Author: "alice", Changes: changes,
			Votes:   []v1alpha1.Vote{{Voter: "bob", Decision: v1alpha1.VoteApprove}, {Voter: "dave", Decision: v1alpha1.VoteApprove}},
			Reviews: []v1alpha1.Review{{Reviewer: "carol", Decision: v1alpha1.ReviewApprove}},
		}
	}
	openSpec := func(changes ...v1alpha1.Change) *v1alpha1.ProposalSpec {
		p := approved(changes...)
		p.Votes = p.Votes[:1]
		return p
	}
	withdrawn := func(p *v1alpha1.ProposalSpec) *v1alpha1.ProposalSpec {
		p.Withdrawn = true
		return p
	}
	raise := setProf("docker", "senior", "E")
	staleRaise := withFrom(raise, v1alpha1.ChangeValue{Proficiency: "W"}) // the Role holds V
	unknownSkill := setProf("dockr", "senior", "E")

	tests := []struct {
		name        string
		proposal    *v1alpha1.ProposalSpec
		role        *v1alpha1.RoleSpec
		matrix      *v1alpha1.SkillMatrixSpec
		now         time.Time
		revoked     []governance.Revocation
		want        v1alpha1.ProposalPhase
		wantReason  string
		promotable  bool
		wantTally   governance.Tally
		wantNewSpec bool
	}{
		{name: "accepted", proposal: approved(raise), now: before,
			want: v1alpha1.PhaseAccepted, wantReason: v1alpha1.ReasonAccepted, promotable: true,
			wantTally: governance.Tally{Approvals: 2, ReviewApprovals: 1}, wantNewSpec: true},
		{name: "open: one vote short", proposal: openSpec(raise), now: before,
			want: v1alpha1.PhaseOpen, wantReason: v1alpha1.ReasonAwaitingVotes,
			wantTally: governance.Tally{Approvals: 1, ReviewApprovals: 1}, wantNewSpec: true},
		{name: "a stale from outranks the votes: Conflicted", proposal: approved(staleRaise), now: before,
			want: v1alpha1.PhaseConflicted, wantReason: v1alpha1.ReasonConflict,
			wantTally: governance.Tally{Approvals: 2, ReviewApprovals: 1}},
		{name: "a stale from outranks the deadline too", proposal: openSpec(staleRaise), now: after,
			want: v1alpha1.PhaseConflicted, wantReason: v1alpha1.ReasonConflict,
			wantTally: governance.Tally{Approvals: 1, ReviewApprovals: 1}},
		{name: "an unknown skill: Invalid, however many votes", proposal: approved(unknownSkill), now: before,
			want: v1alpha1.PhaseInvalid, wantReason: v1alpha1.ReasonInvalidChanges,
			wantTally: governance.Tally{Approvals: 2, ReviewApprovals: 1}},
		{name: "no SkillMatrix: Invalid", proposal: approved(raise), matrix: &v1alpha1.SkillMatrixSpec{}, now: before,
			want: v1alpha1.PhaseInvalid, wantReason: v1alpha1.ReasonInvalidChanges,
			wantTally: governance.Tally{Approvals: 2, ReviewApprovals: 1}, wantNewSpec: true},
		{name: "expired at the deadline", proposal: openSpec(raise), now: after,
			want: v1alpha1.PhaseExpired, wantReason: v1alpha1.ReasonDeadlinePassed,
			wantTally: governance.Tally{Approvals: 1, ReviewApprovals: 1}, wantNewSpec: true},
		{name: "a revoked vote no longer counts", proposal: approved(raise), now: before,
			revoked: []governance.Revocation{{Kind: governance.BallotVote, User: "dave", Reason: "no longer a voter"}},
			want:    v1alpha1.PhaseOpen, wantReason: v1alpha1.ReasonAwaitingVotes,
			wantTally: governance.Tally{Approvals: 1, ReviewApprovals: 1}, wantNewSpec: true},
		{name: "a revoked review no longer counts, the same user's vote still does", proposal: approved(raise), now: before,
			revoked: []governance.Revocation{{Kind: governance.BallotReview, User: "carol"}, {Kind: governance.BallotVote, User: "carol"}},
			want:    v1alpha1.PhaseOpen, wantReason: v1alpha1.ReasonAwaitingVotes,
			wantTally: governance.Tally{Approvals: 2}, wantNewSpec: true},
		{name: "withdrawn by its author: Withdrawn, however many votes", proposal: withdrawn(approved(raise)), now: before,
			want: v1alpha1.PhaseWithdrawn, wantReason: v1alpha1.ReasonWithdrawn,
			wantTally: governance.Tally{Approvals: 2, ReviewApprovals: 1}},
		{name: "a withdrawal outranks a stale from and the deadline", proposal: withdrawn(openSpec(staleRaise)), now: after,
			want: v1alpha1.PhaseWithdrawn, wantReason: v1alpha1.ReasonWithdrawn,
			wantTally: governance.Tally{Approvals: 1, ReviewApprovals: 1}},
		{name: "the Role's policy overrides the matrix's", proposal: openSpec(raise), now: before,
			role: func() *v1alpha1.RoleSpec {
				r := testRole()
				r.Governance = &v1alpha1.GovernancePolicy{MinApprovals: new(int32(1))}
				return r
			}(),
			want: v1alpha1.PhaseAccepted, wantReason: v1alpha1.ReasonAccepted, promotable: true,
			wantTally: governance.Tally{Approvals: 1, ReviewApprovals: 1}, wantNewSpec: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			role, matrix := tt.role, tt.matrix
			if role == nil {
				role = testRole()
			}
			if matrix == nil {
				matrix = testMatrix()
			} else if len(matrix.Levels) == 0 {
				matrix = nil
			}
			v := governance.Judge(governance.Input{
				Proposal: tt.proposal, Created: created, Role: role, Matrix: matrix, Now: tt.now, Revoked: tt.revoked,
			})
			if v.Outcome != tt.want || v.Reason != tt.wantReason {
				t.Errorf("outcome %s/%s, want %s/%s (conflicts %v, problems %v, decision %+v)",
					v.Outcome, v.Reason, tt.want, tt.wantReason, v.Conflicts, v.Problems, v.Decision)
			}
			if v.Promotable() != tt.promotable {
				t.Errorf("promotable %v, want %v", v.Promotable(), tt.promotable)
			}
			if v.Tally != tt.wantTally {
				t.Errorf("tally %+v, want %+v", v.Tally, tt.wantTally)
			}
			if (v.NewSpec != nil) != tt.wantNewSpec {
				t.Errorf("new spec present %v, want %v", v.NewSpec != nil, tt.wantNewSpec)
			}
			if want := created.Add(v.Policy.VotingPeriod); !v.Deadline.Equal(want) {
				t.Errorf("deadline %v, want %v", v.Deadline, want)
			}
			if len(v.Revoked) != len(tt.revoked) {
				t.Errorf("revoked %v, want %v echoed", v.Revoked, tt.revoked)
			}
		})
	}
}

func TestHasStaleFrom(t *testing.T) {
	_, conflicts := governance.Apply(testRole(), []v1alpha1.Change{
		withFrom(setProf("docker", "senior", "E"), v1alpha1.ChangeValue{Proficiency: "W"}),
	})
	if !governance.HasStaleFrom(conflicts) {
		t.Errorf("a mismatched from is not reported stale: %v", conflicts)
	}
	_, conflicts = governance.Apply(testRole(), []v1alpha1.Change{setProf("golang", "senior", "E")})
	if len(conflicts) == 0 || governance.HasStaleFrom(conflicts) {
		t.Errorf("a missing skill is reported as a stale from, or not at all: %v", conflicts)
	}
}
