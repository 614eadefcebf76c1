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

package admission

import (
	"fmt"
	"slices"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	careerv1alpha1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

const (
	// reviewedRole is the career Role the proposal under test changes; erin
	// may review it and no other.
	reviewedRole = "mlops-engineer"
	// otherRole is a second career Role in the same namespace.
	otherRole = "data-engineer"
	// proposalName is the proposal alice opens before every spec.
	proposalName = "raise-kubernetes-core"
)

var (
	// ns is the namespace of the running spec.
	ns string
	// policyPrefix starts every message of the admission policy.
	policyPrefix = fmt.Sprintf("ValidatingAdmissionPolicy '%s' with binding '%s' denied request: ",
		testenv.PolicyName, testenv.PolicyName)
)

var _ = Describe("Proposal authenticity", func() {
	BeforeEach(func() {
		ns = newNamespace()
		grantUserRoles()
		By("alice opening a proposal as herself")
		Expect(create(alice, newProposal(proposalName, alice, reviewedRole))).To(Succeed())
	})

	DescribeTable("the API server refuses",
		func(attempt func() error, reason metav1.StatusReason, message string) {
			err := attempt()
			Expect(err).To(HaveOccurred(), "the request should have been refused")
			GinkgoWriter.Printf("refused: %v\n", err)
			Expect(err.Error()).To(ContainSubstring(message))
			switch reason {
			case metav1.StatusReasonForbidden:
				Expect(apierrors.IsForbidden(err)).To(BeTrue(), "want Forbidden, got %v", err)
				Expect(err.Error()).To(ContainSubstring(policyPrefix))
			case metav1.StatusReasonInvalid:
				Expect(apierrors.IsInvalid(err)).To(BeTrue(), "want Invalid, got %v", err)
			}
		},
		Entry("creating a proposal as another author",
			func() error { return create(mallory, newProposal("forged", alice, reviewedRole)) },
			metav1.StatusReasonForbidden, `spec.author must be your own username "mallory", not "alice"`),
		Entry("creating a proposal that carries votes",
			func() error {
				p := newProposal("stuffed", alice, reviewedRole)
				p.Spec.Votes = []careerv1alpha1.Vote{{Voter: bob, Decision: careerv1alpha1.VoteApprove}}
				return create(alice, p)
			},
			metav1.StatusReasonForbidden,
			`user "alice" cannot create a proposal that already carries votes or reviews`),
		Entry("creating a proposal that carries reviews",
			func() error {
				p := newProposal("pre-reviewed", alice, reviewedRole)
				p.Spec.Reviews = []careerv1alpha1.Review{{Reviewer: carol, Decision: careerv1alpha1.ReviewApprove}}
				return create(alice, p)
			},
			metav1.StatusReasonForbidden,
			`user "alice" cannot create a proposal that already carries votes or reviews`),
		Entry("adding a vote for someone else",
			func() error { return update(bob, proposalName, setVote(dave, careerv1alpha1.VoteApprove)) },
			metav1.StatusReasonForbidden,
			`user "bob" may add, change or remove only their own vote (voter "bob"), not the vote of "dave"`),
		Entry("adding one's own vote together with someone else's",
			func() error {
				return update(bob, proposalName,
					setVote(bob, careerv1alpha1.VoteApprove), setVote(dave, careerv1alpha1.VoteApprove))
			},
			metav1.StatusReasonForbidden,
			`user "bob" may add, change or remove only their own vote (voter "bob"), not the vote of "dave"`),
		Entry("changing someone else's vote",
			func() error {
				Expect(update(dave, proposalName, setVote(dave, careerv1alpha1.VoteApprove))).To(Succeed())
				return update(bob, proposalName, setVote(dave, careerv1alpha1.VoteReject))
			},
			metav1.StatusReasonForbidden, `user "bob" may add, change or remove only their own vote`),
		Entry("removing someone else's vote",
			func() error {
				Expect(update(dave, proposalName, setVote(dave, careerv1alpha1.VoteApprove))).To(Succeed())
				return update(bob, proposalName, removeVote(dave))
			},
			metav1.StatusReasonForbidden, `not the vote of "dave"`),
		Entry("reviewing without the verb review on the Role",
			func() error { return update(mallory, proposalName, setReview(mallory, careerv1alpha1.ReviewApprove)) },
			metav1.StatusReasonForbidden,
			`user "mallory" may not review proposals for Role "mlops-engineer": `+
				`RBAC does not grant the verb "review" on roles.career.skillmatrix.dev "mlops-engineer"`),
		Entry("reviewing as someone else",
			func() error { return update(bob, proposalName, setReview(carol, careerv1alpha1.ReviewApprove)) },
			metav1.StatusReasonForbidden,
			`user "bob" may add, change or remove only their own review (reviewer "bob"), not the review of "carol"`),
		Entry("removing someone else's review",
			func() error {
				Expect(update(carol, proposalName, setReview(carol, careerv1alpha1.ReviewApprove))).To(Succeed())
				return update(erin, proposalName, removeReview(carol))
			},
			metav1.StatusReasonForbidden, `user "erin" may add, change or remove only their own review`),
		Entry("reviewing a proposal for a Role one may not review",
			func() error {
				Expect(create(alice, newProposal("other-role", alice, otherRole))).To(Succeed())
				return update(erin, "other-role", setReview(erin, careerv1alpha1.ReviewApprove))
			},
			metav1.StatusReasonForbidden, `user "erin" may not review proposals for Role "data-engineer"`),
		// The CRD's own CEL rule refuses these before admission runs (the API
		// server validates the schema first), so the reason is Invalid; the
		// policy repeats the rule with the same wording, naming the user.
		Entry("the author voting on their own proposal",
			func() error { return update(alice, proposalName, setVote(alice, careerv1alpha1.VoteApprove)) },
			metav1.StatusReasonInvalid, "the author cannot vote on their own proposal"),
		Entry("the author reviewing their own proposal",
			func() error { return update(alice, proposalName, setReview(alice, careerv1alpha1.ReviewApprove)) },
			metav1.StatusReasonInvalid, "the author cannot review their own proposal"),
		Entry("changing the changes after creation",
			func() error {
				return update(alice, proposalName, func(p *careerv1alpha1.Proposal) {
					p.Spec.Changes[0].Proficiency = "E"
				})
			},
			metav1.StatusReasonInvalid, "changes are immutable after creation"),
		Entry("taking over the authorship",
			func() error {
				return update(bob, proposalName, func(p *careerv1alpha1.Proposal) { p.Spec.Author = bob })
			},
			metav1.StatusReasonInvalid, "author is immutable after creation"),
		Entry("voting after the proposal was Applied",
			func() error {
				setPhase(proposalName, careerv1alpha1.PhaseApplied)
				return update(bob, proposalName, setVote(bob, careerv1alpha1.VoteApprove))
			},
			metav1.StatusReasonForbidden,
			`user "bob" cannot change votes or reviews: proposal "raise-kubernetes-core" is closed (phase Applied)`),
		Entry("withdrawing a vote after the proposal was Rejected",
			func() error {
				Expect(update(bob, proposalName, setVote(bob, careerv1alpha1.VoteReject))).To(Succeed())
				setPhase(proposalName, careerv1alpha1.PhaseRejected)
				return update(bob, proposalName, removeVote(bob))
			},
			metav1.StatusReasonForbidden, `is closed (phase Rejected)`),
		Entry("reviewing after the proposal Expired",
			func() error {
				setPhase(proposalName, careerv1alpha1.PhaseExpired)
				return update(carol, proposalName, setReview(carol, careerv1alpha1.ReviewApprove))
			},
			metav1.StatusReasonForbidden,
			`user "carol" cannot change votes or reviews: proposal "raise-kubernetes-core" is closed (phase Expired)`),
	)

	It("lets the author create her own proposal", func() {
		p := get(alice, proposalName)
		Expect(string(p.Spec.Author)).To(Equal(alice))
		Expect(p.Spec.Votes).To(BeEmpty())
		Expect(p.Spec.Reviews).To(BeEmpty())
	})

	It("lets a voter add, change and remove their own vote, next to other votes", func() {
		Expect(update(dave, proposalName, setVote(dave, careerv1alpha1.VoteApprove))).To(Succeed())

		Expect(update(bob, proposalName, setVote(bob, careerv1alpha1.VoteApprove))).To(Succeed())
		Expect(votes(proposalName)).To(Equal(map[string]careerv1alpha1.VoteDecision{
			dave: careerv1alpha1.VoteApprove, bob: careerv1alpha1.VoteApprove,
		}))

		Expect(update(bob, proposalName, func(p *careerv1alpha1.Proposal) {
			setVote(bob, careerv1alpha1.VoteReject)(p)
			p.Spec.Votes[slices.IndexFunc(p.Spec.Votes, isVoteOf(bob))].Comment = "needs a migration plan"
		})).To(Succeed())
		Expect(votes(proposalName)).To(HaveKeyWithValue(bob, careerv1alpha1.VoteReject))

		Expect(update(bob, proposalName, removeVote(bob))).To(Succeed())
		Expect(votes(proposalName)).To(Equal(map[string]careerv1alpha1.VoteDecision{dave: careerv1alpha1.VoteApprove}))
	})

	It("lets voters vote with server-side apply, each owning only their own entry", func() {
		Expect(applyVote(dave, careerv1alpha1.VoteApprove)).To(Succeed())
		Expect(applyVote(bob, careerv1alpha1.VoteReject)).To(Succeed())
		Expect(applyVote(bob, careerv1alpha1.VoteApprove)).To(Succeed())
		Expect(votes(proposalName)).To(Equal(map[string]careerv1alpha1.VoteDecision{
			dave: careerv1alpha1.VoteApprove, bob: careerv1alpha1.VoteApprove,
		}))

		By("bob applying under dave's field manager, which would drop dave's vote")
		err := applyVoteAs(bob, voteManager(dave), careerv1alpha1.VoteApprove)
		Expect(err).To(MatchError(ContainSubstring(
			`user "bob" may add, change or remove only their own vote (voter "bob"), not the vote of "dave"`)))

		By("bob applying no vote, which removes the entry he owns")
		Expect(applyVote(bob, "")).To(Succeed())
		Expect(votes(proposalName)).To(Equal(map[string]careerv1alpha1.VoteDecision{dave: careerv1alpha1.VoteApprove}))
	})

	It("lets a reviewer of all Roles add, change and withdraw her review", func() {
		Expect(update(carol, proposalName, setReview(carol, careerv1alpha1.ReviewApprove))).To(Succeed())
		Expect(update(carol, proposalName, setReview(carol, careerv1alpha1.ReviewRequestChanges))).To(Succeed())
		Expect(get(carol, proposalName).Spec.Reviews).To(ConsistOf(
			careerv1alpha1.Review{Reviewer: carol, Decision: careerv1alpha1.ReviewRequestChanges,
				Groups: testenv.AuthenticatedGroups(engineers)}))

		By("carol reviewing a proposal for another Role of the namespace")
		Expect(create(alice, newProposal("other-role", alice, otherRole))).To(Succeed())
		Expect(update(carol, "other-role", setReview(carol, careerv1alpha1.ReviewApprove))).To(Succeed())

		Expect(update(carol, proposalName, removeReview(carol))).To(Succeed())
		Expect(get(carol, proposalName).Spec.Reviews).To(BeEmpty())
	})

	It("lets a reviewer named for one Role by resourceNames review that Role's proposals", func() {
		Expect(update(erin, proposalName, setReview(erin, careerv1alpha1.ReviewApprove))).To(Succeed())
		Expect(get(erin, proposalName).Spec.Reviews).To(ConsistOf(
			careerv1alpha1.Review{Reviewer: erin, Decision: careerv1alpha1.ReviewApprove,
				Groups: testenv.AuthenticatedGroups(engineers)}))
	})

	It("lets a reviewer whose review rights were revoked withdraw, but not renew, her review", func() {
		Expect(update(carol, proposalName, setReview(carol, careerv1alpha1.ReviewApprove))).To(Succeed())

		Expect(admin.Delete(suiteCtx, &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "skillmatrix-reviewer"},
		})).To(Succeed())
		eventuallyAllowed(carol, "review", "roles", reviewedRole, false)

		err := update(carol, proposalName, setReview(carol, careerv1alpha1.ReviewRequestChanges))
		Expect(err).To(MatchError(ContainSubstring(`user "carol" may not review proposals for Role "mlops-engineer"`)))
		Expect(update(carol, proposalName, removeReview(carol))).To(Succeed())
	})

	// Changed with issue 13: alice edits her title before the first vote (the
	// text is frozen once votes arrive), and the label edit by merge patch is
	// maude's, a moderator's: bob, a voter, may no longer label alice's
	// Proposal.
	It("lets requests that leave votes and reviews alone through, also on a closed proposal", func() {
		By("alice editing the title")
		Expect(update(alice, proposalName, func(p *careerv1alpha1.Proposal) {
			p.Spec.Title = "Raise Kubernetes Core to Advanced at Senior"
		})).To(Succeed())

		Expect(update(bob, proposalName, setVote(bob, careerv1alpha1.VoteApprove))).To(Succeed())

		By("the operator writing the status: the policy does not match proposals/status")
		setPhase(proposalName, careerv1alpha1.PhaseApplied)

		By("the admin editing labels and adding a finalizer")
		Expect(update("admin", proposalName, func(p *careerv1alpha1.Proposal) {
			p.Labels = map[string]string{"team": "platform"}
			p.Finalizers = []string{"example.com/hold"}
		})).To(Succeed())

		By("maude, a moderator, editing a label with a merge patch")
		p := get(maude, proposalName)
		patch := client.MergeFrom(p.DeepCopy())
		p.Labels["reviewed-in"] = "q3"
		Expect(as[maude].Patch(suiteCtx, p, patch)).To(Succeed())

		By("the admin deleting it, and the finalizer being removed")
		Expect(admin.Delete(suiteCtx, p)).To(Succeed())
		Expect(update("admin", proposalName, func(p *careerv1alpha1.Proposal) { p.Finalizers = nil })).To(Succeed())
		Eventually(func() error {
			return admin.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: proposalName}, &careerv1alpha1.Proposal{})
		}).Should(Satisfy(apierrors.IsNotFound))
	})

	It("binds even cluster admins: nobody can vote for someone else", func() {
		err := update("admin", proposalName, setVote(bob, careerv1alpha1.VoteApprove))
		Expect(err).To(MatchError(ContainSubstring(`user "admin" may add, change or remove only their own vote`)))
	})

	// 499 users voting one after the other would take minutes (every update
	// rewrites the whole object), so the admin fills the votes in while the
	// policy's binding is lifted. Serial: no other spec may run meanwhile.
	It("stays within the CEL cost budget at the CRD's limit of 500 votes", Serial, func() {
		const crowd = 499
		By("lifting the policy's binding for a moment")
		Expect(admin.Delete(suiteCtx, &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
			ObjectMeta: metav1.ObjectMeta{Name: testenv.PolicyName},
		})).To(Succeed())
		DeferCleanup(installAdmission)
		Eventually(func() error {
			return admin.Create(suiteCtx, newProposal("forged", alice, reviewedRole), client.DryRunAll)
		}).Should(Succeed())

		By(fmt.Sprintf("the admin adding %d votes and restoring the binding", crowd))
		Expect(update("admin", proposalName, func(p *careerv1alpha1.Proposal) {
			for i := range crowd {
				setVote(fmt.Sprintf("voter-%d", i), careerv1alpha1.VoteApprove)(p)
			}
		})).To(Succeed())
		installAdmission()

		By("bob casting the 500th vote, changing it and a forger being refused")
		Expect(update(bob, proposalName, setVote(bob, careerv1alpha1.VoteApprove))).To(Succeed())
		Expect(update(bob, proposalName, setVote(bob, careerv1alpha1.VoteReject))).To(Succeed())
		err := update(dave, proposalName, removeVote("voter-250"))
		Expect(err).To(MatchError(ContainSubstring(`user "dave" may add, change or remove only their own vote`)))
		Expect(votes(proposalName)).To(HaveLen(crowd + 1))
	})
})

