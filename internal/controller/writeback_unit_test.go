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
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/gitwrite"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/manifestedit"
)

func TestChangesCarried(t *testing.T) {
	role := fixtureRole("ns", "r", "m")
	added := v1.Change{Op: v1.OpAddSkill, Skill: "docker", Cells: role.Spec.Skills[0].Cells}
	newRow := v1.Change{Op: v1.OpAddSkill, Skill: "terraform", Cells: []v1.Cell{{Level: "junior", Proficiency: "A"}}}
	differentRow := added
	differentRow.Cells = []v1.Cell{{Level: "junior", Proficiency: "E"}}
	cases := []struct {
		name    string
		changes []v1.Change
		want    bool
	}{
		{"a proficiency the cell holds", []v1.Change{{Op: v1.OpSetProficiency, Skill: "docker", Level: "senior", Proficiency: "V",
			From: &v1.ChangeValue{Proficiency: "W"}}}, true},
		{"a proficiency the cell lacks", []v1.Change{{Op: v1.OpSetProficiency, Skill: "docker", Level: "senior", Proficiency: "E"}}, false},
		{"a required flag it holds", []v1.Change{{Op: v1.OpSetRequired, Skill: "docker", Level: "middle", Required: new(true)}}, true},
		{"a required flag it lacks", []v1.Change{{Op: v1.OpSetRequired, Skill: "docker", Level: "junior", Required: new(true)}}, false},
		{"a cell that does not exist", []v1.Change{{Op: v1.OpSetProficiency, Skill: "go", Level: "senior", Proficiency: "V"}}, false},
		{"a removed skill that is gone", []v1.Change{{Op: v1.OpRemoveSkill, Skill: "terraform"}}, true},
		{"a removed skill still there", []v1.Change{{Op: v1.OpRemoveSkill, Skill: "docker"}}, false},
		{"an added skill there as added", []v1.Change{added}, true},
		{"an added skill not there", []v1.Change{newRow}, false},
		{"an added skill there with other cells", []v1.Change{differentRow}, false},
		{"focus it holds", []v1.Change{{Op: v1.OpSetFocus, Level: "junior", Focus: new("Learning the platform.")}}, true},
		{"focus it lacks", []v1.Change{{Op: v1.OpSetFocus, Level: "junior", Focus: new("Shipping.")}}, false},
		{"tech stack it holds", []v1.Change{{Op: v1.OpSetTechStack, Level: "middle", TechStack: []string{"Kubernetes"}}}, true},
		{"tech stack it lacks", []v1.Change{{Op: v1.OpSetTechStack, Level: "middle", TechStack: []string{"Nomad"}}}, false},
		{"one of two missing", []v1.Change{
			{Op: v1.OpSetProficiency, Skill: "docker", Level: "senior", Proficiency: "V"},
			{Op: v1.OpSetProficiency, Skill: "docker", Level: "junior", Proficiency: "E"}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := role.DeepCopy()
			if got := changesCarried(&role.Spec, tc.changes); got != tc.want {
				t.Errorf("changesCarried = %v, want %v", got, tc.want)
			}
			if fmt.Sprint(before.Spec) != fmt.Sprint(role.Spec) {
				t.Errorf("the spec was changed")
			}
		})
	}
}

