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

package governance_test

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

func TestEffective(t *testing.T) {
	hours := func(h int) *metav1.Duration { return &metav1.Duration{Duration: time.Duration(h) * time.Hour} }
	full := func(minApprovals, ratio, reviews int32, period int) *v1alpha1.GovernancePolicy {
		return &v1alpha1.GovernancePolicy{
			MinApprovals: new(minApprovals), ApprovalRatioPercent: new(ratio),
			RequiredReviews: new(reviews), VotingPeriod: hours(period),
		}
	}
	d := governance.Defaults
	tests := []struct {
		name         string
		matrix, role *v1alpha1.GovernancePolicy
		want         governance.Policy
	}{
		{"neither sets anything", nil, nil, d},
		{"both empty", &v1alpha1.GovernancePolicy{}, &v1alpha1.GovernancePolicy{}, d},

		{"matrix sets minApprovals", &v1alpha1.GovernancePolicy{MinApprovals: new(int32(5))}, nil,
			governance.Policy{MinApprovals: 5, ApprovalRatioPercent: 66, RequiredReviews: 1, VotingPeriod: 168 * time.Hour}},
		{"matrix sets approvalRatioPercent", &v1alpha1.GovernancePolicy{ApprovalRatioPercent: new(int32(75))}, nil,
			governance.Policy{MinApprovals: 2, ApprovalRatioPercent: 75, RequiredReviews: 1, VotingPeriod: 168 * time.Hour}},
		{"matrix sets requiredReviews", &v1alpha1.GovernancePolicy{RequiredReviews: new(int32(3))}, nil,
			governance.Policy{MinApprovals: 2, ApprovalRatioPercent: 66, RequiredReviews: 3, VotingPeriod: 168 * time.Hour}},
		{"matrix sets votingPeriod", &v1alpha1.GovernancePolicy{VotingPeriod: hours(24)}, nil,
			governance.Policy{MinApprovals: 2, ApprovalRatioPercent: 66, RequiredReviews: 1, VotingPeriod: 24 * time.Hour}},

		{"role sets minApprovals over matrix", full(5, 75, 3, 24), &v1alpha1.GovernancePolicy{MinApprovals: new(int32(7))},
			governance.Policy{MinApprovals: 7, ApprovalRatioPercent: 75, RequiredReviews: 3, VotingPeriod: 24 * time.Hour}},
		{"role sets approvalRatioPercent over matrix", full(5, 75, 3, 24), &v1alpha1.GovernancePolicy{ApprovalRatioPercent: new(int32(90))},
			governance.Policy{MinApprovals: 5, ApprovalRatioPercent: 90, RequiredReviews: 3, VotingPeriod: 24 * time.Hour}},
		{"role sets requiredReviews over matrix", full(5, 75, 3, 24), &v1alpha1.GovernancePolicy{RequiredReviews: new(int32(4))},
			governance.Policy{MinApprovals: 5, ApprovalRatioPercent: 75, RequiredReviews: 4, VotingPeriod: 24 * time.Hour}},
		{"role sets votingPeriod over matrix", full(5, 75, 3, 24), &v1alpha1.GovernancePolicy{VotingPeriod: hours(1)},
			governance.Policy{MinApprovals: 5, ApprovalRatioPercent: 75, RequiredReviews: 3, VotingPeriod: time.Hour}},

		{"role alone overrides the defaults", nil, full(4, 80, 2, 48),
			governance.Policy{MinApprovals: 4, ApprovalRatioPercent: 80, RequiredReviews: 2, VotingPeriod: 48 * time.Hour}},
		{"role overrides every field of the matrix", full(5, 75, 3, 24), full(1, 51, 0, 2),
			governance.Policy{MinApprovals: 1, ApprovalRatioPercent: 51, RequiredReviews: 0, VotingPeriod: 2 * time.Hour}},
		{"zero is a value, not an absence", full(5, 75, 3, 24),
			&v1alpha1.GovernancePolicy{MinApprovals: new(int32(0)), RequiredReviews: new(int32(0))},
			governance.Policy{MinApprovals: 0, ApprovalRatioPercent: 75, RequiredReviews: 0, VotingPeriod: 24 * time.Hour}},
		{"docs/api.md example: matrix minApprovals and period, role reviews",
			&v1alpha1.GovernancePolicy{MinApprovals: new(int32(3)), VotingPeriod: hours(336)},
			&v1alpha1.GovernancePolicy{RequiredReviews: new(int32(2))},
			governance.Policy{MinApprovals: 3, ApprovalRatioPercent: 66, RequiredReviews: 2, VotingPeriod: 336 * time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := governance.Effective(tt.matrix, tt.role); got != tt.want {
				t.Errorf("Effective() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	want := governance.Policy{MinApprovals: 2, ApprovalRatioPercent: 66, RequiredReviews: 1, VotingPeriod: 168 * time.Hour}
	if governance.Defaults != want {
		t.Errorf("Defaults = %+v, want the documented %+v", governance.Defaults, want)
	}
}

func TestDeadline(t *testing.T) {
	created := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		period time.Duration
		want   time.Time
	}{
		{168 * time.Hour, time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC)},
		{30 * time.Minute, time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC)},
		{time.Second, created.Add(time.Second)},
	}
	for _, tt := range tests {
		p := governance.Defaults
		p.VotingPeriod = tt.period
		if got := governance.Deadline(created, p); !got.Equal(tt.want) {
			t.Errorf("Deadline(%s) = %s, want %s", tt.period, got, tt.want)
		}
	}
}
