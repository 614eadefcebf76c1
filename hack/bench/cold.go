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
	"os"
	"path/filepath"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/controller"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/validation"
)

// bench runs the measurements.
type bench struct {
	cfg                        settings
	root, assets, work, logDir string
	variants                   []variant
	samples                    samples
	// checkpoint publishes what was measured so far.
	checkpoint func() error
}

func (b *bench) close() { _ = os.RemoveAll(b.work) }

const benchNamespace = "bench"

// measure runs the go test benchmarks, then per N the baseline and every
// variant cold, then the sections that need one manager, then governance
// per variant and its floor, publishing after each step.
func (b *bench) measure(ctx context.Context, res *results) error {
	c := b.cfg
	if c.gobench {
		logln("go test -bench on the domain packages")
		var err error
		if res.GoBench, err = runGoBench(ctx, b.root, c.benchtime); err != nil {
			return err
		}
		res.Renderers = benchRenderers(b.samples)
	}
	for _, n := range c.sizes {
		if !c.noBaseline {
			logln("N=%d: plain-client baseline", n)
			base, err := b.baseline(ctx, n)
			if err != nil {
				return fmt.Errorf("baseline N=%d: %w", n, err)
			}
			res.Baseline = append(res.Baseline, base)
		}
		for _, v := range b.variants {
			logln("N=%d: %s manager", n, v.Name)
			cold, err := b.cold(ctx, n, v)
			if err := b.publish(fmt.Sprintf("cold convergence N=%d %s", n, v.Name), err, func() {
				res.Cold = append(res.Cold, cold)
			}); err != nil {
				return err
			}
		}
	}
	for _, step := range []func(context.Context, *results) error{b.measureWriteBack, b.measurePortal,
		b.measureBursts, b.measureGovernance, b.measureNotifications, b.measureFloor} {
		if err := step(ctx, res); err != nil {
			return err
		}
	}
	return b.checkpoint()
}

// baselineResult is the plain-client baseline at one N.
type baselineResult struct {
	N int
	// Converge runs from the first write until the observer sees every
	// Role Ready with its hash, measured as for the operator.
	Converge time.Duration
	// Writing is how long the writes themselves took.
	Writing  time.Duration
	Writes   writeCounts
	CPU      map[string]time.Duration
	Requests map[string]requestMean
}

// coldResult is one manager variant at one N.
type coldResult struct {
	N       int
	Variant string
	// Converge runs from starting the manager process until the observer
	// sees every Role Ready with the expected content hash.
	Converge time.Duration
	// Writes run from the manager's start until the API server was quiet
	// again, trailing catalog updates and Events included.
	Writes     writeCounts
	CPU        map[string]time.Duration
	Reconciles map[string]float64
	Requests   map[string]requestMean

	SteadyWindow     time.Duration
	SteadyWrites     writeCounts
	SteadyRoleWrites int

	EditConverge  time.Duration
	EditWrites    writeCounts
	EditCMChanged int
	// EditRoleWrites counts the Roles by how many versions the edit gave
	// each.
	EditRoleWrites map[int]int

	Memory memory
}

// baseline sends, with a plain client as the operator's identity, exactly
// the writes the operator must make, on a fresh control plane.
func (b *bench) baseline(ctx context.Context, n int) (baselineResult, error) {
	res := baselineResult{N: n}
	st, err := b.setUp(ctx, stageSpec{namespace: benchNamespace, roles: n})
	defer st.close()
	if err != nil {
		return res, err
	}
	writes, err := prepareBaseline(st.matrix, st.roles)
	if err != nil {
		return res, err
	}
	m, err := startMeter(ctx, st.cp, 0)
	if err != nil {
		return res, err
	}
	start := time.Now()
	if res.Writing, err = runBaseline(ctx, st.cp.Operator, st.matrix, writes, b.cfg.baselineWorkers); err != nil {
		return res, err
	}
	if err := st.obs.waitAll(ctx, st.converged, nil, b.cfg.timeout, "baseline"); err != nil {
		return res, err
	}
	res.Converge = st.obs.lastReached().Sub(start)
	res.CPU = m.cpu.since()
	if res.Writes, err = m.writesNow(ctx); err != nil {
		return res, err
	}
	if res.Requests, err = m.requests(ctx); err != nil {
		return res, err
	}
	logln("  baseline N=%d: %s (writes took %s)", n, res.Converge.Round(time.Millisecond),
		res.Writing.Round(time.Millisecond))
	return res, verifyConfigMaps(ctx, st.cp.Admin, st.ns, st.want)
}

