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
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/kubecache"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/metrics"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/promotion"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/revert"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/validation"
)

// RoleReconciler validates each Role against its SkillMatrix and publishes the
// rendered matrix to one ConfigMap the Role owns. It is the only writer of a
// Role's status, the history of applied Proposals included: it records each
// promotion from the marker the promotion wrote with the change.
type RoleReconciler struct {
	client.Client
	Publisher configMapPublisher
	Recorder  events.EventRecorder
	// APIReader reads a Role past the cache, with its managedFields, when
	// the promoted fields of a partly reverted cell are released.
	APIReader client.Reader
	// Now is the clock; tests replace it.
	Now func() time.Time
	// writeBack reads the tracked branch's history when a Role's history
	// is rebuilt (role_history.go); nil reads Applied Proposals only.
	writeBack *gitWriteBacks
}

// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=roles,verbs=get;list;watch
// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=roles/status,verbs=patch
// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=skillmatrices,verbs=get;list;watch
// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=proposals,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get;list;watch;create;update;delete
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// roleScope is what one reconcile of a Role works on: its phases fill it in
// order and the status is written once at the end.
type roleScope struct {
	role   *v1.Role
	conds  *conditionSet
	matrix *v1.SkillMatrix
	// newlyReverted are the Proposals first found reverted in this
	// reconcile, announced once the status is written.
	newlyReverted []v1.RevertedProposal
	// proposals are the Role's Proposals, listed once per reconcile by the
	// first phase that needs them (proposals).
	proposals []*v1.Proposal
	listed    bool
	// result is when to reconcile again: a look into Git that failed.
	result ctrl.Result
}

