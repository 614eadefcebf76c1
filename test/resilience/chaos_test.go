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

package resilience

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/controller"
)

// chaosSize is the storm of the chaos spec: short by default, so it runs in
// every `make test`; CHAOS_LONG=1 (make test-resilience-long) runs the full
// storm of the issue.
func chaosSize() (stormSize, int) {
	if os.Getenv("CHAOS_LONG") == "1" {
		return stormSize{Roles: 8, Proposals: 200, Edits: 100, Duration: 2 * time.Minute}, 10
	}
	return stormSize{Roles: 3, Proposals: 40, Edits: 20, Duration: 20 * time.Second}, 3
}

var errSimulatedCrash = errors.New("simulated crash: the process died after the promotion write")

var _ = Describe("Chaos", func() {
	It("applies every accepted Proposal exactly once while the manager is killed and restarted mid-storm", func() {
		size, restarts := chaosSize()
		seed := uint64(GinkgoRandomSeed())
		By(fmt.Sprintf("a storm of %d Proposals and %d Role edits over %d Roles in %s, %d restarts (seed %d)",
			size.Proposals, size.Edits, size.Roles, size.Duration, restarts, seed))
		ns := newNamespace()

		// The manager runs with a seam after the promotion write: when
		// armed, it "dies" right there, the worst moment for exactly-once.
		var (
			mu      sync.Mutex
			current *runningManager
			armed   atomic.Bool
			crashed = make(chan struct{}, 1)
		)
		crashSeam := controller.Seams{AfterRoleWrite: func(ctx context.Context, _ *v1.Proposal) error {
			if armed.CompareAndSwap(true, false) {
				crashed <- struct{}{}
				<-ctx.Done()
				return errSimulatedCrash
			}
			return nil
		}}
		current = startManager(crashSeam, nil)
		DeferCleanup(func() {
			mu.Lock()
			defer mu.Unlock()
			if current != nil {
				current.stop()
			}
		})

		s := newStorm(ns, size, seed)
		rec := startRecorder(ns)
		ctx, cancel := context.WithCancel(suiteCtx)
		defer cancel()

		var kills []string
		var killer sync.WaitGroup
		killer.Go(func() {
			defer GinkgoRecover()
			rng := rand.New(rand.NewPCG(seed, 3))
			offsets := make([]time.Duration, restarts)
			for i := range offsets {
				offsets[i] = size.Duration/10 + time.Duration(rng.Int64N(int64(size.Duration*8/10)))
			}
			slices.Sort(offsets)
			start := time.Now()
			for i, at := range offsets {
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Until(start.Add(at))):
				}
				how := "at a random moment"
				if i%2 == 1 {
					// Every other kill waits for the next promotion and
					// kills between its Role write and its status writes.
					armed.Store(true)
					select {
					case <-crashed:
						how = "right after a promotion's Role write"
					case <-time.After(5 * time.Second):
						if !armed.CompareAndSwap(true, false) {
							<-crashed
							how = "right after a promotion's Role write"
						}
					}
				}
				mu.Lock()
				current.stop()
				current = nil
				mu.Unlock()
				time.Sleep(time.Duration(rng.Int64N(int64(500 * time.Millisecond))))
				mu.Lock()
				current = startManager(crashSeam, nil)
				mu.Unlock()
				kills = append(kills, fmt.Sprintf("%.1fs: %s", time.Since(start).Seconds(), how))
			}
		})
		s.blow(ctx)
		killer.Wait()
		Expect(kills).To(HaveLen(restarts))
		AddReportEntry("kills", kills)

		By("letting a healthy manager settle what the storm left")
		mu.Lock()
		current.stop()
		current = startManager(controller.Seams{}, nil)
		mu.Unlock()
		Eventually(s.settled).WithTimeout(4 * time.Minute).Should(BeEmpty())

		By("checking, version by version, that nothing was lost or doubled")
		report := expectConsistent(ns, rec.stop(ns), s.edits)
		AddReportEntry("chaos consistency", report.String())
		Expect(report.Edits).To(Equal(size.Edits), "every edit landed exactly once")
		Expect(report.Applied).To(BeNumerically(">", 0), "the storm promoted nothing: it proves nothing")
		Expect(report.Applied + report.Conflicted + report.Invalid + report.Open).To(Equal(size.Proposals))
		Expect(panics()).To(BeZero())
	})
})

// panics sums controller-runtime's reconcile panic counter over the
// operator's controllers.
func panics() float64 {
	GinkgoHelper()
	return counter("controller_runtime_reconcile_panics_total")
}

// reconciles sums controller-runtime's reconcile counter over the
// operator's controllers.
func reconciles() float64 {
	GinkgoHelper()
	return counter("controller_runtime_reconcile_total")
}

func counter(name string) float64 {
	GinkgoHelper()
	families, err := metrics.Registry.Gather()
	Expect(err).NotTo(HaveOccurred())
	total := 0.0
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "controller" && slices.Contains([]string{"role", "skillmatrix", "proposal"}, l.GetValue()) {
					total += m.GetCounter().GetValue()
				}
			}
		}
	}
	return total
}
