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
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
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
	// EditRoleWrites counts the Roles by how many versions the edit gave each.
	EditRoleWrites map[int]int

	Memory memory
}

// baseline sends, with a plain client as the operator's identity, exactly
// the writes the operator must make, on a fresh control plane.
func (b *bench) baseline(ctx context.Context, n int) baselineResult {
	res := baselineResult{N: n}
	st := b.setUp(ctx, stageSpec{namespace: benchNamespace, roles: n})
	send := prepareBaseline(st.cp.Operator, st.matrix, st.roles, b.cfg.baselineWorkers)
	m := startMeter(ctx, st.cp, 0)
	start := time.Now()
	res.Writing = send(ctx)
	st.obs.waitAll(ctx, st.converged, nil, b.cfg.timeout, "baseline")
	res.Converge, res.CPU = st.obs.lastReached().Sub(start), m.cpu()
	res.Writes, res.Requests = m.writes(ctx, 0), m.requests(ctx)
	logln("  baseline N=%d: %s (writes took %s)", n, res.Converge.Round(time.Millisecond),
		res.Writing.Round(time.Millisecond))
	verifyConfigMaps(ctx, st.cp.Admin, st.ns, st.want)
	return res
}

// prepareBaseline computes what the operator writes for every Role, with
// the same labels, annotations, owner reference and condition messages, so
// the baseline sends requests of the same size. It returns the function
// that renders the catalog and then sends the writes as fast as the API
// server takes them, each Role's ConfigMap then its status (the operator's
// order), and last the catalog ConfigMap and the SkillMatrix status; it
// returns how long the writes took.
func prepareBaseline(c client.Client, matrix *v1.SkillMatrix, roles []*v1.Role,
	workers int) func(context.Context) time.Duration {
	cms, updated, bodies := make([]*corev1.ConfigMap, len(roles)), make([]*v1.Role, len(roles)), make([][]byte, len(roles))
	catalogRoles := make([]v1.Role, len(roles))
	now := metav1.Now()
	for i, r := range roles {
		e := expectedFor(matrix, r)
		name := publish.MatrixConfigMapName(r.Name, matrix.Spec.Publishing.ConfigMapSuffix)
		cms[i] = &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Namespace: r.Namespace, Name: name,
				Labels: publish.MatrixLabels(r.Name, matrix.Name), Annotations: e.payload.Annotations(),
				OwnerReferences: []metav1.OwnerReference{{APIVersion: v1.GroupVersion.String(), Kind: "Role",
					Name: r.Name, UID: r.UID, Controller: new(true), BlockOwnerDeletion: new(true)}}},
			Data: e.payload.Data, BinaryData: e.payload.BinaryData,
		}
		updated[i] = r.DeepCopy()
		st := &updated[i].Status
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
		bodies[i], catalogRoles[i] = must(controller.StatusPatch(updated[i], r)), *updated[i]
	}
	return func(ctx context.Context) time.Duration {
		files := must(render.Catalog(model.BuildCatalog(matrix, catalogRoles)))
		catalog := must(publish.Build(files, publish.MaxConfigMapBytes))
		catalogCM := &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Namespace: matrix.Namespace, Name: publish.CatalogConfigMapName(matrix.Name),
				Labels: publish.CatalogLabels(matrix.Name), Annotations: catalog.Annotations()},
			Data: catalog.Data, BinaryData: catalog.BinaryData,
		}
		matrixStatus := matrix.DeepCopy()
		matrixStatus.Status.ObservedGeneration, matrixStatus.Status.ConfigMapName = matrix.Generation, catalogCM.Name
		matrixBody := must(controller.StatusPatch(matrixStatus, matrix))
		start := time.Now()
		check(parallel(len(roles), workers, func(i int) error {
			if err := c.Create(ctx, cms[i].DeepCopy()); err != nil {
				return fmt.Errorf("creating ConfigMap %s: %w", cms[i].Name, err)
			}
			_, err := controller.PatchStatusBody(ctx, c, updated[i], bodies[i])
			return err
		}))
		check(c.Create(ctx, catalogCM))
		_, err := controller.PatchStatusBody(ctx, c, matrixStatus, matrixBody)
		check(err)
		return time.Since(start)
	}
}

