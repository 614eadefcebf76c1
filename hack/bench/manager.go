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

	"github.com/skillmatrix-dev/skillmatrix-operator/hack/internal/managerproc"
)

// The built-in variants.
const (
	variantShipped = "shipped"
	variantTuned   = "tuned"
)

// variant is one way of running the manager that the harness measures.
type variant struct {
	// Name is "shipped" (the binary built from ./cmd with its default
	// flags) or "tuned" (this harness re-executed in manager mode with the
	// options under evaluation).
	Name string
	// Options describes the variant for the report.
	Options string
	// Env is added to the process's environment.
	Env  []string
	bin  string
	args []string
	// profileTo, when set, is the path prefix of CPU profiles taken from
	// the manager's pprof endpoint from its start (see profileCPU).
	profileTo string
}

// managerProc is the manager running as a process of its own against the
// control plane, as it runs in a cluster, with its heap sampled.
type managerProc struct {
	*managerproc.Process
	exited <-chan struct{}

	mu        sync.Mutex
	peakHeap  float64
	stopWatch context.CancelFunc
	sampled   chan struct{}

	// profiling is closed when profileCPU has written its last profile;
	// stopProfiling asks it to end after the profile in progress.
	profiling     chan struct{}
	stopProfiling chan struct{}
	profileOnce   sync.Once
}

// startManager starts v against kubeconfig with plain-HTTP metrics on a
// free loopback port and waits until its readiness probe answers.
func startManager(ctx context.Context, v variant, kubeconfig, logPath string) (*managerProc, error) {
	metricsAddr, err := managerproc.FreeAddress("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	probeAddr, err := managerproc.FreeAddress("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	args, pprofAddr := v.args, ""
	if v.profileTo != "" {
		if pprofAddr, err = managerproc.FreeAddress("127.0.0.1:0"); err != nil {
			return nil, err
		}
		args = append(slices.Clone(args), "--pprof-bind-address="+pprofAddr)
	}
	p, err := managerproc.Start(managerproc.Config{Bin: v.bin, Args: args, Kubeconfig: kubeconfig,
		MetricsAddr: metricsAddr, ProbeAddr: probeAddr, Env: v.Env, LogPath: logPath})
	if err != nil {
		return nil, err
	}
	m := &managerProc{Process: p, exited: p.Exited(), sampled: make(chan struct{}),
		profiling: make(chan struct{}), stopProfiling: make(chan struct{})}
	if v.profileTo != "" {
		go m.profileCPU(ctx, "http://"+pprofAddr, v.profileTo)
	} else {
		close(m.profiling)
	}
	if err := p.WaitReady(ctx, time.Minute); err != nil {
		_ = m.stop()
		return nil, err
	}
	sampleCtx, cancel := context.WithCancel(ctx)
	m.stopWatch = cancel
	go m.sampleHeap(sampleCtx)
	return m, nil
}

func (m *managerProc) pid() int { return m.Pid() }

// sampleHeap keeps the highest go_memstats_heap_alloc_bytes seen, every
// 200ms: the Go heap in use by live and not yet collected objects.
func (m *managerProc) sampleHeap(ctx context.Context) {
	defer close(m.sampled)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		if text, err := m.scrape(ctx); err == nil {
			if s := parseMetrics(text, "go_memstats_heap_alloc_bytes"); len(s) > 0 {
				m.mu.Lock()
				m.peakHeap = max(m.peakHeap, s[0].value)
				m.mu.Unlock()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (m *managerProc) scrape(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.MetricsURL(), nil)
	if err != nil {
		return "", err
	}
	// Uncompressed: sampled every 200 ms, gzipping the answer was about 5%
	// of the manager's CPU in a profile of a cold start, work no Prometheus
	// scraping every 30 s would ask of it.
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	return string(body), err
}

// memory is the manager's memory at one moment.
type memory struct {
	// PeakRSS is VmHWM: the most resident memory the process ever had.
	PeakRSS float64
	// RSS is VmRSS now.
	RSS float64
	// PeakHeap is the highest Go heap (heap_alloc) sampled.
	PeakHeap float64
	// Heap is the Go heap now.
	Heap float64
}

func (m *managerProc) memory(ctx context.Context) memory {
	var out memory
	if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", m.pid())); err == nil {
		for line := range strings.SplitSeq(string(data), "\n") {
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			switch k {
			case "VmHWM":
				out.PeakRSS = kb * 1024
			case "VmRSS":
				out.RSS = kb * 1024
			}
		}
	}
	if text, err := m.scrape(ctx); err == nil {
		if s := parseMetrics(text, "go_memstats_heap_alloc_bytes"); len(s) > 0 {
			out.Heap = s[0].value
		}
	}
	m.mu.Lock()
	out.PeakHeap = max(m.peakHeap, out.Heap)
	m.mu.Unlock()
	return out
}

// reconciles returns controller_runtime_reconcile_total summed over
// results, by controller.
func (m *managerProc) reconciles(ctx context.Context) (map[string]float64, error) {
	text, err := m.scrape(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, s := range parseMetrics(text, "controller_runtime_reconcile_total") {
		out[s.labels["controller"]] += s.value
	}
	return out, nil
}

// profileChunk is the length of one CPU profile: profiles are taken back to
// back until endProfile, since nobody knows beforehand how long convergence
// takes, and `go tool pprof` merges them.
const profileChunk = 5 * time.Second

// profileCPU writes CPU profiles of the manager to prefix-001.pprof,
// prefix-002.pprof, ... from its start until endProfile or its exit. The
// first request waits for the pprof endpoint to listen; the few
// milliseconds between two profiles go unsampled.
func (m *managerProc) profileCPU(ctx context.Context, base, prefix string) {
	defer close(m.profiling)
	url := fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", base, int(profileChunk/time.Second))
	for i := 1; ; {
		select {
		case <-ctx.Done():
			return
		case <-m.exited:
			return
		case <-m.stopProfiling:
			return
		default:
		}
		data, err := fetch(ctx, url, profileChunk+10*time.Second)
		if err != nil {
			// Not listening yet, or the process is going away.
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
	m.profileOnce.Do(func() { close(m.stopProfiling) })
	<-m.profiling
}

func fetch(ctx context.Context, url string, timeout time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
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
	m.profileOnce.Do(func() { close(m.stopProfiling) })
	if m.stopWatch != nil {
		m.stopWatch()
		<-m.sampled
	}
	return m.Stop(20 * time.Second)
}
