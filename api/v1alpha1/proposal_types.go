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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ChangeOp is the kind of change a Proposal makes to its Role.
// +kubebuilder:validation:Enum=SetProficiency;SetRequired;AddSkill;RemoveSkill;SetFocus;SetTechStack
type ChangeOp string

// Change operations.
const (
	// OpSetProficiency sets the proficiency of the cell skill@level.
	OpSetProficiency ChangeOp = "SetProficiency"
	// OpSetRequired sets the required flag of the cell skill@level.
	OpSetRequired ChangeOp = "SetRequired"
	// OpAddSkill adds a catalog skill that the Role does not list yet, with its cells.
	OpAddSkill ChangeOp = "AddSkill"
	// OpRemoveSkill removes a skill row from the Role.
	OpRemoveSkill ChangeOp = "RemoveSkill"
	// OpSetFocus sets the focus text of a level.
	OpSetFocus ChangeOp = "SetFocus"
	// OpSetTechStack replaces the tech stack of a level.
	OpSetTechStack ChangeOp = "SetTechStack"
)

// ChangeValue is the value a Set operation expects to replace. Exactly the
// field that matches the op is set.
type ChangeValue struct {
	// proficiency expected in the cell, for SetProficiency.
	// +optional
	Proficiency ProficiencyID `json:"proficiency,omitempty"`

	// required flag expected in the cell, for SetRequired.
	// +optional
	Required *bool `json:"required,omitempty"`

	// focus text expected at the level, for SetFocus.
	// +kubebuilder:validation:MaxLength=4096
	// +optional
	Focus *string `json:"focus,omitempty"`

	// techStack expected at the level, for SetTechStack.
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=40
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=128
	// +optional
	TechStack []string `json:"techStack,omitempty"`
}

// Change is one typed change to a Role. Which fields are allowed depends on op.
// +kubebuilder:validation:XValidation:rule="(self.op in ['SetProficiency', 'SetRequired', 'AddSkill', 'RemoveSkill']) == has(self.skill)",message="skill is required for SetProficiency, SetRequired, AddSkill and RemoveSkill and not allowed for SetFocus and SetTechStack",fieldPath=".skill"
// +kubebuilder:validation:XValidation:rule="(self.op in ['SetProficiency', 'SetRequired', 'SetFocus', 'SetTechStack']) == has(self.level)",message="level is required for SetProficiency, SetRequired, SetFocus and SetTechStack and not allowed for AddSkill and RemoveSkill",fieldPath=".level"
// +kubebuilder:validation:XValidation:rule="(self.op == 'SetProficiency') == has(self.proficiency)",message="proficiency is required for SetProficiency and not allowed for other ops",fieldPath=".proficiency"
// +kubebuilder:validation:XValidation:rule="(self.op == 'SetRequired') == has(self.required)",message="required is required for SetRequired and not allowed for other ops",fieldPath=".required"
// +kubebuilder:validation:XValidation:rule="(self.op == 'SetFocus') == has(self.focus)",message="focus is required for SetFocus and not allowed for other ops",fieldPath=".focus"
// +kubebuilder:validation:XValidation:rule="(self.op == 'SetTechStack') == has(self.techStack)",message="techStack is required for SetTechStack and not allowed for other ops",fieldPath=".techStack"
// +kubebuilder:validation:XValidation:rule="(self.op == 'AddSkill') == has(self.cells)",message="cells are required for AddSkill and not allowed for other ops",fieldPath=".cells"
// +kubebuilder:validation:XValidation:rule="!has(self.from) || (self.op == 'SetProficiency' && has(self.from.proficiency) && !has(self.from.required) && !has(self.from.focus) && !has(self.from.techStack)) || (self.op == 'SetRequired' && has(self.from.required) && !has(self.from.proficiency) && !has(self.from.focus) && !has(self.from.techStack)) || (self.op == 'SetFocus' && has(self.from.focus) && !has(self.from.proficiency) && !has(self.from.required) && !has(self.from.techStack)) || (self.op == 'SetTechStack' && has(self.from.techStack) && !has(self.from.proficiency) && !has(self.from.required) && !has(self.from.focus))",message="from must set exactly the field the op changes (proficiency, required, focus or techStack) and is not allowed for AddSkill and RemoveSkill",fieldPath=".from"
type Change struct {
	// op is the kind of change.
	// +required
	Op ChangeOp `json:"op"`

	// skill is the id of the skill the change is about.
	// +optional
	Skill ID `json:"skill,omitempty"`

	// level is the id of the level the change is about.
	// +optional
	Level ID `json:"level,omitempty"`

	// proficiency is the new proficiency, for SetProficiency.
	// +optional
	Proficiency ProficiencyID `json:"proficiency,omitempty"`

	// required is the new required flag, for SetRequired.
	// +optional
	Required *bool `json:"required,omitempty"`

	// focus is the new focus text, for SetFocus.
	// +kubebuilder:validation:MaxLength=4096
	// +optional
	Focus *string `json:"focus,omitempty"`

	// techStack is the new tech stack, for SetTechStack: each item a single
	// line, without control characters.
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=40
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=128
	// +kubebuilder:validation:XValidation:rule="self.all(t, !t.matches(r'[\\x00-\\x1f\\x7f\\x{85}\\x{2028}\\x{2029}]'))",message="each tech stack item must be a single line: no line breaks, tabs or other control characters"
	// +optional
	TechStack []string `json:"techStack,omitempty"`

	// cells of the added skill, one per level, for AddSkill.
	// +listType=map
	// +listMapKey=level
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=12
	// +optional
	Cells []Cell `json:"cells,omitempty"`

	// from is the value the change expects to replace (compare-and-swap). When
	// the Role no longer holds it, the Proposal becomes Conflicted and nothing
	// is changed. AddSkill implicitly expects the skill to be absent and
	// RemoveSkill expects it to be present.
	// +optional
	From *ChangeValue `json:"from,omitempty"`
}

