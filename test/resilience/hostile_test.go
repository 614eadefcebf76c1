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

package resilience

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode/utf8"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/controller"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
)

const mebibyte = 1 << 20

// hostileText is markup, scripts and every kind of Unicode in one string:
// emoji, CJK, right-to-left, combining marks, a zero-width joiner, a NUL-free
// control character and Markdown and CSV metacharacters.
const hostileText = `🚀 Ingénieur ML — 機械学習 مهندس <script>alert("x")</script> & 'quotes' ` +
	"Z\u0335\u0321a\u0334l\u0337g\u0338o \u200d\u202e reversed\u202c | pipe | `tick` *star* # hash, \"comma\"\ttab"

// hostileRole is a Role against fixtureMatrix with hostileText in every
// free-text field.
func hostileRole(ns, name string) *v1.Role {
	r := stormRole(ns, name, rand.New(rand.NewPCG(1, 1)))
	r.Spec.DisplayName = truncateRunes(hostileText, 128)
	r.Spec.Family = "<b>Family</b> 👩‍👩‍👧"
	r.Spec.Summary = hostileText + "\n\n# Not a heading\n<img src=x onerror=alert(1)>\n| a | b |\n|---|---|"
	r.Spec.Levels[0].Focus = hostileText + "</td></tr><tr><td>injected"
	r.Spec.Levels[0].TechStack = []string{"<iframe src=javascript:alert(1)>", "Rust 🦀", "C++ & C#"}
	r.Spec.Skills[0].Cells[0].Description = hostileText
	r.Spec.Skills[0].Cells[0].Examples = []string{"<svg onload=alert(1)>", "日本語の例"}
	return r
}

// truncateRunes keeps at most n characters of s.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// longName is a DNS-1123 name of exactly n characters.
func longName(prefix string, n int) string {
	return prefix + strings.Repeat("a", n-len(prefix)-1) + "z"
}

func roleCondition(ns, name, condType string) func() string {
	return func() string {
		var r v1.Role
		if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name}, &r); err != nil {
			return err.Error()
		}
		c := meta.FindStatusCondition(r.Status.Conditions, condType)
		if c == nil || c.ObservedGeneration != r.Generation {
			return "no current " + condType + " condition"
		}
		return string(c.Status) + "/" + c.Reason
	}
}

