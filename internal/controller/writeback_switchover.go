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

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/retry"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/gitwrite"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/kubecache"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/metrics"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/promotion"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/switchover"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// Switching over to Git write-back. When a GitWriteBack starts selecting a
// Role that carries promotions made in the cluster (history entries and
// Applied Proposals without a commit), Git lacks them: the first sync would
// undo them. So the switch-over reconciler first commits exactly those
// fields, as one commit per Role whose trailers name every carried Proposal
// (internal/switchover decides what, internal/gitwrite commits), or, when
// Git changed one of them meanwhile, records a conflict per field and
// commits nothing. Its outcome is a record in the GitWriteBack's status
// (status.switchOvers), which the Role reconciler, the only writer of the
// Role's status, turns into the WriteBack condition; accepted Proposals of
// the Role wait for that record (switchOverHold), so none is committed
// under a head that lacks the carried fields. Once Git carries them and
// the Role is synced, the promotions' field manager lets go of the Role's
// fields (releaseFields), so a sync of a later Git edit does not conflict
// with it.

// switchOverReconciler carries a Role's cluster-side promotions to Git when
// write-back is turned on for it. One worker: the records of one
// GitWriteBack are written in turns.
type switchOverReconciler struct {
	client.Client
	// live reads the Role's managedFields, which the cache strips.
	live      client.Reader
	writeBack *gitWriteBacks
	recorder  events.EventRecorder

	mu       sync.Mutex
	attempts map[client.ObjectKey]time.Time
}

func (r *switchOverReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1.Role{}).
		Watches(&v1.GitWriteBack{}, handler.EnqueueRequestsFromMapFunc(r.rolesOfWriteBack)).
		WithOptions(controller.Options{MaxConcurrentReconciles: 1}).
		Named("switchover").
		Complete(r)
}

// carriedPromotions are a Role's promotions made in the cluster, oldest
// first: the Applied Proposals without a commit that the bounded history no
// longer lists, then the history's entries whose Proposal records no
// commit. unknown are the history entries whose Proposal is gone (uid and
// name): nobody can say what they changed.
type carriedPromotions struct {
	carried  []switchover.Carried
	proposal []gitwrite.CarriedProposal
	unknown  []v1.AppliedProposal
	// known are the commits the Role's Proposals recorded: with the
	// switch-over records' and the signed ones, the only commits whose
	// trailers count.
	known []string
}

func (c *carriedPromotions) uids() []string {
	out := make([]string, len(c.carried))
	for i := range c.carried {
		out[i] = c.carried[i].UID
	}
	slices.Sort(out)
	return out
}

func listCarried(ctx context.Context, reader client.Reader, role *v1.Role) (*carriedPromotions, error) {
	var list v1.ProposalList
	if err := reader.List(ctx, &list, client.InNamespace(role.Namespace),
		client.MatchingFields{kubecache.IndexProposalRole: role.Name}); err != nil {
		return nil, fmt.Errorf("listing the Proposals of Role %s: %w", role.Name, err)
	}
	byUID := map[string]*v1.Proposal{}
	out := &carriedPromotions{}
	for i := range list.Items {
		p := &list.Items[i]
		byUID[string(p.UID)] = p
		for _, gc := range []*v1.GitCommitRecord{p.Status.GitCommit, p.Status.PendingCommit} {
			if gc != nil && gc.SHA != "" {
				out.known = append(out.known, gc.SHA)
			}
		}
	}
	add := func(p *v1.Proposal) {
		out.carried = append(out.carried, switchover.Carried{Proposal: p.Namespace + "/" + p.Name, UID: string(p.UID), Changes: p.Spec.Changes})
		out.proposal = append(out.proposal, gitwrite.CarriedProposal{Namespace: p.Namespace, Name: p.Name, UID: string(p.UID), Title: p.Spec.Title})
	}
	var trimmed []*v1.Proposal
	for _, p := range byUID {
		if p.Status.Phase == v1.PhaseApplied && p.Status.GitCommit == nil && role.Status.HistoryEntry(string(p.UID)) == nil {
			trimmed = append(trimmed, p)
		}
	}
	slices.SortFunc(trimmed, func(a, b *v1.Proposal) int {
		return cmp.Or(cmp.Compare(a.Status.AppliedRoleGeneration, b.Status.AppliedRoleGeneration), strings.Compare(a.Name, b.Name))
	})
	for _, p := range trimmed {
		add(p)
	}
	for _, entry := range role.Status.History {
		p := byUID[entry.UID]
		switch {
		case p == nil:
			out.unknown = append(out.unknown, entry)
		case p.Status.GitCommit == nil:
			add(p)
		}
	}
	return out, nil
}

