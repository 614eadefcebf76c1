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
	"encoding/json"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// gitopsManager is the field manager of the tool that applies the Role's
// manifest, as Argo CD's server-side apply does.
const gitopsManager = "argocd-controller"

// applyManifest server-side applies role as a manifest, under gitopsManager;
// force is `--force-conflicts`.
func applyManifest(role *v1.Role, force bool) {
	GinkgoHelper()
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(role)
	Expect(err).NotTo(HaveOccurred())
	u := &unstructured.Unstructured{Object: obj}
	u.SetAPIVersion(v1.GroupVersion.String())
	u.SetKind("Role")
	unstructured.RemoveNestedField(u.Object, "status")
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	opts := []client.ApplyOption{client.FieldOwner(gitopsManager)}
	if force {
		opts = append(opts, client.ForceOwnership)
	}
	Expect(k8sClient.Apply(suiteCtx, client.ApplyConfigurationFromUnstructured(u), opts...)).To(Succeed())
}

// acceptAndApply votes a Proposal through and waits until it is Applied.
func acceptAndApply(ns, name string) *v1.Proposal {
	GinkgoHelper()
	castVote(bob, ns, name, v1.VoteApprove)
	castVote(dave, ns, name, v1.VoteApprove)
	castReview(carol, ns, name, v1.ReviewApprove)
	Eventually(proposalPhase(ns, name)).Should(Equal(v1.PhaseApplied))
	return getProposal(ns, name)
}

// proposeJuniorDocker creates a Proposal that makes docker@junior a
// required W (the fixture has an optional A there).
func proposeJuniorDocker(ns, name string) {
	GinkgoHelper()
	p := fixtureProposal(ns, name, "r")
	p.Spec.Title = "Juniors must work with Docker"
	p.Spec.Changes = []v1.Change{
		{Op: v1.OpSetProficiency, Skill: "docker", Level: "junior", Proficiency: "W", From: &v1.ChangeValue{Proficiency: "A"}},
		{Op: v1.OpSetRequired, Skill: "docker", Level: "junior", Required: new(true), From: &v1.ChangeValue{Required: new(false)}},
	}
	Expect(as(alice).Create(suiteCtx, p)).To(Succeed())
}

// revertedOf is the Role's status.reverted as "name: cells" lines.
func revertedOf(ns, name string) func() []string {
	return func() []string {
		var r v1.Role
		if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name}, &r); err != nil {
			return []string{err.Error()}
		}
		var out []string
		for _, rp := range r.Status.Reverted {
			out = append(out, string(rp.Name)+": "+strings.Join(rp.Cells, ", "))
		}
		return out
	}
}

// publishedChangelog is the changelog of the Role's published matrix.json,
// as "proposal reverted=bool" lines, and its Markdown.
func publishedChangelog(ns, configMap string) func() []string {
	return func() []string {
		cm, err := getConfigMap(ns, configMap)
		if err != nil {
			return []string{err.Error()}
		}
		var doc struct {
			Changelog []struct {
				Proposal      string   `json:"proposal"`
				Reverted      bool     `json:"reverted"`
				RevertedCells []string `json:"revertedCells"`
			} `json:"changelog"`
		}
		if err := json.Unmarshal([]byte(cm.Data["matrix.json"]), &doc); err != nil {
			return []string{err.Error()}
		}
		var out []string
		for _, e := range doc.Changelog {
			line := e.Proposal
			if e.Reverted {
				line += " reverted " + strings.Join(e.RevertedCells, ",")
			}
			out = append(out, line)
		}
		return out
	}
}

// revertEvents are the notes of the ProposalReverted Events about the Role.
func revertEvents(ns, role string) func() []string {
	return func() []string {
		var list eventsv1.EventList
		Expect(k8sClient.List(suiteCtx, &list, client.InNamespace(ns))).To(Succeed())
		var notes []string
		for _, e := range list.Items {
			if e.Regarding.Kind == "Role" && e.Regarding.Name == role && e.Reason == v1.ReasonProposalReverted {
				Expect(e.Type).To(Equal("Warning"))
				notes = append(notes, e.Note)
			}
		}
		return notes
	}
}

