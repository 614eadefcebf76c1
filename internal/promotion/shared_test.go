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

func entry(manager, subresource, fields string) metav1.ManagedFieldsEntry {
	return metav1.ManagedFieldsEntry{Manager: manager, Operation: metav1.ManagedFieldsOperationApply, Subresource: subresource,
		FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(fields)}
}

const (
	promotedCell = `{"f:metadata":{"f:annotations":{"f:career.skillmatrix.dev/applied-proposals":{}}},` +
		`"f:spec":{"f:skills":{"k:{\"id\":\"k8s\"}":{".":{},"f:cells":{"k:{\"level\":\"senior\"}":{".":{},"f:level":{},"f:proficiency":{}}},"f:id":{}}}}}`
	syncWithCell = `{"f:spec":{"f:skills":{"k:{\"id\":\"k8s\"}":{".":{},"f:cells":{"k:{\"level\":\"senior\"}":{".":{},"f:level":{},"f:proficiency":{}}},"f:id":{}}}}}`
	syncNoCell   = `{"f:spec":{"f:skills":{"k:{\"id\":\"k8s\"}":{".":{},"f:cells":{"k:{\"level\":\"senior\"}":{".":{},"f:level":{}}},"f:id":{}}}}}`
)

func TestSpecShared(t *testing.T) {
	tests := []struct {
		name    string
		entries []metav1.ManagedFieldsEntry
		want    bool
	}{
		{"the sync owns the promoted cell too", []metav1.ManagedFieldsEntry{entry(FieldManager, "", promotedCell), entry("argocd", "", syncWithCell)}, true},
		{"the promoted cell is ours alone", []metav1.ManagedFieldsEntry{entry(FieldManager, "", promotedCell), entry("argocd", "", syncNoCell)}, false},
		{"a status writer does not count", []metav1.ManagedFieldsEntry{entry(FieldManager, "", promotedCell), entry("argocd", "status", syncWithCell)}, false},
		{"nothing of ours", []metav1.ManagedFieldsEntry{entry("argocd", "", syncNoCell)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SpecShared(tt.entries)
			if err != nil || got != tt.want {
				t.Fatalf("SpecShared = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}
