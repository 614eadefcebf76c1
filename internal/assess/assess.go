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

// Package assess is the level calculator: given a person's proficiency per
// skill, it says which level of a Role they are at, how ready they are for the
// next one, which cells stand between them and it, which cells of the levels
// they hold they still miss, and where the Role itself expects less as the
// level rises. It works on a Role resolved by internal/model, so it sees the
// matrix exactly as it is rendered, and it does no I/O. It must not import
// the renderers or any Kubernetes client: internal/render embeds its Table in
// matrix.html, whose script evaluates the same rules in the browser.
//
// # Rules
//
// A cell is met when the person's proficiency ranks at least as high on the
// SkillMatrix's scale as the cell's expected proficiency. A skill the ratings
// do not mention is rated none, which meets no cell. Cells for which the Role
// states no proficiency (or one the scale does not have) are not counted.
//
// A level is met when every required cell of the level is met and at least
// ThresholdPercent of its other cells are (met*100 >= threshold*total, so 70
// means 7 of 10). A level with no other cells needs only its required ones.
//
// The current level is the highest level L such that every level from the
// first up to L is met: a gap at a lower level is not skipped over, even when
// a higher level (whose expectations may be lower, as in the seed's matrix)
// happens to be met. When the first level is not met the person is below it
// and the current level is nil.
//
// The next level is the one after the current level (the first level when
// below it; none at the top). Readiness for it is
//
//	floor(100 * (2*requiredMet + otherMet) / (2*requiredTotal + otherTotal))
//
// that is, the share of its cells met with required cells weighing double; it
// is 100 when every cell is met, and 100 at the top level. Gaps are the next
// level's cells that are not met: required ones first, each group in the
// matrix's display order (category, then skill).
//
// Unmet are the cells of the current level and of every level below it that
// are not met (the threshold let them pass): level by level, lowest first,
// required ones first within a level. Warnings come from the Role alone: one
// per pair of levels where some skill's expected proficiency drops from the
// lower level to the higher one (comparing each stated cell with the last
// stated cell before it, as the operator's validation does), because a drop
// makes the higher level easier to meet in that skill than the lower one.
package assess

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// DefaultThresholdPercent is the share of a level's non-required cells that
// must be met when the caller sets nothing else.
const DefaultThresholdPercent = 70

// RequiredWeight is how much a required cell counts in the readiness figure
// compared with another cell.
const RequiredWeight = 2

// Ratings maps a skill id to the person's proficiency: a proficiency id of
// the SkillMatrix's scale, matched exactly or ignoring ASCII case, or its
// name ("Advanced", ignoring ASCII case). A skill that is absent, or maps to
// "", "-" or "none", is rated none.
type Ratings map[string]string

// Options tune an assessment.
type Options struct {
	// ThresholdPercent is the share of a level's non-required cells that must
	// be met, 0 to 100. The zero value means that only required cells count;
	// use DefaultThresholdPercent for the documented default.
	ThresholdPercent int
	// Catalog lists every skill id of the SkillMatrix. A rating for a catalog
	// skill the Role does not list is ignored (and reported in
	// Result.Ignored) instead of refused, so one ratings file can serve
	// several Roles of a framework. Optional.
	Catalog []string
}

// LevelRef names a level.
type LevelRef struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	ShortName string `json:"shortName"`
}

// Count is how many of a set of cells are met.
type Count struct {
	Met   int `json:"met"`
	Total int `json:"total"`
}

// LevelResult is how the person measures up against one level.
type LevelResult struct {
	LevelRef
	// Met says the level's rule holds (see the package documentation).
	Met bool `json:"met"`
	// Required counts the level's required cells, Other the rest.
	Required Count `json:"required"`
	Other    Count `json:"other"`
	// OtherPercent is floor(100*Other.Met/Other.Total), 100 without other cells.
	OtherPercent int `json:"otherPercent"`
	// ReadinessPercent is the readiness formula applied to this level.
	ReadinessPercent int `json:"readinessPercent"`
}

// Gap is a cell the person does not meet.
type Gap struct {
	LevelID      string `json:"levelId"`
	LevelName    string `json:"levelName"`
	CategoryID   string `json:"categoryId"`
	CategoryName string `json:"categoryName"`
	SkillID      string `json:"skillId"`
	SkillName    string `json:"skillName"`
	// Expected is the cell's proficiency id, ExpectedName its name.
	Expected     string `json:"expected"`
	ExpectedName string `json:"expectedName"`
	// Actual is the person's proficiency id, "" for none.
	Actual     string `json:"actual"`
	ActualName string `json:"actualName"`
	Required   bool   `json:"required"`
}