// revertedGauge reads skillmatrix_role_reverted_proposals for one Role; -1
// when the Role has no series.
func revertedGauge(ns, role string) func() float64 {
	return func() float64 {
		families, err := metrics.Registry.Gather()
		Expect(err).NotTo(HaveOccurred())
		for _, f := range families {
			if f.GetName() != "skillmatrix_role_reverted_proposals" {
				continue
			}
			for _, m := range f.GetMetric() {
				labels := map[string]string{}
				for _, l := range m.GetLabel() {
					labels[l.GetName()] = l.GetValue()
				}
				if labels["namespace"] == ns && labels["role"] == role {
					return m.GetGauge().GetValue()
				}
			}
		}
		return -1
	}
}

// expectReported checks every channel that reports the Proposal reverted.
func expectReported(ns string, p *v1.Proposal, cells string) {
	GinkgoHelper()
	Eventually(revertedOf(ns, "r")).Should(Equal([]string{p.Name + ": " + cells}))
	role := getRole(ns, "r")
	Expect(role.Status.Reverted[0].UID).To(Equal(string(p.UID)))
	Expect(condition(role.Status.Conditions, v1.ConditionReverted)).To(Equal("True/" + v1.ReasonProposalsReverted))
	Expect(meta.FindStatusCondition(role.Status.Conditions, v1.ConditionReverted).Message).To(ContainSubstring(p.Name))
	Expect(promotedProposalStaysApplied(ns, p.Name)).To(BeTrue())
	Eventually(revertEvents(ns, "r")).Should(ContainElement(ContainSubstring(p.Name)))
	Eventually(publishedChangelog(ns, "r-matrix")).Should(ContainElement(p.Name + " reverted " + strings.ReplaceAll(cells, ", ", ",")))
	Eventually(func() string {
		cm, err := getConfigMap(ns, "r-matrix")
		if err != nil {
			return err.Error()
		}
		return cm.Data["matrix.md"]
	}).Should(ContainSubstring("(reverted: the Role no longer holds " + cells + ")"))
	Eventually(revertedGauge(ns, "r")).Should(BeEquivalentTo(1))
}

// promotedProposalStaysApplied: a revert is the Role's news; the Proposal's
// record (Applied) is history and stays.
func promotedProposalStaysApplied(ns, name string) bool {
	return getProposal(ns, name).Status.Phase == v1.PhaseApplied
}

