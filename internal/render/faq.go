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

package render

import (
	"fmt"
	"slices"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/assess"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
)

// FAQEntry is one question of the FAQ the seed page ends with, answered from
// the Role's own figures and texts in the model's locale. ID is stable
// across locales, so programs can pick an answer without reading it.
type FAQEntry struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// FAQ IDs, in the order the seed asks them.
const (
	FAQSkills    = "skills"
	FAQNextLevel = "next-level"
	FAQTechStack = "tech-stack"
	FAQCommunity = "community"
)

// FAQ answers the seed's four questions for m: which skills the Role needs
// and how many of its requirements are required, how to reach the next
// level, the tech stack per level, and how the requirements change.
func FAQ(m *model.RoleMatrix) []FAQEntry {
	if m == nil {
		m = &model.RoleMatrix{}
	}
	return faq(m, messagesFor(m.Locale))
}

func faq(m *model.RoleMatrix, t *messages) []FAQEntry {
	role := m.DisplayName
	first, last := levelRange(m.Levels)
	s := m.Stats
	skills := t.F("faq.skills.a", "Role", role, "Skills", t.N("phrase.skills", s.Skills),
		"Categories", t.N("phrase.categories", s.Categories), "Levels", t.N("phrase.levels", s.Levels),
		"First", first, "Last", last, "Requirements", t.N("phrase.requirements", s.Requirements),
		"Required", s.Required, "PerLevel", t.list(requiredPerLevel(m)))
	if len(s.KeyAreas) > 0 {
		skills += t.S("sep.sentence") + t.F("faq.skills.keyAreas", "KeyAreas", t.list(s.KeyAreas))
	}
	community := t.S("faq.community.a") + t.S("sep.sentence") + t.N("faq.community.applied", len(m.Changelog))
	return []FAQEntry{
		{ID: FAQSkills, Question: t.F("faq.skills.q", "Role", role), Answer: skills},
		{ID: FAQNextLevel, Question: t.F("faq.next.q", "Role", role),
			Answer: t.F("faq.next.a", "Threshold", assess.DefaultThresholdPercent)},
		{ID: FAQTechStack, Question: t.F("faq.stack.q", "Role", role), Answer: techStackAnswer(m, t)},
		{ID: FAQCommunity, Question: t.F("faq.community.q", "Role", role), Answer: community},
	}
}

// levelRange names the lowest and the highest level, "" when there are none.
func levelRange(levels []model.Level) (first, last string) {
	if len(levels) == 0 {
		return "", ""
	}
	return levels[0].Name, levels[len(levels)-1].Name
}

// requiredPerLevel is "Junior 20" and so on: the required cells per level.
func requiredPerLevel(m *model.RoleMatrix) []string {
	counts := make([]int, len(m.Levels))
	for _, c := range m.Categories {
		for _, s := range c.Skills {
			for i, cell := range s.Cells {
				if i < len(counts) && cell.Required {
					counts[i]++
				}
			}
		}
	}
	out := make([]string, len(m.Levels))
	for i, l := range m.Levels {
		out[i] = fmt.Sprintf("%s %d", l.Name, counts[i])
	}
	return out
}

func techStackAnswer(m *model.RoleMatrix, t *messages) string {
	var distinct []string
	var perLevel string
	stated := 0
	for _, l := range m.Levels {
		if len(l.TechStack) == 0 {
			continue
		}
		stated++
		for _, tech := range l.TechStack {
			if !slices.Contains(distinct, tech) {
				distinct = append(distinct, tech)
			}
		}
		if perLevel != "" {
			perLevel += t.S("sep.sentence")
		}
		perLevel += t.F("faq.stack.level", "Level", l.Name, "Stack", t.list(l.TechStack))
	}
	if stated == 0 {
		return t.S("faq.stack.none")
	}
	return t.F("faq.stack.a", "Technologies", t.N("count.technologies", len(distinct)),
		"Levels", t.N("phrase.levels", stated), "PerLevel", perLevel)
}

// overview is the seed's sentence under the figures: the Role, its family,
// how many skills over which levels, and how many requirements are required.
func overview(m *model.RoleMatrix, t *messages) string {
	first, last := levelRange(m.Levels)
	s := m.Stats
	kv := []any{"Role", m.DisplayName, "Family", m.Family, "Skills", t.N("phrase.skills", s.Skills),
		"Levels", t.N("phrase.levels", s.Levels), "First", first, "Last", last,
		"Required", s.Required, "Requirements", t.N("phrase.requirements", s.Requirements)}
	if m.Family == "" {
		return t.F("summary.noFamily", kv...)
	}
	return t.F("summary.family", kv...)
}
