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

package controller

import (
	"reflect"
	"testing"
	"unsafe"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// The cache keeps of a Proposal what the controllers read (title, author,
// changes, decisions, voters, reviewers, withdrawn, labels, the operator's
// own annotations, status) and drops its prose and other tools' annotations.
func TestStripUnreadProposalText(t *testing.T) {
	focus := "Owning the GPU platform."
	in := &v1.Proposal{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Labels: map[string]string{"team": "ml"}, Annotations: map[string]string{
			"example.com/notes": "a page of notes", "career.skillmatrix.dev/source": "portal",
		}},
		Spec: v1.ProposalSpec{
			RoleRef: "r", Title: "Raise it", Description: "A long rationale.", Author: "alice", Withdrawn: true,
			Changes: []v1.Change{{Op: v1.OpSetFocus, Level: "senior", Focus: &focus}},
			Votes: []v1.Vote{
				{Voter: "bob", Decision: v1.VoteApprove, Comment: "yes"},
				{Voter: "dave", Decision: v1.VoteReject},
			},
			Reviews: []v1.Review{{Reviewer: "carol", Decision: v1.ReviewRequestChanges, Comment: "say more"}},
		},
		Status: v1.ProposalStatus{Phase: v1.PhaseOpen, Message: "needs 1 more approving vote"},
	}
	want := in.DeepCopy()
	want.Annotations = map[string]string{"career.skillmatrix.dev/source": "portal",
		cachedTextDigest: governance.TextDigest("Raise it", "A long rationale.")}
	want.Spec.Description = ""
	want.Spec.Votes[0].Comment = ""
	want.Spec.Reviews[0].Comment = ""

	out, err := stripUnreadMetadata(in)
	if err != nil {
		t.Fatal(err)
	}
	got := out.(*v1.Proposal)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("cached Proposal\n got %+v\nwant %+v", got, want)
	}
	if textDigestOf(got) != textDigestOf(in.DeepCopy()) || textDigestOf(got) == governance.TextDigest("Raise it", "") {
		t.Error("the cached Proposal's digest is not that of its whole text")
	}

	By := "a user's own annotation of that name is not trusted"
	forged := in.DeepCopy()
	forged.Spec.Description = "A long rationale."
	forged.Annotations = map[string]string{cachedTextDigest: "sha256:forged"}
	out, err = stripUnreadMetadata(forged)
	if err != nil {
		t.Fatal(err)
	}
	if d := textDigestOf(out.(*v1.Proposal)); d != governance.TextDigest("Raise it", "A long rationale.") {
		t.Errorf("%s: digest %s", By, d)
	}
}

// The cache keeps of a Ballot what the operator counts by, and drops its
// comment and other tools' annotations.
func TestStripUnreadBallotText(t *testing.T) {
	in := &v1.Ballot{
		ObjectMeta: metav1.ObjectMeta{Name: "b", Annotations: map[string]string{"example.com/notes": "notes"}},
		Spec: v1.BallotSpec{ProposalRef: "p", RoleRef: "r", Kind: v1.BallotKindVote, Voter: "bob",
			Decision: v1.BallotApprove, Comment: "a long comment", Groups: []string{"engineers"}, ProposalGeneration: 2},
	}
	want := in.DeepCopy()
	want.Annotations = map[string]string{}
	want.Spec.Comment = ""
	out, err := stripUnreadMetadata(in)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.(*v1.Ballot); !reflect.DeepEqual(got, want) {
		t.Errorf("cached Ballot\n got %+v\nwant %+v", got, want)
	}
}

// Two cached Proposals voted on by the same person hold one copy of the
// voter's name and groups.
func TestShareRepeatedStrings(t *testing.T) {
	cached := func(name string) *v1.Proposal {
		// Built from fresh bytes, as the decoder builds each object.
		voter := string([]byte("alice@example.com"))
		group := string([]byte("engineering"))
		p := &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: v1.ProposalSpec{
			Votes: []v1.Vote{{Voter: v1.Username(voter), Decision: v1.VoteApprove, Groups: []string{group}}},
		}}
		out, err := stripUnreadMetadata(p)
		if err != nil {
			t.Fatal(err)
		}
		return out.(*v1.Proposal)
	}
	a, b := cached("a"), cached("b")
	if a.Spec.Votes[0].Voter != "alice@example.com" || a.Spec.Votes[0].Groups[0] != "engineering" {
		t.Fatalf("the values changed: %+v", a.Spec.Votes[0])
	}
	if unsafe.StringData(string(a.Spec.Votes[0].Voter)) != unsafe.StringData(string(b.Spec.Votes[0].Voter)) {
		t.Error("the voter's name is held twice")
	}
	if unsafe.StringData(a.Spec.Votes[0].Groups[0]) != unsafe.StringData(b.Spec.Votes[0].Groups[0]) {
		t.Error("the voter's group is held twice")
	}
}
