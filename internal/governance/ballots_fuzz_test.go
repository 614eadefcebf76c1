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
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// The fuzzer's voters, kinds, decisions and Roles: small alphabets, so that
// ballots of one voter meet, plus the fuzzed string.
var (
	fuzzVoters    = []string{"alice", "bob", "carol", "dave", "erin"}
	fuzzKinds     = []string{string(v1alpha1.BallotKindVote), string(v1alpha1.BallotKindReview), "Poll"}
	fuzzDecisions = []string{string(v1alpha1.BallotApprove), string(v1alpha1.BallotReject),
		string(v1alpha1.BallotRequestChanges), "Abstain"}
	fuzzRoles = []string{ballotRole, "data-engineer"}
)

// ballotsFrom reads a fuzzed byte string as legacy entries and Ballot
// objects: the first byte says how many of the 7-byte records that follow
// are entries of spec.votes or spec.reviews; every record is voter, kind,
// decision, creation (in ten-minute steps around the Proposal's creation
// and deadline), proposalGeneration, Role, owner. Missing bytes read as 0;
// testdata/fuzz/FuzzCollect seeds are written in this layout.
func ballotsFrom(data []byte, extra string) (*v1alpha1.ProposalSpec, []*v1alpha1.Ballot) {
	in := &fuzzInput{data: data, extra: extra}
	spec := &v1alpha1.ProposalSpec{Author: "alice", RoleRef: ballotRole}
	legacy := in.byte() % 8
	var ballots []*v1alpha1.Ballot
	for i := 0; len(in.data) > 0 && i < 64; i++ {
		voter := in.pick(fuzzVoters)
		kind := in.pick(fuzzKinds)
		decision := in.pick(fuzzDecisions)
		step := in.byte()
		gen := int64(in.byte() % 6)
		role := in.pick(fuzzRoles)
		owner := in.byte() % 3
		if i < legacy {
			if kind == string(v1alpha1.BallotKindReview) {
				spec.Reviews = append(spec.Reviews, v1alpha1.Review{Reviewer: v1alpha1.Username(voter),
					Decision: v1alpha1.ReviewDecision(decision)})
			} else {
				spec.Votes = append(spec.Votes, v1alpha1.Vote{Voter: v1alpha1.Username(voter), Decision: v1alpha1.VoteDecision(decision)})
			}
			continue
		}
		// Around the creation (step 0..11 is up to two hours before) and
		// the deadline (steps past 128 land near it).
		created := t0.Add(time.Duration(step-12) * 10 * time.Minute)
		if step >= 128 {
			created = ballotDeadline.Add(time.Duration(step-192) * 10 * time.Minute)
		}
		b := &v1alpha1.Ballot{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("b-%02d", i%7), CreationTimestamp: metav1.NewTime(created)},
			Spec: v1alpha1.BallotSpec{ProposalRef: ballotProposal, RoleRef: v1alpha1.ObjectName(role),
				Kind: v1alpha1.BallotKind(kind), Voter: v1alpha1.Username(voter), Decision: v1alpha1.BallotDecision(decision),
				ProposalGeneration: gen},
		}
		b.Name += fmt.Sprintf("-%d", i) // names are unique in a namespace
		switch owner {
		case 1:
			ownedBy(ballotUID)(b)
		case 2:
			ownedBy("uid-before")(b)
		}
		ballots = append(ballots, b)
	}
	return spec, ballots
}

// FuzzCollect checks the rules by which ballots count against fuzzed
// ballots: every ballot is either counted or not counted with a cause, one
// per voter and kind counts and it is their newest, every counted Ballot
// passes each rule, and the order the ballots arrive in changes nothing.
func FuzzCollect(f *testing.F) {
	f.Add([]byte{0, 1, 0, 0, 18, 3, 0, 1}, "")
	f.Add([]byte{2, 1, 0, 1, 0, 0, 0, 0, 3, 1, 2, 0, 0, 0, 0, 1, 0, 0, 18, 3, 0, 1, 3, 1, 2, 20, 2, 0, 0}, "frank")
	f.Add([]byte{0, 1, 0, 0, 18, 3, 0, 1, 1, 0, 1, 30, 2, 0, 0, 1, 0, 0, 200, 3, 1, 2}, "")
	f.Add([]byte{0, 0, 0, 0, 18, 3, 0, 0, 2, 1, 0, 5, 1, 0, 0}, "bob")
	f.Fuzz(func(t *testing.T, data []byte, extra string) {
		spec, ballots := ballotsFrom(data, extra)
		in := governance.Input{Proposal: spec, Created: t0, Ballots: ballots, UID: ballotUID, Generation: 3, TextGeneration: 2}
		c := governance.Collect(&in, ballotDeadline)

		reversed := slices.Clone(ballots)
		slices.Reverse(reversed)
		in2 := in
		in2.Ballots = reversed
		if c2 := governance.Collect(&in2, ballotDeadline); !reflect.DeepEqual(c, c2) {
			t.Fatalf("the order of the ballots changed the outcome:\n%+v\n%+v", c, c2)
		}
		checkCollection(t, spec, ballots, c)
	})
}

