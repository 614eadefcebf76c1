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
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/kubecache"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/promotion"
)

// promoter writes accepted Proposals into their Role: one write per batch
// that carries the changes and a marker per Proposal, so the change and the
// record of it land atomically (internal/promotion builds the write). It never
// writes a status: the Role controller records the promotion in the Role's
// history from the markers, and each Proposal marks itself Applied from that.
type promoter struct {
	client client.Client
	// reader reads the Role live: the write must be computed against the
	// newest Role, with its managedFields.
	reader client.Reader
	// afterWrite, when set, runs right after each promotion write with the
	// Proposal whose reconcile made it; tests use it to crash there.
	afterWrite func(ctx context.Context, proposal *v1.Proposal) error
	// authority judges a sibling for the batch exactly as its own
	// reconcile does (authority.verdict, re-checks included).
	authority *authority
	locks     roleLocks
}

// errRoleBusy means another worker is promoting into the Proposal's Role.
var errRoleBusy = errors.New("another promotion into the Role is in progress")

// roleBusyRetry is how soon a Proposal that found its Role busy is
// reconciled again if the promotion in progress does not wake it first.
const roleBusyRetry = time.Second

// maxBatch bounds how many Proposals one write promotes. The uids of a batch
// must stay in the bounded marker list until the Role's history records
// them, and a batch pushes out as many old markers as it adds; keeping
// batches far below promotion.MaxMarkers keeps that margin.
const maxBatch = promotion.MaxMarkers / 5

// promote writes p, accepted against the cached Role, into the live Role
// together with the Role's other accepted Proposals (see batchFor; a JSON
// patch carries p alone). It returns the conflicts when p's changes no
// longer apply to the live Role (nothing was written), nil once p's marker
// is on the Role (written now or before), errStale when the Role changed
// under the write or p was left out of the batch, and errRoleBusy when
// another worker holds the Role. The Role's lock is held from the live read
// through the write, so concurrent workers do not fail each other's
// resourceVersion guard.
func (pr *promoter) promote(ctx context.Context, p *v1.Proposal, matrix *v1.SkillMatrix, now time.Time,
	checks *ballotChecks) ([]governance.Conflict, error) {
	roleKey := client.ObjectKey{Namespace: p.Namespace, Name: string(p.Spec.RoleRef)}
	unlock, ok := pr.locks.tryLock(roleKey)
	if !ok {
		return nil, errRoleBusy
	}
	defer unlock()

	live, role, err := pr.readLive(ctx, roleKey)
	if err != nil {
		return nil, err
	}
	// The cache can be behind a batch that already promoted this Proposal.
	if promotion.HasMarker(role.Annotations, string(p.UID)) {
		return nil, nil
	}
	newSpec, conflicts := governance.Apply(&role.Spec, p.Spec.Changes)
	if len(conflicts) > 0 {
		return conflicts, nil
	}

	batch := []*v1.Proposal{p}
	if promotion.NeedsPatch(p.Spec.Changes) {
		err = pr.writePatch(ctx, role, newSpec, p)
	} else {
		var changes []v1.Change
		if batch, newSpec, changes, err = pr.batchFor(ctx, p, role, matrix, now, checks); err != nil {
			return nil, err
		}
		if len(batch) == 0 {
			// p fits the live Role but is no longer accepted against it.
			return nil, fmt.Errorf("judging Proposal %s against the live Role %s: %w", p.Name, roleKey, errStale)
		}
		err = pr.writeApply(ctx, live, newSpec, changes, batch)
	}
	if err != nil {
		return nil, pr.classifyWriteError(ctx, roleKey, role.ResourceVersion, batch, err)
	}
	logf.FromContext(ctx).Info("promoted proposals into their Role", "role", roleKey.Name, "proposals", namesOf(batch))

	if pr.afterWrite != nil {
		if err := pr.afterWrite(ctx, p); err != nil {
			return nil, err
		}
	}
	if !slices.Contains(batch, p) {
		// p no longer fits after the Proposals created before it, or the
		// batch was full: its next reconcile decides again on the new Role.
		return nil, fmt.Errorf("the Proposals promoted before %s changed Role %s: %w", p.Name, roleKey, errStale)
	}
	return nil, nil
}

// readLive reads the Role past the cache, as unstructured (the apply needs
// its managedFields as sent) and typed.
func (pr *promoter) readLive(ctx context.Context, key client.ObjectKey) (*unstructured.Unstructured, *v1.Role, error) {
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(v1.GroupVersion.WithKind("Role"))
	if err := pr.reader.Get(ctx, key, live); err != nil {
		return nil, nil, fmt.Errorf("reading Role %s before promotion: %w", key, err)
	}
	var role v1.Role
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(live.Object, &role); err != nil {
		return nil, nil, fmt.Errorf("decoding Role %s: %w", key, err)
	}
	return live, &role, nil
}

// writePatch promotes one Proposal that removes a skill: server-side apply
// cannot remove a list entry other managers co-own.
func (pr *promoter) writePatch(ctx context.Context, role *v1.Role, newSpec *v1.RoleSpec, p *v1.Proposal) error {
	patch, err := promotion.Patch(role, newSpec, string(p.UID))
	if err != nil {
		return err
	}
	return pr.client.Patch(ctx, role, client.RawPatch(types.JSONPatchType, patch), client.FieldOwner(promotion.FieldManager))
}

