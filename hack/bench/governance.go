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
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/controller"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/notify"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/promotion"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/gitserver"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/mailpit"
)

// soloVotes is how many Proposals are decided one at a time, on an idle
// operator, before the burst.
const soloVotes = 20

// governanceResult is the latency from a deciding vote to the republished
// matrix (or, with Git write-back, the pushed commit), for the operator
// (Variant) or the floor.
type governanceResult struct {
	Variant          string `json:",omitempty"`
	Proposals, Roles int
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
	// Rounds are the bursts one after the other (-gov-rounds), each of
	// Proposals decisions: Latencies, Acks and the quantiles pool them, and
	// CPU, Writes and Requests are their mean.
	Rounds []burstRound `json:",omitempty"`
}

// burstRound is one burst of a governance run: its p95 and the Role
// applies (the operator's) or batches (the floor's) it took.
type burstRound struct {
	P95     time.Duration
	Batches int
}

// Quantiles summarise latencies, nearest-rank; quantilesOf sorts them.
type Quantiles struct{ P50, P95, P99, Max time.Duration }

func quantilesOf(d []time.Duration) Quantiles {
	if len(d) == 0 {
		return Quantiles{}
	}
	slices.Sort(d)
	at := func(q float64) time.Duration { return d[max(int(math.Ceil(q*float64(len(d))))-1, 0)] }
	return Quantiles{P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: d[len(d)-1]}
}

func (q Quantiles) summary() string {
	return fmt.Sprintf("p50 %s, p95 %s, max %s", q.P50.Round(time.Millisecond), q.P95.Round(time.Millisecond),
		q.Max.Round(time.Millisecond))
}

// governancePolicy decides on two approving votes (66%) and one expert review.
func governancePolicy() *v1.GovernancePolicy {
	return &v1.GovernancePolicy{
		MinApprovals: new(int32(2)), ApprovalRatioPercent: new(int32(66)), RequiredReviews: new(int32(1)),
		VotingPeriod: &metav1.Duration{Duration: 168 * time.Hour},
	}
}

// governanceStage sets up the governance measurements: soloVotes and then
// govRounds times govProposals open Proposals, each one vote short of a
// decision, the manager v running, their ConfigMaps tracked. It returns
// the single decisions' Proposals and each round's.
func (b *bench) governanceStage(ctx context.Context, v variant, measurement string) (st *stage, track *latencies,
	solo []*v1.Proposal, rounds [][]*v1.Proposal) {
	track = newLatencies()
	st = b.setUp(ctx, stageSpec{namespace: "governance", roles: b.cfg.govRoles, onConfigMap: track.configMap,
		governance: governancePolicy()})
	b.startManager(ctx, st, v, measurement)
	proposals := b.openProposals(ctx, st, soloVotes+b.cfg.govRounds*b.cfg.govProposals)
	for burst := range slices.Chunk(proposals[soloVotes:], b.cfg.govProposals) {
		rounds = append(rounds, burst)
	}
	return st, track, proposals[:soloVotes], rounds
}

// governance casts the deciding votes one at a time, then all at once,
// round after round.
func (b *bench) governance(ctx context.Context, v variant) governanceResult {
	res := governanceResult{Variant: v.Name, Proposals: b.cfg.govProposals, Roles: b.cfg.govRoles}
	st, track, solo, rounds := b.governanceStage(ctx, v, "governance")
	res.Solo = decideAlone(ctx, st.cp, track, solo, func(p *v1.Proposal) {
		track.vote(ctx, st.cp.users[dave], []*v1.Proposal{p}, nil)
	})
	for i, burst := range rounds {
		seen, m := track.follow(burst), startMeter(ctx, st.cp, st.mgr.Pid())
		logln("  round %d: casting %d deciding votes at once", i+1, len(burst))
		track.vote(ctx, st.cp.users[dave], burst, nil)
		res.burstDone(ctx, m, track, seen, burst, b.cfg.timeout, v.Name)
	}
	res.Reconciles = st.mgr.reconciles(ctx)
	verifyApplied(ctx, st, len(solo)+len(rounds)*b.cfg.govProposals)
	return res.pooled()
}

// decideAlone decides the Proposals one at a time with decide, the API
// server quiet for 2 s before each, and returns the latencies from each
// vote to its ConfigMap, sorted.
func decideAlone(ctx context.Context, cp *controlPlane, track *latencies, proposals []*v1.Proposal,
	decide func(*v1.Proposal)) []time.Duration {
	track.follow(proposals)
	out := make([]time.Duration, 0, len(proposals))
	for _, p := range proposals {
		decide(p)
		uid := string(p.UID)
		check(wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, time.Minute, true,
			func(context.Context) (bool, error) { return !track.at(track.seen, uid).IsZero(), nil }),
			"single decision", p.Name, "did not reach its ConfigMap")
		out = append(out, track.at(track.seen, uid).Sub(track.at(track.sent, uid)))
		waitQuiet(ctx, cp, 2*time.Second, time.Minute)
	}
	slices.Sort(out)
	return out
}

