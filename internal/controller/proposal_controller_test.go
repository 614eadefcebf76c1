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
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	dto "github.com/prometheus/client_model/go"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	skillmetrics "github.com/skillmatrix-dev/skillmatrix-operator/internal/metrics"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/promotion"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

func castVote(user, ns, name string, decision v1.VoteDecision) {
	GinkgoHelper()
	Expect(updateProposal(as(user), client.ObjectKey{Namespace: ns, Name: name}, func(p *v1.Proposal) {
		p.Spec.Votes = append(p.Spec.Votes, v1.Vote{Voter: v1.Username(user), Decision: decision, Groups: testenv.AuthenticatedGroups("engineers")})
	})).To(Succeed())
}

func castReview(user, ns, name string, decision v1.ReviewDecision) {
	GinkgoHelper()
	Expect(updateProposal(as(user), client.ObjectKey{Namespace: ns, Name: name}, func(p *v1.Proposal) {
		p.Spec.Reviews = append(p.Spec.Reviews, v1.Review{Reviewer: v1.Username(user), Decision: decision, Groups: testenv.AuthenticatedGroups("engineers")})
	})).To(Succeed())
}

func getProposal(ns, name string) *v1.Proposal {
	GinkgoHelper()
	var p v1.Proposal
	Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name}, &p)).To(Succeed())
	return &p
}

// tallyOf is the Proposal's tally, zero until the operator first wrote it.
func tallyOf(ns, name string) v1.Tally {
	if t := getProposal(ns, name).Status.Tally; t != nil {
		return *t
	}
	return v1.Tally{}
}

func proposalPhase(ns, name string) func() v1.ProposalPhase {
	return func() v1.ProposalPhase {
		var p v1.Proposal
		if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name}, &p); err != nil {
			return v1.ProposalPhase(err.Error())
		}
		return p.Status.Phase
	}
}

func cellOf(role *v1.Role, skill, level v1.ID) v1.Cell {
	if c := role.Spec.Cell(skill, level); c != nil {
		return *c
	}
	return v1.Cell{}
}

// proposeProficiency creates, as alice, a Proposal setting skill@level.
func proposeProficiency(ns, name string, skill, level v1.ID, from, to v1.ProficiencyID) {
	GinkgoHelper()
	p := fixtureProposal(ns, name, "r")
	p.Spec.Title = "Set " + string(skill) + " at " + string(level) + " to " + string(to)
	p.Spec.Changes = []v1.Change{{Op: v1.OpSetProficiency, Skill: skill, Level: level, Proficiency: to,
		From: &v1.ChangeValue{Proficiency: from}}}
	Expect(as(alice).Create(suiteCtx, p)).To(Succeed())
}

// reconcilesOf reads controller-runtime's reconcile counter for a controller.
func reconcilesOf(controller string) float64 {
	GinkgoHelper()
	families, err := metrics.Registry.Gather()
	Expect(err).NotTo(HaveOccurred())
	total := 0.0
	for _, f := range families {
		if f.GetName() != "controller_runtime_reconcile_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "controller" && l.GetValue() == controller {
					total += m.GetCounter().GetValue()
				}
			}
		}
	}
	return total
}

// rendersOf is how many Role matrices this process rendered.
func rendersOf() uint64 {
	GinkgoHelper()
	var m dto.Metric
	Expect(skillmetrics.RenderDuration.Write(&m)).To(Succeed())
	return m.GetHistogram().GetSampleCount()
}

