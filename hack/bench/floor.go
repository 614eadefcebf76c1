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

package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/controller"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/promotion"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// floorResult is the governance floor: a plain client with no rate limit
// making, for the same burst of deciding votes, exactly the writes the
// operator's batching needs, every body computed before the clock starts,
// timed by the same ConfigMap informer as the operator.
type floorResult struct {
	Proposals int
	Roles     int
	// Batches is how many promotion batches the floor wrote: the number of
	// Role applies the operator made in the governance run it follows.
	Batches int
	// Latencies, sorted: from sending each deciding vote to the first
	// version of its Role's ConfigMap that lists the Proposal.
	Latencies []time.Duration
	P50, P95  time.Duration
	Max       time.Duration
	// Solo are the latencies of single decisions, one at a time, each
	// written as a batch of one.
	Solo []time.Duration
	Acks []time.Duration
	// Writes are every write from the votes until the API server was quiet,
	// the votes included.
	Writes   writeCounts
	CPU      map[string]time.Duration
	Requests map[string]requestMean
}

// floorBatch is one promotion batch of the floor, every request body
// computed before the clock starts: the Role apply, its ConfigMap, the Role
// status with the batch's history entries and content hash, and each
// Proposal's Applied status.
type floorBatch struct {
	role      string
	proposals []*v1.Proposal
	apply     *unstructured.Unstructured
	configMap *corev1.ConfigMap
	// roleStatus and proposalStatus are merge patches of the status
	// subresource.
	roleStatus     []byte
	proposalStatus [][]byte
	hash           string
}

// governancePolicy is the sample's governance for these measurements: two
// approving votes (66%) and one expert review.
func governancePolicy() *v1.GovernancePolicy {
	return &v1.GovernancePolicy{
		MinApprovals: new(int32(2)), ApprovalRatioPercent: new(int32(66)), RequiredReviews: new(int32(1)),
		VotingPeriod: &metav1.Duration{Duration: 168 * time.Hour},
	}
}

// floor measures the governance floor on a fresh control plane set up as
// for the operator: the manager v publishes the Roles and opens the
// Proposals, then stops; from then on only the harness writes. batches is
// the number of Role applies the operator made for the burst.
func (b *bench) floor(ctx context.Context, v variant, batches int) (floorResult, error) {
	res := floorResult{Proposals: b.cfg.govProposals, Roles: b.cfg.govRoles}
	track := newLatencies(b.cfg.govProposals + soloVotes)
	st, err := b.setUp(ctx, stageSpec{namespace: "governance", roles: b.cfg.govRoles, onConfigMap: track.configMap,
		governance: governancePolicy()})
	defer st.close()
	if err != nil {
		return res, err
	}
	mgr, err := b.startManager(ctx, st, v, "floor-setup")
	if err != nil {
		return res, err
	}
	proposals, err := b.openProposals(ctx, st, b.cfg.govProposals+soloVotes)
	if err != nil {
		_ = mgr.stop()
		return res, err
	}
	if err := mgr.stop(); err != nil {
		return res, fmt.Errorf("stopping the manager that set up the floor: %w", err)
	}
	if _, err := waitQuiet(ctx, st.cp, 2*time.Second, time.Minute); err != nil {
		return res, err
	}
	for _, p := range proposals {
		track.byRole[string(p.Spec.RoleRef)] = append(track.byRole[string(p.Spec.RoleRef)], string(p.UID))
	}
	fw := &floorWriter{st: st, c: st.cp.operator, workers: make(chan struct{}, b.cfg.baselineWorkers)}

	logln("  floor: %d single decisions", soloVotes)
	for _, p := range proposals[:soloVotes] {
		d, err := fw.decideOne(ctx, track, p)
		if err != nil {
			return res, fmt.Errorf("floor single decision %s: %w", p.Name, err)
		}
		res.Solo = append(res.Solo, d)
		if _, err := waitQuiet(ctx, st.cp, 2*time.Second, time.Minute); err != nil {
			return res, err
		}
	}
	slices.Sort(res.Solo)
	proposals = proposals[soloVotes:]

	plan, err := fw.prepare(ctx, planBatches(proposals, batches))
	if err != nil {
		return res, err
	}
	res.Batches = len(plan)
	m, err := startMeter(ctx, st.cp, 0)
	if err != nil {
		return res, err
	}
	logln("  floor: %d deciding votes at once, then %d batches of writes", len(proposals), len(plan))
	writeErr := make(chan error, 1)
	acked := track.ackSignals(proposals)
	go func() { writeErr <- fw.writeBatches(ctx, plan, acked) }()
	if failed := track.decideAtOnceNotify(ctx, st.cp.users[dave], proposals, track.ackNotifier(acked)); failed > 0 {
		return res, fmt.Errorf("%d deciding votes failed", failed)
	}
	if err := <-writeErr; err != nil {
		return res, err
	}
	if err := waitChan(ctx, track.all, b.cfg.timeout, func() string {
		return fmt.Sprintf("floor: %d Proposals not yet in their ConfigMap", track.pending())
	}); err != nil {
		return res, err
	}
	res.CPU = m.cpuTime()
	res.Latencies, res.Acks = track.sorted(proposals)
	res.P50, res.P95 = percentile(res.Latencies, 0.50), percentile(res.Latencies, 0.95)
	res.Max = res.Latencies[len(res.Latencies)-1]
	if res.Writes, err = m.writesSettled(ctx, 3*time.Second); err != nil {
		return res, err
	}
	if res.Requests, err = m.requests(ctx); err != nil {
		return res, err
	}
	logln("  floor: p50 %s, p95 %s, max %s", res.P50.Round(time.Millisecond), res.P95.Round(time.Millisecond),
		res.Max.Round(time.Millisecond))
	want := map[string]string{}
	for _, batch := range plan {
		want[batch.role] = batch.hash // the last batch of each Role wins
	}
	if err := verifyConfigMaps(ctx, st.cp.admin, st.ns, want); err != nil {
		return res, fmt.Errorf("floor: %w", err)
	}
	return res, verifyApplied(ctx, st.cp.admin, st.ns, len(proposals)+soloVotes)
}

