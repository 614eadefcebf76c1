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

// Condition types. Ready, Reconciling and Stalled are on every kind and
// follow kstatus (sigs.k8s.io/cli-utils/pkg/kstatus): Reconciling is present
// (True) only while the operator still has work in flight, Stalled only
// while it cannot go on until a person acts, and Ready says whether the
// object is in the state its spec asks for. kubectl wait, Flux's health
// checks and Argo CD (resource_customizations/) read them.
const (
	// ConditionReady is the summary: the object is in the state its spec
	// asks for (for a Proposal: the operator has nothing left to do).
	ConditionReady = "Ready"
	// ConditionReconciling is True while the operator still works towards
	// the spec: an accepted Proposal being promoted or committed, a
	// dependency not there yet, a retry after an error.
	ConditionReconciling = "Reconciling"
	// ConditionStalled is True while the operator cannot make progress
	// until a person acts: an invalid spec, a promotion held, a write-back
	// that cannot authenticate.
	ConditionStalled = "Stalled"
	// ConditionValid reports whether the spec passed validation against its references.
	ConditionValid = "Valid"
	// ConditionPublished reports whether the rendered ConfigMap holds the
	// matrix of the current spec.
	ConditionPublished = "Published"
	// ConditionAccepted reports whether a Proposal met its governance rules.
	ConditionAccepted = "Accepted"
	// ConditionApplied reports whether a Proposal's changes landed in its Role.
	ConditionApplied = "Applied"
	// ConditionCommitted reports, on a Proposal, whether its accepted
	// change is committed and pushed to Git; False says why not yet.
	ConditionCommitted = "Committed"
	// ConditionWriteBack reports, on a Role, the state of its write-back:
	// True when every committed Proposal is in the Role, Unknown while a
	// commit waits for the sync, False while a Proposal cannot be written.
	ConditionWriteBack = "WriteBack"
	// ConditionReverted is True while the Role no longer carries the change of
	// an applied Proposal (status.reverted names them).
	ConditionReverted = "Reverted"
	// ConditionHistory reports, on a Role, whether its record of applied
	// Proposals is whole: rebuilt from the Applied Proposals and the
	// operator's own commits when the Role's status had lost it (the Role
	// was re-created), or unverifiable where no trusted source can tell.
	ConditionHistory = "History"
)

// Condition reasons. They are part of the observable interface (conditions,
// Events, metrics labels, the Argo CD health checks, docs/conditions.md):
// never rename one. Each reason is either progress or a call for a person to
// act (ReasonNeedsAction); docs/conditions.md lists them all with the type
// of their Events, and a test holds the page to this file.
const (
	// ReasonReady: the object is in the state its spec asks for.
	ReasonReady = "Ready"
	// ReasonValid: the spec passed validation.
	ReasonValid = "Valid"
	// ReasonValidWithWarnings: a Role's spec is valid; the message lists
	// what looks odd (a proficiency that drops as the level rises).
	ReasonValidWithWarnings = "ValidWithWarnings"
	// ReasonInvalidSpec: the spec breaks a rule the CRD cannot express.
	ReasonInvalidSpec = "InvalidSpec"
	// ReasonMatrixNotFound: the SkillMatrix a Role (or a Proposal's Role)
	// refers to does not exist yet; its creation wakes the object.
	ReasonMatrixNotFound = "MatrixNotFound"
	// ReasonMatrixInvalid: a Role's SkillMatrix is invalid.
	ReasonMatrixInvalid = "MatrixInvalid"
	// ReasonRoleNotFound: a Proposal's Role does not exist yet; its
	// creation wakes the Proposal.
	ReasonRoleNotFound = "RoleNotFound"
	// ReasonRetrying: the reconcile failed on an error a retry can mend (an
	// API call that failed); the message has the error.
	ReasonRetrying = "Retrying"

	// ReasonPublished: the ConfigMap holds the rendered content.
	ReasonPublished = "Published"
	// ReasonTooLarge: the rendered content does not fit in a ConfigMap.
	ReasonTooLarge = "TooLarge"
	// ReasonConfigMapConflict: a ConfigMap of that name exists and is not
	// the operator's.
	ReasonConfigMapConflict = "ConfigMapConflict"
	// ReasonRenderFailed: the content could not be rendered.
	ReasonRenderFailed = "RenderFailed"
	// ReasonPublishFailed: the API server refused the ConfigMap write.
	ReasonPublishFailed = "PublishFailed"
)