var _ = Describe("Proposal controller", func() {
	var ns string
	BeforeEach(func() {
		ns = newNamespace()
		Expect(k8sClient.Create(suiteCtx, fixtureMatrix(ns, "m"))).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, fixtureRole(ns, "r", "m"))).To(Succeed())
		eventuallyReady(ns, "r")
	})

	It("promotes a proposal once votes and an expert review accept it, and republishes the matrix", func() {
		proposeProficiency(ns, "p", "kubernetes-core", "senior", "E", "V")
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseOpen))
		open := getProposal(ns, "p")
		Expect(open.Status.Deadline).NotTo(BeNil())
		Expect(condition(open.Status.Conditions, v1.ConditionAccepted)).To(Equal("False/AwaitingVotes"))
		Expect(open.Status.Message).To(ContainSubstring("2 more approving votes"))

		castVote(bob, ns, "p", v1.VoteApprove)
		castReview(carol, ns, "p", v1.ReviewApprove)
		Eventually(func() v1.Tally { return tallyOf(ns, "p") }).Should(HaveField("ReviewApprovals", BeEquivalentTo(1)))
		Expect(getProposal(ns, "p").Status.Phase).To(Equal(v1.PhaseOpen))

		decidingVote := time.Now()
		castVote(dave, ns, "p", v1.VoteApprove)
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseApplied))
		Eventually(func() string {
			cm, err := getConfigMap(ns, "r-matrix")
			if err != nil {
				return err.Error()
			}
			return cm.Data["matrix.md"]
		}).Should(ContainSubstring("Set kubernetes-core at senior to V"))
		AddReportEntry("deciding vote to republished changelog", time.Since(decidingVote).String())

		p := getProposal(ns, "p")
		role := getRole(ns, "r")
		Expect(cellOf(role, "kubernetes-core", "senior").Proficiency).To(BeEquivalentTo("V"))
		Expect(p.Status.AppliedRoleGeneration).To(Equal(role.Generation))
		Expect(condition(p.Status.Conditions, v1.ConditionApplied)).To(Equal("True/Applied"))
		Expect(role.Status.History).To(HaveLen(1))
		Expect(role.Status.History[0].UID).To(Equal(string(p.UID)))
		Expect(promotion.HasMarker(role.Annotations, string(p.UID))).To(BeTrue())

		By("writing the cell under the skillmatrix-proposals field manager, with server-side apply")
		var owned string
		for _, mf := range role.ManagedFields {
			if mf.Manager == promotion.FieldManager && mf.Operation == metav1.ManagedFieldsOperationApply {
				owned = mf.FieldsV1.GetRawString()
			}
		}
		Expect(owned).To(ContainSubstring(`"k:{\"id\":\"kubernetes-core\"}"`))
		Expect(owned).To(ContainSubstring(`"k:{\"level\":\"senior\"}":{".":{},"f:level":{},"f:proficiency":{}}`))
		Expect(owned).NotTo(ContainSubstring(`"k:{\"id\":\"docker\"}"`))
	})

	It("renders a promoted Role once: the reconcile its own status write starts has nothing new to render", func() {
		proposeProficiency(ns, "p", "kubernetes-core", "senior", "E", "V")
		castVote(bob, ns, "p", v1.VoteApprove)
		castReview(carol, ns, "p", v1.ReviewApprove)
		Eventually(func() v1.Tally { return tallyOf(ns, "p") }).Should(HaveField("ReviewApprovals", BeEquivalentTo(1)))
		before := rendersOf()
		castVote(dave, ns, "p", v1.VoteApprove)
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseApplied))
		Expect(getRole(ns, "r").Status.History).To(HaveLen(1))
		// The promotion's reconcile renders the new spec and history; the
		// one its status write starts finds the same inputs published.
		Consistently(rendersOf).WithTimeout(3 * time.Second).Should(Equal(before + 1))

		By("still repairing a hand edit made after that")
		cm, err := getConfigMap(ns, "r-matrix")
		Expect(err).NotTo(HaveOccurred())
		want := cm.Data["matrix.md"]
		cm.Data["matrix.md"] = "# vandalised\n"
		Expect(k8sClient.Update(suiteCtx, cm)).To(Succeed())
		Eventually(func() string {
			cm, _ := getConfigMap(ns, "r-matrix")
			return cm.Data["matrix.md"]
		}).Should(Equal(want))
	})

	It("keeps earlier promoted fields when a later proposal is applied", func() {
		proposeProficiency(ns, "first", "docker", "senior", "V", "E")
		for _, u := range []string{bob, dave} {
			castVote(u, ns, "first", v1.VoteApprove)
		}
		castReview(carol, ns, "first", v1.ReviewApprove)
		Eventually(proposalPhase(ns, "first")).Should(Equal(v1.PhaseApplied))

		proposeProficiency(ns, "second", "kubernetes-core", "junior", "A", "W")
		for _, u := range []string{bob, dave} {
			castVote(u, ns, "second", v1.VoteApprove)
		}
		castReview(carol, ns, "second", v1.ReviewApprove)
		Eventually(proposalPhase(ns, "second")).Should(Equal(v1.PhaseApplied))

		role := getRole(ns, "r")
		Expect(cellOf(role, "docker", "senior").Proficiency).To(BeEquivalentTo("E"))
		Expect(cellOf(role, "kubernetes-core", "junior").Proficiency).To(BeEquivalentTo("W"))
		Expect(role.Status.History).To(HaveLen(2))
	})

	It("removes a skill in one write and records it", func() {
		p := fixtureProposal(ns, "remove", "r")
		p.Spec.Title = "Drop Docker"
		p.Spec.Changes = []v1.Change{{Op: v1.OpRemoveSkill, Skill: "docker"}}
		Expect(as(alice).Create(suiteCtx, p)).To(Succeed())
		castVote(bob, ns, "remove", v1.VoteApprove)
		castVote(dave, ns, "remove", v1.VoteApprove)
		castReview(carol, ns, "remove", v1.ReviewApprove)
		Eventually(proposalPhase(ns, "remove")).Should(Equal(v1.PhaseApplied))
		role := getRole(ns, "r")
		Expect(role.Spec.Skills).To(HaveLen(1))
		Expect(role.Spec.Skills[0].ID).To(BeEquivalentTo("kubernetes-core"))
		Expect(promotion.HasMarker(role.Annotations, string(getProposal(ns, "remove").UID))).To(BeTrue())
		eventuallyReady(ns, "r")
	})

	It("applies one of two proposals changing the same cell from the same value and marks the other Conflicted", func() {
		proposeProficiency(ns, "to-v", "kubernetes-core", "senior", "E", "V")
		proposeProficiency(ns, "to-w", "kubernetes-core", "senior", "E", "W")
		for _, name := range []string{"to-v", "to-w"} {
			castVote(bob, ns, name, v1.VoteApprove)
			castReview(carol, ns, name, v1.ReviewApprove)
		}
		// The deciding votes land together, while no manager runs; whichever
		// is promoted first wins. With a manager running, the first
		// promotion can close the rival as Conflicted before the rival's vote
		// arrives, and admission refuses a vote on a closed Proposal.
		stopMgr()
		castVote(dave, ns, "to-v", v1.VoteApprove)
		castVote(dave, ns, "to-w", v1.VoteApprove)
		stopMgr = startManager(Options{})

		Eventually(func() []v1.ProposalPhase {
			return []v1.ProposalPhase{proposalPhase(ns, "to-v")(), proposalPhase(ns, "to-w")()}
		}).Should(ConsistOf(v1.PhaseApplied, v1.PhaseConflicted))

		winner, loser := "to-v", "to-w"
		if proposalPhase(ns, "to-w")() == v1.PhaseApplied {
			winner, loser = loser, winner
		}
		role := getRole(ns, "r")
		want := getProposal(ns, winner).Spec.Changes[0].Proficiency
		Expect(cellOf(role, "kubernetes-core", "senior").Proficiency).To(Equal(want))
		Expect(role.Status.History).To(HaveLen(1))
		lost := getProposal(ns, loser)
		Expect(lost.Status.Message).To(ContainSubstring("nothing was changed"))
		Expect(promotion.HasMarker(role.Annotations, string(lost.UID))).To(BeFalse())
	})

	It("reports invalid changes with a message", func() {
		p := fixtureProposal(ns, "bad", "r")
		p.Spec.Changes = []v1.Change{
			{Op: v1.OpSetProficiency, Skill: "kubernetes-cor", Level: "senior", Proficiency: "V"},
			{Op: v1.OpAddSkill, Skill: "docker", Cells: []v1.Cell{{Level: "junior", Proficiency: "A"}}},
			{Op: v1.OpSetProficiency, Skill: "docker", Level: "junior", Proficiency: "A"},
		}
		Expect(as(alice).Create(suiteCtx, p)).To(Succeed())
		Eventually(proposalPhase(ns, "bad")).Should(Equal(v1.PhaseInvalid))
		msg := meta.FindStatusCondition(getProposal(ns, "bad").Status.Conditions, v1.ConditionValid).Message
		Expect(msg).To(ContainSubstring(`"kubernetes-cor"`))
		Expect(msg).To(ContainSubstring("kubernetes-core"))
		Expect(msg).To(ContainSubstring("spec.changes[1]"))
		Expect(msg).To(ContainSubstring("spec.changes[2]"))
	})
})

