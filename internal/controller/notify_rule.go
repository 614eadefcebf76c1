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
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/kubecache"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/notify"
)

// NotificationRuleReconciler tells a rule's channel, and the reviewers it
// and the SkillMatrix name, what happens to the Proposals of the Roles it
// selects. It writes the rule's status: the outbox of each recipient and
// where the deliveries stand.
type NotificationRuleReconciler struct {
	*notifier
	Recorder events.EventRecorder
}

type ruleScope struct {
	rule     *v1.NotificationRule
	original *v1.NotificationRule
	conds    *conditionSet
	now      time.Time
	provider *v1.NotificationProvider
	delivery *delivery
	// noAddress names reviewers no email address can be made for.
	noAddress []string
	out       outcome
	result    ctrl.Result
}

// Reconcile records what the rule's recipients hear and sends what is due.
func (r *NotificationRuleReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var rule v1.NotificationRule
	if err := r.client.Get(ctx, req.NamespacedName, &rule); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !rule.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}
	s := &ruleScope{rule: &rule, original: rule.DeepCopy(), now: r.now()}
	err := runSteps(ctx, s, r.fetchProvider, r.collect, r.deliver)
	s.conds = newConditionSet(s.rule.Generation, &s.rule.Status.Conditions)
	if err == nil {
		r.conclude(s)
	}
	s.rule.Status.ObservedGeneration = s.rule.Generation
	result, _, err := writeStatus(ctx, r.client, r.Recorder, s.rule, s.original, s.conds, s.result, err)
	return result, err
}

func (r *NotificationRuleReconciler) fetchProvider(ctx context.Context, s *ruleScope) (bool, error) {
	var p v1.NotificationProvider
	key := client.ObjectKey{Namespace: s.rule.Namespace, Name: string(s.rule.Spec.ProviderRef.Name)}
	if err := r.client.Get(ctx, key, &p); err != nil {
		if apierrors.IsNotFound(err) {
			return true, nil // concluded as ProviderNotFound
		}
		return true, err
	}
	s.provider = &p
	return false, nil
}

// collect derives what each recipient may hear now: the channel everything
// the rule tells; through an SMTP provider, each reviewer asked for a
// review an email of their own.
func (r *NotificationRuleReconciler) collect(ctx context.Context, s *ruleScope) (bool, error) {
	rule, p := s.rule, s.provider
	roles, err := r.selectedRoles(ctx, rule)
	if err != nil {
		return true, err
	}
	sources, err := r.gather(ctx, rule.Namespace, roles, reminderBefore(rule.Spec.ReminderBefore), s.now)
	if err != nil {
		return true, err
	}
	mode, hour, loc, err := notify.Schedule(rule.Spec.Delivery)
	if err != nil {
		loc = time.UTC // concluded as InvalidSpec
	}
	wanted := rule.Spec.Events
	if len(wanted) == 0 {
		wanted = v1.AllNotificationEvents()
	}
	locale := string(rule.Spec.Locale)
	if locale == "" {
		locale = string(v1.DefaultLocale)
	}
	base := notify.Audience{Locale: locale, Location: loc, PortalURL: r.opts.PortalURL, Namespace: rule.Namespace}
	asked := func(e notify.Event) []string {
		users := e.Asked(rule.Spec.Reviewers)
		out := make([]string, 0, len(users))
		for _, u := range users {
			out = append(out, string(u))
		}
		return out
	}
	channel := recipient{name: v1.OutboxChannel, audience: base, asked: asked}
	channel.audience.Why = notify.WhyRule(locale, rule.Name, rule.Namespace)
	for _, e := range sources.events {
		if slices.Contains(wanted, e.Type) {
			channel.events = append(channel.events, e)
		}
	}
	var recips []recipient
	smtp := p.Spec.Type == v1.ProviderSMTP
	if !smtp || len(rule.Spec.To) > 0 {
		channel.to = rule.Spec.To
		recips = append(recips, channel)
	}
	if smtp {
		recips = append(recips, r.reviewers(s, sources.events, wanted, base)...)
	}
	s.delivery = &delivery{
		obj: rule, outbox: ruleOutbox, prune: pruneRuleOutboxes, start: rule.CreationTimestamp.Time,
		scope:  notify.Scope{Start: rule.CreationTimestamp.Time, Live: sources.live, Open: sources.open, Now: s.now},
		recips: recips, provider: p, held: rule.Spec.Suspend || p.Spec.Suspend,
		plan: planOf(p, mode, hour, loc),
	}
	s.out.soonest(sources.wake)
	return false, nil
}