// Reasons of a Proposal's decision (its Accepted condition) and phases (its
// Ready, Reconciling and Stalled conditions name the phase).
const (
	// ReasonOpen: the Proposal waits for votes and reviews.
	ReasonOpen = "Open"
	// ReasonAccepted: the Proposal met its governance rules.
	ReasonAccepted = "Accepted"
	// ReasonAwaitingVotes: not enough approving votes or reviews yet.
	ReasonAwaitingVotes = "AwaitingVotes"
	// ReasonAwaitingOwners: the votes suffice, but a touched category has
	// no approving review by one of its owners yet.
	ReasonAwaitingOwners = "AwaitingOwners"
	// ReasonChangesRequested: an expert requested changes.
	ReasonChangesRequested = "ChangesRequested"
	// ReasonRatioNotMet: the approval ratio can no longer be met.
	ReasonRatioNotMet = "RatioNotMet"
	// ReasonDeadlinePassed: the voting period ended without quorum.
	ReasonDeadlinePassed = "DeadlinePassed"
	// ReasonWithdrawn: the author withdrew the Proposal (spec.withdrawn).
	ReasonWithdrawn = "Withdrawn"
	// ReasonRejected: the Proposal ended Rejected.
	ReasonRejected = "Rejected"
	// ReasonExpired: the Proposal ended Expired.
	ReasonExpired = "Expired"
	// ReasonInvalidChanges: the changes do not make sense against the Role
	// and its SkillMatrix; the Proposal is closed and must be proposed anew.
	ReasonInvalidChanges = "InvalidChanges"
	// ReasonConflict: a change's `from` no longer matches the Role.
	ReasonConflict = "Conflict"
	// ReasonConflicted: the Proposal ended Conflicted.
	ReasonConflicted = "Conflicted"
	// ReasonNotAccepted: nothing is applied before the Proposal is accepted.
	ReasonNotAccepted = "NotAccepted"
	// ReasonApplied: the change is in the Role.
	ReasonApplied = "Applied"
	// ReasonPromotionHeld: accepted, but the admission policies that make
	// ballots authentic are not in force as shipped, so the operator
	// promotes nothing (promotion fails closed).
	ReasonPromotionHeld = "PromotionHeld"
)

