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
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
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
// undo them. So the GitWriteBack reconciler first commits exactly those
// fields, as one commit per Role whose trailers name every carried Proposal
// (internal/switchover decides what, internal/gitwrite commits), or, when
// Git changed one of them meanwhile, records a conflict per field and
// commits nothing. Its outcome is a record in the GitWriteBack's status
// (status.switchOvers), which that reconciler alone writes and the Role
// reconciler, the only writer of the Role's status, turns into the
// WriteBack condition; accepted Proposals of the Role wait for that record
// (switchOverHold), so none is committed under a head that lacks the
// carried fields. The switch-over is synced once the Role holds, for each
// field it carried, the value the commit holds, and its sync wrote the
// Role after the commit (switchOverSynced); then the promotions' field
// manager lets go of the Role's fields (releaseFields), so a sync of a
// later Git edit does not conflict with it.

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
		case p == nil && (entry.Commit != "" || entry.RebuiltFrom == v1.HistoryFromGit):
			// Its change reached Git as a commit of write-back: nothing to
			// carry.
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

// backoff is how long a Role whose switch-over conflicted or failed for
// this set of Proposals waits before the next attempt: as long after the
// last attempt as the state had lasted then, so the delay doubles (a
// conflict ends when someone mends Git, which sends no event). A restart
// tries at once.
func (r *gitWriteBackReconciler) backoff(key client.ObjectKey, rec *v1.SwitchOverRecord, uids []string, now time.Time) time.Duration {
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

// lastAttempt is when the Role was last tried by this process.
func (r *gitWriteBackReconciler) lastAttempt(key client.ObjectKey) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	last, ok := r.attempts[key]
	return last, ok
}

func (r *gitWriteBackReconciler) recordAttempt(key client.ObjectKey, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.attempts == nil {
		r.attempts = map[client.ObjectKey]time.Time{}
	}
	r.attempts[key] = now
}

// switchOver makes (or finds) the switch-over commit and returns the record
// of what became of it.
func (r *gitWriteBackReconciler) switchOver(ctx context.Context, role *v1.Role, t *writeBackTarget,
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
				announce(r.recorder, role, nil, v1.ReasonSwitchOverCommitted, "SwitchOver", field+
					": the Role no longer holds the value an applied Proposal set; the switch-over commits the applied value")
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
		return fail(err)
	}
	return r.outcome(ctx, rec, found, res, fail)
}

