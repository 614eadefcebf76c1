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
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

func TestCount(t *testing.T) {
	vote := func(voter string, d v1alpha1.VoteDecision) v1alpha1.Vote {
		return v1alpha1.Vote{Voter: v1alpha1.Username(voter), Decision: d}
	}
	review := func(reviewer string, d v1alpha1.ReviewDecision) v1alpha1.Review {
		return v1alpha1.Review{Reviewer: v1alpha1.Username(reviewer), Decision: d}
	}
	approve, reject := v1alpha1.VoteApprove, v1alpha1.VoteReject
	ok, changes := v1alpha1.ReviewApprove, v1alpha1.ReviewRequestChanges
	tests := []struct {
		name    string
		votes   []v1alpha1.Vote
		reviews []v1alpha1.Review
		want    governance.Tally
	}{
		{name: "nothing cast"},
		{
			name:  "approvals and rejections",
			votes: []v1alpha1.Vote{vote("bob", approve), vote("carol", reject), vote("dave", approve)},
			want:  governance.Tally{Approvals: 2, Rejections: 1},
		},
		{
			name:    "review approvals and requested changes",
			reviews: []v1alpha1.Review{review("erin", ok), review("frank", changes), review("grace", ok)},
			want:    governance.Tally{ReviewApprovals: 2, ChangesRequested: 1},
		},
		{
			name:    "the author's vote and review are ignored",
			votes:   []v1alpha1.Vote{vote("alice", approve), vote("bob", approve)},
			reviews: []v1alpha1.Review{review("alice", ok), review("erin", changes)},
			want:    governance.Tally{Approvals: 1, ChangesRequested: 1},
		},
		{
			name:    "the author's rejection and request for changes are ignored too",
			votes:   []v1alpha1.Vote{vote("alice", reject)},
			reviews: []v1alpha1.Review{review("alice", changes)},
		},
		{
			name:    "decisions outside the enum count for nothing",
			votes:   []v1alpha1.Vote{vote("bob", "Abstain"), vote("carol", approve)},
			reviews: []v1alpha1.Review{review("erin", "LGTM")},
			want:    governance.Tally{Approvals: 1},
		},
		{
			// The map-typed lists make this impossible in the cluster; a file
			// read by the CLI is not held to that.
			name:    "a repeated voter or reviewer counts once, by the first entry",
			votes:   []v1alpha1.Vote{vote("bob", approve), vote("bob", reject), vote("bob", approve)},
			reviews: []v1alpha1.Review{review("erin", changes), review("erin", ok)},
			want:    governance.Tally{Approvals: 1, ChangesRequested: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := &v1alpha1.ProposalSpec{Author: "alice", Votes: tt.votes, Reviews: tt.reviews}
			if got := governance.Count(spec); got != tt.want {
				t.Errorf("Count() = %+v, want %+v", got, tt.want)
			}
		})
	}
	if got := governance.Count(nil); got != (governance.Tally{}) {
		t.Errorf("Count(nil) = %+v, want zero", got)
	}
}

type decideCase struct {
	name   string
	tally  governance.Tally
	policy governance.Policy // zero value: the defaults 2 / 66% / 1
	// now relative to the deadline
	now         time.Duration
	wantPhase   v1alpha1.ProposalPhase
	wantReason  string
	wantMessage string   // checked when set
	wantMissing []string // checked for Open and Expired
}

func policy(minApprovals, ratio, reviews int32) governance.Policy {
	return governance.Policy{MinApprovals: minApprovals, ApprovalRatioPercent: ratio, RequiredReviews: reviews, VotingPeriod: time.Hour}
}

func tally(approvals, rejections, reviewApprovals, changesRequested int32) governance.Tally {
	return governance.Tally{Approvals: approvals, Rejections: rejections, ReviewApprovals: reviewApprovals, ChangesRequested: changesRequested}
}

const before = -time.Hour

var (
	open     = v1alpha1.PhaseOpen
	accepted = v1alpha1.PhaseAccepted
	rejected = v1alpha1.PhaseRejected
	expired  = v1alpha1.PhaseExpired
)