// Reasons of Git write-back, on a Proposal's Committed and Applied
// conditions, a Role's WriteBack condition and a GitWriteBack's Ready (see
// docs/gitops.md).
const (
	// ReasonCommitted: the change is committed and pushed.
	ReasonCommitted = "Committed"
	// ReasonCommitting: accepted; the commit follows in the next reconcile,
	// after the decision is written.
	ReasonCommitting = "Committing"
	// ReasonAwaitingSync: committed, the Role does not carry it yet.
	ReasonAwaitingSync = "AwaitingSync"
	// ReasonSynced: every committed Proposal of the Role is in it.
	ReasonSynced = "Synced"
	// ReasonMerged: the tracked branch carries the change; the sync is next.
	ReasonMerged = "Merged"
	// ReasonAbandoned, ReasonDiverged and ReasonTimedOut: the Proposal
	// ended in that phase without reaching the Role.
	ReasonAbandoned = "Abandoned"
	ReasonDiverged  = "Diverged"
	ReasonTimedOut  = "TimedOut"
	// ReasonBranchDeleted: Branch mode, the Proposal's branch was deleted
	// before its change reached the tracked branch.
	ReasonBranchDeleted = "BranchDeleted"
	// ReasonCommitLost: Direct mode, the commit is no longer in the
	// tracked branch's history (a force push or a reset).
	ReasonCommitLost = "CommitLost"
	// ReasonMergedDifferently: the tracked branch carries other values for
	// cells the Proposal set.
	ReasonMergedDifferently = "MergedDifferently"
	// ReasonApplyTimedOut: applyTimeout passed before the Role carried it.
	ReasonApplyTimedOut = "ApplyTimedOut"

	ReasonWriteBackAmbiguous     = "WriteBackAmbiguous"
	ReasonWriteBackSuspended     = "WriteBackSuspended"
	ReasonWriteBackConfigInvalid = "WriteBackConfigInvalid"
	ReasonSecretNotFound         = "SecretNotFound"
	ReasonSecretForbidden        = "SecretForbidden"
	ReasonGitAuthenticationFail  = "GitAuthenticationFailed"
	ReasonGitUnreachable         = "GitUnreachable"
	ReasonGitRepositoryNotFound  = "GitRepositoryNotFound"
	ReasonGitBranchNotFound      = "GitBranchNotFound"
	ReasonGitPushRaced           = "GitPushRaced"
	ReasonManifestNotFound       = "ManifestNotFound"
	ReasonManifestAmbiguous      = "ManifestAmbiguous"
	ReasonManifestNotPlain       = "ManifestNotPlain"
	// ReasonGitBranchTaken: Branch mode, the Proposal's branch exists
	// without its commit (someone else's); nothing is pushed over it, and
	// the message says who holds it.
	ReasonGitBranchTaken = "GitBranchTaken"
	// ReasonMergedWithExtraCommits: Branch mode, the change reached the
	// tracked branch together with commits the operator did not write (the
	// branch had commits on top when it was merged, or the squash carries
	// other changes); the message names them. Not Merged.
	ReasonMergedWithExtraCommits = "MergedWithExtraCommits"
	// ReasonBranchHasForeignCommits: Branch mode, someone pushed commits on
	// top of the operator's on the Proposal's branch; the message names them.
	ReasonBranchHasForeignCommits = "BranchHasForeignCommits"
	// ReasonSigningKeyInvalid: signing is configured and the key is
	// missing or unusable; nothing is committed, never unsigned instead.
	ReasonSigningKeyInvalid = "SigningKeyInvalid"

	// ReasonHostKeyMismatch: the server's host key is not the one
	// known_hosts lists for it (or is @revoked); nothing was pushed.
	ReasonHostKeyMismatch = "HostKeyMismatch"
	// ReasonHostKeyUnknown: known_hosts lists no key for the server.
	ReasonHostKeyUnknown = "HostKeyUnknown"
	// ReasonKnownHostsMissing: the Secret has an identity but no
	// known_hosts; host keys are always verified.
	ReasonKnownHostsMissing = "KnownHostsMissing"
	// ReasonKnownHostsInvalid: known_hosts does not parse.
	ReasonKnownHostsInvalid = "KnownHostsInvalid"
	// ReasonSSHIdentityInvalid: the identity is missing, does not parse,
	// needs a password the Secret lacks, or is a key type servers refuse.
	ReasonSSHIdentityInvalid = "SSHIdentityInvalid"
)

// Reasons of a Role's Reverted condition and its Events (docs/gitops.md, No
// silent reverts), and of the switch-over to Git write-back.
const (
	// ReasonProposalsReverted: the Role no longer carries the change of
	// one or more applied Proposals (status.reverted names them).
	ReasonProposalsReverted = "ProposalsReverted"
	// ReasonNoneReverted: the Role carries every applied Proposal's change.
	ReasonNoneReverted = "NoneReverted"
	// ReasonProposalReverted: the Event announcing one newly reverted Proposal.
	ReasonProposalReverted = "ProposalReverted"

	// ReasonSwitchOverConflict: Git changed a field a cluster-side
	// promotion set; nothing is committed for the Role.
	ReasonSwitchOverConflict = "SwitchOverConflict"
	// ReasonSwitchOverCommitted: the commit that carries the cluster-side
	// promotions is pushed.
	ReasonSwitchOverCommitted = "SwitchOverCommitted"
	// ReasonSwitchOverPending: an accepted Proposal waits for the Role's
	// switch-over commit.
	ReasonSwitchOverPending = "SwitchOverPending"
	// ReasonSwitchOverUncarried: history entries whose Proposal was deleted
	// (their change is unknown) and that no commit names.
	ReasonSwitchOverUncarried = "SwitchOverUncarried"
)

