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
	"math"
	"slices"
	"strings"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
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
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/kubecache"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/metrics"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/promotion"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// ProposalReconciler keeps each Proposal's tally, phase and deadline current
// and promotes accepted Proposals into their Role. It writes the Proposal's
// status and, through its promoter, the Role's spec; never the Role's status.
type ProposalReconciler struct {
	client.Client
	Recorder events.EventRecorder
	// Now is the clock; tests replace it.
	Now func() time.Time

	promoter  *promoter
	authority *authority
	guard     *admissionGuard
	// writeBack commits accepted Proposals of Roles a GitWriteBack selects
	// (writeback.go); nil turns Git write-back off.
	writeBack *gitWriteBacks
}

// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=proposals,verbs=get;list;watch
// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=proposals/status,verbs=patch
// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=ballots,verbs=get;list;watch
// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=roles,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=skillmatrices,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=authorization.k8s.io,resources=subjectaccessreviews,verbs=create
// +kubebuilder:rbac:groups=admissionregistration.k8s.io,resources=validatingadmissionpolicies;validatingadmissionpolicybindings,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get

// proposalScope is what one reconcile of a Proposal works on: its phases
// fill it in order and the status is written once at the end.
type proposalScope struct {
	proposal *v1.Proposal
	// original is the Proposal as stored, which the status write diffs
	// against (a write-ahead record of Git write-back moves it on).
	original *v1.Proposal
	conds    *conditionSet
	now      time.Time
	role     *v1.Role
	// matrix is nil when the Role's SkillMatrix does not exist.
	matrix  *v1.SkillMatrix
	verdict governance.Verdict
	// checks holds the authority re-checks this reconcile made.
	checks *ballotChecks
	result ctrl.Result
	// awaitingRecord: the Proposal is promoted and waits for the Role's
	// history to record it; the history write wakes it, and writing the
	// status meanwhile would only be overwritten a moment later.
	awaitingRecord bool
	// missing is the reason of a Role or SkillMatrix that does not exist
	// (yet): the Proposal waits for it, and its creation wakes it.
	missing string
	// writeBack is the GitWriteBack that selects the Role; nil promotes in
	// the cluster.
	writeBack *writeBackTarget
	// textChanged: the author edited the text since the last reconcile, and
	// the ballots cast before no longer count (announced once written).
	textChanged bool
}

// Reconcile tallies the Proposal, decides its phase and promotes it when
// accepted: fetch its Role and SkillMatrix, recognise a promotion that
// already landed, judge it, promote it; then write the status once.
func (r *ProposalReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var proposal v1.Proposal
	if err := r.Get(ctx, req.NamespacedName, &proposal); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !proposal.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}

	original := proposal.DeepCopy()
	s := &proposalScope{proposal: &proposal, original: original, conds: newConditionSet(proposal.Generation, &proposal.Status.Conditions), now: r.now()}
	var reconcileErr error
	if !proposal.Status.Phase.IsClosed() {
		reconcileErr = runSteps(ctx, s, r.observeText, r.fetchRole, r.fetchMatrix, r.recognisePromotion,
			r.recogniseWriteBack, r.requireMatrix, r.judge, r.recordVerdict, r.holdUnlessEnforced, r.promote)
	}
	switch {
	case errors.Is(reconcileErr, errRoleBusy):
		// Nothing is written meanwhile, not even the Accepted phase: the
		// batch in progress usually promotes this Proposal too, and its
		// marker wakes it again; the retry covers the case where it does not.
		return ctrl.Result{RequeueAfter: roleBusyRetry}, nil
	case reconcileErr == nil && s.awaitingRecord:
		return ctrl.Result{}, nil
	case reconcileErr == nil:
		concludeProposal(s)
	}
	// A closed Proposal is only observed: its text may still be edited, and
	// kstatus reads a status behind the generation as work in flight.
	proposal.Status.ObservedGeneration = proposal.Generation
	result, written, err := writeStatus(ctx, r.Client, r.Recorder, &proposal, original, s.conds, s.result, reconcileErr)
	if written {
		observeProposal(original, &proposal)
		if s.textChanged && err == nil {
			announce(r.Recorder, &proposal, nil, v1.ReasonTextChanged, "Recount", textChangedMessage(&proposal))
		}
	}
	return result, err
}

