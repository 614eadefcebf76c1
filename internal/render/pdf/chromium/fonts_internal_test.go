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
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render/pdf"
)

func TestParseFcList(t *testing.T) {
	out := "TrueType\tTrue\t20-7e a0-ff\n" +
		"CFF\tTrue\t4e00-4e10 3000\n" +
		"TrueType\tTrue\t41-5a 100\n" + // overlaps and touches the first
		"PCF\tFalse\t1f680\n" + // a bitmap font: Chromium does not fall back to it
		"Type 1\tTrue\t1f681\n" + // nor to a Type 1 font
		"\n"
	c, err := parseFcList([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	want := []runeRange{{0x20, 0x7e}, {0xa0, 0x100}, {0x3000, 0x3000}, {0x4e00, 0x4e10}}
	if !slices.Equal(c.ranges, want) {
		t.Errorf("ranges = %x, want %x", c.ranges, want)
	}
	for r, covered := range map[rune]bool{'A': true, 'ÿ': true, 0x100: true, 0x101: false, '一': true, 0x3000: true, '🚀': false, 0x1f681: false, 0x1f: false} {
		if c.Covers(r) != covered {
			t.Errorf("Covers(%U) = %v, want %v", r, !covered, covered)
		}
	}
	for _, bad := range []string{"TrueType\tTrue\tzz\n", "TrueType\tTrue\t7e-20\n", "TrueType\tTrue\t110000\n"} {
		if _, err := parseFcList([]byte(bad)); err == nil {
			t.Errorf("parseFcList(%q) accepted a bad charset", bad)
		}
	}
}

// Missing names each uncovered character once, in order of appearance, and
// leaves out what is drawn without a glyph of its own.
func TestMissing(t *testing.T) {
	c := &Coverage{ranges: []runeRange{{0x20, 0x7e}, {0x4e00, 0x9fff}}}
	cases := []struct {
		name, text string
		want       []rune
	}{
		{"all covered", "Level 技能", nil},
		{"an emoji, once", "🚀 go 🚀", []rune{'🚀'}},
		{"private use and unassigned", "\uE000 \u0378", []rune{0xE000, 0x378}},
		{"white space and line breaks need no glyph", "a\tb\nc\u00a0d\u3000e\u2028", nil},
		{"joiners, marks and variation selectors need none", "a\u200db\u200ec\ufe0fd\u00ad", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.Missing(tc.text); !slices.Equal(got, tc.want) {
				t.Errorf("Missing(%q) = %U, want %U", tc.text, got, tc.want)
			}
		})
	}
}

// The error names the characters as the built-in engine's does and matches
// the same sentinel, so a caller tells both apart from other failures alike.
func TestMissingGlyphsError(t *testing.T) {
	err := error(&MissingGlyphsError{Runes: []rune{'🚀', 0x378}})
	if !errors.Is(err, pdf.ErrMissingGlyphs) {
		t.Errorf("%v does not match pdf.ErrMissingGlyphs", err)
	}
	for _, want := range []string{`'🚀' (U+1F680), '\u0378' (U+0378)`, "fonts-noto-color-emoji", "--replace-missing"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not contain %q", err, want)
		}
	}
}

// The installed fonts as fontconfig lists them: any machine with fonts
// covers "A", none covers an unassigned code point.
func TestInstalledCoverage(t *testing.T) {
	if _, err := exec.LookPath(FcList); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	c, err := InstalledCoverage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !c.Covers('A') || c.Covers(0x378) {
		t.Errorf("Covers('A') = %v, Covers(U+0378) = %v; want true, false", c.Covers('A'), c.Covers(0x378))
	}
}

func TestInstalledCoverageWithoutFontconfig(t *testing.T) {
	defer func(saved string) { FcList = saved }(FcList)
	FcList = "skillmatrix-no-such-fc-list"
	if _, err := InstalledCoverage(context.Background()); !errors.Is(err, ErrNoFontconfig) {
		t.Errorf("InstalledCoverage = %v, want ErrNoFontconfig", err)
	}
}
