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
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	coordinationv1 "k8s.io/api/coordination/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/controller"
)

// maxTakeover bounds the hand-over after the leader dies without releasing
// its lease: the lease must expire (LeaseDuration after the follower last saw
// it renewed, which the leader did at most a RetryPeriod before dying), and
// the follower retries every RetryPeriod with client-go's jitter factor 1.2,
// so up to 2.2 RetryPeriods pass between its attempts. The bound allows one
// jittered period on each side, plus a second for a loaded machine.
const maxTakeover = leaseDuration + 2*retryPeriod*22/10 + time.Second

var _ = Describe("Leader election", func() {
	It("hands over within the lease when the leader dies mid-storm, and loses or doubles no write", func() {
		leaseNS := newNamespace()
		le := &leaderElection{id: "skillmatrix-resilience", namespace: leaseNS}
		first := startManager(controller.Seams{}, le)
		second := startManager(controller.Seams{}, le)
		stopped := map[*runningManager]bool{}
		DeferCleanup(func() {
			for _, m := range []*runningManager{first, second} {
				if !stopped[m] {
					m.stop()
				}
			}
		})

		By("finding the leader: exactly one of the two is elected")
		var leader, follower *runningManager
		Eventually(func() bool {
			select {
			case <-first.mgr.Elected():
				leader, follower = first, second
			case <-second.mgr.Elected():
				leader, follower = second, first
			default:
				return false
			}
			return true
		}).WithTimeout(3 * leaseDuration).Should(BeTrue())
		Consistently(follower.mgr.Elected()).WithTimeout(time.Second).ShouldNot(BeClosed())

		ns := newNamespace()
		seed := uint64(GinkgoRandomSeed())
		size := stormSize{Roles: 3, Proposals: 30, Edits: 10, Duration: 12 * time.Second}
		By(fmt.Sprintf("a storm of %d Proposals and %d edits (seed %d); the leader dies half-way",
			size.Proposals, size.Edits, seed))
		s := newStorm(ns, size, seed)
		rec := startRecorder(ns)
		ctx, cancel := context.WithCancel(suiteCtx)
		defer cancel()

		var takeover time.Duration
		done := make(chan struct{})
		go func() {
			defer GinkgoRecover()
			defer close(done)
			Eventually(func() int32 { return s.created.Load() }).WithTimeout(size.Duration * 2).
				Should(BeNumerically(">=", size.Proposals/2))
			killed := time.Now()
			leader.stop()
			stopped[leader] = true
			Eventually(follower.mgr.Elected()).WithTimeout(3 * leaseDuration).
				WithPolling(10 * time.Millisecond).Should(BeClosed())
			takeover = time.Since(killed)
		}()
		s.blow(ctx)
		<-done
		AddReportEntry("leader hand-over", takeover.String())
		Expect(takeover).To(BeNumerically("<=", maxTakeover), "the follower took over after %s", takeover)

		var lease coordinationv1.Lease
		Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: leaseNS, Name: le.id}, &lease)).To(Succeed())
		Expect(lease.Spec.HolderIdentity).NotTo(BeNil())

		Eventually(s.settled).WithTimeout(3 * time.Minute).Should(BeEmpty())
		report := expectConsistent(ns, rec.stop(ns), s.edits)
		AddReportEntry("leader election consistency", report.String())
		Expect(report.Edits).To(Equal(size.Edits))
		Expect(report.Applied).To(BeNumerically(">", 0))
		Expect(panics()).To(BeZero())
	})
})
