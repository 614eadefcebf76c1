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

package chromium

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render/pdf"
)

// Chromium draws a character no font has a glyph for as an empty box, or
// not at all, and prints the PDF anyway. So Print first asks which
// characters the installed fonts cover, the way Chromium's own font
// fallback on Linux does (ui/gfx/font_fallback_linux.cc): through
// fontconfig, taking only scalable TrueType and CFF fonts. fc-list reports
// each font's character set in one run, which is cheaper than asking
// fc-match per character and sees exactly the fonts Chromium can fall back
// to, the user's and fontconfig's configuration included.

// FcList is the fontconfig command Print lists the installed fonts with.
var FcList = "fc-list"

// fcListFormat asks fc-list for what Chromium's fallback looks at: the
// font's format, whether it is scalable, and its character set.
const fcListFormat = `%{fontformat}\t%{scalable}\t%{charset}\n`

// ErrNoFontconfig means fc-list is not installed, so Print cannot tell which
// characters the fonts cover.
var ErrNoFontconfig = errors.New("cannot tell which characters the installed fonts cover: fontconfig's fc-list is not installed " +
	"(Debian: apt-get install fontconfig; macOS: brew install fontconfig)")

// Coverage is the set of characters at least one installed font has a glyph
// for: sorted, disjoint ranges.
type Coverage struct {
	ranges []runeRange
}

type runeRange struct{ lo, hi rune }

// Covers reports whether some installed font has a glyph for r.
func (c *Coverage) Covers(r rune) bool {
	_, found := slices.BinarySearchFunc(c.ranges, r, func(rr runeRange, r rune) int {
		switch {
		case rr.hi < r:
			return -1
		case rr.lo > r:
			return 1
		}
		return 0
	})
	return found
}

// InstalledCoverage is the characters the fonts Chromium can fall back to
// cover, as fontconfig lists them.
func InstalledCoverage(ctx context.Context) (*Coverage, error) {
	path, err := exec.LookPath(FcList)
	if err != nil {
		return nil, ErrNoFontconfig
	}
	out, err := exec.CommandContext(ctx, path, "--format", fcListFormat).Output()
	if err != nil {
		return nil, fmt.Errorf("listing the installed fonts with %s: %w", FcList, err)
	}
	return parseFcList(out)
}

// parseFcList reads fc-list's answer to fcListFormat: a line per font,
// "TrueType<TAB>True<TAB>20-7e a0-17f 3000". Bitmap fonts and formats other
// than TrueType and CFF are left out, as Chromium leaves them out.
func parseFcList(out []byte) (*Coverage, error) {
	var ranges []runeRange
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20) // a CJK font's charset is a long line
	for line := 1; sc.Scan(); line++ {
		format, rest, ok1 := strings.Cut(sc.Text(), "\t")
		scalable, charset, ok2 := strings.Cut(rest, "\t")
		if !ok1 || !ok2 {
			continue // a font without the fields, or a blank line
		}
		if scalable != "True" || (format != "TrueType" && format != "CFF") {
			continue
		}
		for field := range strings.FieldsSeq(charset) {
			r, err := parseRange(field)
			if err != nil {
				return nil, fmt.Errorf("%s, line %d: %w", FcList, line, err)
			}
			ranges = append(ranges, r)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", FcList, err)
	}
	return &Coverage{ranges: merge(ranges)}, nil
}

// parseRange reads one range of a fontconfig charset: "3000" or "20-7e", hex.
func parseRange(s string) (runeRange, error) {
	lo, hi, isRange := strings.Cut(s, "-")
	if !isRange {
		hi = lo
	}
	a, errA := strconv.ParseUint(lo, 16, 32)
	b, errB := strconv.ParseUint(hi, 16, 32)
	if errA != nil || errB != nil || a > b || b > unicode.MaxRune {
		return runeRange{}, fmt.Errorf("%q is not a range of code points", s)
	}
	return runeRange{rune(a), rune(b)}, nil
}

// merge sorts ranges and joins those that overlap or touch.
func merge(ranges []runeRange) []runeRange {
	slices.SortFunc(ranges, func(a, b runeRange) int { return cmp.Compare(a.lo, b.lo) })
	var out []runeRange
	for _, r := range ranges {
		if n := len(out); n > 0 && r.lo <= out[n-1].hi+1 {
			out[n-1].hi = max(out[n-1].hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	return out
}

// Missing lists, once each and in order of appearance, the characters of
// text that need a glyph and that no font of c covers.
func (c *Coverage) Missing(text string) []rune {
	var out []rune
	seen := map[rune]bool{}
	for _, r := range text {
		if seen[r] || !needsGlyph(r) {
			continue
		}
		seen[r] = true
		if !c.Covers(r) {
			out = append(out, r)
		}
	}
	return out
}

// needsGlyph says whether a character is drawn with a glyph of its own.
// White space, controls and format characters (zero-width joiners,
// direction marks) and variation selectors (the U+FE0F after an emoji) are
// not, and fonts need not have them.
func needsGlyph(r rune) bool {
	return !unicode.IsSpace(r) && !unicode.In(r, unicode.Zs, unicode.Cc, unicode.Cf, unicode.Variation_Selector)
}

// MissingGlyphsError names the characters of a page that no installed font
// covers. It matches pdf.ErrMissingGlyphs, as the built-in engine's does.
type MissingGlyphsError struct {
	Runes []rune
}

func (e *MissingGlyphsError) Error() string {
	return fmt.Sprintf("%s: %s; Chromium would print them as empty boxes or leave them out. "+
		"Install a font that has them (for emoji Debian's fonts-noto-color-emoji, for Chinese fonts-noto-cjk), "+
		"or pass --replace-missing to print anyway", pdf.ErrMissingGlyphs, pdf.Characters(e.Runes))
}

func (e *MissingGlyphsError) Unwrap() error { return pdf.ErrMissingGlyphs }
