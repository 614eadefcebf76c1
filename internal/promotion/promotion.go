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

// Package promotion builds the single write that promotes accepted Proposals
// into their Role: the changed fields plus a marker naming each Proposal, so
// the changes and the record of them land atomically. One server-side apply
// may carry a batch of Proposals; a JSON patch carries one. It has no
// Kubernetes client; the controller sends what it builds. It must not import
// client-go, controller-runtime, internal/controller or internal/cli
// (internal/archtest checks).
//
// The write is a server-side apply under the field manager FieldManager, so
// GitOps tools can ignore exactly the promoted fields. Server-side apply
// removes fields its manager owned before and omits now, so the apply
// configuration carries every field the manager already owns, with its current
// value, plus the changed ones. It cannot remove a list entry another manager
// also owns, so a Proposal that removes a skill is written as a JSON patch under
// the same field manager instead; the API server then assigns the manager
// exactly the fields whose values changed.
//
// Both writes are guarded by the resourceVersion the changes were computed
// against: if the Role changed meanwhile the write fails with a conflict and
// the controller recomputes.
package promotion

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
	"sigs.k8s.io/structured-merge-diff/v6/value"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

const (
	// FieldManager owns the fields that promotions write.
	FieldManager = "skillmatrix-proposals"
	// AnnotationAppliedProposals lists the uids of the Proposals applied to a
	// Role, newest last, comma-separated.
	AnnotationAppliedProposals = "career.skillmatrix.dev/applied-proposals"
	// MaxMarkers bounds the list; a Proposal is marked Applied long before
	// 50 later promotions push its uid out.
	MaxMarkers = 50
)

// Markers returns the uids recorded on a Role.
func Markers(annotations map[string]string) []string {
	list := strings.TrimSpace(annotations[AnnotationAppliedProposals])
	if list == "" {
		return nil
	}
	return strings.Split(list, ",")
}

// HasMarker reports whether the Proposal with uid was applied to the Role.
func HasMarker(annotations map[string]string, uid string) bool {
	return slices.Contains(Markers(annotations), uid)
}

// Unrecorded returns the markers newer than the newest one that recorded
// reports, oldest first: the promotions a Role's history still lacks. Older
// markers missing from the history were trimmed from it (it is bounded too),
// not lost, so they are not recorded again.
func Unrecorded(markers []string, recorded func(uid string) bool) []string {
	for i, uid := range slices.Backward(markers) {
		if recorded(uid) {
			return markers[i+1:]
		}
	}
	return markers
}

// withMarkers returns the annotation value with uids appended in order,
// bounded.
func withMarkers(annotations map[string]string, uids ...string) string {
	markers := append(Markers(annotations), uids...)
	if len(markers) > MaxMarkers {
		markers = markers[len(markers)-MaxMarkers:]
	}
	return strings.Join(markers, ",")
}

// NeedsPatch reports whether the changes need the JSON patch path: server-side
// apply cannot remove a list entry that other managers co-own.
func NeedsPatch(changes []v1.Change) bool {
	return slices.ContainsFunc(changes, func(c v1.Change) bool { return c.Op == v1.OpRemoveSkill })
}