// switchOverRecord is the GitWriteBack's record of the Role, or nil.
func switchOverRecord(wb *v1.GitWriteBack, role string) *v1.SwitchOverRecord {
	i := slices.IndexFunc(wb.Status.SwitchOvers, func(r v1.SwitchOverRecord) bool { return string(r.Role) == role })
	if i < 0 {
		return nil
	}
	return &wb.Status.SwitchOvers[i]
}

// switchedOver: the record is for exactly these promotions and Git carries
// them.
func switchedOver(rec *v1.SwitchOverRecord, uids []string) bool {
	return rec != nil && slices.Equal(rec.ProposalUIDs, uids) &&
		(rec.State == v1.SwitchOverCommitted || rec.State == v1.SwitchOverInGit)
}

// switchOverScope is what one reconcile of a Role's switch-over works on.
type switchOverScope struct {
	role   *v1.Role
	target *writeBackTarget
	found  *carriedPromotions
	// record is the Role's switch-over record on its GitWriteBack, as the
	// API server has it; uids are the carried promotions it must name.
	record *v1.SwitchOverRecord
	uids   []string
	now    time.Time
	result ctrl.Result
}

// Reconcile carries the Role's cluster-side promotions to Git once, records
// the outcome on its GitWriteBack, and lets go of the promoted fields once
// Git and the Role carry them.
func (r *switchOverReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var role v1.Role
	if err := r.Get(ctx, req.NamespacedName, &role); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !role.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}
	s := &switchOverScope{role: &role, now: time.Now()}
	err := runSteps(ctx, s, r.findTarget, r.findCarried, r.readRecord, r.releaseOnceSwitched, r.waitBackoff, r.carry)
	return s.result, err
}

// findTarget ends the reconcile unless one GitWriteBack, not suspended,
// selects the Role: ambiguity and suspension are reported by the
// Proposals' write, and the GitWriteBack watch brings the Role back when
// they end.
func (r *switchOverReconciler) findTarget(ctx context.Context, s *switchOverScope) (bool, error) {
	target, err := r.writeBack.targetFor(ctx, s.role)
	if err != nil || target == nil || target.problem != nil || target.config.Spec.Suspend {
		return true, err
	}
	s.target = target
	return false, nil
}

// findCarried lists the promotions the switch-over carries; with none and
// no record there is nothing to do.
func (r *switchOverReconciler) findCarried(ctx context.Context, s *switchOverScope) (bool, error) {
	found, err := listCarried(ctx, r.Client, s.role)
	if err != nil {
		return true, err
	}
	s.found, s.uids = found, found.uids()
	s.record = switchOverRecord(s.target.config, s.role.Name)
	return len(s.uids) == 0 && len(found.unknown) == 0 && s.record == nil, nil
}

func (r *switchOverReconciler) readRecord(ctx context.Context, s *switchOverScope) (bool, error) {
	rec, err := r.currentRecord(ctx, s.target.config, s.record, s.role.Name, s.uids)
	s.record = rec
	return err != nil, err
}