func TestDecide(t *testing.T) {
	tests := []decideCase{
		// minApprovals
		{name: "approvals exactly at min", tally: tally(2, 0, 1, 0), now: before, wantPhase: accepted, wantReason: "Accepted"},
		{name: "approvals one below min", tally: tally(1, 0, 1, 0), now: before, wantPhase: open, wantReason: "AwaitingVotes",
			wantMessage: "needs 1 more approving vote", wantMissing: []string{"1 more approving vote"}},
		{name: "approvals exactly at a min of 5", tally: tally(5, 0, 1, 0), policy: policy(5, 66, 1), now: before, wantPhase: accepted, wantReason: "Accepted"},
		{name: "approvals one below a min of 5", tally: tally(4, 0, 1, 0), policy: policy(5, 66, 1), now: before, wantPhase: open, wantReason: "AwaitingVotes",
			wantMissing: []string{"1 more approving vote"}},
		{name: "no votes against a min of 2", tally: tally(0, 0, 1, 0), now: before, wantPhase: open, wantReason: "AwaitingVotes",
			wantMessage: "needs 2 more approving votes", wantMissing: []string{"2 more approving votes"}},

		// approvalRatioPercent
		{name: "ratio exactly met: 2 of 3 at 66% (200 >= 198)", tally: tally(2, 1, 1, 0), now: before, wantPhase: accepted, wantReason: "Accepted",
			wantMessage: "the rules are met: 2 approving and 1 rejecting votes (at least 2 approvals and 66% needed), 1 expert approval (1 needed), no RequestChanges review"},
		{name: "ratio one point short: 2 of 3 at 67% (200 < 201)", tally: tally(2, 1, 1, 0), policy: policy(2, 67, 1), now: before,
			wantPhase: open, wantReason: "AwaitingVotes",
			wantMessage: "needs 1 more approving vote to reach the 67% approval ratio (2 approving and 1 rejecting votes so far)",
			wantMissing: []string{"1 more approving vote to reach the 67% approval ratio (2 approving and 1 rejecting votes so far)"}},
		{name: "ratio exactly at 50%", tally: tally(1, 1, 0, 0), policy: policy(1, 50, 0), now: before, wantPhase: accepted, wantReason: "Accepted"},
		{name: "ratio one vote short of 50%", tally: tally(1, 2, 0, 0), policy: policy(1, 50, 0), now: before, wantPhase: open, wantReason: "AwaitingVotes",
			wantMissing: []string{"1 more approving vote to reach the 50% approval ratio (1 approving and 2 rejecting votes so far)"}},
		{name: "ratio short by several votes", tally: tally(2, 2, 1, 0), now: before, wantPhase: open, wantReason: "AwaitingVotes",
			wantMissing: []string{"2 more approving votes to reach the 66% approval ratio (2 approving and 2 rejecting votes so far)"}},
		{name: "min dominates when it needs more than the ratio", tally: tally(1, 1, 1, 0), policy: policy(4, 50, 1), now: before,
			wantPhase: open, wantReason: "AwaitingVotes", wantMissing: []string{"3 more approving votes"}},
		{name: "ratio 100 with only approvals", tally: tally(3, 0, 1, 0), policy: policy(2, 100, 1), now: before, wantPhase: accepted, wantReason: "Accepted"},
		{name: "ratio 100 rejects on the first rejection", tally: tally(3, 1, 1, 0), policy: policy(2, 100, 1), now: before,
			wantPhase: rejected, wantReason: "RatioNotMet",
			wantMessage: "the 100% approval ratio can no longer be met: 3 approving and 1 rejecting votes, and at most 9996 more can be cast"},

		// requiredReviews
		{name: "reviews exactly at required", tally: tally(2, 0, 2, 0), policy: policy(2, 66, 2), now: before, wantPhase: accepted, wantReason: "Accepted"},
		{name: "reviews one below required", tally: tally(2, 0, 1, 0), policy: policy(2, 66, 2), now: before, wantPhase: open, wantReason: "AwaitingVotes",
			wantMessage: "needs 1 more expert approval", wantMissing: []string{"1 more expert approval"}},
		{name: "no reviews against the default of 1", tally: tally(2, 0, 0, 0), now: before, wantPhase: open, wantReason: "AwaitingVotes",
			wantMissing: []string{"1 more expert approval"}},
		{name: "votes and reviews both missing", tally: tally(0, 0, 0, 0), policy: policy(2, 66, 3), now: before, wantPhase: open, wantReason: "AwaitingVotes",
			wantMessage: "needs 2 more approving votes and 3 more expert approvals",
			wantMissing: []string{"2 more approving votes", "3 more expert approvals"}},

		// RequestChanges
		{name: "a standing RequestChanges blocks acceptance when all else is met", tally: tally(5, 0, 3, 1), now: before,
			wantPhase: open, wantReason: "ChangesRequested",
			wantMessage: "nothing else is missing, but a RequestChanges review stands", wantMissing: []string{"a RequestChanges review stands"}},
		{name: "RequestChanges with votes and reviews missing", tally: tally(1, 0, 0, 1), now: before,
			wantPhase: open, wantReason: "ChangesRequested",
			wantMessage: "needs 1 more approving vote and 1 more expert approval; a RequestChanges review stands",
			wantMissing: []string{"1 more approving vote", "1 more expert approval", "a RequestChanges review stands"}},
		{name: "two RequestChanges reviews", tally: tally(2, 0, 1, 2), now: before, wantPhase: open, wantReason: "ChangesRequested",
			wantMessage: "nothing else is missing, but 2 RequestChanges reviews stand",
			wantMissing: []string{"2 RequestChanges reviews stand"}},

		// minApprovals 0 and the ratio with no votes
		{name: "min 0 with no votes: the ratio counts as met", tally: tally(0, 0, 1, 0), policy: policy(0, 66, 1), now: before, wantPhase: accepted, wantReason: "Accepted"},
		{name: "min 0 and no reviews needed: accepted at once", tally: tally(0, 0, 0, 0), policy: policy(0, 66, 0), now: before, wantPhase: accepted, wantReason: "Accepted"},
		{name: "min 0 still needs the ratio once votes are cast", tally: tally(0, 1, 1, 0), policy: policy(0, 66, 1), now: before,
			wantPhase: open, wantReason: "AwaitingVotes",
			wantMissing: []string{"2 more approving votes to reach the 66% approval ratio (0 approving and 1 rejecting votes so far)"}},
		{name: "min 1 with no votes: the ratio is not met", tally: tally(0, 0, 1, 0), policy: policy(1, 1, 1), now: before,
			wantPhase: open, wantReason: "AwaitingVotes", wantMissing: []string{"1 more approving vote"}},

		// Early rejection: at 66%, the 10000 ballots a Proposal counts hold at
		// most 3400 rejections (6600*100 >= 66*10000).
		{name: "3400 rejections: the ratio is still reachable", tally: tally(0, 3400, 1, 0), now: before, wantPhase: open, wantReason: "AwaitingVotes"},
		{name: "3401 rejections: the ratio is out of reach", tally: tally(0, 3401, 1, 0), now: before, wantPhase: rejected, wantReason: "RatioNotMet",
			wantMessage: "the 66% approval ratio can no longer be met: 0 approving and 3401 rejecting votes, and at most 6599 more can be cast"},
		{name: "approvals do not change the bound on rejections", tally: tally(100, 3401, 1, 0), now: before, wantPhase: rejected, wantReason: "RatioNotMet"},
		{name: "approvals with 3400 rejections stay open", tally: tally(100, 3400, 1, 0), now: before, wantPhase: open, wantReason: "AwaitingVotes"},
		{name: "early rejection outranks a standing RequestChanges", tally: tally(0, 3401, 0, 1), now: before, wantPhase: rejected, wantReason: "RatioNotMet"},

		// The deadline
		{name: "accepted one nanosecond before the deadline", tally: tally(2, 0, 1, 0), now: -time.Nanosecond, wantPhase: accepted, wantReason: "Accepted"},
		{name: "rules met exactly at the deadline: closed, expired", tally: tally(2, 0, 1, 0), now: 0, wantPhase: expired, wantReason: "DeadlinePassed",
			wantMessage: "voting closed at the deadline before the proposal was accepted", wantMissing: nil},
		{name: "rules met after the deadline: expired", tally: tally(2, 0, 1, 0), now: time.Nanosecond, wantPhase: expired, wantReason: "DeadlinePassed"},
		{name: "open one nanosecond before the deadline", tally: tally(1, 0, 1, 0), now: -time.Nanosecond, wantPhase: open, wantReason: "AwaitingVotes"},
		{name: "no quorum exactly at the deadline: expired", tally: tally(1, 0, 0, 0), now: 0, wantPhase: expired, wantReason: "DeadlinePassed",
			wantMessage: "voting closed at the deadline without quorum: it needed 1 more approving vote and 1 more expert approval",
			wantMissing: []string{"1 more approving vote", "1 more expert approval"}},
		{name: "no quorum long after the deadline: expired", tally: tally(0, 0, 0, 0), now: 1000 * time.Hour, wantPhase: expired, wantReason: "DeadlinePassed",
			wantMissing: []string{"2 more approving votes", "1 more expert approval"}},
		{name: "RequestChanges at the deadline: rejected", tally: tally(5, 0, 2, 1), now: 0, wantPhase: rejected, wantReason: "ChangesRequested",
			wantMessage: "voting closed at the deadline while a RequestChanges review stands"},
		{name: "RequestChanges without quorum at the deadline: rejected, not expired", tally: tally(0, 0, 0, 1), now: time.Nanosecond,
			wantPhase: rejected, wantReason: "ChangesRequested"},
		{name: "RequestChanges one nanosecond before the deadline: still open", tally: tally(0, 0, 0, 1), now: -time.Nanosecond,
			wantPhase: open, wantReason: "ChangesRequested"},
		{name: "quorum without the ratio at the deadline: rejected", tally: tally(2, 2, 1, 0), now: 0, wantPhase: rejected, wantReason: "RatioNotMet",
			wantMessage: "voting closed at the deadline with 2 approving and 2 rejecting votes, below the 66% approval ratio"},
		{name: "quorum of votes without reviews and without the ratio at the deadline: expired", tally: tally(2, 2, 0, 0), now: 0,
			wantPhase: expired, wantReason: "DeadlinePassed",
			wantMissing: []string{"2 more approving votes to reach the 66% approval ratio (2 approving and 2 rejecting votes so far)", "1 more expert approval"}},
		{name: "ratio met without quorum at the deadline: expired", tally: tally(1, 0, 1, 0), now: 0, wantPhase: expired, wantReason: "DeadlinePassed",
			wantMissing: []string{"1 more approving vote"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkDecide(t, tt) })
	}
}

