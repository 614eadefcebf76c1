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
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"
	"time"
)

// plugin is the executable's name: kubectl runs kubectl-skillmatrix as
// `kubectl skillmatrix`.
const plugin = "kubectl-skillmatrix"

// archiveTime is the modification time of every archive entry, so the same
// binary always gives the same archive and the same sha256.
var archiveTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// platform is one OS/arch's archive, as the manifest template sees it.
type platform struct {
	OS, Arch, URI, Sha256, Bin string
	archive                    string // path in -dist
}

type releaseFlags struct {
	root, version, platforms, dist, template, manifest, license, url, pkg string
}

func release(args []string) error {
	var f releaseFlags
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	fs.StringVar(&f.root, "root", ".", "the repository root, where the plugin is built")
	fs.StringVar(&f.version, "version", "", "the release version, vX.Y.Z")
	fs.StringVar(&f.platforms, "platforms", "", "comma-separated OS/arch pairs, e.g. linux/amd64,darwin/arm64")
	fs.StringVar(&f.dist, "dist", "dist", "where the archives go")
	fs.StringVar(&f.template, "template", "", "the manifest template")
	fs.StringVar(&f.manifest, "manifest", "", "the filled manifest to write")
	fs.StringVar(&f.license, "license", "", "the license file to put in every archive as LICENSE")
	fs.StringVar(&f.url, "url", "", "the base URL the archives are downloaded from")
	fs.StringVar(&f.pkg, "pkg", "./cmd/kubectl-skillmatrix", "the plugin's main package, relative to -root")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if f.version == "" || f.platforms == "" || f.template == "" || f.manifest == "" || f.license == "" || f.url == "" {
		return errors.New("release needs -version, -platforms, -template, -manifest, -license and -url")
	}
	license, err := os.ReadFile(f.license)
	if err != nil {
		return fmt.Errorf("the license for the archives: %w", err)
	}
	if err := os.MkdirAll(f.dist, 0o755); err != nil {
		return err
	}
	var built []platform
	for _, pair := range strings.Split(f.platforms, ",") {
		p, err := buildArchive(&f, strings.TrimSpace(pair), license)
		if err != nil {
			return err
		}
		fmt.Printf("%s  %s\n", p.Sha256, p.archive)
		built = append(built, p)
	}
	return fillManifest(f.template, f.manifest, f.version, built)
}

// buildArchive cross-compiles the plugin for one OS/arch with CGO off and
// packs it with the license: a .zip for Windows, a .tar.gz elsewhere.
func buildArchive(f *releaseFlags, pair string, license []byte) (platform, error) {
	goos, goarch, ok := strings.Cut(pair, "/")
	if !ok || goos == "" || goarch == "" {
		return platform{}, fmt.Errorf("platform %q: want OS/arch, e.g. linux/amd64", pair)
	}
	p := platform{OS: goos, Arch: goarch, Bin: plugin}
	if goos == "windows" {
		p.Bin += ".exe"
	}
	tmp, err := os.MkdirTemp("", "krew-check-build-")
	if err != nil {
		return p, err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	binPath := filepath.Join(tmp, p.Bin)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", binPath, f.pkg)
	cmd.Dir, cmd.Stdout, cmd.Stderr = f.root, os.Stderr, os.Stderr
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
	if err := cmd.Run(); err != nil {
		return p, fmt.Errorf("building %s for %s: %w", plugin, pair, err)
	}
	bin, err := os.ReadFile(binPath)
	if err != nil {
		return p, err
	}
	ext := ".tar.gz"
	if goos == "windows" {
		ext = ".zip"
	}
	name := fmt.Sprintf("%s_%s_%s_%s%s", plugin, f.version, goos, goarch, ext)
	entries := []entry{{p.Bin, bin, 0o755}, {"LICENSE", license, 0o644}}
	var data []byte
	if ext == ".zip" {
		data, err = zipArchive(entries)
	} else {
		data, err = tarGzArchive(entries)
	}
	if err != nil {
		return p, err
	}
	p.archive = filepath.Join(f.dist, name)
	if err := os.WriteFile(p.archive, data, 0o644); err != nil {
		return p, err
	}
	sum := sha256.Sum256(data)
	p.Sha256 = hex.EncodeToString(sum[:])
	p.URI = strings.TrimSuffix(f.url, "/") + "/" + name
	return p, nil
}

// entry is one file of an archive.
type entry struct {
	name string
	data []byte
	mode int64
}

func tarGzArchive(entries []entry) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	gz.ModTime = archiveTime
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Size: int64(len(e.data)), ModTime: archiveTime, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func zipArchive(entries []entry) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: archiveTime}
		h.SetMode(os.FileMode(e.mode))
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(w, bytes.NewReader(e.data)); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// fillManifest writes the manifest template filled with the version and
// the platforms.
func fillManifest(templatePath, out, version string, platforms []platform) error {
	tmpl, err := template.New(filepath.Base(templatePath)).Option("missingkey=error").ParseFiles(templatePath)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, struct {
		Version   string
		Platforms []platform
	}{version, platforms}); err != nil {
		return fmt.Errorf("filling %s: %w", templatePath, err)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s (%s)\n", out, platformCount(len(platforms)))
	return nil
}
