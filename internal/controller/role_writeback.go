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
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// recordWriteBacks is the Role's side of Git write-back. It records in the
// history each committed Proposal whose change the Role's spec now carries
// (the sync brought it: no marker comes from Git, so the Proposal's status,
// commit recorded, and the spec are the evidence), and it sets the WriteBack
// condition from the Proposals' status: False with the reason while an
// accepted Proposal cannot be written, Unknown while a commit waits for the
// sync, True once every committed Proposal is in the Role.
func (r *RoleReconciler) recordWriteBacks(ctx context.Context, s *roleScope) (bool, error) {
	role := s.role
	listed, err := r.proposals(ctx, s)
	if err != nil {
		return true, err
	}
	// Sorted apart: the scope's list is shared with the other phases.
	proposals := slices.Clone(listed)
	slices.SortFunc(proposals, func(a, b *v1.Proposal) int {
		return cmp.Or(a.CreationTimestamp.Compare(b.CreationTimestamp.Time), cmp.Compare(a.Name, b.Name))
	})

	var failing, waiting *v1.Proposal
	committed := 0
	appliedAt := r.recordTime()
	var newestFirst []*v1.Proposal
	for _, p := range proposals {
		if p.Status.GitCommit != nil {
			newestFirst = append(newestFirst, p)
			continue
		}
		if c := meta.FindStatusCondition(p.Status.Conditions, v1.ConditionCommitted); failing == nil &&
			p.Status.Phase == v1.PhaseAccepted && c != nil && c.Status == metav1.ConditionFalse {
			failing = p
		}
	}
	slices.SortStableFunc(newestFirst, func(a, b *v1.Proposal) int {
		return b.Status.GitCommit.CommittedAt.Compare(a.Status.GitCommit.CommittedAt.Time)
	})
	// A field a newer commit set again is superseded: a sync that brought
	// both commits at once shows only the newer value.
	superseded := map[string]bool{}
	for _, p := range newestFirst {
		committed++
		if p.Status.Phase.IsGitEnded() {
			// Ended without reaching the Role: nothing to record or wait for.
			continue
		}
		entry := role.Status.HistoryEntry(string(p.UID))
		recorded := entry != nil
		switch {
		case recorded:
			// The commit that carries it may be known only now (a squash
			// found after the sync).
			entry.Commit = cmp.Or(p.Status.GitCommit.MergedCommit, entry.Commit, p.Status.GitCommit.SHA)
		case p.Status.Phase != v1.PhaseCommitted:
		case changesCarriedOrSuperseded(&role.Spec, p.Spec.Changes, superseded):
			e := HistoryRecord(p, string(p.UID), appliedAt, role.Generation)
			e.Commit = cmp.Or(p.Status.GitCommit.MergedCommit, p.Status.GitCommit.SHA)
			role.Status.RecordApplied(e)
			recorded = true
		default:
			waiting = p
		}
		if recorded || p.Status.Phase == v1.PhaseApplied {
			for i := range p.Spec.Changes {
				superseded[changedField(&p.Spec.Changes[i])] = true
			}
		}
	}
	setWriteBackCondition(s.conds, failing, waiting, committed)
	if err := setSwitchOverCondition(ctx, r.Client, role, s.conds, failing != nil || waiting != nil, committed > 0); err != nil {
		return true, err
	}
	return false, nil
}

func setWriteBackCondition(conds *conditionSet, failing, waiting *v1.Proposal, committed int) {
	switch {
	case failing != nil:
		c := meta.FindStatusCondition(failing.Status.Conditions, v1.ConditionCommitted)
		conds.set(v1.ConditionWriteBack, metav1.ConditionFalse, c.Reason,
			fmt.Sprintf("Proposal %q: %s", failing.Name, c.Message))
	case waiting != nil:
		gc := waiting.Status.GitCommit
		conds.set(v1.ConditionWriteBack, metav1.ConditionUnknown, v1.ReasonAwaitingSync,
			fmt.Sprintf("Proposal %q waits for commit %s (%s) to be synced into the Role, since %s",
				waiting.Name, gc.SHA, gc.File, gc.CommittedAt.UTC().Format(time.RFC3339)))
	case committed > 0:
		conds.set(v1.ConditionWriteBack, metav1.ConditionTrue, v1.ReasonSynced,
			"every Proposal committed to Git is in the Role, or ended without reaching it (Abandoned, Diverged, TimedOut)")
	}
}

// roleOfProposal maps a Proposal to its Role.
func roleOfProposal(_ context.Context, obj client.Object) []reconcile.Request {
	p, ok := obj.(*v1.Proposal)
	if !ok || p.Spec.RoleRef == "" {
		return nil
	}
	return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: p.Namespace, Name: string(p.Spec.RoleRef)}}}
}

// writeBackStatusChanged lets through the Proposal updates the Role's
// write-back state depends on: a commit recorded, a Committed condition
// that turned, the phase (Committed to Applied), and deletions. Votes and
// tallies, and a Proposal's creation, do not concern the Role.
var writeBackStatusChanged = predicate.Funcs{
	CreateFunc:  func(event.CreateEvent) bool { return false },
	GenericFunc: func(event.GenericEvent) bool { return false },
	UpdateFunc: func(e event.UpdateEvent) bool {
		return writeBackKey(e.ObjectOld) != writeBackKey(e.ObjectNew)
	},
}

func writeBackKey(obj client.Object) string {
	p, ok := obj.(*v1.Proposal)
	if !ok {
		return ""
	}
	c := meta.FindStatusCondition(p.Status.Conditions, v1.ConditionCommitted)
	if p.Status.GitCommit == nil && c == nil {
		// Not written back: nothing the Role shows.
		return ""
	}
	key := string(p.Status.Phase)
	if p.Status.GitCommit != nil {
		key += "/" + p.Status.GitCommit.SHA + "/" + p.Status.GitCommit.MergedCommit
	}
	if c != nil {
		key += "/" + string(c.Status) + "/" + c.Reason
	}
	return key
}
