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

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClosest(t *testing.T) {
	ids := []string{"docker", "kubernetes-core", "kubernetes-advanced", "helm", "held"}
	tests := []struct {
		name, in, want string
	}{
		{"transposition", "dokcer", "docker"},
		{"missing letter", "kubernets-core", "kubernetes-core"},
		{"exact match is no suggestion", "docker", ""},
		{"nothing near", "terraform", ""},
		{"empty id", "", ""},
		{"short id one edit away", "dockr", "docker"},
		{"rewriting the whole id is no typo", "ab", ""},
		{"tie goes to the first candidate", "hel", "helm"},
		{"three edits is the limit", "dxxxer", "docker"},
		{"four edits is too many", "dxxxxr", ""},
		{"too long to be a typo", strings.Repeat("d", maxSuggestLen+1), ""},
		{"case only", "DOCKER", "docker"},
		{"case and a typo", "Kubernets-Core", "kubernetes-core"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Closest(tt.in, ids)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("Closest(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
			}
		})
	}
	// A one-letter id that differs in case only is the hint a scale of
	// one-letter ids needs: "V" for a lower-case scale.
	scale := []string{"a", "w", "v", "e"}
	for in, want := range map[string]string{"V": "v", "E": "e", "x": "", "X": ""} {
		if got, _ := Closest(in, scale); got != want {
			t.Errorf("Closest(%q, %v) = %q, want %q", in, scale, got, want)
		}
	}
	// Case counts nothing, so a case-only match wins over a one-edit typo.
	if got, _ := Closest("Helm", []string{"held", "helm"}); got != "helm" {
		t.Errorf("Closest(Helm) = %q, want helm", got)
	}
	if _, ok := Closest("x", []string{strings.Repeat("x", maxSuggestLen+1)}); ok {
		t.Errorf("suggested a candidate longer than any id")
	}
}