// releaseOnceSwitched lets go of the promotions' fields once Git carries
// them and the Role is synced; that ends the switch-over.
func (r *switchOverReconciler) releaseOnceSwitched(ctx context.Context, s *switchOverScope) (bool, error) {
	if !switchedOver(s.record, s.uids) {
		return false, nil
	}
	return true, r.releaseFields(ctx, s.role, s.target.config, s.record)
}

func (r *switchOverReconciler) waitBackoff(_ context.Context, s *switchOverScope) (bool, error) {
	key := client.ObjectKeyFromObject(s.role)
	if wait := r.backoff(key, s.record, s.uids, s.now); wait > 0 {
		s.result = ctrl.Result{RequeueAfter: wait}
		return true, nil
	}
	r.recordAttempt(key, s.now)
	return false, nil
}

// carry commits the carried promotions and records the outcome; a
// conflict or failure is tried again after as long as it has lasted.
func (r *switchOverReconciler) carry(ctx context.Context, s *switchOverScope) (bool, error) {
	next, err := r.switchOver(ctx, s.role, s.target, s.found)
	if err != nil {
		return true, err
	}
	if err := r.writeRecord(ctx, s.target.config, s.record, next, s.now); err != nil {
		return true, err
	}
	if next.State == v1.SwitchOverConflicted || next.State == v1.SwitchOverFailed {
		s.result = ctrl.Result{RequeueAfter: min(max(s.now.Sub(next.LastTransitionTime.Time), writeBackMinRetry), writeBackMaxRetry)}
	}
	return true, nil
}

// backoff is how long a Role whose switch-over conflicted or failed for
// this set of Proposals waits before the next attempt: as long after the
// last attempt as the state had lasted then, so the delay doubles (a
// conflict ends when someone mends Git, which sends no event). A restart
// tries at once.
func (r *switchOverReconciler) backoff(key client.ObjectKey, rec *v1.SwitchOverRecord, uids []string, now time.Time) time.Duration {
	if rec == nil || !slices.Equal(rec.ProposalUIDs, uids) {
		return 0
	}
	last, ok := r.lastAttempt(key)
	if !ok {
		return 0
	}
	delay := min(max(last.Sub(rec.LastTransitionTime.Time), writeBackMinRetry), writeBackMaxRetry)
	if now.Sub(last) < delay {
		return delay - now.Sub(last)
	}
	return 0
}

// currentRecord is rec, the Role's record as cached, unless that does not
// show the switch-over done: then the record as stored, read past the
// cache. The cache may not show this worker's own last record yet, and a
// second switch-over would find Git holding every field and record InGit
// over the commit it made (its trailers count only once it is recorded).
func (r *switchOverReconciler) currentRecord(ctx context.Context, wb *v1.GitWriteBack, rec *v1.SwitchOverRecord, role string,
	uids []string) (*v1.SwitchOverRecord, error) {
	if switchedOver(rec, uids) {
		return rec, nil
	}
	var current v1.GitWriteBack
	if err := r.live.Get(ctx, client.ObjectKeyFromObject(wb), &current); err != nil {
		return rec, client.IgnoreNotFound(err)
	}
	if live := switchOverRecord(&current, role); switchedOver(live, uids) {
		return live, nil
	}
	return rec, nil
}

// lastAttempt is when the Role was last tried by this process.
func (r *switchOverReconciler) lastAttempt(key client.ObjectKey) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	last, ok := r.attempts[key]
	return last, ok
}

func (r *switchOverReconciler) recordAttempt(key client.ObjectKey, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.attempts == nil {
		r.attempts = map[client.ObjectKey]time.Time{}
	}
	r.attempts[key] = now
}

