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

// Package suggest finds the "did you mean" candidate for a mistyped id. It is
// the algorithm internal/validation and internal/governance use (edit
// distance of at most 3, first candidate in order on a tie, never a
// candidate that would have to be rewritten entirely), exported for the CLI so
// a typo in a flag or a ratings file gets the same hint the operator gives.
package suggest

import "fmt"

const (
	// MaxDistance is the most edits a suggestion may be away.
	MaxDistance = 3
	// maxLen skips values longer than any valid id (63).
	maxLen = 128
)

// Closest returns the candidate nearest to id by edit distance, the first in
// candidate order on a tie, when it is at most MaxDistance edits away and
// fewer edits than the longer of the two is long. An exact match is not a
// suggestion.
func Closest[S ~string](id string, candidates []S) (string, bool) {
	if id == "" || len(id) > maxLen {
		return "", false
	}
	best, bestDist := "", MaxDistance+1
	for _, c := range candidates {
		cand := string(c)
		if cand == id || len(cand) > maxLen || absDiff(len(cand), len(id)) >= bestDist {
			continue
		}
		if d := levenshtein(id, cand); d < bestDist && d < max(len(id), len(cand)) {
			best, bestDist = cand, d
		}
	}
	return best, best != ""
}

// Hint is "; did you mean "x"?" for the closest candidate, or "".
func Hint[S ~string](id string, candidates []S) string {
	if s, ok := Closest(id, candidates); ok {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return ""
}

// levenshtein is the byte-wise edit distance: ids are ASCII by schema.
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func absDiff(a, b int) int {
	if a < b {
		return b - a
	}
	return a - b
}
