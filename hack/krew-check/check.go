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

package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/krew/pkg/index"
	"sigs.k8s.io/yaml"
)

// check verifies a filled manifest against the archives in -dist: each
// platform's archive is there, has the manifest's sha256 and holds the
// manifest's bin and LICENSE; and the host's platform is among them.
func check(args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	manifest := fs.String("manifest", "", "the filled manifest")
	dist := fs.String("dist", "dist", "where the archives are")
	if err := fs.Parse(args); err != nil {
		return err
	}
	data, err := os.ReadFile(*manifest)
	if err != nil {
		return err
	}
	var p index.Plugin
	if err := yaml.UnmarshalStrict(data, &p); err != nil {
		return fmt.Errorf("%s: %w", *manifest, err)
	}
	host := false
	for i, pl := range p.Spec.Platforms {
		if err := checkPlatform(pl, *dist); err != nil {
			return fmt.Errorf("%s: spec.platforms[%d]: %w", *manifest, i, err)
		}
		if matches(pl.Selector, runtime.GOOS, runtime.GOARCH) {
			host = true
		}
	}
	if !host {
		return fmt.Errorf("%s: no platform selects this host (%s/%s)", *manifest, runtime.GOOS, runtime.GOARCH)
	}
	fmt.Printf("%s: %s, each archive present with its sha256, bin and LICENSE\n", *manifest, platformCount(len(p.Spec.Platforms)))
	return nil
}

func checkPlatform(pl index.Platform, dist string) error {
	u, err := url.Parse(pl.URI)
	if err != nil || u.Scheme != "https" {
		return fmt.Errorf("uri %q: want an https URL", pl.URI)
	}
	archive := filepath.Join(dist, path.Base(u.Path))
	data, err := os.ReadFile(archive)
	if err != nil {
		return fmt.Errorf("the archive of uri %s: %w", pl.URI, err)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != pl.Sha256 {
		return fmt.Errorf("%s has sha256 %s, the manifest says %s", archive, got, pl.Sha256)
	}
	names, err := archiveFiles(archive, data)
	if err != nil {
		return fmt.Errorf("%s: %w", archive, err)
	}
	for _, want := range []string{pl.Bin, "LICENSE"} {
		if !names[want] {
			return fmt.Errorf("%s does not hold %s", archive, want)
		}
	}
	for _, f := range pl.Files {
		if !names[f.From] {
			return fmt.Errorf("%s does not hold %s, which files[] copies", archive, f.From)
		}
	}
	return nil
}

// archiveFiles lists the regular files of a .tar.gz or .zip.
func archiveFiles(name string, data []byte) (map[string]bool, error) {
	names := map[string]bool{}
	switch {
	case strings.HasSuffix(name, ".zip"):
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return nil, err
		}
		for _, f := range zr.File {
			names[f.Name] = true
		}
	case strings.HasSuffix(name, ".tar.gz"):
		gz, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		tr := tar.NewReader(gz)
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, err
			}
			if h.Typeflag == tar.TypeReg {
				names[h.Name] = true
			}
		}
	default:
		return nil, errors.New("want a .tar.gz or .zip archive")
	}
	return names, nil
}

// matches says whether a platform selector selects os/arch, as krew
// matches it.
func matches(sel *metav1.LabelSelector, goos, goarch string) bool {
	s, err := metav1.LabelSelectorAsSelector(sel)
	return err == nil && s.Matches(labels.Set{"os": goos, "arch": goarch})
}

func platformCount(n int) string {
	if n == 1 {
		return "1 platform"
	}
	return fmt.Sprintf("%d platforms", n)
}
