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
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

func (r *results) writeMethod(w writer) {
	w("## Method")
	w("")
	w("- **Control plane.** Each measurement starts a fresh envtest kube-apiserver and etcd (the binaries")
	w("  `hack/envtest-assets.sh` provides), installs the CRDs, the admission policy and user ClusterRoles")
	w("  (`internal/testenv.InstallAdmission`) and the operator's generated ClusterRole `manager-role`.")
	w("- **Manager.** The manager runs as a process of its own against a kubeconfig for a user bound to")
	w("  `manager-role` only, as in a cluster, with plain-HTTP metrics on loopback. *shipped* is")
	w("  `go build ./cmd` with its default flags; *tuned* is the harness re-executed in manager mode")
	w("  (`hack/bench/managermode.go`: cmd/main.go plus the options under evaluation).")
	w("- **Workload.** One SkillMatrix and N Roles generated from `config/samples` (the MLOps Engineer:")
	w("  56 skills x 5 levels, 280 cells, about 23 KB of YAML each), created before the manager starts.")
	w("- **Stopwatch.** An observer in the harness watches the Roles (an informer) and stops the clock")
	w("  when the last Role is Ready, at its current generation, with `status.contentHash` equal to the")
	w("  hash the harness computes itself by rendering the Role with `internal/model`, `internal/render`")
	w("  and `internal/publish`; a final List checks that every ConfigMap carries that hash. The")
	w("  operator writes the ConfigMap before the status, so a Ready Role implies a published ConfigMap.")
	w("- **Cold convergence** runs from starting the manager process (so it includes start-up, the")
	w("  initial List of every Role and cache sync) until the last Role is Ready.")
	w("- **Baseline.** On a fresh control plane with the same SkillMatrix and Roles, a plain client with")
	w("  no rate limit and %d concurrent writers sends exactly the writes the operator must make: per Role",
		r.BaselineWorkers)
	w("  the ConfigMap it publishes (same data, labels, annotations, owner reference, rendered before the")
	w("  clock starts) and the status patch (same conditions and summary), then the catalog ConfigMap and")
	w("  the SkillMatrix status. The same observer stops the same clock. The ratio is operator/baseline.")
	w("- **Writes** are counted from kube-apiserver's own `apiserver_request_total` (scraped from its")
	w("  `/metrics` through the admin's REST client), summing POST, PUT, PATCH, APPLY and DELETE on the")
	w("  resources the operator writes: ConfigMaps, Roles and their status, SkillMatrix status, Proposal")
	w("  status and Events. The API server counts every request, including updates that change nothing")
	w("  (which a watch cannot see: they keep the resourceVersion) and requests refused with a conflict.")
	w("  Per-object attribution comes from the observer (resourceVersion changes of each Role) and from")
	w("  each ConfigMap's resourceVersion before and after.")
	w("- **Steady state**: once the API server has served no write for 5 s after convergence, the writes")
	w("  in the next %s. **One SkillMatrix edit**: the display name of one skill that every Role", r.Steady)
	w("  uses is changed, so every Role's rendered matrix changes; the observer waits for every Role")
	w("  to reach the newly expected hash, then for 5 s without writes, and the writes are counted")
	w("  (the harness's own SkillMatrix update is the one `PUT skillmatrices`).")
	w("- **Governance latency**: %d Roles, %d Proposals (each setting a different cell, with `from`),",
		r.GovRoles, r.GovProposals)
	w("  created by alice, each with one approving vote (bob) and one expert approval (carol), so one")
	w("  more vote decides it (policy: 2 votes, 66%%, 1 review). Once all are Open with that tally and")
	w("  the API server is quiet, dave casts the deciding vote on all of them at once (one goroutine")
	w("  each, a JSON patch appending his vote, as real users through admission). Latency is from")
	w("  sending each vote to the first version of its Role's ConfigMap, seen by a ConfigMap informer,")
	w("  whose `matrix.json` lists the Proposal's uid in its changelog.")
	w("- **Memory**: the manager's peak resident set (`VmHWM` from `/proc/<pid>/status`, the whole")
	w("  process) and its peak Go heap (`go_memstats_heap_alloc_bytes` from its metrics endpoint, sampled")
	w("  every 200 ms), over the whole run at each N: cold start, steady state and the edit.")
	w("- **CPU**: user+system time of kube-apiserver, etcd and the manager from `/proc/<pid>/stat`")
	w("  during convergence.")
	w("")
}

