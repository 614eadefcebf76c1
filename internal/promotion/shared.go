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
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
)

// SpecShared reports whether every spec field FieldManager owns is owned by
// another manager of the main resource too: a sync applied the same values,
// so releasing FieldManager's ownership leaves each field owned. A Role
// whose spec FieldManager owns nothing of is shared trivially.
func SpecShared(entries []metav1.ManagedFieldsEntry) (bool, error) {
	ours, err := ownedFields(entries)
	if err != nil {
		return false, err
	}
	others := &fieldpath.Set{}
	for _, e := range entries {
		if e.Manager == FieldManager || e.Subresource != "" || e.FieldsV1 == nil {
			continue
		}
		var s fieldpath.Set
		if err := s.FromJSON(e.FieldsV1.GetRawReader()); err != nil {
			return false, fmt.Errorf("reading the fields %s owns: %w", e.Manager, err)
		}
		others = others.Union(&s)
	}
	spec := "spec"
	return ours.Difference(others).WithPrefix(fieldpath.PathElement{FieldName: &spec}).Empty(), nil
}
