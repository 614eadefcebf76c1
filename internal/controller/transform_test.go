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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
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
	want.Annotations = map[string]string{"career.skillmatrix.dev/source": "portal"}
	want.Spec.Description = ""
	want.Spec.Votes[0].Comment = ""
	want.Spec.Reviews[0].Comment = ""

	out, err := stripUnreadMetadata(in)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.(*v1.Proposal); !reflect.DeepEqual(got, want) {
		t.Errorf("cached Proposal\n got %+v\nwant %+v", got, want)
	}
}