// planBatches groups the Proposals by Role, in creation order, into n
// batches: one per Role, and the rest spread over the Roles with the most
// Proposals per batch, each Role's Proposals split into runs of nearly equal
// length. Fewer batches than Roles means one per Role.
func planBatches(proposals []*v1.Proposal, n int) [][]*v1.Proposal {
	var roles []string
	byRole := map[string][]*v1.Proposal{}
	for _, p := range proposals {
		r := string(p.Spec.RoleRef)
		if _, ok := byRole[r]; !ok {
			roles = append(roles, r)
		}
		byRole[r] = append(byRole[r], p)
	}
	split := make(map[string]int, len(roles))
	for _, r := range roles {
		split[r] = 1
	}
	for extra := n - len(roles); extra > 0; extra-- {
		// The Role whose batches are largest gets one more.
		best := ""
		for _, r := range roles {
			if split[r] < len(byRole[r]) && (best == "" ||
				len(byRole[r])*split[best] > len(byRole[best])*split[r]) {
				best = r
			}
		}
		if best == "" {
			break
		}
		split[best]++
	}
	var out [][]*v1.Proposal
	for _, r := range roles {
		ps, k := byRole[r], split[r]
		for i := range k {
			out = append(out, ps[i*len(ps)/k:(i+1)*len(ps)/k])
		}
	}
	return out
}

// floorWriter sends the floor's writes as the operator's identity, at most
// cap(workers) at a time, with no client-side rate limit.
type floorWriter struct {
	st      *stage
	c       client.Client
	workers chan struct{}
}

// roleState is a Role as the floor's next batch starts from: what the
// previous batch left, computed, never read back.
type roleState struct {
	live      *unstructured.Unstructured
	role      *v1.Role
	configMap *corev1.ConfigMap
	// changes are every change promoted by the floor so far: server-side
	// apply removes the fields its manager owned and no longer sends, so
	// each apply carries all of them, as the operator's does through the
	// managedFields it reads.
	changes []v1.Change
	batches int
}

