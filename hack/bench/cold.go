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
	"path/filepath"
	"strconv"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// bench runs the measurements.
type bench struct {
	cfg     settings
	root    string
	assets  string
	samples samples
	logDir  string
}

const benchNamespace = "bench"

// baselineResult is the plain-client baseline at one N.
type baselineResult struct {
	N int
	// Converge is from the first write to the observer seeing every Role
	// Ready with its hash, measured exactly as for the operator.
	Converge time.Duration
	// Writing is how long the writes themselves took.
	Writing  time.Duration
	Writes   writeCounts
	CPU      map[string]time.Duration
	Requests map[string]requestMean
}

// coldResult is one manager variant at one N.
type coldResult struct {
	N       int
	Variant string
	// Converge is from starting the manager process to the observer seeing
	// every Role Ready with the expected content hash.
	Converge time.Duration
	// Writes are the mutating requests from the manager start until the
	// API server was quiet again, including trailing catalog updates and
	// Events.
	Writes     writeCounts
	CPU        map[string]time.Duration
	Reconciles map[string]float64
	// Requests are the API server's mean times per request kind during
	// convergence.
	Requests map[string]requestMean

	// Steady state: writes in the window with nothing changing.
	SteadyWindow     time.Duration
	SteadyWrites     writeCounts
	SteadyRoleWrites int

	// One SkillMatrix edit.
	EditConverge   time.Duration
	EditWrites     writeCounts
	EditCMChanged  int
	EditRoleWrites map[int]int // versions per Role -> number of Roles

	Memory memory
}

// baseline measures the minimal writes with a plain client on a fresh
// control plane.
func (b *bench) baseline(ctx context.Context, n int) (baselineResult, error) {
	res := baselineResult{N: n}
	st, err := b.setUp(ctx, stageSpec{namespace: benchNamespace, roles: n})
	defer st.close()
	if err != nil {
		return res, err
	}
	writes, err := prepareBaseline(st.matrix, st.roles)
	if err != nil {
		return res, err
	}
	m, err := startMeter(ctx, st.cp, 0)
	if err != nil {
		return res, err
	}
	start := time.Now()
	if res.Writing, err = runBaseline(ctx, st.cp.operator, st.matrix, writes, b.cfg.baselineWorkers); err != nil {
		return res, err
	}
	if err := st.obs.waitAll(ctx, st.converged, nil, b.cfg.timeout, "baseline"); err != nil {
		return res, err
	}
	res.Converge = st.obs.lastReached().Sub(start)
	res.CPU = m.cpuTime()
	if res.Writes, err = m.writesNow(ctx); err != nil {
		return res, err
	}
	if res.Requests, err = m.requests(ctx); err != nil {
		return res, err
	}
	logln("  baseline N=%d: %s (writes took %s)", n, res.Converge.Round(time.Millisecond),
		res.Writing.Round(time.Millisecond))
	return res, verifyConfigMaps(ctx, st.cp.admin, benchNamespace, st.want)
}

// cold measures one manager variant at one N: cold convergence, steady
// state, one SkillMatrix edit, memory.
func (b *bench) cold(ctx context.Context, n int, v variant) (coldResult, error) {
	res := coldResult{N: n, Variant: v.Name}
	st, err := b.setUp(ctx, stageSpec{namespace: benchNamespace, roles: n})
	defer st.close()
	if err != nil {
		return res, err
	}
	m, err := startMeter(ctx, st.cp, 0)
	if err != nil {
		return res, err
	}
	if b.cfg.cpuProfileDir != "" && v.Name != variantTuned {
		v.profileTo = filepath.Join(b.cfg.cpuProfileDir, fmt.Sprintf("cpu-%s-%d", v.Name, n))
	}
	start := time.Now()
	mgr, err := b.startManager(ctx, st, v, strconv.Itoa(n))
	if err != nil {
		return res, err
	}
	defer func() { _ = mgr.stop() }()
	res.Converge = st.obs.lastReached().Sub(start)
	res.CPU = m.cpuTime()
	res.CPU["manager"] = processCPU(mgr.pid())
	if v.profileTo != "" {
		mgr.endProfile()
		logln("  %s N=%d: CPU profiles in %s-*.pprof", v.Name, n, v.profileTo)
	}
	if res.Requests, err = m.requests(ctx); err != nil {
		return res, err
	}
	logln("  %s N=%d: converged in %s, manager CPU %s (%s per Role)", v.Name, n, res.Converge.Round(time.Millisecond),
		res.CPU["manager"], perRoleMillis(res))
	if err := verifyConfigMaps(ctx, st.cp.admin, benchNamespace, st.want); err != nil {
		return res, err
	}
	if res.Writes, err = m.writesSettled(ctx, 5*time.Second); err != nil {
		return res, err
	}

	if b.cfg.steady > 0 {
		if err := b.steady(ctx, st, &res); err != nil {
			return res, err
		}
	}
	if !b.cfg.noEdit {
		if err := b.edit(ctx, st, mgr.exited, &res); err != nil {
			return res, err
		}
	}
	res.Memory = mgr.memory(ctx)
	if res.Reconciles, err = mgr.reconciles(ctx); err != nil {
		return res, err
	}
	logln("  %s N=%d: peak RSS %.0f MiB, peak heap %.0f MiB", v.Name, n, res.Memory.PeakRSS/mib, res.Memory.PeakHeap/mib)
	return res, nil
}

