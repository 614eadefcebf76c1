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
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/retry"
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
	// status writes, once per write with the Proposal whose reconcile made
	// it (a batch may promote others too). Tests use it to simulate a crash
	// at the worst moment.
	AfterRoleWrite func(ctx context.Context, proposal *v1.Proposal) error

	roleLocks roleLocks
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
	if errors.Is(reconcileErr, errRoleBusy) {
		// Nothing is written meanwhile, not even the Accepted phase: the
		// batch in progress usually promotes this Proposal too, and its
		// marker wakes it again; the retry covers the case where it does not.
		return ctrl.Result{RequeueAfter: roleBusyRetry}, nil
	}
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

	// Crash recovery, or a batch promoted by another Proposal's reconcile:
	// the promotion landed, its record may not have. The marker came with
	// the change in one write, so the change is there exactly once.
	if promotion.HasMarker(role.Annotations, string(p.UID)) {
		if err := r.recordTally(ctx, p, &role); err != nil {
			return ctrl.Result{}, err
		}
		// The usual case for the rest of a batch: the Proposal that promoted
		// it recorded the history too, and the cache already shows it.
		if entry := historyEntry(&role, p.UID); entry != nil {
			r.markApplied(p, conds, role.Name, *entry)
			return ctrl.Result{}, nil
		}
		unlock, ok := r.roleLocks.tryLock(roleKey)
		if !ok {
			return ctrl.Result{}, errRoleBusy
		}
		defer unlock()
		return r.recordApplied(ctx, p, conds, []*v1.Proposal{p})
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

	now := r.now()
	v := judge(p, &role.Spec, &matrix, now)
	p.Status.Deadline = &metav1.Time{Time: v.deadline}
	p.Status.Tally = tallyStatus(v.tally, v.policy)

	// A `from` that no longer holds can never hold again for this Proposal:
	// say so now rather than after everyone has voted.
	if hasFromConflict(v.conflicts) {
		r.markConflicted(p, conds, v.conflicts)
		return ctrl.Result{}, nil
	}
	if len(v.problems) > 0 {
		p.Status.Phase = v1.PhaseInvalid
		p.Status.Message = joinProblems(v.problems)
		conds.set(v1.ConditionValid, metav1.ConditionFalse, ReasonInvalidChanges, p.Status.Message)
		conds.set(v1.ConditionAccepted, metav1.ConditionFalse, ReasonInvalidChanges, "an invalid proposal cannot be accepted")
		return ctrl.Result{}, nil
	}
	conds.set(v1.ConditionValid, metav1.ConditionTrue, ReasonValid, fmt.Sprintf("the changes fit Role %q", role.Name))

	decision := v.decision
	p.Status.Phase = decision.Phase
	p.Status.Message = decision.Message
	switch decision.Phase {
	case v1.PhaseOpen:
		conds.set(v1.ConditionAccepted, metav1.ConditionFalse, decision.Reason, decision.Message)
		conds.set(v1.ConditionApplied, metav1.ConditionFalse, ReasonNotAccepted, "waiting for acceptance")
		// Wake exactly at the deadline; votes and reviews wake it sooner.
		return ctrl.Result{RequeueAfter: max(v.deadline.Sub(now), 0) + time.Second}, nil
	case v1.PhaseAccepted:
		conds.set(v1.ConditionAccepted, metav1.ConditionTrue, decision.Reason, decision.Message)
		return r.promote(ctx, p, conds, &matrix, now)
	default:
		conds.set(v1.ConditionAccepted, metav1.ConditionFalse, decision.Reason, decision.Message)
		conds.set(v1.ConditionApplied, metav1.ConditionFalse, ReasonNotAccepted, "the proposal was not accepted")
		return ctrl.Result{}, nil
	}
}

// verdict is what the governance rules say of a Proposal against one Role
// spec.
type verdict struct {
	policy   governance.Policy
	deadline time.Time
	tally    governance.Tally
	// newSpec is the Role spec with the changes applied, nil when they
	// conflict.
	newSpec   *v1.RoleSpec
	conflicts []governance.Conflict
	// problems and decision are left empty once an earlier check settled
	// the Proposal, in the order the reconcile reports them.
	problems []governance.Problem
	decision governance.Decision
}