// Reconcile records the Role's promotions, validates it, publishes its
// matrix and writes the status once, only when it changed.
func (r *RoleReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var role v1.Role
	if err := r.Get(ctx, req.NamespacedName, &role); err != nil {
		if apierrors.IsNotFound(err) {
			metrics.SetProblems("Role/"+req.String(), validation.Result{})
			metrics.SetRevertedProposals(req.String(), 0)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !role.DeletionTimestamp.IsZero() {
		// The ConfigMap goes with the Role through its owner reference.
		return ctrl.Result{}, nil
	}

	original := role.DeepCopy()
	s := &roleScope{role: &role, conds: newConditionSet(role.Generation, &role.Status.Conditions)}
	reconcileErr := runSteps(ctx, s, r.recordPromotions, r.recordWriteBacks, r.recoverHistory, r.detectReverts, r.fetchMatrix,
		r.validate, r.publish)
	role.Status.ObservedGeneration = role.Generation

	result, wrote, err := writeStatus(ctx, r.Client, r.Recorder, &role, original, s.conds, s.result, reconcileErr)
	if wrote && err == nil && reconcileErr == nil {
		emitReverted(r.Recorder, &role, s.newlyReverted)
	}
	return result, err
}

// proposals returns the Role's Proposals from the cache, shared, not copied:
// the phases only read them.
func (r *RoleReconciler) proposals(ctx context.Context, s *roleScope) ([]*v1.Proposal, error) {
	if s.listed {
		return s.proposals, nil
	}
	var list v1.ProposalList
	if err := r.List(ctx, &list, client.InNamespace(s.role.Namespace),
		client.MatchingFields{kubecache.IndexProposalRole: s.role.Name}, client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("listing the Proposals of Role %s: %w", s.role.Name, err)
	}
	s.proposals = make([]*v1.Proposal, len(list.Items))
	for i := range list.Items {
		s.proposals[i] = &list.Items[i]
	}
	s.listed = true
	return s.proposals, nil
}

// recordPromotions appends to the history the promotions whose markers it
// lacks, whatever else is wrong with the Role: the record matters most. Each
// entry names the Role's generation now, the one that carries the change
// (or a later one, when the Role changed again before this reconcile).
func (r *RoleReconciler) recordPromotions(ctx context.Context, s *roleScope) (bool, error) {
	role := s.role
	uids := promotion.Unrecorded(promotion.Markers(role.Annotations), func(uid string) bool {
		return role.Status.HistoryEntry(uid) != nil
	})
	if len(uids) == 0 {
		return false, nil
	}
	proposals, err := r.proposals(ctx, s)
	if err != nil {
		return true, err
	}
	byUID := make(map[string]*v1.Proposal, len(proposals))
	for _, p := range proposals {
		byUID[string(p.UID)] = p
	}
	appliedAt := r.recordTime()
	entries := make([]v1.AppliedProposal, 0, len(uids))
	for _, uid := range uids {
		entries = append(entries, HistoryRecord(byUID[uid], uid, appliedAt, role.Generation))
	}
	role.Status.RecordApplied(entries...)
	return false, nil
}

// deletedProposalName stands for a Proposal deleted between its promotion
// and the record of it (a crash in between): the change stays recorded.
const deletedProposalName = "unknown"

// HistoryRecord is the history entry of p, promoted as uid into the Role's
// generation at appliedAt; nil p stands for a Proposal deleted before the
// record. hack/bench's governance floor writes the same entries.
func HistoryRecord(p *v1.Proposal, uid string, appliedAt metav1.Time, generation int64) v1.AppliedProposal {
	if p == nil {
		return v1.AppliedProposal{Name: deletedProposalName, UID: uid, AppliedAt: appliedAt, Generation: generation,
			Title: "(the Proposal was deleted before its promotion was recorded)"}
	}
	return v1.AppliedProposal{
		Name:       v1.ObjectName(p.Name),
		UID:        uid,
		Title:      text.Truncate(p.Spec.Title, 200),
		Author:     p.Spec.Author,
		AppliedAt:  appliedAt,
		Generation: generation,
		Cells:      revert.Cells(p.Spec.Changes),
	}
}

func (r *RoleReconciler) fetchMatrix(ctx context.Context, s *roleScope) (bool, error) {
	var matrix v1.SkillMatrix
	key := client.ObjectKey{Namespace: s.role.Namespace, Name: string(s.role.Spec.MatrixRef)}
	if err := r.Get(ctx, key, &matrix); err != nil {
		if !apierrors.IsNotFound(err) {
			return true, fmt.Errorf("getting SkillMatrix %s: %w", key, err)
		}
		// No requeue: the SkillMatrix watch wakes this Role when it appears.
		msg := fmt.Sprintf("SkillMatrix %q does not exist in namespace %q", key.Name, key.Namespace)
		s.conds.set(v1.ConditionValid, metav1.ConditionUnknown, v1.ReasonMatrixNotFound, msg)
		notPublished(s.conds, v1.ReasonMatrixNotFound, s.role.Status.ConfigMapName, "matrix")
		s.conds.conclude(progressInFlight, v1.ReasonMatrixNotFound, msg)
		return true, nil
	}
	s.matrix = &matrix
	return false, nil
}

func (r *RoleReconciler) validate(_ context.Context, s *roleScope) (bool, error) {
	role, matrix, conds := s.role, s.matrix, s.conds
	if res := validation.Matrix(&matrix.Spec); res.HasErrors() {
		msg := (&validation.InvalidMatrixError{Matrix: matrix.Name, Result: res}).Error()
		conds.set(v1.ConditionValid, metav1.ConditionUnknown, v1.ReasonMatrixInvalid, msg)
		notPublished(conds, v1.ReasonMatrixInvalid, role.Status.ConfigMapName, "matrix")
		conds.conclude(progressStalled, v1.ReasonMatrixInvalid, msg)
		return true, nil
	}
	res := validation.Role(&role.Spec, &matrix.Spec)
	metrics.SetProblems("Role/"+role.Namespace+"/"+role.Name, res)
	if res.HasErrors() {
		conds.set(v1.ConditionValid, metav1.ConditionFalse, v1.ReasonInvalidSpec, res.RoleErrorMessage(matrix.Name))
		notPublished(conds, v1.ReasonInvalidSpec, role.Status.ConfigMapName, "matrix")
		conds.conclude(progressStalled, v1.ReasonInvalidSpec,
			"the Role is invalid; the matrix published before, if any, is left as it was")
		return true, nil
	}
	if warnings := res.Warnings(); len(warnings) > 0 {
		conds.set(v1.ConditionValid, metav1.ConditionTrue, v1.ReasonValidWithWarnings,
			fmt.Sprintf("valid against SkillMatrix %q with %s: %s", matrix.Name, text.Plural(len(warnings), "warning", "warnings"),
				res.Summary(validation.SeverityWarning, 3)))
	} else {
		conds.set(v1.ConditionValid, metav1.ConditionTrue, v1.ReasonValid,
			fmt.Sprintf("valid against SkillMatrix %q", matrix.Name))
	}
	return false, nil
}

// roleTexts are the Ready messages of a Role's publication.
var roleTexts = publicationTexts{
	renderFailed: "the matrix could not be rendered",
	tooLarge:     "the rendered matrix does not fit in a ConfigMap",
	conflict:     "the ConfigMap name is taken",
	failed:       "the matrix could not be published",
	keptNote:     "; the ConfigMap published before, if any, is left as it was",
}

func (r *RoleReconciler) publish(ctx context.Context, s *roleScope) (bool, error) {
	role, matrix := s.role, s.matrix
	resolved := model.BuildRole(matrix, role)
	role.Status.Summary = roleSummary(resolved.Stats)

	name := publish.MatrixConfigMapName(role.Name, matrix.Spec.Publishing.ConfigMapSuffix)
	labels := publish.MatrixLabels(role.Name, matrix.Name)
	out, ok, err := r.Publisher.publishRendered(ctx, s.conds, publication{
		owner: role, name: name, labels: labels, texts: roleTexts, inputs: renderInputs(role, matrix),
		render: func() (map[string][]byte, error) {
			started := time.Now()
			files, err := render.Role(resolved, render.PublishedOptions(matrix.Spec.Publishing))
			if err == nil {
				metrics.ObserveRender(time.Since(started), files)
			}
			return files, err
		},
	})
	if !ok || err != nil {
		return true, err
	}
	if previous := role.Status.ConfigMapName; previous != "" && previous != name {
		if err := r.Publisher.deleteOwned(ctx, role, previous); err != nil {
			return true, err
		}
	}
	role.Status.ConfigMapName = name
	role.Status.ContentHash = out.hash
	s.conds.set(v1.ConditionPublished, metav1.ConditionTrue, v1.ReasonPublished,
		fmt.Sprintf("ConfigMap %q holds %d files as %s", name, out.files, out.encoding()))
	s.conds.conclude(progressDone, v1.ReasonReady,
		fmt.Sprintf("%d skills x %d levels published to ConfigMap %q", resolved.Stats.Skills, resolved.Stats.Levels, name))
	return false, nil
}

// renderInputs identifies what a Role's matrix is rendered from: the Role's
// spec (its generation), its history and reverts (the changelog), and the
// SkillMatrix's spec. A reconcile started by the operator's own status write
// finds them as the previous reconcile published them.
func renderInputs(role *v1.Role, matrix *v1.SkillMatrix) string {
	changelog, err := json.Marshal([2]any{role.Status.History, role.Status.Reverted})
	if err != nil {
		return "" // rendered every time, as without inputs
	}
	sum := sha256.Sum256(changelog)
	return fmt.Sprintf("%s/%d/%s/%d/%x", role.UID, role.Generation, matrix.UID, matrix.Generation, sum)
}

// recordTime is when a history entry is recorded, to the second as the API
// stores it: the changelog rendered in the reconcile that records it must
// equal the one rendered from the stored history, or every promotion would
// be published twice.
func (r *RoleReconciler) recordTime() metav1.Time {
	return metav1.NewTime(r.now()).Rfc3339Copy()
}

func (r *RoleReconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
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
		client.MatchingFields{kubecache.IndexRoleMatrix: obj.GetName()}, client.UnsafeDisableDeepCopy); err != nil {
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
// rendered or recorded: the spec (generation), the promotion markers (the
// history records them) and the history itself, which the changelog shows.
// The controller's own status writes are filtered out.
var roleOutputsChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		oldRole, okOld := e.ObjectOld.(*v1.Role)
		newRole, okNew := e.ObjectNew.(*v1.Role)
		if !okOld || !okNew {
			return true
		}
		return oldRole.Generation != newRole.Generation ||
			oldRole.Annotations[promotion.AnnotationAppliedProposals] != newRole.Annotations[promotion.AnnotationAppliedProposals] ||
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
		Watches(&v1.Proposal{}, handler.EnqueueRequestsFromMapFunc(roleOfProposal), builder.WithPredicates(writeBackStatusChanged)).
		Watches(&v1.GitWriteBack{}, handler.EnqueueRequestsFromMapFunc(rolesOfSwitchOvers)).
		Watches(&v1.GitWriteBack{}, handler.EnqueueRequestsFromMapFunc(r.rolesSelectedBy),
			builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		WithOptions(controller.Options{MaxConcurrentReconciles: concurrency}).
		Named("role").
		Complete(r)
}