// baselineWrite is one Role's ConfigMap and status body, computed before
// the clock starts.
type baselineWrite struct {
	configMap *corev1.ConfigMap
	role      *v1.Role
	status    []byte
}

// prepareBaseline computes what the operator writes for every Role, with
// the same labels, annotations, owner reference and condition messages, so
// the baseline sends requests of the same size.
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
			ObjectMeta: metav1.ObjectMeta{Namespace: r.Namespace, Name: name,
				Labels: publish.MatrixLabels(r.Name, matrix.Name), Annotations: e.payload.Annotations(),
				OwnerReferences: []metav1.OwnerReference{{APIVersion: v1.GroupVersion.String(), Kind: "Role",
					Name: r.Name, UID: r.UID, Controller: new(true), BlockOwnerDeletion: new(true)}}},
			Data: e.payload.Data, BinaryData: e.payload.BinaryData,
		}
		updated := r.DeepCopy()
		st := &updated.Status
		st.ObservedGeneration = r.Generation
		for _, c := range []metav1.Condition{
			{Type: v1.ConditionValid, Reason: v1.ReasonValidWithWarnings, Message: fmt.Sprintf(
				"valid against SkillMatrix %q with %s: %s", matrix.Name,
				text.Plural(len(e.result.Warnings()), "warning", "warnings"), e.result.Summary(validation.SeverityWarning, 3))},
			{Type: v1.ConditionPublished, Reason: v1.ReasonPublished,
				Message: fmt.Sprintf("ConfigMap %q holds %d files as plain text", name, len(e.payload.Data))},
			{Type: v1.ConditionReady, Reason: v1.ReasonReady, Message: fmt.Sprintf(
				"%d skills x %d levels published to ConfigMap %q", e.model.Stats.Skills, e.model.Stats.Levels, name)},
		} {
			c.Status, c.ObservedGeneration, c.LastTransitionTime = metav1.ConditionTrue, r.Generation, now
			meta.SetStatusCondition(&st.Conditions, c)
		}
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

// runBaseline sends the writes as fast as the API server takes them, each
// Role's ConfigMap then its status (the operator's order), and last the
// catalog ConfigMap and the SkillMatrix status; it returns how long that
// took.
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
	if err := parallel(len(writes), workers, func(i int) error {
		w := writes[i]
		if err := c.Create(ctx, w.configMap.DeepCopy()); err != nil {
			return fmt.Errorf("creating ConfigMap %s: %w", w.configMap.Name, err)
		}
		_, err := controller.PatchStatusBody(ctx, c, w.role, w.status)
		return err
	}); err != nil {
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

// cold measures one variant at one N: cold convergence, steady state, one
// SkillMatrix edit, memory.
func (b *bench) cold(ctx context.Context, n int, v variant) (coldResult, error) {
	res := coldResult{N: n, Variant: v.Name}
	st, err := b.setUp(ctx, stageSpec{namespace: benchNamespace, roles: n})
	defer st.close()
	if err != nil {
		return res, err
	}
	m, err := startMeter(ctx, st.cp, 0)
	if err != nil {
		return res, err
	}
	if b.cfg.cpuProfileDir != "" {
		v.profileTo = filepath.Join(b.cfg.cpuProfileDir, fmt.Sprintf("cpu-%s-%d", v.Name, n))
	}
	start := time.Now()
	mgr, err := b.startManager(ctx, st, v, strconv.Itoa(n))
	if err != nil {
		return res, err
	}
	res.Converge = st.obs.lastReached().Sub(start)
	res.CPU = m.cpu.since()
	res.CPU["manager"] = processCPU(mgr.Pid())
	if v.profileTo != "" {
		mgr.endProfile()
		logln("  %s N=%d: CPU profiles in %s-*.pprof", v.Name, n, v.profileTo)
	}
	if res.Requests, err = m.requests(ctx); err != nil {
		return res, err
	}
	logln("  %s N=%d: converged in %s, manager CPU %s", v.Name, n, res.Converge.Round(time.Millisecond),
		res.CPU["manager"])
	if err := verifyConfigMaps(ctx, st.cp.Admin, st.ns, st.want); err != nil {
		return res, err
	}
	if res.Writes, err = m.writesSettled(ctx, 5*time.Second); err != nil {
		return res, err
	}
	if b.cfg.steady > 0 {
		if err := b.steady(ctx, st, &res); err != nil {
			return res, err
		}
	}
	if !b.cfg.noEdit {
		if err := b.edit(ctx, st, mgr.Exited(), &res); err != nil {
			return res, err
		}
	}
	res.Memory = mgr.memory(ctx)
	if res.Reconciles, err = mgr.reconciles(ctx); err != nil {
		return res, err
	}
	logln("  %s N=%d: peak RSS %.0f MiB, peak heap %.0f MiB", v.Name, n, res.Memory.PeakRSS/mib, res.Memory.PeakHeap/mib)
	return res, nil
}

const mib = 1 << 20

// steady counts the writes in a window in which nothing changes.
func (b *bench) steady(ctx context.Context, st *stage, res *coldResult) error {
	m, err := startMeter(ctx, st.cp, 0)
	if err != nil {
		return err
	}
	before := st.obs.roleVersions()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(b.cfg.steady):
	}
	res.SteadyWindow = b.cfg.steady
	if res.SteadyWrites, err = m.writesNow(ctx); err != nil {
		return err
	}
	for name, v := range st.obs.roleVersions() {
		res.SteadyRoleWrites += v - before[name]
	}
	logln("  %s N=%d: %.0f writes in %s of steady state", res.Variant, res.N,
		res.SteadyWrites.total(operatorResources...), b.cfg.steady)
	return nil
}