// observeText notices an edit of the Proposal's title or description
// (status.textDigest): from the generation it is seen at, ballots cast on
// an earlier text no longer count (governance.TextGeneration).
func (r *ProposalReconciler) observeText(_ context.Context, s *proposalScope) (bool, error) {
	st := &s.proposal.Status
	digest := textDigestOf(s.proposal)
	generation := governance.TextGeneration(st.TextGeneration, st.TextDigest, digest, s.proposal.Generation)
	s.textChanged = st.TextDigest != "" && st.TextDigest != digest
	st.TextGeneration, st.TextDigest = generation, digest
	return false, nil
}

// textChangedMessage says what a text edit did to the ballots.
func textChangedMessage(p *v1.Proposal) string {
	stale := 0
	for _, u := range p.Status.Uncounted {
		if u.Cause == v1.CauseStaleText {
			stale++
		}
	}
	msg := fmt.Sprintf("the title or description changed at generation %d: ballots cast on an earlier text no longer count",
		p.Status.TextGeneration)
	if stale > 0 {
		msg += fmt.Sprintf(" (%s listed in status.uncounted); their voters cast them again",
			text.Plural(stale, "ballot", "ballots"))
	}
	return msg
}

// concludeProposal says where the Proposal stands for the operator (see
// conclude): Open and every closed phase are finished (Ready, with the
// phase as reason), except Invalid, which stalls until its author proposes
// anew; Accepted and Committed are in flight, unless what holds them stalls
// until a person acts (a promotion held, a write-back that cannot
// authenticate: v1.ReasonStalls); a missing Role or SkillMatrix is waited
// for.
func concludeProposal(s *proposalScope) {
	p := s.proposal
	phase := p.Status.Phase
	switch {
	case s.missing != "":
		valid := meta.FindStatusCondition(p.Status.Conditions, v1.ConditionValid)
		s.conds.conclude(progressInFlight, s.missing, valid.Message)
	case phase == v1.PhaseInvalid:
		s.conds.conclude(progressStalled, v1.ReasonInvalidChanges, p.Status.Message)
	case phase == v1.PhaseOpen || phase.IsClosed():
		s.conds.conclude(progressDone, string(phase), p.Status.Message)
	case phase.InFlight():
		for _, condType := range []string{v1.ConditionApplied, v1.ConditionCommitted} {
			if c := meta.FindStatusCondition(p.Status.Conditions, condType); c != nil &&
				c.Status == metav1.ConditionFalse && v1.ReasonStalls(c.Reason) {
				s.conds.conclude(progressStalled, c.Reason, c.Message)
				return
			}
		}
		s.conds.conclude(progressInFlight, string(phase), p.Status.Message)
	}
}

// observeProposal counts what a written status records for the first time.
func observeProposal(before, after *v1.Proposal) {
	if after.Status.Tally != nil {
		metrics.ObserveTally(before.Status.Tally, after.Status.Tally)
	}
	metrics.ObserveUncounted(before.Status.Uncounted, after.Status.Uncounted)
	if after.Status.Phase == before.Status.Phase {
		return
	}
	switch after.Status.Phase {
	case v1.PhaseApplied:
		metrics.Promotions.WithLabelValues("applied").Inc()
	case v1.PhaseConflicted:
		metrics.Promotions.WithLabelValues("conflicted").Inc()
	case v1.PhaseAbandoned, v1.PhaseDiverged, v1.PhaseTimedOut:
		metrics.Promotions.WithLabelValues(strings.ToLower(string(after.Status.Phase))).Inc()
	}
}