// cold measures one variant at one N: cold convergence, steady state, one
// SkillMatrix edit, memory.
func (b *bench) cold(ctx context.Context, n int, v variant) coldResult {
	res := coldResult{N: n, Variant: v.Name}
	st := b.setUp(ctx, stageSpec{namespace: benchNamespace, roles: n})
	m := startMeter(ctx, st.cp, 0)
	if b.cfg.cpuProfileDir != "" {
		v.profileTo = filepath.Join(b.cfg.cpuProfileDir, fmt.Sprintf("cpu-%s-%d", v.Name, n))
	}
	start := time.Now()
	mgr := b.startManager(ctx, st, v, strconv.Itoa(n))
	res.Converge, res.CPU = st.obs.lastReached().Sub(start), m.cpu()
	res.CPU["manager"] = processCPU(mgr.Pid())
	if v.profileTo != "" {
		mgr.endProfiling()
		logln("  %s N=%d: CPU profiles in %s-*.pprof", v.Name, n, v.profileTo)
	}
	res.Requests = m.requests(ctx)
	logln("  %s N=%d: converged in %s, manager CPU %s", v.Name, n, res.Converge.Round(time.Millisecond),
		res.CPU["manager"])
	verifyConfigMaps(ctx, st.cp.Admin, st.ns, st.want)
	res.Writes = m.writes(ctx, 5*time.Second)
	if b.cfg.steady > 0 {
		// The writes in a window in which nothing changes.
		m, before := startMeter(ctx, st.cp, 0), st.obs.roleVersions()
		sleep(ctx, b.cfg.steady)
		res.SteadyWindow, res.SteadyWrites = b.cfg.steady, m.writes(ctx, 0)
		for name, k := range st.obs.roleVersions() {
			res.SteadyRoleWrites += k - before[name]
		}
		logln("  %s N=%d: %.0f writes in %s of steady state", v.Name, n,
			res.SteadyWrites.total(operatorResources...), b.cfg.steady)
	}
	if !b.cfg.noEdit {
		b.edit(ctx, st, &res)
	}
	res.Memory, res.Reconciles = mgr.memory(ctx), mgr.reconciles(ctx)
	logln("  %s N=%d: peak RSS %.0f MiB, peak heap %.0f MiB", v.Name, n, res.Memory.PeakRSS/mib, res.Memory.PeakHeap/mib)
	return res
}

const mib = 1 << 20

// edit renames a skill every Role uses, so every Role's rendered matrix
// changes, and counts the writes until every Role publishes the new content.
func (b *bench) edit(ctx context.Context, st *stage, res *coldResult) {
	cmBefore := publishedConfigMaps(ctx, st.cp.Admin, st.ns)
	var current v1.SkillMatrix
	check(st.cp.Admin.Get(ctx, client.ObjectKeyFromObject(st.matrix), &current))
	current.Spec.Categories[0].Skills[0].Name += " (renamed)"
	all := st.obs.expect(expectedHashes(&current, st.roles))
	m, before := startMeter(ctx, st.cp, 0), st.obs.roleVersions()
	start := time.Now()
	check(st.cp.Admin.Update(ctx, &current), "editing the SkillMatrix")
	st.obs.waitAll(ctx, all, st.mgr.Exited(), b.cfg.timeout, res.Variant+" edit")
	res.EditConverge = st.obs.lastReached().Sub(start)
	res.EditWrites = m.writes(ctx, 5*time.Second)
	for role, cm := range publishedConfigMaps(ctx, st.cp.Admin, st.ns) {
		if old := cmBefore[role]; old == nil || old.ResourceVersion != cm.ResourceVersion {
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
}

// verifyConfigMaps checks with one List that every Role's ConfigMap carries
// the content hash wanted.
func verifyConfigMaps(ctx context.Context, c client.Client, ns string, want map[string]string) {
	have, missing := publishedConfigMaps(ctx, c, ns), 0
	for name, hash := range want {
		if cm := have[name]; cm == nil || cm.Annotations[publish.AnnotationContentHash] != hash {
			missing++
		}
	}
	if missing > 0 {
		check(fmt.Errorf("%d of %d ConfigMaps are missing or do not carry the expected hash", missing, len(want)))
	}
}

func publishedConfigMaps(ctx context.Context, c client.Client, ns string) map[string]*corev1.ConfigMap {
	var cms corev1.ConfigMapList
	check(c.List(ctx, &cms, client.InNamespace(ns), client.MatchingLabels(publish.ManagedLabels())))
	out := map[string]*corev1.ConfigMap{}
	for i := range cms.Items {
		if role := cms.Items[i].Labels[publish.LabelRole]; role != "" {
			out[role] = &cms.Items[i]
		}
	}
	return out
}

type goBench struct {
	Package, Name                     string
	NsPerOp, MBPerSec, BPerOp, Allocs float64
}

// runGoBench runs the benchmarks of validation, tally and change application, rendering.
func runGoBench(ctx context.Context, root, benchtime string) []goBench {
	args := []string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-count", "1", "-benchtime", benchtime,
		"./internal/validation/", "./internal/governance/", "./internal/render/"}
	cmd := exec.CommandContext(ctx, "go", args...)
	var out bytes.Buffer
	cmd.Dir, cmd.Stdout, cmd.Stderr = root, &out, os.Stderr
	if err := cmd.Run(); err != nil {
		check(fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out.String()))
	}
	var benches []goBench
	pkg := ""
	for sc := bufio.NewScanner(&out); sc.Scan(); {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimPrefix(p, "github.com/skillmatrix-dev/skillmatrix-operator/")
		}
		fields := strings.Fields(line)
		if !strings.HasPrefix(line, "Benchmark") || len(fields) < 4 {
			continue
		}
		name := fields[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i] // the GOMAXPROCS suffix
		}
		b := goBench{Package: pkg, Name: strings.TrimPrefix(name, "Benchmark")}
		into := map[string]*float64{"ns/op": &b.NsPerOp, "MB/s": &b.MBPerSec, "B/op": &b.BPerOp, "allocs/op": &b.Allocs}
		for i := 2; i+1 < len(fields); i += 2 {
			if v, err := strconv.ParseFloat(fields[i], 64); err == nil && into[fields[i+1]] != nil {
				*into[fields[i+1]] = v
			}
		}
		benches = append(benches, b)
	}
	return benches
}

