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

package text

import "fmt"

const (
	// MaxDistance is the most edits a suggestion may be away: enough for a
	// typo or two ("dokcer", "kubernets-core"), not so many that an unrelated
	// id gets offered.
	MaxDistance = 3
	// maxSuggestLen skips values longer than any valid id (63) or object name
	// worth suggesting: nothing that long is a typo.
	maxSuggestLen = 128
)

// Closest returns the candidate nearest to id by edit distance, the first in
// candidate order on a tie, when it is at most MaxDistance edits away and
// fewer edits than the longer of the two is long. Letters that differ only
// in ASCII case cost nothing: ids are case-sensitive, so "v" against a scale
// of "a", "w", "v", "e" needs the hint most, yet counted as an edit it would
// rewrite the whole one-letter id and get none. An exact match is not a
// suggestion.
func Closest[S ~string](id string, candidates []S) (string, bool) {
	if id == "" || len(id) > maxSuggestLen {
		return "", false
	}
	best, bestDist := "", MaxDistance+1
	var rows [2][]int
	for _, c := range candidates {
		cand := string(c)
		if cand == id || len(cand) > maxSuggestLen {
			continue
		}
		// As many edits as the longer id is long rewrite it entirely: "ab" is
		// not a typo of "cd", though only two edits apart.
		if d := distanceWithin(id, cand, bestDist-1, &rows); d < bestDist && d < max(len(id), len(cand)) {
			best, bestDist = cand, d
		}
	}
	return best, best != ""
}

// Hint is `; did you mean "x"?` for the closest candidate, or "". When the
// candidate differs from id in case only, it adds that ids are
// case-sensitive: "W" and "w" look like the same value to a reader. The
// candidate is quoted whole: Closest never returns one longer than 128 bytes.
func Hint[S ~string](id string, candidates []S) string {
	s, ok := Closest(id, candidates)
	switch {
	case !ok:
		return ""
	case equalFoldASCII(s, id):
		return fmt.Sprintf("; did you mean %q? ids are case-sensitive", s)
	}
	return fmt.Sprintf("; did you mean %q?", s)
}

// equalFoldASCII reports whether a and b are equal once ASCII letters are
// folded to lower case: the case-only difference Closest counts as no edit.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

// distanceWithin returns the byte-wise Levenshtein distance of a and b when it
// is at most k, and k+1 otherwise, with bytes that differ only in ASCII case
// equal. Ids are ASCII by schema; for anything else a byte distance still
// ranks candidates sensibly. Only the diagonal band of
// width 2k+1 can hold a distance <= k, so it computes that band and stops at
// the first row whose band is all above k: O(k·len) instead of O(len²), and
// usually a few rows for an unrelated candidate. rows is scratch space reused
// across calls.
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
			if lowerASCII(a[i-1]) == lowerASCII(b[j-1]) {
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

// lowerASCII folds an ASCII upper-case letter to lower case; any other byte,
// a UTF-8 one included, is itself.
func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