// newNamespace creates a namespace of its own for one spec.
func newNamespace() string {
	n := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "admission-"}}
	Expect(admin.Create(suiteCtx, n)).To(Succeed())
	return n.Name
}

// grantUserRoles binds the shipped ClusterRoles in ns the way a platform team
// would, and a namespaced Role that lets erin review reviewedRole only. It
// returns once the RBAC authorizer sees the bindings.
func grantUserRoles() {
	everyone := make([]rbacv1.Subject, 0, len(people))
	for _, name := range people {
		everyone = append(everyone, userSubject(name))
	}
	bindClusterRole("skillmatrix-proposer", "skillmatrix-proposer", everyone...)
	bindClusterRole("skillmatrix-voter", "skillmatrix-voter", everyone...)
	bindClusterRole("skillmatrix-reviewer", "skillmatrix-reviewer", userSubject(carol))
	bindClusterRole("skillmatrix-proposer-only", "skillmatrix-proposer", userSubject(pat))

	Expect(admin.Create(suiteCtx, &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: reviewedRole + "-reviewer"},
		Rules: []rbacv1.PolicyRule{{
			APIGroups:     []string{careerv1alpha1.GroupVersion.Group},
			Resources:     []string{"roles"},
			ResourceNames: []string{reviewedRole},
			Verbs:         []string{"review"},
		}},
	})).To(Succeed())
	Expect(admin.Create(suiteCtx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: reviewedRole + "-reviewers"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: reviewedRole + "-reviewer"},
		Subjects:   []rbacv1.Subject{userSubject(erin)},
	})).To(Succeed())

	Expect(admin.Create(suiteCtx, &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "proposal-moderator"},
		Rules: []rbacv1.PolicyRule{{
			APIGroups: []string{careerv1alpha1.GroupVersion.Group},
			Resources: []string{"proposals"},
			Verbs:     []string{"moderate"},
		}},
	})).To(Succeed())
	Expect(admin.Create(suiteCtx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "proposal-moderators"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "proposal-moderator"},
		Subjects:   []rbacv1.Subject{userSubject(maude)},
	})).To(Succeed())

	for _, name := range append(slices.Clone(people), pat) {
		eventuallyAllowed(name, "create", "proposals", "", true)
		eventuallyAllowed(name, "update", "proposals", "", true)
	}
	eventuallyAllowed(bob, "vote", "proposals", proposalName, true)
	eventuallyAllowed(pat, "vote", "proposals", proposalName, false)
	eventuallyAllowed(carol, "review", "roles", otherRole, true)
	eventuallyAllowed(erin, "review", "roles", reviewedRole, true)
	eventuallyAllowed(erin, "review", "roles", otherRole, false)
	eventuallyAllowed(mallory, "review", "roles", reviewedRole, false)
	eventuallyAllowed(maude, "moderate", "proposals", proposalName, true)
	eventuallyAllowed(bob, "moderate", "proposals", proposalName, false)
}

