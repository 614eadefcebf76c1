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
	"io"
	"net/http"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// scrape fetches the manager's metrics endpoint and returns the value of
// every sample whose line starts with series (name and labels as exposed),
// summed; 0 when absent.
func scrape(series string) float64 {
	GinkgoHelper()
	resp, err := http.Get(metricsURL) //nolint:gosec // the test's own loopback endpoint
	Expect(err).NotTo(HaveOccurred())
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	total := 0.0
	for line := range strings.SplitSeq(string(body), "\n") {
		if !strings.HasPrefix(line, series) {
			continue
		}
		fields := strings.Fields(line)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		Expect(err).NotTo(HaveOccurred(), line)
		total += v
	}
	return total
}

var _ = Describe("Product metrics", func() {
	It("move when a proposal is applied, on the manager's metrics endpoint", func() {
		ns := newNamespace()
		Expect(k8sClient.Create(suiteCtx, fixtureMatrix(ns, "m"))).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, fixtureRole(ns, "r", "m"))).To(Succeed())
		eventuallyReady(ns, "r")

		applied := scrape(`skillmatrix_promotions_total{result="applied"}`)
		approvals := scrape(`skillmatrix_votes_counted_total{decision="Approve"}`)
		reviews := scrape(`skillmatrix_reviews_counted_total{decision="Approve"}`)
		renders := scrape("skillmatrix_render_duration_seconds_count")
		Expect(renders).To(BeNumerically(">", 0))
		Expect(scrape(`skillmatrix_rendered_bytes_count{format="matrix.html"}`)).To(BeNumerically(">", 0))

		proposeProficiency(ns, "p", "kubernetes-core", "senior", "E", "V")
		Eventually(func() float64 {
			return scrape(`skillmatrix_proposals{namespace="` + ns + `",phase="Open"}`)
		}).Should(Equal(1.0))

		castVote(bob, ns, "p", v1.VoteApprove)
		castVote(dave, ns, "p", v1.VoteApprove)
		castReview(carol, ns, "p", v1.ReviewApprove)
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseApplied))

		Eventually(func() float64 { return scrape(`skillmatrix_promotions_total{result="applied"}`) }).
			Should(Equal(applied + 1))
		Expect(scrape(`skillmatrix_votes_counted_total{decision="Approve"}`)).To(Equal(approvals + 2))
		Expect(scrape(`skillmatrix_reviews_counted_total{decision="Approve"}`)).To(Equal(reviews + 1))
		Expect(scrape(`skillmatrix_proposals{namespace="` + ns + `",phase="Applied"}`)).To(Equal(1.0))
		Eventually(func() float64 { return scrape("skillmatrix_render_duration_seconds_count") }).
			Should(BeNumerically(">", renders))
	})

	It("reports validation problems by kind while they exist", func() {
		ns := newNamespace()
		Expect(k8sClient.Create(suiteCtx, fixtureMatrix(ns, "m"))).To(Succeed())
		role := fixtureRole(ns, "r", "m")
		role.Spec.Skills[1].ID = "kubernetes-cor"
		before := scrape(`skillmatrix_validation_problems{kind="UnknownSkill",severity="Error"}`)
		Expect(k8sClient.Create(suiteCtx, role)).To(Succeed())
		Eventually(func() float64 {
			return scrape(`skillmatrix_validation_problems{kind="UnknownSkill",severity="Error"}`)
		}).Should(Equal(before + 1))

		Expect(k8sClient.Delete(suiteCtx, role)).To(Succeed())
		Eventually(func() float64 {
			return scrape(`skillmatrix_validation_problems{kind="UnknownSkill",severity="Error"}`)
		}).Should(Equal(before))
	})
})
