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
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
)

// governanceResult is the latency from a deciding vote to the republished
// matrix.
type governanceResult struct {
	Variant   string
	Proposals int
	Roles     int
	// Latencies, sorted: from sending each deciding vote to the first
	// version of its Role's ConfigMap whose matrix.json lists the Proposal
	// in its changelog.
	Latencies     []time.Duration
	P50, P95, P99 time.Duration
	Max           time.Duration
	// Solo are the latencies of single deciding votes cast one at a time
	// on an otherwise idle operator, before the burst.
	Solo []time.Duration
	// Acks, sorted: from sending each deciding vote to the API server's
	// answer. No operator can act on a vote before it is stored, so these
	// are the floor under Latencies in a burst.
	Acks []time.Duration
	// CPU is what kube-apiserver, etcd and the manager used from the votes
	// until the last ConfigMap carried its Proposal.
	CPU        map[string]time.Duration
	Writes     writeCounts
	Reconciles map[string]float64
	Requests   map[string]requestMean
	VoteErrors int
}

// latencies tracks, per Proposal uid, when its deciding vote was sent and
// when the API server stored it, and when its Role's ConfigMap first
// carried it.
type latencies struct {
	mu     sync.Mutex
	byRole map[string][]string
	sent   map[string]time.Time
	acked  map[string]time.Time
	seen   map[string]time.Time
	total  int
	all    chan struct{}
}

func newLatencies(total int) *latencies {
	return &latencies{byRole: map[string][]string{}, sent: map[string]time.Time{}, seen: map[string]time.Time{},
		acked: map[string]time.Time{}, total: total, all: make(chan struct{})}
}

func (l *latencies) configMap(cm *corev1.ConfigMap, at time.Time) {
	role := cm.Labels[publish.LabelRole]
	l.mu.Lock()
	defer l.mu.Unlock()
	uids := l.byRole[role]
	if len(uids) == 0 {
		return
	}
	doc := matrixJSON(cm)
	for _, uid := range uids {
		if _, ok := l.seen[uid]; ok {
			continue
		}
		if _, ok := l.sent[uid]; ok && strings.Contains(doc, uid) {
			l.seen[uid] = at
			if len(l.seen) == l.total {
				close(l.all)
			}
		}
	}
}

// matrixJSON returns matrix.json from a published ConfigMap, plain or gzip;
// one it cannot read counts as not yet showing any Proposal.
func matrixJSON(cm *corev1.ConfigMap) string {
	data, err := publish.ReadFile(cm.Data, cm.BinaryData, render.KeyJSON)
	if err != nil {
		return ""
	}
	return string(data)
}

func (l *latencies) pending() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total - len(l.seen)
}

// governance measures the deciding votes on many open Proposals at once.
func (b *bench) governance(ctx context.Context, v variant) (governanceResult, error) {
	res := governanceResult{Variant: v.Name, Proposals: b.cfg.govProposals, Roles: b.cfg.govRoles}
	track := newLatencies(b.cfg.govProposals + soloVotes)
	st, err := b.setUp(ctx, stageSpec{namespace: "governance", roles: b.cfg.govRoles, onConfigMap: track.configMap,
		governance: governancePolicy()})
	defer st.close()
	if err != nil {
		return res, err
	}
	mgr, err := b.startManager(ctx, st, v, "governance")
	if err != nil {
		return res, err
	}
	defer func() { _ = mgr.stop() }()

	proposals, err := b.openProposals(ctx, st, b.cfg.govProposals+soloVotes)
	if err != nil {
		return res, err
	}
	for _, p := range proposals {
		track.byRole[string(p.Spec.RoleRef)] = append(track.byRole[string(p.Spec.RoleRef)], string(p.UID))
	}
	if res.Solo, err = decideOneByOne(ctx, st.cp, track, proposals[:soloVotes]); err != nil {
		return res, err
	}
	proposals = proposals[soloVotes:]

	m, err := startMeter(ctx, st.cp, mgr.pid())
	if err != nil {
		return res, err
	}
	logln("  casting %d deciding votes at once", len(proposals))
	if res.VoteErrors = track.decideAtOnce(ctx, st.cp.users[dave], proposals); res.VoteErrors > 0 {
		return res, fmt.Errorf("%d deciding votes failed", res.VoteErrors)
	}
	if err := waitChan(ctx, track.all, b.cfg.timeout, func() string {
		return fmt.Sprintf("%d Proposals not yet in their ConfigMap", track.pending())
	}); err != nil {
		return res, err
	}
	res.CPU = m.cpuTime()
	res.Latencies, res.Acks = track.sorted(proposals)
	res.P50, res.P95, res.P99 = percentile(res.Latencies, 0.50), percentile(res.Latencies, 0.95),
		percentile(res.Latencies, 0.99)
	res.Max = res.Latencies[len(res.Latencies)-1]
	if res.Writes, err = m.writesSettled(ctx, 3*time.Second); err != nil {
		return res, err
	}
	if res.Requests, err = m.requests(ctx); err != nil {
		return res, err
	}
	if res.Reconciles, err = mgr.reconciles(ctx); err != nil {
		return res, err
	}
	logln("  %s: p50 %s, p95 %s, p99 %s, max %s", v.Name, res.P50.Round(time.Millisecond),
		res.P95.Round(time.Millisecond), res.P99.Round(time.Millisecond), res.Max.Round(time.Millisecond))
	return res, verifyApplied(ctx, st.cp.admin, st.ns, len(proposals)+soloVotes)
}