// VoteDecision is a voter's choice.
// +kubebuilder:validation:Enum=Approve;Reject
type VoteDecision string

// Vote decisions.
const (
	VoteApprove VoteDecision = "Approve"
	VoteReject  VoteDecision = "Reject"
)

// Vote is one colleague's vote. The admission policy allows users to add,
// change or remove only the vote that carries their own username.
type Vote struct {
	// voter is the username of the person voting.
	// +required
	Voter Username `json:"voter"`

	// decision is Approve or Reject.
	// +required
	Decision VoteDecision `json:"decision"`

	// comment explains the vote.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	Comment string `json:"comment,omitempty"`

	// groups are the groups the voter had when casting the vote, exactly as
	// the API server authenticated them (request.userInfo.groups): the
	// admission policy refuses a vote whose groups differ, and the operator
	// re-checks the voter's authority with them at decision time.
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=253
	// +listType=atomic
	// +optional
	Groups []string `json:"groups,omitempty"`
}

// ReviewDecision is an expert's verdict.
// +kubebuilder:validation:Enum=Approve;RequestChanges
type ReviewDecision string

// Review decisions.
const (
	ReviewApprove        ReviewDecision = "Approve"
	ReviewRequestChanges ReviewDecision = "RequestChanges"
)

// Review is a designated expert's review. Only users that RBAC grants the
// verb "review" on the Role may add one.
type Review struct {
	// reviewer is the username of the expert.
	// +required
	Reviewer Username `json:"reviewer"`

	// decision is Approve or RequestChanges.
	// +required
	Decision ReviewDecision `json:"decision"`

	// comment explains the review.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Comment string `json:"comment,omitempty"`

	// groups are the groups the reviewer had when reviewing, as for a vote.
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=253
	// +listType=atomic
	// +optional
	Groups []string `json:"groups,omitempty"`
}

// MaxProposalText bounds the text a Proposal carries, in characters: its
// title, description, vote and review comments, and the text of its changes
// (focus, tech stack, cell descriptions and examples, and their from values).
// Each field has its own limit too; this one bounds their sum, so that a
// namespace full of Proposals stays small in etcd and in the operator's
// cache (docs/governance.md, "Bounded resources"). A vote or review without a
// comment always fits.
const MaxProposalText = 32768

// MaxChangeText bounds, within MaxProposalText, the text of a Proposal's
// changes: the part of its text the operator keeps in its cache (it drops
// the description and the comments).
const MaxChangeText = 8192

// The ProposalSpec rule that enforces MaxProposalText sums, in characters:
//
//	size(title) + size(description) + Σ votes[].comment + Σ reviews[].comment +
//	Σ changes[]: focus + techStack + cells[].description + cells[].examples +
//	             from.focus + from.techStack

