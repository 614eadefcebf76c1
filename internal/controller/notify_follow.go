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
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/notify"
)

// FollowReconciler tells a follower, by email, what happens to the
// Proposals of the Role they follow: at once or in a daily digest. It
// writes the Follow's status: its outbox, its provider and the token of its
// one-click unsubscribe link.
type FollowReconciler struct {
	*notifier
	Recorder events.EventRecorder
}

// followOutbox is the recipient name of a Follow's one outbox.
const followOutbox = "follow"

type followScope struct {
	follow   *v1.Follow
	original *v1.Follow
	conds    *conditionSet
	now      time.Time
	role     *v1.Role
	provider *v1.NotificationProvider
	address  string
	// stop is the reason the Follow cannot be delivered now, and its message.
	stop, stopMessage string
	delivery          *delivery
	out               outcome
	result            ctrl.Result
}

// Reconcile records what the follower hears and sends what is due.
func (r *FollowReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var f v1.Follow
	if err := r.client.Get(ctx, req.NamespacedName, &f); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !f.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}
	s := &followScope{follow: &f, original: f.DeepCopy(), now: r.now()}
	err := runSteps(ctx, s, r.fetchRole, r.findProvider, r.checkAddress, r.collect, r.deliver)
	s.conds = newConditionSet(s.follow.Generation, &s.follow.Status.Conditions)
	if err == nil {
		r.conclude(s)
	}
	s.follow.Status.ObservedGeneration = s.follow.Generation
	result, _, err := writeStatus(ctx, r.client, r.Recorder, s.follow, s.original, s.conds, s.result, err)
	return result, err
}

func (r *FollowReconciler) fetchRole(ctx context.Context, s *followScope) (bool, error) {
	var role v1.Role
	key := client.ObjectKey{Namespace: s.follow.Namespace, Name: string(s.follow.Spec.RoleRef)}
	if err := r.client.Get(ctx, key, &role); err != nil {
		if apierrors.IsNotFound(err) {
			s.stop, s.stopMessage = v1.ReasonRoleNotFound, fmt.Sprintf("Role %q does not exist in namespace %q", key.Name, key.Namespace)
			return true, nil
		}
		return true, err
	}
	s.role = &role
	return false, nil
}

// findProvider picks the namespace's SMTP provider that delivers Follows:
// the first by name.
func (r *FollowReconciler) findProvider(ctx context.Context, s *followScope) (bool, error) {
	var providers v1.NotificationProviderList
	if err := r.client.List(ctx, &providers, client.InNamespace(s.follow.Namespace)); err != nil {
		return true, fmt.Errorf("listing NotificationProviders: %w", err)
	}
	slices.SortFunc(providers.Items, func(a, b v1.NotificationProvider) int { return strings.Compare(a.Name, b.Name) })
	for i := range providers.Items {
		if p := &providers.Items[i]; p.Spec.Type == v1.ProviderSMTP && p.Spec.Follows != nil && p.DeletionTimestamp.IsZero() {
			s.provider = p
			s.follow.Status.Provider = v1.ObjectName(p.Name)
			return false, nil
		}
	}
	s.stop, s.stopMessage = v1.ReasonProviderNotFound, fmt.Sprintf("no NotificationProvider in namespace %q delivers Follows "+
		"(an SMTP provider with spec.follows set)", s.follow.Namespace)
	return true, nil
}

// checkAddress makes the follower's address and holds it to the domains
// the provider allows.
func (r *FollowReconciler) checkAddress(_ context.Context, s *followScope) (bool, error) {
	address, ok := notify.FollowAddress(s.follow, s.provider.Spec.SMTP, s.provider.Spec.Follows.AllowedDomains)
	switch {
	case address == "":
		s.stop, s.stopMessage = v1.ReasonAddressNotAllowed, fmt.Sprintf("the username %q is no email address and "+
			"NotificationProvider %q names no smtp.userDomain: set spec.email", s.follow.Spec.Subscriber, s.provider.Name)
		return true, nil
	case !ok:
		s.stop, s.stopMessage = v1.ReasonAddressNotAllowed, fmt.Sprintf("%q is not in the domains NotificationProvider %q "+
			"delivers Follows to (%s)", address, s.provider.Name, strings.Join(s.provider.Spec.Follows.AllowedDomains, ", "))
		return true, nil
	}
	if _, _, _, err := notify.Schedule(s.follow.Spec.Delivery); err != nil {
		s.stop, s.stopMessage = v1.ReasonInvalidSpec, "spec.delivery.timeZone: "+err.Error()
		return true, nil
	}
	s.address = address
	return false, nil
}

func (r *FollowReconciler) collect(ctx context.Context, s *followScope) (bool, error) {
	f := s.follow
	src, err := r.gather(ctx, f.Namespace, []*v1.Role{s.role}, notify.DefaultReminderBefore, s.now)
	if err != nil {
		return true, err
	}
	wanted := f.Spec.Events
	if len(wanted) == 0 {
		wanted = v1.DefaultFollowEvents()
	}
	mode, hour, loc, _ := notify.Schedule(f.Spec.Delivery)
	locale := string(f.Spec.Locale)
	if locale == "" {
		locale = string(v1.DefaultLocale)
	}
	rc := recipient{name: followOutbox, to: []string{s.address}, audience: notify.Audience{
		Locale: locale, Location: loc, PortalURL: r.opts.PortalURL, Namespace: f.Namespace,
		Why: notify.WhyFollow(locale, string(f.Spec.Subscriber), string(f.Spec.RoleRef)),
	}}
	if f.Status.UnsubscribeToken != "" && r.opts.UnsubscribeURL != "" {
		rc.audience.Unsubscribe = UnsubscribeLink(r.opts.UnsubscribeURL, f)
	}
	rc.audience.Unfollow = "kubectl skillmatrix unfollow " + string(f.Spec.RoleRef) + " -n " + f.Namespace
	for _, e := range src.events {
		if slices.Contains(wanted, e.Type) {
			rc.events = append(rc.events, e)
		}
	}
	s.delivery = &delivery{
		obj: f, outbox: followOutboxOf, start: f.CreationTimestamp.Time,
		scope:  notify.Scope{Start: f.CreationTimestamp.Time, Live: src.live, Open: src.open, Now: s.now},
		recips: []recipient{rc}, provider: s.provider, held: s.provider.Spec.Suspend,
		plan: planOf(s.provider, mode, hour, loc),
	}
	s.out.soonest(src.wake)
	return false, nil
}

