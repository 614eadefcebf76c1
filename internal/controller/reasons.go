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

import "github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"

// Condition reasons the controllers set, beyond the governance decision's
// (governance.Reason*). They are part of the observable interface
// (conditions, Events, the Argo CD health checks, docs): never rename one.
const (
	// Shared by the three kinds.
	ReasonReady             = "Ready"
	ReasonValid             = "Valid"
	ReasonInvalidSpec       = "InvalidSpec"
	ReasonMatrixNotFound    = "MatrixNotFound"
	ReasonPublished         = "Published"
	ReasonTooLarge          = "TooLarge"
	ReasonConfigMapConflict = "ConfigMapConflict"
	ReasonRenderFailed      = "RenderFailed"
	ReasonPublishFailed     = "PublishFailed"

	// A Role's.
	ReasonValidWithWarnings = "ValidWithWarnings"
	ReasonMatrixInvalid     = "MatrixInvalid"

	// A Proposal's.
	ReasonRoleNotFound   = "RoleNotFound"
	ReasonInvalidChanges = governance.ReasonInvalidChanges
	ReasonConflict       = governance.ReasonConflict
	ReasonNotAccepted    = "NotAccepted"
	ReasonApplied        = "Applied"
	ReasonPromotionHeld  = governance.ReasonPromotionHeld
)

// Reasons of an SSH write-back that cannot trust the server or present its
// key: on the GitWriteBack's Ready and the Proposal's Committed and Applied
// conditions, and in their Warning Events (see docs/gitops.md, SSH).
const (
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

// Reasons of the Role's Reverted condition and its Warning Events (see
// docs/gitops.md, No silent reverts).
const (
	// ReasonProposalsReverted: the Role no longer carries the change of
	// one or more applied Proposals (status.reverted names them).
	ReasonProposalsReverted = "ProposalsReverted"
	// ReasonNoneReverted: the Role carries every applied Proposal's change.
	ReasonNoneReverted = "NoneReverted"
	// ReasonProposalReverted: the Event announcing one newly reverted Proposal.
	ReasonProposalReverted = "ProposalReverted"
)

// Reasons of the switch-over, on the Role's WriteBack condition, the
// accepted Proposals it holds and its Events.
const (
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

// Reasons of the ended phases, on the Applied condition.
const (
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
	// ReasonMerged: the tracked branch carries the change; the sync is next.
	ReasonMerged = "Merged"
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
)