// burstDone waits until every Proposal of the burst is in its ConfigMap
// (all closed) and adds the round to g.
func (g *governanceResult) burstDone(ctx context.Context, m *meter, track *latencies, all <-chan struct{},
	burst []*v1.Proposal, timeout time.Duration, who string) {
	waitChan(ctx, all, nil, timeout, func() string {
		return fmt.Sprintf("%d Proposals in their ConfigMap", len(track.snapshot(track.seen)))
	})
	cpu := m.cpu()
	sent, acked, seen := track.snapshot(track.sent), track.snapshot(track.acked), track.snapshot(track.seen)
	lat := make([]time.Duration, 0, len(burst))
	for _, p := range burst {
		uid := string(p.UID)
		lat, g.Acks = append(lat, seen[uid].Sub(sent[uid])), append(g.Acks, acked[uid].Sub(sent[uid]))
	}
	writes, requests := m.writes(ctx, 3*time.Second), m.requests(ctx)
	if g.Rounds == nil {
		g.CPU, g.Writes, g.Requests = map[string]time.Duration{}, writeCounts{}, map[string]requestMean{}
	}
	for k, d := range cpu {
		g.CPU[k] += d
	}
	for k, n := range writes {
		g.Writes[k] += n
	}
	for k, r := range requests {
		// Mean holds the total time until pooled divides it.
		sum := g.Requests[k]
		sum.Count, sum.Mean = sum.Count+r.Count, sum.Mean+time.Duration(r.Count*float64(r.Mean))
		g.Requests[k] = sum
	}
	q := quantilesOf(lat)
	g.Latencies = append(g.Latencies, lat...)
	g.Rounds = append(g.Rounds, burstRound{P95: q.P95, Batches: int(writes.total("roles"))})
	logln("  %s: %s", who, q.summary())
}

// pooled is g once its rounds are in: latencies and quantiles over all of
// them, CPU, writes and requests per round.
func (g governanceResult) pooled() governanceResult {
	n := len(g.Rounds)
	for k := range g.CPU {
		g.CPU[k] /= time.Duration(n)
	}
	for k := range g.Writes {
		g.Writes[k] /= float64(n)
	}
	for k, r := range g.Requests {
		g.Requests[k] = requestMean{Count: r.Count / float64(n), Mean: r.Mean / time.Duration(max(r.Count, 1))}
	}
	slices.Sort(g.Acks)
	g.Quantiles = quantilesOf(g.Latencies)
	logln("  %s, %d rounds: %s", cmp.Or(g.Variant, "floor"), n, g.summary())
	return g
}

// latencies tracks, per Proposal uid, when its deciding vote was sent and
// answered, and when its Role's ConfigMap first carried it.
type latencies struct {
	mu                sync.Mutex
	byRole            map[string][]string
	followed          int
	sent, acked, seen map[string]time.Time
	// all is closed once every Proposal followed so far was seen.
	all chan struct{}
}

func newLatencies() *latencies {
	return &latencies{byRole: map[string][]string{}, sent: map[string]time.Time{}, acked: map[string]time.Time{},
		seen: map[string]time.Time{}}
}

// follow adds the Proposals to those tracked and returns a channel closed
// once every one followed so far is in its ConfigMap.
func (l *latencies) follow(proposals []*v1.Proposal) <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range proposals {
		l.byRole[string(p.Spec.RoleRef)] = append(l.byRole[string(p.Spec.RoleRef)], string(p.UID))
	}
	l.followed += len(proposals)
	l.all = make(chan struct{})
	return l.all
}

// configMap records the Proposals a ConfigMap's matrix.json changelog lists.
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
func (l *latencies) vote(ctx context.Context, c client.Client, proposals []*v1.Proposal, onAck func(uid string)) {
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
		check(fmt.Errorf("%d deciding votes failed", failed))
	}
}

func (l *latencies) stamp(into map[string]time.Time, uid string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	into[uid] = time.Now()
}

// at reads one stamp: the single decisions poll it every 10 ms, where a
// snapshot would copy the whole map each time.
func (l *latencies) at(from map[string]time.Time, uid string) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return from[uid]
}

func (l *latencies) snapshot(from map[string]time.Time) map[string]time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(from)
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
func (b *bench) openProposals(ctx context.Context, st *stage, n int) []*v1.Proposal {
	users := st.cp.users
	proposals := make([]*v1.Proposal, 0, n)
	for k := range n {
		// The last level of a distinct skill per Proposal, so none conflicts.
		role := st.roles[k%len(st.roles)]
		proposals = append(proposals, cellProposal(st.ns, fmt.Sprintf("bench-%04d", k), role,
			(k/len(st.roles))%len(role.Spec.Skills)))
	}
	check(parallel(n, 16, func(i int) error { return users[alice].Create(ctx, proposals[i]) }),
		"creating Proposals as", alice)
	check(parallel(n, 16, func(i int) error {
		if err := applyBallot(ctx, users[bob], proposals[i], bob, v1.BallotKindVote); err != nil {
			return err
		}
		return applyBallot(ctx, users[carol], proposals[i], carol, v1.BallotKindReview)
	}), "casting the first votes")
	waitProposals(ctx, st, n, b.cfg.timeout, "Open with one vote and one review", func(p *v1.Proposal) bool {
		t := p.Status.Tally
		return p.Status.Phase == v1.PhaseOpen && t != nil && t.Approvals == 1 && t.ReviewApprovals == 1
	})
	waitQuiet(ctx, st.cp, 3*time.Second, 2*time.Minute)
	return proposals
}

func waitProposals(ctx context.Context, st *stage, n int, timeout time.Duration, what string,
	wanted func(*v1.Proposal) bool) {
	check(wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		var list v1.ProposalList
		err := st.cp.Admin.List(ctx, &list, client.InNamespace(st.ns))
		return len(slices.DeleteFunc(list.Items, func(p v1.Proposal) bool { return !wanted(&p) })) == n, err
	}), "waiting for", strconv.Itoa(n), "Proposals", what)
}

