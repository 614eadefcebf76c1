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
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/gitwrite"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/manifestedit"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/metrics"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// Git write-back: a Proposal of a Role that a GitWriteBack selects is never
// promoted in the cluster. Once accepted (and that decision written), its
// change is committed and pushed through internal/gitwrite; the Proposal
// turns Committed and records the commit; the sync (Argo CD, Flux) brings
// the change into the Role; the Role controller records it in the history
// once the Role's spec carries it (recordWriteBacks); and the Proposal turns
// Applied from that record, as a cluster promotion does from its marker.

// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=gitwritebacks,verbs=get;list;watch
// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=gitwritebacks/status,verbs=patch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get

// Retries of a failed write-back wait as long as the failure has lasted, so
// the delay doubles from writeBackMinRetry up to writeBackMaxRetry.
const (
	writeBackMinRetry = 2 * time.Second
	writeBackMaxRetry = 5 * time.Minute
)

// errWriteBackAmbiguous: more than one GitWriteBack selects the Role.
var errWriteBackAmbiguous = errors.New("more than one GitWriteBack selects the Role")

// errSecretNotFound: the GitWriteBack's Secret does not exist.
var errSecretNotFound = errors.New("the GitWriteBack's Secret does not exist")

// errSecretForbidden: RBAC does not let the operator get the Secret.
var errSecretForbidden = errors.New("the operator may not read the GitWriteBack's Secret")

// writeBackTarget is the GitWriteBack that selects a Role and where the
// Role's manifest is looked for.
type writeBackTarget struct {
	config *v1.GitWriteBack
	path   string
	// problem is set instead of config when the selection is ambiguous.
	problem error
	// wasAccepted: the Proposal's written phase is Accepted, so the
	// decision is on record before anything is pushed.
	wasAccepted bool
}

// selectWriteBack returns the GitWriteBack that selects role (nil when none
// does): one whose roles[] enables it, or whose matrixRef is the Role's
// SkillMatrix and whose roles[] does not disable it. Two make a target
// with a problem: nothing is committed for an ambiguous Role.
func selectWriteBack(role *v1.Role, configs []v1.GitWriteBack) *writeBackTarget {
	var found []*writeBackTarget
	for i := range configs {
		c := &configs[i]
		if !c.DeletionTimestamp.IsZero() {
			continue
		}
		path := c.Spec.Path
		selected := c.Spec.MatrixRef != "" && c.Spec.MatrixRef == role.Spec.MatrixRef
		if j := slices.IndexFunc(c.Spec.Roles, func(o v1.GitWriteBackRole) bool { return string(o.Name) == role.Name }); j >= 0 {
			selected = c.Spec.Roles[j].Mode == v1.GitWriteBackEnabled
			if c.Spec.Roles[j].Path != "" {
				path = c.Spec.Roles[j].Path
			}
		}
		if selected {
			found = append(found, &writeBackTarget{config: c, path: path})
		}
	}
	switch len(found) {
	case 0:
		return nil
	case 1:
		return found[0]
	}
	names := make([]string, len(found))
	for i, t := range found {
		names[i] = t.config.Name
	}
	slices.Sort(names)
	return &writeBackTarget{problem: fmt.Errorf("%w %q: %s; nothing is committed until one remains",
		errWriteBackAmbiguous, role.Name, strings.Join(names, ", "))}
}

// gitWriteBacks is what the Proposal reconciler needs to write back: the
// cached GitWriteBacks, a reader past the cache for Secrets (get only; no
// Secret is ever watched or cached) and for the Proposal's prose, which the
// cache strips, and one Writer for the process.
type gitWriteBacks struct {
	client client.Client
	live   client.Reader
	writer *gitwrite.Writer
	// afterPush, when set (tests), runs after a push and before the status
	// records it; tests crash there.
	afterPush func(ctx context.Context, proposal *v1.Proposal) error
	// afterRecord, when set (tests), runs after the commit is recorded in
	// the Proposal's status and before it is pushed; an error stops the
	// push (tests crash there).
	afterRecord func(ctx context.Context, proposal *v1.Proposal) error
}

