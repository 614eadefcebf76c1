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
	"errors"
	"io"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/gitserver"
)

// The Roles as a team keeps them in Git: comments, flow-style cells, two
// files, one of them with a second document.
const (
	platformPath = "career/roles/platform.yaml"
	dataPath     = "career/roles/data.yaml"
	argoManager  = "argocd-controller"
)

const platformFile = `# Platform roles, synced by Argo CD. Edit by Proposal.
apiVersion: career.skillmatrix.dev/v1alpha1
kind: Role
metadata:
  name: r1
spec:
  matrixRef: m
  displayName: Platform Engineer
  family: Infrastructure
  levels:
    - level: junior
      focus: Learning the platform.
  skills:
    - id: docker
      cells:
        - {level: junior, proficiency: A}
        - {level: middle, proficiency: W, required: true}
        - {level: senior, proficiency: V, required: true}
    # Orchestration
    - id: kubernetes-core
      cells:
        - {level: junior, proficiency: A}
        - {level: middle, proficiency: W, required: true}
        - {level: senior, proficiency: E, required: true}  # agreed in 2025
`

const dataFile = `# Data roles.
apiVersion: career.skillmatrix.dev/v1alpha1
kind: Role
metadata:
  name: r2
spec:
  matrixRef: m
  displayName: Data Engineer
  skills:
    - id: docker
      cells:
        - level: junior
          proficiency: A
        - level: middle
          proficiency: W
        - level: senior
          proficiency: W
---
# Not a Role: the sync applies it, the operator leaves it alone.
apiVersion: v1
kind: ConfigMap
metadata:
  name: data-notes
data:
  owner: data-platform
`

// gitOps is one spec's repository, its write-back configuration and a
// simulated Argo CD that applies the repository's files to the cluster.
type gitOps struct {
	ns    string
	srv   *gitserver.Server
	paths []string
}

const repoName = "roles"

func newGitOps(ns string) *gitOps {
	GinkgoHelper()
	g := newGitOpsWithoutWriteBack(ns)
	g.turnOnWriteBack()
	return g
}

// newGitOpsWithoutWriteBack is the repository, synced, with no GitWriteBack
// yet: Proposals are promoted in the cluster.
func newGitOpsWithoutWriteBack(ns string) *gitOps {
	GinkgoHelper()
	g := &gitOps{ns: ns, srv: gitserver.Start(GinkgoT()), paths: []string{platformPath, dataPath}}
	Expect(g.srv.CreateRepo(repoName, "main", map[string]string{platformPath: platformFile, dataPath: dataFile,
		"README.md": "# career\n"})).To(Succeed())

	matrix := fixtureMatrix(ns, "m")
	matrix.Spec.Categories[0].Skills = append(matrix.Spec.Categories[0].Skills, v1.Skill{ID: "terraform", Name: "Terraform"})
	Expect(k8sClient.Create(suiteCtx, matrix)).To(Succeed())
	Expect(k8sClient.Create(suiteCtx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "career-git"},
		StringData: map[string]string{"username": gitserver.User, "password": gitserver.InitialPassword},
	})).To(Succeed())
	g.sync(serverSideApply)
	eventuallyReady(ns, "r1")
	eventuallyReady(ns, "r2")
	return g
}

// turnOnWriteBack creates the GitWriteBack that selects the matrix's Roles.
func (g *gitOps) turnOnWriteBack() {
	GinkgoHelper()
	Expect(k8sClient.Create(suiteCtx, &v1.GitWriteBack{
		ObjectMeta: metav1.ObjectMeta{Namespace: g.ns, Name: "career-roles"},
		Spec: v1.GitWriteBackSpec{
			URL: g.srv.URL(repoName), Branch: "main", Path: "career",
			SecretRef: v1.SecretReference{Name: "career-git"},
			Author:    &v1.CommitAuthor{Name: "Skill Matrix", Email: "skillmatrix@example.com"},
			MatrixRef: "m",
		},
	})).To(Succeed())
}

type syncMode int

const (
	// serverSideApply is Argo CD with ServerSideApply=true.
	serverSideApply syncMode = iota
	// clientSideUpdate replaces the whole object, as a client-side apply
	// of the file does to every field the file sets.
	clientSideUpdate
)

