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
	_ "embed"
	"errors"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/memlimit"
)

// results is everything one run measured: the -raw file, which the page is
// rendered from.
type results struct {
	Machine                                 machine
	Started, Finished                       time.Time
	Variants                                []variant
	Sizes                                   []int
	Steady                                  time.Duration
	GovProposals, GovRoles, BaselineWorkers int
	// GovRounds is how many governance bursts each run made (0: one).
	GovRounds int `json:",omitempty"`
	// Assets is the directory of kube-apiserver and etcd.
	Benchtime, Command, Assets string
	// ConfigMapKiB is the size of one generated Role's published content.
	ConfigMapKiB    int
	Baseline        []baselineResult
	Cold            []coldResult
	Governance      []governanceResult
	GovernanceFloor *governanceResult `json:",omitempty"`
	VoteBursts      []burstResult     `json:",omitempty"`
	WriteBack       []governanceResult
	Notifications   *notifyResult `json:",omitempty"`
	Portal          *portalResult `json:",omitempty"`
	GoBench         []goBench
	Renderers       []rendererBench
	// Scale is the last scale run's (make bench-scale), which a full run keeps.
	Scale *results `json:",omitempty"`
}

// Took is how long the run took, to the second.
func (r *results) Took() time.Duration { return r.Finished.Sub(r.Started).Round(time.Second) }

// goals are the targets the page judges the figures against.
type goals struct {
	Ratio, BurstFloorRatio, SoloFloorRatio float64
	P95, SoloP95                           time.Duration
	MemoryMiB                              float64
	MemoryAtN                              int
	// The vote burst (issue 26): burst wall time over the floor's at
	// VoteWallAt voters, p95 of one vote at VoteP95At voters, and every
	// ballot in the tally within VoteCounted of the last write.
	VoteWallRatio         float64
	VoteWallAt, VoteP95At int
	VoteP95, VoteCounted  time.Duration
}

var goal = goals{Ratio: 1.5, BurstFloorRatio: 1.3, SoloFloorRatio: 1.5, P95: time.Second,
	SoloP95: 250 * time.Millisecond, MemoryMiB: 200, MemoryAtN: 1000,
	VoteWallRatio: 2, VoteWallAt: 1000, VoteP95At: 100, VoteP95: time.Second, VoteCounted: 2 * time.Second}

//go:embed performance.md.tmpl
var pageTemplate string

// page is what the template renders: the results and what follows from them.
type page struct {
	*results
	Goal goals
	// Sizes has, per N, every variant in the order of Variants.
	Sizes []size
	// Largest is the largest N; MemoryGoal the one the memory goal is set
	// at, when measured.
	Largest, MemoryGoal *size
	// Gov has the governance runs, GoalsGov one per variant (nil where
	// there is none).
	Gov      []gov
	GoalsGov []*gov
	Floor    *gov
	Scale    *scale
}

type size struct {
	N        int
	Baseline baselineResult
	Cold     []cold
	Slowest  cold
}

// cold is a coldResult with the baseline's convergence at its N.
type cold struct {
	coldResult
	Baseline time.Duration
}

func (c cold) Ratio() float64           { return over(c.Converge, c.Baseline) }
func (c cold) OverGoalPct() float64     { return (c.Ratio()/goal.Ratio - 1) * 100 }
func (c cold) CatalogRewrites() float64 { return c.Writes.total("configmaps") - float64(c.N) - 1 }
func (c cold) CPUPerRoleMs() float64    { return float64(c.CPU["manager"].Milliseconds()) / float64(c.N) }
func (c cold) MemoryMissedBy() float64  { return max(0, c.Memory.PeakRSS/mib-goal.MemoryMiB) }

// EditExact means exactly one ConfigMap and one status write per Role, and
// nothing else beyond the SkillMatrix's own catalog and status.
func (c cold) EditExact() bool {
	n := float64(c.N)
	return c.EditCMChanged == c.N && c.EditRoleWrites[1] == c.N && c.EditWrites["PUT configmaps"] == n+1 &&
		c.EditWrites["PATCH roles/status"] == n && c.EditWrites.total("configmaps") == n+1 &&
		c.EditWrites.total("roles", "roles/status") == n
}

