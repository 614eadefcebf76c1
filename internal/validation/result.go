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

// Package validation checks SkillMatrix and Role specs for the problems the
// CRD schema cannot express: references between lists, references from a Role
// into its SkillMatrix, and uniqueness across lists. It reports every problem
// in one pass so a user fixes a spec in one round trip, not one per error.
//
// It is plain Go over the API types and never talks to the API server, so the
// controllers, the CLI and the tests all get the same verdict. It imports the
// API types and internal/text only: never a Kubernetes client,
// controller-runtime, internal/controller or internal/cli
// (internal/archtest checks).
package validation

import (
	"fmt"
	"strings"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// Severity says whether a Problem makes the spec unusable (Error) or only
// deserves a second look (Warning).
type Severity string

// Severities.
const (
	SeverityError   Severity = "Error"
	SeverityWarning Severity = "Warning"
)

// Kind is a stable, machine-readable problem kind (used as a metrics label and in messages).
type Kind string

// Problem kinds. The values are metric label values and part of the
// operator's observable interface: never rename one.
const (
	// KindUnknownSkill: a role row or cell names a skill not in the catalog.
	KindUnknownSkill Kind = "UnknownSkill"
	// KindUnknownLevel: a cell or role level names a level the matrix lacks.
	KindUnknownLevel Kind = "UnknownLevel"
	// KindUnknownProficiency: a cell proficiency is not on the scale.
	KindUnknownProficiency Kind = "UnknownProficiency"
	// KindMissingCell: a role skill lacks a cell for a matrix level.
	KindMissingCell Kind = "MissingCell"
	// KindDuplicateCell: two cells for one level in one row (the schema prevents it; kept for
	// objects that bypass the schema, such as files read by the CLI).
	KindDuplicateCell Kind = "DuplicateCell"
	// KindDuplicateSkill: the same skill id twice in a role, or the same skill id in two
	// categories of a matrix.
	KindDuplicateSkill Kind = "DuplicateSkill"
	// KindDuplicateID: a duplicate level, proficiency, category, role level or career path id.
	KindDuplicateID Kind = "DuplicateID"
	// KindEmptyCategory: a category with no skills.
	KindEmptyCategory Kind = "EmptyCategory"
	// KindDecreasingProficiency (a warning): a row's proficiency drops as the level rises.
	KindDecreasingProficiency Kind = "DecreasingProficiency"
	// KindUnpublishedLocale (a warning): a translation for a locale the
	// SkillMatrix does not publish.
	KindUnpublishedLocale Kind = "UnpublishedLocale"
	// KindUnknownTranslation (a warning): a translation of a level,
	// proficiency, category, skill or cell that does not exist.
	KindUnknownTranslation Kind = "UnknownTranslation"
	// KindInvalidValue: anything else structurally wrong (empty id or name, a career path
	// fromLevel that is not a level, more than v1alpha1.MaxSkills skills in the catalog).
	KindInvalidValue Kind = "InvalidValue"
)

// Problem is one thing wrong with a spec.
type Problem struct {
	Severity Severity
	Kind     Kind
	// Field is the JSON path in the object, e.g. "spec.skills[3].cells[2].proficiency",
	// with list indexes as the spec gives them.
	Field string
	// Skill is the skill id when the problem is about a skill, else "".
	Skill string
	// Level is the level id when the problem is about a level, else "".
	Level string
	// Value is the offending value, else "".
	Value string
	// Message is one sentence that starts with Field and names the skill, level and value.
	Message string
}

// String returns the Message, which already carries the field path.
func (p Problem) String() string { return p.Message }

// Result holds the problems in the order the spec was walked, so the same spec
// always yields the same status message and no condition flaps between reconciles.
type Result struct{ Problems []Problem }

// Errors returns the problems of severity Error.
func (r Result) Errors() []Problem { return r.bySeverity(SeverityError) }

// Warnings returns the problems of severity Warning.
func (r Result) Warnings() []Problem { return r.bySeverity(SeverityWarning) }

func (r Result) bySeverity(s Severity) []Problem {
	var out []Problem
	for _, p := range r.Problems {
		if p.Severity == s {
			out = append(out, p)
		}
	}
	return out
}

// HasErrors reports whether any problem is an Error.
func (r Result) HasErrors() bool {
	for _, p := range r.Problems {
		if p.Severity == SeverityError {
			return true
		}
	}
	return false
}

// summaryBudget bounds Summary's output in bytes. Condition messages are capped
// at 32 KiB by the API server; half of that leaves room for the caller's prefix
// and keeps `kubectl describe` readable even when maxProblems is generous.
const summaryBudget = 16 << 10

// Summary joins up to maxProblems messages of the given severity with "; " and
// appends "; and N more" when it leaves some out. maxProblems <= 0 means no
// count limit. Independently of maxProblems it stops before the text exceeds
// 16 KiB, so the result always fits in a status condition message.
func (r Result) Summary(severity Severity, maxProblems int) string {
	var b strings.Builder
	shown, hidden := 0, 0
	for _, p := range r.Problems {
		if p.Severity != severity {
			continue
		}
		if hidden > 0 || (maxProblems > 0 && shown >= maxProblems) {
			hidden++
			continue
		}
		msg := p.Message
		if shown == 0 {
			msg = text.Truncate(msg, summaryBudget)
		} else if b.Len()+len("; ")+len(msg) > summaryBudget {
			hidden++
			continue
		}
		if shown > 0 {
			b.WriteString("; ")
		}
		b.WriteString(msg)
		shown++
	}
	if hidden > 0 {
		fmt.Fprintf(&b, "; and %d more", hidden)
	}
	return b.String()
}

// CountByKind returns the number of problems per kind, both severities (for metrics).
func (r Result) CountByKind() map[Kind]int {
	counts := make(map[Kind]int)
	for _, p := range r.Problems {
		counts[p.Kind]++
	}
	return counts
}

// at locates a problem: a named struct instead of four positional strings
// keeps the skill, level and value from being swapped at a call site.
type at struct {
	field, skill, level, value string
}

func (r *Result) report(sev Severity, kind Kind, where at, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{
		Severity: sev,
		Kind:     kind,
		Field:    where.field,
		Skill:    where.skill,
		Level:    where.level,
		Value:    where.value,
		Message:  where.field + ": " + fmt.Sprintf(format, args...),
	})
}

func (r *Result) errorf(kind Kind, where at, format string, args ...any) {
	r.report(SeverityError, kind, where, format, args...)
}

func (r *Result) warnf(kind Kind, where at, format string, args ...any) {
	r.report(SeverityWarning, kind, where, format, args...)
}
