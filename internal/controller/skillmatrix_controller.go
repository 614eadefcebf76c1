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

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/kubecache"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/metrics"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/validation"
)

// SkillMatrixReconciler validates each SkillMatrix and publishes its catalog:
// levels, scale, skills, an index of the Roles that use it and the career
// paths between them.
type SkillMatrixReconciler struct {
	client.Client
	Publisher configMapPublisher
	Recorder  events.EventRecorder
}

// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=skillmatrices,verbs=get;list;watch
// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=skillmatrices/status,verbs=patch
// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=roles,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get;list;watch;create;update;delete
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// matrixScope is what one reconcile of a SkillMatrix works on.
type matrixScope struct {
	matrix *v1.SkillMatrix
	conds  *conditionSet
	// roles are the Roles that use the SkillMatrix, shared from the cache:
	// the catalog only reads them, and copying a thousand per rebuild is
	// most of its cost.
	roles []v1.Role
}

// Reconcile validates the SkillMatrix, publishes its catalog and writes status only when it changed.
func (r *SkillMatrixReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var matrix v1.SkillMatrix
	if err := r.Get(ctx, req.NamespacedName, &matrix); err != nil {
		if apierrors.IsNotFound(err) {
			metrics.SetProblems("SkillMatrix/"+req.String(), validation.Result{})
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !matrix.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}

	original := matrix.DeepCopy()
	s := &matrixScope{matrix: &matrix, conds: newConditionSet(matrix.Generation, &matrix.Status.Conditions)}
	reconcileErr := runSteps(ctx, s, r.listRoles, r.validate, r.publish)
	matrix.Status.ObservedGeneration = matrix.Generation

	result, _, err := writeStatus(ctx, r.Client, r.Recorder, &matrix, original, s.conds, ctrl.Result{}, reconcileErr)
	return result, err
}

// listRoles finds the Roles of the SkillMatrix and counts the summary.
func (r *SkillMatrixReconciler) listRoles(ctx context.Context, s *matrixScope) (bool, error) {
	matrix := s.matrix
	var roles v1.RoleList
	if err := r.List(ctx, &roles, client.InNamespace(matrix.Namespace),
		client.MatchingFields{kubecache.IndexRoleMatrix: matrix.Name}, client.UnsafeDisableDeepCopy); err != nil {
		return true, fmt.Errorf("listing the Roles of SkillMatrix %s: %w", matrix.Name, err)
	}
	s.roles = roles.Items
	matrix.Status.Summary = &v1.SkillMatrixSummary{
		Levels:        int32(len(matrix.Spec.Levels)),
		Proficiencies: int32(len(matrix.Spec.Proficiencies)),
		Categories:    int32(len(matrix.Spec.Categories)),
		Skills:        int32(countSkills(matrix)),
		Roles:         int32(len(roles.Items)),
	}
	return false, nil
}

func (r *SkillMatrixReconciler) validate(_ context.Context, s *matrixScope) (bool, error) {
	matrix, conds := s.matrix, s.conds
	res := validation.Matrix(&matrix.Spec)
	metrics.SetProblems("SkillMatrix/"+matrix.Namespace+"/"+matrix.Name, res)
	if res.HasErrors() {
		conds.set(v1.ConditionValid, metav1.ConditionFalse, v1.ReasonInvalidSpec, res.MatrixErrorMessage())
		notPublished(conds, v1.ReasonInvalidSpec, matrix.Status.ConfigMapName, "catalog")
		conds.conclude(progressStalled, v1.ReasonInvalidSpec,
			"the SkillMatrix is invalid; its Roles are not published until it is fixed")
		return true, nil
	}
	conds.set(v1.ConditionValid, metav1.ConditionTrue, v1.ReasonValid, "the SkillMatrix is valid")
	return false, nil
}

func (r *SkillMatrixReconciler) publish(ctx context.Context, s *matrixScope) (bool, error) {
	matrix, conds := s.matrix, s.conds
	name := publish.CatalogConfigMapName(matrix.Name)
	labels := publish.CatalogLabels(matrix.Name)
	if _, ok, err := r.Publisher.publishRendered(ctx, conds, publication{
		owner: matrix, name: name, labels: labels, texts: catalogTexts,
		render: func() (map[string][]byte, error) { return render.Catalog(model.BuildCatalog(matrix, s.roles)) },
	}); !ok || err != nil {
		return true, err
	}
	matrix.Status.ConfigMapName = name
	conds.set(v1.ConditionPublished, metav1.ConditionTrue, v1.ReasonPublished,
		fmt.Sprintf("ConfigMap %q holds the catalog and the index of %d Roles", name, len(s.roles)))
	conds.conclude(progressDone, v1.ReasonReady, "the SkillMatrix is valid and its catalog is published")
	return false, nil
}

// catalogTexts are the Ready messages of a SkillMatrix's catalog publication.
var catalogTexts = publicationTexts{
	renderFailed: "the catalog could not be rendered",
	tooLarge:     "the catalog does not fit in a ConfigMap",
	conflict:     "the catalog could not be published",
	failed:       "the catalog could not be published",
}

func countSkills(matrix *v1.SkillMatrix) int {
	n := 0
	for _, c := range matrix.Spec.Categories {
		n += len(c.Skills)
	}
	return n
}

// matrixOfRole maps a Role to the SkillMatrix whose catalog indexes it.
func matrixOfRole(_ context.Context, obj client.Object) []reconcile.Request {
	role, ok := obj.(*v1.Role)
	if !ok || role.Spec.MatrixRef == "" {
		return nil
	}
	return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: role.Namespace, Name: string(role.Spec.MatrixRef)}}}
}

