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
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

func TestEligibilityCheck(t *testing.T) {
	tests := []struct {
		name   string
		rules  governance.Eligibility
		kind   governance.BallotKind
		user   v1alpha1.Username
		groups []string
		want   string // a substring of the reason; "" when eligible
	}{
		{"a person votes", governance.Eligibility{}, governance.BallotVote, "alice", nil, ""},
		{"a ServiceAccount may not vote by default", governance.Eligibility{}, governance.BallotVote,
			"system:serviceaccount:team:bot", nil, "system identity"},
		{"nor review", governance.Eligibility{}, governance.BallotReview, "system:serviceaccount:team:bot", nil, "may not review"},
		{"any system: identity", governance.Eligibility{}, governance.BallotVote, "system:kube-controller-manager", nil, "system identity"},
		{"a look-alike that is not a system identity", governance.Eligibility{}, governance.BallotVote, "systemadmin", nil, ""},
		{"system users when the platform team allows them", governance.Eligibility{AllowSystemUsers: true},
			governance.BallotVote, "system:serviceaccount:team:bot", nil, ""},
		{"in a voter group", governance.Eligibility{VoterGroups: []string{"engineers"}}, governance.BallotVote,
			"alice", []string{"system:authenticated", "engineers"}, ""},
		{"in no voter group", governance.Eligibility{VoterGroups: []string{"engineers", "leads"}}, governance.BallotVote,
			"alice", []string{"system:authenticated"}, "none of the groups that may vote (engineers, leads)"},
		{"voter groups do not restrict reviews", governance.Eligibility{VoterGroups: []string{"engineers"}},
			governance.BallotReview, "carol", nil, ""},
		{"reviewer groups restrict reviews", governance.Eligibility{ReviewerGroups: []string{"experts"}},
			governance.BallotReview, "carol", []string{"engineers"}, "none of the groups that may review"},
		{"a group named like the user is no membership", governance.Eligibility{VoterGroups: []string{"alice"}},
			governance.BallotVote, "alice", nil, "none of the groups"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.rules.Check(tt.kind, tt.user, tt.groups)
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("Check = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBallots(t *testing.T) {
	spec := &v1alpha1.ProposalSpec{
		Author: "alice",
		Votes: []v1alpha1.Vote{
			{Voter: "bob", Decision: v1alpha1.VoteApprove, Groups: []string{"engineers"}},
			{Voter: "alice", Decision: v1alpha1.VoteApprove},
			{Voter: "bob", Decision: v1alpha1.VoteReject},
			{Voter: "dave", Decision: v1alpha1.VoteReject},
		},
		Reviews: []v1alpha1.Review{{Reviewer: "bob", Decision: v1alpha1.ReviewRequestChanges}},
	}
	want := []governance.Ballot{
		{Kind: governance.BallotVote, User: "bob", Groups: []string{"engineers"}, Decision: v1alpha1.BallotApprove, Approves: true},
		{Kind: governance.BallotVote, User: "dave", Decision: v1alpha1.BallotReject},
		{Kind: governance.BallotReview, User: "bob", Decision: v1alpha1.BallotRequestChanges},
	}
	if got := governance.Ballots(spec); !reflect.DeepEqual(got, want) {
		t.Errorf("Ballots = %+v, want %+v", got, want)
	}
	if governance.Ballots(nil) != nil {
		t.Error("no spec has ballots")
	}
}

func TestTouchedCategories(t *testing.T) {
	m := testMatrix()
	tests := []struct {
		name    string
		changes []v1alpha1.Change
		want    []v1alpha1.ID
	}{
		{"one skill", []v1alpha1.Change{setProf("docker", "senior", "E")}, []v1alpha1.ID{"cloud"}},
		{"two categories, catalog order", []v1alpha1.Change{addSkill("mlflow", cells("A", "W", "V")), setReq("python", "junior", false)},
			[]v1alpha1.ID{"programming", "ml"}},
		{"two skills of one category", []v1alpha1.Change{setProf("docker", "senior", "E"), removeSkill("kubernetes-core")},
			[]v1alpha1.ID{"cloud"}},
		{"level-wide changes touch no category", []v1alpha1.Change{setFocus("junior", "x"), setStack("senior", "Go")}, nil},
		{"a skill the catalog dropped", []v1alpha1.Change{removeSkill("cobol")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := governance.TouchedCategories(tt.changes, m); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("TouchedCategories = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestJudgeCategoryOwners(t *testing.T) {
	created := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	role := testRole()
	role.Governance = &v1alpha1.GovernancePolicy{RequireCategoryOwners: new(true)}
	spec := &v1alpha1.ProposalSpec{
		Author:  "alice",
		Changes: []v1alpha1.Change{setProf("docker", "senior", "E"), setReq("python", "junior", false)},
		Votes:   []v1alpha1.Vote{{Voter: "bob", Decision: v1alpha1.VoteApprove}, {Voter: "dave", Decision: v1alpha1.VoteApprove}},
		Reviews: []v1alpha1.Review{{Reviewer: "carol", Decision: v1alpha1.ReviewApprove}, {Reviewer: "erin", Decision: v1alpha1.ReviewApprove}},
	}
	tests := []struct {
		name        string
		owners      governance.OwnerApprovals
		revoked     []governance.Revocation
		want        v1alpha1.ProposalPhase
		wantUnowned []v1alpha1.ID
		wantMissing string
	}{
		{name: "unchecked: judged as if owned, and said so", want: v1alpha1.PhaseAccepted},
		{name: "an owner of each category", owners: governance.OwnerApprovals{"carol": {"cloud"}, "erin": {"programming"}},
			want: v1alpha1.PhaseAccepted},
		{name: "one reviewer owning both", owners: governance.OwnerApprovals{"carol": {"cloud", "programming"}},
			want: v1alpha1.PhaseAccepted},
		{name: "an owner of one category cannot approve the other", owners: governance.OwnerApprovals{"carol": {"cloud"}, "erin": {"cloud"}},
			want: v1alpha1.PhaseOpen, wantUnowned: []v1alpha1.ID{"programming"},
			wantMissing: `an approving review by an owner of category "programming"`},
		{name: "no owners at all", owners: governance.OwnerApprovals{},
			want: v1alpha1.PhaseOpen, wantUnowned: []v1alpha1.ID{"programming", "cloud"},
			wantMissing: `approving reviews by an owner of each of the categories "programming" and "cloud"`},
		{name: "a revoked owner's review does not count", owners: governance.OwnerApprovals{"carol": {"cloud", "programming"}},
			revoked: []governance.Revocation{{Kind: governance.BallotReview, User: "carol"}},
			want:    v1alpha1.PhaseOpen, wantUnowned: []v1alpha1.ID{"programming", "cloud"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := governance.Judge(governance.Input{Proposal: spec, Created: created, Role: role, Matrix: testMatrix(),
				Now: created.Add(time.Minute), Owners: tt.owners, Revoked: tt.revoked})
			if v.Outcome != tt.want {
				t.Errorf("outcome %s (%s), want %s", v.Outcome, v.Decision.Message, tt.want)
			}
			if !reflect.DeepEqual(v.Unowned, tt.wantUnowned) {
				t.Errorf("unowned %v, want %v", v.Unowned, tt.wantUnowned)
			}
			if v.OwnersUnchecked != (tt.owners == nil) {
				t.Errorf("OwnersUnchecked = %v", v.OwnersUnchecked)
			}
			if tt.wantMissing != "" && !strings.Contains(strings.Join(v.Decision.Missing, "; "), tt.wantMissing) {
				t.Errorf("missing %q, want %q", v.Decision.Missing, tt.wantMissing)
			}
			if tt.want == v1alpha1.PhaseOpen && len(tt.revoked) == 0 && v.Reason != v1alpha1.ReasonAwaitingOwners {
				t.Errorf("reason %s, want %s", v.Reason, v1alpha1.ReasonAwaitingOwners)
			}
		})
	}
}

func TestParseEligibility(t *testing.T) {
	got, err := governance.ParseEligibility(map[string]string{
		"operators":      "system:serviceaccount:x:y\n",
		"voterGroups":    "engineers\n  leads  \n\n",
		"reviewerGroups": "experts",
	})
	want := governance.Eligibility{VoterGroups: []string{"engineers", "leads"}, ReviewerGroups: []string{"experts"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParseEligibility = %+v, %v; want %+v", got, err, want)
	}
	if got, err := governance.ParseEligibility(map[string]string{"allowSystemUsers": "true"}); err != nil || !got.AllowSystemUsers {
		t.Errorf("allowSystemUsers: true gives %+v, %v", got, err)
	}
	if _, err := governance.ParseEligibility(map[string]string{"allowSystemUsers": "yes"}); err == nil {
		t.Error("allowSystemUsers: yes is accepted")
	}
	if got, err := governance.ParseEligibility(nil); err != nil || !reflect.DeepEqual(got, governance.Eligibility{}) {
		t.Errorf("no params gives %+v, %v; want the defaults", got, err)
	}
}