func (g *gitWriteBacks) targetFor(ctx context.Context, role *v1.Role) (*writeBackTarget, error) {
	var list v1.GitWriteBackList
	if err := g.client.List(ctx, &list, client.InNamespace(role.Namespace)); err != nil {
		return nil, fmt.Errorf("listing the GitWriteBacks of namespace %s: %w", role.Namespace, err)
	}
	return selectWriteBack(role, list.Items), nil
}

// config reads the Secret with the API reader, in the GitWriteBack's own
// namespace, and builds the gitwrite configuration.
func (g *gitWriteBacks) config(ctx context.Context, t *writeBackTarget) (gitwrite.Config, error) {
	wb := t.config
	key := client.ObjectKey{Namespace: wb.Namespace, Name: string(wb.Spec.SecretRef.Name)}
	var secret corev1.Secret
	if err := g.live.Get(ctx, key, &secret); err != nil {
		switch {
		case apierrors.IsNotFound(err):
			return gitwrite.Config{}, fmt.Errorf("reading the Secret %s of GitWriteBack %s: %w", key, wb.Name, errSecretNotFound)
		case apierrors.IsForbidden(err):
			return gitwrite.Config{}, fmt.Errorf("reading the Secret %s of GitWriteBack %s: %w: %w", key, wb.Name, errSecretForbidden, err)
		}
		return gitwrite.Config{}, fmt.Errorf("reading Secret %s of GitWriteBack %s: %w", key, wb.Name, err)
	}
	creds, err := gitwrite.CredentialsFromSecret(secret.Data)
	if err != nil {
		return gitwrite.Config{}, fmt.Errorf("the Secret %s of GitWriteBack %s: %w", key, wb.Name, err)
	}
	cfg := gitwrite.Config{
		URL: wb.Spec.URL, Branch: wb.Spec.Branch, Path: t.path, Credentials: creds,
		MessageTemplate: wb.Spec.MessageTemplate,
	}
	if cfg.Branch == "" {
		cfg.Branch = "main"
	}
	if a := wb.Spec.Author; a != nil {
		cfg.Author = gitwrite.Identity{Name: a.Name, Email: a.Email}
	}
	if cfg.Signing, err = g.signing(ctx, wb); err != nil {
		return gitwrite.Config{}, err
	}
	return cfg, nil
}

// signing reads the signing key from its Secret, in the GitWriteBack's
// namespace, with get only. Any problem, the Secret missing included, is
// gitwrite.ErrSigningKey: signing is configured, so nothing is committed
// unsigned instead.
func (g *gitWriteBacks) signing(ctx context.Context, wb *v1.GitWriteBack) (*gitwrite.Signing, error) {
	sc := wb.Spec.Signing
	if sc == nil {
		return nil, nil
	}
	key := client.ObjectKey{Namespace: wb.Namespace, Name: string(sc.SecretRef.Name)}
	var secret corev1.Secret
	if err := g.live.Get(ctx, key, &secret); err != nil {
		return nil, fmt.Errorf("reading the signing Secret %s of GitWriteBack %s: %w: %w", key, wb.Name, gitwrite.ErrSigningKey, err)
	}
	signing, err := gitwrite.SigningFromSecret(string(sc.Format), secret.Data, sc.TrustedKeys)
	if err != nil {
		return nil, fmt.Errorf("the signing Secret %s of GitWriteBack %s: %w", key, wb.Name, err)
	}
	return signing, nil
}

