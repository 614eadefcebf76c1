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

package promotion

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

func liveRole(t *testing.T, spec v1.RoleSpec, annotations map[string]string, owned string) *unstructured.Unstructured {
	t.Helper()
	role := &v1.Role{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1.GroupVersion.String(), Kind: "Role"},
		ObjectMeta: metav1.ObjectMeta{Name: "r", Namespace: "ns", ResourceVersion: "42", Annotations: annotations},
		Spec:       spec,
	}
	if owned != "" {
		role.ManagedFields = []metav1.ManagedFieldsEntry{
			{Manager: "kubectl", Operation: metav1.ManagedFieldsOperationApply, FieldsV1: metav1.NewFieldsV1(`{"f:spec":{"f:displayName":{}}}`)},
			{Manager: FieldManager, Operation: metav1.ManagedFieldsOperationApply, FieldsV1: metav1.NewFieldsV1(owned)},
		}
	}
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(role)
	if err != nil {
		t.Fatal(err)
	}
	return &unstructured.Unstructured{Object: obj}
}

func spec() v1.RoleSpec {
	return v1.RoleSpec{
		MatrixRef: "m", DisplayName: "Platform Engineer",
		Levels: []v1.RoleLevel{{Level: "junior", Focus: "Learning.", TechStack: []string{"Docker"}}},
		Skills: []v1.SkillRequirement{
			{ID: "docker", Cells: []v1.Cell{{Level: "junior", Proficiency: "A"}, {Level: "senior", Proficiency: "E", Required: true}}},
			{ID: "helm", Cells: []v1.Cell{{Level: "junior", Proficiency: "W"}, {Level: "senior", Proficiency: "V"}}},
		},
	}
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestApplyConfiguration(t *testing.T) {
	previouslyOwned := `{"f:spec":{"f:skills":{"k:{\"id\":\"helm\"}":{".":{},"f:id":{},"f:cells":{"k:{\"level\":\"senior\"}":{".":{},"f:level":{},"f:proficiency":{}}}}}}}`
	tests := []struct {
		name    string
		owned   string
		changes []v1.Change
		mutate  func(*v1.RoleSpec)
		// uids defaults to one Proposal, "new-uid".
		uids       []string
		want       string
		wantMarker string
	}{
		{
			name:    "first promotion carries only the changed cell",
			changes: []v1.Change{{Op: v1.OpSetProficiency, Skill: "docker", Level: "junior", Proficiency: "W"}},
			mutate:  func(s *v1.RoleSpec) { s.Skills[0].Cells[0].Proficiency = "W" },
			want:    `{"skills":[{"cells":[{"level":"junior","proficiency":"W"}],"id":"docker"}]}`,
		},
		{
			name:    "fields owned from an earlier promotion are kept with their current values",
			owned:   previouslyOwned,
			changes: []v1.Change{{Op: v1.OpSetRequired, Skill: "docker", Level: "senior", Required: new(false)}},
			mutate:  func(s *v1.RoleSpec) { s.Skills[0].Cells[1].Required = false },
			want: `{"skills":[{"cells":[{"level":"senior","proficiency":"V"}],"id":"helm"},` +
				`{"cells":[{"level":"senior","required":false}],"id":"docker"}]}`,
		},
		{
			name:    "focus and tech stack",
			changes: []v1.Change{{Op: v1.OpSetFocus, Level: "junior", Focus: new("Shipping.")}, {Op: v1.OpSetTechStack, Level: "junior", TechStack: []string{}}},
			mutate: func(s *v1.RoleSpec) {
				s.Levels[0].Focus = "Shipping."
				s.Levels[0].TechStack = nil
			},
			want: `{"levels":[{"focus":"Shipping.","level":"junior","techStack":[]}]}`,
		},
		{
			name:    "an added skill is sent whole",
			changes: []v1.Change{{Op: v1.OpAddSkill, Skill: "terraform"}},
			mutate: func(s *v1.RoleSpec) {
				s.Skills = append(s.Skills, v1.SkillRequirement{ID: "terraform", Cells: []v1.Cell{{Level: "junior", Proficiency: "A"}}})
			},
			want: `{"skills":[{"cells":[{"level":"junior","proficiency":"A"}],"id":"terraform"}]}`,
		},
		{
			name: "a batch carries the union of its changes and every marker, in order",
			changes: []v1.Change{
				{Op: v1.OpSetProficiency, Skill: "docker", Level: "junior", Proficiency: "W"},
				{Op: v1.OpSetFocus, Level: "junior", Focus: new("Shipping.")},
			},
			mutate: func(s *v1.RoleSpec) {
				s.Skills[0].Cells[0].Proficiency = "W"
				s.Levels[0].Focus = "Shipping."
			},
			uids:       []string{"u1", "u2"},
			want:       `{"levels":[{"focus":"Shipping.","level":"junior"}],"skills":[{"cells":[{"level":"junior","proficiency":"W"}],"id":"docker"}]}`,
			wantMarker: "old-uid,u1,u2",
		},
		{
			name: "a cell two Proposals of a batch set is sent once, with the last value",
			changes: []v1.Change{
				{Op: v1.OpSetProficiency, Skill: "docker", Level: "junior", Proficiency: "W"},
				{Op: v1.OpSetProficiency, Skill: "docker", Level: "junior", Proficiency: "V"},
			},
			mutate:     func(s *v1.RoleSpec) { s.Skills[0].Cells[0].Proficiency = "V" },
			uids:       []string{"u1", "u2"},
			want:       `{"skills":[{"cells":[{"level":"junior","proficiency":"V"}],"id":"docker"}]}`,
			wantMarker: "old-uid,u1,u2",
		},
		{
			name: "a skill added by one Proposal of a batch and changed by a later one is sent once, as it ends",
			changes: []v1.Change{
				{Op: v1.OpAddSkill, Skill: "terraform"},
				{Op: v1.OpSetProficiency, Skill: "terraform", Level: "junior", Proficiency: "W"},
			},
			mutate: func(s *v1.RoleSpec) {
				s.Skills = append(s.Skills, v1.SkillRequirement{ID: "terraform", Cells: []v1.Cell{{Level: "junior", Proficiency: "W"}}})
			},
			uids:       []string{"u1", "u2"},
			want:       `{"skills":[{"cells":[{"level":"junior","proficiency":"W"}],"id":"terraform"}]}`,
			wantMarker: "old-uid,u1,u2",
		},
		{
			name:    "a batch keeps earlier owned fields too",
			owned:   previouslyOwned,
			changes: []v1.Change{{Op: v1.OpSetProficiency, Skill: "helm", Level: "senior", Proficiency: "E"}, {Op: v1.OpSetRequired, Skill: "docker", Level: "senior", Required: new(false)}},
			mutate: func(s *v1.RoleSpec) {
				s.Skills[1].Cells[1].Proficiency = "E"
				s.Skills[0].Cells[1].Required = false
			},
			uids: []string{"u1", "u2"},
			want: `{"skills":[{"cells":[{"level":"senior","proficiency":"E"}],"id":"helm"},` +
				`{"cells":[{"level":"senior","required":false}],"id":"docker"}]}`,
			wantMarker: "old-uid,u1,u2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live := liveRole(t, spec(), map[string]string{AnnotationAppliedProposals: "old-uid"}, tt.owned)
			newSpec := spec()
			tt.mutate(&newSpec)
			uids, wantMarker := tt.uids, tt.wantMarker
			if uids == nil {
				uids, wantMarker = []string{"new-uid"}, "old-uid,new-uid"
			}
			cfg, err := ApplyConfiguration(live, &newSpec, tt.changes, uids)
			if err != nil {
				t.Fatal(err)
			}
			if got := toJSON(t, cfg.Object["spec"]); got != tt.want {
				t.Fatalf("spec:\n got %s\nwant %s", got, tt.want)
			}
			if cfg.GetResourceVersion() != "42" {
				t.Fatalf("the apply must be guarded by the resourceVersion read, got %q", cfg.GetResourceVersion())
			}
			if got := cfg.GetAnnotations()[AnnotationAppliedProposals]; got != wantMarker {
				t.Fatalf("marker = %q, want %q", got, wantMarker)
			}
			if cfg.GetManagedFields() != nil {
				t.Fatal("managedFields must not be sent")
			}
		})
	}
}

