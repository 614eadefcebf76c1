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
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/promotion"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

var _ = Describe("A withdrawn Proposal", func() {
	var ns string
	BeforeEach(func() {
		ns = newNamespace()
		Expect(k8sClient.Create(suiteCtx, fixtureMatrix(ns, "m"))).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, fixtureRole(ns, "r", "m"))).To(Succeed())
		eventuallyReady(ns, "r")
	})

	It("is closed as Withdrawn, freezes its votes and is not promoted", func() {
		proposeProficiency(ns, "p", "kubernetes-core", "senior", "E", "V")
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseOpen))
		castVote(bob, ns, "p", v1.VoteApprove)

		By("alice withdrawing her Proposal")
		Expect(updateProposal(as(alice), client.ObjectKey{Namespace: ns, Name: "p"}, func(p *v1.Proposal) {
			p.Spec.Withdrawn = true
		})).To(Succeed())
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseWithdrawn))
		p := getProposal(ns, "p")
		Expect(p.Status.Message).To(Equal(`withdrawn by its author "alice" before it was accepted; it will not be promoted`))
		Expect(condition(p.Status.Conditions, v1.ConditionAccepted)).To(Equal("False/Withdrawn"))
		Expect(p.Status.ObservedGeneration).To(Equal(p.Generation))

		By("dave's vote, which would have been the second approval, arriving too late")
		err := updateProposal(as(dave), client.ObjectKey{Namespace: ns, Name: "p"}, func(p *v1.Proposal) {
			p.Spec.Votes = append(p.Spec.Votes, v1.Vote{Voter: dave, Decision: v1.VoteApprove, Groups: testenv.AuthenticatedGroups("engineers")})
		})
		Expect(err).To(MatchError(ContainSubstring(`is closed (phase Withdrawn)`)))

		role := &v1.Role{}
		Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: "r"}, role)).To(Succeed())
		Expect(promotion.HasMarker(role.Annotations, string(p.UID))).To(BeFalse())
		Expect(cellOf(role, "kubernetes-core", "senior").Proficiency).To(Equal(v1.ProficiencyID("E")))
	})
})