// gov is a governanceResult with its latencies summarised (Acks, Solo),
// the writes the floor makes too (PromotionWrites), those and the Events
// (OperatorWrites), and the Proposals promoted per second of a burst.
type gov struct{ governanceResult }

func (g gov) Acks() dist               { return summarize(g.governanceResult.Acks) }
func (g gov) Solo() dist               { return summarize(g.governanceResult.Solo) }
func (g gov) PromotionWrites() float64 { return g.Writes.total(promotionWrites...) }
func (g gov) OperatorWrites() float64  { return g.PromotionWrites() + g.Writes.total("events") }
func (g gov) PerSecond() float64 {
	if g.Max <= 0 {
		return 0
	}
	return float64(g.Proposals) / g.Max.Seconds()
}

// BurstRatio is the goal's figure for the burst: the operator's p95 over
// the floor's, the median over the rounds (each against the floor's round
// of as many batches) when there are several, which one slow round on a
// shared machine cannot tip.
func (g gov) BurstRatio(f *gov) float64 {
	pairs := g.RoundsAgainst(f)
	if len(pairs) < 2 {
		return over(g.P95, f.P95)
	}
	ratios := make([]float64, len(pairs))
	for i, p := range pairs {
		ratios[i] = p.Ratio
	}
	slices.Sort(ratios)
	return (ratios[(len(ratios)-1)/2] + ratios[len(ratios)/2]) / 2
}

// roundPair is one round's p95, the operator's and the floor's.
type roundPair struct {
	P95, FloorP95 time.Duration
	Ratio         float64
}

// RoundsAgainst pairs g's rounds with the floor's, none when they differ in number.
func (g gov) RoundsAgainst(f *gov) []roundPair {
	if len(g.Rounds) != len(f.Rounds) {
		return nil
	}
	out := make([]roundPair, len(g.Rounds))
	for i, r := range g.Rounds {
		out[i] = roundPair{P95: r.P95, FloorP95: f.Rounds[i].P95, Ratio: over(r.P95, f.Rounds[i].P95)}
	}
	return out
}

// dist summarises latencies, sorted.
type dist struct {
	N   int
	Min time.Duration
	Quantiles
}

func summarize(d []time.Duration) dist {
	if len(d) == 0 {
		return dist{}
	}
	return dist{N: len(d), Min: d[0], Quantiles: quantilesOf(slices.Clone(d))}
}

// over is d in units of ref, 0 without ref.
func over(d, ref time.Duration) float64 {
	if ref <= 0 {
		return 0
	}
	return d.Seconds() / ref.Seconds()
}

func baselineAt(r *results, n int) baselineResult {
	for _, b := range slices.Backward(r.Baseline) {
		if b.N == n {
			return b
		}
	}
	return baselineResult{}
}

func newPage(r *results) *page {
	p := &page{results: r, Goal: goal, GoalsGov: make([]*gov, len(r.Variants))}
	for _, n := range r.Sizes {
		s := size{N: n, Baseline: baselineAt(r, n)}
		for _, v := range r.Variants {
			c := coldResult{N: n, Variant: v.Name}
			for _, m := range r.Cold {
				if m.N == n && m.Variant == v.Name {
					c = m
				}
			}
			s.Cold = append(s.Cold, cold{c, s.Baseline.Converge})
		}
		if len(s.Cold) > 0 {
			s.Slowest = slices.MaxFunc(s.Cold, func(a, b cold) int { return cmp.Compare(a.Ratio(), b.Ratio()) })
		}
		p.Sizes = append(p.Sizes, s)
	}
	for i := range p.Sizes {
		if s := &p.Sizes[i]; s.N == goal.MemoryAtN {
			p.MemoryGoal = s
		}
		if s := &p.Sizes[i]; p.Largest == nil || s.N > p.Largest.N {
			p.Largest = s
		}
	}
	if r.GovernanceFloor != nil {
		p.Floor = &gov{*r.GovernanceFloor}
	}
	for _, g := range r.Governance {
		p.Gov = append(p.Gov, gov{g})
	}
	for i, v := range r.Variants {
		for j := range p.Gov {
			if p.Gov[j].Variant == v.Name {
				p.GoalsGov[i] = &p.Gov[j]
			}
		}
	}
	if r.Scale != nil {
		p.Scale = newScale(r.Scale, r)
	}
	return p
}

