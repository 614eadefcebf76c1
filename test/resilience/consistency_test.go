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

package resilience

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/promotion"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
)

// roleRecorder keeps every version of every Role in a namespace, in the
// order the API server committed them, through one watch resumed from the
// last resourceVersion seen if the API server closes it. The consistency
// check explains each spec change between consecutive versions by exactly
// one writer.
type roleRecorder struct {
	mu       sync.Mutex
	versions map[string][]*v1.Role
	err      error
	cancel   context.CancelFunc
	done     chan struct{}
}

func startRecorder(ns string) *roleRecorder {
	GinkgoHelper()
	var list v1.RoleList
	Expect(k8sClient.List(suiteCtx, &list, client.InNamespace(ns))).To(Succeed())
	r := &roleRecorder{versions: map[string][]*v1.Role{}, done: make(chan struct{})}
	for i := range list.Items {
		r.versions[list.Items[i].Name] = []*v1.Role{list.Items[i].DeepCopy()}
	}
	ctx, cancel := context.WithCancel(suiteCtx)
	r.cancel = cancel
	go r.run(ctx, ns, list.ResourceVersion)
	return r
}

func (r *roleRecorder) run(ctx context.Context, ns, rv string) {
	defer close(r.done)
	for ctx.Err() == nil {
		w, err := k8sClient.Watch(ctx, &v1.RoleList{}, client.InNamespace(ns),
			&client.ListOptions{Raw: &metav1.ListOptions{ResourceVersion: rv, AllowWatchBookmarks: true}})
		if err != nil {
			if ctx.Err() == nil {
				r.fail(fmt.Errorf("watching Roles from %s: %w", rv, err))
			}
			return
		}
		for ev := range w.ResultChan() {
			switch ev.Type {
			case watch.Added, watch.Modified:
				role, ok := ev.Object.(*v1.Role)
				if !ok {
					continue
				}
				rv = role.ResourceVersion
				r.add(role)
			case watch.Bookmark:
				if obj, err := meta.Accessor(ev.Object); err == nil {
					rv = obj.GetResourceVersion()
				}
			case watch.Error:
				// Resuming past a compacted revision would lose versions.
				if ctx.Err() == nil {
					r.fail(fmt.Errorf("the Role watch failed: %v", ev.Object))
				}
				w.Stop()
				return
			case watch.Deleted:
			}
		}
	}
}

func (r *roleRecorder) add(role *v1.Role) {
	r.mu.Lock()
	defer r.mu.Unlock()
	list := r.versions[role.Name]
	if n := len(list); n > 0 && list[n-1].ResourceVersion == role.ResourceVersion {
		return
	}
	r.versions[role.Name] = append(list, role.DeepCopy())
}

func (r *roleRecorder) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = err
	}
}

// stop ends the watch and returns the versions, once every Role version up
// to the current state has been seen.
func (r *roleRecorder) stop(ns string) map[string][]*v1.Role {
	GinkgoHelper()
	var list v1.RoleList
	Expect(k8sClient.List(suiteCtx, &list, client.InNamespace(ns))).To(Succeed())
	Eventually(func() []string {
		r.mu.Lock()
		defer r.mu.Unlock()
		var behind []string
		for _, role := range list.Items {
			versions := r.versions[role.Name]
			if len(versions) == 0 || versions[len(versions)-1].ResourceVersion != role.ResourceVersion {
				behind = append(behind, role.Name)
			}
		}
		return behind
	}).Should(BeEmpty(), "the recorder did not see the latest version of these Roles")
	r.cancel()
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	Expect(r.err).NotTo(HaveOccurred())
	return r.versions
}

// roleEdit is one edit a person makes with kubectl edit: cells and a
// level's focus set to new values, sent as an update guarded by the
// resourceVersion it was computed from.
type roleEdit struct {
	Role  string
	Cells []cellEdit
	Focus map[v1.ID]string
}

type cellEdit struct {
	Skill, Level v1.ID
	Proficiency  v1.ProficiencyID
	Required     bool
}

func (e roleEdit) apply(spec *v1.RoleSpec) {
	for _, c := range e.Cells {
		for i := range spec.Skills {
			if spec.Skills[i].ID != c.Skill {
				continue
			}
			for j := range spec.Skills[i].Cells {
				if spec.Skills[i].Cells[j].Level == c.Level {
					spec.Skills[i].Cells[j].Proficiency = c.Proficiency
					spec.Skills[i].Cells[j].Required = c.Required
				}
			}
		}
	}
	for level, focus := range e.Focus {
		for i := range spec.Levels {
			if spec.Levels[i].Level == level {
				spec.Levels[i].Focus = focus
			}
		}
	}
}