// Result is an assessment.
type Result struct {
	Role             string `json:"role"`
	RoleDisplayName  string `json:"roleDisplayName"`
	Matrix           string `json:"matrix"`
	ThresholdPercent int    `json:"thresholdPercent"`
	// Current is the current level; nil when the first level is not met.
	Current *LevelRef `json:"currentLevel"`
	// Next is the level after Current (the first level when Current is nil);
	// nil at the top.
	Next *LevelRef `json:"nextLevel"`
	// ReadinessPercent is the readiness for Next, 100 when Next is nil.
	ReadinessPercent int `json:"readinessPercent"`
	// Gaps are Next's unmet cells, required first; empty when Next is nil.
	Gaps []Gap `json:"gaps"`
	// Unmet are the unmet cells of Current and the levels below it; empty
	// when Current is nil.
	Unmet []Gap `json:"unmet"`
	// Warnings say where the Role expects less at a higher level.
	Warnings []Warning `json:"warnings"`
	// Levels has one entry per level of the matrix, lowest first.
	Levels []LevelResult `json:"levels"`
	// Ignored lists rated catalog skills that the Role does not list, sorted.
	Ignored []string `json:"ignored"`
}

// RatingsError lists every problem with a set of ratings: skills the Role
// does not have and proficiencies the scale does not have.
type RatingsError struct {
	Problems []string
}

func (e *RatingsError) Error() string {
	if len(e.Problems) == 1 {
		return "ratings: " + e.Problems[0]
	}
	return fmt.Sprintf("ratings: %s:\n  %s", text.Plural(len(e.Problems), "problem", "problems"), strings.Join(e.Problems, "\n  "))
}

// ErrNoLevels means the SkillMatrix has no levels to assess against.
var ErrNoLevels = errors.New("the SkillMatrix has no levels to assess against")

// Assess measures ratings against the Role m; see the package documentation
// for the rules. It refuses (with a *RatingsError naming every one, each with
// a "did you mean" when a valid id is close) ratings for skills neither the
// Role nor opts.Catalog has and proficiencies not on the scale.
func Assess(m *model.RoleMatrix, ratings Ratings, opts Options) (*Result, error) {
	if m == nil || len(m.Levels) == 0 {
		return nil, ErrNoLevels
	}
	if opts.ThresholdPercent < 0 || opts.ThresholdPercent > 100 {
		return nil, fmt.Errorf("threshold %d%% is out of range: it must be between 0 and 100", opts.ThresholdPercent)
	}
	actual, ignored, err := resolve(m, ratings, opts.Catalog)
	if err != nil {
		return nil, err
	}
	t := Compile(m)
	ranks := make([]int, len(t.Skills))
	for i, s := range t.Skills {
		ranks[i] = t.Rank(actual[s.ID])
	}
	res := t.Evaluate(ranks, opts.ThresholdPercent)
	res.Role, res.RoleDisplayName, res.Matrix = m.Name, m.DisplayName, m.MatrixName
	res.Ignored = ignored
	return res, nil
}

// percent is floor(100*n/d), 100 when d is 0 (nothing to meet).
func percent(n, d int) int {
	if d == 0 {
		return 100
	}
	return n * 100 / d
}

// resolve maps ratings onto the Role's skills and canonical proficiency ids.
func resolve(m *model.RoleMatrix, ratings Ratings, catalog []string) (map[string]string, []string, error) {
	var roleSkills []string
	for _, c := range m.Categories {
		for _, s := range c.Skills {
			roleSkills = append(roleSkills, s.ID)
		}
	}
	scaleIDs := make([]string, 0, len(m.Scale))
	for _, p := range m.Scale {
		scaleIDs = append(scaleIDs, p.ID)
	}
	out := make(map[string]string, len(ratings))
	var ignored, problems []string
	// Sorted keys: every run reports the same problems in the same order.
	for _, skill := range slices.Sorted(maps.Keys(ratings)) {
		value := ratings[skill]
		switch {
		case slices.Contains(roleSkills, skill):
		case slices.Contains(catalog, skill):
			ignored = append(ignored, skill)
			continue
		default:
			problems = append(problems, fmt.Sprintf("skill %q is not a skill of Role %q%s",
				skill, m.Name, text.Hint(skill, append(slices.Clone(roleSkills), catalog...))))
			continue
		}
		id, ok := Proficiency(m.Scale, value)
		if !ok {
			problems = append(problems, fmt.Sprintf("proficiency %q of skill %q is not on the scale of SkillMatrix %q (want one of %s, or none)%s",
				value, skill, m.MatrixName, strings.Join(scaleIDs, ", "), text.Hint(value, scaleIDs)))
			continue
		}
		out[skill] = id
	}
	if len(problems) > 0 {
		return nil, nil, &RatingsError{Problems: problems}
	}
	if ignored == nil {
		ignored = []string{}
	}
	return out, ignored, nil
}

// Proficiency resolves a rating to a proficiency id of scale, "" for none:
// surrounding ASCII white space is dropped; "", "-" and "none" (any case)
// are none; then an exact id wins, then an id or name equal ignoring ASCII
// case, first on the scale. Only ASCII letters fold, so the page's script
// can apply the very same rule.
func Proficiency(scale []model.Proficiency, value string) (string, bool) {
	v := strings.Trim(value, asciiSpace)
	switch asciiLower(v) {
	case "", "-", "none":
		return "", true
	}
	for _, p := range scale {
		if p.ID == v {
			return p.ID, true
		}
	}
	for _, p := range scale {
		if asciiLower(p.ID) == asciiLower(v) || asciiLower(p.Name) == asciiLower(v) {
			return p.ID, true
		}
	}
	return "", false
}

// asciiSpace is the white space a rating may carry around its value.
const asciiSpace = " \t\n\v\f\r"

func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}
