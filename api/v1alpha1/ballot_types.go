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

package v1alpha1

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// MaxBallotsPerProposal bounds the Ballots the operator counts for one
// Proposal: the oldest count, the rest are shown as not counted
// (status.uncountedTotal). A policy cannot count objects, so the bound is
// the operator's; a ResourceQuota on count/ballots.career.skillmatrix.dev
// bounds a namespace (docs/governance.md, "Bounded resources").
const MaxBallotsPerProposal = 10000

// MaxUncountedListed bounds status.uncounted as the operator writes it;
// status.uncountedTotal counts them all.
const MaxUncountedListed = 100

// BallotKind tells a vote from an expert review.
// +kubebuilder:validation:Enum=Vote;Review
type BallotKind string

// The two kinds of Ballot.
const (
	BallotKindVote   BallotKind = "Vote"
	BallotKindReview BallotKind = "Review"
)

// BallotDecision is what a Ballot says: Approve or Reject for a vote,
// Approve or RequestChanges for a review.
// +kubebuilder:validation:Enum=Approve;Reject;RequestChanges
type BallotDecision string

// Ballot decisions.
const (
	BallotApprove        BallotDecision = "Approve"
	BallotReject         BallotDecision = "Reject"
	BallotRequestChanges BallotDecision = "RequestChanges"
)

// Fits reports whether d is a decision a ballot of kind k may carry.
func (k BallotKind) Fits(d BallotDecision) bool {
	switch k {
	case BallotKindVote:
		return d == BallotApprove || d == BallotReject
	case BallotKindReview:
		return d == BallotApprove || d == BallotRequestChanges
	}
	return false
}

// BallotSpec is one person's vote on, or expert review of, one Proposal.
// The admission policy skillmatrix-ballot-authenticity lets only the voter
// (request.userInfo.username) write it, with the groups the API server
// authenticated; what needs the Proposal is judged when the operator counts
// (docs/governance.md).
// +kubebuilder:validation:XValidation:rule="self.kind == 'Vote' ? self.decision in ['Approve', 'Reject'] : self.decision in ['Approve', 'RequestChanges']",message="a Vote decides Approve or Reject, a Review Approve or RequestChanges",fieldPath=".decision"
// +kubebuilder:validation:XValidation:rule="self.kind == 'Review' || !has(self.comment) || size(self.comment) <= 1024",message="the comment of a Vote may hold at most 1024 characters (a Review's 2048)",fieldPath=".comment"
type BallotSpec struct {
	// proposalRef is the name of the Proposal in the same namespace.
	// Immutable.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="proposalRef is immutable: cast a new ballot for another proposal"
	// +required
	ProposalRef ObjectName `json:"proposalRef"`

	// roleRef is the Role the Proposal changes: the admission policy asks
	// RBAC for the verb review on it, and the operator counts the ballot
	// only when it is the Proposal's. Immutable.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="roleRef is immutable"
	// +required
	RoleRef ObjectName `json:"roleRef"`

	// kind is Vote or Review. Immutable.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="kind is immutable: cast a new ballot of the other kind"
	// +required
	Kind BallotKind `json:"kind"`

	// voter is the username of the person who cast it; the admission policy
	// requires it to be the requesting user. Immutable.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="voter is immutable"
	// +required
	Voter Username `json:"voter"`

	// decision is Approve or Reject for a Vote, Approve or RequestChanges
	// for a Review. Changing one's mind is an update of one's own ballot.
	// +required
	Decision BallotDecision `json:"decision"`

	// comment explains the decision: at most 1024 characters for a vote,
	// 2048 for a review.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Comment string `json:"comment,omitempty"`

	// groups are the groups the voter had when casting or changing the
	// ballot, exactly as the API server authenticated them
	// (request.userInfo.groups; the admission policy refuses other values).
	// The operator re-checks the voter's authority with them at decision
	// time.
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=253
	// +listType=atomic
	// +optional
	Groups []string `json:"groups,omitempty"`

	// proposalGeneration is the Proposal's metadata.generation the ballot
	// was cast on. It counts only while the Proposal's text (title and
	// description) has not changed since: a ballot cast on an earlier text
	// is shown as not counted, and the voter casts it again.
	// +kubebuilder:validation:Minimum=1
	// +required
	ProposalGeneration int64 `json:"proposalGeneration"`
}

// Ballot is one vote or expert review of a Proposal, an object of its own
// so that votes do not contend: a burst of voters writes as many
// independent objects. The Proposal's status counts them.
// +kubebuilder:object:root=true
// +kubebuilder:resource:shortName=cballot,categories=career
// +kubebuilder:selectablefield:JSONPath=`.spec.proposalRef`
// +kubebuilder:selectablefield:JSONPath=`.spec.voter`
// +kubebuilder:selectablefield:JSONPath=`.spec.kind`
// +kubebuilder:printcolumn:name="Proposal",type=string,JSONPath=`.spec.proposalRef`
// +kubebuilder:printcolumn:name="Kind",type=string,JSONPath=`.spec.kind`
// +kubebuilder:printcolumn:name="Voter",type=string,JSONPath=`.spec.voter`
// +kubebuilder:printcolumn:name="Decision",type=string,JSONPath=`.spec.decision`
// +kubebuilder:printcolumn:name="Role",type=string,JSONPath=`.spec.roleRef`,priority=1
// +kubebuilder:printcolumn:name="Generation",type=integer,JSONPath=`.spec.proposalGeneration`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Ballot struct {
	metav1.TypeMeta `json:",inline"`

	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	// +required
	Spec BallotSpec `json:"spec"`
}

// +kubebuilder:object:root=true

// BallotList contains a list of Ballot.
type BallotList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []Ballot `json:"items"`
}

// The kind registers itself, so adding it left groupversion_info.go as it was.
func init() {
	SchemeBuilder.Register(func(scheme *runtime.Scheme) error {
		scheme.AddKnownTypes(SchemeGroupVersion, &Ballot{}, &BallotList{})
		return nil
	})
}

// BallotName is the name kubectl skillmatrix gives the ballot of kind that
// voter casts on proposal: always the same, so that a retry after a lost
// answer, or a change of mind, writes the same object. It is the
// Proposal's name (shortened when long), the kind and a hash of the
// username (usernames may hold characters a name may not): a DNS subdomain
// of at most 253 characters.
func BallotName(proposal string, kind BallotKind, voter Username) string {
	sum := sha256.Sum256([]byte(voter))
	suffix := "." + strings.ToLower(string(kind)) + "." + hex.EncodeToString(sum[:10])
	if room := 253 - len(suffix); len(proposal) > room {
		proposal = strings.TrimRight(proposal[:room], ".-")
	}
	return proposal + suffix
}
