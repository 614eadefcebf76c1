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
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// deleteRole deletes a Role as a rebuild does (the sync prunes it, a
// namespace is rebuilt) and waits until it is gone. envtest runs no
// garbage collector: its matrix ConfigMap stays behind, owned by the old
// object's UID, as it does in a cluster until the collector gets to it.
func deleteRole(ns, name string) types.UID {
	GinkgoHelper()
	old := getRole(ns, name)
	Expect(k8sClient.Delete(suiteCtx, old)).To(Succeed())
	Eventually(func() bool {
		return apierrors.IsNotFound(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name}, &v1.Role{}))
	}).Should(BeTrue())
	return old.UID
}

// historyOf is the Role's history as "name from commit cells" lines.
func historyOf(ns, name string) func() []string {
	return func() []string {
		var r v1.Role
		if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name}, &r); err != nil {
			return []string{err.Error()}
		}
		var out []string
		for _, e := range r.Status.History {
			cells := make([]string, len(e.Cells))
			for i, c := range e.Cells {
				cells[i] = string(c.Skill) + "@" + string(c.Level) + "=" + string(c.Proficiency)
			}
			out = append(out, string(e.Name)+" "+string(e.RebuiltFrom)+" "+e.Commit+" "+strings.Join(cells, ","))
		}
		return out
	}
}

// roleConditionMessage is the message of one of the Role's conditions.
func roleConditionMessage(ns, name, condType string) string {
	GinkgoHelper()
	for _, c := range getRole(ns, name).Status.Conditions {
		if c.Type == condType {
			return c.Message
		}
	}
	return ""
}

// commitAndApply proposes a change to r1, decides it, and syncs its commit.
func commitAndApply(g *gitOps, name, title string, c v1.Change) *v1.Proposal {
	GinkgoHelper()
	propose(g.ns, name, "r1", title, c)
	decide(g.ns, name)
	Eventually(proposalPhase(g.ns, name)).Should(Equal(v1.PhaseCommitted))
	g.sync(serverSideApply)
	Eventually(proposalPhase(g.ns, name)).Should(Equal(v1.PhaseApplied))
	return getProposal(g.ns, name)
}

