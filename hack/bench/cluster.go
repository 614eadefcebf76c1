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
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/hack/bench/internal/plane"
	"github.com/skillmatrix-dev/skillmatrix-operator/hack/internal/managerproc"
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

// The people of the governance measurements: alice proposes, bob votes,
// carol reviews, dave casts the deciding votes.
const (
	alice, bob, carol, dave = "alice", "bob", "carol", "dave"
	engineerGroup           = "engineers"
	clusterRoleKind         = "ClusterRole"
)

// controlPlane is a fresh plane with the people of the governance
// measurements and a client for kube-apiserver's own metrics.
type controlPlane struct {
	*plane.Plane
	users   map[string]client.Client
	metrics rest.Interface
}

// startControlPlane starts a control plane that the step's end stops.
func (b *bench) startControlPlane(ctx context.Context) *controlPlane {
	cp := &controlPlane{Plane: must(plane.Start(ctx, b.root, b.assets, scheme)), users: map[string]client.Client{}}
	b.cleanup(func() { _ = cp.Stop() })
	cp.metrics = must(kubernetes.NewForConfig(cp.Config)).Discovery().RESTClient()
	const proposer, voter, reviewer = "skillmatrix-proposer", "skillmatrix-voter", "skillmatrix-reviewer"
	for name, roles := range map[string][]string{alice: {proposer, voter}, bob: {proposer, voter},
		dave: {proposer, voter}, carol: {proposer, voter, reviewer}} {
		cp.users[name] = must(cp.AddUser(ctx, name, []string{engineerGroup}, roles...)).Client
	}
	return cp
}

// as is a client of the admin impersonating user in groups, without a
// rate limit; the transport underneath is client-go's, shared per TLS
// configuration.
func (cp *controlPlane) as(user string, groups ...string) client.Client {
	cfg := rest.CopyConfig(cp.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user, Groups: groups}
	hc := must(rest.HTTPClientFor(cfg))
	return must(client.New(cfg, client.Options{Scheme: scheme, HTTPClient: hc, Mapper: cp.Admin.RESTMapper()}))
}

// bind binds clusterRole to a subject of kind (rbacv1.UserKind or
// GroupKind) in ns, or cluster-wide when ns is empty.
func (cp *controlPlane) bind(ctx context.Context, ns, name, clusterRole, kind, subject string) {
	om := metav1.ObjectMeta{Namespace: ns, Name: name}
	ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: clusterRoleKind, Name: clusterRole}
	subjects := []rbacv1.Subject{{Kind: kind, APIGroup: rbacv1.GroupName, Name: subject}}
	var binding client.Object = &rbacv1.RoleBinding{ObjectMeta: om, RoleRef: ref, Subjects: subjects}
	if ns == "" {
		binding = &rbacv1.ClusterRoleBinding{ObjectMeta: om, RoleRef: ref, Subjects: subjects}
	}
	check(cp.Admin.Create(ctx, binding))
}

// writeCounts are the write requests kube-apiserver served, by
// "VERB resource[/subresource]"; keys with conflictPrefix count those
// refused with 409 Conflict, which the plain keys include.
type writeCounts map[string]float64

const conflictPrefix = "409 "

// operatorResources are what the operator writes (and the harness, in the
// baseline and the edit); the API server's own writes, such as its Lease,
// are left out.
var operatorResources = []string{"configmaps", "roles", "roles/status", "skillmatrices", "skillmatrices/status",
	"proposals", "proposals/status", "events"}

// promotionWrites are the writes of promoting Proposals, which the floor
// makes too: the votes and the operator's Events are left out.
var promotionWrites = []string{"roles", "configmaps", "roles/status", "proposals/status"}