// readRoles reads the live Roles and their ConfigMaps once, before the clock.
func (fw *floorWriter) readRoles(ctx context.Context, names []string) (map[string]*roleState, error) {
	out := map[string]*roleState{}
	for _, name := range names {
		if _, ok := out[name]; ok {
			continue
		}
		key := client.ObjectKey{Namespace: fw.st.ns, Name: name}
		live := &unstructured.Unstructured{}
		live.SetGroupVersionKind(v1.GroupVersion.WithKind("Role"))
		if err := fw.st.cp.admin.Get(ctx, key, live); err != nil {
			return nil, fmt.Errorf("reading Role %s: %w", key, err)
		}
		role := &v1.Role{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(live.Object, role); err != nil {
			return nil, fmt.Errorf("decoding Role %s: %w", key, err)
		}
		cm := &corev1.ConfigMap{}
		cmKey := client.ObjectKey{Namespace: fw.st.ns, Name: role.Status.ConfigMapName}
		if err := fw.st.cp.admin.Get(ctx, cmKey, cm); err != nil {
			return nil, fmt.Errorf("reading ConfigMap %s: %w", cmKey, err)
		}
		out[name] = &roleState{live: live, role: role, configMap: cm}
	}
	return out, nil
}

// prepare computes every batch's request bodies, in order per Role, from
// the live objects read now.
func (fw *floorWriter) prepare(ctx context.Context, batches [][]*v1.Proposal) ([]*floorBatch, error) {
	names := make([]string, 0, len(batches))
	for _, ps := range batches {
		names = append(names, string(ps[0].Spec.RoleRef))
	}
	roles, err := fw.readRoles(ctx, names)
	if err != nil {
		return nil, err
	}
	appliedAt := metav1.Now().Rfc3339Copy()
	out := make([]*floorBatch, 0, len(batches))
	for _, ps := range batches {
		live, err := fw.livePropsals(ctx, ps)
		if err != nil {
			return nil, err
		}
		batch, err := fw.st.nextBatch(roles[string(ps[0].Spec.RoleRef)], live, appliedAt)
		if err != nil {
			return nil, err
		}
		out = append(out, batch)
	}
	return out, nil
}

// livePropsals reads the Proposals as stored: their status is what the
// Applied patch is computed from.
func (fw *floorWriter) livePropsals(ctx context.Context, ps []*v1.Proposal) ([]*v1.Proposal, error) {
	out := make([]*v1.Proposal, 0, len(ps))
	for _, p := range ps {
		var live v1.Proposal
		if err := fw.st.cp.admin.Get(ctx, client.ObjectKeyFromObject(p), &live); err != nil {
			return nil, fmt.Errorf("reading Proposal %s: %w", p.Name, err)
		}
		out = append(out, &live)
	}
	return out, nil
}

// nextBatch computes the writes of promoting ps into the Role after the
// batches before it, and advances s to the state they leave.
func (st *stage) nextBatch(s *roleState, ps []*v1.Proposal, appliedAt metav1.Time) (*floorBatch, error) {
	spec := s.role.Spec.DeepCopy()
	uids := make([]string, 0, len(ps))
	for _, p := range ps {
		next, conflicts := governance.Apply(spec, p.Spec.Changes)
		if len(conflicts) > 0 {
			return nil, fmt.Errorf("proposal %s conflicts with Role %s: %v", p.Name, s.role.Name, conflicts)
		}
		spec = next
		s.changes = append(s.changes, p.Spec.Changes...)
		uids = append(uids, string(p.UID))
	}
	cfg, err := promotion.ApplyConfiguration(s.live, spec, s.changes, uids)
	if err != nil {
		return nil, err
	}
	s.batches++
	if s.batches > 1 {
		// The version the first write left is unknown before the clock.
		cfg.SetResourceVersion("")
	}
	generation := s.role.Generation + 1

	before := s.role.DeepCopy()
	after := s.role.DeepCopy()
	after.Spec = *spec
	after.Generation = generation
	after.Annotations = cfg.GetAnnotations()
	for _, p := range ps {
		after.Status.History = append(after.Status.History, v1.AppliedProposal{Name: v1.ObjectName(p.Name),
			UID: string(p.UID), Title: text.Truncate(p.Spec.Title, 200), Author: p.Spec.Author, AppliedAt: appliedAt,
			Generation: generation})
	}
	if n := len(after.Status.History); n > v1.MaxHistory {
		after.Status.History = after.Status.History[n-v1.MaxHistory:]
	}
	e, err := expectedFor(st.matrix, after)
	if err != nil {
		return nil, fmt.Errorf("rendering Role %s: %w", after.Name, err)
	}
	after.Status.ObservedGeneration = generation
	after.Status.ContentHash = e.payload.Hash
	for i := range after.Status.Conditions {
		after.Status.Conditions[i].ObservedGeneration = generation
	}
	// The patch is computed from the status alone, as the operator's is.
	statusOnly := before.DeepCopy()
	statusOnly.Status = after.Status
	roleStatus, err := statusPatch(before, statusOnly)
	if err != nil {
		return nil, err
	}

	cm := s.configMap.DeepCopy()
	if s.batches > 1 {
		cm.ResourceVersion = ""
	}
	cm.Data, cm.BinaryData = e.payload.Data, e.payload.BinaryData
	for k, v := range e.payload.Annotations() {
		metav1.SetMetaDataAnnotation(&cm.ObjectMeta, k, v)
	}

	batch := &floorBatch{role: s.role.Name, proposals: ps, apply: cfg, configMap: cm, roleStatus: roleStatus,
		hash: e.payload.Hash}
	for _, p := range ps {
		patch, err := appliedStatusPatch(p, s.role.Name, generation, appliedAt)
		if err != nil {
			return nil, err
		}
		batch.proposalStatus = append(batch.proposalStatus, patch)
	}

	// What the next batch of this Role starts from.
	next := after.DeepCopy()
	next.Spec = *spec
	s.role = next
	s.live = s.live.DeepCopy()
	s.live.SetAnnotations(cfg.GetAnnotations())
	s.configMap = cm
	return batch, nil
}

// appliedStatusPatch is the status the operator gives a Proposal its batch
// promoted, once the Role's history records it: Applied, with the deciding
// vote counted, at the generation the vote made.
func appliedStatusPatch(p *v1.Proposal, role string, roleGeneration int64, appliedAt metav1.Time) ([]byte, error) {
	after := p.DeepCopy()
	generation := p.Generation + 1
	st := &after.Status
	st.ObservedGeneration = generation
	st.Phase = v1.PhaseApplied
	st.AppliedRoleGeneration = roleGeneration
	st.AppliedAt = appliedAt.DeepCopy()
	st.Message = fmt.Sprintf("applied to Role %q at generation %d", role, roleGeneration)
	if st.Tally != nil {
		st.Tally.Approvals++
	}
	for _, c := range []metav1.Condition{
		{Type: v1.ConditionAccepted, Reason: v1.ReasonAccepted, Message: "the proposal met its governance rules"},
		{Type: v1.ConditionApplied, Reason: v1.ReasonApplied, Message: st.Message},
	} {
		c.Status, c.ObservedGeneration = metav1.ConditionTrue, generation
		meta.SetStatusCondition(&st.Conditions, c)
	}
	return statusPatch(p, after)
}

// statusPatch is the merge patch from before to after, which differ in
// their status only.
func statusPatch(before, after client.Object) ([]byte, error) {
	data, err := client.MergeFrom(before).Data(after)
	if err != nil {
		return nil, fmt.Errorf("computing the status patch of %s: %w", after.GetName(), err)
	}
	return data, nil
}

// do runs one request in a worker slot.
func (fw *floorWriter) do(f func() error) error {
	fw.workers <- struct{}{}
	defer func() { <-fw.workers }()
	return f()
}

// write sends one batch in the operator's order: the Role apply, the
// ConfigMap, the Role status, then every Proposal's status at once.
func (fw *floorWriter) write(ctx context.Context, b *floorBatch) error {
	steps := []func() error{
		func() error {
			return fw.c.Apply(ctx, client.ApplyConfigurationFromUnstructured(b.apply.DeepCopy()),
				client.FieldOwner(promotion.FieldManager), client.ForceOwnership)
		},
		func() error { return fw.c.Update(ctx, b.configMap.DeepCopy()) },
		func() error {
			_, err := controller.PatchStatusBody(ctx, fw.c, fw.ref(b.role), b.roleStatus)
			return err
		},
	}
	for i, step := range steps {
		if err := fw.do(step); err != nil {
			return fmt.Errorf("floor write %d of Role %s: %w", i+1, b.role, err)
		}
	}
	errs := make([]error, len(b.proposals))
	var wg sync.WaitGroup
	for i, p := range b.proposals {
		wg.Go(func() {
			errs[i] = fw.do(func() error {
				target := &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Namespace: p.Namespace, Name: p.Name}}
				_, err := controller.PatchStatusBody(ctx, fw.c, target, b.proposalStatus[i])
				return err
			})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("floor Proposal status of Role %s: %w", b.role, err)
	}
	return nil
}

func (fw *floorWriter) ref(role string) *v1.Role {
	return &v1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: fw.st.ns, Name: role}}
}