// switchOver makes (or finds) the switch-over commit and returns the record
// of what became of it.
func (r *switchOverReconciler) switchOver(ctx context.Context, role *v1.Role, t *writeBackTarget,
	found *carriedPromotions) (*v1.SwitchOverRecord, error) {
	rec := &v1.SwitchOverRecord{Role: v1.ObjectName(role.Name), ProposalUIDs: found.uids()}
	for _, p := range found.proposal {
		rec.Proposals = append(rec.Proposals, v1.ObjectName(p.Name))
	}
	fail := func(err error) (*v1.SwitchOverRecord, error) {
		reason := writeBackReason(err)
		if reason == "" {
			return nil, err
		}
		metrics.GitWrites.WithLabelValues(reason).Inc()
		rec.State, rec.Reason = v1.SwitchOverFailed, reason
		rec.Message = text.Truncate("the switch-over commit is not written yet: "+err.Error(), 4096)
		return rec, nil
	}
	cfg, err := r.writeBack.config(ctx, t)
	if err != nil {
		r.writeBack.report(ctx, t.config, err, "")
		return fail(err)
	}
	so := gitwrite.SwitchOver{
		Namespace: role.Namespace, Role: role.Name, Proposals: found.proposal,
		Plan: func(git *v1.RoleSpec) ([]v1.Change, error) {
			plan := switchover.MakePlan(git, &role.Spec, found.carried)
			if len(plan.Conflicts) > 0 {
				return nil, &switchover.ConflictError{Conflicts: plan.Conflicts}
			}
			for _, field := range plan.Reverted {
				r.recorder.Eventf(role, nil, corev1.EventTypeWarning, v1.ReasonSwitchOverCommitted, "SwitchOver",
					"%s: the Role no longer holds the value an applied Proposal set; the switch-over commits the applied value", field)
			}
			return plan.Changes, nil
		},
	}
	for _, u := range found.unknown {
		so.Unknown = append(so.Unknown, u.UID)
	}
	so.Known = found.known
	for _, rec := range t.config.Status.SwitchOvers {
		if rec.Commit != "" {
			so.Known = append(so.Known, rec.Commit)
		}
	}
	started := time.Now()
	res, err := r.writeBack.writer.SwitchOver(ctx, cfg, so)
	metrics.GitWriteDuration.Observe(time.Since(started).Seconds())
	if err != nil {
		r.writeBack.report(ctx, t.config, err, "")
		return fail(err)
	}
	pushed := res.Commit
	if res.Existing {
		pushed = ""
	}
	r.writeBack.report(ctx, t.config, nil, pushed)
	return r.outcome(ctx, rec, found, res, fail)
}

// outcome fills the record from what the switch-over write returned.
func (r *switchOverReconciler) outcome(ctx context.Context, rec *v1.SwitchOverRecord, found *carriedPromotions,
	res gitwrite.SwitchOverResult, fail func(error) (*v1.SwitchOverRecord, error)) (*v1.SwitchOverRecord, error) {
	for _, u := range found.unknown {
		if slices.Contains(res.UnknownNotInGit, u.UID) {
			rec.Missing = append(rec.Missing, u.Name)
		}
	}
	if conflict, ok := errors.AsType[*switchover.ConflictError](res.Err); ok {
		metrics.GitWrites.WithLabelValues("conflicted").Inc()
		rec.State, rec.Reason = v1.SwitchOverConflicted, v1.ReasonSwitchOverConflict
		for _, c := range conflict.Conflicts {
			rec.Conflicts = append(rec.Conflicts, text.Truncate(c.String(), 1024))
		}
		rec.Message = text.Truncate(fmt.Sprintf("Git changed %d field(s) that Proposals promoted in the cluster set (%s); nothing is committed for the Role until Git holds a value they replaced or set: %s",
			len(conflict.Conflicts), joinNames(rec.Proposals), strings.Join(rec.Conflicts, "; ")), 4096)
		return rec, nil
	}
	if res.Err != nil {
		return fail(res.Err)
	}
	rec.Commit, rec.File = res.Commit, res.Path
	if res.Commit != "" {
		rec.CommittedAt = &metav1.Time{Time: res.CommittedAt}
	}
	switch {
	case res.Commit == "":
		rec.State, rec.Reason = v1.SwitchOverInGit, v1.ReasonSynced
		rec.Message = fmt.Sprintf("Git already holds every field the %d Proposal(s) promoted in the cluster set; nothing was committed", len(rec.Proposals))
		if len(rec.Proposals) == 0 {
			rec.Message = "no Proposal promoted in the cluster is missing from Git"
		}
	case res.Existing:
		metrics.GitWrites.WithLabelValues("existing").Inc()
		rec.State, rec.Reason = v1.SwitchOverCommitted, v1.ReasonAwaitingSync
		rec.Message = fmt.Sprintf("switch-over commit %s (%s) carries %d Proposal(s) promoted in the cluster", res.Commit, res.Path, len(rec.Proposals))
	default:
		metrics.GitWrites.WithLabelValues("committed").Inc()
		rec.State, rec.Reason = v1.SwitchOverCommitted, v1.ReasonAwaitingSync
		rec.Message = fmt.Sprintf("switch-over commit %s (%s) carries %d Proposal(s) promoted in the cluster", res.Commit, res.Path, len(rec.Proposals))
		logf.FromContext(ctx).Info("committed a Role's cluster-side promotions to Git", "commit", res.Commit, "file", res.Path,
			"proposals", rec.Proposals)
	}
	if len(rec.Missing) > 0 {
		rec.Message += fmt.Sprintf("; not carried, their Proposals were deleted and no commit names them: %s", joinNames(rec.Missing))
	}
	return rec, nil
}

