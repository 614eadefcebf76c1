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
	"math"
	"slices"
	"strings"
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
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// soloVotes is how many Proposals are decided one at a time, on an idle
// operator, before the burst.
const soloVotes = 20

// governanceResult is the latency from a deciding vote to the republished
// matrix (or, with Git write-back, the pushed commit), for the operator
// (Variant) or the floor.
type governanceResult struct {
	Variant   string `json:",omitempty"`
	Proposals int
	Roles     int
	// Batches is how many promotion batches the floor wrote: as many as the
	// operator made Role applies.
	Batches int `json:",omitempty"`
	// Latencies, sorted: from sending each deciding vote to the first
	// version of its Role's ConfigMap whose matrix.json lists the Proposal.
	Latencies []time.Duration
	Quantiles
	// Solo are the latencies of the single decisions before the burst.
	Solo []time.Duration
	// Acks, sorted: from sending each deciding vote to the API server's
	// answer; no promotion can start before.
	Acks []time.Duration
	// CPU, Writes and Requests run from the votes until the last ConfigMap
	// carried its Proposal (Writes until the API server was quiet).
	CPU        map[string]time.Duration
	Writes     writeCounts
	Reconciles map[string]float64 `json:",omitempty"`
	Requests   map[string]requestMean
	// Commits is how many commits Git write-back made: one per Proposal.
	Commits int `json:",omitempty"`
}

// Quantiles summarise latencies, nearest-rank.
type Quantiles struct{ P50, P95, P99, Max time.Duration }

// quantilesOf sorts d and summarises it.
func quantilesOf(d []time.Duration) Quantiles {
	slices.Sort(d)
	return Quantiles{P50: percentile(d, 0.50), P95: percentile(d, 0.95), P99: percentile(d, 0.99), Max: percentile(d, 1)}
}

func (q Quantiles) summary() string {
	return fmt.Sprintf("p50 %s, p95 %s, max %s", q.P50.Round(time.Millisecond), q.P95.Round(time.Millisecond),
		q.Max.Round(time.Millisecond))
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := max(int(math.Ceil(q*float64(len(sorted))))-1, 0)
	return sorted[min(i, len(sorted)-1)]
}

// governancePolicy decides a Proposal on two approving votes (66%) and one
// expert review.
func governancePolicy() *v1.GovernancePolicy {
	return &v1.GovernancePolicy{
		MinApprovals: new(int32(2)), ApprovalRatioPercent: new(int32(66)), RequiredReviews: new(int32(1)),
		VotingPeriod: &metav1.Duration{Duration: 168 * time.Hour},
	}
}

func (b *bench) measureGovernance(ctx context.Context, res *results) error {
	if b.cfg.govProposals <= 0 {
		return nil
	}
	for _, v := range b.variants {
		logln("governance: %d Proposals over %d Roles, %s manager", b.cfg.govProposals, b.cfg.govRoles, v.Name)
		g, err := b.governance(ctx, v)
		if err := b.publish("governance "+v.Name, err, func() { res.Governance = append(res.Governance, g) }); err != nil {
			return err
		}
	}
	return nil
}

// governanceStage sets up the governance measurements: soloVotes and then
// govProposals open Proposals, each one vote short of a decision, the
// manager v running, their ConfigMaps tracked.
func (b *bench) governanceStage(ctx context.Context, v variant, measurement string) (*stage, *latencies,
	[]*v1.Proposal, error) {
	track := newLatencies()
	st, err := b.setUp(ctx, stageSpec{namespace: "governance", roles: b.cfg.govRoles, onConfigMap: track.configMap,
		governance: governancePolicy()})
	if err != nil {
		return st, nil, nil, err
	}
	if _, err := b.startManager(ctx, st, v, measurement); err != nil {
		return st, nil, nil, err
	}
	proposals, err := b.openProposals(ctx, st, soloVotes+b.cfg.govProposals)
	track.follow(proposals)
	return st, track, proposals, err
}

