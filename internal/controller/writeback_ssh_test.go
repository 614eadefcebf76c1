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
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"golang.org/x/crypto/ssh/knownhosts"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/gitserver"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/sshgitserver"
)

// sshGitOps is a spec's gitOps switched to SSH: the same repositories,
// served by sshgitserver, the Secret in Flux's SSH layout and the
// GitWriteBack's URL ssh://git@127.0.0.1:PORT/roles.git.
type sshGitOps struct {
	*gitOps
	ssh *sshgitserver.Server
	id  sshgitserver.Identity
	// checked is how many git commands the server had run once the
	// GitWriteBack's own check of the SSH URL passed.
	checked int64
}

const sshKeyPassword = "correct horse"

func newSSHGitOps(ns string) *sshGitOps {
	GinkgoHelper()
	g := &sshGitOps{gitOps: newGitOps(ns), id: sshgitserver.NewIdentity(GinkgoT(), sshKeyPassword)}
	g.ssh = sshgitserver.Start(GinkgoT(), g.srv, g.id.PublicKey)
	g.setSecret(g.secretData())
	changeWriteBack(ns, func(s *v1.GitWriteBackSpec) { s.URL = g.ssh.URL(repoName) })
	By("waiting for the GitWriteBack's check of the SSH URL (an ls-remote over SSH)")
	Eventually(func() string {
		var wb v1.GitWriteBack
		Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: "career-roles"}, &wb)).To(Succeed())
		if c := meta.FindStatusCondition(wb.Status.Conditions, v1.ConditionReady); c != nil && c.ObservedGeneration == wb.Generation {
			return string(c.Status) + "/" + c.Reason + ": " + c.Message
		}
		return ""
	}).Should(And(HavePrefix("True/Ready"), ContainSubstring(g.ssh.URL(repoName))))
	g.checked = g.ssh.Commands()
	return g
}

// secretData is a Secret that works: the key, its password, the server's
// host key.
func (g *sshGitOps) secretData() map[string][]byte {
	return map[string][]byte{
		"identity": g.id.PrivateKeyPEM, "password": []byte(sshKeyPassword), "known_hosts": []byte(g.ssh.KnownHosts()),
	}
}

// setSecret replaces the Secret's data.
func (g *sshGitOps) setSecret(data map[string][]byte) {
	GinkgoHelper()
	var secret corev1.Secret
	Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: g.ns, Name: "career-git"}, &secret)).To(Succeed())
	secret.Data = data
	Expect(k8sClient.Update(suiteCtx, &secret)).To(Succeed())
}

// expectRefused checks a write that SSH refused for reason: on the
// Proposal (still Accepted), the Role, the GitWriteBack and in Warning
// Events; the server ran no git command and the branch did not move.
func (g *sshGitOps) expectRefused(proposal, reason string) {
	GinkgoHelper()
	Eventually(proposalCondition(g.ns, proposal, v1.ConditionCommitted)).Should(Equal("False/" + reason))
	Expect(proposalCondition(g.ns, proposal, v1.ConditionApplied)()).To(Equal("False/" + reason))
	p := getProposal(g.ns, proposal)
	Expect(p.Status.Phase).To(Equal(v1.PhaseAccepted))
	Expect(p.Status.GitCommit).To(BeNil())
	Eventually(roleCondition(g.ns, "r1", v1.ConditionWriteBack)).Should(Equal("False/" + reason))
	Eventually(writeBackReady(g.ns)).Should(Equal("False/" + reason))
	Eventually(warningsAbout(g.ns, "Proposal", proposal)).Should(ContainElement(reason))
	Expect(g.ssh.Commands()).To(Equal(g.checked), "no git command ran with the refused Secret")
	Expect(g.commits()).To(HaveLen(1))
	Expect(cellOf(getRole(g.ns, "r1"), "kubernetes-core", "senior").Proficiency).To(BeEquivalentTo("E"))
}

