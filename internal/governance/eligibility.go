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
	"strings"
	"time"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// Eligibility is who may vote and review, as the platform team decides it
// (the admission params; never the Proposals' namespace). The admission
// policy enforces it when a ballot is cast, and the operator checks it again
// at decision time, so a rule tightened later applies to ballots cast before.
type Eligibility struct {
	// AllowSystemUsers lets ServiceAccounts and other identities whose
	// username starts with "system:" vote and review. Off by default: a
	// namespace admin can mint ServiceAccounts at will.
	AllowSystemUsers bool
	// VoterGroups, when set, are the groups of which a voter must belong to
	// at least one; ReviewerGroups likewise for reviewers.
	VoterGroups, ReviewerGroups []string
}

// systemUserPrefix starts every username the API server reserves for
// ServiceAccounts, nodes and components.
const systemUserPrefix = "system:"

// Check reports why user, with the groups recorded on the ballot, may not
// cast a ballot of kind; "" when they may.
func (e Eligibility) Check(kind BallotKind, user v1alpha1.Username, groups []string) string {
	if !e.AllowSystemUsers && strings.HasPrefix(string(user), systemUserPrefix) {
		return fmt.Sprintf("%s is a system identity (a ServiceAccount or a component), which may not %s", user, kind)
	}
	required := e.VoterGroups
	if kind == BallotReview {
		required = e.ReviewerGroups
	}
	if len(required) > 0 && !slices.ContainsFunc(groups, func(g string) bool { return slices.Contains(required, g) }) {
		return fmt.Sprintf("%s belongs to none of the groups that may %s (%s)", user, kind, strings.Join(required, ", "))
	}
	return ""
}

// Ballot is one vote or review, an entry of spec.votes or spec.reviews or
// a Ballot object, with what its author's authority is re-checked by.
type Ballot struct {
	Kind   BallotKind
	User   v1alpha1.Username
	Groups []string
	// Decision is Approve or Reject for a vote, Approve or RequestChanges
	// for a review; a ballot with another decision counts for nothing.
	Decision v1alpha1.BallotDecision
	// Approves is an Approve vote or review.
	Approves bool
	// Name is the Ballot object's name; "" for an entry of spec.votes or
	// spec.reviews.
	Name string
	// Created is when the Ballot object was created; zero for an entry.
	Created time.Time
}

// Legacy reports whether the ballot is an entry of spec.votes or
// spec.reviews rather than a Ballot object.
func (b Ballot) Legacy() bool { return b.Name == "" }

// Ballots lists the entries of spec.votes and spec.reviews that count, in
// order: each voter and reviewer once, by their first entry, the author
// never.
func Ballots(spec *v1alpha1.ProposalSpec) []Ballot {
	if spec == nil {
		return nil
	}
	var out []Ballot
	type author struct {
		kind BallotKind
		user v1alpha1.Username
	}
	seen := map[author]bool{}
	add := func(b Ballot) {
		key := author{b.Kind, b.User}
		if seen[key] || b.User == spec.Author {
			return
		}
		seen[key] = true
		out = append(out, b)
	}
	for _, v := range spec.Votes {
		add(Ballot{Kind: BallotVote, User: v.Voter, Groups: v.Groups, Decision: v1alpha1.BallotDecision(v.Decision),
			Approves: v.Decision == v1alpha1.VoteApprove})
	}
	for _, r := range spec.Reviews {
		add(Ballot{Kind: BallotReview, User: r.Reviewer, Groups: r.Groups, Decision: v1alpha1.BallotDecision(r.Decision),
			Approves: r.Decision == v1alpha1.ReviewApprove})
	}
	return out
}

// TouchedCategories returns the catalog categories whose skills the changes
// touch, in catalog order. Level-wide changes (focus, tech stack) touch none,
// and neither does removing a skill the catalog no longer has.
func TouchedCategories(changes []v1alpha1.Change, matrix *v1alpha1.SkillMatrixSpec) []v1alpha1.ID {
	if matrix == nil {
		return nil
	}
	skills := map[v1alpha1.ID]bool{}
	for _, c := range changes {
		if usesSkill(c.Op) {
			skills[c.Skill] = true
		}
	}
	var out []v1alpha1.ID
	for _, cat := range matrix.Categories {
		if slices.ContainsFunc(cat.Skills, func(s v1alpha1.Skill) bool { return skills[s.ID] }) {
			out = append(out, cat.ID)
		}
	}
	return out
}

// OwnerApprovals maps each approving reviewer to the categories they own
// (an RBAC check the caller made; see docs/governance.md).
type OwnerApprovals map[v1alpha1.Username][]v1alpha1.ID

// unownedCategories returns the touched categories no approving, counted
// review comes from an owner of.
func unownedCategories(touched []v1alpha1.ID, owners OwnerApprovals, ballots []Ballot, revoked []Revocation) []v1alpha1.ID {
	var out []v1alpha1.ID
	for _, cat := range touched {
		owned := slices.ContainsFunc(ballots, func(b Ballot) bool {
			return b.Kind == BallotReview && b.Approves && !isRevoked(revoked, BallotReview, b.User) &&
				slices.Contains(owners[b.User], cat)
		})
		if !owned {
			out = append(out, cat)
		}
	}
	return out
}

// The keys of the admission params (a ConfigMap in the operator's
// namespace, config/admission/params) that say who may vote and review.
// Lists hold one entry per line, as the admission policies read them.
const (
	ParamAllowSystemUsers = "allowSystemUsers"
	ParamVoterGroups      = "voterGroups"
	ParamReviewerGroups   = "reviewerGroups"
)

// ParseEligibility reads the eligibility rules from the admission params.
func ParseEligibility(data map[string]string) (Eligibility, error) {
	var e Eligibility
	switch v := strings.TrimSpace(data[ParamAllowSystemUsers]); v {
	case "", "false":
	case "true":
		e.AllowSystemUsers = true
	default:
		return Eligibility{}, fmt.Errorf("%s is %q: want true or false", ParamAllowSystemUsers, v)
	}
	e.VoterGroups = paramLines(data[ParamVoterGroups])
	e.ReviewerGroups = paramLines(data[ParamReviewerGroups])
	return e, nil
}

func paramLines(s string) []string {
	var out []string
	for line := range strings.Lines(s) {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}
