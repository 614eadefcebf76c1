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
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/metrics"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/promotion"
)

// Condition reasons of a Proposal beyond the governance decision's.
const (
	ReasonRoleNotFound   = "RoleNotFound"
	ReasonInvalidChanges = "InvalidChanges"
	ReasonConflict       = "Conflict"
	ReasonNotAccepted    = "NotAccepted"
	ReasonApplied        = "Applied"
	roleRefIndexField    = ".spec.roleRef"
)

// ProposalReconciler keeps each Proposal's tally, phase and deadline current
// and promotes accepted Proposals into their Role.
type ProposalReconciler struct {
	client.Client
	// APIReader reads the Role live before a promotion: the write must be
	// computed against the newest Role, with its managedFields.
	APIReader client.Reader
	Recorder  events.EventRecorder
	// Now is the clock; tests replace it.
	Now func() time.Time
	// AfterRoleWrite, when set, runs between the promotion write and the
	// status writes. Tests use it to simulate a crash at the worst moment.
	AfterRoleWrite func(ctx context.Context, proposal *v1.Proposal) error
}

// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=proposals,verbs=get;list;watch
// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=proposals/status,verbs=patch
// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=roles,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=roles/status,verbs=patch
// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=skillmatrices,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile tallies the Proposal, decides its phase and promotes it when accepted.
func (r *ProposalReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var proposal v1.Proposal
	if err := r.Get(ctx, req.NamespacedName, &proposal); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if isClosed(proposal.Status.Phase) || !proposal.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}

	original := proposal.DeepCopy()
	conds := newConditionSet(proposal.Generation, &proposal.Status.Conditions)
	result, reconcileErr := r.reconcileProposal(ctx, &proposal, conds)
	proposal.Status.ObservedGeneration = proposal.Generation

	result, written, err := writeStatus(ctx, r.Client, r.Recorder, &proposal, original, conds, result, reconcileErr)
	if written {
		observeProposal(original, &proposal)
	}
	return result, err
}

// observeProposal counts what a written status records for the first time.
func observeProposal(before, after *v1.Proposal) {
	if after.Status.Tally != nil {
		metrics.ObserveTally(before.Status.Tally, after.Status.Tally)
	}
	if after.Status.Phase == before.Status.Phase {
		return
	}
	switch after.Status.Phase {
	case v1.PhaseApplied:
		metrics.Promotions.WithLabelValues("applied").Inc()
	case v1.PhaseConflicted:
		metrics.Promotions.WithLabelValues("conflicted").Inc()
	}
}

// isClosed reports the phases after which nothing about a Proposal changes:
// its changes are immutable and admission freezes its votes and reviews.
func isClosed(phase v1.ProposalPhase) bool {
	return slices.Contains([]v1.ProposalPhase{v1.PhaseApplied, v1.PhaseRejected, v1.PhaseExpired, v1.PhaseConflicted}, phase)
}

