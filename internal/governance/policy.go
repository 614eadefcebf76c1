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

// Package governance decides Proposals: which policy applies, how the votes
// and reviews count, which phase the rules put a Proposal in, whether its
// changes make sense against the Role and its SkillMatrix, and what the Role
// looks like once they are applied.
//
// It is plain Go over the API types and never talks to the API server, so the
// Proposal controller, the CLI and the tests all reach the same verdict from
// the same inputs. It imports the API types and internal/text only: never a
// Kubernetes client, controller-runtime, internal/controller or internal/cli
// (internal/archtest checks).
package governance

import (
	"time"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// Policy is the effective governance policy.
type Policy struct {
	MinApprovals, ApprovalRatioPercent, RequiredReviews int32
	VotingPeriod                                        time.Duration
	// RequireCategoryOwners: every touched category needs an approving
	// review by one of its owners.
	RequireCategoryOwners bool
}

// Defaults are the built-in values. They are not schema defaults: the API
// server never writes them into an object, so changing them here changes the
// policy of every Role that sets nothing.
var Defaults = Policy{MinApprovals: 2, ApprovalRatioPercent: 66, RequiredReviews: 1, VotingPeriod: 168 * time.Hour}

// Effective overrides Defaults field by field with the SkillMatrix's policy,
// then the Role's (either may be nil). A field counts as set when it is
// present, so minApprovals: 0 overrides rather than falls through.
func Effective(matrix, role *v1alpha1.GovernancePolicy) Policy {
	p := Defaults
	for _, layer := range [...]*v1alpha1.GovernancePolicy{matrix, role} {
		if layer == nil {
			continue
		}
		if layer.MinApprovals != nil {
			p.MinApprovals = *layer.MinApprovals
		}
		if layer.ApprovalRatioPercent != nil {
			p.ApprovalRatioPercent = *layer.ApprovalRatioPercent
		}
		if layer.RequiredReviews != nil {
			p.RequiredReviews = *layer.RequiredReviews
		}
		if layer.VotingPeriod != nil {
			p.VotingPeriod = layer.VotingPeriod.Duration
		}
		if layer.RequireCategoryOwners != nil {
			p.RequireCategoryOwners = *layer.RequireCategoryOwners
		}
	}
	return p
}

// Deadline is created + p.VotingPeriod. It is derived from the creation time
// rather than stored at creation, so a policy change moves the deadline of
// every open Proposal consistently.
func Deadline(created time.Time, p Policy) time.Time {
	return created.Add(p.VotingPeriod)
}
