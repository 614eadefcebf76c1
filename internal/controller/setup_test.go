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
	"maps"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

func TestStripUnreadMetadata(t *testing.T) {
	tests := []struct {
		name            string
		annotations     map[string]string
		managedFields   []metav1.ManagedFieldsEntry
		wantAnnotations map[string]string
	}{
		{
			name:            "drops managedFields and the last-applied annotation, keeps the rest",
			annotations:     map[string]string{corev1.LastAppliedConfigAnnotation: `{"spec":{}}`, "career.skillmatrix.dev/applied-proposals": "a,b"},
			managedFields:   []metav1.ManagedFieldsEntry{{Manager: "kubectl"}},
			wantAnnotations: map[string]string{"career.skillmatrix.dev/applied-proposals": "a,b"},
		},
		{
			name:            "leaves an object without either as it was",
			annotations:     map[string]string{"note": "x"},
			wantAnnotations: map[string]string{"note": "x"},
		},
		{
			name: "handles no annotations at all",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			role := &v1.Role{ObjectMeta: metav1.ObjectMeta{Annotations: maps.Clone(tt.annotations), ManagedFields: tt.managedFields}}
			out, err := stripUnreadMetadata(role)
			if err != nil {
				t.Fatal(err)
			}
			got := out.(*v1.Role)
			if got.ManagedFields != nil {
				t.Errorf("managedFields = %v, want none", got.ManagedFields)
			}
			if !maps.Equal(got.Annotations, tt.wantAnnotations) {
				t.Errorf("annotations = %v, want %v", got.Annotations, tt.wantAnnotations)
			}
		})
	}
	if _, err := stripUnreadMetadata("not an object"); err != nil {
		t.Errorf("a non-object must pass through, got %v", err)
	}
}

func TestKnownVersionsOwn(t *testing.T) {
	key := types.NamespacedName{Namespace: "ns", Name: "r-matrix"}
	var k knownVersions
	if k.own(key, "1", "sha256:a") {
		t.Error("an unknown ConfigMap counts as own")
	}
	k.remember(key, "5", "")
	k.beginWrite(key, "sha256:b")
	for _, tc := range []struct {
		rv, hash string
		want     bool
	}{
		{"5", "sha256:a", true},  // the version written before
		{"6", "sha256:b", true},  // the update in flight, seen before its response
		{"6", "sha256:x", false}, // someone else's edit meanwhile
		{"6", "", false},         // no hash annotation at all
	} {
		if got := k.own(key, tc.rv, tc.hash); got != tc.want {
			t.Errorf("own(%s, %s) = %v, want %v", tc.rv, tc.hash, got, tc.want)
		}
	}
	k.remember(key, "6", "5")
	if k.own(key, "7", "sha256:b") {
		t.Error("a later version with the same hash counts as own after the write finished")
	}
	k.beginWrite(key, "sha256:c")
	k.endWrite(key)
	if k.own(key, "8", "sha256:c") {
		t.Error("a failed write still counts as in flight")
	}
}

func TestKnownVersionsUnchanged(t *testing.T) {
	key := types.NamespacedName{Namespace: "ns", Name: "r-matrix"}
	pub := published{hash: "sha256:a", files: 4}
	tests := []struct {
		name string
		// setUp leaves k as the publisher would.
		setUp         func(k *knownVersions)
		cached, input string
		want          bool
	}{
		{name: "never published", setUp: func(*knownVersions) {}, cached: "5", input: "in1"},
		{name: "written from the same inputs, cache current", cached: "6", input: "in1", want: true,
			setUp: func(k *knownVersions) { k.remember(key, "6", "5"); k.rememberInputs(key, "in1", pub) }},
		{name: "written from the same inputs, cache behind the write", cached: "5", input: "in1", want: true,
			setUp: func(k *knownVersions) { k.remember(key, "6", "5"); k.rememberInputs(key, "in1", pub) }},
		{name: "compared with the same inputs", cached: "6", input: "in1", want: true,
			setUp: func(k *knownVersions) { k.remember(key, "6", ""); k.rememberInputs(key, "in1", pub) }},
		{name: "someone else's version in the cache", cached: "7", input: "in1",
			setUp: func(k *knownVersions) { k.remember(key, "6", "5"); k.rememberInputs(key, "in1", pub) }},
		{name: "an empty version after a comparison is not a superseded one", cached: "", input: "in1",
			setUp: func(k *knownVersions) { k.remember(key, "6", ""); k.rememberInputs(key, "in1", pub) }},
		{name: "other inputs", cached: "6", input: "in2",
			setUp: func(k *knownVersions) { k.remember(key, "6", "5"); k.rememberInputs(key, "in1", pub) }},
		{name: "no inputs", cached: "6", input: "",
			setUp: func(k *knownVersions) { k.remember(key, "6", "5"); k.rememberInputs(key, "", pub) }},
		{name: "written again without inputs since", cached: "7", input: "in1",
			setUp: func(k *knownVersions) {
				k.remember(key, "6", "5")
				k.rememberInputs(key, "in1", pub)
				k.remember(key, "7", "6")
			}},
		{name: "deleted since", cached: "6", input: "in1",
			setUp: func(k *knownVersions) {
				k.remember(key, "6", "5")
				k.rememberInputs(key, "in1", pub)
				k.forget(key)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var k knownVersions
			tt.setUp(&k)
			got, ok := k.unchanged(key, tt.cached, tt.input)
			if ok != tt.want {
				t.Fatalf("unchanged = %v, want %v", ok, tt.want)
			}
			if ok && got != pub {
				t.Errorf("published = %+v, want %+v", got, pub)
			}
		})
	}
}