func (r *ProposalReconciler) fetchRole(ctx context.Context, s *proposalScope) (bool, error) {
	var role v1.Role
	key := client.ObjectKey{Namespace: s.proposal.Namespace, Name: string(s.proposal.Spec.RoleRef)}
	if err := r.Get(ctx, key, &role); err != nil {
		if !apierrors.IsNotFound(err) {
			return true, fmt.Errorf("getting Role %s: %w", key, err)
		}
		// The Role watch wakes the Proposal when the Role appears: a Role
		// and its Proposals synced together may arrive in any order.
		s.missing = v1.ReasonRoleNotFound
		s.conds.set(v1.ConditionValid, metav1.ConditionUnknown, v1.ReasonRoleNotFound,
			fmt.Sprintf("Role %q does not exist in namespace %q", key.Name, key.Namespace))
		return true, nil
	}
	s.role = &role
	return false, nil
}

// fetchMatrix reads the Role's SkillMatrix; a missing one is reported by
// requireMatrix, after a promotion that already landed is recognised.
func (r *ProposalReconciler) fetchMatrix(ctx context.Context, s *proposalScope) (bool, error) {
	var matrix v1.SkillMatrix
	key := client.ObjectKey{Namespace: s.proposal.Namespace, Name: string(s.role.Spec.MatrixRef)}
	if err := r.Get(ctx, key, &matrix); err != nil {
		if !apierrors.IsNotFound(err) {
			return true, fmt.Errorf("getting SkillMatrix %s: %w", key, err)
		}
		return false, nil
	}
	s.matrix = &matrix
	return false, nil
}

// recognisePromotion handles a Proposal whose marker is on the Role: it was
// promoted by its own reconcile, by a batch of another's, or before a
// crash. The marker came with the change in one write, so the change is
// there exactly once; the Proposal is Applied once the Role's history
// records it.
func (r *ProposalReconciler) recognisePromotion(ctx context.Context, s *proposalScope) (bool, error) {
	p := s.proposal
	if !promotion.HasMarker(s.role.Annotations, string(p.UID)) {
		return false, nil
	}
	entry := s.role.Status.HistoryEntry(string(p.UID))
	if entry == nil {
		s.awaitingRecord = true
		return true, nil
	}
	if s.matrix != nil {
		// The batch that promoted it decided it from the same votes.
		in, err := r.authority.input(ctx, p, &s.role.Spec, s.matrix, s.now)
		if err != nil {
			return true, err
		}
		v := governance.Judge(in)
		p.Status.Deadline = &metav1.Time{Time: v.Deadline}
		p.Status.Tally = tallyStatus(v.Tally, v.Policy)
	}
	markApplied(p, s.conds, s.role.Name, *entry)
	return true, nil
}

func (r *ProposalReconciler) requireMatrix(_ context.Context, s *proposalScope) (bool, error) {
	if s.matrix != nil {
		return false, nil
	}
	s.missing = v1.ReasonMatrixNotFound
	s.conds.set(v1.ConditionValid, metav1.ConditionUnknown, v1.ReasonMatrixNotFound,
		fmt.Sprintf("the SkillMatrix %q of Role %q does not exist", s.role.Spec.MatrixRef, s.role.Name))
	return true, nil
}

// judge decides the Proposal against the Role as cached (see verdict).
func (r *ProposalReconciler) judge(ctx context.Context, s *proposalScope) (bool, error) {
	s.checks = r.authority.newBallotChecks()
	v, err := r.authority.verdict(ctx, s.proposal, s.role, &s.role.Spec, s.matrix, s.now, s.checks)
	if err != nil {
		if apierrors.IsNotFound(err) {
			// The admission params are gone: nobody's authority can be
			// checked, and the bindings refuse every ballot meanwhile.
			s.conds.set(v1.ConditionApplied, metav1.ConditionFalse, v1.ReasonPromotionHeld, err.Error())
		}
		return true, err
	}
	s.verdict = v
	return false, nil
}

