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
	"context"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// ballotChecks remembers the authority re-checks (authority.check) of one
// reconcile, by Proposal: the Proposal's own verdict and the batch it
// promotes judge the same ballots within moments, against different specs
// of the Role, and the re-checks (a read of the admission params, a
// SubjectAccessReview per ballot) do not depend on the spec.
type ballotChecks struct {
	authority *authority
	mu        sync.Mutex
	byUID     map[types.UID]*ballotCheck
}

// ballotCheck is one Proposal's re-check, made for a policy that does or
// does not ask for category owners (the only part of the policy it uses).
type ballotCheck struct {
	done          chan struct{}
	generation    int64
	requireOwners bool
	revoked       []governance.Revocation
	owners        governance.OwnerApprovals
	err           error
}

func (a *authority) newBallotChecks() *ballotChecks {
	return &ballotChecks{authority: a, byUID: map[types.UID]*ballotCheck{}}
}

// check returns p's re-check for policy, made now or earlier in this
// reconcile for the same ballots (p's generation) and owner requirement.
func (c *ballotChecks) check(ctx context.Context, p *v1.Proposal, role *v1.Role, matrix *v1.SkillMatrix,
	policy governance.Policy) ([]governance.Revocation, governance.OwnerApprovals, error) {
	c.mu.Lock()
	known, ok := c.byUID[p.UID]
	if !ok || known.generation != p.Generation || known.requireOwners != policy.RequireCategoryOwners {
		known = &ballotCheck{done: make(chan struct{}), generation: p.Generation,
			requireOwners: policy.RequireCategoryOwners}
		c.byUID[p.UID] = known
		c.mu.Unlock()
		known.revoked, known.owners, known.err = c.authority.check(ctx, p, role, matrix, policy)
		close(known.done)
	} else {
		c.mu.Unlock()
	}
	select {
	case <-known.done:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	return known.revoked, known.owners, known.err
}

// prefetch re-checks, concurrently, the ballots of every candidate whose
// votes would decide it against the Role as it is; check then finds them.
func (c *ballotChecks) prefetch(ctx context.Context, candidates []*v1.Proposal, role *v1.Role,
	matrix *v1.SkillMatrix, now time.Time) {
	var wg sync.WaitGroup
	for _, q := range candidates {
		v := governance.Judge(judgeInput(q, &role.Spec, matrix, now))
		if !decisive(v) {
			continue
		}
		wg.Go(func() {
			// An error is remembered and returned where the batch judges q.
			_, _, _ = c.check(ctx, q, role, matrix, v.Policy)
		})
	}
	wg.Wait()
}

// decisive reports whether the votes alone decide a verdict: only then are
// the ballots re-checked.
func decisive(v governance.Verdict) bool {
	return v.Outcome == v1.PhaseAccepted || v.Outcome == v1.PhaseRejected
}
