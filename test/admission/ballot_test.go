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
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	careerv1alpha1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// ballotPolicy is the policy that guards Ballots.
const ballotPolicy = "skillmatrix-ballot-authenticity"

// newBallot is a vote (or, with kind Review, a review) by voter on the
// proposal under test, recording the groups every person of the suite has.
func newBallot(name, voter string, kind careerv1alpha1.BallotKind,
	decision careerv1alpha1.BallotDecision) *careerv1alpha1.Ballot {
	return &careerv1alpha1.Ballot{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: careerv1alpha1.BallotSpec{ProposalRef: proposalName, RoleRef: reviewedRole, Kind: kind,
			Voter: careerv1alpha1.Username(voter), Decision: decision, Groups: testenv.AuthenticatedGroups(engineers),
			ProposalGeneration: 1},
	}
}

func vote(name, voter string, decision careerv1alpha1.BallotDecision) *careerv1alpha1.Ballot {
	return newBallot(name, voter, careerv1alpha1.BallotKindVote, decision)
}

func reviewBallot(name, reviewer string, decision careerv1alpha1.BallotDecision) *careerv1alpha1.Ballot {
	return newBallot(name, reviewer, careerv1alpha1.BallotKindReview, decision)
}

func castAs(user string, b *careerv1alpha1.Ballot) error { return clientOf(user).Create(suiteCtx, b) }

// castUntilRefused waits until admission refuses b, cast as user, with want,
// then casts it for real. A params change reaches admission a moment after
// it is stored: the waiting is done with dry runs, so that a ballot
// admitted before then is not stored and cannot collide with the spec's
// later ballots of the same name.
func castUntilRefused(user string, b *careerv1alpha1.Ballot, want string) {
	GinkgoHelper()
	Eventually(func() error {
		return clientOf(user).Create(suiteCtx, b.DeepCopy(), client.DryRunAll)
	}).Should(MatchError(ContainSubstring(want)))
	Expect(castAs(user, b)).To(MatchError(ContainSubstring(want)))
}

// updateBallot reads the ballot as user, edits it and writes it back.
func updateBallot(user, name string, edit func(*careerv1alpha1.Ballot)) error {
	c := clientOf(user)
	b := &careerv1alpha1.Ballot{}
	if err := c.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name}, b); err != nil {
		return err
	}
	edit(b)
	return c.Update(suiteCtx, b)
}

