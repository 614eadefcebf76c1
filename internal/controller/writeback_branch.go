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
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/gitwrite"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/kubecache"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// A committed Proposal never waits forever. Until the Role's history
// records it (followCommit), it is looked for in Git every interval (Git
// has no watch): once the tracked branch carries it, it waits for the sync;
// if its branch is deleted first, or the commit left the tracked branch,
// it ends Abandoned; if the tracked branch carries other values for cells
// it set, Diverged; and applyTimeout after the commit, TimedOut. The ended
// phases are closed (isClosed): no more Git work, and the Role controller
// never records them.

// branchMode reports whether wb pushes each Proposal to a branch of its own.
func branchMode(wb *v1.GitWriteBack) bool { return wb.Spec.Mode == v1.GitWriteBackBranch }

// proposalBranch is the branch a new commit of p is pushed to in Branch
// mode, <prefix><namespace>/<name>; "" when that makes no valid branch
// name. A Proposal whose commit is recorded keeps the branch recorded.
func proposalBranch(wb *v1.GitWriteBack, p *v1.Proposal) string {
	prefix := wb.Spec.BranchPrefix
	if prefix == "" {
		prefix = v1.DefaultBranchPrefix
	}
	return gitwrite.BranchName(prefix, p.Namespace, p.Name)
}

// applyTimeout and gitInterval read a GitWriteBack's waiting, nil for the
// defaults (the GitWriteBack was deleted).
func applyTimeout(wb *v1.GitWriteBack) time.Duration {
	if wb != nil && wb.Spec.ApplyTimeout != nil && wb.Spec.ApplyTimeout.Duration > 0 {
		return wb.Spec.ApplyTimeout.Duration
	}
	return v1.DefaultApplyTimeout
}

func gitInterval(wb *v1.GitWriteBack) time.Duration {
	if wb != nil && wb.Spec.Interval != nil && wb.Spec.Interval.Duration > 0 {
		return wb.Spec.Interval.Duration
	}
	return v1.DefaultGitInterval
}

// awaitChange follows a committed Proposal the Role does not carry yet:
// timed out, or located in Git, and looked for again after the interval
// (or at the timeout, whichever comes first).
func (r *ProposalReconciler) awaitChange(ctx context.Context, s *proposalScope) error {
	p := s.proposal
	gc := p.Status.GitCommit
	wb, err := r.committedThrough(ctx, p)
	if err != nil {
		return err
	}
	timeout := applyTimeout(wb)
	deadline := gc.CommittedAt.Add(timeout)
	if !s.now.Before(deadline) {
		endCommitted(s, v1.PhaseTimedOut, v1.ReasonApplyTimedOut, fmt.Sprintf(
			"committed %s on branch %s at %s; Role %q did not carry the change within applyTimeout %s",
			gc.SHA, gc.Branch, gc.CommittedAt.UTC().Format(time.RFC3339), s.role.Name, timeout))
		return nil
	}
	if wb == nil || r.writeBack == nil {
		// No configuration to fetch with: only the timeout applies, so the
		// next look is at the deadline, not at every interval.
		s.result = ctrl.Result{RequeueAfter: deadline.Sub(s.now)}
		return nil
	}
	s.result = ctrl.Result{RequeueAfter: min(gitInterval(wb), deadline.Sub(s.now))}
	loc, err := r.locate(ctx, s, wb)
	if err != nil {
		if writeBackReason(err) == "" {
			return err
		}
		// The GitWriteBack's own check says what fails; the Proposal keeps
		// waiting and is looked for again at the interval.
		logf.FromContext(ctx).Info("cannot look for a committed Proposal in Git", "error", err.Error())
		return nil
	}
	r.judgeLocation(ctx, s, loc)
	return nil
}