// since is what counters went up by from before, the ones that moved.
func since[M ~map[string]float64](now, before M) M {
	out := M{}
	for k, v := range now {
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// total sums the writes to the resources given, all when none.
func (w writeCounts) total(resources ...string) float64 {
	sum := 0.0
	for k, v := range w {
		_, res, _ := strings.Cut(k, " ")
		if !strings.HasPrefix(k, conflictPrefix) && (len(resources) == 0 || slices.Contains(resources, res)) {
			sum += v
		}
	}
	return sum
}

func (w writeCounts) conflicts() float64 {
	sum := 0.0
	for k, v := range w {
		if strings.HasPrefix(k, conflictPrefix) {
			sum += v
		}
	}
	return sum
}

// requestMean is how many requests of a kind kube-apiserver served and
// their mean duration, admission and storage included.
type requestMean struct {
	Count float64
	Mean  time.Duration
}

// counters are kube-apiserver's own request counters at one moment: every
// write request served, including updates that change nothing (which a
// watch cannot see) and refused ones, and the request durations (sum and
// count by "VERB resource") on the operator's resources.
type counters struct {
	writes     writeCounts
	sum, count map[string]float64
}

func (cp *controlPlane) counters(ctx context.Context) counters {
	raw, err := cp.metrics.Get().AbsPath("/metrics").DoRaw(ctx)
	check(err, "scraping kube-apiserver /metrics")
	c := counters{writes: writeCounts{}, sum: map[string]float64{}, count: map[string]float64{}}
	for _, s := range plane.ParseMetrics(string(raw), "apiserver_request_total") {
		verb := s.Labels["verb"]
		if !slices.Contains([]string{"POST", "PUT", "PATCH", "APPLY", "DELETE"}, verb) || s.Labels["dry_run"] != "" {
			continue
		}
		c.writes[verb+" "+requestResource(s.Labels)] += s.Value
		if s.Labels["code"] == "409" {
			c.writes[conflictPrefix+verb+" "+requestResource(s.Labels)] += s.Value
		}
	}
	for suffix, into := range map[string]map[string]float64{"_sum": c.sum, "_count": c.count} {
		for _, s := range plane.ParseMetrics(string(raw), "apiserver_request_duration_seconds"+suffix) {
			if res := requestResource(s.Labels); slices.Contains(operatorResources, res) && s.Labels["verb"] != "WATCH" {
				into[s.Labels["verb"]+" "+res] += s.Value
			}
		}
	}
	return c
}

func requestResource(l map[string]string) string {
	if sub := l["subresource"]; sub != "" {
		return l["resource"] + "/" + sub
	}
	return l["resource"]
}

// meter measures from its start: the requests kube-apiserver serves and
// the CPU time of kube-apiserver, etcd (envtest's children of this
// process) and, when given, the manager.
type meter struct {
	cp       *controlPlane
	start    counters
	pids     map[string]int
	startCPU map[string]time.Duration
}

func startMeter(ctx context.Context, cp *controlPlane, managerPID int) *meter {
	m := &meter{cp: cp, pids: map[string]int{}, start: cp.counters(ctx)}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if fields, name := procStat(pid); err == nil && len(fields) > 1 && fields[1] == strconv.Itoa(os.Getpid()) &&
			(name == "kube-apiserver" || name == "etcd") {
			m.pids[name] = pid
		}
	}
	if managerPID > 0 {
		m.pids["manager"] = managerPID
	}
	m.startCPU = m.cpu()
	return m
}

func (m *meter) cpu() map[string]time.Duration {
	out := map[string]time.Duration{}
	for name, pid := range m.pids {
		out[name] = processCPU(pid) - m.startCPU[name]
	}
	return out
}

func (m *meter) requests(ctx context.Context) map[string]requestMean {
	now, out := m.cp.counters(ctx), map[string]requestMean{}
	for k, n := range now.count {
		if n -= m.start.count[k]; n > 0 {
			out[k] = requestMean{Count: n, Mean: time.Duration((now.sum[k] - m.start.sum[k]) / n * float64(time.Second))}
		}
	}
	return out
}

// writes are those since the start, once no operator write came for quiet.
func (m *meter) writes(ctx context.Context, quiet time.Duration) writeCounts {
	return since(waitQuiet(ctx, m.cp, quiet, 2*time.Minute), m.start.writes)
}

// waitQuiet waits until kube-apiserver has served no operator write for
// quiet, at most limit, and returns the write counts then.
func waitQuiet(ctx context.Context, cp *controlPlane, quiet, limit time.Duration) writeCounts {
	var last writeCounts
	since := time.Now()
	for deadline := since.Add(limit); time.Now().Before(deadline); {
		now := cp.counters(ctx).writes
		if quiet == 0 {
			return now
		}
		if last == nil || now.total(operatorResources...) != last.total(operatorResources...) {
			since = time.Now()
		} else if time.Since(since) >= quiet {
			return now
		}
		last = now
		sleep(ctx, 500*time.Millisecond)
	}
	panic(failure{fmt.Errorf("kube-apiserver kept serving writes for %s", limit)})
}

// sleep waits for d, failing the step if ctx ends first.
func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
		check(ctx.Err())
	case <-time.After(d):
	}
}

// procStat returns /proc/pid/stat's command name and the fields after it.
func procStat(pid int) (fields []string, name string) {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	s := string(data)
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closing < open {
		return nil, ""
	}
	return strings.Fields(s[closing+1:]), s[open+1 : closing]
}