// reviewers are the recipients of personal review requests: everyone a
// ReviewNeeded or DeadlineNear event asks, who has an address.
func (r *NotificationRuleReconciler) reviewers(s *ruleScope, derived []notify.Event, wanted []v1.NotificationEvent,
	base notify.Audience) []recipient {
	byUser := map[v1.Username]*recipient{}
	var order []v1.Username
	for _, e := range derived {
		if (e.Type != v1.EventReviewNeeded && e.Type != v1.EventDeadlineNear) || !slices.Contains(wanted, e.Type) {
			continue
		}
		for _, u := range e.Asked(s.rule.Spec.Reviewers) {
			rc, ok := byUser[u]
			if !ok {
				address, ok := notify.Address(u, s.provider.Spec.SMTP.UserDomain)
				if !ok {
					if !slices.Contains(s.noAddress, string(u)) {
						s.noAddress = append(s.noAddress, string(u))
					}
					continue
				}
				rc = &recipient{name: string(u), to: []string{address}, audience: base}
				rc.audience.Why = notify.WhyReviewer(base.Locale, s.rule.Name, s.rule.Namespace)
				rc.asked = func(e notify.Event) []string { return []string{string(u)} }
				byUser[u] = rc
				order = append(order, u)
			}
			rc.events = append(rc.events, e)
		}
	}
	// A reviewer whose outbox still holds something keeps it.
	for _, ob := range s.rule.Status.Outboxes {
		u := v1.Username(ob.Recipient)
		if ob.Recipient == v1.OutboxChannel || byUser[u] != nil || (len(ob.Pending) == 0 && len(ob.Recorded) == 0) {
			continue
		}
		if address, ok := notify.Address(u, s.provider.Spec.SMTP.UserDomain); ok {
			byUser[u] = &recipient{name: ob.Recipient, to: []string{address}, audience: base}
			byUser[u].audience.Why = notify.WhyReviewer(base.Locale, s.rule.Name, s.rule.Namespace)
			order = append(order, u)
		}
	}
	out := make([]recipient, 0, len(order))
	for _, u := range order {
		out = append(out, *byUser[u])
	}
	return out
}

// deliver runs the record protocol on the live rule when there is anything
// to record or send.
func (r *NotificationRuleReconciler) deliver(ctx context.Context, s *ruleScope) (bool, error) {
	work, wake := r.hasWork(s.delivery, s.now)
	s.out.soonest(wake)
	if !work {
		return false, nil
	}
	var live v1.NotificationRule
	if err := r.live.Get(ctx, client.ObjectKeyFromObject(s.rule), &live); err != nil {
		return true, client.IgnoreNotFound(err)
	}
	*s.rule = live
	s.original = live.DeepCopy()
	s.delivery.obj = s.rule
	written, out, err := r.run(ctx, s.delivery, s.original)
	*s.rule = *written.(*v1.NotificationRule).DeepCopy()
	s.original = s.rule.DeepCopy()
	out.soonest(s.out.wake)
	s.out = out
	return false, err
}

// conclude says where the rule stands and when to look again.
func (r *NotificationRuleReconciler) conclude(s *ruleScope) {
	rule := s.rule
	if s.provider == nil {
		s.conds.conclude(progressInFlight, v1.ReasonProviderNotFound,
			fmt.Sprintf("NotificationProvider %q does not exist in namespace %q", rule.Spec.ProviderRef.Name, rule.Namespace))
		return
	}
	if _, _, _, err := notify.Schedule(rule.Spec.Delivery); err != nil {
		s.conds.conclude(progressStalled, v1.ReasonInvalidSpec, "spec.delivery.timeZone: "+err.Error())
		return
	}
	obs := make([]*v1.Outbox, 0, len(rule.Status.Outboxes))
	for i := range rule.Status.Outboxes {
		obs = append(obs, &rule.Status.Outboxes[i])
	}
	concludeDelivery(s.conds, rule.Status.Conditions, s.out, failingOutboxes(obs...), s.delivery.held)
	if len(s.noAddress) > 0 {
		if c := readyCondition(rule.Status.Conditions); c != nil && c.Reason == v1.ReasonReady {
			s.conds.conclude(progressDone, v1.ReasonReady, "messages go through; no email address for "+
				strings.Join(s.noAddress, ", ")+" (set the provider's smtp.userDomain, or name them by address)")
		}
	}
	s.result = ctrl.Result{RequeueAfter: requeueAt(s.out.wake, r.now())}
}

// ruleOutbox finds a recipient's outbox in a rule's status.
func ruleOutbox(obj client.Object, name string, create bool) *v1.Outbox {
	rule := obj.(*v1.NotificationRule)
	for i := range rule.Status.Outboxes {
		if rule.Status.Outboxes[i].Recipient == name {
			return &rule.Status.Outboxes[i]
		}
	}
	if !create {
		return nil
	}
	rule.Status.Outboxes = append(rule.Status.Outboxes, v1.Outbox{Recipient: name})
	return &rule.Status.Outboxes[len(rule.Status.Outboxes)-1]
}