func deleteBallot(user, name string) error {
	b := &careerv1alpha1.Ballot{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	return clientOf(user).Delete(suiteCtx, b)
}

func decide(d careerv1alpha1.BallotDecision) func(*careerv1alpha1.Ballot) {
	return func(b *careerv1alpha1.Ballot) { b.Spec.Decision = d }
}

// The forgeries the Proposal specs try against spec.votes, transposed to
// Ballots: what the policy can judge from the Ballot alone is refused here;
// what needs the Proposal (the author's own ballot, one for another Role,
// after the decision, on an earlier text) is admitted and not counted,
// which internal/controller's "Ballots" specs show.
var _ = Describe("Ballot authenticity (issue 26)", func() {
	BeforeEach(func() {
		ns = newNamespace()
		grantUserRoles()
		Expect(create(alice, newProposal(proposalName, alice, reviewedRole))).To(Succeed())
		Expect(create(alice, newProposal("other-role", alice, otherRole))).To(Succeed())
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
				Expect(err.Error()).To(ContainSubstring(deniedBy(ballotPolicy)))
			case metav1.StatusReasonInvalid:
				Expect(apierrors.IsInvalid(err)).To(BeTrue(), "want Invalid, got %v", err)
			}
		},
		Entry("casting a vote for someone else",
			func() error { return castAs(bob, vote("forged", dave, careerv1alpha1.BallotApprove)) },
			metav1.StatusReasonForbidden,
			`user "bob" may cast or change only their own ballot (voter "bob"), not a ballot of "dave"`),
		Entry("changing someone else's vote",
			func() error {
				Expect(castAs(dave, vote("dave-vote", dave, careerv1alpha1.BallotApprove))).To(Succeed())
				return updateBallot(bob, "dave-vote", decide(careerv1alpha1.BallotReject))
			},
			metav1.StatusReasonForbidden, `user "bob" may cast or change only their own ballot`),
		Entry("taking over someone else's vote by renaming its voter",
			func() error {
				Expect(castAs(dave, vote("dave-vote", dave, careerv1alpha1.BallotApprove))).To(Succeed())
				return updateBallot(dave, "dave-vote", func(b *careerv1alpha1.Ballot) { b.Spec.Voter = bob })
			},
			metav1.StatusReasonInvalid, "voter is immutable"),
		Entry("withdrawing someone else's vote",
			func() error {
				Expect(castAs(dave, vote("dave-vote", dave, careerv1alpha1.BallotApprove))).To(Succeed())
				return deleteBallot(bob, "dave-vote")
			},
			metav1.StatusReasonForbidden,
			`user "bob" may not withdraw the ballot of "dave": only the voter, the operator, the garbage collector `+
				`and holders of the verb "moderate" on proposals.career.skillmatrix.dev "raise-kubernetes-core" may`),
		Entry("reviewing without the verb review on the Role",
			func() error { return castAs(mallory, reviewBallot("m", mallory, careerv1alpha1.BallotApprove)) },
			metav1.StatusReasonForbidden,
			`user "mallory" may not review proposals for Role "mlops-engineer": `+
				`RBAC does not grant the verb "review" on roles.career.skillmatrix.dev "mlops-engineer"`),
		Entry("reviewing as someone else",
			func() error { return castAs(bob, reviewBallot("r", carol, careerv1alpha1.BallotApprove)) },
			metav1.StatusReasonForbidden,
			`user "bob" may cast or change only their own ballot (voter "bob"), not a ballot of "carol"`),
		Entry("withdrawing someone else's review",
			func() error {
				Expect(castAs(carol, reviewBallot("carol-review", carol, careerv1alpha1.BallotApprove))).To(Succeed())
				return deleteBallot(erin, "carol-review")
			},
			metav1.StatusReasonForbidden, `user "erin" may not withdraw the ballot of "carol"`),
		Entry("reviewing a proposal for a Role one may not review",
			func() error {
				b := reviewBallot("e", erin, careerv1alpha1.BallotApprove)
				b.Spec.ProposalRef, b.Spec.RoleRef = "other-role", otherRole
				return castAs(erin, b)
			},
			metav1.StatusReasonForbidden, `user "erin" may not review proposals for Role "data-engineer"`),
		Entry("voting with the right to create ballots but without the verb vote",
			func() error {
				Expect(admin.Create(suiteCtx, &rbacv1.Role{
					ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "ballot-writer"},
					Rules: []rbacv1.PolicyRule{{APIGroups: []string{careerv1alpha1.GroupVersion.Group},
						Resources: []string{"ballots"}, Verbs: []string{"create"}}},
				})).To(Succeed())
				Expect(admin.Create(suiteCtx, &rbacv1.RoleBinding{
					ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "ballot-writers"},
					RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "ballot-writer"},
					Subjects:   []rbacv1.Subject{userSubject(pat)},
				})).To(Succeed())
				var err error
				Eventually(func() error {
					err = castAs(pat, vote("p", pat, careerv1alpha1.BallotApprove))
					if apierrors.IsForbidden(err) && !strings.Contains(err.Error(), "denied request") {
						return err // RBAC has not seen the binding yet
					}
					return nil
				}).Should(Succeed())
				return err
			},
			metav1.StatusReasonForbidden,
			`user "pat" may not vote on proposal "raise-kubernetes-core": RBAC does not grant the verb "vote"`),
		Entry("moving a ballot to another proposal",
			func() error {
				Expect(castAs(bob, vote("bob-vote", bob, careerv1alpha1.BallotApprove))).To(Succeed())
				return updateBallot(bob, "bob-vote", func(b *careerv1alpha1.Ballot) { b.Spec.ProposalRef = "other-role" })
			},
			metav1.StatusReasonInvalid, "proposalRef is immutable"),
		Entry("turning a vote into a review",
			func() error {
				Expect(castAs(carol, vote("carol-vote", carol, careerv1alpha1.BallotApprove))).To(Succeed())
				return updateBallot(carol, "carol-vote", func(b *careerv1alpha1.Ballot) {
					b.Spec.Kind = careerv1alpha1.BallotKindReview
				})
			},
			metav1.StatusReasonInvalid, "kind is immutable"),
		Entry("a vote that requests changes",
			func() error { return castAs(bob, vote("b", bob, careerv1alpha1.BallotRequestChanges)) },
			metav1.StatusReasonInvalid, "a Vote decides Approve or Reject, a Review Approve or RequestChanges"),
		Entry("a vote comment past 1024 characters",
			func() error {
				b := vote("b", bob, careerv1alpha1.BallotApprove)
				b.Spec.Comment = strings.Repeat("x", 1025)
				return castAs(bob, b)
			},
			metav1.StatusReasonInvalid, "the comment of a Vote may hold at most 1024 characters"),
		Entry("a cluster admin casting a vote for someone else",
			func() error { return castAs("admin", vote("a", bob, careerv1alpha1.BallotApprove)) },
			metav1.StatusReasonForbidden, `may cast or change only their own ballot (voter "`),
		Entry("recording forged groups",
			func() error {
				b := vote("b", bob, careerv1alpha1.BallotApprove)
				b.Spec.Groups = []string{"leads", "system:authenticated"}
				return castAs(bob, b)
			},
			metav1.StatusReasonForbidden,
			`the groups recorded on the ballot of user "bob" must be exactly the groups the API server authenticated: `+
				`engineers, system:authenticated`),
		Entry("recording no groups",
			func() error {
				b := vote("b", bob, careerv1alpha1.BallotApprove)
				b.Spec.Groups = nil
				return castAs(bob, b)
			},
			metav1.StatusReasonForbidden, "must be exactly the groups"),
		Entry("250 KiB of annotations on one's own ballot",
			func() error {
				b := vote("b", bob, careerv1alpha1.BallotApprove)
				b.Annotations = map[string]string{"example.com/notes": strings.Repeat("x", 250*1024)}
				return castAs(bob, b)
			},
			metav1.StatusReasonForbidden,
			`the labels and annotations of ballot "b" total 256017 characters, more than the 8192 allowed`),
	)

	It("lets a voter cast, change and withdraw their own vote, next to others'", func() {
		Expect(castAs(bob, vote("bob-vote", bob, careerv1alpha1.BallotApprove))).To(Succeed())
		Expect(castAs(dave, vote("dave-vote", dave, careerv1alpha1.BallotApprove))).To(Succeed())
		Expect(updateBallot(bob, "bob-vote", func(b *careerv1alpha1.Ballot) {
			b.Spec.Decision, b.Spec.Comment = careerv1alpha1.BallotReject, "needs a migration plan"
		})).To(Succeed())
		By("bob labelling his own ballot")
		Expect(updateBallot(bob, "bob-vote", func(b *careerv1alpha1.Ballot) {
			b.Labels = map[string]string{"team": "ml"}
		})).To(Succeed())
		Expect(deleteBallot(bob, "bob-vote")).To(Succeed())
		var list careerv1alpha1.BallotList
		Expect(admin.List(suiteCtx, &list, client.InNamespace(ns))).To(Succeed())
		Expect(list.Items).To(HaveLen(1))
		Expect(string(list.Items[0].Spec.Voter)).To(Equal(dave))
	})

	It("lets a reviewer by the verb review, also one named for the Role alone, review", func() {
		Expect(castAs(carol, reviewBallot("carol-review", carol, careerv1alpha1.BallotRequestChanges))).To(Succeed())
		Expect(castAs(erin, reviewBallot("erin-review", erin, careerv1alpha1.BallotApprove))).To(Succeed())
	})

	It("lets a reviewer whose review rights were revoked withdraw, but not renew, her review", func() {
		Expect(castAs(carol, reviewBallot("carol-review", carol, careerv1alpha1.BallotApprove))).To(Succeed())
		Expect(admin.Delete(suiteCtx, &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "skillmatrix-reviewer"},
		})).To(Succeed())
		eventuallyAllowed(carol, "review", "roles", reviewedRole, false)
		expectRefused(updateBallot(carol, "carol-review", decide(careerv1alpha1.BallotRequestChanges)), ballotPolicy,
			`user "carol" may not review proposals for Role "mlops-engineer"`)
		Expect(deleteBallot(carol, "carol-review")).To(Succeed())
	})

	// The operator's identities may too (the policy lets them), but RBAC
	// grants the operator only reading Ballots.
	It("lets a moderator and the garbage collector (impersonated) delete anyone's ballot", func() {
		for _, who := range []string{maude, garbageCollector} {
			Expect(castAs(bob, vote("bob-vote", bob, careerv1alpha1.BallotApprove))).To(Succeed())
			Expect(clientOf(who).Delete(suiteCtx, vote("bob-vote", bob, careerv1alpha1.BallotApprove))).To(Succeed(), who)
		}
		By("the garbage collector changing a ballot's metadata (orphaning it), never its spec")
		Expect(castAs(bob, vote("bob-vote", bob, careerv1alpha1.BallotApprove))).To(Succeed())
		Expect(updateBallot(garbageCollector, "bob-vote", func(b *careerv1alpha1.Ballot) {
			b.Finalizers = []string{"example.com/hold"}
		})).To(Succeed())
		expectRefused(updateBallot(garbageCollector, "bob-vote", decide(careerv1alpha1.BallotReject)), ballotPolicy,
			"may cast or change only their own ballot")
		Expect(updateBallot(garbageCollector, "bob-vote", func(b *careerv1alpha1.Ballot) {
			b.Finalizers = nil
		})).To(Succeed())
		By("a moderator may delete, not change, someone's ballot")
		expectRefused(updateBallot(maude, "bob-vote", decide(careerv1alpha1.BallotReject)), ballotPolicy,
			"may cast or change only their own ballot")
	})

	Context("a team lead who can mint ServiceAccounts (the sybil attack)", func() {
		const bot = "ballot-bot"
		var botUser string
		BeforeEach(func() {
			botUser = "system:serviceaccount:" + ns + ":" + bot
			sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: bot}}
			Expect(admin.Create(suiteCtx, sa)).To(Succeed())
			subject := rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: bot}
			bindClusterRole("bot-voter-"+ns, "skillmatrix-voter", subject)
			bindClusterRole("bot-reviewer-"+ns, "skillmatrix-reviewer", subject)
		})
		botVote := func() *careerv1alpha1.Ballot {
			b := vote("bot-vote", botUser, careerv1alpha1.BallotApprove)
			b.Spec.Groups = []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"}
			return b
		}

		It("cannot vote or review with a ServiceAccount token, nor by impersonation", func() {
			clientset, err := kubernetes.NewForConfig(adminCfg)
			Expect(err).NotTo(HaveOccurred())
			tok, err := clientset.CoreV1().ServiceAccounts(ns).CreateToken(suiteCtx, bot,
				&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](600)}},
				metav1.CreateOptions{})
			Expect(err).NotTo(HaveOccurred())
			cfg := rest.AnonymousClientConfig(adminCfg)
			cfg.BearerToken = tok.Status.Token
			c, err := client.New(cfg, client.Options{Scheme: testScheme})
			Expect(err).NotTo(HaveOccurred())
			expectRefused(c.Create(suiteCtx, botVote()), ballotPolicy,
				`user "`+botUser+`" is a system identity (a ServiceAccount or a component): it may not vote`)
			review := botVote()
			review.Spec.Kind = careerv1alpha1.BallotKindReview
			expectRefused(c.Create(suiteCtx, review), ballotPolicy, "is a system identity")
			impersonated := impersonatingServiceAccount(botUser, ns)
			expectRefused(impersonated.Create(suiteCtx, botVote()), ballotPolicy, "is a system identity")
		})

		It("may vote where the platform team allows system identities", func() {
			setParam("allowSystemUsers", "true")
			c := impersonatingServiceAccount(botUser, ns)
			Eventually(func() error { return c.Create(suiteCtx, botVote()) }).Should(Succeed())
		})
	})

	It("lets only members of the voter and reviewer groups vote and review", func() {
		setParam("voterGroups", "leads\nstaff\n")
		castUntilRefused(bob, vote("b", bob, careerv1alpha1.BallotApprove),
			`user "bob" may not vote: only members of the groups leads, staff may`)
		By("a review is judged by the reviewer groups, not the voter groups")
		Expect(castAs(carol, reviewBallot("c", carol, careerv1alpha1.BallotApprove))).To(Succeed())
		setParam("reviewerGroups", "experts")
		castUntilRefused(carol, reviewBallot("c2", carol, careerv1alpha1.BallotApprove),
			`user "carol" may not review: only members of the groups experts may`)
		By("a member of a voter group")
		setParam("voterGroups", "leads\n"+engineers)
		Eventually(func() error { return castAs(bob, vote("b", bob, careerv1alpha1.BallotApprove)) }).Should(Succeed())
	})

	It("admits what it cannot judge from the ballot alone, which the operator does not count", func() {
		By("the author voting on her own proposal")
		Expect(castAs(alice, vote("alice-vote", alice, careerv1alpha1.BallotApprove))).To(Succeed())
		By("a vote on a proposal that does not exist (yet)")
		b := vote("early", bob, careerv1alpha1.BallotApprove)
		b.Spec.ProposalRef = "not-yet"
		Expect(castAs(bob, b)).To(Succeed())
		By("a vote after the proposal was decided")
		setPhase(proposalName, careerv1alpha1.PhaseApplied)
		Expect(castAs(dave, vote("late", dave, careerv1alpha1.BallotReject))).To(Succeed())
	})
})
