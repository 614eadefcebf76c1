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
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	jsonpatch "github.com/evanphx/json-patch/v5"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// conditionSet collects the conditions one reconcile computes, stamped with
// the generation they describe, and reports which ones changed so Events are
// emitted on transitions only.
type conditionSet struct {
	generation int64
	conditions *[]metav1.Condition
	changed    []metav1.Condition
	// concluded: the reconcile has said where the object stands (conclude).
	concluded bool
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
		Message:            text.Truncate(message, 4096),
		ObservedGeneration: c.generation,
	})
	if transition {
		c.changed = append(c.changed, *meta.FindStatusCondition(*c.conditions, condType))
	}
}

// progress is where an object stands after a reconcile, as kstatus reads it.
type progress int

const (
	// progressDone: the object is in the state its spec asks for, or, for
	// a Proposal, waits for people or is closed (Ready=True).
	progressDone progress = iota
	// progressInFlight: the operator still works on it (Reconciling=True).
	progressInFlight
	// progressStalled: it cannot go on until a person acts (Stalled=True);
	// only a reason that stalls does (v1.ReasonStalls).
	progressStalled
)

// conclude sets Ready, Reconciling and Stalled together from where the
// object stands: the one place the three kinds say it. Reconciling and
// Stalled are present only while True, as kstatus expects of abnormal-true
// conditions; reason and message are Ready's and the present one's.
func (c *conditionSet) conclude(p progress, reason, message string) {
	c.concluded = true
	ready := metav1.ConditionFalse
	if p == progressDone {
		ready = metav1.ConditionTrue
	}
	c.set(v1.ConditionReady, ready, reason, message)
	c.flag(v1.ConditionReconciling, p == progressInFlight, reason, message)
	c.flag(v1.ConditionStalled, p == progressStalled, reason, message)
}

// flag sets an abnormal-true condition, or removes it when it is not True.
func (c *conditionSet) flag(condType string, on bool, reason, message string) {
	if on {
		c.set(condType, metav1.ConditionTrue, reason, message)
		return
	}
	meta.RemoveStatusCondition(c.conditions, condType)
}

// emit announces the condition transitions (see announce for their type):
// one Warning per reason that needs a person, and one Normal Event for all
// the other transitions together, named after Ready when it is among them,
// else after the last (the furthest along). A Role that becomes valid,
// published and ready at once gets one Event, not three: on a cold start
// with a thousand Roles the Events were half of the operator's writes
// (docs/performance.md). Reconciling and Stalled repeat Ready's reason and
// are not announced apart.
func (c *conditionSet) emit(recorder events.EventRecorder, obj runtime.Object) {
	var normal []metav1.Condition
	warned := map[string]bool{}
	for _, cond := range c.changed {
		switch {
		case cond.Type == v1.ConditionReconciling || cond.Type == v1.ConditionStalled:
		case v1.ReasonNeedsAction(cond.Reason):
			if !warned[cond.Reason] {
				warned[cond.Reason] = true
				announce(recorder, obj, nil, cond.Reason, cond.Type, cond.Message)
			}
		default:
			normal = append(normal, cond)
		}
	}
	if len(normal) == 0 {
		return
	}
	lead := slices.IndexFunc(normal, func(cond metav1.Condition) bool { return cond.Type == v1.ConditionReady })
	if lead < 0 {
		lead = len(normal) - 1 // the furthest along: Applied after Accepted after Valid
	}
	var note strings.Builder
	note.WriteString(normal[lead].Message)
	for i, cond := range normal {
		if i != lead {
			note.WriteString("; " + cond.Type + ": " + cond.Message)
		}
	}
	announce(recorder, obj, nil, normal[lead].Reason, normal[lead].Type, note.String())
}

// announce records an Event about obj: the one event helper. Its type
// follows from the reason: Warning when the reason asks a person to act
// (v1.ReasonNeedsAction), Normal for progress, so alerting on Warning Events
// alerts on exactly what needs a person (docs/conditions.md lists them).
func announce(recorder events.EventRecorder, obj, related runtime.Object, reason, action, message string) {
	if recorder == nil {
		return
	}
	eventType := corev1.EventTypeNormal
	if v1.ReasonNeedsAction(reason) {
		eventType = corev1.EventTypeWarning
	}
	recorder.Eventf(obj, related, eventType, reason, action, "%s", text.Truncate(message, 1000))
}

// errStale wraps a write that lost an optimistic-concurrency race because the
// reconcile worked from a cache that had not yet seen a newer object. It is
// no failure to report: the reconcile runs again on fresh data.
var errStale = errors.New("the object changed since it was read")