// ProposalSpec is a change to one Role, with its votes and reviews.
// +kubebuilder:validation:XValidation:rule="!has(self.votes) || self.votes.all(v, v.voter != self.author)",message="the author cannot vote on their own proposal",fieldPath=".votes"
// +kubebuilder:validation:XValidation:rule="!has(self.reviews) || self.reviews.all(r, r.reviewer != self.author)",message="the author cannot review their own proposal",fieldPath=".reviews"
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.withdrawn) || !oldSelf.withdrawn || (has(self.withdrawn) && self.withdrawn)",message="a withdrawn proposal stays withdrawn: spec.withdrawn cannot be unset",fieldPath=".withdrawn"
// +kubebuilder:validation:XValidation:rule="size(self.title) + (has(self.description) ? size(self.description) : 0) + (has(self.votes) ? self.votes.map(v, has(v.comment) ? size(v.comment) : 0).sum() : 0) + (has(self.reviews) ? self.reviews.map(r, has(r.comment) ? size(r.comment) : 0).sum() : 0) + self.changes.map(c, (has(c.focus) ? size(c.focus) : 0) + (has(c.techStack) ? c.techStack.map(t, size(t)).sum() : 0) + (has(c.cells) ? c.cells.map(x, (has(x.description) ? size(x.description) : 0) + (has(x.examples) ? x.examples.map(e, size(e)).sum() : 0)).sum() : 0) + (has(c.from) ? (has(c.from.focus) ? size(c.from.focus) : 0) + (has(c.from.techStack) ? c.from.techStack.map(t, size(t)).sum() : 0) : 0)).sum() <= 32768",message="proposal text too long: title, description, comments and the text of the changes may total at most 32768 characters (MaxProposalText); shorten a comment or vote without one"
type ProposalSpec struct {
	// roleRef is the name of the Role in the same namespace. Immutable.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="roleRef is immutable after creation"
	// +required
	RoleRef ObjectName `json:"roleRef"`

	// title is a one-line summary of the change: no line breaks, tabs or
	// other control characters (it becomes a commit's subject).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=200
	// +kubebuilder:validation:XValidation:rule="!self.matches(r'[\\x00-\\x1f\\x7f\\x{85}\\x{2028}\\x{2029}]')",message="title must be a single line: no line breaks, tabs or other control characters"
	// +required
	Title string `json:"title"`

	// description explains why the change is right.
	// +kubebuilder:validation:MaxLength=4096
	// +optional
	Description string `json:"description,omitempty"`

	// author is the username of the proposer; the admission policy requires it
	// to be the creating user. Immutable.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="author is immutable after creation"
	// +required
	Author Username `json:"author"`

	// changes to apply to the Role, in order, at most 50 (MaxChanges).
	// Immutable.
	// +listType=atomic
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=50
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="changes are immutable after creation"
	// +kubebuilder:validation:XValidation:rule="self.map(c, (has(c.focus) ? size(c.focus) : 0) + (has(c.techStack) ? c.techStack.map(t, size(t)).sum() : 0) + (has(c.cells) ? c.cells.map(x, (has(x.description) ? size(x.description) : 0) + (has(x.examples) ? x.examples.map(e, size(e)).sum() : 0)).sum() : 0) + (has(c.from) ? (has(c.from.focus) ? size(c.from.focus) : 0) + (has(c.from.techStack) ? c.from.techStack.map(t, size(t)).sum() : 0) : 0)).sum() <= 8192",message="the text of the changes (focus, tech stack, cell descriptions and examples, and their from values) may total at most 8192 characters (MaxChangeText)"
	// +required
	Changes []Change `json:"changes"`

	// votes cast by colleagues, one per voter.
	// +listType=map
	// +listMapKey=voter
	// +kubebuilder:validation:MaxItems=500
	// +optional
	Votes []Vote `json:"votes,omitempty"`

	// reviews by designated experts, one per reviewer.
	// +listType=map
	// +listMapKey=reviewer
	// +kubebuilder:validation:MaxItems=50
	// +optional
	Reviews []Review `json:"reviews,omitempty"`

	// withdrawn is set by the author to take the Proposal back while it is
	// open; the operator then closes it as Withdrawn and never promotes it.
	// Once set it cannot be unset; the admission policy lets only the author
	// set it, and only before the Proposal is Accepted or closed.
	// +optional
	Withdrawn bool `json:"withdrawn,omitempty"`
}

