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
	"errors"
	"maps"
	"strings"
	"testing"
)

func TestConfigMapNames(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"default suffix", MatrixConfigMapName("mlops-engineer", ""), "mlops-engineer-matrix"},
		{"suffix of the SkillMatrix", MatrixConfigMapName("mlops-engineer", "-ladder"), "mlops-engineer-ladder"},
		{"catalog", CatalogConfigMapName("engineering"), "engineering-catalog"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestLabels(t *testing.T) {
	matrix := MatrixLabels("r", "m")
	want := map[string]string{LabelManagedBy: ManagedBy, LabelRole: "r", LabelSkillMatrix: "m"}
	if !maps.Equal(matrix, want) {
		t.Errorf("MatrixLabels = %v, want %v", matrix, want)
	}
	catalog := CatalogLabels("m")
	if _, ok := catalog[LabelRole]; ok {
		t.Errorf("CatalogLabels carries %s: readers tell matrix ConfigMaps from catalogs by it", LabelRole)
	}
	// Every published ConfigMap must match the selector the cache and the
	// readers list with, or the operator stops seeing its own ConfigMaps.
	for name, labels := range map[string]map[string]string{"matrix": matrix, "catalog": catalog} {
		for k, v := range ManagedLabels() {
			if labels[k] != v {
				t.Errorf("%s labels %v do not match the managed selector %s=%s", name, labels, k, v)
			}
		}
	}
	// Callers may add to the maps they get; that must not leak into the next caller's.
	ManagedLabels()["x"] = "y"
	if _, ok := ManagedLabels()["x"]; ok {
		t.Error("ManagedLabels returns a shared map")
	}
}

func TestAnnotations(t *testing.T) {
	files := map[string][]byte{"matrix.json": []byte(strings.Repeat(`{"skill":"docker"},`, 4000))}
	plain, err := Build(files, MaxConfigMapBytes)
	if err != nil {
		t.Fatal(err)
	}
	compressed, err := Build(files, 1000)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		payload Payload
		want    map[string]string
	}{
		{"plain", plain, map[string]string{AnnotationContentHash: plain.Hash}},
		{"compressed", compressed, map[string]string{AnnotationContentHash: compressed.Hash, AnnotationContentEncoding: EncodingGzip}},
	}
	for _, tt := range tests {
		if got := tt.payload.Annotations(); !maps.Equal(got, tt.want) {
			t.Errorf("%s: Annotations() = %v, want %v", tt.name, got, tt.want)
		}
	}
	if plain.Hash != compressed.Hash {
		t.Error("the content hash depends on how the content is stored")
	}
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	out, err := gzipBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReadFile(t *testing.T) {
	json := []byte(`{"skills":[]}`)
	bomb := func() []byte {
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zeros := make([]byte, 1<<20)
		for range MaxFileBytes/len(zeros) + 1 {
			_, _ = w.Write(zeros)
		}
		_ = w.Close()
		return buf.Bytes()
	}()
	tests := []struct {
		name    string
		data    map[string]string
		binary  map[string][]byte
		want    []byte
		wantErr error
	}{
		{name: "plain", data: map[string]string{"matrix.json": string(json)}, want: json},
		{name: "compressed", binary: map[string][]byte{"matrix.json.gz": gzipped(t, json)}, want: json},
		{name: "empty file", data: map[string]string{"matrix.json": ""}, want: []byte{}},
		{name: "plain wins over a stale compressed copy",
			data:   map[string]string{"matrix.json": string(json)},
			binary: map[string][]byte{"matrix.json.gz": gzipped(t, []byte("old"))}, want: json},
		{name: "missing", data: map[string]string{"matrix.md": "# A"}, wantErr: ErrNoFile},
		{name: "compressed key without suffix is not a file", binary: map[string][]byte{"matrix.json": gzipped(t, json)},
			wantErr: ErrNoFile},
		{name: "not gzip", binary: map[string][]byte{"matrix.json.gz": []byte("plain text")}, wantErr: ErrCorrupt},
		{name: "truncated gzip", binary: map[string][]byte{"matrix.json.gz": gzipped(t, json)[:15]}, wantErr: ErrCorrupt},
		{name: "gzip bomb", binary: map[string][]byte{"matrix.json.gz": bomb}, wantErr: ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadFile(tt.data, tt.binary, "matrix.json")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && !bytes.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestReadFileReadsWhatBuildStores holds the writer and the readers to one
// layout, in both encodings.
func TestReadFileReadsWhatBuildStores(t *testing.T) {
	files := map[string][]byte{
		"matrix.json": []byte(strings.Repeat(`{"skill":"docker"},`, 4000)),
		"matrix.md":   []byte("# MLOps Engineer\n"),
	}
	for _, limit := range []int{MaxConfigMapBytes, 2000} {
		p, err := Build(files, limit)
		if err != nil {
			t.Fatal(err)
		}
		for key, want := range files {
			got, err := ReadFile(p.Data, p.BinaryData, key)
			if err != nil {
				t.Fatalf("limit %d, %s: %v", limit, key, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("limit %d, %s: read back differs from what was built", limit, key)
			}
		}
	}
}

func FuzzReadFile(f *testing.F) {
	f.Add([]byte(nil), false)
	f.Add([]byte("plain"), false)
	f.Add([]byte("plain"), true)
	f.Fuzz(func(t *testing.T, content []byte, compress bool) {
		data, binary := map[string]string{}, map[string][]byte{}
		if compress {
			binary["k"+GzipSuffix] = content
		} else {
			data["k"] = string(content)
		}
		got, err := ReadFile(data, binary, "k")
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is not ErrCorrupt", err)
			}
			return
		}
		if len(got) > MaxFileBytes {
			t.Fatalf("read %d bytes, more than MaxFileBytes", len(got))
		}
		if !compress && !bytes.Equal(got, content) {
			t.Fatal("plain content changed on the way out")
		}
	})
}
