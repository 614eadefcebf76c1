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

package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/controller"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/validation"
)

var scheme = runtime.NewScheme()

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1.AddToScheme(scheme))
}

// samples are the MLOps Engineer SkillMatrix and Role of config/samples:
// 56 skills x 5 levels, the shape every generated Role has.
type samples struct {
	matrix *v1.SkillMatrix
	role   *v1.Role
}

func loadSamples(root string) (samples, error) {
	var s samples
	read := func(name string, into any) error {
		data, err := os.ReadFile(filepath.Join(root, "config", "samples", name))
		if err != nil {
			return err
		}
		return yaml.UnmarshalStrict(data, into)
	}
	s.matrix, s.role = &v1.SkillMatrix{}, &v1.Role{}
	if err := read("career_v1alpha1_skillmatrix.yaml", s.matrix); err != nil {
		return s, err
	}
	return s, read("career_v1alpha1_role.yaml", s.role)
}

// namespace creates a namespace and the sample SkillMatrix in it, and
// returns the SkillMatrix as stored (with the API server's defaults).
func (s samples) setupNamespace(ctx context.Context, c client.Client, ns string,
	governance *v1.GovernancePolicy) (*v1.SkillMatrix, error) {
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		return nil, err
	}
	matrix := s.matrix.DeepCopy()
	matrix.Namespace = ns
	if governance != nil {
		matrix.Spec.Governance = governance
	}
	if err := c.Create(ctx, matrix); err != nil {
		return nil, fmt.Errorf("creating SkillMatrix: %w", err)
	}
	return matrix, nil
}

// roleName names the i-th generated Role.
func roleName(i int) string { return fmt.Sprintf("mlops-engineer-%04d", i) }

// newRoles generates n Roles from the sample: same skills, cells and levels,
// their own names and titles.
func (s samples) newRoles(ns, matrix string, n int) []*v1.Role {
	roles := make([]*v1.Role, 0, n)
	for i := range n {
		r := s.role.DeepCopy()
		r.Namespace, r.Name = ns, roleName(i)
		r.Spec.MatrixRef = v1.ObjectName(matrix)
		r.Spec.DisplayName = fmt.Sprintf("MLOps Engineer %d", i)
		roles = append(roles, r)
	}
	return roles
}