func userSubject(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}
}

func bindClusterRole(name, clusterRole string, subjects ...rbacv1.Subject) {
	Expect(admin.Create(suiteCtx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: clusterRole},
		Subjects:   subjects,
	})).To(Succeed())
}

// eventuallyAllowed waits until the RBAC authorizer answers want for a user
// of the group "engineers" (RBAC objects reach it asynchronously).
func eventuallyAllowed(user, verb, resource, name string, want bool) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User:   user,
			Groups: []string{engineers},
			ResourceAttributes: &authorizationv1.ResourceAttributes{
				Namespace: ns, Group: careerv1alpha1.GroupVersion.Group,
				Resource: resource, Verb: verb, Name: name,
			},
		}}
		g.Expect(admin.Create(suiteCtx, sar)).To(Succeed())
		g.Expect(sar.Status.Allowed).To(Equal(want), "%s %s %s/%s", user, verb, resource, name)
	}).Should(Succeed())
}

func newProposal(name, author, role string) *careerv1alpha1.Proposal {
	return &careerv1alpha1.Proposal{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: careerv1alpha1.ProposalSpec{
			RoleRef: careerv1alpha1.ObjectName(role),
			Title:   "Raise Kubernetes Core to Advanced at Senior",
			Author:  careerv1alpha1.Username(author),
			Changes: []careerv1alpha1.Change{{
				Op:          careerv1alpha1.OpSetProficiency,
				Skill:       "kubernetes-core",
				Level:       "senior",
				Proficiency: "V",
				From:        &careerv1alpha1.ChangeValue{Proficiency: "A"},
			}},
		},
	}
}