func verifyApplied(ctx context.Context, st *stage, n int) {
	var list v1.ProposalList
	check(st.cp.Admin.List(ctx, &list, client.InNamespace(st.ns)))
	applied := slices.DeleteFunc(list.Items, func(p v1.Proposal) bool { return p.Status.Phase != v1.PhaseApplied })
	if len(applied) != n {
		check(fmt.Errorf("%d of %d Proposals are Applied", len(applied), n))
	}
}

// applyBallot casts voter's approving Ballot of kind on p as kubectl
// skillmatrix vote and review do: server-side apply under the voter's own
// field manager, of the ballot named after the Proposal, the kind and the
// voter, owned by the Proposal, cast on its generation, recording the
// groups the API server authenticates (engineers and system:authenticated).
func applyBallot(ctx context.Context, c client.Client, p *v1.Proposal, voter string, kind v1.BallotKind,
	opts ...client.ApplyOption) error {
	b := &v1.Ballot{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1.GroupVersion.String(), Kind: "Ballot"},
		ObjectMeta: metav1.ObjectMeta{Namespace: p.Namespace, Name: v1.BallotName(p.Name, kind, v1.Username(voter))},
		Spec: v1.BallotSpec{ProposalRef: v1.ObjectName(p.Name), RoleRef: p.Spec.RoleRef, Kind: kind,
			Voter: v1.Username(voter), Decision: v1.BallotApprove, Groups: testenv.AuthenticatedGroups(engineerGroup),
			ProposalGeneration: max(p.Generation, 1)},
	}
	if p.UID != "" {
		b.OwnerReferences = []metav1.OwnerReference{{APIVersion: v1.GroupVersion.String(), Kind: "Proposal",
			Name: p.Name, UID: p.UID}}
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(b)
	if err != nil {
		return err
	}
	u := &unstructured.Unstructured{Object: m}
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	opts = append(opts, client.FieldOwner("kubectl-skillmatrix-"+voter), client.ForceOwnership)
	return c.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), opts...)
}

// The governance floor: for the same deciding votes as the governance
// measurement, a plain client with no rate limit makes exactly the writes
// the operator's batching needs, every body computed before the clock
// starts, timed by the same ConfigMap informer. What the operator takes
// beyond it is its own work. It is set up as for the operator (manager v
// publishes the Roles and opens the Proposals, then stops), each round with
// as many batches as the first variant's governance run made Role applies
// in that round.
func (b *bench) floor(ctx context.Context, v variant, batches []int) governanceResult {
	res := governanceResult{Proposals: b.cfg.govProposals, Roles: b.cfg.govRoles}
	st, track, solo, rounds := b.governanceStage(ctx, v, "floor-setup")
	check(st.mgr.stop(), "stopping the manager that set up the floor")
	waitQuiet(ctx, st.cp, 2*time.Second, time.Minute)
	fw := &floorWriter{st: st, c: st.cp.Operator, slots: make(chan struct{}, b.cfg.baselineWorkers)}
	logln("  floor: %d single decisions", soloVotes)
	// Each single decision is written as a batch of one once its vote is
	// stored.
	res.Solo = decideAlone(ctx, st.cp, track, solo, func(p *v1.Proposal) {
		plan := fw.prepare(ctx, [][]*v1.Proposal{{p}})
		track.vote(ctx, st.cp.users[dave], []*v1.Proposal{p}, nil)
		check(fw.write(ctx, plan[0]))
	})
	for i, burst := range rounds {
		// The round's bodies follow from the Roles the rounds before left.
		plan := fw.prepare(ctx, planBatches(burst, batches[min(i, len(batches)-1)]))
		res.Batches += len(plan)
		seen, m := track.follow(burst), startMeter(ctx, st.cp, 0)
		logln("  floor round %d: %d deciding votes at once, then %d batches of writes", i+1, len(burst), len(plan))
		acked := map[string]chan struct{}{}
		for _, p := range burst {
			acked[string(p.UID)] = make(chan struct{})
		}
		writeErr := make(chan error, 1)
		go func() { writeErr <- fw.writeBatches(ctx, plan, acked) }()
		track.vote(ctx, st.cp.users[dave], burst, func(uid string) { close(acked[uid]) })
		check(<-writeErr)
		res.burstDone(ctx, m, track, seen, burst, b.cfg.timeout, "floor")
		want := map[string]string{}
		for _, batch := range plan {
			want[batch.role] = batch.hash // the last batch of each Role wins
		}
		verifyConfigMaps(ctx, st.cp.Admin, st.ns, want)
	}
	res.Batches /= len(rounds)
	verifyApplied(ctx, st, len(solo)+len(rounds)*b.cfg.govProposals)
	return res.pooled()
}

// groupByRole groups items by Role, the Roles in order of appearance.
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

// floorWriter sends the floor's writes as the operator, cap(slots) at a time.
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
func (fw *floorWriter) prepare(ctx context.Context, batches [][]*v1.Proposal) []*floorBatch {
	admin, roles := fw.st.cp.Admin, map[string]*roleState{}
	appliedAt := metav1.Now().Rfc3339Copy()
	out := make([]*floorBatch, 0, len(batches))
	for _, ps := range batches {
		name := string(ps[0].Spec.RoleRef)
		s, ok := roles[name]
		if !ok {
			s = &roleState{live: &unstructured.Unstructured{}, role: &v1.Role{}, configMap: &corev1.ConfigMap{}}
			s.live.SetGroupVersionKind(v1.GroupVersion.WithKind("Role"))
			check(admin.Get(ctx, client.ObjectKey{Namespace: fw.st.ns, Name: name}, s.live), "reading Role", name)
			check(runtime.DefaultUnstructuredConverter.FromUnstructured(s.live.Object, s.role))
			cmKey := client.ObjectKey{Namespace: fw.st.ns, Name: s.role.Status.ConfigMapName}
			check(admin.Get(ctx, cmKey, s.configMap), "reading ConfigMap", cmKey.Name)
			roles[name] = s
		}
		live := make([]*v1.Proposal, len(ps))
		for i, p := range ps {
			live[i] = &v1.Proposal{}
			check(admin.Get(ctx, client.ObjectKeyFromObject(p), live[i]), "reading Proposal", p.Name)
		}
		out = append(out, fw.st.nextBatch(s, live, appliedAt))
	}
	return out
}