func TestSelectWriteBack(t *testing.T) {
	role := fixtureRole("ns", "r", "m")
	byMatrix := func(name, matrix string, roles ...v1.GitWriteBackRole) v1.GitWriteBack {
		return v1.GitWriteBack{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name},
			Spec: v1.GitWriteBackSpec{MatrixRef: v1.ObjectName(matrix), Path: "roles", Roles: roles}}
	}
	enabled := v1.GitWriteBackRole{Name: "r", Mode: v1.GitWriteBackEnabled, Path: "elsewhere"}
	disabled := v1.GitWriteBackRole{Name: "r", Mode: v1.GitWriteBackDisabled}
	deleted := byMatrix("gone", "m")
	deleted.DeletionTimestamp = new(metav1.Now())
	deleted.Finalizers = []string{"x"}
	cases := []struct {
		name     string
		configs  []v1.GitWriteBack
		want     string // name, "" for none, "ambiguous"
		wantPath string
	}{
		{"none", nil, "", ""},
		{"by its matrix", []v1.GitWriteBack{byMatrix("a", "m")}, "a", "roles"},
		{"another matrix", []v1.GitWriteBack{byMatrix("a", "other")}, "", ""},
		{"enabled by override, with its path", []v1.GitWriteBack{byMatrix("a", "other", enabled)}, "a", "elsewhere"},
		{"disabled by override", []v1.GitWriteBack{byMatrix("a", "m", disabled)}, "", ""},
		{"disabled in one, selected by another", []v1.GitWriteBack{byMatrix("a", "m", disabled), byMatrix("b", "m")}, "b", "roles"},
		{"selected twice", []v1.GitWriteBack{byMatrix("b", "m"), byMatrix("a", "other", enabled)}, "ambiguous", ""},
		{"a deleted one is ignored", []v1.GitWriteBack{deleted}, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := selectWriteBack(role, tc.configs)
			switch tc.want {
			case "":
				if got != nil {
					t.Fatalf("got %+v, want none", got)
				}
			case "ambiguous":
				if got == nil || !errors.Is(got.problem, errWriteBackAmbiguous) || got.config != nil {
					t.Fatalf("got %+v, want an ambiguous selection", got)
				}
				if msg := got.problem.Error(); msg != `more than one GitWriteBack selects the Role "r": a, b; nothing is committed until one remains` {
					t.Errorf("message %q", msg)
				}
			default:
				if got == nil || got.problem != nil || got.config.Name != tc.want || got.path != tc.wantPath {
					t.Fatalf("got %+v, want %s at %q", got, tc.want, tc.wantPath)
				}
			}
		})
	}
}