// editLog records the edits that the API server accepted, by the
// resourceVersion each produced.
type editLog struct {
	mu    sync.Mutex
	byRV  map[string]roleEdit
	count int
}

func newEditLog() *editLog { return &editLog{byRV: map[string]roleEdit{}} }

func (l *editLog) record(rv string, e roleEdit) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.byRV[rv] = e
	l.count++
}

// canonical renders a spec for comparison: keyed lists sorted by key, so
// the order in which server-side apply and Apply place an added row does
// not matter; every value, including atomic lists, compares exactly.
func canonical(spec v1.RoleSpec) string {
	GinkgoHelper()
	s := spec.DeepCopy()
	slices.SortFunc(s.Skills, func(a, b v1.SkillRequirement) int { return cmp.Compare(a.ID, b.ID) })
	for i := range s.Skills {
		slices.SortFunc(s.Skills[i].Cells, func(a, b v1.Cell) int { return cmp.Compare(a.Level, b.Level) })
	}
	slices.SortFunc(s.Levels, func(a, b v1.RoleLevel) int { return cmp.Compare(a.Level, b.Level) })
	data, err := json.Marshal(s)
	Expect(err).NotTo(HaveOccurred())
	return string(data)
}

// consistency summarises what the check found, for the report.
type consistency struct {
	Roles, Transitions, Promotions, Edits   int
	Applied, Conflicted, Invalid, Open      int
	HistoryGenerationLater, StatusOnlyWrite int
	Batched                                 int
}

func (c consistency) String() string {
	return fmt.Sprintf("%d Roles, %d spec transitions (%d promotions, %d edits), %d status-only versions; "+
		"Proposals: %d Applied, %d Conflicted, %d Invalid, %d Open; %d history entries name a later generation "+
		"than the one that carried the change; %d writes promoted several Proposals",
		c.Roles, c.Transitions, c.Promotions, c.Edits, c.StatusOnlyWrite,
		c.Applied, c.Conflicted, c.Invalid, c.Open, c.HistoryGenerationLater, c.Batched)
}