// nextBatch computes the writes of promoting ps into the Role after the
// batches before it, and advances s to the state they leave.
func (st *stage) nextBatch(s *roleState, ps []*v1.Proposal, appliedAt metav1.Time) *floorBatch {
	spec := s.role.Spec.DeepCopy()
	uids := make([]string, 0, len(ps))
	for _, p := range ps {
		next, conflicts := governance.Apply(spec, p.Spec.Changes)
		if len(conflicts) > 0 {
			check(fmt.Errorf("proposal %s conflicts with Role %s: %v", p.Name, s.role.Name, conflicts))
		}
		spec, s.changes, uids = next, append(s.changes, p.Spec.Changes...), append(uids, string(p.UID))
	}
	cfg := must(promotion.ApplyConfiguration(s.live, spec, s.changes, uids))
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
		after.Status.RecordApplied(controller.HistoryRecord(p, string(p.UID), appliedAt, generation))
	}
	e := expectedFor(st.matrix, after)
	after.Status.ObservedGeneration, after.Status.ContentHash = generation, e.payload.Hash
	for i := range after.Status.Conditions {
		after.Status.Conditions[i].ObservedGeneration = generation
	}
	// The patch is computed from the status alone, as the operator's is.
	statusOnly := s.role.DeepCopy()
	statusOnly.Status = after.Status
	batch := &floorBatch{role: s.role.Name, proposals: ps, apply: cfg, configMap: s.configMap.DeepCopy(),
		hash: e.payload.Hash, roleStatus: must(client.MergeFrom(s.role).Data(statusOnly))}
	if s.batches > 1 {
		batch.configMap.ResourceVersion = ""
	}
	batch.configMap.Data, batch.configMap.BinaryData = e.payload.Data, e.payload.BinaryData
	for k, v := range e.payload.Annotations() {
		metav1.SetMetaDataAnnotation(&batch.configMap.ObjectMeta, k, v)
	}
	for _, p := range ps {
		batch.proposalStatus = append(batch.proposalStatus, appliedStatusPatch(p, s.role.Name, generation, appliedAt))
	}
	s.role, s.live, s.configMap = after, s.live.DeepCopy(), batch.configMap
	s.live.SetAnnotations(cfg.GetAnnotations())
	return batch
}

// appliedStatusPatch is the status the operator gives a Proposal its batch
// promoted: Applied, with the deciding vote counted. A vote is a Ballot of
// its own, so the Proposal's generation stays.
func appliedStatusPatch(p *v1.Proposal, role string, roleGeneration int64, appliedAt metav1.Time) []byte {
	after := p.DeepCopy()
	st := &after.Status
	st.ObservedGeneration, st.Phase, st.AppliedRoleGeneration = p.Generation, v1.PhaseApplied, roleGeneration
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
		c.Status, c.ObservedGeneration = metav1.ConditionTrue, p.Generation
		meta.SetStatusCondition(&st.Conditions, c)
	}
	return must(client.MergeFrom(p).Data(after))
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
	atOnce(len(b.proposals), func(i int) {
		errs[i] = fw.do(func() error {
			p := &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Namespace: fw.st.ns, Name: b.proposals[i].Name}}
			_, err := controller.PatchStatusBody(ctx, fw.c, p, b.proposalStatus[i])
			return err
		})
	})
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
	atOnce(len(roles), func(i int) {
		for _, b := range byRole[roles[i]] {
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
	return errors.Join(errs...)
}

const writeBackRoles = 5

// writeBack decides Proposals of Roles whose manifests live in a repository
// that git's own smart-HTTP server serves on loopback, and measures from
// each deciding vote to the push of its commit, as the manager stamps it in
// status.gitCommit.committedAt.
func (b *bench) writeBack(ctx context.Context, v variant, n int) governanceResult {
	res := governanceResult{Variant: v.Name, Proposals: n, Roles: writeBackRoles}
	tb := &gitserver.ProcessTB{}
	b.cleanup(tb.Close)
	srv := gitserver.Start(tb)
	check(tb.Err, "starting the Git server")
	st := b.setUp(ctx, stageSpec{namespace: "writeback", roles: writeBackRoles, governance: governancePolicy()})
	seedRepository(ctx, srv, st)
	b.startManager(ctx, st, v, "writeback")
	proposals, track := b.openProposals(ctx, st, n), newLatencies()
	logln("  casting %d deciding votes at once", n)
	track.vote(ctx, st.cp.users[dave], proposals, nil)
	waitProposals(ctx, st, n, b.cfg.timeout, "with their commits", func(p *v1.Proposal) bool {
		return p.Status.GitCommit != nil
	})
	var list v1.ProposalList
	check(st.cp.Admin.List(ctx, &list, client.InNamespace(st.ns)))
	lat := make([]time.Duration, 0, n)
	for _, p := range list.Items {
		lat = append(lat, p.Status.GitCommit.CommittedAt.Sub(track.sent[string(p.UID)]))
	}
	res.Quantiles, res.Latencies = quantilesOf(lat), lat
	if res.Commits = len(must(srv.Log("roles", "main"))) - 1; res.Commits != n {
		check(fmt.Errorf("%d commits for %d Proposals", res.Commits, n))
	}
	logln("  %s: %s", v.Name, res.summary())
	return res
}

// seedRepository commits the Roles, a file each, and points a GitWriteBack at them.
func seedRepository(ctx context.Context, srv *gitserver.Server, st *stage) {
	files := map[string]string{}
	for _, r := range st.roles {
		data := must(yaml.Marshal(&v1.Role{TypeMeta: metav1.TypeMeta{APIVersion: v1.GroupVersion.String(),
			Kind: "Role"}, ObjectMeta: metav1.ObjectMeta{Name: r.Name}, Spec: r.Spec}))
		files["career/roles/"+r.Name+".yaml"] = "# " + r.Spec.DisplayName + "\n" + string(data)
	}
	check(srv.CreateRepo("roles", "main", files))
	check(st.cp.Admin.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: st.ns, Name: "career-git"},
		StringData: map[string]string{"username": gitserver.User, "password": gitserver.InitialPassword},
	}))
	check(st.cp.Admin.Create(ctx, &v1.GitWriteBack{
		ObjectMeta: metav1.ObjectMeta{Namespace: st.ns, Name: "career-roles"},
		Spec: v1.GitWriteBackSpec{URL: srv.URL("roles"), Branch: "main", Path: "career",
			SecretRef: v1.SecretReference{Name: "career-git"}, MatrixRef: v1.ObjectName(st.matrix.Name)},
	}))
}