// client returns the client of a person, or of the envtest admin.
func clientOf(user string) client.Client {
	if user == "admin" {
		return admin
	}
	return as[user]
}

func create(user string, p *careerv1alpha1.Proposal) error {
	return clientOf(user).Create(suiteCtx, p)
}

func get(user, name string) *careerv1alpha1.Proposal {
	GinkgoHelper()
	p := &careerv1alpha1.Proposal{}
	Expect(clientOf(user).Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name}, p)).To(Succeed())
	return p
}

// update reads the proposal as user, applies the edits and writes it back
// (a full PUT, as kubectl edit does).
func update(user, name string, edits ...func(*careerv1alpha1.Proposal)) error {
	return updateWith(clientOf(user), name, edits...)
}

func updateWith(c client.Client, name string, edits ...func(*careerv1alpha1.Proposal)) error {
	p := &careerv1alpha1.Proposal{}
	if err := c.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name}, p); err != nil {
		return err
	}
	for _, edit := range edits {
		edit(p)
	}
	return c.Update(suiteCtx, p)
}

func isVoteOf(voter string) func(careerv1alpha1.Vote) bool {
	return func(v careerv1alpha1.Vote) bool { return string(v.Voter) == voter }
}

func isReviewOf(reviewer string) func(careerv1alpha1.Review) bool {
	return func(r careerv1alpha1.Review) bool { return string(r.Reviewer) == reviewer }
}