var _ = Describe("Rebuild from Git (issue 27)", func() {
	var (
		ns string
		g  *gitOps
	)
	BeforeEach(func() {
		ns = newNamespace()
		g = newGitOps(ns)
	})

	It("rebuilds the history from the Applied Proposals when the Role is re-created from Git, adopts its ConfigMap, and reports a later revert", func() {
		first := commitAndApply(g, "raise", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
		second := commitAndApply(g, "docker", "Juniors work with Docker", setProficiency("docker", "junior", "A", "W"))
		before := historyOf(ns, "r1")()
		Expect(before).To(HaveLen(2))

		By("deleting the Role and letting the sync re-create it from Git")
		oldUID := deleteRole(ns, "r1")
		cm, err := getConfigMap(ns, "r1-matrix")
		Expect(err).NotTo(HaveOccurred())
		Expect(cm.OwnerReferences[0].UID).To(Equal(oldUID))
		g.sync(serverSideApply)

		By("getting its history back, in order, from the Applied Proposals")
		Eventually(historyOf(ns, "r1")).Should(Equal([]string{
			"raise Proposal " + first.Status.GitCommit.SHA + " kubernetes-core@senior=V",
			"docker Proposal " + second.Status.GitCommit.SHA + " docker@junior=W",
		}))
		Eventually(roleCondition(ns, "r1", v1.ConditionHistory)).Should(Equal("True/" + v1.ReasonHistoryRebuilt))
		Expect(roleConditionMessage(ns, "r1", v1.ConditionHistory)).To(ContainSubstring("raise, docker"))

		By("adopting its own matrix ConfigMap instead of ConfigMapConflict")
		role := eventuallyReady(ns, "r1")
		Eventually(func() types.UID {
			cm, err := getConfigMap(ns, "r1-matrix")
			Expect(err).NotTo(HaveOccurred())
			return metav1.GetControllerOf(cm).UID
		}).Should(Equal(role.UID))
		Expect(warningsAbout(ns, "Role", "r1")()).NotTo(ContainElement(v1.ReasonConfigMapConflict))
		Eventually(publishedChangelog(ns, "r1-matrix")).Should(ContainElements("raise", "docker"))
		Expect(revertedOf(ns, "r1")()).To(BeEmpty())
		g.expectAgreement(platformPath, "r1")

		By("reporting a Git commit that undoes a change made before the rebuild")
		g.humanEdit(platformPath, "proficiency: V, required: true}  # agreed", "proficiency: E, required: true}  # agreed",
			"kubernetes-core: back to experts")
		g.sync(serverSideApply)
		Eventually(revertedOf(ns, "r1")).Should(Equal([]string{"raise: kubernetes-core@senior"}))
		Eventually(roleCondition(ns, "r1", v1.ConditionReverted)).Should(Equal("True/" + v1.ReasonProposalsReverted))
		Expect(g.commits()).To(HaveLen(4), "the rebuild committed nothing")
	})

	It("rebuilds it from the commits the operator signed when the Proposals are gone too, and never from a forged one", func() {
		pemKey, _ := newSSHSigningKey()
		g.sign(v1.CommitSigningSSH, map[string][]byte{"signingKey": pemKey})
		Eventually(writeBackReady(ns)).Should(Equal("True/" + v1.ReasonReady))
		raise := commitAndApply(g, "raise", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
		Expect(raise.Status.GitCommit.Signed).To(BeTrue())

		By("pushing a forged commit that names a Proposal of the Role in its trailers, unsigned")
		forged := "11111111-2222-3333-4444-555555555555"
		content := g.file(platformPath)
		Expect(g.srv.Commit(repoName, "main", map[string]string{platformPath: strings.Replace(content,
			"{level: junior, proficiency: A}", "{level: junior, proficiency: E}", 1)},
			"Juniors are experts\n\nProposal: "+ns+"/forged\nProposal-UID: "+forged+"\nProposed-by: mallory")).To(Succeed())
		forgedSHA := strings.Fields(g.commits()[0])[0]
		g.sync(serverSideApply)

		By("deleting every Proposal and the Role, and re-creating the Role from Git")
		Expect(k8sClient.DeleteAllOf(suiteCtx, &v1.Proposal{}, client.InNamespace(ns))).To(Succeed())
		Eventually(func() int {
			var list v1.ProposalList
			Expect(k8sClient.List(suiteCtx, &list, client.InNamespace(ns))).To(Succeed())
			return len(list.Items)
		}).Should(BeZero())
		deleteRole(ns, "r1")
		g.sync(serverSideApply)

		Eventually(historyOf(ns, "r1")).Should(Equal([]string{
			"raise Git " + raise.Status.GitCommit.SHA + " kubernetes-core@senior=V",
		}))
		role := getRole(ns, "r1")
		Expect(role.Status.History[0].UID).To(Equal(string(raise.UID)))
		Expect(role.Status.History[0].Title).To(Equal("Seniors run Kubernetes in production"))
		Expect(role.Status.History[0].Author).To(BeEquivalentTo(alice))
		Expect(role.Status.HistoryEntry(forged)).To(BeNil(), "a forged trailer makes no history entry")
		Eventually(roleCondition(ns, "r1", v1.ConditionHistory)).Should(Equal("False/" + v1.ReasonHistoryUnverifiable))
		msg := roleConditionMessage(ns, "r1", v1.ConditionHistory)
		Expect(msg).To(ContainSubstring(forgedSHA[:12]))
		Expect(msg).To(ContainSubstring("raise (" + raise.Status.GitCommit.SHA[:12] + ")"))
		Eventually(warningsAbout(ns, "Role", "r1")).Should(ContainElement(v1.ReasonHistoryUnverifiable))

		By("reporting a revert of the rebuilt change")
		g.humanEdit(platformPath, "proficiency: V, required: true}  # agreed", "proficiency: E, required: true}  # agreed",
			"kubernetes-core: back to experts")
		g.sync(serverSideApply)
		Eventually(revertedOf(ns, "r1")).Should(Equal([]string{"raise: kubernetes-core@senior"}))
	})

	It("says what it cannot rebuild from unsigned commits when the Proposals are gone, and records nothing from them", func() {
		raise := commitAndApply(g, "raise", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
		Expect(k8sClient.DeleteAllOf(suiteCtx, &v1.Proposal{}, client.InNamespace(ns))).To(Succeed())
		Eventually(func() int {
			var list v1.ProposalList
			Expect(k8sClient.List(suiteCtx, &list, client.InNamespace(ns))).To(Succeed())
			return len(list.Items)
		}).Should(BeZero())
		deleteRole(ns, "r1")
		g.sync(serverSideApply)

		Eventually(roleCondition(ns, "r1", v1.ConditionHistory)).Should(Equal("False/" + v1.ReasonHistoryUnverifiable))
		Expect(roleConditionMessage(ns, "r1", v1.ConditionHistory)).To(And(
			ContainSubstring(raise.Status.GitCommit.SHA[:12]), ContainSubstring("spec.signing")))
		Expect(getRole(ns, "r1").Status.History).To(BeEmpty())
		eventuallyReady(ns, "r1")
	})

	It("says the history is complete for a Role nothing was applied to", func() {
		Eventually(roleCondition(ns, "r1", v1.ConditionHistory)).Should(Equal("True/" + v1.ReasonHistoryComplete))
		deleteRole(ns, "r2")
		g.sync(serverSideApply)
		Eventually(roleCondition(ns, "r2", v1.ConditionHistory)).Should(Equal("True/" + v1.ReasonHistoryComplete))
		Expect(getRole(ns, "r2").Status.History).To(BeEmpty())
	})
})
