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
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
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
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/gitwrite"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// gitWriteBackReconciler is the only writer of a GitWriteBack's status. It
// checks the repository when the GitWriteBack is created or changed, when
// a write through it succeeds or fails, and then every spec.interval (Git
// has no watch, and the operator may only get Secrets, not watch them): the
// URL, the Secret, the signing key, the credentials and host key (an
// ls-remote) and the tracked branch. Ready, Reconciling and Stalled say
// what it found, with a reason per failure. It also carries the Roles it
// selects over to write-back (switchOvers) and keeps their records, and
// shows the last commit pushed through it, from the Proposals' records.
type gitWriteBackReconciler struct {
	client.Client
	// live reads the Role's managedFields, which the cache strips, and the
	// GitWriteBack past the cache before a switch-over commit.
	live      client.Reader
	writeBack *gitWriteBacks
	recorder  events.EventRecorder

	mu sync.Mutex
	// checks are the last repository checks, per GitWriteBack.
	checks map[types.UID]repoCheck
	// attempts are the last switch-over attempts, per Role.
	attempts map[client.ObjectKey]time.Time
}

// repoCheck is one check of a GitWriteBack's repository.
type repoCheck struct {
	generation int64
	at         time.Time
}

// gitWriteBackScope is what one reconcile of a GitWriteBack works on.
type gitWriteBackScope struct {
	wb    *v1.GitWriteBack
	conds *conditionSet
	now   time.Time
	// all are the namespace's GitWriteBacks, to tell which Roles this one
	// selects alone.
	all []v1.GitWriteBack
	// roles and proposals are the namespace's, shared with the cache.
	roles     map[string]*v1.Role
	proposals []*v1.Proposal
	// outcome is the newest write outcome through the GitWriteBack.
	outcome time.Time
	// requeue is when the reconcile must run again, 0 for never.
	requeue time.Duration
	// changed are the switch-over records this reconcile made, with the
	// ones they replace, announced once the status is written.
	changed []recordChange
	// fresh: the GitWriteBack was read past the cache in this reconcile.
	fresh bool
}

type recordChange struct {
	role       *v1.Role
	prev, next *v1.SwitchOverRecord
}

func (s *gitWriteBackScope) requeueAfter(d time.Duration) {
	if d > 0 && (s.requeue == 0 || d < s.requeue) {
		s.requeue = d
	}
}

// Reconcile checks the repository, carries the selected Roles over, and
// writes the status once.
func (r *gitWriteBackReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var wb v1.GitWriteBack
	if err := r.Get(ctx, req.NamespacedName, &wb); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !wb.DeletionTimestamp.IsZero() {
		r.forget(wb.UID)
		return ctrl.Result{}, nil
	}
	original := wb.DeepCopy()
	s := &gitWriteBackScope{wb: &wb, conds: newConditionSet(wb.Generation, &wb.Status.Conditions), now: time.Now()}
	reconcileErr := runSteps(ctx, s, r.listNamespace, r.checkRepository, r.switchOvers, r.lastCommit)
	wb.Status.ObservedGeneration = wb.Generation
	result, wrote, err := writeStatus(ctx, r.Client, r.recorder, &wb, original, s.conds,
		ctrl.Result{RequeueAfter: s.requeue}, reconcileErr)
	if wrote && err == nil {
		for _, c := range s.changed {
			r.recordEvents(c.role, &wb, c.prev, c.next)
		}
	}
	return result, err
}

// listNamespace reads the namespace's GitWriteBacks and Proposals, and the
// newest write outcome through this GitWriteBack.
func (r *gitWriteBackReconciler) listNamespace(ctx context.Context, s *gitWriteBackScope) (bool, error) {
	var wbs v1.GitWriteBackList
	if err := r.List(ctx, &wbs, client.InNamespace(s.wb.Namespace)); err != nil {
		return true, fmt.Errorf("listing the GitWriteBacks of namespace %s: %w", s.wb.Namespace, err)
	}
	s.all = wbs.Items
	var roles v1.RoleList
	if err := r.List(ctx, &roles, client.InNamespace(s.wb.Namespace), client.UnsafeDisableDeepCopy); err != nil {
		return true, fmt.Errorf("listing the Roles of namespace %s: %w", s.wb.Namespace, err)
	}
	s.roles = make(map[string]*v1.Role, len(roles.Items))
	for i := range roles.Items {
		s.roles[roles.Items[i].Name] = &roles.Items[i]
	}
	var proposals v1.ProposalList
	if err := r.List(ctx, &proposals, client.InNamespace(s.wb.Namespace), client.UnsafeDisableDeepCopy); err != nil {
		return true, fmt.Errorf("listing the Proposals of namespace %s: %w", s.wb.Namespace, err)
	}
	for i := range proposals.Items {
		p := &proposals.Items[i]
		s.proposals = append(s.proposals, p)
		if !s.wroteThrough(p) {
			continue
		}
		if c := meta.FindStatusCondition(p.Status.Conditions, v1.ConditionCommitted); c != nil && c.LastTransitionTime.After(s.outcome) {
			s.outcome = c.LastTransitionTime.Time
		}
	}
	return false, nil
}

