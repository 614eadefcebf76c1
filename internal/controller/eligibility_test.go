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
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	eventsv1 "k8s.io/api/events/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// newUser adds an authenticated user with the given ClusterRoles, bound in
// ns only (so a spec can revoke them), and extra RBAC rules in ns.
func newUser(ns, name string, clusterRoles []string, rules ...rbacv1.PolicyRule) {
	GinkgoHelper()
	user, err := testEnv.AddUser(envtest.User{Name: name, Groups: []string{"engineers"}}, nil)
	Expect(err).NotTo(HaveOccurred())
	userClients[name], err = client.New(user.Config(), client.Options{Scheme: testScheme})
	Expect(err).NotTo(HaveOccurred())
	for _, role := range clusterRoles {
		bindIn(ns, name+"-"+role, rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role}, name)
	}
	if len(rules) > 0 {
		Expect(k8sClient.Create(suiteCtx, &rbacv1.Role{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name + "-extra"}, Rules: rules,
		})).To(Succeed())
		bindIn(ns, name+"-extra", rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name + "-extra"}, name)
	}
}

func bindIn(ns, name string, ref rbacv1.RoleRef, user string) {
	GinkgoHelper()
	Expect(k8sClient.Create(suiteCtx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		RoleRef:    ref,
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
	})).To(Succeed())
}

func unbind(ns, name string) {
	GinkgoHelper()
	Expect(k8sClient.Delete(suiteCtx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}})).To(Succeed())
}

// ownerOf is the RBAC rule that makes a reviewer an owner of a category.
func ownerOf(matrix string, categories ...v1.ID) rbacv1.PolicyRule {
	names := make([]string, len(categories))
	for i, c := range categories {
		names[i] = matrix + "." + string(c)
	}
	return rbacv1.PolicyRule{APIGroups: []string{v1.GroupVersion.Group}, Resources: []string{resourceCategories},
		ResourceNames: names, Verbs: []string{verbReview}}
}

func warningReasons(ns, kind, name string) func() []string {
	return func() []string {
		var list eventsv1.EventList
		Expect(k8sClient.List(suiteCtx, &list, client.InNamespace(ns))).To(Succeed())
		var reasons []string
		for _, e := range list.Items {
			if e.Regarding.Kind == kind && e.Regarding.Name == name && e.Type == "Warning" {
				reasons = append(reasons, e.Reason)
			}
		}
		return reasons
	}
}

var _ = Describe("Authority re-checked at decision time", func() {
	var ns string
	BeforeEach(func() {
		ns = newNamespace()
		Expect(k8sClient.Create(suiteCtx, fixtureMatrix(ns, "m"))).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, fixtureRole(ns, "r", "m"))).To(Succeed())
		eventuallyReady(ns, "r")
	})

	It("leaves out a voter whose binding was deleted and a reviewer whose review right was removed, and names them", func() {
		voter, reviewer := "erin-"+ns, "frank-"+ns
		newUser(ns, voter, []string{"skillmatrix-voter"})
		newUser(ns, reviewer, []string{"skillmatrix-voter", "skillmatrix-reviewer"})
		proposeProficiency(ns, "p", "kubernetes-core", "senior", "E", "V")
		castVote(voter, ns, "p", v1.VoteApprove)
		castReview(reviewer, ns, "p", v1.ReviewApprove)

		By("revoking both before the deciding vote")
		unbind(ns, voter+"-skillmatrix-voter")
		unbind(ns, reviewer+"-skillmatrix-reviewer")
		castVote(bob, ns, "p", v1.VoteApprove)

		Eventually(func() []v1.UncountedBallot { return getProposal(ns, "p").Status.Uncounted }).Should(ConsistOf(
			And(HaveField("Kind", "vote"), HaveField("User", v1.Username(voter)), HaveField("Reason", ContainSubstring(`"vote"`))),
			And(HaveField("Kind", "review"), HaveField("User", v1.Username(reviewer)), HaveField("Reason", ContainSubstring(`"review"`))),
		))
		p := getProposal(ns, "p")
		Expect(p.Status.Phase).To(Equal(v1.PhaseOpen))
		Expect(p.Status.Tally.Approvals).To(BeEquivalentTo(1))
		Expect(p.Status.Tally.ReviewApprovals).To(BeZero())
		Expect(p.Status.Message).To(ContainSubstring("no longer counted: vote by " + voter + ", review by " + reviewer))
		Expect(cellOf(getRole(ns, "r"), "kubernetes-core", "senior").Proficiency).To(BeEquivalentTo("E"))

		By("counting eligible ballots as before")
		castVote(dave, ns, "p", v1.VoteApprove)
		castReview(carol, ns, "p", v1.ReviewApprove)
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseApplied))
	})
})