func (r *results) writeCold(w writer) {
	w("## Cold convergence")
	w("")
	names := r.variantNames()
	header := cellsOf(2+2*len(names), "N", "baseline")
	for _, v := range names {
		header = append(header, v, "ratio")
	}
	w("%s", tableRow(header...))
	w("%s", tableRow(slices.Repeat([]string{"---"}, len(header))...))
	for _, n := range r.Sizes {
		base := r.baselineAt(n)
		cells := cellsOf(2+2*len(names), fmt.Sprint(n), secs(base.Converge))
		for _, v := range names {
			c := r.coldAt(n, v)
			cells = append(cells, secs(c.Converge), fmt.Sprintf("%.2f", ratio(c, base)))
		}
		w("%s", tableRow(cells...))
	}
	w("")
	w("Writes and CPU time during convergence (operator: from the manager start until the API server")
	w("was quiet again, so trailing catalog updates and Events are included):")
	w("")
	w("| N | who | writes | by request | CPU kube-apiserver | CPU etcd | CPU manager |")
	w("|---|---|---|---|---|---|---|")
	for _, n := range r.Sizes {
		base := r.baselineAt(n)
		w("| %d | baseline | %.0f | %s | %s | %s | - |", n, operatorWrites(base.Writes),
			formatWrites(base.Writes, operatorResources...), secs(base.CPU["kube-apiserver"]), secs(base.CPU["etcd"]))
		for _, v := range r.variantNames() {
			c := r.coldAt(n, v)
			w("| %d | %s | %.0f | %s | %s | %s | %s |", n, v, operatorWrites(c.Writes),
				formatWrites(c.Writes, operatorResources...), secs(c.CPU["kube-apiserver"]), secs(c.CPU["etcd"]),
				secs(c.CPU["manager"]))
		}
	}
	w("")
	w("Mean time kube-apiserver took per request during convergence (count x mean), by request kind:")
	w("")
	w("| N | who | requests |")
	w("|---|---|---|")
	for _, n := range r.Sizes {
		base := r.baselineAt(n)
		w("| %d | baseline | %s |", n, formatRequests(base.Requests))
		for _, v := range r.variantNames() {
			c := r.coldAt(n, v)
			w("| %d | %s | %s |", n, v, formatRequests(c.Requests))
		}
	}
	w("")
	w("Reconciles over the whole run at each N (`controller_runtime_reconcile_total`):")
	w("")
	w("| N | variant | role | skillmatrix | proposal |")
	w("|---|---|---|---|---|")
	for _, c := range r.Cold {
		w("| %d | %s | %.0f | %.0f | %.0f |", c.N, c.Variant, c.Reconciles["role"], c.Reconciles["skillmatrix"],
			c.Reconciles["proposal"])
	}
	w("")
}

func (r *results) writeSteady(w writer) {
	w("## Steady state and one SkillMatrix edit")
	w("")
	w("| N | variant | writes in %s idle | Role versions in that window | edit: republished in | "+
		"edit: writes | ConfigMaps changed |", r.Steady)
	w("|---|---|---|---|---|---|---|")
	for _, c := range r.Cold {
		w("| %d | %s | %.0f | %d | %s | %s | %d of %d |", c.N, c.Variant, operatorWrites(c.SteadyWrites),
			c.SteadyRoleWrites, secs(c.EditConverge), formatWrites(c.EditWrites, operatorResources...),
			c.EditCMChanged, c.N)
	}
	w("")
	w("Expected for the edit: N `PUT configmaps` for the Roles plus one for the catalog, N")
	w("`PATCH roles/status` (the new content hash), one `PATCH skillmatrices/status` (observed")
	w("generation) and the harness's own `PUT skillmatrices`; no Events, since no condition changes.")
	w("")
}

