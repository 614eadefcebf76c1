package gitwrite

import (
	"strings"
)

// Trailer is one "Key: value" line of a commit message's trailer block.
type Trailer struct{ Key, Value string }

// TrailerBlock parses the trailer block of a commit message as git
// interpret-trailers reads it, but strictly: the last paragraph (after the
// last blank line, never the subject alone), and only when every one of its
// lines is a trailer: a token of letters, digits and '-' at the start of
// the line, then ": " and a value. A paragraph with any other line (an
// indented continuation, a bullet, a quote, prose) has no trailers at all,
// so no line of a body can become one. Callers read it only from commits
// the operator wrote (see Trust): anyone can type a trailer.
func TrailerBlock(msg string) []Trailer {
	msg = strings.TrimRight(strings.ReplaceAll(msg, "\r\n", "\n"), "\n \t")
	i := strings.LastIndex(msg, "\n\n")
	if i < 0 {
		// A message of one paragraph is its subject and body: no trailers.
		return nil
	}
	var out []Trailer
	for line := range strings.SplitSeq(msg[i+2:], "\n") {
		t, ok := parseTrailerLine(line)
		if !ok {
			return nil
		}
		out = append(out, t)
	}
	return out
}

// parseTrailerLine reads "Key: value" with a token key starting the line.
func parseTrailerLine(line string) (Trailer, bool) {
	key, value, ok := strings.Cut(line, ": ")
	if !ok || !isTrailerToken(key) {
		return Trailer{}, false
	}
	return Trailer{Key: key, Value: strings.TrimSpace(value)}, true
}

func isTrailerToken(s string) bool {
	if s == "" || s[0] == '-' {
		return false
	}
	for _, r := range s {
		if r != '-' && (r < '0' || r > '9') && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}

// trailerValues are key's values in the trailer block of msg.
func trailerValues(msg, key string) []string {
	var out []string
	for _, t := range TrailerBlock(msg) {
		if t.Key == key {
			out = append(out, t.Value)
		}
	}
	return out
}

// looksLikeTrailer reports whether a line could be read as a trailer by a
// reader more lenient than TrailerBlock (git's own parser accepts any token
// followed by a colon, some tools look at every line, a forge's squash
// lists every message, bulleted): after any indentation, bullets or quote
// marks, a token and a colon. Text that reaches a commit message is
// rendered so that no line of it does (see safeLines).
func looksLikeTrailer(line string) bool {
	line = strings.TrimLeft(line, " \t*-+>#|")
	key, _, ok := strings.Cut(line, ":")
	return ok && isTrailerToken(strings.TrimSpace(key))
}