// wroteThrough reports whether p was, or is being, written back through
// the scope's GitWriteBack.
func (s *gitWriteBackScope) wroteThrough(p *v1.Proposal) bool {
	for _, gc := range []*v1.GitCommitRecord{p.Status.GitCommit, p.Status.PendingCommit} {
		if gc != nil {
			return string(gc.GitWriteBack) == s.wb.Name
		}
	}
	role := s.roles[string(p.Spec.RoleRef)]
	if role == nil || meta.FindStatusCondition(p.Status.Conditions, v1.ConditionCommitted) == nil {
		return false
	}
	t := selectWriteBack(role, s.all)
	return t != nil && t.config != nil && t.config.Name == s.wb.Name
}

// checkRepository checks the repository when the GitWriteBack is new or
// changed, when a write through it turned since the last check, and every
// interval; in between, Ready stays as the last check left it.
func (r *gitWriteBackReconciler) checkRepository(ctx context.Context, s *gitWriteBackScope) (bool, error) {
	wb := s.wb
	interval := gitInterval(wb)
	last, ok := r.lastCheck(wb.UID)
	// A write outcome (a Proposal's Committed condition that turned) in the
	// second of the last check or later checks again at once: conditions
	// keep whole seconds.
	outcomeSince := !s.outcome.IsZero() && !s.outcome.Before(last.at.Truncate(time.Second))
	if ok && last.generation == wb.Generation && !outcomeSince && s.now.Sub(last.at) < interval &&
		meta.FindStatusCondition(wb.Status.Conditions, v1.ConditionReady) != nil {
		s.requeueAfter(interval - s.now.Sub(last.at))
		return false, nil
	}
	msg, reason, err := r.check(ctx, wb)
	if err != nil {
		return true, err
	}
	r.recordCheck(wb.UID, repoCheck{generation: wb.Generation, at: time.Now()})
	s.requeueAfter(interval)
	switch {
	case reason == "":
		if wb.Spec.Suspend {
			msg += "; suspended: nothing is committed until spec.suspend is unset"
		}
		s.conds.conclude(progressDone, v1.ReasonReady, msg)
	case v1.ReasonStalls(reason):
		s.conds.conclude(progressStalled, reason, msg)
	default:
		s.conds.conclude(progressInFlight, reason, msg)
	}
	return false, nil
}

// check reads the Secrets and lists the remote's branches: the message
// and "" when the repository can be written, else the reason and what
// failed. err is for what a retry mends (an API call that failed).
func (r *gitWriteBackReconciler) check(ctx context.Context, wb *v1.GitWriteBack) (msg, reason string, err error) {
	if branchMode(wb) && gitwrite.BranchName(cmp.Or(wb.Spec.BranchPrefix, v1.DefaultBranchPrefix), wb.Namespace, "proposal") == "" {
		return fmt.Sprintf("branchPrefix %q and the namespace make no valid branch name", wb.Spec.BranchPrefix),
			v1.ReasonWriteBackConfigInvalid, nil
	}
	cfg, err := r.writeBack.config(ctx, &writeBackTarget{config: wb, path: wb.Spec.Path})
	if err == nil {
		var res gitwrite.CheckResult
		if res, err = r.writeBack.writer.Check(ctx, cfg); err == nil {
			what := "the Secret is readable"
			if cfg.Signing != nil {
				what += ", the signing key signs"
			}
			return fmt.Sprintf("%s, and %s lists branch %s at %s", what, cfg.URL, cfg.Branch, res.Head), "", nil
		}
	}
	if reason = writeBackReason(err); reason == "" {
		return "", "", err
	}
	return text.Truncate(err.Error(), 4096), reason, nil
}

// switchOvers carries over each Role this GitWriteBack alone selects that
// holds promotions made in the cluster, and follows the switch-overs done
// to their sync.
func (r *gitWriteBackReconciler) switchOvers(ctx context.Context, s *gitWriteBackScope) (bool, error) {
	names := slices.Sorted(maps.Keys(s.roles))
	for _, name := range names {
		role := s.roles[name]
		t := selectWriteBack(role, s.all)
		if t == nil || t.problem != nil || t.config.Name != s.wb.Name || !role.DeletionTimestamp.IsZero() {
			continue
		}
		t.config = s.wb
		if err := r.switchOverRole(ctx, s, role, t); err != nil {
			return true, err
		}
	}
	return false, nil
}

