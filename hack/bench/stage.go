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
	"maps"
	"os"
	"path/filepath"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/validation"
)

var scheme = runtime.NewScheme()

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1.AddToScheme(scheme))
}

// samples are the MLOps Engineer SkillMatrix and Role of config/samples:
// 56 skills x 5 levels, the shape of every generated Role.
type samples struct {
	matrix *v1.SkillMatrix
	role   *v1.Role
}

func loadSamples(root string) (samples, error) {
	s := samples{matrix: &v1.SkillMatrix{}, role: &v1.Role{}}
	for name, into := range map[string]any{"career_v1alpha1_skillmatrix.yaml": s.matrix,
		"career_v1alpha1_role.yaml": s.role} {
		data, err := os.ReadFile(filepath.Join(root, "config", "samples", name))
		if err != nil {
			return s, err
		}
		if err := yaml.UnmarshalStrict(data, into); err != nil {
			return s, fmt.Errorf("%s: %w", name, err)
		}
	}
	return s, nil
}

// newRoles generates n Roles from the sample: its skills, cells and levels,
// their own names and titles.
func (s samples) newRoles(ns, matrix string, n int) []*v1.Role {
	roles := make([]*v1.Role, 0, n)
	for i := range n {
		r := s.role.DeepCopy()
		r.Namespace, r.Name = ns, fmt.Sprintf("mlops-engineer-%04d", i)
		r.Spec.MatrixRef = v1.ObjectName(matrix)
		r.Spec.DisplayName = fmt.Sprintf("MLOps Engineer %d", i)
		roles = append(roles, r)
	}
	return roles
}