// committedThrough is the GitWriteBack the Proposal was committed through,
// nil when it is gone.
func (r *ProposalReconciler) committedThrough(ctx context.Context, p *v1.Proposal) (*v1.GitWriteBack, error) {
	var wb v1.GitWriteBack
	key := client.ObjectKey{Namespace: p.Namespace, Name: string(p.Status.GitCommit.GitWriteBack)}
	if err := r.Get(ctx, key, &wb); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading GitWriteBack %s: %w", key, err)
	}
	if !wb.DeletionTimestamp.IsZero() {
		return nil, nil
	}
	return &wb, nil
}

// locate looks for the Proposal where its commit record says it went: the
// recorded repository and tracked branch, with the GitWriteBack's current
// credentials and path.
func (r *ProposalReconciler) locate(ctx context.Context, s *proposalScope, wb *v1.GitWriteBack) (gitwrite.Location, error) {
	gc := s.proposal.Status.GitCommit
	target := selectWriteBack(s.role, []v1.GitWriteBack{*wb})
	if target == nil || target.problem != nil {
		target = &writeBackTarget{config: wb, path: wb.Spec.Path}
	}
	cfg, err := r.writeBack.config(ctx, target)
	if err != nil {
		return gitwrite.Location{}, err
	}
	cfg.URL, cfg.Branch = gc.URL, cmp.Or(gc.TrackedBranch, gc.Branch)
	gp := gitwrite.Proposal{Namespace: s.proposal.Namespace, Name: s.proposal.Name, UID: string(s.proposal.UID),
		Role: string(s.proposal.Spec.RoleRef), Changes: s.proposal.Spec.Changes}
	return r.writeBack.writer.Locate(ctx, cfg, gp, *recordOf(gc))
}

// judgeLocation ends the Proposal, or says what it waits for, from where
// Git has it. Only the recorded commit and the tracked branch's content
// count: no commit message is read, so no trailer anyone typed makes a
// Proposal merged, Diverged or abandoned.
func (r *ProposalReconciler) judgeLocation(ctx context.Context, s *proposalScope, loc gitwrite.Location) {
	p := s.proposal
	gc := p.Status.GitCommit
	tracked := cmp.Or(gc.TrackedBranch, gc.Branch)
	branchMode := gc.TrackedBranch != ""
	gc.HeldBy = ""
	if loc.BranchHolder != nil {
		gc.HeldBy = text.Truncate(heldBy(loc.BranchHolder), 1024)
	}
	// cells are the changes the tracked head does not carry; known says
	// the head's manifest could be read at all (moved or split, only the
	// sync or the timeout can tell).
	cells, known := r.divergedAtHead(ctx, s, loc)
	if !branchMode && loc.Merged != gc.SHA && len(cells) > 0 {
		// Direct mode: a commit that once made the same edit, on a head
		// that no longer carries it, is not where the commit went.
		loc.Merged = ""
	}
	if loc.Merged != "" {
		gc.MergedCommit = loc.Merged
		judgeMerged(s, loc, cells)
		return
	}
	switch {
	case loc.MergedWithOthers != "":
		gc.MergedCommit = loc.MergedWithOthers
		waitFor(s, v1.ReasonMergedWithExtraCommits, fmt.Sprintf(
			"the change reached branch %s in commit %s together with changes to other files, not as the operator's commit %s alone; the sync brings them in with it",
			tracked, loc.MergedWithOthers, gc.SHA))
	case known && len(cells) == 0 && branchMode:
		waitFor(s, v1.ReasonMergedWithExtraCommits, fmt.Sprintf(
			"branch %s carries the Proposal's values at %s, but no commit there makes exactly its change (a squash with other changes, or an edit by hand), and the operator's commit %s is not in its history",
			tracked, loc.TrackedHead, gc.SHA))
	case known && len(cells) == 0:
		// Direct mode, the commit gone but the head carries the change (a
		// person's own commit): the sync brings it in; nothing is lost.
	case !branchMode:
		endCommitted(s, v1.PhaseAbandoned, v1.ReasonCommitLost, fmt.Sprintf(
			"commit %s is no longer in the history of branch %s (force-pushed or reset?) and its change is not in Role %q; it will not be applied",
			gc.SHA, tracked, s.role.Name))
	case loc.BranchHead == "" && known && r.changedSince(ctx, s, loc):
		endCommitted(s, v1.PhaseDiverged, v1.ReasonMergedDifferently, fmt.Sprintf(
			"branch %s was deleted, and %s at %s holds other values than the Proposal expected or set: %s; it will not be recorded as applied",
			gc.Branch, loc.ManifestPath, loc.TrackedHead, strings.Join(cells, "; ")))
	case loc.BranchHead == "":
		endCommitted(s, v1.PhaseAbandoned, v1.ReasonBranchDeleted, fmt.Sprintf(
			"branch %s was deleted without its change reaching branch %s; it will not be applied", gc.Branch, tracked))
	default:
		judgeBranch(s, loc)
	}
}