// edit renames a skill every Role uses, so every Role's rendered matrix
// changes, and counts the writes until every Role publishes the new content.
func (b *bench) edit(ctx context.Context, st *stage, died <-chan struct{}, res *coldResult) error {
	cmBefore, err := configMapVersions(ctx, st.cp.Admin, st.ns)
	if err != nil {
		return err
	}
	var current v1.SkillMatrix
	if err := st.cp.Admin.Get(ctx, client.ObjectKeyFromObject(st.matrix), &current); err != nil {
		return err
	}
	current.Spec.Categories[0].Skills[0].Name += " (renamed)"
	want, err := expectedHashes(&current, st.roles)
	if err != nil {
		return err
	}
	all, err := st.obs.expect(ctx, want)
	if err != nil {
		return err
	}
	m, err := startMeter(ctx, st.cp, 0)
	if err != nil {
		return err
	}
	before := st.obs.roleVersions()
	start := time.Now()
	if err := st.cp.Admin.Update(ctx, &current); err != nil {
		return fmt.Errorf("editing the SkillMatrix: %w", err)
	}
	if err := st.obs.waitAll(ctx, all, died, b.cfg.timeout, res.Variant+" edit"); err != nil {
		return err
	}
	res.EditConverge = st.obs.lastReached().Sub(start)
	if res.EditWrites, err = m.writesSettled(ctx, 5*time.Second); err != nil {
		return err
	}
	cmAfter, err := configMapVersions(ctx, st.cp.Admin, st.ns)
	if err != nil {
		return err
	}
	for role, version := range cmAfter {
		if cmBefore[role] != version {
			res.EditCMChanged++
		}
	}
	res.EditRoleWrites = map[int]int{}
	after := st.obs.roleVersions()
	for _, r := range st.roles {
		res.EditRoleWrites[after[r.Name]-before[r.Name]]++
	}
	logln("  %s N=%d: edit republished in %s with %.0f writes", res.Variant, res.N,
		res.EditConverge.Round(time.Millisecond), res.EditWrites.total(operatorResources...))
	return nil
}

// verifyConfigMaps checks with one List that every Role's ConfigMap carries
// the content hash wanted.
func verifyConfigMaps(ctx context.Context, c client.Client, ns string, want map[string]string) error {
	have, err := publishedConfigMaps(ctx, c, ns, func(cm *corev1.ConfigMap) string {
		return cm.Annotations[publish.AnnotationContentHash]
	})
	if err != nil {
		return err
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

// configMapVersions is the resourceVersion of every Role's ConfigMap.
func configMapVersions(ctx context.Context, c client.Client, ns string) (map[string]string, error) {
	return publishedConfigMaps(ctx, c, ns, func(cm *corev1.ConfigMap) string { return cm.ResourceVersion })
}

// publishedConfigMaps maps each Role to a value of its published ConfigMap.
func publishedConfigMaps(ctx context.Context, c client.Client, ns string,
	value func(*corev1.ConfigMap) string) (map[string]string, error) {
	var cms corev1.ConfigMapList
	if err := c.List(ctx, &cms, client.InNamespace(ns), client.MatchingLabels(publish.ManagedLabels())); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for i := range cms.Items {
		if role := cms.Items[i].Labels[publish.LabelRole]; role != "" {
			out[role] = value(&cms.Items[i])
		}
	}
	return out, nil
}