// pruneRuleOutboxes drops the outboxes of recipients no longer named that
// hold nothing pending and nothing recorded.
func pruneRuleOutboxes(obj client.Object, keep map[string]bool) bool {
	rule := obj.(*v1.NotificationRule)
	before := len(rule.Status.Outboxes)
	rule.Status.Outboxes = slices.DeleteFunc(rule.Status.Outboxes, func(ob v1.Outbox) bool {
		return !keep[ob.Recipient] && len(ob.Pending) == 0 && len(ob.Recorded) == 0
	})
	return len(rule.Status.Outboxes) != before
}

// planOf is how a provider and a schedule deliver.
func planOf(p *v1.NotificationProvider, mode v1.DeliveryMode, hour int, loc *time.Location) notify.Plan {
	plan := notify.Plan{Mode: mode, Window: notify.DefaultWindow, DigestAfter: notify.DefaultDigestAfter, Hour: hour, Location: loc}
	if b := p.Spec.Batching; b != nil {
		if b.Window != nil {
			plan.Window = b.Window.Duration
		}
		if b.DigestAfter != nil {
			plan.DigestAfter = int(*b.DigestAfter)
		}
	}
	return plan
}

func reminderBefore(d *metav1Duration) time.Duration {
	if d == nil {
		return notify.DefaultReminderBefore
	}
	return d.Duration
}

// selectedRoles are the Roles a rule selects, from the cache.
func (r *NotificationRuleReconciler) selectedRoles(ctx context.Context, rule *v1.NotificationRule) ([]*v1.Role, error) {
	var roles v1.RoleList
	opts := []client.ListOption{client.InNamespace(rule.Namespace), client.UnsafeDisableDeepCopy}
	if rule.Spec.MatrixRef != "" {
		opts = append(opts, client.MatchingFields{kubecache.IndexRoleMatrix: string(rule.Spec.MatrixRef)})
	}
	if err := r.client.List(ctx, &roles, opts...); err != nil {
		return nil, fmt.Errorf("listing the Roles of NotificationRule %q: %w", rule.Name, err)
	}
	out := make([]*v1.Role, 0, len(roles.Items))
	for i := range roles.Items {
		if len(rule.Spec.Roles) == 0 || slices.Contains(rule.Spec.Roles, v1.ObjectName(roles.Items[i].Name)) {
			out = append(out, &roles.Items[i])
		}
	}
	return out, nil
}

// ruleSelects reports whether rule selects the Role named role of matrix.
func ruleSelects(rule *v1.NotificationRule, role, matrix string) bool {
	switch {
	case len(rule.Spec.Roles) > 0:
		return slices.Contains(rule.Spec.Roles, v1.ObjectName(role))
	case rule.Spec.MatrixRef != "":
		return string(rule.Spec.MatrixRef) == matrix
	}
	return true
}

// rulesFor maps a change in a namespace to the rules that select role (all
// of the namespace's rules when role is empty).
func (r *NotificationRuleReconciler) rulesFor(ctx context.Context, namespace, role string) []reconcile.Request {
	var rules v1.NotificationRuleList
	if err := r.client.List(ctx, &rules, client.InNamespace(namespace), client.UnsafeDisableDeepCopy); err != nil {
		logf.FromContext(ctx).Error(err, "listing NotificationRules", "namespace", namespace)
		return nil
	}
	if len(rules.Items) == 0 {
		return nil
	}
	matrix := ""
	if role != "" {
		var ro v1.Role
		if err := r.client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: role}, &ro); err == nil {
			matrix = string(ro.Spec.MatrixRef)
		}
	}
	var out []reconcile.Request
	for i := range rules.Items {
		if role == "" || ruleSelects(&rules.Items[i], role, matrix) {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&rules.Items[i])})
		}
	}
	return out
}

// SetupWithManager registers the controller and its watches: the rule, the
// Proposals and Roles it selects, their SkillMatrices (category owners),
// GitWriteBacks and its provider.
func (r *NotificationRuleReconciler) SetupWithManager(mgr ctrl.Manager, concurrency int) error {
	byNamespace := func(ctx context.Context, obj client.Object) []reconcile.Request {
		return r.rulesFor(ctx, obj.GetNamespace(), "")
	}
	b := ctrl.NewControllerManagedBy(mgr).
		For(&v1.NotificationRule{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&v1.SkillMatrix{}, handler.EnqueueRequestsFromMapFunc(byNamespace),
			builder.WithPredicates(predicate.GenerationChangedPredicate{}))
	return watchNotificationSources(b, r.rulesFor).
		WithOptions(controller.Options{MaxConcurrentReconciles: concurrency}).
		Named("notificationrule").
		Complete(r)
}