// recordVerdict writes the verdict into the status; only an accepted
// Proposal goes on to promotion.
func (r *ProposalReconciler) recordVerdict(_ context.Context, s *proposalScope) (bool, error) {
	p, v := s.proposal, s.verdict
	p.Status.Deadline = &metav1.Time{Time: v.Deadline}
	p.Status.Tally = tallyStatus(v.Tally, v.Policy)
	p.Status.Uncounted, p.Status.UncountedTotal = uncountedStatus(v)

	switch v.Outcome {
	case v1.PhaseConflicted:
		// A `from` that no longer holds can never hold again for this
		// Proposal: say so now rather than after everyone has voted.
		markConflicted(p, s.conds, v.Conflicts)
		return true, nil
	case v1.PhaseInvalid:
		p.Status.Phase = v1.PhaseInvalid
		p.Status.Message = joinProblems(v.Problems)
		s.conds.set(v1.ConditionValid, metav1.ConditionFalse, v1.ReasonInvalidChanges, p.Status.Message)
		s.conds.set(v1.ConditionAccepted, metav1.ConditionFalse, v1.ReasonInvalidChanges, "an invalid proposal cannot be accepted")
		return true, nil
	}
	s.conds.set(v1.ConditionValid, metav1.ConditionTrue, v1.ReasonValid, fmt.Sprintf("the changes fit Role %q", s.role.Name))

	d := v.Decision
	p.Status.Phase, p.Status.Message = d.Phase, withUncounted(d.Message, v)
	switch d.Phase {
	case v1.PhaseOpen:
		s.conds.set(v1.ConditionAccepted, metav1.ConditionFalse, d.Reason, p.Status.Message)
		s.conds.set(v1.ConditionApplied, metav1.ConditionFalse, v1.ReasonNotAccepted, "waiting for acceptance")
		// Wake exactly at the deadline; votes and reviews wake it sooner.
		s.result = ctrl.Result{RequeueAfter: max(v.Deadline.Sub(s.now), 0) + time.Second}
		return true, nil
	case v1.PhaseAccepted:
		s.conds.set(v1.ConditionAccepted, metav1.ConditionTrue, d.Reason, p.Status.Message)
		return false, nil
	}
	s.conds.set(v1.ConditionAccepted, metav1.ConditionFalse, d.Reason, p.Status.Message)
	s.conds.set(v1.ConditionApplied, metav1.ConditionFalse, v1.ReasonNotAccepted, "the proposal was not accepted")
	return true, nil
}

// holdUnlessEnforced fails closed: an accepted Proposal is promoted only
// while the admission policies that make its ballots authentic are in force
// as shipped. A change to them wakes the held Proposals (heldProposals).
func (r *ProposalReconciler) holdUnlessEnforced(ctx context.Context, s *proposalScope) (bool, error) {
	found, err := r.guard.findings(ctx)
	if err != nil {
		return true, err
	}
	if len(found) == 0 {
		return false, nil
	}
	msgs := make([]string, len(found))
	for i, f := range found {
		msgs[i] = f.String()
	}
	s.conds.set(v1.ConditionApplied, metav1.ConditionFalse, v1.ReasonPromotionHeld, text.Truncate(
		"accepted, not promoted: the admission policies that make votes and reviews authentic are not in force as shipped ("+
			strings.Join(msgs, "; ")+"); reinstall them, or run the operator with --admission-enforced-externally "+
			"where other means enforce the same rules", 4096))
	logf.FromContext(ctx).Info("promotion held: the admission policies are not in force", "findings", msgs)
	return true, nil
}

// uncountedStatus lists the votes and reviews that do not count, at most
// v1.MaxUncountedListed: the revoked ones first (a decision was taken
// without them), then the Ballots that do not count for the Proposal, the
// superseded ones last; and how many there are in all.
func uncountedStatus(v governance.Verdict) ([]v1.UncountedBallot, int32) {
	total := len(v.Revoked) + len(v.NotCounted)
	if total == 0 {
		return nil, 0
	}
	out := make([]v1.UncountedBallot, 0, min(total, v1.MaxUncountedListed))
	add := func(kind governance.BallotKind, user v1.Username, cause v1.UncountedCause, reason, ballot string) {
		if len(out) < v1.MaxUncountedListed {
			out = append(out, v1.UncountedBallot{Kind: string(kind), User: user, Reason: text.Truncate(reason, 512),
				Cause: cause, Ballot: ballot})
		}
	}
	for _, rv := range v.Revoked {
		name := ""
		if i := slices.IndexFunc(v.Counted, func(b governance.Ballot) bool { return b.Kind == rv.Kind && b.User == rv.User }); i >= 0 {
			name = v.Counted[i].Name
		}
		add(rv.Kind, rv.User, v1.CauseRevoked, rv.Reason, name)
	}
	for _, superseded := range []bool{false, true} {
		for _, n := range v.NotCounted {
			if (n.Cause == v1.CauseSuperseded) == superseded {
				add(n.Kind, n.User, n.Cause, n.Reason, n.Name)
			}
		}
	}
	return out, int32(min(total, math.MaxInt32))
}

