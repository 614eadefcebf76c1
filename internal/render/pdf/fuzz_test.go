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
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/goregular"
)

// FuzzParseFont: whatever bytes come in as --font, ParseFont returns an
// error or a font whose Covers answers, and never panics; so nothing it
// accepts is a collection or a CFF font.
func FuzzParseFont(f *testing.F) {
	f.Add(goregular.TTF[:64])
	f.Add([]byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x01"))
	f.Add([]byte("OTTO\x00\x0a\x00\x80\x00\x03\x00\x20"))
	f.Add([]byte("\x00\x01\x00\x00\xff\xff\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		font, err := ParseFont(data)
		if err != nil {
			return
		}
		if magic := string(data[:4]); magic == "ttcf" || magic == "OTTO" {
			t.Fatalf("accepted a %q font", magic)
		}
		for _, r := range "Aж技🚀" {
			_ = font.Covers(r)
		}
	})
}

// FuzzWrap: wrapping loses no character but spaces at line ends, and every
// line fits unless it is a single character.
func FuzzWrap(f *testing.F) {
	for _, s := range []string{
		"", "word", "Kubernetes 集群 и GPU調度 αβγ", strings.Repeat("在生产环境中运行模型 ", 20),
		"Supercalifragilisticexpialidocious" + strings.Repeat("x", 90), "a  b\tc\n\nd", "🚀 launch 技",
	} {
		f.Add(s, 30.0)
	}
	f.Fuzz(func(t *testing.T, s string, w float64) {
		if !utf8.ValidString(s) || w < 1 || w > 300 || len(s) > 500 {
			return
		}
		// The Go fonts only: embedding a 4 MB CJK font per input would make
		// the fuzzer crawl, and the wrapping treats every font alike.
		d := &doc{f: fpdf.New("L", "mm", "A4", ""), fonts: &fontSet{missing: map[rune]bool{}}}
		d.addFonts()
		lines := d.lines(s, w)
		strip := func(x string) string {
			return strings.Map(func(r rune) rune {
				if r == ' ' || r == '\n' {
					return -1
				}
				if _, ok := d.fonts.familyOf(r); !ok {
					return ReplacementMarker
				}
				return r
			}, x)
		}
		if got, want := strip(strings.Join(lines, "")), strip(s); got != want {
			t.Fatalf("lines %q lose text: %q, want %q", lines, got, want)
		}
		for _, l := range lines {
			if d.measure(l) > w+0.01 && utf8.RuneCountInString(l) > 1 {
				t.Fatalf("line %q is %.2f wide, more than %.2f", l, d.measure(l), w)
			}
		}
	})
}
