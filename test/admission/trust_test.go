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
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	careerv1alpha1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/promotion"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// The specs of issue 13, one Describe per case: an attacker with ordinary
// namespace rights (mallory: the built-in admin ClusterRole in the namespace
// plus write access to career Roles) against the trust anchor, the admission
// policies restricted to the operator's identities.

const (
	// publishedLabel marks the ConfigMaps the operator publishes.
	managedByLabel = "app.kubernetes.io/managed-by"
	managedByValue = "skillmatrix-operator"
	// the policies' names, as their messages quote them.
	recordPolicy    = "skillmatrix-promotion-record"
	configMapPolicy = "skillmatrix-published-configmaps"
)

// deniedBy is the prefix of a refusal by one of the policies.
func deniedBy(policy string) string {
	return fmt.Sprintf("ValidatingAdmissionPolicy '%s' with binding '%s' denied request: ", policy, policy)
}

// expectRefused asserts a Forbidden refusal by policy whose message contains
// message.
func expectRefused(err error, policy, message string) {
	GinkgoHelper()
	Expect(err).To(HaveOccurred(), "the request should have been refused")
	GinkgoWriter.Printf("refused: %v\n", err)
	Expect(apierrors.IsForbidden(err)).To(BeTrue(), "want Forbidden, got %v", err)
	Expect(err.Error()).To(ContainSubstring(deniedBy(policy)))
	Expect(err.Error()).To(ContainSubstring(message))
}

// grantNamespaceAdmin gives mallory what an admin of ns has over ConfigMaps
// and what a team lead who keeps the career Roles has over them. (The
// built-in admin ClusterRole is aggregated by kube-controller-manager, which
// envtest does not run, so the spec names the rules itself.)
func grantNamespaceAdmin() {
	GinkgoHelper()
	Expect(admin.Create(suiteCtx, &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "namespace-admin"},
		Rules: []rbacv1.PolicyRule{{
			APIGroups: []string{careerv1alpha1.GroupVersion.Group},
			Resources: []string{"roles"},
			Verbs:     []string{"get", "list", "watch", "create", "update", "patch", "delete"},
		}, {
			APIGroups: []string{""},
			Resources: []string{"configmaps"},
			Verbs:     []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"},
		}},
	})).To(Succeed())
	Expect(admin.Create(suiteCtx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "namespace-admins"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "namespace-admin"},
		Subjects:   []rbacv1.Subject{userSubject(mallory)},
	})).To(Succeed())
	eventuallyAllowed(mallory, "update", "roles", reviewedRole, true)
	Eventually(func(g Gomega) {
		g.Expect(as[mallory].List(suiteCtx, &corev1.ConfigMapList{}, client.InNamespace(ns))).To(Succeed())
	}).Should(Succeed())
}

func newRole(name string) *careerv1alpha1.Role {
	return &careerv1alpha1.Role{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: careerv1alpha1.RoleSpec{
			MatrixRef:   "engineering",
			DisplayName: "MLOps Engineer",
			Levels:      []careerv1alpha1.RoleLevel{{Level: "senior", Focus: "Running ML platforms."}},
			Skills: []careerv1alpha1.SkillRequirement{{ID: "kubernetes-core", Cells: []careerv1alpha1.Cell{
				{Level: "senior", Proficiency: "A"},
			}}},
		},
	}
}

func getRole(name string) *careerv1alpha1.Role {
	GinkgoHelper()
	r := &careerv1alpha1.Role{}
	Expect(admin.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name}, r)).To(Succeed())
	return r
}

// setRecord writes the promotion record of a Role as user with a merge
// patch; an empty value removes it.
func setRecord(user, role, value string) error {
	var patch string
	if value == "" {
		patch = fmt.Sprintf(`{"metadata":{"annotations":{%q:null}}}`, promotion.AnnotationAppliedProposals)
	} else {
		patch = fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, promotion.AnnotationAppliedProposals, value)
	}
	r := &careerv1alpha1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: role}}
	return clientOf(user).Patch(suiteCtx, r, client.RawPatch(types.MergePatchType, []byte(patch)))
}