// setVote adds or changes the vote of voter.
func setVote(voter string, decision careerv1alpha1.VoteDecision) func(*careerv1alpha1.Proposal) {
	return func(p *careerv1alpha1.Proposal) {
		vote := careerv1alpha1.Vote{Voter: careerv1alpha1.Username(voter), Decision: decision,
			Groups: testenv.AuthenticatedGroups(engineers)}
		if i := slices.IndexFunc(p.Spec.Votes, isVoteOf(voter)); i >= 0 {
			p.Spec.Votes[i] = vote
			return
		}
		p.Spec.Votes = append(p.Spec.Votes, vote)
	}
}

func removeVote(voter string) func(*careerv1alpha1.Proposal) {
	return func(p *careerv1alpha1.Proposal) {
		p.Spec.Votes = slices.DeleteFunc(p.Spec.Votes, isVoteOf(voter))
	}
}

// setReview adds or changes the review of reviewer.
func setReview(reviewer string, decision careerv1alpha1.ReviewDecision) func(*careerv1alpha1.Proposal) {
	return func(p *careerv1alpha1.Proposal) {
		review := careerv1alpha1.Review{Reviewer: careerv1alpha1.Username(reviewer), Decision: decision,
			Groups: testenv.AuthenticatedGroups(engineers)}
		if i := slices.IndexFunc(p.Spec.Reviews, isReviewOf(reviewer)); i >= 0 {
			p.Spec.Reviews[i] = review
			return
		}
		p.Spec.Reviews = append(p.Spec.Reviews, review)
	}
}