// ApplyConfiguration builds the server-side apply body for live (the Role as
// read from the API server, with managedFields) that sets the changed fields
// to their values in newSpec and records uids, in order, in the marker
// annotation.
//
// For a batch, changes is the union of the Proposals' changes in batch order
// and newSpec the result of applying them all; every changed field takes its
// final value from newSpec, so the write equals the Proposals applied one
// after the other. The batch is refused when its markers would not all fit
// in the bounded list: a marker pushed out by its own write would let its
// Proposal be promoted again.
func ApplyConfiguration(live *unstructured.Unstructured, newSpec *v1.RoleSpec, changes []v1.Change, uids []string) (*unstructured.Unstructured, error) {
	if len(uids) == 0 {
		return nil, fmt.Errorf("a promotion must name at least one Proposal")
	}
	if len(uids) > MaxMarkers {
		return nil, fmt.Errorf("a promotion of %d Proposals cannot record them all in the %d markers kept", len(uids), MaxMarkers)
	}
	owned, err := ownedFields(live.GetManagedFields())
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	owned.Leaves().Iterate(func(path fieldpath.Path) {
		copyPath(live.Object, out, path)
	})

	spec := ensureMap(out, "spec")
	for _, c := range changes {
		if err := setChange(spec, newSpec, c); err != nil {
			return nil, err
		}
	}

	cfg := &unstructured.Unstructured{Object: out}
	cfg.SetAPIVersion(v1.GroupVersion.String())
	cfg.SetKind("Role")
	cfg.SetName(live.GetName())
	cfg.SetNamespace(live.GetNamespace())
	cfg.SetResourceVersion(live.GetResourceVersion())
	annotations := cfg.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[AnnotationAppliedProposals] = withMarkers(live.GetAnnotations(), uids...)
	cfg.SetAnnotations(annotations)
	// Ownership is recorded by the server; sending it back is refused.
	unstructured.RemoveNestedField(cfg.Object, "metadata", "managedFields")
	return cfg, nil
}

// CellField names one field of one cell of a Role: Field is "proficiency"
// or "required".
type CellField struct {
	Skill, Level v1.ID
	Field        string
}

// ReleaseConfiguration builds the server-side apply body for live that gives
// up FieldManager's ownership of fields of cells another manager partly
// took back with its own apply (a forced apply of an older manifest that
// sets the cell's other field and omits this one), keeping every other field
// it owns with its current value, and the markers. Server-side apply removes
// a released field no other manager owns, so the cell is left as that
// manifest has it. A field is kept when no other manager applied the cell's
// other field (an Update, as kubectl edit sends, carried the whole cell, this
// field included), and a proficiency is kept when no other manager owns it:
// the schema requires it, and removing it would be refused. It reports false
// when there is nothing to release.
func ReleaseConfiguration(live *unstructured.Unstructured, fields []CellField) (*unstructured.Unstructured, bool, error) {
	owned, err := ownedFields(live.GetManagedFields())
	if err != nil {
		return nil, false, err
	}
	others, applied, err := otherManagersFields(live.GetManagedFields())
	if err != nil {
		return nil, false, err
	}
	release := &fieldpath.Set{}
	for _, f := range fields {
		other := "required"
		if f.Field == "required" {
			other = "proficiency"
		}
		path, otherPath := cellFieldPath(f.Skill, f.Level, f.Field), cellFieldPath(f.Skill, f.Level, other)
		if !owned.Has(path) || !applied.Has(otherPath) || applied.Has(path) ||
			(f.Field == "proficiency" && !others.Has(path)) {
			continue
		}
		release.Insert(path)
	}
	if release.Empty() {
		return nil, false, nil
	}
	out := map[string]any{}
	owned.Difference(release).Leaves().Iterate(func(path fieldpath.Path) {
		copyPath(live.Object, out, path)
	})
	cfg := &unstructured.Unstructured{Object: out}
	cfg.SetAPIVersion(v1.GroupVersion.String())
	cfg.SetKind("Role")
	cfg.SetName(live.GetName())
	cfg.SetNamespace(live.GetNamespace())
	cfg.SetResourceVersion(live.GetResourceVersion())
	unstructured.RemoveNestedField(cfg.Object, "metadata", "managedFields")
	return cfg, true, nil
}

// cellFieldPath is the path of one field of a cell in a Role.
func cellFieldPath(skill, level v1.ID, field string) fieldpath.Path {
	return fieldpath.MakePathOrDie("spec", "skills", fieldpath.KeyByFields("id", string(skill)),
		"cells", fieldpath.KeyByFields("level", string(level)), field)
}