var _ = Describe("The promotion record (issue 13, case 1)", func() {
	var openUID string

	BeforeEach(func() {
		ns = newNamespace()
		grantUserRoles()
		grantNamespaceAdmin()
		Expect(create(alice, newProposal(proposalName, alice, reviewedRole))).To(Succeed())
		openUID = string(get(alice, proposalName).UID)
		Expect(admin.Create(suiteCtx, newRole(reviewedRole))).To(Succeed())
	})

	It("refuses a Role editor who forges an open Proposal's uid into the record", func() {
		expectRefused(setRecord(mallory, reviewedRole, openUID), recordPolicy,
			`user "mallory" may not add the promotion record (annotation career.skillmatrix.dev/applied-proposals) `+
				`of Role "mlops-engineer": only the operator writes it`)
		Expect(getRole(reviewedRole).Annotations).NotTo(HaveKey(promotion.AnnotationAppliedProposals))
	})

	It("refuses even a cluster admin, and a Role created with a record", func() {
		expectRefused(setRecord("admin", reviewedRole, openUID), recordPolicy,
			`user "admin" may not add the promotion record`)
		r := newRole(otherRole)
		r.Annotations = map[string]string{promotion.AnnotationAppliedProposals: openUID}
		expectRefused(as[mallory].Create(suiteCtx, r), recordPolicy,
			`user "mallory" may not add the promotion record (annotation career.skillmatrix.dev/applied-proposals) `+
				`of Role "data-engineer"`)
	})

	It("lets only the operator add, change and remove it", func() {
		Expect(setRecord(operatorUser, reviewedRole, "uid-1")).To(Succeed())
		expectRefused(setRecord(mallory, reviewedRole, "uid-1,"+openUID), recordPolicy,
			`user "mallory" may not change the promotion record`)
		expectRefused(setRecord(mallory, reviewedRole, ""), recordPolicy,
			`user "mallory" may not remove the promotion record`)
		Expect(setRecord(operatorUser, reviewedRole, "uid-1,uid-2")).To(Succeed())
		Expect(getRole(reviewedRole).Annotations).To(HaveKeyWithValue(promotion.AnnotationAppliedProposals, "uid-1,uid-2"))
		Expect(setRecord(operatorUser, reviewedRole, "")).To(Succeed())
	})

	It("lets a full-Role replace that carries the live record through, and refuses one that drops it", func() {
		Expect(setRecord(operatorUser, reviewedRole, "uid-1")).To(Succeed())

		By("mallory replacing the whole Role (PUT) from the live object, as kubectl replace of an exported manifest")
		live := getRole(reviewedRole)
		live.Spec.Summary = "Replaced from Git"
		live.Spec.Levels[0].Focus = "Running ML platforms at scale."
		Expect(as[mallory].Update(suiteCtx, live)).To(Succeed())
		r := getRole(reviewedRole)
		Expect(r.Spec.Summary).To(Equal("Replaced from Git"))
		Expect(r.Annotations).To(HaveKeyWithValue(promotion.AnnotationAppliedProposals, "uid-1"))

		By("mallory replacing it from a manifest without the record")
		fromGit := newRole(reviewedRole)
		fromGit.ResourceVersion = r.ResourceVersion
		fromGit.Spec.Summary = "Replaced from Git, again"
		expectRefused(as[mallory].Update(suiteCtx, fromGit), recordPolicy,
			`user "mallory" may not remove the promotion record (annotation career.skillmatrix.dev/applied-proposals) `+
				`of Role "mlops-engineer": only the operator writes it; a full replace must carry its live value unchanged`)

		By("mallory syncing the manifest with server-side apply, which leaves the record alone")
		u := &unstructured.Unstructured{Object: map[string]any{
			"spec": map[string]any{"matrixRef": "engineering", "displayName": "MLOps Engineer", "summary": "Applied from Git"},
		}}
		u.SetAPIVersion(careerv1alpha1.GroupVersion.String())
		u.SetKind("Role")
		u.SetNamespace(ns)
		u.SetName(reviewedRole)
		Expect(as[mallory].Apply(suiteCtx, client.ApplyConfigurationFromUnstructured(u),
			client.FieldOwner("argocd-controller"), client.ForceOwnership)).To(Succeed())
		r = getRole(reviewedRole)
		Expect(r.Spec.Summary).To(Equal("Applied from Git"))
		Expect(r.Annotations).To(HaveKeyWithValue(promotion.AnnotationAppliedProposals, "uid-1"))
	})
})