func (r *results) writeGovernance(w writer) {
	if len(r.Governance) == 0 {
		return
	}
	w("## Governance latency")
	w("")
	w("| variant | Proposals / Roles | p50 | p95 | p99 | max | writes after the votes |")
	w("|---|---|---|---|---|---|---|")
	for _, g := range r.Governance {
		w("| %s | %d / %d | %s | %s | %s | %s | %s |", g.Variant, g.Proposals, g.Roles, millis(g.P50),
			millis(g.P95), millis(g.P99), millis(g.Max), formatWrites(g.Writes, operatorResources...))
	}
	w("")
	w("The votes themselves, from sending each to the API server's answer (admission policy, schema")
	w("validation and storage; nothing of the operator's): no reconcile can start before its vote is stored.")
	w("")
	w("| variant | p50 | p95 | max |")
	w("|---|---|---|---|")
	for _, g := range r.Governance {
		if len(g.Acks) == 0 {
			continue
		}
		w("| %s | %s | %s | %s |", g.Variant, millis(percentile(g.Acks, 0.5)), millis(percentile(g.Acks, 0.95)),
			millis(g.Acks[len(g.Acks)-1]))
	}
	w("")
	w("CPU time from the votes until the last ConfigMap carried its Proposal:")
	w("")
	w("| variant | burst | CPU kube-apiserver | CPU etcd | CPU manager |")
	w("|---|---|---|---|---|")
	for _, g := range r.Governance {
		w("| %s | %s | %s | %s | %s |", g.Variant, secs(g.Max), secs(g.CPU["kube-apiserver"]), secs(g.CPU["etcd"]),
			secs(g.CPU["manager"]))
	}
	w("")
	w("Single deciding votes, cast one at a time on an idle operator before the burst (%d each):", soloVotes)
	w("")
	w("| variant | min | median | max |")
	w("|---|---|---|---|")
	for _, g := range r.Governance {
		if len(g.Solo) > 0 {
			w("| %s | %s | %s | %s |", g.Variant, millis(g.Solo[0]), millis(percentile(g.Solo, 0.5)),
				millis(g.Solo[len(g.Solo)-1]))
		}
	}
	w("")
	w("Mean time kube-apiserver took per request after the votes (count x mean):")
	w("")
	for _, g := range r.Governance {
		w("- %s: %s", g.Variant, formatRequests(g.Requests))
	}
	w("")
}

func (r *results) writeMemory(w writer) {
	w("## Memory")
	w("")
	w("| N | variant | peak RSS | RSS at the end | peak Go heap | Go heap at the end |")
	w("|---|---|---|---|---|---|")
	for _, c := range r.Cold {
		m := c.Memory
		w("| %d | %s | %.0f MiB | %.0f MiB | %.0f MiB | %.0f MiB |", c.N, c.Variant, m.PeakRSS/mib, m.RSS/mib,
			m.PeakHeap/mib, m.Heap/mib)
	}
	w("")
}

func (r *results) writeGoBench(w writer) {
	if len(r.GoBench) == 0 {
		return
	}
	w("## Domain benchmarks")
	w("")
	w("`go test -run '^$' -bench . -benchmem -benchtime %s ./internal/validation/ ./internal/governance/ "+
		"./internal/render/`:", r.Benchtime)
	w("")
	w("| package | benchmark | time/op | B/op | allocs/op |")
	w("|---|---|---|---|---|")
	for _, g := range r.GoBench {
		w("| %s | %s | %s | %.0f | %.0f |", g.Package, g.Name, nanos(g.NsPerOp), g.BPerOp, g.Allocs)
	}
	w("")
	w("Each renderer on its own (`testing.Benchmark` in the harness; the package benchmarks render")
	w("all four formats per iteration):")
	w("")
	w("| Role | format | time/op | B/op | allocs/op | output |")
	w("|---|---|---|---|---|---|")
	for _, rb := range r.Renderers {
		w("| %s | %s | %s | %.0f | %.0f | %d KiB |", rb.Role, rb.Format, nanos(rb.NsPerOp), rb.BPerOp, rb.Allocs,
			rb.Bytes/1024)
	}
	w("")
}