// roleIndexEntryChanged lets through the Role updates that change the
// catalog's index: what it points to, its title, summary figures, career
// paths and readiness.
var roleIndexEntryChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		oldRole, okOld := e.ObjectOld.(*v1.Role)
		newRole, okNew := e.ObjectNew.(*v1.Role)
		if !okOld || !okNew {
			return true
		}
		return oldRole.Spec.MatrixRef != newRole.Spec.MatrixRef ||
			oldRole.Spec.DisplayName != newRole.Spec.DisplayName ||
			oldRole.Spec.Family != newRole.Spec.Family ||
			oldRole.Status.ConfigMapName != newRole.Status.ConfigMapName ||
			!equality.Semantic.DeepEqual(oldRole.Spec.CareerPaths, newRole.Spec.CareerPaths) ||
			!equality.Semantic.DeepEqual(oldRole.Status.Summary, newRole.Status.Summary) ||
			meta.IsStatusConditionTrue(oldRole.Status.Conditions, v1.ConditionReady) !=
				meta.IsStatusConditionTrue(newRole.Status.Conditions, v1.ConditionReady)
	},
}

// roleToMatrix enqueues the SkillMatrix of a Role, and on update both the old
// and the new one, so a Role that moves to another SkillMatrix leaves the old
// catalog's index too.
var roleToMatrix = handler.Funcs{
	CreateFunc: func(ctx context.Context, e event.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		enqueueAll(q, matrixOfRole(ctx, e.Object))
	},
	UpdateFunc: func(ctx context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		enqueueAll(q, matrixOfRole(ctx, e.ObjectOld))
		enqueueAll(q, matrixOfRole(ctx, e.ObjectNew))
	},
	DeleteFunc: func(ctx context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		enqueueAll(q, matrixOfRole(ctx, e.Object))
	},
}

// catalogRebuildDelay coalesces the Role changes that reach a catalog: while
// Roles are created or become Ready by the hundred (a manager starting, a
// SkillMatrix edit), the catalog is rebuilt about once per delay instead of
// once per Role (a rebuild indexes every Role: tens of milliseconds of CPU at
// a thousand). The index lags by at most the delay. The queue keeps the
// earliest pending time of an item.
const catalogRebuildDelay = 3 * time.Second

func enqueueAll(q workqueue.TypedRateLimitingInterface[reconcile.Request], requests []reconcile.Request) {
	for _, req := range requests {
		q.AddAfter(req, catalogRebuildDelay)
	}
}

// SetupWithManager registers the controller and its watches.
func (r *SkillMatrixReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1.SkillMatrix{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Owns(&corev1.ConfigMap{}, builder.OnlyMetadata, builder.WithPredicates(r.Publisher.changedByOthers())).
		Watches(&v1.Role{}, roleToMatrix, builder.WithPredicates(roleIndexEntryChanged)).
		Named("skillmatrix").
		Complete(r)
}
