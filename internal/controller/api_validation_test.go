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
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// expectRejected asserts that the API server refused the write as invalid and
// that its message names the offending field and says what is wrong.
func expectRejected(err error, field, message string) {
	GinkgoHelper()
	Expect(err).To(HaveOccurred(), "the API server accepted an invalid object")
	Expect(apierrors.IsInvalid(err)).To(BeTrue(), "want an Invalid error, got: %v", err)
	Expect(err.Error()).To(ContainSubstring(field))
	Expect(err.Error()).To(ContainSubstring(message))
}

func matrixWith(mutate func(*v1.SkillMatrix)) func(ns string) client.Object {
	return func(ns string) client.Object {
		m := fixtureMatrix(ns, "m")
		mutate(m)
		return m
	}
}

func roleWith(mutate func(*v1.Role)) func(ns string) client.Object {
	return func(ns string) client.Object {
		r := fixtureRole(ns, "r", "m")
		mutate(r)
		return r
	}
}

func proposalWith(mutate func(*v1.Proposal)) func(ns string) client.Object {
	return func(ns string) client.Object {
		p := fixtureProposal(ns, "p", "r")
		mutate(p)
		return p
	}
}

// updateProposal reads the Proposal afresh, changes it and writes it back as
// the given user, retrying when the operator's status write got in between.
func updateProposal(c client.Client, key client.ObjectKey, mutate func(*v1.Proposal)) error {
	return updateAs(c, &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name}}, mutate)
}

// updateSpec reads obj afresh, changes it and writes it back as the suite's
// admin, retrying when the operator's status write got in between.
func updateSpec[T client.Object](obj T, mutate func(T)) {
	GinkgoHelper()
	Expect(updateAs(k8sClient, obj, mutate)).To(Succeed())
}

// updateAs reads obj afresh, changes it and writes it back with c, retrying
// when a write got in between (a 409 on a stale version).
func updateAs[T client.Object](c client.Client, obj T, mutate func(T)) error {
	key := client.ObjectKeyFromObject(obj)
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := c.Get(suiteCtx, key, obj); err != nil {
			return err
		}
		mutate(obj)
		return c.Update(suiteCtx, obj)
	})
}

func manySkills(n int) []v1.SkillRequirement {
	out := make([]v1.SkillRequirement, n)
	for i := range out {
		out[i] = v1.SkillRequirement{
			ID:    v1.ID(fmt.Sprintf("skill-%d", i)),
			Cells: []v1.Cell{{Level: "junior", Proficiency: "A"}},
		}
	}
	return out
}

