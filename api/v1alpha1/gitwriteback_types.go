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
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// GitWriteBack is a kind of its own, not a field of SkillMatrix, because it
// names a Secret with push credentials and a URL to send them to: RBAC must
// be able to grant "edit the framework" without "make the operator push
// (and present a token) anywhere", as Flux keeps GitRepository apart from
// what it syncs. See docs/gitops.md.

// SecretReference names a Secret in the GitWriteBack's own namespace.
type SecretReference struct {
	// name of the Secret. For HTTPS it holds `username` and `password` (a
	// token), the layout of a Flux GitRepository Secret.
	// +required
	Name ObjectName `json:"name"`
}

// CommitAuthor is the identity the operator commits as.
type CommitAuthor struct {
	// name of the author, e.g. "skillmatrix-operator".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	// +required
	Name string `json:"name"`

	// email of the author.
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=254
	// +kubebuilder:validation:Pattern=`^[^\s<>@]+@[^\s<>@]+$`
	// +required
	Email string `json:"email"`
}

// GitWriteBackRoleMode turns write-back on or off for one Role.
// +kubebuilder:validation:Enum=Enabled;Disabled
type GitWriteBackRoleMode string

// Per-Role write-back modes.
const (
	GitWriteBackEnabled  GitWriteBackRoleMode = "Enabled"
	GitWriteBackDisabled GitWriteBackRoleMode = "Disabled"
)

// GitWriteBackRole overrides the default for one Role of the namespace.
type GitWriteBackRole struct {
	// name of the Role.
	// +required
	Name ObjectName `json:"name"`

	// mode Enabled writes this Role back even when matrixRef does not
	// select it; Disabled keeps it on cluster-side promotion.
	// +required
	Mode GitWriteBackRoleMode `json:"mode"`

	// path overrides spec.path for this Role's manifest.
	// +kubebuilder:validation:MaxLength=1024
	// +kubebuilder:validation:XValidation:rule="!self.startsWith('/') && !self.contains('..')",message="path must be relative to the repository root and must not contain .."
	// +optional
	Path string `json:"path,omitempty"`
}

// GitWriteBackMode is how accepted Proposals reach the tracked branch.
// +kubebuilder:validation:Enum=Direct;Branch
type GitWriteBackMode string

// Write-back modes.
const (
	// GitWriteBackDirect pushes each commit to the tracked branch.
	GitWriteBackDirect GitWriteBackMode = "Direct"
	// GitWriteBackBranch pushes each Proposal's commit to a branch of its
	// own, <branchPrefix><namespace>/<proposal name>, started from the
	// tracked branch's head, for a merge request someone (or a bot) opens
	// and merges.
	GitWriteBackBranch GitWriteBackMode = "Branch"
)

// Defaults of the waiting a committed Proposal does.
const (
	DefaultBranchPrefix = "skillmatrix/"
	DefaultApplyTimeout = 168 * time.Hour
	DefaultGitInterval  = time.Minute
)