// otherManagersFields returns the fields of the main resource that managers
// other than FieldManager own by any operation, and those they own through
// an apply.
func otherManagersFields(entries []metav1.ManagedFieldsEntry) (all, applied *fieldpath.Set, err error) {
	all, applied = &fieldpath.Set{}, &fieldpath.Set{}
	for _, e := range entries {
		if e.Manager == FieldManager || e.Subresource != "" || e.FieldsV1 == nil {
			continue
		}
		var s fieldpath.Set
		if err := s.FromJSON(e.FieldsV1.GetRawReader()); err != nil {
			return nil, nil, fmt.Errorf("reading the fields %s owns: %w", e.Manager, err)
		}
		all = all.Union(&s)
		if e.Operation == metav1.ManagedFieldsOperationApply {
			applied = applied.Union(&s)
		}
	}
	return all, applied, nil
}

// ownedFields returns the fields FieldManager owns through Apply on the main
// resource (not the status subresource).
func ownedFields(entries []metav1.ManagedFieldsEntry) (*fieldpath.Set, error) {
	set := &fieldpath.Set{}
	for _, e := range entries {
		if e.Manager != FieldManager || e.Operation != metav1.ManagedFieldsOperationApply || e.Subresource != "" || e.FieldsV1 == nil {
			continue
		}
		var s fieldpath.Set
		if err := s.FromJSON(e.FieldsV1.GetRawReader()); err != nil {
			return nil, fmt.Errorf("reading the fields %s owns: %w", FieldManager, err)
		}
		set = set.Union(&s)
	}
	return set, nil
}

// copyPath copies the value at path from src into dst, creating the maps and
// keyed list entries on the way. Paths that no longer exist in src are
// skipped: someone removed the field, and so should the apply.
func copyPath(src, dst map[string]any, path fieldpath.Path) {
	if len(path) == 0 {
		return
	}
	srcNode, dstNode := any(src), any(dst)
	for i, pe := range path {
		last := i == len(path)-1
		switch {
		case pe.FieldName != nil:
			sm, ok := srcNode.(map[string]any)
			if !ok {
				return
			}
			dm := dstNode.(map[string]any)
			v, ok := sm[*pe.FieldName]
			if !ok {
				return
			}
			if last {
				dm[*pe.FieldName] = runtime.DeepCopyJSONValue(v)
				return
			}
			if _, isList := v.([]any); isList {
				if _, ok := dm[*pe.FieldName]; !ok {
					dm[*pe.FieldName] = []any{}
				}
			} else if _, ok := dm[*pe.FieldName]; !ok {
				dm[*pe.FieldName] = map[string]any{}
			}
			srcNode, dstNode = v, dm[*pe.FieldName]
		case pe.Key != nil:
			list, ok := srcNode.([]any)
			if !ok {
				return
			}
			item := findKeyed(list, pe.Key)
			if item == nil {
				return
			}
			parentField := path[i-1].FieldName
			parent := dstParent(dst, path[:i-1])
			dlist, _ := parent[*parentField].([]any)
			ditem := findKeyed(dlist, pe.Key)
			if ditem == nil {
				ditem = map[string]any{}
				for _, f := range *pe.Key {
					ditem[f.Name] = f.Value.Unstructured()
				}
				dlist = append(dlist, ditem)
				parent[*parentField] = dlist
			}
			srcNode, dstNode = item, ditem
		default:
			// Set members and indexed lists do not occur in this API.
			return
		}
	}
}

// dstParent walks dst along a path of field names and keyed entries that
// copyPath has already created.
func dstParent(dst map[string]any, path fieldpath.Path) map[string]any {
	node := any(dst)
	for _, pe := range path {
		switch {
		case pe.FieldName != nil:
			node = node.(map[string]any)[*pe.FieldName]
		case pe.Key != nil:
			node = findKeyed(node.([]any), pe.Key)
		}
	}
	return node.(map[string]any)
}

func findKeyed(list []any, key *value.FieldList) map[string]any {
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		match := true
		for _, f := range *key {
			if fmt.Sprint(m[f.Name]) != fmt.Sprint(f.Value.Unstructured()) {
				match = false
				break
			}
		}
		if match {
			return m
		}
	}
	return nil
}