// sync applies every document of the repository's files at the branch
// head, in the spec's namespace, as Argo CD's controller.
func (g *gitOps) sync(mode syncMode) {
	GinkgoHelper()
	for _, path := range g.paths {
		for _, doc := range g.documents(path) {
			doc.SetNamespace(g.ns)
			switch mode {
			case serverSideApply:
				Expect(k8sClient.Apply(suiteCtx, client.ApplyConfigurationFromUnstructured(doc),
					client.FieldOwner(argoManager), client.ForceOwnership)).To(Succeed())
			case clientSideUpdate:
				live := &unstructured.Unstructured{}
				live.SetGroupVersionKind(doc.GroupVersionKind())
				err := k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(doc), live)
				if apierrors.IsNotFound(err) {
					Expect(k8sClient.Create(suiteCtx, doc, client.FieldOwner(argoManager))).To(Succeed())
					continue
				}
				Expect(err).NotTo(HaveOccurred())
				doc.SetResourceVersion(live.GetResourceVersion())
				Expect(k8sClient.Update(suiteCtx, doc, client.FieldOwner(argoManager))).To(Succeed())
			}
		}
	}
}

// documents decodes the YAML documents of a file at the branch head.
func (g *gitOps) documents(path string) []*unstructured.Unstructured {
	GinkgoHelper()
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(g.file(path)), 4096)
	var docs []*unstructured.Unstructured
	for {
		var obj map[string]any
		err := dec.Decode(&obj)
		if errors.Is(err, io.EOF) {
			return docs
		}
		Expect(err).NotTo(HaveOccurred())
		if len(obj) > 0 {
			docs = append(docs, &unstructured.Unstructured{Object: obj})
		}
	}
}

func (g *gitOps) file(path string) string {
	GinkgoHelper()
	out, err := g.srv.Show(repoName, "main:"+path)
	Expect(err).NotTo(HaveOccurred())
	return out
}

// commits is the branch's history, newest first.
func (g *gitOps) commits() []string {
	GinkgoHelper()
	log, err := g.srv.Log(repoName, "main")
	Expect(err).NotTo(HaveOccurred())
	return log
}

// commitsOf counts the commits that carry a Proposal's UID trailer.
func (g *gitOps) commitsOf(uid string) int {
	n := 0
	for _, c := range g.commits() {
		if strings.Contains(c, "\nProposal-UID: "+uid+"\n") || strings.HasSuffix(c, "\nProposal-UID: "+uid) {
			n++
		}
	}
	return n
}

// humanEdit commits a change to a file straight to the repository, as a
// person would: old is replaced by new in the file at the branch head.
func (g *gitOps) humanEdit(path, old, replacement, message string) {
	GinkgoHelper()
	content := g.file(path)
	Expect(content).To(ContainSubstring(old))
	Expect(g.srv.Commit(repoName, "main", map[string]string{path: strings.Replace(content, old, replacement, 1)}, message)).To(Succeed())
}

// gitRole is the Role as the file at the branch head holds it.
func (g *gitOps) gitRole(path, name string) *v1.Role {
	GinkgoHelper()
	for _, doc := range g.documents(path) {
		if doc.GetKind() != "Role" || doc.GetName() != name {
			continue
		}
		b, err := yaml.Marshal(doc.Object)
		Expect(err).NotTo(HaveOccurred())
		var role v1.Role
		Expect(yaml.UnmarshalStrict(b, &role)).To(Succeed())
		return &role
	}
	Fail("Role " + name + " is not in " + path)
	return nil
}

// expectAgreement is the exact check every scenario ends with: the Role in
// the cluster holds the spec Git holds, and the published matrix is what
// that spec renders to, with the Role's history as its changelog.
func (g *gitOps) expectAgreement(path, name string) {
	GinkgoHelper()
	fromGit := g.gitRole(path, name)
	live := getRole(g.ns, name)
	Expect(equality.Semantic.DeepEqual(live.Spec, fromGit.Spec)).To(BeTrue(),
		"the cluster's Role differs from Git's:\ncluster: %+v\ngit:     %+v", live.Spec, fromGit.Spec)

	var matrix v1.SkillMatrix
	Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: g.ns, Name: "m"}, &matrix)).To(Succeed())
	Eventually(func(gm Gomega) {
		live := getRole(g.ns, name)
		expected := live.DeepCopy()
		expected.Spec = fromGit.Spec
		files, err := render.Role(model.BuildRole(&matrix, expected), render.PublishedOptions(matrix.Spec.Publishing))
		gm.Expect(err).NotTo(HaveOccurred())
		cm, err := getConfigMap(g.ns, name+"-matrix")
		gm.Expect(err).NotTo(HaveOccurred())
		gm.Expect(cm.Data["matrix.json"]).To(Equal(string(files["matrix.json"])))
		gm.Expect(cm.Data["matrix.md"]).To(Equal(string(files["matrix.md"])))
	}).Should(Succeed())
}

