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
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
)

// The per-author limit of open Proposals. A ValidatingAdmissionPolicy cannot
// count objects, so the operator counts: per namespace it keeps the
// ConfigMap skillmatrix-proposal-limits, whose `atLimit` lists the authors
// who have maxOpenPerAuthor open Proposals or more, one per line. The policy
// skillmatrix-proposal-author-limit reads it as its parameters (paramRef
// without a namespace: the request's own) and refuses a new Proposal of an
// author listed there. The ConfigMap carries the operator's managed-by
// label, so the policy skillmatrix-published-configmaps lets nobody else
// create, change or delete it. It is eventually consistent: a burst of
// creates that arrives before the count is written overshoots the limit
// (docs/governance.md says by how much).

// AuthorLimitConfigMap is the per-namespace ConfigMap the policy reads.
const AuthorLimitConfigMap = "skillmatrix-proposal-limits"

// DefaultMaxOpenProposalsPerAuthor is the limit when none is configured.
const DefaultMaxOpenProposalsPerAuthor = 20

// authorsAtLimit are the authors with limit or more Proposals that are not
// closed (v1alpha1.ClosedPhases: decided, withdrawn, invalid or ended;
// Proposals not judged yet count), sorted.
func authorsAtLimit(proposals []v1.Proposal, limit int) []string {
	open := map[string]int{}
	for i := range proposals {
		p := &proposals[i]
		if !p.DeletionTimestamp.IsZero() || p.Status.Phase.IsClosed() {
			continue
		}
		open[string(p.Spec.Author)]++
	}
	var out []string
	for author, n := range open {
		// A name with a line break cannot be listed one per line; the API
		// server's authenticators make none.
		if n >= limit && !strings.ContainsAny(author, "\r\n") {
			out = append(out, author)
		}
	}
	slices.Sort(out)
	return out
}

// authorLimitReconciler keeps each namespace's skillmatrix-proposal-limits
// current from the cached Proposals. Requests are namespaces (the name is
// the ConfigMap's); Proposal events map to their namespace, so a burst
// coalesces into few reconciles.
type authorLimitReconciler struct {
	client.Client
	// live reads the ConfigMap past the cache: the controllers cache only
	// the metadata of the ConfigMaps the operator writes.
	live  client.Reader
	limit int

	mu      sync.Mutex
	written map[string]map[string]string
}

// openCountChanged lets through what changes an author's count: a
// Proposal created or deleted, its phase or its deletion timestamp
// changed; votes and status details do not.
var openCountChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		before, ok1 := e.ObjectOld.(*v1.Proposal)
		after, ok2 := e.ObjectNew.(*v1.Proposal)
		return !ok1 || !ok2 || before.Status.Phase != after.Status.Phase ||
			before.DeletionTimestamp.IsZero() != after.DeletionTimestamp.IsZero()
	},
}

func (r *authorLimitReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named("authorlimit").
		Watches(&v1.Proposal{}, handler.EnqueueRequestsFromMapFunc(func(_ context.Context, obj client.Object) []reconcile.Request {
			return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: obj.GetNamespace(), Name: AuthorLimitConfigMap}}}
		}), builder.WithPredicates(openCountChanged)).
		Complete(r)
}

func (r *authorLimitReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var list v1.ProposalList
	if err := r.List(ctx, &list, client.InNamespace(req.Namespace), client.UnsafeDisableDeepCopy); err != nil {
		return ctrl.Result{}, fmt.Errorf("listing the Proposals of namespace %s: %w", req.Namespace, err)
	}
	data := map[string]string{
		"maxOpenPerAuthor": strconv.Itoa(r.limit),
		"atLimit":          strings.Join(authorsAtLimit(list.Items, r.limit), "\n"),
	}
	r.mu.Lock()
	same := maps.Equal(r.written[req.Namespace], data)
	r.mu.Unlock()
	if same {
		return ctrl.Result{}, nil
	}
	if err := r.write(ctx, req.Namespace, data); err != nil {
		return ctrl.Result{}, fmt.Errorf("writing the per-author limits of namespace %s: %w", req.Namespace, err)
	}
	r.mu.Lock()
	if r.written == nil {
		r.written = map[string]map[string]string{}
	}
	r.written[req.Namespace] = data
	r.mu.Unlock()
	return ctrl.Result{}, nil
}

// write creates or updates the namespace's ConfigMap with data (get,
// create and update: the verbs the operator holds on ConfigMaps).
func (r *authorLimitReconciler) write(ctx context.Context, namespace string, data map[string]string) error {
	var cm corev1.ConfigMap
	err := r.live.Get(ctx, client.ObjectKey{Namespace: namespace, Name: AuthorLimitConfigMap}, &cm)
	if apierrors.IsNotFound(err) {
		cm = corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: AuthorLimitConfigMap, Labels: publish.ManagedLabels()},
			Data:       data,
		}
		return r.Create(ctx, &cm)
	}
	if err != nil {
		return err
	}
	if maps.Equal(cm.Data, data) && cm.Labels[publish.LabelManagedBy] == publish.ManagedBy {
		return nil
	}
	cm.Data = data
	if cm.Labels == nil {
		cm.Labels = map[string]string{}
	}
	cm.Labels[publish.LabelManagedBy] = publish.ManagedBy
	return r.Update(ctx, &cm)
}
