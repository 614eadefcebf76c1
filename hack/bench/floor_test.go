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

package main

import (
	"fmt"
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

func TestPlanBatches(t *testing.T) {
	// perRole[i] Proposals for Role i, interleaved as benchProposals spreads them.
	proposals := func(perRole ...int) []*v1.Proposal {
		var out []*v1.Proposal
		for k := 0; ; k++ {
			added := false
			for r, n := range perRole {
				if k < n {
					out = append(out, &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("r%d-%d", r, k)},
						Spec: v1.ProposalSpec{RoleRef: v1.ObjectName(fmt.Sprintf("role-%d", r))}})
					added = true
				}
			}
			if !added {
				return out
			}
		}
	}
	tests := []struct {
		name    string
		perRole []int
		batches int
		want    []string // batch sizes per Role, "role:size"
	}{
		{"one batch per Role", []int{4, 4}, 2, []string{"role-0:4", "role-1:4"}},
		{"fewer batches than Roles", []int{4, 4}, 1, []string{"role-0:4", "role-1:4"}},
		{"extra batches split the largest", []int{6, 2}, 3, []string{"role-0:3", "role-0:3", "role-1:2"}},
		{"extra spread over Roles", []int{4, 4}, 4, []string{"role-0:2", "role-0:2", "role-1:2", "role-1:2"}},
		{"never more batches than Proposals", []int{2, 1}, 9, []string{"role-0:1", "role-0:1", "role-1:1"}},
		{"uneven split keeps order", []int{5}, 2, []string{"role-0:2", "role-0:3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := proposals(tc.perRole...)
			plan := planBatches(in, tc.batches)
			var got []string
			var flat []*v1.Proposal
			for _, b := range plan {
				for _, p := range b {
					if p.Spec.RoleRef != b[0].Spec.RoleRef {
						t.Fatalf("batch mixes Roles %s and %s", b[0].Spec.RoleRef, p.Spec.RoleRef)
					}
				}
				got = append(got, fmt.Sprintf("%s:%d", b[0].Spec.RoleRef, len(b)))
				flat = append(flat, b...)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("batches %v, want %v", got, tc.want)
			}
			if len(flat) != len(in) {
				t.Fatalf("%d Proposals planned, want %d", len(flat), len(in))
			}
			// Each Role's Proposals stay in creation order across its batches.
			for _, role := range []v1.ObjectName{"role-0", "role-1"} {
				var before, after []string
				for _, p := range in {
					if p.Spec.RoleRef == role {
						before = append(before, p.Name)
					}
				}
				for _, p := range flat {
					if p.Spec.RoleRef == role {
						after = append(after, p.Name)
					}
				}
				if !slices.Equal(before, after) {
					t.Errorf("Role %s: order %v, want %v", role, after, before)
				}
			}
		})
	}
}
