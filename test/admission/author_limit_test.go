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

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const (
	limitPolicy    = "skillmatrix-proposal-author-limit"
	limitConfigMap = "skillmatrix-proposal-limits"
)

// The policy half of the per-author limit (issue 25, attack 6): the counts
// are the operator's (internal/controller keeps them and measures the
// overshoot of a burst); here, what the API server does with them.
var _ = Describe("The per-author limit of open Proposals (issue 25, case 6)", func() {
	BeforeEach(func() {
		ns = newNamespace()
		grantUserRoles()
		grantNamespaceAdmin()
	})

	n := 0
	// tryCreate creates a new Proposal of author's under a fresh name.
	tryCreate := func(author string) error {
		n++
		return create(author, newProposal(fmt.Sprintf("p-%d", n), author, reviewedRole))
	}

	It("refuses an author the operator lists at the limit, and nobody else", func() {
		By("letting everyone propose where the operator wrote no counts")
		Expect(tryCreate(alice)).To(Succeed())

		By("the operator writing the counts, alice at the limit")
		Expect(as[operatorUser].Create(suiteCtx, &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: limitConfigMap,
				Labels: map[string]string{managedByLabel: managedByValue}},
			Data: map[string]string{"maxOpenPerAuthor": "1", "atLimit": "alice\nsystem:serviceaccount:x:y"},
		})).To(Succeed())
		var err error
		Eventually(func() error { err = tryCreate(alice); return err }, "15s").Should(HaveOccurred())
		expectRefused(err, limitPolicy,
			fmt.Sprintf(`user "alice" already has 1 open proposals in namespace "%s", the most one author may have`, ns))
		Expect(tryCreate(bob)).To(Succeed())

		By("keeping the counts the operator's: a namespace admin can neither change nor delete them")
		expectRefused(updateConfigMap(mallory, limitConfigMap, func(cm *corev1.ConfigMap) { cm.Data["atLimit"] = "" }),
			configMapPolicy, "may not change ConfigMap")
		expectRefused(as[mallory].Delete(suiteCtx, getConfigMap(limitConfigMap)), configMapPolicy, "")
		Expect(tryCreate(alice)).NotTo(Succeed())
	})

	It("ignores a ConfigMap of that name the operator did not write", func() {
		By("a namespace admin listing a colleague at the limit in an unlabeled look-alike")
		Expect(as[mallory].Create(suiteCtx, &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: limitConfigMap},
			Data:       map[string]string{"atLimit": "alice\nbob"},
		})).To(Succeed())
		Consistently(func() error { return tryCreate(alice) }, "3s", "500ms").Should(Succeed())
		var cm corev1.ConfigMap
		Expect(admin.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: limitConfigMap}, &cm)).To(Succeed())
	})
})
