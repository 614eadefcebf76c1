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

package portal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// Acting as the person. Every write reaches the API server with
// Kubernetes impersonation of the verified user and groups
// (Impersonate-User, Impersonate-Group), so RBAC and the admission policies
// judge the person exactly as they judge kubectl. The portal's own
// ServiceAccount may write nothing by itself: with constrained
// impersonation (KEP-5284) it may impersonate users and groups only for the
// few writes below (config/portal/impersonator.yaml).

// actor writes as a person.
type actor interface {
	// createProposal creates p as id.
	createProposal(ctx context.Context, id *identity, p *v1.Proposal) error
	// cast writes id's vote or review of p (decision "" withdraws it).
	cast(ctx context.Context, id *identity, p *v1.Proposal, kind governance.BallotKind, decision, comment string) error
	// withdraw withdraws p, which id wrote.
	withdraw(ctx context.Context, id *identity, p *v1.Proposal) error
	// allowed asks the API server, as id, whether id may do what attrs say
	// (a SelfSubjectAccessReview).
	allowed(ctx context.Context, id *identity, attrs authorizationv1.ResourceAttributes) (bool, error)
}

// actingAs carries the identity to impersonate through a request's context
// into the transport.
type actingAsKey struct{}

func actingAs(ctx context.Context, id *identity) context.Context {
	return context.WithValue(ctx, actingAsKey{}, id)
}

// errNoIdentity is a write the portal tried without a person to act as: it
// never sends one.
var errNoIdentity = errors.New("the portal writes only as a signed-in person, and this request carries none")

// impersonatingTransport adds the impersonation headers of the context's
// identity to every request, and refuses any request without one: the
// writing client can never write as the portal itself.
type impersonatingTransport struct{ next http.RoundTripper }

func (t impersonatingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	id, _ := r.Context().Value(actingAsKey{}).(*identity)
	if id == nil || id.Username == "" {
		return nil, errNoIdentity
	}
	r = r.Clone(r.Context())
	for _, h := range []string{authenticationv1.ImpersonateUserHeader, authenticationv1.ImpersonateGroupHeader,
		authenticationv1.ImpersonateUIDHeader} {
		r.Header.Del(h)
	}
	for h := range r.Header {
		if len(h) > len(authenticationv1.ImpersonateUserExtraHeaderPrefix) &&
			http.CanonicalHeaderKey(h[:len(authenticationv1.ImpersonateUserExtraHeaderPrefix)]) ==
				http.CanonicalHeaderKey(authenticationv1.ImpersonateUserExtraHeaderPrefix) {
			r.Header.Del(h)
		}
	}
	r.Header.Set(authenticationv1.ImpersonateUserHeader, id.Username)
	for _, g := range id.Groups {
		r.Header.Add(authenticationv1.ImpersonateGroupHeader, g)
	}
	return t.next.RoundTrip(r)
}

// impersonator is the actor of a running portal: a client whose every
// request impersonates the identity in its context.
type impersonator struct {
	c client.Client
}

// newImpersonator builds the writing client from the portal's own
// configuration. It shares the manager's REST mapper, so it never needs
// discovery of its own (which would have no person to act as).
func newImpersonator(cfg *rest.Config, scheme *runtime.Scheme, mapper meta.RESTMapper) (*impersonator, error) {
	cfg = rest.CopyConfig(cfg)
	if cfg.Impersonate.UserName != "" {
		return nil, errors.New("the portal's own configuration impersonates already; it must run as itself")
	}
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return impersonatingTransport{next: rt} })
	c, err := client.New(cfg, client.Options{Scheme: scheme, Mapper: mapper})
	if err != nil {
		return nil, err
	}
	return &impersonator{c: c}, nil
}

func (a *impersonator) createProposal(ctx context.Context, id *identity, p *v1.Proposal) error {
	return a.c.Create(actingAs(ctx, id), p)
}

// FieldManagerPrefix starts the server-side apply field manager of a
// person's vote or review, as kubectl skillmatrix names it
// (internal/cli.FieldManagerPrefix): a vote cast in the portal and changed
// with the plugin, or the other way round, is the same entry of the same
// manager.
const FieldManagerPrefix = "kubectl-skillmatrix-"

