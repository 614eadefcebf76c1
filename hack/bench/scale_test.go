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
	"errors"
	"math"
	"strings"
	"testing"
)

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

func TestSpliceScale(t *testing.T) {
	block := scaleBegin + "\n## Scale curve\nnew\n" + scaleEnd + "\n"
	oldBlock := scaleBegin + "\n## Scale curve\nold\n" + scaleEnd
	tests := []struct {
		name, page, want string
	}{
		{name: "replaces the block in place",
			page: "# P\n\n## Memory\n\n" + oldBlock + "\n\n## Analysis\nx\n",
			want: "# P\n\n## Memory\n\n" + strings.TrimSuffix(block, "\n") + "\n\n## Analysis\nx\n"},
		{name: "goes before the analysis",
			page: "# P\n\n## Memory\nm\n\n## Analysis\nx\n",
			want: "# P\n\n## Memory\nm\n\n" + block + "\n## Analysis\nx\n"},
		{name: "appended without an analysis", page: "# P\n", want: "# P\n\n" + block},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := spliceScale(tt.page, block); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
	if got := spliceScale("# P\n", ""); got != "# P\n" {
		t.Errorf("an empty block changed the page: %q", got)
	}
	// A full report keeps the block of the page it replaces.
	full := spliceScale("# New\n\n## Analysis\n", scaleBlock("# Old\n\n"+oldBlock+"\n"))
	if scaleBlock(full) != oldBlock {
		t.Errorf("block not kept:\n%s", full)
	}
	if scaleBlock("# no block "+scaleBegin) != "" {
		t.Error("an unterminated block was taken")
	}
}
