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
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/controller"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/notify"
)

var _ = Describe("Channels", func() {
	var mgr *runningManager
	BeforeEach(func() {
		mgr = startManager(controller.Seams{}, nil)
		DeferCleanup(func() { mgr.stop() })
	})

	It("tells Slack, Teams, a signed webhook and email what happens to a Proposal, in their language", func() {
		ns := newNamespace()
		framework(ns, governance(time.Hour, 1), "platform-engineer")
		for name, kind := range map[string]v1.NotificationProviderType{
			"slack": v1.ProviderSlack, "teams": v1.ProviderMSTeams, "hook": v1.ProviderWebhook, "mail": v1.ProviderSMTP,
		} {
			createProvider(ns, name, kind, nil)
			createRule(ns, name, name, func(s *v1.NotificationRuleSpec) {
				if kind == v1.ProviderSMTP {
					s.Locale = "zh-CN"
					s.To = []string{mailbox(ns, "team")}
					s.Reviewers = []v1.Username{dave}
				}
			})
		}
		for _, name := range []string{"slack", "teams", "hook", "mail"} {
			ruleReady(ns, name)
		}

		By("a Proposal opens: every channel hears it; the category's owner and the rule's reviewer are asked to review")
		propose(ns, "raise-kubernetes", "platform-engineer", "Seniors run Kubernetes in production")
		waitDelivery(ns+"-slack", "New proposal for platform-engineer: Seniors run Kubernetes in production")
		waitDelivery(ns+"-teams", "New proposal for platform-engineer: Seniors run Kubernetes in production")
		opened := waitDelivery(ns+"-hook", "New proposal for platform-engineer")
		Expect(opened.ids).To(HaveLen(1))
		Expect(opened.id).To(Equal(opened.ids[0]))
		review := waitDelivery(ns+"-slack", "Review needed: Seniors run Kubernetes in production")
		Expect(review.text).To(ContainSubstring("Asked to review: carol.")) // the Slack rule names no reviewers
		Expect(review.text).To(ContainSubstring("Cloud & Infrastructure"))
		Expect(review.text).To(ContainSubstring(portalURL + "/ns/" + ns + "/proposals/raise-kubernetes"))

		team := waitMail(mailbox(ns, "team"), "platform-engineer 有新提案：Seniors run Kubernetes in production")
		waitMail(mailbox(ns, "carol"), "需要评审：Seniors run Kubernetes in production")
		waitMail(mailbox(ns, "dave"), "需要评审：Seniors run Kubernetes in production")
		headers, err := mail.Headers(suiteCtx, team.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(headers["Content-Language"]).To(Equal([]string{"zh-CN"}))
		Expect(headers[notify.HeaderDeliveryID]).To(HaveLen(1))
		Expect(headers["Message-Id"]).To(ConsistOf("<" + headers[notify.HeaderDeliveryID][0] + ".skillmatrix@example.com>"))
		Expect(headers["Auto-Submitted"]).To(Equal([]string{"auto-generated"}))
		body, err := mail.Message(suiteCtx, team.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(body.Text).To(ContainSubstring("alice 提议对 platform-engineer 做 1 项变更。"))
		Expect(body.Text).To(ContainSubstring("Seniors run it in production."))
		Expect(body.HTML).To(ContainSubstring(`lang="zh-CN"`))
		Expect(body.HTML).To(ContainSubstring(`href="` + portalURL + "/ns/" + ns + `/proposals/raise-kubernetes"`))

		By("it is accepted and applied: one message says both, with the reviewer's words")
		vote(bob, ns, "raise-kubernetes", v1.VoteApprove, "")
		review2 := "Matches what our seniors do."
		reviewAs(carol, ns, "raise-kubernetes", review2)
		Eventually(func() v1.ProposalPhase { return phaseOf(ns, "raise-kubernetes") }).Should(Equal(v1.PhaseApplied))
		applied := waitDelivery(ns+"-teams", "Applied to platform-engineer: Seniors run Kubernetes in production")
		Expect(applied.text).To(ContainSubstring(review2))
		waitDelivery(ns+"-slack", "Applied to platform-engineer")
		waitDelivery(ns+"-hook", "Applied to platform-engineer")
		waitMail(mailbox(ns, "team"), "已应用到 platform-engineer：Seniors run Kubernetes in production")

		By("nobody hears anything twice, and every payload had its documented shape and a valid signature")
		Consistently(func() int { return len(hooks.deliveries(ns + "-slack")) }, 3*time.Second).Should(Equal(3))
		Expect(hooks.deliveries(ns + "-teams")).To(HaveLen(3))
		Expect(hooks.deliveries(ns + "-hook")).To(HaveLen(3))
		Expect(mailTo(mailbox(ns, "team"))).To(HaveLen(3))
		Expect(mailTo(mailbox(ns, "carol"))).To(HaveLen(1))
		Expect(hooks.troubles()).To(BeEmpty())
		for _, name := range []string{"slack", "teams", "hook", "mail"} {
			r := getRule(ns, name)
			Expect(ready(r.Status.Conditions)).To(BeTrue())
			for _, ob := range r.Status.Outboxes {
				Expect(ob.Pending).To(BeEmpty(), "%s/%s", name, ob.Recipient)
			}
		}
	})

	It("shows what people wrote as text: escaped in HTML mail, plain text in Slack, TextRuns in Teams", func() {
		ns := newNamespace()
		framework(ns, governance(time.Hour, 0), "platform-engineer")
		createProvider(ns, "slack", v1.ProviderSlack, nil)
		createProvider(ns, "teams", v1.ProviderMSTeams, nil)
		createProvider(ns, "mail", v1.ProviderSMTP, nil)
		createRule(ns, "slack", "slack", nil)
		createRule(ns, "teams", "teams", nil)
		createRule(ns, "mail", "mail", func(s *v1.NotificationRuleSpec) { s.To = []string{mailbox(ns, "hostile")} })
		for _, name := range []string{"slack", "teams", "mail"} {
			ruleReady(ns, name)
		}
		const title = `<script>alert("t")</script> **bold** [click](https://evil.example) <!channel>`
		const comment = `<img src=x onerror=alert(1)> _it_ {{DATE(2017-02-14T06:00:00Z)}}`
		propose(ns, "hostile", "platform-engineer", title)
		vote(bob, ns, "hostile", v1.VoteApprove, comment)
		Eventually(func() v1.ProposalPhase { return phaseOf(ns, "hostile") }).Should(Equal(v1.PhaseApplied))

		slack := waitDelivery(ns+"-slack", "Applied to platform-engineer")
		Expect(slack.text).To(ContainSubstring(title))
		Expect(slack.text).To(ContainSubstring(comment))
		Expect(string(slack.body)).NotTo(ContainSubstring("<script>"))
		Expect(string(slack.body)).To(ContainSubstring(`"text":"Applied to platform-engineer: \u0026lt;script\u0026gt;`))
		teams := waitDelivery(ns+"-teams", "Applied to platform-engineer")
		Expect(teams.text).To(ContainSubstring(title))
		Expect(teams.text).To(ContainSubstring(comment))
		Expect(string(teams.body)).NotTo(ContainSubstring("<script>"))

		m := waitMail(mailbox(ns, "hostile"), "Applied to platform-engineer")
		Expect(m.Subject).To(Equal("Applied to platform-engineer: " + title))
		body, err := mail.Message(suiteCtx, m.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(body.HTML).NotTo(ContainSubstring("<script>"))
		Expect(body.HTML).NotTo(ContainSubstring("<img"))
		Expect(body.HTML).To(ContainSubstring("&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;"))
		Expect(body.HTML).To(ContainSubstring("&lt;img src=x onerror=alert(1)&gt;"))
		Expect(body.Text).To(ContainSubstring(comment))
		Expect(hooks.troubles()).To(BeEmpty())
	})

	It("reminds before the deadline and tells the expiry, waking at the due times", func() {
		ns := newNamespace()
		framework(ns, governance(24*time.Second, 1), "platform-engineer")
		createProvider(ns, "hook", v1.ProviderWebhook, nil)
		createRule(ns, "hook", "hook", nil)
		ruleReady(ns, "hook")
		p := propose(ns, "slow", "platform-engineer", "A vote nobody casts")
		// Half the 24s voting period: the reminder is due 12s after creation.
		d := waitDelivery(ns+"-hook", "Voting closes soon: A vote nobody casts")
		Expect(d.at).To(BeTemporally(">=", p.CreationTimestamp.Add(12*time.Second)))
		Expect(d.at).To(BeTemporally("<", p.CreationTimestamp.Add(20*time.Second)))
		expired := waitDelivery(ns+"-hook", "Expired: A vote nobody casts")
		Expect(expired.at).To(BeTemporally(">=", p.CreationTimestamp.Add(24*time.Second)))
		Expect(strings.Count(expired.text, "Expired")).To(BeNumerically(">=", 1))
		Expect(hooks.troubles()).To(BeEmpty())
	})
})

// reviewAs approves a Proposal as the expert user, with a comment.
func reviewAs(user, namespace, name, comment string) {
	GinkgoHelper()
	review(user, namespace, name, v1.ReviewApprove, comment)
}
