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
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/gitwrite"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/history"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/revert"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// The record of applied Proposals outlives the Role object. A Role deleted
// and re-created (by its sync from Git, from a backup, in a rebuilt
// namespace or cluster) starts with an empty status; its history, its
// changelog and the revert protection built on them come back from the
// durable sources (recoverHistory):
//
//   - the Applied Proposals that name the Role: their status and spec hold
//     what the history entry held (title, author, when, the generation of
//     the object they were applied to, the cells, the commit);
//   - with Git write-back, the tracked branch's history, once per Role
//     object, for the Proposals that are gone too: only commits the
//     operator wrote count (a signature that verifies against its keys, or
//     a SHA it recorded in a switch-over record), each an entry with the
//     cells its diff set. A trailer anyone could type is never enough; such
//     commits are named in the History condition, and nothing is recorded
//     from them.

// maxNamed bounds the commits and Proposals a History message names.
const maxNamed = 10

// recoverHistory puts back into the history what the durable sources hold
// and the history lacks, and says so in the History condition. It runs
// after the phases that record promotions and syncs as they happen, so it
// only adds what those could not know.
func (r *RoleReconciler) recoverHistory(ctx context.Context, s *roleScope) (bool, error) {
	role := s.role
	proposals, err := r.proposals(ctx, s)
	if err != nil {
		return true, err
	}
	rebuilt, known := fromAppliedProposals(role, proposals)

	cond := meta.FindStatusCondition(role.Status.Conditions, v1.ConditionHistory)
	gitDone := cond != nil && cond.Status != metav1.ConditionUnknown
	var found rebuiltFromGit
	if !gitDone && r.writeBack != nil {
		commits, checked, reason, err := r.gitHistory(ctx, s)
		if err != nil && reason == "" {
			return true, err
		}
		found = fromCommits(role, commits, known)
		found.checked, found.err, found.reason = checked, err, reason
		rebuilt = append(rebuilt, found.entries...)
	}

	merged, added := history.Merge(role.Status.History, rebuilt)
	var fromProposals, fromGit []string
	if added > 0 {
		fromProposals, fromGit = rebuiltNames(role, merged, rebuilt)
		role.Status.History = merged
		logf.FromContext(ctx).Info("rebuilt the Role's history", "entries", added, "fromProposals", fromProposals, "fromGit", fromGit)
	}
	rebuiltMsg := rebuiltText(added, fromProposals, fromGit)
	switch {
	case found.err != nil:
		msg := "the history could not be checked against Git yet: " + found.err.Error()
		if added > 0 {
			msg = rebuiltMsg + "; " + msg
		}
		s.conds.set(v1.ConditionHistory, metav1.ConditionUnknown, found.reason, msg)
		s.result = ctrl.Result{RequeueAfter: retryDelay(cond)}
	case len(found.unverifiable) > 0:
		s.conds.set(v1.ConditionHistory, metav1.ConditionFalse, v1.ReasonHistoryUnverifiable, fmt.Sprintf(
			"%s; commits of the tracked branch name %s of this Role that no Applied Proposal, no recorded SHA and no signature of the operator's keys vouches for, so they are not recorded: %s. Without spec.signing, what the Proposals' deletion took cannot be told from a forgery",
			rebuiltMsg, text.Plural(len(found.unverifiable), "Proposal", "Proposals"), names(found.unverifiable)))
	case added > 0:
		s.conds.set(v1.ConditionHistory, metav1.ConditionTrue, v1.ReasonHistoryRebuilt, rebuiltMsg)
	case !gitDone && found.checked:
		s.conds.set(v1.ConditionHistory, metav1.ConditionTrue, v1.ReasonHistoryComplete,
			"no Applied Proposal naming the Role, and no commit the operator wrote for it, is missing from the history")
	}
	// Without a GitWriteBack that selects the Role the condition stays
	// unset: the branch is looked into once one does (a rebuild may bring
	// the Roles back before their GitWriteBack).
	return false, nil
}

// fromAppliedProposals are the history entries the Role's Applied
// Proposals hold and its history lacks, in the order they landed (a batch
// shares its appliedAt, and its generation tells it apart); known are the
// uids of every Proposal of the Role.
func fromAppliedProposals(role *v1.Role, proposals []*v1.Proposal) ([]v1.AppliedProposal, map[string]bool) {
	known := make(map[string]bool, len(proposals))
	var out []v1.AppliedProposal
	for _, p := range proposals {
		known[string(p.UID)] = true
		if p.Status.Phase != v1.PhaseApplied || role.Status.HistoryEntry(string(p.UID)) != nil {
			continue
		}
		appliedAt := p.CreationTimestamp
		if p.Status.AppliedAt != nil {
			appliedAt = *p.Status.AppliedAt
		}
		e := HistoryRecord(p, string(p.UID), appliedAt, p.Status.AppliedRoleGeneration)
		e.RebuiltFrom = v1.HistoryFromProposal
		if gc := p.Status.GitCommit; gc != nil {
			e.Commit = cmp.Or(gc.MergedCommit, gc.SHA)
		}
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b v1.AppliedProposal) int {
		return cmp.Or(a.AppliedAt.Compare(b.AppliedAt.Time), cmp.Compare(a.Generation, b.Generation), cmp.Compare(a.Name, b.Name))
	})
	return out, known
}

// rebuiltFromGit is what the tracked branch gave: entries from the commits
// the operator wrote, the commits nobody vouches for, whether a branch was
// looked into at all, and why Git could not be read (with its write-back
// reason).
type rebuiltFromGit struct {
	entries      []v1.AppliedProposal
	unverifiable []string
	checked      bool
	err          error
	reason       string
}

