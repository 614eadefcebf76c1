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
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// The Proposal the ballot tests judge: alice's "raise" on Role
// mlops-engineer, created at t0, at generation 3 with its text last
// changed at generation 2.
var (
	t0             = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	ballotDeadline = t0.Add(governance.Defaults.VotingPeriod)
)

const (
	ballotProposal = "raise"
	ballotRole     = "mlops-engineer"
	ballotUID      = "uid-now"
)

func ballotInput(spec *v1alpha1.ProposalSpec, ballots ...*v1alpha1.Ballot) governance.Input {
	if spec == nil {
		spec = &v1alpha1.ProposalSpec{Author: "alice", RoleRef: ballotRole}
	}
	return governance.Input{Proposal: spec, Created: t0, Ballots: ballots, UID: ballotUID,
		Generation: 3, TextGeneration: 2}
}

// ballot is a valid vote of voter cast an hour after t0 on generation 3.
func ballot(name, voter string, decision v1alpha1.BallotDecision, edits ...func(*v1alpha1.Ballot)) *v1alpha1.Ballot {
	b := &v1alpha1.Ballot{
		ObjectMeta: metav1.ObjectMeta{Name: name, CreationTimestamp: metav1.NewTime(t0.Add(time.Hour))},
		Spec: v1alpha1.BallotSpec{ProposalRef: ballotProposal, RoleRef: ballotRole, Kind: v1alpha1.BallotKindVote,
			Voter: v1alpha1.Username(voter), Decision: decision, ProposalGeneration: 3},
	}
	for _, e := range edits {
		e(b)
	}
	return b
}

func review(b *v1alpha1.Ballot) { b.Spec.Kind = v1alpha1.BallotKindReview }

func at(d time.Duration) func(*v1alpha1.Ballot) {
	return func(b *v1alpha1.Ballot) { b.CreationTimestamp = metav1.NewTime(t0.Add(d)) }
}

func onGeneration(g int64) func(*v1alpha1.Ballot) {
	return func(b *v1alpha1.Ballot) { b.Spec.ProposalGeneration = g }
}

func forRole(r string) func(*v1alpha1.Ballot) {
	return func(b *v1alpha1.Ballot) { b.Spec.RoleRef = v1alpha1.ObjectName(r) }
}

func ownedBy(uid string) func(*v1alpha1.Ballot) {
	return func(b *v1alpha1.Ballot) {
		b.OwnerReferences = []metav1.OwnerReference{{APIVersion: v1alpha1.GroupVersion.String(), Kind: "Proposal",
			Name: ballotProposal, UID: types.UID(uid)}}
	}
}

// outcome is a Collection in short: the counted users as kind/user, the
// others as kind/user=cause.
func outcome(c governance.Collection) (counted, notCounted []string) {
	for _, b := range c.Counted {
		counted = append(counted, string(b.Kind)+"/"+string(b.User)+ballotSuffix(b))
	}
	for _, n := range c.NotCounted {
		notCounted = append(notCounted, string(n.Kind)+"/"+string(n.User)+ballotSuffix(n.Ballot)+"="+string(n.Cause))
	}
	return counted, notCounted
}

func ballotSuffix(b governance.Ballot) string {
	if b.Name == "" {
		return "(spec)"
	}
	return "(" + b.Name + ")"
}

