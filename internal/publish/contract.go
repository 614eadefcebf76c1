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
	"fmt"
	"io"
)

// The published-ConfigMap contract: how the operator names, labels and
// annotates the ConfigMaps it writes, and how a reader gets a file back out
// of one. The controllers write by it; the CLI, the bench, the demo and any
// portal read by it. The file keys themselves (matrix.json, catalog.json,
// ...) are named by the renderer (render.Key*), which produces them.
const (
	// LabelManagedBy marks every ConfigMap the operator publishes; the
	// operator's cache watches only ConfigMaps with it set to ManagedBy.
	LabelManagedBy = "app.kubernetes.io/managed-by"
	// ManagedBy is the value of LabelManagedBy on the operator's ConfigMaps.
	ManagedBy = "skillmatrix-operator"
	// LabelRole names the Role whose matrix a ConfigMap holds. Catalog
	// ConfigMaps do not carry it.
	LabelRole = "career.skillmatrix.dev/role"
	// LabelSkillMatrix names the SkillMatrix a matrix or catalog ConfigMap belongs to.
	LabelSkillMatrix = "career.skillmatrix.dev/skillmatrix"

	// AnnotationContentHash carries Payload.Hash: the digest of the
	// uncompressed files, the same whether they are stored plain or gzipped.
	AnnotationContentHash = "career.skillmatrix.dev/content-hash"
	// AnnotationContentEncoding is EncodingGzip when the files are stored in
	// binaryData under their key plus GzipSuffix; it is absent otherwise.
	AnnotationContentEncoding = "career.skillmatrix.dev/content-encoding"
	// EncodingGzip is the value of AnnotationContentEncoding for compressed content.
	EncodingGzip = "gzip"

	// DefaultMatrixSuffix names a Role's ConfigMap, <role>-matrix, unless its
	// SkillMatrix sets spec.publishing.configMapSuffix.
	DefaultMatrixSuffix = "-matrix"
	// CatalogSuffix names a SkillMatrix's catalog ConfigMap: <skillmatrix>-catalog.
	CatalogSuffix = "-catalog"
)

// MatrixConfigMapName is the name of the ConfigMap holding role's rendered
// matrix, given its SkillMatrix's spec.publishing.configMapSuffix; an empty
// suffix means DefaultMatrixSuffix.
func MatrixConfigMapName(role, suffix string) string {
	if suffix == "" {
		suffix = DefaultMatrixSuffix
	}
	return role + suffix
}

// CatalogConfigMapName is the name of the ConfigMap holding the catalog of
// the SkillMatrix matrix.
func CatalogConfigMapName(matrix string) string { return matrix + CatalogSuffix }

// ManagedLabels selects every ConfigMap the operator publishes.
func ManagedLabels() map[string]string { return map[string]string{LabelManagedBy: ManagedBy} }

// MatrixLabels are the labels of the ConfigMap of role, which uses matrix.
func MatrixLabels(role, matrix string) map[string]string {
	return map[string]string{LabelManagedBy: ManagedBy, LabelRole: role, LabelSkillMatrix: matrix}
}

// CatalogLabels are the labels of the catalog ConfigMap of matrix.
func CatalogLabels(matrix string) map[string]string {
	return map[string]string{LabelManagedBy: ManagedBy, LabelSkillMatrix: matrix}
}

// Annotations are the annotations a ConfigMap holding p carries: its content
// hash and, when compressed, its encoding.
func (p Payload) Annotations() map[string]string {
	a := map[string]string{AnnotationContentHash: p.Hash}
	if p.Compressed() {
		a[AnnotationContentEncoding] = EncodingGzip
	}
	return a
}

// MaxFileBytes bounds how much ReadFile uncompresses. It is far above what
// the renderer produces for a matrix that fits a ConfigMap, and keeps a
// hand-edited gzip bomb in binaryData from exhausting a reader's memory.
const MaxFileBytes = 64 << 20

var (
	// ErrNoFile means a ConfigMap holds no file of the wanted key, plain or compressed.
	ErrNoFile = errors.New("no such file in the ConfigMap")
	// ErrCorrupt means a compressed file cannot be uncompressed, or
	// uncompresses to more than MaxFileBytes.
	ErrCorrupt = errors.New("compressed file is corrupt")
)

// ReadFile returns the file key from a published ConfigMap's data and
// binaryData, as it was before Build stored it: plain text from data, or
// uncompressed from binaryData[key+GzipSuffix]. It returns ErrNoFile or
// ErrCorrupt, wrapped with the key.
func ReadFile(data map[string]string, binaryData map[string][]byte, key string) ([]byte, error) {
	if s, ok := data[key]; ok {
		return []byte(s), nil
	}
	gz, ok := binaryData[key+GzipSuffix]
	if !ok {
		return nil, fmt.Errorf("%s: %w", key, ErrNoFile)
	}
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("%s%s: %w: %w", key, GzipSuffix, ErrCorrupt, err)
	}
	out, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s%s: %w: %w", key, GzipSuffix, ErrCorrupt, err)
	}
	if len(out) > MaxFileBytes {
		return nil, fmt.Errorf("%s%s: %w: uncompresses to more than %d bytes", key, GzipSuffix, ErrCorrupt, MaxFileBytes)
	}
	return out, nil
}
