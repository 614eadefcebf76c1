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
	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/kubecache"
	"k8s.io/apimachinery/pkg/types"
)

// The condition reasons live in api/v1alpha1 (conditions.go). These names
// keep the write-back files compiling while they move there too.
const (
	ReasonApplied             = v1.ReasonApplied
	ReasonApplyTimedOut       = v1.ReasonApplyTimedOut
	ReasonBranchDeleted       = v1.ReasonBranchDeleted
	ReasonCommitLost          = v1.ReasonCommitLost
	ReasonConflict            = v1.ReasonConflict
	ReasonGitBranchTaken      = v1.ReasonGitBranchTaken
	ReasonHostKeyMismatch     = v1.ReasonHostKeyMismatch
	ReasonHostKeyUnknown      = v1.ReasonHostKeyUnknown
	ReasonKnownHostsInvalid   = v1.ReasonKnownHostsInvalid
	ReasonKnownHostsMissing   = v1.ReasonKnownHostsMissing
	ReasonMerged              = v1.ReasonMerged
	ReasonMergedDifferently   = v1.ReasonMergedDifferently
	ReasonReady               = v1.ReasonReady
	ReasonSSHIdentityInvalid  = v1.ReasonSSHIdentityInvalid
	ReasonSwitchOverCommitted = v1.ReasonSwitchOverCommitted
	ReasonSwitchOverConflict  = v1.ReasonSwitchOverConflict
	ReasonSwitchOverPending   = v1.ReasonSwitchOverPending
	ReasonSwitchOverUncarried = v1.ReasonSwitchOverUncarried
)

// roleRefIndexField: the write-back files' name for kubecache.IndexProposalRole.
const roleRefIndexField = kubecache.IndexProposalRole

// historyEntry: the write-back files' name for RoleStatus.HistoryEntry.
func historyEntry(role *v1.Role, uid types.UID) *v1.AppliedProposal {
	return role.Status.HistoryEntry(string(uid))
}
