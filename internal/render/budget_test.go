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
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
)

// The sample in both shipped locales fits one ConfigMap as text; eight
// locales of it only compressed; and what cannot fit even compressed is
// ErrTooLarge, a status, not a crash.
func TestLocalesWithinTheConfigMapBudget(t *testing.T) {
	m := sampleModel(t)
	two, err := render.Role(m, render.Options{Formats: allFormats, Locales: []v1.Locale{"en", "zh-CN"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range slices.Sorted(maps.Keys(two)) {
		t.Logf("%-20s %7d bytes", key, len(two[key]))
	}
	p, err := publish.Build(two, publish.MaxConfigMapBytes)
	if err != nil || p.Compressed() {
		t.Fatalf("en + zh-CN: compressed %v, err %v", p.Compressed(), err)
	}
	t.Logf("en + zh-CN: %d bytes as text", p.Size)

	eight, err := render.Role(m, render.Options{Formats: allFormats,
		Locales: []v1.Locale{"en", "zh-CN", "de", "fr", "ja", "ru", "es", "pt-BR"}})
	if err != nil {
		t.Fatal(err)
	}
	p, err = publish.Build(eight, publish.MaxConfigMapBytes)
	if err != nil || !p.Compressed() {
		t.Fatalf("8 locales: compressed %v, err %v", p.Compressed(), err)
	}
	t.Logf("8 locales: %d bytes gzip-compressed", p.Size)
	if _, err := publish.Build(eight, 64<<10); !errors.Is(err, publish.ErrTooLarge) {
		t.Errorf("a 64 KiB budget: err = %v, want ErrTooLarge", err)
	}
	for key := range eight {
		if strings.Count(key, ".") > 2 {
			t.Errorf("key %q", key)
		}
	}
}
