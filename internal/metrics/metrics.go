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

// Package metrics defines the operator's own Prometheus metrics, registered
// with controller-runtime's registry so they are served next to its
// controller_runtime_* metrics on the manager's metrics endpoint.
// docs/metrics.md lists them with example queries.
//
// It holds no client: a metric computed from the cluster (ProposalsByPhase)
// is built with the manager's client at setup and registered for the
// manager's lifetime (WhileLeading). Of the operator it imports only the API
// types and internal/validation, whose problems it counts; no controller code.
package metrics

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/validation"
)

var (
	// VotesCounted counts votes as they are tallied, by decision.
	VotesCounted = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "skillmatrix_votes_counted_total",
		Help: "Votes tallied on Proposals, by decision.",
	}, []string{"decision"})
	// ReviewsCounted counts expert reviews as they are tallied, by decision.
	ReviewsCounted = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "skillmatrix_reviews_counted_total",
		Help: "Expert reviews tallied on Proposals, by decision.",
	}, []string{"decision"})
	// BallotsNotCounted counts votes and reviews as the operator first
	// finds they do not count, by cause (v1alpha1.UncountedCause).
	BallotsNotCounted = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "skillmatrix_ballots_not_counted_total",
		Help: "Votes and reviews found not to count, by cause: Revoked, Superseded, StaleText, AfterDeadline, ...",
	}, []string{"cause"})
	// Promotions counts accepted Proposals by outcome: applied or conflicted.
	Promotions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "skillmatrix_promotions_total",
		Help: "Accepted Proposals by outcome: applied to their Role, or conflicted because a `from` no longer held.",
	}, []string{"result"})
	// RenderDuration measures rendering one Role in all its formats.
	RenderDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "skillmatrix_render_duration_seconds",
		Help:    "Time to render one Role's matrix in all published formats.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
	})
	// RenderedBytes measures the size of each rendered file.
	RenderedBytes = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "skillmatrix_rendered_bytes",
		Help:    "Size of each rendered file before compression, by format.",
		Buckets: prometheus.ExponentialBuckets(1024, 4, 9),
	}, []string{"format"})
	// ValidationProblems is the number of problems the objects have now.
	ValidationProblems = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "skillmatrix_validation_problems",
		Help: "Validation problems of the current SkillMatrices and Roles, by kind and severity.",
	}, []string{"kind", "severity"})

	// RevertedProposals is, per Role, how many applied Proposals the Role no
	// longer carries (status.reverted); a Role with none has no series.
	RevertedProposals = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "skillmatrix_role_reverted_proposals",
		Help: "Applied Proposals whose change the Role no longer carries, by Role.",
	}, []string{"namespace", "role"})

	// AdmissionEnforced is 1 while the admission policies are in force as
	// shipped, 0 while promotions are held because they are not.
	AdmissionEnforced = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "skillmatrix_admission_policy_enforced",
		Help: "1 when the shipped admission policies and bindings are installed unchanged and in Deny mode; 0 while promotions are held.",
	})

	// GitWrites counts Git write-back attempts by result: committed, existing
	// (found by its trailer after a crash), conflicted, or the reason of the
	// failure (e.g. GitAuthenticationFailed, ManifestNotFound).
	GitWrites = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "skillmatrix_git_writes_total",
		Help: "Git write-back attempts for accepted Proposals, by result: committed, existing, conflicted, or the failure's reason.",
	}, []string{"result"})
	// GitWriteDuration measures one write-back: fetch, edit, commit, push.
	GitWriteDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "skillmatrix_git_write_duration_seconds",
		Help:    "Time of one Git write-back: fetch, manifest edit, commit and push.",
		Buckets: prometheus.ExponentialBuckets(0.01, 2, 12),
	})

	proposalsByPhase = prometheus.NewDesc("skillmatrix_proposals",
		"Proposals by namespace and phase.", []string{"namespace", "phase"}, nil)
)

func init() {
	ctrlmetrics.Registry.MustRegister(VotesCounted, ReviewsCounted, BallotsNotCounted, Promotions,
		RenderDuration, RenderedBytes, ValidationProblems, AdmissionEnforced, GitWrites, GitWriteDuration, RevertedProposals)
}

// SetAdmissionEnforced records whether the admission policies are in force.
func SetAdmissionEnforced(enforced bool) {
	if enforced {
		AdmissionEnforced.Set(1)
		return
	}
	AdmissionEnforced.Set(0)
}

// ObserveRender records one render of a Role.
func ObserveRender(elapsed time.Duration, files map[string][]byte) {
	RenderDuration.Observe(elapsed.Seconds())
	for name, content := range files {
		RenderedBytes.WithLabelValues(name).Observe(float64(len(content)))
	}
}

