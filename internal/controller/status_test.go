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
	"fmt"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// recordedEvents is an events.EventRecorder that keeps "type reason".
type recordedEvents []string

func (r *recordedEvents) Eventf(_ runtime.Object, _ runtime.Object, eventType, reason, _, _ string, _ ...any) {
	*r = append(*r, eventType+" "+reason)
}

// kstatusOf reads conditions as kstatus (the library Flux and kubectl's
// tooling judge health with) does, the generation observed.
func kstatusOf(conds []metav1.Condition) string {
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&v1.Proposal{
		ObjectMeta: metav1.ObjectMeta{Generation: 1},
		Status:     v1.ProposalStatus{ObservedGeneration: 1, Conditions: conds},
	})
	if err != nil {
		return err.Error()
	}
	res, err := status.Compute(&unstructured.Unstructured{Object: content})
	if err != nil {
		return err.Error()
	}
	return string(res.Status)
}

func TestConclude(t *testing.T) {
	cases := []struct {
		progress       progress
		reason         string
		ready, kstatus string
	}{
		{progressDone, v1.ReasonReady, "True", "Current"},
		{progressInFlight, v1.ReasonMatrixNotFound, "False", "InProgress"},
		{progressStalled, v1.ReasonInvalidSpec, "False", "Failed"},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			// Start from the opposite corner: every flag must move.
			var conditions []metav1.Condition
			conds := newConditionSet(3, &conditions)
			conds.conclude(progressInFlight, v1.ReasonRetrying, "before")
			conds.conclude(progressStalled, v1.ReasonInvalidSpec, "before")
			conds = newConditionSet(4, &conditions)
			conds.conclude(c.progress, c.reason, "now")
			ready := meta.FindStatusCondition(conditions, v1.ConditionReady)
			if string(ready.Status) != c.ready || ready.Reason != c.reason || ready.ObservedGeneration != 4 {
				t.Errorf("Ready = %s/%s at %d, want %s/%s at 4", ready.Status, ready.Reason, ready.ObservedGeneration, c.ready, c.reason)
			}
			if got := kstatusOf(conditions); got != c.kstatus {
				t.Errorf("kstatus reads %s, want %s (%v)", got, c.kstatus, conditions)
			}
			for _, flag := range []string{v1.ConditionReconciling, v1.ConditionStalled} {
				if cond := meta.FindStatusCondition(conditions, flag); cond != nil && cond.Status != metav1.ConditionTrue {
					t.Errorf("%s is present but %s: abnormal-true conditions are present only while True", flag, cond.Status)
				}
			}
		})
	}
}

func TestEmitTypesEventsByReason(t *testing.T) {
	cases := []struct {
		name string
		set  func(c *conditionSet)
		want []string
	}{
		{"a healthy Proposal waiting for votes", func(c *conditionSet) {
			c.set(v1.ConditionValid, metav1.ConditionTrue, v1.ReasonValid, "fits")
			c.set(v1.ConditionAccepted, metav1.ConditionFalse, v1.ReasonAwaitingVotes, "needs 2 votes")
			c.set(v1.ConditionApplied, metav1.ConditionFalse, v1.ReasonNotAccepted, "waiting")
			c.conclude(progressDone, v1.ReasonOpen, "needs 2 votes")
		}, []string{"Normal Open"}},
		{"a Git write-back in flight", func(c *conditionSet) {
			c.set(v1.ConditionCommitted, metav1.ConditionUnknown, v1.ReasonCommitting, "committing")
			c.set(v1.ConditionApplied, metav1.ConditionFalse, v1.ReasonAwaitingSync, "syncing")
			c.conclude(progressInFlight, string(v1.PhaseCommitted), "committed")
		}, []string{"Normal Committed"}},
		{"a Role that recovers", func(c *conditionSet) {
			c.set(v1.ConditionReverted, metav1.ConditionFalse, v1.ReasonNoneReverted, "carries all")
		}, []string{"Normal NoneReverted"}},
		{"an invalid Role: one Warning however many conditions say it", func(c *conditionSet) {
			c.set(v1.ConditionValid, metav1.ConditionFalse, v1.ReasonInvalidSpec, "bad")
			notPublished(c, v1.ReasonInvalidSpec, "r-matrix", "matrix")
			c.conclude(progressStalled, v1.ReasonInvalidSpec, "bad")
		}, []string{"Warning InvalidSpec"}},
		{"a held promotion", func(c *conditionSet) {
			c.set(v1.ConditionAccepted, metav1.ConditionTrue, v1.ReasonAccepted, "accepted")
			c.set(v1.ConditionApplied, metav1.ConditionFalse, v1.ReasonPromotionHeld, "held")
			c.conclude(progressStalled, v1.ReasonPromotionHeld, "held")
		}, []string{"Warning PromotionHeld", "Normal Accepted"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var conditions []metav1.Condition
			conds := newConditionSet(1, &conditions)
			c.set(conds)
			var events recordedEvents
			conds.emit(&events, &v1.Proposal{})
			if !slices.Equal(events, c.want) {
				t.Errorf("events %q, want %q", events, c.want)
			}
		})
	}
}

