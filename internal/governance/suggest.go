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

package governance

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// The "did you mean" helper of internal/validation is unexported; this is the
// same algorithm, so a Proposal and a Role get the same suggestion for the
// same typo.
const (
	// maxSuggestDistance is enough for a typo or two ("kubernets-core"), not
	// so many that an unrelated id gets offered.
	maxSuggestDistance = 3
	// maxSuggestLen skips values longer than any valid id (63): the distance
	// is quadratic in the length, and nothing that long is a typo.
	maxSuggestLen = 128
	// maxQuoted bounds a user-supplied value inside a message, so a change
	// that bypassed the schema cannot turn one problem into a huge status.
	maxQuoted = 100
)

// closest returns the candidate nearest to id by edit distance, the first in
// candidate order on a tie, when it is at most maxSuggestDistance edits away.
func closest[S ~string](id string, candidates []S) (string, bool) {
	if id == "" || len(id) > maxSuggestLen {
		return "", false
	}
	best, bestDist := "", maxSuggestDistance+1
	var rows [2][]int
	for _, c := range candidates {
		cand := string(c)
		if cand == id || absDiff(len(cand), len(id)) >= bestDist || len(cand) > maxSuggestLen {
			continue
		}
		// As many edits as the longer id is long rewrite it entirely: "ab" is
		// not a typo of "cd", though only two edits apart.
		if d := levenshtein(id, cand, &rows); d < bestDist && d < max(len(id), len(cand)) {
			best, bestDist = cand, d
		}
	}
	return best, best != ""
}

// didYouMean is the hint appended to a message, or "".
func didYouMean[S ~string](id string, candidates []S) string {
	if s, ok := closest(id, candidates); ok {
		return fmt.Sprintf("; did you mean %s?", quote(s))
	}
	return ""
}

// levenshtein is the byte-wise edit distance: ids are ASCII by schema, and
// for anything else a byte distance still ranks candidates sensibly. rows is
// scratch space reused across calls.
func levenshtein(a, b string, rows *[2][]int) int {
	prev, cur := rows[0][:0], rows[1][:0]
	for j := 0; j <= len(b); j++ {
		prev = append(prev, j)
		cur = append(cur, 0)
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
	rows[0], rows[1] = prev, cur
	return prev[len(b)]
}

func absDiff(a, b int) int {
	if a < b {
		return b - a
	}
	return a - b
}

// quote renders a user-supplied value for a message: Go-quoted, so empty and
// non-printable values stay visible, and clipped to maxQuoted bytes.
func quote[S ~string](s S) string {
	str := string(s)
	if len(str) <= maxQuoted {
		return fmt.Sprintf("%q", str)
	}
	return fmt.Sprintf("%q...", truncate(str, maxQuoted))
}

// quoteList renders a tech stack the way quote renders one value.
func quoteList(items []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		if i == maxListed {
			fmt.Fprintf(&b, "... (%d in all)", len(items))
			break
		}
		b.WriteString(quote(s))
	}
	b.WriteByte(']')
	return b.String()
}

// maxListed bounds the values a message spells out.
const maxListed = 12

// oneOf lists valid ids for a message.
func oneOf[S ~string](ids []S) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		if i == maxListed {
			fmt.Fprintf(&b, "... (%d in all)", len(ids))
			break
		}
		b.WriteString(truncate(string(id), maxQuoted))
	}
	return b.String()
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for back := 0; back < utf8.UTFMax-1 && n > 0 && !utf8.RuneStart(s[n]); back++ {
		n--
	}
	return s[:n]
}