// judge applies the governance rules to a Proposal and a Role spec at a
// moment. A Proposal's own reconcile and the batching of its Role's other
// Proposals both use it, so a Proposal joins a batch exactly when its own
// reconcile would promote it against the same spec.
func judge(p *v1.Proposal, roleSpec *v1.RoleSpec, matrix *v1.SkillMatrix, now time.Time) verdict {
	v := verdict{policy: governance.Effective(matrix.Spec.Governance, roleSpec.Governance)}
	v.deadline = proposalDeadline(p, v.policy)
	v.tally = governance.Count(&p.Spec)
	v.newSpec, v.conflicts = governance.Apply(roleSpec, p.Spec.Changes)
	if hasFromConflict(v.conflicts) {
		return v
	}
	if v.problems = governance.Validate(p.Spec.Changes, roleSpec, &matrix.Spec); len(v.problems) > 0 {
		return v
	}
	v.decision = governance.Decide(v.tally, v.policy, v.deadline, now)
	return v
}

// promotable reports whether the Proposal is accepted and its changes apply
// cleanly to the spec it was judged against.
func (v verdict) promotable() bool {
	return len(v.conflicts) == 0 && len(v.problems) == 0 && v.decision.Phase == v1.PhaseAccepted
}

// maxBatch bounds how many Proposals one write promotes. The uids of a batch
// must stay in the bounded marker list until each Proposal has recorded
// itself Applied, and a batch pushes out as many old markers as it adds;
// keeping batches far below promotion.MaxMarkers keeps that margin.
const maxBatch = promotion.MaxMarkers / 5

// promote writes accepted changes to the Role in one write that also carries
// a marker per promoted Proposal, then records the result. Server-side apply
// promotes p together with the Role's other accepted Proposals (see
// batchFor); a JSON patch promotes p alone. The Role's lock is held from the
// live read through the history write, so concurrent workers do not fail
// each other's resourceVersion guard; one that finds it taken gives its
// worker back (errRoleBusy) rather than wait.
func (r *ProposalReconciler) promote(ctx context.Context, p *v1.Proposal, conds *conditionSet,
	matrix *v1.SkillMatrix, now time.Time) (ctrl.Result, error) {
	roleKey := client.ObjectKey{Namespace: p.Namespace, Name: string(p.Spec.RoleRef)}
	unlock, ok := r.roleLocks.tryLock(roleKey)
	if !ok {
		return ctrl.Result{}, errRoleBusy
	}
	defer unlock()

	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(v1.GroupVersion.WithKind("Role"))
	if err := r.APIReader.Get(ctx, roleKey, live); err != nil {
		return ctrl.Result{}, fmt.Errorf("reading Role %s before promotion: %w", roleKey, err)
	}
	var role v1.Role
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(live.Object, &role); err != nil {
		return ctrl.Result{}, fmt.Errorf("decoding Role %s: %w", roleKey, err)
	}
	// The cache can be behind a batch that already promoted this Proposal.
	if promotion.HasMarker(role.Annotations, string(p.UID)) {
		return r.recordApplied(ctx, p, conds, []*v1.Proposal{p})
	}

	newSpec, conflicts := governance.Apply(&role.Spec, p.Spec.Changes)
	if len(conflicts) > 0 {
		r.markConflicted(p, conds, conflicts)
		return ctrl.Result{}, nil
	}

	var err error
	batch, changes := []*v1.Proposal{p}, p.Spec.Changes
	if promotion.NeedsPatch(p.Spec.Changes) {
		var patch []byte
		if patch, err = promotion.Patch(&role, newSpec, string(p.UID)); err == nil {
			err = r.Patch(ctx, &role, client.RawPatch(types.JSONPatchType, patch), client.FieldOwner(promotion.FieldManager))
		}
	} else {
		if batch, newSpec, changes, err = r.batchFor(ctx, p, &role, matrix, now); err != nil {
			return ctrl.Result{}, err
		}
		if len(batch) == 0 {
			// p fits the live Role but is no longer accepted against it.
			return ctrl.Result{}, fmt.Errorf("judging Proposal %s against the live Role %s: %w", p.Name, roleKey, errStale)
		}
		var cfg *unstructured.Unstructured
		if cfg, err = promotion.ApplyConfiguration(live, newSpec, changes, uidsOf(batch)); err == nil {
			err = r.Apply(ctx, client.ApplyConfigurationFromUnstructured(cfg),
				client.FieldOwner(promotion.FieldManager), client.ForceOwnership)
		}
	}
	if apierrors.IsConflict(err) || apierrors.IsInvalid(err) && strings.Contains(err.Error(), "resourceVersion") {
		// The Role changed since it was read: recompute against the new one.
		return ctrl.Result{}, fmt.Errorf("promoting into Role %s: %w", roleKey, errStale)
	}
	if err != nil {
		return ctrl.Result{}, fmt.Errorf("promoting %s into Role %s: %w", strings.Join(namesOf(batch), ", "), roleKey, err)
	}
	logf.FromContext(ctx).Info("promoted proposals into their Role", "role", roleKey.Name,
		"proposals", namesOf(batch), "changes", len(changes))

	if r.AfterRoleWrite != nil {
		if err := r.AfterRoleWrite(ctx, p); err != nil {
			return ctrl.Result{}, err
		}
	}
	if !slices.Contains(batch, p) {
		// p was left out: it no longer fits after the Proposals created
		// before it, or the batch was full. Its next reconcile sees the new
		// Role and decides again.
		if _, err := r.recordHistory(ctx, roleKey, batch); err != nil {
			return ctrl.Result{}, err
		}
		return ctrl.Result{}, fmt.Errorf("the Proposals promoted before %s changed Role %s: %w", p.Name, roleKey, errStale)
	}
	return r.recordApplied(ctx, p, conds, batch)
}