// openProposals creates n Proposals as alice, casts bob's vote and carol's
// review on each, and waits until all are Open with them counted and the
// API server is quiet: one more vote then decides each.
func (b *bench) openProposals(ctx context.Context, st *stage, n int) ([]*v1.Proposal, error) {
	cp := st.cp
	proposals := benchProposals(st.ns, st.roles, n)
	if err := parallel(len(proposals), 16, func(i int) error {
		return cp.users[alice].Create(ctx, proposals[i])
	}); err != nil {
		return nil, fmt.Errorf("creating Proposals as %s: %w", alice, err)
	}
	if err := parallel(len(proposals), 16, func(i int) error {
		if err := jsonPatch(ctx, cp.users[bob], proposals[i], "/spec/votes",
			[]v1.Vote{{Voter: bob, Decision: v1.VoteApprove, Groups: engineerGroups}}); err != nil {
			return err
		}
		return jsonPatch(ctx, cp.users[carol], proposals[i], "/spec/reviews",
			[]v1.Review{{Reviewer: carol, Decision: v1.ReviewApprove, Groups: engineerGroups}})
	}); err != nil {
		return nil, fmt.Errorf("casting the first votes: %w", err)
	}
	if err := waitOpen(ctx, cp.admin, st.ns, len(proposals), b.cfg.timeout); err != nil {
		return nil, err
	}
	if _, err := waitQuiet(ctx, cp, 3*time.Second, 2*time.Minute); err != nil {
		return nil, err
	}
	return proposals, nil
}

// decideOneByOne casts dave's deciding vote on each Proposal in turn, on an
// otherwise idle operator, and returns the sorted latencies.
func decideOneByOne(ctx context.Context, cp *controlPlane, track *latencies,
	proposals []*v1.Proposal) ([]time.Duration, error) {
	var out []time.Duration
	for _, p := range proposals {
		d, err := track.decide(ctx, cp.users[dave], p)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
		if _, err := waitQuiet(ctx, cp, 2*time.Second, time.Minute); err != nil {
			return nil, err
		}
	}
	slices.Sort(out)
	return out, nil
}

// decideAtOnce casts dave's deciding vote on every Proposal at the same
// moment and returns how many failed, logging each.
func (l *latencies) decideAtOnce(ctx context.Context, c client.Client, proposals []*v1.Proposal) int {
	return l.decideAtOnceNotify(ctx, c, proposals, nil)
}

// decideAtOnceNotify is decideAtOnce that also calls onAck, when set, with
// each Proposal's uid once the API server has answered its vote.
func (l *latencies) decideAtOnceNotify(ctx context.Context, c client.Client, proposals []*v1.Proposal,
	onAck func(uid string)) int {
	start := make(chan struct{})
	var wg sync.WaitGroup
	var voteErrs sync.Map
	for _, p := range proposals {
		wg.Go(func() {
			<-start
			l.mu.Lock()
			l.sent[string(p.UID)] = time.Now()
			l.mu.Unlock()
			if err := jsonPatch(ctx, c, p, "/spec/votes/-",
				v1.Vote{Voter: dave, Decision: v1.VoteApprove, Groups: engineerGroups}); err != nil {
				voteErrs.Store(p.Name, err)
			}
			l.mu.Lock()
			l.acked[string(p.UID)] = time.Now()
			l.mu.Unlock()
			if onAck != nil {
				onAck(string(p.UID))
			}
		})
	}
	close(start)
	wg.Wait()
	failed := 0
	voteErrs.Range(func(k, e any) bool {
		failed++
		logln("  deciding vote on %v failed: %v", k, e)
		return true
	})
	return failed
}

// sorted returns, sorted, the latencies from each Proposal's deciding vote
// to its ConfigMap, and to the API server's answer.
func (l *latencies) sorted(proposals []*v1.Proposal) (latencies, acks []time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range proposals {
		uid := string(p.UID)
		latencies = append(latencies, l.seen[uid].Sub(l.sent[uid]))
		acks = append(acks, l.acked[uid].Sub(l.sent[uid]))
	}
	slices.Sort(latencies)
	slices.Sort(acks)
	return latencies, acks
}

