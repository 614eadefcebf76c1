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
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/skillmatrix-dev/skillmatrix-operator/hack/bench/internal/plane"
	"github.com/skillmatrix-dev/skillmatrix-operator/hack/internal/managerproc"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// The people of the governance measurements: alice proposes, bob votes,
// carol reviews, dave casts the deciding votes.
const (
	alice, bob, carol, dave = "alice", "bob", "carol", "dave"
	engineerGroup           = "engineers"
)

// engineerGroups is what their ballots record (the API server adds
// system:authenticated).
var engineerGroups = testenv.AuthenticatedGroups(engineerGroup)

// controlPlane is a fresh plane with the people of the governance
// measurements and a client for kube-apiserver's own metrics.
type controlPlane struct {
	*plane.Plane
	users   map[string]client.Client
	metrics rest.Interface
}

func startControlPlane(ctx context.Context, root, assets string) (*controlPlane, error) {
	p, err := plane.Start(ctx, root, assets, scheme)
	if err != nil {
		return nil, err
	}
	cp := &controlPlane{Plane: p, users: map[string]client.Client{}}
	cs, err := kubernetes.NewForConfig(p.Config)
	if err != nil {
		_ = p.Stop()
		return nil, err
	}
	cp.metrics = cs.Discovery().RESTClient()
	const proposer, voter, reviewer = "skillmatrix-proposer", "skillmatrix-voter", "skillmatrix-reviewer"
	for name, roles := range map[string][]string{alice: {proposer, voter}, bob: {proposer, voter},
		dave: {proposer, voter}, carol: {proposer, voter, reviewer}} {
		u, err := p.AddUser(ctx, name, []string{engineerGroup}, roles...)
		if err != nil {
			_ = p.Stop()
			return nil, err
		}
		cp.users[name] = u.Client
	}
	return cp, nil
}

// as is a client of the admin impersonating user in groups, without a
// rate limit; the transport underneath is client-go's, shared per TLS
// configuration.
func (cp *controlPlane) as(user string, groups ...string) (client.Client, error) {
	cfg := rest.CopyConfig(cp.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user, Groups: groups}
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	return client.New(cfg, client.Options{Scheme: scheme, HTTPClient: hc, Mapper: cp.Admin.RESTMapper()})
}

// bind binds clusterRole to subject in ns, or cluster-wide when ns is empty.
func bind(ctx context.Context, c client.Client, ns, name, clusterRole string, subject rbacv1.Subject) error {
	ref := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: clusterRoleKind, Name: clusterRole}
	if ns == "" {
		return c.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, RoleRef: ref,
			Subjects: []rbacv1.Subject{subject}})
	}
	return c.Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, RoleRef: ref,
		Subjects: []rbacv1.Subject{subject}})
}

func group(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: name}
}

func user(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}
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

// counters are kube-apiserver's own request counters at one moment: every
// write request served, including updates that change nothing (which a
// watch cannot see) and refused ones, and the request durations (sum and
// count by "VERB resource") on the operator's resources.
type counters struct {
	writes     writeCounts
	sum, count map[string]float64
}

func (cp *controlPlane) counters(ctx context.Context) (counters, error) {
	raw, err := cp.metrics.Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		return counters{}, fmt.Errorf("scraping kube-apiserver /metrics: %w", err)
	}
	c := counters{writes: writeCounts{}, sum: map[string]float64{}, count: map[string]float64{}}
	for _, s := range plane.ParseMetrics(string(raw), "apiserver_request_total") {
		if !slices.Contains([]string{"POST", "PUT", "PATCH", "APPLY", "DELETE"}, s.Labels["verb"]) ||
			s.Labels["dry_run"] != "" {
			continue
		}
		key := s.Labels["verb"] + " " + requestResource(s.Labels)
		c.writes[key] += s.Value
		if s.Labels["code"] == "409" {
			c.writes[conflictPrefix+key] += s.Value
		}
	}
	for suffix, into := range map[string]map[string]float64{"_sum": c.sum, "_count": c.count} {
		for _, s := range plane.ParseMetrics(string(raw), "apiserver_request_duration_seconds"+suffix) {
			if res := requestResource(s.Labels); slices.Contains(operatorResources, res) && s.Labels["verb"] != "WATCH" {
				into[s.Labels["verb"]+" "+res] += s.Value
			}
		}
	}
	return c, nil
}

func requestResource(labels map[string]string) string {
	if sub := labels["subresource"]; sub != "" {
		return labels["resource"] + "/" + sub
	}
	return labels["resource"]
}

// since returns w minus before, without zeroes.
func (w writeCounts) since(before writeCounts) writeCounts {
	out := writeCounts{}
	for k, v := range w {
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// total sums the writes to the resources given (all when none).
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

func (c counters) meanSince(before counters) map[string]requestMean {
	out := map[string]requestMean{}
	for k, n := range c.count {
		if n -= before.count[k]; n > 0 {
			out[k] = requestMean{Count: n, Mean: time.Duration((c.sum[k] - before.sum[k]) / n * float64(time.Second))}
		}
	}
	return out
}

// processCPU is the CPU time (user+system) of the process pid.
func processCPU(pid int) time.Duration {
	fields, _ := procStat(pid)
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticks
}

// procStat returns the fields of /proc/pid/stat after the command name
// (which may hold spaces), and that name.
func procStat(pid int) (fields []string, name string) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, ""
	}
	s := string(data)
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closing < open {
		return nil, ""
	}
	return strings.Fields(s[closing+1:]), s[open+1 : closing]
}

// cpuMeter measures the CPU time kube-apiserver, etcd (envtest's children of
// this process) and the manager spend over an interval.
type cpuMeter struct {
	pids  map[string]int
	start map[string]time.Duration
}

