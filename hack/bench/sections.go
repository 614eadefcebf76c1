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
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/gitserver"
)

// writeBackRoles is how many Roles the write-back Proposals are spread over.
const writeBackRoles = 5

// measureWriteBack decides Proposals of Roles whose manifests live in a
// repository that git's own smart-HTTP server serves on loopback.
func (b *bench) measureWriteBack(ctx context.Context, res *results) error {
	n, v := b.cfg.writeBackProposals, b.variants[0]
	if n <= 0 {
		return nil
	}
	logln("git write-back: %d Proposals over %d Roles, %s manager", n, writeBackRoles, v.Name)
	wb, err := b.writeBack(ctx, v, n)
	return b.publish("git write-back "+v.Name, err, func() { res.WriteBack = append(res.WriteBack, wb) })
}

// writeBack measures from each deciding vote to the push of its commit, as
// the manager stamps it in status.gitCommit.committedAt.
func (b *bench) writeBack(ctx context.Context, v variant, n int) (governanceResult, error) {
	res := governanceResult{Variant: v.Name, Proposals: n, Roles: writeBackRoles}
	tb := &gitserver.ProcessTB{}
	defer tb.Close()
	srv := gitserver.Start(tb)
	if tb.Err != nil {
		return res, fmt.Errorf("starting the Git server: %w", tb.Err)
	}
	st, err := b.setUp(ctx, stageSpec{namespace: "writeback", roles: writeBackRoles, governance: governancePolicy()})
	defer st.close()
	if err != nil {
		return res, err
	}
	if err := seedRepository(ctx, srv, st); err != nil {
		return res, err
	}
	if _, err := b.startManager(ctx, st, v, "writeback"); err != nil {
		return res, err
	}
	proposals, err := b.openProposals(ctx, st, n)
	if err != nil {
		return res, err
	}
	track := newLatencies()
	logln("  casting %d deciding votes at once", n)
	if err := track.vote(ctx, st.cp.users[dave], proposals, nil); err != nil {
		return res, err
	}
	if err := waitProposals(ctx, st.cp.Admin, st.ns, n, b.cfg.timeout, func(p *v1.Proposal) bool {
		return p.Status.GitCommit != nil
	}); err != nil {
		return res, fmt.Errorf("waiting for the commits: %w", err)
	}
	var list v1.ProposalList
	if err := st.cp.Admin.List(ctx, &list, client.InNamespace(st.ns)); err != nil {
		return res, err
	}
	var lat []time.Duration
	for _, p := range list.Items {
		lat = append(lat, p.Status.GitCommit.CommittedAt.Sub(track.sent[string(p.UID)]))
	}
	res.setLatencies(lat)
	log, err := srv.Log("roles", "main")
	if err != nil {
		return res, err
	}
	if res.Commits = len(log) - 1; res.Commits != n {
		return res, fmt.Errorf("%d commits for %d Proposals", res.Commits, n)
	}
	logln("  %s: %s", v.Name, res.summary())
	return res, nil
}

// seedRepository commits the stage's Roles to a repository, one file each,
// and points a GitWriteBack and its Secret at it.
func seedRepository(ctx context.Context, srv *gitserver.Server, st *stage) error {
	files := map[string]string{}
	for _, r := range st.roles {
		data, err := yaml.Marshal(&v1.Role{TypeMeta: metav1.TypeMeta{APIVersion: v1.GroupVersion.String(), Kind: "Role"},
			ObjectMeta: metav1.ObjectMeta{Name: r.Name}, Spec: r.Spec})
		if err != nil {
			return err
		}
		files["career/roles/"+r.Name+".yaml"] = "# " + r.Spec.DisplayName + "\n" + string(data)
	}
	if err := srv.CreateRepo("roles", "main", files); err != nil {
		return err
	}
	if err := st.cp.Admin.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: st.ns, Name: "career-git"},
		StringData: map[string]string{"username": gitserver.User, "password": gitserver.InitialPassword},
	}); err != nil {
		return err
	}
	return st.cp.Admin.Create(ctx, &v1.GitWriteBack{
		ObjectMeta: metav1.ObjectMeta{Namespace: st.ns, Name: "career-roles"},
		Spec: v1.GitWriteBackSpec{URL: srv.URL("roles"), Branch: "main", Path: "career",
			SecretRef: v1.SecretReference{Name: "career-git"}, MatrixRef: v1.ObjectName(st.matrix.Name)},
	})
}

// goBench is one line of go test -bench output.
type goBench struct {
	Package, Name                     string
	NsPerOp, MBPerSec, BPerOp, Allocs float64
}

// benchPackages hold the domain benchmarks: validation, tally and change
// application, rendering.
var benchPackages = []string{"./internal/validation/", "./internal/governance/", "./internal/render/"}

func runGoBench(ctx context.Context, root, benchtime string) ([]goBench, error) {
	args := append([]string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-count", "1", "-benchtime", benchtime},
		benchPackages...)
	cmd := exec.CommandContext(ctx, "go", args...)
	var out bytes.Buffer
	cmd.Dir, cmd.Stdout, cmd.Stderr = root, &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out.String())
	}
	return parseGoBench(out.String()), nil
}

func parseGoBench(text string) []goBench {
	var out []goBench
	pkg := ""
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
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
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			into := map[string]*float64{"ns/op": &b.NsPerOp, "MB/s": &b.MBPerSec, "B/op": &b.BPerOp,
				"allocs/op": &b.Allocs}[fields[i+1]]
			if err == nil && into != nil {
				*into = v
			}
		}
		out = append(out, b)
	}
	return out
}

// rendererBench is one renderer on one Role, with testing.Benchmark.
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
