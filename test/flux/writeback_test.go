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

package flux

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"golang.org/x/crypto/ssh"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/gitserver"
)

const (
	repoName  = "career"
	rolesPath = "career/roles.yaml"
)

// The repository as a platform team keeps it: the SkillMatrix and a Role,
// without namespaces (the Kustomization's targetNamespace sets them).
const matrixFile = `apiVersion: career.skillmatrix.dev/v1alpha1
kind: SkillMatrix
metadata:
  name: m
spec:
  displayName: Engineering
  levels:
    - {id: junior, name: Junior}
    - {id: middle, name: Middle}
    - {id: senior, name: Senior}
  proficiencies:
    - {id: A, name: Awareness}
    - {id: W, name: Working}
    - {id: V, name: Advanced}
    - {id: E, name: Expert}
  categories:
    - id: cloud
      name: Cloud & Infrastructure
      skills:
        - {id: docker, name: Docker}
        - {id: kubernetes-core, name: Kubernetes Core}
  governance:
    minApprovals: 2
    approvalRatioPercent: 66
    requiredReviews: 1
    votingPeriod: 168h
`

const rolesFile = `# Platform roles, synced by Flux. Edit by Proposal.
apiVersion: career.skillmatrix.dev/v1alpha1
kind: Role
metadata:
  name: r1
spec:
  matrixRef: m
  displayName: Platform Engineer
  skills:
    - id: docker
      cells:
        - {level: junior, proficiency: A}
        - {level: middle, proficiency: W, required: true}
        - {level: senior, proficiency: V, required: true}
    - id: kubernetes-core
      cells:
        - {level: junior, proficiency: A}
        - {level: middle, proficiency: W, required: true}
        - {level: senior, proficiency: E, required: true}  # agreed in 2025
`

// fluxOps is one spec's namespace, repository and Flux objects.
type fluxOps struct {
	ns  string
	srv *gitserver.Server
}

func newFluxOps() *fluxOps {
	GinkgoHelper()
	nsObj := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "flux-"}}
	Expect(k8sClient.Create(suiteCtx, nsObj)).To(Succeed())
	f := &fluxOps{ns: nsObj.Name, srv: gitserver.Start(GinkgoT())}
	Expect(f.srv.CreateRepo(repoName, "main", map[string]string{
		"career/matrix.yaml": matrixFile, rolesPath: rolesFile, "README.md": "# career\n",
	})).To(Succeed())
	// One Secret in Flux's layout serves Flux and the operator.
	Expect(k8sClient.Create(suiteCtx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "career-git"},
		StringData: map[string]string{"username": gitserver.User, "password": gitserver.InitialPassword},
	})).To(Succeed())
	f.apply(f.gitRepository(map[string]any{"branch": "main"}))
	f.apply(&unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
		"metadata": map[string]any{"name": "career", "namespace": f.ns},
		"spec": map[string]any{
			"interval": "2s", "retryInterval": "2s", "prune": true, "path": "./career", "targetNamespace": f.ns,
			"sourceRef": map[string]any{"kind": "GitRepository", "name": "career"},
		},
	}})
	DeferCleanup(func() {
		if CurrentSpecReport().Failed() {
			for _, name := range []string{"source-controller", "kustomize-controller"} {
				b, _ := os.ReadFile(filepath.Join(fluxLogs, name+".log"))
				AddReportEntry(name+" log (tail)", tail(string(b), 8000))
			}
		}
		// envtest has no namespace controller: delete what it would, so
		// Flux and the operator stop working on this spec's objects.
		for _, obj := range []client.Object{f.kustomization(), f.gitRepository(nil)} {
			_ = k8sClient.Delete(suiteCtx, obj)
		}
		_ = k8sClient.DeleteAllOf(suiteCtx, &v1.Proposal{}, client.InNamespace(f.ns))
		_ = k8sClient.DeleteAllOf(suiteCtx, &v1.GitWriteBack{}, client.InNamespace(f.ns))
	})
	By("Flux creating the SkillMatrix and the Role from Git")
	Eventually(f.roleReady("r1")).Should(BeTrue())
	return f
}

