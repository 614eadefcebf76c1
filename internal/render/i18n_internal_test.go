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

package render

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"
)

// TestCatalogsComplete fails while a catalog lacks a key that en has, or has
// one en lacks (a typo or a key left behind).
func TestCatalogsComplete(t *testing.T) {
	keys := func(locale string) []string {
		data, err := catalogFiles.ReadFile("locales/" + locale + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", locale, err)
		}
		return slices.Sorted(maps.Keys(m))
	}
	en := keys(DefaultLocale)
	locales := CatalogLocales()
	if !slices.Contains(locales, "zh-CN") || !slices.Contains(locales, "en") {
		t.Fatalf("catalogs = %v, want en and zh-CN among them", locales)
	}
	for _, l := range locales {
		have := keys(l)
		for _, k := range en {
			if !slices.Contains(have, k) {
				t.Errorf("catalog %s lacks %q", l, k)
			}
		}
		for _, k := range have {
			if !slices.Contains(en, k) {
				t.Errorf("catalog %s has %q, which en does not", l, k)
			}
		}
	}
}

func TestMessages(t *testing.T) {
	tests := []struct {
		locale, id string
		n          int
		want       string
	}{
		{"en", "count.skills", 1, "1 skill"},
		{"en", "count.skills", 56, "56 skills"},
		{"en", "count.skills", 0, "0 skills"},
		{"zh-CN", "count.skills", 1, "1 技能"},
		{"zh-CN", "count.skills", 56, "56 技能"},
		{"zh-CN", "phrase.skills", 56, "56项技能"},
		{"zh-CN", "sep.sentence", 0, ""},
		{"en", "sep.sentence", 0, " "},
		// A locale without a catalog reads English.
		{"de", "count.levels", 5, "5 levels"},
		{"zh-Hans-CN", "count.levels", 5, "5 级别"},
	}
	for _, tt := range tests {
		tr := messagesFor(tt.locale)
		if got := tr.N(tt.id, tt.n); got != tt.want {
			t.Errorf("%s %s(%d) = %q, want %q", tt.locale, tt.id, tt.n, got, tt.want)
		}
		if len(tr.missing) > 0 {
			t.Errorf("%s: missing %v", tt.locale, tr.missing)
		}
	}
	tr := messagesFor("en")
	if got := tr.S("no.such.key"); got != "no.such.key" || !slices.Equal(tr.missing, []string{"no.such.key"}) {
		t.Errorf("unknown key = %q, missing %v", got, tr.missing)
	}
}