var _ = Describe("No silent reverts", func() {
	var ns string
	BeforeEach(func() {
		ns = newNamespace()
		Expect(k8sClient.Create(suiteCtx, fixtureMatrix(ns, "m"))).To(Succeed())
	})

	It("reports a forced server-side apply of the older manifest, and leaves no cell that nobody approved", func() {
		manifest := fixtureRole(ns, "r", "m")
		applyManifest(manifest, false)
		eventuallyReady(ns, "r")
		proposeJuniorDocker(ns, "docker-junior")
		p := acceptAndApply(ns, "docker-junior")
		Expect(cellOf(getRole(ns, "r"), "docker", "junior")).To(Equal(v1.Cell{Level: "junior", Proficiency: "W", Required: true}))

		By("force-applying the manifest as it was, which omits `required: false`")
		applyManifest(manifest, true)
		expectReported(ns, p, "docker@junior")

		By("leaving every cell as the manifest has it: the promoted `required: true` went with the proficiency")
		Eventually(func() v1.Cell { return cellOf(getRole(ns, "r"), "docker", "junior") }).
			Should(Equal(v1.Cell{Level: "junior", Proficiency: "A"}))
		Expect(getRole(ns, "r").Spec.Skills).To(Equal(manifest.Spec.Skills))

		By("no longer reporting it once Git carries the change and it is applied again")
		carried := manifest.DeepCopy()
		carried.Spec.Skills[0].Cells[0] = v1.Cell{Level: "junior", Proficiency: "W", Required: true}
		applyManifest(carried, true)
		Eventually(revertedOf(ns, "r")).Should(BeEmpty())
		Expect(condition(getRole(ns, "r").Status.Conditions, v1.ConditionReverted)).To(Equal("False/" + v1.ReasonNoneReverted))
		Eventually(publishedChangelog(ns, "r-matrix")).Should(Equal([]string{p.Name}))
		Eventually(revertedGauge(ns, "r")).Should(BeEquivalentTo(-1))
	})

	It("reports a client-side kubectl apply of the older manifest", func() {
		manifest := fixtureRole(ns, "r", "m")
		Expect(k8sClient.Create(suiteCtx, manifest.DeepCopy(), client.FieldOwner("kubectl-client-side-apply"))).To(Succeed())
		eventuallyReady(ns, "r")
		Expect(as(alice).Create(suiteCtx, fixtureProposal(ns, "k8s-senior", "r"))).To(Succeed())
		p := acceptAndApply(ns, "k8s-senior")

		By("sending what kubectl apply sends for a custom resource: a merge patch that replaces the changed list")
		body, err := json.Marshal(map[string]any{"spec": map[string]any{"skills": manifest.Spec.Skills}})
		Expect(err).NotTo(HaveOccurred())
		Expect(k8sClient.Patch(suiteCtx, getRole(ns, "r"), client.RawPatch(types.MergePatchType, body),
			client.FieldOwner("kubectl-client-side-apply"))).To(Succeed())
		expectReported(ns, p, "kubernetes-core@senior")
		Expect(getRole(ns, "r").Spec.Skills).To(Equal(manifest.Spec.Skills))
	})

	It("reports a kubectl edit, and keeps what the editor saved", func() {
		applyManifest(fixtureRole(ns, "r", "m"), false)
		eventuallyReady(ns, "r")
		proposeJuniorDocker(ns, "docker-junior")
		p := acceptAndApply(ns, "docker-junior")

		By("editing the proficiency back, as kubectl edit does with a merge patch of what the editor saved")
		role := getRole(ns, "r")
		edited := role.DeepCopy()
		edited.Spec.Skills[0].Cells[0].Proficiency = "A"
		Expect(k8sClient.Patch(suiteCtx, edited, client.MergeFrom(role), client.FieldOwner("kubectl-edit"))).To(Succeed())
		expectReported(ns, p, "docker@junior")

		By("leaving the flag the editor saw and kept: the edit sent the whole cell")
		Expect(cellOf(getRole(ns, "r"), "docker", "junior")).To(Equal(v1.Cell{Level: "junior", Proficiency: "A", Required: true}))
	})

	It("does not report a Proposal that a later applied Proposal superseded", func() {
		applyManifest(fixtureRole(ns, "r", "m"), false)
		eventuallyReady(ns, "r")
		proposeProficiency(ns, "first", "docker", "senior", "V", "E")
		first := acceptAndApply(ns, "first")
		proposeProficiency(ns, "second", "docker", "senior", "E", "W")
		second := acceptAndApply(ns, "second")

		Eventually(publishedChangelog(ns, "r-matrix")).Should(Equal([]string{first.Name, second.Name}))
		role := getRole(ns, "r")
		Expect(cellOf(role, "docker", "senior").Proficiency).To(BeEquivalentTo("W"))
		Expect(role.Status.Reverted).To(BeEmpty())
		Expect(condition(role.Status.Conditions, v1.ConditionReverted)).To(Equal("False/" + v1.ReasonNoneReverted))
		Expect(revertEvents(ns, "r")()).To(BeEmpty())
		Expect(revertedGauge(ns, "r")()).To(BeEquivalentTo(-1))

		By("reporting the latest one alone when the cell is set back to the superseded value")
		edited := role.DeepCopy()
		edited.Spec.Skills[0].Cells[2].Proficiency = "E"
		Expect(k8sClient.Patch(suiteCtx, edited, client.MergeFrom(role), client.FieldOwner("kubectl-edit"))).To(Succeed())
		expectReported(ns, second, "docker@senior")
	})
})
