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
// that holds their Roles' manifests (Git write-back): fetch the branch head
// into a cached bare clone, find each Role's manifest under the path
// (internal/manifestedit), re-check every change's `from` at that head,
// commit one commit per Proposal with its audit trailers, and push without
// force, retrying on the new head when someone pushed first. It speaks HTTPS
// (basic auth) or SSH (a private key, with the server's host key checked
// against the Secret's known_hosts and never accepted otherwise). A Proposal whose
// Proposal-UID trailer is already in the branch history is not committed
// again, so a crash between push and status write never commits twice.
//
// In Branch mode (Config.PushBranch) the commits are made on the tracked
// branch's head as ever but pushed to a branch of the Proposal's own, for a
// merge request; Locate then follows a committed Proposal: whether its
// change reached the tracked branch (a Proposal-UID line in any merged,
// squashed or rebased message, or the commit's ancestry), whether its
// branch still exists, and the Role's manifest at the tracked head.
//
// It uses go-git only (no git binary). It must not import a Kubernetes
// client or controller-runtime: the caller reads the Secret and passes
// Credentials, and records the Results in status.
package gitwrite