// governance casts the deciding votes one at a time, then all at once.
func (b *bench) governance(ctx context.Context, v variant) (governanceResult, error) {
	res := governanceResult{Variant: v.Name, Proposals: b.cfg.govProposals, Roles: b.cfg.govRoles}
	st, track, proposals, err := b.governanceStage(ctx, v, "governance")
	defer st.close()
	if err != nil {
		return res, err
	}
	mgr := st.mgr
	if res.Solo, err = decideAlone(ctx, st.cp, proposals[:soloVotes], func(p *v1.Proposal) (time.Duration, error) {
		if err := track.vote(ctx, st.cp.users[dave], []*v1.Proposal{p}, nil); err != nil {
			return 0, err
		}
		return track.await(ctx, p)
	}); err != nil {
		return res, err
	}
	burst := proposals[soloVotes:]
	m, err := startMeter(ctx, st.cp, mgr.Pid())
	if err != nil {
		return res, err
	}
	logln("  casting %d deciding votes at once", len(burst))
	if err := track.vote(ctx, st.cp.users[dave], burst, nil); err != nil {
		return res, err
	}
	if err := res.burstDone(ctx, m, track, burst, b.cfg.timeout, v.Name); err != nil {
		return res, err
	}
	if res.Reconciles, err = mgr.reconciles(ctx); err != nil {
		return res, err
	}
	return res, verifyApplied(ctx, st.cp.Admin, st.ns, len(proposals))
}

// decideAlone decides the Proposals one at a time with decide, the API
// server quiet for 2 s before each, and returns the latencies sorted.
func decideAlone(ctx context.Context, cp *controlPlane, proposals []*v1.Proposal,
	decide func(*v1.Proposal) (time.Duration, error)) ([]time.Duration, error) {
	out := make([]time.Duration, 0, len(proposals))
	for _, p := range proposals {
		d, err := decide(p)
		if err != nil {
			return nil, fmt.Errorf("single decision %s: %w", p.Name, err)
		}
		out = append(out, d)
		if _, err := waitQuiet(ctx, cp, 2*time.Second, time.Minute); err != nil {
			return nil, err
		}
	}
	slices.Sort(out)
	return out, nil
}

// burstDone waits until every Proposal of the burst is in its ConfigMap
// and takes the burst's figures from m.
func (g *governanceResult) burstDone(ctx context.Context, m *meter, track *latencies, burst []*v1.Proposal,
	timeout time.Duration, who string) error {
	if err := track.awaitAll(ctx, timeout); err != nil {
		return err
	}
	g.CPU = m.cpu.since()
	var lat []time.Duration
	lat, g.Acks = track.sorted(burst)
	g.setLatencies(lat)
	var err error
	if g.Writes, err = m.writesSettled(ctx, 3*time.Second); err != nil {
		return err
	}
	if g.Requests, err = m.requests(ctx); err != nil {
		return err
	}
	logln("  %s: %s", who, g.summary())
	return nil
}

func (g *governanceResult) setLatencies(lat []time.Duration) {
	g.Quantiles, g.Latencies = quantilesOf(lat), lat
}

// latencies tracks, per Proposal uid, when its deciding vote was sent and
// answered, and when its Role's ConfigMap first carried it.
type latencies struct {
	mu                sync.Mutex
	byRole            map[string][]string
	followed          int
	sent, acked, seen map[string]time.Time
	all               chan struct{}
}

func newLatencies() *latencies {
	return &latencies{byRole: map[string][]string{}, sent: map[string]time.Time{}, acked: map[string]time.Time{},
		seen: map[string]time.Time{}, all: make(chan struct{})}
}

// follow makes configMap look for the Proposals in their Roles' ConfigMaps.
func (l *latencies) follow(proposals []*v1.Proposal) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range proposals {
		l.byRole[string(p.Spec.RoleRef)] = append(l.byRole[string(p.Spec.RoleRef)], string(p.UID))
	}
	l.followed += len(proposals)
}

// configMap records the Proposals a version of a Role's ConfigMap carries
// in its matrix.json changelog.
func (l *latencies) configMap(cm *corev1.ConfigMap, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	uids := l.byRole[cm.Labels[publish.LabelRole]]
	if len(uids) == 0 {
		return
	}
	// A file it cannot read counts as listing no Proposal yet.
	doc, _ := publish.ReadFile(cm.Data, cm.BinaryData, render.KeyJSON)
	for _, uid := range uids {
		_, seen := l.seen[uid]
		if _, sent := l.sent[uid]; sent && !seen && strings.Contains(string(doc), uid) {
			l.seen[uid] = at
			if len(l.seen) == l.followed {
				close(l.all)
			}
		}
	}
}

