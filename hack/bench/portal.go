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
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"

	"github.com/skillmatrix-dev/skillmatrix-operator/hack/internal/managerproc"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/memlimit"
)

// The portal section: the read-only portal (cmd/portal) as a process of its
// own against a control plane holding the sample SkillMatrix and N Roles
// the manager has published, loaded by concurrent clients on loopback.

// portalResult is what the portal section measured.
type portalResult struct {
	Roles, Clients, Requests int
	// Ready is from starting the portal until its readiness probe passed
	// (cache synced).
	Ready time.Duration
	// FirstPass is one load of every Role's matrix.html, each rendered on
	// first use, by Clients clients.
	FirstPass time.Duration
	Routes    []portalRoute
	// PeakRSS is the portal's VmHWM over the whole run; SyncedRSS its VmRSS
	// once the cache had synced, before any request.
	PeakRSS, SyncedRSS float64
	// Env is the portal's environment beyond the harness's (its GOMEMLIMIT).
	Env []string
}

type portalRoute struct {
	Name, Path    string
	P50, P95, P99 time.Duration
	PerSecond     float64
	Errors        int
}

// portal measures the portal on a stage of n Roles published by variant v.
func (b *bench) portal(ctx context.Context, v variant) (*portalResult, error) {
	c := b.cfg
	res := &portalResult{Roles: c.portalRoles, Clients: c.portalClients, Requests: c.portalRequests}
	st, err := b.setUp(ctx, stageSpec{namespace: benchNamespace, roles: c.portalRoles})
	defer st.close()
	if err != nil {
		return nil, err
	}
	mgr, err := b.startManager(ctx, st, v, "portal")
	if err != nil {
		return nil, err
	}
	// The portal is measured alone: the manager has published everything.
	if err := mgr.stop(); err != nil {
		return nil, err
	}
	bin := filepath.Join(b.logDir, "portal")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/portal")
	build.Dir, build.Stdout, build.Stderr = b.root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("building the portal: %w", err)
	}
	env, err := portalMemoryEnv(b.root)
	if err != nil {
		return nil, err
	}
	res.Env = env
	p, base, err := startPortal(ctx, bin, env, st.cp.kubecf, filepath.Join(b.logDir, "portal.log"), c.timeout, res)
	if err != nil {
		return nil, err
	}
	defer func() { _ = p.Stop(10 * time.Second) }()
	res.SyncedRSS, _ = procMemory(p.Pid())

	names := make([]string, 0, len(st.roles))
	for _, r := range st.roles {
		names = append(names, r.Name)
	}
	matrixPath := func(role string) string { return "/ns/" + st.ns + "/roles/" + role + "/matrix.html" }
	started := time.Now()
	if _, errs := load(ctx, base, names, matrixPath, len(names), c.portalClients); errs > 0 {
		return nil, fmt.Errorf("the first pass over every matrix.html failed %d times%s", errs, p.Tail(20))
	}
	res.FirstPass = time.Since(started)
	for _, route := range []struct{ name, pattern string }{
		{"Role page", "/ns/" + st.ns + "/roles/%s/"},
		{"matrix.html", "/ns/" + st.ns + "/roles/%s/matrix.html"},
	} {
		path := func(role string) string { return fmt.Sprintf(route.pattern, role) }
		t := time.Now()
		lat, errs := load(ctx, base, names, path, c.portalRequests, c.portalClients)
		elapsed := time.Since(t)
		slices.Sort(lat)
		res.Routes = append(res.Routes, portalRoute{Name: route.name, Path: fmt.Sprintf(route.pattern, "ROLE"),
			P50: percentile(lat, 0.50), P95: percentile(lat, 0.95), P99: percentile(lat, 0.99),
			PerSecond: float64(len(lat)) / elapsed.Seconds(), Errors: errs})
		logln("  portal %s: p50 %s, p95 %s, %.0f/s, %d errors", route.name, percentile(lat, 0.5), percentile(lat, 0.95),
			float64(len(lat))/elapsed.Seconds(), errs)
	}
	_, res.PeakRSS = procMemory(p.Pid())
	return res, nil
}

