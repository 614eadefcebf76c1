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

package validation

import (
	"strings"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// levenshtein is the textbook full-matrix distance that distanceWithin's band
// and early exit must agree with.
func levenshtein(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
		}
	}
	return d[len(a)][len(b)]
}

// allStrings returns every string over alphabet up to maxLen long.
func allStrings(alphabet string, maxLen int) []string {
	level := []string{""}
	out := append([]string(nil), level...)
	for range maxLen {
		next := make([]string, 0, len(level)*len(alphabet))
		for _, s := range level {
			for _, c := range alphabet {
				next = append(next, s+string(c))
			}
		}
		out = append(out, next...)
		level = next
	}
	return out
}

func TestDistanceWithinAgreesWithLevenshtein(t *testing.T) {
	words := allStrings("abc", 5)
	var rows [2][]int
	for _, a := range words {
		for _, b := range words {
			full := levenshtein(a, b)
			for k := range 5 {
				if got, want := distanceWithin(a, b, k, &rows), min(full, k+1); got != want {
					t.Fatalf("distanceWithin(%q, %q, %d) = %d, want %d", a, b, k, got, want)
				}
			}
		}
	}
}

func TestSuggestionsAreBounded(t *testing.T) {
	s := newSuggester([]v1alpha1.ID{"docker"})
	for i := range maxSuggestions {
		if _, ok := s.closest("dokcer"); !ok {
			t.Fatalf("suggestion %d missing", i)
		}
	}
	if got, ok := s.closest("dokcer"); ok {
		t.Errorf("suggestion past the budget: %q", got)
	}
	if _, ok := newSuggester([]v1alpha1.ID{"docker"}).closest(strings.Repeat("d", maxSuggestLen+1)); ok {
		t.Errorf("suggested for an id longer than any valid id")
	}
}