// vote casts dave's deciding vote on every Proposal at the same moment, one
// goroutine each, as a Ballot of his own (as kubectl skillmatrix vote does:
// server-side apply, no read); onAck, when set, hears of each stored vote.
func (l *latencies) vote(ctx context.Context, c client.Client, proposals []*v1.Proposal, onAck func(uid string)) error {
	errs := make([]error, len(proposals))
	atOnce(len(proposals), func(i int) {
		uid := string(proposals[i].UID)
		l.stamp(l.sent, uid)
		errs[i] = applyBallot(ctx, c, proposals[i], dave, v1.BallotKindVote)
		l.stamp(l.acked, uid)
		if onAck != nil {
			onAck(uid)
		}
	})
	failed := 0
	for i, err := range errs {
		if err != nil {
			failed++
			logln("  deciding vote on %s failed: %v", proposals[i].Name, err)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d deciding votes failed", failed)
	}
	return nil
}

func (l *latencies) stamp(into map[string]time.Time, uid string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	into[uid] = time.Now()
}

// at is when the vote on uid was sent and when its ConfigMap carried it.
func (l *latencies) at(uid string) (sent, seen time.Time, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	seen, ok = l.seen[uid]
	return l.sent[uid], seen, ok
}

// await waits until p's Role's ConfigMap carries p and returns the latency
// from its deciding vote.
func (l *latencies) await(ctx context.Context, p *v1.Proposal) (time.Duration, error) {
	var d time.Duration
	err := poll(ctx, 10*time.Millisecond, time.Minute, func() (bool, error) {
		sent, seen, ok := l.at(string(p.UID))
		d = seen.Sub(sent)
		return ok, nil
	})
	if err != nil {
		return 0, fmt.Errorf("proposal %s did not reach its ConfigMap: %w", p.Name, err)
	}
	return d, nil
}

// awaitAll waits until every followed Proposal is in its ConfigMap.
func (l *latencies) awaitAll(ctx context.Context, timeout time.Duration) error {
	return waitChan(ctx, l.all, nil, timeout, func() string {
		l.mu.Lock()
		defer l.mu.Unlock()
		return fmt.Sprintf("%d Proposals in their ConfigMap", len(l.seen))
	})
}

// sorted returns, sorted, each Proposal's latency to its ConfigMap and to
// the API server's answer.
func (l *latencies) sorted(proposals []*v1.Proposal) (lat, acks []time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range proposals {
		uid := string(p.UID)
		lat = append(lat, l.seen[uid].Sub(l.sent[uid]))
		acks = append(acks, l.acked[uid].Sub(l.sent[uid]))
	}
	slices.Sort(lat)
	slices.Sort(acks)
	return lat, acks
}

// cellProposal is alice's Proposal name setting the last level of skill k
// of role to a proficiency it does not have yet, with `from`.
func cellProposal(ns, name string, role *v1.Role, k int) *v1.Proposal {
	row := role.Spec.Skills[k]
	cell := row.Cells[len(row.Cells)-1]
	to := v1.ProficiencyID("V")
	if cell.Proficiency == to {
		to = "E"
	}
	return &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1.ProposalSpec{RoleRef: v1.ObjectName(role.Name), Author: alice,
			Title: fmt.Sprintf("Set %s at %s to %s", row.ID, cell.Level, to),
			Changes: []v1.Change{{Op: v1.OpSetProficiency, Skill: row.ID, Level: cell.Level, Proficiency: to,
				From: &v1.ChangeValue{Proficiency: cell.Proficiency}}}}}
}

// openProposals creates n Proposals as alice, each on a cell of its own,
// casts bob's vote and carol's review on each (Ballots), and waits until
// all are Open with them counted and the API server is quiet: one more
// vote then decides each.
func (b *bench) openProposals(ctx context.Context, st *stage, n int) ([]*v1.Proposal, error) {
	users := st.cp.users
	proposals := make([]*v1.Proposal, 0, n)
	for k := range n {
		// The last level of a distinct skill per Proposal, so none conflicts.
		role := st.roles[k%len(st.roles)]
		proposals = append(proposals, cellProposal(st.ns, fmt.Sprintf("bench-%04d", k), role,
			(k/len(st.roles))%len(role.Spec.Skills)))
	}
	if err := parallel(n, 16, func(i int) error { return users[alice].Create(ctx, proposals[i]) }); err != nil {
		return nil, fmt.Errorf("creating Proposals as %s: %w", alice, err)
	}
	if err := parallel(n, 16, func(i int) error {
		if err := applyBallot(ctx, users[bob], proposals[i], bob, v1.BallotKindVote); err != nil {
			return err
		}
		return applyBallot(ctx, users[carol], proposals[i], carol, v1.BallotKindReview)
	}); err != nil {
		return nil, fmt.Errorf("casting the first votes: %w", err)
	}
	if err := waitProposals(ctx, st.cp.Admin, st.ns, n, b.cfg.timeout, func(p *v1.Proposal) bool {
		t := p.Status.Tally
		return p.Status.Phase == v1.PhaseOpen && t != nil && t.Approvals == 1 && t.ReviewApprovals == 1
	}); err != nil {
		return nil, fmt.Errorf("waiting for the Proposals to be Open with one vote and one review: %w", err)
	}
	if _, err := waitQuiet(ctx, st.cp, 3*time.Second, 2*time.Minute); err != nil {
		return nil, err
	}
	return proposals, nil
}