// The vote burst (issue 26): N people vote on one Proposal at once, each
// with their own identity, as a team channel's announcement makes them;
// against the floor of the same people writing as many independent objects
// through the same admission.

// burstResult is one vote burst and its floor, at one number of voters.
type burstResult struct {
	Variant string
	Voters  int
	// Burst: every voter applies their Ballot on one Proposal at once
	// while the manager counts them.
	Burst burstRun
	// Floor: the same voters apply one Ballot each on a Proposal name of
	// its own (nothing the operator counts), through the same admission,
	// the manager stopped: what the API server takes for as many
	// independent writes.
	Floor burstRun
	// Counted runs from the API server's last answer to the first version
	// of the Proposal whose status.tally counts every ballot (0 when the
	// tally was there before the last answer came back), Tally its approvals.
	Counted time.Duration
	Tally   int32
	// Writes are the API server's writes from the burst until it was
	// quiet; Reconciles the manager's in that time; CPU until counted.
	Writes     writeCounts
	Reconciles map[string]float64 `json:",omitempty"`
	CPU        map[string]time.Duration
}

// burstRun is one round of N ballots sent at once.
type burstRun struct {
	// Wall runs from the first request sent to the last answer.
	Wall time.Duration
	// Acks, sorted: each ballot from sending it to the API server's answer.
	Acks []time.Duration
	Quantiles
	// Errors are the answers that were errors; ErrorsStored those of them
	// whose ballot was stored all the same (a vote refused to its voter
	// and counted, the error the issue measured); Stored the ballots
	// listed afterwards.
	Errors, ErrorsStored, Stored int
}

// burst measures n voters on one Proposal with the manager running, then,
// on the same control plane with the manager stopped, the floor. The
// Proposal's policy needs an expert review nobody gives, so it stays Open
// and every ballot of the burst is counted in the tally, none after a
// decision.
func (b *bench) burst(ctx context.Context, v variant, n int) burstResult {
	res := burstResult{Variant: v.Name, Voters: n}
	st := b.setUp(ctx, stageSpec{namespace: "burst", roles: 1, governance: governancePolicy()})
	mgr := b.startManager(ctx, st, v, fmt.Sprintf("burst-%d", n))
	voters := votersOf(ctx, st, n)
	p := cellProposal(st.ns, "burst", st.roles[0], 0)
	check(st.cp.users[alice].Create(ctx, p), "creating the Proposal as", alice)
	waitProposals(ctx, st, 1, time.Minute, "Open", func(q *v1.Proposal) bool { return q.Status.Phase == v1.PhaseOpen })
	// A round of server dry runs first, so the burst and the floor both
	// find the connections open (client-go opens one more for every 250
	// streams in flight) and the API server's admission warm.
	onP := func(int) *v1.Proposal { return p }
	if warm, _ := sendBallots(ctx, st, voters, onP, client.DryRunAll); warm.Errors > 0 {
		check(fmt.Errorf("%d of the warm-up's dry runs failed", warm.Errors))
	}
	waitQuiet(ctx, st.cp, 2*time.Second, time.Minute)
	w := must(st.cp.Admin.Watch(ctx, &v1.ProposalList{}, client.InNamespace(st.ns),
		client.MatchingFields{"metadata.name": p.Name}))
	b.cleanup(w.Stop)
	counted := make(chan time.Time, 1)
	go func() {
		defer w.Stop()
		for ev := range w.ResultChan() {
			if q, ok := ev.Object.(*v1.Proposal); ok && q.Status.Tally != nil && q.Status.Tally.Approvals >= int32(n) {
				counted <- time.Now()
				return
			}
		}
	}()
	before := mgr.reconciles(ctx)
	m := startMeter(ctx, st.cp, mgr.Pid())
	logln("  %d ballots at once on %s", n, p.Name)
	var lastAck, at time.Time
	res.Burst, lastAck = sendBallots(ctx, st, voters, onP)
	select {
	case at = <-counted:
	case <-time.After(b.cfg.timeout):
		check(fmt.Errorf("the tally did not count %d ballots within %s", n, b.cfg.timeout))
	case <-ctx.Done():
		check(ctx.Err())
	}
	res.CPU, res.Counted = m.cpu(), max(at.Sub(lastAck), 0)
	res.Writes, res.Reconciles = m.writes(ctx, 2*time.Second), since(mgr.reconciles(ctx), before)
	var live v1.Proposal
	check(st.cp.Admin.Get(ctx, client.ObjectKeyFromObject(p), &live))
	if live.Status.Tally != nil {
		res.Tally = live.Status.Tally.Approvals
	}
	if live.Status.Phase != v1.PhaseOpen || res.Tally != int32(n) {
		check(fmt.Errorf("after the burst the Proposal is %s with %d approvals, want Open with %d",
			live.Status.Phase, res.Tally, n))
	}
	logln("  burst: wall %s, %s, counted %s after the last answer, %d errors (%d stored)",
		res.Burst.Wall.Round(time.Millisecond), res.Burst.summary(), res.Counted.Round(time.Millisecond),
		res.Burst.Errors, res.Burst.ErrorsStored)
	check(mgr.stop(), "stopping the manager before the floor")
	waitQuiet(ctx, st.cp, 2*time.Second, time.Minute)
	logln("  floor: %d independent ballots at once", n)
	res.Floor, _ = sendBallots(ctx, st, voters, func(i int) *v1.Proposal {
		return &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Namespace: st.ns, Name: fmt.Sprintf("floor-%04d", i),
			UID: types.UID(fmt.Sprintf("00000000-0000-0000-0000-%012d", i))}, Spec: p.Spec}
	})
	logln("  floor: wall %s, %s, %d errors", res.Floor.Wall.Round(time.Millisecond), res.Floor.summary(),
		res.Floor.Errors)
	return res
}

