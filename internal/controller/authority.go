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
	"net/http"
	"sync"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/enforcement"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/kubecache"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/metrics"
)

// AdmissionParamsName is the ConfigMap, in the operator's namespace, that
// holds the admission policies' parameters: who the operator is and who may
// vote and review (config/admission/params).
const AdmissionParamsName = "skillmatrix-admission-params"

// The RBAC the re-checks ask about (docs/governance.md): voting needs the
// verb vote on the Proposal, reviewing the verb review on the Role, owning a
// category the verb review on categories named "<skillmatrix>.<category>".
const (
	verbVote            = "vote"
	verbReview          = "review"
	resourceCategories  = "categories"
	resourceProposalsNm = "proposals"
	resourceRolesNm     = "roles"
)

// authority re-checks, at decision time, that each counted vote and review
// still comes from someone who may cast it: the eligibility rules of the
// admission params and RBAC, by SubjectAccessReview with the groups recorded
// on the ballot; and which categories each approving reviewer owns.
type authority struct {
	client client.Client
	// params holds the admission params in an informer of that one
	// ConfigMap (newParamsCache): as fresh as the API server's own
	// admission, which reads them from an informer too, without a round
	// trip on every decision. live reads them while that informer has not
	// synced (readParams).
	params          cache.Cache
	live            client.Reader
	paramsNamespace string
}

// recheckConcurrency bounds the SubjectAccessReviews one re-check sends at
// once: a Proposal decided with a thousand counted ballots asks a thousand
// questions, which one after the other took seconds.
const recheckConcurrency = 8

// check re-checks the counted ballots (governance.Verdict.Counted) and
// returns those that no longer count and, when the policy asks for
// category owners, what each approving reviewer owns. The questions are
// asked concurrently and remembered for the reconcile (ballotChecks).
func (c *ballotChecks) check(ctx context.Context, p *v1.Proposal, role *v1.Role, matrix *v1.SkillMatrix,
	policy governance.Policy, counted []governance.Ballot) ([]governance.Revocation, governance.OwnerApprovals, error) {
	rules, err := c.eligibility(ctx)
	if err != nil {
		return nil, nil, err
	}
	var touched []v1.ID
	if policy.RequireCategoryOwners {
		touched = governance.TouchedCategories(p.Spec.Changes, &matrix.Spec)
	}
	type result struct {
		revoked *governance.Revocation
		owns    []v1.ID
		err     error
	}
	results := make([]result, len(counted))
	slots := make(chan struct{}, recheckConcurrency)
	var wg sync.WaitGroup
	for i, b := range counted {
		if reason := rules.Check(b.Kind, b.User, b.Groups); reason != "" {
			results[i].revoked = &governance.Revocation{Kind: b.Kind, User: b.User, Reason: reason}
			continue
		}
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			results[i].revoked, results[i].owns, results[i].err = c.checkOne(ctx, p, role, matrix, b, touched)
		})
	}
	wg.Wait()
	var revoked []governance.Revocation
	var owners governance.OwnerApprovals
	if policy.RequireCategoryOwners {
		owners = governance.OwnerApprovals{}
	}
	for i, r := range results {
		switch {
		case r.err != nil:
			return nil, nil, r.err
		case r.revoked != nil:
			revoked = append(revoked, *r.revoked)
		case len(r.owns) > 0:
			owners[counted[i].User] = append(owners[counted[i].User], r.owns...)
		}
	}
	return revoked, owners, nil
}