// ObserveTally counts the votes and reviews a reconcile found beyond those
// the Proposal's status already held, so restarts do not count twice.
func ObserveTally(before, after *v1.Tally) {
	var prev v1.Tally
	if before != nil {
		prev = *before
	}
	add := func(c *prometheus.CounterVec, label string, now, was int32) {
		if now > was {
			c.WithLabelValues(label).Add(float64(now - was))
		}
	}
	add(VotesCounted, string(v1.VoteApprove), after.Approvals, prev.Approvals)
	add(VotesCounted, string(v1.VoteReject), after.Rejections, prev.Rejections)
	add(ReviewsCounted, string(v1.ReviewApprove), after.ReviewApprovals, prev.ReviewApprovals)
	add(ReviewsCounted, string(v1.ReviewRequestChanges), after.ChangesRequested, prev.ChangesRequested)
}

// ObserveUncounted counts the entries of status.uncounted a written status
// lists for the first time, by cause (an entry of an operator before
// Ballots, without one, is Revoked).
func ObserveUncounted(before, after []v1.UncountedBallot) {
	seen := make(map[v1.UncountedBallot]bool, len(before))
	for _, u := range before {
		seen[u] = true
	}
	for _, u := range after {
		if !seen[u] {
			cause := u.Cause
			if cause == "" {
				cause = v1.CauseRevoked
			}
			BallotsNotCounted.WithLabelValues(string(cause)).Inc()
		}
	}
}

// SetRevertedProposals records how many applied Proposals the Role
// ("namespace/name") no longer carries; zero removes its series, so deleted
// and healthy Roles cost nothing.
func SetRevertedProposals(role string, n int) {
	namespace, name, _ := strings.Cut(role, "/")
	if n == 0 {
		RevertedProposals.DeleteLabelValues(namespace, name)
		return
	}
	RevertedProposals.WithLabelValues(namespace, name).Set(float64(n))
}

// problemKey counts problems per object, so the gauge is the sum over the
// objects that exist now.
type problemKey struct{ kind, severity string }

var (
	problemsMu       sync.Mutex
	problemsByObject = map[string]map[problemKey]int{}
)

// SetProblems records the current problems of one object ("Role/ns/name"),
// replacing what was recorded before; an empty result forgets the object.
func SetProblems(object string, res validation.Result) {
	problemsMu.Lock()
	defer problemsMu.Unlock()
	for k, n := range problemsByObject[object] {
		ValidationProblems.WithLabelValues(k.kind, k.severity).Sub(float64(n))
	}
	delete(problemsByObject, object)
	if len(res.Problems) == 0 {
		return
	}
	current := map[problemKey]int{}
	for _, p := range res.Problems {
		key := problemKey{kind: string(p.Kind), severity: string(p.Severity)}
		current[key]++
		ValidationProblems.WithLabelValues(key.kind, key.severity).Inc()
	}
	problemsByObject[object] = current
}

// ProposalsByPhase reports Proposals by namespace and phase at scrape time,
// listed from a reader (the manager's cache), so the figures are exact after
// restarts without bookkeeping. Register it with WhileLeading, which ties it
// to the manager whose cache it reads.
type ProposalsByPhase struct {
	reader client.Reader
}

// NewProposalsByPhase returns the collector of skillmatrix_proposals reading from reader.
func NewProposalsByPhase(reader client.Reader) *ProposalsByPhase {
	return &ProposalsByPhase{reader: reader}
}

// Describe implements prometheus.Collector.
func (*ProposalsByPhase) Describe(ch chan<- *prometheus.Desc) { ch <- proposalsByPhase }

// Collect implements prometheus.Collector. A List that fails (the cache not
// synced within the timeout) reports nothing rather than failing the whole
// scrape, which would hide controller-runtime's metrics as well.
func (c *ProposalsByPhase) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var list v1.ProposalList
	// Read only: the cache's objects need no copy.
	if err := c.reader.List(ctx, &list, client.UnsafeDisableDeepCopy); err != nil {
		return
	}
	type key struct{ ns, phase string }
	counts := map[key]int{}
	for _, p := range list.Items {
		phase := string(p.Status.Phase)
		if phase == "" {
			phase = "Pending"
		}
		counts[key{p.Namespace, phase}]++
	}
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(proposalsByPhase, prometheus.GaugeValue, float64(n), k.ns, k.phase)
	}
}

// WhileLeading returns a manager runnable that registers collector with reg
// while the manager runs and holds the leadership, and unregisters it when
// the manager stops. Cache-backed collectors are built per manager, with the
// manager's client, while a registry lives as long as the process: a process
// that runs one manager after another (the envtest suites, the bench) gets
// each one's figures, never a stopped cache's.
//
// Only the leader reports, as it alone reconciles and so alone sets the other
// gauges: summing a metric over replicas then counts each Proposal once.
func WhileLeading(reg prometheus.Registerer, collector prometheus.Collector) manager.Runnable {
	return registration{registerer: reg, collector: collector}
}

type registration struct {
	registerer prometheus.Registerer
	collector  prometheus.Collector
}

func (r registration) Start(ctx context.Context) error {
	if err := r.registerer.Register(r.collector); err != nil {
		return fmt.Errorf("registering a metrics collector: %w", err)
	}
	<-ctx.Done()
	r.registerer.Unregister(r.collector)
	return nil
}

func (registration) NeedLeaderElection() bool { return true }
