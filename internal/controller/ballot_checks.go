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
	"fmt"
	"strings"
	"sync"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// ballotChecks remembers, for one reconcile, what the authority re-checks
// asked (authority.check): the eligibility rules of the admission params,
// read once, and each SubjectAccessReview's answer, by user, groups and
// resource. The Proposal's own verdict and the batch it promotes judge the
// same ballots within moments, against different specs of the Role, and
// the answers do not depend on the spec.
type ballotChecks struct {
	authority *authority

	rulesOnce sync.Once
	rules     governance.Eligibility
	rulesErr  error

	mu      sync.Mutex
	answers map[string]*sarAnswer
}

// sarAnswer is one SubjectAccessReview, asked once; done is closed when it
// is answered.
type sarAnswer struct {
	done    chan struct{}
	allowed bool
	err     error
}

func (a *authority) newBallotChecks() *ballotChecks {
	return &ballotChecks{authority: a, answers: map[string]*sarAnswer{}}
}

// eligibility reads the rules once per reconcile.
func (c *ballotChecks) eligibility(ctx context.Context) (governance.Eligibility, error) {
	c.rulesOnce.Do(func() { c.rules, c.rulesErr = c.authority.eligibility(ctx) })
	return c.rules, c.rulesErr
}

// allowed asks RBAC whether b's author, with the groups the ballot
// recorded, may do attrs; each question once per reconcile.
func (c *ballotChecks) allowed(ctx context.Context, b governance.Ballot, attrs authorizationv1.ResourceAttributes) (bool, error) {
	key := strings.Join(append([]string{string(b.User), attrs.Verb, attrs.Resource, attrs.Namespace, attrs.Name}, b.Groups...), "\x00")
	c.mu.Lock()
	known, ok := c.answers[key]
	if !ok {
		known = &sarAnswer{done: make(chan struct{})}
		c.answers[key] = known
		c.mu.Unlock()
		sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User: string(b.User), Groups: b.Groups, ResourceAttributes: &attrs,
		}}
		if err := c.authority.client.Create(ctx, sar); err != nil {
			known.err = fmt.Errorf("checking whether %s may %s %s %q: %w", b.User, attrs.Verb, attrs.Resource, attrs.Name, err)
		}
		known.allowed = sar.Status.Allowed
		close(known.done)
	} else {
		c.mu.Unlock()
	}
	select {
	case <-known.done:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	return known.allowed, known.err
}

// prefetch re-checks, concurrently, the ballots of every candidate whose
// votes would decide it against the Role as it is; check then finds the
// answers.
func (c *ballotChecks) prefetch(ctx context.Context, candidates []*v1.Proposal, role *v1.Role,
	matrix *v1.SkillMatrix, now time.Time) {
	var wg sync.WaitGroup
	for _, q := range candidates {
		in, err := c.authority.input(ctx, q, &role.Spec, matrix, now)
		if err != nil {
			continue // the batch judges q again and reports it
		}
		v := governance.Judge(in)
		if !decisive(v) {
			continue
		}
		wg.Go(func() {
			// An error is remembered and returned where the batch judges q.
			_, _, _ = c.check(ctx, q, role, matrix, v.Policy, v.Counted)
		})
	}
	wg.Wait()
}

// decisive reports whether the votes alone decide a verdict: only then are
// the ballots re-checked.
func decisive(v governance.Verdict) bool {
	return v.Outcome == v1.PhaseAccepted || v.Outcome == v1.PhaseRejected
}