// GitWriteBackSpec says where the Roles' manifests live and how accepted
// Proposals are committed there.
// +kubebuilder:validation:XValidation:rule="has(self.matrixRef) || (has(self.roles) && self.roles.exists(r, r.mode == 'Enabled'))",message="select Roles with matrixRef or with at least one roles entry of mode Enabled"
type GitWriteBackSpec struct {
	// url of the repository: https://host/path, or over SSH
	// ssh://user@host:port/path or user@host:path (the Secret then holds
	// identity and known_hosts). No credentials in the URL.
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:Pattern=`^(https?://[^\s@/]+/\S+|ssh://([^\s@/:]+@)?[^\s@/]+/\S+|[^\s@/:]+@[^\s@/:]+:\S+)$`
	// +required
	URL string `json:"url"`

	// branch the Roles are synced from; in Direct mode commits are pushed
	// to it, in Branch mode the Proposals' branches start from it.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:Pattern=`^[^\s~^:?*\[\\]+$`
	// +kubebuilder:default=main
	// +optional
	Branch string `json:"branch,omitempty"`

	// path is the directory scanned for the Roles' manifests (every .yaml and
	// .yml below it). Defaults to the repository root.
	// +kubebuilder:validation:MaxLength=1024
	// +kubebuilder:validation:XValidation:rule="!self.startsWith('/') && !self.contains('..')",message="path must be relative to the repository root and must not contain .."
	// +optional
	Path string `json:"path,omitempty"`

	// secretRef names the Secret with the credentials, read with get only,
	// in this namespace.
	// +required
	SecretRef SecretReference `json:"secretRef"`

	// author of the commits. Defaults to skillmatrix-operator.
	// +optional
	Author *CommitAuthor `json:"author,omitempty"`

	// messageTemplate is a Go text/template for the commit's subject and
	// body, with .Title, .Description, .Author, .Name, .Namespace, .UID,
	// .Role, .File and .Changes (one line per change). Defaults to the
	// title and a list of the changes. Every variable is safe anywhere:
	// single-line values are one line, .Description is indented, and a line
	// of a Proposal's text that could read as a trailer is quoted. The
	// trailers Proposal, Proposal-UID, Proposed-by, Approved-by and
	// Reviewed-by are always appended as the last paragraph.
	// +kubebuilder:validation:MaxLength=4096
	// +optional
	MessageTemplate string `json:"messageTemplate,omitempty"`

	// matrixRef selects every Role of this SkillMatrix (same namespace).
	// +optional
	MatrixRef ObjectName `json:"matrixRef,omitempty"`

	// roles overrides the selection for single Roles.
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=500
	// +optional
	Roles []GitWriteBackRole `json:"roles,omitempty"`

	// mode is Direct (the default: commits are pushed to branch) or Branch
	// (each Proposal's commit is pushed to a branch of its own,
	// <branchPrefix><namespace>/<proposal name>, from branch's head, never
	// forced, never onto a branch someone else made; the Proposal's
	// status.gitCommit names it for the merge request).
	// +kubebuilder:default=Direct
	// +optional
	Mode GitWriteBackMode `json:"mode,omitempty"`

	// branchPrefix starts the name of a Proposal's branch in Branch mode.
	// Defaults to "skillmatrix/".
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:Pattern=`^[^\s~^:?*\[\\]*$`
	// +kubebuilder:validation:XValidation:rule="!self.contains('..') && !self.startsWith('/') && !self.startsWith('-')",message="branchPrefix must not contain .. or start with / or -"
	// +optional
	BranchPrefix string `json:"branchPrefix,omitempty"`

	// applyTimeout is how long a committed Proposal waits for its change to
	// reach the Role (a merge and a sync in Branch mode, a sync in Direct
	// mode) before it ends as TimedOut. Defaults to 168h.
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="applyTimeout must be at least 1s"
	// +optional
	ApplyTimeout *metav1.Duration `json:"applyTimeout,omitempty"`

	// interval is how often the repository is fetched while a Proposal is
	// Committed, to notice a deleted branch or a merge that differs (Git
	// has no watch). Defaults to 1m.
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="interval must be at least 1s"
	// +optional
	Interval *metav1.Duration `json:"interval,omitempty"`

	// suspend stops new commits; accepted Proposals wait (they are not
	// promoted in the cluster instead).
	// +optional
	Suspend bool `json:"suspend,omitempty"`

	// signing signs every commit the operator makes (SSH or OpenPGP), so
	// people and branch protection can verify them, and makes a commit the
	// operator's by its signature (with the recorded SHAs). With signing set
	// and the key missing or unusable nothing is committed
	// (SigningKeyInvalid): never an unsigned commit instead.
	// +optional
	Signing *CommitSigning `json:"signing,omitempty"`
}

// CommitSigningFormat is how commits are signed.
// +kubebuilder:validation:Enum=SSH;OpenPGP
type CommitSigningFormat string

// Commit signing formats.
const (
	// CommitSigningSSH signs as git does with gpg.format=ssh (SSHSIG,
	// namespace "git"); verify with an allowed-signers file.
	CommitSigningSSH CommitSigningFormat = "SSH"
	// CommitSigningOpenPGP makes an OpenPGP detached signature; verify
	// with a GnuPG keyring holding the public key.
	CommitSigningOpenPGP CommitSigningFormat = "OpenPGP"
)

// CommitSigning is the key the operator signs its commits with.
type CommitSigning struct {
	// format is SSH or OpenPGP.
	// +required
	Format CommitSigningFormat `json:"format"`

	// secretRef names a Secret in this namespace with `signingKey` (an
	// OpenSSH, PKCS#1 or PKCS#8 private key for SSH; an armored OpenPGP
	// private key for OpenPGP) and, for an encrypted key, `passphrase`.
	// +required
	SecretRef SecretReference `json:"secretRef"`

	// trustedKeys are further public keys whose signatures still make a
	// commit the operator's, e.g. the keys rotated out: SSH keys in
	// authorized_keys form (one per line) or armored OpenPGP public key
	// blocks. The signing key's public half is always trusted.
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:items:MaxLength=16384
	// +optional
	TrustedKeys []string `json:"trustedKeys,omitempty"`
}

// GitWriteBackStatus is the observed state of a GitWriteBack.
type GitWriteBackStatus struct {
	// observedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready (the GitWriteBack's own check, on create, change,
	// a write outcome and every interval: the Secrets are readable and the
	// remote lists the tracked branch with those credentials; its reason
	// says what failed: SecretNotFound, GitAuthenticationFailed,
	// GitUnreachable, HostKeyMismatch, ...), with Reconciling or Stalled.
	// +listType=map
	// +listMapKey=type
	// +kubebuilder:validation:MaxItems=8
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// lastCommit is the SHA of the last commit the operator pushed.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	LastCommit string `json:"lastCommit,omitempty"`

	// lastPushTime is when it was pushed.
	// +optional
	LastPushTime *metav1.Time `json:"lastPushTime,omitempty"`

	// switchOvers records, per Role that carried cluster-side promotions when
	// write-back was turned on for it, the one commit that brought them to
	// Git, or why none was made. The Role's WriteBack condition reads it.
	// +listType=map
	// +listMapKey=role
	// +kubebuilder:validation:MaxItems=500
	// +optional
	SwitchOvers []SwitchOverRecord `json:"switchOvers,omitempty"`
}

