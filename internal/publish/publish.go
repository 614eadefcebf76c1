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

// Package publish owns the published-ConfigMap contract and its content. It
// turns rendered files into the content of a ConfigMap (plain text when it
// fits, gzip-compressed binaryData when it does not, and an error when even
// that exceeds the API server's limit), reads a file back out of one, and
// names, labels and annotates those ConfigMaps (contract.go) for the
// controllers that write them and the CLI, bench, demo and portal that read
// them. It imports no Kubernetes package and no other internal package: it
// works on plain maps, so every reader can use it.
package publish

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// MaxConfigMapBytes is the API server's limit on a ConfigMap's data and
// binaryData together, counting keys and values.
const MaxConfigMapBytes = 1 << 20

// GzipSuffix is appended to a key whose value is stored gzip-compressed in binaryData.
const GzipSuffix = ".gz"

// ErrTooLarge means the content does not fit in one ConfigMap even compressed.
var ErrTooLarge = errors.New("rendered content exceeds the ConfigMap size limit even when gzip-compressed")

// Payload is the content of a ConfigMap.
type Payload struct {
	// Data holds the files as text when everything fits uncompressed.
	Data map[string]string
	// BinaryData holds gzip-compressed files, keyed with GzipSuffix, otherwise.
	BinaryData map[string][]byte
	// Hash identifies the uncompressed content, so it does not depend on how it is stored.
	Hash string
	// Size is the number of bytes the ConfigMap counts against its limit.
	Size int
}

// Compressed reports whether the payload is stored gzip-compressed.
func (p Payload) Compressed() bool { return len(p.BinaryData) > 0 }

// Files is how many files the payload holds, stored either way.
func (p Payload) Files() int { return len(p.Data) + len(p.BinaryData) }

// Build lays out files for a ConfigMap whose limit is limit bytes (use
// MaxConfigMapBytes). It returns ErrTooLarge, wrapped with the sizes, when the
// content does not fit even compressed.
func Build(files map[string][]byte, limit int) (Payload, error) {
	keys := slices.Sorted(maps.Keys(files))
	payload := Payload{Hash: Hash(files)}

	plain := 0
	for _, k := range keys {
		plain += len(k) + len(files[k])
	}
	if plain <= limit {
		payload.Data = make(map[string]string, len(files))
		for _, k := range keys {
			payload.Data[k] = string(files[k])
		}
		payload.Size = plain
		return payload, nil
	}

	payload.BinaryData = make(map[string][]byte, len(files))
	compressed := 0
	for _, k := range keys {
		gz, err := gzipBytes(files[k])
		if err != nil {
			return Payload{}, fmt.Errorf("compressing %s: %w", k, err)
		}
		payload.BinaryData[k+GzipSuffix] = gz
		compressed += len(k) + len(GzipSuffix) + len(gz)
	}
	if compressed > limit {
		return Payload{}, fmt.Errorf("%w: %d bytes plain, %d bytes compressed, limit %d", ErrTooLarge, plain, compressed, limit)
	}
	payload.Size = compressed
	return payload, nil
}

// Hash returns a stable digest of files: the same files give the same hash
// whatever the map order.
func Hash(files map[string][]byte) string {
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(files)) {
		// Length prefixes keep key/value boundaries unambiguous.
		_, _ = fmt.Fprintf(h, "%d:%s%d:", len(k), k, len(files[k]))
		_, _ = h.Write(files[k])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// gzipBytes compresses deterministically: no name and no modification time in
// the header, so equal input gives equal output and no needless ConfigMap write.
func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Equal reports whether a ConfigMap's current data and binaryData are exactly
// the payload's, treating nil and empty maps alike.
func (p Payload) Equal(data map[string]string, binaryData map[string][]byte) bool {
	return maps.Equal(p.Data, data) && maps.EqualFunc(p.BinaryData, binaryData, bytes.Equal)
}