func processCPU(pid int) time.Duration {
	fields, _ := procStat(pid)
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ on Linux
}

const variantShipped = "shipped"

// variant is one way of running the manager: a binary, its environment and
// extra flags, and what the page says of it (Options).
type variant struct {
	Name    string
	Options string
	Env     []string
	Args    []string `json:",omitempty"`
	bin     string
	// profileTo is the path prefix of the CPU profiles, when taken.
	profileTo string
}

func freeAddresses(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = must(managerproc.FreeAddress("127.0.0.1:0"))
	}
	return out
}

// managerProc is the manager running as a process of its own, with its Go
// heap sampled every 200 ms.
type managerProc struct {
	*managerproc.Process
	mu       sync.Mutex
	peakHeap float64
	// endSampling and endProfiling end sampleHeap and profileCPU (after the
	// profile in progress) and wait for them.
	endSampling, endProfiling func()
}

// startManager starts v on the stage with plain-HTTP metrics on a free
// loopback port, its log named after the measurement, and waits until its
// readiness probe answers and then every Role has converged; the stage
// stops it.
func (b *bench) startManager(ctx context.Context, s *stage, v variant, measurement string) *managerProc {
	addrs := freeAddresses(3)
	args := v.Args
	if v.profileTo != "" {
		args = append(slices.Clone(args), "--pprof-bind-address="+addrs[2])
	}
	m := &managerProc{Process: must(managerproc.Start(managerproc.Config{Bin: v.bin, Args: args,
		Kubeconfig: s.cp.Kubeconfig, MetricsAddr: addrs[0], ProbeAddr: addrs[1], Env: v.Env,
		LogPath: filepath.Join(b.logDir, fmt.Sprintf("manager-%s-%s.log", v.Name, measurement))}))}
	s.mgr = m
	m.endProfiling = background(ctx, func(profiling context.Context) {
		m.profileCPU(ctx, profiling, "http://"+addrs[2], v.profileTo)
	})
	check(m.WaitReady(ctx, time.Minute))
	m.endSampling = background(ctx, m.sampleHeap)
	s.obs.waitAll(ctx, s.converged, m.Exited(), b.cfg.timeout, v.Name+" "+measurement)
	return m
}