type voter struct {
	name string
	c    client.Client
}

// votersOf makes n voters, voter-0000 ..., each a client of the admin that
// impersonates them with the group engineers (the API server adds
// system:authenticated), and binds skillmatrix-voter to that group in the
// stage's namespace. The clients share one transport, as client-go shares
// it per TLS configuration, and have no rate limit.
func votersOf(ctx context.Context, st *stage, n int) []voter {
	st.cp.bind(ctx, st.ns, "engineers-vote", "skillmatrix-voter", rbacv1.GroupKind, engineerGroup)
	out := make([]voter, n)
	for i := range n {
		out[i].name = fmt.Sprintf("voter-%04d", i)
		out[i].c = st.cp.as(out[i].name, engineerGroup)
	}
	// RBAC reaches the authorizer asynchronously: wait until the last
	// voter may vote.
	probe := &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Namespace: st.ns, Name: "probe"},
		Spec: v1.ProposalSpec{RoleRef: "probe"}}
	var err error
	if wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		err = applyBallot(ctx, out[n-1].c, probe, out[n-1].name, v1.BallotKindVote, client.DryRunAll)
		return err == nil, nil
	}) != nil {
		check(err, "the voters cannot vote")
	}
	return out
}

// sendBallots has every voter apply an approving Ballot at the same moment,
// voter i on the Proposal target(i), and returns the round and the time of
// the last answer. A failed ballot is looked up afterwards: an error for a
// ballot that was stored is what a voter must never see.
func sendBallots(ctx context.Context, st *stage, voters []voter, target func(int) *v1.Proposal,
	opts ...client.ApplyOption) (burstRun, time.Time) {
	n := len(voters)
	sent, acked, errs, targets := make([]time.Time, n), make([]time.Time, n), make([]error, n), make([]*v1.Proposal, n)
	want := make(map[string]bool, n)
	for i, vt := range voters {
		targets[i] = target(i)
		want[targets[i].Name+"/"+vt.name] = true
	}
	atOnce(n, func(i int) {
		sent[i] = time.Now()
		errs[i] = applyBallot(ctx, voters[i].c, targets[i], voters[i].name, v1.BallotKindVote, opts...)
		acked[i] = time.Now()
	})
	var run burstRun
	last := slices.MaxFunc(acked, time.Time.Compare)
	run.Wall = last.Sub(slices.MinFunc(sent, time.Time.Compare))
	for i := range n {
		run.Acks = append(run.Acks, acked[i].Sub(sent[i]))
		if errs[i] == nil {
			continue
		}
		run.Errors++
		if len(opts) > 0 {
			logln("  %s (dry run): %v", voters[i].name, errs[i])
			continue
		}
		logln("  %s: %v", voters[i].name, errs[i])
		key := client.ObjectKey{Namespace: st.ns,
			Name: v1.BallotName(targets[i].Name, v1.BallotKindVote, v1.Username(voters[i].name))}
		if err := st.cp.Admin.Get(ctx, key, &v1.Ballot{}); err == nil {
			run.ErrorsStored++
		} else if !apierrors.IsNotFound(err) {
			logln("  looking up %s: %v", key.Name, err)
		}
	}
	var list v1.BallotList
	if err := st.cp.Admin.List(ctx, &list, client.InNamespace(st.ns)); err == nil {
		for _, b := range list.Items {
			if want[string(b.Spec.ProposalRef)+"/"+string(b.Spec.Voter)] {
				run.Stored++
			}
		}
	}
	run.Quantiles = quantilesOf(run.Acks)
	return run, last
}

// The notification measurement: the governance burst (govProposals decided
// at once over govRoles Roles) with the operator telling a signed webhook
// channel, a team mailbox and, by email, three people who each follow every
// Role, through mailpit on loopback. It measures the time from each
// deciding vote to the first message that tells its decision, and the
// manager's CPU, whose excess over the governance measurement's (the same
// burst, nobody told) is its cost per notification.

