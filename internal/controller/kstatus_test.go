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
	"os"
	"os/exec"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// kstatus reads an object as Flux's health checks and kubectl's tooling do.
func kstatus(kind, ns, name string) func() status.Status {
	return func() status.Status {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(schema.GroupVersionKind{Group: v1.GroupVersion.Group, Version: v1.GroupVersion.Version, Kind: kind})
		if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name}, u); err != nil {
			return status.Status(err.Error())
		}
		res, err := status.Compute(u)
		if err != nil {
			return status.Status(err.Error())
		}
		return res.Status
	}
}

func kstatusOfObject(obj client.Object) status.Status {
	GinkgoHelper()
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	Expect(err).NotTo(HaveOccurred())
	res, err := status.Compute(&unstructured.Unstructured{Object: content})
	Expect(err).NotTo(HaveOccurred())
	return res.Status
}

var _ = Describe("Health as kstatus reads it", func() {
	It("reads healthy objects as Current, work in flight as InProgress and specs that need a person as Failed", func() {
		ns := newNamespace()
		matrix := fixtureMatrix(ns, "m")
		Expect(k8sClient.Create(suiteCtx, matrix)).To(Succeed())
		By("a brand-new object with no status yet, which kstatus reads as Current")
		Expect(kstatusOfObject(matrix)).To(Equal(status.CurrentStatus))

		By("a Proposal whose Role does not exist yet: waiting for it")
		Expect(as(alice).Create(suiteCtx, fixtureProposal(ns, "early", "r"))).To(Succeed())
		Eventually(kstatus("Proposal", ns, "early")).Should(Equal(status.InProgressStatus))
		Expect(getProposal(ns, "early").Status.Phase).NotTo(Equal(v1.PhaseInvalid))

		Expect(k8sClient.Create(suiteCtx, fixtureRole(ns, "r", "m"))).To(Succeed())
		Eventually(kstatus("SkillMatrix", ns, "m")).Should(Equal(status.CurrentStatus))
		Eventually(kstatus("Role", ns, "r")).Should(Equal(status.CurrentStatus))
		By("the Proposal once its Role appears: Open, waiting for people, is Current")
		Eventually(proposalPhase(ns, "early")).Should(Equal(v1.PhaseOpen))
		Eventually(kstatus("Proposal", ns, "early")).Should(Equal(status.CurrentStatus))

		By("an invalid Role: Failed, and its ConfigMap no longer called current")
		bad := fixtureRole(ns, "bad", "m")
		Expect(k8sClient.Create(suiteCtx, bad)).To(Succeed())
		Eventually(kstatus("Role", ns, "bad")).Should(Equal(status.CurrentStatus))
		updateSpec(bad, func(r *v1.Role) { r.Spec.Skills[0].ID = "dockr" })
		Eventually(kstatus("Role", ns, "bad")).Should(Equal(status.FailedStatus))
		Eventually(roleCondition(ns, "bad", v1.ConditionPublished)).Should(Equal("False/" + v1.ReasonInvalidSpec))

		By("an invalid Proposal: closed and Failed")
		invalid := fixtureProposal(ns, "invalid", "r")
		invalid.Spec.Changes[0].Skill = "kubernetes-cor"
		Expect(as(alice).Create(suiteCtx, invalid)).To(Succeed())
		Eventually(proposalPhase(ns, "invalid")).Should(Equal(v1.PhaseInvalid))
		Eventually(kstatus("Proposal", ns, "invalid")).Should(Equal(status.FailedStatus))

		By("kubectl wait --for=condition=Ready on all three kinds")
		kubectlWait(ns, "skillmatrices.career.skillmatrix.dev/m", "roles.career.skillmatrix.dev/r", "proposals.career.skillmatrix.dev/early")
	})

	It("emits no Warning Event over a whole propose-vote-review-apply flow", func() {
		ns := newNamespace()
		Expect(k8sClient.Create(suiteCtx, fixtureMatrix(ns, "m"))).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, fixtureRole(ns, "r", "m"))).To(Succeed())
		Eventually(kstatus("Role", ns, "r")).Should(Equal(status.CurrentStatus))

		proposeProficiency(ns, "raise", "docker", "senior", "V", "E")
		Eventually(proposalPhase(ns, "raise")).Should(Equal(v1.PhaseOpen))
		castVote(bob, ns, "raise", v1.VoteApprove)
		castVote(dave, ns, "raise", v1.VoteApprove)
		castReview(carol, ns, "raise", v1.ReviewApprove)
		Eventually(proposalPhase(ns, "raise")).Should(Equal(v1.PhaseApplied))
		Eventually(kstatus("Proposal", ns, "raise")).Should(Equal(status.CurrentStatus))
		Eventually(kstatus("Role", ns, "r")).Should(Equal(status.CurrentStatus))

		// Events are written after the status: wait until the Applied one is
		// there, then count the Warnings.
		events := func() []eventsv1.Event {
			var list eventsv1.EventList
			Expect(k8sClient.List(suiteCtx, &list, client.InNamespace(ns))).To(Succeed())
			return list.Items
		}
		Eventually(func() []string { return reasonsOf(events()) }).Should(ContainElement(v1.ReasonApplied))
		Consistently(func() []string {
			var warnings []string
			for _, e := range events() {
				if e.Type == corev1.EventTypeWarning {
					warnings = append(warnings, e.Reason+": "+e.Note)
				}
			}
			return warnings
		}, 2*time.Second).Should(BeEmpty())
	})
})

func reasonsOf(events []eventsv1.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Reason
	}
	return out
}

// kubectlWait runs kubectl wait --for=condition=Ready as a user would, when
// kubectl is installed (a machine without it skips this part only).
func kubectlWait(ns string, objects ...string) {
	GinkgoHelper()
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		By("kubectl is not installed: skipping kubectl wait")
		return
	}
	user, err := testEnv.AddUser(envtest.User{Name: "kubectl-admin", Groups: []string{"system:masters"}}, nil)
	Expect(err).NotTo(HaveOccurred())
	kubeconfig, err := user.KubeConfig()
	Expect(err).NotTo(HaveOccurred())
	path := filepath.Join(GinkgoT().TempDir(), "kubeconfig")
	Expect(os.WriteFile(path, kubeconfig, 0o600)).To(Succeed())
	args := append([]string{"--kubeconfig", path, "-n", ns, "wait", "--for=condition=Ready", "--timeout=60s"}, objects...)
	out, err := exec.Command(kubectl, args...).CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), "kubectl wait: %s", out)
	Expect(string(out)).To(ContainSubstring("condition met"))
}