func (m *managerProc) sampleHeap(ctx context.Context) {
	for tick := time.Tick(200 * time.Millisecond); ; {
		if heap := m.heap(ctx); heap > 0 {
			m.mu.Lock()
			m.peakHeap = max(m.peakHeap, heap)
			m.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
	}
}

// heap is go_memstats_heap_alloc_bytes: live objects and those not yet collected.
func (m *managerProc) heap(ctx context.Context) float64 {
	text, err := m.scrape(ctx)
	if s := plane.ParseMetrics(text, "go_memstats_heap_alloc_bytes"); err == nil && len(s) > 0 {
		return s[0].Value
	}
	return 0
}

func (m *managerProc) scrape(ctx context.Context) (string, error) {
	// Uncompressed: sampled every 200 ms, gzipping the answer was about 5%
	// of the manager's CPU in a profile of a cold start, work no Prometheus
	// scraping every 30 s would ask of it.
	var body strings.Builder
	err := fetch(ctx, http.DefaultClient, m.MetricsURL(), "identity", 5*time.Second, &body)
	return body.String(), err
}

// memory is the manager's memory in bytes: VmHWM (the most resident memory
// the process ever had) and VmRSS, the highest Go heap sampled and the last.
type memory struct {
	PeakRSS, RSS   float64
	PeakHeap, Heap float64
}

func (m *managerProc) memory(ctx context.Context) memory {
	var out memory
	out.RSS, out.PeakRSS = plane.Memory(m.Pid())
	out.Heap = m.heap(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	out.PeakHeap = max(m.peakHeap, out.Heap)
	return out
}

func (m *managerProc) reconciles(ctx context.Context) map[string]float64 {
	return plane.Reconciles(must(m.scrape(ctx)))
}

// profileChunk is the length of one CPU profile: nobody knows beforehand
// how long convergence takes, so profiles are taken back to back until
// endProfiling, and go tool pprof merges them.
const profileChunk = 5 * time.Second

// profileCPU writes CPU profiles of the manager to prefix-001.pprof, ...
// from its start until profiling ends or the manager exits; the first
// requests wait for the endpoint to listen.
func (m *managerProc) profileCPU(ctx, profiling context.Context, base, prefix string) {
	url := fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", base, int(profileChunk/time.Second))
	for i := 1; prefix != "" && profiling.Err() == nil; {
		select {
		case <-m.Exited():
			return
		default:
		}
		var data bytes.Buffer
		if err := fetch(ctx, http.DefaultClient, url, "", profileChunk+10*time.Second, &data); err != nil {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		path := fmt.Sprintf("%s-%03d.pprof", prefix, i)
		if err := os.WriteFile(path, data.Bytes(), 0o644); err != nil {
			logln("  writing %s: %v", path, err)
			return
		}
		i++
	}
}

// fetch copies the body of url, asking for encoding when set, to w.
func fetch(ctx context.Context, c *http.Client, url, encoding string, timeout time.Duration, w io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if encoding != "" {
		req.Header.Set("Accept-Encoding", encoding)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	_, err = io.Copy(w, resp.Body)
	return err
}

// stop ends the manager with SIGTERM, as the kubelet does, SIGKILL after 20 s.
func (m *managerProc) stop() error {
	m.endProfiling()
	if m.endSampling != nil {
		m.endSampling()
	}
	return m.Stop(20 * time.Second)
}

// background runs fn on a goroutine of its own and returns what cancels
// its context and waits for it to return.
func background(ctx context.Context, fn func(context.Context)) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// parallel runs fn for every index, at most workers at a time, and returns
// the first error.
func parallel(n, workers int, fn func(i int) error) error {
	errs, slots := make([]error, n), make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i := range n {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			errs[i] = fn(i)
		})
	}
	wg.Wait()
	return cmp.Or(errs...)
}

// atOnce runs fn for every index on a goroutine each, all released at once.
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

// waitChan waits until ch is closed, logging progress every 10 seconds; it
// fails after timeout or when died is closed.
func waitChan(ctx context.Context, ch, died <-chan struct{}, timeout time.Duration, progress func() string) {
	deadline := time.After(timeout)
	for tick := time.Tick(10 * time.Second); ; {
		select {
		case <-ch:
			return
		case <-ctx.Done():
			check(ctx.Err())
		case <-deadline:
			check(fmt.Errorf("timed out after %s: %s", timeout, progress()))
		case <-died:
			check(fmt.Errorf("the manager exited: %s", progress()))
		case <-tick:
			logln("  %s", progress())
		}
	}
}

// samples are the MLOps Engineer SkillMatrix and Role of config/samples:
// 56 skills x 5 levels, the shape of every generated Role.
type samples struct {
	matrix *v1.SkillMatrix
	role   *v1.Role
}

func loadSamples(root string) samples {
	s := samples{matrix: &v1.SkillMatrix{}, role: &v1.Role{}}
	for name, into := range map[string]any{"career_v1alpha1_skillmatrix.yaml": s.matrix,
		"career_v1alpha1_role.yaml": s.role} {
		check(yaml.UnmarshalStrict(must(os.ReadFile(filepath.Join(root, "config", "samples", name))), into), name)
	}
	return s
}

// newRoles generates n Roles from the sample, with their own names and titles.
func (s samples) newRoles(ns, matrix string, n int) []*v1.Role {
	roles := make([]*v1.Role, 0, n)
	for i := range n {
		r := s.role.DeepCopy()
		r.Namespace, r.Name = ns, fmt.Sprintf("mlops-engineer-%04d", i)
		r.Spec.MatrixRef, r.Spec.DisplayName = v1.ObjectName(matrix), fmt.Sprintf("MLOps Engineer %d", i)
		roles = append(roles, r)
	}
	return roles
}

type expected struct {
	payload publish.Payload
	model   *model.RoleMatrix
	result  validation.Result
}

// expectedFor renders a Role as the Role controller does.
func expectedFor(matrix *v1.SkillMatrix, role *v1.Role) expected {
	m := model.BuildRole(matrix, role)
	files := must(render.Role(m, render.PublishedOptions(matrix.Spec.Publishing)))
	payload, err := publish.Build(files, publish.MaxConfigMapBytes)
	check(err, "publishing Role", role.Name)
	return expected{payload: payload, model: m, result: validation.Role(&role.Spec, &matrix.Spec)}
}

func expectedHashes(matrix *v1.SkillMatrix, roles []*v1.Role) map[string]string {
	out := make(map[string]string, len(roles))
	for _, r := range roles {
		out[r.Name] = expectedFor(matrix, r).payload.Hash
	}
	return out
}

// stage is where every measurement starts: a fresh control plane with the
// sample SkillMatrix and n generated Roles in one namespace, nothing
// published yet, and an observer expecting every Role Ready with the
// content hash the operator would publish. The step's end releases it.
type stage struct {
	cp        *controlPlane
	ns        string
	matrix    *v1.SkillMatrix
	roles     []*v1.Role
	want      map[string]string
	obs       *observer
	converged <-chan struct{}
	mgr       *managerProc
}

// stageSpec says what a measurement needs: governance replaces the sample's
// policy when set; onConfigMap has the observer watch the ConfigMaps too.
type stageSpec struct {
	namespace   string
	roles       int
	governance  *v1.GovernancePolicy
	onConfigMap func(cm *corev1.ConfigMap, at time.Time)
}

func (b *bench) setUp(ctx context.Context, spec stageSpec) *stage {
	s := &stage{ns: spec.namespace, matrix: b.samples.matrix.DeepCopy(), cp: b.startControlPlane(ctx)}
	b.cleanup(func() {
		if s.mgr != nil {
			_ = s.mgr.stop()
		}
	})
	check(s.cp.Admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: s.ns}}))
	s.matrix.Namespace = s.ns
	if spec.governance != nil {
		s.matrix.Spec.Governance = spec.governance
	}
	check(s.cp.Admin.Create(ctx, s.matrix), "creating the SkillMatrix")
	s.roles = b.samples.newRoles(s.ns, s.matrix.Name, spec.roles)
	check(parallel(len(s.roles), 16, func(i int) error { return s.cp.Admin.Create(ctx, s.roles[i]) }),
		"creating the Roles")
	s.want = expectedHashes(s.matrix, s.roles)
	s.obs = b.startObserver(ctx, s.cp, s.ns, spec.onConfigMap)
	s.converged = s.obs.expect(s.want)
	return s
}