// withUncounted names whose ballots no longer count after the message, and
// says how many more do not count for the Proposal.
func withUncounted(message string, v governance.Verdict) string {
	if len(v.Revoked) > 0 {
		names := make([]string, len(v.Revoked))
		for i, rv := range v.Revoked {
			names[i] = string(rv.Kind) + " by " + string(rv.User)
		}
		message += "; no longer counted: " + strings.Join(names, ", ")
	}
	if n := len(v.NotCounted); n > 0 {
		message += fmt.Sprintf("; %s not counted (status.uncounted says why)", text.Plural(n, "ballot", "ballots"))
	}
	return text.Truncate(message, 4096)
}

// promote writes the accepted changes into the Role (see promoter), or
// commits them to Git when write-back is on for the Role.
func (r *ProposalReconciler) promote(ctx context.Context, s *proposalScope) (bool, error) {
	if s.writeBack != nil {
		return r.commitToGit(ctx, s)
	}
	conflicts, err := r.promoter.promote(ctx, s.proposal, s.matrix, s.now, s.checks)
	switch {
	case err != nil:
		return true, err
	case len(conflicts) > 0:
		markConflicted(s.proposal, s.conds, conflicts)
	default:
		s.awaitingRecord = true
	}
	return true, nil
}

// judgeInput is what governance.Judge decides p by against roleSpec, with
// the Ballots cast on it.
func judgeInput(p *v1.Proposal, roleSpec *v1.RoleSpec, matrix *v1.SkillMatrix, now time.Time,
	ballots []*v1.Ballot) governance.Input {
	in := governance.ProposalInput(p, ballots, textDigestOf(p))
	in.Role, in.Now = roleSpec, now
	if matrix != nil {
		in.Matrix = &matrix.Spec
	}
	return in
}

func tallyStatus(t governance.Tally, policy governance.Policy) *v1.Tally {
	return &v1.Tally{
		Approvals: t.Approvals, Rejections: t.Rejections,
		ReviewApprovals: t.ReviewApprovals, ChangesRequested: t.ChangesRequested,
		MinApprovals: policy.MinApprovals, ApprovalRatioPercent: policy.ApprovalRatioPercent,
		RequiredReviews: policy.RequiredReviews,
	}
}

// markApplied records in p's status what the Role's history says of it.
func markApplied(p *v1.Proposal, conds *conditionSet, roleName string, entry v1.AppliedProposal) {
	p.Status.Phase = v1.PhaseApplied
	p.Status.AppliedRoleGeneration = entry.Generation
	p.Status.AppliedAt = entry.AppliedAt.DeepCopy()
	p.Status.Message = fmt.Sprintf("applied to Role %q at generation %d", roleName, entry.Generation)
	conds.set(v1.ConditionAccepted, metav1.ConditionTrue, v1.ReasonAccepted, "the proposal met its governance rules")
	conds.set(v1.ConditionApplied, metav1.ConditionTrue, v1.ReasonApplied, p.Status.Message)
}

func markConflicted(p *v1.Proposal, conds *conditionSet, conflicts []governance.Conflict) {
	messages := make([]string, 0, len(conflicts))
	for _, c := range conflicts {
		messages = append(messages, c.String())
	}
	p.Status.Phase = v1.PhaseConflicted
	p.Status.Message = text.Truncate("the Role no longer holds what the changes expect, nothing was changed: "+strings.Join(messages, "; "), 4096)
	conds.set(v1.ConditionApplied, metav1.ConditionFalse, v1.ReasonConflict, p.Status.Message)
}

