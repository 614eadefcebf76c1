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
	"time"
)

// Goals of the governance floor (issue 20).
const (
	goalBurstFloorRatio = 1.3
	goalSoloP95         = 250 * time.Millisecond
	goalSoloFloorRatio  = 1.5
)

// promotionWrites are the writes the floor makes per batch and per
// Proposal; the harness's own votes (PATCH proposals) and the operator's
// Events are left out of the comparison.
var promotionWrites = []string{"roles", "configmaps", "roles/status", "proposals/status"}

// writeFloorGoals adds the floor's rows to the goals table.
func (r *results) writeFloorGoals(w writer, names []string) {
	f := r.GovernanceFloor
	if f == nil {
		return
	}
	row := func(goal, target string, cell func(g governanceResult) string) {
		cells := cellsOf(len(names)+2, goal, target)
		for _, v := range names {
			c := "-"
			for _, g := range r.Governance {
				if g.Variant == v {
					c = cell(g)
				}
			}
			cells = append(cells, c)
		}
		w("%s", tableRow(cells...))
	}
	row("Governance burst, p95 operator/floor", fmt.Sprintf("<= %.1f", goalBurstFloorRatio),
		func(g governanceResult) string {
			x := floorRatio(g.P95, f.P95)
			return fmt.Sprintf("%.2f (%s)", x, met(x <= goalBurstFloorRatio))
		})
	row(fmt.Sprintf("Single decision, p95 of %d", soloVotes), fmt.Sprintf("<= %s", millis(goalSoloP95)),
		func(g governanceResult) string {
			p := percentile(g.Solo, 0.95)
			return fmt.Sprintf("%s (%s)", millis(p), met(len(g.Solo) > 0 && p <= goalSoloP95))
		})
	row("Single decision, p95 operator/floor", fmt.Sprintf("<= %.1f", goalSoloFloorRatio),
		func(g governanceResult) string {
			x := floorRatio(percentile(g.Solo, 0.95), percentile(f.Solo, 0.95))
			return fmt.Sprintf("%.2f (%s)", x, met(len(g.Solo) > 0 && x <= goalSoloFloorRatio))
		})
}

// writeGovernanceFloor renders the floor, the operator against it, and
// every variant measured in this run.
func (r *results) writeGovernanceFloor(w writer) {
	f := r.GovernanceFloor
	if f == nil || len(r.Governance) == 0 {
		return
	}
	w("## Governance floor")
	w("")
	w("The floor is measured the way the cold baseline is: on a fresh control plane set up exactly as for")
	w("the operator (the shipped manager publishes the %d Roles and opens the Proposals, then stops),", f.Roles)
	w("a plain client with no client-side rate limit and at most %d requests in flight, acting as the", r.BaselineWorkers)
	w("operator's identity, makes exactly the writes the operator's batching needs: per batch the Role's")
	w("server-side apply (the changes and the promotion markers, as `internal/promotion` builds it), the")
	w("ConfigMap, the Role status (history entries and content hash), and per Proposal its Applied status.")
	w("It makes as many batches as the operator made Role applies in the governance run above (%d for", f.Batches)
	w("%d Proposals), each Role's Proposals split into runs of nearly equal length. Every request body is", f.Proposals)
	w("rendered before the clock starts (`internal/model`, `internal/render`, `internal/publish`, as for the")
	w("cold baseline). dave casts the same deciding votes at once, through admission; a batch starts as soon")
	w("as the API server has stored the votes of its Proposals, since no operator can act before that. The")
	w("same ConfigMap informer stops the same clock: from each vote to the first version of its Role's")
	w("ConfigMap that lists the Proposal. The floor's writes carry no resourceVersion guard after the")
	w("first write of each Role (the versions are unknown before the clock); nothing else writes meanwhile.")
	w("")
	w("| who | Proposals / Roles | p50 | p95 | max | promotion writes | Events |")
	w("|---|---|---|---|---|---|---|")
	w("| floor | %d / %d | %s | %s | %s | %s | %.0f |", f.Proposals, f.Roles, millis(f.P50), millis(f.P95),
		millis(f.Max), formatWrites(f.Writes, promotionWrites...), f.Writes.total("events"))
	for _, g := range r.Governance {
		w("| %s | %d / %d | %s | %s | %s | %s | %.0f |", g.Variant, g.Proposals, g.Roles, millis(g.P50),
			millis(g.P95), millis(g.Max), formatWrites(g.Writes, promotionWrites...), g.Writes.total("events"))
	}
	w("")
	w("Operator over floor (goal for the burst: p95 ratio <= %.1f):", goalBurstFloorRatio)
	w("")
	w("| variant | writes | p50 | p95 | ratio p50 | ratio p95 |")
	w("|---|---|---|---|---|---|")
	w("| floor | %.0f | %s | %s | 1.00 | 1.00 |", f.Writes.total(promotionWrites...), millis(f.P50), millis(f.P95))
	for _, g := range r.Governance {
		w("| %s | %.0f | %s | %s | %.2f | %.2f |", g.Variant, g.Writes.total(promotionWrites...)+g.Writes.total("events"),
			millis(g.P50), millis(g.P95), floorRatio(g.P50, f.P50), floorRatio(g.P95, f.P95))
	}
	w("")
	w("(writes: the promotion writes above plus the operator's Events; the votes are the harness's.)")
	w("")
	w("CPU time from the votes until the last ConfigMap carried its Proposal, and the API server's mean time")
	w("per request (count x mean):")
	w("")
	w("| who | burst | CPU kube-apiserver | CPU etcd | requests |")
	w("|---|---|---|---|---|")
	w("| floor | %s | %s | %s | %s |", secs(f.Max), secs(f.CPU["kube-apiserver"]), secs(f.CPU["etcd"]),
		formatRequests(f.Requests))
	for _, g := range r.Governance {
		w("| %s | %s | %s | %s | %s |", g.Variant, secs(g.Max), secs(g.CPU["kube-apiserver"]), secs(g.CPU["etcd"]),
			formatRequests(g.Requests))
	}
	w("")
	r.writeSoloFloor(w)
	r.analyseFloor(w)
}