func (r *ProposalReconciler) reconcileProposal(ctx context.Context, p *v1.Proposal, conds *conditionSet) (ctrl.Result, error) {
	var role v1.Role
	roleKey := client.ObjectKey{Namespace: p.Namespace, Name: string(p.Spec.RoleRef)}
	if err := r.Get(ctx, roleKey, &role); err != nil {
		if !apierrors.IsNotFound(err) {
			return ctrl.Result{}, fmt.Errorf("getting Role %s: %w", roleKey, err)
		}
		// The Role watch re-evaluates the Proposal when the Role appears.
		p.Status.Phase = v1.PhaseInvalid
		conds.set(v1.ConditionValid, metav1.ConditionFalse, ReasonRoleNotFound,
			fmt.Sprintf("Role %q does not exist in namespace %q", roleKey.Name, roleKey.Namespace))
		return ctrl.Result{}, nil
	}

	// Crash recovery: the promotion landed, its record did not. The marker
	// came with the change in one write, so the change is there exactly once.
	if promotion.HasMarker(role.Annotations, string(p.UID)) {
		return r.recordApplied(ctx, p, conds)
	}

	var matrix v1.SkillMatrix
	matrixKey := client.ObjectKey{Namespace: p.Namespace, Name: string(role.Spec.MatrixRef)}
	if err := r.Get(ctx, matrixKey, &matrix); err != nil {
		if !apierrors.IsNotFound(err) {
			return ctrl.Result{}, fmt.Errorf("getting SkillMatrix %s: %w", matrixKey, err)
		}
		conds.set(v1.ConditionValid, metav1.ConditionUnknown, ReasonMatrixNotFound,
			fmt.Sprintf("the SkillMatrix %q of Role %q does not exist", matrixKey.Name, role.Name))
		return ctrl.Result{}, nil
	}

	policy := governance.Effective(matrix.Spec.Governance, role.Spec.Governance)
	deadline := governance.Deadline(p.CreationTimestamp.Time, policy).Truncate(time.Second)
	tally := governance.Count(&p.Spec)
	p.Status.Deadline = &metav1.Time{Time: deadline}
	p.Status.Tally = &v1.Tally{
		Approvals: tally.Approvals, Rejections: tally.Rejections,
		ReviewApprovals: tally.ReviewApprovals, ChangesRequested: tally.ChangesRequested,
		MinApprovals: policy.MinApprovals, ApprovalRatioPercent: policy.ApprovalRatioPercent,
		RequiredReviews: policy.RequiredReviews,
	}

	// A `from` that no longer holds can never hold again for this Proposal:
	// say so now rather than after everyone has voted.
	if _, conflicts := governance.Apply(&role.Spec, p.Spec.Changes); hasFromConflict(conflicts) {
		r.markConflicted(p, conds, conflicts)
		return ctrl.Result{}, nil
	}
	if problems := governance.Validate(p.Spec.Changes, &role.Spec, &matrix.Spec); len(problems) > 0 {
		p.Status.Phase = v1.PhaseInvalid
		p.Status.Message = joinProblems(problems)
		conds.set(v1.ConditionValid, metav1.ConditionFalse, ReasonInvalidChanges, p.Status.Message)
		conds.set(v1.ConditionAccepted, metav1.ConditionFalse, ReasonInvalidChanges, "an invalid proposal cannot be accepted")
		return ctrl.Result{}, nil
	}
	conds.set(v1.ConditionValid, metav1.ConditionTrue, ReasonValid, fmt.Sprintf("the changes fit Role %q", role.Name))

	decision := governance.Decide(tally, policy, deadline, r.now())
	p.Status.Phase = decision.Phase
	p.Status.Message = decision.Message
	switch decision.Phase {
	case v1.PhaseOpen:
		conds.set(v1.ConditionAccepted, metav1.ConditionFalse, decision.Reason, decision.Message)
		conds.set(v1.ConditionApplied, metav1.ConditionFalse, ReasonNotAccepted, "waiting for acceptance")
		// Wake exactly at the deadline; votes and reviews wake it sooner.
		return ctrl.Result{RequeueAfter: max(deadline.Sub(r.now()), 0) + time.Second}, nil
	case v1.PhaseAccepted:
		conds.set(v1.ConditionAccepted, metav1.ConditionTrue, decision.Reason, decision.Message)
		return r.promote(ctx, p, conds)
	default:
		conds.set(v1.ConditionAccepted, metav1.ConditionFalse, decision.Reason, decision.Message)
		conds.set(v1.ConditionApplied, metav1.ConditionFalse, ReasonNotAccepted, "the proposal was not accepted")
		return ctrl.Result{}, nil
	}
}

