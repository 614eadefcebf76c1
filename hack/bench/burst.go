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
	"fmt"
	"slices"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

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
	// tally was there before the last answer came back).
	Counted time.Duration
	// Tally is the Proposal's approvals then.
	Tally int32
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

// burstPolicy keeps the Proposal open whatever the votes: it needs an
// expert review nobody gives, so every ballot of the burst is counted in
// the tally and none arrives after a decision.
func burstPolicy() *v1.GovernancePolicy {
	p := governancePolicy()
	p.MinApprovals = new(int32(2))
	return p
}

func (b *bench) measureBursts(ctx context.Context, res *results) error {
	if len(b.cfg.bursts) == 0 {
		return nil
	}
	v := b.variants[0]
	for _, n := range b.cfg.bursts {
		logln("vote burst: %d voters on one Proposal, %s manager, and its floor", n, v.Name)
		r, err := b.burst(ctx, v, n)
		if err := b.publish(fmt.Sprintf("vote burst of %d", n), err, func() {
			res.VoteBursts = append(res.VoteBursts, r)
		}); err != nil {
			return err
		}
	}
	return nil
}

// burst measures n voters on one Proposal with the manager running, then,
// on the same control plane with the manager stopped, the floor.
func (b *bench) burst(ctx context.Context, v variant, n int) (burstResult, error) {
	res := burstResult{Variant: v.Name, Voters: n}
	st, err := b.setUp(ctx, stageSpec{namespace: "burst", roles: 1, governance: burstPolicy()})
	defer st.close()
	if err != nil {
		return res, err
	}
	mgr, err := b.startManager(ctx, st, v, fmt.Sprintf("burst-%d", n))
	if err != nil {
		return res, err
	}
	voters, err := votersOf(ctx, st, n)
	if err != nil {
		return res, err
	}
	p, err := openBurstProposal(ctx, st)
	if err != nil {
		return res, err
	}
	// A round of server dry runs first, so the burst and the floor both
	// find the connections open (client-go opens one more for every 250
	// streams in flight) and the API server's admission warm.
	if warm, _ := sendBallots(ctx, st, voters, func(int) *v1.Proposal { return p }, client.DryRunAll); warm.Errors > 0 {
		return res, fmt.Errorf("%d of the warm-up's dry runs failed", warm.Errors)
	}
	if _, err := waitQuiet(ctx, st.cp, 2*time.Second, time.Minute); err != nil {
		return res, err
	}

	counted := make(chan time.Time, 1)
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	if err := watchTally(watchCtx, st, p.Name, int32(n), counted); err != nil {
		return res, err
	}
	before, err := mgr.reconciles(ctx)
	if err != nil {
		return res, err
	}
	m, err := startMeter(ctx, st.cp, mgr.Pid())
	if err != nil {
		return res, err
	}
	logln("  %d ballots at once on %s", n, p.Name)
	var lastAck time.Time
	res.Burst, lastAck = sendBallots(ctx, st, voters, func(int) *v1.Proposal { return p })
	var at time.Time
	select {
	case at = <-counted:
	case <-time.After(b.cfg.timeout):
		return res, fmt.Errorf("the tally did not count %d ballots within %s", n, b.cfg.timeout)
	case <-ctx.Done():
		return res, ctx.Err()
	}
	res.CPU = m.cpu.since()
	res.Counted = max(at.Sub(lastAck), 0)
	if res.Writes, err = m.writesSettled(ctx, 2*time.Second); err != nil {
		return res, err
	}
	after, err := mgr.reconciles(ctx)
	if err != nil {
		return res, err
	}
	res.Reconciles = map[string]float64{}
	for k, x := range after {
		if d := x - before[k]; d > 0 {
			res.Reconciles[k] = d
		}
	}
	var live v1.Proposal
	if err := st.cp.Admin.Get(ctx, client.ObjectKeyFromObject(p), &live); err != nil {
		return res, err
	}
	if live.Status.Tally != nil {
		res.Tally = live.Status.Tally.Approvals
	}
	if live.Status.Phase != v1.PhaseOpen || res.Tally != int32(n) {
		return res, fmt.Errorf("after the burst the Proposal is %s with %d approvals, want Open with %d",
			live.Status.Phase, res.Tally, n)
	}
	logln("  burst: wall %s, %s, counted %s after the last answer, %d errors (%d stored)",
		res.Burst.Wall.Round(time.Millisecond), res.Burst.summary(), res.Counted.Round(time.Millisecond),
		res.Burst.Errors, res.Burst.ErrorsStored)

	if err := mgr.stop(); err != nil {
		return res, fmt.Errorf("stopping the manager before the floor: %w", err)
	}
	if _, err := waitQuiet(ctx, st.cp, 2*time.Second, time.Minute); err != nil {
		return res, err
	}
	logln("  floor: %d independent ballots at once", n)
	res.Floor, _ = sendBallots(ctx, st, voters, func(i int) *v1.Proposal {
		return &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Namespace: st.ns, Name: fmt.Sprintf("floor-%04d", i),
			UID: types.UID(fmt.Sprintf("00000000-0000-0000-0000-%012d", i))}, Spec: p.Spec}
	})
	logln("  floor: wall %s, %s, %d errors", res.Floor.Wall.Round(time.Millisecond), res.Floor.summary(),
		res.Floor.Errors)
	return res, nil
}

// voter is one person of the burst: a client impersonating them.
type voter struct {
	name string
	c    client.Client
}