// fieldManager is user's field manager, at most the API server's 128
// characters, as the CLI shortens it.
func fieldManager(user string) string {
	const maxLen = 128
	m := FieldManagerPrefix + user
	if len(m) <= maxLen {
		return m
	}
	sum := sha256.Sum256([]byte(user))
	suffix := "-" + hex.EncodeToString(sum[:8])
	return m[:maxLen-len(suffix)] + suffix
}

// cast writes the person's own entry of spec.votes or spec.reviews with
// server-side apply, as `kubectl skillmatrix vote` does: the entry alone,
// keyed by the username, under the person's field manager, so it never
// touches anyone else's. The groups recorded are the ones impersonated,
// which are what admission sees. The Proposal's UID makes it a
// precondition on this very Proposal.
//
// This is the one function to change when votes become Ballot objects.
func (a *impersonator) cast(ctx context.Context, id *identity, p *v1.Proposal, kind governance.BallotKind,
	decision, comment string) error {
	field, key := "votes", "voter"
	if kind == governance.BallotReview {
		field, key = "reviews", "reviewer"
	}
	u := &unstructured.Unstructured{Object: map[string]any{}}
	u.SetAPIVersion(v1.GroupVersion.String())
	u.SetKind("Proposal")
	u.SetNamespace(p.Namespace)
	u.SetName(p.Name)
	u.SetUID(p.UID)
	if decision != "" {
		item := map[string]any{key: id.Username, "decision": decision}
		if comment != "" {
			item["comment"] = comment
		}
		groups := make([]any, len(id.Groups))
		for i, g := range id.Groups {
			groups[i] = g
		}
		item["groups"] = groups
		u.Object["spec"] = map[string]any{field: []any{item}}
	}
	return a.c.Apply(actingAs(ctx, id), client.ApplyConfigurationFromUnstructured(u),
		client.FieldOwner(fieldManager(id.Username)), client.ForceOwnership)
}

// withdraw sets spec.withdrawn with a merge patch naming the Proposal's
// UID, as `kubectl skillmatrix withdraw` does.
func (a *impersonator) withdraw(ctx context.Context, id *identity, p *v1.Proposal) error {
	patch := fmt.Sprintf(`{"metadata":{"uid":%q},"spec":{"withdrawn":true}}`, p.UID)
	target := &v1.Proposal{}
	target.Namespace, target.Name = p.Namespace, p.Name
	return a.c.Patch(actingAs(ctx, id), target, client.RawPatch(types.MergePatchType, []byte(patch)))
}

func (a *impersonator) allowed(ctx context.Context, id *identity, attrs authorizationv1.ResourceAttributes) (bool, error) {
	review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
		ResourceAttributes: &attrs}}
	if err := a.c.Create(actingAs(ctx, id), review); err != nil {
		return false, err
	}
	return review.Status.Allowed, nil
}

// accessCache remembers the API server's answers to "may this person...?"
// for a short while, so a page load asks at most once per question.
type accessCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	answers map[string]accessAnswer
}

type accessAnswer struct {
	allowed bool
	at      time.Time
}

const maxAccessAnswers = 10000

func newAccessCache(ttl time.Duration) *accessCache {
	return &accessCache{ttl: ttl, answers: map[string]accessAnswer{}}
}

// may asks act whether id may do attrs, remembering the answer for ttl.
// An error of the API server (the portal lacking its grant, say) is no.
func (c *accessCache) may(ctx context.Context, act actor, id *identity, attrs authorizationv1.ResourceAttributes,
	now time.Time) bool {
	key := fmt.Sprintf("%q %q %q %q %q %q %q", id.Username, id.Groups, attrs.Namespace, attrs.Verb, attrs.Group,
		attrs.Resource, attrs.Name)
	c.mu.Lock()
	a, ok := c.answers[key]
	c.mu.Unlock()
	if ok && now.Sub(a.at) < c.ttl {
		return a.allowed
	}
	allowed, err := act.allowed(ctx, id, attrs)
	if err != nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.answers) >= maxAccessAnswers {
		for k, old := range c.answers {
			if now.Sub(old.at) >= c.ttl {
				delete(c.answers, k)
			}
		}
		if len(c.answers) >= maxAccessAnswers {
			c.answers = map[string]accessAnswer{}
		}
	}
	c.answers[key] = accessAnswer{allowed: allowed, at: now}
	return allowed
}
