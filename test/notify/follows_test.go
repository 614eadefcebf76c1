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
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/controller"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/notify"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/mailpit"
)

var _ = Describe("Follows", func() {
	It("are created only in one's own name, deleted only by their owner or the one-click link of their mail", func() {
		mgr := startManager(controller.Seams{}, nil)
		DeferCleanup(func() { mgr.stop() })
		ns := newNamespace()
		framework(ns, governance(time.Hour, 0), "platform-engineer")
		createProvider(ns, "mail", v1.ProviderSMTP, nil)

		By("mallory cannot subscribe bob")
		forged := notify.NewFollow(ns, "platform-engineer", bob, notify.FollowOptions{})
		err := as(mallory).Create(suiteCtx, forged)
		Expect(apierrors.IsForbidden(err)).To(BeTrue(), "%v", err)
		Expect(err.Error()).To(ContainSubstring(
			`user "mallory" may follow only as themselves: spec.subscriber must be "mallory", not "bob"`))

		By("bob follows the Role himself")
		mine := notify.NewFollow(ns, "platform-engineer", bob, notify.FollowOptions{})
		Expect(as(bob).Create(suiteCtx, mine)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(mine), mine)).To(Succeed())
			g.Expect(ready(mine.Status.Conditions)).To(BeTrue(), "%+v", mine.Status.Conditions)
			g.Expect(mine.Status.UnsubscribeToken).To(HaveLen(64))
			g.Expect(mine.Status.Provider).To(Equal(v1.ObjectName("mail")))
		}).Should(Succeed())

		By("mallory can neither change nor delete it")
		changed := mine.DeepCopy()
		changed.Spec.Email = mailbox(ns, "mallory")
		err = as(mallory).Update(suiteCtx, changed)
		Expect(apierrors.IsForbidden(err)).To(BeTrue(), "%v", err)
		err = as(mallory).Delete(suiteCtx, mine)
		Expect(apierrors.IsForbidden(err)).To(BeTrue(), "%v", err)
		Expect(err.Error()).To(ContainSubstring(`only its subscriber (or the unsubscribe link of its mail) removes it`))

		By("a Proposal opens and is applied: bob's mail carries the one-click unsubscribe headers of RFC 8058")
		propose(ns, "raise", "platform-engineer", "Raise Kubernetes")
		opened := waitMail(mailbox(ns, "bob"), "New proposal for platform-engineer: Raise Kubernetes")
		headers, err := mail.Headers(suiteCtx, opened.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(headers["List-Unsubscribe-Post"]).To(Equal([]string{"List-Unsubscribe=One-Click"}))
		Expect(headers["List-Unsubscribe"]).To(HaveLen(1))
		link := strings.Trim(headers["List-Unsubscribe"][0], "<>")
		Expect(link).To(Equal(mgr.unsubscribe + "/unsubscribe/" + ns + "/" + mine.Name + "/" + mine.Status.UnsubscribeToken))
		body, err := mail.Message(suiteCtx, opened.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(body.Text).To(ContainSubstring("You get this because bob follows platform-engineer."))
		Expect(body.HTML).To(ContainSubstring(`href="` + link + `"`))

		vote(dave, ns, "raise", v1.VoteApprove, "")
		waitMail(mailbox(ns, "bob"), "Applied to platform-engineer: Raise Kubernetes")

		By("a wrong token changes nothing, a GET only asks, the POST a mail client sends unsubscribes")
		resp, err := http.PostForm(mgr.unsubscribe+"/unsubscribe/"+ns+"/"+mine.Name+"/"+strings.Repeat("0", 64),
			url.Values{"List-Unsubscribe": {"One-Click"}})
		Expect(err).NotTo(HaveOccurred())
		Expect(resp.StatusCode).To(Equal(http.StatusNotFound))
		_ = resp.Body.Close()
		resp, err = http.Get(link)
		Expect(err).NotTo(HaveOccurred())
		page, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(string(page)).To(ContainSubstring(`<form method="post">`))
		Expect(k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(mine), mine)).To(Succeed())
		resp, err = http.PostForm(link, url.Values{"List-Unsubscribe": {"One-Click"}})
		Expect(err).NotTo(HaveOccurred())
		_ = resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		err = k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(mine), mine)
		Expect(apierrors.IsNotFound(err)).To(BeTrue(), "%v", err)

		By("nothing more reaches bob; dave, who follows in Chinese, hears the next Proposal")
		theirs := notify.NewFollow(ns, "platform-engineer", dave, notify.FollowOptions{Locale: "zh-CN"})
		Expect(as(dave).Create(suiteCtx, theirs)).To(Succeed())
		Eventually(func() string {
			_ = k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(theirs), theirs)
			return theirs.Status.UnsubscribeToken
		}).ShouldNot(BeEmpty())
		proposeFocus(ns, "focus", "platform-engineer", "Raise Docker")
		waitMail(mailbox(ns, "dave"), "platform-engineer 有新提案：Raise Docker")
		Consistently(func() int { return len(mailTo(mailbox(ns, "bob"))) }, 2*time.Second).Should(Equal(2))

		By("dave deletes his own Follow")
		Expect(as(dave).Delete(suiteCtx, theirs)).To(Succeed())
	})

	It("refuses an address outside the provider's domains and says so on the Follow", func() {
		mgr := startManager(controller.Seams{}, nil)
		DeferCleanup(func() { mgr.stop() })
		ns := newNamespace()
		framework(ns, governance(time.Hour, 0), "platform-engineer")
		createProvider(ns, "mail", v1.ProviderSMTP, nil)
		f := notify.NewFollow(ns, "platform-engineer", carol, notify.FollowOptions{Email: "carol@elsewhere.example"})
		Expect(as(carol).Create(suiteCtx, f)).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(f), f)).To(Succeed())
			stalled := condition(f.Status.Conditions, v1.ConditionStalled)
			g.Expect(stalled).NotTo(BeNil())
			g.Expect(stalled.Reason).To(Equal(v1.ReasonAddressNotAllowed))
		}).Should(Succeed())
		// The Event is recorded asynchronously, after the status write.
		Eventually(func() []eventsv1.Event { return warnings(ns, f.Name, v1.ReasonAddressNotAllowed) }).ShouldNot(BeEmpty())
	})

	It("sends a daily digest at the follower's hour in their time zone", func() {
		shanghai, err := time.LoadLocation("Asia/Shanghai")
		Expect(err).NotTo(HaveOccurred())
		// The digest is due at the next full hour in Shanghai. Once two
		// Proposals wait in it, the manager's notifications run on a clock
		// moved to 20 seconds before that hour, so it falls due during the
		// spec. (The clock moves only then: the records compare it with the
		// API server's creation times, which assume clocks in sync.)
		var shift atomic.Int64
		clock := func() time.Time { return time.Now().Add(time.Duration(shift.Load())) }
		nextHour := time.Now().Add(2 * time.Minute).In(shanghai).Truncate(time.Hour).Add(time.Hour)
		mgr := startManager(controller.Seams{}, clock)
		DeferCleanup(func() { mgr.stop() })
		ns := newNamespace()
		framework(ns, governance(168*time.Hour, 0), "platform-engineer") // no reminder falls due
		createProvider(ns, "mail", v1.ProviderSMTP, nil)
		f := notify.NewFollow(ns, "platform-engineer", carol, notify.FollowOptions{
			Mode: v1.DeliveryDigest, Hour: new(int32(nextHour.Hour())), TimeZone: "Asia/Shanghai"})
		Expect(as(carol).Create(suiteCtx, f)).To(Succeed())
		Eventually(func() string {
			_ = k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(f), f)
			return f.Status.UnsubscribeToken
		}).ShouldNot(BeEmpty())

		proposeFocus(ns, "one", "platform-engineer", "First change")
		proposeFocus(ns, "two", "platform-engineer", "Second change")
		Eventually(func(g Gomega) {
			g.Expect(k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(f), f)).To(Succeed())
			g.Expect(f.Status.Outbox).NotTo(BeNil())
			g.Expect(f.Status.Outbox.Pending).To(HaveLen(2))
		}).Should(Succeed())
		Consistently(func() []mailpit.Summary { return mailTo(mailbox(ns, "carol")) }, 3*time.Second).
			Should(BeEmpty(), "nothing before the digest's hour")

		By("20 seconds before the hour, a third Proposal opens")
		shift.Store(int64(time.Until(nextHour.Add(-20 * time.Second))))
		proposeFocus(ns, "three", "platform-engineer", "Third change")
		digest := waitMail(mailbox(ns, "carol"), "3 updates on the career matrices of "+ns)
		// It came at the hour by the manager's clock, not before.
		Expect(digest.Created.Add(time.Duration(shift.Load()))).To(BeTemporally(">=", nextHour.Add(-time.Second)))
		Expect(mailTo(mailbox(ns, "carol"))).To(HaveLen(1))
		body, err := mail.Message(suiteCtx, digest.ID)
		Expect(err).NotTo(HaveOccurred())
		for _, title := range []string{"First change", "Second change", "Third change"} {
			Expect(body.Text).To(ContainSubstring("Opened: " + title + " (platform-engineer)"))
		}
		headers, err := mail.Headers(suiteCtx, digest.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(headers[notify.HeaderDigestOf]).To(HaveLen(1))
		Expect(strings.Split(headers[notify.HeaderDigestOf][0], ", ")).To(HaveLen(3))
		Expect(headers["List-Unsubscribe-Post"]).To(Equal([]string{"List-Unsubscribe=One-Click"}))
		Eventually(func(g Gomega) {
			g.Expect(k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(f), f)).To(Succeed())
			g.Expect(f.Status.Outbox.Pending).To(BeEmpty())
			g.Expect(f.Status.Outbox.LastDigest.Time).To(BeTemporally("==", nextHour))
		}).Should(Succeed())
	})
})