// Reasons of a Role's History condition (docs/gitops.md, Rebuild and
// disaster recovery).
const (
	// ReasonHistoryRebuilt: the Role's status lacked entries its durable
	// sources hold (Applied Proposals that name it, commits of the tracked
	// branch the operator wrote); they were recorded again.
	ReasonHistoryRebuilt = "HistoryRebuilt"
	// ReasonHistoryComplete: the durable sources, the tracked branch of the
	// GitWriteBack that selects the Role included, hold nothing the history
	// lacks.
	ReasonHistoryComplete = "HistoryComplete"
	// ReasonHistoryUnverifiable: commits of the tracked branch name
	// Proposals of the Role that no trusted source vouches for (no Applied
	// Proposal, no signature of the operator's keys, no recorded SHA): they
	// may be lost history or forgeries, and are not recorded.
	ReasonHistoryUnverifiable = "HistoryUnverifiable"
)

// Reasons of the Events about a Proposal's ballots (docs/proposals.md).
const (
	// ReasonTextChanged: the Event announcing that the author edited the
	// Proposal's text, so the ballots cast on the earlier text no longer
	// count (the message says how many); their voters cast them again.
	ReasonTextChanged = "TextChanged"
)

// actionReasons are the reasons that ask a person to act. Everything else is
// progress or an outcome the rules decided.
var actionReasons = map[string]bool{
	ReasonInvalidSpec: true, ReasonMatrixInvalid: true, ReasonInvalidChanges: true,
	ReasonTooLarge: true, ReasonConfigMapConflict: true, ReasonRenderFailed: true, ReasonPublishFailed: true,
	ReasonPromotionHeld: true,
	// An accepted change that Git dropped: the people who decided it should
	// know, whoever dropped it.
	ReasonBranchDeleted: true, ReasonCommitLost: true, ReasonMergedDifferently: true, ReasonApplyTimedOut: true,
	ReasonWriteBackAmbiguous: true, ReasonWriteBackConfigInvalid: true,
	ReasonSecretNotFound: true, ReasonSecretForbidden: true, ReasonGitAuthenticationFail: true,
	ReasonGitUnreachable: true, ReasonGitRepositoryNotFound: true, ReasonGitBranchNotFound: true,
	ReasonManifestNotFound: true, ReasonManifestAmbiguous: true, ReasonManifestNotPlain: true,
	ReasonGitBranchTaken: true, ReasonMergedWithExtraCommits: true, ReasonBranchHasForeignCommits: true,
	ReasonSigningKeyInvalid: true, ReasonHostKeyMismatch: true, ReasonHostKeyUnknown: true,
	ReasonKnownHostsMissing: true, ReasonKnownHostsInvalid: true, ReasonSSHIdentityInvalid: true,
	ReasonProposalsReverted: true, ReasonProposalReverted: true,
	ReasonSwitchOverConflict: true, ReasonSwitchOverUncarried: true,
	ReasonHistoryUnverifiable: true,
}

// warnOnlyReasons ask a person to look without stopping the operator: it
// retries them by itself (a Git server back online, an API write that goes
// through), or goes on waiting for what may still come (the merge and sync
// of a branch that carries commits it did not write). They warn without
// stalling.
var warnOnlyReasons = map[string]bool{
	ReasonGitUnreachable: true, ReasonPublishFailed: true,
	ReasonMergedWithExtraCommits: true, ReasonBranchHasForeignCommits: true,
	// The Role itself is published and judged as ever; what the history
	// cannot hold is for people to look at.
	ReasonHistoryUnverifiable: true,
}

// ReasonNeedsAction reports whether reason asks a person to act: its Events
// are Warnings. Every other reason's Events are Normal: alerting on Warning
// Events alerts on exactly what needs a person.
func ReasonNeedsAction(reason string) bool { return actionReasons[reason] }

// ReasonStalls reports whether an object held for reason cannot go on until
// a person acts (Stalled=True): a reason that needs action and that the
// operator cannot go on past by itself. The others keep the object
// Reconciling.
func ReasonStalls(reason string) bool { return actionReasons[reason] && !warnOnlyReasons[reason] }