// publishedConfigMap is a ConfigMap as the operator publishes it for the Role
// named role: labeled, and controlled by the Role.
func publishedConfigMap(role *careerv1alpha1.Role) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: ns, Name: role.Name + "-matrix",
			Labels: map[string]string{managedByLabel: managedByValue, "career.skillmatrix.dev/role": role.Name},
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: careerv1alpha1.GroupVersion.String(), Kind: "Role", Name: role.Name, UID: role.UID,
				Controller: new(true), BlockOwnerDeletion: new(true),
			}},
		},
		Data: map[string]string{"matrix.md": "# MLOps Engineer\n"},
	}
}

func getConfigMap(name string) *corev1.ConfigMap {
	GinkgoHelper()
	cm := &corev1.ConfigMap{}
	Expect(admin.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name}, cm)).To(Succeed())
	return cm
}

// updateConfigMap reads a ConfigMap as user, edits it and writes it back.
func updateConfigMap(user, name string, edit func(*corev1.ConfigMap)) error {
	cm := &corev1.ConfigMap{}
	if err := clientOf(user).Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name}, cm); err != nil {
		return err
	}
	edit(cm)
	return clientOf(user).Update(suiteCtx, cm)
}

var _ = Describe("The published ConfigMaps (issue 13, case 3)", func() {
	var cmName string

	BeforeEach(func() {
		ns = newNamespace()
		grantUserRoles()
		grantNamespaceAdmin()
		Expect(admin.Create(suiteCtx, newRole(reviewedRole))).To(Succeed())
		cm := publishedConfigMap(getRole(reviewedRole))
		cmName = cm.Name
		By("the operator publishing the Role's ConfigMap")
		Expect(as[operatorUser].Create(suiteCtx, cm)).To(Succeed())
	})

	It("refuses a namespace admin who drops the ownerReference and forges the content in one update", func() {
		expectRefused(updateConfigMap(mallory, cmName, func(cm *corev1.ConfigMap) {
			cm.OwnerReferences = nil
			cm.Data["matrix.md"] = "# MLOps Engineer\nEveryone is Expert.\n"
		}), configMapPolicy,
			`user "mallory" may not change ConfigMap "mlops-engineer-matrix" in namespace "`+ns+`": `+
				`ConfigMaps labeled app.kubernetes.io/managed-by=skillmatrix-operator are published by the operator, `+
				`and only the operator writes them`)
		Expect(getConfigMap(cmName).Data).To(HaveKeyWithValue("matrix.md", "# MLOps Engineer\n"))
	})

	It("refuses removing the label, deleting, and creating a labeled ConfigMap", func() {
		expectRefused(updateConfigMap(mallory, cmName, func(cm *corev1.ConfigMap) { delete(cm.Labels, managedByLabel) }),
			configMapPolicy, `user "mallory" may not change ConfigMap "mlops-engineer-matrix"`)
		expectRefused(as[mallory].Delete(suiteCtx, getConfigMap(cmName)), configMapPolicy,
			`user "mallory" may not delete ConfigMap "mlops-engineer-matrix"`)
		forged := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "data-engineer-matrix",
			Labels: map[string]string{managedByLabel: managedByValue}}, Data: map[string]string{"matrix.md": "forged"}}
		expectRefused(as[mallory].Create(suiteCtx, forged), configMapPolicy,
			`user "mallory" may not create ConfigMap "data-engineer-matrix"`)
		expectRefused(updateConfigMap("admin", cmName, func(cm *corev1.ConfigMap) { cm.Data["matrix.md"] = "forged" }),
			configMapPolicy, `user "admin" may not change ConfigMap "mlops-engineer-matrix"`)
	})

	It("matches no other ConfigMap", func() {
		own := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "team-settings"},
			Data: map[string]string{"a": "1"}}
		Expect(as[mallory].Create(suiteCtx, own)).To(Succeed())
		Expect(updateConfigMap(mallory, own.Name, func(cm *corev1.ConfigMap) { cm.Data["a"] = "2" })).To(Succeed())
		Expect(as[mallory].Delete(suiteCtx, own)).To(Succeed())
	})

	It("lets the operator change and delete it", func() {
		Expect(updateConfigMap(operatorUser, cmName, func(cm *corev1.ConfigMap) {
			cm.Data["matrix.md"] = "# v2\n"
		})).To(Succeed())
		Expect(as[operatorUser].Delete(suiteCtx, getConfigMap(cmName))).To(Succeed())
	})

	It("lets the garbage collector (impersonated) orphan and delete it, and nothing more", func() {
		gc := garbageCollector
		expectRefused(updateConfigMap(gc, cmName, func(cm *corev1.ConfigMap) { cm.Data["matrix.md"] = "forged" }),
			configMapPolicy, `user "`+gc+`" may not change ConfigMap "mlops-engineer-matrix"`)
		Expect(updateConfigMap(gc, cmName, func(cm *corev1.ConfigMap) { cm.OwnerReferences = nil })).To(Succeed())
		Expect(as[gc].Delete(suiteCtx, getConfigMap(cmName))).To(Succeed())
		Eventually(func() error {
			return admin.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: cmName}, &corev1.ConfigMap{})
		}).Should(Satisfy(apierrors.IsNotFound))
	})
})