func checkDecide(t *testing.T, tt decideCase) {
	t.Helper()
	p := tt.policy
	if p == (governance.Policy{}) {
		p = governance.Defaults
	}
	deadline := time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC)
	got := governance.Decide(tt.tally, p, deadline, deadline.Add(tt.now))
	if got.Phase != tt.wantPhase || got.Reason != tt.wantReason {
		t.Fatalf("Decide() = %s/%s (%q), want %s/%s", got.Phase, got.Reason, got.Message, tt.wantPhase, tt.wantReason)
	}
	if tt.wantMessage != "" && got.Message != tt.wantMessage {
		t.Errorf("Message = %q, want %q", got.Message, tt.wantMessage)
	}
	if got.Message == "" {
		t.Error("Message is empty")
	}
	switch got.Phase {
	case open, expired:
		if tt.wantMissing != nil || got.Phase == expired {
			if !reflect.DeepEqual(got.Missing, tt.wantMissing) {
				t.Errorf("Missing = %q, want %q", got.Missing, tt.wantMissing)
			}
		}
		if got.Phase == open && len(got.Missing) == 0 {
			t.Error("an Open decision must say what is missing")
		}
	default:
		if got.Missing != nil {
			t.Errorf("Missing = %q, want nil for %s", got.Missing, got.Phase)
		}
	}
}