var _ = Describe("Proposal deadlines", func() {
	var ns string
	BeforeEach(func() {
		ns = newNamespace()
		m := fixtureMatrix(ns, "m")
		m.Spec.Governance.VotingPeriod = &metav1.Duration{Duration: 6 * time.Second}
		Expect(k8sClient.Create(suiteCtx, m)).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, fixtureRole(ns, "r", "m"))).To(Succeed())
		eventuallyReady(ns, "r")
	})

	It("rejects a proposal at the deadline when an expert's RequestChanges stands", func() {
		proposeProficiency(ns, "p", "kubernetes-core", "senior", "E", "V")
		castVote(bob, ns, "p", v1.VoteApprove)
		castVote(dave, ns, "p", v1.VoteApprove)
		castReview(carol, ns, "p", v1.ReviewRequestChanges)
		Eventually(func() string {
			return condition(getProposal(ns, "p").Status.Conditions, v1.ConditionAccepted)
		}).Should(Equal("False/ChangesRequested"))
		Expect(getProposal(ns, "p").Status.Phase).To(Equal(v1.PhaseOpen))

		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseRejected))
		p := getProposal(ns, "p")
		Expect(time.Now()).To(BeTemporally(">=", p.Status.Deadline.Time))
		Expect(cellOf(getRole(ns, "r"), "kubernetes-core", "senior").Proficiency).To(BeEquivalentTo("E"))
	})

	It("expires a proposal without quorum at the deadline, woken by RequeueAfter rather than polling", func() {
		proposeProficiency(ns, "p", "kubernetes-core", "senior", "E", "V")
		castVote(bob, ns, "p", v1.VoteApprove)
		Eventually(func() v1.Tally { return tallyOf(ns, "p") }).Should(HaveField("Approvals", BeEquivalentTo(1)))
		openVersion := getProposal(ns, "p").ResourceVersion
		before := reconcilesOf("proposal")

		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseExpired))
		p := getProposal(ns, "p")
		Expect(condition(p.Status.Conditions, v1.ConditionAccepted)).To(Equal("False/DeadlinePassed"))
		Expect(p.Status.Message).To(ContainSubstring("without quorum"))
		// Between the last vote and the expiry: one wake-up at the deadline
		// and the write it made, no periodic re-checks.
		Expect(reconcilesOf("proposal") - before).To(BeNumerically("<=", 2))
		Expect(p.ResourceVersion).NotTo(Equal(openVersion))
	})
})