func newCPUMeter(managerPID int) *cpuMeter {
	m := &cpuMeter{pids: map[string]int{}, start: map[string]time.Duration{}}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		fields, name := procStat(pid)
		if len(fields) > 1 && fields[1] == strconv.Itoa(os.Getpid()) && (name == "kube-apiserver" || name == "etcd") {
			m.pids[name] = pid
		}
	}
	if managerPID > 0 {
		m.pids["manager"] = managerPID
	}
	for name, pid := range m.pids {
		m.start[name] = processCPU(pid)
	}
	return m
}

func (m *cpuMeter) since() map[string]time.Duration {
	out := map[string]time.Duration{}
	for name, pid := range m.pids {
		out[name] = processCPU(pid) - m.start[name]
	}
	return out
}

const variantShipped = "shipped"

// variant is one way of running the manager: a binary, its environment and
// extra flags.
type variant struct {
	Name string
	// Options describes the variant on the page.
	Options string
	Env     []string
	Args    []string `json:",omitempty"`
	bin     string
	// profileTo, when set, is the path prefix of the CPU profiles taken
	// from the manager's start (profileCPU).
	profileTo string
}

// freeAddresses are n free loopback addresses.
func freeAddresses(n int) ([]string, error) {
	out := make([]string, n)
	for i := range out {
		var err error
		if out[i], err = managerproc.FreeAddress("127.0.0.1:0"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// managerProc is the manager running as a process of its own, with its Go
// heap sampled every 200 ms.
type managerProc struct {
	*managerproc.Process

	mu       sync.Mutex
	peakHeap float64
	stopHeap context.CancelFunc
	sampled  chan struct{}

	// profiled is closed when profileCPU has written its last profile;
	// closing endProfiling asks it to end after the profile in progress.
	profiled, endProfiling chan struct{}
	endOnce                sync.Once
}

// startManager starts v with plain-HTTP metrics on a free loopback port
// and waits until its readiness probe answers.
func startManager(ctx context.Context, v variant, kubeconfig, logPath string) (*managerProc, error) {
	addrs, err := freeAddresses(3)
	if err != nil {
		return nil, err
	}
	args := v.Args
	if v.profileTo != "" {
		args = append(slices.Clone(args), "--pprof-bind-address="+addrs[2])
	}
	p, err := managerproc.Start(managerproc.Config{Bin: v.bin, Args: args, Kubeconfig: kubeconfig,
		MetricsAddr: addrs[0], ProbeAddr: addrs[1], Env: v.Env, LogPath: logPath})
	if err != nil {
		return nil, err
	}
	m := &managerProc{Process: p, sampled: make(chan struct{}), profiled: make(chan struct{}),
		endProfiling: make(chan struct{})}
	if v.profileTo != "" {
		go m.profileCPU(ctx, "http://"+addrs[2], v.profileTo)
	} else {
		close(m.profiled)
	}
	if err := p.WaitReady(ctx, time.Minute); err != nil {
		_ = m.stop()
		return nil, err
	}
	sampleCtx, cancel := context.WithCancel(ctx)
	m.stopHeap = cancel
	go m.sampleHeap(sampleCtx)
	return m, nil
}

func (m *managerProc) sampleHeap(ctx context.Context) {
	defer close(m.sampled)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		if heap := m.heap(ctx); heap > 0 {
			m.mu.Lock()
			m.peakHeap = max(m.peakHeap, heap)
			m.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// heap is go_memstats_heap_alloc_bytes now: live objects and those not yet
// collected.
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
	body, err := fetch(ctx, m.MetricsURL(), 5*time.Second, "identity")
	return string(body), err
}

// memory is the manager's memory, in bytes.
type memory struct {
	// PeakRSS is VmHWM, the most resident memory the process ever had.
	PeakRSS, RSS float64
	// PeakHeap is the highest Go heap sampled.
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

func (m *managerProc) reconciles(ctx context.Context) (map[string]float64, error) {
	text, err := m.scrape(ctx)
	if err != nil {
		return nil, err
	}
	return plane.Reconciles(text), nil
}

// profileChunk is the length of one CPU profile: nobody knows beforehand
// how long convergence takes, so profiles are taken back to back until
// endProfile, and go tool pprof merges them.
const profileChunk = 5 * time.Second

// profileCPU writes CPU profiles of the manager to prefix-001.pprof, ...
// from its start until endProfile or its exit; the first requests wait for
// the endpoint to listen.
func (m *managerProc) profileCPU(ctx context.Context, base, prefix string) {
	defer close(m.profiled)
	url := fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", base, int(profileChunk/time.Second))
	for i := 1; ctx.Err() == nil; {
		select {
		case <-m.Exited():
			return
		case <-m.endProfiling:
			return
		default:
		}
		data, err := fetch(ctx, url, profileChunk+10*time.Second, "")
		if err != nil {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		path := fmt.Sprintf("%s-%03d.pprof", prefix, i)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			logln("  writing %s: %v", path, err)
			return
		}
		i++
	}
}

// endProfile lets the profile in progress finish, then stops profiling.
func (m *managerProc) endProfile() {
	m.endOnce.Do(func() { close(m.endProfiling) })
	<-m.profiled
}

func fetch(ctx context.Context, url string, timeout time.Duration, encoding string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	if encoding != "" {
		req.Header.Set("Accept-Encoding", encoding)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// stop ends the manager with SIGTERM, as the kubelet does, and SIGKILL
// after 20 seconds.
func (m *managerProc) stop() error {
	m.endOnce.Do(func() { close(m.endProfiling) })
	if m.stopHeap != nil {
		m.stopHeap()
		<-m.sampled
	}
	return m.Stop(20 * time.Second)
}