func TestHint(t *testing.T) {
	type id string
	tests := []struct {
		in   string
		want string
	}{
		{"dokcer", `; did you mean "docker"?`},
		{"zzzzzzzz", ""},
		{"Docker", `; did you mean "docker"? ids are case-sensitive`},
		{"Dokcer", `; did you mean "docker"?`},
	}
	for _, tt := range tests {
		if got := Hint(tt.in, []id{"docker", "helm"}); got != tt.want {
			t.Errorf("Hint(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// levenshtein is the textbook full-matrix distance that distanceWithin's band
// and early exit must agree with, over the strings folded to lower case.
func levenshtein(a, b string) int {
	a, b = strings.ToLower(a), strings.ToLower(b)
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
	// "b" and "B" differ in case only: distanceWithin must count them equal.
	words := allStrings("abcB", 4)
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
	if got := distanceWithin("a", "b", -1, &rows); got != 0 {
		t.Errorf("distanceWithin with a negative bound = %d, want 0 (k+1)", got)
	}
}

func TestQuote(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain id", "junior", `"junior"`},
		{"empty stays visible", "", `""`},
		{"control characters escaped", "a\x00\n", `"a\x00\n"`},
		{"exactly the limit", strings.Repeat("k", MaxQuoted), `"` + strings.Repeat("k", MaxQuoted) + `"`},
		{"clipped, marked after the quote", strings.Repeat("k", 300), `"` + strings.Repeat("k", MaxQuoted) + `"...`},
		{"clipped on a rune boundary", strings.Repeat("€", 50), `"` + strings.Repeat("€", 33) + `"...`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Quote(tt.in); got != tt.want {
				t.Errorf("Quote(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPlain(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"id as it is", "junior", "junior"},
		{"proficiency as it is", "A", "A"},
		{"space is quoted", "a b", `"a b"`},
		{"double quote is quoted", `a"b`, `"a\"b"`},
		{"non-ASCII is quoted", "é", `"é"`},
		{"empty is quoted", "", ""},
		{"long id clipped", strings.Repeat("x", 150), strings.Repeat("x", MaxQuoted)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Plain(tt.in); got != tt.want {
				t.Errorf("Plain(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLists(t *testing.T) {
	many := make([]string, 13)
	for i := range many {
		many[i] = string(rune('a' + i))
	}
	tests := []struct {
		name       string
		in         []string
		oneOf      string
		quotedList string
	}{
		{"none", nil, "", "[]"},
		{"one", []string{"junior"}, "junior", `["junior"]`},
		{"some", []string{"A", "W", "V"}, "A, W, V", `["A", "W", "V"]`},
		{"odd values", []string{"Go 1.26", "x"}, `"Go 1.26", x`, `["Go 1.26", "x"]`},
		{"clipped after twelve", many, "a, b, c, d, e, f, g, h, i, j, k, l, ... (13 in all)",
			`["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", ... (13 in all)]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OneOf(tt.in); got != tt.oneOf {
				t.Errorf("OneOf = %q, want %q", got, tt.oneOf)
			}
			if got := QuoteList(tt.in); got != tt.quotedList {
				t.Errorf("QuoteList = %q, want %q", got, tt.quotedList)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"fits", "hello", 5, "hello"},
		{"cut with the marker inside the limit", "hello world", 8, "hello..."},
		{"no room for the marker", "hello", 3, "hel"},
		{"zero", "hello", 0, ""},
		{"negative", "hello", -1, ""},
		{"cut before a split rune", "ab€€", 7, "ab..."},
		{"cut after a whole rune", "ab€€x", 8, "ab€..."},
		{"invalid UTF-8 cut where it is", "a" + strings.Repeat("\x80", 10), 9, "a\x80\x80..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Truncate(tt.in, tt.n)
			if got != tt.want {
				t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
			if len(got) > max(tt.n, 0) {
				t.Errorf("Truncate(%q, %d) is %d bytes", tt.in, tt.n, len(got))
			}
		})
	}
}

func TestTruncateRunes(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"fits", "héllo", 5, "héllo"},
		{"cut counts runes, not bytes", "€€€€€€", 4, "€€€€..."},
		{"zero", "abc", 0, "..."},
		{"empty", "", 3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TruncateRunes(tt.in, tt.n); got != tt.want {
				t.Errorf("TruncateRunes(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
		})
	}
}

func FuzzTruncate(f *testing.F) {
	f.Add("hello world", 8)
	f.Add("ab€€", 7)
	f.Add("a\x80\x80\x80\x80", 3)
	f.Fuzz(func(t *testing.T, s string, n int) {
		n %= 1 << 12
		got := Truncate(s, n)
		if len(got) > max(n, 0) && got != s {
			t.Fatalf("Truncate(%q, %d) = %q: over the limit", s, n, got)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Truncate(%q, %d) = %q: split a rune", s, n, got)
		}
		if got != s && !strings.HasPrefix(s, strings.TrimSuffix(got, ellipsis)) {
			t.Fatalf("Truncate(%q, %d) = %q: not a prefix of s", s, n, got)
		}
	})
}

func TestPlural(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 skills"},
		{1, "1 skill"},
		{2, "2 skills"},
		{-1, "-1 skills"},
	}
	for _, tt := range tests {
		if got := Plural(tt.n, "skill", "skills"); got != tt.want {
			t.Errorf("Plural(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	if got := Plural(int32(1), "vote", "votes"); got != "1 vote" {
		t.Errorf("Plural(int32) = %q", got)
	}
}

func TestAgree(t *testing.T) {
	for n, want := range map[int]string{0: "them", 1: "it", 2: "them"} {
		if got := Agree(n, "it", "them"); got != want {
			t.Errorf("Agree(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestJoin(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"a"}, "a"},
		{[]string{"a", "b"}, "a and b"},
		{[]string{"a", "b", "c"}, "a, b and c"},
	}
	for _, tt := range tests {
		if got := Join(tt.in); got != tt.want {
			t.Errorf("Join(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
