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

package controller

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

func TestAuthorsAtLimit(t *testing.T) {
	p := func(author string, phase v1.ProposalPhase) v1.Proposal {
		return v1.Proposal{Spec: v1.ProposalSpec{Author: v1.Username(author)}, Status: v1.ProposalStatus{Phase: phase}}
	}
	deleting := p("carol", "")
	deleting.DeletionTimestamp = &metav1.Time{Time: time.Now()}
	list := []v1.Proposal{
		p("alice", ""), p("alice", v1.PhaseOpen), p("alice", v1.PhaseAccepted),
		p("bob", v1.PhaseOpen), p("bob", v1.PhaseApplied), p("bob", v1.PhaseWithdrawn), p("bob", v1.PhaseInvalid),
		p("carol", v1.PhaseCommitted), p("carol", v1.PhaseOpen), deleting,
		p("system:serviceaccount:ns:bot", ""), p("system:serviceaccount:ns:bot", v1.PhaseOpen), p("system:serviceaccount:ns:bot", ""),
		p("x\ny", ""), p("x\ny", ""), p("x\ny", ""),
	}
	if got := authorsAtLimit(list, 3); !slices.Equal(got, []string{"alice", "system:serviceaccount:ns:bot"}) {
		t.Errorf("limit 3: %q", got)
	}
	// bob's Invalid Proposal is closed (v1alpha1.ClosedPhases): it does not count.
	if got := authorsAtLimit(list, 2); !slices.Equal(got, []string{"alice", "carol", "system:serviceaccount:ns:bot"}) {
		t.Errorf("limit 2: %q", got)
	}
}

// limitsOf reads the namespace's per-author limits ConfigMap.
func limitsOf(ns string) func() string {
	return func() string {
		var cm corev1.ConfigMap
		if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: AuthorLimitConfigMap}, &cm); err != nil {
			return err.Error()
		}
		return cm.Data["atLimit"]
	}
}

var _ = Describe("The per-author limit of open Proposals (issue 25, attack 6)", func() {
	const limit = 5

	// burst creates n Proposals as alice with workers concurrent clients,
	// as fast as they go, and returns how many the API server let in.
	burst := func(ns, prefix string, n, workers int) int {
		var accepted atomic.Int32
		var wg sync.WaitGroup
		next := atomic.Int32{}
		for range workers {
			wg.Go(func() {
				defer GinkgoRecover()
				for {
					i := next.Add(1)
					if int(i) > n {
						return
					}
					err := as(alice).Create(suiteCtx, fixtureProposal(ns, fmt.Sprintf("%s-%d", prefix, i), "r1"))
					if err == nil {
						accepted.Add(1)
						continue
					}
					Expect(err.Error()).To(ContainSubstring(fmt.Sprintf("already has %d open proposals", limit)))
				}
			})
		}
		wg.Wait()
		return int(accepted.Load())
	}

	It("refuses an author's Proposal at the limit, not a colleague's, and measures how far a burst overshoots", func() {
		restartManager(Options{MaxOpenProposalsPerAuthor: limit})
		overshoots := make([]string, 0, 2)
		for _, workers := range []int{1, 8} {
			ns := newNamespace()
			started := time.Now()
			accepted := burst(ns, "flood", 40, workers)
			elapsed := time.Since(started)
			Eventually(limitsOf(ns)).Should(Equal("alice"))
			overshoots = append(overshoots, fmt.Sprintf("%d worker(s): %d of 40 created in %v, limit %d, overshoot %d",
				workers, accepted, elapsed.Round(time.Millisecond), limit, accepted-limit))
			Expect(accepted).To(BeNumerically(">=", limit))
			// The bound the docs state: the operator's one reconcile behind.
			Expect(accepted - limit).To(BeNumerically("<=", 30))

			By("refusing the next one once the count is written, with a message that says why")
			err := as(alice).Create(suiteCtx, fixtureProposal(ns, "one-more", "r1"))
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).To(ContainSubstring(fmt.Sprintf(`user "alice" already has %d open proposals in namespace "%s"`, limit, ns)))
			By("letting a colleague propose")
			colleague := fixtureProposal(ns, "bobs", "r1")
			colleague.Spec.Author = bob
			Expect(as(bob).Create(suiteCtx, colleague)).To(Succeed())

			By("letting alice propose again once her open Proposals are below the limit")
			var list v1.ProposalList
			Expect(k8sClient.List(suiteCtx, &list, client.InNamespace(ns))).To(Succeed())
			removed := 0
			for i := range list.Items {
				if list.Items[i].Spec.Author == alice && removed < accepted-limit+1 {
					Expect(k8sClient.Delete(suiteCtx, &list.Items[i])).To(Succeed())
					removed++
				}
			}
			Eventually(limitsOf(ns)).Should(BeEmpty())
			Eventually(func() error { return as(alice).Create(suiteCtx, fixtureProposal(ns, "again", "r1")) }).Should(Succeed())
		}
		AddReportEntry("per-author limit overshoot", strings.Join(overshoots, "; "))
		GinkgoWriter.Println("per-author limit overshoot:", strings.Join(overshoots, "; "))

		By("writing the counts for every namespace with Proposals, with nobody at the limit")
		ns := newNamespace()
		Expect(as(alice).Create(suiteCtx, fixtureProposal(ns, "one", "r1"))).To(Succeed())
		Eventually(limitsOf(ns)).Should(BeEmpty())
	})
})