// judgeMerged judges a Proposal whose change the tracked branch carries
// exactly (loc.Merged): Diverged when the head holds other values since,
// reported when commits the operator did not write came with it, Merged
// otherwise (Direct mode: waiting for the sync, as the status says).
func judgeMerged(s *proposalScope, loc gitwrite.Location, cells []string) {
	gc := s.proposal.Status.GitCommit
	tracked := cmp.Or(gc.TrackedBranch, gc.Branch)
	switch {
	case len(cells) > 0:
		endCommitted(s, v1.PhaseDiverged, v1.ReasonMergedDifferently, fmt.Sprintf(
			"merged into branch %s (commit %s), but %s at %s holds other values than the Proposal set: %s; it will not be recorded as applied",
			tracked, loc.Merged, loc.ManifestPath, loc.TrackedHead, strings.Join(cells, "; ")))
	case len(loc.Extra) > 0:
		waitFor(s, v1.ReasonMergedWithExtraCommits, fmt.Sprintf(
			"branch %s was merged into %s with commits the operator did not write on top of its commit %s: %s; the sync brings them in with the change",
			gc.Branch, tracked, gc.SHA, foreignList(loc.Extra)))
	case gc.TrackedBranch == "":
		// Direct mode: the commit message already says what it waits for.
	default:
		how := "commit " + loc.Merged
		if loc.Merged != gc.SHA {
			how = "squashed or rebased as " + loc.Merged + ", exactly the Proposal's change"
		}
		waitFor(s, v1.ReasonMerged, fmt.Sprintf("branch %s merged into %s (%s); waiting for the sync to bring it into Role %q",
			gc.Branch, tracked, how, s.role.Name))
	}
}

// judgeBranch says what an unmerged Proposal branch that still exists
// waits for: its merge, or a person, when it is no longer the operator's
// or carries commits the operator did not write.
func judgeBranch(s *proposalScope, loc gitwrite.Location) {
	gc := s.proposal.Status.GitCommit
	switch {
	case loc.BranchHolder != nil:
		waitFor(s, v1.ReasonGitBranchTaken, fmt.Sprintf(
			"branch %s no longer holds the operator's commit %s: %s; merge nothing from it", gc.Branch, gc.SHA, loc.BranchHolder.Error()))
	case len(loc.BranchExtra) > 0:
		waitFor(s, v1.ReasonBranchHasForeignCommits, fmt.Sprintf(
			"branch %s has commits the operator did not write on top of its commit %s: %s; merging it brings them in too",
			gc.Branch, gc.SHA, foreignList(loc.BranchExtra)))
	default:
		// The branch waits for its merge request.
		waitFor(s, v1.ReasonAwaitingSync, s.proposal.Status.Message)
	}
}

// waitFor keeps a committed Proposal waiting, saying why on Applied.
func waitFor(s *proposalScope, reason, message string) {
	if reason != v1.ReasonAwaitingSync {
		s.proposal.Status.Message = text.Truncate(message, 4096)
	}
	s.conds.set(v1.ConditionApplied, metav1.ConditionFalse, reason, s.proposal.Status.Message)
}

func foreignList(commits []gitwrite.ForeignCommit) string {
	out := make([]string, len(commits))
	for i, c := range commits {
		out[i] = c.String()
	}
	return strings.Join(out, ", ")
}

