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
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
)

func sampleMatrix(ns string) *v1.SkillMatrix {
	GinkgoHelper()
	var m v1.SkillMatrix
	Expect(yaml.UnmarshalStrict(readSample(sampleFiles[0]), &m)).To(Succeed())
	m.Namespace = ns
	return &m
}

func sampleRole(ns string) *v1.Role {
	GinkgoHelper()
	var r v1.Role
	Expect(yaml.UnmarshalStrict(readSample(sampleFiles[1]), &r)).To(Succeed())
	r.Namespace = ns
	return &r
}

func getRole(ns, name string) *v1.Role {
	GinkgoHelper()
	var r v1.Role
	Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name}, &r)).To(Succeed())
	return &r
}

func getConfigMap(ns, name string) (*corev1.ConfigMap, error) {
	var cm corev1.ConfigMap
	err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name}, &cm)
	return &cm, err
}

// condition returns "Status/Reason" of a condition, or "" when absent, so a
// failing assertion shows both.
func condition(conds []metav1.Condition, condType string) string {
	c := meta.FindStatusCondition(conds, condType)
	if c == nil {
		return ""
	}
	return string(c.Status) + "/" + c.Reason
}

func roleCondition(ns, name, condType string) func() string {
	return func() string {
		var r v1.Role
		if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name}, &r); err != nil {
			return err.Error()
		}
		return condition(r.Status.Conditions, condType)
	}
}

func eventuallyReady(ns, name string) *v1.Role {
	GinkgoHelper()
	Eventually(roleCondition(ns, name, v1.ConditionReady)).Should(Equal("True/Ready"))
	return getRole(ns, name)
}

// wideMatrix is a matrix with one category of n skills over the fixture's levels.
func wideMatrix(ns, name string, n int) *v1.SkillMatrix {
	m := fixtureMatrix(ns, name)
	skills := make([]v1.Skill, n)
	for i := range skills {
		skills[i] = v1.Skill{ID: v1.ID(fmt.Sprintf("skill-%03d", i)), Name: fmt.Sprintf("Skill %d", i)}
	}
	m.Spec.Categories = []v1.Category{{ID: "wide", Name: "Wide", Skills: skills}}
	return m
}

// wideRole fills every cell of a wide matrix with the text text(i) returns.
func wideRole(ns, name, matrix string, n int, text func() string) *v1.Role {
	r := fixtureRole(ns, name, matrix)
	r.Spec.Skills = make([]v1.SkillRequirement, n)
	for i := range r.Spec.Skills {
		req := v1.SkillRequirement{ID: v1.ID(fmt.Sprintf("skill-%03d", i))}
		for _, level := range fixtureLevels {
			req.Cells = append(req.Cells, v1.Cell{Level: level, Proficiency: "W", Description: text(), Examples: []string{text()[:300]}})
		}
		r.Spec.Skills[i] = req
	}
	return r
}

func randomLetters(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + rand.IntN(26))
	}
	return string(b)
}

func gunzipString(b []byte) string {
	GinkgoHelper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	Expect(err).NotTo(HaveOccurred())
	out, err := io.ReadAll(r)
	Expect(err).NotTo(HaveOccurred())
	return string(out)
}