// batchFor returns the Proposals of role to promote with p in one write, in
// creation order (then by name), with the spec they leave and their changes
// in that order: every open Proposal that its own reconcile would promote
// after the ones before it (see judge), p included, up to maxBatch. Whatever
// is left out (p too) keeps its own reconcile: one that conflicts with the
// Proposals before it sees the new Role there and is marked Conflicted, as
// when Proposals are promoted one at a time in that order. A Proposal that
// removes a skill needs a JSON patch and is never batched.
func (r *ProposalReconciler) batchFor(ctx context.Context, p *v1.Proposal, role *v1.Role, matrix *v1.SkillMatrix,
	now time.Time) ([]*v1.Proposal, *v1.RoleSpec, []v1.Change, error) {
	var siblings v1.ProposalList
	if err := r.List(ctx, &siblings, client.InNamespace(p.Namespace),
		client.MatchingFields{roleRefIndexField: string(p.Spec.RoleRef)}); err != nil {
		return nil, nil, nil, fmt.Errorf("listing the Proposals of Role %s: %w", role.Name, err)
	}
	candidates := []*v1.Proposal{p}
	for i := range siblings.Items {
		q := &siblings.Items[i]
		if q.UID == p.UID || isClosed(q.Status.Phase) || !q.DeletionTimestamp.IsZero() ||
			promotion.HasMarker(role.Annotations, string(q.UID)) || promotion.NeedsPatch(q.Spec.Changes) {
			continue
		}
		candidates = append(candidates, q)
	}
	slices.SortFunc(candidates, func(a, b *v1.Proposal) int {
		return cmp.Or(a.CreationTimestamp.Compare(b.CreationTimestamp.Time), cmp.Compare(a.Name, b.Name))
	})

	spec := &role.Spec
	var batch []*v1.Proposal
	var changes []v1.Change
	for _, q := range candidates {
		if len(batch) == maxBatch {
			break
		}
		v := judge(q, spec, matrix, now)
		if !v.promotable() {
			continue
		}
		batch = append(batch, q)
		changes = append(changes, q.Spec.Changes...)
		spec = v.newSpec
	}
	return batch, spec, changes, nil
}

// recordApplied adds the batch to the Role's history, each Proposal once, and
// marks p, one of the batch, Applied. It runs after the promotion write, and
// again for each Proposal of a batch or after a crash.
func (r *ProposalReconciler) recordApplied(ctx context.Context, p *v1.Proposal, conds *conditionSet,
	batch []*v1.Proposal) (ctrl.Result, error) {
	roleKey := client.ObjectKey{Namespace: p.Namespace, Name: string(p.Spec.RoleRef)}
	role, err := r.recordHistory(ctx, roleKey, batch)
	if err != nil {
		return ctrl.Result{}, err
	}
	entry := historyEntry(role, p.UID)
	if entry == nil {
		return ctrl.Result{}, fmt.Errorf("the history of Role %s does not record Proposal %s", roleKey, p.Name)
	}
	r.markApplied(p, conds, role.Name, *entry)
	return ctrl.Result{}, nil
}