func (f *fluxOps) gitRepository(ref map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
		"metadata": map[string]any{"name": "career", "namespace": f.ns},
	}}
	if ref != nil {
		u.Object["spec"] = map[string]any{"interval": "2s", "timeout": "20s", "url": f.srv.URL(repoName),
			"ref": ref, "secretRef": map[string]any{"name": "career-git"}}
	}
	return u
}

func (f *fluxOps) kustomization() *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
		"metadata": map[string]any{"name": "career", "namespace": f.ns},
	}}
}

// apply server-side applies a Flux object as the platform team.
func (f *fluxOps) apply(u *unstructured.Unstructured) {
	GinkgoHelper()
	Expect(k8sClient.Apply(suiteCtx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner("platform-team"),
		client.ForceOwnership)).To(Succeed())
}

// lastApplied is the revision the Kustomization last applied.
func (f *fluxOps) lastApplied() string {
	u := f.kustomization()
	if err := k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(u), u); err != nil {
		return err.Error()
	}
	rev, _, _ := unstructured.NestedString(u.Object, "status", "lastAppliedRevision")
	return rev
}

// head is the branch head's SHA.
func (f *fluxOps) head() string {
	GinkgoHelper()
	return strings.Fields(f.commits()[0])[0]
}

func (f *fluxOps) commits() []string {
	GinkgoHelper()
	log, err := f.srv.Log(repoName, "main")
	Expect(err).NotTo(HaveOccurred())
	return log
}

func (f *fluxOps) file(path string) string {
	GinkgoHelper()
	out, err := f.srv.Show(repoName, "main:"+path)
	Expect(err).NotTo(HaveOccurred())
	return out
}

// waitForSync waits until Flux applied the branch head.
func (f *fluxOps) waitForSync() {
	GinkgoHelper()
	head := f.head()
	Eventually(f.lastApplied).Should(HaveSuffix(head))
}

func (f *fluxOps) role(name string) *v1.Role {
	GinkgoHelper()
	var r v1.Role
	Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: f.ns, Name: name}, &r)).To(Succeed())
	return &r
}

func (f *fluxOps) roleReady(name string) func() bool {
	return func() bool {
		var r v1.Role
		if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: f.ns, Name: name}, &r); err != nil {
			return false
		}
		return meta.IsStatusConditionTrue(r.Status.Conditions, v1.ConditionReady) &&
			r.Status.ObservedGeneration == r.Generation
	}
}

func (f *fluxOps) roleCondition(name, condType string) func() string {
	return func() string {
		var r v1.Role
		if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: f.ns, Name: name}, &r); err != nil {
			return err.Error()
		}
		if c := meta.FindStatusCondition(r.Status.Conditions, condType); c != nil {
			return string(c.Status) + "/" + c.Reason
		}
		return ""
	}
}

func (f *fluxOps) cell(skill, level v1.ID) func() v1.ProficiencyID {
	return func() v1.ProficiencyID {
		var r v1.Role
		if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: f.ns, Name: "r1"}, &r); err != nil {
			return v1.ProficiencyID(err.Error())
		}
		if c := r.Spec.Cell(skill, level); c != nil {
			return c.Proficiency
		}
		return ""
	}
}

func (f *fluxOps) phase(name string) func() v1.ProposalPhase {
	return func() v1.ProposalPhase {
		var p v1.Proposal
		if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: f.ns, Name: name}, &p); err != nil {
			return v1.ProposalPhase(err.Error())
		}
		return p.Status.Phase
	}
}

func (f *fluxOps) proposal(name string) *v1.Proposal {
	GinkgoHelper()
	var p v1.Proposal
	Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: f.ns, Name: name}, &p)).To(Succeed())
	return &p
}