func TestConcludeProposal(t *testing.T) {
	cases := []struct {
		phase   v1.ProposalPhase
		applied *metav1.Condition
		missing string
		want    string // kstatus, then Ready's reason
	}{
		{phase: v1.PhaseOpen, want: "Current Open"},
		{phase: v1.PhaseAccepted, want: "InProgress Accepted"},
		{phase: v1.PhaseAccepted, applied: &metav1.Condition{Type: v1.ConditionApplied, Status: metav1.ConditionFalse,
			Reason: v1.ReasonPromotionHeld, Message: "held"}, want: "Failed PromotionHeld"},
		{phase: v1.PhaseAccepted, applied: &metav1.Condition{Type: v1.ConditionApplied, Status: metav1.ConditionFalse,
			Reason: v1.ReasonGitPushRaced, Message: "raced"}, want: "InProgress Accepted"},
		{phase: v1.PhaseCommitted, applied: &metav1.Condition{Type: v1.ConditionApplied, Status: metav1.ConditionFalse,
			Reason: v1.ReasonAwaitingSync, Message: "syncing"}, want: "InProgress Committed"},
		{phase: v1.PhaseInvalid, want: "Failed InvalidChanges"},
		{phase: "", missing: v1.ReasonRoleNotFound, want: "InProgress RoleNotFound"},
	}
	for _, phase := range v1.ClosedPhases() {
		if phase != v1.PhaseInvalid {
			cases = append(cases, struct {
				phase   v1.ProposalPhase
				applied *metav1.Condition
				missing string
				want    string
			}{phase: phase, want: "Current " + string(phase)})
		}
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s %s", c.phase, c.want), func(t *testing.T) {
			p := &v1.Proposal{Status: v1.ProposalStatus{Phase: c.phase, Message: "m"}}
			if c.applied != nil {
				p.Status.Conditions = []metav1.Condition{*c.applied}
			}
			s := &proposalScope{proposal: p, conds: newConditionSet(1, &p.Status.Conditions), missing: c.missing}
			if c.missing != "" {
				s.conds.set(v1.ConditionValid, metav1.ConditionUnknown, c.missing, "the Role does not exist")
			}
			concludeProposal(s)
			ready := meta.FindStatusCondition(p.Status.Conditions, v1.ConditionReady)
			if got := kstatusOf(p.Status.Conditions) + " " + ready.Reason; got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
			var events recordedEvents
			s.conds.emit(&events, p)
			for _, e := range events {
				if e == corev1.EventTypeWarning+" "+ready.Reason && !v1.ReasonNeedsAction(ready.Reason) {
					t.Errorf("a Warning for %s", ready.Reason)
				}
			}
		})
	}
}
