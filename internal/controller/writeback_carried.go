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
	"slices"

	"k8s.io/apimachinery/pkg/api/equality"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// changesCarried reports whether spec already holds what every change sets:
// how a write-back Proposal's sync is recognised, since no marker comes
// with a change that arrives from Git. A Set is carried when applying it
// again (without its `from`) changes nothing; an AddSkill when the row is
// there exactly as the change adds it; a RemoveSkill when the row is gone.
func changesCarried(spec *v1.RoleSpec, changes []v1.Change) bool {
	for i := range changes {
		if !changeCarried(spec, &changes[i]) {
			return false
		}
	}
	return true
}

func changeCarried(spec *v1.RoleSpec, c *v1.Change) bool {
	row := slices.IndexFunc(spec.Skills, func(s v1.SkillRequirement) bool { return s.ID == c.Skill })
	switch c.Op {
	case v1.OpRemoveSkill:
		return row < 0
	case v1.OpAddSkill:
		if row < 0 {
			return false
		}
		without := spec.DeepCopy()
		without.Skills = slices.Delete(without.Skills, row, row+1)
		added, conflicts := governance.Apply(without, []v1.Change{*c})
		if len(conflicts) > 0 {
			return false
		}
		i := slices.IndexFunc(added.Skills, func(s v1.SkillRequirement) bool { return s.ID == c.Skill })
		return i >= 0 && equality.Semantic.DeepEqual(added.Skills[i], spec.Skills[row])
	}
	again := *c
	again.From = nil
	applied, conflicts := governance.Apply(spec, []v1.Change{again})
	return len(conflicts) == 0 && equality.Semantic.DeepEqual(applied, spec)
}

// changesCarriedOrSuperseded is changesCarried, where a change to a field a
// newer carried commit set again (superseded, by changedField) counts as
// carried too.
func changesCarriedOrSuperseded(spec *v1.RoleSpec, changes []v1.Change, superseded map[string]bool) bool {
	for i := range changes {
		c := &changes[i]
		if superseded[changedField(c)] || superseded[rowField(c.Skill)] || changeCarried(spec, c) {
			continue
		}
		return false
	}
	return true
}

// changedField names the field a change sets: a cell's proficiency or
// required flag, a skill's row, a level's focus or tech stack.
func changedField(c *v1.Change) string {
	switch c.Op {
	case v1.OpSetProficiency, v1.OpSetRequired:
		return string(c.Op) + " " + string(c.Skill) + "@" + string(c.Level)
	case v1.OpAddSkill, v1.OpRemoveSkill:
		return rowField(c.Skill)
	}
	return string(c.Op) + " " + string(c.Level)
}

func rowField(skill v1.ID) string { return "row " + string(skill) }
