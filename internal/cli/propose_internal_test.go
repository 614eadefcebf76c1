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

package cli

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/diff"
)

func proposeFixtures() (*v1.RoleSpec, *v1.SkillMatrixSpec) {
	matrix := &v1.SkillMatrixSpec{Levels: []v1.Level{{ID: "junior"}, {ID: "senior"}}}
	role := &v1.RoleSpec{
		Levels: []v1.RoleLevel{{Level: "junior", Focus: "Learn", TechStack: []string{"Docker"}}, {Level: "senior"}},
		Skills: []v1.SkillRequirement{{ID: "docker", Cells: []v1.Cell{{Level: "junior", Proficiency: "A", Required: true}}}},
	}
	return role, matrix
}

func TestBuildChanges(t *testing.T) {
	role, matrix := proposeFixtures()
	opts := &proposeOptions{
		removeSkill: []string{"helm"},
		techStack:   []string{"junior= Go, ,Docker ", "senior=K8s"},
		focus:       []string{"senior="},
		unrequire:   []string{"docker@junior"},
		require:     []string{"docker@senior"},
		set:         []string{"docker@junior=W", "python@junior=A"},
		addSkill:    []string{"go=A, W*"},
	}
	changes, origins, err := buildChanges(opts, role, matrix)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"add skill go: junior A, senior W*",
		"set docker@junior to A → W",
		"set python@junior to A",
		"make docker@senior required",
		"make docker@junior optional",
		`set the focus of senior to ""`,
		"set the tech stack of junior to Go, Docker",
		"set the tech stack of senior to K8s",
		"remove skill helm",
	}
	wantOrigins := []string{"--add-skill go=A, W*", "--set docker@junior=W", "--set python@junior=A", "--require docker@senior",
		"--unrequire docker@junior", "--focus senior=", "--tech-stack junior= Go, ,Docker ", "--tech-stack senior=K8s", "--remove-skill helm"}
	if len(changes) != len(want) || len(origins) != len(want) {
		t.Fatalf("%d changes, %d origins, want %d", len(changes), len(origins), len(want))
	}
	for i := range changes {
		if got := describeChange(&changes[i]); got != want[i] || origins[i] != wantOrigins[i] {
			t.Errorf("change %d = %q from %q, want %q from %q", i, got, origins[i], want[i], wantOrigins[i])
		}
	}
	// from is what the Role holds now, and only where it holds something.
	from := []*v1.ChangeValue{
		nil,
		{Proficiency: "A"},
		nil,
		nil,
		{Required: new(true)},
		{Focus: new("")},
		{TechStack: []string{"Docker"}},
		nil,
		nil,
	}
	for i, c := range changes {
		if !equalJSON(c.From, from[i]) {
			t.Errorf("change %d (%s): from %+v, want %+v", i, origins[i], c.From, from[i])
		}
	}
	if c := changes[0].Cells; !equalJSON(c[1], v1.Cell{Level: "senior", Proficiency: "W", Required: true}) {
		t.Errorf("added cells %+v", c)
	}
}

func TestBuildChangesRefusesBadFlags(t *testing.T) {
	role, matrix := proposeFixtures()
	tests := []struct {
		name string
		opts proposeOptions
		want string
	}{
		{"nothing", proposeOptions{}, "no changes: give at least one of"},
		{"add-skill without =", proposeOptions{addSkill: []string{"go"}}, "--add-skill go: want SKILL=P1,P2,... with one proficiency per level"},
		{"add-skill with a count off", proposeOptions{addSkill: []string{"go=A"}}, "--add-skill go=A: want 2 proficiencies, one per level (junior, senior), got 1"},
		{"set without a level", proposeOptions{set: []string{"docker=W"}}, "--set docker=W: want SKILL@LEVEL=PROFICIENCY"},
		{"set without a proficiency", proposeOptions{set: []string{"docker@junior="}}, "--set docker@junior=: want SKILL@LEVEL=PROFICIENCY"},
		{"require without a level", proposeOptions{require: []string{"docker@"}}, "--require docker@: want SKILL@LEVEL"},
		{"unrequire without a skill", proposeOptions{unrequire: []string{"@junior"}}, "--unrequire @junior: want SKILL@LEVEL"},
		{"focus without =", proposeOptions{focus: []string{"junior"}}, "--focus junior: want LEVEL=TEXT"},
		{"empty tech stack", proposeOptions{techStack: []string{"junior= , "}}, "--tech-stack junior= , : the tech stack is empty"},
		{"tech stack without a level", proposeOptions{techStack: []string{"=Go"}}, "--tech-stack =Go: want LEVEL=A,B,C"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := buildChanges(&tt.opts, role, matrix)
			var usage *usageError
			if !errors.As(err, &usage) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %v, want a usage error starting %q", err, tt.want)
			}
		})
	}
}

func TestQuotedClipsRunes(t *testing.T) {
	long := strings.Repeat("ж", 100)
	if got, want := quoted(long), `"`+strings.Repeat("ж", 80)+`..."`; got != want {
		t.Errorf("quoted = %s, want %s", got, want)
	}
	if got := quoted(diff.CellValue{Proficiency: "A"}.String()); got != `"A"` {
		t.Errorf("quoted = %s", got)
	}
}

func equalJSON(a, b any) bool {
	x, errX := json.Marshal(a)
	y, errY := json.Marshal(b)
	return errX == nil && errY == nil && string(x) == string(y)
}