// editMeta edits a Proposal's metadata as user (a full PUT).
func editMeta(user string, edit func(*metav1.ObjectMeta)) error {
	return update(user, proposalName, func(p *careerv1alpha1.Proposal) { edit(&p.ObjectMeta) })
}

var _ = Describe("Proposal text and metadata (issue 13, case 2)", func() {
	BeforeEach(func() {
		ns = newNamespace()
		grantUserRoles()
		Expect(create(alice, newProposal(proposalName, alice, reviewedRole))).To(Succeed())
	})

	metadataRule := `may not change the labels, annotations, finalizers or ownerReferences ` +
		`of proposal "raise-kubernetes-core": only its author "alice", the operator, the garbage collector ` +
		`and holders of the verb "moderate" on proposals.career.skillmatrix.dev may`

	DescribeTable("a voter may not touch another person's Proposal",
		func(attempt func() error, message string) {
			err := attempt()
			Expect(err).To(HaveOccurred())
			Expect(apierrors.IsForbidden(err)).To(BeTrue(), "want Forbidden, got %v", err)
			Expect(err.Error()).To(ContainSubstring(policyPrefix))
			Expect(err.Error()).To(ContainSubstring(message))
			p := get("admin", proposalName)
			Expect(p.Spec.Title).To(Equal("Raise Kubernetes Core to Advanced at Senior"))
			Expect(p.Finalizers).To(BeEmpty())
			Expect(p.OwnerReferences).To(BeEmpty())
		},
		Entry("rewriting the title",
			func() error {
				return update(bob, proposalName, func(p *careerv1alpha1.Proposal) { p.Spec.Title = "Everyone gets Expert" })
			},
			`user "bob" may not edit the title or description of proposal "raise-kubernetes-core": only its author "alice" may`),
		Entry("rewriting the description",
			func() error {
				return update(bob, proposalName, func(p *careerv1alpha1.Proposal) { p.Spec.Description = "forged" })
			},
			`user "bob" may not edit the title or description`),
		Entry("adding a finalizer", func() error {
			return editMeta(bob, func(m *metav1.ObjectMeta) { m.Finalizers = []string{"example.com/hold"} })
		}, `user "bob" `+metadataRule),
		Entry("adding an ownerReference, so the garbage collector would delete it", func() error {
			return editMeta(bob, func(m *metav1.ObjectMeta) {
				m.OwnerReferences = []metav1.OwnerReference{{
					APIVersion: "v1", Kind: "ConfigMap", Name: "gone", UID: "0a0a0a0a-0000-0000-0000-000000000000",
				}}
			})
		}, `user "bob" `+metadataRule),
		Entry("adding annotations", func() error {
			return editMeta(bob, func(m *metav1.ObjectMeta) { m.Annotations = map[string]string{"example.com/note": "x"} })
		}, `user "bob" `+metadataRule),
		Entry("adding a label with a merge patch", func() error {
			p := get(bob, proposalName)
			return as[bob].Patch(suiteCtx, p,
				client.RawPatch(types.MergePatchType, []byte(`{"metadata":{"labels":{"team":"x"}}}`)))
		}, `user "bob" `+metadataRule),
		Entry("a reviewer adding a finalizer", func() error {
			return editMeta(carol, func(m *metav1.ObjectMeta) { m.Finalizers = []string{"example.com/hold"} })
		}, `user "carol" `+metadataRule),
	)

	It("freezes the author's own text once a vote or review arrives", func() {
		Expect(update(alice, proposalName, func(p *careerv1alpha1.Proposal) {
			p.Spec.Description = "Seniors run clusters."
		})).To(Succeed())
		Expect(update(bob, proposalName, setVote(bob, careerv1alpha1.VoteApprove))).To(Succeed())
		err := update(alice, proposalName, func(p *careerv1alpha1.Proposal) { p.Spec.Title = "Raise it to Expert instead" })
		Expect(err).To(MatchError(ContainSubstring(
			`the title and description of proposal "raise-kubernetes-core" are frozen: it carries votes or reviews`)))
		Expect(apierrors.IsForbidden(err)).To(BeTrue())

		By("the author may still label her own Proposal")
		Expect(editMeta(alice, func(m *metav1.ObjectMeta) { m.Labels = map[string]string{"team": "platform"} })).To(Succeed())
	})

	It("lets the author, a moderator, the operator and the garbage collector (impersonated) edit the metadata", func() {
		Expect(editMeta(alice, func(m *metav1.ObjectMeta) { m.Labels = map[string]string{"team": "platform"} })).To(Succeed())
		Expect(editMeta(maude, func(m *metav1.ObjectMeta) { m.Finalizers = []string{"example.com/hold"} })).To(Succeed())
		Expect(admin.Patch(suiteCtx, get("admin", proposalName), client.RawPatch(types.MergePatchType,
			[]byte(`{"metadata":{"annotations":{"career.skillmatrix.dev/note":"seen"}}}`)))).To(Succeed())
		// The operator's ClusterRole grants no Proposal writes today; bind a
		// Role so the spec shows the policy, not RBAC, lets it through.
		bindClusterRole("operator-proposals", "skillmatrix-voter", userSubject(operatorUser))
		eventuallyAllowed(operatorUser, "update", "proposals", "", true)
		Expect(editMeta(operatorUser, func(m *metav1.ObjectMeta) { m.Labels["operator"] = "seen" })).To(Succeed())
		Expect(editMeta(garbageCollector, func(m *metav1.ObjectMeta) { m.Finalizers = nil })).To(Succeed())
		p := get("admin", proposalName)
		Expect(p.Labels).To(Equal(map[string]string{"team": "platform", "operator": "seen"}))
		Expect(p.Finalizers).To(BeEmpty())
	})

	It("bounds labels and annotations, also the author's own", func() {
		err := editMeta(alice, func(m *metav1.ObjectMeta) {
			m.Annotations = map[string]string{"example.com/blob": strings.Repeat("x", 250*1024)}
		})
		Expect(err).To(MatchError(ContainSubstring(
			`the labels and annotations of proposal "raise-kubernetes-core" total 256016 characters, ` +
				`more than the 8192 allowed`)))
		Expect(editMeta(alice, func(m *metav1.ObjectMeta) {
			m.Annotations = map[string]string{"example.com/note": strings.Repeat("x", 4000)}
		})).To(Succeed())
		err = editMeta(alice, func(m *metav1.ObjectMeta) {
			m.Annotations[corev1.LastAppliedConfigAnnotation] = strings.Repeat("x", 20000)
		})
		Expect(err).To(MatchError(ContainSubstring(
			`the annotation kubectl.kubernetes.io/last-applied-configuration of proposal "raise-kubernetes-core" ` +
				`holds 20000 characters, more than the 16384 allowed`)))
	})
})

