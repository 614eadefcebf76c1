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
	"errors"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/source"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/notify/deliver"
)

// NotificationProviderReconciler says whether a provider works: its Secret
// is readable and its latest delivery (made by the rule and Follow
// controllers) went through. It sends nothing itself; a change in the
// deliveries' outcome wakes it.
type NotificationProviderReconciler struct {
	*notifier
	Recorder events.EventRecorder
}

type providerScope struct {
	provider *v1.NotificationProvider
	conds    *conditionSet
}

// Reconcile checks the Secret and writes the provider's health.
func (r *NotificationProviderReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var p v1.NotificationProvider
	if err := r.client.Get(ctx, req.NamespacedName, &p); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	original := p.DeepCopy()
	s := &providerScope{provider: &p, conds: newConditionSet(p.Generation, &p.Status.Conditions)}
	err := runSteps(ctx, s, r.checkSecret, r.reportHealth)
	p.Status.ObservedGeneration = p.Generation
	result, _, err := writeStatus(ctx, r.client, r.Recorder, &p, original, s.conds, ctrl.Result{}, err)
	return result, err
}

// checkSecret resolves the provider's target: a Secret that is missing or
// unreadable stalls it until someone mends it.
func (r *NotificationProviderReconciler) checkSecret(ctx context.Context, s *providerScope) (bool, error) {
	r.targets.forget(s.provider)
	if _, err := r.targets.resolve(ctx, r.notifier, s.provider); err != nil {
		var problem *secretProblem
		var refused *deliver.Error
		switch {
		case errors.As(err, &problem):
			s.conds.conclude(progressStalled, problem.reason, problem.msg)
		case errors.As(err, &refused):
			s.conds.conclude(progressStalled, v1.ReasonDeliveryRefused, refused.Msg)
		default:
			return true, err
		}
		return true, nil
	}
	return false, nil
}

// reportHealth writes the latest delivery's outcome.
func (r *NotificationProviderReconciler) reportHealth(_ context.Context, s *providerScope) (bool, error) {
	p := s.provider
	h, known := r.health.get(client.ObjectKeyFromObject(p))
	if known {
		if !h.lastDelivery.IsZero() {
			p.Status.LastDelivery = &metav1.Time{Time: h.lastDelivery.Truncate(time.Minute)}
		}
		if !h.lastFailure.IsZero() {
			p.Status.LastFailure = &metav1.Time{Time: h.lastFailure.Truncate(time.Second)}
		}
	}
	switch {
	case p.Spec.Suspend:
		s.conds.conclude(progressDone, v1.ReasonNotificationsSuspended, "suspended: messages are recorded and sent once resumed")
	case known && h.failing:
		s.conds.conclude(progressOf(h.reason), h.reason, "the last delivery failed: "+h.message)
	case known:
		s.conds.conclude(progressDone, v1.ReasonReady, "the last delivery went through")
	default:
		// The outcome of deliveries made before a restart is on the rules
		// and Follows; a provider that has not been used since says only
		// that it can be.
		if c := readyCondition(p.Status.Conditions); c != nil && c.ObservedGeneration == p.Generation &&
			(c.Reason == v1.ReasonDeliveryFailed || c.Reason == v1.ReasonDeliveryRefused) {
			s.conds.conclude(progressOf(c.Reason), c.Reason, c.Message)
			return true, nil
		}
		s.conds.conclude(progressDone, v1.ReasonReady, "the Secret is readable; nothing was delivered since the operator started")
	}
	return true, nil
}

// SetupWithManager registers the controller: a provider's own changes and
// the deliveries' reports wake it.
func (r *NotificationProviderReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1.NotificationProvider{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		WatchesRawSource(source.Channel(r.health.events, &handler.EnqueueRequestForObject{})).
		Named("notificationprovider").
		Complete(r)
}
