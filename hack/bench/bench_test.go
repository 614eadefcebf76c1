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
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

var update = flag.Bool("update", false, "rewrite testdata/performance.md from testdata/raw.json")

// TestGoldenPage renders the page of testdata/raw.json, a hand-made raw
// file shaped like a full run (two variants at two N, every section, a scale
// run that stopped before its last N), and compares it to the committed
// page: the template is checked without measuring.
func TestGoldenPage(t *testing.T) {
	raw, err := readResults(filepath.Join("testdata", "raw.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := renderPage(raw)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "performance.md")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the page differs from %s (go test ./hack/bench -update rewrites it); got:\n%s", golden, got)
	}
}

// TestPublishedPage holds docs/performance.md to the measurements it was
// rendered from, docs/performance.json: a template change without
// make bench-render, or a hand edit of the page, fails here.
func TestPublishedPage(t *testing.T) {
	raw, err := readResults(filepath.Join("..", "..", "docs", "performance.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := renderPage(raw)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "docs", "performance.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("docs/performance.md is not what docs/performance.json renders: run make bench-render")
	}
}

// TestRenderPartial renders what a run stopped early, a scale run alone or
// a run with one section leaves: the page must not need every section.
func TestRenderPartial(t *testing.T) {
	raw, err := readResults(filepath.Join("testdata", "raw.json"))
	if err != nil {
		t.Fatal(err)
	}
	governanceOnly := *raw
	governanceOnly.Sizes, governanceOnly.Cold, governanceOnly.Baseline, governanceOnly.Scale = nil, nil, nil, nil
	noFloor := *raw
	noFloor.GovernanceFloor, noFloor.Governance = nil, raw.Governance[:1]
	for name, r := range map[string]*results{"empty": {}, "scale only": {Scale: raw.Scale},
		"governance only": &governanceOnly, "no floor": &noFloor} {
		if _, err := renderPage(r); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The raw file is the page's only source: rendering what it decodes to
	// after another round trip gives the same page.
	data, err := json.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	var again results
	if err := json.Unmarshal(data, &again); err != nil {
		t.Fatal(err)
	}
	first, _ := renderPage(raw)
	second, err := renderPage(&again)
	if err != nil || !bytes.Equal(first, second) {
		t.Errorf("a JSON round trip changed the page (%v)", err)
	}
}

func TestFitLine(t *testing.T) {
	tests := []struct {
		name    string
		n       []int
		y       []float64
		want    line
		wantErr error
	}{
		{name: "two points", n: []int{1000, 3000}, y: []float64{3000, 7000}, want: line{Fixed: 1000, PerRole: 2}},
		{name: "exact line", n: []int{100, 500, 1000, 5000}, y: []float64{150, 350, 600, 2600},
			want: line{Fixed: 100, PerRole: 0.5}},
		// Residuals +1, -2, +1 around y = 10 + 1x: the fit is that line.
		{name: "least squares", n: []int{0, 10, 20}, y: []float64{11, 18, 31}, want: line{Fixed: 10, PerRole: 1}},
		{name: "one point", n: []int{1000}, y: []float64{5}, wantErr: errTooFewPoints},
		{name: "one N twice", n: []int{1000, 1000}, y: []float64{5, 6}, wantErr: errTooFewPoints},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := fitLine(tt.n, tt.y)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if math.Abs(got.Fixed-tt.want.Fixed) > 1e-6 || math.Abs(got.PerRole-tt.want.PerRole) > 1e-9 {
				t.Errorf("fit %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSuggestedLimit(t *testing.T) {
	rss := line{Fixed: 80 * mib, PerRole: 100 * 1024}
	heap := line{Fixed: 40 * mib, PerRole: 120 * 1024}
	tests := []struct {
		n    int
		want float64
	}{
		// Small N: the 128 MiB floor.
		{n: 10, want: 128 * mib},
		// 1000 Roles: RSS 177.7 MiB; live heap 78.6 MiB needs 235.8 MiB at a soft limit of half: 256 MiB.
		{n: 1000, want: 256 * mib},
		// 5000 Roles: live heap 312.97 MiB, x1.5 / 0.5 = 938.9 MiB: 960 MiB.
		{n: 5000, want: 960 * mib},
		// 2000 Roles: RSS 275.3 MiB; live heap 137.2 MiB x3 = 411.6 MiB: 416 MiB.
		{n: 2000, want: 416 * mib},
	}
	for _, tt := range tests {
		if got := suggestedLimit(rss, heap, tt.n, 0.5); got != tt.want {
			t.Errorf("N=%d: %.1f MiB, want %.1f MiB", tt.n, got/mib, tt.want/mib)
		}
	}
}

func TestPlanBatches(t *testing.T) {
	// perRole[i] Proposals for Role i, interleaved as benchProposals spreads them.
	proposals := func(perRole ...int) []*v1.Proposal {
		var out []*v1.Proposal
		for k := 0; ; k++ {
			added := false
			for r, n := range perRole {
				if k < n {
					out = append(out, &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("r%d-%d", r, k)},
						Spec: v1.ProposalSpec{RoleRef: v1.ObjectName(fmt.Sprintf("role-%d", r))}})
					added = true
				}
			}
			if !added {
				return out
			}
		}
	}
	tests := []struct {
		name    string
		perRole []int
		batches int
		want    []string // batch sizes per Role, "role:size"
	}{
		{"one batch per Role", []int{4, 4}, 2, []string{"role-0:4", "role-1:4"}},
		{"fewer batches than Roles", []int{4, 4}, 1, []string{"role-0:4", "role-1:4"}},
		{"extra batches split the largest", []int{6, 2}, 3, []string{"role-0:3", "role-0:3", "role-1:2"}},
		{"extra spread over Roles", []int{4, 4}, 4, []string{"role-0:2", "role-0:2", "role-1:2", "role-1:2"}},
		{"never more batches than Proposals", []int{2, 1}, 9, []string{"role-0:1", "role-0:1", "role-1:1"}},
		{"uneven split keeps order", []int{5}, 2, []string{"role-0:2", "role-0:3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := proposals(tc.perRole...)
			plan := planBatches(in, tc.batches)
			var got []string
			var flat []*v1.Proposal
			for _, b := range plan {
				for _, p := range b {
					if p.Spec.RoleRef != b[0].Spec.RoleRef {
						t.Fatalf("batch mixes Roles %s and %s", b[0].Spec.RoleRef, p.Spec.RoleRef)
					}
				}
				got = append(got, fmt.Sprintf("%s:%d", b[0].Spec.RoleRef, len(b)))
				flat = append(flat, b...)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("batches %v, want %v", got, tc.want)
			}
			if len(flat) != len(in) {
				t.Fatalf("%d Proposals planned, want %d", len(flat), len(in))
			}
			// Each Role's Proposals stay in creation order across its batches.
			for _, role := range []v1.ObjectName{"role-0", "role-1"} {
				var before, after []string
				for _, p := range in {
					if p.Spec.RoleRef == role {
						before = append(before, p.Name)
					}
				}
				for _, p := range flat {
					if p.Spec.RoleRef == role {
						after = append(after, p.Name)
					}
				}
				if !slices.Equal(before, after) {
					t.Errorf("Role %s: order %v, want %v", role, after, before)
				}
			}
		})
	}
}

// TestRawRoundTrip holds the types to the schema of the raw file:
// docs/performance.json decodes and encodes back byte for byte, as
// writePage writes it.
func TestRawRoundTrip(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "performance.json")
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := readResults(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(raw, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(append(got, '\n'), want) {
		t.Errorf("%s does not encode back byte for byte", path)
	}
}

// TestEditSpread: the page lists the Roles by how many versions the edit
// gave them, in the order of that number.
func TestEditSpread(t *testing.T) {
	raw, err := readResults(filepath.Join("testdata", "raw.json"))
	if err != nil {
		t.Fatal(err)
	}
	raw.Cold[0].EditRoleWrites = map[int]int{10: 1, 1: 97, 2: 2}
	page, err := renderPage(raw)
	if err != nil {
		t.Fatal(err)
	}
	if want := "(97 Roles x 1, 2 Roles x 2, 1 Roles x 10)"; !bytes.Contains(page, []byte(want)) {
		t.Errorf("the page does not list %s", want)
	}
}

// TestBurstRatio holds the burst goal's figure: the median of the rounds'
// p95 ratios when operator and floor ran the same rounds, else the pooled
// p95s' ratio.
func TestBurstRatio(t *testing.T) {
	rounds := func(p95s ...time.Duration) *gov {
		g := &gov{}
		for _, p := range p95s {
			g.Rounds = append(g.Rounds, burstRound{P95: p})
		}
		g.P95 = slices.Max(append([]time.Duration{0}, p95s...))
		return g
	}
	for _, tc := range []struct {
		name   string
		op, fl *gov
		want   float64
	}{
		{"one round", rounds(3 * time.Second), rounds(2 * time.Second), 1.5},
		{"median of three", rounds(3*time.Second, 8*time.Second, 2*time.Second),
			rounds(2*time.Second, 2*time.Second, 2*time.Second), 1.5},
		{"even: mean of the middle two", rounds(2*time.Second, 3*time.Second, 4*time.Second, 9*time.Second),
			rounds(2*time.Second, 2*time.Second, 2*time.Second, 2*time.Second), 1.75},
		{"rounds that do not pair: pooled", rounds(3*time.Second, 4*time.Second), rounds(2 * time.Second), 2},
		{"a run from before rounds", &gov{governanceResult{Quantiles: Quantiles{P95: 3 * time.Second}}},
			&gov{governanceResult{Quantiles: Quantiles{P95: 2 * time.Second}}}, 1.5},
	} {
		if got := tc.op.BurstRatio(tc.fl); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: BurstRatio = %v, want %v", tc.name, got, tc.want)
		}
	}
}