// recogniseWriteBack follows a committed Proposal to Applied, and finds
// whether the Role is written back to Git at all (s.writeBack).
func (r *ProposalReconciler) recogniseWriteBack(ctx context.Context, s *proposalScope) (bool, error) {
	p := s.proposal
	if p.Status.GitCommit != nil {
		if !r.followCommit(ctx, s) {
			return true, r.awaitChange(ctx, s)
		}
		return true, nil
	}
	if r.writeBack == nil {
		return false, nil
	}
	target, err := r.writeBack.targetFor(ctx, s.role)
	if err != nil {
		return true, err
	}
	if target == nil {
		if p.Status.PendingCommit != nil && p.Status.Phase == v1.PhaseAccepted {
			// Its commit may be pushed already: promoting it in the cluster
			// as well could apply it twice. It waits for a GitWriteBack.
			msg := fmt.Sprintf("commit %s is recorded for branch %s, and no GitWriteBack selects Role %q any more; waiting for one",
				p.Status.PendingCommit.SHA, p.Status.PendingCommit.Branch, s.role.Name)
			s.conds.set(v1.ConditionCommitted, metav1.ConditionUnknown, v1.ReasonCommitting, msg)
			return true, nil
		}
		return false, nil
	}
	target.wasAccepted = p.Status.Phase == v1.PhaseAccepted
	s.writeBack = target
	if !target.wasAccepted || target.problem != nil ||
		(p.Status.PendingCommit == nil && !changesCarried(&s.role.Spec, p.Spec.Changes)) {
		return false, nil
	}
	// Accepted and on record, and its commit recorded (pending), or the
	// Role already carries the change (someone else made the same change;
	// or an operator older than the write-ahead record pushed and synced
	// before its status recorded it). Judging it against the Role again
	// would call the synced change a conflict: the write pushes or finds
	// the recorded commit, or Git's file conflicts.
	if done, err := r.holdUnlessEnforced(ctx, s); done || err != nil {
		return true, err
	}
	return r.commitToGit(ctx, s)
}

// followCommit turns a committed Proposal Applied once the Role's history
// records it; the Role controller records it once the Role's spec carries
// every change (the sync), and that record wakes the Proposal. Until then
// the status already says which commit it waits for: only a new
// generation (a late vote) is written, as observed. It reports whether the
// Proposal is Applied; awaitChange follows it in Git otherwise.
func (r *ProposalReconciler) followCommit(ctx context.Context, s *proposalScope) bool {
	p := s.proposal
	entry := s.role.Status.HistoryEntry(string(p.UID))
	if entry == nil {
		return false
	}
	gc := p.Status.GitCommit
	r.findMergedCommit(ctx, s)
	markApplied(p, s.conds, s.role.Name, *entry)
	synced := "synced from commit " + gc.SHA
	if gc.MergedCommit != "" && gc.MergedCommit != gc.SHA {
		synced = fmt.Sprintf("synced from commit %s, which carries commit %s's change on branch %s", gc.MergedCommit, gc.SHA, gc.TrackedBranch)
	}
	p.Status.Message = text.Truncate(p.Status.Message+", "+synced, 4096)
	s.conds.set(v1.ConditionApplied, metav1.ConditionTrue, v1.ReasonApplied, p.Status.Message)
	return true
}

// findMergedCommit records, in Branch mode, the commit of the tracked
// branch that carries the change (status.gitCommit.mergedCommit) before the
// Proposal closes, when the sync came before a look into Git found it: a
// squash or rebase merge makes a commit of its own, and the branch commit
// is unreachable once the branch is deleted. Git that cannot be read
// leaves it unknown; the Proposal is Applied all the same.
func (r *ProposalReconciler) findMergedCommit(ctx context.Context, s *proposalScope) {
	gc := s.proposal.Status.GitCommit
	if gc.TrackedBranch == "" || gc.MergedCommit != "" || r.writeBack == nil {
		return
	}
	wb, err := r.committedThrough(ctx, s.proposal)
	if err != nil || wb == nil {
		return
	}
	loc, err := r.locate(ctx, s, wb)
	if err != nil {
		logf.FromContext(ctx).Info("cannot tell which commit of the tracked branch carries the change", "error", err.Error())
		return
	}
	gc.MergedCommit = cmp.Or(loc.Merged, loc.MergedWithOthers)
}