// changedSince reports whether the tracked head holds, for a field the
// Proposal sets, neither the value it expected (from) nor the one it set:
// someone changed it, as a merge that edited the change would. A change
// without from tells nothing.
func (r *ProposalReconciler) changedSince(ctx context.Context, s *proposalScope, loc gitwrite.Location) bool {
	p := s.proposal
	spec, err := roleSpecInManifest(loc.Manifest, p.Namespace, string(p.Spec.RoleRef))
	if err != nil {
		logf.FromContext(ctx).Info("cannot decode the Role's manifest at the tracked head", "error", err.Error())
		return false
	}
	for i := range p.Spec.Changes {
		c := &p.Spec.Changes[i]
		if c.From == nil || changeCarried(spec, c) {
			continue
		}
		expected := *c
		switch c.Op {
		case v1.OpSetProficiency:
			expected.Proficiency = c.From.Proficiency
		case v1.OpSetRequired:
			expected.Required = c.From.Required
		case v1.OpSetFocus:
			expected.Focus = c.From.Focus
		case v1.OpSetTechStack:
			expected.TechStack = c.From.TechStack
		default:
			continue
		}
		if !changeCarried(spec, &expected) {
			return true
		}
	}
	return false
}

// divergedAtHead names the Proposal's changes the tracked head's manifest
// does not carry (fields newer commits set again excepted); known is
// false when that manifest cannot be read.
func (r *ProposalReconciler) divergedAtHead(ctx context.Context, s *proposalScope, loc gitwrite.Location) (cells []string, known bool) {
	p := s.proposal
	log := logf.FromContext(ctx)
	if loc.ManifestErr != nil {
		log.Info("cannot find the Role's manifest at the tracked head", "error", loc.ManifestErr.Error())
		return nil, false
	}
	spec, err := roleSpecInManifest(loc.Manifest, p.Namespace, string(p.Spec.RoleRef))
	if err != nil {
		log.Info("cannot decode the Role's manifest at the tracked head", "file", loc.ManifestPath, "error", err.Error())
		return nil, false
	}
	superseded, err := r.supersededFields(ctx, p)
	if err != nil {
		log.Error(err, "listing the newer commits of the Role")
		return nil, false
	}
	return divergedCells(spec, p.Spec.Changes, superseded), true
}

// endCommitted closes a committed Proposal that will not reach the Role.
func endCommitted(s *proposalScope, phase v1.ProposalPhase, reason, message string) {
	p := s.proposal
	p.Status.Phase = phase
	p.Status.Message = text.Truncate(message, 4096)
	s.conds.set(v1.ConditionApplied, metav1.ConditionFalse, reason, p.Status.Message)
	s.result = ctrl.Result{}
}

// supersededFields are the fields that Proposals of the same Role committed
// after p set again (Committed or Applied): the tracked branch shows their
// values, not p's, and the Role controller counts p as carried for them.
func (r *ProposalReconciler) supersededFields(ctx context.Context, p *v1.Proposal) (map[string]bool, error) {
	var list v1.ProposalList
	if err := r.List(ctx, &list, client.InNamespace(p.Namespace),
		client.MatchingFields{kubecache.IndexProposalRole: string(p.Spec.RoleRef)}, client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("listing the Proposals of Role %s: %w", p.Spec.RoleRef, err)
	}
	out := map[string]bool{}
	for i := range list.Items {
		o := &list.Items[i]
		if o.UID == p.UID || o.Status.GitCommit == nil ||
			(o.Status.Phase != v1.PhaseCommitted && o.Status.Phase != v1.PhaseApplied) ||
			!o.Status.GitCommit.CommittedAt.After(p.Status.GitCommit.CommittedAt.Time) {
			continue
		}
		for j := range o.Spec.Changes {
			out[changedField(&o.Spec.Changes[j])] = true
		}
	}
	return out, nil
}

