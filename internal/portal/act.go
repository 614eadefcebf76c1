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
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/kubecache"
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
	// getFollow reads the Follow key names, as id: the portal's own
	// ServiceAccount may not read Follows (they hold addresses).
	getFollow(ctx context.Context, id *identity, key client.ObjectKey) (*v1.Follow, error)
	// createFollow creates f as id.
	createFollow(ctx context.Context, id *identity, f *v1.Follow) error
	// patchFollow changes the delivery and locale of have, as id.
	patchFollow(ctx context.Context, id *identity, have *v1.Follow, delivery *v1.DeliverySchedule, locale v1.Locale) error
	// deleteFollow deletes have, as id.
	deleteFollow(ctx context.Context, id *identity, have *v1.Follow) error
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
	// reader is the portal's cache: the person's own Ballots are read
	// there, never as the person.
	reader client.Reader
}

// newImpersonator builds the writing client from the portal's own
// configuration. It shares the manager's REST mapper, so it never needs
// discovery of its own (which would have no person to act as).
func newImpersonator(cfg *rest.Config, scheme *runtime.Scheme, mapper meta.RESTMapper,
	reader client.Reader) (*impersonator, error) {
	cfg = rest.CopyConfig(cfg)
	if cfg.Impersonate.UserName != "" {
		return nil, errors.New("the portal's own configuration impersonates already; it must run as itself")
	}
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return impersonatingTransport{next: rt} })
	c, err := client.New(cfg, client.Options{Scheme: scheme, Mapper: mapper})
	if err != nil {
		return nil, err
	}
	return &impersonator{c: c, reader: reader}, nil
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

// cast writes the person's own Ballot of the kind on p, as
// `kubectl skillmatrix vote` and `review` do (internal/cli/vote.go): with
// server-side apply under the person's field manager, named after the
// Proposal, the kind and the username (or the name of the person's newest
// Ballot of the kind, as the portal's cache holds it), owned by p, cast on
// p's generation as read. The groups recorded are the ones impersonated,
// which are what the Ballot policy compares them with. No other ballot is
// read or rewritten. Older ballots of the person's own are deleted once the
// new one is stored. decision "" withdraws: it deletes the person's Ballots
// and their entry of spec.votes or spec.reviews from before Ballots.
func (a *impersonator) cast(ctx context.Context, id *identity, p *v1.Proposal, kind governance.BallotKind,
	decision, comment string) error {
	bk := v1.BallotKindVote
	if kind == governance.BallotReview {
		bk = v1.BallotKindReview
	}
	mine, err := a.ballotsOf(ctx, p, bk, id.Username)
	if err != nil {
		return err
	}
	as := actingAs(ctx, id)
	if decision == "" {
		for i := range mine {
			if err := a.c.Delete(as, &mine[i], client.Preconditions{UID: &mine[i].UID}); err != nil &&
				!apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
				return err
			}
		}
		return a.removeLegacyEntry(as, id, p, kind)
	}
	b := &v1.Ballot{
		TypeMeta: metav1.TypeMeta{APIVersion: v1.GroupVersion.String(), Kind: "Ballot"},
		ObjectMeta: metav1.ObjectMeta{Namespace: p.Namespace, Name: ballotNameFor(p, bk, id.Username, mine),
			OwnerReferences: []metav1.OwnerReference{{APIVersion: v1.GroupVersion.String(), Kind: "Proposal",
				Name: p.Name, UID: p.UID}}},
		Spec: v1.BallotSpec{ProposalRef: v1.ObjectName(p.Name), RoleRef: p.Spec.RoleRef, Kind: bk,
			Voter: v1.Username(id.Username), Decision: v1.BallotDecision(decision), Comment: comment,
			Groups: slices.Clone(id.Groups), ProposalGeneration: p.Generation},
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(b)
	if err != nil {
		return err
	}
	u := &unstructured.Unstructured{Object: m}
	// Server-side apply refuses the typed object's null creationTimestamp.
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	owner := client.FieldOwner(fieldManager(id.Username))
	stored := b.Name
	if err := a.c.Apply(as, client.ApplyConfigurationFromUnstructured(u), owner, client.ForceOwnership); err != nil {
		if !a.takenByAnother(ctx, b, err) {
			return err
		}
		// Someone else holds the name (a name can be taken first): a
		// ballot of the person's own under another, as the CLI does.
		b.Name = v1.BallotName(p.Name, bk, v1.Username(id.Username+"\n"+utilrand.String(8)))
		if err := a.c.Create(as, b, owner); err != nil {
			return err
		}
		stored = b.Name
	}
	// Older ballots of the person's own are superseded by this one;
	// failing to delete them is harmless (the newest counts).
	for i := range mine {
		if mine[i].Name != stored {
			_ = a.c.Delete(as, &mine[i], client.Preconditions{UID: &mine[i].UID})
		}
	}
	return nil
}

// takenByAnother says whether the apply of b failed because its name holds
// another ballot: someone else's, or one of another Proposal or kind (the
// cache shows it, or the API server says a field that names whose and what
// a ballot is cannot change). A name can be taken first on purpose; the
// person then votes under another name of their own.
func (a *impersonator) takenByAnother(ctx context.Context, b *v1.Ballot, err error) bool {
	var taken v1.Ballot
	if getErr := a.reader.Get(ctx, client.ObjectKeyFromObject(b), &taken); getErr == nil {
		return taken.Spec.Voter != b.Spec.Voter || taken.Spec.ProposalRef != b.Spec.ProposalRef ||
			taken.Spec.Kind != b.Spec.Kind
	}
	return apierrors.IsInvalid(err) && strings.Contains(err.Error(), "is immutable")
}

