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