// commitToGit writes an accepted Proposal back to Git instead of promoting
// it in the cluster.
func (r *ProposalReconciler) commitToGit(ctx context.Context, s *proposalScope) (bool, error) {
	t, p := s.writeBack, s.proposal
	switch {
	case t.problem != nil:
		return r.writeBackFailed(s, v1.ReasonWriteBackAmbiguous, t.problem.Error())
	case !t.wasAccepted:
		// Record the decision before pushing: a crash after the push then
		// finds the Proposal Accepted, and recogniseWriteBack knows the
		// change in the Role is its own.
		msg := fmt.Sprintf("accepted; committing to %s (GitWriteBack %s)", t.config.Spec.URL, t.config.Name)
		s.conds.set(v1.ConditionCommitted, metav1.ConditionUnknown, v1.ReasonCommitting, msg)
		s.conds.set(v1.ConditionApplied, metav1.ConditionFalse, v1.ReasonCommitting, msg)
		s.result = ctrl.Result{RequeueAfter: time.Millisecond}
		return true, nil
	case t.config.Spec.Suspend:
		// The GitWriteBack watch wakes it when the suspension ends.
		msg := fmt.Sprintf("accepted, not committed: GitWriteBack %s is suspended", t.config.Name)
		p.Status.Message = msg
		s.conds.set(v1.ConditionCommitted, metav1.ConditionFalse, v1.ReasonWriteBackSuspended, msg)
		s.conds.set(v1.ConditionApplied, metav1.ConditionFalse, v1.ReasonWriteBackSuspended, msg)
		return true, nil
	}
	if hold, err := r.writeBack.switchOverHold(ctx, s.role, t); err != nil || hold != "" {
		if err != nil {
			return true, err
		}
		return r.writeBackFailed(s, v1.ReasonSwitchOverPending, hold)
	}
	cfg, err := r.writeBack.config(ctx, t)
	if err != nil {
		return r.writeBackError(s, err)
	}
	prior := recordOf(p.Status.PendingCommit)
	if branchMode(t.config) {
		if prior != nil {
			// The branch the commit was recorded for, whatever the prefix
			// or naming says now.
			cfg.PushBranch = prior.Branch
		} else if cfg.PushBranch = proposalBranch(t.config, p); cfg.PushBranch == "" {
			return r.writeBackFailed(s, v1.ReasonWriteBackConfigInvalid, fmt.Sprintf(
				"branchPrefix %q, the namespace and the Proposal's name make no valid branch name", t.config.Spec.BranchPrefix))
		}
	}
	gp, err := r.writeBack.gitProposal(ctx, p, s.verdict)
	if err != nil {
		return true, err
	}
	started := time.Now()
	res, err := r.writeBack.writer.Write(ctx, cfg, gp, prior, func(rec gitwrite.Record) error {
		return r.recordPending(ctx, s, t, cfg, rec)
	})
	metrics.GitWriteDuration.Observe(time.Since(started).Seconds())
	return r.committed(ctx, s, cfg, res, err)
}