func checkCollection(t *testing.T, spec *v1alpha1.ProposalSpec, ballots []*v1alpha1.Ballot, c governance.Collection) {
	t.Helper()
	type key struct {
		kind governance.BallotKind
		user v1alpha1.Username
	}
	seen := map[string]int{}
	counted := map[key]governance.Ballot{}
	for _, b := range c.Counted {
		k := key{b.Kind, b.User}
		if _, twice := counted[k]; twice {
			t.Fatalf("%s by %s counted twice", b.Kind, b.User)
		}
		counted[k] = b
		if b.Name != "" {
			seen[b.Name]++
		}
		if b.User == spec.Author {
			t.Fatalf("the author's %s counted", b.Kind)
		}
	}
	for _, n := range c.NotCounted {
		if n.Cause == "" || n.Reason == "" {
			t.Fatalf("%s by %s not counted without a cause or reason", n.Kind, n.User)
		}
		if n.Name != "" {
			seen[n.Name]++
		}
	}
	newest := map[key]*v1alpha1.Ballot{}
	for _, b := range ballots {
		if seen[b.Name] != 1 {
			t.Fatalf("ballot %s is reported %d times, want once", b.Name, seen[b.Name])
		}
		if b.Spec.Kind != v1alpha1.BallotKindVote && b.Spec.Kind != v1alpha1.BallotKindReview {
			continue
		}
		k := key{governance.KindOf(b.Spec.Kind), b.Spec.Voter}
		if cur := newest[k]; cur == nil || b.CreationTimestamp.After(cur.CreationTimestamp.Time) ||
			b.CreationTimestamp.Equal(&cur.CreationTimestamp) && b.Name > cur.Name {
			newest[k] = b
		}
	}
	for k, b := range counted {
		n := newest[k]
		if b.Name == "" {
			if n != nil {
				t.Fatalf("the entry of %s counts though ballot %s supersedes it", k.user, n.Name)
			}
			continue
		}
		if n == nil || n.Name != b.Name {
			t.Fatalf("%s's counted %s is %s, not their newest", k.user, k.kind, b.Name)
		}
		switch {
		case n.Spec.RoleRef != ballotRole:
			t.Fatalf("ballot %s for another Role counted", n.Name)
		case n.Spec.ProposalGeneration < 2 || n.Spec.ProposalGeneration > 3:
			t.Fatalf("ballot %s on generation %d counted (text at 2, proposal at 3)", n.Name, n.Spec.ProposalGeneration)
		case n.CreationTimestamp.Before(&metav1.Time{Time: t0}) || !n.CreationTimestamp.Time.Before(ballotDeadline):
			t.Fatalf("ballot %s cast at %s counted, outside [%s, %s)", n.Name, n.CreationTimestamp, t0, ballotDeadline)
		case len(n.OwnerReferences) > 0 && n.OwnerReferences[0].UID != types.UID(ballotUID):
			t.Fatalf("ballot %s of an earlier proposal counted", n.Name)
		case !governance.KindOf(n.Spec.Kind).Fits(n.Spec.Decision):
			t.Fatalf("ballot %s with decision %q counted", n.Name, n.Spec.Decision)
		}
	}
	if len(c.Counted) > v1alpha1.MaxBallotsPerProposal {
		t.Fatalf("%d ballots counted", len(c.Counted))
	}
	tally := governance.CountBallots(c.Counted)
	if int(tally.Approvals+tally.Rejections+tally.ReviewApprovals+tally.ChangesRequested) != len(c.Counted) {
		t.Fatalf("tally %+v of %d counted ballots: a counted ballot counts for nothing", tally, len(c.Counted))
	}
}