func removeReview(reviewer string) func(*careerv1alpha1.Proposal) {
	return func(p *careerv1alpha1.Proposal) {
		p.Spec.Reviews = slices.DeleteFunc(p.Spec.Reviews, isReviewOf(reviewer))
	}
}

// voteManager is the field manager a CLI uses for the vote of one user. It
// must differ per user: server-side apply tracks ownership per manager name,
// so one manager name shared by two voters would remove the first voter's
// vote when the second applies theirs.
func voteManager(voter string) string { return "skillmatrix-vote-" + voter }

// applyVote casts the vote of voter with server-side apply under their own
// field manager, as a CLI would; an empty decision applies no vote.
func applyVote(voter string, decision careerv1alpha1.VoteDecision) error {
	return applyVoteAs(voter, voteManager(voter), decision)
}

func applyVoteAs(voter, manager string, decision careerv1alpha1.VoteDecision) error {
	u := &unstructured.Unstructured{Object: map[string]any{}}
	u.SetAPIVersion(careerv1alpha1.GroupVersion.String())
	u.SetKind("Proposal")
	u.SetNamespace(ns)
	u.SetName(proposalName)
	if decision != "" {
		u.Object["spec"] = map[string]any{
			"votes": []any{map[string]any{"voter": voter, "decision": string(decision),
				"groups": []any{engineers, "system:authenticated"}}},
		}
	}
	return as[voter].Apply(suiteCtx, client.ApplyConfigurationFromUnstructured(u),
		client.FieldOwner(manager))
}

// setPhase writes status.phase through the status subresource, as the
// operator does.
func setPhase(name string, phase careerv1alpha1.ProposalPhase) {
	GinkgoHelper()
	p := get("admin", name)
	p.Status.Phase = phase
	Expect(admin.Status().Update(suiteCtx, p)).To(Succeed())
}

// votes returns the stored votes by voter.
func votes(name string) map[string]careerv1alpha1.VoteDecision {
	GinkgoHelper()
	out := map[string]careerv1alpha1.VoteDecision{}
	for _, v := range get("admin", name).Spec.Votes {
		out[string(v.Voter)] = v.Decision
	}
	return out
}