func TestWriteBackReason(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{&gitwrite.Error{Op: "fetch", Kind: gitwrite.ErrAuthentication, Err: errors.New("401")}, v1.ReasonGitAuthenticationFail},
		{&gitwrite.Error{Op: "fetch", Kind: gitwrite.ErrUnreachable, Err: errors.New("refused")}, v1.ReasonGitUnreachable},
		{&gitwrite.Error{Op: "fetch", Kind: gitwrite.ErrRepositoryNotFound, Err: errors.New("404")}, v1.ReasonGitRepositoryNotFound},
		{&gitwrite.Error{Op: "fetch", Kind: gitwrite.ErrBranchNotFound, Err: errors.New("no ref")}, v1.ReasonGitBranchNotFound},
		{&gitwrite.Error{Op: "push", Kind: gitwrite.ErrNonFastForward, Err: errors.New("raced")}, v1.ReasonGitPushRaced},
		{&gitwrite.Error{Op: "check URL", Kind: gitwrite.ErrConfig, Err: errors.New("ssh")}, v1.ReasonWriteBackConfigInvalid},
		{&gitwrite.Error{Op: "fetch", Kind: gitwrite.ErrHostKeyMismatch, Err: &gitwrite.HostKeyError{Host: "h", Known: []string{"k"}}}, v1.ReasonHostKeyMismatch},
		{&gitwrite.Error{Op: "fetch", Kind: gitwrite.ErrHostKeyUnknown, Err: &gitwrite.HostKeyError{Host: "h"}}, v1.ReasonHostKeyUnknown},
		{&gitwrite.Error{Op: "read credentials", Kind: gitwrite.ErrKnownHostsMissing, Err: errors.New("none")}, v1.ReasonKnownHostsMissing},
		{&gitwrite.Error{Op: "read known_hosts", Kind: gitwrite.ErrKnownHostsInvalid, Err: errors.New("bad")}, v1.ReasonKnownHostsInvalid},
		{&gitwrite.Error{Op: "read identity", Kind: gitwrite.ErrSSHIdentity, Err: errors.New("bad")}, v1.ReasonSSHIdentityInvalid},
		{&manifestedit.NotFoundError{}, v1.ReasonManifestNotFound},
		{&manifestedit.AmbiguousError{}, v1.ReasonManifestAmbiguous},
		{&manifestedit.NotPlainError{Reason: "a Helm template"}, v1.ReasonManifestNotPlain},
		{fmt.Errorf("secret x: %w", errSecretNotFound), v1.ReasonSecretNotFound},
		{fmt.Errorf("secret x: %w: %w", errSecretForbidden, errors.New("403")), v1.ReasonSecretForbidden},
		{errors.New("context canceled"), ""},
	}
	for _, tc := range cases {
		if got := writeBackReason(tc.err); got != tc.want {
			t.Errorf("writeBackReason(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// TestChangesCarriedAfterApply is the property the history relies on: the
// spec governance.Apply makes of a Proposal carries that Proposal, and the
// spec before it does not (unless a change sets what is there already).
func TestChangesCarriedAfterApply(t *testing.T) {
	base := fixtureRole("ns", "r", "m").Spec
	rng := rand.New(rand.NewPCG(14, 15))
	skills := []v1.ID{"docker", "kubernetes-core", "terraform"}
	profs := []v1.ProficiencyID{"A", "W", "V", "E"}
	applied := 0
	for i := range 2000 {
		var changes []v1.Change
		touched := map[string]bool{}
		for range 1 + rng.IntN(4) {
			skill, level := skills[rng.IntN(len(skills))], fixtureLevels[rng.IntN(len(fixtureLevels))]
			var c v1.Change
			switch rng.IntN(6) {
			case 0:
				c = v1.Change{Op: v1.OpSetProficiency, Skill: skill, Level: level, Proficiency: profs[rng.IntN(len(profs))]}
			case 1:
				c = v1.Change{Op: v1.OpSetRequired, Skill: skill, Level: level, Required: new(rng.IntN(2) == 0)}
			case 2:
				c = v1.Change{Op: v1.OpAddSkill, Skill: skill}
				for _, l := range fixtureLevels {
					c.Cells = append(c.Cells, v1.Cell{Level: l, Proficiency: profs[rng.IntN(len(profs))], Required: rng.IntN(2) == 0})
				}
			case 3:
				c = v1.Change{Op: v1.OpRemoveSkill, Skill: skill}
			case 4:
				c = v1.Change{Op: v1.OpSetFocus, Level: level, Focus: new(fmt.Sprint("focus ", rng.IntN(3)))}
			default:
				c = v1.Change{Op: v1.OpSetTechStack, Level: level, TechStack: []string{fmt.Sprint("tool ", rng.IntN(3))}}
			}
			// One change per field, and none besides a row's add or removal:
			// what Judge calls two changes with one target.
			if touched[changedField(&c)] || touched[rowField(c.Skill)] ||
				(c.Skill != "" && (c.Op == v1.OpAddSkill || c.Op == v1.OpRemoveSkill) && touched["skill "+string(c.Skill)]) {
				continue
			}
			touched[changedField(&c)] = true
			if c.Skill != "" {
				touched["skill "+string(c.Skill)] = true
			}
			changes = append(changes, c)
		}
		after, conflicts := governance.Apply(&base, changes)
		if len(conflicts) > 0 {
			continue
		}
		applied++
		if !changesCarried(after, changes) {
			t.Fatalf("case %d: the applied spec does not carry %+v", i, changes)
		}
		if equality.Semantic.DeepEqual(after, &base) != changesCarried(&base, changes) {
			t.Fatalf("case %d: carried by the spec before = %v, but Apply changed it = %v: %+v",
				i, changesCarried(&base, changes), !equality.Semantic.DeepEqual(after, &base), changes)
		}
	}
	if applied < 500 {
		t.Fatalf("only %d of 2000 generated Proposals applied: the generator tests too little", applied)
	}
	t.Logf("%d of 2000 generated Proposals applied and checked", applied)
}