// switchOverRole brings one Role's switch-over a step further: its
// commit, or its sync.
func (r *gitWriteBackReconciler) switchOverRole(ctx context.Context, s *gitWriteBackScope, role *v1.Role, t *writeBackTarget) error {
	found, err := listCarried(ctx, r.Client, role)
	if err != nil {
		return err
	}
	uids := found.uids()
	prev := switchOverRecord(s.wb, role.Name)
	if len(uids) == 0 && len(found.unknown) == 0 && prev == nil {
		return nil
	}
	if switchedOver(prev, uids) {
		if prev.FieldsReleased {
			return nil
		}
		return r.followSync(ctx, s, role, t, prev, found)
	}
	if s.wb.Spec.Suspend {
		return nil
	}
	key := client.ObjectKeyFromObject(role)
	if wait := r.backoff(key, prev, uids, s.now); wait > 0 {
		s.requeueAfter(wait)
		return nil
	}
	if !s.fresh {
		// The cache may not show this worker's own last record yet: a
		// second switch-over would find Git holding every field and record
		// InGit over the commit it made. Work only from the stored status.
		var stored v1.GitWriteBack
		if err := r.live.Get(ctx, client.ObjectKeyFromObject(s.wb), &stored); err != nil {
			return client.IgnoreNotFound(err)
		}
		if stored.ResourceVersion != s.wb.ResourceVersion {
			return fmt.Errorf("GitWriteBack %s: %w", s.wb.Name, errStale)
		}
		s.fresh = true
	}
	r.recordAttempt(key, s.now)
	next, err := r.switchOver(ctx, role, t, found)
	if err != nil {
		return err
	}
	r.putRecord(s, role, prev, next)
	if next.State == v1.SwitchOverConflicted || next.State == v1.SwitchOverFailed {
		s.requeueAfter(min(max(s.now.Sub(next.LastTransitionTime.Time), writeBackMinRetry), writeBackMaxRetry))
	}
	return nil
}

// followSync marks a switch-over synced, and lets go of the promotions'
// fields, once the sync applied its commit (switchOverSynced). The Role's
// writes by its sync wake the GitWriteBack; a failure to read Git is
// retried at the interval.
func (r *gitWriteBackReconciler) followSync(ctx context.Context, s *gitWriteBackScope, role *v1.Role, t *writeBackTarget,
	rec *v1.SwitchOverRecord, found *carriedPromotions) error {
	var live v1.Role
	if err := r.live.Get(ctx, client.ObjectKeyFromObject(role), &live); err != nil {
		return client.IgnoreNotFound(err)
	}
	wait, err := r.switchOverSynced(ctx, &live, t, rec, found)
	if err != nil {
		if writeBackReason(err) == "" {
			return err
		}
		logf.FromContext(ctx).Info("cannot read the switch-over commit to tell whether it is synced", "role", role.Name, "error", err.Error())
		s.requeueAfter(gitInterval(s.wb))
		return nil
	}
	if wait != "" {
		logf.FromContext(ctx).V(1).Info("switch-over not synced yet", "role", role.Name, "waiting for", wait)
		return nil
	}
	if err := r.releaseFields(ctx, &live); err != nil {
		return err
	}
	next := rec.DeepCopy()
	next.FieldsReleased = true
	if rec.State == v1.SwitchOverCommitted {
		next.Reason = v1.ReasonSynced
		next.Message = text.Truncate(rec.Message+"; synced: the Role holds what the commit holds for every field it carried", 4096)
	}
	r.putRecord(s, role, rec, next)
	return nil
}

// putRecord stores next as the Role's record in the status being written,
// keeping the transition time while the state stays.
func (r *gitWriteBackReconciler) putRecord(s *gitWriteBackScope, role *v1.Role, prev, next *v1.SwitchOverRecord) {
	next.LastTransitionTime = metav1.NewTime(s.now)
	if prev != nil && prev.State == next.State && slices.Equal(prev.ProposalUIDs, next.ProposalUIDs) {
		next.LastTransitionTime = prev.LastTransitionTime
	}
	if prev != nil && equality.Semantic.DeepEqual(*prev, *next) {
		return
	}
	var before *v1.SwitchOverRecord
	if prev != nil {
		before = prev.DeepCopy()
	}
	records := &s.wb.Status.SwitchOvers
	if i := slices.IndexFunc(*records, func(x v1.SwitchOverRecord) bool { return x.Role == next.Role }); i >= 0 {
		(*records)[i] = *next
	} else {
		*records = append(*records, *next)
	}
	s.changed = append(s.changed, recordChange{role: role, prev: before, next: next})
}

