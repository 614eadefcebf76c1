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

package pdf

import (
	"maps"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// addFonts embeds the Go fonts and the extra fonts, each as regular and
// bold (an extra font has one weight; bold text in it is set regular).
func (d *doc) addFonts() {
	d.f.AddUTF8FontFromBytes(familyGo, "", goregular.TTF)
	d.f.AddUTF8FontFromBytes(familyGo, "B", gobold.TTF)
	for i, f := range d.fonts.extras {
		d.f.AddUTF8FontFromBytes(familyExtra(i), "", f.data)
		d.f.AddUTF8FontFromBytes(familyExtra(i), "B", f.data)
	}
	d.setFont("", 10)
}

func (d *doc) setFont(style string, size float64) {
	d.style, d.size = style, size
	d.f.SetFont(familyGo, style, size)
}

// measure is the width of s in the current style and size, run by run.
func (d *doc) measure(s string) float64 { return d.measureRuns(d.fonts.runs(s)) }

func (d *doc) measureRuns(runs []run) float64 {
	w := 0.0
	for _, r := range runs {
		d.f.SetFont(r.family, d.style, d.size)
		w += d.f.GetStringWidth(r.text)
	}
	d.f.SetFont(familyGo, d.style, d.size)
	return w
}

// lines wraps s to width w in the current style and size, keeping explicit
// line breaks. Lines break at spaces and between two characters of a
// script written without spaces (Chinese, Japanese), whatever the fonts of
// the runs on the line; a word wider than w is cut where it must.
func (d *doc) lines(s string, w float64) []string {
	if s == "" {
		return nil
	}
	var out []string
	for para := range strings.SplitSeq(s, "\n") {
		out = append(out, d.wrap(para, w)...)
	}
	return out
}

func (d *doc) wrap(para string, w float64) []string {
	var out []string
	line := ""
	for _, tok := range tokens(para) {
		candidate := line + tok
		if line == "" {
			candidate = strings.TrimLeft(tok, " ")
		}
		if d.measure(candidate) <= w || line == "" && !d.tooWide(candidate, w) {
			line = candidate
			continue
		}
		if line != "" {
			out = append(out, strings.TrimRight(line, " "))
		}
		line = strings.TrimLeft(tok, " ")
		for d.tooWide(line, w) {
			head, rest := d.cut(line, w)
			out = append(out, head)
			line = rest
		}
	}
	return append(out, strings.TrimRight(line, " "))
}

func (d *doc) tooWide(s string, w float64) bool { return d.measure(s) > w && len([]rune(s)) > 1 }

// cut splits s after the most runes that fit in w, at least one.
func (d *doc) cut(s string, w float64) (string, string) {
	rs := []rune(s)
	n := 1
	for n < len(rs) && d.measure(string(rs[:n+1])) <= w {
		n++
	}
	return string(rs[:n]), string(rs[n:])
}

// tokens splits a paragraph where a line may break: each token is the
// spaces before a word and the word, and a character of a script without
// spaces between words is a token of its own.
func tokens(s string) []string {
	var out []string
	var b strings.Builder
	inWord := false
	for _, r := range s {
		switch {
		case wide(r):
			if b.Len() > 0 && (inWord || strings.TrimSpace(b.String()) != "") {
				out = append(out, b.String())
				b.Reset()
			}
			b.WriteRune(r)
			out = append(out, b.String())
			b.Reset()
			inWord = false
		case r == ' ':
			if inWord {
				out = append(out, b.String())
				b.Reset()
				inWord = false
			}
			b.WriteRune(r)
		default:
			b.WriteRune(r)
			inWord = true
		}
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

// wide reports a character of a script written without spaces between
// words, or full-width punctuation, after which a line may break.
func wide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF)
}

// checkMissing fails the render when some character had no font, unless
// the options ask for the marker.
func (d *doc) checkMissing(opts Options) error {
	if len(d.fonts.missing) == 0 {
		return nil
	}
	runes := slices.Sorted(maps.Keys(d.fonts.missing))
	if opts.ReplaceMissing {
		if opts.OnMissing != nil {
			opts.OnMissing(runes)
		}
		return nil
	}
	return &MissingGlyphsError{Runes: runes, Fonts: d.fonts.tried()}
}
