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
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

func TestRoleSpecInManifest(t *testing.T) {
	cases := []struct {
		name, manifest, namespace, role string
		wantName                        string
		wantErr                         error
	}{
		{"the platform file", platformFile, "ns", "r1", "Platform Engineer", nil},
		{"a Role after a ConfigMap, in JSON", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"r1"}}` + "\n---\n" +
			`{"apiVersion":"career.skillmatrix.dev/v1alpha1","kind":"Role","metadata":{"name":"r1","namespace":"ns"},"spec":{"displayName":"J"}}`,
			"ns", "r1", "J", nil},
		{"the second document", dataFile, "ns", "r2", "Data Engineer", nil},
		{"another namespace", "apiVersion: career.skillmatrix.dev/v1alpha1\nkind: Role\nmetadata: {name: r1, namespace: other}\nspec: {displayName: X}\n",
			"ns", "r1", "", errNoRoleInManifest},
		{"another group", "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r1}\n", "ns", "r1", "", errNoRoleInManifest},
		{"another name", platformFile, "ns", "r9", "", errNoRoleInManifest},
		{"empty", "", "ns", "r1", "", errNoRoleInManifest},
		{"comments only", "# nothing\n---\n", "ns", "r1", "", errNoRoleInManifest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := roleSpecInManifest([]byte(tc.manifest), tc.namespace, tc.role)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if err == nil && spec.DisplayName != tc.wantName {
				t.Errorf("displayName %q, want %q", spec.DisplayName, tc.wantName)
			}
		})
	}
	if _, err := roleSpecInManifest([]byte("apiVersion: career.skillmatrix.dev/v1alpha1\nkind: Role\nmetadata: {name: r1}\nspec: {skills: 3}\n"), "ns", "r1"); err == nil {
		t.Error("a Role whose spec does not decode: want an error")
	}
}

func FuzzRoleSpecInManifest(f *testing.F) {
	for _, seed := range []string{platformFile, dataFile, "", "---\n---\n", "{", "kind: Role\nmetadata: {name: r1}\nspec: [1]\n"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, manifest []byte) {
		spec, err := roleSpecInManifest(manifest, "ns", "r1")
		if (spec == nil) == (err == nil) {
			t.Fatalf("spec %v and error %v: want exactly one", spec, err)
		}
		if spec != nil {
			// Whatever decoded is judged without panicking.
			divergedCells(spec, []v1.Change{
				setProficiency("docker", "senior", "V", "E"),
				{Op: v1.OpSetFocus, Level: "junior", Focus: new("x")},
				{Op: v1.OpAddSkill, Skill: "docker", Cells: []v1.Cell{{Level: "junior", Proficiency: "A"}}},
				{Op: v1.OpRemoveSkill, Skill: "docker"},
			}, nil)
		}
	})
}

func TestDivergedCells(t *testing.T) {
	spec, err := roleSpecInManifest([]byte(platformFile), "ns", "r1")
	if err != nil {
		t.Fatal(err)
	}
	k8sSenior := setProficiency("kubernetes-core", "senior", "W", "E")
	cases := []struct {
		name       string
		changes    []v1.Change
		superseded map[string]bool
		want       []string
	}{
		{"carried", []v1.Change{k8sSenior}, nil, nil},
		{"another proficiency", []v1.Change{setProficiency("kubernetes-core", "senior", "E", "V")}, nil,
			[]string{"kubernetes-core@senior proficiency is E, the Proposal set V"}},
		{"set again by a newer commit", []v1.Change{setProficiency("kubernetes-core", "senior", "E", "V")},
			map[string]bool{"SetProficiency kubernetes-core@senior": true}, nil},
		{"a required flag", []v1.Change{{Op: v1.OpSetRequired, Skill: "docker", Level: "junior", Required: new(true)}}, nil,
			[]string{"docker@junior required is false, the Proposal set true"}},
		{"a missing cell", []v1.Change{{Op: v1.OpSetProficiency, Skill: "go", Level: "senior", Proficiency: "V"}}, nil,
			[]string{"go@senior proficiency is no such cell, the Proposal set V"}},
		{"focus", []v1.Change{{Op: v1.OpSetFocus, Level: "junior", Focus: new("Shipping.")}}, nil,
			[]string{`level junior focus is "Learning the platform.", the Proposal set "Shipping."`}},
		{"tech stack", []v1.Change{{Op: v1.OpSetTechStack, Level: "middle", TechStack: []string{"Nomad"}}}, nil,
			[]string{"level middle techStack is no such level, the Proposal set [Nomad]"}},
		{"an added skill that is absent", []v1.Change{{Op: v1.OpAddSkill, Skill: "terraform", Cells: []v1.Cell{{Level: "junior", Proficiency: "A"}}}}, nil,
			[]string{"skill terraform is absent, the Proposal added it"}},
		{"an added skill with other cells", []v1.Change{{Op: v1.OpAddSkill, Skill: "docker", Cells: []v1.Cell{{Level: "junior", Proficiency: "E"}}}}, nil,
			[]string{"skill docker has other cells than the Proposal added"}},
		{"a removed skill still there, its row set again", []v1.Change{{Op: v1.OpRemoveSkill, Skill: "docker"}},
			map[string]bool{"row docker": true}, nil},
		{"a removed skill still there", []v1.Change{{Op: v1.OpRemoveSkill, Skill: "docker"}}, nil,
			[]string{"skill docker is still there, the Proposal removed it"}},
		{"one of two", []v1.Change{k8sSenior, setProficiency("docker", "senior", "V", "W")}, nil,
			[]string{"docker@senior proficiency is V, the Proposal set W"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := divergedCells(spec, tc.changes, tc.superseded); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestWaitingDefaults(t *testing.T) {
	if applyTimeout(nil) != 168*time.Hour || gitInterval(nil) != time.Minute {
		t.Errorf("defaults %v %v", applyTimeout(nil), gitInterval(nil))
	}
	wb := &v1.GitWriteBack{Spec: v1.GitWriteBackSpec{ApplyTimeout: &metav1.Duration{Duration: time.Hour}, Interval: &metav1.Duration{Duration: 5 * time.Second}}}
	if applyTimeout(wb) != time.Hour || gitInterval(wb) != 5*time.Second {
		t.Errorf("set %v %v", applyTimeout(wb), gitInterval(wb))
	}
	p := &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Namespace: "career", Name: "raise-k8s"}}
	if got := proposalBranch(wb, p); got != "skillmatrix/career/raise-k8s" {
		t.Errorf("default prefix: %q", got)
	}
	wb.Spec.BranchPrefix = "mr/"
	if got := proposalBranch(wb, p); got != "mr/career/raise-k8s" {
		t.Errorf("prefix mr/: %q", got)
	}
	wb.Spec.BranchPrefix = "mr/."
	if got := proposalBranch(wb, p); got != "" {
		t.Errorf("an invalid branch: %q", got)
	}
}

// A committed Proposal whose GitWriteBack is gone has nothing to look for
// in Git: it is woken at its applyTimeout, not at every interval.
func TestAwaitChangeWithoutGitWriteBack(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := v1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	committed := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	p := &v1.Proposal{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "raise-k8s"},
		Status: v1.ProposalStatus{GitCommit: &v1.GitCommitRecord{
			SHA: "0123456789abcdef0123456789abcdef01234567", GitWriteBack: "gone",
			CommittedAt: metav1.NewMicroTime(committed),
		}},
	}
	r := &ProposalReconciler{Client: fake.NewClientBuilder().WithScheme(scheme).Build()}
	s := &proposalScope{proposal: p, role: &v1.Role{}, now: committed.Add(time.Hour)}
	if err := r.awaitChange(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if want := v1.DefaultApplyTimeout - time.Hour; s.result.RequeueAfter != want {
		t.Errorf("RequeueAfter = %v, want the deadline in %v", s.result.RequeueAfter, want)
	}
}