// notifyFollowers each follow every Role.
var notifyFollowers = []string{bob, carol, dave}

// notifyResult is the notification measurement.
type notifyResult struct {
	Variant          string
	Proposals, Roles int
	Follows          int
	Latencies        []time.Duration
	Quantiles
	// Mail* run from each deciding vote to the first Follow's mail that
	// tells it (mailpit's receive time).
	MailP50, MailP95, MailMax time.Duration
	// After* run from the moment the Role's ConfigMap carried the change
	// (the end of the governance latency) to the webhook's message: the
	// notifications' own share.
	AfterP50, AfterP95 time.Duration
	// Events counts the (recipient, event) pairs the burst delivered, alone
	// or listed in a digest; Messages the messages (a digest once).
	Events, Messages int
	CPU              map[string]time.Duration
	// BaselineCPU is the manager's CPU for the same burst with nobody told
	// (the governance measurement); PerThousand the excess per 1000 events.
	BaselineCPU, PerThousand time.Duration
}

func (b *bench) notifications(ctx context.Context, v variant) notifyResult {
	res := notifyResult{Variant: v.Name, Proposals: b.cfg.govProposals, Roles: b.cfg.govRoles}
	logFile := must(os.Create(filepath.Join(b.logDir, "mailpit.log")))
	b.cleanup(func() { _ = logFile.Close() })
	mail := must(mailpit.Start(ctx, must(mailpit.Binary(ctx, b.root)), logFile))
	b.cleanup(mail.Stop)
	hook := &hookReceiver{firstApplied: map[string]time.Time{}}
	srv := httptest.NewServer(hook)
	b.cleanup(srv.Close)
	track := newLatencies()
	st := b.setUp(ctx, stageSpec{namespace: "notify", roles: b.cfg.govRoles, governance: governancePolicy(),
		onConfigMap: track.configMap})
	v.Args = append(slices.Clone(v.Args), "--portal-url=https://career.example.com")
	mgr := b.startManager(ctx, st, v, "notifications")
	follows := setUpNotifications(ctx, st, srv.URL, mail)
	res.Follows = len(follows)
	proposals := b.openProposals(ctx, st, res.Proposals)
	track.follow(proposals)
	// The openings are told; the measurement starts once they are.
	notificationsSettled(ctx, st, b.cfg.timeout)
	check(mail.DeleteAll(ctx))
	hook.mu.Lock()
	hook.firstApplied, hook.events, hook.messages = map[string]time.Time{}, 0, 0
	hook.mu.Unlock()

	m := startMeter(ctx, st.cp, mgr.Pid())
	logln("  casting %d deciding votes at once", len(proposals))
	track.vote(ctx, st.cp.users[dave], proposals, nil)
	missing := 0
	check(wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, b.cfg.timeout, true,
		func(context.Context) (bool, error) {
			missing = len(proposals) - len(hook.told(proposals))
			return missing == 0, nil
		}), fmt.Sprintf("the webhook was not told %d of %d decisions", missing, len(proposals)))
	notificationsSettled(ctx, st, b.cfg.timeout)
	res.CPU = m.cpu()
	var after, mailLat []time.Duration
	told := hook.told(proposals)
	events, messages, first := mailDeliveries(ctx, mail, proposals, follows)
	for _, p := range proposals {
		uid := string(p.UID)
		res.Latencies = append(res.Latencies, told[p.Name].Sub(track.sent[uid]))
		if seen, ok := track.seen[uid]; ok {
			after = append(after, told[p.Name].Sub(seen))
		}
		if at, ok := first[uid]; ok {
			mailLat = append(mailLat, at.Sub(track.sent[uid]))
		}
	}
	qa := quantilesOf(after)
	res.AfterP50, res.AfterP95, res.Quantiles = qa.P50, qa.P95, quantilesOf(res.Latencies)
	if len(mailLat) != len(proposals) {
		check(fmt.Errorf("%d of %d decisions reached a follower's mailbox", len(mailLat), len(proposals)))
	}
	qm := quantilesOf(mailLat)
	res.MailP50, res.MailP95, res.MailMax = qm.P50, qm.P95, qm.Max
	hook.mu.Lock()
	res.Events, res.Messages = events+hook.events, messages+hook.messages
	hook.mu.Unlock()
	logln("  %d events in %d messages; webhook p50 %s, p95 %s; mail p95 %s; manager CPU %s",
		res.Events, res.Messages, res.P50.Round(time.Millisecond), res.P95.Round(time.Millisecond),
		res.MailP95.Round(time.Millisecond), res.CPU["manager"].Round(time.Millisecond))
	return res
}

