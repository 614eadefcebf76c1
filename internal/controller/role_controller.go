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
	"errors"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/metrics"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/promotion"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/validation"
)

// Condition reasons of a Role.
const (
	ReasonReady             = "Ready"
	ReasonValid             = "Valid"
	ReasonValidWithWarnings = "ValidWithWarnings"
	ReasonInvalidSpec       = "InvalidSpec"
	ReasonMatrixNotFound    = "MatrixNotFound"
	ReasonMatrixInvalid     = "MatrixInvalid"
	ReasonPublished         = "Published"
	ReasonTooLarge          = "TooLarge"
	ReasonConfigMapConflict = "ConfigMapConflict"
	ReasonRenderFailed      = "RenderFailed"
	ReasonPublishFailed     = "PublishFailed"
)

// RoleReconciler validates each Role against its SkillMatrix and publishes the
// rendered matrix to one ConfigMap the Role owns.
type RoleReconciler struct {
	client.Client
	Publisher configMapPublisher
	Recorder  events.EventRecorder

	// pendingRecords remembers, per Role, since when its newest promotion
	// marker has waited for its history entry (see recordPending).
	pendingRecords sync.Map
}

// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=roles,verbs=get;list;watch
// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=roles/status,verbs=patch
// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=skillmatrices,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get;list;watch;create;update;delete
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile computes the Role's outputs and status and writes only what changed.
func (r *RoleReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var role v1.Role
	if err := r.Get(ctx, req.NamespacedName, &role); err != nil {
		if apierrors.IsNotFound(err) {
			metrics.SetProblems("Role/"+req.String(), validation.Result{})
			r.pendingRecords.Delete(req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !role.DeletionTimestamp.IsZero() {
		// The ConfigMap goes with the Role through its owner reference.
		return ctrl.Result{}, nil
	}
	if wait := r.recordPending(req.NamespacedName, &role, time.Now()); wait > 0 {
		return ctrl.Result{RequeueAfter: wait}, nil
	}

	original := role.DeepCopy()
	conds := newConditionSet(role.Generation, &role.Status.Conditions)
	reconcileErr := r.reconcileRole(ctx, &role, conds)
	role.Status.ObservedGeneration = role.Generation

	result, _, err := writeStatus(ctx, r.Client, r.Recorder, &role, original, conds, ctrl.Result{}, reconcileErr)
	return result, err
}

func (r *RoleReconciler) reconcileRole(ctx context.Context, role *v1.Role, conds *conditionSet) error {
	log := logf.FromContext(ctx)

	var matrix v1.SkillMatrix
	matrixKey := client.ObjectKey{Namespace: role.Namespace, Name: string(role.Spec.MatrixRef)}
	if err := r.Get(ctx, matrixKey, &matrix); err != nil {
		if !apierrors.IsNotFound(err) {
			return fmt.Errorf("getting SkillMatrix %s: %w", matrixKey, err)
		}
		// No requeue: the SkillMatrix watch wakes this Role when it appears.
		msg := fmt.Sprintf("SkillMatrix %q does not exist in namespace %q", matrixKey.Name, matrixKey.Namespace)
		conds.set(v1.ConditionValid, metav1.ConditionUnknown, ReasonMatrixNotFound, msg)
		conds.set(v1.ConditionReady, metav1.ConditionFalse, ReasonMatrixNotFound, msg)
		return nil
	}

	if res := validation.Matrix(&matrix.Spec); res.HasErrors() {
		msg := fmt.Sprintf("SkillMatrix %q is invalid: %s", matrix.Name, res.Summary(validation.SeverityError, maxConditionMessage))
		conds.set(v1.ConditionValid, metav1.ConditionUnknown, ReasonMatrixInvalid, msg)
		conds.set(v1.ConditionReady, metav1.ConditionFalse, ReasonMatrixInvalid, msg)
		return nil
	}
	res := validation.Role(&role.Spec, &matrix.Spec)
	metrics.SetProblems("Role/"+role.Namespace+"/"+role.Name, res)
	if res.HasErrors() {
		conds.set(v1.ConditionValid, metav1.ConditionFalse, ReasonInvalidSpec,
			fmt.Sprintf("%d problems against SkillMatrix %q: %s", len(res.Errors()), matrix.Name,
				res.Summary(validation.SeverityError, maxConditionMessage)))
		conds.set(v1.ConditionReady, metav1.ConditionFalse, ReasonInvalidSpec,
			"the Role is invalid; the matrix published before, if any, is left as it was")
		return nil
	}
	if warnings := res.Warnings(); len(warnings) > 0 {
		conds.set(v1.ConditionValid, metav1.ConditionTrue, ReasonValidWithWarnings,
			fmt.Sprintf("valid against SkillMatrix %q with %d warnings: %s", matrix.Name, len(warnings),
				res.Summary(validation.SeverityWarning, 3)))
	} else {
		conds.set(v1.ConditionValid, metav1.ConditionTrue, ReasonValid,
			fmt.Sprintf("valid against SkillMatrix %q", matrix.Name))
	}

	resolved := model.BuildRole(&matrix, role)
	role.Status.Summary = roleSummary(resolved.Stats)

	started := time.Now()
	files, err := render.Role(resolved, matrix.Spec.Publishing.Formats)
	if err == nil {
		metrics.ObserveRender(time.Since(started), files)
	}
	if err != nil {
		// Rendering is deterministic: retrying cannot help, a new spec can.
		log.Error(err, "rendering failed")
		conds.set(v1.ConditionPublished, metav1.ConditionFalse, ReasonRenderFailed, err.Error())
		conds.set(v1.ConditionReady, metav1.ConditionFalse, ReasonRenderFailed, "the matrix could not be rendered")
		return nil
	}
	payload, err := publish.Build(files, publish.MaxConfigMapBytes)
	if errors.Is(err, publish.ErrTooLarge) {
		conds.set(v1.ConditionPublished, metav1.ConditionFalse, ReasonTooLarge,
			err.Error()+"; the ConfigMap published before, if any, is left as it was")
		conds.set(v1.ConditionReady, metav1.ConditionFalse, ReasonTooLarge, "the rendered matrix does not fit in a ConfigMap")
		return nil
	}
	if err != nil {
		return fmt.Errorf("building the ConfigMap content: %w", err)
	}

	name := publish.MatrixConfigMapName(role.Name, matrix.Spec.Publishing.ConfigMapSuffix)
	labels := publish.MatrixLabels(role.Name, matrix.Name)
	wrote, err := r.Publisher.publish(ctx, role, name, labels, payload)
	if errors.Is(err, errStale) {
		return err
	}
	if errors.Is(err, errNotOwned) {
		conds.set(v1.ConditionPublished, metav1.ConditionFalse, ReasonConfigMapConflict, err.Error())
		conds.set(v1.ConditionReady, metav1.ConditionFalse, ReasonConfigMapConflict, "the ConfigMap name is taken")
		return nil
	}
	if err != nil {
		conds.set(v1.ConditionPublished, metav1.ConditionFalse, ReasonPublishFailed, err.Error())
		conds.set(v1.ConditionReady, metav1.ConditionFalse, ReasonPublishFailed, "the matrix could not be published")
		return err
	}
	if wrote {
		log.Info("published the rendered matrix", "configMap", name, "bytes", payload.Size, "compressed", payload.Compressed())
	}
	if previous := role.Status.ConfigMapName; previous != "" && previous != name {
		if err := r.Publisher.deleteOwned(ctx, role, previous); err != nil {
			return err
		}
	}
	role.Status.ConfigMapName = name
	role.Status.ContentHash = payload.Hash

	encoding := "plain text"
	if payload.Compressed() {
		encoding = "gzip-compressed binaryData"
	}
	conds.set(v1.ConditionPublished, metav1.ConditionTrue, ReasonPublished,
		fmt.Sprintf("ConfigMap %q holds %d files as %s", name, len(files), encoding))
	conds.set(v1.ConditionReady, metav1.ConditionTrue, ReasonReady,
		fmt.Sprintf("%d skills x %d levels published to ConfigMap %q", resolved.Stats.Skills, resolved.Stats.Levels, name))
	return nil
}

// historyGrace bounds how long a Role waits for the history entry of its
// newest promotion before it is published without it.
const historyGrace = 5 * time.Second

// recordPending reports how long to wait before publishing a Role whose
// newest promotion has landed in the spec but not yet in status.history. The
// Proposal controller writes the history right after the spec, and the
// changelog shows it: publishing in between costs a ConfigMap and a status
// write that the history write makes stale a moment later, and the status
// write races it. The history write wakes the Role (roleOutputsChanged); the
// grace only matters when it never comes (a crash, then the Proposal
// deleted before it was recovered).
func (r *RoleReconciler) recordPending(key types.NamespacedName, role *v1.Role, now time.Time) time.Duration {
	markers := promotion.Markers(role.Annotations)
	if len(markers) == 0 || historyEntry(role, types.UID(markers[len(markers)-1])) != nil {
		r.pendingRecords.Delete(key)
		return 0
	}
	newest := markers[len(markers)-1]
	seen, _ := r.pendingRecords.LoadOrStore(key, pendingRecord{marker: newest, since: now})
	record := seen.(pendingRecord)
	if record.marker != newest {
		record = pendingRecord{marker: newest, since: now}
		r.pendingRecords.Store(key, record)
	}
	// Past the grace the record stays, so later reconciles do not wait again
	// for the same missing entry.
	return max(historyGrace-now.Sub(record.since), 0)
}

type pendingRecord struct {
	marker string
	since  time.Time
}

func roleSummary(s model.Summary) *v1.RoleSummary {
	return &v1.RoleSummary{
		Skills:       int32(s.Skills),
		Levels:       int32(s.Levels),
		Categories:   int32(s.Categories),
		Requirements: int32(s.Requirements),
		Required:     int32(s.Required),
		KeyAreas:     s.KeyAreas,
	}
}

// rolesForMatrix maps a SkillMatrix to the Roles that reference it, through
// the field index, so a change to one matrix wakes only its Roles.
func (r *RoleReconciler) rolesForMatrix(ctx context.Context, obj client.Object) []reconcile.Request {
	var roles v1.RoleList
	if err := r.List(ctx, &roles, client.InNamespace(obj.GetNamespace()),
		client.MatchingFields{matrixRefIndexField: obj.GetName()}, client.UnsafeDisableDeepCopy); err != nil {
		logf.FromContext(ctx).Error(err, "listing the Roles of a SkillMatrix", "skillMatrix", client.ObjectKeyFromObject(obj))
		return nil
	}
	requests := make([]reconcile.Request, 0, len(roles.Items))
	for i := range roles.Items {
		requests = append(requests, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&roles.Items[i])})
	}
	return requests
}

// roleOutputsChanged lets through the Role updates that change what is
// rendered: the spec (generation) and the applied-proposal history, which
// the changelog shows. The controller's own status writes are filtered out.
var roleOutputsChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		oldRole, okOld := e.ObjectOld.(*v1.Role)
		newRole, okNew := e.ObjectNew.(*v1.Role)
		if !okOld || !okNew {
			return true
		}
		return oldRole.Generation != newRole.Generation ||
			!equality.Semantic.DeepEqual(oldRole.Status.History, newRole.Status.History)
	},
}

// notInInitialList drops the creation events a starting manager's initial
// List produces: the Roles themselves are all reconciled from their own, and
// waking every Role of a SkillMatrix a second time only repeats that work.
// A SkillMatrix created later still wakes the Roles waiting for it.
var notInInitialList = predicate.Funcs{
	CreateFunc: func(e event.CreateEvent) bool { return !e.IsInInitialList },
}

// SetupWithManager registers the controller and its watches.
func (r *RoleReconciler) SetupWithManager(mgr ctrl.Manager, concurrency int) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1.Role{}, builder.WithPredicates(roleOutputsChanged)).
		Owns(&corev1.ConfigMap{}, builder.OnlyMetadata, builder.WithPredicates(r.Publisher.changedByOthers())).
		Watches(&v1.SkillMatrix{}, handler.EnqueueRequestsFromMapFunc(r.rolesForMatrix),
			builder.WithPredicates(predicate.GenerationChangedPredicate{}, notInInitialList)).
		WithOptions(controller.Options{MaxConcurrentReconciles: concurrency}).
		Named("role").
		Complete(r)
}