// committed records what became of a write: the commit pushed or found,
// a conflict in Git, or a failure to retry.
func (r *ProposalReconciler) committed(ctx context.Context, s *proposalScope, cfg gitwrite.Config, res gitwrite.Result, err error) (bool, error) {
	t, p := s.writeBack, s.proposal
	if err != nil {
		if writeBackReason(err) == "" {
			// The record could not be written (or a test crashed there):
			// nothing was pushed.
			return true, err
		}
		if taken, ok := errors.AsType[*gitwrite.BranchTakenError](err); ok && p.Status.PendingCommit != nil {
			p.Status.PendingCommit.HeldBy = text.Truncate(heldBy(taken), 1024)
		}
		return r.writeBackError(s, err)
	}
	if res.Err != nil {
		// Nothing recorded is on the branch: the pending record, if any,
		// was stale and is dropped with the Proposal's end.
		p.Status.PendingCommit = nil
		if conflict, ok := errors.AsType[*manifestedit.ConflictError](res.Err); ok {
			metrics.GitWrites.WithLabelValues("conflicted").Inc()
			markConflicted(p, s.conds, conflict.Conflicts)
			p.Status.Message = text.Truncate("in Git: "+p.Status.Message, 4096)
			s.conds.set(v1.ConditionApplied, metav1.ConditionFalse, v1.ReasonConflict, p.Status.Message)
			s.conds.set(v1.ConditionCommitted, metav1.ConditionFalse, v1.ReasonConflict, "nothing was committed: "+p.Status.Message)
			return true, nil
		}
		return r.writeBackError(s, res.Err)
	}
	if r.writeBack.afterPush != nil {
		if err := r.writeBack.afterPush(ctx, p); err != nil {
			return true, err
		}
	}
	recordCommit(s, t, cfg, res, time.Now())
	logf.FromContext(ctx).Info("committed a Proposal to Git", "commit", res.Record.SHA, "file", res.Record.Path, "existing", res.Existing)
	return true, nil
}

// recordPending is the write-ahead record: before the commit is pushed,
// the Proposal's status records it (status.pendingCommit) with a status
// write guarded by the resourceVersion the reconcile read. Only once that
// write succeeded does gitwrite push; a crash after it pushes exactly this
// commit, or finds it, and a crash before it pushed nothing.
func (r *ProposalReconciler) recordPending(ctx context.Context, s *proposalScope, t *writeBackTarget, cfg gitwrite.Config,
	rec gitwrite.Record) error {
	p := s.proposal
	p.Status.PendingCommit = commitRecord(rec, t, cfg, s.now)
	msg := fmt.Sprintf("accepted; commit %s recorded, pushing it to branch %s of %s", rec.SHA, rec.Branch, cfg.URL)
	s.conds.set(v1.ConditionCommitted, metav1.ConditionUnknown, v1.ReasonCommitting, msg)
	s.conds.set(v1.ConditionApplied, metav1.ConditionFalse, v1.ReasonCommitting, msg)
	if err := patchStatus(ctx, r.Client, p, s.original); err != nil {
		if apierrors.IsConflict(err) {
			return fmt.Errorf("recording commit %s: %w: %w", rec.SHA, errStale, err)
		}
		return fmt.Errorf("recording commit %s in the status of Proposal %s: %w", rec.SHA, p.Name, err)
	}
	// The final status write goes on from what is now stored.
	p.DeepCopyInto(s.original)
	if r.writeBack.afterRecord != nil {
		return r.writeBack.afterRecord(ctx, p)
	}
	return nil
}

// commitRecord is the status form of a commit's record.
func commitRecord(rec gitwrite.Record, t *writeBackTarget, cfg gitwrite.Config, now time.Time) *v1.GitCommitRecord {
	out := &v1.GitCommitRecord{
		SHA: rec.SHA, File: rec.Path, GitWriteBack: v1.ObjectName(t.config.Name), URL: cfg.URL, Branch: rec.Branch,
		CommittedAt: metav1.NewMicroTime(now), Parent: rec.Parent, Tree: rec.Tree, Blob: rec.Blob,
		AuthorName: rec.Author.Name, AuthorEmail: rec.Author.Email, Time: &metav1.Time{Time: rec.When},
		Message: rec.Message, Signature: rec.Signature, Signed: rec.Signature != "",
	}
	if rec.Branch != cfg.Branch {
		out.TrackedBranch = cfg.Branch
	}
	return out
}

// recordOf is the gitwrite form of a recorded commit; nil for none.
func recordOf(gc *v1.GitCommitRecord) *gitwrite.Record {
	if gc == nil {
		return nil
	}
	rec := &gitwrite.Record{
		SHA: gc.SHA, Parent: gc.Parent, Tree: gc.Tree, Blob: gc.Blob, Path: gc.File, Branch: gc.Branch,
		Author:  gitwrite.Identity{Name: gc.AuthorName, Email: gc.AuthorEmail},
		Message: gc.Message, Signature: gc.Signature,
	}
	if gc.Time != nil {
		rec.When = gc.Time.UTC()
	}
	return rec
}