// TestDecideExhaustive checks Decide against the rules written out directly,
// over every small tally and a spread of policies, and checks that Missing is
// exact: supplying what it lists gets the Proposal accepted, and one approving
// vote or review less does not.
func TestDecideExhaustive(t *testing.T) {
	deadline := time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC)
	for _, ratio := range []int32{1, 50, 66, 67, 99, 100} {
		for minApprovals := range int32(4) {
			for required := range int32(3) {
				p := policy(minApprovals, ratio, required)
				for a := range int32(8) {
					for r := range int32(8) {
						for rev := range int32(4) {
							for rc := range int32(2) {
								tl := tally(a, r, rev, rc)
								checkAgainstRules(t, tl, p, deadline)
							}
						}
					}
				}
			}
		}
	}
}

func ruleAccepts(tl governance.Tally, p governance.Policy) bool {
	cast := tl.Approvals + tl.Rejections
	ratioMet := cast > 0 && tl.Approvals*100 >= p.ApprovalRatioPercent*cast || cast == 0 && p.MinApprovals == 0
	return tl.Approvals >= p.MinApprovals && ratioMet && tl.ReviewApprovals >= p.RequiredReviews && tl.ChangesRequested == 0
}

// ratioReachable tries every number of further approvals the remaining slots allow.
func ratioReachable(tl governance.Tally, p governance.Policy) bool {
	for k := int32(0); tl.Approvals+tl.Rejections+k <= v1alpha1.MaxBallotsPerProposal; k++ {
		a, cast := tl.Approvals+k, tl.Approvals+tl.Rejections+k
		if cast > 0 && a*100 >= p.ApprovalRatioPercent*cast || cast == 0 && p.MinApprovals == 0 {
			return true
		}
	}
	return false
}