// parallel runs fn for every index on workers goroutines and returns the
// first error.
func parallel(n, workers int, fn func(i int) error) error {
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	next := make(chan int)
	for range min(workers, max(n, 1)) {
		wg.Go(func() {
			for i := range next {
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

// atOnce runs fn for every index on a goroutine each, all released at the
// same moment.
func atOnce(n int, fn func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}

// poll calls done every interval until it reports true or fails, at most
// timeout (done is called at least once).
func poll(ctx context.Context, interval, timeout time.Duration, done func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	for {
		if ok, err := done(); ok || err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not within %s", timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(interval):
		}
	}
}

// publish names a section's failure, or records what it measured and
// publishes it.
func (b *bench) publish(section string, err error, record func()) error {
	if err != nil {
		return fmt.Errorf("%s: %w", section, err)
	}
	record()
	return b.checkpoint()
}

// expected is what the operator publishes for one Role.
type expected struct {
	payload publish.Payload
	model   *model.RoleMatrix
	result  validation.Result
}

// expectedFor renders a Role as the Role controller does.
func expectedFor(matrix *v1.SkillMatrix, role *v1.Role) (expected, error) {
	m := model.BuildRole(matrix, role)
	files, err := render.Role(m, render.PublishedOptions(matrix.Spec.Publishing))
	if err != nil {
		return expected{}, fmt.Errorf("rendering Role %s: %w", role.Name, err)
	}
	payload, err := publish.Build(files, publish.MaxConfigMapBytes)
	if err != nil {
		return expected{}, fmt.Errorf("publishing Role %s: %w", role.Name, err)
	}
	return expected{payload: payload, model: m, result: validation.Role(&role.Spec, &matrix.Spec)}, nil
}

// expectedHashes are the content hashes the Roles' status must reach.
func expectedHashes(matrix *v1.SkillMatrix, roles []*v1.Role) (map[string]string, error) {
	out := make(map[string]string, len(roles))
	for _, r := range roles {
		e, err := expectedFor(matrix, r)
		if err != nil {
			return nil, err
		}
		out[r.Name] = e.payload.Hash
	}
	return out, nil
}

// stage is where every measurement starts: a fresh control plane with the
// sample SkillMatrix and n generated Roles in one namespace, nothing
// published yet, and an observer expecting every Role Ready with the
// content hash the operator would publish.
type stage struct {
	cp        *controlPlane
	ns        string
	matrix    *v1.SkillMatrix
	roles     []*v1.Role
	want      map[string]string
	obs       *observer
	converged <-chan struct{}
	// mgr is the manager startManager started on it, if any.
	mgr *managerProc
}

// stageSpec says what a measurement needs set up: governance replaces the
// sample's policy when set; onConfigMap makes the observer watch the
// published ConfigMaps too.
type stageSpec struct {
	namespace   string
	roles       int
	governance  *v1.GovernancePolicy
	onConfigMap func(cm *corev1.ConfigMap, at time.Time)
}

// setUp builds a stage; close releases it, also after a failed setUp.
func (b *bench) setUp(ctx context.Context, spec stageSpec) (*stage, error) {
	s := &stage{ns: spec.namespace}
	var err error
	if s.cp, err = startControlPlane(ctx, b.root, b.assets); err != nil {
		return s, err
	}
	if err := s.cp.Admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: s.ns}}); err != nil {
		return s, err
	}
	s.matrix = b.samples.matrix.DeepCopy()
	s.matrix.Namespace = s.ns
	if spec.governance != nil {
		s.matrix.Spec.Governance = spec.governance
	}
	if err := s.cp.Admin.Create(ctx, s.matrix); err != nil {
		return s, fmt.Errorf("creating the SkillMatrix: %w", err)
	}
	s.roles = b.samples.newRoles(s.ns, s.matrix.Name, spec.roles)
	if err := parallel(len(s.roles), 16, func(i int) error { return s.cp.Admin.Create(ctx, s.roles[i]) }); err != nil {
		return s, fmt.Errorf("creating the Roles: %w", err)
	}
	if s.want, err = expectedHashes(s.matrix, s.roles); err != nil {
		return s, err
	}
	if s.obs, err = startObserver(ctx, s.cp, s.ns, spec.onConfigMap); err != nil {
		return s, err
	}
	s.converged, err = s.obs.expect(ctx, s.want)
	return s, err
}

func (s *stage) close() {
	if s.mgr != nil {
		_ = s.mgr.stop()
	}
	if s.obs != nil {
		s.obs.stop()
	}
	if s.cp != nil {
		_ = s.cp.Stop()
	}
}

// startManager starts variant v on the stage, its log named after the
// measurement, and waits until every Role has converged; close stops it.
func (b *bench) startManager(ctx context.Context, s *stage, v variant, measurement string) (*managerProc, error) {
	logPath := filepath.Join(b.logDir, fmt.Sprintf("manager-%s-%s.log", v.Name, measurement))
	mgr, err := startManager(ctx, v, s.cp.Kubeconfig, logPath)
	if err != nil {
		return nil, err
	}
	s.mgr = mgr
	return mgr, s.obs.waitAll(ctx, s.converged, mgr.Exited(), b.cfg.timeout, v.Name+" "+measurement)
}

// observer watches the Roles of a namespace (and, when asked, their
// ConfigMaps), records when each Role reaches an expected content hash and
// counts each Role's versions. It is the stopwatch of every measurement,
// the operator's and the plain clients' alike, so all pay for the same
// watch.
type observer struct {
	cache  cache.Cache
	cancel context.CancelFunc
	done   chan struct{}

	mu       sync.Mutex
	want     map[string]string
	reached  map[string]time.Time
	all      chan struct{}
	versions map[string]int
}

func startObserver(ctx context.Context, cp *controlPlane, ns string,
	onCM func(cm *corev1.ConfigMap, at time.Time)) (*observer, error) {
	c, err := cache.New(cp.Config, cache.Options{Scheme: scheme, DefaultNamespaces: map[string]cache.Config{ns: {}},
		DefaultTransform: cache.TransformStripManagedFields(),
		ByObject: map[client.Object]cache.ByObject{
			&corev1.ConfigMap{}: {Label: labels.SelectorFromSet(publish.ManagedLabels())},
		}})
	if err != nil {
		return nil, err
	}
	o := &observer{cache: c, done: make(chan struct{}), versions: map[string]int{}}
	roles, err := c.GetInformer(ctx, &v1.Role{})
	if err != nil {
		return nil, err
	}
	if _, err := roles.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { o.role(obj.(*v1.Role), false) },
		UpdateFunc: func(oldObj, newObj any) {
			o.role(newObj.(*v1.Role), oldObj.(*v1.Role).ResourceVersion != newObj.(*v1.Role).ResourceVersion)
		},
	}); err != nil {
		return nil, err
	}
	if onCM != nil {
		cms, err := c.GetInformer(ctx, &corev1.ConfigMap{})
		if err != nil {
			return nil, err
		}
		if _, err := cms.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { onCM(obj.(*corev1.ConfigMap), time.Now()) },
			UpdateFunc: func(_, obj any) { onCM(obj.(*corev1.ConfigMap), time.Now()) },
		}); err != nil {
			return nil, err
		}
	}
	runCtx, cancel := context.WithCancel(ctx)
	o.cancel = cancel
	go func() {
		defer close(o.done)
		_ = c.Start(runCtx)
	}()
	if !c.WaitForCacheSync(ctx) {
		o.stop()
		return nil, fmt.Errorf("the observer's informers did not sync")
	}
	return o, nil
}

func (o *observer) stop() {
	o.cancel()
	<-o.done
}