// heldBy says who holds a branch that is not the operator's.
func heldBy(taken *gitwrite.BranchTakenError) string {
	return fmt.Sprintf("branch %s at %s, author %s, committer %s", taken.Branch, taken.Head, taken.Author, taken.Committer)
}

// recordCommit says which commit the Proposal waits for, where, and since
// when; in Branch mode, which branch to open the merge request from. The
// wait is bounded (awaitChange): its first look into Git is an interval
// away.
func recordCommit(s *proposalScope, t *writeBackTarget, cfg gitwrite.Config, res gitwrite.Result, now time.Time) {
	p := s.proposal
	result := "committed"
	if res.Existing {
		result = "existing"
	}
	metrics.GitWrites.WithLabelValues(result).Inc()
	// The message and signature served a rebuild before the push; the
	// pushed commit is known by its SHA.
	gc := commitRecord(res.Record, t, cfg, now)
	gc.Message, gc.Signature = "", ""
	p.Status.GitCommit, p.Status.PendingCommit = gc, nil
	p.Status.Phase = v1.PhaseCommitted
	since, timeout := now.UTC().Format(time.RFC3339), applyTimeout(t.config)
	commit, path, branch := res.Record.SHA, res.Record.Path, res.Record.Branch
	if gc.TrackedBranch != "" {
		p.Status.Message = text.Truncate(fmt.Sprintf("committed %s to %s on branch %s, from %s: merge branch %s into %s (a merge request); waiting since %s, at most %s, for the merge and the sync to bring it into Role %q",
			commit, path, branch, cfg.Branch, branch, cfg.Branch, since, timeout, s.role.Name), 4096)
	} else {
		p.Status.Message = text.Truncate(fmt.Sprintf("committed %s to %s on branch %s; waiting since %s, at most %s, for the sync to bring it into Role %q",
			commit, path, cfg.Branch, since, timeout, s.role.Name), 4096)
	}
	s.conds.set(v1.ConditionCommitted, metav1.ConditionTrue, v1.ReasonCommitted, p.Status.Message)
	s.conds.set(v1.ConditionApplied, metav1.ConditionFalse, v1.ReasonAwaitingSync, p.Status.Message)
	s.result = ctrl.Result{RequeueAfter: min(gitInterval(t.config), timeout)}
}

// writeBackError reports a failed write that a retry may mend (credentials
// rotated, server back, manifest fixed); other errors end the reconcile.
func (r *ProposalReconciler) writeBackError(s *proposalScope, err error) (bool, error) {
	reason := writeBackReason(err)
	if reason == "" {
		return true, err
	}
	return r.writeBackFailed(s, reason, err.Error())
}

// writeBackFailed keeps the accepted change pending and retries it with a
// growing delay: as long as the failure has lasted, so no hot loop, and
// the status is written only when the failure changes.
func (r *ProposalReconciler) writeBackFailed(s *proposalScope, reason, message string) (bool, error) {
	metrics.GitWrites.WithLabelValues(reason).Inc()
	msg := text.Truncate("accepted, not yet committed to Git: "+message, 4096)
	s.proposal.Status.Message = msg
	s.conds.set(v1.ConditionCommitted, metav1.ConditionFalse, reason, msg)
	s.conds.set(v1.ConditionApplied, metav1.ConditionFalse, reason, msg)
	delay := writeBackMinRetry
	for _, c := range s.proposal.Status.Conditions {
		if c.Type == v1.ConditionCommitted {
			delay = min(max(s.now.Sub(c.LastTransitionTime.Time), writeBackMinRetry), writeBackMaxRetry)
		}
	}
	s.result = ctrl.Result{RequeueAfter: delay}
	return true, nil
}

