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

package assess

import (
	"fmt"
	"strings"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// Table is a Role compiled for assessment: the levels, the scale and, per
// skill in display order, what each level expects as a rank on the scale.
// Assess evaluates it in Go; internal/render embeds it in matrix.html, whose
// script evaluates it with the same rules, so the two cannot read the Role
// differently.
type Table struct {
	Levels []LevelRef `json:"levels"`
	// Scale is the proficiency scale, lowest first: a rank is an index into it.
	Scale []Step `json:"scale"`
	// Skills are the Role's skills in display order.
	Skills []Row `json:"skills"`
	// Warnings are the Role's drops in expected proficiency.
	Warnings []Warning `json:"warnings"`
}

// Step is one proficiency of the scale.
type Step struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Row is one skill of the Table.
type Row struct {
	CategoryID   string `json:"categoryId"`
	CategoryName string `json:"categoryName"`
	ID           string `json:"id"`
	Name         string `json:"name"`
	// Cells has one entry per level.
	Cells []Expectation `json:"cells"`
}

// Expectation is what a cell asks for.
type Expectation struct {
	// Rank is the expected proficiency's rank, NotCounted when the Role
	// states none (or one the scale does not have).
	Rank     int  `json:"rank"`
	Required bool `json:"required"`
}

// NotCounted is the Rank of a cell that does not count, and the rank of a
// skill rated none.
const NotCounted = -1

// Warning is a pair of consecutive stated levels where the Role expects less
// at the higher one for some skills.
type Warning struct {
	// Lower is the level the skills drop from, Higher the one they drop to.
	Lower  LevelRef `json:"lower"`
	Higher LevelRef `json:"higher"`
	Drops  []Drop   `json:"drops"`
	// Message says it in one sentence.
	Message string `json:"message"`
}

// Drop is one skill whose expected proficiency falls between two levels.
type Drop struct {
	SkillID   string `json:"skillId"`
	SkillName string `json:"skillName"`
	// From is the proficiency id at the lower level, To at the higher one.
	From string `json:"from"`
	To   string `json:"to"`
}

// Compile builds the Table of m. m must have levels.
func Compile(m *model.RoleMatrix) *Table {
	t := &Table{Levels: make([]LevelRef, len(m.Levels)), Scale: make([]Step, len(m.Scale)), Skills: []Row{}}
	for i, l := range m.Levels {
		t.Levels[i] = LevelRef{ID: l.ID, Name: l.Name, ShortName: l.ShortName}
	}
	rank := make(map[string]int, len(m.Scale))
	for i, p := range m.Scale {
		t.Scale[i] = Step{ID: p.ID, Name: p.Name}
		// Index, not p.Rank: the model numbers the scale in order, and an
		// index is what the page's script looks names up by.
		if _, dup := rank[p.ID]; !dup {
			rank[p.ID] = i
		}
	}
	for _, c := range m.Categories {
		for _, s := range c.Skills {
			row := Row{CategoryID: c.ID, CategoryName: c.Name, ID: s.ID, Name: s.Name, Cells: make([]Expectation, len(m.Levels))}
			for i := range row.Cells {
				row.Cells[i] = Expectation{Rank: NotCounted}
				if i >= len(s.Cells) {
					continue
				}
				if r, ok := rank[s.Cells[i].Proficiency]; ok {
					row.Cells[i] = Expectation{Rank: r, Required: s.Cells[i].Required}
				}
			}
			t.Skills = append(t.Skills, row)
		}
	}
	t.Warnings = t.drops()
	return t
}

// Rank is the rank of a proficiency id of the scale, NotCounted for "" (none)
// and for an id the scale does not have.
func (t *Table) Rank(id string) int {
	if id == "" {
		return NotCounted
	}
	for i, p := range t.Scale {
		if p.ID == id {
			return i
		}
	}
	return NotCounted
}

// Evaluate applies the rules to ranks, the person's rank per skill of
// t.Skills (NotCounted for none). The Role's names are left for the caller.
func (t *Table) Evaluate(ranks []int, threshold int) *Result {
	res := &Result{
		ThresholdPercent: threshold,
		Levels:           make([]LevelResult, len(t.Levels)),
		Gaps:             []Gap{},
		Unmet:            []Gap{},
		Warnings:         t.Warnings,
		Ignored:          []string{},
	}
	for i := range t.Levels {
		res.Levels[i] = t.level(i, ranks, threshold)
	}
	current := -1
	for i := range res.Levels {
		if !res.Levels[i].Met {
			break
		}
		current = i
	}
	for i := 0; i <= current; i++ {
		res.Unmet = append(res.Unmet, t.unmet(i, ranks)...)
	}
	if current >= 0 {
		res.Current = new(t.Levels[current])
	}
	res.ReadinessPercent = 100
	if next := current + 1; next < len(t.Levels) {
		res.Next = new(t.Levels[next])
		res.ReadinessPercent = res.Levels[next].ReadinessPercent
		res.Gaps = append(res.Gaps, t.unmet(next, ranks)...)
	}
	return res
}

// level measures ranks against level i.
func (t *Table) level(i int, ranks []int, threshold int) LevelResult {
	lr := LevelResult{LevelRef: t.Levels[i]}
	for s, row := range t.Skills {
		want := row.Cells[i]
		if want.Rank == NotCounted {
			continue
		}
		count := &lr.Other
		if want.Required {
			count = &lr.Required
		}
		count.Total++
		if ranks[s] >= want.Rank {
			count.Met++
		}
	}
	lr.OtherPercent = percent(lr.Other.Met, lr.Other.Total)
	lr.Met = lr.Required.Met == lr.Required.Total && lr.Other.Met*100 >= threshold*lr.Other.Total
	lr.ReadinessPercent = percent(
		RequiredWeight*lr.Required.Met+lr.Other.Met,
		RequiredWeight*lr.Required.Total+lr.Other.Total)
	return lr
}

// unmet lists level i's unmet cells, required first, each group in display order.
func (t *Table) unmet(i int, ranks []int) []Gap {
	var required, other []Gap
	for s, row := range t.Skills {
		want := row.Cells[i]
		if want.Rank == NotCounted || ranks[s] >= want.Rank {
			continue
		}
		g := Gap{
			LevelID: t.Levels[i].ID, LevelName: t.Levels[i].Name,
			CategoryID: row.CategoryID, CategoryName: row.CategoryName,
			SkillID: row.ID, SkillName: row.Name,
			Expected: t.Scale[want.Rank].ID, ExpectedName: t.Scale[want.Rank].Name,
			Required: want.Required,
		}
		if ranks[s] != NotCounted {
			g.Actual, g.ActualName = t.Scale[ranks[s]].ID, t.Scale[ranks[s]].Name
		}
		if want.Required {
			required = append(required, g)
		} else {
			other = append(other, g)
		}
	}
	return append(required, other...)
}

// drops finds, per skill, every stated cell whose rank is below the last
// stated cell before it, grouped by the pair of levels, lower level first.
func (t *Table) drops() []Warning {
	n := len(t.Levels)
	pairs := make([][]Drop, n*n) // index lower*n + higher
	for _, row := range t.Skills {
		last := -1
		for i, c := range row.Cells {
			if c.Rank == NotCounted {
				continue
			}
			if last >= 0 && c.Rank < row.Cells[last].Rank {
				p := last*n + i
				pairs[p] = append(pairs[p], Drop{SkillID: row.ID, SkillName: row.Name,
					From: t.Scale[row.Cells[last].Rank].ID, To: t.Scale[c.Rank].ID})
			}
			last = i
		}
	}
	warnings := []Warning{}
	for p, drops := range pairs {
		if len(drops) == 0 {
			continue
		}
		lower, higher := t.Levels[p/n], t.Levels[p%n]
		warnings = append(warnings, Warning{Lower: lower, Higher: higher, Drops: drops,
			Message: dropMessage(lower.Name, higher.Name, drops, len(t.Skills))})
	}
	return warnings
}

// MaxNamedDrops is how many skills a warning's message names before "N
// more"; the CLI's translated messages name as many.
const MaxNamedDrops = 3

func dropMessage(lower, higher string, drops []Drop, skills int) string {
	var names []string
	for _, d := range drops[:min(len(drops), MaxNamedDrops)] {
		names = append(names, fmt.Sprintf("%s %s → %s", d.SkillName, d.From, d.To))
	}
	if len(drops) > MaxNamedDrops {
		names = append(names, fmt.Sprintf("%d more", len(drops)-MaxNamedDrops))
	}
	return fmt.Sprintf("%s expects less than %s in %d of %s (%s), so meeting %s can take less than meeting %s in them",
		higher, lower, len(drops), text.Plural(skills, "skill", "skills"), strings.Join(names, ", "), higher, lower)
}
