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

package shards

import (
	"context"
	"io"
	"net"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	ctrl "sigs.k8s.io/controller-runtime"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/portal"
)

var _ = Describe("The portal of a namespaced install", Ordered, func() {
	var base string

	BeforeAll(func() {
		// As team-a's portal ServiceAccount, with only the Roles the chart
		// renders for it in team-a's namespaces (portal.enabled, following
		// watchNamespaces): a cluster-wide cache could not even start.
		user := "system:serviceaccount:" + teamA.namespace + ":" + teamA.serviceAccount() + "-portal"
		mgr, err := ctrl.NewManager(impersonating(user, "system:serviceaccounts", "system:serviceaccounts:"+teamA.namespace),
			ctrl.Options{Scheme: testScheme, Cache: portal.CacheOptions(teamA.watched),
				Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0"})
		Expect(err).NotTo(HaveOccurred())
		listener, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		base = "http://" + listener.Addr().String()
		ctx, cancel := context.WithCancel(suiteCtx)
		_, err = portal.Setup(ctx, mgr, listener, portal.Options{Namespaces: teamA.watched})
		Expect(err).NotTo(HaveOccurred())
		done := make(chan struct{})
		go func() {
			defer GinkgoRecover()
			defer close(done)
			Expect(mgr.Start(ctx)).To(Succeed())
		}()
		DeferCleanup(func() { cancel(); <-done })
		Eventually(func() int { return status(base + "/readyz") }).WithTimeout(time.Minute).Should(Equal(http.StatusOK))
	})

	It("serves the Roles of the watched namespaces", func() {
		for _, ns := range teamA.watched {
			Eventually(func() int { return status(base + "/ns/" + ns + "/roles/" + sampleRole + "/") }).
				WithTimeout(time.Minute).Should(Equal(http.StatusOK), ns)
			Expect(body(base + "/ns/" + ns + "/")).To(ContainSubstring(sampleRole))
		}
	})

	It("shows nothing of other namespaces", func() {
		for _, ns := range append([]string{unwatched}, teamB.watched...) {
			Expect(status(base+"/ns/"+ns+"/roles/"+sampleRole+"/")).To(Equal(http.StatusNotFound), ns)
		}
		Expect(body(base + "/")).NotTo(ContainSubstring(teamB.watched[0]))
	})
})

func status(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

func body(url string) string {
	GinkgoHelper()
	resp, err := http.Get(url)
	Expect(err).NotTo(HaveOccurred())
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}
