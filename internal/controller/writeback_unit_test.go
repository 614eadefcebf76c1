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
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/gitwrite"
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
		{&gitwrite.Error{Op: "fetch", Kind: gitwrite.ErrAuthentication, Err: errors.New("401")}, ReasonGitAuthenticationFail},
		{&gitwrite.Error{Op: "fetch", Kind: gitwrite.ErrUnreachable, Err: errors.New("refused")}, ReasonGitUnreachable},
		{&gitwrite.Error{Op: "fetch", Kind: gitwrite.ErrRepositoryNotFound, Err: errors.New("404")}, ReasonGitRepositoryNotFound},
		{&gitwrite.Error{Op: "fetch", Kind: gitwrite.ErrBranchNotFound, Err: errors.New("no ref")}, ReasonGitBranchNotFound},
		{&gitwrite.Error{Op: "push", Kind: gitwrite.ErrNonFastForward, Err: errors.New("raced")}, ReasonGitPushRaced},
		{&gitwrite.Error{Op: "check URL", Kind: gitwrite.ErrConfig, Err: errors.New("ssh")}, ReasonWriteBackConfigInvalid},
		{&manifestedit.NotFoundError{}, ReasonManifestNotFound},
		{&manifestedit.AmbiguousError{}, ReasonManifestAmbiguous},
		{&manifestedit.NotPlainError{Reason: "a Helm template"}, ReasonManifestNotPlain},
		{fmt.Errorf("secret x: %w", errSecretNotFound), ReasonSecretNotFound},
		{fmt.Errorf("secret x: %w: %w", errSecretForbidden, errors.New("403")), ReasonSecretForbidden},
		{errors.New("context canceled"), ""},
	}
	for _, tc := range cases {
		if got := writeBackReason(tc.err); got != tc.want {
			t.Errorf("writeBackReason(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