var _ = Describe("Category owners", func() {
	var ns string
	BeforeEach(func() {
		ns = newNamespace()
		m := fixtureMatrix(ns, "m")
		// Two categories: containers (docker) and orchestration (kubernetes-core).
		cat := m.Spec.Categories[0]
		m.Spec.Categories = []v1.Category{
			{ID: "containers", Name: "Containers", Skills: cat.Skills[:1]},
			{ID: "orchestration", Name: "Orchestration", Skills: cat.Skills[1:]},
		}
		m.Spec.Governance.RequireCategoryOwners = new(true)
		Expect(k8sClient.Create(suiteCtx, m)).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, fixtureRole(ns, "r", "m"))).To(Succeed())
		eventuallyReady(ns, "r")
		newUser(ns, "owner-c-"+ns, []string{"skillmatrix-voter", "skillmatrix-reviewer"}, ownerOf("m", "containers"))
		newUser(ns, "owner-o-"+ns, []string{"skillmatrix-voter", "skillmatrix-reviewer"}, ownerOf("m", "orchestration"))
	})

	It("does not count an owner of one category for a change in another", func() {
		proposeProficiency(ns, "p", "kubernetes-core", "senior", "E", "V")
		castVote(bob, ns, "p", v1.VoteApprove)
		castVote(dave, ns, "p", v1.VoteApprove)
		castReview("owner-c-"+ns, ns, "p", v1.ReviewApprove)
		Eventually(func() string {
			return condition(getProposal(ns, "p").Status.Conditions, v1.ConditionAccepted)
		}).Should(Equal("False/" + v1.ReasonAwaitingOwners))
		Expect(getProposal(ns, "p").Status.Message).To(ContainSubstring(`an owner of category "orchestration"`))

		castReview("owner-o-"+ns, ns, "p", v1.ReviewApprove)
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseApplied))
	})

	It("needs an owner of each category a Proposal touches", func() {
		p := fixtureProposal(ns, "both", "r")
		p.Spec.Changes = []v1.Change{
			{Op: v1.OpSetProficiency, Skill: "kubernetes-core", Level: "senior", Proficiency: "V"},
			{Op: v1.OpSetProficiency, Skill: "docker", Level: "senior", Proficiency: "E"},
		}
		Expect(as(alice).Create(suiteCtx, p)).To(Succeed())
		castVote(bob, ns, "both", v1.VoteApprove)
		castVote(dave, ns, "both", v1.VoteApprove)
		castReview("owner-o-"+ns, ns, "both", v1.ReviewApprove)
		castReview(carol, ns, "both", v1.ReviewApprove) // an expert of the Role, owner of neither
		Eventually(func() string { return getProposal(ns, "both").Status.Message }).Should(
			ContainSubstring(`an owner of category "containers"`))
		Expect(getProposal(ns, "both").Status.Phase).To(Equal(v1.PhaseOpen))

		castReview("owner-c-"+ns, ns, "both", v1.ReviewApprove)
		Eventually(proposalPhase(ns, "both")).Should(Equal(v1.PhaseApplied))
	})
})

