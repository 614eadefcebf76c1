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
	"io"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/promotion"
)

// switchOverOf is the GitWriteBack's record of a Role ("" state when none).
func switchOverOf(ns, role string) func() v1.SwitchOverRecord {
	return func() v1.SwitchOverRecord {
		var wb v1.GitWriteBack
		if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: "career-roles"}, &wb); err != nil {
			return v1.SwitchOverRecord{Message: err.Error()}
		}
		if rec := switchOverRecord(&wb, role); rec != nil {
			return *rec
		}
		return v1.SwitchOverRecord{}
	}
}

func recordState(ns, role string) func() v1.SwitchOverState {
	return func() v1.SwitchOverState { return switchOverOf(ns, role)().State }
}

// promoteInCluster proposes and decides a change before write-back is on:
// it is promoted into the Role in the cluster.
func promoteInCluster(ns, name, title string, changes ...v1.Change) *v1.Proposal {
	GinkgoHelper()
	propose(ns, name, "r1", title, changes...)
	decide(ns, name)
	Eventually(proposalPhase(ns, name)).Should(Equal(v1.PhaseApplied))
	return getProposal(ns, name)
}

// promotionsOwnFields: the promotions' field manager has an entry in the
// Role's managedFields.
func promotionsOwnFields(ns, name string) bool {
	GinkgoHelper()
	role := getRole(ns, name)
	return slices.ContainsFunc(role.ManagedFields, func(m metav1.ManagedFieldsEntry) bool { return m.Manager == promotion.FieldManager })
}

