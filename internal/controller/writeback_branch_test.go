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
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/gitserver"
)

// configure changes the spec's GitWriteBack.
func (g *gitOps) configure(change func(*v1.GitWriteBackSpec)) {
	GinkgoHelper()
	changeWriteBack(g.ns, change)
}

// changeWriteBack changes the spec of the GitWriteBack career-roles in ns.
// The operator writes its status meanwhile: a conflict is retried on the
// newest object.
func changeWriteBack(ns string, change func(*v1.GitWriteBackSpec)) {
	GinkgoHelper()
	updateSpec(&v1.GitWriteBack{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "career-roles"}},
		func(wb *v1.GitWriteBack) { change(&wb.Spec) })
}

// branchMode turns the spec's GitWriteBack to Branch mode, looking into Git
// every second.
func (g *gitOps) branchMode() {
	GinkgoHelper()
	g.configure(func(s *v1.GitWriteBackSpec) {
		s.Mode = v1.GitWriteBackBranch
		s.Interval = &metav1.Duration{Duration: time.Second}
	})
}

var _ = Describe("Git write-back in Branch mode, and the end of waiting", func() {
	var (
		ns string
		g  *gitOps
	)
	BeforeEach(func() {
		ns = newNamespace()
		g = newGitOps(ns)
	})

	// committedOnBranch proposes and accepts the cell change, and waits for
	// its commit on the Proposal's branch.
	committedOnBranch := func(name string) *v1.Proposal {
		GinkgoHelper()
		propose(ns, name, "r1", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
		decide(ns, name)
		Eventually(proposalPhase(ns, name)).Should(Equal(v1.PhaseCommitted))
		p := getProposal(ns, name)
		Expect(p.Status.GitCommit.Branch).To(Equal(branchOf(ns, name)))
		Expect(p.Status.GitCommit.TrackedBranch).To(Equal("main"))
		Expect(p.Status.Message).To(ContainSubstring("merge branch " + branchOf(ns, name) + " into main"))
		Expect(g.commits()).To(HaveLen(1), "main is left to the merge request")
		onBranch, err := g.srv.Log(repoName, branchOf(ns, name))
		Expect(err).NotTo(HaveOccurred())
		Expect(onBranch).To(HaveLen(2))
		Expect(onBranch[0]).To(HavePrefix(p.Status.GitCommit.SHA + " "))
		return p
	}

	It("pushes a branch per Proposal; merged and synced, the Proposal is Applied", func() {
		g.branchMode()
		p := committedOnBranch("raise-k8s")
		Expect(condition(p.Status.Conditions, v1.ConditionApplied)).To(Equal("False/AwaitingSync"))
		Expect(getRole(ns, "r1").Generation).To(Equal(int64(1)))

		By("seeing the merge in Git before the sync")
		Expect(g.srv.Merge(repoName, "main", branchOf(ns, "raise-k8s"), gitserver.MergeCommit, "Merge request !7", nil)).To(Succeed())
		Eventually(proposalCondition(ns, "raise-k8s", v1.ConditionApplied)).Should(Equal("False/Merged"))
		Expect(getProposal(ns, "raise-k8s").Status.Phase).To(Equal(v1.PhaseCommitted))

		By("turning Applied once the sync brings the merged change in")
		g.sync(serverSideApply)
		Eventually(proposalPhase(ns, "raise-k8s")).Should(Equal(v1.PhaseApplied))
		Expect(getRole(ns, "r1").Status.History).To(HaveLen(1))
		Eventually(roleCondition(ns, "r1", v1.ConditionWriteBack)).Should(Equal("True/Synced"))
		g.expectAgreement(platformPath, "r1")
		Expect(g.commitsOf(string(p.UID))).To(Equal(1))
	})

	It("ends a Proposal whose branch is deleted unmerged as Abandoned, and applies nothing", func() {
		g.branchMode()
		committedOnBranch("raise-k8s")
		Expect(g.srv.DeleteBranch(repoName, branchOf(ns, "raise-k8s"))).To(Succeed())
		Eventually(proposalPhase(ns, "raise-k8s")).Should(Equal(v1.PhaseAbandoned))
		p := getProposal(ns, "raise-k8s")
		Expect(condition(p.Status.Conditions, v1.ConditionApplied)).To(Equal("False/" + v1.ReasonBranchDeleted))
		Expect(p.Status.Message).To(ContainSubstring("branch " + branchOf(ns, "raise-k8s") + " was deleted without its change reaching branch main"))
		Eventually(warningsAbout(ns, "Proposal", "raise-k8s")).Should(ContainElement(v1.ReasonBranchDeleted))

		g.sync(serverSideApply)
		Expect(cellOf(getRole(ns, "r1"), "kubernetes-core", "senior").Proficiency).To(BeEquivalentTo("E"))
		Consistently(proposalPhase(ns, "raise-k8s"), "2s").Should(Equal(v1.PhaseAbandoned))
		Expect(getRole(ns, "r1").Status.History).To(BeEmpty())
		Expect(roleCondition(ns, "r1", v1.ConditionWriteBack)()).NotTo(Equal("Unknown/AwaitingSync"))
	})

	It("ends a Proposal merged with other values as Diverged, naming the cell", func() {
		g.branchMode()
		p := committedOnBranch("raise-k8s")
		edited := strings.Replace(g.file(platformPath), "{level: senior, proficiency: E, required: true}", "{level: senior, proficiency: W, required: true}", 1)
		squash := "Seniors run Kubernetes in production (!7)\n\n* Seniors run Kubernetes in production\n\nProposal-UID: " + string(p.UID) + "\n"
		Expect(g.srv.Merge(repoName, "main", branchOf(ns, "raise-k8s"), gitserver.MergeSquash, squash, map[string]string{platformPath: edited})).To(Succeed())
		Expect(g.srv.DeleteBranch(repoName, branchOf(ns, "raise-k8s"))).To(Succeed())

		Eventually(proposalPhase(ns, "raise-k8s")).Should(Equal(v1.PhaseDiverged))
		p = getProposal(ns, "raise-k8s")
		Expect(condition(p.Status.Conditions, v1.ConditionApplied)).To(Equal("False/" + v1.ReasonMergedDifferently))
		Expect(p.Status.Message).To(ContainSubstring("kubernetes-core@senior proficiency is W, the Proposal set V"))

		By("leaving the Role's changelog without it once the other value is synced")
		g.sync(serverSideApply)
		Eventually(func() v1.ProficiencyID { return cellOf(getRole(ns, "r1"), "kubernetes-core", "senior").Proficiency }).
			Should(BeEquivalentTo("W"))
		Consistently(proposalPhase(ns, "raise-k8s"), "2s").Should(Equal(v1.PhaseDiverged))
		Expect(getRole(ns, "r1").Status.History).To(BeEmpty())
		g.expectAgreement(platformPath, "r1")
	})

	It("keeps waiting for a squash that dropped the trailer, branch deleted, and applies it with the sync", func() {
		g.branchMode()
		committedOnBranch("raise-k8s")
		Expect(g.srv.Merge(repoName, "main", branchOf(ns, "raise-k8s"), gitserver.MergeSquash, "Kubernetes for seniors", nil)).To(Succeed())
		squash := strings.Fields(g.commits()[0])[0]
		Expect(g.srv.DeleteBranch(repoName, branchOf(ns, "raise-k8s"))).To(Succeed())
		Eventually(proposalCondition(ns, "raise-k8s", v1.ConditionApplied)).Should(Equal("False/Merged"))
		p := getProposal(ns, "raise-k8s")
		Expect(p.Status.Phase).To(Equal(v1.PhaseCommitted))
		Expect(p.Status.GitCommit.MergedCommit).To(Equal(squash), "the commit on the tracked branch that carries the change (issue 27)")
		Expect(p.Status.GitCommit.SHA).NotTo(Equal(squash))
		g.sync(serverSideApply)
		Eventually(proposalPhase(ns, "raise-k8s")).Should(Equal(v1.PhaseApplied))
		Expect(getProposal(ns, "raise-k8s").Status.GitCommit.MergedCommit).To(Equal(squash))
		Eventually(func() string { return getRole(ns, "r1").Status.HistoryEntry(string(p.UID)).Commit }).Should(Equal(squash))
		g.expectAgreement(platformPath, "r1")
	})

	It("records the squash commit when the sync comes before any look into Git (issue 27)", func() {
		g.configure(func(s *v1.GitWriteBackSpec) {
			s.Mode = v1.GitWriteBackBranch
			s.Interval = &metav1.Duration{Duration: time.Hour}
		})
		committedOnBranch("raise-k8s")
		Expect(g.srv.Merge(repoName, "main", branchOf(ns, "raise-k8s"), gitserver.MergeSquash, "Kubernetes for seniors (!12)", nil)).To(Succeed())
		squash := strings.Fields(g.commits()[0])[0]
		Expect(g.srv.DeleteBranch(repoName, branchOf(ns, "raise-k8s"))).To(Succeed())
		g.sync(serverSideApply)
		Eventually(proposalPhase(ns, "raise-k8s")).Should(Equal(v1.PhaseApplied))
		p := getProposal(ns, "raise-k8s")
		Expect(p.Status.GitCommit.MergedCommit).To(Equal(squash))
		Expect(p.Status.Message).To(ContainSubstring("synced from commit " + squash))
		Eventually(func() string { return getRole(ns, "r1").Status.HistoryEntry(string(p.UID)).Commit }).Should(Equal(squash))
	})

	It("ends a Proposal whose branch is never merged as TimedOut after applyTimeout", func() {
		g.configure(func(s *v1.GitWriteBackSpec) {
			s.Mode = v1.GitWriteBackBranch
			s.BranchPrefix = "mr/career/"
			s.ApplyTimeout = &metav1.Duration{Duration: 3 * time.Second}
		})
		propose(ns, "raise-k8s", "r1", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
		decide(ns, "raise-k8s")
		Eventually(proposalPhase(ns, "raise-k8s")).Should(Equal(v1.PhaseCommitted))
		Expect(getProposal(ns, "raise-k8s").Status.GitCommit.Branch).To(Equal("mr/career/" + ns + "/raise-k8s"))
		Eventually(proposalPhase(ns, "raise-k8s"), "20s").Should(Equal(v1.PhaseTimedOut))
		p := getProposal(ns, "raise-k8s")
		Expect(condition(p.Status.Conditions, v1.ConditionApplied)).To(Equal("False/" + v1.ReasonApplyTimedOut))
		Expect(p.Status.Message).To(ContainSubstring("within applyTimeout 3s"))
		Expect(p.Status.Message).To(ContainSubstring("mr/career/" + ns + "/raise-k8s"))
	})

	It("ends a Direct-mode Proposal that is never synced as TimedOut after applyTimeout", func() {
		g.configure(func(s *v1.GitWriteBackSpec) { s.ApplyTimeout = &metav1.Duration{Duration: 3 * time.Second} })
		propose(ns, "raise-k8s", "r1", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
		decide(ns, "raise-k8s")
		Eventually(proposalPhase(ns, "raise-k8s")).Should(Equal(v1.PhaseCommitted))
		p := getProposal(ns, "raise-k8s")
		Expect(p.Status.GitCommit.Branch).To(Equal("main"))
		Expect(p.Status.GitCommit.TrackedBranch).To(BeEmpty())
		Expect(g.commitsOf(string(p.UID))).To(Equal(1))
		Eventually(proposalPhase(ns, "raise-k8s"), "20s").Should(Equal(v1.PhaseTimedOut))
		Expect(proposalCondition(ns, "raise-k8s", v1.ConditionApplied)()).To(Equal("False/" + v1.ReasonApplyTimedOut))
		Eventually(roleCondition(ns, "r1", v1.ConditionWriteBack)).ShouldNot(Equal("Unknown/AwaitingSync"))
	})

	It("ends a Direct-mode Proposal edited in Git before the sync as Diverged", func() {
		g.configure(func(s *v1.GitWriteBackSpec) { s.Interval = &metav1.Duration{Duration: time.Second} })
		propose(ns, "raise-k8s", "r1", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
		decide(ns, "raise-k8s")
		Eventually(proposalPhase(ns, "raise-k8s")).Should(Equal(v1.PhaseCommitted))
		g.humanEdit(platformPath, "{level: senior, proficiency: V, required: true}  # agreed", "{level: senior, proficiency: A, required: true}  # agreed", "seniors: A after all")
		Eventually(proposalPhase(ns, "raise-k8s")).Should(Equal(v1.PhaseDiverged))
		Expect(getProposal(ns, "raise-k8s").Status.Message).To(ContainSubstring("kubernetes-core@senior proficiency is A, the Proposal set V"))
	})

	It("keeps an older Direct-mode Proposal whose cell a newer commit set again waiting, not Diverged", func() {
		g.configure(func(s *v1.GitWriteBackSpec) { s.Interval = &metav1.Duration{Duration: time.Second} })
		propose(ns, "first", "r1", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
		decide(ns, "first")
		Eventually(proposalPhase(ns, "first")).Should(Equal(v1.PhaseCommitted))
		// No `from`: the cluster's Role still holds E until the sync.
		propose(ns, "second", "r1", "Seniors work with Kubernetes",
			v1.Change{Op: v1.OpSetProficiency, Skill: "kubernetes-core", Level: "senior", Proficiency: "W"})
		decide(ns, "second")
		Eventually(proposalPhase(ns, "second")).Should(Equal(v1.PhaseCommitted))
		Consistently(proposalPhase(ns, "first"), "3s").Should(Equal(v1.PhaseCommitted))
		g.sync(serverSideApply)
		Eventually(proposalPhase(ns, "first")).Should(Equal(v1.PhaseApplied))
		Eventually(proposalPhase(ns, "second")).Should(Equal(v1.PhaseApplied))
	})
})

var _ = Describe("GitWriteBack validation of Branch mode and the waiting", func() {
	var ns string
	BeforeEach(func() { ns = newNamespace() })

	writeBack := func(change func(*v1.GitWriteBackSpec)) *v1.GitWriteBack {
		wb := &v1.GitWriteBack{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "wb"},
			Spec:       v1.GitWriteBackSpec{URL: "https://git.example.com/career.git", SecretRef: v1.SecretReference{Name: "s"}, MatrixRef: "m"},
		}
		change(&wb.Spec)
		return wb
	}

	It("defaults to Direct mode", func() {
		wb := writeBack(func(*v1.GitWriteBackSpec) {})
		Expect(k8sClient.Create(suiteCtx, wb)).To(Succeed())
		Expect(wb.Spec.Mode).To(Equal(v1.GitWriteBackDirect))
		Expect(wb.Spec.ApplyTimeout).To(BeNil(), "the operator applies the default, so a later default change reaches old objects")
	})

	DescribeTable("rejects", func(change func(*v1.GitWriteBackSpec), field, message string) {
		expectRejected(k8sClient.Create(suiteCtx, writeBack(change)), field, message)
	},
		Entry("an unknown mode", func(s *v1.GitWriteBackSpec) { s.Mode = "Fork" }, "spec.mode", "Unsupported value"),
		Entry("an applyTimeout under a second", func(s *v1.GitWriteBackSpec) {
			s.ApplyTimeout = &metav1.Duration{Duration: 500 * time.Millisecond}
		}, "spec.applyTimeout", "applyTimeout must be at least 1s"),
		Entry("a zero interval", func(s *v1.GitWriteBackSpec) { s.Interval = &metav1.Duration{} }, "spec.interval", "interval must be at least 1s"),
		Entry("a branchPrefix with ..", func(s *v1.GitWriteBackSpec) { s.BranchPrefix = "mr/../" }, "spec.branchPrefix", "must not contain .."),
		Entry("a branchPrefix with a space", func(s *v1.GitWriteBackSpec) { s.BranchPrefix = "mr /" }, "spec.branchPrefix", "should match"),
	)
})
