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
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"golang.org/x/crypto/ssh"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/gitserver"
)

// The attacks of issue 25, against the real API server, the manager and a
// real Git server: only the operator's own commits count.

const humanIdentity = "Human <human@example.com>"

// branchOf is the Proposal's branch in Branch mode with the default prefix.
func branchOf(ns, name string) string { return "skillmatrix/" + ns + "/" + name }

func raiseK8s() v1.Change { return setProficiency("kubernetes-core", "senior", "E", "V") }

// signingSecret creates the Secret of a signing key and points the
// GitWriteBack at it.
func (g *gitOps) sign(format v1.CommitSigningFormat, data map[string][]byte) {
	GinkgoHelper()
	Expect(k8sClient.Create(suiteCtx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: g.ns, Name: "signing"}, Data: data,
	})).To(Succeed())
	g.configure(func(s *v1.GitWriteBackSpec) {
		s.Signing = &v1.CommitSigning{Format: format, SecretRef: v1.SecretReference{Name: "signing"}}
	})
}

func newSSHSigningKey() (pemKey []byte, public string) {
	GinkgoHelper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	Expect(err).NotTo(HaveOccurred())
	block, err := ssh.MarshalPrivateKey(priv, "operator")
	Expect(err).NotTo(HaveOccurred())
	sshPub, err := ssh.NewPublicKey(pub)
	Expect(err).NotTo(HaveOccurred())
	return pem.EncodeToMemory(block), strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub)))
}

func newPGPSigningKey() (private, public string) {
	GinkgoHelper()
	e, err := openpgp.NewEntity("Skill Matrix", "", "skillmatrix@example.com", nil)
	Expect(err).NotTo(HaveOccurred())
	var pub, priv bytes.Buffer
	w, err := armor.Encode(&pub, openpgp.PublicKeyType, nil)
	Expect(err).NotTo(HaveOccurred())
	Expect(e.Serialize(w)).To(Succeed())
	Expect(w.Close()).To(Succeed())
	w, err = armor.Encode(&priv, openpgp.PrivateKeyType, nil)
	Expect(err).NotTo(HaveOccurred())
	Expect(e.SerializePrivateWithoutSigning(w, nil)).To(Succeed())
	Expect(w.Close()).To(Succeed())
	return priv.String(), pub.String()
}

// verifyCommit runs the real git verify-commit in the bare repository.
func (g *gitOps) verifyCommit(sha string, env []string, config ...string) (string, error) {
	args := []string{}
	for _, c := range config {
		args = append(args, "-c", c)
	}
	return g.srv.Git(repoName, env, append(args, "verify-commit", "-v", sha)...)
}

func requireBinary(name, pkg string) {
	if _, err := exec.LookPath(name); err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		Fail(name + " is required to verify signed commits: install the Debian package " + pkg)
	}
	Skip(name + " not installed (Debian package " + pkg + ")")
}