// expectConsistent is the exact end-of-storm check:
//
//   - every spec change of every Role, version by version, is explained by
//     exactly one writer: a promotion (the version adds exactly one uid to
//     the promotion marker, and its spec is governance.Apply of the
//     Proposal's changes to the previous spec) or one of the recorded
//     edits (by the resourceVersion it produced, and its spec is that edit
//     applied to the previous spec);
//   - every Applied Proposal was promoted exactly once and appears exactly
//     once in its Role's status.history and in the marker annotation;
//     every other Proposal (Conflicted, Invalid, Open) changed nothing and
//     appears in neither; every recorded edit landed exactly once;
//   - every Role is Ready at its generation and its ConfigMap equals a
//     fresh render (internal/model, internal/render, internal/publish) of
//     the Role and its SkillMatrix, with that hash in status.contentHash and
//     in the ConfigMap's annotation, so values, history and changelog agree.
func expectConsistent(ns string, versions map[string][]*v1.Role, edits *editLog) consistency {
	GinkgoHelper()
	var report consistency
	var proposals v1.ProposalList
	Expect(k8sClient.List(suiteCtx, &proposals, client.InNamespace(ns))).To(Succeed())
	byUID := map[string]*v1.Proposal{}
	for i := range proposals.Items {
		p := &proposals.Items[i]
		byUID[string(p.UID)] = p
		switch p.Status.Phase {
		case v1.PhaseApplied:
			report.Applied++
		case v1.PhaseConflicted:
			report.Conflicted++
		case v1.PhaseInvalid:
			report.Invalid++
		case v1.PhaseOpen:
			report.Open++
		default:
			Fail(fmt.Sprintf("Proposal %s ended in phase %q", p.Name, p.Status.Phase))
		}
	}

	promotedAt := map[string]int64{}
	editsSeen := map[string]bool{}
	for name, list := range versions {
		report.Roles++
		for i := 1; i < len(list); i++ {
			explainTransition(list[i-1], list[i], byUID, edits, promotedAt, editsSeen, &report)
		}
		Expect(list).NotTo(BeEmpty(), "no version of Role %s", name)
	}
	edits.mu.Lock()
	Expect(editsSeen).To(HaveLen(edits.count), "recorded edits that no Role version carries")
	edits.mu.Unlock()

	var roles v1.RoleList
	Expect(k8sClient.List(suiteCtx, &roles, client.InNamespace(ns))).To(Succeed())
	rolesByName := map[string]*v1.Role{}
	for i := range roles.Items {
		role := &roles.Items[i]
		rolesByName[role.Name] = role
		list := versions[role.Name]
		Expect(list[len(list)-1].ResourceVersion).To(Equal(role.ResourceVersion),
			"Role %s changed after the recorder stopped", role.Name)
		expectPublished(role)
		markers := promotion.Markers(role.Annotations)
		Expect(len(markers)).To(BeNumerically("<", promotion.MaxMarkers),
			"Role %s: the storm promoted too much for the bounded marker list to prove exactly-once", role.Name)
		for _, uid := range markers {
			p, ok := byUID[uid]
			Expect(ok).To(BeTrue(), "Role %s carries the marker of an unknown Proposal %s", role.Name, uid)
			Expect(p.Status.Phase).To(Equal(v1.PhaseApplied), "Role %s carries the marker of Proposal %s", role.Name, p.Name)
		}
		for _, h := range role.Status.History {
			p, ok := byUID[h.UID]
			Expect(ok).To(BeTrue(), "Role %s records an unknown Proposal %s", role.Name, h.UID)
			Expect(p.Status.Phase).To(Equal(v1.PhaseApplied), "Role %s records Proposal %s in its history", role.Name, p.Name)
		}
	}

	for uid, p := range byUID {
		role := rolesByName[string(p.Spec.RoleRef)]
		Expect(role).NotTo(BeNil())
		inMarkers := countOf(promotion.Markers(role.Annotations), uid)
		inHistory := 0
		var entry v1.AppliedProposal
		for _, h := range role.Status.History {
			if h.UID == uid {
				inHistory++
				entry = h
			}
		}
		gen, promoted := promotedAt[uid]
		if p.Status.Phase != v1.PhaseApplied {
			Expect(promoted).To(BeFalse(), "%s Proposal %s changed Role %s", p.Status.Phase, p.Name, role.Name)
			Expect(inMarkers).To(BeZero(), "%s Proposal %s is in the markers of Role %s", p.Status.Phase, p.Name, role.Name)
			Expect(inHistory).To(BeZero(), "%s Proposal %s is in the history of Role %s", p.Status.Phase, p.Name, role.Name)
			continue
		}
		Expect(promoted).To(BeTrue(), "Applied Proposal %s never changed Role %s", p.Name, role.Name)
		Expect(inMarkers).To(Equal(1), "Applied Proposal %s in the markers of Role %s", p.Name, role.Name)
		Expect(inHistory).To(Equal(1), "Applied Proposal %s in the history of Role %s", p.Name, role.Name)
		// The record is written after the change, and after a crash or a
		// concurrent edit it may name a later generation, never an earlier one.
		Expect(entry.Generation).To(BeNumerically(">=", gen), "Proposal %s", p.Name)
		Expect(p.Status.AppliedRoleGeneration).To(Equal(entry.Generation), "Proposal %s", p.Name)
		if entry.Generation != gen {
			report.HistoryGenerationLater++
		}
	}
	return report
}