// ProposalPhase is where a Proposal is in its life.
// +kubebuilder:validation:Enum=Open;Accepted;Committed;Applied;Rejected;Expired;Conflicted;Invalid;Withdrawn;Abandoned;Diverged;TimedOut
type ProposalPhase string

// Proposal phases. Every phase but Open, Accepted and Committed is closed
// (phases.go has the rules).
const (
	PhaseOpen     ProposalPhase = "Open"
	PhaseAccepted ProposalPhase = "Accepted"
	// PhaseCommitted: with Git write-back, the change is committed and
	// pushed (status.gitCommit) and waits for Argo CD or Flux to sync it
	// into the Role; it turns Applied once the Role carries it.
	PhaseCommitted  ProposalPhase = "Committed"
	PhaseApplied    ProposalPhase = "Applied"
	PhaseRejected   ProposalPhase = "Rejected"
	PhaseExpired    ProposalPhase = "Expired"
	PhaseConflicted ProposalPhase = "Conflicted"
	PhaseInvalid    ProposalPhase = "Invalid"
	// PhaseWithdrawn: the author withdrew the Proposal (spec.withdrawn)
	// before it was accepted; it is never promoted.
	PhaseWithdrawn ProposalPhase = "Withdrawn"
	// PhaseAbandoned: with Git write-back, the commit left Git before its
	// change reached the tracked branch: the Proposal's branch was deleted
	// unmerged (Branch mode), or the commit is gone from the tracked
	// branch (Direct mode: a force push). Its change is never applied.
	PhaseAbandoned ProposalPhase = "Abandoned"
	// PhaseDiverged: with Git write-back, the commit reached the tracked
	// branch, but the branch holds other values for cells the Proposal set
	// (edited in the merge request or after it); status.message names them.
	PhaseDiverged ProposalPhase = "Diverged"
	// PhaseTimedOut: with Git write-back, the change did not reach the Role
	// within the GitWriteBack's applyTimeout after the commit.
	PhaseTimedOut ProposalPhase = "TimedOut"
)

// Tally counts the votes and reviews against the effective policy.
type Tally struct {
	Approvals        int32 `json:"approvals"`
	Rejections       int32 `json:"rejections"`
	ReviewApprovals  int32 `json:"reviewApprovals"`
	ChangesRequested int32 `json:"changesRequested"`
	// minApprovals, approvalRatioPercent and requiredReviews are the effective
	// policy the tally was measured against.
	MinApprovals         int32 `json:"minApprovals"`
	ApprovalRatioPercent int32 `json:"approvalRatioPercent"`
	RequiredReviews      int32 `json:"requiredReviews"`
}

// ProposalStatus is the observed state of a Proposal. Only the operator writes it.
type ProposalStatus struct {
	// observedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// phase is Open, Accepted, Committed (Git write-back: pushed, waiting
	// for the sync), Applied, Rejected, Expired, Conflicted, Invalid,
	// Withdrawn, or, for a committed Proposal that never reached the Role,
	// Abandoned, Diverged or TimedOut.
	// +optional
	Phase ProposalPhase `json:"phase,omitempty"`

	// conditions: Valid, Accepted, Applied and, with Git write-back,
	// Committed.
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=8
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// tally of votes and reviews.
	// +optional
	Tally *Tally `json:"tally,omitempty"`

	// deadline is when voting closes.
	// +optional
	Deadline *metav1.Time `json:"deadline,omitempty"`

	// message explains the phase, e.g. which change conflicted.
	// +kubebuilder:validation:MaxLength=4096
	// +optional
	Message string `json:"message,omitempty"`

	// appliedRoleGeneration is the Role generation that carries the change.
	// +optional
	AppliedRoleGeneration int64 `json:"appliedRoleGeneration,omitempty"`

	// appliedAt is when the change landed in the Role.
	// +optional
	AppliedAt *metav1.Time `json:"appliedAt,omitempty"`

	// gitCommit is the commit that carries the change, with Git write-back.
	// +optional
	GitCommit *GitCommitRecord `json:"gitCommit,omitempty"`

	// pendingCommit is the commit the operator built for the accepted
	// change and recorded before pushing it (write-ahead): after a crash it
	// pushes exactly this commit, or finds it pushed, and never commits
	// again. It moves to gitCommit once the push is recorded.
	// +optional
	PendingCommit *GitCommitRecord `json:"pendingCommit,omitempty"`

	// uncounted are the votes and reviews that do not count, each with its
	// reason: a re-check of their author's authority at decision time
	// failed (RBAC binding removed, no longer in an eligible group, a system
	// identity), or a Ballot does not count for this Proposal (cast on an
	// earlier text, after the deadline, by the author, for another Role,
	// superseded by a newer ballot of the same voter). The operator lists at
	// most MaxUncountedListed, revoked ones first; uncountedTotal counts
	// them all.
	// +kubebuilder:validation:MaxItems=550
	// +listType=atomic
	// +optional
	Uncounted []UncountedBallot `json:"uncounted,omitempty"`

	// uncountedTotal is how many votes and reviews do not count, listed in
	// uncounted or not.
	// +optional
	UncountedTotal int32 `json:"uncountedTotal,omitempty"`

	// textGeneration is the metadata.generation at which the operator found
	// the Proposal's text (title and description) as it is now: a Ballot
	// counts only when cast on this generation or a later one. When the
	// author edits the text, ballots cast before stop counting (as stale
	// reviews are dismissed) and their voters cast them again.
	// +optional
	TextGeneration int64 `json:"textGeneration,omitempty"`

	// textDigest is the SHA-256 of the text textGeneration refers to, by
	// which the operator notices an edit.
	// +kubebuilder:validation:MaxLength=80
	// +optional
	TextDigest string `json:"textDigest,omitempty"`
}