// observer watches the Roles of a namespace (and, when asked, their
// ConfigMaps), records when each Role reaches an expected content hash and
// counts each Role's versions. It is the stopwatch of every measurement,
// the operator's and the plain clients' alike, so all pay for the same
// watch.
type observer struct {
	mu       sync.Mutex
	latest   map[string]*v1.Role
	versions map[string]int
	want     map[string]string
	reached  map[string]time.Time
	all      chan struct{}
}

func (b *bench) startObserver(ctx context.Context, cp *controlPlane, ns string,
	onCM func(cm *corev1.ConfigMap, at time.Time)) *observer {
	c := must(cache.New(cp.Config, cache.Options{Scheme: scheme, DefaultNamespaces: map[string]cache.Config{ns: {}},
		DefaultTransform: cache.TransformStripManagedFields(),
		ByObject: map[client.Object]cache.ByObject{
			&corev1.ConfigMap{}: {Label: labels.SelectorFromSet(publish.ManagedLabels())},
		}}))
	o := &observer{latest: map[string]*v1.Role{}, versions: map[string]int{}}
	handlers := map[client.Object]func(obj any, changed bool){
		&v1.Role{}: func(obj any, changed bool) { o.role(obj.(*v1.Role), changed) },
	}
	if onCM != nil {
		handlers[&corev1.ConfigMap{}] = func(obj any, _ bool) { onCM(obj.(*corev1.ConfigMap), time.Now()) }
	}
	for kind, handle := range handlers {
		must(must(c.GetInformer(ctx, kind)).AddEventHandler(toolscache.ResourceEventHandlerFuncs{
			AddFunc: func(obj any) { handle(obj, false) },
			UpdateFunc: func(oldObj, newObj any) {
				handle(newObj, oldObj.(client.Object).GetResourceVersion() != newObj.(client.Object).GetResourceVersion())
			},
		}))
	}
	b.cleanup(background(ctx, func(ctx context.Context) { _ = c.Start(ctx) }))
	if !c.WaitForCacheSync(ctx) {
		check(errors.New("the observer's informers did not sync"))
	}
	return o
}

func (o *observer) role(r *v1.Role, changed bool) {
	now := time.Now()
	o.mu.Lock()
	defer o.mu.Unlock()
	if changed {
		o.versions[r.Name]++
	}
	o.latest[r.Name] = r
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
func (o *observer) expect(want map[string]string) <-chan struct{} {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.want, o.reached, o.all = maps.Clone(want), map[string]time.Time{}, make(chan struct{})
	all := o.all
	if len(want) == 0 {
		close(o.all)
	}
	for _, r := range o.latest {
		o.check(r, time.Now())
	}
	return all
}

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

func (o *observer) roleVersions() map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return maps.Clone(o.versions)
}

func (o *observer) waitAll(ctx context.Context, all, died <-chan struct{}, timeout time.Duration, what string) {
	waitChan(ctx, all, died, timeout, func() string {
		o.mu.Lock()
		defer o.mu.Unlock()
		return fmt.Sprintf("%s: %d Roles pending", what, len(o.want)-len(o.reached))
	})
}