var _ = Describe("Withdrawing a Proposal (issue 13, case 5)", func() {
	BeforeEach(func() {
		ns = newNamespace()
		grantUserRoles()
		Expect(create(alice, newProposal(proposalName, alice, reviewedRole))).To(Succeed())
	})

	withdraw := func(p *careerv1alpha1.Proposal) { p.Spec.Withdrawn = true }

	It("lets the author withdraw her open Proposal, for good", func() {
		Expect(update(bob, proposalName, setVote(bob, careerv1alpha1.VoteApprove))).To(Succeed())
		setPhase(proposalName, careerv1alpha1.PhaseOpen)
		Expect(update(alice, proposalName, withdraw)).To(Succeed())
		Expect(get(alice, proposalName).Spec.Withdrawn).To(BeTrue())

		By("the author trying to take it back")
		err := update(alice, proposalName, func(p *careerv1alpha1.Proposal) { p.Spec.Withdrawn = false })
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "want Invalid, got %v", err)
		Expect(err).To(MatchError(ContainSubstring("a withdrawn proposal stays withdrawn: spec.withdrawn cannot be unset")))

		By("a voter changing his vote once the operator closed it as Withdrawn")
		setPhase(proposalName, careerv1alpha1.PhaseWithdrawn)
		err = update(bob, proposalName, setVote(bob, careerv1alpha1.VoteReject))
		Expect(err).To(MatchError(ContainSubstring(
			`user "bob" cannot change votes or reviews: proposal "raise-kubernetes-core" is closed (phase Withdrawn)`)))
	})

	It("refuses a withdrawal by anyone but the author", func() {
		err := update(bob, proposalName, withdraw)
		Expect(apierrors.IsForbidden(err)).To(BeTrue(), "want Forbidden, got %v", err)
		Expect(err).To(MatchError(ContainSubstring(
			`user "bob" may not withdraw proposal "raise-kubernetes-core": only its author "alice" may`)))
		err = update("admin", proposalName, withdraw)
		Expect(err).To(MatchError(ContainSubstring(`user "admin" may not withdraw proposal`)))
	})

	DescribeTable("refuses a withdrawal once the Proposal is no longer open",
		func(phase careerv1alpha1.ProposalPhase) {
			setPhase(proposalName, phase)
			err := update(alice, proposalName, withdraw)
			Expect(apierrors.IsForbidden(err)).To(BeTrue(), "want Forbidden, got %v", err)
			Expect(err).To(MatchError(ContainSubstring(fmt.Sprintf(
				`proposal "raise-kubernetes-core" can no longer be withdrawn: it is %s`, phase))))
		},
		// Every phase but the open ones: api/v1alpha1's rule, not a list here.
		phaseEntries(append(careerv1alpha1.InFlightPhases(), careerv1alpha1.ClosedPhases()...)),
	)

	It("lets an author bound only to skillmatrix-proposer withdraw her own, and not vote on others'", func() {
		Expect(create(pat, newProposal("pats-idea", pat, reviewedRole))).To(Succeed())
		Expect(update(pat, "pats-idea", withdraw)).To(Succeed())
		Expect(get(pat, "pats-idea").Spec.Withdrawn).To(BeTrue())

		By("pat voting on alice's Proposal: patch is hers, the verb vote is not")
		err := update(pat, proposalName, setVote(pat, careerv1alpha1.VoteApprove))
		Expect(apierrors.IsForbidden(err)).To(BeTrue(), "want Forbidden, got %v", err)
		Expect(err).To(MatchError(ContainSubstring(
			`user "pat" may not vote on proposal "raise-kubernetes-core": RBAC does not grant the verb "vote"`)))
		Expect(votes(proposalName)).NotTo(HaveKey(pat))
	})

	DescribeTable("freezes the ballots of every closed Proposal",
		func(phase careerv1alpha1.ProposalPhase) {
			setPhase(proposalName, phase)
			err := update(bob, proposalName, setVote(bob, careerv1alpha1.VoteApprove))
			Expect(apierrors.IsForbidden(err)).To(BeTrue(), "want Forbidden, got %v", err)
			Expect(err).To(MatchError(ContainSubstring(fmt.Sprintf("is closed (phase %s)", phase))))
		},
		phaseEntries(careerv1alpha1.ClosedPhases()),
	)
})