func formatRequests(m map[string]requestMean) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %.0f x %.1f ms", k, m[k].Count, float64(m[k].Mean.Microseconds())/1000))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func nanos(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	default:
		return fmt.Sprintf("%.0f ns", ns)
	}
}

func (r *results) writeOptions(w writer) {
	w("## controller-runtime options: what was chosen and why")
	w("")
	w("- **Cache transform dropping managedFields** (`cache.Options.DefaultTransform =")
	w("  cache.TransformStripManagedFields()`): chosen, and shipped in `internal/controller.CacheOptions`")
	w("  since this harness measured it as an option (peak RSS at N=1000 from 884 to 640 MiB; see the")
	w("  history of this page). A Role created with kubectl or Argo CD carries a managedFields entry that")
	w("  lists every one of its 280 cells, about as large as the spec, and the informer kept it for every")
	w("  Role and ConfigMap. Nothing reads managedFields from the cache: the promotion, which needs them,")
	w("  reads the Role live through the API reader.")
	w("- **MaxConcurrentReconciles**: the Role controller keeps 4 (rendering is CPU-bound; on 2 cores more")
	w("  workers only add contention with the API server). The Proposal controller ran with")
	w("  controller-runtime's default of 1; a promotion is five to seven round trips to the API server,")
	w("  mostly waiting, so %d workers overlap them (the *tuned* governance row). Promotions of one Role",
		r.TunedMaxConcurrent)
	w("  still serialise through the resourceVersion guard, so in the burst the gain is %s.",
		r.concurrencyGain())
	w("- **Client QPS/Burst**: left as shipped. controller-runtime's `GetConfig` already disables the")
	w("  client-side rate limiter (QPS -1) and relies on API Priority and Fairness on the server. A")
	w("  client-side limit would only slow the cold start: at N=1000 the operator sends more than 5000")
	w("  requests, which client-go's old default of 5 QPS would stretch to over 15 minutes and even 20 QPS")
	w("  to over 4.")
	w("- **Not chosen**: `UnsafeDisableDeepCopy` (the reconcilers modify the objects they read, which")
	w("  would corrupt the cache); a `SyncPeriod` resync (nothing needs it: steady state is 0 writes")
	w("  either way, and a resync would re-render every Role); caching ConfigMaps as metadata only")
	w("  (the publisher compares the content to repair hand edits; see the proposed digest transform).")
	w("")
	w("The variants measured:")
	w("")
	for _, v := range r.Variants {
		w("- **%s**: %s%s.", v.Name, v.Options, v.envNote())
	}
	w("")
}

// writeAnalysis explains, from the figures, where each goal is missed.
func (r *results) writeAnalysis(w writer) {
	w("## Where the goals are missed, and why")
	w("")
	r.analyseCold(w)
	r.analyseMemory(w)
	r.analyseGovernance(w)
}