var _ = Describe("Git write-back trusts only what it wrote", func() {
	var (
		ns string
		g  *gitOps
	)
	BeforeEach(func() {
		ns = newNamespace()
		g = newGitOps(ns)
	})

	It("Direct mode: a forged Proposal-UID trailer on the tracked branch does not drop the accepted change (attack 2)", func() {
		propose(ns, "p", "r1", "Seniors run Kubernetes in production", raiseK8s())
		uid := string(getProposal(ns, "p").UID)
		Expect(g.srv.Commit(repoName, "main", map[string]string{"README.md": "# career!\n"},
			"docs: typo\n\nProposal: "+ns+"/p\nProposal-UID: "+uid+"\n")).To(Succeed())
		forged := strings.Fields(g.commits()[0])[0]
		decide(ns, "p")
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseCommitted))
		p := getProposal(ns, "p")
		Expect(p.Status.GitCommit.SHA).NotTo(Equal(forged))
		Expect(p.Status.PendingCommit).To(BeNil())
		Expect(g.commits()).To(HaveLen(3))
		Expect(g.commits()[0]).To(HavePrefix(p.Status.GitCommit.SHA + " "))
		Expect(g.file(platformPath)).To(ContainSubstring("{level: senior, proficiency: V, required: true}  # agreed in 2025"))
		g.sync(serverSideApply)
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseApplied))
		g.expectAgreement(platformPath, "r1")
	})

	It("refuses line breaks and control characters in a Proposal's title and tech-stack items at admission (attack 3)", func() {
		bad := fixtureProposal(ns, "title", "r1")
		bad.Spec.Title = "Harmless\nProposal-UID: x"
		err := as(alice).Create(suiteCtx, bad)
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("title must be a single line"))
		bad = fixtureProposal(ns, "stack", "r1")
		bad.Spec.Changes = []v1.Change{{Op: v1.OpSetTechStack, Level: "junior", TechStack: []string{"k8s\nProposal-UID: x\nx"}}}
		err = as(alice).Create(suiteCtx, bad)
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("each tech stack item must be a single line"))
		for _, title := range []string{"tab\there", "nel\u0085here", "ls\u2028here", "esc\x1b[31m"} {
			bad = fixtureProposal(ns, "t", "r1")
			bad.Spec.Title = title
			Expect(as(alice).Create(suiteCtx, bad)).NotTo(Succeed(), "%q", title)
		}
		ok := fixtureProposal(ns, "ok", "r1")
		ok.Spec.Title = "Kubernetes: seniors run it — ünïcode is fine"
		ok.Spec.Description = "Several lines\nare fine here.\n\nProposal-UID: not a trailer"
		Expect(as(alice).Create(suiteCtx, ok)).To(Succeed())
	})

	for _, mode := range []v1.GitWriteBackMode{v1.GitWriteBackDirect, v1.GitWriteBackBranch} {
		It(string(mode)+" mode: a Proposal whose description carries another's trailer does not end it (attack 3)", func() {
			g.configure(func(s *v1.GitWriteBackSpec) {
				s.Mode = mode
				s.Interval = &metav1.Duration{Duration: 1e9}
				s.MessageTemplate = "{{.Title}}\n\n{{.Description}}\n\n{{range .Changes}}- {{.}}\n{{end}}"
			})
			propose(ns, "victim", "r1", "Seniors run Kubernetes in production", raiseK8s())
			victimUID := string(getProposal(ns, "victim").UID)
			attacker := fixtureProposal(ns, "attacker", "r1")
			attacker.Spec.Title = "Juniors know Docker"
			attacker.Spec.Description = "Reasons.\n\nProposal-UID: " + victimUID + "\n  * Proposal-UID: " + victimUID
			attacker.Spec.Changes = []v1.Change{setProficiency("docker", "junior", "A", "W")}
			Expect(as(alice).Create(suiteCtx, attacker)).To(Succeed())
			decide(ns, "attacker")
			Eventually(proposalPhase(ns, "attacker")).Should(Equal(v1.PhaseCommitted))
			a := getProposal(ns, "attacker")
			msg, err := g.srv.Git(repoName, nil, "log", "-1", "--format=%B", a.Status.GitCommit.SHA)
			Expect(err).NotTo(HaveOccurred())
			Expect(msg).To(ContainSubstring("    \"Proposal-UID: " + victimUID + "\""))
			trailers, err := g.srv.Git(repoName, nil, "log", "-1", "--format=%(trailers:key=Proposal-UID,valueonly)", a.Status.GitCommit.SHA)
			Expect(err).NotTo(HaveOccurred())
			Expect(strings.TrimSpace(trailers)).To(Equal(string(a.UID)))
			if mode == v1.GitWriteBackBranch {
				squash := "Juniors know Docker (!1)\n\n* Juniors know Docker\n\n" + msg
				Expect(g.srv.Merge(repoName, "main", branchOf(ns, "attacker"), gitserver.MergeSquash, squash, nil)).To(Succeed())
			}
			decide(ns, "victim")
			Eventually(proposalPhase(ns, "victim")).Should(Equal(v1.PhaseCommitted))
			Consistently(proposalPhase(ns, "victim"), "3s").Should(Equal(v1.PhaseCommitted))
			if mode == v1.GitWriteBackBranch {
				Expect(g.srv.Merge(repoName, "main", branchOf(ns, "victim"), gitserver.MergeCommit, "Merge !2", nil)).To(Succeed())
				Eventually(proposalCondition(ns, "victim", v1.ConditionApplied)).Should(Equal("False/" + v1.ReasonMerged))
			}
			g.sync(serverSideApply)
			Eventually(proposalPhase(ns, "victim")).Should(Equal(v1.PhaseApplied))
			Eventually(proposalPhase(ns, "attacker")).Should(Equal(v1.PhaseApplied))
			g.expectAgreement(platformPath, "r1")
		})
	}

	It("Branch mode: never adopts a squatted branch, says who holds it, and commits once it is gone (attack 1)", func() {
		g.branchMode()
		propose(ns, "raise", "r1", "Seniors run Kubernetes in production", raiseK8s())
		uid := string(getProposal(ns, "raise").UID)
		squat := strings.Replace(g.file(platformPath), "{level: senior, proficiency: E, required: true}", "{level: senior, proficiency: A, required: true}", 1)
		squat = strings.Replace(squat, "    - id: docker\n", "    - id: dropped\n", 1)
		Expect(g.srv.CommitOn(repoName, "main", branchOf(ns, "raise"),
			map[string]string{platformPath: squat, "roles/backdoor.yaml": "kind: ConfigMap\n"},
			"Seniors run Kubernetes in production\n\nProposal: "+ns+"/raise\nProposal-UID: "+uid+"\n")).To(Succeed())
		squatLog, err := g.srv.Log(repoName, branchOf(ns, "raise"))
		Expect(err).NotTo(HaveOccurred())
		decide(ns, "raise")
		Eventually(proposalCondition(ns, "raise", v1.ConditionCommitted)).Should(Equal("False/" + v1.ReasonGitBranchTaken))
		p := getProposal(ns, "raise")
		Expect(p.Status.Phase).To(Equal(v1.PhaseAccepted))
		Expect(p.Status.GitCommit).To(BeNil())
		Expect(p.Status.PendingCommit).To(BeNil())
		Expect(p.Status.Message).To(ContainSubstring(humanIdentity))
		Expect(p.Status.Message).To(ContainSubstring(branchOf(ns, "raise")))
		Eventually(roleCondition(ns, "r1", v1.ConditionWriteBack)).Should(Equal("False/" + v1.ReasonGitBranchTaken))
		after, err := g.srv.Log(repoName, branchOf(ns, "raise"))
		Expect(err).NotTo(HaveOccurred())
		Expect(after).To(Equal(squatLog), "nothing pushed over it")

		By("committing on the operator's own branch once the squatter's is deleted")
		Expect(g.srv.DeleteBranch(repoName, branchOf(ns, "raise"))).To(Succeed())
		Eventually(proposalPhase(ns, "raise"), "60s").Should(Equal(v1.PhaseCommitted))
		p = getProposal(ns, "raise")
		onBranch, err := g.srv.Log(repoName, branchOf(ns, "raise"))
		Expect(err).NotTo(HaveOccurred())
		Expect(onBranch[0]).To(HavePrefix(p.Status.GitCommit.SHA + " "))
		Expect(g.srv.Show(repoName, branchOf(ns, "raise")+":roles/backdoor.yaml")).Error().To(HaveOccurred())
	})

	It("Branch mode: reports commits that ride along on the branch and into the merge, not Merged (attack 4)", func() {
		g.branchMode()
		propose(ns, "raise", "r1", "Seniors run Kubernetes in production", raiseK8s())
		decide(ns, "raise")
		Eventually(proposalPhase(ns, "raise")).Should(Equal(v1.PhaseCommitted))
		Expect(g.srv.CommitOn(repoName, branchOf(ns, "raise"), branchOf(ns, "raise"),
			map[string]string{"roles/extra.yaml": "kind: ConfigMap\n"}, "ride along")).To(Succeed())
		Eventually(proposalCondition(ns, "raise", v1.ConditionApplied)).Should(Equal("False/" + v1.ReasonBranchHasForeignCommits))
		Expect(getProposal(ns, "raise").Status.Message).To(ContainSubstring(humanIdentity))
		Expect(g.srv.Merge(repoName, "main", branchOf(ns, "raise"), gitserver.MergeCommit, "Merge !1", nil)).To(Succeed())
		Eventually(proposalCondition(ns, "raise", v1.ConditionApplied)).Should(Equal("False/" + v1.ReasonMergedWithExtraCommits))
		p := getProposal(ns, "raise")
		Expect(p.Status.Message).To(ContainSubstring("ride along"))
		Expect(p.Status.Phase).To(Equal(v1.PhaseCommitted))
		Eventually(warningsAbout(ns, "Proposal", "raise")).Should(ContainElement(v1.ReasonMergedWithExtraCommits))
	})

	It("Branch mode: a squash of the branch with an extra commit is reported, not Merged (attack 4)", func() {
		g.branchMode()
		propose(ns, "raise", "r1", "Seniors run Kubernetes in production", raiseK8s())
		decide(ns, "raise")
		Eventually(proposalPhase(ns, "raise")).Should(Equal(v1.PhaseCommitted))
		lowered := strings.Replace(g.branchFile(branchOf(ns, "raise"), platformPath), "{level: junior, proficiency: A}", "{level: junior, proficiency: W}", 1)
		Expect(g.srv.CommitOn(repoName, branchOf(ns, "raise"), branchOf(ns, "raise"),
			map[string]string{platformPath: lowered}, "ride along")).To(Succeed())
		Expect(g.srv.Merge(repoName, "main", branchOf(ns, "raise"), gitserver.MergeSquash, "squash !1", nil)).To(Succeed())
		Expect(g.srv.DeleteBranch(repoName, branchOf(ns, "raise"))).To(Succeed())
		Eventually(proposalCondition(ns, "raise", v1.ConditionApplied)).Should(Equal("False/" + v1.ReasonMergedWithExtraCommits))
	})

	It("Branch mode: Proposals of the same name in two namespaces writing to one repository do not block each other (attack 5)", func() {
		g.branchMode()
		other := newNamespace()
		og := &gitOps{ns: other, srv: g.srv, paths: g.paths}
		matrix := fixtureMatrix(other, "m")
		matrix.Spec.Categories[0].Skills = append(matrix.Spec.Categories[0].Skills, v1.Skill{ID: "terraform", Name: "Terraform"})
		Expect(k8sClient.Create(suiteCtx, matrix)).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: other, Name: "career-git"},
			StringData: map[string]string{"username": gitserver.User, "password": gitserver.InitialPassword},
		})).To(Succeed())
		og.sync(serverSideApply)
		eventuallyReady(other, "r1")
		og.turnOnWriteBack()
		og.branchMode()

		propose(other, "raise", "r1", "Seniors run Kubernetes in production", raiseK8s())
		decide(other, "raise")
		Eventually(proposalPhase(other, "raise")).Should(Equal(v1.PhaseCommitted))
		propose(ns, "raise", "r1", "Seniors run Kubernetes in production", raiseK8s())
		decide(ns, "raise")
		Eventually(proposalPhase(ns, "raise")).Should(Equal(v1.PhaseCommitted))
		Expect(getProposal(ns, "raise").Status.GitCommit.Branch).To(Equal(branchOf(ns, "raise")))
		Expect(getProposal(other, "raise").Status.GitCommit.Branch).To(Equal(branchOf(other, "raise")))
		branches, err := g.srv.Branches(repoName)
		Expect(err).NotTo(HaveOccurred())
		Expect(branches).To(ContainElements(branchOf(ns, "raise"), branchOf(other, "raise")))
	})

	It("signs commits with SSH (verified by git verify-commit) and stops when the key is unusable", func() {
		requireBinary("ssh-keygen", "openssh-client")
		key, public := newSSHSigningKey()
		g.sign(v1.CommitSigningSSH, map[string][]byte{"signingKey": []byte("not a key")})
		propose(ns, "p", "r1", "Seniors run Kubernetes in production", raiseK8s())
		decide(ns, "p")
		Eventually(proposalCondition(ns, "p", v1.ConditionCommitted)).Should(Equal("False/" + v1.ReasonSigningKeyInvalid))
		Eventually(writeBackReady(ns)).Should(Equal("False/" + v1.ReasonSigningKeyInvalid))
		Expect(g.commits()).To(HaveLen(1), "nothing unsigned instead")

		var secret corev1.Secret
		Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: "signing"}, &secret)).To(Succeed())
		secret.Data = map[string][]byte{"signingKey": key}
		Expect(k8sClient.Update(suiteCtx, &secret)).To(Succeed())
		Eventually(proposalPhase(ns, "p"), "60s").Should(Equal(v1.PhaseCommitted))
		p := getProposal(ns, "p")
		Expect(p.Status.GitCommit.Signed).To(BeTrue())
		allowed := filepath.Join(GinkgoT().TempDir(), "allowed_signers")
		Expect(os.WriteFile(allowed, []byte(`skillmatrix@example.com namespaces="git" `+public+"\n"), 0o600)).To(Succeed())
		out, err := g.verifyCommit(p.Status.GitCommit.SHA, nil, "gpg.ssh.allowedSignersFile="+allowed)
		Expect(err).NotTo(HaveOccurred(), out)
		Expect(out).To(ContainSubstring(`Good "git" signature for skillmatrix@example.com`))
	})

	It("Branch mode: signs commits with OpenPGP (verified by git verify-commit with a GnuPG keyring)", func() {
		requireBinary("gpg", "gnupg")
		private, public := newPGPSigningKey()
		g.branchMode()
		g.sign(v1.CommitSigningOpenPGP, map[string][]byte{"signingKey": []byte(private)})
		propose(ns, "p", "r1", "Seniors run Kubernetes in production", raiseK8s())
		decide(ns, "p")
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseCommitted))
		p := getProposal(ns, "p")
		home := filepath.Join(GinkgoT().TempDir(), "gnupg")
		Expect(os.Mkdir(home, 0o700)).To(Succeed())
		imp := exec.Command("gpg", "--batch", "--import")
		imp.Env, imp.Stdin = append(os.Environ(), "GNUPGHOME="+home), strings.NewReader(public)
		out, err := imp.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		out2, err := g.verifyCommit(p.Status.GitCommit.SHA, []string{"GNUPGHOME=" + home})
		Expect(err).NotTo(HaveOccurred(), out2)
		Expect(out2).To(ContainSubstring(`Good signature from "Skill Matrix <skillmatrix@example.com>"`))
	})

	for _, mode := range []v1.GitWriteBackMode{v1.GitWriteBackDirect, v1.GitWriteBackBranch} {
		It(string(mode)+" mode: a manager stopped between recording the commit and pushing it pushes exactly the recorded commit", func() {
			if mode == v1.GitWriteBackBranch {
				g.branchMode()
			}
			branch := "main"
			if mode == v1.GitWriteBackBranch {
				branch = branchOf(ns, "p")
			}
			cacheDir := emptyCacheDir()
			crashed := make(chan struct{})
			var once sync.Once
			restartManager(Options{}, Seams{AfterGitRecord: func(ctx context.Context, _ *v1.Proposal) error {
				once.Do(func() { close(crashed) })
				<-ctx.Done()
				return errors.New("simulated crash after the record")
			}})
			propose(ns, "p", "r1", "Seniors run Kubernetes in production", raiseK8s())
			decide(ns, "p")
			Eventually(crashed).Should(BeClosed())
			stopMgr()
			p := getProposal(ns, "p")
			Expect(p.Status.Phase).To(Equal(v1.PhaseAccepted))
			Expect(p.Status.PendingCommit).NotTo(BeNil())
			recorded := p.Status.PendingCommit.SHA
			Expect(g.commits()).To(HaveLen(1), "nothing pushed before the record")
			if mode == v1.GitWriteBackBranch {
				Expect(g.srv.Branches(repoName)).To(Equal([]string{"main"}))
			}

			By("a human commit lands meanwhile, and the new manager, its cache empty, pushes the recorded commit")
			if mode == v1.GitWriteBackBranch {
				Expect(g.srv.Commit(repoName, "main", map[string]string{"README.md": "later\n"}, "later")).To(Succeed())
			}
			stopMgr = startManager(Options{GitCacheDir: cacheDir})
			Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseCommitted))
			p = getProposal(ns, "p")
			Expect(p.Status.GitCommit.SHA).To(Equal(recorded))
			Expect(p.Status.PendingCommit).To(BeNil())
			log, err := g.srv.Log(repoName, branch)
			Expect(err).NotTo(HaveOccurred())
			Expect(log[0]).To(HavePrefix(recorded + " "))
			Expect(strings.Count(strings.Join(log, "\n"), "Proposal-UID: "+string(p.UID))).To(Equal(1))
		})

		It(string(mode)+" mode: a manager stopped between pushing and recording the push commits once, the recorded commit", func() {
			if mode == v1.GitWriteBackBranch {
				g.branchMode()
			}
			cacheDir := emptyCacheDir()
			crashed := make(chan struct{})
			var once sync.Once
			restartManager(Options{}, Seams{AfterGitPush: func(ctx context.Context, _ *v1.Proposal) error {
				once.Do(func() { close(crashed) })
				<-ctx.Done()
				return errors.New("simulated crash after the push")
			}})
			propose(ns, "p", "r1", "Seniors run Kubernetes in production", raiseK8s())
			decide(ns, "p")
			Eventually(crashed).Should(BeClosed())
			stopMgr()
			p := getProposal(ns, "p")
			Expect(p.Status.GitCommit).To(BeNil())
			recorded := p.Status.PendingCommit.SHA
			stopMgr = startManager(Options{GitCacheDir: cacheDir})
			Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseCommitted))
			p = getProposal(ns, "p")
			Expect(p.Status.GitCommit.SHA).To(Equal(recorded))
			branch := "main"
			if mode == v1.GitWriteBackBranch {
				branch = branchOf(ns, "p")
			}
			log, err := g.srv.Log(repoName, branch)
			Expect(err).NotTo(HaveOccurred())
			Expect(log).To(HaveLen(2))
			Expect(log[0]).To(HavePrefix(recorded + " "))
		})
	}
})

// emptyCacheDir is a Git cache directory a restarted manager starts
// without, as a new Pod's emptyDir. It is removed after the spec's manager
// stops (cleanups run last-registered first: call it before
// restartManager).
func emptyCacheDir() string {
	GinkgoHelper()
	dir, err := os.MkdirTemp("", "git-cache-")
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(os.RemoveAll, dir)
	return dir
}

// branchFile is a file at a branch's head.
func (g *gitOps) branchFile(branch, path string) string {
	GinkgoHelper()
	out, err := g.srv.Show(repoName, branch+":"+path)
	Expect(err).NotTo(HaveOccurred())
	return out
}