func TestCollect(t *testing.T) {
	legacy := &v1alpha1.ProposalSpec{Author: "alice", RoleRef: ballotRole,
		Votes:   []v1alpha1.Vote{{Voter: "bob", Decision: v1alpha1.VoteReject}, {Voter: "dave", Decision: v1alpha1.VoteApprove}},
		Reviews: []v1alpha1.Review{{Reviewer: "carol", Decision: v1alpha1.ReviewRequestChanges}}}
	tests := []struct {
		name          string
		in            governance.Input
		counted       []string
		notCounted    []string
		reasonContain string
	}{
		{name: "a valid vote and a valid review count",
			in:      ballotInput(nil, ballot("b1", "bob", v1alpha1.BallotApprove), ballot("c1", "carol", v1alpha1.BallotApprove, review)),
			counted: []string{"vote/bob(b1)", "review/carol(c1)"}},
		{name: "one voter's vote and review both count",
			in:      ballotInput(nil, ballot("b1", "bob", v1alpha1.BallotReject), ballot("b2", "bob", v1alpha1.BallotApprove, review)),
			counted: []string{"vote/bob(b1)", "review/bob(b2)"}},
		{name: "the newest ballot of a voter counts, whatever its name",
			in: ballotInput(nil, ballot("zz-old", "bob", v1alpha1.BallotApprove),
				ballot("aa-new", "bob", v1alpha1.BallotReject, at(2*time.Hour))),
			counted: []string{"vote/bob(aa-new)"}, notCounted: []string{"vote/bob(zz-old)=Superseded"},
			reasonContain: `superseded by the ballot "aa-new" the same voter cast later`},
		{name: "in the same second, the name decides",
			in:      ballotInput(nil, ballot("b-a", "bob", v1alpha1.BallotApprove), ballot("b-b", "bob", v1alpha1.BallotReject)),
			counted: []string{"vote/bob(b-b)"}, notCounted: []string{"vote/bob(b-a)=Superseded"}},
		{name: "a newest ballot that does not count leaves the voter's older one superseded",
			in: ballotInput(nil, ballot("old", "bob", v1alpha1.BallotApprove),
				ballot("new", "bob", v1alpha1.BallotApprove, at(2*time.Hour), onGeneration(1))),
			notCounted: []string{"vote/bob(old)=Superseded", "vote/bob(new)=StaleText"}},
		{name: "the author's ballot does not count",
			in:         ballotInput(nil, ballot("a1", "alice", v1alpha1.BallotApprove)),
			notCounted: []string{"vote/alice(a1)=ByAuthor"}, reasonContain: "the author cannot vote on their own proposal"},
		{name: "the author's review does not count",
			in:         ballotInput(nil, ballot("a1", "alice", v1alpha1.BallotApprove, review)),
			notCounted: []string{"review/alice(a1)=ByAuthor"}, reasonContain: "cannot review their own proposal"},
		{name: "a ballot for another Role does not count",
			in:            ballotInput(nil, ballot("b1", "bob", v1alpha1.BallotApprove, forRole("data-engineer"))),
			notCounted:    []string{"vote/bob(b1)=RoleMismatch"},
			reasonContain: `cast for Role "data-engineer", but the proposal changes Role "mlops-engineer"`},
		{name: "a ballot cast before the proposal was created does not count",
			in:         ballotInput(nil, ballot("b1", "bob", v1alpha1.BallotApprove, at(-time.Second))),
			notCounted: []string{"vote/bob(b1)=EarlierProposal"}, reasonContain: "before the proposal was created"},
		{name: "a ballot cast in the second the proposal was created counts",
			in: ballotInput(nil, ballot("b1", "bob", v1alpha1.BallotApprove, at(0))), counted: []string{"vote/bob(b1)"}},
		{name: "a ballot owned by an earlier proposal of the same name does not count",
			in:         ballotInput(nil, ballot("b1", "bob", v1alpha1.BallotApprove, ownedBy("uid-before"))),
			notCounted: []string{"vote/bob(b1)=EarlierProposal"}, reasonContain: "earlier proposal of the same name"},
		{name: "a ballot owned by this proposal counts",
			in: ballotInput(nil, ballot("b1", "bob", v1alpha1.BallotApprove, ownedBy(ballotUID))), counted: []string{"vote/bob(b1)"}},
		{name: "a ballot cast a second before the deadline counts",
			in:      ballotInput(nil, ballot("b1", "bob", v1alpha1.BallotApprove, at(governance.Defaults.VotingPeriod-time.Second))),
			counted: []string{"vote/bob(b1)"}},
		{name: "a ballot cast at the deadline does not count",
			in:         ballotInput(nil, ballot("b1", "bob", v1alpha1.BallotApprove, at(governance.Defaults.VotingPeriod))),
			notCounted: []string{"vote/bob(b1)=AfterDeadline"}, reasonContain: "when voting had closed (deadline 2026-12-08T10:00:00Z)"},
		{name: "a ballot on an earlier text does not count",
			in:            ballotInput(nil, ballot("b1", "bob", v1alpha1.BallotApprove, onGeneration(1))),
			notCounted:    []string{"vote/bob(b1)=StaleText"},
			reasonContain: "cast on generation 1 of the proposal, whose title or description changed at generation 2"},
		{name: "a ballot on the generation the text changed at counts",
			in: ballotInput(nil, ballot("b1", "bob", v1alpha1.BallotApprove, onGeneration(2))), counted: []string{"vote/bob(b1)"}},
		{name: "a ballot naming a generation the proposal has not reached does not count",
			in:         ballotInput(nil, ballot("b1", "bob", v1alpha1.BallotApprove, onGeneration(4))),
			notCounted: []string{"vote/bob(b1)=UnknownGeneration"}, reasonContain: "names generation 4 of the proposal, which is at generation 3"},
		{name: "a vote that decides RequestChanges counts for nothing",
			in:         ballotInput(nil, ballot("b1", "bob", v1alpha1.BallotRequestChanges)),
			notCounted: []string{"vote/bob(b1)=Malformed"}},
		{name: "a ballot of an unknown kind counts for nothing",
			in:         ballotInput(nil, ballot("b1", "bob", v1alpha1.BallotApprove, func(b *v1alpha1.Ballot) { b.Spec.Kind = "Poll" })),
			notCounted: []string{"/bob(b1)=Malformed"}},
		{name: "spec.votes and spec.reviews still count on their own",
			in: ballotInput(legacy), counted: []string{"vote/bob(spec)", "vote/dave(spec)", "review/carol(spec)"}},
		{name: "a ballot supersedes the same voter's entry of spec.votes, not their review",
			in:            ballotInput(legacy, ballot("b1", "bob", v1alpha1.BallotApprove), ballot("c1", "carol", v1alpha1.BallotApprove)),
			counted:       []string{"vote/dave(spec)", "review/carol(spec)", "vote/bob(b1)", "vote/carol(c1)"},
			notCounted:    []string{"vote/bob(spec)=Superseded"},
			reasonContain: `superseded by the ballot "b1" of the same voter`},
		{name: "a ballot that does not count still supersedes the voter's entry",
			in:         ballotInput(legacy, ballot("b1", "bob", v1alpha1.BallotApprove, onGeneration(1))),
			counted:    []string{"vote/dave(spec)", "review/carol(spec)"},
			notCounted: []string{"vote/bob(spec)=Superseded", "vote/bob(b1)=StaleText"}},
		{name: "without a generation (a file), the text rule is left out",
			in: func() governance.Input {
				in := ballotInput(nil, ballot("b1", "bob", v1alpha1.BallotApprove, onGeneration(9)))
				in.Generation, in.TextGeneration = 0, 0
				return in
			}(),
			counted: []string{"vote/bob(b1)"}},
		{name: "nil ballots are skipped",
			in: ballotInput(nil, nil, ballot("b1", "bob", v1alpha1.BallotApprove)), counted: []string{"vote/bob(b1)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := governance.Collect(&tt.in, ballotDeadline)
			counted, notCounted := outcome(c)
			if !slices.Equal(counted, tt.counted) {
				t.Errorf("counted = %q, want %q", counted, tt.counted)
			}
			if !slices.Equal(notCounted, tt.notCounted) {
				t.Errorf("not counted = %q, want %q", notCounted, tt.notCounted)
			}
			if tt.reasonContain != "" && !slices.ContainsFunc(c.NotCounted, func(n governance.NotCounted) bool {
				return strings.Contains(n.Reason, tt.reasonContain)
			}) {
				t.Errorf("no reason contains %q: %+v", tt.reasonContain, c.NotCounted)
			}
		})
	}
}