// portalMemoryEnv is the soft memory limit the portal sets itself in a Pod
// with the chart's default portal.resources.limits.memory.
func portalMemoryEnv(root string) ([]string, error) {
	data, err := os.ReadFile(filepath.Join(root, "charts", "skillmatrix-operator", "values.yaml"))
	if err != nil {
		return nil, err
	}
	var values struct {
		Portal struct {
			Resources struct {
				Limits map[string]string `json:"limits"`
			} `json:"resources"`
		} `json:"portal"`
	}
	if err := yaml.Unmarshal(data, &values); err != nil {
		return nil, fmt.Errorf("reading the chart's values: %w", err)
	}
	limit, err := resource.ParseQuantity(values.Portal.Resources.Limits["memory"])
	if err != nil {
		return nil, fmt.Errorf("the chart's portal.resources.limits.memory: %w", err)
	}
	return []string{fmt.Sprintf("GOMEMLIMIT=%d", int64(float64(limit.Value())*memlimit.Fraction))}, nil
}

func startPortal(ctx context.Context, bin string, env []string, kubeconfig, logPath string, timeout time.Duration,
	res *portalResult) (*managerproc.Process, string, error) {
	addr, err := managerproc.FreeAddress("127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	probe, err := managerproc.FreeAddress("127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	t := time.Now()
	p, err := managerproc.Start(managerproc.Config{Bin: bin, Args: []string{"--bind-address=" + addr},
		Kubeconfig: kubeconfig, MetricsAddr: "0", ProbeAddr: probe, LogPath: logPath, Env: env})
	if err != nil {
		return nil, "", err
	}
	if err := p.WaitReady(ctx, timeout); err != nil {
		_ = p.Stop(10 * time.Second)
		return nil, "", err
	}
	res.Ready = time.Since(t)
	return p, "http://" + addr, nil
}

// load sends requests GETs over the Roles in turn from clients goroutines,
// as a browser would (gzip accepted), and returns each latency and the
// number of failed requests.
func load(ctx context.Context, base string, roles []string, path func(string) string,
	requests, clients int) ([]time.Duration, int) {
	transport := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: time.Minute}
	var next, errs atomic.Int64
	lat := make([]time.Duration, 0, requests)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= requests || ctx.Err() != nil {
					return
				}
				t := time.Now()
				if err := get(ctx, client, base+path(roles[i%len(roles)])); err != nil {
					errs.Add(1)
					continue
				}
				d := time.Since(t)
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return lat, int(errs.Load())
}

func get(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// procMemory is a process's VmRSS and VmHWM in bytes.
func procMemory(pid int) (rss, peak float64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		switch k {
		case "VmRSS":
			rss = kb * 1024
		case "VmHWM":
			peak = kb * 1024
		}
	}
	return rss, peak
}

func (r *results) writePortal(w writer) {
	p := r.Portal
	if p == nil {
		return
	}
	w("## Portal")
	w("")
	w("The read-only portal (`cmd/portal`, docs/portal.md) as a process of its own against a control plane")
	w("holding the sample SkillMatrix and %d Roles, all published by the shipped manager, which is then", p.Roles)
	w("stopped. %d clients on loopback send %d requests per route, cycling over the Roles, accepting gzip.",
		p.Clients, p.Requests)
	w("The portal became ready (informer cache synced) %s after its start. One first load of every", secs(p.Ready))
	w("Role's matrix.html, each rendered on that first request, took %s.", secs(p.FirstPass))
	w("")
	w("| route | p50 | p95 | p99 | requests/s | errors |")
	w("|---|---|---|---|---|---|")
	for _, rt := range p.Routes {
		w("| %s `%s` | %s | %s | %s | %.0f | %d |", rt.Name, rt.Path, ms(rt.P50), ms(rt.P95), ms(rt.P99),
			rt.PerSecond, rt.Errors)
	}
	w("")
	w("Portal memory: %.0f MiB resident once its cache had synced, %.0f MiB at peak (`VmHWM`, the whole run),",
		p.SyncedRSS/mib, p.PeakRSS/mib)
	w("run with `%s`: the soft limit it sets itself in a Pod with the chart's portal memory limit.",
		strings.Join(p.Env, " "))
	w("")
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