func ensureMap(m map[string]any, key string) map[string]any {
	if child, ok := m[key].(map[string]any); ok {
		return child
	}
	child := map[string]any{}
	m[key] = child
	return child
}

// ensureEntry returns the entry of the keyed list m[field] whose key equals
// value, appending it when absent.
func ensureEntry(m map[string]any, field, key, id string) map[string]any {
	list, _ := m[field].([]any)
	for _, item := range list {
		if e, ok := item.(map[string]any); ok && e[key] == id {
			return e
		}
	}
	e := map[string]any{key: id}
	m[field] = append(list, e)
	return e
}

// setChange writes the value one change sets, taken from the new spec, into
// the apply configuration's spec.
func setChange(spec map[string]any, newSpec *v1.RoleSpec, c v1.Change) error {
	switch c.Op {
	case v1.OpSetProficiency, v1.OpSetRequired:
		cell := newSpec.Cell(c.Skill, c.Level)
		if cell == nil {
			return fmt.Errorf("the new spec has no cell %s@%s", c.Skill, c.Level)
		}
		row := ensureEntry(spec, "skills", "id", string(c.Skill))
		entry := ensureEntry(row, "cells", "level", string(c.Level))
		if c.Op == v1.OpSetProficiency {
			entry["proficiency"] = string(cell.Proficiency)
		} else {
			// Explicit even when false, so the manager owns the value it set.
			entry["required"] = cell.Required
		}
	case v1.OpAddSkill:
		row := newSpec.Row(c.Skill)
		if row == nil {
			return fmt.Errorf("the new spec has no skill %s", c.Skill)
		}
		fields, err := runtime.DefaultUnstructuredConverter.ToUnstructured(row)
		if err != nil {
			return fmt.Errorf("converting skill %s: %w", c.Skill, err)
		}
		maps.Copy(ensureEntry(spec, "skills", "id", string(c.Skill)), fields)
	case v1.OpSetFocus, v1.OpSetTechStack:
		level := newSpec.Level(c.Level)
		entry := ensureEntry(spec, "levels", "level", string(c.Level))
		if c.Op == v1.OpSetFocus {
			focus := ""
			if level != nil {
				focus = level.Focus
			}
			entry["focus"] = focus
		} else {
			stack := []any{}
			if level != nil {
				for _, t := range level.TechStack {
					stack = append(stack, t)
				}
			}
			entry["techStack"] = stack
		}
	default:
		return fmt.Errorf("operation %s cannot be written with server-side apply", c.Op)
	}
	return nil
}

// Patch builds the JSON patch that replaces the Role's skill rows and levels
// with newSpec's and records uid, guarded by the resourceVersion of live. The
// API server assigns the field manager only the fields whose values change.
func Patch(live *v1.Role, newSpec *v1.RoleSpec, uid string) ([]byte, error) {
	ops := []patchOp{
		{Op: opTest, Path: "/metadata/resourceVersion", Value: live.ResourceVersion},
		{Op: opAdd, Path: "/spec/skills", Value: orEmpty(newSpec.Skills)},
		{Op: opAdd, Path: "/spec/levels", Value: orEmpty(newSpec.Levels)},
	}
	marker := withMarkers(live.Annotations, uid)
	if live.Annotations == nil {
		ops = append(ops, patchOp{Op: opAdd, Path: "/metadata/annotations",
			Value: map[string]string{AnnotationAppliedProposals: marker}})
	} else {
		ops = append(ops, patchOp{Op: opAdd,
			Path: "/metadata/annotations/" + strings.ReplaceAll(AnnotationAppliedProposals, "/", "~1"), Value: marker})
	}
	return json.Marshal(ops)
}

const (
	opTest = "test"
	// opAdd replaces an existing member and creates a missing one.
	opAdd = "add"
)

// patchOp is one RFC 6902 operation.
type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
