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

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
)

// benchPackages hold the domain benchmarks: validation, tally and change
// application, rendering.
var benchPackages = []string{"./internal/validation/", "./internal/governance/", "./internal/render/"}

// goBench is one line of go test -bench output.
type goBench struct {
	Package  string
	Name     string
	NsPerOp  float64
	MBPerSec float64
	BPerOp   float64
	Allocs   float64
}

// runGoBench runs the packages' benchmarks with allocation counts.
func runGoBench(ctx context.Context, root, benchtime string) ([]goBench, error) {
	args := append([]string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-count", "1",
		"-benchtime", benchtime}, benchPackages...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out.String())
	}
	return parseGoBench(out.String()), nil
}

func parseGoBench(text string) []goBench {
	var (
		out []goBench
		pkg string
	)
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimPrefix(p, "github.com/skillmatrix-dev/skillmatrix-operator/")
			continue
		}
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 4 {
			continue
		}
		name := fields[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i] // the GOMAXPROCS suffix
		}
		b := goBench{Package: pkg, Name: strings.TrimPrefix(name, "Benchmark")}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			switch fields[i+1] {
			case "ns/op":
				b.NsPerOp = v
			case "MB/s":
				b.MBPerSec = v
			case "B/op":
				b.BPerOp = v
			case "allocs/op":
				b.Allocs = v
			}
		}
		out = append(out, b)
	}
	return out
}

// rendererBench is one renderer on one Role, measured in process with
// testing.Benchmark.
type rendererBench struct {
	Role    string
	Format  string
	NsPerOp float64
	BPerOp  float64
	Allocs  float64
	Bytes   int
}

// benchRenderers measures each renderer on its own, which the packages'
// benchmarks (all four formats per iteration) do not show: on the sample
// and on a generated 500-skill Role.
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
// 5 levels, every cell with a description, as the render package's own
// 500-skill benchmark.
func generated500() (*v1.SkillMatrix, *v1.Role) {
	levels := []v1.ID{"l1", "l2", "l3", "l4", "l5"}
	profs := []v1.ProficiencyID{"A", "W", "V", "E"}
	const name = "generated"
	m := &v1.SkillMatrix{}
	m.Name = name
	for _, l := range levels {
		m.Spec.Levels = append(m.Spec.Levels, v1.Level{ID: l, Name: "Level " + string(l)})
	}
	for _, p := range profs {
		m.Spec.Proficiencies = append(m.Spec.Proficiencies, v1.Proficiency{ID: p, Name: string(p)})
	}
	r := &v1.Role{}
	r.Name = name
	r.Spec = v1.RoleSpec{MatrixRef: name, DisplayName: "Generated"}
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
