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
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// castBallot casts, as user, a Ballot of kind on the Proposal ns/proposal
// under the name kubectl skillmatrix gives it, on the Proposal's current
// generation, owned by it; edits change it before it is sent.
func castBallot(user, ns, proposal string, kind v1.BallotKind, decision v1.BallotDecision,
	edits ...func(*v1.Ballot)) *v1.Ballot {
	GinkgoHelper()
	p := getProposal(ns, proposal)
	b := &v1.Ballot{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1.BallotName(proposal, kind, v1.Username(user)),
			OwnerReferences: []metav1.OwnerReference{{APIVersion: v1.GroupVersion.String(), Kind: "Proposal",
				Name: proposal, UID: p.UID}}},
		Spec: v1.BallotSpec{ProposalRef: v1.ObjectName(proposal), RoleRef: p.Spec.RoleRef, Kind: kind,
			Voter: v1.Username(user), Decision: decision, Groups: testenv.AuthenticatedGroups("engineers"),
			ProposalGeneration: p.Generation},
	}
	for _, e := range edits {
		e(b)
	}
	Expect(as(user).Create(suiteCtx, b)).To(Succeed())
	return b
}

// changeBallot updates, as its voter, the ballot named name.
func changeBallot(user, ns, name string, edit func(*v1.Ballot)) {
	GinkgoHelper()
	var b v1.Ballot
	Expect(as(user).Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name}, &b)).To(Succeed())
	edit(&b)
	Expect(as(user).Update(suiteCtx, &b)).To(Succeed())
}

func withdrawBallot(user string, b *v1.Ballot) {
	GinkgoHelper()
	Expect(as(user).Delete(suiteCtx, b)).To(Succeed())
}

// uncountedOf is the status's list of what does not count, as
// "kind/user=cause".
func uncountedOf(ns, name string) func() []string {
	return func() []string {
		uncounted := getProposal(ns, name).Status.Uncounted
		out := make([]string, 0, len(uncounted))
		for _, u := range uncounted {
			out = append(out, u.Kind+"/"+string(u.User)+"="+string(u.Cause))
		}
		return out
	}
}

func tally(ns, name string) func() v1.Tally { return func() v1.Tally { return tallyOf(ns, name) } }