// propose creates, as alice, a Proposal of changes to role.
func propose(ns, name, role, title string, changes ...v1.Change) {
	GinkgoHelper()
	p := fixtureProposal(ns, name, role)
	p.Spec.Title, p.Spec.Changes = title, changes
	p.Spec.Description = "Why: the team agreed."
	Expect(as(alice).Create(suiteCtx, p)).To(Succeed())
}

// decide casts the two votes and the review that accept a Proposal.
func decide(ns, name string) {
	GinkgoHelper()
	castVote(bob, ns, name, v1.VoteApprove)
	castVote(dave, ns, name, v1.VoteApprove)
	castReview(carol, ns, name, v1.ReviewApprove)
}

func setProficiency(skill, level v1.ID, from, to v1.ProficiencyID) v1.Change {
	return v1.Change{Op: v1.OpSetProficiency, Skill: skill, Level: level, Proficiency: to, From: &v1.ChangeValue{Proficiency: from}}
}

func proposalCondition(ns, name, condType string) func() string {
	return func() string {
		var p v1.Proposal
		if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name}, &p); err != nil {
			return err.Error()
		}
		return condition(p.Status.Conditions, condType)
	}
}

// gitWrites reads the write-back counter for one result.
func gitWrites(result string) float64 {
	GinkgoHelper()
	families, err := ctrlmetrics.Registry.Gather()
	Expect(err).NotTo(HaveOccurred())
	for _, f := range families {
		if f.GetName() != "skillmatrix_git_writes_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "result" && l.GetValue() == result {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// warningsAbout lists the reasons of the Warning Events about an object.
func warningsAbout(ns, kind, name string) func() []string {
	return func() []string {
		var list eventsv1.EventList
		if err := k8sClient.List(suiteCtx, &list, client.InNamespace(ns)); err != nil {
			return []string{err.Error()}
		}
		var reasons []string
		for _, e := range list.Items {
			if e.Type == corev1.EventTypeWarning && e.Regarding.Kind == kind && e.Regarding.Name == name {
				reasons = append(reasons, e.Reason)
			}
		}
		return reasons
	}
}

// writeBackReady is "Status/Reason" of the spec's GitWriteBack's Ready.
func writeBackReady(ns string) func() string {
	return func() string {
		var wb v1.GitWriteBack
		if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: "career-roles"}, &wb); err != nil {
			return err.Error()
		}
		return condition(wb.Status.Conditions, v1.ConditionReady)
	}
}

// restartManager replaces the suite's manager with one run with opts, and
// puts a default one back when the spec ends.
func restartManager(opts Options, seams ...Seams) {
	stopMgr()
	stopMgr = startManager(opts, seams...)
	DeferCleanup(func() {
		stopMgr()
		stopMgr = startManager(Options{})
	})
}