func (r *results) analyseCold(w writer) {
	maxN := slices.Max(r.Sizes)
	base := r.baselineAt(maxN)
	best, bestRatio := "", 0.0
	for _, v := range r.variantNames() {
		c := r.coldAt(maxN, v)
		if x := ratio(c, base); best == "" || x < bestRatio {
			best, bestRatio = v, x
		}
	}
	if bestRatio <= goalRatio {
		return
	}
	w("**Cold convergence.** At N=%d the best variant (%s) takes %.2f times the baseline, %.0f%% over the",
		maxN, best, bestRatio, (bestRatio/goalRatio-1)*100)
	w("goal of %.1f. The run is CPU-bound: kube-apiserver, etcd and the manager share 2 cores. The", goalRatio)
	w("baseline costs kube-apiserver %s of CPU for its %.0f writes and almost nothing else; the operator",
		secs(base.CPU["kube-apiserver"]), operatorWrites(base.Writes))
	w("adds writes and needs CPU of its own:")
	w("")
	w("| variant | ratio | writes | of which Events | 409 Conflict | catalog rewrites | reconciles per Role | " +
		"CPU kube-apiserver | CPU manager |")
	w("|---|---|---|---|---|---|---|---|---|")
	for _, v := range r.variantNames() {
		c := r.coldAt(maxN, v)
		w("| %s | %.2f | %.0f | %.0f | %.0f | %.0f | %.1f | %s | %s |", v, ratio(c, base), operatorWrites(c.Writes),
			c.Writes.total("events"), c.Writes.conflicts(), c.Writes.total("configmaps")-float64(maxN)-1,
			c.Reconciles["role"]/float64(maxN), secs(c.CPU["kube-apiserver"]), secs(c.CPU["manager"]))
	}
	w("")
	w("(Reconciles include the one per Role for the SkillMatrix edit later in the run.) Per Role the")
	w("operator must make the same two writes as the baseline, and it also records three Events (Valid,")
	w("Published and Ready each change on the first reconcile), which is most of the difference in")
	w("writes. As shipped, a Role is reconciled again when its own new ConfigMap appears in the cache,")
	w("and that reconcile often reads the Role before its first status write reached the cache, so its")
	w("status patch is refused with 409 and retried 200 ms later: a third and fourth full render for")
	w("nothing. The catalog is rebuilt whenever a Role turns Ready. The *patched* variant removes the")
	w("conflicts, the extra reconciles and most catalog rebuilds; what remains is the Events and the")
	w("manager's CPU: two renders per Role (about 3 ms each, see the domain benchmarks) and decoding")
	w("every watch event, including each 170 KiB ConfigMap the manager just created. Reaching 1.5 on")
	w("this machine would take fewer Events on creation (one instead of three) and a single reconcile")
	w("per Role at start-up (the SkillMatrix's initial event re-queues every Role a second time).")
	w("")
}

func (r *results) analyseMemory(w writer) {
	if !slices.Contains(r.Sizes, goalMemoryAtN) {
		return
	}
	var missed []string
	for _, v := range r.variantNames() {
		c := r.coldAt(goalMemoryAtN, v)
		if c.Memory.PeakRSS/mib >= goalMemoryMiB {
			missed = append(missed, fmt.Sprintf("%s %.0f MiB (%.1fx)", v, c.Memory.PeakRSS/mib,
				c.Memory.PeakRSS/mib/goalMemoryMiB))
		}
	}
	if len(missed) == 0 {
		return
	}
	w("**Memory.** Peak RSS at N=%d against %.0f MiB: %s. As shipped, the cache holds every published",
		goalMemoryAtN, goalMemoryMiB, strings.Join(missed, ", "))
	w("ConfigMap with its content, %d KiB per Role (the four formats), about %.0f MiB at N=%d, and every",
		r.ConfigMapKiB, float64(r.ConfigMapKiB*goalMemoryAtN)/1024, goalMemoryAtN)
	w("Role (about 20 KB of JSON, several times that decoded). Keeping a digest instead of the ConfigMap")
	w("content (*patched*) shrinks the heap at rest (the table above, last column). What remains at the peak is")
	w("the cold start: the initial List of every Role, about 1.2 MB of garbage per render on 4 workers,")
	w("and GOGC=100 letting the heap grow to twice the live heap between collections. A GOMEMLIMIT in")
	w("the Deployment (the chart's memory limit minus headroom) makes the collector run earlier when")
	w("the heap approaches it, trading some CPU for a lower peak.")
	w("")
}

