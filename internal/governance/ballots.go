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
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// What the admission policy skillmatrix-ballot-authenticity cannot judge of
// a Ballot, because it sees the Ballot alone, is judged here, when the
// operator counts: whether the Ballot counts for the Proposal it names
// (Collect). A Ballot that does not is shown as not counted, with its
// reason, as a revoked vote is.

// NotCounted is a vote or review that does not count, and why.
type NotCounted struct {
	Ballot
	Cause v1alpha1.UncountedCause
	// Reason is one sentence for the Proposal's status.
	Reason string
}

// Collection is how a Proposal's votes and reviews count before the
// authority re-check: at most one counted ballot per voter and kind, and
// the others with their reason.
type Collection struct {
	// Counted are the ballots that count: the entries of spec.votes and
	// spec.reviews first, in their order, then the Ballot objects, oldest
	// first.
	Counted []Ballot
	// NotCounted are those that do not, in the same order.
	NotCounted []NotCounted
}

// TextDigest is the digest of a Proposal's text (title and description) by
// which the operator notices an edit (status.textDigest).
func TextDigest(title, description string) string {
	h := sha256.New()
	h.Write([]byte(title))
	h.Write([]byte{0})
	h.Write([]byte(description))
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// TextGeneration is the generation from which ballots count on the text
// whose digest is digest, the Proposal being at generation: the recorded
// generation while the text is the one recorded, else generation (the
// text changed at the latest there). The answer never lies before the
// text's last change: a ballot on an earlier text never counts, at worst
// one cast on this text in a generation the operator did not see is
// judged stale and cast again.
func TextGeneration(recorded int64, recordedDigest, digest string, generation int64) int64 {
	if recordedDigest != "" && recordedDigest == digest && recorded > 0 && recorded <= generation {
		return recorded
	}
	return generation
}

// ballotKey is one voter's ballots of one kind.
type ballotKey struct {
	kind BallotKind
	user v1alpha1.Username
}

// Collect decides which ballots count (see Collection), the Proposal's
// deadline being deadline:
//
//   - each voter and reviewer counts once: by their newest Ballot object
//     (by creation, then name), whatever its name, which supersedes their
//     older ones and their entry of spec.votes or spec.reviews;
//   - a Ballot object counts only when it is not the author's, names the
//     Proposal's Role, was created neither before the Proposal (nor for an
//     earlier Proposal of the same name) nor at or after the deadline, and
//     was cast on the Proposal's current text (its proposalGeneration is at
//     least in.TextGeneration and at most in.Generation);
//   - at most v1alpha1.MaxBallotsPerProposal count, the oldest.
//
// The input order of in.Ballots does not matter.
func Collect(in *Input, deadline time.Time) Collection {
	var c Collection
	spec := in.Proposal
	newest := map[ballotKey]*v1alpha1.Ballot{}
	objects := make([]*v1alpha1.Ballot, 0, len(in.Ballots))
	for _, b := range in.Ballots {
		if b == nil {
			continue
		}
		objects = append(objects, b)
		if k, ok := keyOf(b); ok {
			if cur, seen := newest[k]; !seen || newer(b, cur) {
				newest[k] = b
			}
		}
	}
	for _, lb := range Ballots(spec) {
		if nb, ok := newest[ballotKey{lb.Kind, lb.User}]; ok {
			c.NotCounted = append(c.NotCounted, NotCounted{Ballot: lb, Cause: v1alpha1.CauseSuperseded,
				Reason: fmt.Sprintf("superseded by the ballot %q of the same %s", nb.Name, voterNoun(lb.Kind))})
			continue
		}
		if lb.Decision == "" || !lb.Kind.Fits(lb.Decision) {
			continue // counts for nothing, as it always has
		}
		c.Counted = append(c.Counted, lb)
	}
	slices.SortFunc(objects, func(a, b *v1alpha1.Ballot) int { return -compareNewest(a, b) })
	for _, b := range objects {
		bb := fromObject(b)
		k, ok := keyOf(b)
		switch {
		case !ok:
			c.NotCounted = append(c.NotCounted, NotCounted{Ballot: bb, Cause: v1alpha1.CauseMalformed,
				Reason: fmt.Sprintf("a ballot of kind %q counts for nothing: want Vote or Review", b.Spec.Kind)})
			continue
		case newest[k] != b:
			c.NotCounted = append(c.NotCounted, NotCounted{Ballot: bb, Cause: v1alpha1.CauseSuperseded,
				Reason: fmt.Sprintf("superseded by the ballot %q the same %s cast later", newest[k].Name, voterNoun(k.kind))})
			continue
		}
		if cause, reason := judgeObject(in, deadline, b, k.kind); cause != "" {
			c.NotCounted = append(c.NotCounted, NotCounted{Ballot: bb, Cause: cause, Reason: reason})
			continue
		}
		if len(c.Counted) >= v1alpha1.MaxBallotsPerProposal {
			c.NotCounted = append(c.NotCounted, NotCounted{Ballot: bb, Cause: v1alpha1.CauseOverLimit,
				Reason: fmt.Sprintf("the proposal already counts the %d ballots cast before it, the most one proposal counts",
					v1alpha1.MaxBallotsPerProposal)})
			continue
		}
		c.Counted = append(c.Counted, bb)
	}
	return c
}

// judgeObject says why a voter's newest Ballot does not count for the
// Proposal; "" when it does.
func judgeObject(in *Input, deadline time.Time, b *v1alpha1.Ballot, kind BallotKind) (v1alpha1.UncountedCause, string) {
	var author v1alpha1.Username
	var role v1alpha1.ObjectName
	if in.Proposal != nil {
		author, role = in.Proposal.Author, in.Proposal.RoleRef
	}
	created := b.CreationTimestamp.Time
	switch {
	case b.Spec.Voter == author:
		if kind == BallotReview {
			return v1alpha1.CauseByAuthor, "the author cannot review their own proposal"
		}
		return v1alpha1.CauseByAuthor, "the author cannot vote on their own proposal"
	case !kind.Fits(b.Spec.Decision):
		return v1alpha1.CauseMalformed, fmt.Sprintf("a %s cannot decide %q", kind, b.Spec.Decision)
	case b.Spec.RoleRef != role:
		return v1alpha1.CauseRoleMismatch, fmt.Sprintf("cast for Role %q, but the proposal changes Role %q", b.Spec.RoleRef, role)
	case ownedByAnother(b, in.UID):
		return v1alpha1.CauseEarlierProposal, "cast for an earlier proposal of the same name"
	case !created.IsZero() && !in.Created.IsZero() && created.Before(in.Created):
		return v1alpha1.CauseEarlierProposal, fmt.Sprintf("cast at %s, before the proposal was created (%s)",
			stamp(created), stamp(in.Created))
	case !created.IsZero() && !deadline.IsZero() && !created.Before(deadline):
		return v1alpha1.CauseAfterDeadline, fmt.Sprintf("cast at %s, when voting had closed (deadline %s)",
			stamp(created), stamp(deadline))
	case in.Generation > 0 && b.Spec.ProposalGeneration < in.TextGeneration:
		return v1alpha1.CauseStaleText, fmt.Sprintf("cast on generation %d of the proposal, whose title or description "+
			"changed at generation %d: cast it again on the text as it is", b.Spec.ProposalGeneration, in.TextGeneration)
	case in.Generation > 0 && b.Spec.ProposalGeneration > in.Generation:
		return v1alpha1.CauseUnknownGeneration, fmt.Sprintf("names generation %d of the proposal, which is at generation %d",
			b.Spec.ProposalGeneration, in.Generation)
	}
	return "", ""
}

// ownedByAnother reports whether the Ballot's ownerReference names a
// Proposal of its proposalRef with another uid than the one judged: it was
// cast for an earlier Proposal of that name.
func ownedByAnother(b *v1alpha1.Ballot, uid string) bool {
	if uid == "" {
		return false
	}
	return slices.ContainsFunc(b.OwnerReferences, func(o metav1.OwnerReference) bool {
		return o.Kind == "Proposal" && strings.HasPrefix(o.APIVersion, v1alpha1.GroupVersion.Group+"/") &&
			o.Name == string(b.Spec.ProposalRef) && string(o.UID) != uid
	})
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// keyOf is the voter and kind of a Ballot object; false for an unknown
// kind.
func keyOf(b *v1alpha1.Ballot) (ballotKey, bool) {
	switch b.Spec.Kind {
	case v1alpha1.BallotKindVote:
		return ballotKey{BallotVote, b.Spec.Voter}, true
	case v1alpha1.BallotKindReview:
		return ballotKey{BallotReview, b.Spec.Voter}, true
	}
	return ballotKey{}, false
}

// KindOf is the kind of a Ballot object as governance names it.
func KindOf(k v1alpha1.BallotKind) BallotKind {
	if k == v1alpha1.BallotKindReview {
		return BallotReview
	}
	return BallotVote
}

// Fits reports whether a ballot of kind k may carry the decision d.
func (k BallotKind) Fits(d v1alpha1.BallotDecision) bool {
	if k == BallotReview {
		return v1alpha1.BallotKindReview.Fits(d)
	}
	return v1alpha1.BallotKindVote.Fits(d)
}

func fromObject(b *v1alpha1.Ballot) Ballot {
	k, _ := keyOf(b)
	return Ballot{Kind: k.kind, User: b.Spec.Voter, Groups: b.Spec.Groups, Decision: b.Spec.Decision,
		Approves: b.Spec.Decision == v1alpha1.BallotApprove, Name: b.Name, Created: b.CreationTimestamp.Time}
}

// compareNewest orders Ballots newest first: by creation, then by name.
func compareNewest(a, b *v1alpha1.Ballot) int {
	return cmp.Or(b.CreationTimestamp.Compare(a.CreationTimestamp.Time), cmp.Compare(b.Name, a.Name))
}

func newer(a, b *v1alpha1.Ballot) bool { return compareNewest(a, b) < 0 }

func voterNoun(kind BallotKind) string {
	if kind == BallotReview {
		return "reviewer"
	}
	return "voter"
}

// CountBallots tallies counted ballots; a decision the kind cannot carry
// counts for nothing.
func CountBallots(ballots []Ballot) Tally {
	var t Tally
	for _, b := range ballots {
		switch {
		case b.Kind == BallotVote && b.Decision == v1alpha1.BallotApprove:
			t.Approvals++
		case b.Kind == BallotVote && b.Decision == v1alpha1.BallotReject:
			t.Rejections++
		case b.Kind == BallotReview && b.Decision == v1alpha1.BallotApprove:
			t.ReviewApprovals++
		case b.Kind == BallotReview && b.Decision == v1alpha1.BallotRequestChanges:
			t.ChangesRequested++
		}
	}
	return t
}

// ProposalInput is what Judge decides p by besides its Role, SkillMatrix
// and clock: its spec, creation, uid and generation, the Ballots cast on
// it, and the generation its text last changed at. digest is the digest of
// p's text when the caller knows it better than p shows (the operator's
// cache drops the description and keeps its digest); "" computes it from
// p. The ballots the operator's re-check revoked are read from p's status.
func ProposalInput(p *v1alpha1.Proposal, ballots []*v1alpha1.Ballot, digest string) Input {
	if digest == "" {
		digest = TextDigest(p.Spec.Title, p.Spec.Description)
	}
	return Input{Proposal: &p.Spec, Created: p.CreationTimestamp.Time, Ballots: ballots, UID: string(p.UID),
		Generation:     p.Generation,
		TextGeneration: TextGeneration(p.Status.TextGeneration, p.Status.TextDigest, digest, p.Generation)}
}

// RevokedFrom are the revocations an operator recorded in status.uncounted,
// for readers that cannot ask RBAC on the voters' behalf (the CLI, the
// portal): the entries whose cause is Revoked, or that have none (written
// before Ballots, when revocation was the only cause). The other causes
// they judge themselves (Collect).
func RevokedFrom(uncounted []v1alpha1.UncountedBallot) []Revocation {
	var out []Revocation
	for _, u := range uncounted {
		if u.Cause == "" || u.Cause == v1alpha1.CauseRevoked {
			out = append(out, Revocation{Kind: BallotKind(u.Kind), User: u.User, Reason: u.Reason})
		}
	}
	return out
}

// Pointers are the addresses of a list's Ballots, as Input.Ballots takes
// them.
func Pointers(ballots []v1alpha1.Ballot) []*v1alpha1.Ballot {
	out := make([]*v1alpha1.Ballot, len(ballots))
	for i := range ballots {
		out[i] = &ballots[i]
	}
	return out
}
