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

package metrics

import (
	"context"
	"errors"
	"maps"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/validation"
)

func proposalReader(t *testing.T, proposals ...*v1.Proposal) client.Reader {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := v1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	b := fake.NewClientBuilder().WithScheme(scheme)
	for _, p := range proposals {
		b = b.WithObjects(p)
	}
	return b.Build()
}

func proposal(ns, name string, phase v1.ProposalPhase) *v1.Proposal {
	p := &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	p.Status.Phase = phase
	return p
}

// proposalGauge gathers reg and returns skillmatrix_proposals by
// "namespace/phase"; nil when the registry does not report it at all.
func proposalGauge(t *testing.T, reg prometheus.Gatherer) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "skillmatrix_proposals" {
			continue
		}
		out := map[string]float64{}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			out[labels["namespace"]+"/"+labels["phase"]] += m.GetGauge().GetValue()
		}
		return out
	}
	return nil
}

func TestProposalsByPhase(t *testing.T) {
	reader := proposalReader(t,
		proposal("a", "p1", v1.PhaseOpen),
		proposal("a", "p2", v1.PhaseOpen),
		proposal("a", "p3", v1.PhaseApplied),
		proposal("b", "p1", v1.PhaseOpen),
		proposal("b", "new", ""),
	)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewProposalsByPhase(reader))

	want := map[string]float64{"a/Open": 2, "a/Applied": 1, "b/Open": 1, "b/Pending": 1}
	if got := proposalGauge(t, reg); !maps.Equal(got, want) {
		t.Errorf("skillmatrix_proposals = %v, want %v", got, want)
	}
}

// signalling closes registered once a collector is registered, so a test
// knows when a runnable started without waiting on a clock.
type signalling struct {
	*prometheus.Registry
	registered chan struct{}
}

func (s signalling) Register(c prometheus.Collector) error {
	err := s.Registry.Register(c)
	if err == nil {
		close(s.registered)
	}
	return err
}

func start(t *testing.T, r manager.Runnable) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Start(ctx) }()
	return func() error {
		cancel()
		return <-done
	}
}

// TestWhileLeading runs two managers' collectors one after the other in one
// process, as the envtest suites and the bench do: each is registered while
// its manager runs, and the second reads its own cache, not the first's.
func TestWhileLeading(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()

	first := signalling{Registry: reg, registered: make(chan struct{})}
	runnable := WhileLeading(first, NewProposalsByPhase(proposalReader(t, proposal("a", "p", v1.PhaseOpen))))
	if elected, ok := runnable.(manager.LeaderElectionRunnable); !ok || !elected.NeedLeaderElection() {
		t.Error("the collector must report from the leader only, or a sum over replicas counts each Proposal twice")
	}
	if got := proposalGauge(t, reg); got != nil {
		t.Fatalf("reported before the manager started: %v", got)
	}
	stop := start(t, runnable)
	<-first.registered
	if got := proposalGauge(t, reg); !maps.Equal(got, map[string]float64{"a/Open": 1}) {
		t.Errorf("first manager: %v", got)
	}

	// A second manager in the same process while the first runs cannot
	// take over the metric: its start fails and says why.
	clash := WhileLeading(reg, NewProposalsByPhase(proposalReader(t)))
	err := clash.Start(t.Context())
	if are := (prometheus.AlreadyRegisteredError{}); !errors.As(err, &are) {
		t.Errorf("second concurrent registration: err = %v, want AlreadyRegisteredError", err)
	}

	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if got := proposalGauge(t, reg); got != nil {
		t.Fatalf("a stopped manager's cache still reports: %v", got)
	}

	second := signalling{Registry: reg, registered: make(chan struct{})}
	stop = start(t, WhileLeading(second, NewProposalsByPhase(proposalReader(t, proposal("b", "q", v1.PhaseRejected)))))
	<-second.registered
	if got := proposalGauge(t, reg); !maps.Equal(got, map[string]float64{"b/Rejected": 1}) {
		t.Errorf("second manager: %v", got)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestSetProblems(t *testing.T) {
	unknown := func() float64 {
		t.Helper()
		var m dto.Metric
		gauge := ValidationProblems.WithLabelValues(string(validation.KindUnknownSkill), string(validation.SeverityError))
		if err := gauge.Write(&m); err != nil {
			t.Fatal(err)
		}
		return m.GetGauge().GetValue()
	}
	before := unknown()
	problem := validation.Problem{Kind: validation.KindUnknownSkill, Severity: validation.SeverityError}
	two := validation.Result{Problems: []validation.Problem{problem, problem}}

	SetProblems("Role/ns/a", two)
	SetProblems("Role/ns/b", validation.Result{Problems: []validation.Problem{problem}})
	if got := unknown() - before; got != 3 {
		t.Errorf("after two objects: %v more problems, want 3", got)
	}
	SetProblems("Role/ns/a", two) // a reconcile again: replaces, does not add
	if got := unknown() - before; got != 3 {
		t.Errorf("after a repeated reconcile: %v more problems, want 3", got)
	}
	SetProblems("Role/ns/a", validation.Result{})
	SetProblems("Role/ns/b", validation.Result{})
	if got := unknown() - before; got != 0 {
		t.Errorf("after both were fixed: %v more problems, want 0", got)
	}
}
