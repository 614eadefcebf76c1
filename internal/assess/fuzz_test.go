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

package assess

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseRatings: any file either reads or is refused with a typed error
// (ErrNoRatings or a *FileError), and what reads survives being written
// back as JSON (what the page exports) and as CSV.
func FuzzParseRatings(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "ratings", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(filepath.Base(file), data)
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		if strings.ContainsAny(name, "/\\") {
			return
		}
		got, err := ParseRatings(name, data)
		if err != nil {
			var fe *FileError
			if !errors.Is(err, ErrNoRatings) && !errors.As(err, &fe) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		for skill, value := range got {
			if !strings.ContainsFunc(skill+value, notYAMLPrintable) {
				continue
			}
			return // YAML, and so assess's JSON, cannot carry what CSV may hold
		}
		asJSON, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseRatings("r.json", asJSON)
		if err != nil || !maps.Equal(back, got) {
			t.Fatalf("%v as JSON %s reads back as %v, %v", got, asJSON, back, err)
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		written := 0
		for skill, value := range got {
			// CSV trims and skips what YAML keeps: only plain rows round-trip.
			if strings.Trim(skill, asciiSpace) != skill || strings.Trim(value, asciiSpace) != value ||
				strings.HasPrefix(skill, "#") || skill == "" || strings.ContainsAny(skill+value, "\r\n") ||
				strings.ContainsFunc(skill+value, func(r rune) bool { return r == '\uFFFD' }) {
				continue
			}
			if err := w.Write([]string{skill, value}); err != nil {
				t.Fatal(err)
			}
			written++
		}
		w.Flush()
		if written == 0 {
			return
		}
		fromCSV, err := ParseRatings("r.csv", append([]byte("skill,proficiency\n"), buf.Bytes()...))
		if err != nil || len(fromCSV) != written {
			t.Fatalf("%v as CSV %q: %v, %v", got, buf.String(), fromCSV, err)
		}
		for skill, value := range fromCSV {
			if got[skill] != value {
				t.Fatalf("CSV round trip of %q: %q, want %q", skill, value, got[skill])
			}
		}
	})
}

// notYAMLPrintable reports a rune YAML does not allow in a document.
func notYAMLPrintable(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r' || r == 0x85:
		return false
	case r >= 0x20 && r <= 0x7e, r >= 0xa0 && r <= 0xd7ff, r >= 0xe000 && r <= 0xfffd && r != 0xfeff, r >= 0x10000 && r <= 0x10ffff:
		return false
	}
	return true
}