// SwitchOverState is where a Role's switch-over to write-back stands.
// +kubebuilder:validation:Enum=Committed;InGit;Conflicted;Failed
type SwitchOverState string

const (
	// SwitchOverCommitted: the commit that carries the promotions is pushed.
	SwitchOverCommitted SwitchOverState = "Committed"
	// SwitchOverInGit: Git already held every promoted field; nothing was
	// committed.
	SwitchOverInGit SwitchOverState = "InGit"
	// SwitchOverConflicted: Git changed promoted fields meanwhile; nothing
	// was committed, and it is tried again until Git holds a value it can
	// carry.
	SwitchOverConflicted SwitchOverState = "Conflicted"
	// SwitchOverFailed: the write failed (credentials, server, manifest);
	// retried.
	SwitchOverFailed SwitchOverState = "Failed"
)

// SwitchOverRecord is one Role's switch-over to write-back.
type SwitchOverRecord struct {
	// role is the Role's name.
	Role ObjectName `json:"role"`
	// state: Committed, InGit, Conflicted or Failed.
	State SwitchOverState `json:"state"`
	// reason is the condition reason the Role's WriteBack shows for it.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	Reason string `json:"reason,omitempty"`
	// proposalUIDs are the uids of the carried Proposals: the record is for
	// exactly this set.
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=200
	// +kubebuilder:validation:items:MaxLength=64
	// +optional
	ProposalUIDs []string `json:"proposalUIDs,omitempty"`
	// proposals are the names of the carried Proposals, oldest first.
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=200
	// +optional
	Proposals []ObjectName `json:"proposals,omitempty"`
	// missing names the history entries whose Proposal was deleted: their
	// change is unknown, so they could not be carried.
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=200
	// +optional
	Missing []ObjectName `json:"missing,omitempty"`
	// commit is the SHA of the switch-over commit.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Commit string `json:"commit,omitempty"`
	// committedAt is the switch-over commit's time: a write of the Role by
	// another manager from then on is taken as its sync.
	// +optional
	CommittedAt *metav1.Time `json:"committedAt,omitempty"`
	// file is the manifest it changed.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	File string `json:"file,omitempty"`
	// conflicts are the fields Git changed, one line each.
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=200
	// +kubebuilder:validation:items:MaxLength=1024
	// +optional
	Conflicts []string `json:"conflicts,omitempty"`
	// message says what happened, in one sentence or a few.
	// +kubebuilder:validation:MaxLength=4096
	// +optional
	Message string `json:"message,omitempty"`
	// fieldsReleased: the promotions' field manager no longer owns fields
	// of the Role, so a sync of a later Git edit does not conflict with it.
	// +optional
	FieldsReleased bool `json:"fieldsReleased,omitempty"`
	// lastTransitionTime is when the state last changed.
	LastTransitionTime metav1.Time `json:"lastTransitionTime"`
}

// GitWriteBack commits accepted Proposals of the Roles it selects to the Git
// repository those Roles are synced from, instead of writing the Roles in
// the cluster.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=cgwb,categories=career
// +kubebuilder:printcolumn:name="URL",type=string,JSONPath=`.spec.url`
// +kubebuilder:printcolumn:name="Branch",type=string,JSONPath=`.spec.branch`
// +kubebuilder:printcolumn:name="Mode",type=string,JSONPath=`.spec.mode`
// +kubebuilder:printcolumn:name="Matrix",type=string,JSONPath=`.spec.matrixRef`
// +kubebuilder:printcolumn:name="Last commit",type=string,JSONPath=`.status.lastCommit`,priority=1
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type GitWriteBack struct {
	metav1.TypeMeta `json:",inline"`

	// +optional
	metav1.ObjectMeta `json:"metadata,omitzero"`

	// +required
	Spec GitWriteBackSpec `json:"spec"`

	// +optional
	Status GitWriteBackStatus `json:"status,omitzero"`
}

// +kubebuilder:object:root=true

// GitWriteBackList contains a list of GitWriteBack.
type GitWriteBackList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitzero"`
	Items           []GitWriteBack `json:"items"`
}

// The kind registers itself, so adding it left groupversion_info.go as it was.
func init() {
	SchemeBuilder.Register(func(scheme *runtime.Scheme) error {
		scheme.AddKnownTypes(SchemeGroupVersion, &GitWriteBack{}, &GitWriteBackList{})
		return nil
	})
}