// deliver runs the record protocol on the live Follow when there is
// anything to record or send; its first record also makes its unsubscribe
// token.
func (r *FollowReconciler) deliver(ctx context.Context, s *followScope) (bool, error) {
	work, wake := r.hasWork(s.delivery, s.now)
	s.out.soonest(wake)
	if !work && s.follow.Status.UnsubscribeToken != "" {
		return false, nil
	}
	var live v1.Follow
	if err := r.live.Get(ctx, client.ObjectKeyFromObject(s.follow), &live); err != nil {
		return true, client.IgnoreNotFound(err)
	}
	*s.follow = live
	s.original = live.DeepCopy()
	if s.follow.Status.UnsubscribeToken == "" {
		token, err := newToken()
		if err != nil {
			return true, err
		}
		s.follow.Status.UnsubscribeToken = token
		s.follow.Status.Provider = v1.ObjectName(s.provider.Name)
		if r.opts.UnsubscribeURL != "" {
			s.delivery.recips[0].audience.Unsubscribe = UnsubscribeLink(r.opts.UnsubscribeURL, s.follow)
		}
		if err := patchStatus(ctx, r.client, s.follow, s.original); err != nil {
			return true, staleIfRace(err)
		}
		s.original = s.follow.DeepCopy()
	}
	s.delivery.obj = s.follow
	written, out, err := r.run(ctx, s.delivery, s.original)
	*s.follow = *written.(*v1.Follow).DeepCopy()
	s.original = s.follow.DeepCopy()
	out.soonest(s.out.wake)
	s.out = out
	return false, err
}

func (r *FollowReconciler) conclude(s *followScope) {
	switch s.stop {
	case v1.ReasonRoleNotFound, v1.ReasonProviderNotFound:
		s.conds.conclude(progressInFlight, s.stop, s.stopMessage)
		return
	case v1.ReasonAddressNotAllowed, v1.ReasonInvalidSpec:
		s.conds.conclude(progressStalled, s.stop, s.stopMessage)
		return
	}
	concludeDelivery(s.conds, s.follow.Status.Conditions, s.out, failingOutboxes(s.follow.Status.Outbox), s.delivery.held)
	if c := readyCondition(s.follow.Status.Conditions); r.opts.UnsubscribeURL == "" && c != nil && c.Reason == v1.ReasonReady {
		s.conds.conclude(progressDone, v1.ReasonReady, "messages go through; they carry no one-click unsubscribe link, "+
			"as the operator has no public address for it (--notification-unsubscribe-url), but name the unfollow command")
	}
	s.result = ctrl.Result{RequeueAfter: requeueAt(s.out.wake, r.now())}
}

// followOutboxOf is a Follow's outbox.
func followOutboxOf(obj client.Object, _ string, create bool) *v1.Outbox {
	f := obj.(*v1.Follow)
	if f.Status.Outbox == nil && create {
		f.Status.Outbox = &v1.Outbox{Recipient: followOutbox}
	}
	return f.Status.Outbox
}

// newToken is an unsubscribe token: 32 random bytes, in hex.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making an unsubscribe token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// UnsubscribeLink is a Follow's one-click unsubscribe link (RFC 8058) under
// base, the public address of the manager's unsubscribe endpoint.
func UnsubscribeLink(base string, f *v1.Follow) string {
	return base + "/unsubscribe/" + url.PathEscape(f.Namespace) + "/" + url.PathEscape(f.Name) + "/" + f.Status.UnsubscribeToken
}

// followsFor maps a change in a namespace to the Follows of role (all of
// the namespace's when role is empty).
func (r *FollowReconciler) followsFor(ctx context.Context, namespace, role string) []reconcile.Request {
	var follows v1.FollowList
	opts := []client.ListOption{client.InNamespace(namespace), client.UnsafeDisableDeepCopy}
	if role != "" {
		opts = append(opts, client.MatchingFields{indexFollowRole: role})
	}
	if err := r.client.List(ctx, &follows, opts...); err != nil {
		logf.FromContext(ctx).Error(err, "listing Follows", "namespace", namespace, "role", role)
		return nil
	}
	out := make([]reconcile.Request, 0, len(follows.Items))
	for i := range follows.Items {
		out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&follows.Items[i])})
	}
	return out
}

// SetupWithManager registers the controller and its watches.
func (r *FollowReconciler) SetupWithManager(mgr ctrl.Manager, concurrency int) error {
	b := ctrl.NewControllerManagedBy(mgr).
		For(&v1.Follow{}, builder.WithPredicates(predicate.GenerationChangedPredicate{}))
	return watchNotificationSources(b, r.followsFor).
		WithOptions(controller.Options{MaxConcurrentReconciles: concurrency}).
		Named("follow").
		Complete(r)
}