// phaseEntries are a table entry per phase.
func phaseEntries(phases []careerv1alpha1.ProposalPhase) []TableEntry {
	out := make([]TableEntry, 0, len(phases))
	for _, phase := range phases {
		out = append(out, Entry(string(phase), phase))
	}
	return out
}

var _ = Describe("Bounded Proposals (issue 13, case 4)", func() {
	BeforeEach(func() {
		ns = newNamespace()
		grantUserRoles()
	})

	// focusChanges returns n SetFocus changes of size characters each.
	focusChanges := func(n, size int) []careerv1alpha1.Change {
		out := make([]careerv1alpha1.Change, n)
		for i := range out {
			out[i] = careerv1alpha1.Change{Op: careerv1alpha1.OpSetFocus, Level: careerv1alpha1.ID(fmt.Sprintf("level-%d", i)),
				Focus: new(strings.Repeat("f", size))}
		}
		return out
	}
	const changesTooLong = "the text of the changes (focus, tech stack, cell descriptions and examples, " +
		"and their from values) may total at most 8192 characters (MaxChangeText)"
	const tooLong = "proposal text too long: title, description, comments and the text of the changes " +
		"may total at most 32768 characters"

	It("refuses changes whose text exceeds MaxChangeText, and more than MaxChanges changes", func() {
		p := newProposal("huge", alice, reviewedRole)
		p.Spec.Changes = focusChanges(3, 4096)
		err := create(alice, p)
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "want Invalid, got %v", err)
		Expect(err).To(MatchError(ContainSubstring(changesTooLong)))

		p = newProposal("many", alice, reviewedRole)
		p.Spec.Changes = focusChanges(careerv1alpha1.MaxChanges+1, 1)
		err = create(alice, p)
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "want Invalid, got %v", err)
		Expect(err).To(MatchError(ContainSubstring("spec.changes: Too many: 51: must have at most 50 items")))
	})

	// The comments that fill the text budget come from twenty voters; the
	// admin writes them while the authenticity binding is lifted (the CRD's
	// rule, under test here, stays in force). Serial: no other spec may run
	// meanwhile.
	It("caps the whole text, comments included, and always lets a bare vote in", Serial, func() {
		fits := newProposal("fits", alice, reviewedRole)
		fits.Spec.Description = strings.Repeat("d", 4096)
		fits.Spec.Changes = focusChanges(2, 4096)
		Expect(create(alice, fits)).To(Succeed())
		used := len(fits.Spec.Title) + 4096 + 2*4096

		By("lifting the authenticity binding while twenty voters' comments are written")
		Expect(admin.Delete(suiteCtx, &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
			ObjectMeta: metav1.ObjectMeta{Name: testenv.PolicyName},
		})).To(Succeed())
		DeferCleanup(installAdmission)
		Eventually(func() error {
			return admin.Create(suiteCtx, newProposal("forged", alice, reviewedRole), client.DryRunAll)
		}).Should(Succeed())
		Expect(update("admin", "fits", func(p *careerv1alpha1.Proposal) {
			for i := range 20 {
				p.Spec.Votes = append(p.Spec.Votes, careerv1alpha1.Vote{
					Voter: careerv1alpha1.Username(fmt.Sprintf("voter-%d", i)), Decision: careerv1alpha1.VoteApprove,
					Comment: strings.Repeat("c", 1000)})
			}
		})).To(Succeed())
		used += 20 * 1000
		installAdmission()

		withComment := func(n int) func(*careerv1alpha1.Proposal) {
			return func(p *careerv1alpha1.Proposal) {
				p.Spec.Votes = append(p.Spec.Votes, careerv1alpha1.Vote{Voter: bob, Decision: careerv1alpha1.VoteApprove,
					Comment: strings.Repeat("b", n), Groups: testenv.AuthenticatedGroups(engineers)})
			}
		}
		left := careerv1alpha1.MaxProposalText - used
		By(fmt.Sprintf("bob's vote with a comment one character longer than the %d left", left))
		err := update(bob, "fits", withComment(left+1))
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "want Invalid, got %v", err)
		Expect(err).To(MatchError(ContainSubstring(tooLong)))
		By("bob's vote with a comment that just fits, and dave's without one")
		Expect(update(bob, "fits", withComment(left))).To(Succeed())
		Expect(update(dave, "fits", setVote(dave, careerv1alpha1.VoteApprove))).To(Succeed())
	})
})