// errNoRoleInManifest: the manifest holds no document for the Role.
var errNoRoleInManifest = errors.New("no Role of that name in the manifest")

// roleSpecInManifest decodes the spec of the Role namespace/name from a
// manifest of one or more YAML documents; a document without a namespace
// matches any (kustomize or the Application sets it).
func roleSpecInManifest(manifest []byte, namespace, name string) (*v1.RoleSpec, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(manifest), 4096)
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, errNoRoleInManifest
			}
			return nil, fmt.Errorf("decoding the manifest: %w", err)
		}
		var head metav1.PartialObjectMetadata
		if len(raw) == 0 || json.Unmarshal(raw, &head) != nil {
			continue
		}
		gv, err := schema.ParseGroupVersion(head.APIVersion)
		if err != nil || gv.Group != v1.GroupVersion.Group || head.Kind != "Role" || head.Name != name ||
			(head.Namespace != "" && head.Namespace != namespace) {
			continue
		}
		var role v1.Role
		if err := json.Unmarshal(raw, &role); err != nil {
			return nil, fmt.Errorf("decoding Role %s in the manifest: %w", name, err)
		}
		return &role.Spec, nil
	}
}

// divergedCells names each change spec does not carry (changeCarried),
// with the value spec holds instead; fields in superseded are skipped.
func divergedCells(spec *v1.RoleSpec, changes []v1.Change, superseded map[string]bool) []string {
	var out []string
	for i := range changes {
		c := &changes[i]
		if superseded[changedField(c)] || superseded[rowField(c.Skill)] || changeCarried(spec, c) {
			continue
		}
		out = append(out, describeDivergence(spec, c))
	}
	return out
}

func describeDivergence(spec *v1.RoleSpec, c *v1.Change) string {
	row := slices.IndexFunc(spec.Skills, func(s v1.SkillRequirement) bool { return s.ID == c.Skill })
	cell := func() *v1.Cell {
		if row < 0 {
			return nil
		}
		i := slices.IndexFunc(spec.Skills[row].Cells, func(x v1.Cell) bool { return x.Level == c.Level })
		if i < 0 {
			return nil
		}
		return &spec.Skills[row].Cells[i]
	}
	level := func() *v1.RoleLevel {
		i := slices.IndexFunc(spec.Levels, func(l v1.RoleLevel) bool { return l.Level == c.Level })
		if i < 0 {
			return nil
		}
		return &spec.Levels[i]
	}
	switch c.Op {
	case v1.OpSetProficiency:
		got := "no such cell"
		if x := cell(); x != nil {
			got = string(x.Proficiency)
		}
		return fmt.Sprintf("%s@%s proficiency is %s, the Proposal set %s", c.Skill, c.Level, got, c.Proficiency)
	case v1.OpSetRequired:
		got := "no such cell"
		if x := cell(); x != nil {
			got = strconv.FormatBool(x.Required)
		}
		want := c.Required != nil && *c.Required
		return fmt.Sprintf("%s@%s required is %s, the Proposal set %t", c.Skill, c.Level, got, want)
	case v1.OpSetFocus:
		got := "no such level"
		if l := level(); l != nil {
			got = strconv.Quote(l.Focus)
		}
		want := ""
		if c.Focus != nil {
			want = *c.Focus
		}
		return fmt.Sprintf("level %s focus is %s, the Proposal set %q", c.Level, got, want)
	case v1.OpSetTechStack:
		got := "no such level"
		if l := level(); l != nil {
			got = "[" + strings.Join(l.TechStack, ", ") + "]"
		}
		return fmt.Sprintf("level %s techStack is %s, the Proposal set [%s]", c.Level, got, strings.Join(c.TechStack, ", "))
	case v1.OpAddSkill:
		if row < 0 {
			return fmt.Sprintf("skill %s is absent, the Proposal added it", c.Skill)
		}
		return fmt.Sprintf("skill %s has other cells than the Proposal added", c.Skill)
	}
	return fmt.Sprintf("skill %s is still there, the Proposal removed it", c.Skill)
}