// staleIfRace marks create and update races as errStale.
func staleIfRace(err error) error {
	if apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("%w: %w", errStale, err)
	}
	return err
}

// writeStatus ends a reconcile: it writes the status when the reconcile
// changed it (the reconcile changes nothing else on obj), then announces the
// condition transitions, and reports whether it wrote. A lost race, in the
// status write or in the work before it, becomes a quick retry instead of an
// error, and its transitions are not announced: they may not have happened.
func writeStatus(ctx context.Context, c client.Client, recorder events.EventRecorder, obj, original client.Object,
	conds *conditionSet, result ctrl.Result, reconcileErr error) (ctrl.Result, bool, error) {
	if reconcileErr != nil && !errors.Is(reconcileErr, errStale) && !conds.concluded {
		// kstatus must not read the Ready of an older generation as the
		// answer for this one: the retry is work in flight.
		conds.conclude(progressInFlight, v1.ReasonRetrying, reconcileErr.Error())
	}
	changed := !equality.Semantic.DeepEqual(statusOf(original), statusOf(obj))
	if changed {
		if err := patchStatus(ctx, c, obj, original); err != nil {
			if apierrors.IsConflict(err) {
				return ctrl.Result{RequeueAfter: conflictRetryDelay}, false, nil
			}
			return ctrl.Result{}, false, errors.Join(reconcileErr,
				fmt.Errorf("patching the status of %s: %w", client.ObjectKeyFromObject(obj), err))
		}
	}
	if errors.Is(reconcileErr, errStale) {
		logf.FromContext(ctx).V(1).Info("retrying on fresh data", "reason", reconcileErr.Error())
		return ctrl.Result{RequeueAfter: conflictRetryDelay}, changed, nil
	}
	conds.emit(recorder, obj)
	return result, changed, reconcileErr
}

// conflictRetryDelay is how soon a reconcile that lost an optimistic-lock race
// runs again: by then the cache has the newer object.
const conflictRetryDelay = 200 * time.Millisecond

// patchStatus writes the status as a merge patch guarded by the
// resourceVersion the reconcile read, so a reconcile that worked from a stale
// cache loses instead of overwriting a newer status.
func patchStatus(ctx context.Context, c client.Client, obj, original client.Object) error {
	body, err := StatusPatch(obj, original)
	if err != nil {
		return err
	}
	version, err := PatchStatusBody(ctx, c, obj, body)
	if err != nil {
		return err
	}
	obj.SetResourceVersion(version)
	return nil
}

// StatusPatch is the body of the status write from original to obj: a merge
// patch computed from the status alone (a Role's spec is many times its
// status, and serialising it twice per write was a tenth of the manager's
// CPU at scale), carrying original's resourceVersion as its guard.
func StatusPatch(obj, original client.Object) ([]byte, error) {
	before, err := json.Marshal(statusOf(original))
	if err != nil {
		return nil, fmt.Errorf("encoding the previous status: %w", err)
	}
	after, err := json.Marshal(statusOf(obj))
	if err != nil {
		return nil, fmt.Errorf("encoding the status: %w", err)
	}
	statusPatch, err := jsonpatch.CreateMergePatch(before, after)
	if err != nil {
		return nil, fmt.Errorf("computing the status patch: %w", err)
	}
	body, err := json.Marshal(map[string]any{
		"metadata": map[string]string{"resourceVersion": original.GetResourceVersion()},
		"status":   json.RawMessage(statusPatch),
	})
	if err != nil {
		return nil, fmt.Errorf("encoding the status patch: %w", err)
	}
	return body, nil
}

// PatchStatusBody sends body as a merge patch of obj's status subresource
// and returns the new resourceVersion. The answer is asked for as metadata
// only: the writer holds the status it wrote, and decoding the whole object
// back (a Role's spec is many times its status) was most of the manager's
// cost of the write, and encoding it a share of the API server's.
func PatchStatusBody(ctx context.Context, c client.Client, obj client.Object, body []byte) (string, error) {
	gvk, err := apiutil.GVKForObject(obj, c.Scheme())
	if err != nil {
		return "", fmt.Errorf("the kind of %T: %w", obj, err)
	}
	written := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: obj.GetNamespace(), Name: obj.GetName()}}
	written.SetGroupVersionKind(gvk)
	if err := c.Status().Patch(ctx, written, client.RawPatch(types.MergePatchType, body)); err != nil {
		return "", err
	}
	return written.ResourceVersion, nil
}

// statusOf returns the Status field of one of the operator's API types (it
// panics for a type without one: a programming error).
func statusOf(obj client.Object) any {
	return reflect.ValueOf(obj).Elem().FieldByName("Status").Interface()
}
