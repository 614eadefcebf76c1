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
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
)

// fpdf embeds TrueType fonts only (glyf outlines, no collection, no CFF)
// and no character above U+FFFF, and it has no font fallback. So the
// document carries the Go fonts (Latin, Greek, Cyrillic and symbols) and,
// for everything else, one more TrueType font: --font, or the first CJK
// font found on the system. Each run of text is set in the first font that
// has all its glyphs.

// Font errors, matched with errors.Is.
var (
	// ErrFontCollection: a .ttc file holds several fonts; fpdf embeds one.
	ErrFontCollection = errors.New("font collections (.ttc) cannot be embedded: give a single TrueType .ttf file")
	// ErrCFFFont: an OpenType font with CFF outlines (most .otf files).
	ErrCFFFont = errors.New("OpenType fonts with CFF outlines (.otf) cannot be embedded: give a TrueType .ttf file")
	// ErrNotTrueType: not a font file fpdf can read.
	ErrNotTrueType = errors.New("not a TrueType font: give a .ttf file with TrueType outlines")
	// ErrMissingGlyphs: no available font has a glyph for some characters.
	ErrMissingGlyphs = errors.New("no font covers some characters")
)

// SystemFontPaths are where Render looks for a TrueType font covering CJK
// when no --font is given, in order: Debian's fonts-droid-fallback and
// fonts-arphic-gbsn00lp / gkai00mp, and macOS's Arial Unicode.
var SystemFontPaths = []string{
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	"/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
	"/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf",
	"/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
	"/Library/Fonts/Arial Unicode.ttf",
}

// Font is a TrueType font checked to be one fpdf can embed.
type Font struct {
	Path string
	data []byte
	sfnt *sfnt.Font
}

// LoadFont reads and checks the TrueType font at path. It refuses
// collections and CFF fonts with ErrFontCollection and ErrCFFFont, so fpdf
// never sees a file it would fail on (and report on stdout).
func LoadFont(path string) (*Font, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", path, err)
	}
	f, err := ParseFont(data)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", path, err)
	}
	f.Path = path
	return f, nil
}

// ParseFont checks data as LoadFont does.
func ParseFont(data []byte) (*Font, error) {
	if len(data) < 12 {
		return nil, ErrNotTrueType
	}
	switch string(data[:4]) {
	case "ttcf":
		return nil, ErrFontCollection
	case "OTTO":
		return nil, ErrCFFFont
	case "\x00\x01\x00\x00", "true":
	default:
		return nil, ErrNotTrueType
	}
	parsed, err := sfnt.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotTrueType, err)
	}
	for _, table := range []string{"glyf", "loca", "cmap", "hmtx", "head", "hhea", "maxp"} {
		if !hasTable(data, table) {
			return nil, fmt.Errorf("%w: no %s table", ErrNotTrueType, table)
		}
	}
	return &Font{data: data, sfnt: parsed}, nil
}

// hasTable looks the tag up in the font's table directory.
func hasTable(data []byte, tag string) bool {
	n := int(data[4])<<8 | int(data[5])
	for i := range n {
		off := 12 + 16*i
		if off+4 > len(data) {
			return false
		}
		if string(data[off:off+4]) == tag {
			return true
		}
	}
	return false
}

// Covers reports whether the font has a glyph for r. fpdf cannot address
// glyphs above U+FFFF, so no font covers those.
func (f *Font) Covers(r rune) bool {
	if r > 0xFFFF {
		return false
	}
	var buf sfnt.Buffer
	g, err := f.sfnt.GlyphIndex(&buf, r)
	return err == nil && g != 0
}

// FindSystemFont is the first font of SystemFontPaths that exists and loads.
func FindSystemFont() (*Font, bool) {
	for _, p := range SystemFontPaths {
		if f, err := LoadFont(p); err == nil {
			return f, true
		}
	}
	return nil, false
}

// goRegular decides which characters the Go fonts set; Go Bold covers the
// same characters.
var goRegular = mustParse(goregular.TTF)

func mustParse(data []byte) *Font {
	f, err := ParseFont(data)
	if err != nil {
		panic(err)
	}
	return f
}

// MissingGlyphsError names the characters no available font covers.
type MissingGlyphsError struct {
	Runes []rune
	// Fonts are the fonts that were tried, by path ("Go" for the bundled ones).
	Fonts []string
}

func (e *MissingGlyphsError) Error() string {
	chars := make([]string, 0, len(e.Runes))
	for _, r := range e.Runes {
		chars = append(chars, fmt.Sprintf("%q (U+%04X)", r, r))
	}
	need := "a TrueType font (.ttf) that has them, given with --font FILE.ttf"
	if slices.ContainsFunc(e.Runes, func(r rune) bool { return r > 0xFFFF }) {
		need += "; characters above U+FFFF (emoji and the like) cannot be embedded by the built-in engine at all: use --engine chromium"
	}
	return fmt.Sprintf("%s: %s (fonts tried: %s); need %s, or --replace-missing to print them as %q",
		ErrMissingGlyphs, strings.Join(chars, ", "), strings.Join(e.Fonts, ", "), need, ReplacementMarker)
}

func (e *MissingGlyphsError) Unwrap() error { return ErrMissingGlyphs }

// ReplacementMarker is printed in place of a character no font covers when
// Options.ReplaceMissing is set.
const ReplacementMarker = '\uFFFD'

// fontSet picks the font of each character.
type fontSet struct {
	extra   *Font // --font or a system font; nil when none
	missing map[rune]bool
}

// Font family names inside the document.
const (
	familyGo    = "go"
	familyExtra = "extra"
)

func (s *fontSet) familyOf(r rune) (string, bool) {
	switch {
	case r == '\n' || r == '\t' || goRegular.Covers(r):
		return familyGo, true
	case s.extra != nil && s.extra.Covers(r):
		return familyExtra, true
	}
	return familyGo, false
}

// run is text set in one font.
type run struct {
	family, text string
}

// runs splits s into runs of one font each, replacing what no font covers
// with ReplacementMarker and remembering it.
func (s *fontSet) runs(text string) []run {
	var out []run
	var b bytes.Buffer
	cur := ""
	flush := func() {
		if b.Len() > 0 {
			out = append(out, run{cur, b.String()})
			b.Reset()
		}
	}
	for _, r := range text {
		fam, ok := s.familyOf(r)
		if !ok {
			s.missing[r] = true
			r = ReplacementMarker
		}
		if fam != cur {
			flush()
			cur = fam
		}
		b.WriteRune(r)
	}
	flush()
	return out
}

func (s *fontSet) tried() []string {
	out := []string{"Go (bundled)"}
	if s.extra != nil {
		out = append(out, filepath.Base(s.extra.Path))
	}
	return out
}
