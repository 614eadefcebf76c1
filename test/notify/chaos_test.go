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
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/controller"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/notify"
)

var errCrash = errors.New("simulated crash: the process died after sending, before recording")

// crashWindow tracks the deliveries between the start of their sending and
// the record of it: a crash may repeat exactly those.
type crashWindow struct {
	mu       sync.Mutex
	inflight map[string]int
	window   map[string]bool
	armed    atomic.Bool
	crashed  chan struct{}
	sends    atomic.Int64
}

func newCrashWindow() *crashWindow {
	return &crashWindow{inflight: map[string]int{}, window: map[string]bool{}, crashed: make(chan struct{}, 1)}
}

func (w *crashWindow) seams() controller.Seams {
	return controller.Seams{
		NotificationSending: func(ids []string) {
			w.mu.Lock()
			defer w.mu.Unlock()
			for _, id := range ids {
				w.inflight[id]++
			}
		},
		NotificationRecorded: func(ids []string) {
			w.mu.Lock()
			defer w.mu.Unlock()
			for _, id := range ids {
				delete(w.inflight, id)
			}
		},
		AfterNotificationSend: func(ctx context.Context, _ []string) error {
			w.sends.Add(1)
			if w.armed.CompareAndSwap(true, false) {
				w.crashed <- struct{}{}
				<-ctx.Done()
				return errCrash
			}
			return nil
		},
	}
}

// snapshot adds what is in flight at a crash to the window.
func (w *crashWindow) snapshot() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for id := range w.inflight {
		w.window[id] = true
	}
}

func (w *crashWindow) in(id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.window[id]
}

// chaosProposals is how many Proposals are decided at once (CHAOS_LONG=1:
// the 200, the default; NOTIFY_CHAOS_PROPOSALS overrides).
func chaosProposals() int {
	if n, err := strconv.Atoi(os.Getenv("NOTIFY_CHAOS_PROPOSALS")); err == nil && n > 0 {
		return n
	}
	return 200
}

var _ = Describe("Chaos", func() {
	It("delivers every decision of a burst of 200 once, or twice only inside the crash window, across two restarts",
		func() { chaos() })
})

// chaos is the spec: Proposals decided at once, deliveries checked against
// what the crash window allows.
func chaos() {
	n := chaosProposals()
	roles := []string{"role-a", "role-b", "role-c", "role-d"}
	ns := newNamespace()
	w := newCrashWindow()
	var mu sync.Mutex
	current := startManager(w.seams(), nil)
	DeferCleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		current.stop()
	})
	framework(ns, &v1.GovernancePolicy{MinApprovals: ptr.To[int32](1), ApprovalRatioPercent: ptr.To[int32](50),
		RequiredReviews: ptr.To[int32](0), VotingPeriod: &metav1.Duration{Duration: time.Hour}}, roles...)

	By("a signed webhook, a Slack channel and a team mailbox for every Role, and bob following each Role by email")
	kinds := map[string]v1.NotificationProviderType{
		"hook": v1.ProviderWebhook, "slack": v1.ProviderSlack, "mail": v1.ProviderSMTP}
	for name, kind := range kinds {
		// The defaults: a 5s window, digests past 3 messages, 10 messages a minute.
		createProvider(ns, name, kind, func(s *v1.NotificationProviderSpec) { s.Batching = nil })
		createRule(ns, name, name, func(s *v1.NotificationRuleSpec) {
			if kind == v1.ProviderSMTP {
				s.To = []string{mailbox(ns, "team")}
			}
		})
	}
	follows := map[string]*v1.Follow{}
	for _, r := range roles {
		f := notify.NewFollow(ns, r, bob, notify.FollowOptions{})
		Expect(as(bob).Create(suiteCtx, f)).To(Succeed())
		follows[r] = f
	}
	for _, name := range []string{"hook", "slack", "mail"} {
		ruleReady(ns, name)
	}
	for _, f := range follows {
		Eventually(func() string {
			_ = k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(f), f)
			return f.Status.UnsubscribeToken
		}).ShouldNot(BeEmpty())
	}

	By(fmt.Sprintf("alice opens %d Proposals", n))
	proposals := make([]*v1.Proposal, n)
	parallel(n, func(i int) {
		proposals[i] = proposeFocus(ns, fmt.Sprintf("chaos-%03d", i), roles[i%len(roles)],
			fmt.Sprintf("Chaos proposal %03d", i))
	})
	Eventually(func(g Gomega) {
		for _, p := range proposals {
			g.Expect(phaseOf(ns, p.Name)).To(Equal(v1.PhaseOpen), p.Name)
		}
	}, 3*time.Minute).Should(Succeed())
	settled(ns, follows)

	By(fmt.Sprintf("all %d are decided at once: half approved and applied, half withdrawn; "+
		"the manager dies twice mid-delivery", n))
	crashes := make(chan struct{})
	go func() {
		defer GinkgoRecover()
		defer close(crashes)
		for range 2 {
			w.armed.Store(true)
			select {
			case <-w.crashed:
			case <-time.After(3 * time.Minute):
				Fail("no delivery to crash in")
			}
			mu.Lock()
			w.snapshot()
			current.stop()
			current = startManager(w.seams(), nil)
			mu.Unlock()
		}
	}()
	decided := time.Now()
	parallel(n, func(i int) {
		p := proposals[i]
		if i%2 == 0 {
			vote(dave, ns, p.Name, v1.VoteApprove, "")
			return
		}
		Expect(as(alice).Patch(suiteCtx, &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: p.Name}},
			client.RawPatch(types.MergePatchType, []byte(`{"spec":{"withdrawn":true}}`)))).To(Succeed())
	})
	Eventually(func(g Gomega) {
		for i, p := range proposals {
			want := v1.PhaseWithdrawn
			if i%2 == 0 {
				want = v1.PhaseApplied
			}
			g.Expect(phaseOf(ns, p.Name)).To(Equal(want), p.Name)
		}
	}, 5*time.Minute).Should(Succeed())
	Eventually(crashes, 3*time.Minute).Should(BeClosed())
	settled(ns, follows)
	GinkgoWriter.Printf("decided and delivered in %s, %d sends\n", time.Since(decided).Round(time.Second), w.sends.Load())

	By("every recipient got each event, alone or listed in a digest; a repeat only inside the crash window")
	outcome := func(i int) string {
		if i%2 == 0 {
			return "/applied"
		}
		return "/decided"
	}
	hookRule := getRule(ns, "hook")
	mailRule := getRule(ns, "mail")
	report := map[string]string{}
	check := func(who string, received map[string]int, recipient func(p *v1.Proposal) string) {
		missing, repeats, outside := 0, 0, 0
		for i, p := range proposals {
			for _, what := range []string{"/opened", outcome(i)} {
				if received[notify.DeliveryID(recipient(p), string(p.UID)+what)] == 0 {
					missing++
				}
			}
		}
		for id, count := range received {
			if count > 1 {
				repeats += count - 1
				if !w.in(id) {
					outside++
				}
			}
		}
		report[who] = fmt.Sprintf("%d events received, %d repeated (all inside the crash window: %t)",
			len(received), repeats, outside == 0)
		Expect(missing).To(BeZero(), "%s misses %d events", who, missing)
		Expect(outside).To(BeZero(), "%s got %d repeats outside the crash window", who, outside)
	}
	check("webhook", webhookIDs(ns+"-hook"), func(*v1.Proposal) string { return string(hookRule.UID) + "/channel" })
	check("team mailbox", mailIDs(mailbox(ns, "team")),
		func(*v1.Proposal) string { return string(mailRule.UID) + "/channel" })
	check("bob's mailbox (a Follow of each Role)", mailIDs(mailbox(ns, "bob")),
		func(p *v1.Proposal) string { return string(follows[string(p.Spec.RoleRef)].UID) + "/follow" })
	slackText := ""
	for _, d := range hooks.deliveries(ns + "-slack") {
		slackText += d.text + "\n"
	}
	for i, p := range proposals {
		title := p.Spec.Title
		Expect(slackText).To(SatisfyAny(ContainSubstring("Opened: "+title), ContainSubstring(": "+title)), p.Name)
		label := "Withdrawn: " + title
		if i%2 == 0 {
			label = "Applied: " + title
		}
		single := "Applied to " + string(p.Spec.RoleRef) + ": " + title
		Expect(slackText).To(SatisfyAny(ContainSubstring(label), ContainSubstring(single)), p.Name)
	}
	Expect(hooks.troubles()).To(BeEmpty())
	Expect(len(hooks.deliveries(ns+"-slack"))).To(BeNumerically("<", n/2),
		"a burst arrives as digests, not one message each")
	for _, who := range slices.Sorted(maps.Keys(report)) {
		GinkgoWriter.Printf("%s: %s\n", who, report[who])
		AddReportEntry(who, report[who])
	}
}