const mib = 1 << 20

// steady counts the writes in a window in which nothing changes.
func (b *bench) steady(ctx context.Context, st *stage, res *coldResult) error {
	m, err := startMeter(ctx, st.cp, 0)
	if err != nil {
		return err
	}
	roleBefore := st.obs.writes()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(b.cfg.steady):
	}
	res.SteadyWindow = b.cfg.steady
	if res.SteadyWrites, err = m.writesNow(ctx); err != nil {
		return err
	}
	for name, v := range st.obs.writes() {
		res.SteadyRoleWrites += v - roleBefore[name]
	}
	logln("  %s N=%d: %.0f writes in %s of steady state", res.Variant, res.N, operatorWrites(res.SteadyWrites),
		b.cfg.steady)
	return nil
}

// editedSkill is the skill whose display name the edit changes: it is in
// every generated Role, so every Role's rendered matrix changes.
func editSkillName(m *v1.SkillMatrix) {
	m.Spec.Categories[0].Skills[0].Name += " (renamed)"
}

// edit renames one skill of the SkillMatrix and counts the writes until
// every Role publishes the new content.
func (b *bench) edit(ctx context.Context, st *stage, died <-chan struct{}, res *coldResult) error {
	cmBefore, err := configMapVersions(ctx, st.cp.admin, benchNamespace)
	if err != nil {
		return err
	}
	var current v1.SkillMatrix
	if err := st.cp.admin.Get(ctx, client.ObjectKeyFromObject(st.matrix), &current); err != nil {
		return err
	}
	editSkillName(&current)
	want, err := expectedHashes(&current, st.roles)
	if err != nil {
		return err
	}
	all, err := st.obs.expect(ctx, want)
	if err != nil {
		return err
	}
	m, err := startMeter(ctx, st.cp, 0)
	if err != nil {
		return err
	}
	roleBefore := st.obs.writes()
	start := time.Now()
	if err := st.cp.admin.Update(ctx, &current); err != nil {
		return fmt.Errorf("editing the SkillMatrix: %w", err)
	}
	if err := st.obs.waitAll(ctx, all, died, b.cfg.timeout, res.Variant+" edit"); err != nil {
		return err
	}
	res.EditConverge = st.obs.lastReached().Sub(start)
	if res.EditWrites, err = m.writesSettled(ctx, 5*time.Second); err != nil {
		return err
	}
	cmAfter, err := configMapVersions(ctx, st.cp.admin, benchNamespace)
	if err != nil {
		return err
	}
	res.EditCMChanged = changedVersions(cmBefore, cmAfter)
	res.EditRoleWrites = map[int]int{}
	roleAfter := st.obs.writes()
	for _, r := range st.roles {
		res.EditRoleWrites[roleAfter[r.Name]-roleBefore[r.Name]]++
	}
	logln("  %s N=%d: edit republished in %s with %.0f writes", res.Variant, res.N,
		res.EditConverge.Round(time.Millisecond), operatorWrites(res.EditWrites))
	return nil
}

// waitQuiet waits until the API server has served no write for quiet, and
// returns the write counters at that point.
func waitQuiet(ctx context.Context, cp *controlPlane, quiet, limit time.Duration) (writeCounts, error) {
	deadline := time.Now().Add(limit)
	last, err := cp.apiserverWrites(ctx)
	if err != nil {
		return nil, err
	}
	since := time.Now()
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
		now, err := cp.apiserverWrites(ctx)
		if err != nil {
			return nil, err
		}
		if now.total(operatorResources...) != last.total(operatorResources...) {
			last, since = now, time.Now()
			continue
		}
		if time.Since(since) >= quiet {
			return now, nil
		}
	}
	return last, fmt.Errorf("the API server kept serving writes for %s", limit)
}