var _ = Describe("API schema validation", func() {
	var ns string
	BeforeEach(func() { ns = newNamespace() })

	It("accepts the valid fixtures", func() {
		Expect(k8sClient.Create(suiteCtx, fixtureMatrix(ns, "m"))).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, fixtureRole(ns, "r", "m"))).To(Succeed())
		Expect(as(alice).Create(suiteCtx, fixtureProposal(ns, "p", "r"))).To(Succeed())
	})

	DescribeTable("rejects an invalid object at creation, naming the field",
		func(build func(ns string) client.Object, field, message string) {
			obj := build(ns)
			creator := k8sClient
			if _, ok := obj.(*v1.Proposal); ok {
				// Proposals are created by their author: admission refuses anyone else.
				creator = as(alice)
			}
			expectRejected(creator.Create(suiteCtx, obj), field, message)
		},
		// SkillMatrix
		Entry("level id that is not a DNS-1123 label", matrixWith(func(m *v1.SkillMatrix) {
			m.Spec.Levels[0].ID = "Junior"
		}), "spec.levels[0].id", "should match"),
		Entry("duplicate level id", matrixWith(func(m *v1.SkillMatrix) {
			m.Spec.Levels[1].ID = "junior"
		}), "spec.levels[1]", "Duplicate value"),
		Entry("no levels", matrixWith(func(m *v1.SkillMatrix) {
			m.Spec.Levels = []v1.Level{}
		}), "spec.levels", "at least 1 items"),
		Entry("oversize level list", matrixWith(func(m *v1.SkillMatrix) {
			m.Spec.Levels = nil
			for i := range 13 {
				m.Spec.Levels = append(m.Spec.Levels, v1.Level{ID: v1.ID(fmt.Sprintf("l%d", i)), Name: "L"})
			}
		}), "spec.levels", "must have at most 12 items"),
		Entry("proficiency id that is not letters and digits", matrixWith(func(m *v1.SkillMatrix) {
			m.Spec.Proficiencies[0].ID = "A-1"
		}), "spec.proficiencies[0].id", "should match"),
		Entry("duplicate proficiency id", matrixWith(func(m *v1.SkillMatrix) {
			m.Spec.Proficiencies[3].ID = "A"
		}), "spec.proficiencies[3]", "Duplicate value"),
		Entry("duplicate skill id in a category", matrixWith(func(m *v1.SkillMatrix) {
			m.Spec.Categories[0].Skills[1].ID = "docker"
		}), "spec.categories[0].skills[1]", "Duplicate value"),
		Entry("skill name over 128 characters", matrixWith(func(m *v1.SkillMatrix) {
			m.Spec.Categories[0].Skills[0].Name = strings.Repeat("x", 129)
		}), "spec.categories[0].skills[0].name", "Too long"),
		Entry("category without skills", matrixWith(func(m *v1.SkillMatrix) {
			m.Spec.Categories[0].Skills = []v1.Skill{}
		}), "spec.categories[0].skills", "at least 1 items"),
		Entry("unknown render format", matrixWith(func(m *v1.SkillMatrix) {
			m.Spec.Publishing.Formats = []v1.RenderFormat{"json", "pdf"}
		}), "spec.publishing.formats[1]", "Unsupported value"),
		Entry("formats without json", matrixWith(func(m *v1.SkillMatrix) {
			m.Spec.Publishing.Formats = []v1.RenderFormat{"markdown"}
		}), "spec.publishing.formats", "formats must include json"),
		Entry("ConfigMap suffix without a leading dash", matrixWith(func(m *v1.SkillMatrix) {
			m.Spec.Publishing.ConfigMapSuffix = "matrix"
		}), "spec.publishing.configMapSuffix", "should match"),
		Entry("voting period under a second", matrixWith(func(m *v1.SkillMatrix) {
			m.Spec.Governance.VotingPeriod = &metav1.Duration{Duration: 1e6}
		}), "spec.governance.votingPeriod", "votingPeriod must be a duration between 1s and 8760h"),
		Entry("approval ratio of zero percent", matrixWith(func(m *v1.SkillMatrix) {
			m.Spec.Governance.ApprovalRatioPercent = ptr.To[int32](0)
		}), "spec.governance.approvalRatioPercent", "greater than or equal to 1"),
		Entry("approval ratio over 100 percent", matrixWith(func(m *v1.SkillMatrix) {
			m.Spec.Governance.ApprovalRatioPercent = ptr.To[int32](101)
		}), "spec.governance.approvalRatioPercent", "less than or equal to 100"),
		Entry("name too long for its ConfigMap", matrixWith(func(m *v1.SkillMatrix) {
			m.Name = strings.Repeat("m", 222)
		}), "metadata.name", "at most 221 characters"),

		// Role
		Entry("missing matrixRef", roleWith(func(r *v1.Role) {
			r.Spec.MatrixRef = ""
		}), "spec.matrixRef", "should be at least 1 chars long"),
		Entry("empty displayName", roleWith(func(r *v1.Role) {
			r.Spec.DisplayName = ""
		}), "spec.displayName", "should be at least 1 chars long"),
		Entry("cell proficiency that is not a code", roleWith(func(r *v1.Role) {
			r.Spec.Skills[0].Cells[1].Proficiency = "Expert-1"
		}), "spec.skills[0].cells[1].proficiency", "should match"),
		Entry("duplicate cell for one level", roleWith(func(r *v1.Role) {
			r.Spec.Skills[0].Cells[1].Level = "junior"
		}), "spec.skills[0].cells[1]", "Duplicate value"),
		Entry("duplicate skill row", roleWith(func(r *v1.Role) {
			r.Spec.Skills[1].ID = "docker"
		}), "spec.skills[1]", "Duplicate value"),
		Entry("more than 500 skills", roleWith(func(r *v1.Role) {
			r.Spec.Skills = manySkills(501)
		}), "spec.skills", "must have at most 500 items"),
		Entry("tech stack item over 128 characters", roleWith(func(r *v1.Role) {
			r.Spec.Levels[0].TechStack = []string{strings.Repeat("t", 129)}
		}), "spec.levels[0].techStack[0]", "Too long"),
		Entry("duplicate level entry", roleWith(func(r *v1.Role) {
			r.Spec.Levels[1].Level = "junior"
		}), "spec.levels[1]", "Duplicate value"),
		Entry("more than 10 examples in a cell", roleWith(func(r *v1.Role) {
			r.Spec.Skills[0].Cells[0].Examples = make([]string, 11)
			for i := range r.Spec.Skills[0].Cells[0].Examples {
				r.Spec.Skills[0].Cells[0].Examples[i] = "example"
			}
		}), "spec.skills[0].cells[0].examples", "must have at most 10 items"),
		Entry("duplicate career path", roleWith(func(r *v1.Role) {
			r.Spec.CareerPaths = []v1.CareerPath{{Role: "architect"}, {Role: "architect"}}
		}), "spec.careerPaths[1]", "Duplicate value"),

		// Proposal
		Entry("unknown change op", proposalWith(func(p *v1.Proposal) {
			p.Spec.Changes[0].Op = "Rename"
		}), "spec.changes[0].op", "Unsupported value"),
		Entry("SetProficiency without a proficiency", proposalWith(func(p *v1.Proposal) {
			p.Spec.Changes[0].Proficiency = ""
			p.Spec.Changes[0].From = nil
		}), "spec.changes[0].proficiency", "proficiency is required for SetProficiency"),
		Entry("SetFocus that names a skill", proposalWith(func(p *v1.Proposal) {
			p.Spec.Changes[0] = v1.Change{Op: v1.OpSetFocus, Level: "junior", Skill: "docker", Focus: new("Containers.")}
		}), "spec.changes[0].skill", "not allowed for SetFocus"),
		Entry("SetRequired that also sets a proficiency", proposalWith(func(p *v1.Proposal) {
			p.Spec.Changes[0] = v1.Change{Op: v1.OpSetRequired, Skill: "docker", Level: "junior", Required: new(true), Proficiency: "W"}
		}), "spec.changes[0].proficiency", "not allowed for other ops"),
		Entry("AddSkill without cells", proposalWith(func(p *v1.Proposal) {
			p.Spec.Changes[0] = v1.Change{Op: v1.OpAddSkill, Skill: "helm"}
		}), "spec.changes[0].cells", "cells are required for AddSkill"),
		Entry("RemoveSkill that names a level", proposalWith(func(p *v1.Proposal) {
			p.Spec.Changes[0] = v1.Change{Op: v1.OpRemoveSkill, Skill: "docker", Level: "junior"}
		}), "spec.changes[0].level", "not allowed for AddSkill and RemoveSkill"),
		Entry("from that does not match the op", proposalWith(func(p *v1.Proposal) {
			p.Spec.Changes[0].From = &v1.ChangeValue{Required: new(false)}
		}), "spec.changes[0].from", "from must set exactly the field the op changes"),
		Entry("no changes", proposalWith(func(p *v1.Proposal) {
			p.Spec.Changes = []v1.Change{}
		}), "spec.changes", "at least 1 items"),
		Entry("more than 50 changes", proposalWith(func(p *v1.Proposal) {
			for range v1.MaxChanges {
				p.Spec.Changes = append(p.Spec.Changes, p.Spec.Changes[0])
			}
		}), "spec.changes", "must have at most 50 items"),
		Entry("unknown vote decision", proposalWith(func(p *v1.Proposal) {
			p.Spec.Votes = []v1.Vote{{Voter: "bob", Decision: "Maybe"}}
		}), "spec.votes[0].decision", "Unsupported value"),
		Entry("two votes by one voter", proposalWith(func(p *v1.Proposal) {
			p.Spec.Votes = []v1.Vote{{Voter: "bob", Decision: v1.VoteApprove}, {Voter: "bob", Decision: v1.VoteReject}}
		}), "spec.votes[1]", "Duplicate value"),
		Entry("the author voting", proposalWith(func(p *v1.Proposal) {
			p.Spec.Votes = []v1.Vote{{Voter: "alice", Decision: v1.VoteApprove}}
		}), "spec.votes", "the author cannot vote on their own proposal"),
		Entry("the author reviewing", proposalWith(func(p *v1.Proposal) {
			p.Spec.Reviews = []v1.Review{{Reviewer: "alice", Decision: v1.ReviewApprove}}
		}), "spec.reviews", "the author cannot review their own proposal"),
		Entry("unknown review decision", proposalWith(func(p *v1.Proposal) {
			p.Spec.Reviews = []v1.Review{{Reviewer: "carol", Decision: "Approve!"}}
		}), "spec.reviews[0].decision", "Unsupported value"),
		Entry("title over 200 characters", proposalWith(func(p *v1.Proposal) {
			p.Spec.Title = strings.Repeat("t", 201)
		}), "spec.title", "Too long"),
	)

	It("rejects a field the schema does not declare, under strict field validation", func() {
		obj := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "career.skillmatrix.dev/v1alpha1",
			"kind":       "Proposal",
			"metadata":   map[string]any{"name": "p", "namespace": ns},
			"spec": map[string]any{
				"roleRef": "r", "title": "t", "author": "alice",
				"changes": []any{map[string]any{
					"op": "SetProficiency", "skill": "docker", "level": "junior", "proficiency": "W", "value": "W",
				}},
			},
		}}
		err := as(alice).Create(suiteCtx, obj, client.FieldValidation(metav1.FieldValidationStrict))
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring(`unknown field "spec.changes[0].value"`))
	})

	DescribeTable("rejects a change to an immutable Proposal field",
		func(mutate func(*v1.Proposal), field, message string) {
			p := fixtureProposal(ns, "p", "r")
			Expect(as(alice).Create(suiteCtx, p)).To(Succeed())
			expectRejected(updateProposal(as(alice), client.ObjectKeyFromObject(p), mutate), field, message)
		},
		Entry("changes", func(p *v1.Proposal) { p.Spec.Changes[0].Proficiency = "E" },
			"spec.changes", "changes are immutable after creation"),
		Entry("author", func(p *v1.Proposal) { p.Spec.Author = "mallory" },
			"spec.author", "author is immutable after creation"),
		Entry("roleRef", func(p *v1.Proposal) { p.Spec.RoleRef = "other" },
			"spec.roleRef", "roleRef is immutable after creation"),
	)

	It("accepts votes and reviews their owners add after creation", func() {
		p := fixtureProposal(ns, "p", "r")
		Expect(as(alice).Create(suiteCtx, p)).To(Succeed())
		Expect(updateProposal(as(bob), client.ObjectKeyFromObject(p), func(p *v1.Proposal) {
			p.Spec.Votes = []v1.Vote{{Voter: bob, Decision: v1.VoteApprove, Comment: "Yes", Groups: testenv.AuthenticatedGroups("engineers")}}
		})).To(Succeed())
		Expect(updateProposal(as(carol), client.ObjectKeyFromObject(p), func(p *v1.Proposal) {
			p.Spec.Reviews = []v1.Review{{Reviewer: carol, Decision: v1.ReviewRequestChanges, Groups: testenv.AuthenticatedGroups("engineers")}}
		})).To(Succeed())
	})

	It("rejects an unknown phase in the status subresource", func() {
		p := fixtureProposal(ns, "p", "r")
		Expect(as(alice).Create(suiteCtx, p)).To(Succeed())
		patch := client.RawPatch(types.MergePatchType, []byte(`{"status":{"phase":"Merged"}}`))
		expectRejected(k8sClient.Status().Patch(suiteCtx, p, patch), "status.phase", "Unsupported value")
	})
})