// recordTally brings the tally and deadline in p's status up to date for a
// Proposal promoted by another's reconcile (its batch), which decided it
// from the same votes.
func (r *ProposalReconciler) recordTally(ctx context.Context, p *v1.Proposal, role *v1.Role) error {
	var matrix v1.SkillMatrix
	matrixKey := client.ObjectKey{Namespace: p.Namespace, Name: string(role.Spec.MatrixRef)}
	if err := r.Get(ctx, matrixKey, &matrix); err != nil {
		if apierrors.IsNotFound(err) {
			return nil // the record of the promotion matters more than the figures
		}
		return fmt.Errorf("getting SkillMatrix %s: %w", matrixKey, err)
	}
	policy := governance.Effective(matrix.Spec.Governance, role.Spec.Governance)
	p.Status.Deadline = &metav1.Time{Time: proposalDeadline(p, policy)}
	p.Status.Tally = tallyStatus(governance.Count(&p.Spec), policy)
	return nil
}

// proposalDeadline is shown and stored to the second.
func proposalDeadline(p *v1.Proposal, policy governance.Policy) time.Time {
	return governance.Deadline(p.CreationTimestamp.Time, policy).Truncate(time.Second)
}

func tallyStatus(t governance.Tally, policy governance.Policy) *v1.Tally {
	return &v1.Tally{
		Approvals: t.Approvals, Rejections: t.Rejections,
		ReviewApprovals: t.ReviewApprovals, ChangesRequested: t.ChangesRequested,
		MinApprovals: policy.MinApprovals, ApprovalRatioPercent: policy.ApprovalRatioPercent,
		RequiredReviews: policy.RequiredReviews,
	}
}

// historyEntry returns the Role's history entry of the Proposal uid, if any.
func historyEntry(role *v1.Role, uid types.UID) *v1.AppliedProposal {
	i := slices.IndexFunc(role.Status.History, func(h v1.AppliedProposal) bool { return h.UID == string(uid) })
	if i < 0 {
		return nil
	}
	return &role.Status.History[i]
}

// markApplied records in p's status what the Role's history says of it.
func (r *ProposalReconciler) markApplied(p *v1.Proposal, conds *conditionSet, roleName string, entry v1.AppliedProposal) {
	p.Status.Phase = v1.PhaseApplied
	p.Status.AppliedRoleGeneration = entry.Generation
	p.Status.AppliedAt = entry.AppliedAt.DeepCopy()
	p.Status.Message = fmt.Sprintf("applied to Role %q at generation %d", roleName, entry.Generation)
	conds.set(v1.ConditionAccepted, metav1.ConditionTrue, governance.ReasonAccepted, "the proposal met its governance rules")
	conds.set(v1.ConditionApplied, metav1.ConditionTrue, ReasonApplied, p.Status.Message)
}

// recordHistory appends the Proposals of a batch missing from the Role's
// history, in batch order, in one status write, and returns the Role as
// written. Each entry names the Role's generation now: the one that carried
// the changes, or a later one after a crash or a concurrent edit.
//
// The Role controller writes the status too, right after a promotion, so a
// lost race is retried here on a fresh read: giving up would leave each
// Proposal of the batch to record itself, one write each, in whatever order
// their reconciles run.
func (r *ProposalReconciler) recordHistory(ctx context.Context, roleKey client.ObjectKey, batch []*v1.Proposal) (*v1.Role, error) {
	var role v1.Role
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		role = v1.Role{}
		if err := r.APIReader.Get(ctx, roleKey, &role); err != nil {
			return fmt.Errorf("reading Role %s after promotion: %w", roleKey, err)
		}
		original := role.DeepCopy()
		appliedAt := metav1.NewTime(r.now())
		for _, q := range batch {
			if slices.ContainsFunc(role.Status.History, func(h v1.AppliedProposal) bool { return h.UID == string(q.UID) }) {
				continue
			}
			role.Status.History = append(role.Status.History, v1.AppliedProposal{
				Name:       v1.ObjectName(q.Name),
				UID:        string(q.UID),
				Title:      truncate(q.Spec.Title, 200),
				Author:     q.Spec.Author,
				AppliedAt:  appliedAt,
				Generation: role.Generation,
			})
		}
		if len(role.Status.History) == len(original.Status.History) {
			return nil
		}
		if n := len(role.Status.History); n > v1.MaxHistory {
			role.Status.History = role.Status.History[n-v1.MaxHistory:]
		}
		return patchStatus(ctx, r.Client, &role, original)
	})
	if err != nil {
		return nil, fmt.Errorf("recording %s in the history of Role %s: %w",
			strings.Join(namesOf(batch), ", "), roleKey, staleIfRace(err))
	}
	return &role, nil
}