func (pr *promoter) writeApply(ctx context.Context, live *unstructured.Unstructured, newSpec *v1.RoleSpec,
	changes []v1.Change, batch []*v1.Proposal) error {
	cfg, err := promotion.ApplyConfiguration(live, newSpec, changes, uidsOf(batch))
	if err != nil {
		return err
	}
	return pr.client.Apply(ctx, client.ApplyConfigurationFromUnstructured(cfg),
		client.FieldOwner(promotion.FieldManager), client.ForceOwnership)
}

// classifyWriteError tells a write that lost its resourceVersion guard from
// a real failure. The apply reports the guard as a Conflict; the JSON
// patch's test operation as an Invalid whose text varies, so that case is
// settled by reading the Role's resourceVersion again rather than by
// parsing the message.
func (pr *promoter) classifyWriteError(ctx context.Context, key client.ObjectKey, readVersion string,
	batch []*v1.Proposal, err error) error {
	if apierrors.IsConflict(err) {
		return fmt.Errorf("promoting into Role %s: %w: %w", key, errStale, err)
	}
	if apierrors.IsInvalid(err) {
		var now v1.Role
		if getErr := pr.reader.Get(ctx, key, &now); getErr == nil && now.ResourceVersion != readVersion {
			return fmt.Errorf("promoting into Role %s: %w: %w", key, errStale, err)
		}
	}
	return fmt.Errorf("promoting %s into Role %s: %w", strings.Join(namesOf(batch), ", "), key, err)
}

// batchFor returns the Proposals of role to promote with p in one write, in
// creation order (then by name), with the spec they leave and their changes
// in that order: every open Proposal that its own reconcile would promote
// after the ones before it (governance.Judge), p included, up to maxBatch.
// Whatever is left out (p too) keeps its own reconcile: one that conflicts
// with the Proposals before it sees the new Role there and is marked
// Conflicted, as when Proposals are promoted one at a time in that order. A
// Proposal that removes a skill needs a JSON patch and is never batched.
func (pr *promoter) batchFor(ctx context.Context, p *v1.Proposal, role *v1.Role, matrix *v1.SkillMatrix,
	now time.Time, checks *ballotChecks) ([]*v1.Proposal, *v1.RoleSpec, []v1.Change, error) {
	var siblings v1.ProposalList
	if err := pr.client.List(ctx, &siblings, client.InNamespace(p.Namespace),
		client.MatchingFields{kubecache.IndexProposalRole: string(p.Spec.RoleRef)}); err != nil {
		return nil, nil, nil, fmt.Errorf("listing the Proposals of Role %s: %w", role.Name, err)
	}
	candidates := []*v1.Proposal{p}
	for i := range siblings.Items {
		q := &siblings.Items[i]
		if q.UID == p.UID || q.Status.Phase.IsClosed() || !q.DeletionTimestamp.IsZero() ||
			promotion.HasMarker(role.Annotations, string(q.UID)) || promotion.NeedsPatch(q.Spec.Changes) {
			continue
		}
		candidates = append(candidates, q)
	}
	slices.SortFunc(candidates, func(a, b *v1.Proposal) int {
		return cmp.Or(a.CreationTimestamp.Compare(b.CreationTimestamp.Time), cmp.Compare(a.Name, b.Name))
	})

	// Each candidate's ballots are re-checked at once rather than one
	// Proposal after the other: the checks do not depend on the spec the
	// batch has reached, only the rules judged below do.
	checks.prefetch(ctx, candidates[:min(len(candidates), maxBatch)], role, matrix, now)
	spec := &role.Spec
	var batch []*v1.Proposal
	var changes []v1.Change
	for _, q := range candidates {
		if len(batch) == maxBatch {
			break
		}
		v, err := pr.authority.verdict(ctx, q, role, spec, matrix, now, checks)
		if err != nil {
			return nil, nil, nil, err
		}
		if !v.Promotable() {
			continue
		}
		batch = append(batch, q)
		changes = append(changes, q.Spec.Changes...)
		spec = v.NewSpec
	}
	return batch, spec, changes, nil
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

// roleLocks serializes promotions into each Role within the process. Workers
// promoting into one Role at once would otherwise fail each other's
// resourceVersion guard and retry; and a worker that waited for the lock
// would sit idle while the batch it waits for usually promotes its Proposal
// anyway. Leader election makes the process the only writer. The zero value
// is ready to use.
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

// releaseCellFields gives up the promotion field manager's ownership of
// fields of partly reverted cells (promotion.ReleaseConfiguration), so each
// such cell is left as its other managers have it. It reports whether it
// wrote; the write is guarded by the resourceVersion it read, and a lost race
// is errStale.
func releaseCellFields(ctx context.Context, c client.Client, reader client.Reader, key client.ObjectKey,
	fields []promotion.CellField) (bool, error) {
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(v1.GroupVersion.WithKind("Role"))
	if err := reader.Get(ctx, key, live); err != nil {
		return false, fmt.Errorf("reading Role %s before releasing reverted cells: %w", key, err)
	}
	cfg, ok, err := promotion.ReleaseConfiguration(live, fields)
	if err != nil || !ok {
		return false, err
	}
	if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(cfg), client.FieldOwner(promotion.FieldManager)); err != nil {
		if apierrors.IsConflict(err) {
			return false, fmt.Errorf("releasing reverted cells of Role %s: %w: %w", key, errStale, err)
		}
		return false, fmt.Errorf("releasing reverted cells of Role %s: %w", key, err)
	}
	logf.FromContext(ctx).Info("released the promoted fields of partly reverted cells", "role", key.Name, "fields", fields)
	return true, nil
}