func joinNames(names []v1.ObjectName) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = string(n)
	}
	return strings.Join(out, ", ")
}

// writeRecord stores next as the Role's record, keeping the transition time
// while the state stays, with Events for what changed: one per conflict,
// one per commit, one per uncarried Proposal. The GitWriteBack is read live
// and the patch guarded by its resourceVersion, so neither another record
// nor the write's own Ready and lastCommit are dropped.
func (r *switchOverReconciler) writeRecord(ctx context.Context, wb *v1.GitWriteBack, prev, next *v1.SwitchOverRecord, now time.Time) error {
	next.LastTransitionTime = metav1.NewTime(now)
	if prev != nil && prev.State == next.State && slices.Equal(prev.ProposalUIDs, next.ProposalUIDs) {
		next.LastTransitionTime = prev.LastTransitionTime
	}
	if prev != nil && equality.Semantic.DeepEqual(*prev, *next) {
		return nil
	}
	role := &v1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: wb.Namespace, Name: string(next.Role)}}
	if err := r.Get(ctx, client.ObjectKeyFromObject(role), role); err != nil {
		return client.IgnoreNotFound(err)
	}
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var current v1.GitWriteBack
		if err := r.live.Get(ctx, client.ObjectKeyFromObject(wb), &current); err != nil {
			return err
		}
		// The cache may be behind this worker's own last record.
		if stored := switchOverRecord(&current, string(next.Role)); stored != nil {
			prev = stored
			if stored.State == next.State && slices.Equal(stored.ProposalUIDs, next.ProposalUIDs) {
				next.LastTransitionTime = stored.LastTransitionTime
			}
			if equality.Semantic.DeepEqual(*stored, *next) {
				return nil
			}
		}
		updated := current.DeepCopy()
		if i := slices.IndexFunc(updated.Status.SwitchOvers, func(x v1.SwitchOverRecord) bool { return x.Role == next.Role }); i >= 0 {
			updated.Status.SwitchOvers[i] = *next
		} else {
			updated.Status.SwitchOvers = append(updated.Status.SwitchOvers, *next)
		}
		return r.Status().Patch(ctx, updated, client.MergeFromWithOptions(&current, client.MergeFromWithOptimisticLock{}))
	})
	if err != nil {
		return fmt.Errorf("recording the switch-over of Role %s in GitWriteBack %s: %w", next.Role, wb.Name, client.IgnoreNotFound(err))
	}
	r.recordEvents(role, wb, prev, next)
	return nil
}