// waitProposals waits, at most timeout, until n Proposals of the namespace
// are as wanted.
func waitProposals(ctx context.Context, c client.Client, ns string, n int, timeout time.Duration,
	wanted func(*v1.Proposal) bool) error {
	return poll(ctx, 250*time.Millisecond, timeout, func() (bool, error) {
		var list v1.ProposalList
		err := c.List(ctx, &list, client.InNamespace(ns))
		return len(slices.DeleteFunc(list.Items, func(p v1.Proposal) bool { return !wanted(&p) })) == n, err
	})
}

// verifyApplied checks that all n Proposals ended Applied.
func verifyApplied(ctx context.Context, c client.Client, ns string, n int) error {
	if err := waitProposals(ctx, c, ns, n, 0, func(p *v1.Proposal) bool {
		return p.Status.Phase == v1.PhaseApplied
	}); err != nil {
		return fmt.Errorf("not all %d Proposals are Applied", n)
	}
	return nil
}

// The governance floor: for the same deciding votes as the governance
// measurement, a plain client with no rate limit makes exactly the writes
// the operator's batching needs, every body computed before the clock
// starts, timed by the same ConfigMap informer. What the operator takes
// beyond it is its own work.

// measureFloor measures the floor with as many batches as the first
// variant's governance run made Role applies.
func (b *bench) measureFloor(ctx context.Context, res *results) error {
	if !b.cfg.floor || len(res.Governance) == 0 {
		return nil
	}
	batches := int(res.Governance[0].Writes.total("roles"))
	logln("governance floor: %d Proposals over %d Roles in %d batches", b.cfg.govProposals, b.cfg.govRoles, batches)
	f, err := b.floor(ctx, b.variants[0], batches)
	return b.publish("governance floor", err, func() { res.GovernanceFloor = &f })
}

// floor sets up as for the operator (manager v publishes the Roles and
// opens the Proposals, then stops); from then on only the floor writes.
func (b *bench) floor(ctx context.Context, v variant, batches int) (governanceResult, error) {
	res := governanceResult{Proposals: b.cfg.govProposals, Roles: b.cfg.govRoles}
	st, track, proposals, err := b.governanceStage(ctx, v, "floor-setup")
	defer st.close()
	if err != nil {
		return res, err
	}
	if err := st.mgr.stop(); err != nil {
		return res, fmt.Errorf("stopping the manager that set up the floor: %w", err)
	}
	if _, err := waitQuiet(ctx, st.cp, 2*time.Second, time.Minute); err != nil {
		return res, err
	}
	fw := &floorWriter{st: st, c: st.cp.Operator, slots: make(chan struct{}, b.cfg.baselineWorkers)}
	logln("  floor: %d single decisions", soloVotes)
	if res.Solo, err = decideAlone(ctx, st.cp, proposals[:soloVotes], func(p *v1.Proposal) (time.Duration, error) {
		return fw.decideOne(ctx, track, p)
	}); err != nil {
		return res, err
	}
	burst := proposals[soloVotes:]
	plan, err := fw.prepare(ctx, planBatches(burst, batches))
	if err != nil {
		return res, err
	}
	res.Batches = len(plan)
	m, err := startMeter(ctx, st.cp, 0)
	if err != nil {
		return res, err
	}
	logln("  floor: %d deciding votes at once, then %d batches of writes", len(burst), len(plan))
	acked := map[string]chan struct{}{}
	for _, p := range burst {
		acked[string(p.UID)] = make(chan struct{})
	}
	writeErr := make(chan error, 1)
	go func() { writeErr <- fw.writeBatches(ctx, plan, acked) }()
	if err := track.vote(ctx, st.cp.users[dave], burst, func(uid string) { close(acked[uid]) }); err != nil {
		return res, err
	}
	if err := <-writeErr; err != nil {
		return res, err
	}
	if err := res.burstDone(ctx, m, track, burst, b.cfg.timeout, "floor"); err != nil {
		return res, err
	}
	want := map[string]string{}
	for _, batch := range plan {
		want[batch.role] = batch.hash // the last batch of each Role wins
	}
	if err := verifyConfigMaps(ctx, st.cp.Admin, st.ns, want); err != nil {
		return res, err
	}
	return res, verifyApplied(ctx, st.cp.Admin, st.ns, len(proposals))
}