var _ = Describe("Role controller", func() {
	var ns string
	BeforeEach(func() { ns = newNamespace() })

	It("publishes the MLOps Engineer sample to a ConfigMap it owns and becomes Ready", func() {
		Expect(k8sClient.Create(suiteCtx, sampleMatrix(ns))).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, sampleRole(ns))).To(Succeed())

		role := eventuallyReady(ns, "mlops-engineer")
		Expect(role.Status.ObservedGeneration).To(Equal(role.Generation))
		for _, c := range role.Status.Conditions {
			Expect(c.ObservedGeneration).To(Equal(role.Generation), "condition %s", c.Type)
		}
		Expect(condition(role.Status.Conditions, v1.ConditionValid)).To(Equal("True/ValidWithWarnings"))
		Expect(meta.FindStatusCondition(role.Status.Conditions, v1.ConditionValid).Message).
			To(ContainSubstring("56 warnings"))
		Expect(condition(role.Status.Conditions, v1.ConditionPublished)).To(Equal("True/Published"))
		Expect(role.Status.Summary).To(Equal(&v1.RoleSummary{
			Skills: 56, Levels: 5, Categories: 13, Requirements: 280, Required: 123,
			KeyAreas: []string{"Programming Fundamentals", "Backend Development", "Database Management"},
		}))
		Expect(role.Status.ConfigMapName).To(Equal("mlops-engineer-matrix"))

		cm, err := getConfigMap(ns, "mlops-engineer-matrix")
		Expect(err).NotTo(HaveOccurred())
		Expect(cm.Data).To(HaveKey("matrix.json"))
		Expect(cm.Data).To(HaveKey("matrix.md"))
		Expect(cm.Data).To(HaveKey("matrix.csv"))
		Expect(cm.Data).To(HaveKey("matrix.html"))
		Expect(cm.BinaryData).To(BeEmpty())
		Expect(cm.Labels).To(HaveKeyWithValue(publish.LabelManagedBy, publish.ManagedBy))
		Expect(cm.Labels).To(HaveKeyWithValue(publish.LabelRole, "mlops-engineer"))
		Expect(cm.Annotations).To(HaveKeyWithValue(publish.AnnotationContentHash, role.Status.ContentHash))
		Expect(metav1.IsControlledBy(cm, role)).To(BeTrue())
		Expect(cm.Data["matrix.md"]).To(ContainSubstring("MLOps Engineer"))

		var doc map[string]any
		Expect(json.Unmarshal([]byte(cm.Data["matrix.json"]), &doc)).To(Succeed())
		Expect(doc).To(HaveKey("schemaVersion"))

		By("emitting an Event for the transition to Ready")
		Eventually(func() []string {
			var list eventsv1.EventList
			Expect(k8sClient.List(suiteCtx, &list, client.InNamespace(ns))).To(Succeed())
			var reasons []string
			for _, e := range list.Items {
				if e.Regarding.Kind == "Role" && e.Regarding.Name == "mlops-engineer" {
					reasons = append(reasons, e.Reason)
				}
			}
			return reasons
		}).Should(ContainElement(v1.ReasonReady))
	})

	It("reports every bad id of an invalid Role in Valid=False and publishes nothing", func() {
		Expect(k8sClient.Create(suiteCtx, fixtureMatrix(ns, "m"))).To(Succeed())
		role := fixtureRole(ns, "r", "m")
		role.Spec.Skills[1].ID = "kubernetes-cor"
		role.Spec.Skills[0].Cells[2].Proficiency = "X"
		Expect(k8sClient.Create(suiteCtx, role)).To(Succeed())

		Eventually(roleCondition(ns, "r", v1.ConditionValid)).Should(Equal("False/InvalidSpec"))
		got := getRole(ns, "r")
		msg := meta.FindStatusCondition(got.Status.Conditions, v1.ConditionValid).Message
		Expect(msg).To(ContainSubstring(`"kubernetes-cor"`))
		Expect(msg).To(ContainSubstring(`"X"`))
		Expect(msg).To(ContainSubstring("senior"))
		Expect(condition(got.Status.Conditions, v1.ConditionReady)).To(Equal("False/InvalidSpec"))
		_, err := getConfigMap(ns, "r-matrix")
		Expect(apierrors.IsNotFound(err)).To(BeTrue())

		By("recovering once the spec is fixed")
		updateSpec(got, func(r *v1.Role) {
			r.Spec.Skills[1].ID = "kubernetes-core"
			r.Spec.Skills[0].Cells[2].Proficiency = "V"
		})
		eventuallyReady(ns, "r")
	})

	It("waits for a missing SkillMatrix with MatrixNotFound and recovers by itself", func() {
		Expect(k8sClient.Create(suiteCtx, fixtureRole(ns, "r", "m"))).To(Succeed())
		Eventually(roleCondition(ns, "r", v1.ConditionReady)).Should(Equal("False/MatrixNotFound"))

		Expect(k8sClient.Create(suiteCtx, fixtureMatrix(ns, "m"))).To(Succeed())
		eventuallyReady(ns, "r")
	})

	It("re-renders every Role of a SkillMatrix when the SkillMatrix changes", func() {
		Expect(k8sClient.Create(suiteCtx, fixtureMatrix(ns, "m"))).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, fixtureRole(ns, "a", "m"))).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, fixtureRole(ns, "b", "m"))).To(Succeed())
		eventuallyReady(ns, "a")
		eventuallyReady(ns, "b")

		updateSpec(&v1.SkillMatrix{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "m"}}, func(m *v1.SkillMatrix) {
			m.Spec.Categories[0].Skills[0].Name = "Docker & Podman"
		})

		for _, name := range []string{"a", "b"} {
			Eventually(func() string {
				cm, err := getConfigMap(ns, name+"-matrix")
				if err != nil {
					return err.Error()
				}
				return cm.Data["matrix.json"]
			}).Should(ContainSubstring("Docker & Podman"), "Role %s", name)
		}
	})

	It("restores a deleted or hand-edited ConfigMap", func() {
		Expect(k8sClient.Create(suiteCtx, fixtureMatrix(ns, "m"))).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, fixtureRole(ns, "r", "m"))).To(Succeed())
		eventuallyReady(ns, "r")
		published, err := getConfigMap(ns, "r-matrix")
		Expect(err).NotTo(HaveOccurred())
		want := maps.Clone(published.Data)

		By("editing the data but not the hash annotation")
		published.Data["matrix.md"] = "# vandalised\n"
		Expect(k8sClient.Update(suiteCtx, published)).To(Succeed())
		Eventually(func() map[string]string {
			cm, _ := getConfigMap(ns, "r-matrix")
			return cm.Data
		}).Should(Equal(want))

		By("removing the managed-by label, which hides it from the operator's cache")
		cm, err := getConfigMap(ns, "r-matrix")
		Expect(err).NotTo(HaveOccurred())
		delete(cm.Labels, publish.LabelManagedBy)
		cm.Data["matrix.csv"] = "tampered"
		Expect(k8sClient.Update(suiteCtx, cm)).To(Succeed())
		Eventually(func() map[string]string {
			cm, _ := getConfigMap(ns, "r-matrix")
			return cm.Labels
		}).Should(HaveKeyWithValue(publish.LabelManagedBy, publish.ManagedBy))
		Eventually(func() map[string]string {
			cm, _ := getConfigMap(ns, "r-matrix")
			return cm.Data
		}).Should(Equal(want))

		By("deleting it")
		Expect(k8sClient.Delete(suiteCtx, cm)).To(Succeed())
		Eventually(func() map[string]string {
			cm, _ := getConfigMap(ns, "r-matrix")
			return cm.Data
		}).Should(Equal(want))
	})

	It("keeps kubectl's last-applied annotation, which its cache drops, through status writes", func() {
		Expect(k8sClient.Create(suiteCtx, fixtureMatrix(ns, "m"))).To(Succeed())
		role := fixtureRole(ns, "r", "m")
		role.Annotations = map[string]string{corev1.LastAppliedConfigAnnotation: `{"kind":"Role"}`}
		Expect(k8sClient.Create(suiteCtx, role)).To(Succeed())
		eventuallyReady(ns, "r")
		Expect(k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(role), role)).To(Succeed())
		Expect(role.Annotations).To(HaveKeyWithValue(corev1.LastAppliedConfigAnnotation, `{"kind":"Role"}`))
	})

	It("writes nothing more once converged", func() {
		Expect(k8sClient.Create(suiteCtx, sampleMatrix(ns))).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, sampleRole(ns))).To(Succeed())
		eventuallyReady(ns, "mlops-engineer")
		Eventually(func() string {
			var m v1.SkillMatrix
			Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: "engineering"}, &m)).To(Succeed())
			return condition(m.Status.Conditions, v1.ConditionReady)
		}).Should(Equal("True/Ready"))

		versions := func() []string {
			var role v1.Role
			var matrix v1.SkillMatrix
			Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: "mlops-engineer"}, &role)).To(Succeed())
			Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: "engineering"}, &matrix)).To(Succeed())
			cm, err := getConfigMap(ns, "mlops-engineer-matrix")
			Expect(err).NotTo(HaveOccurred())
			catalog, err := getConfigMap(ns, "engineering-catalog")
			Expect(err).NotTo(HaveOccurred())
			return []string{role.ResourceVersion, matrix.ResourceVersion, cm.ResourceVersion, catalog.ResourceVersion}
		}
		// Let the last status write and the catalog's reaction to it settle;
		// the catalog coalesces Role changes for catalogRebuildDelay.
		var settled []string
		Eventually(func() bool {
			now := versions()
			stable := slices.Equal(now, settled)
			settled = now
			return stable
		}).WithPolling(catalogRebuildDelay + time.Second).WithTimeout(30 * time.Second).Should(BeTrue())
		Consistently(versions).WithTimeout(10 * time.Second).WithPolling(time.Second).Should(Equal(settled))
	})

	It("stores a large matrix gzip-compressed in binaryData", func() {
		Expect(k8sClient.Create(suiteCtx, wideMatrix(ns, "m", 200))).To(Succeed())
		text := strings.Repeat("Operates the model serving platform in production. ", 20)[:1000]
		Expect(k8sClient.Create(suiteCtx, wideRole(ns, "r", "m", 200, func() string { return text }))).To(Succeed())

		role := eventuallyReady(ns, "r")
		Expect(meta.FindStatusCondition(role.Status.Conditions, v1.ConditionPublished).Message).To(ContainSubstring("gzip"))
		cm, err := getConfigMap(ns, "r-matrix")
		Expect(err).NotTo(HaveOccurred())
		Expect(cm.Data).To(BeEmpty())
		Expect(cm.BinaryData).To(HaveKey("matrix.json.gz"))
		Expect(cm.Annotations).To(HaveKeyWithValue(publish.AnnotationContentEncoding, publish.EncodingGzip))
		var doc map[string]any
		Expect(json.Unmarshal([]byte(gunzipString(cm.BinaryData["matrix.json.gz"])), &doc)).To(Succeed())
		Expect(gunzipString(cm.BinaryData["matrix.md.gz"])).To(ContainSubstring("Operates the model serving platform"))
	})

	It("reports TooLarge and keeps the previous ConfigMap when even compression does not fit", func() {
		Expect(k8sClient.Create(suiteCtx, wideMatrix(ns, "m", 200))).To(Succeed())
		role := wideRole(ns, "r", "m", 200, func() string { return "Short." + strings.Repeat(" ", 300) })
		Expect(k8sClient.Create(suiteCtx, role)).To(Succeed())
		role = eventuallyReady(ns, "r")
		before, err := getConfigMap(ns, "r-matrix")
		Expect(err).NotTo(HaveOccurred())

		huge := wideRole(ns, "r", "m", 200, func() string { return randomLetters(1000) })
		updateSpec(role, func(r *v1.Role) { r.Spec.Skills = huge.Spec.Skills })

		Eventually(roleCondition(ns, "r", v1.ConditionPublished)).Should(Equal("False/TooLarge"))
		Expect(condition(getRole(ns, "r").Status.Conditions, v1.ConditionReady)).To(Equal("False/TooLarge"))
		after, err := getConfigMap(ns, "r-matrix")
		Expect(err).NotTo(HaveOccurred())
		Expect(after.ResourceVersion).To(Equal(before.ResourceVersion))

		By("not retrying in a loop: the Role is not written again")
		rv := getRole(ns, "r").ResourceVersion
		Consistently(func() string { return getRole(ns, "r").ResourceVersion }).
			WithTimeout(3 * time.Second).Should(Equal(rv))
	})
})

