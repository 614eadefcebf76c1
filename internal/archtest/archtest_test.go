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

package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/skillmatrix-dev/skillmatrix-operator"

// domain are the packages that hold the operator's logic as plain Go: what
// the controllers, the CLI, the bench and the tests share.
var domain = []string{
	module + "/internal/validation",
	module + "/internal/model",
	module + "/internal/render",
	module + "/internal/render/pdf",
	module + "/internal/governance",
	module + "/internal/promotion",
	module + "/internal/publish",
	module + "/internal/assess",
	module + "/internal/diff",
	module + "/internal/text",
	module + "/internal/enforcement",
	module + "/internal/manifestedit",
	module + "/internal/scope",
	module + "/internal/revert",
	module + "/internal/switchover",
	module + "/internal/history",
}

// forbidden are import path prefixes no domain package may reach, directly
// or through another package, with the reason.
var forbidden = []struct{ prefix, why string }{
	{"k8s.io/client-go", "a Kubernetes client: the controllers talk to the API server, not the logic"},
	{"sigs.k8s.io/controller-runtime", "controller-runtime: reconcilers and clients belong in internal/controller"},
	{"k8s.io/cli-runtime", "kubectl's client plumbing: that is internal/cli's"},
	{"github.com/spf13/cobra", "a command-line framework: commands are internal/cli's"},
	{module + "/internal/controller", "an import running back up: the controllers use the domain packages, not the other way"},
	{module + "/internal/cli", "an import running back up: the CLI uses the domain packages, not the other way"},
	{module + "/cmd", "an import running back up into a main package"},
}

type listed struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Imports    []string
	Standard   bool
	Module     *struct{ GoMod string }
	Error      *struct{ Err string }
}

// graph is `go list -deps -json` of roots: every package they reach, with
// its direct imports (test files left out, as a build leaves them).
func graph(t *testing.T, roots ...string) map[string]listed {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the import graph: %v", err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(goCmd, append([]string{"list", "-deps", "-json"}, roots...)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]listed{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("reading go list's output: %v", err)
		}
		if p.Error != nil {
			t.Fatalf("go list %s: %s", p.ImportPath, p.Error.Err)
		}
		pkgs[p.ImportPath] = p
	}
	for _, r := range roots {
		if _, ok := pkgs[r]; !ok {
			t.Fatalf("go list did not list %s: has it moved?", r)
		}
	}
	readInputs(t, pkgs)
	return pkgs
}

// readInputs reads the module's go.mod and the directory and Go files of
// each of its packages in the graph. go test caches a passing result by the
// files the test opens, and go list runs in another process: without this a
// new forbidden import would be answered from the cache with a pass.
func readInputs(t *testing.T, pkgs map[string]listed) {
	t.Helper()
	for _, p := range pkgs {
		if p.ImportPath != module && !strings.HasPrefix(p.ImportPath, module+"/") {
			continue
		}
		if p.Module != nil && p.Module.GoMod != "" {
			if _, err := os.ReadFile(p.Module.GoMod); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := os.ReadDir(p.Dir); err != nil {
			t.Fatal(err)
		}
		for _, f := range p.GoFiles {
			if _, err := os.ReadFile(filepath.Join(p.Dir, f)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// chain is the import path from root to target, breadth first, or nil.
func chain(pkgs map[string]listed, root string, reached func(string) bool) []string {
	from := map[string]string{root: ""}
	queue := []string{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if reached(p) {
			var path []string
			for ; p != ""; p = from[p] {
				path = append(path, p)
			}
			slices.Reverse(path)
			return path
		}
		for _, imp := range pkgs[p].Imports {
			if _, seen := from[imp]; !seen {
				from[imp] = p
				queue = append(queue, imp)
			}
		}
	}
	return nil
}

func TestDomainPackagesImportNoClientAndNothingAbove(t *testing.T) {
	pkgs := graph(t, domain...)
	for _, d := range domain {
		for _, f := range forbidden {
			hit := func(p string) bool { return p == f.prefix || strings.HasPrefix(p, f.prefix+"/") }
			if path := chain(pkgs, d, hit); path != nil {
				t.Errorf("%s reaches %s, %s:\n  %s", d, path[len(path)-1], f.why, strings.Join(path, "\n  -> "))
			}
		}
	}
}

func TestTextImportsOnlyTheStandardLibrary(t *testing.T) {
	root := module + "/internal/text"
	pkgs := graph(t, root)
	if path := chain(pkgs, root, func(p string) bool { return p != root && !pkgs[p].Standard }); path != nil {
		t.Errorf("internal/text, which every domain package imports, reaches %s:\n  %s",
			path[len(path)-1], strings.Join(path, "\n  -> "))
	}
}

// TestTheCheckSeesForbiddenImports keeps the test honest: the same walk
// over internal/cli, which is a client, must find client-go.
func TestTheCheckSeesForbiddenImports(t *testing.T) {
	root := module + "/internal/cli"
	path := chain(graph(t, root), root, func(p string) bool { return strings.HasPrefix(p, "k8s.io/client-go/") })
	if len(path) < 2 {
		t.Errorf("the walk found no client-go under internal/cli, which uses it: the check is broken")
	}
}

// Every fuzz target runs in CI: `make fuzz` walks FUZZ_TARGETS, so a target
// missing from that list would only ever run its seed corpus.
func TestEveryFuzzTargetRunsInCI(t *testing.T) {
	root := filepath.Join("..", "..")
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	inList := false
	for line := range strings.Lines(string(makefile)) {
		if strings.HasPrefix(line, "FUZZ_TARGETS") {
			inList = true
			line = line[strings.Index(line, "=")+1:]
		}
		if !inList {
			continue
		}
		for target := range strings.FieldsSeq(strings.TrimSuffix(strings.TrimSpace(line), "\\")) {
			listed[target] = true
		}
		if !strings.HasSuffix(strings.TrimSpace(line), "\\") {
			inList = false
		}
	}
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "bin" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for line := range strings.Lines(string(src)) {
			name, ok := strings.CutPrefix(line, "func Fuzz")
			if !ok {
				continue
			}
			name = "Fuzz" + name[:strings.Index(name, "(")]
			rel, _ := filepath.Rel(root, filepath.Dir(path))
			if target := "./" + filepath.ToSlash(rel) + ":" + name; !listed[target] {
				t.Errorf("%s is not in the Makefile's FUZZ_TARGETS, so CI never fuzzes it", target)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