var _ = Describe("Git write-back", func() {
	var (
		ns string
		g  *gitOps
	)
	BeforeEach(func() {
		ns = newNamespace()
		g = newGitOps(ns)
	})

	It("commits a cell change, an added skill and a removed skill on two Roles, and the sync applies them", func() {
		roleBefore := getRole(ns, "r1")
		propose(ns, "cell", "r1", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
		propose(ns, "add", "r2", "Data engineers know Terraform", v1.Change{Op: v1.OpAddSkill, Skill: "terraform",
			Cells: []v1.Cell{{Level: "junior", Proficiency: "A"}, {Level: "middle", Proficiency: "W", Required: true},
				{Level: "senior", Proficiency: "V", Required: true}}})
		propose(ns, "remove", "r1", "Docker is assumed", v1.Change{Op: v1.OpRemoveSkill, Skill: "docker"})
		decidingVotes := time.Now()
		for _, name := range []string{"cell", "add", "remove"} {
			decide(ns, name)
		}
		for _, name := range []string{"cell", "add", "remove"} {
			Eventually(proposalPhase(ns, name)).Should(Equal(v1.PhaseCommitted), name)
		}
		AddReportEntry("deciding votes to three pushed commits", time.Since(decidingVotes).String())

		By("recording each commit and waiting for the sync; the operator wrote no Role spec")
		commits := g.commits()
		Expect(commits).To(HaveLen(4))
		for _, name := range []string{"cell", "add", "remove"} {
			p := getProposal(ns, name)
			Expect(g.commitsOf(string(p.UID))).To(Equal(1), name)
			Expect(p.Status.GitCommit).NotTo(BeNil())
			Expect(p.Status.GitCommit.GitWriteBack).To(BeEquivalentTo("career-roles"))
			Expect(strings.Join(commits, "\n")).To(ContainSubstring(p.Status.GitCommit.SHA + " "))
			Expect(condition(p.Status.Conditions, v1.ConditionApplied)).To(Equal("False/AwaitingSync"))
			Expect(condition(p.Status.Conditions, v1.ConditionCommitted)).To(Equal("True/Committed"))
			Expect(p.Status.Message).To(ContainSubstring(p.Status.GitCommit.SHA))
		}
		Expect(getProposal(ns, "add").Status.GitCommit.File).To(Equal(dataPath))
		Expect(getProposal(ns, "cell").Status.GitCommit.File).To(Equal(platformPath))
		Expect(getRole(ns, "r1").Generation).To(Equal(roleBefore.Generation))
		Eventually(roleCondition(ns, "r1", v1.ConditionWriteBack)).Should(Equal("Unknown/AwaitingSync"))
		Expect(commits[0]).To(ContainSubstring("Proposed-by: alice\nApproved-by: bob\nApproved-by: dave\nReviewed-by: carol"))

		By("keeping the file's comments and style")
		platform := g.file(platformPath)
		Expect(platform).To(HavePrefix("# Platform roles, synced by Argo CD. Edit by Proposal.\n"))
		Expect(platform).To(ContainSubstring("        - {level: senior, proficiency: V, required: true}  # agreed in 2025\n"))
		Expect(platform).NotTo(ContainSubstring("docker"))
		Expect(g.file(dataPath)).To(ContainSubstring("# Not a Role: the sync applies it, the operator leaves it alone.\n"))

		By("turning Applied once the sync (server-side apply) brings the changes in")
		g.sync(serverSideApply)
		for _, name := range []string{"cell", "add", "remove"} {
			Eventually(proposalPhase(ns, name)).Should(Equal(v1.PhaseApplied), name)
		}
		for _, role := range []string{"r1", "r2"} {
			Eventually(roleCondition(ns, role, v1.ConditionWriteBack)).Should(Equal("True/Synced"), role)
		}
		r1 := getRole(ns, "r1")
		Expect(r1.Status.History).To(HaveLen(2))
		Expect(getProposal(ns, "cell").Status.AppliedRoleGeneration).To(Equal(r1.Generation))
		Expect(getRole(ns, "r2").Status.History).To(HaveLen(1))
		g.expectAgreement(platformPath, "r1")
		g.expectAgreement(dataPath, "r2")

		By("committing nothing more once the operator's own commits are synced back")
		g.sync(serverSideApply)
		Expect(g.commits()).To(HaveLen(4))
	})

	It("commits three Proposals accepted at once exactly once each; a client-side sync applies them", func() {
		changes := map[string]v1.Change{
			"a": setProficiency("docker", "senior", "V", "E"),
			"b": setProficiency("kubernetes-core", "junior", "A", "W"),
			"c": {Op: v1.OpSetRequired, Skill: "docker", Level: "junior", Required: new(true), From: &v1.ChangeValue{Required: new(false)}},
		}
		for name, c := range changes {
			propose(ns, name, "r1", "Change "+name, c)
			castVote(bob, ns, name, v1.VoteApprove)
			castVote(dave, ns, name, v1.VoteApprove)
		}
		for name := range changes {
			Eventually(func() int32 { return tallyOf(ns, name).Approvals }).Should(BeEquivalentTo(2))
		}
		for name := range changes {
			castReview(carol, ns, name, v1.ReviewApprove)
		}
		for name := range changes {
			Eventually(proposalPhase(ns, name)).Should(Equal(v1.PhaseCommitted), name)
		}
		Expect(g.commits()).To(HaveLen(4))
		for name := range changes {
			Expect(g.commitsOf(string(getProposal(ns, name).UID))).To(Equal(1), name)
		}

		g.sync(clientSideUpdate)
		for name := range changes {
			Eventually(proposalPhase(ns, name)).Should(Equal(v1.PhaseApplied), name)
		}
		Expect(getRole(ns, "r1").Status.History).To(HaveLen(3))
		g.expectAgreement(platformPath, "r1")
		Expect(g.commits()).To(HaveLen(4))
	})

	It("records both of two commits to one cell that a single sync brings in", func() {
		propose(ns, "first", "r1", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
		decide(ns, "first")
		Eventually(proposalPhase(ns, "first")).Should(Equal(v1.PhaseCommitted))
		second := v1.Change{Op: v1.OpSetProficiency, Skill: "kubernetes-core", Level: "senior", Proficiency: "W"}
		propose(ns, "second", "r1", "Seniors work with Kubernetes", second)
		decide(ns, "second")
		Eventually(proposalPhase(ns, "second")).Should(Equal(v1.PhaseCommitted))
		Expect(g.commits()).To(HaveLen(3))

		g.sync(serverSideApply)
		Eventually(proposalPhase(ns, "first")).Should(Equal(v1.PhaseApplied))
		Eventually(proposalPhase(ns, "second")).Should(Equal(v1.PhaseApplied))
		Expect(cellOf(getRole(ns, "r1"), "kubernetes-core", "senior").Proficiency).To(BeEquivalentTo("W"))
		Expect(getRole(ns, "r1").Status.History).To(HaveLen(2))
		Eventually(roleCondition(ns, "r1", v1.ConditionWriteBack)).Should(Equal("True/Synced"))
		g.expectAgreement(platformPath, "r1")
	})

	It("promotes a Role disabled in roles[] in the cluster, and commits nothing for a Role two GitWriteBacks select", func() {
		changeWriteBack(ns, func(s *v1.GitWriteBackSpec) {
			s.Roles = []v1.GitWriteBackRole{{Name: "r2", Mode: v1.GitWriteBackDisabled}}
		})
		Expect(k8sClient.Create(suiteCtx, &v1.GitWriteBack{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "second"},
			Spec: v1.GitWriteBackSpec{URL: g.srv.URL(repoName), SecretRef: v1.SecretReference{Name: "career-git"},
				Roles: []v1.GitWriteBackRole{{Name: "r1", Mode: v1.GitWriteBackEnabled}}},
		})).To(Succeed())

		propose(ns, "cluster", "r2", "Data seniors go further with Docker", setProficiency("docker", "senior", "W", "V"))
		decide(ns, "cluster")
		Eventually(proposalPhase(ns, "cluster")).Should(Equal(v1.PhaseApplied))
		Expect(cellOf(getRole(ns, "r2"), "docker", "senior").Proficiency).To(BeEquivalentTo("V"))
		Expect(getProposal(ns, "cluster").Status.GitCommit).To(BeNil())

		propose(ns, "ambiguous", "r1", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
		decide(ns, "ambiguous")
		Eventually(proposalCondition(ns, "ambiguous", v1.ConditionCommitted)).Should(Equal("False/" + v1.ReasonWriteBackAmbiguous))
		Expect(getProposal(ns, "ambiguous").Status.Message).To(ContainSubstring("career-roles, second"))
		Expect(cellOf(getRole(ns, "r1"), "kubernetes-core", "senior").Proficiency).To(BeEquivalentTo("E"))
		Expect(g.commits()).To(HaveLen(1))

		By("committing once the second GitWriteBack is gone")
		Expect(k8sClient.Delete(suiteCtx, &v1.GitWriteBack{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "second"}})).To(Succeed())
		Eventually(proposalPhase(ns, "ambiguous")).Should(Equal(v1.PhaseCommitted))
		Expect(g.commits()).To(HaveLen(2))
	})

	It("keeps a human commit pushed between the operator's fetch and push, and commits on top of it", func() {
		var once sync.Once
		restartManager(Options{}, Seams{BeforeGitPush: func() {
			once.Do(func() {
				g.humanEdit(platformPath, "{level: junior, proficiency: A}", "{level: junior, proficiency: W}", "docker: juniors work with it")
			})
		}})
		propose(ns, "p", "r1", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
		decide(ns, "p")
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseCommitted))

		commits := g.commits()
		Expect(commits).To(HaveLen(3))
		Expect(commits[0]).To(HavePrefix(getProposal(ns, "p").Status.GitCommit.SHA + " "))
		Expect(commits[1]).To(ContainSubstring("docker: juniors work with it"))
		platform := g.file(platformPath)
		Expect(platform).To(ContainSubstring("- id: docker\n      cells:\n        - {level: junior, proficiency: W}"))
		Expect(platform).To(ContainSubstring("{level: senior, proficiency: V, required: true}  # agreed in 2025"))

		g.sync(serverSideApply)
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseApplied))
		Expect(cellOf(getRole(ns, "r1"), "docker", "junior").Proficiency).To(BeEquivalentTo("W"))
		g.expectAgreement(platformPath, "r1")
	})

	It("makes a Proposal Conflicted when Git changed its cell, and commits nothing", func() {
		g.humanEdit(platformPath, "{level: senior, proficiency: E, required: true}", "{level: senior, proficiency: A, required: true}",
			"kubernetes-core: seniors need less")
		propose(ns, "p", "r1", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
		decide(ns, "p")
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseConflicted))
		p := getProposal(ns, "p")
		Expect(p.Status.Message).To(ContainSubstring("in Git"))
		Expect(p.Status.GitCommit).To(BeNil())
		Expect(condition(p.Status.Conditions, v1.ConditionCommitted)).To(Equal("False/Conflict"))
		Expect(g.commits()).To(HaveLen(2))
		Expect(g.commitsOf(string(p.UID))).To(BeZero())
		Expect(cellOf(getRole(ns, "r1"), "kubernetes-core", "senior").Proficiency).To(BeEquivalentTo("E"))

		g.sync(serverSideApply)
		Eventually(func() v1.ProficiencyID { return cellOf(getRole(ns, "r1"), "kubernetes-core", "senior").Proficiency }).
			Should(BeEquivalentTo("A"))
		g.expectAgreement(platformPath, "r1")
		Expect(getProposal(ns, "p").Status.Phase).To(Equal(v1.PhaseConflicted))
		Expect(g.commits()).To(HaveLen(2))
	})

	It("commits once across a manager restart between the push and the status", func() {
		crashed := make(chan struct{})
		var once sync.Once
		restartManager(Options{}, Seams{AfterGitPush: func(ctx context.Context, _ *v1.Proposal) error {
			once.Do(func() { close(crashed) })
			<-ctx.Done()
			return errors.New("simulated crash")
		}})
		propose(ns, "p", "r1", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
		decide(ns, "p")
		Eventually(crashed).Should(BeClosed())
		stopMgr()
		p := getProposal(ns, "p")
		Expect(p.Status.GitCommit).To(BeNil())
		Expect(p.Status.Phase).To(Equal(v1.PhaseAccepted))
		Expect(g.commitsOf(string(p.UID))).To(Equal(1))

		By("syncing before the operator is back: the Role carries the change its status does not record")
		g.sync(serverSideApply)
		stopMgr = startManager(Options{})
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseApplied))
		Expect(g.commitsOf(string(p.UID))).To(Equal(1))
		Expect(g.commits()).To(HaveLen(2))
		Expect(getProposal(ns, "p").Status.GitCommit.SHA).To(Equal(strings.Fields(g.commits()[0])[0]))
		Expect(getRole(ns, "r1").Status.History).To(HaveLen(1))
		g.expectAgreement(platformPath, "r1")
	})

	It("reports a wrong password and commits once the Secret is fixed", func() {
		var secret corev1.Secret
		Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: "career-git"}, &secret)).To(Succeed())
		secret.Data["password"] = []byte("wrong")
		Expect(k8sClient.Update(suiteCtx, &secret)).To(Succeed())
		before := gitWrites(v1.ReasonGitAuthenticationFail)

		propose(ns, "p", "r1", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
		decide(ns, "p")
		Eventually(proposalCondition(ns, "p", v1.ConditionCommitted)).Should(Equal("False/" + v1.ReasonGitAuthenticationFail))
		Expect(getProposal(ns, "p").Status.Phase).To(Equal(v1.PhaseAccepted))
		Eventually(roleCondition(ns, "r1", v1.ConditionWriteBack)).Should(Equal("False/" + v1.ReasonGitAuthenticationFail))
		Eventually(warningsAbout(ns, "Proposal", "p")).Should(ContainElement(v1.ReasonGitAuthenticationFail))
		Eventually(warningsAbout(ns, "Role", "r1")).Should(ContainElement(v1.ReasonGitAuthenticationFail))
		Eventually(writeBackReady(ns)).Should(Equal("False/" + v1.ReasonGitAuthenticationFail))
		Expect(gitWrites(v1.ReasonGitAuthenticationFail)).To(BeNumerically(">", before))
		Expect(g.commits()).To(HaveLen(1))

		secret.Data["password"] = []byte(gitserver.InitialPassword)
		Expect(k8sClient.Update(suiteCtx, &secret)).To(Succeed())
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseCommitted))
		g.sync(serverSideApply)
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseApplied))
		Eventually(roleCondition(ns, "r1", v1.ConditionWriteBack)).Should(Equal("True/Synced"))
		g.expectAgreement(platformPath, "r1")
		Expect(g.commits()).To(HaveLen(2))
		Expect(writeBackReady(ns)()).To(Equal("True/Ready"))
		// The GitWriteBack reconciler records the push in its own status
		// write, which can follow the Proposal's.
		var wb v1.GitWriteBack
		Eventually(func() string {
			Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: "career-roles"}, &wb)).To(Succeed())
			return wb.Status.LastCommit
		}).Should(Equal(getProposal(ns, "p").Status.GitCommit.SHA))
		Expect(wb.Status.LastPushTime).NotTo(BeNil())
	})

	It("reports the server down and commits once it is back", func() {
		g.srv.Stop()
		propose(ns, "p", "r1", "Seniors run Kubernetes in production", setProficiency("kubernetes-core", "senior", "E", "V"))
		decide(ns, "p")
		Eventually(proposalCondition(ns, "p", v1.ConditionCommitted)).Should(Equal("False/" + v1.ReasonGitUnreachable))
		Eventually(roleCondition(ns, "r1", v1.ConditionWriteBack)).Should(Equal("False/" + v1.ReasonGitUnreachable))
		Expect(cellOf(getRole(ns, "r1"), "kubernetes-core", "senior").Proficiency).To(BeEquivalentTo("E"))

		Expect(g.srv.Restart()).To(Succeed())
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseCommitted))
		g.sync(serverSideApply)
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseApplied))
		g.expectAgreement(platformPath, "r1")
		Expect(g.commits()).To(HaveLen(2))
	})

	It("reports a missing manifest and commits once it is back", func() {
		Expect(g.srv.Commit(repoName, "main", map[string]string{dataPath: "# The data roles move to another repository.\n"},
			"data roles: moving out")).To(Succeed())
		propose(ns, "p", "r2", "Data seniors go further with Docker", setProficiency("docker", "senior", "W", "V"))
		decide(ns, "p")
		Eventually(proposalCondition(ns, "p", v1.ConditionCommitted)).Should(Equal("False/" + v1.ReasonManifestNotFound))
		Eventually(roleCondition(ns, "r2", v1.ConditionWriteBack)).Should(Equal("False/" + v1.ReasonManifestNotFound))
		Expect(getProposal(ns, "p").Status.Message).To(ContainSubstring("manifest not found"))

		Expect(g.srv.Commit(repoName, "main", map[string]string{dataPath: dataFile}, "data roles: back")).To(Succeed())
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseCommitted))
		g.sync(serverSideApply)
		Eventually(proposalPhase(ns, "p")).Should(Equal(v1.PhaseApplied))
		g.expectAgreement(dataPath, "r2")
		Expect(g.commits()).To(HaveLen(4))
		Expect(bytes.Count([]byte(g.file(dataPath)), []byte("proficiency: V"))).To(Equal(1))
	})
})