var _ = Describe("SkillMatrix controller", func() {
	var ns string
	BeforeEach(func() { ns = newNamespace() })

	It("publishes a catalog with the index of its Roles and their readiness", func() {
		Expect(k8sClient.Create(suiteCtx, sampleMatrix(ns))).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, sampleRole(ns))).To(Succeed())
		eventuallyReady(ns, "mlops-engineer")

		Eventually(func() string {
			cm, err := getConfigMap(ns, "engineering-catalog")
			if err != nil {
				return err.Error()
			}
			return cm.Data["catalog.json"]
		}).Should(And(ContainSubstring(`"mlops-engineer"`), MatchRegexp(`"ready":\s*true`)))

		// The catalog is written before the status that describes it.
		var m v1.SkillMatrix
		Eventually(func() *v1.SkillMatrixSummary {
			Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: "engineering"}, &m)).To(Succeed())
			return m.Status.Summary
		}).Should(Equal(&v1.SkillMatrixSummary{Levels: 5, Proficiencies: 4, Categories: 13, Skills: 56, Roles: 1}))
		Expect(m.Status.ConfigMapName).To(Equal("engineering-catalog"))
		cm, err := getConfigMap(ns, "engineering-catalog")
		Expect(err).NotTo(HaveOccurred())
		Expect(cm.Data).To(HaveKey("catalog.md"))
		Expect(metav1.IsControlledBy(cm, &m)).To(BeTrue())
	})

	It("reports a skill id used in two categories as Valid=False", func() {
		m := fixtureMatrix(ns, "m")
		m.Spec.Categories = append(m.Spec.Categories, v1.Category{
			ID: "containers", Name: "Containers", Skills: []v1.Skill{{ID: "docker", Name: "Docker again"}},
		})
		Expect(k8sClient.Create(suiteCtx, m)).To(Succeed())
		Eventually(func() string {
			var got v1.SkillMatrix
			Expect(k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(m), &got)).To(Succeed())
			c := meta.FindStatusCondition(got.Status.Conditions, v1.ConditionValid)
			if c == nil {
				return ""
			}
			return string(c.Status) + " " + c.Message
		}).Should(And(HavePrefix("False"), ContainSubstring(`"docker"`)))

		By("holding back its Roles with MatrixInvalid")
		Expect(k8sClient.Create(suiteCtx, fixtureRole(ns, "r", "m"))).To(Succeed())
		Eventually(roleCondition(ns, "r", v1.ConditionReady)).Should(Equal("False/MatrixInvalid"))
	})
})