// scale is the scale curve: a scale run, and per variant the memory points
// of that run and of the full run measured with the same environment,
// with the least-squares line through them and the sizing it gives.
type scale struct {
	*results
	Cold []cold
	// Missing are the N the run was asked for but did not measure.
	Missing []int
	Memory  []scaleMemory
}

type scaleMemory struct {
	Variant variant
	Points  []scalePoint
	// FitError says why there is no line; RSS and Heap are the lines.
	FitError  string
	RSS, Heap line
	// SoftLimited means the variant ran with a soft memory limit, which
	// bounds its heap: no sizing then.
	SoftLimited bool
	Sizing      []sizing
	// Percent is the soft limit's share of the memory limit.
	Percent, Headroom float64
}

type scalePoint struct {
	N                 int
	PeakRSS, PeakHeap float64
	// FromFullRun marks the points of the full run (Started).
	FromFullRun bool
	Started     time.Time
	EditToo     bool
}

type sizing struct {
	Roles                     int
	RSS, Heap, Request, Limit float64
}

// headroom over the live heap that the soft limit keeps: without one the
// heap peaks at about twice the live heap (GOGC=100), so the soft limit
// must hold the live heap and half again.
const headroom = 1.5

func newScale(sr, full *results) *scale {
	s := &scale{results: sr}
	for _, c := range sr.Cold {
		s.Cold = append(s.Cold, cold{c, baselineAt(sr, c.N).Converge})
	}
	for _, n := range sr.Sizes {
		if !slices.ContainsFunc(sr.Cold, func(c coldResult) bool { return c.N == n }) {
			s.Missing = append(s.Missing, n)
		}
	}
	for _, v := range sr.Variants {
		s.Memory = append(s.Memory, scaleMemoryOf(v, sr, full))
	}
	return s
}

// scaleMemoryOf fits the memory of v over the scale run's N and the full
// run's, where the full run measured a variant with the same environment
// (the same soft memory limit) at an N the scale run did not.
func scaleMemoryOf(v variant, sr, full *results) scaleMemory {
	m := scaleMemory{Variant: v, SoftLimited: !slices.Contains(v.Env, "GOMEMLIMIT=off"),
		Percent: memlimit.Fraction * 100, Headroom: headroom}
	for _, c := range sr.Cold {
		if c.Variant == v.Name {
			m.Points = append(m.Points, scalePoint{N: c.N, PeakRSS: c.Memory.PeakRSS, PeakHeap: c.Memory.PeakHeap,
				EditToo: c.EditConverge > 0})
		}
	}
	for _, fv := range full.Variants {
		for _, c := range full.Cold {
			if !slices.Equal(fv.Env, v.Env) || c.Variant != fv.Name ||
				slices.ContainsFunc(m.Points, func(p scalePoint) bool { return p.N == c.N }) {
				continue
			}
			m.Points = append(m.Points, scalePoint{N: c.N, PeakRSS: c.Memory.PeakRSS, PeakHeap: c.Memory.PeakHeap,
				FromFullRun: true, Started: full.Started})
		}
	}
	slices.SortFunc(m.Points, func(a, b scalePoint) int { return a.N - b.N })
	ns, rss, heap := make([]int, len(m.Points)), make([]float64, len(m.Points)), make([]float64, len(m.Points))
	for i, p := range m.Points {
		ns[i], rss[i], heap[i] = p.N, p.PeakRSS, p.PeakHeap
	}
	var errRSS, errHeap error
	m.RSS, errRSS = fitLine(ns, rss)
	m.Heap, errHeap = fitLine(ns, heap)
	if err := errors.Join(errRSS, errHeap); err != nil {
		m.FitError = err.Error()
		return m
	}
	for _, n := range []int{100, 500, 1000, 2000, 5000, 10000} {
		limit := suggestedLimit(m.RSS, m.Heap, n, memlimit.Fraction)
		m.Sizing = append(m.Sizing, sizing{Roles: n, RSS: m.RSS.At(n), Heap: m.Heap.At(n),
			Request: limit * memlimit.Fraction, Limit: limit})
	}
	return m
}

