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
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/promotion"
)

func TestRecordPending(t *testing.T) {
	roleWith := func(markers string, history ...string) *v1.Role {
		role := &v1.Role{}
		if markers != "" {
			role.Annotations = map[string]string{promotion.AnnotationAppliedProposals: markers}
		}
		for _, uid := range history {
			role.Status.History = append(role.Status.History, v1.AppliedProposal{UID: uid})
		}
		return role
	}
	key := types.NamespacedName{Namespace: "ns", Name: "r"}
	t0 := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

	steps := []struct {
		name string
		role *v1.Role
		at   time.Duration
		want time.Duration
	}{
		{"no promotion yet: publish", roleWith(""), 0, 0},
		{"newest promotion recorded: publish", roleWith("a,b", "a", "b"), 0, 0},
		{"newest promotion not recorded: wait the grace", roleWith("a,b,c", "a", "b"), 0, historyGrace},
		{"still waiting: the rest of the grace", roleWith("a,b,c", "a", "b"), 2 * time.Second, historyGrace - 2*time.Second},
		{"grace over: publish without it", roleWith("a,b,c", "a", "b"), historyGrace, 0},
		{"the same missing entry later: no second wait", roleWith("a,b,c", "a", "b"), time.Minute, 0},
		{"a newer promotion: a new grace", roleWith("a,b,c,d", "a", "b", "c"), time.Minute, historyGrace},
		{"recorded: publish and forget", roleWith("a,b,c,d", "a", "b", "c", "d"), time.Minute + time.Second, 0},
		{"an older entry trimmed from history does not count", roleWith("x,d", "d"), 2 * time.Minute, 0},
	}
	var r RoleReconciler
	for _, s := range steps {
		if got := r.recordPending(key, s.role, t0.Add(s.at)); got != s.want {
			t.Errorf("%s: wait %v, want %v", s.name, got, s.want)
		}
	}
	if _, ok := r.pendingRecords.Load(key); ok {
		t.Error("a Role whose history caught up keeps a pending record")
	}
}