// parallel runs f(0..n-1) on 8 goroutines.
func parallel(n int, f func(i int)) {
	GinkgoHelper()
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range 8 {
		wg.Go(func() {
			defer GinkgoRecover()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				f(i)
			}
		})
	}
	wg.Wait()
}

// settled waits until nothing is pending in the namespace's rules and Follows.
func settled(ns string, follows map[string]*v1.Follow) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		var rules v1.NotificationRuleList
		g.Expect(k8sClient.List(suiteCtx, &rules, client.InNamespace(ns))).To(Succeed())
		for _, r := range rules.Items {
			for _, ob := range r.Status.Outboxes {
				g.Expect(ob.Pending).To(BeEmpty(), "rule %s, %s", r.Name, ob.Recipient)
			}
		}
		for _, f := range follows {
			var live v1.Follow
			g.Expect(k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(f), &live)).To(Succeed())
			g.Expect(live.Status.Outbox).NotTo(BeNil())
			g.Expect(live.Status.Outbox.Pending).To(BeEmpty(), "follow %s", f.Name)
		}
	}, 5*time.Minute, time.Second).Should(Succeed())
	// Let a last batch window pass and check nothing new was recorded.
	Consistently(func(g Gomega) {
		var rules v1.NotificationRuleList
		g.Expect(k8sClient.List(suiteCtx, &rules, client.InNamespace(ns))).To(Succeed())
		for _, r := range rules.Items {
			for _, ob := range r.Status.Outboxes {
				g.Expect(ob.Pending).To(BeEmpty())
			}
		}
	}, 7*time.Second, time.Second).Should(Succeed())
}

// webhookIDs counts the event delivery ids a webhook channel received.
func webhookIDs(channel string) map[string]int {
	out := map[string]int{}
	for _, d := range hooks.deliveries(channel) {
		for _, id := range d.ids {
			out[id]++
		}
	}
	return out
}

// mailIDs counts the event delivery ids the mail to address carried: the
// delivery id of a single message, the listed ids of a digest.
func mailIDs(address string) map[string]int {
	GinkgoHelper()
	out := map[string]int{}
	for _, m := range mailTo(address) {
		h, err := mail.Headers(suiteCtx, m.ID)
		Expect(err).NotTo(HaveOccurred())
		if digest := h[notify.HeaderDigestOf]; len(digest) > 0 {
			for id := range strings.SplitSeq(strings.Join(strings.Fields(digest[0]), ""), ",") {
				out[id]++
			}
			continue
		}
		for _, id := range h[notify.HeaderDeliveryID] {
			out[id]++
		}
	}
	return out
}