var _ = Describe("Switching over to Git write-back", func() {
	var (
		ns string
		g  *gitOps
	)
	BeforeEach(func() {
		ns = newNamespace()
		g = newGitOpsWithoutWriteBack(ns)
	})

	It("commits the cluster-side promotions Git lacks as one commit, and the sync keeps them Applied", func() {
		cell := promoteInCluster(ns, "cell", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
		focus := "Shipping on the platform."
		from := "Learning the platform."
		level := promoteInCluster(ns, "focus", "Juniors ship", v1.Change{Op: v1.OpSetFocus, Level: "junior", Focus: &focus,
			From: &v1.ChangeValue{Focus: &from}})
		promoted := getRole(ns, "r1")
		Expect(promotionsOwnFields(ns, "r1")).To(BeTrue())
		before := len(g.commits())

		g.turnOnWriteBack()

		By("committing exactly the promoted fields, once, with a trailer pair per Proposal")
		Eventually(recordState(ns, "r1")).Should(Equal(v1.SwitchOverCommitted))
		rec := switchOverOf(ns, "r1")()
		commits := g.commits()
		Expect(commits).To(HaveLen(before + 1))
		Expect(commits[0]).To(HavePrefix(rec.Commit + " Switch Role r1 over to Git write-back"))
		Expect(commits[0]).To(HaveSuffix("Proposal: " + ns + "/cell\nProposal-UID: " + string(cell.UID) +
			"\nProposal: " + ns + "/focus\nProposal-UID: " + string(level.UID)))
		Expect(g.commitsOf(string(cell.UID))).To(Equal(1))
		Expect(g.commitsOf(string(level.UID))).To(Equal(1))
		Expect(rec.Proposals).To(Equal([]v1.ObjectName{"cell", "focus"}))
		Expect(rec.File).To(Equal(platformPath))
		platform := g.file(platformPath)
		Expect(platform).To(ContainSubstring("        - {level: senior, proficiency: V, required: true}  # agreed in 2025\n"))
		Expect(platform).To(ContainSubstring("      focus: Shipping on the platform.\n"))
		Expect(equality.Semantic.DeepEqual(g.gitRole(platformPath, "r1").Spec, promoted.Spec)).To(BeTrue())
		Eventually(roleCondition(ns, "r1", v1.ConditionWriteBack)).Should(Equal("Unknown/AwaitingSync"))
		Expect(switchOverOf(ns, "r2")().Proposals).To(BeEmpty(), "r2 carried nothing")

		By("syncing: everything still Applied, the grid unchanged, the fields released")
		g.sync(serverSideApply)
		Eventually(func() bool { return switchOverOf(ns, "r1")().FieldsReleased }).Should(BeTrue())
		Eventually(roleCondition(ns, "r1", v1.ConditionWriteBack)).Should(Equal("True/Synced"))
		Expect(promotionsOwnFields(ns, "r1")).To(BeFalse())
		for _, name := range []string{"cell", "focus"} {
			p := getProposal(ns, name)
			Expect(p.Status.Phase).To(Equal(v1.PhaseApplied), name)
			Expect(p.Status.GitCommit).To(BeNil(), name)
		}
		live := getRole(ns, "r1")
		Expect(equality.Semantic.DeepEqual(live.Spec, promoted.Spec)).To(BeTrue())
		Expect(live.Status.History).To(HaveLen(2))
		g.expectAgreement(platformPath, "r1")
		Expect(g.commits()).To(HaveLen(before + 1))

		By("letting a later Git edit win a sync that does not force ownership")
		g.humanEdit(platformPath, "proficiency: V, required: true}  # agreed", "proficiency: E, required: true}  # agreed",
			"kubernetes-core: seniors are experts after all")
		for _, doc := range g.documents(platformPath) {
			doc.SetNamespace(ns)
			Expect(k8sClient.Apply(suiteCtx, client.ApplyConfigurationFromUnstructured(doc), client.FieldOwner(argoManager))).To(Succeed())
		}
		Expect(cellOf(getRole(ns, "r1"), "kubernetes-core", "senior").Proficiency).To(BeEquivalentTo("E"))
		g.expectAgreement(platformPath, "r1")

		By("committing a new Proposal on top, as any write-back Proposal")
		propose(ns, "after", "r1", "Juniors know Docker", setProficiency("docker", "junior", "A", "W"))
		decide(ns, "after")
		Eventually(proposalPhase(ns, "after")).Should(Equal(v1.PhaseCommitted))
		Expect(g.commits()).To(HaveLen(before + 3))
	})

	It("reports a Git edit of a promoted field per field, commits nothing, and holds new Proposals until Git is mended", func() {
		cell := promoteInCluster(ns, "cell", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
		g.humanEdit(platformPath, "{level: senior, proficiency: E, required: true}", "{level: senior, proficiency: W, required: true}",
			"kubernetes-core: seniors need less")
		before := len(g.commits())

		g.turnOnWriteBack()

		By("recording the conflict per field, on the GitWriteBack, the Role's WriteBack and an Event")
		Eventually(recordState(ns, "r1")).Should(Equal(v1.SwitchOverConflicted))
		rec := switchOverOf(ns, "r1")()
		Expect(rec.Conflicts).To(Equal([]string{`skills[kubernetes-core].cells[senior].proficiency: Git holds "W", neither the "E" Proposal ` +
			ns + `/cell replaced nor the "V" it set`}))
		Expect(rec.Commit).To(BeEmpty())
		Eventually(roleCondition(ns, "r1", v1.ConditionWriteBack)).Should(Equal("False/" + v1.ReasonSwitchOverConflict))
		Eventually(warningsAbout(ns, "Role", "r1")).Should(ContainElement(v1.ReasonSwitchOverConflict))
		Expect(g.commits()).To(HaveLen(before))
		Expect(cellOf(getRole(ns, "r1"), "kubernetes-core", "senior").Proficiency).To(BeEquivalentTo("V"), "the cluster change is kept")
		Expect(getProposal(ns, "cell").Status.Phase).To(Equal(v1.PhaseApplied))

		By("holding a Proposal accepted meanwhile")
		propose(ns, "after", "r1", "Juniors know Docker", setProficiency("docker", "junior", "A", "W"))
		decide(ns, "after")
		Eventually(proposalCondition(ns, "after", v1.ConditionCommitted)).Should(Equal("False/" + v1.ReasonSwitchOverPending))
		Expect(g.commits()).To(HaveLen(before))

		By("committing the switch-over once Git holds a value the Proposal replaced, then the held Proposal on top")
		g.humanEdit(platformPath, "{level: senior, proficiency: W, required: true}", "{level: senior, proficiency: E, required: true}",
			"kubernetes-core: back to E")
		Eventually(recordState(ns, "r1"), "2m").Should(Equal(v1.SwitchOverCommitted))
		Eventually(proposalPhase(ns, "after"), "2m").Should(Equal(v1.PhaseCommitted))
		commits := g.commits()
		Expect(commits).To(HaveLen(before + 3))
		Expect(commits[0]).To(HavePrefix(getProposal(ns, "after").Status.GitCommit.SHA + " "))
		Expect(commits[1]).To(HavePrefix(switchOverOf(ns, "r1")().Commit + " Switch Role r1"))
		Expect(g.commitsOf(string(cell.UID))).To(Equal(1))

		By("syncing both: all Applied, the cluster equal to Git")
		g.sync(serverSideApply)
		Eventually(proposalPhase(ns, "after")).Should(Equal(v1.PhaseApplied))
		Expect(getProposal(ns, "cell").Status.Phase).To(Equal(v1.PhaseApplied))
		live := getRole(ns, "r1")
		Expect(cellOf(live, "kubernetes-core", "senior").Proficiency).To(BeEquivalentTo("V"))
		Expect(cellOf(live, "docker", "junior").Proficiency).To(BeEquivalentTo("W"))
		Eventually(roleCondition(ns, "r1", v1.ConditionWriteBack)).Should(Equal("True/Synced"))
		g.expectAgreement(platformPath, "r1")
	})

	It("is Synced only once the Role holds what the commit holds: a forced sync of the older revision is not (issue 27)", func() {
		promoteInCluster(ns, "cell", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
		g.turnOnWriteBack()
		Eventually(recordState(ns, "r1")).Should(Equal(v1.SwitchOverCommitted))
		Expect(switchOverOf(ns, "r1")().Reason).To(Equal(v1.ReasonAwaitingSync))

		By("a sync of the revision before the commit, forcing ownership as Flux does: it sets the promoted field back")
		applyRevision(ns, platformFile, "kustomize-controller")
		Expect(cellOf(getRole(ns, "r1"), "kubernetes-core", "senior").Proficiency).To(BeEquivalentTo("E"))
		Eventually(revertedOf(ns, "r1")).Should(Equal([]string{"cell: kubernetes-core@senior"}))
		Consistently(roleCondition(ns, "r1", v1.ConditionWriteBack), "3s").Should(Equal("Unknown/" + v1.ReasonAwaitingSync))
		rec := switchOverOf(ns, "r1")()
		Expect(rec.FieldsReleased).To(BeFalse())
		Expect(rec.Reason).To(Equal(v1.ReasonAwaitingSync))

		By("the sync of the commit: Synced, on the Role and in the record, and nothing reverted")
		applyRevision(ns, g.file(platformPath), "kustomize-controller")
		Eventually(roleCondition(ns, "r1", v1.ConditionWriteBack)).Should(Equal("True/" + v1.ReasonSynced))
		Eventually(func() string { return switchOverOf(ns, "r1")().Reason }).Should(Equal(v1.ReasonSynced))
		Expect(switchOverOf(ns, "r1")().FieldsReleased).To(BeTrue())
		Eventually(revertedOf(ns, "r1")).Should(BeEmpty())
	})

	It("reports a promotion whose Proposal was deleted by name, and carries the others", func() {
		promoteInCluster(ns, "cell", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
		gone := promoteInCluster(ns, "gone", "Juniors know Docker", setProficiency("docker", "junior", "A", "W"))
		Expect(k8sClient.Delete(suiteCtx, gone)).To(Succeed())
		Eventually(func() bool {
			return apierrors.IsNotFound(k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(gone), &v1.Proposal{}))
		}).Should(BeTrue())

		g.turnOnWriteBack()

		Eventually(recordState(ns, "r1")).Should(Equal(v1.SwitchOverCommitted))
		rec := switchOverOf(ns, "r1")()
		Expect(rec.Proposals).To(Equal([]v1.ObjectName{"cell"}))
		Expect(rec.Missing).To(Equal([]v1.ObjectName{"gone"}))
		Expect(rec.Message).To(ContainSubstring("gone"))
		Eventually(warningsAbout(ns, "Role", "r1")).Should(ContainElement(v1.ReasonSwitchOverUncarried))
		Expect(strings.Contains(g.file(platformPath), "{level: junior, proficiency: W}")).To(BeFalse(), "no guess of what it changed")
	})
})

// applyRevision applies the Role documents of a revision of the platform
// file with server-side apply and forced ownership, as manager: how Flux's
// kustomize-controller applies whatever revision its source has fetched.
func applyRevision(ns, content, manager string) {
	GinkgoHelper()
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(content), 4096)
	for {
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			Expect(err).To(MatchError(io.EOF))
			return
		}
		doc := &unstructured.Unstructured{Object: obj}
		if doc.GetKind() != "Role" {
			continue
		}
		doc.SetNamespace(ns)
		Expect(k8sClient.Apply(suiteCtx, client.ApplyConfigurationFromUnstructured(doc), client.FieldOwner(manager),
			client.ForceOwnership)).To(Succeed())
	}
}