var _ = Describe("The ClusterRoles we ship (issue 13, case 5)", func() {
	BeforeEach(func() {
		ns = newNamespace()
	})

	It("grant no custom verb by wildcard: role-admin-role does not grant review, "+
		"proposal-admin-role grants moderate by name", func() {
		for _, file := range []string{"role_admin_role.yaml", "proposal_admin_role.yaml"} {
			objs, err := readRBAC(file)
			Expect(err).NotTo(HaveOccurred())
			for _, u := range objs {
				Expect(admin.Apply(suiteCtx, client.ApplyConfigurationFromUnstructured(u),
					client.FieldOwner("skillmatrix-test"), client.ForceOwnership)).To(Succeed())
			}
		}
		bindClusterRole("role-admins", "role-admin-role", userSubject(dave))
		bindClusterRole("proposal-admins", "proposal-admin-role", userSubject(erin))
		eventuallyAllowed(dave, "update", "roles", reviewedRole, true)
		eventuallyAllowed(dave, "review", "roles", reviewedRole, false)
		eventuallyAllowed(erin, "moderate", "proposals", proposalName, true)
		eventuallyAllowed(erin, "review", "roles", reviewedRole, false)
	})
})

// secondOperator is the ServiceAccount of a second install of the operator,
// listed in the parameters next to the first.
const secondOperator = "system:serviceaccount:career-two:skillmatrix-operator"