var _ = Describe("Promotion crash safety", Ordered, func() {
	It("applies a change exactly once when the manager dies between the Role write and the status writes", func() {
		ns := newNamespace()
		Expect(k8sClient.Create(suiteCtx, fixtureMatrix(ns, "m"))).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, fixtureRole(ns, "r", "m"))).To(Succeed())
		eventuallyReady(ns, "r")

		By("running a manager that crashes right after the promotion write")
		stopMgr()
		crashed := make(chan struct{})
		errCrash := errors.New("simulated crash")
		stopMgr = startManager(Options{}, Seams{AfterRoleWrite: func(ctx context.Context, p *v1.Proposal) error {
			close(crashed)
			<-ctx.Done()
			return errCrash
		}})

		proposeProficiency(ns, "p", "kubernetes-core", "senior", "E", "V")
		castVote(bob, ns, "p", v1.VoteApprove)
		castReview(carol, ns, "p", v1.ReviewApprove)
		castVote(dave, ns, "p", v1.VoteApprove)
		Eventually(crashed).Should(BeClosed())
		stopMgr()

		role := getRole(ns, "r")
		p := getProposal(ns, "p")
		Expect(cellOf(role, "kubernetes-core", "senior").Proficiency).To(BeEquivalentTo("V"))
		Expect(promotion.HasMarker(role.Annotations, string(p.UID))).To(BeTrue())
		// The Role controller records the promotion from the marker, and may
		// have done so before the crash; the Proposal's own record may not.
		Expect(len(role.Status.History)).To(BeNumerically("<=", 1))
		Expect(p.Status.Phase).NotTo(Equal(v1.PhaseApplied))
		generationAfterWrite := role.Generation

		By("restarting a healthy manager")
		stopMgr = startManager(Options{})
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseApplied))
		role = getRole(ns, "r")
		Expect(role.Generation).To(Equal(generationAfterWrite), "the change was written again")
		Expect(role.Status.History).To(HaveLen(1))
		Expect(role.Status.History[0].UID).To(Equal(string(p.UID)))
		Expect(cellOf(role, "kubernetes-core", "senior").Proficiency).To(BeEquivalentTo("V"))
		Expect(getProposal(ns, "p").Status.AppliedRoleGeneration).To(Equal(generationAfterWrite))
		Eventually(func() int {
			cm, err := getConfigMap(ns, "r-matrix")
			if err != nil {
				return -1
			}
			return strings.Count(cm.Data["matrix.md"], "Set kubernetes-core at senior to V")
		}).Should(Equal(1))
	})
})

