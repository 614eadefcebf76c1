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
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/kubecache"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/notify"
)

// metav1Duration is the type of the durations of the notification specs.
type metav1Duration = metav1.Duration

// sources are the events some Roles derive now, from the cache: their
// Proposals', their reverts, and the failures of the GitWriteBacks that
// select them; with every Proposal's creation (live), those not closed
// (open), and when a reminder falls due (wake).
type sources struct {
	events     []notify.Event
	live, open map[string]time.Time
	wake       time.Time
}

// gather derives the events of roles in namespace at now.
func (n *notifier) gather(ctx context.Context, namespace string, roles []*v1.Role, before time.Duration, now time.Time) (sources, error) {
	out := sources{live: map[string]time.Time{}, open: map[string]time.Time{}}
	matrices := map[v1.ObjectName]*v1.SkillMatrixSpec{}
	for _, role := range roles {
		matrix, seen := matrices[role.Spec.MatrixRef]
		if !seen {
			var m v1.SkillMatrix
			err := n.client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: string(role.Spec.MatrixRef)}, &m)
			switch {
			case err == nil:
				matrix = &m.Spec
			case !apierrors.IsNotFound(err):
				return out, fmt.Errorf("getting SkillMatrix %q: %w", role.Spec.MatrixRef, err)
			}
			matrices[role.Spec.MatrixRef] = matrix
		}
		var proposals v1.ProposalList
		if err := n.client.List(ctx, &proposals, client.InNamespace(namespace),
			client.MatchingFields{kubecache.IndexProposalRole: role.Name}, client.UnsafeDisableDeepCopy); err != nil {
			return out, fmt.Errorf("listing the Proposals of Role %q: %w", role.Name, err)
		}
		for i := range proposals.Items {
			p := &proposals.Items[i]
			if !p.DeletionTimestamp.IsZero() {
				continue
			}
			if p.Status.Phase != v1.PhaseApplied && role.Status.HistoryEntry(string(p.UID)) != nil {
				// The Role's history records it in the write that
				// republishes the matrix, before the Proposal marks itself
				// Applied: tell it from there. (A copy: the list shares
				// the cache's objects.)
				applied := *p
				applied.Status.Phase = v1.PhaseApplied
				p = &applied
			}
			out.live[string(p.UID)] = p.CreationTimestamp.Time
			if !p.Status.Phase.IsClosed() {
				out.open[string(p.UID)] = p.CreationTimestamp.Time
			}
			events, wake := notify.ProposalEvents(p, matrix, n.reviewers(ctx, p), now, before)
			out.events = append(out.events, events...)
			if !wake.IsZero() && (out.wake.IsZero() || wake.Before(out.wake)) {
				out.wake = wake
			}
		}
		out.events = append(out.events, notify.RoleEvents(role)...)
	}
	if len(roles) == 0 {
		return out, nil
	}
	var writeBacks v1.GitWriteBackList
	if err := n.client.List(ctx, &writeBacks, client.InNamespace(namespace), client.UnsafeDisableDeepCopy); err != nil {
		return out, fmt.Errorf("listing GitWriteBacks: %w", err)
	}
	for i := range writeBacks.Items {
		g := writeBacks.Items[i]
		for _, role := range roles {
			if t := selectWriteBack(role, []v1.GitWriteBack{g}); t != nil && t.problem == nil {
				out.events = append(out.events, notify.WriteBackEvents(&g)...)
				break
			}
		}
	}
	return out, nil
}

// reviewers are the users whose review Ballots an open Proposal has, from
// the cache (a closed one needs none).
func (n *notifier) reviewers(ctx context.Context, p *v1.Proposal) []v1.Username {
	if p.Status.Phase.IsClosed() {
		return nil
	}
	var ballots v1.BallotList
	if err := n.client.List(ctx, &ballots, client.InNamespace(p.Namespace),
		client.MatchingFields{kubecache.IndexBallotProposal: p.Name}, client.UnsafeDisableDeepCopy); err != nil {
		return nil
	}
	var out []v1.Username
	for i := range ballots.Items {
		if ballots.Items[i].Spec.Kind == v1.BallotKindReview {
			out = append(out, ballots.Items[i].Spec.Voter)
		}
	}
	return out
}

// recipientsOf maps a change in namespace (to role, or to every Role when
// role is empty) to the rules or Follows that may have to tell it.
type recipientsOf func(ctx context.Context, namespace, role string) []reconcile.Request

// watchNotificationSources adds the watches both notification controllers
// share: the Proposals and Roles events are derived from, the GitWriteBacks
// whose failures are told, and the providers that deliver.
func watchNotificationSources(b *builder.Builder, to recipientsOf) *builder.Builder {
	byProposal := func(ctx context.Context, obj client.Object) []reconcile.Request {
		return to(ctx, obj.GetNamespace(), string(obj.(*v1.Proposal).Spec.RoleRef))
	}
	byRole := func(ctx context.Context, obj client.Object) []reconcile.Request {
		return to(ctx, obj.GetNamespace(), obj.GetName())
	}
	byNamespace := func(ctx context.Context, obj client.Object) []reconcile.Request {
		return to(ctx, obj.GetNamespace(), "")
	}
	return b.
		Watches(&v1.Proposal{}, handler.EnqueueRequestsFromMapFunc(byProposal)).
		Watches(&v1.Role{}, handler.EnqueueRequestsFromMapFunc(byRole), builder.WithPredicates(rolesRevertsOrMatrixChanged)).
		Watches(&v1.GitWriteBack{}, handler.EnqueueRequestsFromMapFunc(byNamespace)).
		Watches(&v1.NotificationProvider{}, handler.EnqueueRequestsFromMapFunc(byNamespace),
			builder.WithPredicates(predicate.GenerationChangedPredicate{}))
}

// rolesRevertsOrMatrixChanged lets through the Role updates notifications
// care about: its reverts, its newest history entry (an applied Proposal)
// and its SkillMatrix.
var rolesRevertsOrMatrixChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		before, ok1 := e.ObjectOld.(*v1.Role)
		after, ok2 := e.ObjectNew.(*v1.Role)
		if !ok1 || !ok2 {
			return true
		}
		return before.Spec.MatrixRef != after.Spec.MatrixRef || newestHistoryUID(before) != newestHistoryUID(after) ||
			!equality.Semantic.DeepEqual(before.Status.Reverted, after.Status.Reverted)
	},
}
