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
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/gitserver"
)

// writeBackConditions is "Ready Status/Reason, Reconciling, Stalled" of a
// GitWriteBack, the last two as "-" when absent.
func writeBackConditions(ns, name string) func() string {
	return func() string {
		var wb v1.GitWriteBack
		if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name}, &wb); err != nil {
			return err.Error()
		}
		out := condition(wb.Status.Conditions, v1.ConditionReady)
		for _, t := range []string{v1.ConditionReconciling, v1.ConditionStalled} {
			if c := meta.FindStatusCondition(wb.Status.Conditions, t); c != nil {
				out += " " + t
			}
		}
		if wb.Status.ObservedGeneration != wb.Generation {
			out += " (generation not observed)"
		}
		return out
	}
}

var _ = Describe("The GitWriteBack's own check (issue 27)", func() {
	var (
		ns  string
		srv *gitserver.Server
	)
	BeforeEach(func() {
		ns = newNamespace()
		srv = gitserver.Start(GinkgoT())
		Expect(srv.CreateRepo(repoName, "main", map[string]string{"README.md": "# career\n"})).To(Succeed())
	})

	create := func(name string, change func(*v1.GitWriteBackSpec)) {
		GinkgoHelper()
		wb := &v1.GitWriteBack{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Spec: v1.GitWriteBackSpec{URL: srv.URL(repoName), Branch: "main", SecretRef: v1.SecretReference{Name: "career-git"},
				MatrixRef: "m", Interval: &metav1.Duration{Duration: time.Second}},
		}
		if change != nil {
			change(&wb.Spec)
		}
		Expect(k8sClient.Create(suiteCtx, wb)).To(Succeed())
	}
	setPassword := func(password string) {
		GinkgoHelper()
		secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "career-git"}}
		err := k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(secret), secret)
		secret.Data = map[string][]byte{"username": []byte(gitserver.User), "password": []byte(password)}
		if err != nil {
			Expect(k8sClient.Create(suiteCtx, secret)).To(Succeed())
			return
		}
		Expect(k8sClient.Update(suiteCtx, secret)).To(Succeed())
	}

	It("reports a missing Secret, bad credentials, a missing branch and repository and a server down with no Proposal at all, and checks again every interval", func() {
		By("a Secret that does not exist: Stalled")
		create("career-roles", nil)
		Eventually(writeBackConditions(ns, "career-roles")).Should(Equal("False/" + v1.ReasonSecretNotFound + " Stalled"))
		Expect(kstatus("GitWriteBack", ns, "career-roles")()).To(Equal(status.FailedStatus))
		Eventually(warningsAbout(ns, "GitWriteBack", "career-roles")).Should(ContainElement(v1.ReasonSecretNotFound))

		By("a password the server refuses, found by the next periodic check (Secrets are not watched)")
		setPassword("wrong")
		Eventually(writeBackConditions(ns, "career-roles")).Should(Equal("False/" + v1.ReasonGitAuthenticationFail + " Stalled"))

		By("the right password: Ready, from the periodic check alone")
		setPassword(gitserver.InitialPassword)
		Eventually(writeBackConditions(ns, "career-roles")).Should(Equal("True/" + v1.ReasonReady))
		Eventually(kstatus("GitWriteBack", ns, "career-roles")).Should(Equal(status.CurrentStatus))

		By("a branch that does not exist, at once on the change")
		changeWriteBack(ns, func(s *v1.GitWriteBackSpec) {
			s.Branch, s.Interval = "release", &metav1.Duration{Duration: time.Hour}
		})
		Eventually(writeBackConditions(ns, "career-roles")).Should(Equal("False/" + v1.ReasonGitBranchNotFound + " Stalled"))

		By("a repository that does not exist")
		changeWriteBack(ns, func(s *v1.GitWriteBackSpec) { s.Branch, s.URL = "main", srv.URL("nothing-here") })
		Eventually(writeBackConditions(ns, "career-roles")).Should(Equal("False/" + v1.ReasonGitRepositoryNotFound + " Stalled"))

		By("the server down: Reconciling, not Stalled (it passes by itself)")
		changeWriteBack(ns, func(s *v1.GitWriteBackSpec) {
			s.URL, s.Interval = srv.URL(repoName), &metav1.Duration{Duration: time.Second}
		})
		Eventually(writeBackConditions(ns, "career-roles")).Should(Equal("True/" + v1.ReasonReady))
		srv.Stop()
		Eventually(writeBackConditions(ns, "career-roles")).Should(Equal("False/" + v1.ReasonGitUnreachable + " Reconciling"))
		Expect(kstatus("GitWriteBack", ns, "career-roles")()).To(Equal(status.InProgressStatus))
		Expect(srv.Restart()).To(Succeed())
		Eventually(writeBackConditions(ns, "career-roles")).Should(Equal("True/" + v1.ReasonReady))
	})

	It("refuses a signing key that cannot sign and a branch prefix that makes no branch name", func() {
		setPassword(gitserver.InitialPassword)
		create("signed", func(s *v1.GitWriteBackSpec) {
			s.Signing = &v1.CommitSigning{Format: v1.CommitSigningSSH, SecretRef: v1.SecretReference{Name: "no-such-key"}}
		})
		Eventually(writeBackConditions(ns, "signed")).Should(Equal("False/" + v1.ReasonSigningKeyInvalid + " Stalled"))
		create("branches", func(s *v1.GitWriteBackSpec) {
			s.Mode, s.BranchPrefix, s.MatrixRef = v1.GitWriteBackBranch, "bad.lock/", "other"
		})
		Eventually(writeBackConditions(ns, "branches")).Should(Equal("False/" + v1.ReasonWriteBackConfigInvalid + " Stalled"))
	})
})