// checkOne asks RBAC whether b's author may still cast it (vote on the
// Proposal, review on the Role) and, for an approving review, which of the
// touched categories they own.
func (c *ballotChecks) checkOne(ctx context.Context, p *v1.Proposal, role *v1.Role, matrix *v1.SkillMatrix,
	b governance.Ballot, touched []v1.ID) (*governance.Revocation, []v1.ID, error) {
	attrs := authorizationv1.ResourceAttributes{Namespace: p.Namespace, Verb: verbVote,
		Group: v1.GroupVersion.Group, Resource: resourceProposalsNm, Name: p.Name}
	if b.Kind == governance.BallotReview {
		attrs.Verb, attrs.Resource, attrs.Name = verbReview, resourceRolesNm, role.Name
	}
	allowed, err := c.allowed(ctx, b, attrs)
	if err != nil {
		return nil, nil, err
	}
	if !allowed {
		return &governance.Revocation{Kind: b.Kind, User: b.User,
			Reason: fmt.Sprintf("RBAC no longer grants %s the verb %q on %s %q", b.User, attrs.Verb, attrs.Resource, attrs.Name)}, nil, nil
	}
	if b.Kind != governance.BallotReview || !b.Approves {
		return nil, nil, nil
	}
	var owns []v1.ID
	for _, cat := range touched {
		ok, err := c.allowed(ctx, b, authorizationv1.ResourceAttributes{Namespace: p.Namespace, Verb: verbReview,
			Group: v1.GroupVersion.Group, Resource: resourceCategories, Name: matrix.Name + "." + string(cat)})
		if err != nil {
			return nil, nil, err
		}
		if ok {
			owns = append(owns, cat)
		}
	}
	return nil, owns, nil
}

// eligibility reads the rules; without the params nothing can be decided,
// and the admission policies refuse every ballot anyway.
func (a *authority) eligibility(ctx context.Context) (governance.Eligibility, error) {
	var params corev1.ConfigMap
	key := client.ObjectKey{Namespace: a.paramsNamespace, Name: AdmissionParamsName}
	if err := a.readParams(ctx, key, &params); err != nil {
		return governance.Eligibility{}, fmt.Errorf("reading the admission params %s: %w", key, err)
	}
	rules, err := governance.ParseEligibility(params.Data)
	if err != nil {
		return governance.Eligibility{}, fmt.Errorf("the admission params %s: %w", key, err)
	}
	return rules, nil
}

// readParams reads the params from their informer once it has synced, and
// live until then: RBAC that grants only get on them (as the chart did
// before it granted list and watch) keeps working as before, while the
// informer logs why it cannot list.
func (a *authority) readParams(ctx context.Context, key client.ObjectKey, params *corev1.ConfigMap) error {
	informer, err := a.params.GetInformer(ctx, params, cache.BlockUntilSynced(false))
	if err == nil && informer.HasSynced() {
		return a.params.Get(ctx, key, params)
	}
	return a.live.Get(ctx, key, params)
}

// newParamsCache is an informer cache of the admission params alone
// (kubecache.OneObjectOptions): the manager's cache holds only the
// ConfigMaps the operator publishes, and a live read at every decision was
// a serial round trip on each Proposal worker in a burst. Its informer
// starts with the manager, not at the first decision.
func newParamsCache(mgr ctrl.Manager, namespace string) (cache.Cache, error) {
	opts := kubecache.OneObjectOptions(namespace, AdmissionParamsName)
	opts.Scheme, opts.Mapper, opts.HTTPClient = mgr.GetScheme(), mgr.GetRESTMapper(), mgr.GetHTTPClient()
	c, err := cache.New(mgr.GetConfig(), opts)
	if err != nil {
		return nil, fmt.Errorf("creating the cache of the admission params: %w", err)
	}
	if err := mgr.Add(c); err != nil {
		return nil, fmt.Errorf("adding the cache of the admission params: %w", err)
	}
	startInformer := manager.RunnableFunc(func(ctx context.Context) error {
		// A failure here only delays the informer to the first decision.
		if _, err := c.GetInformer(ctx, &corev1.ConfigMap{}, cache.BlockUntilSynced(false)); err != nil {
			logf.FromContext(ctx).Error(err, "starting the informer of the admission params")
		}
		return nil
	})
	if err := mgr.Add(startInformer); err != nil {
		return nil, fmt.Errorf("adding the informer of the admission params: %w", err)
	}
	return c, nil
}

// admissionGuard says whether the admission policies are in force as
// shipped; promotions wait while they are not (promotion fails closed).
type admissionGuard struct {
	reader          client.Reader
	shipped         []enforcement.Manifest
	paramsNamespace string
	// external: the platform team enforces the same rules by other means
	// (--admission-enforced-externally); nothing is checked.
	external bool
}