// recordEvents tells on the Role what a new record changed: one Event per
// conflicting field, one per commit, one per uncarried Proposal.
func (r *switchOverReconciler) recordEvents(role *v1.Role, wb *v1.GitWriteBack, prev, next *v1.SwitchOverRecord) {
	if prev != nil && slices.Equal(prev.Conflicts, next.Conflicts) && prev.Commit == next.Commit && slices.Equal(prev.Missing, next.Missing) {
		return
	}
	for _, c := range next.Conflicts {
		r.recorder.Eventf(role, wb, corev1.EventTypeWarning, v1.ReasonSwitchOverConflict, "SwitchOver", "%s", c)
	}
	if next.Commit != "" && (prev == nil || prev.Commit != next.Commit) {
		r.recorder.Eventf(role, wb, corev1.EventTypeNormal, v1.ReasonSwitchOverCommitted, "SwitchOver", "%s", next.Message)
	}
	for _, name := range next.Missing {
		r.recorder.Eventf(role, wb, corev1.EventTypeWarning, v1.ReasonSwitchOverUncarried, "SwitchOver",
			"Proposal %q is in the Role's history, but it was deleted, so what it changed is unknown and it cannot be carried to Git", name)
	}
}

// releaseFields lets go of the Role's fields that the promotions' field
// manager owns, once Git carries the promotions and the Role is synced
// (another manager of the Role owns every spec field the promotions' manager
// owns, as a server-side apply sync of the same values makes it; at once
// when Git held them already). The manager's entry is removed from
// metadata.managedFields, which keeps every value: an empty apply
// configuration would instead delete the fields that manager alone owns.
// Under write-back the promoter never writes the Role again, so nothing
// takes them back, and a later sync of a Git edit meets no conflict.
func (r *switchOverReconciler) releaseFields(ctx context.Context, role *v1.Role, wb *v1.GitWriteBack, rec *v1.SwitchOverRecord) error {
	if rec.FieldsReleased {
		return nil
	}
	var live v1.Role
	if err := r.live.Get(ctx, client.ObjectKeyFromObject(role), &live); err != nil {
		return client.IgnoreNotFound(err)
	}
	if rec.State == v1.SwitchOverCommitted {
		shared, err := promotion.SpecShared(live.ManagedFields)
		if err != nil {
			return fmt.Errorf("reading the field ownership of Role %s: %w", role.Name, err)
		}
		if !shared {
			// Not synced yet: the sync's write of the Role wakes this again.
			return nil
		}
	}
	kept := slices.DeleteFunc(slices.Clone(live.ManagedFields), func(m metav1.ManagedFieldsEntry) bool {
		return m.Manager == promotion.FieldManager
	})
	if len(kept) < len(live.ManagedFields) {
		if len(kept) == 0 {
			// An empty list leaves managedFields as they are; one empty
			// entry clears them.
			kept = []metav1.ManagedFieldsEntry{{}}
		}
		updated := live.DeepCopy()
		updated.ManagedFields = kept
		if err := r.Patch(ctx, updated, client.MergeFromWithOptions(&live, client.MergeFromWithOptimisticLock{})); err != nil {
			if apierrors.IsConflict(err) {
				return fmt.Errorf("releasing the promotions' fields of Role %s: the Role changed meanwhile: %w", role.Name, err)
			}
			return fmt.Errorf("releasing the promotions' fields of Role %s: %w", role.Name, err)
		}
	}
	released := *rec
	released.FieldsReleased = true
	return r.writeRecord(ctx, wb, rec, &released, released.LastTransitionTime.Time)
}

// rolesOfWriteBack maps a GitWriteBack to the Roles of its namespace: a
// new, changed or resumed configuration may start their switch-over.
func (r *switchOverReconciler) rolesOfWriteBack(ctx context.Context, obj client.Object) []reconcile.Request {
	var roles v1.RoleList
	if err := r.List(ctx, &roles, client.InNamespace(obj.GetNamespace()), client.UnsafeDisableDeepCopy); err != nil {
		logf.FromContext(ctx).Error(err, "listing the Roles a GitWriteBack may switch over", "gitWriteBack", client.ObjectKeyFromObject(obj))
		return nil
	}
	requests := make([]reconcile.Request, len(roles.Items))
	for i := range roles.Items {
		requests[i] = reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&roles.Items[i])}
	}
	return requests
}

