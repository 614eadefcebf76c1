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

// Package resourcecustomizations holds the Argo CD health checks for the
// career.skillmatrix.dev kinds, in the layout Argo CD uses upstream
// (<group>/<Kind>/health.lua, health_test.yaml, testdata/), and tests that run
// them the way Argo CD does: the object as the global `obj`, the script's
// returned table read as {status, message}.
package resourcecustomizations

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite the generated argocd-cm snippet in "+docPath)

const (
	group       = "career.skillmatrix.dev"
	docPath     = "../docs/argocd.md"
	docBegin    = "<!-- BEGIN generated health checks: go test ./resource_customizations/ -update -->"
	docEnd      = "<!-- END generated health checks -->"
	minCases    = 5
	luaDeadline = time.Second // what Argo CD allows a health script
)

// kinds are the kinds the operator serves; each must have a health check.
var kinds = []string{"Proposal", "Role", "SkillMatrix"}

// healthStatus is Argo CD's health.HealthStatus as health_test.yaml spells it.
type healthStatus struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// healthTests is the format of Argo CD's health_test.yaml.
type healthTests struct {
	Tests []struct {
		HealthStatus healthStatus `json:"healthStatus"`
		InputPath    string       `json:"inputPath"`
	} `json:"tests"`
}

type healthCase struct {
	kind      string
	inputPath string
	want      healthStatus
}

// validStatuses are the codes Argo CD accepts from a Lua health check; it
// turns anything else into Unknown.
var validStatuses = []string{"Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"}

func scriptPath(kind string) string { return filepath.Join(group, kind, "health.lua") }

func readScript(t *testing.T, kind string) string {
	t.Helper()
	b, err := os.ReadFile(scriptPath(kind))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func loadCases(t *testing.T, kind string) []healthCase {
	t.Helper()
	path := filepath.Join(group, kind, "health_test.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var tests healthTests
	if err := yaml.UnmarshalStrict(b, &tests); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	cases := make([]healthCase, 0, len(tests.Tests))
	for _, tc := range tests.Tests {
		cases = append(cases, healthCase{kind: kind, inputPath: tc.InputPath, want: tc.HealthStatus})
	}
	return cases
}

// loadObject reads a testdata manifest the way the Argo CD controller holds
// live objects: unstructured, integers as int64.
func loadObject(t *testing.T, path string) *unstructured.Unstructured {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	j, err := yaml.YAMLToJSON(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(j); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return obj
}

// toLua converts a decoded JSON value as Argo CD's decodeValue does: maps to
// tables, lists to 1-based array tables, numbers to LNumber.
func toLua(l *lua.LState, v any) (lua.LValue, error) {
	switch v := v.(type) {
	case nil:
		return lua.LNil, nil
	case bool:
		return lua.LBool(v), nil
	case string:
		return lua.LString(v), nil
	case json.Number:
		// Argo CD passes json.Number on as a string.
		return lua.LString(v), nil
	case int:
		return lua.LNumber(v), nil
	case int32:
		return lua.LNumber(v), nil
	case int64:
		return lua.LNumber(v), nil
	case float64:
		return lua.LNumber(v), nil
	case []any:
		arr := l.CreateTable(len(v), 0)
		for _, item := range v {
			lv, err := toLua(l, item)
			if err != nil {
				return nil, err
			}
			arr.Append(lv)
		}
		return arr, nil
	case map[string]any:
		tbl := l.CreateTable(0, len(v))
		for key, item := range v {
			lv, err := toLua(l, item)
			if err != nil {
				return nil, err
			}
			tbl.RawSetString(key, lv)
		}
		return tbl, nil
	}
	return nil, fmt.Errorf("no Lua value for %T", v)
}

// runHealth evaluates script against obj like Argo CD's lua.VM: with
// openLibs false only the package, base and table libraries are loaded, as
// for a script from argocd-cm without useOpenLibs; with openLibs true, every
// standard library, as for Argo CD's built-in scripts.
func runHealth(obj map[string]any, script string, openLibs bool) (healthStatus, error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: !openLibs})
	defer l.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
	} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(lib.open), NRet: 0, Protect: true},
			lua.LString(lib.name)); err != nil {
			return healthStatus{}, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), luaDeadline)
	defer cancel()
	l.SetContext(ctx)

	value, err := toLua(l, obj)
	if err != nil {
		return healthStatus{}, err
	}
	l.SetGlobal("obj", value)
	if err := l.DoString(script); err != nil {
		return healthStatus{}, err
	}
	ret, ok := l.Get(-1).(*lua.LTable)
	if !ok {
		return healthStatus{}, fmt.Errorf("expect table output from Lua script, not %s", l.Get(-1).Type())
	}
	var hs healthStatus
	switch s := ret.RawGetString("status").(type) {
	case lua.LString:
		hs.Status = string(s)
	default:
		return healthStatus{}, fmt.Errorf("status is a %s, not a string", s.Type())
	}
	switch m := ret.RawGetString("message").(type) {
	case lua.LString:
		hs.Message = string(m)
	case *lua.LNilType:
	default:
		return healthStatus{}, fmt.Errorf("message is a %s, not a string", m.Type())
	}
	if !slices.Contains(validStatuses, hs.Status) {
		return healthStatus{}, fmt.Errorf("Argo CD does not know the health status %q", hs.Status)
	}
	return hs, nil
}