// promote writes the changes to the Role in one write that also carries the
// Proposal's marker, then records the result.
func (r *ProposalReconciler) promote(ctx context.Context, p *v1.Proposal, conds *conditionSet) (ctrl.Result, error) {
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(v1.GroupVersion.WithKind("Role"))
	roleKey := client.ObjectKey{Namespace: p.Namespace, Name: string(p.Spec.RoleRef)}
	if err := r.APIReader.Get(ctx, roleKey, live); err != nil {
		return ctrl.Result{}, fmt.Errorf("reading Role %s before promotion: %w", roleKey, err)
	}
	var role v1.Role
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(live.Object, &role); err != nil {
		return ctrl.Result{}, fmt.Errorf("decoding Role %s: %w", roleKey, err)
	}
	if promotion.HasMarker(role.Annotations, string(p.UID)) {
		return r.recordApplied(ctx, p, conds)
	}

	newSpec, conflicts := governance.Apply(&role.Spec, p.Spec.Changes)
	if len(conflicts) > 0 {
		r.markConflicted(p, conds, conflicts)
		return ctrl.Result{}, nil
	}

	var err error
	if promotion.NeedsPatch(p.Spec.Changes) {
		var patch []byte
		if patch, err = promotion.Patch(&role, newSpec, string(p.UID)); err == nil {
			err = r.Patch(ctx, &role, client.RawPatch(types.JSONPatchType, patch), client.FieldOwner(promotion.FieldManager))
		}
	} else {
		var cfg *unstructured.Unstructured
		if cfg, err = promotion.ApplyConfiguration(live, newSpec, p.Spec.Changes, []string{string(p.UID)}); err == nil {
			err = r.Apply(ctx, client.ApplyConfigurationFromUnstructured(cfg),
				client.FieldOwner(promotion.FieldManager), client.ForceOwnership)
		}
	}
	if apierrors.IsConflict(err) || apierrors.IsInvalid(err) && strings.Contains(err.Error(), "resourceVersion") {
		// The Role changed since it was read: recompute against the new one.
		return ctrl.Result{}, fmt.Errorf("promoting into Role %s: %w", roleKey, errStale)
	}
	if err != nil {
		return ctrl.Result{}, fmt.Errorf("promoting Proposal %s into Role %s: %w", p.Name, roleKey, err)
	}
	logf.FromContext(ctx).Info("promoted the proposal into its Role", "role", roleKey.Name, "changes", len(p.Spec.Changes))

	if r.AfterRoleWrite != nil {
		if err := r.AfterRoleWrite(ctx, p); err != nil {
			return ctrl.Result{}, err
		}
	}
	return r.recordApplied(ctx, p, conds)
}

// recordApplied adds the Proposal to the Role's history, once, and marks it
// Applied. It runs after the promotion write and again after a crash.
func (r *ProposalReconciler) recordApplied(ctx context.Context, p *v1.Proposal, conds *conditionSet) (ctrl.Result, error) {
	var role v1.Role
	roleKey := client.ObjectKey{Namespace: p.Namespace, Name: string(p.Spec.RoleRef)}
	if err := r.APIReader.Get(ctx, roleKey, &role); err != nil {
		return ctrl.Result{}, fmt.Errorf("reading Role %s after promotion: %w", roleKey, err)
	}
	i := slices.IndexFunc(role.Status.History, func(h v1.AppliedProposal) bool { return h.UID == string(p.UID) })
	if i < 0 {
		original := role.DeepCopy()
		role.Status.History = append(role.Status.History, v1.AppliedProposal{
			Name:       v1.ObjectName(p.Name),
			UID:        string(p.UID),
			Title:      truncate(p.Spec.Title, 200),
			Author:     p.Spec.Author,
			AppliedAt:  metav1.NewTime(r.now()),
			Generation: role.Generation,
		})
		if n := len(role.Status.History); n > v1.MaxHistory {
			role.Status.History = role.Status.History[n-v1.MaxHistory:]
		}
		if err := patchStatus(ctx, r.Client, &role, original); err != nil {
			return ctrl.Result{}, fmt.Errorf("recording Proposal %s in the history of Role %s: %w", p.Name, roleKey, staleIfRace(err))
		}
		i = len(role.Status.History) - 1
	}
	entry := role.Status.History[i]

	p.Status.Phase = v1.PhaseApplied
	p.Status.AppliedRoleGeneration = entry.Generation
	p.Status.AppliedAt = entry.AppliedAt.DeepCopy()
	p.Status.Message = fmt.Sprintf("applied to Role %q at generation %d", role.Name, entry.Generation)
	conds.set(v1.ConditionAccepted, metav1.ConditionTrue, governance.ReasonAccepted, "the proposal met its governance rules")
	conds.set(v1.ConditionApplied, metav1.ConditionTrue, ReasonApplied, p.Status.Message)
	return ctrl.Result{}, nil
}

