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