// history is the Role's history as "name rebuiltFrom" lines.
func (f *fluxOps) history() func() []string {
	return func() []string {
		var r v1.Role
		if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: f.ns, Name: "r1"}, &r); err != nil {
			return []string{err.Error()}
		}
		var out []string
		for _, e := range r.Status.History {
			out = append(out, strings.TrimSpace(string(e.Name)+" "+string(e.RebuiltFrom)))
		}
		return out
	}
}

func (f *fluxOps) reverted() func() []string {
	return func() []string {
		var r v1.Role
		if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: f.ns, Name: "r1"}, &r); err != nil {
			return []string{err.Error()}
		}
		var out []string
		for _, rp := range r.Status.Reverted {
			out = append(out, string(rp.Name)+": "+strings.Join(rp.Cells, ", "))
		}
		return out
	}
}

// accept proposes a change to r1 as alice and accepts it: two votes, a review.
func (f *fluxOps) accept(name, title string, c v1.Change) {
	GinkgoHelper()
	Expect(userClients[alice].Create(suiteCtx, &v1.Proposal{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name},
		Spec:       v1.ProposalSpec{RoleRef: "r1", Title: title, Author: alice, Changes: []v1.Change{c}},
	})).To(Succeed())
	groups := testenv.AuthenticatedGroups("engineers")
	for _, voter := range []string{bob, dave} {
		f.update(voter, name, func(p *v1.Proposal) {
			p.Spec.Votes = append(p.Spec.Votes, v1.Vote{Voter: v1.Username(voter), Decision: v1.VoteApprove, Groups: groups})
		})
	}
	f.update(carol, name, func(p *v1.Proposal) {
		p.Spec.Reviews = append(p.Spec.Reviews, v1.Review{Reviewer: carol, Decision: v1.ReviewApprove, Groups: groups})
	})
}

func (f *fluxOps) update(user, name string, change func(*v1.Proposal)) {
	GinkgoHelper()
	Eventually(func() error {
		var p v1.Proposal
		if err := userClients[user].Get(suiteCtx, client.ObjectKey{Namespace: f.ns, Name: name}, &p); err != nil {
			return err
		}
		change(&p)
		return userClients[user].Update(suiteCtx, &p)
	}).Should(Succeed())
}

func (f *fluxOps) writeBack(change func(*v1.GitWriteBackSpec)) {
	GinkgoHelper()
	wb := &v1.GitWriteBack{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "career-roles"},
		Spec: v1.GitWriteBackSpec{URL: f.srv.URL(repoName), Branch: "main", Path: "career",
			SecretRef: v1.SecretReference{Name: "career-git"}, MatrixRef: "m",
			Interval: &metav1.Duration{Duration: 2 * time.Second}},
	}
	if change != nil {
		change(&wb.Spec)
	}
	Expect(k8sClient.Create(suiteCtx, wb)).To(Succeed())
	Eventually(func() bool {
		var got v1.GitWriteBack
		Expect(k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(wb), &got)).To(Succeed())
		return meta.IsStatusConditionTrue(got.Status.Conditions, v1.ConditionReady)
	}).Should(BeTrue())
}

// deleteRole deletes r1 as a rebuild does; envtest runs no garbage
// collector, so its ConfigMap stays, owned by the old object, as it does
// in a cluster until the collector gets to it. Flux re-creates the Role
// from Git at its next reconcile.
func (f *fluxOps) deleteRole() types.UID {
	GinkgoHelper()
	old := f.role("r1")
	Expect(k8sClient.Delete(suiteCtx, old)).To(Succeed())
	Eventually(func() types.UID {
		var r v1.Role
		if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: f.ns, Name: "r1"}, &r); err != nil {
			if apierrors.IsNotFound(err) {
				return ""
			}
			return types.UID(err.Error())
		}
		return r.UID
	}).ShouldNot(Equal(old.UID))
	return old.UID
}

func raise() v1.Change {
	return v1.Change{Op: v1.OpSetProficiency, Skill: "kubernetes-core", Level: "senior", Proficiency: "V",
		From: &v1.ChangeValue{Proficiency: "E"}}
}

