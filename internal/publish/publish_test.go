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

package publish

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"testing"
)

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func TestBuild(t *testing.T) {
	small := map[string][]byte{"matrix.json": []byte(`{"a":1}`), "matrix.md": []byte("# A\n")}
	repetitive := map[string][]byte{"matrix.json": []byte(strings.Repeat(`{"skill":"docker"},`, 4000))}
	incompressible := map[string][]byte{"matrix.json": randomBytes(3000)}

	tests := []struct {
		name           string
		files          map[string][]byte
		limit          int
		wantCompressed bool
		wantTooLarge   bool
	}{
		{name: "fits as text", files: small, limit: MaxConfigMapBytes},
		{name: "exactly at the limit stays text", files: small, limit: len("matrix.json") + 7 + len("matrix.md") + 4},
		{name: "one byte over the limit, where gzip cannot help, is too large", files: small, limit: len("matrix.json") + 7 + len("matrix.md") + 3, wantTooLarge: true},
		{name: "large but repetitive is compressed", files: repetitive, limit: 10000, wantCompressed: true},
		{name: "incompressible over the limit is too large", files: incompressible, limit: 2000, wantTooLarge: true},
		{name: "empty", files: map[string][]byte{}, limit: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Build(tt.files, tt.limit)
			if tt.wantTooLarge {
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("want ErrTooLarge, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Compressed() != tt.wantCompressed {
				t.Fatalf("compressed = %v, want %v", p.Compressed(), tt.wantCompressed)
			}
			if p.Size > tt.limit {
				t.Fatalf("size %d over limit %d", p.Size, tt.limit)
			}
			if p.Hash != Hash(tt.files) {
				t.Fatalf("hash %s does not identify the uncompressed content", p.Hash)
			}
			if p.Files() != len(tt.files) {
				t.Fatalf("Files() = %d, want %d", p.Files(), len(tt.files))
			}
			for k, v := range tt.files {
				if p.Compressed() {
					if got := gunzip(t, p.BinaryData[k+GzipSuffix]); !bytes.Equal(got, v) {
						t.Fatalf("%s does not round-trip through gzip", k)
					}
				} else if p.Data[k] != string(v) {
					t.Fatalf("%s = %q, want %q", k, p.Data[k], v)
				}
			}
		})
	}
}

func TestBuildIsDeterministic(t *testing.T) {
	files := map[string][]byte{"matrix.json": []byte(strings.Repeat("x", 5000)), "matrix.csv": []byte(strings.Repeat("y,", 5000))}
	a, err := Build(files, 1000)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(files, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Equal(b.Data, b.BinaryData) || a.Hash != b.Hash {
		t.Fatal("two builds of the same files differ")
	}
}

func TestHash(t *testing.T) {
	base := Hash(map[string][]byte{"a": []byte("1"), "b": []byte("2")})
	if base != Hash(map[string][]byte{"b": []byte("2"), "a": []byte("1")}) {
		t.Fatal("hash depends on map order")
	}
	// Moving bytes between key and value must change the hash.
	if Hash(map[string][]byte{"ab": []byte("c")}) == Hash(map[string][]byte{"a": []byte("bc")}) {
		t.Fatal("hash does not separate keys from values")
	}
	if base == Hash(map[string][]byte{"a": []byte("1"), "b": []byte("3")}) {
		t.Fatal("hash ignores a changed value")
	}
}

func TestPayloadEqual(t *testing.T) {
	p, err := Build(map[string][]byte{"a": []byte("1")}, MaxConfigMapBytes)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Equal(map[string]string{"a": "1"}, nil) {
		t.Fatal("equal content reported as different")
	}
	if !p.Equal(map[string]string{"a": "1"}, map[string][]byte{}) {
		t.Fatal("empty and nil binaryData must compare equal")
	}
	if p.Equal(map[string]string{"a": "2"}, nil) {
		t.Fatal("hand-edited value not detected")
	}
	if p.Equal(map[string]string{"a": "1", "extra": ""}, nil) {
		t.Fatal("added key not detected")
	}
}