// writeSoloFloor renders the single decisions against the floor's.
func (r *results) writeSoloFloor(w writer) {
	f := r.GovernanceFloor
	w("### Single decisions")
	w("")
	w("%d deciding votes, one at a time on an idle operator (the API server quiet for 2 s before each),", soloVotes)
	w("before the burst; the floor writes each decision as a batch of one right after its vote is stored.")
	w("Latency is from sending the vote to the first version of the Role's ConfigMap that lists the Proposal.")
	w("Goals: p95 <= %s and operator/floor <= %.1f.", millis(goalSoloP95), goalSoloFloorRatio)
	w("")
	w("| who | min | p50 | p95 | max | ratio p50 | ratio p95 |")
	w("|---|---|---|---|---|---|---|")
	solo := func(name string, d []time.Duration) {
		if len(d) == 0 {
			return
		}
		w("| %s | %s | %s | %s | %s | %.2f | %.2f |", name, millis(d[0]), millis(percentile(d, 0.5)),
			millis(percentile(d, 0.95)), millis(d[len(d)-1]), floorRatio(percentile(d, 0.5), percentile(f.Solo, 0.5)),
			floorRatio(percentile(d, 0.95), percentile(f.Solo, 0.95)))
	}
	solo("floor", f.Solo)
	for _, g := range r.Governance {
		solo(g.Variant, g.Solo)
	}
	w("")
}

// analyseFloor says what the floor shows about the burst.
func (r *results) analyseFloor(w writer) {
	f, g := r.GovernanceFloor, r.Governance[0]
	w("**What the floor shows.** The floor's %.0f promotion writes for %d Proposals reached their last",
		f.Writes.total(promotionWrites...), f.Proposals)
	w("ConfigMap %s after the votes, p95 %s; kube-apiserver used %s of CPU in that time (%.1f of the 2 cores).",
		secs(f.Max), millis(f.P95), secs(f.CPU["kube-apiserver"]), f.CPU["kube-apiserver"].Seconds()/f.Max.Seconds())
	w("The %s operator made %.0f such writes and %.0f Events and took p95 %s: %.2f times the floor.", g.Variant,
		g.Writes.total(promotionWrites...), g.Writes.total("events"), millis(g.P95), floorRatio(g.P95, f.P95))
	if f.P95 >= goalP95 {
		w("Even the floor misses the 1 s goal: on this machine the API server cannot store %d votes and",
			f.Proposals)
		w("the writes of %d promotions of 280-cell Roles within a second, whoever sends them.", f.Batches)
	}
	w("")
}
