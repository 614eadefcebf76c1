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

package v1alpha1

// The one way to look a Role's rows, cells and levels up, and to record an
// applied Proposal. Each returns a pointer into the spec (so a caller that
// owns a copy may change it in place) or nil when the Role lists nothing
// under that id.

// Row returns the row of skill, nil when the Role does not list the skill.
func (s *RoleSpec) Row(skill ID) *SkillRequirement {
	for i := range s.Skills {
		if s.Skills[i].ID == skill {
			return &s.Skills[i]
		}
	}
	return nil
}

// Cell returns the cell of skill at level, nil when the Role lists no such
// row or the row no such cell.
func (s *RoleSpec) Cell(skill, level ID) *Cell {
	if row := s.Row(skill); row != nil {
		return row.Cell(level)
	}
	return nil
}

// Level returns the Role's entry for level (its focus and tech stack), nil
// when the Role has none.
func (s *RoleSpec) Level(level ID) *RoleLevel {
	for i := range s.Levels {
		if s.Levels[i].Level == level {
			return &s.Levels[i]
		}
	}
	return nil
}

// Cell returns the row's cell at level, nil when it has none.
func (r *SkillRequirement) Cell(level ID) *Cell {
	for i := range r.Cells {
		if r.Cells[i].Level == level {
			return &r.Cells[i]
		}
	}
	return nil
}

// HistoryEntry returns the history entry of the Proposal with uid, nil when
// the history does not record it.
func (s *RoleStatus) HistoryEntry(uid string) *AppliedProposal {
	for i := range s.History {
		if s.History[i].UID == uid {
			return &s.History[i]
		}
	}
	return nil
}

// RecordApplied appends entries to the history of applied Proposals and
// drops the oldest beyond MaxHistory, so the status stays bounded.
func (s *RoleStatus) RecordApplied(entries ...AppliedProposal) {
	s.History = append(s.History, entries...)
	if n := len(s.History); n > MaxHistory {
		s.History = s.History[n-MaxHistory:]
	}
}