// parallel runs fn for every index with the given number of workers and
// returns the first error.
func parallel(n, workers int, fn func(i int) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	next := make(chan int)
	for range min(workers, max(n, 1)) {
		wg.Go(func() {
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

// createRoles creates the Roles (not timed: they exist before the manager
// starts) and fills in their uids and resourceVersions.
func createRoles(ctx context.Context, c client.Client, roles []*v1.Role) error {
	return parallel(len(roles), 16, func(i int) error {
		if err := c.Create(ctx, roles[i]); err != nil {
			return fmt.Errorf("creating Role %s: %w", roles[i].Name, err)
		}
		return nil
	})
}

// expected is what the operator publishes for one Role.
type expected struct {
	payload publish.Payload
	model   *model.RoleMatrix
	result  validation.Result
}

// expectedFor renders a Role exactly as the Role controller does:
// internal/model, internal/render and internal/publish.
func expectedFor(matrix *v1.SkillMatrix, role *v1.Role) (expected, error) {
	m := model.BuildRole(matrix, role)
	files, err := render.Role(m, render.PublishedOptions(matrix.Spec.Publishing))
	if err != nil {
		return expected{}, err
	}
	payload, err := publish.Build(files, publish.MaxConfigMapBytes)
	if err != nil {
		return expected{}, err
	}
	return expected{payload: payload, model: m, result: validation.Role(&role.Spec, &matrix.Spec)}, nil
}

// expectedHashes renders every Role and returns the content hash each
// Role's status must reach.
func expectedHashes(matrix *v1.SkillMatrix, roles []*v1.Role) (map[string]string, error) {
	out := make(map[string]string, len(roles))
	for _, r := range roles {
		e, err := expectedFor(matrix, r)
		if err != nil {
			return nil, fmt.Errorf("rendering Role %s: %w", r.Name, err)
		}
		out[r.Name] = e.payload.Hash
	}
	return out, nil
}

// baselineWrite is the minimal output of one Role: its ConfigMap and its
// status, computed before the clock starts.
type baselineWrite struct {
	configMap *corev1.ConfigMap
	role      *v1.Role
	// status is the body of the Role's status write, as the operator sends it.
	status []byte
}

// prepareBaseline computes, for every Role, the ConfigMap and the status the
// operator would write, with the same labels, annotations, owner reference
// and condition messages, so the baseline sends requests of the same size.
func prepareBaseline(matrix *v1.SkillMatrix, roles []*v1.Role) ([]baselineWrite, error) {
	writes := make([]baselineWrite, 0, len(roles))
	now := metav1.Now()
	for _, r := range roles {
		e, err := expectedFor(matrix, r)
		if err != nil {
			return nil, err
		}
		name := publish.MatrixConfigMapName(r.Name, matrix.Spec.Publishing.ConfigMapSuffix)
		cm := &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{
				Namespace:   r.Namespace,
				Name:        name,
				Labels:      publish.MatrixLabels(r.Name, matrix.Name),
				Annotations: e.payload.Annotations(),
				OwnerReferences: []metav1.OwnerReference{{
					APIVersion: v1.GroupVersion.String(), Kind: "Role", Name: r.Name, UID: r.UID,
					Controller: new(true), BlockOwnerDeletion: new(true),
				}},
			},
			Data:       e.payload.Data,
			BinaryData: e.payload.BinaryData,
		}
		updated := r.DeepCopy()
		st := &updated.Status
		st.ObservedGeneration = r.Generation
		cond := func(t, reason, msg string) {
			meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: t, Status: metav1.ConditionTrue,
				Reason: reason, Message: msg, ObservedGeneration: r.Generation, LastTransitionTime: now})
		}
		cond(v1.ConditionValid, v1.ReasonValidWithWarnings, fmt.Sprintf(
			"valid against SkillMatrix %q with %d warnings: %s", matrix.Name, len(e.result.Warnings()),
			e.result.Summary(validation.SeverityWarning, 3)))
		cond(v1.ConditionPublished, v1.ReasonPublished,
			fmt.Sprintf("ConfigMap %q holds %d files as plain text", name, len(e.payload.Data)))
		cond(v1.ConditionReady, v1.ReasonReady, fmt.Sprintf("%d skills x %d levels published to ConfigMap %q",
			e.model.Stats.Skills, e.model.Stats.Levels, name))
		s := e.model.Stats
		st.Summary = &v1.RoleSummary{Skills: int32(s.Skills), Levels: int32(s.Levels), Categories: int32(s.Categories),
			Requirements: int32(s.Requirements), Required: int32(s.Required), KeyAreas: s.KeyAreas}
		st.ConfigMapName, st.ContentHash = name, e.payload.Hash
		body, err := controller.StatusPatch(updated, r)
		if err != nil {
			return nil, err
		}
		writes = append(writes, baselineWrite{configMap: cm, role: updated, status: body})
	}
	return writes, nil
}

// runBaseline sends the writes as fast as the API server takes them: workers
// goroutines, no client-side rate limit, each Role's ConfigMap then its
// status (the order the operator uses), and last the catalog ConfigMap and
// the SkillMatrix status. It returns the time the writes took.
func runBaseline(ctx context.Context, c client.Client, matrix *v1.SkillMatrix, writes []baselineWrite,
	workers int) (time.Duration, error) {
	roles := make([]v1.Role, 0, len(writes))
	for _, w := range writes {
		roles = append(roles, *w.role)
	}
	files, err := render.Catalog(model.BuildCatalog(matrix, roles))
	if err != nil {
		return 0, err
	}
	catalog, err := publish.Build(files, publish.MaxConfigMapBytes)
	if err != nil {
		return 0, err
	}
	catalogCM := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: matrix.Namespace, Name: publish.CatalogConfigMapName(matrix.Name),
			Labels: publish.CatalogLabels(matrix.Name), Annotations: catalog.Annotations()},
		Data: catalog.Data, BinaryData: catalog.BinaryData,
	}
	matrixStatus := matrix.DeepCopy()
	matrixStatus.Status.ObservedGeneration = matrix.Generation
	matrixStatus.Status.ConfigMapName = catalogCM.Name
	matrixBody, err := controller.StatusPatch(matrixStatus, matrix)
	if err != nil {
		return 0, err
	}

	start := time.Now()
	err = parallel(len(writes), workers, func(i int) error {
		w := writes[i]
		if err := c.Create(ctx, w.configMap.DeepCopy()); err != nil {
			return fmt.Errorf("creating ConfigMap %s: %w", w.configMap.Name, err)
		}
		_, err := controller.PatchStatusBody(ctx, c, w.role, w.status)
		return err
	})
	if err != nil {
		return 0, err
	}
	if err := c.Create(ctx, catalogCM); err != nil {
		return 0, err
	}
	if _, err := controller.PatchStatusBody(ctx, c, matrixStatus, matrixBody); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// verifyConfigMaps checks, with one List, that every Role has its ConfigMap
// and that it carries the content hash the Role's status reports.
func verifyConfigMaps(ctx context.Context, c client.Client, ns string, want map[string]string) error {
	var cms corev1.ConfigMapList
	if err := c.List(ctx, &cms, client.InNamespace(ns),
		client.MatchingLabels(publish.ManagedLabels())); err != nil {
		return err
	}
	have := map[string]string{}
	for _, cm := range cms.Items {
		if role := cm.Labels[publish.LabelRole]; role != "" {
			have[role] = cm.Annotations[publish.AnnotationContentHash]
		}
	}
	missing := 0
	for name, hash := range want {
		if have[name] != hash {
			missing++
		}
	}
	if missing > 0 {
		return fmt.Errorf("%d of %d ConfigMaps are missing or do not carry the expected hash", missing, len(want))
	}
	return nil
}

// configMapVersions returns the resourceVersion of every published Role
// ConfigMap, by Role.
func configMapVersions(ctx context.Context, c client.Client, ns string) (map[string]string, error) {
	var cms corev1.ConfigMapList
	if err := c.List(ctx, &cms, client.InNamespace(ns),
		client.MatchingLabels(publish.ManagedLabels())); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, cm := range cms.Items {
		if role := cm.Labels[publish.LabelRole]; role != "" {
			out[role] = cm.ResourceVersion
		}
	}
	return out, nil
}

// changedVersions counts the keys whose value differs between two snapshots.
func changedVersions(before, after map[string]string) int {
	n := 0
	for k := range maps.Keys(after) {
		if before[k] != after[k] {
			n++
		}
	}
	return n
}