// groupByRole groups items by their Role, the Roles in order of first
// appearance.
func groupByRole[T any](items []T, role func(T) string) (roles []string, by map[string][]T) {
	by = map[string][]T{}
	for _, it := range items {
		r := role(it)
		if _, ok := by[r]; !ok {
			roles = append(roles, r)
		}
		by[r] = append(by[r], it)
	}
	return roles, by
}

// planBatches groups the Proposals by Role, in creation order, into n
// batches: one per Role, and the rest to the Roles with the most Proposals
// per batch, each Role's Proposals split into runs of nearly equal length.
func planBatches(proposals []*v1.Proposal, n int) [][]*v1.Proposal {
	roles, byRole := groupByRole(proposals, func(p *v1.Proposal) string { return string(p.Spec.RoleRef) })
	split := make(map[string]int, len(roles))
	for _, r := range roles {
		split[r] = 1
	}
	for extra := n - len(roles); extra > 0; extra-- {
		best := ""
		for _, r := range roles {
			if split[r] < len(byRole[r]) && (best == "" || len(byRole[r])*split[best] > len(byRole[best])*split[r]) {
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

// floorBatch is one promotion batch, every body computed before the clock:
// the Role's apply, its ConfigMap, its status (history and content hash)
// and each Proposal's Applied status.
type floorBatch struct {
	role           string
	proposals      []*v1.Proposal
	apply          *unstructured.Unstructured
	configMap      *corev1.ConfigMap
	roleStatus     []byte
	proposalStatus [][]byte
	hash           string
}

// floorWriter sends the floor's writes as the operator, at most
// cap(slots) at a time.
type floorWriter struct {
	st    *stage
	c     client.Client
	slots chan struct{}
}

// roleState is a Role as the floor's next batch starts from: what the
// previous batch left, computed, never read back.
type roleState struct {
	live      *unstructured.Unstructured
	role      *v1.Role
	configMap *corev1.ConfigMap
	// changes are all those promoted so far: server-side apply removes the
	// fields its manager no longer sends, so each apply carries them all, as
	// the operator's does through the managedFields it reads.
	changes []v1.Change
	batches int
}

// prepare reads the live Roles, ConfigMaps and Proposals once and computes
// every batch's bodies, in order per Role.
func (fw *floorWriter) prepare(ctx context.Context, batches [][]*v1.Proposal) ([]*floorBatch, error) {
	admin := fw.st.cp.Admin
	roles := map[string]*roleState{}
	appliedAt := metav1.Now().Rfc3339Copy()
	out := make([]*floorBatch, 0, len(batches))
	for _, ps := range batches {
		name := string(ps[0].Spec.RoleRef)
		s, ok := roles[name]
		if !ok {
			s = &roleState{live: &unstructured.Unstructured{}, role: &v1.Role{}, configMap: &corev1.ConfigMap{}}
			s.live.SetGroupVersionKind(v1.GroupVersion.WithKind("Role"))
			if err := admin.Get(ctx, client.ObjectKey{Namespace: fw.st.ns, Name: name}, s.live); err != nil {
				return nil, fmt.Errorf("reading Role %s: %w", name, err)
			}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(s.live.Object, s.role); err != nil {
				return nil, fmt.Errorf("decoding Role %s: %w", name, err)
			}
			cmKey := client.ObjectKey{Namespace: fw.st.ns, Name: s.role.Status.ConfigMapName}
			if err := admin.Get(ctx, cmKey, s.configMap); err != nil {
				return nil, fmt.Errorf("reading ConfigMap %s: %w", cmKey.Name, err)
			}
			roles[name] = s
		}
		live := make([]*v1.Proposal, 0, len(ps))
		for _, p := range ps {
			var lp v1.Proposal
			if err := admin.Get(ctx, client.ObjectKeyFromObject(p), &lp); err != nil {
				return nil, fmt.Errorf("reading Proposal %s: %w", p.Name, err)
			}
			live = append(live, &lp)
		}
		batch, err := fw.st.nextBatch(s, live, appliedAt)
		if err != nil {
			return nil, err
		}
		out = append(out, batch)
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
	// After the first write of a Role its versions are unknown before the
	// clock: no guard.
	s.batches++
	if s.batches > 1 {
		cfg.SetResourceVersion("")
	}
	generation := s.role.Generation + 1
	after := s.role.DeepCopy()
	after.Spec, after.Generation, after.Annotations = *spec, generation, cfg.GetAnnotations()
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
		return nil, err
	}
	after.Status.ObservedGeneration, after.Status.ContentHash = generation, e.payload.Hash
	for i := range after.Status.Conditions {
		after.Status.Conditions[i].ObservedGeneration = generation
	}
	// The patch is computed from the status alone, as the operator's is.
	statusOnly := s.role.DeepCopy()
	statusOnly.Status = after.Status
	roleStatus, err := statusPatch(s.role, statusOnly)
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
	s.role = after
	s.live = s.live.DeepCopy()
	s.live.SetAnnotations(cfg.GetAnnotations())
	s.configMap = cm
	return batch, nil
}

// appliedStatusPatch is the status the operator gives a Proposal its batch
// promoted: Applied, with the deciding vote counted. A vote is a Ballot of
// its own, so the Proposal's generation stays.
func appliedStatusPatch(p *v1.Proposal, role string, roleGeneration int64, appliedAt metav1.Time) ([]byte, error) {
	after := p.DeepCopy()
	generation := p.Generation
	st := &after.Status
	st.ObservedGeneration, st.Phase, st.AppliedRoleGeneration = generation, v1.PhaseApplied, roleGeneration
	st.AppliedAt = appliedAt.DeepCopy()
	st.Message = fmt.Sprintf("applied to Role %q at generation %d", role, roleGeneration)
	if st.Tally != nil {
		st.Tally.Approvals++
	}
	for _, c := range []metav1.Condition{
		{Type: v1.ConditionAccepted, Reason: v1.ReasonAccepted, Message: "the proposal met its governance rules"},
		{Type: v1.ConditionApplied, Reason: v1.ReasonApplied, Message: st.Message},
		// As the operator concludes an Applied Proposal: Ready, with the phase.
		{Type: v1.ConditionReady, Reason: v1.ReasonApplied, Message: st.Message},
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

func (fw *floorWriter) do(f func() error) error {
	fw.slots <- struct{}{}
	defer func() { <-fw.slots }()
	return f()
}

// write sends one batch in the operator's order: the Role apply, the
// ConfigMap, the Role status, then every Proposal's status at once.
func (fw *floorWriter) write(ctx context.Context, b *floorBatch) error {
	role := &v1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: fw.st.ns, Name: b.role}}
	for i, step := range []func() error{
		func() error {
			return fw.c.Apply(ctx, client.ApplyConfigurationFromUnstructured(b.apply.DeepCopy()),
				client.FieldOwner(promotion.FieldManager), client.ForceOwnership)
		},
		func() error { return fw.c.Update(ctx, b.configMap.DeepCopy()) },
		func() error {
			_, err := controller.PatchStatusBody(ctx, fw.c, role, b.roleStatus)
			return err
		},
	} {
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

// writeBatches writes every Role's batches in order, the Roles at once;
// a batch starts once the votes of all its Proposals are stored, as no
// operator can promote a Proposal before.
func (fw *floorWriter) writeBatches(ctx context.Context, plan []*floorBatch, acked map[string]chan struct{}) error {
	roles, byRole := groupByRole(plan, func(b *floorBatch) string { return b.role })
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
				if errs[i] = fw.write(ctx, b); errs[i] != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// decideOne casts the deciding vote on p and, once it is stored, writes its
// promotion as a batch of one; it returns the latency from the vote to the
// ConfigMap that lists p.
func (fw *floorWriter) decideOne(ctx context.Context, track *latencies, p *v1.Proposal) (time.Duration, error) {
	plan, err := fw.prepare(ctx, [][]*v1.Proposal{{p}})
	if err != nil {
		return 0, err
	}
	if err := track.vote(ctx, fw.st.cp.users[dave], []*v1.Proposal{p}, nil); err != nil {
		return 0, err
	}
	if err := fw.write(ctx, plan[0]); err != nil {
		return 0, err
	}
	return track.await(ctx, p)
}