// outcome fills the record from what the switch-over write returned.
func (r *gitWriteBackReconciler) outcome(ctx context.Context, rec *v1.SwitchOverRecord, found *carriedPromotions,
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

// recordEvents tells on the Role what a new record changed: one Event per
// conflicting field, one per commit, one per uncarried Proposal.
func (r *gitWriteBackReconciler) recordEvents(role *v1.Role, wb *v1.GitWriteBack, prev, next *v1.SwitchOverRecord) {
	if prev != nil && slices.Equal(prev.Conflicts, next.Conflicts) && prev.Commit == next.Commit && slices.Equal(prev.Missing, next.Missing) {
		return
	}
	for _, c := range next.Conflicts {
		announce(r.recorder, role, wb, v1.ReasonSwitchOverConflict, "SwitchOver", c)
	}
	if next.Commit != "" && (prev == nil || prev.Commit != next.Commit) {
		announce(r.recorder, role, wb, v1.ReasonSwitchOverCommitted, "SwitchOver", next.Message)
	}
	for _, name := range next.Missing {
		announce(r.recorder, role, wb, v1.ReasonSwitchOverUncarried, "SwitchOver", fmt.Sprintf(
			"Proposal %q is in the Role's history, but it was deleted, so what it changed is unknown and it cannot be carried to Git", name))
	}
}

// switchOverSynced says whether the sync applied the switch-over commit:
// for every field the switch-over carried, the live Role holds the value
// the committed manifest holds (switchover.Unsynced: those fields only, so
// a kustomize patch of others does not matter), and a sync wrote them: a
// manager other than the promotions' owns every spec field the promotions'
// manager owns (a server-side apply of the same values shares them, and
// the API server then keeps the entry's old time), or wrote the Role's
// spec at or after the commit's time. Field ownership alone proves
// nothing: a sync of the older revision with forced ownership takes the
// fields and sets them back. The values alone do not either: right after
// the commit the Role still holds the promoted values the commit copied,
// owned by the promotions' manager alone. wait says what is still missing.
// A record InGit is synced at once: Git held the values before.
func (r *gitWriteBackReconciler) switchOverSynced(ctx context.Context, live *v1.Role, t *writeBackTarget, rec *v1.SwitchOverRecord,
	found *carriedPromotions) (wait string, err error) {
	if rec.State != v1.SwitchOverCommitted {
		return "", nil
	}
	committedAt := rec.LastTransitionTime.Time
	if rec.CommittedAt != nil {
		committedAt = rec.CommittedAt.Time
	}
	shared, err := promotion.SpecShared(live.ManagedFields)
	if err != nil {
		return "", fmt.Errorf("reading the field ownership of Role %s: %w", live.Name, err)
	}
	if !shared && !writtenSince(live.ManagedFields, committedAt) {
		return fmt.Sprintf("no sync has written the promoted fields since commit %s at %s", rec.Commit, committedAt.UTC().Format(time.RFC3339)), nil
	}
	cfg, err := r.writeBack.config(ctx, t)
	if err != nil {
		return "", err
	}
	committed, err := r.writeBack.writer.ReadRole(ctx, cfg, rec.Commit, rec.File, live.Namespace, live.Name)
	if err != nil {
		return "", err
	}
	if differ := switchover.Unsynced(&live.Spec, committed, found.carried); len(differ) > 0 {
		return "the Role does not hold what commit " + rec.Commit + " holds: " + strings.Join(differ, "; "), nil
	}
	return "", nil
}

// writtenSince reports whether a manager other than the promotions' wrote
// the Role's spec (an entry of the main resource that owns spec fields) at
// or after t, to the second the API server records.
func writtenSince(entries []metav1.ManagedFieldsEntry, t time.Time) bool {
	since := t.Truncate(time.Second)
	for _, e := range entries {
		if e.Manager == promotion.FieldManager || e.Subresource != "" || e.Time == nil || e.FieldsV1 == nil ||
			e.Time.Time.Before(since) || !bytes.Contains(e.FieldsV1.GetRawBytes(), []byte(`"f:spec"`)) {
			continue
		}
		return true
	}
	return false
}

// releaseFields lets go of the Role's fields that the promotions' field
// manager owns, once the switch-over is synced. The manager's entry is
// removed from metadata.managedFields, which keeps every value: an empty
// apply configuration would instead delete the fields that manager alone
// owns (after a client-side sync, which does not take ownership of values
// it leaves unchanged). Under write-back the promoter never writes the Role
// again, so nothing takes them back, and a later sync of a Git edit meets
// no conflict.
func (r *gitWriteBackReconciler) releaseFields(ctx context.Context, live *v1.Role) error {
	kept := slices.DeleteFunc(slices.Clone(live.ManagedFields), func(m metav1.ManagedFieldsEntry) bool {
		return m.Manager == promotion.FieldManager
	})
	if len(kept) == len(live.ManagedFields) {
		return nil
	}
	if len(kept) == 0 {
		// An empty list leaves managedFields as they are; one empty entry
		// clears them.
		kept = []metav1.ManagedFieldsEntry{{}}
	}
	updated := live.DeepCopy()
	updated.ManagedFields = kept
	if err := r.Patch(ctx, updated, client.MergeFromWithOptions(live, client.MergeFromWithOptimisticLock{})); err != nil {
		if apierrors.IsConflict(err) {
			return fmt.Errorf("releasing the promotions' fields of Role %s: %w: %w", live.Name, errStale, err)
		}
		return fmt.Errorf("releasing the promotions' fields of Role %s: %w", live.Name, err)
	}
	return nil
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
