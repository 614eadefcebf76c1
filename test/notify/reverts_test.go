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

package notify

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/controller"
)

var _ = Describe("Reverts and Git write-back", func() {
	var mgr *runningManager
	BeforeEach(func() {
		mgr = startManager(controller.Seams{}, nil)
		DeferCleanup(func() { mgr.stop() })
	})

	It("tells when a Role no longer carries an applied change", func() {
		ns := newNamespace()
		framework(ns, governance(time.Hour, 0), "platform-engineer")
		createProvider(ns, "hook", v1.ProviderWebhook, nil)
		createRule(ns, "hook", "hook", nil)
		ruleReady(ns, "hook")
		propose(ns, "raise", "platform-engineer", "Seniors run Kubernetes in production")
		vote(bob, ns, "raise", v1.VoteApprove, "")
		waitDelivery(ns+"-hook", "Applied to platform-engineer: Seniors run Kubernetes in production")

		By("someone sets the cell back by hand")
		Eventually(func() error {
			var r v1.Role
			if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: "platform-engineer"}, &r); err != nil {
				return err
			}
			for i := range r.Spec.Skills {
				if r.Spec.Skills[i].ID != "kubernetes-core" {
					continue
				}
				for j := range r.Spec.Skills[i].Cells {
					if r.Spec.Skills[i].Cells[j].Level == "senior" {
						r.Spec.Skills[i].Cells[j].Proficiency = "E"
					}
				}
			}
			return k8sClient.Update(suiteCtx, &r)
		}).Should(Succeed())
		d := waitDelivery(ns+"-hook", "Reverted in platform-engineer: Seniors run Kubernetes in production")
		Expect(d.text).To(ContainSubstring("kubernetes-core@senior"))
		Expect(hooks.troubles()).To(BeEmpty())
	})

	It("tells when Git write-back fails", func() {
		ns := newNamespace()
		framework(ns, governance(time.Hour, 0), "platform-engineer")
		createProvider(ns, "hook", v1.ProviderWebhook, nil)
		createRule(ns, "hook", "hook", nil)
		ruleReady(ns, "hook")
		Expect(k8sClient.Create(suiteCtx, &v1.GitWriteBack{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "roles-repo"},
			Spec: v1.GitWriteBackSpec{URL: "https://git.example.invalid/career/roles.git", MatrixRef: "engineering",
				SecretRef: v1.SecretReference{Name: "no-such-secret"}},
		})).To(Succeed())
		propose(ns, "raise", "platform-engineer", "Seniors run Kubernetes in production")
		vote(bob, ns, "raise", v1.VoteApprove, "")
		d := waitDelivery(ns+"-hook", "Git write-back failing: roles-repo")
		Expect(d.text).To(ContainSubstring("SecretNotFound"))
		Expect(d.text).To(ContainSubstring("kubectl describe gitwritebacks.career.skillmatrix.dev roles-repo -n " + ns))
		waitDelivery(ns+"-hook", "Accepted: Seniors run Kubernetes in production")
		Expect(hooks.troubles()).To(BeEmpty())
	})
})