func TestCollectCountsAtMostMaxBallots(t *testing.T) {
	n := v1alpha1.MaxBallotsPerProposal + 3
	ballots := make([]*v1alpha1.Ballot, 0, n)
	for i := range n {
		ballots = append(ballots, ballot(fmt.Sprintf("b%05d", i), fmt.Sprintf("voter-%05d", i), v1alpha1.BallotApprove,
			at(time.Hour+time.Duration(i)*time.Second)))
	}
	in := ballotInput(nil, ballots...)
	c := governance.Collect(&in, t0.Add(1000*time.Hour))
	if len(c.Counted) != v1alpha1.MaxBallotsPerProposal || len(c.NotCounted) != 3 {
		t.Fatalf("%d counted, %d not, want %d and 3", len(c.Counted), len(c.NotCounted), v1alpha1.MaxBallotsPerProposal)
	}
	for i, nc := range c.NotCounted {
		if want := fmt.Sprintf("b%05d", v1alpha1.MaxBallotsPerProposal+i); nc.Name != want || nc.Cause != v1alpha1.CauseOverLimit {
			t.Errorf("not counted[%d] = %s (%s), want the newest, %s, OverLimit", i, nc.Name, nc.Cause, want)
		}
	}
}

func TestJudgeCountsBallots(t *testing.T) {
	spec := &v1alpha1.ProposalSpec{Author: "alice", RoleRef: ballotRole, Changes: []v1alpha1.Change{setProf("docker", "senior", "E")},
		Votes: []v1alpha1.Vote{{Voter: "erin", Decision: v1alpha1.VoteApprove}}}
	in := ballotInput(spec,
		ballot("bob", "bob", v1alpha1.BallotApprove),
		ballot("dave", "dave", v1alpha1.BallotApprove, onGeneration(1)),
		ballot("carol", "carol", v1alpha1.BallotApprove, review))
	in.Role, in.Matrix, in.Now = testRole(), testMatrix(), t0.Add(2*time.Hour)
	v := governance.Judge(in)
	if want := (governance.Tally{Approvals: 2, ReviewApprovals: 1}); v.Tally != want {
		t.Errorf("Tally = %+v, want %+v (dave's vote is stale)", v.Tally, want)
	}
	if v.Outcome != v1alpha1.PhaseAccepted {
		t.Errorf("Outcome = %s, want Accepted", v.Outcome)
	}

	in.Revoked = []governance.Revocation{{Kind: governance.BallotVote, User: "bob", Reason: "RBAC"}}
	v = governance.Judge(in)
	if want := (governance.Tally{Approvals: 1, ReviewApprovals: 1}); v.Tally != want {
		t.Errorf("Tally with bob revoked = %+v, want %+v", v.Tally, want)
	}
	if len(v.Eligible()) != 2 || len(v.Counted) != 3 {
		t.Errorf("Eligible %d, Counted %d: want 2 and 3", len(v.Eligible()), len(v.Counted))
	}
}

func TestTextGeneration(t *testing.T) {
	d1, d2 := governance.TextDigest("Raise", "why"), governance.TextDigest("Raise", "why not")
	if d1 == d2 || d1 != governance.TextDigest("Raise", "why") || governance.TextDigest("a", "bc") == governance.TextDigest("ab", "c") {
		t.Fatal("TextDigest must tell texts apart and be stable")
	}
	tests := []struct {
		name             string
		recorded         int64
		recordedDigest   string
		digest           string
		generation, want int64
	}{
		{"first seen", 0, "", d1, 4, 4},
		{"unchanged since generation 2", 2, d1, d1, 5, 2},
		{"changed: from the generation it is seen at", 2, d1, d2, 5, 5},
		{"a record from the future is not trusted", 7, d1, d1, 5, 5},
	}
	for _, tt := range tests {
		if got := governance.TextGeneration(tt.recorded, tt.recordedDigest, tt.digest, tt.generation); got != tt.want {
			t.Errorf("%s: TextGeneration = %d, want %d", tt.name, got, tt.want)
		}
	}
}