func (r *ProposalReconciler) markConflicted(p *v1.Proposal, conds *conditionSet, conflicts []governance.Conflict) {
	messages := make([]string, 0, len(conflicts))
	for _, c := range conflicts {
		messages = append(messages, c.String())
	}
	p.Status.Phase = v1.PhaseConflicted
	p.Status.Message = truncate("the Role no longer holds what the changes expect, nothing was changed: "+strings.Join(messages, "; "), 4096)
	conds.set(v1.ConditionApplied, metav1.ConditionFalse, ReasonConflict, p.Status.Message)
}

func hasFromConflict(conflicts []governance.Conflict) bool {
	return slices.ContainsFunc(conflicts, func(c governance.Conflict) bool { return strings.Contains(c.Field, ".from") })
}

func joinProblems(problems []governance.Problem) string {
	messages := make([]string, 0, len(problems))
	for _, p := range problems {
		messages = append(messages, p.String())
	}
	return truncate(strings.Join(messages, "; "), 4096)
}

func (r *ProposalReconciler) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// proposalsForRole maps a Role to its Proposals that may still change phase.
func (r *ProposalReconciler) proposalsForRole(ctx context.Context, obj client.Object) []reconcile.Request {
	var proposals v1.ProposalList
	if err := r.List(ctx, &proposals, client.InNamespace(obj.GetNamespace()),
		client.MatchingFields{roleRefIndexField: obj.GetName()}); err != nil {
		logf.FromContext(ctx).Error(err, "listing the Proposals of a Role", "role", client.ObjectKeyFromObject(obj))
		return nil
	}
	var requests []reconcile.Request
	for i := range proposals.Items {
		if !isClosed(proposals.Items[i].Status.Phase) {
			requests = append(requests, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&proposals.Items[i])})
		}
	}
	return requests
}

// proposalsForMatrix maps a SkillMatrix (its governance defaults) to the open
// Proposals of its Roles.
func (r *ProposalReconciler) proposalsForMatrix(ctx context.Context, obj client.Object) []reconcile.Request {
	var roles v1.RoleList
	if err := r.List(ctx, &roles, client.InNamespace(obj.GetNamespace()),
		client.MatchingFields{matrixRefIndexField: obj.GetName()}); err != nil {
		logf.FromContext(ctx).Error(err, "listing the Roles of a SkillMatrix", "skillMatrix", client.ObjectKeyFromObject(obj))
		return nil
	}
	var requests []reconcile.Request
	for i := range roles.Items {
		requests = append(requests, r.proposalsForRole(ctx, &roles.Items[i])...)
	}
	return requests
}

// roleSpecOrMarkersChanged lets through the Role updates a Proposal cares
// about: its spec (what `from` and validation compare with) and its markers.
var roleSpecOrMarkersChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		return e.ObjectOld.GetGeneration() != e.ObjectNew.GetGeneration() ||
			e.ObjectOld.GetAnnotations()[promotion.AnnotationAppliedProposals] !=
				e.ObjectNew.GetAnnotations()[promotion.AnnotationAppliedProposals]
	},
}

// SetupWithManager registers the controller and its watches.
func (r *ProposalReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1.Proposal{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&v1.Role{}, handler.EnqueueRequestsFromMapFunc(r.proposalsForRole),
			builder.WithPredicates(roleSpecOrMarkersChanged)).
		Watches(&v1.SkillMatrix{}, handler.EnqueueRequestsFromMapFunc(r.proposalsForMatrix),
			builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Named("proposal").
		Complete(r)
}
