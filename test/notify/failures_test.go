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

package notify

import (
	"encoding/json"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/controller"
)

// secrets are what no status, Event or log line may show.
var secrets = []string{"T0KEN-SECRET", hmacKey, "smtp-password"}

var _ = Describe("A failing channel", func() {
	var mgr *runningManager
	BeforeEach(func() {
		mgr = startManager(controller.Seams{}, nil)
		DeferCleanup(func() { mgr.stop() })
	})

	It("shows on a condition, a Warning Event and a metric, is retried, and holds no Proposal back", func() {
		ns := newNamespace()
		framework(ns, governance(time.Hour, 0), "platform-engineer")
		createProvider(ns, "hook", v1.ProviderWebhook, nil)
		createRule(ns, "hook", "hook", nil)
		ruleReady(ns, "hook")
		channel := ns + "-hook"
		hooks.fail(channel, http.StatusServiceUnavailable)
		failed := map[string]string{"type": "Webhook", "reason": v1.ReasonDeliveryFailed}
		before := counter("skillmatrix_notification_failures_total", failed)

		By("the receiver answers 503: the rule is Reconciling with DeliveryFailed, the provider too")
		propose(ns, "raise", "platform-engineer", "Raise Kubernetes")
		Eventually(func(g Gomega) {
			r := getRule(ns, "hook")
			c := condition(r.Status.Conditions, v1.ConditionReady)
			g.Expect(c).NotTo(BeNil())
			g.Expect(c.Status).To(Equal(metav1.ConditionFalse))
			g.Expect(c.Reason).To(Equal(v1.ReasonDeliveryFailed))
			g.Expect(condition(r.Status.Conditions, v1.ConditionReconciling)).NotTo(BeNil())
			g.Expect(condition(r.Status.Conditions, v1.ConditionStalled)).To(BeNil())
		}).Should(Succeed())
		Eventually(func(g Gomega) {
			var p v1.NotificationProvider
			g.Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: "hook"}, &p)).To(Succeed())
			g.Expect(condition(p.Status.Conditions, v1.ConditionReady).Reason).To(Equal(v1.ReasonDeliveryFailed))
			g.Expect(p.Status.LastFailure).NotTo(BeNil())
		}).Should(Succeed())
		Eventually(func() int { return len(warnings(ns, "hook", v1.ReasonDeliveryFailed)) }).Should(BeNumerically(">=", 1))
		Expect(counter("skillmatrix_notification_failures_total", failed)).To(BeNumerically(">", before))
		hookProvider := map[string]string{"namespace": ns, "provider": "hook"}
		Expect(counter("skillmatrix_notification_provider_failing", hookProvider)).To(Equal(1.0))

		By("governance goes on: the Proposal is applied meanwhile")
		vote(bob, ns, "raise", v1.VoteApprove, "")
		Eventually(func() v1.ProposalPhase { return phaseOf(ns, "raise") }).Should(Equal(v1.PhaseApplied))

		By("the receiver is back: the retry delivers both events, and the rule is Ready again")
		hooks.fail(channel, 0)
		waitDelivery(channel, "New proposal for platform-engineer: Raise Kubernetes")
		waitDelivery(channel, "Applied to platform-engineer: Raise Kubernetes")
		Eventually(func(g Gomega) {
			r := getRule(ns, "hook")
			g.Expect(ready(r.Status.Conditions)).To(BeTrue())
			g.Expect(r.Status.Outboxes[0].Pending).To(BeEmpty())
			g.Expect(r.Status.Outboxes[0].Failures).To(BeZero())
		}).Should(Succeed())
		Expect(counter("skillmatrix_notification_provider_failing", hookProvider)).To(Equal(0.0))
		Expect(hooks.troubles()).To(BeEmpty())
	})

	It("stalls on a refusal or a missing Secret, and shows no secret anywhere", func() {
		ns := newNamespace()
		framework(ns, governance(time.Hour, 0), "platform-engineer")
		createProvider(ns, "slack", v1.ProviderSlack, nil)
		createRule(ns, "slack", "slack", nil)
		ruleReady(ns, "slack")
		hooks.fail(ns+"-slack", http.StatusNotFound) // a revoked Slack webhook

		Expect(k8sClient.Create(suiteCtx, &v1.NotificationProvider{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "teams"},
			Spec: v1.NotificationProviderSpec{Type: v1.ProviderMSTeams,
				SecretRef: &v1.SecretReference{Name: "no-such-secret"}},
		})).To(Succeed())
		createRule(ns, "teams", "teams", nil)

		propose(ns, "raise", "platform-engineer", "Raise Kubernetes")
		for name, reason := range map[string]string{"slack": v1.ReasonDeliveryRefused, "teams": v1.ReasonSecretNotFound} {
			Eventually(func(g Gomega) {
				r := getRule(ns, name)
				stalled := condition(r.Status.Conditions, v1.ConditionStalled)
				g.Expect(stalled).NotTo(BeNil(), "%+v", r.Status.Conditions)
				g.Expect(stalled.Reason).To(Equal(reason))
			}).Should(Succeed())
			Eventually(func() int { return len(warnings(ns, name, reason)) }).Should(BeNumerically(">=", 1))
		}
		Eventually(func(g Gomega) {
			var p v1.NotificationProvider
			g.Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: "teams"}, &p)).To(Succeed())
			g.Expect(condition(p.Status.Conditions, v1.ConditionStalled).Reason).To(Equal(v1.ReasonSecretNotFound))
		}).Should(Succeed())

		By("no status, Event or log line shows the webhook's token, the HMAC key or a password")
		var rules v1.NotificationRuleList
		var providers v1.NotificationProviderList
		Expect(k8sClient.List(suiteCtx, &rules, client.InNamespace(ns))).To(Succeed())
		Expect(k8sClient.List(suiteCtx, &providers, client.InNamespace(ns))).To(Succeed())
		statuses, err := json.Marshal([]any{rules.Items, providers.Items, warnings(ns, "slack", v1.ReasonDeliveryRefused)})
		Expect(err).NotTo(HaveOccurred())
		for _, s := range secrets {
			Expect(string(statuses)).NotTo(ContainSubstring(s))
			Expect(logs.String()).NotTo(ContainSubstring(s))
		}
		hooks.fail(ns+"-slack", 0)
	})
})