func checkAgainstRules(t *testing.T, tl governance.Tally, p governance.Policy, deadline time.Time) {
	t.Helper()
	name := fmt.Sprintf("tally %+v policy %d/%d%%/%d", tl, p.MinApprovals, p.ApprovalRatioPercent, p.RequiredReviews)
	got := governance.Decide(tl, p, deadline, deadline.Add(-time.Nanosecond))
	var want v1alpha1.ProposalPhase
	switch {
	case ruleAccepts(tl, p):
		want = accepted
	case !ratioReachable(tl, p):
		want = rejected
	default:
		want = open
	}
	if got.Phase != want {
		t.Fatalf("%s before the deadline: %s (%s), want %s", name, got.Phase, got.Message, want)
	}
	if got.Phase == open {
		checkMissingIsExact(t, name, tl, p, got.Missing, deadline)
	}
	closed := governance.Decide(tl, p, deadline, deadline)
	if closed.Phase == accepted || closed.Phase == open {
		t.Fatalf("%s at the deadline: %s, want a final phase", name, closed.Phase)
	}
}

func checkMissingIsExact(t *testing.T, name string, tl governance.Tally, p governance.Policy, missing []string, deadline time.Time) {
	t.Helper()
	fixed := tl
	var votes, reviews int32
	for _, item := range missing {
		n, _, _ := strings.Cut(item, " ")
		count, err := strconv.Atoi(n)
		switch {
		case strings.Contains(item, "RequestChanges"):
			fixed.ChangesRequested = 0
		case err != nil:
			t.Fatalf("%s: missing item %q does not start with a count", name, item)
		case strings.Contains(item, "approving vote"):
			votes = int32(count)
		case strings.Contains(item, "expert approval"):
			reviews = int32(count)
		default:
			t.Fatalf("%s: unexpected missing item %q", name, item)
		}
	}
	fixed.Approvals += votes
	fixed.ReviewApprovals += reviews
	if got := governance.Decide(fixed, p, deadline, deadline.Add(-time.Nanosecond)); got.Phase != accepted {
		t.Fatalf("%s: supplying %q leaves it %s (%s)", name, missing, got.Phase, got.Message)
	}
	if votes > 0 {
		short := fixed
		short.Approvals--
		if got := governance.Decide(short, p, deadline, deadline.Add(-time.Nanosecond)); got.Phase == accepted {
			t.Fatalf("%s: %d approving votes would do, but Missing asks for %d", name, votes-1, votes)
		}
	}
	if reviews > 0 {
		short := fixed
		short.ReviewApprovals--
		if got := governance.Decide(short, p, deadline, deadline.Add(-time.Nanosecond)); got.Phase == accepted {
			t.Fatalf("%s: %d expert approvals would do, but Missing asks for %d", name, reviews-1, reviews)
		}
	}
}