func TestApplyConfigurationRefusesRemoval(t *testing.T) {
	live := liveRole(t, spec(), nil, "")
	s := spec()
	if _, err := ApplyConfiguration(live, &s, []v1.Change{{Op: v1.OpRemoveSkill, Skill: "helm"}}, []string{"u"}); err == nil {
		t.Fatal("RemoveSkill cannot be applied with server-side apply; want an error")
	}
	if !NeedsPatch([]v1.Change{{Op: v1.OpSetFocus}, {Op: v1.OpRemoveSkill}}) || NeedsPatch([]v1.Change{{Op: v1.OpSetFocus}}) {
		t.Fatal("NeedsPatch must be true exactly when a skill is removed")
	}
}

func TestApplyConfigurationBatchBounds(t *testing.T) {
	s := spec()
	s.Skills[0].Cells[0].Proficiency = "W"
	changes := []v1.Change{{Op: v1.OpSetProficiency, Skill: "docker", Level: "junior", Proficiency: "W"}}
	uidsOf := func(prefix string, n int) []string {
		uids := make([]string, n)
		for i := range uids {
			uids[i] = fmt.Sprintf("%s-%d", prefix, i)
		}
		return uids
	}
	tests := []struct {
		name       string
		markers    []string
		uids       []string
		wantErr    bool
		wantMarker []string
	}{
		{name: "no Proposal", uids: nil, wantErr: true},
		{name: "more Proposals than markers kept", uids: uidsOf("u", MaxMarkers+1), wantErr: true},
		{name: "exactly the markers kept", uids: uidsOf("u", MaxMarkers), wantMarker: uidsOf("u", MaxMarkers)},
		{
			name:       "older markers make room for a batch, which keeps its order",
			markers:    uidsOf("old", MaxMarkers-1),
			uids:       []string{"u1", "u2", "u3"},
			wantMarker: append(uidsOf("old", MaxMarkers-1)[2:], "u1", "u2", "u3"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var annotations map[string]string
			if tt.markers != nil {
				annotations = map[string]string{AnnotationAppliedProposals: strings.Join(tt.markers, ",")}
			}
			cfg, err := ApplyConfiguration(liveRole(t, spec(), annotations, ""), &s, changes, tt.uids)
			if tt.wantErr {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := Markers(cfg.GetAnnotations()); !reflect.DeepEqual(got, tt.wantMarker) {
				t.Fatalf("markers = %v, want %v", got, tt.wantMarker)
			}
		})
	}
}

func TestPatch(t *testing.T) {
	role := &v1.Role{ObjectMeta: metav1.ObjectMeta{ResourceVersion: "7"}, Spec: spec()}
	newSpec := spec()
	newSpec.Skills = newSpec.Skills[:1]
	patch, err := Patch(role, &newSpec, "u1")
	if err != nil {
		t.Fatal(err)
	}
	var ops []patchOp
	if err := json.Unmarshal(patch, &ops); err != nil {
		t.Fatal(err)
	}
	if ops[0].Op != opTest || ops[0].Path != "/metadata/resourceVersion" || ops[0].Value != "7" {
		t.Fatalf("first op must test the resourceVersion, got %+v", ops[0])
	}
	if !strings.Contains(string(patch), `"path":"/metadata/annotations","value":{"career.skillmatrix.dev/applied-proposals":"u1"}`) {
		t.Fatalf("marker missing: %s", patch)
	}
	if strings.Contains(string(patch), `"helm"`) {
		t.Fatalf("removed skill still in the patch: %s", patch)
	}

	role.Annotations = map[string]string{"a": "b", AnnotationAppliedProposals: "u0"}
	patch, err = Patch(role, &newSpec, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(patch), `"path":"/metadata/annotations/career.skillmatrix.dev~1applied-proposals","value":"u0,u1"`) {
		t.Fatalf("marker must be added to existing annotations, escaped: %s", patch)
	}
}

func TestMarkersAreBounded(t *testing.T) {
	annotations := map[string]string{}
	for i := range MaxMarkers + 5 {
		annotations[AnnotationAppliedProposals] = withMarkers(annotations, fmt.Sprintf("uid-%d", i))
	}
	got := Markers(annotations)
	if len(got) != MaxMarkers || got[0] != "uid-5" || got[len(got)-1] != fmt.Sprintf("uid-%d", MaxMarkers+4) {
		t.Fatalf("markers = %v", got)
	}
	if !HasMarker(annotations, "uid-20") || HasMarker(annotations, "uid-1") || HasMarker(nil, "x") {
		t.Fatal("HasMarker disagrees with the list")
	}
	if !reflect.DeepEqual(Markers(map[string]string{AnnotationAppliedProposals: " "}), []string(nil)) {
		t.Fatal("a blank annotation holds no markers")
	}
}

func TestUnrecorded(t *testing.T) {
	tests := []struct {
		name     string
		markers  []string
		recorded []string
		want     []string
	}{
		{"no promotion", nil, nil, nil},
		{"nothing recorded yet", []string{"a", "b"}, nil, []string{"a", "b"}},
		{"all recorded", []string{"a", "b"}, []string{"a", "b"}, []string{}},
		{"the newest is missing", []string{"a", "b", "c"}, []string{"a", "b"}, []string{"c"}},
		{"a batch is missing", []string{"a", "b", "c", "d"}, []string{"a", "b"}, []string{"c", "d"}},
		{"an older marker trimmed from the history is not recorded again", []string{"x", "b", "c"}, []string{"b"}, []string{"c"}},
		{"the history went past the markers' bound", []string{"y", "z"}, []string{"w", "y", "z"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Unrecorded(tt.markers, func(uid string) bool { return slices.Contains(tt.recorded, uid) })
			if len(got) != len(tt.want) || len(got) > 0 && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Unrecorded = %v, want %v", got, tt.want)
			}
		})
	}
}