var _ = Describe("Promotion record after a crash and a deleted Proposal", Ordered, func() {
	It("records the Role change in the history even when the Proposal is deleted before the record", func() {
		ns := newNamespace()
		Expect(k8sClient.Create(suiteCtx, fixtureMatrix(ns, "m"))).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, fixtureRole(ns, "r", "m"))).To(Succeed())
		eventuallyReady(ns, "r")

		By("crashing right after the promotion write")
		stopMgr()
		crashed := make(chan struct{})
		stopMgr = startManager(Options{}, Seams{AfterRoleWrite: func(ctx context.Context, _ *v1.Proposal) error {
			close(crashed)
			<-ctx.Done()
			return ctx.Err()
		}})
		proposeProficiency(ns, "p", "kubernetes-core", "senior", "E", "V")
		castVote(bob, ns, "p", v1.VoteApprove)
		castReview(carol, ns, "p", v1.ReviewApprove)
		castVote(dave, ns, "p", v1.VoteApprove)
		Eventually(crashed).Should(BeClosed())
		stopMgr()
		uid := string(getProposal(ns, "p").UID)
		Expect(promotion.HasMarker(getRole(ns, "r").Annotations, uid)).To(BeTrue())

		By("deleting the Proposal before any manager runs again")
		Expect(k8sClient.Delete(suiteCtx, getProposal(ns, "p"))).To(Succeed())
		stopMgr = startManager(Options{})

		Eventually(func() []string {
			history := getRole(ns, "r").Status.History
			uids := make([]string, 0, len(history))
			for _, h := range history {
				uids = append(uids, h.UID)
			}
			return uids
		}).Should(ContainElement(uid))
		role := getRole(ns, "r")
		Expect(role.Status.History).To(HaveLen(1))
		Expect(string(role.Status.History[0].Name)).To(BeElementOf(deletedProposalName, "p"))
		Expect(cellOf(role, "kubernetes-core", "senior").Proficiency).To(BeEquivalentTo("V"))
	})
})