type rendererBench struct {
	Role, Format            string
	NsPerOp, BPerOp, Allocs float64
	Bytes                   int
}

// benchRenderers measures each renderer on its own, which the package
// benchmarks (all four formats per iteration) do not show.
func benchRenderers(s samples) []rendererBench {
	big, bigRole := generated500()
	roles := []struct {
		name string
		m    *model.RoleMatrix
	}{
		{"mlops-sample (56 skills x 5 levels)", model.BuildRole(s.matrix, s.role)},
		{"generated (500 skills x 5 levels)", model.BuildRole(big, bigRole)},
	}
	renderers := []struct {
		format string
		fn     func(*model.RoleMatrix) ([]byte, error)
	}{
		{"json", render.JSON},
		{"markdown", func(m *model.RoleMatrix) ([]byte, error) { return render.Markdown(m), nil }},
		{"csv", render.CSV},
		{"html", render.HTML},
	}
	out := make([]rendererBench, 0, len(roles)*len(renderers))
	for _, r := range roles {
		for _, rd := range renderers {
			size := 0
			res := testing.Benchmark(func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					data, err := rd.fn(r.m)
					if err != nil {
						b.Fatal(err)
					}
					size = len(data)
				}
			})
			out = append(out, rendererBench{Role: r.name, Format: rd.format, NsPerOp: float64(res.NsPerOp()),
				BPerOp: float64(res.AllocedBytesPerOp()), Allocs: float64(res.AllocsPerOp()), Bytes: size})
		}
	}
	return out
}

// generated500 is a SkillMatrix and Role of 10 categories x 50 skills over
// 5 levels, every cell described, as the render package's own benchmark.
func generated500() (*v1.SkillMatrix, *v1.Role) {
	levels := []v1.ID{"l1", "l2", "l3", "l4", "l5"}
	profs := []v1.ProficiencyID{"A", "W", "V", "E"}
	const name = "generated"
	m := &v1.SkillMatrix{ObjectMeta: metav1.ObjectMeta{Name: name}}
	for _, l := range levels {
		m.Spec.Levels = append(m.Spec.Levels, v1.Level{ID: l, Name: "Level " + string(l)})
	}
	for _, p := range profs {
		m.Spec.Proficiencies = append(m.Spec.Proficiencies, v1.Proficiency{ID: p, Name: string(p)})
	}
	r := &v1.Role{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: v1.RoleSpec{MatrixRef: name, DisplayName: "Generated"}}
	for c := range 10 {
		cat := v1.Category{ID: v1.ID(fmt.Sprintf("cat-%d", c)), Name: fmt.Sprintf("Category %d", c)}
		for s := range 50 {
			id := v1.ID(fmt.Sprintf("skill-%d-%d", c, s))
			cat.Skills = append(cat.Skills, v1.Skill{ID: id, Name: fmt.Sprintf("Skill %d.%d", c, s),
				Description: "What skill " + string(id) + " covers."})
			row := v1.SkillRequirement{ID: id}
			for i, l := range levels {
				row.Cells = append(row.Cells, v1.Cell{Level: l, Proficiency: profs[min(i, len(profs)-1)],
					Required: i > 1, Description: "Expected of " + string(id) + " at " + string(l) + "."})
			}
			r.Spec.Skills = append(r.Spec.Skills, row)
		}
		m.Spec.Categories = append(m.Spec.Categories, cat)
	}
	return m, r
}