// writeBackReasons maps what a write-back can fail with to its reason.
var writeBackReasons = []struct {
	err    error
	reason string
}{
	{gitwrite.ErrSigningKey, v1.ReasonSigningKeyInvalid},
	{errSecretNotFound, v1.ReasonSecretNotFound},
	{errSecretForbidden, v1.ReasonSecretForbidden},
	{gitwrite.ErrHostKeyMismatch, v1.ReasonHostKeyMismatch},
	{gitwrite.ErrHostKeyUnknown, v1.ReasonHostKeyUnknown},
	{gitwrite.ErrKnownHostsMissing, v1.ReasonKnownHostsMissing},
	{gitwrite.ErrKnownHostsInvalid, v1.ReasonKnownHostsInvalid},
	{gitwrite.ErrSSHIdentity, v1.ReasonSSHIdentityInvalid},
	{gitwrite.ErrAuthentication, v1.ReasonGitAuthenticationFail},
	{gitwrite.ErrUnreachable, v1.ReasonGitUnreachable},
	{gitwrite.ErrRepositoryNotFound, v1.ReasonGitRepositoryNotFound},
	{gitwrite.ErrBranchNotFound, v1.ReasonGitBranchNotFound},
	{gitwrite.ErrNonFastForward, v1.ReasonGitPushRaced},
	{gitwrite.ErrBranchTaken, v1.ReasonGitBranchTaken},
	{gitwrite.ErrConfig, v1.ReasonWriteBackConfigInvalid},
	{manifestedit.ErrNotFound, v1.ReasonManifestNotFound},
	{manifestedit.ErrAmbiguous, v1.ReasonManifestAmbiguous},
	{manifestedit.ErrNotPlain, v1.ReasonManifestNotPlain},
}

// writeBackReason is the condition reason of a write-back failure, "" for
// an error that is not one (e.g. the context ended).
func writeBackReason(err error) string {
	for _, m := range writeBackReasons {
		if errors.Is(err, m.err) {
			return m.reason
		}
	}
	return ""
}

// gitProposal is what the commit carries: the Proposal's text, read live
// (the cache strips its description), and who decided it, as counted.
func (g *gitWriteBacks) gitProposal(ctx context.Context, p *v1.Proposal, v governance.Verdict) (gitwrite.Proposal, error) {
	var live v1.Proposal
	if err := g.live.Get(ctx, client.ObjectKeyFromObject(p), &live); err != nil {
		return gitwrite.Proposal{}, fmt.Errorf("reading Proposal %s for its commit message: %w", p.Name, err)
	}
	gp := gitwrite.Proposal{
		Namespace: p.Namespace, Name: p.Name, UID: string(p.UID), Title: p.Spec.Title,
		Description: live.Spec.Description, Author: string(p.Spec.Author), Role: string(p.Spec.RoleRef),
		Changes: p.Spec.Changes,
	}
	// The counted ballots (spec.votes and spec.reviews, then Ballots)
	// that passed the re-check: who decided it.
	for _, b := range v.Eligible() {
		switch {
		case !b.Approves:
		case b.Kind == governance.BallotVote:
			gp.ApprovedBy = append(gp.ApprovedBy, string(b.User))
		case b.Kind == governance.BallotReview:
			gp.ReviewedBy = append(gp.ReviewedBy, string(b.User))
		}
	}
	return gp, nil
}

// proposalsForWriteBack maps a GitWriteBack to the accepted Proposals of
// its namespace: a new, changed or resumed configuration may let them be
// committed, and a deleted one leaves them waiting on the next selection.
func (r *ProposalReconciler) proposalsForWriteBack(ctx context.Context, obj client.Object) []reconcile.Request {
	var proposals v1.ProposalList
	if err := r.List(ctx, &proposals, client.InNamespace(obj.GetNamespace()), client.UnsafeDisableDeepCopy); err != nil {
		logf.FromContext(ctx).Error(err, "listing the Proposals a GitWriteBack may commit", "gitWriteBack", client.ObjectKeyFromObject(obj))
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