var _ = Describe("Git write-back over SSH", func() {
	var (
		ns string
		g  *sshGitOps
	)
	BeforeEach(func() {
		ns = newNamespace()
		g = newSSHGitOps(ns)
	})

	It("pushes over SSH to a server whose host key known_hosts lists, and the sync applies it", func() {
		propose(ns, "p", "r1", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
		decide(ns, "p")
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseCommitted))

		p := getProposal(ns, "p")
		Expect(condition(p.Status.Conditions, v1.ConditionCommitted)).To(Equal("True/" + v1.ReasonCommitted))
		Expect(p.Status.GitCommit.URL).To(Equal(g.ssh.URL(repoName)))
		Expect(g.commitsOf(string(p.UID))).To(Equal(1))
		Expect(g.commits()[0]).To(HavePrefix(p.Status.GitCommit.SHA + " "))
		Expect(g.file(platformPath)).To(ContainSubstring("        - {level: senior, proficiency: V, required: true}  # agreed in 2025\n"))
		Expect(g.ssh.Commands()).To(BeNumerically(">=", 2), "a fetch and a push over SSH")
		Eventually(writeBackReady(ns)).Should(Equal("True/" + v1.ReasonReady))

		g.sync(serverSideApply)
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseApplied))
		Eventually(roleCondition(ns, "r1", v1.ConditionWriteBack)).Should(Equal("True/Synced"))
		g.expectAgreement(platformPath, "r1")
		Expect(g.commits()).To(HaveLen(2))
	})

	It("refuses a server whose host key does not match known_hosts, pushes nothing, and commits once the Secret lists the right key", func() {
		data := g.secretData()
		data["known_hosts"] = []byte(g.ssh.KnownHostsWith(sshgitserver.NewHostKey(GinkgoT()).PublicKey()))
		g.setSecret(data)
		before := gitWrites(v1.ReasonHostKeyMismatch)

		propose(ns, "p", "r1", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
		decide(ns, "p")
		g.expectRefused("p", v1.ReasonHostKeyMismatch)
		Expect(getProposal(ns, "p").Status.Message).To(ContainSubstring(g.ssh.HostKey().Type()))
		Expect(gitWrites(v1.ReasonHostKeyMismatch)).To(BeNumerically(">", before))

		g.setSecret(g.secretData())
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseCommitted))
		Eventually(writeBackReady(ns)).Should(Equal("True/" + v1.ReasonReady))
		g.sync(serverSideApply)
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseApplied))
		g.expectAgreement(platformPath, "r1")
		Expect(g.commits()).To(HaveLen(2))
	})

	DescribeTable("refuses, with its own reason, a Secret that cannot make a trusted connection",
		func(reason string, edit func(g *sshGitOps, data map[string][]byte)) {
			data := g.secretData()
			edit(g, data)
			g.setSecret(data)
			propose(ns, "p", "r1", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
			decide(ns, "p")
			g.expectRefused("p", reason)
		},
		Entry("no known_hosts", v1.ReasonKnownHostsMissing, func(_ *sshGitOps, data map[string][]byte) {
			delete(data, "known_hosts")
		}),
		Entry("a known_hosts that does not parse", v1.ReasonKnownHostsInvalid, func(g *sshGitOps, data map[string][]byte) {
			data["known_hosts"] = []byte(g.ssh.Addr() + " ssh-ed25519 not-base64!\n")
		}),
		Entry("a known_hosts without this server", v1.ReasonHostKeyUnknown, func(g *sshGitOps, data map[string][]byte) {
			data["known_hosts"] = []byte(knownhosts.Line([]string{"git.example.com"}, g.ssh.HostKey()) + "\n")
		}),
		Entry("an identity that is not a private key", v1.ReasonSSHIdentityInvalid, func(g *sshGitOps, data map[string][]byte) {
			data["identity"] = []byte(g.ssh.KnownHosts())
		}),
		Entry("an encrypted identity without its password", v1.ReasonSSHIdentityInvalid, func(_ *sshGitOps, data map[string][]byte) {
			delete(data, "password")
		}),
	)

	It("accepts ssh:// and scp-like URLs and refuses a password in them", func() {
		wb := func(name, url string) *v1.GitWriteBack {
			return &v1.GitWriteBack{
				ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
				Spec:       v1.GitWriteBackSpec{URL: url, SecretRef: v1.SecretReference{Name: "career-git"}, MatrixRef: "other"},
			}
		}
		Expect(k8sClient.Create(suiteCtx, wb("scp", "git@github.com:career/roles.git"))).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, wb("ssh", "ssh://git@git.example.com:2222/career/roles.git"))).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, wb("password", "ssh://git:secret@git.example.com/career/roles.git"))).NotTo(Succeed())
		Expect(k8sClient.Create(suiteCtx, wb("local", "/srv/git/roles.git"))).NotTo(Succeed())
	})

	It("over SSH, Branch mode: never adopts a squatted branch, then pushes a signed commit once, the recorded one (issue 25)", func() {
		requireBinary("ssh-keygen", "openssh-client")
		g.branchMode()
		key, public := newSSHSigningKey()
		g.sign(v1.CommitSigningSSH, map[string][]byte{"signingKey": key})
		propose(ns, "raise", "r1", "Seniors run Kubernetes in production", raiseK8s())
		uid := string(getProposal(ns, "raise").UID)
		Expect(g.srv.CommitOn(repoName, "main", branchOf(ns, "raise"), map[string]string{"roles/backdoor.yaml": "x: 1\n"},
			"Seniors run Kubernetes in production\n\nProposal-UID: "+uid+"\n")).To(Succeed())
		decide(ns, "raise")
		Eventually(proposalCondition(ns, "raise", v1.ConditionCommitted)).Should(Equal("False/" + v1.ReasonGitBranchTaken))
		Expect(getProposal(ns, "raise").Status.Message).To(ContainSubstring(humanIdentity))

		Expect(g.srv.DeleteBranch(repoName, branchOf(ns, "raise"))).To(Succeed())
		Eventually(proposalPhase(ns, "raise"), "60s").Should(Equal(v1.PhaseCommitted))
		p := getProposal(ns, "raise")
		Expect(p.Status.GitCommit.Signed).To(BeTrue())
		onBranch, err := g.srv.Log(repoName, branchOf(ns, "raise"))
		Expect(err).NotTo(HaveOccurred())
		Expect(onBranch).To(HaveLen(2))
		Expect(onBranch[0]).To(HavePrefix(p.Status.GitCommit.SHA + " "))
		allowed := filepath.Join(GinkgoT().TempDir(), "allowed_signers")
		Expect(os.WriteFile(allowed, []byte(`skillmatrix@example.com namespaces="git" `+public+"\n"), 0o600)).To(Succeed())
		out, err := g.verifyCommit(p.Status.GitCommit.SHA, nil, "gpg.ssh.allowedSignersFile="+allowed)
		Expect(err).NotTo(HaveOccurred(), out)

		By("merged with a commit on top: reported, not Merged")
		Expect(g.srv.CommitOn(repoName, branchOf(ns, "raise"), branchOf(ns, "raise"), map[string]string{"roles/extra.yaml": "x: 1\n"}, "ride along")).To(Succeed())
		Expect(g.srv.Merge(repoName, "main", branchOf(ns, "raise"), gitserver.MergeCommit, "Merge !1", nil)).To(Succeed())
		Eventually(proposalCondition(ns, "raise", v1.ConditionApplied)).Should(Equal("False/" + v1.ReasonMergedWithExtraCommits))
	})

	It("over SSH, Direct mode: a forged trailer does not drop the change, and a Proposal's text adds no trailer (issue 25)", func() {
		g.configure(func(s *v1.GitWriteBackSpec) { s.MessageTemplate = "{{.Title}}\n\n{{.Description}}" })
		propose(ns, "victim", "r1", "Seniors run Kubernetes in production", raiseK8s())
		uid := string(getProposal(ns, "victim").UID)
		Expect(g.srv.Commit(repoName, "main", map[string]string{"README.md": "x\n"}, "docs\n\nProposal-UID: "+uid+"\n")).To(Succeed())
		attacker := fixtureProposal(ns, "attacker", "r1")
		attacker.Spec.Description = "Why.\n\nProposal-UID: " + uid
		attacker.Spec.Changes = []v1.Change{setProficiency("docker", "junior", "A", "W")}
		Expect(as(alice).Create(suiteCtx, attacker)).To(Succeed())
		decide(ns, "attacker")
		decide(ns, "victim")
		Eventually(proposalPhase(ns, "attacker")).Should(Equal(v1.PhaseCommitted))
		Eventually(proposalPhase(ns, "victim")).Should(Equal(v1.PhaseCommitted))
		Expect(g.commitsOf(uid)).To(Equal(2), "the forged commit and the victim's own: the attacker's indents and quotes the line")
		Expect(g.commits()[0]).NotTo(ContainSubstring("\nProposal-UID: " + uid + "\n\nProposal:"))
		g.sync(serverSideApply)
		Eventually(proposalPhase(ns, "victim")).Should(Equal(v1.PhaseApplied))
		Eventually(proposalPhase(ns, "attacker")).Should(Equal(v1.PhaseApplied))
		g.expectAgreement(platformPath, "r1")
	})
})