var _ = Describe("Hostile input", Ordered, func() {
	var (
		ns      string
		manager *runningManager
	)
	BeforeAll(func() {
		manager = startManager(controller.Seams{}, nil)
		DeferCleanup(func() { manager.stop() })
		ns = newNamespace()
		Expect(k8sClient.Create(suiteCtx, stormMatrix(ns))).To(Succeed())
	})

	// Oversized and malformed objects never reach the operator: the CRD
	// schema refuses them with a message that names the field.
	DescribeTable("refused by the API server's schema",
		func(user string, object func(ns string) client.Object, want ...string) {
			c := client.Client(k8sClient)
			if user != "" {
				c = as(user)
			}
			err := c.Create(suiteCtx, object(ns))
			Expect(err).To(HaveOccurred())
			Expect(apierrors.IsInvalid(err)).To(BeTrue(), "not a validation error: %v", err)
			for _, w := range want {
				Expect(err.Error()).To(ContainSubstring(w))
			}
		},
		Entry("a 1 MiB Role summary", "", func(ns string) client.Object {
			r := stormRole(ns, "huge-summary", rand.New(rand.NewPCG(1, 1)))
			r.Spec.Summary = strings.Repeat("x", mebibyte)
			return r
		}, "spec.summary", "Too long", "4096"),
		Entry("a 1 MiB Role title", "", func(ns string) client.Object {
			r := stormRole(ns, "huge-title", rand.New(rand.NewPCG(1, 1)))
			r.Spec.DisplayName = strings.Repeat("é", mebibyte/2)
			return r
		}, "spec.displayName", "Too long", "128"),
		Entry("a 1 MiB cell description", "", func(ns string) client.Object {
			r := stormRole(ns, "huge-cell", rand.New(rand.NewPCG(1, 1)))
			r.Spec.Skills[0].Cells[0].Description = strings.Repeat("x", mebibyte)
			return r
		}, "spec.skills[0].cells[0].description", "Too long"),
		Entry("a Role with 10k skill rows", "", func(ns string) client.Object {
			r := stormRole(ns, "ten-thousand-rows", rand.New(rand.NewPCG(1, 1)))
			r.Spec.Skills = nil
			for i := range 10_000 {
				r.Spec.Skills = append(r.Spec.Skills, v1.SkillRequirement{ID: v1.ID(fmt.Sprintf("s%d", i)),
					Cells: []v1.Cell{{Level: "junior", Proficiency: "A"}}})
			}
			return r
		}, "spec.skills", "Too many", "must have at most 500 items"),
		Entry("a Role with a 10k-entry tech stack", "", func(ns string) client.Object {
			r := stormRole(ns, "ten-thousand-tools", rand.New(rand.NewPCG(1, 1)))
			for i := range 10_000 {
				r.Spec.Levels[0].TechStack = append(r.Spec.Levels[0].TechStack, fmt.Sprintf("tool-%d", i))
			}
			return r
		}, "spec.levels[0].techStack", "Too many", "must have at most 40 items"),
		Entry("a SkillMatrix with a 1 MiB skill description", "", func(ns string) client.Object {
			m := stormMatrix(ns)
			m.Name = "huge-description"
			m.Spec.Categories[0].Skills[0].Description = strings.Repeat("x", mebibyte)
			return m
		}, "description", "Too long"),
		Entry("a SkillMatrix with 10k skills", "", func(ns string) client.Object {
			m := stormMatrix(ns)
			m.Name = "ten-thousand-skills"
			for i := range 10_000 {
				m.Spec.Categories[0].Skills = append(m.Spec.Categories[0].Skills,
					v1.Skill{ID: v1.ID(fmt.Sprintf("extra-%d", i)), Name: "Extra"})
			}
			return m
		}, "spec.categories[0].skills", "Too many"),
		Entry("a Proposal with 10k changes", alice, func(ns string) client.Object {
			p := hostileProposal(ns, "ten-thousand-changes")
			for i := range 10_000 {
				p.Spec.Changes = append(p.Spec.Changes, v1.Change{Op: v1.OpSetFocus, Level: "junior",
					Focus: new(fmt.Sprintf("focus %d", i))})
			}
			return p
		}, "spec.changes", "Too many", "must have at most 50 items"),
		Entry("a Proposal with 10k votes", alice, func(ns string) client.Object {
			p := hostileProposal(ns, "ten-thousand-votes")
			for i := range 10_000 {
				p.Spec.Votes = append(p.Spec.Votes, v1.Vote{Voter: v1.Username(fmt.Sprintf("user-%d", i)),
					Decision: v1.VoteApprove})
			}
			return p
		}, "spec.votes", "Too many", "must have at most 500 items"),
		Entry("a Proposal with a 1 MiB title", alice, func(ns string) client.Object {
			p := hostileProposal(ns, "huge-proposal-title")
			p.Spec.Title = strings.Repeat("x", mebibyte)
			return p
		}, "spec.title", "Too long", "200"),
		Entry("a Proposal with a 1 MiB focus", alice, func(ns string) client.Object {
			p := hostileProposal(ns, "huge-focus")
			p.Spec.Changes[0].Focus = new(strings.Repeat("x", mebibyte))
			return p
		}, "spec.changes[0].focus", "Too long"),
		Entry("a Role name one character over the limit", "", func(ns string) client.Object {
			return stormRole(ns, longName("r", 222), rand.New(rand.NewPCG(1, 1)))
		}, "metadata.name must be at most 221 characters"),
		Entry("a skill id that is not a DNS label", "", func(ns string) client.Object {
			r := stormRole(ns, "unicode-id", rand.New(rand.NewPCG(1, 1)))
			r.Spec.Skills[0].ID = "döcker"
			return r
		}, "spec.skills[0].id", "should match"),
	)

	It("renders Unicode and markup in every text field, escaped in HTML and exact in JSON", func() {
		role := hostileRole(ns, "unicode")
		Expect(k8sClient.Create(suiteCtx, role)).To(Succeed())
		Eventually(roleCondition(ns, "unicode", v1.ConditionPublished)).Should(Equal("True/" + v1.ReasonPublished))
		Eventually(allPublishedNamed(ns, "unicode")).Should(BeEmpty())

		var cm corev1.ConfigMap
		Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: "unicode-matrix"}, &cm)).To(Succeed())
		html := cm.Data[render.KeyHTML]
		Expect(html).NotTo(BeEmpty())
		for _, raw := range []string{"<script>alert(", "<img src=x", "<iframe", "<svg onload", "</td></tr><tr><td>injected",
			"<b>Family</b>"} {
			Expect(html).NotTo(ContainSubstring(raw), "matrix.html carries unescaped markup")
		}
		Expect(html).To(ContainSubstring("&lt;script&gt;"))
		Expect(html).To(ContainSubstring("機械学習"))

		var doc struct {
			Role struct {
				DisplayName string `json:"displayName"`
				Summary     string `json:"summary"`
			} `json:"role"`
		}
		Expect(json.Unmarshal([]byte(cm.Data[render.KeyJSON]), &doc)).To(Succeed())
		Expect(doc.Role.DisplayName).To(Equal(role.Spec.DisplayName))
		Expect(doc.Role.Summary).To(Equal(role.Spec.Summary))
	})

	// publishLongNames creates a SkillMatrix and a Role with names of the
	// given length and every id and title at its limit, and expects the
	// Role's matrix published.
	publishLongNames := func(nameLength int) {
		matrix := stormMatrix(ns)
		matrix.Name = longName(fmt.Sprintf("m%d-", nameLength), nameLength)
		matrix.Spec.DisplayName = strings.Repeat("M", 128)
		longSkill := v1.ID(longName(fmt.Sprintf("s%d-", nameLength), 63))
		matrix.Spec.Categories[0].Skills = append(matrix.Spec.Categories[0].Skills,
			v1.Skill{ID: longSkill, Name: strings.Repeat("S", 128), Description: strings.Repeat("d", 2048)})
		Expect(k8sClient.Create(suiteCtx, matrix)).To(Succeed())

		name := longName(fmt.Sprintf("r%d-", nameLength), nameLength)
		role := stormRole(ns, name, rand.New(rand.NewPCG(2, 2)))
		role.Spec.MatrixRef = v1.ObjectName(matrix.Name)
		role.Spec.DisplayName = strings.Repeat("R", 128)
		role.Spec.Skills = append(role.Spec.Skills, v1.SkillRequirement{ID: longSkill,
			Cells: randomCells(rand.New(rand.NewPCG(3, 3)))})
		Expect(k8sClient.Create(suiteCtx, role)).To(Succeed())

		Eventually(roleCondition(ns, name, v1.ConditionPublished)).Should(Equal("True/" + v1.ReasonPublished))
		Eventually(allPublishedNamed(ns, name)).Should(BeEmpty())
		var cm corev1.ConfigMap
		Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name + "-matrix"}, &cm)).To(Succeed())
		Expect(cm.Data[render.KeyMarkdown]).To(ContainSubstring(strings.Repeat("S", 128)))
		Expect(cm.Data[render.KeyJSON]).To(ContainSubstring(string(longSkill)))
	}

	It("publishes names of 63 characters with every id and title at its limit", func() {
		publishLongNames(63)
	})

	// Pending on a fix in internal/controller: the operator labels each
	// ConfigMap with the Role's and the SkillMatrix's names, and a label value
	// may not exceed 63 characters, so a name the CRD allows (up to 221)
	// cannot be published today: the ConfigMap create is refused and the
	// reconcile retries with backoff. Un-pend once the labels are capped.
	PIt("publishes names at the CRD's 221-character limit", func() {
		publishLongNames(221)
	})

	It("reports a rendered matrix too large for a ConfigMap in status, leaving the Role's other outputs alone", func() {
		// 500 rows with a 1000-character random description in each of two
		// cells: about 1 MB stored, about 4 MB rendered, 3 MB gzipped.
		matrix := stormMatrix(ns)
		matrix.Name = "two-levels"
		matrix.Spec.Levels = matrix.Spec.Levels[:2]
		matrix.Spec.Categories[0].Skills = nil
		rng := rand.New(rand.NewPCG(4, 4))
		role := stormRole(ns, "too-large", rng)
		role.Spec.MatrixRef = "two-levels"
		role.Spec.Levels = role.Spec.Levels[:2]
		role.Spec.Skills = nil
		for i := range v1.MaxSkills {
			id := v1.ID(fmt.Sprintf("skill-%03d", i))
			matrix.Spec.Categories[0].Skills = append(matrix.Spec.Categories[0].Skills, v1.Skill{ID: id, Name: string(id)})
			row := v1.SkillRequirement{ID: id}
			for _, l := range []v1.ID{"junior", "middle"} {
				noise := make([]byte, 750)
				for j := range noise {
					noise[j] = byte(rng.IntN(256))
				}
				row.Cells = append(row.Cells, v1.Cell{Level: l, Proficiency: "W",
					Description: base64.StdEncoding.EncodeToString(noise)})
			}
			role.Spec.Skills = append(role.Spec.Skills, row)
		}
		Expect(k8sClient.Create(suiteCtx, matrix)).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, role)).To(Succeed())
		Eventually(roleCondition(ns, "too-large", v1.ConditionPublished)).WithTimeout(2 * time.Minute).
			Should(Equal("False/" + v1.ReasonTooLarge))
		Expect(roleCondition(ns, "too-large", v1.ConditionReady)()).To(Equal("False/" + v1.ReasonTooLarge))
	})

	It("reports MatrixNotFound for Roles whose SkillMatrix is deleted mid-reconcile or after", func() {
		published := stormRole(ns, "published-then-orphaned", rand.New(rand.NewPCG(6, 6)))
		published.Spec.MatrixRef = "doomed"
		doomed := stormMatrix(ns)
		doomed.Name = "doomed"
		Expect(k8sClient.Create(suiteCtx, doomed)).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, published)).To(Succeed())
		Eventually(roleCondition(ns, "published-then-orphaned", v1.ConditionReady)).
			Should(Equal("True/" + v1.ReasonReady))

		By("deleting one SkillMatrix while its Roles are being created and reconciled, and another after")
		midway := stormMatrix(ns)
		midway.Name = "midway"
		Expect(k8sClient.Create(suiteCtx, midway)).To(Succeed())
		for i := range 5 {
			r := stormRole(ns, fmt.Sprintf("midway-%d", i), rand.New(rand.NewPCG(7, 7)))
			r.Spec.MatrixRef = "midway"
			Expect(k8sClient.Create(suiteCtx, r)).To(Succeed())
			if i == 2 {
				Expect(k8sClient.Delete(suiteCtx, midway)).To(Succeed())
			}
		}
		Expect(k8sClient.Delete(suiteCtx, doomed)).To(Succeed())

		for _, name := range []string{"midway-0", "midway-1", "midway-2", "midway-3", "midway-4", "published-then-orphaned"} {
			Eventually(roleCondition(ns, name, v1.ConditionReady)).Should(Equal("False/"+v1.ReasonMatrixNotFound),
				"Role %s", name)
		}
		var r v1.Role
		Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: "published-then-orphaned"}, &r)).To(Succeed())
		Expect(r.Status.ConfigMapName).NotTo(BeEmpty(), "the matrix published before is left as it was")
	})

	It("keeps Proposals waiting for their Role when it is deleted, before or after they were reconciled", func() {
		target := stormRole(ns, "to-be-deleted", rand.New(rand.NewPCG(8, 8)))
		Expect(k8sClient.Create(suiteCtx, target)).To(Succeed())
		Eventually(roleCondition(ns, "to-be-deleted", v1.ConditionReady)).Should(Equal("True/" + v1.ReasonReady))
		open := hostileProposal(ns, "open-then-orphaned")
		open.Spec.RoleRef = "to-be-deleted"
		Expect(as(alice).Create(suiteCtx, open)).To(Succeed())
		Eventually(proposalPhase(ns, "open-then-orphaned")).Should(Equal(v1.PhaseOpen))

		racing := hostileProposal(ns, "racing-the-delete")
		racing.Spec.RoleRef = "to-be-deleted"
		Expect(as(alice).Create(suiteCtx, racing)).To(Succeed())
		Expect(k8sClient.Delete(suiteCtx, target)).To(Succeed())

		// Not Invalid, which is closed: a Role deleted and synced again from
		// Git, or created after its Proposals, must find them still open.
		for _, name := range []string{"open-then-orphaned", "racing-the-delete"} {
			Eventually(func(g Gomega) {
				var p v1.Proposal
				g.Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name}, &p)).To(Succeed())
				g.Expect(p.Status.Phase.IsClosed()).To(BeFalse(), "phase %s", p.Status.Phase)
				g.Expect(meta.FindStatusCondition(p.Status.Conditions, v1.ConditionValid)).To(
					HaveField("Reason", v1.ReasonRoleNotFound))
				g.Expect(meta.FindStatusCondition(p.Status.Conditions, v1.ConditionReconciling)).To(
					HaveField("Reason", v1.ReasonRoleNotFound))
			}).Should(Succeed(), "Proposal %s", name)
		}
	})

	It("never panics and settles without a hot loop", func() {
		Expect(panics()).To(BeZero())
		By("waiting until no reconcile runs for 3 seconds, then counting reconciles for 10 more")
		quiet := false
		for deadline := time.Now().Add(2 * time.Minute); !quiet && time.Now().Before(deadline); {
			start := reconciles()
			time.Sleep(3 * time.Second)
			quiet = reconciles() == start
		}
		Expect(quiet).To(BeTrue(), "the controllers never stopped reconciling for 3 seconds")
		before := reconciles()
		Consistently(reconciles).WithTimeout(10 * time.Second).WithPolling(time.Second).Should(Equal(before))
		Expect(panics()).To(BeZero())
	})
})

// hostileProposal is a valid Proposal by alice against Role r0 of the
// namespace, which specs change in one place.
func hostileProposal(ns, name string) *v1.Proposal {
	return &v1.Proposal{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1.ProposalSpec{
			RoleRef: "r0",
			Title:   "Hostile " + name,
			Author:  alice,
			Changes: []v1.Change{{Op: v1.OpSetFocus, Level: "junior", Focus: new("A new focus")}},
		},
	}
}

func proposalPhase(ns, name string) func() v1.ProposalPhase {
	return func() v1.ProposalPhase {
		var p v1.Proposal
		if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name}, &p); err != nil {
			return v1.ProposalPhase(err.Error())
		}
		return p.Status.Phase
	}
}

// allPublishedNamed is allPublished for one Role.
func allPublishedNamed(ns, name string) func() string {
	return func() string {
		var r v1.Role
		if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: ns, Name: name}, &r); err != nil {
			return err.Error()
		}
		return published(&r)
	}
}