// impersonating returns a client that acts as user, with RBAC's every right
// (system:masters), so only the admission policies can refuse it.
func impersonating(user string) client.Client {
	GinkgoHelper()
	cfg := rest.CopyConfig(adminCfg)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user, Groups: []string{"system:masters", "system:authenticated"}}
	c, err := client.New(cfg, client.Options{Scheme: testScheme})
	Expect(err).NotTo(HaveOccurred())
	return c
}

// The parameters change what every binding enforces, so no other spec may
// run meanwhile.
var _ = Describe("The parameters: who the operator is", Serial, func() {
	BeforeEach(func() {
		ns = newNamespace()
		grantUserRoles()
		Expect(admin.Create(suiteCtx, newRole(reviewedRole))).To(Succeed())
		DeferCleanup(installAdmission)
	})

	It("name several installs' operators, one per line", func() {
		second := impersonating(secondOperator)
		expectRefused(setRecordWith(second, reviewedRole, "uid-1"), recordPolicy,
			`user "`+secondOperator+`" may not add the promotion record`)

		By("listing the second install's ServiceAccount too")
		Expect(testenv.InstallAdmission(suiteCtx, admin, repoRoot, operatorUser, "  "+secondOperator+"  ")).To(Succeed())
		Eventually(func() error { return setRecordWith(second, reviewedRole, "uid-1") }).Should(Succeed())
		Expect(setRecord(operatorUser, reviewedRole, "uid-1,uid-2")).To(Succeed())
	})

	It("fail closed: without the parameters every matched request is refused", func() {
		Expect(admin.Delete(suiteCtx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
			Namespace: "skillmatrix-operator-system", Name: "skillmatrix-admission-params"}})).To(Succeed())
		Eventually(func() error {
			return create(alice, newProposal("after-params-gone", alice, reviewedRole))
		}).Should(MatchError(ContainSubstring( // whichever Proposal policy the API server asks first
			"denied request: failed to configure binding: " +
				"no params found for policy binding with `Deny` parameterNotFoundAction")))
		By("the operator itself being refused too: without parameters nobody is the operator")
		// The API server reports a binding it cannot configure as an
		// internal error, not Forbidden; either way nothing is written.
		Expect(setRecord(operatorUser, reviewedRole, "uid-1")).To(MatchError(ContainSubstring(
			deniedBy(recordPolicy) + "failed to configure binding: no params found")))
		Expect(getRole(reviewedRole).Annotations).NotTo(HaveKey(promotion.AnnotationAppliedProposals))
	})
})

// setRecordWith writes the promotion record with the given client.
func setRecordWith(c client.Client, role, value string) error {
	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, promotion.AnnotationAppliedProposals, value)
	r := &careerv1alpha1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: role}}
	return c.Patch(suiteCtx, r, client.RawPatch(types.MergePatchType, []byte(patch)))
}