func joinProblems(problems []governance.Problem) string {
	messages := make([]string, 0, len(problems))
	for _, p := range problems {
		messages = append(messages, p.String())
	}
	return text.Truncate(strings.Join(messages, "; "), 4096)
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
		client.MatchingFields{kubecache.IndexProposalRole: obj.GetName()}, client.UnsafeDisableDeepCopy); err != nil {
		logf.FromContext(ctx).Error(err, "listing the Proposals of a Role", "role", client.ObjectKeyFromObject(obj))
		return nil
	}
	var requests []reconcile.Request
	for i := range proposals.Items {
		if !proposals.Items[i].Status.Phase.IsClosed() {
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
		client.MatchingFields{kubecache.IndexRoleMatrix: obj.GetName()}, client.UnsafeDisableDeepCopy); err != nil {
		logf.FromContext(ctx).Error(err, "listing the Roles of a SkillMatrix", "skillMatrix", client.ObjectKeyFromObject(obj))
		return nil
	}
	var requests []reconcile.Request
	for i := range roles.Items {
		requests = append(requests, r.proposalsForRole(ctx, &roles.Items[i])...)
	}
	return requests
}

// proposalOfBallot maps a Ballot to the Proposal it is cast on, while that
// Proposal may still change phase: a closed one is not judged again, so a
// ballot cast or withdrawn after the decision changes nothing.
func (r *ProposalReconciler) proposalOfBallot(ctx context.Context, obj client.Object) []reconcile.Request {
	b, ok := obj.(*v1.Ballot)
	if !ok || b.Spec.ProposalRef == "" {
		return nil
	}
	key := client.ObjectKey{Namespace: b.Namespace, Name: string(b.Spec.ProposalRef)}
	var proposal v1.Proposal
	if err := r.Get(ctx, key, &proposal, client.UnsafeDisableDeepCopy); err != nil {
		// Not there (yet): its creation reconciles it with every ballot.
		return nil
	}
	if proposal.Status.Phase.IsClosed() {
		return nil
	}
	return []reconcile.Request{{NamespacedName: key}}
}

// heldProposals maps a change to an admission policy or binding to the
// accepted Proposals, which may be held waiting for it.
func (r *ProposalReconciler) heldProposals(ctx context.Context, _ client.Object) []reconcile.Request {
	var proposals v1.ProposalList
	if err := r.List(ctx, &proposals, client.UnsafeDisableDeepCopy); err != nil {
		logf.FromContext(ctx).Error(err, "listing the Proposals held by the admission check")
		return nil
	}
	var requests []reconcile.Request
	for i := range proposals.Items {
		if proposals.Items[i].Status.Phase == v1.PhaseAccepted {
			requests = append(requests, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&proposals.Items[i])})
		}
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

// SetupWithManager registers the controller and its watches; concurrency
// Proposals are reconciled at once.
func (r *ProposalReconciler) SetupWithManager(mgr ctrl.Manager, concurrency int) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1.Proposal{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&v1.Role{}, handler.EnqueueRequestsFromMapFunc(r.proposalsForRole),
			builder.WithPredicates(roleSpecOrMarkersChanged)).
		Watches(&v1.Ballot{}, handler.EnqueueRequestsFromMapFunc(r.proposalOfBallot),
			builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&v1.SkillMatrix{}, handler.EnqueueRequestsFromMapFunc(r.proposalsForMatrix),
			builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&admissionregistrationv1.ValidatingAdmissionPolicy{}, handler.EnqueueRequestsFromMapFunc(r.heldProposals)).
		Watches(&admissionregistrationv1.ValidatingAdmissionPolicyBinding{}, handler.EnqueueRequestsFromMapFunc(r.heldProposals)).
		Watches(&v1.GitWriteBack{}, handler.EnqueueRequestsFromMapFunc(r.proposalsForWriteBack),
			builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		WithOptions(controller.Options{MaxConcurrentReconciles: concurrency}).
		Named("proposal").
		Complete(r)
}
