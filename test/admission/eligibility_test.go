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
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	careerv1alpha1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

const eligibilityPolicy = "skillmatrix-proposal-eligibility"

// paramsKey is the admission params the shipped bindings reference.
var paramsKey = client.ObjectKey{Namespace: "skillmatrix-operator-system", Name: "skillmatrix-admission-params"}

// setParam sets one key of the admission params and restores it after the
// spec; the API server picks the change up asynchronously, so callers wait
// for its effect.
func setParam(key, value string) {
	GinkgoHelper()
	var params corev1.ConfigMap
	Expect(admin.Get(suiteCtx, paramsKey, &params)).To(Succeed())
	old, had := params.Data[key]
	params.Data[key] = value
	Expect(admin.Update(suiteCtx, &params)).To(Succeed())
	DeferCleanup(func() {
		var now corev1.ConfigMap
		Expect(admin.Get(suiteCtx, paramsKey, &now)).To(Succeed())
		if had {
			now.Data[key] = old
		} else {
			delete(now.Data, key)
		}
		Expect(admin.Update(suiteCtx, &now)).To(Succeed())
	})
}

// voteAs casts an approving vote on the shared Proposal as c, who is user
// with groups, recording the groups given.
func voteAs(c client.Client, user string, recorded []string) error {
	return updateWith(c, proposalName, func(p *careerv1alpha1.Proposal) {
		p.Spec.Votes = append(p.Spec.Votes, careerv1alpha1.Vote{Voter: careerv1alpha1.Username(user),
			Decision: careerv1alpha1.VoteApprove, Groups: recorded})
	})
}

var _ = Describe("Who may vote and review (issue 12)", func() {
	BeforeEach(func() {
		ns = newNamespace()
		grantUserRoles()
		Expect(create(alice, newProposal(proposalName, alice, reviewedRole))).To(Succeed())
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
		groupsOfBot := func() []string {
			return []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"}
		}

		It("cannot vote or review with a ServiceAccount token", func() {
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

			expectRefused(voteAs(c, botUser, groupsOfBot()), eligibilityPolicy,
				`user "`+botUser+`" is a system identity (a ServiceAccount or a component): it may not vote`)
			expectRefused(updateWith(c, proposalName, func(p *careerv1alpha1.Proposal) {
				p.Spec.Reviews = append(p.Spec.Reviews, careerv1alpha1.Review{Reviewer: careerv1alpha1.Username(botUser),
					Decision: careerv1alpha1.ReviewApprove, Groups: groupsOfBot()})
			}), eligibilityPolicy, "is a system identity")
			Expect(get(alice, proposalName).Spec.Votes).To(BeEmpty())
		})

		It("cannot vote by impersonating the ServiceAccount", func() {
			c := impersonatingServiceAccount(botUser, ns)
			expectRefused(voteAs(c, botUser, groupsOfBot()), eligibilityPolicy, "is a system identity")
		})

		It("may vote where the platform team allows system identities", func() {
			setParam("allowSystemUsers", "true")
			c := impersonatingServiceAccount(botUser, ns)
			Eventually(func() error { return voteAs(c, botUser, groupsOfBot()) }).Should(Succeed())
		})
	})

	It("refuses a vote whose recorded groups are not its author's", func() {
		expectRefused(voteAs(as[bob], bob, []string{"leads", "system:authenticated"}), eligibilityPolicy,
			`the groups recorded on the vote or review of user "bob" must be exactly the groups `+
				`the API server authenticated: engineers, system:authenticated`)
		expectRefused(voteAs(as[bob], bob, nil), eligibilityPolicy, "must be exactly the groups")
		expectRefused(voteAs(as[bob], bob, []string{engineers}), eligibilityPolicy, "must be exactly the groups")
		Expect(voteAs(as[bob], bob, testenv.AuthenticatedGroups(engineers))).To(Succeed())
	})

	It("lets only members of the voter and reviewer groups vote and review", func() {
		setParam("voterGroups", "leads\nstaff\n")
		// A params change reaches admission a moment after it is stored: the
		// waiting is done with dry runs, which store nothing if admitted.
		Eventually(func() error {
			return voteAs(client.NewDryRunClient(as[bob]), bob, testenv.AuthenticatedGroups(engineers))
		}).Should(MatchError(ContainSubstring(`user "bob" may not vote: only members of the groups leads, staff may`)))
		expectRefused(voteAs(as[bob], bob, testenv.AuthenticatedGroups(engineers)), eligibilityPolicy, "may not vote")

		By("a reviewer outside the reviewer groups")
		setParam("reviewerGroups", "experts")
		review := func(c client.Client) error {
			return updateWith(c, proposalName, setReview(carol, careerv1alpha1.ReviewApprove))
		}
		Eventually(func() error { return review(client.NewDryRunClient(clientOf(carol))) }).Should(MatchError(
			ContainSubstring(`user "carol" may not review: only members of the groups experts may`)))
		expectRefused(review(clientOf(carol)), eligibilityPolicy, "may not review")

		By("a member of a voter group")
		setParam("voterGroups", "leads\n"+engineers)
		Eventually(func() error { return voteAs(as[bob], bob, testenv.AuthenticatedGroups(engineers)) }).Should(Succeed())
	})
})

// impersonatingServiceAccount is a client that acts as the ServiceAccount user of ns, as a
// namespace admin with the impersonate verb could.
func impersonatingServiceAccount(user, ns string) client.Client {
	GinkgoHelper()
	cfg := rest.CopyConfig(adminCfg)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user,
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + ns}}
	c, err := client.New(cfg, client.Options{Scheme: testScheme})
	Expect(err).NotTo(HaveOccurred())
	return c
}