// fromCommits turns the commits that changed the Role into entries for
// the Proposals of its namespace that no Proposal object and no history
// entry accounts for: trusted commits only; the others are named.
func fromCommits(role *v1.Role, commits []gitwrite.HistoryCommit, known map[string]bool) rebuiltFromGit {
	var out rebuiltFromGit
	for _, c := range commits {
		for _, np := range c.Proposals {
			ns, name, _ := strings.Cut(np.Name, "/")
			if known[np.UID] || ns != role.Namespace || role.Status.HistoryEntry(np.UID) != nil {
				continue
			}
			if !c.Trusted {
				out.unverifiable = append(out.unverifiable, fmt.Sprintf("%.12s (%s)", c.SHA, np.Name))
				continue
			}
			out.entries = append(out.entries, gitEntry(c, name, np.UID))
		}
	}
	return out
}

// rebuiltNames names the rebuilt entries merged holds, by source.
func rebuiltNames(role *v1.Role, merged, rebuilt []v1.AppliedProposal) (fromProposals, fromGit []string) {
	isNew := map[string]bool{}
	for i := range rebuilt {
		isNew[rebuilt[i].UID] = role.Status.HistoryEntry(rebuilt[i].UID) == nil
	}
	for i := range merged {
		switch e := &merged[i]; {
		case !isNew[e.UID]:
		case e.RebuiltFrom == v1.HistoryFromGit:
			fromGit = append(fromGit, fmt.Sprintf("%s (%.12s)", e.Name, e.Commit))
		default:
			fromProposals = append(fromProposals, string(e.Name))
		}
	}
	return fromProposals, fromGit
}

// gitHistory reads the commits of the tracked branch that changed the
// Role, from the GitWriteBack that selects it; none, and checked false,
// without one. reason is the write-back reason of an error a retry may
// mend.
func (r *RoleReconciler) gitHistory(ctx context.Context, s *roleScope) (commits []gitwrite.HistoryCommit, checked bool,
	reason string, err error) {
	t, err := r.writeBack.targetFor(ctx, s.role)
	if err != nil || t == nil || t.problem != nil {
		return nil, false, "", err
	}
	cfg, err := r.writeBack.config(ctx, t)
	if err == nil {
		q := gitwrite.HistoryQuery{Namespace: s.role.Namespace, Role: s.role.Name}
		for _, rec := range t.config.Status.SwitchOvers {
			if rec.Commit != "" {
				q.Known = append(q.Known, rec.Commit)
			}
		}
		if commits, err = r.writeBack.writer.History(ctx, cfg, q); err == nil {
			return commits, true, "", nil
		}
	}
	return nil, false, writeBackReason(err), err
}

// gitEntry is the history entry a commit the operator wrote gives a
// Proposal it names: the subject as title (a switch-over commit carries
// several, and names them in its body), the commit's time, and the cells
// its diff set.
func gitEntry(c gitwrite.HistoryCommit, name, uid string) v1.AppliedProposal {
	title := c.Subject
	author := v1.Username(c.ProposedBy)
	if len(c.Proposals) > 1 {
		title = fmt.Sprintf("carried to Git by commit %.12s with %d other Proposal(s): %s", c.SHA, len(c.Proposals)-1, c.Subject)
		author = ""
	}
	return v1.AppliedProposal{
		Name: v1.ObjectName(name), UID: uid, Title: text.Truncate(title, 200), Author: author,
		AppliedAt: metav1.NewTime(c.When.Truncate(time.Second)), Cells: revert.Cells(c.Changes),
		Commit: c.SHA, RebuiltFrom: v1.HistoryFromGit,
	}
}

func rebuiltText(added int, fromProposals, fromGit []string) string {
	if added == 0 {
		return "nothing was rebuilt"
	}
	var from []string
	if len(fromProposals) > 0 {
		from = append(from, "Applied Proposals "+names(fromProposals))
	}
	if len(fromGit) > 0 {
		from = append(from, "commits the operator wrote "+names(fromGit))
	}
	return fmt.Sprintf("the Role's status had lost %s of its history; rebuilt from %s",
		text.Plural(added, "entry", "entries"), strings.Join(from, " and "))
}

// names lists at most maxNamed, and how many more.
func names(list []string) string {
	if len(list) <= maxNamed {
		return strings.Join(list, ", ")
	}
	return strings.Join(list[:maxNamed], ", ") + fmt.Sprintf(" and %d more", len(list)-maxNamed)
}

// retryDelay is how long a failed look into Git waits: as long as the
// failure has lasted, from writeBackMinRetry to writeBackMaxRetry.
func retryDelay(cond *metav1.Condition) time.Duration {
	if cond == nil || cond.Status != metav1.ConditionUnknown {
		return writeBackMinRetry
	}
	return min(max(time.Since(cond.LastTransitionTime.Time), writeBackMinRetry), writeBackMaxRetry)
}

// rolesSelectedBy maps a GitWriteBack, when it is created or its spec
// changes, to the Roles it selects: a Role whose history was never looked
// up in Git (it came back before its GitWriteBack) is looked up now.
func (r *RoleReconciler) rolesSelectedBy(ctx context.Context, obj client.Object) []reconcile.Request {
	wb, ok := obj.(*v1.GitWriteBack)
	if !ok {
		return nil
	}
	var roles v1.RoleList
	if err := r.List(ctx, &roles, client.InNamespace(wb.Namespace), client.UnsafeDisableDeepCopy); err != nil {
		logf.FromContext(ctx).Error(err, "listing the Roles a GitWriteBack selects", "gitWriteBack", client.ObjectKeyFromObject(wb))
		return nil
	}
	var requests []reconcile.Request
	for i := range roles.Items {
		if t := selectWriteBack(&roles.Items[i], []v1.GitWriteBack{*wb}); t != nil {
			requests = append(requests, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&roles.Items[i])})
		}
	}
	return requests
}