func dockerJunior() v1.Change {
	return v1.Change{Op: v1.OpSetProficiency, Skill: "docker", Level: "junior", Proficiency: "W",
		From: &v1.ChangeValue{Proficiency: "A"}}
}

func newSigningKey() []byte {
	GinkgoHelper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	Expect(err).NotTo(HaveOccurred())
	block, err := ssh.MarshalPrivateKey(priv, "operator")
	Expect(err).NotTo(HaveOccurred())
	return pem.EncodeToMemory(block)
}

var _ = Describe("Git write-back against a real Flux (issue 27)", func() {
	It("Direct mode: commits, Flux applies, the Role is deleted and re-created from Git with its history, "+
		"and a Flux rollback is reported", func() {
		f := newFluxOps()
		f.writeBack(nil)

		By("an accepted Proposal committed, once, and Applied only once Flux applied its commit")
		f.accept("raise", "Seniors run Kubernetes in production", raise())
		Eventually(f.phase("raise")).Should(Equal(v1.PhaseCommitted))
		committed := f.proposal("raise").Status.GitCommit.SHA
		Expect(f.head()).To(Equal(committed))
		Expect(f.commits()[0]).To(ContainSubstring("Proposal-UID: " + string(f.proposal("raise").UID)))
		Expect(f.file(rolesPath)).To(ContainSubstring("{level: senior, proficiency: V, required: true}  # agreed in 2025"))
		Eventually(f.phase("raise")).Should(Equal(v1.PhaseApplied))
		Expect(f.lastApplied()).To(HaveSuffix(committed), "Applied only after Flux applied the commit")
		Eventually(f.roleCondition("r1", v1.ConditionWriteBack)).Should(Equal("True/" + v1.ReasonSynced))
		Expect(f.cell("kubernetes-core", "senior")()).To(BeEquivalentTo("V"))

		f.accept("docker", "Juniors work with Docker", dockerJunior())
		Eventually(f.phase("docker")).Should(Equal(v1.PhaseApplied))
		Expect(f.commits()).To(HaveLen(3), "one commit per Proposal")
		Eventually(f.history()).Should(Equal([]string{"raise", "docker"}))

		By("deleting the Role: Flux re-creates it, it adopts its ConfigMap and gets its history back")
		oldUID := f.deleteRole()
		Eventually(f.roleReady("r1")).Should(BeTrue())
		Eventually(f.history()).Should(Equal([]string{"raise Proposal", "docker Proposal"}))
		Eventually(f.roleCondition("r1", v1.ConditionHistory)).Should(Equal("True/" + v1.ReasonHistoryRebuilt))
		var cm corev1.ConfigMap
		Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: f.ns, Name: "r1-matrix"}, &cm)).To(Succeed())
		Expect(metav1.GetControllerOf(&cm).UID).To(Equal(f.role("r1").UID))
		Expect(metav1.GetControllerOf(&cm).UID).NotTo(Equal(oldUID))
		Expect(f.reverted()()).To(BeEmpty())

		By("a Flux rollback to the revision before both commits: both reported reverted")
		base := strings.Fields(f.commits()[2])[0]
		f.apply(f.gitRepository(map[string]any{"commit": base}))
		Eventually(f.lastApplied).Should(HaveSuffix(base))
		Eventually(f.cell("kubernetes-core", "senior")).Should(BeEquivalentTo("E"))
		Eventually(f.reverted()).Should(ConsistOf("raise: kubernetes-core@senior", "docker: docker@junior"))
		Eventually(f.roleCondition("r1", v1.ConditionReverted)).Should(Equal("True/" + v1.ReasonProposalsReverted))

		By("back on the branch: nothing reverted, and nothing more was committed")
		f.apply(f.gitRepository(map[string]any{"branch": "main"}))
		f.waitForSync()
		Eventually(f.reverted()).Should(BeEmpty())
		Expect(f.commits()).To(HaveLen(3))
	})

	It("Branch mode with signed commits: merged branches, then the Role and every Proposal deleted "+
		"and the history rebuilt from Git alone", func() {
		f := newFluxOps()
		Expect(k8sClient.Create(suiteCtx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "signing"},
			Data:       map[string][]byte{"signingKey": newSigningKey()},
		})).To(Succeed())
		f.writeBack(func(s *v1.GitWriteBackSpec) {
			s.Mode = v1.GitWriteBackBranch
			s.Signing = &v1.CommitSigning{Format: v1.CommitSigningSSH, SecretRef: v1.SecretReference{Name: "signing"}}
		})

		By("a Proposal on its own branch, merged with a merge commit: Applied once Flux applied the merge")
		f.accept("raise", "Seniors run Kubernetes in production", raise())
		Eventually(f.phase("raise")).Should(Equal(v1.PhaseCommitted))
		gc := f.proposal("raise").Status.GitCommit
		Expect(gc.Signed).To(BeTrue())
		Expect(gc.Branch).To(Equal("skillmatrix/" + f.ns + "/raise"))
		Consistently(f.phase("raise"), "3s").Should(Equal(v1.PhaseCommitted), "nothing reaches main before the merge")
		Expect(f.srv.Merge(repoName, "main", gc.Branch, gitserver.MergeCommit, "Merge branch "+gc.Branch, nil)).To(Succeed())
		Eventually(f.phase("raise")).Should(Equal(v1.PhaseApplied))
		Expect(f.lastApplied()).To(HaveSuffix(f.head()))

		By("a second Proposal, squash-merged by a forge: the squash commit is recorded")
		f.accept("docker", "Juniors work with Docker", dockerJunior())
		Eventually(f.phase("docker")).Should(Equal(v1.PhaseCommitted))
		branch := f.proposal("docker").Status.GitCommit.Branch
		uid := string(f.proposal("docker").UID)
		Expect(f.srv.Merge(repoName, "main", branch, gitserver.MergeSquash,
			"Juniors work with Docker (!2)\n\nProposal: "+f.ns+"/docker\nProposal-UID: "+uid, nil)).To(Succeed())
		squash := f.head()
		Expect(f.srv.DeleteBranch(repoName, branch)).To(Succeed())
		Eventually(f.phase("docker")).Should(Equal(v1.PhaseApplied))
		Expect(f.proposal("docker").Status.GitCommit.MergedCommit).To(Equal(squash))

		By("deleting every Proposal and the Role, as a rebuilt namespace would lose them")
		Expect(k8sClient.DeleteAllOf(suiteCtx, &v1.Proposal{}, client.InNamespace(f.ns))).To(Succeed())
		Eventually(func() int {
			var list v1.ProposalList
			Expect(k8sClient.List(suiteCtx, &list, client.InNamespace(f.ns))).To(Succeed())
			return len(list.Items)
		}).Should(BeZero())
		f.deleteRole()
		Eventually(f.roleReady("r1")).Should(BeTrue())

		By("the signed commit counts; the forge's squash cannot be verified, and the condition says so")
		Eventually(f.history()).Should(Equal([]string{"raise Git"}))
		Eventually(f.roleCondition("r1", v1.ConditionHistory)).Should(Equal("False/" + v1.ReasonHistoryUnverifiable))
		Expect(conditionMessage(f.role("r1"), v1.ConditionHistory)).To(ContainSubstring(squash[:12]))

		By("a Flux rollback to before the merge is reported for the rebuilt entry")
		base := strings.Fields(f.commits()[len(f.commits())-1])[0]
		f.apply(f.gitRepository(map[string]any{"commit": base}))
		Eventually(f.lastApplied).Should(HaveSuffix(base))
		Eventually(f.reverted()).Should(ConsistOf("raise: kubernetes-core@senior"))
	})
})

func conditionMessage(r *v1.Role, condType string) string {
	if c := meta.FindStatusCondition(r.Status.Conditions, condType); c != nil {
		return c.Message
	}
	return ""
}
