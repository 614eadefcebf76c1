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

// Package controller holds the reconcilers and what they share: the
// watches, the ConfigMap publisher and the status toolkit. Each reconciler
// fetches its object, runs its phase functions over a scope (runSteps), and
// ends with writeStatus: one guarded status patch, only when the status
// changed, with status.observedGeneration moved on every reconcile. The
// toolkit (status.go) is the one place that sets the kstatus conditions
// (conditionSet.conclude: Ready, Reconciling, Stalled) and announces
// condition transitions as Events (announce: Warning exactly when the reason
// asks a person to act, v1alpha1.ReasonNeedsAction). The condition reasons
// and the Proposal phase rules live in api/v1alpha1; the cache options and
// field indexes the portal shares live in internal/kubecache.
//
// One writer per field: the SkillMatrix reconciler writes SkillMatrix status
// and its catalog ConfigMap; the Role reconciler writes Role status (the
// history of applied Proposals included, recorded from the markers each
// promotion writes with its change, and, with Git write-back, from the
// Proposals' recorded commits once the spec carries them; and the WriteBack
// condition) and the matrix ConfigMap; the Proposal reconciler writes
// Proposal status, GitWriteBack status and, through its promoter, the
// promoted fields of a Role's spec under the field manager
// skillmatrix-proposals. For a Role a GitWriteBack selects it writes no
// spec at all: it commits through internal/gitwrite (writeback.go), and
// reads the Secret with the API reader only, so no Secret is cached.
//
// Every decision is the domain packages' (governance, validation, model,
// render, publish, promotion, manifestedit, gitwrite); this package only fetches, calls them and
// writes what changed. It must not be imported by the domain packages, the
// CLI or the portal.
package controller
