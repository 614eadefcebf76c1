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
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

const (
	// MaxQuoted bounds a user-supplied value inside a message. The schema keeps
	// ids short, but a spec that bypassed it (a file read by the CLI, an object
	// written before a schema change) must not turn one problem into a
	// multi-kilobyte status message.
	MaxQuoted = 100
	// maxListed bounds the values a list in a message spells out.
	maxListed = 12
	// ellipsis marks a cut.
	ellipsis = "..."
)

// Quote renders a user-supplied value for a message: Go-quoted, so empty and
// non-printable values stay visible, and clipped to MaxQuoted bytes, the cut
// marked by "..." after the closing quote.
func Quote[S ~string](s S) string {
	str := string(s)
	if len(str) <= MaxQuoted {
		return strconv.Quote(str)
	}
	return strconv.Quote(str[:cutBytes(str, MaxQuoted)]) + ellipsis
}

// Plain renders an id that a matrix defines as it is, the way the rendered
// matrix shows it ("A", "junior"), unless it holds anything beyond printable
// ASCII or a double quote: then it is quoted, so no control character or
// invalid UTF-8 reaches a status message.
func Plain[S ~string](s S) string {
	str := string(s)
	str = str[:cutBytes(str, MaxQuoted)]
	for i := 0; i < len(str); i++ {
		if str[i] <= ' ' || str[i] > '~' || str[i] == '"' {
			return Quote(str)
		}
	}
	return str
}

// OneOf lists valid values for a message ("junior, middle, senior"), each as
// Plain renders it, clipped after 12 so a huge list stays one readable
// sentence: "a, b, ..., l, ... (40 in all)".
func OneOf[S ~string](ids []S) string {
	return list(ids, Plain[S])
}

// QuoteList renders a list of user-supplied values, a tech stack say, the way
// Quote renders one, in brackets and clipped as OneOf clips:
// `["Python", "Docker"]`.
func QuoteList[S ~string](items []S) string {
	return "[" + list(items, Quote[S]) + "]"
}

func list[S ~string](items []S, render func(S) string) string {
	var b strings.Builder
	for i, item := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		if i == maxListed {
			fmt.Fprintf(&b, "... (%d in all)", len(items))
			break
		}
		b.WriteString(render(item))
	}
	return b.String()
}

// Truncate shortens s to at most n bytes, ending in "..." when it cut, without
// splitting a UTF-8 sequence. It is for limits the API server counts in bytes
// (condition and event messages, annotation values). n below 4 leaves no room
// for the marker: then s is only cut.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= len(ellipsis) {
		return s[:cutBytes(s, max(n, 0))]
	}
	return s[:cutBytes(s, n-len(ellipsis))] + ellipsis
}

// TruncateRunes shortens s to its first n runes followed by "..." when it is
// longer: for text a person reads in a terminal, where a rune is closer to a
// column than a byte is.
func TruncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for range max(n, 0) {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i] + ellipsis
}

// cutBytes returns where to cut s so that s[:cut] is at most n <= len(s)
// bytes and ends on a rune boundary. It backs off at most to the start of
// one rune: invalid UTF-8 is cut where it is.
func cutBytes(s string, n int) int {
	if n >= len(s) {
		return len(s)
	}
	for back := 0; back < utf8.UTFMax-1 && n > 0 && !utf8.RuneStart(s[n]); back++ {
		n--
	}
	return n
}