// line is y = Fixed + PerRole*N, fitted by ordinary least squares.
type line struct{ Fixed, PerRole float64 }

func (l line) At(n int) float64 { return l.Fixed + l.PerRole*float64(n) }

var errTooFewPoints = errors.New("a fitted line needs measurements at two different N at least")

func fitLine(n []int, y []float64) (line, error) {
	var sx, sy, sxx, sxy float64
	for i := range n {
		x := float64(n[i])
		sx, sy, sxx, sxy = sx+x, sy+y[i], sxx+x*x, sxy+x*y[i]
	}
	k := float64(len(n))
	den := k*sxx - sx*sx
	if len(n) < 2 || den == 0 {
		return line{}, errTooFewPoints
	}
	slope := (k*sxy - sx*sy) / den
	return line{Fixed: (sy - slope*sx) / k, PerRole: slope}, nil
}

// suggestedLimit is the container memory limit for n Roles: the fitted
// peak resident set without a soft limit, and a soft limit (fraction of the
// limit) holding headroom times the live heap, taken as half the peak heap
// without a soft limit. Rounded up to 32 MiB, at least 128 MiB.
func suggestedLimit(rss, heap line, n int, fraction float64) float64 {
	need := max(rss.At(n), headroom*heap.At(n)/2/fraction)
	const step = 32 * mib
	return max(128*mib, math.Ceil(need/step)*step)
}

var funcs = template.FuncMap{
	"secs":      func(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) },
	"ms":        func(d time.Duration) string { return fmt.Sprintf("%d ms", d.Milliseconds()) },
	"ms1":       func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) },
	"mib":       func(b float64) string { return fmt.Sprintf("%.0f MiB", b/mib) },
	"kib":       func(b float64) string { return fmt.Sprintf("%.0f KiB", b/1024) },
	"date":      func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 MST") },
	"base":      filepath.Base,
	"kibi":      func(n int) int { return n / 1024 },
	"join":      strings.Join,
	"met":       func(ok bool) string { return map[bool]string{true: "met", false: "**missed**"}[ok] },
	"writes":    func(w writeCounts) string { return formatWrites(w, operatorResources) },
	"promoted":  func(w writeCounts) string { return formatWrites(w, promotionWrites) },
	"requests":  formatRequests,
	"nanos":     nanos,
	"per":       func(b float64, n int) float64 { return b / float64(n) },
	"total":     writeCounts.total,
	"ops":       func(w writeCounts) float64 { return w.total(operatorResources...) },
	"conflicts": writeCounts.conflicts,
	"over":      over,
}

// formatWrites lists the writes to the resources given and the conflicts.
func formatWrites(w writeCounts, resources []string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(w)) {
		if _, res, _ := strings.Cut(k, " "); !strings.HasPrefix(k, conflictPrefix) && slices.Contains(resources, res) {
			parts = append(parts, fmt.Sprintf("%s %.0f", k, w[k]))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	if c := w.conflicts(); c > 0 {
		return fmt.Sprintf("%s; %.0f of them refused with 409 Conflict", strings.Join(parts, ", "), c)
	}
	return strings.Join(parts, ", ")
}

func formatRequests(m map[string]requestMean) string {
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %.0f x %.1f ms", k, m[k].Count, float64(m[k].Mean.Microseconds())/1000))
	}
	return cmp.Or(strings.Join(parts, ", "), "none")
}

func nanos(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}

func renderPage(r *results) ([]byte, error) {
	t, err := template.New("performance.md").Funcs(funcs).Option("missingkey=error").Parse(pageTemplate)
	if err != nil {
		return nil, fmt.Errorf("parsing performance.md.tmpl: %w", err)
	}
	var out bytes.Buffer
	if err := t.Execute(&out, newPage(r)); err != nil {
		return nil, fmt.Errorf("rendering performance.md.tmpl: %w", err)
	}
	return out.Bytes(), nil
}
