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
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestReleaseConfiguration(t *testing.T) {
	// The operator promoted docker@senior's proficiency and flag (it keeps
	// the proficiency it shares with the other manager), the marker, and
	// helm@senior's proficiency from an earlier Proposal.
	operator := `{"f:metadata":{"f:annotations":{"f:career.skillmatrix.dev/applied-proposals":{}}},"f:spec":{"f:skills":{` +
		`"k:{\"id\":\"docker\"}":{".":{},"f:id":{},"f:cells":{"k:{\"level\":\"senior\"}":{".":{},"f:level":{},"f:proficiency":{},"f:required":{}}}},` +
		`"k:{\"id\":\"helm\"}":{".":{},"f:id":{},"f:cells":{"k:{\"level\":\"senior\"}":{".":{},"f:level":{},"f:proficiency":{}}}}}}}`
	dockerSenior := func(fields string) string {
		return `{"f:spec":{"f:skills":{"k:{\"id\":\"docker\"}":{".":{},"f:id":{},"f:cells":{"k:{\"level\":\"senior\"}":{".":{},"f:level":{}` + fields + `}}}}}}`
	}
	required := []CellField{{Skill: "docker", Level: "senior", Field: "required"}}
	tests := []struct {
		name string
		// other is what a second manager owns, by operation.
		other     string
		operation metav1.ManagedFieldsOperationType
		fields    []CellField
		want      string // the apply body's spec and annotations; "" for no write
	}{
		{name: "a forced apply took the proficiency back and omits the flag: the flag is released",
			other: dockerSenior(`,"f:proficiency":{}`), operation: metav1.ManagedFieldsOperationApply, fields: required,
			want: `{"annotations":{"career.skillmatrix.dev/applied-proposals":"u1"}} ` +
				`{"skills":[{"cells":[{"level":"senior","proficiency":"E"}],"id":"docker"},{"cells":[{"level":"senior","proficiency":"V"}],"id":"helm"}]}`},
		{name: "an edit (an update) carried the whole cell: nothing is released",
			other: dockerSenior(`,"f:proficiency":{}`), operation: metav1.ManagedFieldsOperationUpdate, fields: required},
		{name: "the other manager applied the flag too: nothing of the operator's decides it",
			other: dockerSenior(`,"f:proficiency":{},"f:required":{}`), operation: metav1.ManagedFieldsOperationApply, fields: required},
		{name: "a proficiency nobody else owns is kept, as the schema requires one",
			other: dockerSenior(`,"f:required":{}`), operation: metav1.ManagedFieldsOperationApply,
			fields: []CellField{{Skill: "docker", Level: "senior", Field: "proficiency"}}},
		{name: "a field the operator does not own",
			other: dockerSenior(`,"f:proficiency":{}`), operation: metav1.ManagedFieldsOperationApply,
			fields: []CellField{{Skill: "helm", Level: "junior", Field: "required"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live := liveRole(t, spec(), map[string]string{AnnotationAppliedProposals: "u1"}, operator)
			entries := live.GetManagedFields()
			entries = append(entries, metav1.ManagedFieldsEntry{Manager: "argocd-controller", Operation: tt.operation,
				FieldsV1: metav1.NewFieldsV1(tt.other)})
			live.SetManagedFields(entries)
			spec := live.Object["spec"].(map[string]any)
			spec["skills"].([]any)[1].(map[string]any)["cells"].([]any)[1].(map[string]any)["proficiency"] = "V"

			cfg, ok, err := ReleaseConfiguration(live, tt.fields)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if ok {
					t.Fatalf("released %s, want nothing", toJSON(t, cfg.Object["spec"]))
				}
				return
			}
			if !ok {
				t.Fatal("released nothing")
			}
			got := toJSON(t, map[string]any{"annotations": cfg.GetAnnotations()}) + " " + toJSON(t, cfg.Object["spec"])
			if got != tt.want {
				t.Errorf("apply body\n got %s\nwant %s", got, tt.want)
			}
			if cfg.GetResourceVersion() != "42" || cfg.GetManagedFields() != nil {
				t.Errorf("resourceVersion %q, managedFields %v: want the guard and no managedFields", cfg.GetResourceVersion(), cfg.GetManagedFields())
			}
		})
	}
}
