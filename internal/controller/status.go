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
	"time"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Labels and annotations the operator puts on what it publishes.
const (
	LabelManagedBy      = "app.kubernetes.io/managed-by"
	ManagedByValue      = "skillmatrix-operator"
	LabelRole           = "career.skillmatrix.dev/role"
	LabelSkillMatrix    = "career.skillmatrix.dev/skillmatrix"
	AnnotationHash      = "career.skillmatrix.dev/content-hash"
	AnnotationEncoding  = "career.skillmatrix.dev/content-encoding"
	EncodingGzip        = "gzip"
	matrixRefIndexField = ".spec.matrixRef"
)

// maxConditionMessage keeps condition messages readable and far from the
// API server's 32 KiB limit; the full list of problems is in the Events.
const maxConditionMessage = 8

// conditionSet collects the conditions one reconcile computes, stamped with
// the generation they describe, and reports which ones changed so Events are
// emitted on transitions only.
type conditionSet struct {
	generation int64
	conditions *[]metav1.Condition
	changed    []metav1.Condition
}

func newConditionSet(generation int64, conditions *[]metav1.Condition) *conditionSet {
	return &conditionSet{generation: generation, conditions: conditions}
}

func (c *conditionSet) set(condType string, status metav1.ConditionStatus, reason, message string) {
	before := meta.FindStatusCondition(*c.conditions, condType)
	transition := before == nil || before.Status != status || before.Reason != reason
	meta.SetStatusCondition(c.conditions, metav1.Condition{
		Type:               condType,
		Status:             status,
		Reason:             reason,
		Message:            truncate(message, 4096),
		ObservedGeneration: c.generation,
	})
	if transition {
		c.changed = append(c.changed, *meta.FindStatusCondition(*c.conditions, condType))
	}
}

// emit records one Event per condition that changed status or reason.
// Conditions that turned False are Warnings.
func (c *conditionSet) emit(recorder events.EventRecorder, obj runtime.Object) {
	if recorder == nil {
		return
	}
	for _, cond := range c.changed {
		eventType := corev1.EventTypeNormal
		if cond.Status == metav1.ConditionFalse {
			eventType = corev1.EventTypeWarning
		}
		recorder.Eventf(obj, nil, eventType, cond.Reason, cond.Type, "%s", truncate(cond.Message, 1000))
	}
}

// conflictRetryDelay is how soon a reconcile that lost an optimistic-lock race
// runs again: by then the cache has the newer object.
const conflictRetryDelay = 200 * time.Millisecond

// patchStatus writes the status as a merge patch guarded by the
// resourceVersion the reconcile read, so a reconcile that worked from a stale
// cache loses instead of overwriting a newer status.
func patchStatus(ctx context.Context, c client.Client, obj, original client.Object) error {
	return c.Status().Patch(ctx, obj, client.MergeFromWithOptions(original, client.MergeFromWithOptimisticLock{}))
}

// truncate shortens s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("...")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