func uidsOf(proposals []*v1.Proposal) []string {
	uids := make([]string, len(proposals))
	for i, p := range proposals {
		uids[i] = string(p.UID)
	}
	return uids
}

func namesOf(proposals []*v1.Proposal) []string {
	names := make([]string, len(proposals))
	for i, p := range proposals {
		names[i] = p.Name
	}
	return names
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
// Like every map function here it only reads what it lists, so it lists
// without copying the cached objects.
func (r *ProposalReconciler) proposalsForRole(ctx context.Context, obj client.Object) []reconcile.Request {
	var proposals v1.ProposalList
	if err := r.List(ctx, &proposals, client.InNamespace(obj.GetNamespace()),
		client.MatchingFields{roleRefIndexField: obj.GetName()}, client.UnsafeDisableDeepCopy); err != nil {
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
		client.MatchingFields{matrixRefIndexField: obj.GetName()}, client.UnsafeDisableDeepCopy); err != nil {
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
// about: its spec (what `from` and validation compare with), its markers, and
// its newest history entry (the record the rest of a batch marks itself
// Applied from).
var roleSpecOrMarkersChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		return e.ObjectOld.GetGeneration() != e.ObjectNew.GetGeneration() ||
			e.ObjectOld.GetAnnotations()[promotion.AnnotationAppliedProposals] !=
				e.ObjectNew.GetAnnotations()[promotion.AnnotationAppliedProposals] ||
			newestHistoryUID(e.ObjectOld) != newestHistoryUID(e.ObjectNew)
	},
}

func newestHistoryUID(obj client.Object) string {
	role, ok := obj.(*v1.Role)
	if !ok || len(role.Status.History) == 0 {
		return ""
	}
	return role.Status.History[len(role.Status.History)-1].UID
}

// errRoleBusy means another worker is promoting into the Proposal's Role.
var errRoleBusy = errors.New("another promotion into the Role is in progress")

// roleBusyRetry is how soon a Proposal that found its Role busy is
// reconciled again if the promotion in progress does not wake it first.
const roleBusyRetry = time.Second

// roleLocks serializes promotions into each Role within the process. Workers
// promoting into one Role at once would otherwise fail each other's
// resourceVersion guard and retry; and a worker that waited for the lock
// would sit idle while the batch it waits for usually promotes its Proposal
// anyway. The zero value is ready to use.
type roleLocks struct {
	mu     sync.Mutex
	locked map[client.ObjectKey]bool
}

// tryLock takes the Role's lock if it is free.
func (l *roleLocks) tryLock(key client.ObjectKey) (unlock func(), ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.locked[key] {
		return nil, false
	}
	if l.locked == nil {
		l.locked = map[client.ObjectKey]bool{}
	}
	l.locked[key] = true
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		delete(l.locked, key)
	}, true
}

// SetupWithManager registers the controller and its watches; concurrency
// Proposals are reconciled at once.
func (r *ProposalReconciler) SetupWithManager(mgr ctrl.Manager, concurrency int) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1.Proposal{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&v1.Role{}, handler.EnqueueRequestsFromMapFunc(r.proposalsForRole),
			builder.WithPredicates(roleSpecOrMarkersChanged)).
		Watches(&v1.SkillMatrix{}, handler.EnqueueRequestsFromMapFunc(r.proposalsForMatrix),
			builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		WithOptions(controller.Options{MaxConcurrentReconciles: concurrency}).
		Named("proposal").
		Complete(r)
}
