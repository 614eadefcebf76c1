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
	"math/rand/v2"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/controller"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// burstVoters is how many people vote in the chaos burst (issue 26).
const burstVoters = 200

// What a voter of the burst does after casting their approving ballot.
type voterPlan int

const (
	keepsVote      voterPlan = iota
	changesMind              // updates the ballot to Reject
	withdrawsVote            // deletes the ballot
	castsSecondOne           // casts a second ballot, Reject, under another name: the newer counts
)

var _ = Describe("A vote burst through manager restarts (issue 26)", func() {
	It("counts every ballot of 200 voters exactly once while the manager is killed and restarted mid-burst", func() {
		seed := uint64(GinkgoRandomSeed())
		rng := rand.New(rand.NewPCG(seed, 26))
		ns := newNamespace()
		By(fmt.Sprintf("%d voters, each their own identity, voting on one Proposal (seed %d)", burstVoters, seed))

		// The Proposal needs an expert review nobody gives: it stays Open
		// and every ballot counts in its tally.
		m := stormMatrix(ns)
		m.Spec.Governance.MinApprovals, m.Spec.Governance.RequiredReviews = new(int32(2)), new(int32(1))
		Expect(k8sClient.Create(suiteCtx, m)).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, stormRole(ns, "r0", rng))).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "engineers-vote"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "skillmatrix-voter"},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "engineers"}},
		})).To(Succeed())

		var (
			mu      sync.Mutex
			current = startManager(controller.Seams{}, nil)
		)
		DeferCleanup(func() {
			mu.Lock()
			defer mu.Unlock()
			if current != nil {
				current.stop()
			}
		})
		p := hostileProposal(ns, "burst")
		Expect(as(alice).Create(suiteCtx, p)).To(Succeed())
		Eventually(proposalPhase(ns, "burst")).Should(Equal(v1.PhaseOpen))

		voters := make([]client.Client, burstVoters)
		names := make([]string, burstVoters)
		plans := make([]voterPlan, burstVoters)
		for i := range voters {
			names[i] = fmt.Sprintf("voter-%03d", i)
			c := rest.CopyConfig(cfg)
			c.Impersonate = rest.ImpersonationConfig{UserName: names[i], Groups: []string{"engineers"}}
			c.QPS, c.Burst = -1, 0
			var err error
			voters[i], err = client.New(c, client.Options{Scheme: testScheme, Mapper: k8sClient.RESTMapper()})
			Expect(err).NotTo(HaveOccurred())
			plans[i] = voterPlan(rng.IntN(4))
		}
		Eventually(func() error {
			probe := ballotOf(ns, p, names[burstVoters-1], "probe", v1.BallotApprove)
			return voters[burstVoters-1].Create(suiteCtx, probe, client.DryRunAll)
		}).Should(Succeed())

		By("casting, changing, withdrawing and recasting over 6 seconds while the manager is killed twice")
		ctx, cancel := context.WithCancel(suiteCtx)
		defer cancel()
		const window = 6 * time.Second
		start := time.Now()
		var kills sync.WaitGroup
		kills.Go(func() {
			defer GinkgoRecover()
			for _, at := range []time.Duration{window / 3, 2 * window / 3} {
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Until(start.Add(at))):
				}
				mu.Lock()
				current.stop()
				current = nil
				mu.Unlock()
				time.Sleep(300 * time.Millisecond)
				mu.Lock()
				current = startManager(controller.Seams{}, nil)
				mu.Unlock()
			}
		})
		var wg sync.WaitGroup
		for i := range voters {
			delay := time.Duration(rng.Int64N(int64(window)))
			plan := plans[i]
			wg.Go(func() {
				defer GinkgoRecover()
				time.Sleep(time.Until(start.Add(delay)))
				first := ballotOf(ns, p, names[i], "", v1.BallotApprove)
				Expect(voters[i].Create(ctx, first)).To(Succeed(), names[i])
				switch plan {
				case changesMind:
					first.Spec.Decision = v1.BallotReject
					Expect(voters[i].Update(ctx, first)).To(Succeed(), names[i])
				case withdrawsVote:
					Expect(voters[i].Delete(ctx, first)).To(Succeed(), names[i])
				case castsSecondOne:
					// Creation times are whole seconds: the second is newer.
					time.Sleep(1100 * time.Millisecond)
					Expect(voters[i].Create(ctx, ballotOf(ns, p, names[i], "again", v1.BallotReject))).To(Succeed(), names[i])
				}
			})
		}
		wg.Wait()
		kills.Wait()

		want := v1.Tally{}
		superseded := 0
		for _, plan := range plans {
			switch plan {
			case keepsVote:
				want.Approvals++
			case changesMind:
				want.Rejections++
			case castsSecondOne:
				want.Rejections++
				superseded++
			}
		}
		By(fmt.Sprintf("a healthy manager settling: %d approving, %d rejecting, %d superseded",
			want.Approvals, want.Rejections, superseded))
		mu.Lock()
		current.stop()
		current = startManager(controller.Seams{}, nil)
		mu.Unlock()
		Eventually(func(g Gomega) {
			var live v1.Proposal
			g.Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: "burst"}, &live)).To(Succeed())
			g.Expect(live.Status.Tally).NotTo(BeNil())
			g.Expect(live.Status.Tally.Approvals).To(Equal(want.Approvals))
			g.Expect(live.Status.Tally.Rejections).To(Equal(want.Rejections))
			g.Expect(live.Status.UncountedTotal).To(BeEquivalentTo(superseded))
			g.Expect(live.Status.Phase).To(Equal(v1.PhaseOpen))
			g.Expect(live.Status.ObservedGeneration).To(Equal(live.Generation))
		}).WithTimeout(2 * time.Minute).Should(Succeed())
		var list v1.BallotList
		Expect(k8sClient.List(suiteCtx, &list, client.InNamespace(ns))).To(Succeed())
		AddReportEntry("ballot burst", fmt.Sprintf("%d ballots stored for %d voters; tally %d/%d; %d superseded",
			len(list.Items), burstVoters, want.Approvals, want.Rejections, superseded))
		Expect(list.Items).To(HaveLen(burstVoters - countPlans(plans, withdrawsVote) + superseded))
		Expect(panics()).To(BeZero())
	})
})

func countPlans(plans []voterPlan, want voterPlan) int {
	n := 0
	for _, p := range plans {
		if p == want {
			n++
		}
	}
	return n
}

// ballotOf is voter's vote on p, named as kubectl skillmatrix names it
// (with suffix, another name of theirs).
func ballotOf(ns string, p *v1.Proposal, voter, suffix string, decision v1.BallotDecision) *v1.Ballot {
	name := v1.BallotName(p.Name, v1.BallotKindVote, v1.Username(voter))
	if suffix != "" {
		name += "-" + suffix
	}
	return &v1.Ballot{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: v1.GroupVersion.String(), Kind: "Proposal",
				Name: p.Name, UID: p.UID}}},
		Spec: v1.BallotSpec{ProposalRef: v1.ObjectName(p.Name), RoleRef: p.Spec.RoleRef, Kind: v1.BallotKindVote,
			Voter: v1.Username(voter), Decision: decision, Groups: testenv.AuthenticatedGroups("engineers"),
			ProposalGeneration: 1},
	}
}
