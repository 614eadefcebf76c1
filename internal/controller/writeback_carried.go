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
	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/revert"
)

// changesCarried reports whether spec already holds what every change sets
// (revert.Carried): how a write-back Proposal's sync is recognised, since no
// marker comes with a change that arrives from Git.
func changesCarried(spec *v1.RoleSpec, changes []v1.Change) bool {
	for i := range changes {
		if !changeCarried(spec, &changes[i]) {
			return false
		}
	}
	return true
}

func changeCarried(spec *v1.RoleSpec, c *v1.Change) bool { return revert.Carried(spec, c) }

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