// explainTransition attributes the change between two consecutive versions
// of a Role to exactly one writer, or fails.
func explainTransition(before, after *v1.Role, byUID map[string]*v1.Proposal, edits *editLog,
	promotedAt map[string]int64, editsSeen map[string]bool, report *consistency) {
	GinkgoHelper()
	added := slices.DeleteFunc(promotion.Markers(after.Annotations), func(uid string) bool {
		return slices.Contains(promotion.Markers(before.Annotations), uid)
	})
	specChanged := canonical(before.Spec) != canonical(after.Spec)
	edits.mu.Lock()
	edit, isEdit := edits.byRV[after.ResourceVersion]
	edits.mu.Unlock()
	where := fmt.Sprintf("Role %s, resourceVersion %s -> %s (generation %d -> %d)", after.Name,
		before.ResourceVersion, after.ResourceVersion, before.Generation, after.Generation)

	switch {
	case len(added) > 0:
		// One write may promote a batch: its markers, in order, each apply
		// cleanly on top of the ones before, and together explain the spec.
		Expect(isEdit).To(BeFalse(), "%s: both a promotion and an edit", where)
		want := &before.Spec
		for _, uid := range added {
			p, ok := byUID[uid]
			Expect(ok).To(BeTrue(), "%s: marker of an unknown Proposal %s", where, uid)
			_, twice := promotedAt[uid]
			Expect(twice).To(BeFalse(), "%s: Proposal %s promoted a second time", where, p.Name)
			next, conflicts := governance.Apply(want, p.Spec.Changes)
			Expect(conflicts).To(BeEmpty(), "%s: Proposal %s was promoted over a conflict", where, p.Name)
			want = next
			promotedAt[uid] = after.Generation
			report.Promotions++
		}
		Expect(canonical(after.Spec)).To(Equal(canonical(*want)),
			"%s: the promotion of %v wrote something else than their changes", where, added)
		if len(added) > 1 {
			report.Batched++
		}
		report.Transitions++
	case specChanged || before.Generation != after.Generation:
		Expect(isEdit).To(BeTrue(), "%s: the spec changed with no promotion marker and no recorded edit", where)
		want := before.Spec.DeepCopy()
		edit.apply(want)
		Expect(canonical(after.Spec)).To(Equal(canonical(*want)), "%s: the edit did not land as sent", where)
		Expect(editsSeen[after.ResourceVersion]).To(BeFalse())
		editsSeen[after.ResourceVersion] = true
		report.Edits++
		report.Transitions++
	default:
		Expect(isEdit).To(BeFalse(), "%s: a recorded edit changed nothing", where)
		Expect(after.Annotations[promotion.AnnotationAppliedProposals]).To(
			Equal(before.Annotations[promotion.AnnotationAppliedProposals]), "%s: a marker vanished", where)
		report.StatusOnlyWrite++
	}
}

func countOf(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// freshPayload renders a Role against its SkillMatrix exactly as the
// operator must have published it.
func freshPayload(role *v1.Role) (publish.Payload, error) {
	var matrix v1.SkillMatrix
	if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: role.Namespace, Name: string(role.Spec.MatrixRef)},
		&matrix); err != nil {
		return publish.Payload{}, err
	}
	files, err := render.Role(model.BuildRole(&matrix, role), render.PublishedOptions(matrix.Spec.Publishing))
	if err != nil {
		return publish.Payload{}, err
	}
	return publish.Build(files, publish.MaxConfigMapBytes)
}

// published reports why a Role's ConfigMap is not (yet) a fresh render of
// it, or "" when it is.
func published(role *v1.Role) string {
	if role.Status.ObservedGeneration != role.Generation ||
		!meta.IsStatusConditionTrue(role.Status.Conditions, v1.ConditionReady) {
		return fmt.Sprintf("Role %s is not Ready at generation %d", role.Name, role.Generation)
	}
	payload, err := freshPayload(role)
	if err != nil {
		return err.Error()
	}
	if role.Status.ContentHash != payload.Hash {
		return fmt.Sprintf("Role %s reports hash %s, a fresh render is %s", role.Name, role.Status.ContentHash, payload.Hash)
	}
	var cm corev1.ConfigMap
	if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: role.Namespace, Name: role.Status.ConfigMapName},
		&cm); err != nil {
		return err.Error()
	}
	if cm.Annotations[publish.AnnotationContentHash] != payload.Hash ||
		!payload.Equal(cm.Data, cm.BinaryData) {
		return fmt.Sprintf("ConfigMap %s is not a fresh render of Role %s", cm.Name, role.Name)
	}
	if !metav1.IsControlledBy(&cm, role) {
		return fmt.Sprintf("ConfigMap %s is not controlled by Role %s", cm.Name, role.Name)
	}
	return ""
}

func expectPublished(role *v1.Role) {
	GinkgoHelper()
	Expect(published(role)).To(BeEmpty())
}

// allPublished is a poll function: "" once every Role of ns is published as
// a fresh render.
func allPublished(ns string) func() string {
	return func() string {
		var roles v1.RoleList
		if err := k8sClient.List(suiteCtx, &roles, client.InNamespace(ns)); err != nil {
			return err.Error()
		}
		var problems []string
		for i := range roles.Items {
			if why := published(&roles.Items[i]); why != "" {
				problems = append(problems, why)
			}
		}
		return strings.Join(problems, "\n")
	}
}
