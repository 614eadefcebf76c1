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
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/metrics"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/promotion"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/revert"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// detectReverts compares the Role's spec with the cells its applied
// Proposals set (revert.Find) and reports the Proposals it no longer
// carries: status.reverted, the Reverted condition, the metric, and an Event
// per Proposal newly reverted (announced once the status is written). When
// a Proposal's cell is only partly reverted, the operator's own fields of
// that cell are released, so the cell is wholly the manifest's and no mix
// that nobody approved is left; that write ends the reconcile, and the Role
// it changes is reconciled again.
func (r *RoleReconciler) detectReverts(ctx context.Context, s *roleScope) (bool, error) {
	role := s.role
	key := role.Namespace + "/" + role.Name
	if len(role.Status.History) == 0 && len(role.Status.Reverted) == 0 {
		metrics.SetRevertedProposals(key, 0)
		return false, nil
	}
	history, err := r.historyWithCells(ctx, s)
	if err != nil {
		return true, err
	}
	findings := revert.Find(&role.Spec, history)

	since := make(map[string]metav1.Time, len(role.Status.Reverted))
	for _, rp := range role.Status.Reverted {
		since[rp.UID] = rp.Since
	}
	now := r.recordTime()
	reverted := make([]v1.RevertedProposal, 0, len(findings))
	var partial []promotion.CellField
	for _, f := range findings {
		rp := v1.RevertedProposal{Name: f.Name, UID: f.UID, Cells: boundedCells(f.Cells), Since: now}
		if t, ok := since[f.UID]; ok {
			rp.Since = t
		} else {
			s.newlyReverted = append(s.newlyReverted, rp)
		}
		reverted = append(reverted, rp)
		for _, p := range f.Partial {
			partial = append(partial, promotion.CellField{Skill: p.Skill, Level: p.Level, Field: p.Name})
		}
	}
	if len(reverted) == 0 {
		reverted = nil
	}
	role.Status.Reverted = reverted
	metrics.SetRevertedProposals(key, len(reverted))
	setRevertedCondition(s.conds, reverted)

	if len(partial) == 0 || r.APIReader == nil {
		return false, nil
	}
	released, err := releaseCellFields(ctx, r.Client, r.APIReader, client.ObjectKeyFromObject(role), partial)
	if err != nil {
		return true, err
	}
	return released, nil
}

// historyWithCells returns the history with the cells of each entry that
// recorded none (an entry from before the history recorded cells) taken
// from its Proposal, if it still exists.
func (r *RoleReconciler) historyWithCells(ctx context.Context, s *roleScope) ([]v1.AppliedProposal, error) {
	role := s.role
	missing := false
	for i := range role.Status.History {
		if len(role.Status.History[i].Cells) == 0 && role.Status.History[i].Name != deletedProposalName {
			missing = true
			break
		}
	}
	if !missing {
		return role.Status.History, nil
	}
	proposals, err := r.proposals(ctx, s)
	if err != nil {
		return nil, err
	}
	changes := make(map[string][]v1.Change, len(proposals))
	for _, p := range proposals {
		changes[string(p.UID)] = p.Spec.Changes
	}
	history := make([]v1.AppliedProposal, len(role.Status.History))
	copy(history, role.Status.History)
	for i := range history {
		if len(history[i].Cells) == 0 {
			history[i].Cells = revert.Cells(changes[history[i].UID])
		}
	}
	return history, nil
}

// boundedCells keeps the list within the schema's bound.
func boundedCells(cells []string) []string {
	if len(cells) > v1.MaxAppliedCells {
		return cells[:v1.MaxAppliedCells]
	}
	return cells
}

func setRevertedCondition(conds *conditionSet, reverted []v1.RevertedProposal) {
	if len(reverted) == 0 {
		conds.set(v1.ConditionReverted, metav1.ConditionFalse, v1.ReasonNoneReverted,
			"the Role carries the change of every applied Proposal")
		return
	}
	parts := make([]string, 0, len(reverted))
	for _, rp := range reverted {
		parts = append(parts, fmt.Sprintf("%q (%s)", rp.Name, strings.Join(rp.Cells, ", ")))
	}
	conds.set(v1.ConditionReverted, metav1.ConditionTrue, v1.ReasonProposalsReverted,
		fmt.Sprintf("the Role no longer carries the change of %s %s", text.Plural(len(reverted), "Proposal", "Proposals"),
			strings.Join(parts, "; ")))
}

// emitReverted announces each Proposal newly reverted with a Warning Event.
func emitReverted(recorder events.EventRecorder, role *v1.Role, newly []v1.RevertedProposal) {
	if recorder == nil {
		return
	}
	for _, rp := range newly {
		recorder.Eventf(role, nil, corev1.EventTypeWarning, v1.ReasonProposalReverted, "Revert",
			"%s", text.Truncate(fmt.Sprintf("the Role no longer carries applied Proposal %q (uid %s): %s differ from what it set",
				rp.Name, rp.UID, strings.Join(rp.Cells, ", ")), 1000))
	}
}