// setUpNotifications creates the webhook and SMTP providers, a rule for
// each (the webhook's channel, the team's mailbox), and a Follow of every
// Role by each of notifyFollowers, created as them; it waits until the
// Follows are set up and returns them.
func setUpNotifications(ctx context.Context, st *stage, hookURL string, mail *mailpit.Server) []*v1.Follow {
	const hook, smtp = "hook", "mail"
	matrix := v1.ObjectName(st.matrix.Name)
	for _, o := range []client.Object{
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: st.ns, Name: hook},
			StringData: map[string]string{"token": "bench-webhook-key"}},
		&v1.NotificationProvider{ObjectMeta: metav1.ObjectMeta{Namespace: st.ns, Name: hook},
			Spec: v1.NotificationProviderSpec{Type: v1.ProviderWebhook, Address: hookURL,
				SecretRef: &v1.SecretReference{Name: hook}}},
		&v1.NotificationProvider{ObjectMeta: metav1.ObjectMeta{Namespace: st.ns, Name: smtp},
			Spec: v1.NotificationProviderSpec{Type: v1.ProviderSMTP,
				SMTP: &v1.SMTPSettings{Host: mail.SMTPHost, Port: int32(mail.SMTPPort), From: "career@example.com",
					Security: v1.SMTPNone, UserDomain: "example.com"},
				Follows: &v1.FollowDelivery{}}},
		&v1.NotificationRule{ObjectMeta: metav1.ObjectMeta{Namespace: st.ns, Name: hook},
			Spec: v1.NotificationRuleSpec{ProviderRef: v1.LocalReference{Name: hook}, MatrixRef: matrix}},
		&v1.NotificationRule{ObjectMeta: metav1.ObjectMeta{Namespace: st.ns, Name: "team"},
			Spec: v1.NotificationRuleSpec{ProviderRef: v1.LocalReference{Name: smtp}, MatrixRef: matrix,
				To: []string{"career-team@example.com"}}},
	} {
		check(st.cp.Admin.Create(ctx, o), fmt.Sprintf("creating %T %s", o, o.GetName()))
	}
	follows := make([]*v1.Follow, 0, len(notifyFollowers)*len(st.roles))
	for _, u := range notifyFollowers {
		st.cp.bind(ctx, "", u+"-skillmatrix-follower", "skillmatrix-follower", rbacv1.UserKind, u)
		for _, r := range st.roles {
			follows = append(follows, notify.NewFollow(st.ns, r.Name, u, notify.FollowOptions{}))
		}
	}
	// The RoleBindings take a moment to reach the authorizer.
	deadline := time.Now().Add(time.Minute)
	check(parallel(len(follows), 16, func(i int) error {
		var err error
		_ = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Until(deadline), true,
			func(ctx context.Context) (bool, error) {
				err = st.cp.users[string(follows[i].Spec.Subscriber)].Create(ctx, follows[i])
				return err == nil, nil
			})
		return err
	}), "following the Roles")
	for _, f := range follows {
		check(wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 24*time.Hour, true,
			func(ctx context.Context) (bool, error) {
				err := st.cp.Admin.Get(ctx, client.ObjectKeyFromObject(f), f)
				return f.Status.UnsubscribeToken != "", err
			}))
	}
	return follows
}

// notificationsSettled waits until no rule or Follow of the stage has a
// message waiting.
func notificationsSettled(ctx context.Context, st *stage, timeout time.Duration) {
	waiting := 0
	settled := func(ctx context.Context) (bool, error) {
		var rules v1.NotificationRuleList
		var follows v1.FollowList
		if err := st.cp.Admin.List(ctx, &rules, client.InNamespace(st.ns)); err != nil {
			return false, err
		}
		waiting = 0
		for _, r := range rules.Items {
			for _, ob := range r.Status.Outboxes {
				waiting += len(ob.Pending)
			}
		}
		err := st.cp.Admin.List(ctx, &follows, client.InNamespace(st.ns))
		for _, f := range follows.Items {
			if f.Status.Outbox != nil {
				waiting += len(f.Status.Outbox.Pending)
			}
		}
		return waiting == 0, err
	}
	if err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, timeout, true, settled); err != nil {
		check(err, fmt.Sprintf("%d notifications still wait", waiting))
	}
}

// mailDeliveries reads what mailpit received: the events delivered (each
// message's delivery id, or a digest's listed ids), the messages, and per
// Proposal uid the first arrival of a Follow's mail telling its Applied.
func mailDeliveries(ctx context.Context, mail *mailpit.Server, proposals []*v1.Proposal, follows []*v1.Follow,
) (events, messages int, first map[string]time.Time) {
	byID := map[string]string{}
	for _, p := range proposals {
		for _, f := range follows {
			if f.Spec.RoleRef == p.Spec.RoleRef {
				byID[notify.DeliveryID(string(f.UID)+"/follow", string(p.UID)+"/applied")] = string(p.UID)
			}
		}
	}
	first = map[string]time.Time{}
	for _, m := range must(mail.Messages(ctx)) {
		h := must(mail.Headers(ctx, m.ID))
		ids := h[notify.HeaderDeliveryID]
		if digest := h[notify.HeaderDigestOf]; len(digest) > 0 {
			ids = strings.Split(strings.Join(strings.Fields(strings.Join(digest, "")), ""), ",")
		}
		messages++
		events += len(ids)
		for _, id := range ids {
			if uid, ok := byID[id]; ok {
				if t, seen := first[uid]; !seen || m.Created.Before(t) {
					first[uid] = m.Created
				}
			}
		}
	}
	return events, messages, first
}

// hookReceiver is the webhook on loopback: when each Proposal's Applied
// first arrived, and how many events and messages came.
type hookReceiver struct {
	mu               sync.Mutex
	firstApplied     map[string]time.Time
	events, messages int
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	var p struct {
		Events []struct {
			Event  string `json:"event"`
			Object string `json:"object"`
		} `json:"events"`
	}
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.messages++
	h.events += len(p.Events)
	for _, e := range p.Events {
		if _, seen := h.firstApplied[e.Object]; e.Event == string(v1.EventApplied) && !seen {
			h.firstApplied[e.Object] = at
		}
	}
}

// told is when the webhook first heard of each Proposal's Applied, by
// name, for those it has.
func (h *hookReceiver) told(proposals []*v1.Proposal) map[string]time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]time.Time{}
	for _, p := range proposals {
		if at, ok := h.firstApplied[p.Name]; ok {
			out[p.Name] = at
		}
	}
	return out
}
