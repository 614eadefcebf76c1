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

package render_test

import (
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/model"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
)

// benchAll renders the four formats the operator publishes per Role and
// reports the bytes produced per iteration.
func benchAll(b *testing.B, m *model.RoleMatrix) {
	b.Helper()
	b.ReportAllocs()
	size := 0
	for b.Loop() {
		out, err := render.Role(m, render.Options{Formats: allFormats})
		if err != nil {
			b.Fatal(err)
		}
		size = 0
		for _, v := range out {
			size += len(v)
		}
	}
	b.SetBytes(int64(size))
}

func BenchmarkRenderSample(b *testing.B) {
	benchAll(b, sampleModel(b))
}

func BenchmarkRender500(b *testing.B) {
	m := model.BuildRole(generated(10, 50))
	if m.Stats.Skills != 500 || m.Stats.Requirements != 2500 {
		b.Fatalf("generated role has %d skills and %d cells", m.Stats.Skills, m.Stats.Requirements)
	}
	benchAll(b, m)
}

// BenchmarkBuildRole500 measures the model resolution the controller runs
// before rendering, which is quadratic in levels per row by design.
func BenchmarkBuildRole500(b *testing.B) {
	matrix, role := generated(10, 50)
	b.ReportAllocs()
	for b.Loop() {
		model.BuildRole(matrix, role)
	}
}