// switchOverHold says why an accepted Proposal of the Role waits ("" when
// it does not): the Role carries promotions made in the cluster that no
// switch-over commit has brought to Git yet. Committing it first would
// put a head without them under the sync, which would undo them.
func (g *gitWriteBacks) switchOverHold(ctx context.Context, role *v1.Role, t *writeBackTarget) (string, error) {
	found, err := listCarried(ctx, g.client, role)
	if err != nil {
		return "", err
	}
	uids := found.uids()
	rec := switchOverRecord(t.config, role.Name)
	if len(uids) == 0 || switchedOver(rec, uids) {
		return "", nil
	}
	msg := fmt.Sprintf("waits for the switch-over of Role %q: %d Proposal(s) promoted in the cluster are committed to Git first", role.Name, len(uids))
	if rec != nil && slices.Equal(rec.ProposalUIDs, uids) {
		msg += ": " + rec.Message
	}
	return msg, nil
}

// setSwitchOverCondition shows the Role's switch-over on its WriteBack
// condition, from the GitWriteBack's record: a conflict or failure before
// anything else (it holds every accepted Proposal of the Role), then what
// the Role's Proposals say (busy: one fails or waits for its sync), then a
// switch-over commit not yet synced, then Synced.
func setSwitchOverCondition(ctx context.Context, reader client.Reader, role *v1.Role, conds *conditionSet, busy, committed bool) error {
	var list v1.GitWriteBackList
	if err := reader.List(ctx, &list, client.InNamespace(role.Namespace)); err != nil {
		return fmt.Errorf("listing the GitWriteBacks of namespace %s: %w", role.Namespace, err)
	}
	t := selectWriteBack(role, list.Items)
	if t == nil || t.problem != nil {
		return nil
	}
	rec := switchOverRecord(t.config, role.Name)
	if rec == nil || len(rec.Proposals) == 0 && len(rec.Missing) == 0 && rec.State == v1.SwitchOverInGit {
		return nil
	}
	switch {
	case rec.State == v1.SwitchOverConflicted || rec.State == v1.SwitchOverFailed:
		conds.set(v1.ConditionWriteBack, metav1.ConditionFalse, rec.Reason, "switch-over: "+rec.Message)
	case busy:
	case rec.State == v1.SwitchOverCommitted && !rec.FieldsReleased:
		conds.set(v1.ConditionWriteBack, metav1.ConditionUnknown, v1.ReasonAwaitingSync,
			fmt.Sprintf("%s; waiting since %s for the sync to bring it into the Role",
				rec.Message, rec.LastTransitionTime.UTC().Format(time.RFC3339)))
	case len(rec.Missing) > 0:
		conds.set(v1.ConditionWriteBack, metav1.ConditionTrue, v1.ReasonSwitchOverUncarried, "switch-over: "+rec.Message)
	case !committed:
		conds.set(v1.ConditionWriteBack, metav1.ConditionTrue, v1.ReasonSynced, "switch-over: "+rec.Message)
	}
	return nil
}

// rolesOfSwitchOvers maps a GitWriteBack to the Roles its switch-over
// records name: their WriteBack condition shows the record.
func rolesOfSwitchOvers(_ context.Context, obj client.Object) []reconcile.Request {
	wb, ok := obj.(*v1.GitWriteBack)
	if !ok {
		return nil
	}
	requests := make([]reconcile.Request, len(wb.Status.SwitchOvers))
	for i, rec := range wb.Status.SwitchOvers {
		requests[i] = reconcile.Request{NamespacedName: client.ObjectKey{Namespace: wb.Namespace, Name: string(rec.Role)}}
	}
	return requests
}