// votersOf makes n voters, voter-0000 ..., each a client of the admin that
// impersonates them with the group engineers (the API server adds
// system:authenticated), and binds skillmatrix-voter to that group in the
// stage's namespace. The clients share one transport, as client-go shares
// it per TLS configuration, and have no rate limit.
func votersOf(ctx context.Context, st *stage, n int) ([]voter, error) {
	if err := bind(ctx, st.cp.Admin, st.ns, "engineers-vote", "skillmatrix-voter", group(engineerGroup)); err != nil {
		return nil, err
	}
	out := make([]voter, n)
	for i := range n {
		var err error
		out[i].name = fmt.Sprintf("voter-%04d", i)
		if out[i].c, err = st.cp.as(out[i].name, engineerGroup); err != nil {
			return nil, err
		}
	}
	// RBAC reaches the authorizer asynchronously: wait until the last
	// voter may vote.
	probe, probeProposal := out[n-1], &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Namespace: st.ns, Name: "probe"},
		Spec: v1.ProposalSpec{RoleRef: "probe"}}
	var err error
	if poll(ctx, 200*time.Millisecond, time.Minute, func() (bool, error) {
		err = applyBallot(ctx, probe.c, probeProposal, probe.name, v1.BallotKindVote, client.DryRunAll)
		return err == nil, nil
	}) != nil {
		return nil, fmt.Errorf("the voters cannot vote: %w", err)
	}
	return out, nil
}

// openBurstProposal creates alice's Proposal on the stage's Role and waits
// until the operator has it Open.
func openBurstProposal(ctx context.Context, st *stage) (*v1.Proposal, error) {
	p := cellProposal(st.ns, "burst", st.roles[0], 0)
	if err := st.cp.users[alice].Create(ctx, p); err != nil {
		return nil, fmt.Errorf("creating the Proposal as %s: %w", alice, err)
	}
	if err := waitProposals(ctx, st.cp.Admin, st.ns, 1, time.Minute, func(q *v1.Proposal) bool {
		return q.Status.Phase == v1.PhaseOpen
	}); err != nil {
		return nil, fmt.Errorf("waiting for the Proposal to be Open: %w", err)
	}
	return p, nil
}

// watchTally sends on counted the moment a version of the Proposal counts
// want approvals.
func watchTally(ctx context.Context, st *stage, name string, want int32, counted chan<- time.Time) error {
	w, err := st.cp.Admin.Watch(ctx, &v1.ProposalList{}, client.InNamespace(st.ns),
		client.MatchingFields{"metadata.name": name})
	if err != nil {
		return err
	}
	go func() {
		defer w.Stop()
		for ev := range w.ResultChan() {
			if p, ok := ev.Object.(*v1.Proposal); ok && p.Status.Tally != nil && p.Status.Tally.Approvals >= want {
				counted <- time.Now()
				return
			}
		}
	}()
	return nil
}

// sendBallots has every voter apply an approving Ballot at the same moment,
// voter i on the Proposal target(i), and returns the round and the time of
// the last answer. A failed ballot is looked up afterwards: an error for a
// ballot that was stored is what a voter must never see.
func sendBallots(ctx context.Context, st *stage, voters []voter, target func(int) *v1.Proposal,
	opts ...client.ApplyOption) (burstRun, time.Time) {
	n := len(voters)
	sent, acked, errs, targets := make([]time.Time, n), make([]time.Time, n), make([]error, n), make([]*v1.Proposal, n)
	for i := range n {
		targets[i] = target(i)
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
		var stored v1.Ballot
		key := client.ObjectKey{Namespace: st.ns,
			Name: v1.BallotName(targets[i].Name, v1.BallotKindVote, v1.Username(voters[i].name))}
		if err := st.cp.Admin.Get(ctx, key, &stored); err == nil {
			run.ErrorsStored++
		} else if !apierrors.IsNotFound(err) {
			logln("  looking up %s: %v", key.Name, err)
		}
	}
	want := make(map[string]bool, n)
	for i, vt := range voters {
		want[targets[i].Name+"/"+vt.name] = true
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

// applyBallot casts voter's approving Ballot of kind on p as kubectl skillmatrix vote
// and review do: server-side apply under the voter's own field manager, of
// the ballot named after the Proposal, the kind and the voter, owned by the
// Proposal, cast on its generation, recording the groups the API server
// authenticates (engineers and system:authenticated).
func applyBallot(ctx context.Context, c client.Client, p *v1.Proposal, voter string, kind v1.BallotKind,
	opts ...client.ApplyOption) error {
	b := &v1.Ballot{
		TypeMeta: metav1.TypeMeta{APIVersion: v1.GroupVersion.String(), Kind: "Ballot"},
		ObjectMeta: metav1.ObjectMeta{Namespace: p.Namespace, Name: v1.BallotName(p.Name, kind, v1.Username(voter)),
			OwnerReferences: []metav1.OwnerReference{{APIVersion: v1.GroupVersion.String(), Kind: "Proposal",
				Name: p.Name, UID: p.UID}}},
		Spec: v1.BallotSpec{ProposalRef: v1.ObjectName(p.Name), RoleRef: p.Spec.RoleRef, Kind: kind,
			Voter: v1.Username(voter), Decision: v1.BallotApprove, Groups: engineerGroups,
			ProposalGeneration: max(p.Generation, 1)},
	}
	if p.UID == "" {
		b.OwnerReferences = nil
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
