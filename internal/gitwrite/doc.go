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

// Package gitwrite owns committing accepted Proposals to the Git repository
// that holds their Roles' manifests (Git write-back), and deciding which
// commits in that repository are the operator's: fetch the branch head
// into a cached bare clone, find each Role's manifest under the path
// (internal/manifestedit), re-check every change's `from` at that head,
// build one commit per Proposal (signed with SSH or OpenPGP when
// configured), and push it without force. It speaks HTTPS (basic auth) or
// SSH (a private key, with the server's host key checked against the
// Secret's known_hosts and never accepted otherwise).
//
// Only the operator's own commits count. Write hands the commit's Record
// (SHA and what rebuilds it byte for byte) to the caller to store before it
// pushes; after a crash the caller passes it back, and exactly that commit
// is pushed or found, never another. A commit is the operator's when its
// SHA was recorded or its signature verifies against the operator's keys
// (a list, for rotation); trailers are read only from the trailer block of
// such commits (TrailerBlock), and the text of a Proposal is rendered into
// messages so that no line of it reads as a trailer.
//
// In Branch mode (Config.PushBranch, named by BranchName with the
// namespace) the commit is made on the tracked branch's head and pushed to
// a branch of the Proposal's own, for a merge request; a branch of that
// name that is not the operator's is never adopted nor pushed over
// (*BranchTakenError says who holds it). Locate then follows a committed
// Proposal without reading any message: the recorded commit in the tracked
// branch's history, or a commit there that makes exactly the Proposal's
// edit (a squash or rebase), the commits that came in with it that the
// operator did not write, whether its branch still exists and is still
// its, and the Role's manifest at the tracked head.
//
// It uses go-git only (no git binary). It must not import a Kubernetes
// client or controller-runtime: the caller reads the Secrets and passes
// Credentials and Signing, and records the Records in status.
package gitwrite
