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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// Small, valid objects that specs copy and then change in one place.

var fixtureLevels = []v1.ID{"junior", "middle", "senior"}

func fixtureMatrix(namespace, name string) *v1.SkillMatrix {
	return &v1.SkillMatrix{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: v1.SkillMatrixSpec{
			DisplayName: "Test framework",
			Levels: []v1.Level{
				{ID: "junior", Name: "Junior"},
				{ID: "middle", Name: "Middle"},
				{ID: "senior", Name: "Senior"},
			},
			Proficiencies: []v1.Proficiency{
				{ID: "A", Name: "Awareness"},
				{ID: "W", Name: "Working"},
				{ID: "V", Name: "Advanced"},
				{ID: "E", Name: "Expert"},
			},
			Categories: []v1.Category{{
				ID:   "cloud",
				Name: "Cloud & Infrastructure",
				Skills: []v1.Skill{
					{ID: "docker", Name: "Docker"},
					{ID: "kubernetes-core", Name: "Kubernetes Core"},
				},
			}},
			Governance: &v1.GovernancePolicy{
				MinApprovals:         ptr.To[int32](2),
				ApprovalRatioPercent: ptr.To[int32](66),
				RequiredReviews:      ptr.To[int32](1),
				VotingPeriod:         &metav1.Duration{Duration: 168 * 3600 * 1e9},
			},
		},
	}
}

func fixtureRole(namespace, name, matrix string) *v1.Role {
	row := func(id v1.ID, profs ...v1.ProficiencyID) v1.SkillRequirement {
		req := v1.SkillRequirement{ID: id}
		for i, p := range profs {
			req.Cells = append(req.Cells, v1.Cell{Level: fixtureLevels[i], Proficiency: p, Required: i > 0})
		}
		return req
	}
	return &v1.Role{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: v1.RoleSpec{
			MatrixRef:   v1.ObjectName(matrix),
			DisplayName: "Platform Engineer",
			Family:      "Infrastructure",
			Levels: []v1.RoleLevel{
				{Level: "junior", Focus: "Learning the platform.", TechStack: []string{"Docker"}},
				{Level: "middle", Focus: "Owning services.", TechStack: []string{"Kubernetes"}},
			},
			Skills: []v1.SkillRequirement{
				row("docker", "A", "W", "V"),
				row("kubernetes-core", "A", "W", "E"),
			},
		},
	}
}

func fixtureProposal(namespace, name, role string) *v1.Proposal {
	return &v1.Proposal{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: v1.ProposalSpec{
			RoleRef: v1.ObjectName(role),
			Title:   "Seniors run Kubernetes in production",
			Author:  "alice",
			Changes: []v1.Change{{
				Op:          v1.OpSetProficiency,
				Skill:       "kubernetes-core",
				Level:       "senior",
				Proficiency: "V",
				From:        &v1.ChangeValue{Proficiency: "E"},
			}},
		},
	}
}