// soloVotes is how many Proposals are decided one at a time before the burst.
const soloVotes = 20

// decide casts dave's deciding vote on p and waits until its Role's
// ConfigMap carries it; it returns the latency.
func (l *latencies) decide(ctx context.Context, c client.Client, p *v1.Proposal) (time.Duration, error) {
	uid := string(p.UID)
	l.mu.Lock()
	l.sent[uid] = time.Now()
	l.mu.Unlock()
	vote := v1.Vote{Voter: dave, Decision: v1.VoteApprove, Groups: engineerGroups}
	if err := jsonPatch(ctx, c, p, "/spec/votes/-", vote); err != nil {
		return 0, err
	}
	return l.await(ctx, p)
}

// await waits until p's Role's ConfigMap carries p and returns the latency
// from its deciding vote.
func (l *latencies) await(ctx context.Context, p *v1.Proposal) (time.Duration, error) {
	uid := string(p.UID)
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		l.mu.Lock()
		seen, ok := l.seen[uid]
		sent := l.sent[uid]
		l.mu.Unlock()
		if ok {
			return seen.Sub(sent), nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return 0, fmt.Errorf("proposal %s did not reach its ConfigMap within a minute", p.Name)
}

// benchProposals spreads n Proposals over the Roles, each setting a cell of
// its own (the last level of a distinct skill) with `from`, so none
// conflicts with another.
func benchProposals(ns string, roles []*v1.Role, n int) []*v1.Proposal {
	out := make([]*v1.Proposal, 0, n)
	for k := range n {
		role := roles[k%len(roles)]
		row := role.Spec.Skills[(k/len(roles))%len(role.Spec.Skills)]
		cell := row.Cells[len(row.Cells)-1]
		to := v1.ProficiencyID("V")
		if cell.Proficiency == to {
			to = "E"
		}
		out = append(out, &v1.Proposal{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("bench-%04d", k)},
			Spec: v1.ProposalSpec{
				RoleRef: v1.ObjectName(role.Name),
				Title:   fmt.Sprintf("Set %s at %s to %s", row.ID, cell.Level, to),
				Author:  alice,
				Changes: []v1.Change{{Op: v1.OpSetProficiency, Skill: row.ID, Level: cell.Level, Proficiency: to,
					From: &v1.ChangeValue{Proficiency: cell.Proficiency}}},
			},
		})
	}
	return out
}

// jsonPatch sends one JSON patch add operation, as kubectl patch --type=json
// does: appending a vote needs no read and no resourceVersion.
func jsonPatch(ctx context.Context, c client.Client, p *v1.Proposal, path string, value any) error {
	data, err := json.Marshal([]map[string]any{{"op": "add", "path": path, "value": value}})
	if err != nil {
		return err
	}
	target := &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Namespace: p.Namespace, Name: p.Name}}
	return c.Patch(ctx, target, client.RawPatch(types.JSONPatchType, data))
}

// waitOpen waits until every Proposal is Open with one vote and one review
// counted: one more vote decides each.
func waitOpen(ctx context.Context, c client.Client, ns string, n int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		var list v1.ProposalList
		if err := c.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return err
		}
		ready := 0
		for _, p := range list.Items {
			t := p.Status.Tally
			if p.Status.Phase == v1.PhaseOpen && t != nil && t.Approvals == 1 && t.ReviewApprovals == 1 {
				ready++
			}
		}
		if ready == n {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return fmt.Errorf("the Proposals did not all become Open with one vote and one review within %s", timeout)
}

// verifyApplied checks that every Proposal ended Applied.
func verifyApplied(ctx context.Context, c client.Client, ns string, n int) error {
	var list v1.ProposalList
	if err := c.List(ctx, &list, client.InNamespace(ns)); err != nil {
		return err
	}
	applied := 0
	for _, p := range list.Items {
		if p.Status.Phase == v1.PhaseApplied {
			applied++
		}
	}
	if applied != n {
		return fmt.Errorf("%d of %d Proposals are Applied", applied, n)
	}
	return nil
}

func waitChan(ctx context.Context, ch <-chan struct{}, timeout time.Duration, progress func() string) error {
	deadline := time.After(timeout)
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ch:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline:
			return fmt.Errorf("timed out after %s: %s", timeout, progress())
		case <-tick.C:
			logln("  %s", progress())
		}
	}
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := max(int(math.Ceil(q*float64(len(sorted))))-1, 0)
	return sorted[min(i, len(sorted)-1)]
}