// findings lists why the rules are not in force; none when they are.
func (g *admissionGuard) findings(ctx context.Context) ([]enforcement.Finding, error) {
	if g.external {
		return nil, nil
	}
	var policies admissionregistrationv1.ValidatingAdmissionPolicyList
	if err := g.reader.List(ctx, &policies); err != nil {
		return nil, fmt.Errorf("listing ValidatingAdmissionPolicies: %w", err)
	}
	var bindings admissionregistrationv1.ValidatingAdmissionPolicyBindingList
	if err := g.reader.List(ctx, &bindings); err != nil {
		return nil, fmt.Errorf("listing ValidatingAdmissionPolicyBindings: %w", err)
	}
	live := enforcement.Live{Policies: map[string]map[string]any{}, Bindings: map[string]map[string]any{}}
	for i := range policies.Items {
		spec, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&policies.Items[i].Spec)
		if err != nil {
			return nil, err
		}
		live.Policies[policies.Items[i].Name] = spec
	}
	for i := range bindings.Items {
		spec, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&bindings.Items[i].Spec)
		if err != nil {
			return nil, err
		}
		live.Bindings[bindings.Items[i].Name] = spec
	}
	found := enforcement.Check(g.shipped, live, g.paramsNamespace)
	metrics.SetAdmissionEnforced(len(found) == 0)
	return found, nil
}

// readyCheck fails while promotions are held, so the readiness probe says
// so (docs/governance.md).
func (g *admissionGuard) readyCheck(req *http.Request) error {
	found, err := g.findings(req.Context())
	if err != nil {
		return err
	}
	if len(found) > 0 {
		return fmt.Errorf("promotions are held: %s", found[0])
	}
	return nil
}

// ballotsOf are the Ballots cast on p, from the cache's index: never a List
// from the API server per reconcile. They are the cache's own objects, to
// read and never to change.
func (a *authority) ballotsOf(ctx context.Context, p *v1.Proposal) ([]*v1.Ballot, error) {
	var list v1.BallotList
	if err := a.client.List(ctx, &list, client.InNamespace(p.Namespace),
		client.MatchingFields{kubecache.IndexBallotProposal: p.Name}, client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("listing the Ballots of Proposal %s: %w", p.Name, err)
	}
	out := make([]*v1.Ballot, len(list.Items))
	for i := range list.Items {
		out[i] = &list.Items[i]
	}
	return out, nil
}

// input is what governance.Judge decides p by against roleSpec, its
// Ballots included.
func (a *authority) input(ctx context.Context, p *v1.Proposal, roleSpec *v1.RoleSpec, matrix *v1.SkillMatrix,
	now time.Time) (governance.Input, error) {
	ballots, err := a.ballotsOf(ctx, p)
	if err != nil {
		return governance.Input{}, err
	}
	return judgeInput(p, roleSpec, matrix, now, ballots), nil
}

// verdict is governance.Judge's, with the authority of every counted ballot
// re-checked when the votes alone would decide the Proposal (Accepted or
// Rejected): then the ballots that no longer count are left out, and what
// each approving reviewer owns is known, and the rules judge again. The
// questions are asked once per reconcile (checks): judging the Proposal
// again against another spec of its Role, as a batch does, reuses them.
func (a *authority) verdict(ctx context.Context, p *v1.Proposal, role *v1.Role, spec *v1.RoleSpec,
	matrix *v1.SkillMatrix, now time.Time, checks *ballotChecks) (governance.Verdict, error) {
	in, err := a.input(ctx, p, spec, matrix, now)
	if err != nil {
		return governance.Verdict{}, err
	}
	v := governance.Judge(in)
	if !decisive(v) {
		return v, nil
	}
	if checks == nil {
		checks = a.newBallotChecks()
	}
	revoked, owners, err := checks.check(ctx, p, role, matrix, v.Policy, v.Counted)
	if err != nil {
		return v, fmt.Errorf("re-checking the votes and reviews of Proposal %s: %w", p.Name, err)
	}
	if len(revoked) == 0 && owners == nil {
		return v, nil
	}
	in.Revoked, in.Owners = revoked, owners
	return governance.Judge(in), nil
}