// GitCommitRecord is the commit a Proposal was written back to Git as. The
// operator records it before it pushes (status.pendingCommit, with what
// rebuilding the commit byte for byte needs), and only a commit whose SHA
// it recorded, or that its key signed, is ever taken for the Proposal's.
type GitCommitRecord struct {
	// sha of the commit.
	// +kubebuilder:validation:MaxLength=64
	SHA string `json:"sha"`
	// file is the manifest the commit changed, from the repository root.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	File string `json:"file,omitempty"`
	// gitWriteBack names the GitWriteBack it was pushed through.
	// +optional
	GitWriteBack ObjectName `json:"gitWriteBack,omitempty"`
	// url of the repository.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	URL string `json:"url,omitempty"`
	// branch it was pushed to: the tracked branch in Direct mode, the
	// Proposal's own branch in Branch mode (open the merge request from it).
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	Branch string `json:"branch,omitempty"`
	// trackedBranch is, in Branch mode, the branch the Roles are synced
	// from, which branch is to be merged into; empty in Direct mode.
	// +kubebuilder:validation:MaxLength=255
	// +optional
	TrackedBranch string `json:"trackedBranch,omitempty"`
	// committedAt is when the push returned (for a pending commit: when it
	// was recorded), in microseconds: the wait for the sync counts from
	// here, and it orders the commits of one Role (a field a newer commit
	// set again is superseded).
	CommittedAt metav1.MicroTime `json:"committedAt"`
	// parent is the commit it was made on (the tracked branch's head).
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Parent string `json:"parent,omitempty"`
	// tree and blob are the commit's tree and the edited manifest's blob.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Tree string `json:"tree,omitempty"`
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Blob string `json:"blob,omitempty"`
	// authorName and authorEmail are its author and committer.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	AuthorName string `json:"authorName,omitempty"`
	// +kubebuilder:validation:MaxLength=256
	// +optional
	AuthorEmail string `json:"authorEmail,omitempty"`
	// time is its author and committer time (whole seconds, UTC).
	// +optional
	Time *metav1.Time `json:"time,omitempty"`
	// message is its whole message, kept until the push is recorded.
	// +kubebuilder:validation:MaxLength=262144
	// +optional
	Message string `json:"message,omitempty"`
	// signature is its armored signature (SSH or OpenPGP), kept until the
	// push is recorded; empty for an unsigned commit.
	// +kubebuilder:validation:MaxLength=16384
	// +optional
	Signature string `json:"signature,omitempty"`
	// signed says the commit carries the operator's signature.
	// +optional
	Signed bool `json:"signed,omitempty"`
	// mergedCommit is, once the tracked branch carries the change, the
	// commit there that carries it: sha itself (a merge commit, a
	// fast-forward, Direct mode), or the squash or rebase commit that made
	// exactly the Proposal's change, which stays reachable after the
	// Proposal's branch is deleted. It is never taken for the operator's
	// own commit: its message is the forge's.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	MergedCommit string `json:"mergedCommit,omitempty"`
	// heldBy is, while the Proposal's branch is someone else's, who holds
	// it: the branch's head and its author and committer as Git reports
	// them.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	HeldBy string `json:"heldBy,omitempty"`
}

