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
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

func TestHistoryRecord(t *testing.T) {
	at := metav1.NewTime(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	p := &v1.Proposal{}
	p.Name, p.Spec.Title, p.Spec.Author = "raise-k8s", strings.Repeat("t", 300), "alice"

	got := HistoryRecord(p, "u1", at, 7)
	if got.Name != "raise-k8s" || got.Author != "alice" || len(got.Title) > 200 || got.Generation != 7 || got.UID != "u1" {
		t.Errorf("record of a Proposal = %+v", got)
	}
	gone := HistoryRecord(nil, "u2", at, 8)
	if gone.Name != deletedProposalName || gone.UID != "u2" || gone.Generation != 8 || !strings.Contains(gone.Title, "deleted") {
		t.Errorf("record of a deleted Proposal = %+v: the change must stay recorded, saying why its name is unknown", gone)
	}
	if !gone.AppliedAt.Equal(&at) {
		t.Errorf("appliedAt = %v, want %v", gone.AppliedAt, at)
	}
}

func TestRecordTimeIsStoredPrecision(t *testing.T) {
	r := &RoleReconciler{Now: func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 123456789, time.UTC) }}
	if got := r.recordTime(); got.Nanosecond() != 0 {
		t.Errorf("recordTime = %v: an entry recorded with nanoseconds renders differently once stored", got)
	}
}