func (r *results) analyseGovernance(w writer) {
	for _, g := range r.Governance {
		if g.P95 < goalP95 {
			continue
		}
		promotions := float64(len(g.Latencies))
		w("**Governance, %s: p95 %s against 1 s (%.0fx).** A burst of %d decisions at once is bounded by",
			g.Variant, millis(g.P95), g.P95.Seconds()/goalP95.Seconds(), len(g.Latencies))
		w("throughput, not latency: the last change reached its ConfigMap %s after the votes (%.1f per",
			secs(g.Max), promotions/g.Max.Seconds())
		w("second), so the 95th percentile waits for most of the burst. Per promotion the API server took")
		w("%.1f Role status patches, %.1f server-side applies and %.1f ConfigMap writes, and refused %.1f",
			g.Writes.total("roles/status")/promotions, g.Writes.total("roles")/promotions,
			g.Writes.total("configmaps")/promotions, g.Writes.conflicts()/promotions)
		w("requests with 409 Conflict: the %d Proposals of one Role are promoted one after the other, each",
			g.Proposals/max(g.Roles, 1))
		w("guarded by the Role's resourceVersion, while the Role controller's status writes (the new")
		w("content hash, after the change and again after its history entry) move that resourceVersion")
		w("too, so promotions and republishing keep invalidating each other and retry after 200 ms.")
		if len(g.Solo) > 0 {
			w("One decision on an idle operator takes %s (median of %d): the latency a voter sees outside",
				millis(percentile(g.Solo, 0.5)), len(g.Solo))
			w("a burst meets the goal.")
		}
		w("")
	}
	if len(r.Governance) > 0 {
		w("A burst like this would need promotions batched per Role (one write carrying every accepted")
		w("Proposal of a Role, and one history patch) and the Role controller to publish once per")
		w("promotion rather than twice.")
		w("")
	}
}

// concurrencyGain compares the governance p95 of the shipped and tuned
// variants.
func (r *results) concurrencyGain() string {
	var shipped, tuned time.Duration
	for _, g := range r.Governance {
		switch g.Variant {
		case variantShipped:
			shipped = g.P95
		case variantTuned:
			tuned = g.P95
		}
	}
	if shipped == 0 || tuned == 0 {
		return "not measured in this run"
	}
	return fmt.Sprintf("small: p95 %s as shipped, %s tuned", secs(shipped), secs(tuned))
}

func (r *results) writeResilience(w writer) {
	w("## Resilience")
	w("")
	w("`test/resilience` is an envtest Ginkgo suite that runs in `make test`; each spec ends with an exact")
	w("consistency check: every spec change of every Role, version by version from a watch, is explained")
	w("by exactly one writer (a promotion, whose marker it adds and whose changes it equals, or a recorded")
	w("edit); every Applied Proposal appears exactly once in its Role's history and markers and every")
	w("other Proposal in neither; every ConfigMap equals a fresh render with the hash in the Role's status.")
	w("")
	w("- **Chaos**: Proposals (most voted through at once, some with stale `from`, some adding or")
	w("  removing skills) and concurrent Role edits while the manager is killed and restarted at random")
	w("  moments, every other kill exactly between a promotion's Role write and its status writes. Short")
	w("  in `make test` (40 Proposals, 20 edits, 3 restarts); `make test-resilience-long` (CHAOS_LONG=1)")
	w("  runs 200 Proposals, 100 edits and 10 restarts.")
	w("- **Leader election**: two managers (lease 4 s, renew 3 s, retry 0.5 s, no release on cancel);")
	w("  the leader is killed half-way through a storm; the other must take over within the lease")
	w("  (bound: lease plus two jittered retry periods plus 1 s) and nothing is lost or doubled.")
	w("- **Hostile input**: 1 MiB strings and 10k-entry lists are refused by the CRD schema with the")
	w("  field named; Unicode and markup in every text field render (HTML escaped, JSON exact); names and")
	w("  ids at their limits publish; a matrix too large for a ConfigMap is reported (TooLarge); Roles")
	w("  whose SkillMatrix is deleted mid-reconcile report MatrixNotFound; Proposals whose Role is deleted")
	w("  become Invalid; no reconcile panics, and the reconcile counter does not move in a quiet period.")
	w("")
}
