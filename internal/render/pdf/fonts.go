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
	"cmp"
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
	if err := checkForFPDF(data); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotTrueType, err)
	}
	return &Font{data: data, sfnt: parsed}, nil
}

// checkForFPDF refuses what fpdf's TrueType reader would refuse by printing
// to stdout (and then embedding a broken font): the tables it needs, a name
// table of format 0, glyph data and metrics formats 0, horizontal metrics,
// an embeddable licence (OS/2 fsType) and a Unicode cmap of format 4.
func checkForFPDF(data []byte) error {
	tables, err := fontTables(data)
	if err != nil {
		return err
	}
	for _, tag := range []string{"glyf", "loca", "cmap", "hmtx", "head", "hhea", "maxp", "name", "post"} {
		if _, ok := tables[tag]; !ok {
			return fmt.Errorf("no %s table", tag)
		}
	}
	switch {
	case len(tables["name"]) < 2 || u16(tables["name"], 0) != 0:
		return errors.New("its name table is not of format 0, which the PDF library reads")
	case len(tables["head"]) < 54 || u16(tables["head"], 50) > 1 || u16(tables["head"], 52) != 0:
		return errors.New("its head table gives a glyph format the PDF library does not read")
	case len(tables["hhea"]) < 36 || u16(tables["hhea"], 32) != 0 || u16(tables["hhea"], 34) == 0:
		return errors.New("its horizontal metrics are missing or of an unknown format")
	}
	if os2, ok := tables["OS/2"]; ok && len(os2) >= 10 {
		if fs := u16(os2, 8); fs == 0x0002 || fs&0x0300 != 0 {
			return errors.New("its licence does not allow embedding (OS/2 fsType)")
		}
	}
	if !hasUnicodeCmap4(tables["cmap"]) {
		return errors.New("it has no Unicode cmap of format 4")
	}
	return nil
}

// fontTables slices the font's tables by tag, checking that each lies
// inside the file.
func fontTables(data []byte) (map[string][]byte, error) {
	tables := map[string][]byte{}
	for i := range int(u16(data, 4)) {
		rec := 12 + 16*i
		if rec+16 > len(data) {
			return nil, errors.New("the table directory is cut short")
		}
		off, length := int(u32(data, rec+8)), int(u32(data, rec+12))
		if off < 0 || length < 0 || off > len(data) || length > len(data)-off {
			return nil, fmt.Errorf("table %q lies outside the file", data[rec:rec+4])
		}
		tables[string(data[rec:rec+4])] = data[off : off+length]
	}
	return tables, nil
}

// hasUnicodeCmap4 reports a cmap subtable for Unicode (platform 0, or
// Windows Unicode BMP) of format 4, the one fpdf maps characters with.
func hasUnicodeCmap4(cmap []byte) bool {
	if len(cmap) < 4 {
		return false
	}
	for i := range int(u16(cmap, 2)) {
		rec := 4 + 8*i
		if rec+8 > len(cmap) {
			return false
		}
		platform, encoding, off := u16(cmap, rec), u16(cmap, rec+2), int(u32(cmap, rec+4))
		if (platform == 0 || platform == 3 && encoding == 1) && off >= 0 && off+2 <= len(cmap) && u16(cmap, off) == 4 {
			return true
		}
	}
	return false
}

func u16(b []byte, off int) uint16 {
	if off < 0 || off+2 > len(b) {
		return 0xFFFF
	}
	return uint16(b[off])<<8 | uint16(b[off+1])
}

func u32(b []byte, off int) uint32 {
	if off < 0 || off+4 > len(b) {
		return 0xFFFFFFFF
	}
	return uint32(b[off])<<24 | uint32(b[off+1])<<16 | uint32(b[off+2])<<8 | uint32(b[off+3])
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
	// Characters above U+FFFF first: no font can help them, so they must be seen.
	ordered := slices.Clone(e.Runes)
	astral := func(r rune) int {
		if r > 0xFFFF {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(ordered, func(a, b rune) int { return cmp.Compare(astral(a), astral(b)) })
	need := "a TrueType font (.ttf) that has them, given with --font FILE.ttf"
	if slices.ContainsFunc(e.Runes, func(r rune) bool { return r > 0xFFFF }) {
		need += "; characters above U+FFFF (emoji and the like) cannot be embedded by the built-in engine at all: use --engine chromium"
	}
	return fmt.Sprintf("%s: %s (fonts tried: %s); need %s, or --replace-missing to print them as %q",
		ErrMissingGlyphs, Characters(ordered), strings.Join(e.Fonts, ", "), need, ReplacementMarker)
}

// maxCharacters is how many characters Characters names before "and N more".
const maxCharacters = 24

// Characters names characters for a message, each with its code point, so
// an invisible or look-alike one is still identified: `'🚀' (U+1F680),
// '\u0378' (U+0378)`, the first 24 and "and N more". Both PDF engines and
// the CLI name the characters they cannot print with it.
func Characters(runes []rune) string {
	names := make([]string, 0, min(len(runes), maxCharacters)+1)
	for _, r := range runes[:min(len(runes), maxCharacters)] {
		names = append(names, fmt.Sprintf("%q (U+%04X)", r, r))
	}
	if len(runes) > maxCharacters {
		names = append(names, fmt.Sprintf("and %d more", len(runes)-maxCharacters))
	}
	return strings.Join(names, ", ")
}

func (e *MissingGlyphsError) Unwrap() error { return ErrMissingGlyphs }

// ReplacementMarker is printed in place of a character no font covers when
// Options.ReplaceMissing is set.
const ReplacementMarker = '\uFFFD'

// fontSet picks the font of each character.
type fontSet struct {
	// extras are tried after the Go fonts, in order: --font, then a
	// system font.
	extras  []*Font
	missing map[rune]bool
}

// Font family names inside the document.
const (
	familyGo = "go"
)

// familyExtra names the i-th extra font inside the document.
func familyExtra(i int) string { return fmt.Sprintf("extra%d", i) }

func (s *fontSet) familyOf(r rune) (string, bool) {
	switch {
	case r == '\n' || r == '\t' || goRegular.Covers(r):
		return familyGo, true
	}
	for i, f := range s.extras {
		if f.Covers(r) {
			return familyExtra(i), true
		}
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
	out := make([]string, 0, 1+len(s.extras))
	out = append(out, "Go (bundled)")
	for _, f := range s.extras {
		out = append(out, filepath.Base(f.Path))
	}
	return out
}
