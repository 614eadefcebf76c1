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
	"slices"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// What status shows of a Proposal's votes and reviews: its Ballots and the
// entries of the deprecated spec.votes and spec.reviews, counted or not.

// eligible are the counted ballots without the revoked ones.
func eligible(counted []governance.Ballot, revoked []governance.Revocation) []governance.Ballot {
	return slices.DeleteFunc(slices.Clone(counted), func(b governance.Ballot) bool {
		return slices.ContainsFunc(revoked, func(r governance.Revocation) bool { return r.Kind == b.Kind && r.User == b.User })
	})
}

// countedEntries are the counted votes and reviews as entries, with their
// comments: from spec.votes and spec.reviews, or from the Ballot.
func countedEntries(p *v1.Proposal, ballots []v1.Ballot, counted []governance.Ballot) ([]v1.Vote, []v1.Review) {
	byName := make(map[string]*v1.Ballot, len(ballots))
	for i := range ballots {
		byName[ballots[i].Name] = &ballots[i]
	}
	votes, reviews := []v1.Vote{}, []v1.Review{}
	for _, b := range counted {
		comment := ""
		if obj := byName[b.Name]; obj != nil {
			comment = obj.Spec.Comment
		} else if b.Kind == governance.BallotVote {
			if i := slices.IndexFunc(p.Spec.Votes, func(v v1.Vote) bool { return v.Voter == b.User }); i >= 0 {
				comment = p.Spec.Votes[i].Comment
			}
		} else if i := slices.IndexFunc(p.Spec.Reviews, func(r v1.Review) bool { return r.Reviewer == b.User }); i >= 0 {
			comment = p.Spec.Reviews[i].Comment
		}
		if b.Kind == governance.BallotVote {
			votes = append(votes, v1.Vote{Voter: b.User, Decision: v1.VoteDecision(b.Decision), Comment: comment, Groups: b.Groups})
		} else {
			reviews = append(reviews, v1.Review{Reviewer: b.User, Decision: v1.ReviewDecision(b.Decision), Comment: comment, Groups: b.Groups})
		}
	}
	return votes, reviews
}

// uncountedOf lists what does not count: what the operator's re-check
// revoked (from the status), then what Collect found, as the operator
// would list it.
func uncountedOf(p *v1.Proposal, c governance.Collection) []v1.UncountedBallot {
	var out []v1.UncountedBallot
	for _, u := range p.Status.Uncounted {
		if u.Cause == "" || u.Cause == v1.CauseRevoked {
			out = append(out, u)
		}
	}
	for _, n := range c.NotCounted {
		out = append(out, v1.UncountedBallot{Kind: string(n.Kind), User: n.User, Reason: n.Reason, Cause: n.Cause, Ballot: n.Name})
	}
	return out
}