// UncountedCause says, for machines, why a vote or review does not count.
// +kubebuilder:validation:Enum=Revoked;Superseded;StaleText;UnknownGeneration;AfterDeadline;EarlierProposal;RoleMismatch;ByAuthor;OverLimit;Malformed
type UncountedCause string

// Why a vote or review does not count.
const (
	// CauseRevoked: the re-check of its author's authority at decision time
	// failed.
	CauseRevoked UncountedCause = "Revoked"
	// CauseSuperseded: a newer Ballot of the same voter and kind counts
	// instead (or, for an entry of spec.votes or spec.reviews, any Ballot of
	// the same voter and kind).
	CauseSuperseded UncountedCause = "Superseded"
	// CauseStaleText: cast on a generation before the text last changed.
	CauseStaleText UncountedCause = "StaleText"
	// CauseUnknownGeneration: it names a generation the Proposal has not
	// reached.
	CauseUnknownGeneration UncountedCause = "UnknownGeneration"
	// CauseAfterDeadline: created at or after the deadline.
	CauseAfterDeadline UncountedCause = "AfterDeadline"
	// CauseEarlierProposal: cast before the Proposal was created, or for an
	// earlier Proposal of the same name (its ownerReference names another
	// uid).
	CauseEarlierProposal UncountedCause = "EarlierProposal"
	// CauseRoleMismatch: its roleRef is not the Proposal's Role.
	CauseRoleMismatch UncountedCause = "RoleMismatch"
	// CauseByAuthor: the author cannot vote on or review their own Proposal.
	CauseByAuthor UncountedCause = "ByAuthor"
	// CauseOverLimit: the Proposal already counts MaxBallotsPerProposal
	// older ballots.
	CauseOverLimit UncountedCause = "OverLimit"
	// CauseMalformed: a decision its kind cannot carry (the CRD refuses it;
	// only a stale CRD lets one through).
	CauseMalformed UncountedCause = "Malformed"
)

// UncountedBallot is a vote or review left out of the tally.
type UncountedBallot struct {
	// kind is vote or review.
	// +kubebuilder:validation:Enum=vote;review
	Kind string `json:"kind"`
	// user cast it.
	User Username `json:"user"`
	// reason it does not count, in a sentence.
	// +kubebuilder:validation:MaxLength=512
	Reason string `json:"reason"`
	// cause is why it does not count, for machines; absent on entries an
	// operator before Ballots wrote (they were all Revoked).
	// +optional
	Cause UncountedCause `json:"cause,omitempty"`
	// ballot is the Ballot object, when the vote or review is one; absent
	// for an entry of spec.votes or spec.reviews.
	// +kubebuilder:validation:MaxLength=253
	// +optional
	Ballot string `json:"ballot,omitempty"`
}

// Proposal is a change to one Role that colleagues vote on and experts
// review; the operator promotes it into the Role once the rules are met.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=cprop,categories=career
// +kubebuilder:printcolumn:name="Role",type=string,JSONPath=`.spec.roleRef`
// +kubebuilder:printcolumn:name="Author",type=string,JSONPath=`.spec.author`,priority=1
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Approvals",type=integer,JSONPath=`.status.tally.approvals`
// +kubebuilder:printcolumn:name="Rejections",type=integer,JSONPath=`.status.tally.rejections`,priority=1
// +kubebuilder:printcolumn:name="Reviews",type=integer,JSONPath=`.status.tally.reviewApprovals`
// +kubebuilder:printcolumn:name="Deadline",type=string,JSONPath=`.status.deadline`,priority=1
// +kubebuilder:printcolumn:name="Commit",type=string,JSONPath=`.status.gitCommit.sha`,priority=1
// +kubebuilder:printcolumn:name="Git branch",type=string,JSONPath=`.status.gitCommit.branch`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Proposal struct {
	metav1.TypeMeta `json:",inline"`

	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	// +required
	Spec ProposalSpec `json:"spec"`

	// +optional
	Status ProposalStatus `json:"status,omitzero"`
}

// +kubebuilder:object:root=true

// ProposalList contains a list of Proposal.
type ProposalList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []Proposal `json:"items"`
}