// ballotsOf are the person's Ballots of kind on p, as the cache holds them.
func (a *impersonator) ballotsOf(ctx context.Context, p *v1.Proposal, kind v1.BallotKind, user string) ([]v1.Ballot, error) {
	var list v1.BallotList
	if err := a.reader.List(ctx, &list, client.InNamespace(p.Namespace),
		client.MatchingFields{kubecache.IndexBallotProposal: p.Name}); err != nil {
		return nil, err
	}
	return slices.DeleteFunc(list.Items, func(b v1.Ballot) bool {
		return string(b.Spec.ProposalRef) != p.Name || string(b.Spec.Voter) != user || b.Spec.Kind != kind
	}), nil
}

// ballotNameFor is the name of the Ballot to write: the newest of the
// person's own ballots of the kind, else the name kubectl skillmatrix
// gives it (v1.BallotName), so the portal and the plugin write the same
// object.
func ballotNameFor(p *v1.Proposal, kind v1.BallotKind, user string, mine []v1.Ballot) string {
	if len(mine) == 0 {
		return v1.BallotName(p.Name, kind, v1.Username(user))
	}
	return slices.MaxFunc(mine, func(a, b v1.Ballot) int {
		if c := a.CreationTimestamp.Compare(b.CreationTimestamp.Time); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	}).Name
}

// removeLegacyEntry removes the person's entry of spec.votes or
// spec.reviews, how votes were cast before Ballots, with a JSON patch that
// first tests the entry is still theirs there and names the Proposal's UID.
// No entry is nothing to do.
func (a *impersonator) removeLegacyEntry(as context.Context, id *identity, p *v1.Proposal,
	kind governance.BallotKind) error {
	field, key := "votes", "voter"
	i := slices.IndexFunc(p.Spec.Votes, func(v v1.Vote) bool { return string(v.Voter) == id.Username })
	if kind == governance.BallotReview {
		field, key = "reviews", "reviewer"
		i = slices.IndexFunc(p.Spec.Reviews, func(r v1.Review) bool { return string(r.Reviewer) == id.Username })
	}
	if i < 0 {
		return nil
	}
	entry := fmt.Sprintf("/spec/%s/%d", field, i)
	type op struct {
		Op    string `json:"op"`
		Path  string `json:"path"`
		Value string `json:"value,omitempty"`
	}
	patch, err := json.Marshal([]op{
		{Op: "test", Path: "/metadata/uid", Value: string(p.UID)},
		{Op: "test", Path: entry + "/" + key, Value: id.Username},
		{Op: "remove", Path: entry},
	})
	if err != nil {
		return err
	}
	target := &v1.Proposal{}
	target.Namespace, target.Name = p.Namespace, p.Name
	return a.c.Patch(as, target, client.RawPatch(types.JSONPatchType, patch), client.FieldOwner(fieldManager(id.Username)))
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

func (a *impersonator) getFollow(ctx context.Context, id *identity, key client.ObjectKey) (*v1.Follow, error) {
	var f v1.Follow
	if err := a.c.Get(actingAs(ctx, id), key, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

func (a *impersonator) createFollow(ctx context.Context, id *identity, f *v1.Follow) error {
	return a.c.Create(actingAs(ctx, id), f)
}

// patchFollow sets spec.delivery and spec.locale of have with a JSON merge
// patch that names its UID: a Follow deleted and made again since it was
// read is not changed. Nothing else of the Follow (its email, its events)
// changes, so no resourceVersion is needed: the operator writing its status
// in between takes nothing from the person.
func (a *impersonator) patchFollow(ctx context.Context, id *identity, have *v1.Follow, delivery *v1.DeliverySchedule,
	locale v1.Locale) error {
	patch, err := followPatch(have, delivery, locale)
	if err != nil {
		return err
	}
	target := &v1.Follow{}
	target.Namespace, target.Name = have.Namespace, have.Name
	return a.c.Patch(actingAs(ctx, id), target, client.RawPatch(types.MergePatchType, patch))
}

// followPatch is the merge patch of patchFollow: a field the new delivery
// leaves out is removed (null), so Instant drops the digest's hour.
func followPatch(have *v1.Follow, delivery *v1.DeliverySchedule, locale v1.Locale) ([]byte, error) {
	d := map[string]any{"mode": nil, "hour": nil, "timeZone": nil}
	if delivery != nil {
		if delivery.Mode != "" {
			d["mode"] = delivery.Mode
		}
		if delivery.Hour != nil {
			d["hour"] = *delivery.Hour
		}
		if delivery.TimeZone != "" {
			d["timeZone"] = delivery.TimeZone
		}
	}
	var l any
	if locale != "" {
		l = locale
	}
	return json.Marshal(map[string]any{
		"metadata": map[string]any{"uid": have.UID},
		"spec":     map[string]any{"delivery": d, "locale": l},
	})
}

// deleteFollow deletes have, on the condition that it is still the object
// read (its UID).
func (a *impersonator) deleteFollow(ctx context.Context, id *identity, have *v1.Follow) error {
	target := &v1.Follow{}
	target.Namespace, target.Name = have.Namespace, have.Name
	return a.c.Delete(actingAs(ctx, id), target, client.Preconditions{UID: &have.UID})
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