// writeBatches writes every Role's batches in order, the Roles at once;
// each batch starts once the votes of all its Proposals are stored, as no
// operator can promote a Proposal before its deciding vote is.
func (fw *floorWriter) writeBatches(ctx context.Context, plan []*floorBatch, acked map[string]chan struct{}) error {
	byRole := map[string][]*floorBatch{}
	var roles []string
	for _, b := range plan {
		if _, ok := byRole[b.role]; !ok {
			roles = append(roles, b.role)
		}
		byRole[b.role] = append(byRole[b.role], b)
	}
	errs := make([]error, len(roles))
	var wg sync.WaitGroup
	for i, r := range roles {
		wg.Go(func() {
			for _, b := range byRole[r] {
				for _, p := range b.proposals {
					select {
					case <-acked[string(p.UID)]:
					case <-ctx.Done():
						errs[i] = ctx.Err()
						return
					}
				}
				if err := fw.write(ctx, b); err != nil {
					errs[i] = err
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// decideOne casts dave's deciding vote on p and, once it is stored, writes
// p's promotion as a batch of one; it returns the latency from the vote to
// the ConfigMap that lists p.
func (fw *floorWriter) decideOne(ctx context.Context, track *latencies, p *v1.Proposal) (time.Duration, error) {
	plan, err := fw.prepare(ctx, [][]*v1.Proposal{{p}})
	if err != nil {
		return 0, err
	}
	vote := []*v1.Proposal{p}
	acked := track.ackSignals(vote)
	if failed := track.decideAtOnceNotify(ctx, fw.st.cp.users[dave], vote, track.ackNotifier(acked)); failed > 0 {
		return 0, fmt.Errorf("the deciding vote on %s failed", p.Name)
	}
	if err := fw.write(ctx, plan[0]); err != nil {
		return 0, err
	}
	return track.await(ctx, p)
}

// ackSignals returns, per Proposal uid, a channel closed when its vote is
// stored.
func (l *latencies) ackSignals(proposals []*v1.Proposal) map[string]chan struct{} {
	out := make(map[string]chan struct{}, len(proposals))
	for _, p := range proposals {
		out[string(p.UID)] = make(chan struct{})
	}
	return out
}

func (l *latencies) ackNotifier(acked map[string]chan struct{}) func(uid string) {
	return func(uid string) {
		if ch, ok := acked[uid]; ok {
			close(ch)
		}
	}
}

// floorRatio is the operator's latency over the floor's.
func floorRatio(operator, floor time.Duration) float64 {
	if floor <= 0 {
		return 0
	}
	return operator.Seconds() / floor.Seconds()
}

// measureFloor measures the floor with as many batches as the first
// variant's governance run made Role promotion writes, set up by that
// variant's manager.
func (b *bench) measureFloor(ctx context.Context, res *results, variants []variant) error {
	if !b.cfg.floor || len(res.Governance) == 0 {
		return nil
	}
	batches := int(res.Governance[0].Writes.total("roles"))
	logln("governance floor: %d Proposals over %d Roles in %d batches, plain client", b.cfg.govProposals,
		b.cfg.govRoles, batches)
	f, err := b.floor(ctx, variants[0], batches)
	if err != nil {
		return fmt.Errorf("governance floor: %w", err)
	}
	res.GovernanceFloor = &f
	return nil
}