var _ = Describe("Ballots (issue 26)", func() {
	var ns string
	BeforeEach(func() {
		ns = newNamespace()
		Expect(k8sClient.Create(suiteCtx, fixtureMatrix(ns, "m"))).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, fixtureRole(ns, "r", "m"))).To(Succeed())
		eventuallyReady(ns, "r")
		proposeProficiency(ns, "p", "kubernetes-core", "senior", "E", "V")
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseOpen))
	})

	It("counts a Proposal's spec.votes with its Ballots, a voter's ballot superseding their entry (the migration)", func() {
		By("a Proposal voted on the old way")
		castVote(bob, ns, "p", v1.VoteApprove)
		castReview(carol, ns, "p", v1.ReviewApprove)
		Eventually(tally(ns, "p")).Should(And(HaveField("Approvals", BeEquivalentTo(1)), HaveField("ReviewApprovals", BeEquivalentTo(1))))

		By("bob casting a ballot that says otherwise: it replaces his entry")
		bobs := castBallot(bob, ns, "p", v1.BallotKindVote, v1.BallotReject)
		Eventually(tally(ns, "p")).Should(And(HaveField("Approvals", BeZero()), HaveField("Rejections", BeEquivalentTo(1))))
		Expect(uncountedOf(ns, "p")()).To(ConsistOf("vote/bob=Superseded"))
		p := getProposal(ns, "p")
		Expect(p.Status.Uncounted[0].Reason).To(ContainSubstring(`superseded by the ballot "` + bobs.Name + `"`))
		Expect(p.Status.Phase).To(Equal(v1.PhaseOpen))

		By("bob changing his mind with one write of his ballot, and dave voting by ballot")
		changeBallot(bob, ns, bobs.Name, func(b *v1.Ballot) { b.Spec.Decision = v1.BallotApprove })
		castBallot(dave, ns, "p", v1.BallotKindVote, v1.BallotApprove)
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseApplied))
		p = getProposal(ns, "p")
		Expect(p.Status.Tally.Approvals).To(BeEquivalentTo(2))
		Expect(p.Status.Tally.ReviewApprovals).To(BeEquivalentTo(1))
		Expect(cellOf(getRole(ns, "r"), "kubernetes-core", "senior").Proficiency).To(BeEquivalentTo("V"))
	})

	It("counts each voter once, by their newest ballot whatever its name, and names the older", func() {
		first := castBallot(bob, ns, "p", v1.BallotKindVote, v1.BallotReject)
		// Creation times are whole seconds: the second ballot is newer.
		time.Sleep(1100 * time.Millisecond)
		second := castBallot(bob, ns, "p", v1.BallotKindVote, v1.BallotApprove, func(b *v1.Ballot) { b.Name = "bobs-second-thoughts" })
		Eventually(tally(ns, "p")).Should(And(HaveField("Approvals", BeEquivalentTo(1)), HaveField("Rejections", BeZero())))
		p := getProposal(ns, "p")
		Expect(p.Status.Uncounted).To(ConsistOf(And(HaveField("Ballot", first.Name), HaveField("Cause", v1.CauseSuperseded),
			HaveField("Reason", ContainSubstring(`superseded by the ballot "`+second.Name+`" the same voter cast later`)))))
		Expect(p.Status.UncountedTotal).To(BeEquivalentTo(1))
		Expect(p.Status.Message).To(ContainSubstring("1 ballot not counted (status.uncounted says why)"))
	})

	It("shows the ballots it cannot count and why: the author's, another Role's, one before the Proposal, one from a later generation", func() {
		By("bob voting on a Proposal before it exists")
		early := castBallotBefore(bob, ns, "q")
		time.Sleep(1100 * time.Millisecond)
		q := fixtureProposal(ns, "q", "r")
		Expect(as(alice).Create(suiteCtx, q)).To(Succeed())

		castBallot(alice, ns, "p", v1.BallotKindVote, v1.BallotApprove)
		castBallot(carol, ns, "p", v1.BallotKindReview, v1.BallotApprove, func(b *v1.Ballot) { b.Spec.RoleRef = "other-role" })
		castBallot(dave, ns, "p", v1.BallotKindVote, v1.BallotApprove, func(b *v1.Ballot) { b.Spec.ProposalGeneration = 7 })
		Eventually(uncountedOf(ns, "p")).Should(ConsistOf("vote/alice=ByAuthor", "review/carol=RoleMismatch",
			"vote/dave=UnknownGeneration"))
		Expect(tallyOf(ns, "p")).To(And(HaveField("Approvals", BeZero()), HaveField("ReviewApprovals", BeZero())))
		Eventually(uncountedOf(ns, "q")).Should(ConsistOf("vote/bob=EarlierProposal"))
		Expect(getProposal(ns, "q").Status.Uncounted[0].Ballot).To(Equal(early.Name))
	})

	It("stops counting a ballot withdrawn while open; after the decision a withdrawal changes nothing", func() {
		bobs := castBallot(bob, ns, "p", v1.BallotKindVote, v1.BallotApprove)
		daves := castBallot(dave, ns, "p", v1.BallotKindVote, v1.BallotApprove)
		Eventually(tally(ns, "p")).Should(HaveField("Approvals", BeEquivalentTo(2)))
		withdrawBallot(bob, bobs)
		Eventually(tally(ns, "p")).Should(HaveField("Approvals", BeEquivalentTo(1)))

		By("voting again and the review deciding it")
		castBallot(bob, ns, "p", v1.BallotKindVote, v1.BallotApprove)
		castBallot(carol, ns, "p", v1.BallotKindReview, v1.BallotApprove)
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseApplied))

		By("dave withdrawing after the decision, and a late ballot")
		withdrawBallot(dave, daves)
		castBallot(alice, ns, "p", v1.BallotKindVote, v1.BallotReject)
		Consistently(func() v1.Tally { return tallyOf(ns, "p") }, 3*time.Second).Should(
			And(HaveField("Approvals", BeEquivalentTo(2)), HaveField("Rejections", BeZero())))
		Expect(getProposal(ns, "p").Status.Phase).To(Equal(v1.PhaseApplied))
	})

	It("stops counting ballots cast before a text edit, says so, and counts them cast again", func() {
		bobs := castBallot(bob, ns, "p", v1.BallotKindVote, v1.BallotApprove)
		Eventually(tally(ns, "p")).Should(HaveField("Approvals", BeEquivalentTo(1)))
		Expect(getProposal(ns, "p").Status.TextGeneration).To(BeEquivalentTo(1))

		By("alice editing the description after the vote: with ballots, not with spec.votes, that is allowed")
		Expect(updateProposal(as(alice), client.ObjectKey{Namespace: ns, Name: "p"}, func(p *v1.Proposal) {
			p.Spec.Description = "Actually, Advanced at Middle too."
		})).To(Succeed())
		Eventually(uncountedOf(ns, "p")).Should(ConsistOf("vote/bob=StaleText"))
		p := getProposal(ns, "p")
		Expect(p.Status.TextGeneration).To(BeEquivalentTo(2))
		Expect(p.Status.Tally.Approvals).To(BeZero())
		Expect(p.Status.Uncounted[0].Reason).To(ContainSubstring(
			"cast on generation 1 of the proposal, whose title or description changed at generation 2"))
		Eventually(func() []string {
			var list eventsv1.EventList
			Expect(k8sClient.List(suiteCtx, &list, client.InNamespace(ns))).To(Succeed())
			var notes []string
			for _, e := range list.Items {
				if e.Regarding.Name == "p" && e.Reason == v1.ReasonTextChanged && e.Type == "Normal" {
					notes = append(notes, e.Note)
				}
			}
			return notes
		}).Should(ContainElement(ContainSubstring("1 ballot listed in status.uncounted")))

		By("bob casting it again on the text as it is")
		changeBallot(bob, ns, bobs.Name, func(b *v1.Ballot) { b.Spec.ProposalGeneration = 2 })
		Eventually(tally(ns, "p")).Should(HaveField("Approvals", BeEquivalentTo(1)))
		Expect(getProposal(ns, "p").Status.Uncounted).To(BeEmpty())
	})

	It("re-checks a counted ballot's author at decision time and names the ballot that no longer counts", func() {
		voter := "erin-" + ns
		newUser(ns, voter, []string{"skillmatrix-voter"})
		erins := castBallot(voter, ns, "p", v1.BallotKindVote, v1.BallotApprove)
		castBallot(carol, ns, "p", v1.BallotKindReview, v1.BallotApprove)
		unbind(ns, voter+"-skillmatrix-voter")
		castBallot(bob, ns, "p", v1.BallotKindVote, v1.BallotApprove)
		Eventually(func() []v1.UncountedBallot { return getProposal(ns, "p").Status.Uncounted }).Should(ConsistOf(
			And(HaveField("User", v1.Username(voter)), HaveField("Cause", v1.CauseRevoked), HaveField("Ballot", erins.Name),
				HaveField("Reason", ContainSubstring(`"vote"`)))))
		Expect(getProposal(ns, "p").Status.Phase).To(Equal(v1.PhaseOpen))
		castBallot(dave, ns, "p", v1.BallotKindVote, v1.BallotApprove)
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseApplied))
	})
})

// castBallotBefore casts, as user, a vote on a Proposal name that does not
// exist yet: the policy cannot tell, the operator counts it for nothing.
func castBallotBefore(user, ns, proposal string) *v1.Ballot {
	GinkgoHelper()
	b := &v1.Ballot{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1.BallotName(proposal, v1.BallotKindVote, v1.Username(user))},
		Spec: v1.BallotSpec{ProposalRef: v1.ObjectName(proposal), RoleRef: "r", Kind: v1.BallotKindVote,
			Voter: v1.Username(user), Decision: v1.BallotApprove, Groups: testenv.AuthenticatedGroups("engineers"),
			ProposalGeneration: 1},
	}
	Expect(as(user).Create(suiteCtx, b)).To(Succeed())
	return b
}
