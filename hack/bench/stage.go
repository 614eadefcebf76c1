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
	"time"

	corev1 "k8s.io/api/core/v1"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// stage is where every measurement starts: a fresh control plane with the
// sample SkillMatrix and n generated Roles in one namespace, nothing
// published yet, and an observer that expects every Role Ready with the
// content hash the operator would publish.
type stage struct {
	cp     *controlPlane
	ns     string
	matrix *v1.SkillMatrix
	roles  []*v1.Role
	want   map[string]string
	obs    *observer
	// converged is closed when the observer has seen every Role reach want.
	converged <-chan struct{}
}

// stageSpec says what a measurement needs set up.
type stageSpec struct {
	namespace string
	roles     int
	// governance replaces the sample SkillMatrix's policy when set.
	governance *v1.GovernancePolicy
	// onConfigMap, when set, also makes the observer watch the operator's
	// ConfigMaps and receive each version it sees.
	onConfigMap func(cm *corev1.ConfigMap, at time.Time)
}

// setUp builds a stage. close releases it, also after a failed setUp.
func (b *bench) setUp(ctx context.Context, spec stageSpec) (*stage, error) {
	s := &stage{ns: spec.namespace}
	var err error
	if s.cp, err = startControlPlane(ctx, b.root, b.assets); err != nil {
		return s, err
	}
	if s.matrix, err = b.samples.setupNamespace(ctx, s.cp.admin, spec.namespace, spec.governance); err != nil {
		return s, err
	}
	s.roles = b.samples.newRoles(spec.namespace, s.matrix.Name, spec.roles)
	if err := createRoles(ctx, s.cp.admin, s.roles); err != nil {
		return s, err
	}
	if s.want, err = expectedHashes(s.matrix, s.roles); err != nil {
		return s, err
	}
	if s.obs, err = startObserver(ctx, s.cp.cfg, spec.namespace, spec.onConfigMap); err != nil {
		return s, err
	}
	s.converged, err = s.obs.expect(ctx, s.want)
	return s, err
}

// close stops the observer and the control plane.
func (s *stage) close() {
	if s.obs != nil {
		s.obs.stop()
	}
	if s.cp != nil {
		_ = s.cp.stop()
	}
}

// startManager starts variant v on the stage with its log named after the
// measurement, and waits until every Role has converged to the stage's
// content. The caller stops it.
func (b *bench) startManager(ctx context.Context, s *stage, v variant, measurement string) (*managerProc, error) {
	logPath := filepath.Join(b.logDir, fmt.Sprintf("manager-%s-%s.log", v.Name, measurement))
	mgr, err := startManager(ctx, v, s.cp.kubecf, logPath)
	if err != nil {
		return nil, err
	}
	if err := s.obs.waitAll(ctx, s.converged, mgr.exited, b.cfg.timeout, v.Name+" "+measurement); err != nil {
		_ = mgr.stop()
		return nil, err
	}
	return mgr, nil
}

// meter measures the API server from the moment it is started: the writes
// it serves, its request times, and the CPU time of kube-apiserver, etcd
// and, when given, the manager.
type meter struct {
	cp     *controlPlane
	writes writeCounts
	times  requestTimes
	cpu    *cpuMeter
}

func startMeter(ctx context.Context, cp *controlPlane, managerPID int) (*meter, error) {
	m := &meter{cp: cp}
	var err error
	if m.writes, err = cp.apiserverWrites(ctx); err != nil {
		return nil, err
	}
	if m.times, err = cp.apiserverTimes(ctx); err != nil {
		return nil, err
	}
	m.cpu = newCPUMeter(managerPID)
	return m, nil
}

// cpuTime is the CPU time each measured process used since the start.
func (m *meter) cpuTime() map[string]time.Duration { return m.cpu.since() }

// requests are the API server's mean request times since the start.
func (m *meter) requests(ctx context.Context) (map[string]requestMean, error) {
	now, err := m.cp.apiserverTimes(ctx)
	if err != nil {
		return nil, err
	}
	return now.meanSince(m.times), nil
}

// writesNow are the writes served since the start, up to now.
func (m *meter) writesNow(ctx context.Context) (writeCounts, error) {
	now, err := m.cp.apiserverWrites(ctx)
	if err != nil {
		return nil, err
	}
	return now.diff(m.writes), nil
}

// settleLimit bounds how long writesSettled waits for the writes to stop.
const settleLimit = 2 * time.Minute

// writesSettled waits until the API server has served no operator write for
// quiet (at most settleLimit) and returns the writes served since the start.
func (m *meter) writesSettled(ctx context.Context, quiet time.Duration) (writeCounts, error) {
	settled, err := waitQuiet(ctx, m.cp, quiet, settleLimit)
	if err != nil {
		return nil, err
	}
	return settled.diff(m.writes), nil
}