var _ = Describe("Promotion batching", Ordered, func() {
	It("promotes the accepted Proposals of one Role in fewer writes, each exactly once, and leaves a conflicting one Conflicted", func() {
		ns := newNamespace()
		Expect(k8sClient.Create(suiteCtx, fixtureMatrix(ns, "m"))).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, fixtureRole(ns, "r", "m"))).To(Succeed())
		eventuallyReady(ns, "r")

		By("deciding every Proposal while no manager runs, so they are all accepted at once")
		stopMgr()
		type cellChange struct {
			name         string
			skill, level v1.ID
			from, to     v1.ProficiencyID
		}
		// Names sort in creation order: a batch is ordered by creation, then
		// name, so "p7-conflict" comes after "p6-k8s-senior" it conflicts with.
		applied := []cellChange{
			{"p1-docker-junior", "docker", "junior", "A", "W"},
			{"p2-docker-middle", "docker", "middle", "W", "V"},
			{"p3-docker-senior", "docker", "senior", "V", "E"},
			{"p4-k8s-junior", "kubernetes-core", "junior", "A", "W"},
			{"p5-k8s-middle", "kubernetes-core", "middle", "W", "V"},
			{"p6-k8s-senior", "kubernetes-core", "senior", "E", "V"},
		}
		conflicting := cellChange{"p7-conflict", "kubernetes-core", "senior", "E", "W"}
		for _, c := range append(slices.Clone(applied), conflicting) {
			proposeProficiency(ns, c.name, c.skill, c.level, c.from, c.to)
			castVote(bob, ns, c.name, v1.VoteApprove)
			castReview(carol, ns, c.name, v1.ReviewApprove)
			castVote(dave, ns, c.name, v1.VoteApprove)
		}
		// One vote short of acceptance, on a field no other Proposal
		// touches: it must not ride along.
		open := fixtureProposal(ns, "p8-open", "r")
		open.Spec.Changes = []v1.Change{{Op: v1.OpSetFocus, Level: "middle", Focus: new("Running production."),
			From: &v1.ChangeValue{Focus: new("Owning services.")}}}
		Expect(as(alice).Create(suiteCtx, open)).To(Succeed())
		castVote(bob, ns, "p8-open", v1.VoteApprove)

		var roleWrites atomic.Int32
		stopMgr = startManager(Options{}, Seams{AfterRoleWrite: func(_ context.Context, p *v1.Proposal) error {
			if p.Namespace == ns {
				roleWrites.Add(1)
			}
			return nil
		}})

		for _, c := range applied {
			Eventually(proposalPhase(ns, c.name)).Should(Equal(v1.PhaseApplied), c.name)
		}
		Eventually(proposalPhase(ns, conflicting.name)).Should(Equal(v1.PhaseConflicted))
		Eventually(proposalPhase(ns, "p8-open")).Should(Equal(v1.PhaseOpen))

		role := getRole(ns, "r")
		markers := promotion.Markers(role.Annotations)
		historyUIDs := make([]string, 0, len(role.Status.History))
		for _, h := range role.Status.History {
			historyUIDs = append(historyUIDs, h.UID)
		}
		generations := map[int64]bool{}
		for _, c := range applied {
			p := getProposal(ns, c.name)
			uid := string(p.UID)
			Expect(cellOf(role, c.skill, c.level).Proficiency).To(Equal(c.to), c.name)
			Expect(countOf(markers, uid)).To(Equal(1), "%s in the markers", c.name)
			Expect(countOf(historyUIDs, uid)).To(Equal(1), "%s in the history", c.name)
			entry := role.Status.History[slices.Index(historyUIDs, uid)]
			Expect(p.Status.AppliedRoleGeneration).To(Equal(entry.Generation), c.name)
			Expect(condition(p.Status.Conditions, v1.ConditionApplied)).To(Equal("True/Applied"), c.name)
			generations[p.Status.AppliedRoleGeneration] = true
		}
		Expect(historyUIDs).To(Equal(markers), "the history records the Proposals in the order they were written")

		lost := getProposal(ns, conflicting.name)
		Expect(lost.Status.Message).To(ContainSubstring("nothing was changed"))
		Expect(promotion.HasMarker(role.Annotations, string(lost.UID))).To(BeFalse())
		Expect(countOf(historyUIDs, string(lost.UID))).To(BeZero())
		Expect(promotion.HasMarker(role.Annotations, string(getProposal(ns, "p8-open").UID))).To(BeFalse())

		By("having batched the promotions")
		AddReportEntry("Role writes for the batch", fmt.Sprintf("%d writes, %d generations, %d Proposals",
			roleWrites.Load(), len(generations), len(applied)))
		Expect(int(roleWrites.Load())).To(BeNumerically("<", len(applied)))
		Expect(len(generations)).To(BeNumerically("<", len(applied)))

		By("publishing each Applied Proposal once in the changelog")
		Eventually(func() []int {
			cm, err := getConfigMap(ns, "r-matrix")
			if err != nil {
				return nil
			}
			counts := make([]int, 0, len(applied))
			for _, c := range applied {
				counts = append(counts, strings.Count(cm.Data["matrix.md"], getProposal(ns, c.name).Spec.Title))
			}
			return counts
		}).Should(HaveEach(1))
	})
})

func countOf(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}
