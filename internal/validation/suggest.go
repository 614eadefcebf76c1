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

import "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"

const (
	// maxSuggestDistance is the most edits a "did you mean" may be away: enough
	// for a typo or two ("dokcer", "kubernets-core"), not so many that an
	// unrelated id gets offered.
	maxSuggestDistance = 3
	// maxSuggestLen skips suggestions for values longer than any valid id (63).
	maxSuggestLen = 128
	// maxSuggestions bounds the catalog scans per Role. A Role of 500 unknown
	// ids against a catalog of thousands would otherwise cost the reconcile
	// loop real time for hints nobody reads past the first screen.
	maxSuggestions = 100
)

// suggester finds "did you mean" candidates, reusing its scratch rows.
type suggester struct {
	candidates []v1alpha1.ID
	left       int
	rows       [2][]int
}

func newSuggester(candidates []v1alpha1.ID) *suggester {
	return &suggester{candidates: candidates, left: maxSuggestions}
}

// closest returns the candidate nearest to id by edit distance, the first in
// candidate order on a tie, when it is at most maxSuggestDistance edits away.
func (s *suggester) closest(id string) (string, bool) {
	if id == "" || len(id) > maxSuggestLen || s.left <= 0 {
		return "", false
	}
	s.left--
	best, bestDist := "", maxSuggestDistance+1
	for _, c := range s.candidates {
		cand := string(c)
		if len(cand) > maxSuggestLen {
			continue
		}
		// As many edits as the longer id is long rewrite it entirely: "ab" is
		// not a typo of "cd", though only two edits apart.
		if d := distanceWithin(id, cand, bestDist-1, &s.rows); d < bestDist && d < max(len(id), len(cand)) {
			best, bestDist = cand, d
		}
	}
	return best, best != ""
}

// distanceWithin returns the byte-wise Levenshtein distance of a and b when it
// is at most k, and k+1 otherwise. Ids are ASCII by schema; for anything else a
// byte distance still ranks candidates sensibly. Only the diagonal band of
// width 2k+1 can hold a distance <= k, so it computes that band and stops at
// the first row whose band is all above k: O(k·len) instead of O(len²), and
// usually a few rows for an unrelated candidate. rows is scratch space.
func distanceWithin(a, b string, k int, rows *[2][]int) int {
	inf := k + 1
	if k < 0 || abs(len(a)-len(b)) > k {
		return inf
	}
	prev, cur := rows[0][:0], rows[1][:0]
	for j := 0; j <= len(b); j++ {
		prev = append(prev, min(j, inf))
		cur = append(cur, inf)
	}
	defer func() { rows[0], rows[1] = prev, cur }()
	for i := 1; i <= len(a); i++ {
		lo, hi := max(1, i-k), min(len(b), i+k)
		cur[0] = min(i, inf)
		if lo > 1 {
			cur[lo-1] = inf
		}
		rowMin := inf
		if lo == 1 {
			rowMin = cur[0]
		}
		for j := lo; j <= hi; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost, inf)
			rowMin = min(rowMin, cur[j])
		}
		// The next row reads one cell past this band; it must not see a stale value.
		if hi < len(b) {
			cur[hi+1] = inf
		}
		if rowMin >= inf {
			return inf
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