// lastCommit shows the newest commit pushed through the GitWriteBack: a
// Proposal's (its record, when the push returned) or a switch-over's.
func (r *gitWriteBackReconciler) lastCommit(_ context.Context, s *gitWriteBackScope) (bool, error) {
	var sha string
	var at time.Time
	consider := func(commit string, when time.Time) {
		if commit != "" && (sha == "" || when.After(at)) {
			sha, at = commit, when
		}
	}
	for _, p := range s.proposals {
		if gc := p.Status.GitCommit; gc != nil && string(gc.GitWriteBack) == s.wb.Name {
			consider(gc.SHA, gc.CommittedAt.Time)
		}
	}
	for _, rec := range s.wb.Status.SwitchOvers {
		if rec.CommittedAt != nil {
			consider(rec.Commit, rec.CommittedAt.Time)
		}
	}
	if sha != "" && sha != s.wb.Status.LastCommit {
		s.wb.Status.LastCommit = sha
		s.wb.Status.LastPushTime = &metav1.Time{Time: at.Truncate(time.Second)}
	}
	return false, nil
}

func (r *gitWriteBackReconciler) lastCheck(uid types.UID) (repoCheck, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.checks[uid]
	return c, ok
}

func (r *gitWriteBackReconciler) recordCheck(uid types.UID, c repoCheck) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.checks == nil {
		r.checks = map[types.UID]repoCheck{}
	}
	r.checks[uid] = c
}

func (r *gitWriteBackReconciler) forget(uid types.UID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.checks, uid)
}

// writeBacksOfNamespace maps an object to every GitWriteBack of its
// namespace: a Role or Proposal may concern any of them (selection, records,
// write outcomes), and a namespace holds few.
func (r *gitWriteBackReconciler) writeBacksOfNamespace(ctx context.Context, obj client.Object) []reconcile.Request {
	var list v1.GitWriteBackList
	if err := r.List(ctx, &list, client.InNamespace(obj.GetNamespace())); err != nil {
		logf.FromContext(ctx).Error(err, "listing the GitWriteBacks of a namespace", "namespace", obj.GetNamespace())
		return nil
	}
	requests := make([]reconcile.Request, len(list.Items))
	for i := range list.Items {
		requests[i] = reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])}
	}
	return requests
}

// roleWrittenByOthers lets through the Role events a switch-over follows:
// creation and deletion, a new spec, a new history, and a write that left
// the status alone (a sync that took ownership of values it left as they
// were changes the managedFields only, which the cache strips). The Role
// controller's own status writes are filtered out.
var roleWrittenByOthers = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		oldRole, okOld := e.ObjectOld.(*v1.Role)
		newRole, okNew := e.ObjectNew.(*v1.Role)
		if !okOld || !okNew {
			return true
		}
		return oldRole.Generation != newRole.Generation ||
			!equality.Semantic.DeepEqual(oldRole.Status.History, newRole.Status.History) ||
			equality.Semantic.DeepEqual(oldRole.Status, newRole.Status)
	},
}

// writeOutcomeChanged lets through the Proposal events that change what a
// GitWriteBack shows or carries: a write outcome (writeBackKey), a phase
// (a promotion in the cluster adds to a switch-over), and deletions.
var writeOutcomeChanged = predicate.Funcs{
	CreateFunc:  func(event.CreateEvent) bool { return false },
	GenericFunc: func(event.GenericEvent) bool { return false },
	UpdateFunc: func(e event.UpdateEvent) bool {
		oldP, okOld := e.ObjectOld.(*v1.Proposal)
		newP, okNew := e.ObjectNew.(*v1.Proposal)
		if !okOld || !okNew {
			return true
		}
		return writeBackKey(oldP) != writeBackKey(newP) || oldP.Status.Phase != newP.Status.Phase
	},
}

// SetupWithManager registers the controller: one worker, so the records
// of one GitWriteBack are written in turns and a Role is switched over by
// one reconcile at a time.
func (r *gitWriteBackReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1.GitWriteBack{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&v1.Role{}, handler.EnqueueRequestsFromMapFunc(r.writeBacksOfNamespace), builder.WithPredicates(roleWrittenByOthers)).
		Watches(&v1.Proposal{}, handler.EnqueueRequestsFromMapFunc(r.writeBacksOfNamespace), builder.WithPredicates(writeOutcomeChanged)).
		WithOptions(controller.Options{MaxConcurrentReconciles: 1}).
		Named("gitwriteback").
		Complete(r)
}