var _ = Describe("Promotion fails closed", Ordered, func() {
	const binding = "skillmatrix-proposal-authenticity"
	var ns string
	var shipped admissionregistrationv1.ValidatingAdmissionPolicyBinding

	BeforeAll(func() {
		Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Name: binding}, &shipped)).To(Succeed())
	})
	BeforeEach(func() {
		ns = newNamespace()
		Expect(k8sClient.Create(suiteCtx, fixtureMatrix(ns, "m"))).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, fixtureRole(ns, "r", "m"))).To(Succeed())
		eventuallyReady(ns, "r")
	})
	// restore puts the binding back as shipped and waits until the API
	// server enforces it again: the next spec must not run while it is
	// still lifted (a vote on a closed Proposal got through once).
	restore := func() {
		GinkgoHelper()
		var live admissionregistrationv1.ValidatingAdmissionPolicyBinding
		err := k8sClient.Get(suiteCtx, client.ObjectKey{Name: binding}, &live)
		if err != nil {
			fresh := shipped.DeepCopy()
			fresh.ResourceVersion, fresh.UID, fresh.ManagedFields = "", "", nil
			Expect(k8sClient.Create(suiteCtx, fresh)).To(Succeed())
		} else {
			live.Spec = shipped.Spec
			Expect(k8sClient.Update(suiteCtx, &live)).To(Succeed())
		}
		Expect(testenv.WaitForPolicy(suiteCtx, k8sClient)).To(Succeed())
	}

	heldThenResumed := func(weaken func()) {
		proposeProficiency(ns, "p", "kubernetes-core", "senior", "E", "V")
		castVote(bob, ns, "p", v1.VoteApprove)
		castReview(carol, ns, "p", v1.ReviewApprove)
		weaken()
		DeferCleanup(restore)
		castVote(dave, ns, "p", v1.VoteApprove)

		By("holding the accepted Proposal with a condition, a Warning Event and the metric at 0")
		Eventually(func() string { return condition(getProposal(ns, "p").Status.Conditions, v1.ConditionApplied) }).
			Should(Equal("False/" + v1.ReasonPromotionHeld))
		p := getProposal(ns, "p")
		Expect(p.Status.Phase).To(Equal(v1.PhaseAccepted))
		Expect(meta.FindStatusCondition(p.Status.Conditions, v1.ConditionApplied).Message).To(
			ContainSubstring("ValidatingAdmissionPolicyBinding " + binding))
		Eventually(warningReasons(ns, "Proposal", "p")).Should(ContainElement(v1.ReasonPromotionHeld))
		Expect(scrape("skillmatrix_admission_policy_enforced")).To(BeZero())
		Consistently(func() v1.ProficiencyID {
			return cellOf(getRole(ns, "r"), "kubernetes-core", "senior").Proficiency
		}, "2s").Should(BeEquivalentTo("E"))

		By("promoting once the binding is back as shipped")
		restore()
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseApplied))
		Expect(scrape("skillmatrix_admission_policy_enforced")).To(BeEquivalentTo(1))
	}

	It("holds promotions while the binding is deleted", func() {
		heldThenResumed(func() {
			Expect(k8sClient.Delete(suiteCtx, &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
				ObjectMeta: metav1.ObjectMeta{Name: binding}})).To(Succeed())
		})
	})
	for _, mode := range []admissionregistrationv1.ValidationAction{admissionregistrationv1.Warn, admissionregistrationv1.Audit} {
		It("holds promotions while the binding is in "+string(mode)+" mode", func() {
			heldThenResumed(func() {
				var live admissionregistrationv1.ValidatingAdmissionPolicyBinding
				Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Name: binding}, &live)).To(Succeed())
				live.Spec.ValidationActions = []admissionregistrationv1.ValidationAction{mode}
				Expect(k8sClient.Update(suiteCtx, &live)).To(Succeed())
			})
		})
	}
})