func (o *observer) role(r *v1.Role, changed bool) {
	now := time.Now()
	o.mu.Lock()
	defer o.mu.Unlock()
	if changed {
		o.versions[r.Name]++
	}
	o.check(r, now)
}

func (o *observer) check(r *v1.Role, now time.Time) {
	want, ok := o.want[r.Name]
	if _, done := o.reached[r.Name]; !ok || done {
		return
	}
	if r.Status.ObservedGeneration == r.Generation && r.Status.ContentHash == want &&
		r.Status.ConfigMapName != "" && meta.IsStatusConditionTrue(r.Status.Conditions, v1.ConditionReady) {
		o.reached[r.Name] = now
		if len(o.reached) == len(o.want) {
			close(o.all)
		}
	}
}

// expect sets the content hash every Role must reach and returns a channel
// closed once all have; Roles already there count at once.
func (o *observer) expect(ctx context.Context, want map[string]string) (<-chan struct{}, error) {
	o.mu.Lock()
	o.want, o.reached, o.all = maps.Clone(want), map[string]time.Time{}, make(chan struct{})
	all := o.all
	if len(want) == 0 {
		close(o.all)
	}
	o.mu.Unlock()
	var roles v1.RoleList
	if err := o.cache.List(ctx, &roles); err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := range roles.Items {
		o.check(&roles.Items[i], time.Now())
	}
	return all, nil
}

// lastReached is when the last Role reached its expected hash.
func (o *observer) lastReached() time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	var last time.Time
	for _, t := range o.reached {
		if t.After(last) {
			last = t
		}
	}
	return last
}

func (o *observer) pending() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.want) - len(o.reached)
}

// roleVersions is a copy of how many versions each Role went through.
func (o *observer) roleVersions() map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return maps.Clone(o.versions)
}

// waitAll waits until every expected Role is there, reporting progress; it
// gives up when died is closed (the manager exited).
func (o *observer) waitAll(ctx context.Context, all, died <-chan struct{}, timeout time.Duration, what string) error {
	return waitChan(ctx, all, died, timeout, func() string {
		return fmt.Sprintf("%s: %d Roles pending", what, o.pending())
	})
}

// waitChan waits until ch is closed, logging progress every 10 seconds; it
// fails after timeout or when died is closed.
func waitChan(ctx context.Context, ch, died <-chan struct{}, timeout time.Duration, progress func() string) error {
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
		case <-died:
			return fmt.Errorf("the manager exited: %s", progress())
		case <-tick.C:
			logln("  %s", progress())
		}
	}
}

// meter measures from its start: the requests kube-apiserver serves and
// the CPU time of kube-apiserver, etcd and, when given, the manager.
type meter struct {
	cp    *controlPlane
	start counters
	cpu   *cpuMeter
}

func startMeter(ctx context.Context, cp *controlPlane, managerPID int) (*meter, error) {
	start, err := cp.counters(ctx)
	if err != nil {
		return nil, err
	}
	return &meter{cp: cp, start: start, cpu: newCPUMeter(managerPID)}, nil
}

func (m *meter) requests(ctx context.Context) (map[string]requestMean, error) {
	now, err := m.cp.counters(ctx)
	if err != nil {
		return nil, err
	}
	return now.meanSince(m.start), nil
}

func (m *meter) writesNow(ctx context.Context) (writeCounts, error) {
	now, err := m.cp.counters(ctx)
	if err != nil {
		return nil, err
	}
	return now.writes.since(m.start.writes), nil
}

// writesSettled waits until kube-apiserver has served no operator write for
// quiet and returns the writes since the start.
func (m *meter) writesSettled(ctx context.Context, quiet time.Duration) (writeCounts, error) {
	settled, err := waitQuiet(ctx, m.cp, quiet, 2*time.Minute)
	if err != nil {
		return nil, err
	}
	return settled.since(m.start.writes), nil
}

// waitQuiet waits until kube-apiserver has served no operator write for
// quiet, at most limit, and returns the write counts then.
func waitQuiet(ctx context.Context, cp *controlPlane, quiet, limit time.Duration) (writeCounts, error) {
	var last writeCounts
	since := time.Now()
	for deadline := since.Add(limit); time.Now().Before(deadline); {
		now, err := cp.counters(ctx)
		if err != nil {
			return nil, err
		}
		if last == nil || now.writes.total(operatorResources...) != last.total(operatorResources...) {
			since = time.Now()
		} else if time.Since(since) >= quiet {
			return now.writes, nil
		}
		last = now.writes
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return last, fmt.Errorf("kube-apiserver kept serving writes for %s", limit)
}