func TestHealthChecks(t *testing.T) {
	for _, kind := range kinds {
		script := readScript(t, kind)
		for _, tc := range loadCases(t, kind) {
			t.Run(kind+"/"+tc.inputPath, func(t *testing.T) {
				obj := loadObject(t, filepath.Join(group, kind, tc.inputPath))
				if gvk := obj.GroupVersionKind(); gvk.Group != group || gvk.Kind != kind {
					t.Fatalf("%s is a %s, but Argo CD runs %s only for %s/%s", tc.inputPath, gvk, scriptPath(kind), group, kind)
				}
				for _, openLibs := range []bool{false, true} {
					got, err := runHealth(obj.Object, script, openLibs)
					if err != nil {
						t.Fatalf("openLibs=%t: %v", openLibs, err)
					}
					if got != tc.want {
						t.Errorf("openLibs=%t:\n got %+v\nwant %+v", openLibs, got, tc.want)
					}
				}
			})
		}
	}
}

// TestHealthCheckLayout checks what Argo CD's own test would find: every
// kind has a script and enough cases, every case file exists and every
// testdata file is a case; and the cases reach all three outcomes.
func TestHealthCheckLayout(t *testing.T) {
	var dirs []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "health.lua" {
			dirs = append(dirs, filepath.Dir(path))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := make([]string, 0, len(kinds))
	for _, kind := range kinds {
		want = append(want, filepath.Join(group, kind))
	}
	slices.Sort(dirs)
	if !slices.Equal(dirs, want) {
		t.Errorf("health checks in %v, want exactly %v", dirs, want)
	}

	for _, kind := range kinds {
		cases := loadCases(t, kind)
		if len(cases) < minCases {
			t.Errorf("%s: %d cases, want at least %d", kind, len(cases), minCases)
		}
		seen := map[string]bool{}
		statuses := map[string]bool{}
		for _, tc := range cases {
			if seen[tc.inputPath] {
				t.Errorf("%s: %s is listed twice", kind, tc.inputPath)
			}
			seen[tc.inputPath] = true
			statuses[tc.want.Status] = true
			if tc.want.Message == "" {
				t.Errorf("%s: %s expects no message; say what the operator reports", kind, tc.inputPath)
			}
		}
		for _, status := range []string{"Healthy", "Progressing", "Degraded"} {
			if !statuses[status] {
				t.Errorf("%s: no case expects %s", kind, status)
			}
		}
		files, err := filepath.Glob(filepath.Join(group, kind, "testdata", "*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			rel := filepath.ToSlash(filepath.Join("testdata", filepath.Base(f)))
			if !seen[rel] {
				t.Errorf("%s: %s is not listed in health_test.yaml", kind, rel)
			}
		}
	}
}

// libraryCall finds uses of the standard libraries Argo CD withholds from
// argocd-cm scripts, and of string methods, which need the string library.
var libraryCall = regexp.MustCompile(`\b(string|math|os|io|debug|coroutine|channel)\s*\.|:\s*[a-z]+\s*\(`)

var (
	stringLiteral = regexp.MustCompile(`"[^"]*"`)
	lineStart     = regexp.MustCompile(`(?m)^(.)`)
)

func TestHealthChecksNeedNoOpenLibs(t *testing.T) {
	for _, kind := range kinds {
		for i, line := range strings.Split(readScript(t, kind), "\n") {
			code, _, _ := strings.Cut(line, "--")
			// String literals may say anything.
			code = stringLiteral.ReplaceAllString(code, `""`)
			if libraryCall.MatchString(code) {
				t.Errorf("%s:%d uses a standard library Argo CD does not load for argocd-cm scripts: %s",
					scriptPath(kind), i+1, strings.TrimSpace(line))
			}
		}
	}
}

// argocdCMPatch renders the argocd-cm data keys that install the health
// checks, each script verbatim as a YAML block scalar.
func argocdCMPatch(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("```yaml\n")
	b.WriteString("# argocd-cm-skillmatrix.yaml, generated from resource_customizations/" + group + "/*/health.lua\n")
	b.WriteString("data:\n")
	for _, kind := range kinds {
		fmt.Fprintf(&b, "  resource.customizations.health.%s_%s: |\n", group, kind)
		for line := range strings.Lines(readScript(t, kind)) {
			if strings.TrimSpace(line) == "" {
				b.WriteString("\n")
				continue
			}
			b.WriteString("    " + line)
		}
		if !strings.HasSuffix(b.String(), "\n") {
			b.WriteString("\n")
		}
	}
	b.WriteString("```\n")
	return b.String()
}

// TestDocsCarryHealthChecks keeps docs/argocd.md in step with the scripts:
// the argocd-cm snippet there is generated from them (-update rewrites it).
func TestDocsCarryHealthChecks(t *testing.T) {
	raw, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	before, rest, ok := strings.Cut(doc, docBegin+"\n")
	if !ok {
		t.Fatalf("%s lacks the line %q", docPath, docBegin)
	}
	block, after, ok := strings.Cut(rest, docEnd)
	if !ok {
		t.Fatalf("%s lacks the line %q", docPath, docEnd)
	}
	want := argocdCMPatch(t)
	if block != want {
		if *update {
			doc = before + docBegin + "\n" + want + docEnd + after
			if err := os.WriteFile(docPath, []byte(doc), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("rewrote the generated snippet in %s", docPath)
			return
		}
		t.Errorf("%s: the argocd-cm snippet differs from the health.lua files; "+
			"run `go test ./resource_customizations/ -run TestDocsCarryHealthChecks -update`", docPath)
	}
	// What a reader copies must be valid YAML that yields each script as is.
	var patch struct {
		Data map[string]string `json:"data"`
	}
	body := strings.TrimSuffix(strings.TrimPrefix(block, "```yaml\n"), "```\n")
	if err := yaml.UnmarshalStrict([]byte(body), &patch); err != nil {
		t.Fatalf("%s: the argocd-cm snippet is not valid YAML: %v", docPath, err)
	}
	if len(patch.Data) != len(kinds) {
		t.Errorf("%s: the argocd-cm snippet has %d keys, want %d", docPath, len(patch.Data), len(kinds))
	}
	for _, kind := range kinds {
		script := readScript(t, kind)
		key := fmt.Sprintf("resource.customizations.health.%s_%s", group, kind)
		if patch.Data[key] != script {
			t.Errorf("%s: %s in the argocd-cm snippet is not %s verbatim", docPath, key, scriptPath(kind))
		}
		indented := lineStart.ReplaceAllString(script, "    $1")
		if !strings.Contains(doc, "  "+key+": |\n"+indented) {
			t.Errorf("%s does not carry %s verbatim under %q", docPath, scriptPath(kind), key)
		}
	}
}
