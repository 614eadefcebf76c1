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

// Package chart checks the Helm chart in charts/skillmatrix-operator: that it
// installs exactly what config/ defines (CRDs, the manager's generated
// ClusterRole rules, the admission policy and the ClusterRoles for people),
// that its values switch the optional parts on and off, and that a real
// kube-apiserver (envtest) accepts every object it renders, and every object
// of config/default, with a server-side dry run.
//
// The tests run bin/helm (and bin/kustomize); `make helm` and `make kustomize`
// install them.
package chart

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// repoRoot is the repository root, relative to this package.
var repoRoot = filepath.Join("..", "..")

// chartDir is the chart under test.
var chartDir = filepath.Join(repoRoot, "charts", "skillmatrix-operator")

// allOptionsValues sets every option of the chart (also used by helm lint).
var allOptionsValues = filepath.Join(chartDir, "ci", "all-options-values.yaml")

const (
	kindClusterRole = "ClusterRole"
	kindDeployment  = "Deployment"
	kindPDB         = "PodDisruptionBudget"
	kindCRD         = "CustomResourceDefinition"
	kindNamespace   = "Namespace"
	kindMonitor     = "ServiceMonitor"
	kindNetPol      = "NetworkPolicy"
	kindPolicy      = "ValidatingAdmissionPolicy"
	kindBinding     = "ValidatingAdmissionPolicyBinding"
)

// objects are decoded manifests.
type objects = []*unstructured.Unstructured

// tool returns the path of a tool in bin/, failing the test with how to
// install it when it is missing.
func tool(t *testing.T, name, install string) string {
	t.Helper()
	path, err := filepath.Abs(filepath.Join(repoRoot, "bin", name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("bin/%s is missing (%v): run `%s` first", name, err, install)
	}
	return path
}

// helmTemplate renders the chart as release in namespace, with the CRDs, with
// the given values files and --set flags.
func helmTemplate(t *testing.T, release, namespace string, valuesFiles []string, sets ...string) objects {
	t.Helper()
	args := make([]string, 0, 6+2*len(valuesFiles)+2*len(sets))
	args = append(args, "template", release, chartDir, "--namespace", namespace, "--include-crds")
	for _, f := range valuesFiles {
		args = append(args, "--values", f)
	}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	return run(t, tool(t, "helm", "make helm"), args...)
}

// kustomizeBuild renders a kustomization directory under config/.
func kustomizeBuild(t *testing.T, dir string) objects {
	t.Helper()
	return run(t, tool(t, "kustomize", "make kustomize"), "build", filepath.Join(repoRoot, "config", dir))
}

// run runs a command that prints YAML and decodes its output.
func run(t *testing.T, bin string, args ...string) objects {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, stderr.String())
	}
	objs, err := decode(stdout.Bytes())
	if err != nil {
		t.Fatalf("%s %s: %v", filepath.Base(bin), strings.Join(args, " "), err)
	}
	if len(objs) == 0 {
		t.Fatalf("%s %s rendered no objects", filepath.Base(bin), strings.Join(args, " "))
	}
	return objs
}

// decode splits a multi-document YAML stream into objects, skipping empty
// documents. Numbers decode as float64, as in testenv.ReadObjects.
func decode(data []byte) (objects, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var objs objects
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := yaml.Unmarshal(doc, &m); err != nil {
			return nil, fmt.Errorf("%w in document:\n%s", err, doc)
		}
		if len(m) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: m}
		if u.GetAPIVersion() == "" || u.GetKind() == "" || u.GetName() == "" {
			return nil, fmt.Errorf("document lacks apiVersion, kind or metadata.name:\n%s", doc)
		}
		objs = append(objs, u)
	}
}

// configObjects reads the objects of files under the repository root.
func configObjects(t *testing.T, files ...string) objects {
	t.Helper()
	var objs objects
	for _, f := range files {
		o, err := testenv.ReadObjects(filepath.Join(repoRoot, f))
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, o...)
	}
	return objs
}

// ofKind returns the objects of a kind.
func ofKind(objs objects, kind string) objects {
	var out objects
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

// find returns the object of a kind and name, or nil.
func find(objs objects, kind, name string) *unstructured.Unstructured {
	for _, o := range objs {
		if o.GetKind() == kind && o.GetName() == name {
			return o
		}
	}
	return nil
}

// names lists "Kind/name" of objects, for messages.
func names(objs objects) []string {
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.GetKind()+"/"+o.GetName())
	}
	slices.Sort(out)
	return out
}

// field returns a nested field of an object, or nil.
func field(o *unstructured.Unstructured, path ...string) any {
	v, _, _ := unstructured.NestedFieldNoCopy(o.Object, path...)
	return v
}

// managerContainer returns the first container of a Deployment's Pod template.
func managerContainer(t *testing.T, d *unstructured.Unstructured) map[string]any {
	t.Helper()
	containers, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	if len(containers) == 0 {
		t.Fatalf("Deployment %s has no containers", d.GetName())
	}
	c, ok := containers[0].(map[string]any)
	if !ok {
		t.Fatalf("Deployment %s: container is %T", d.GetName(), containers[0])
	}
	return c
}

// stringsOf returns a []any of strings as []string.
func stringsOf(v any) []string {
	items, _ := v.([]any)
	out := make([]string, 0, len(items))
	for _, i := range items {
		s, _ := i.(string)
		out = append(out, s)
	}
	return out
}

// chartNamespace is the release namespace TestChartMatchesConfig renders in.
const chartNamespace = "skillmatrix-system"

// TestChartMatchesConfig is the drift check between the chart and config/:
// the chart's CRDs are config/crd/bases byte for byte, its manager ClusterRole
// has exactly the rules controller-gen generated into config/rbac/role.yaml,
// and its admission policy, binding and user ClusterRoles are those of
// config/admission and config/rbac/user with only labels added.
func TestChartMatchesConfig(t *testing.T) {
	t.Run("crds", testCRDFiles)
	rendered := helmTemplate(t, "skillmatrix-operator", chartNamespace, nil)
	t.Run("rendered crds", func(t *testing.T) { testRenderedCRDs(t, rendered) })
	t.Run("manager ClusterRole rules", func(t *testing.T) { testManagerRules(t, rendered) })
	t.Run("admission policy and user ClusterRoles", func(t *testing.T) { testAdmissionAndUserRoles(t, rendered) })
}

// testCRDFiles: crds/ holds the files of config/crd/bases, byte for byte.
func testCRDFiles(t *testing.T) {
	want, err := filepath.Glob(filepath.Join(repoRoot, "config", "crd", "bases", "*.yaml"))
	if err != nil || len(want) == 0 {
		t.Fatalf("no CRDs in config/crd/bases (%v)", err)
	}
	got, err := filepath.Glob(filepath.Join(chartDir, "crds", "*"))
	if err != nil {
		t.Fatal(err)
	}
	base := func(paths []string) []string {
		out := make([]string, 0, len(paths))
		for _, p := range paths {
			out = append(out, filepath.Base(p))
		}
		return out
	}
	if !slices.Equal(base(want), base(got)) {
		t.Fatalf("charts/skillmatrix-operator/crds holds %v, config/crd/bases %v: run hack/sync-chart.sh",
			base(got), base(want))
	}
	for _, w := range want {
		wb, err := os.ReadFile(w)
		if err != nil {
			t.Fatal(err)
		}
		gb, err := os.ReadFile(filepath.Join(chartDir, "crds", filepath.Base(w)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(wb, gb) {
			t.Errorf("charts/skillmatrix-operator/crds/%s differs from config/crd/bases: run hack/sync-chart.sh",
				filepath.Base(w))
		}
	}
}

// testRenderedCRDs: helm template --include-crds renders config's CRDs.
func testRenderedCRDs(t *testing.T, rendered objects) {
	files, err := filepath.Glob(filepath.Join(repoRoot, "config", "crd", "bases", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var want objects
	for _, f := range files {
		objs, err := testenv.ReadObjects(f)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, objs...)
	}
	got := ofKind(rendered, kindCRD)
	if !slices.Equal(names(got), names(want)) {
		t.Fatalf("helm template --include-crds renders %v, want %v", names(got), names(want))
	}
	for _, w := range want {
		if g := find(got, kindCRD, w.GetName()); !reflect.DeepEqual(g.Object, w.Object) {
			t.Errorf("CRD %s rendered by the chart differs from config/crd/bases", w.GetName())
		}
	}
}

// testManagerRules: the manager ClusterRole has the rules of
// config/rbac/role.yaml, and is bound.
func testManagerRules(t *testing.T, rendered objects) {
	generated := configObjects(t, "config/rbac/role.yaml")
	if len(generated) != 1 || generated[0].GetKind() != kindClusterRole {
		t.Fatalf("config/rbac/role.yaml holds %v, want one ClusterRole", names(generated))
	}
	manager := find(rendered, kindClusterRole, "skillmatrix-operator-manager")
	if manager == nil {
		t.Fatalf("no ClusterRole skillmatrix-operator-manager among %v", names(rendered))
	}
	want, got := field(generated[0], "rules"), field(manager, "rules")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the chart's manager ClusterRole rules differ from config/rbac/role.yaml "+
			"(run `make manifests` and hack/sync-chart.sh)\nchart:\n%s\nconfig:\n%s", toYAML(got), toYAML(want))
	}
	binding := find(rendered, "ClusterRoleBinding", "skillmatrix-operator-manager")
	if binding == nil || field(binding, "roleRef", "name") != "skillmatrix-operator-manager" {
		t.Errorf("no ClusterRoleBinding binds skillmatrix-operator-manager")
	}
}

// testAdmissionAndUserRoles: the chart renders every object of
// config/admission and config/rbac/user under its own name and unchanged but
// for labels it adds, and no other policy or binding.
func testAdmissionAndUserRoles(t *testing.T, rendered objects) {
	files, err := testenv.AdmissionManifests(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	var want objects
	for _, f := range files {
		objs, err := testenv.ReadObjects(f)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, objs...)
	}
	for _, w := range want {
		g := find(rendered, w.GetKind(), w.GetName())
		if g == nil {
			t.Errorf("the chart renders no %s %s (config/) under its own name", w.GetKind(), w.GetName())
			continue
		}
		for k, v := range w.GetLabels() {
			if k != "app.kubernetes.io/managed-by" && k != "app.kubernetes.io/name" && g.GetLabels()[k] != v {
				t.Errorf("%s %s: label %s=%q in config/, %q in the chart", w.GetKind(), w.GetName(), k, v, g.GetLabels()[k])
			}
		}
		wc, gc := w.DeepCopy(), g.DeepCopy()
		wc.SetLabels(nil)
		gc.SetLabels(nil)
		// The chart's bindings take their parameters from its own namespace,
		// but for those whose parameters are per namespace (no namespace).
		_, fixed, _ := unstructured.NestedString(wc.Object, "spec", "paramRef", "namespace")
		if fixed && wc.GetKind() == kindBinding {
			_ = unstructured.SetNestedField(wc.Object, chartNamespace, "spec", "paramRef", "namespace")
		}
		if !reflect.DeepEqual(gc.Object, wc.Object) {
			t.Errorf("%s %s differs between the chart and config/ (run hack/sync-chart.sh)\nchart:\n%s\nconfig:\n%s",
				w.GetKind(), w.GetName(), toYAML(gc.Object), toYAML(wc.Object))
		}
	}
	for _, kind := range []string{kindPolicy, kindBinding} {
		if g, w := len(ofKind(rendered, kind)), len(ofKind(want, kind)); g != w {
			t.Errorf("the chart renders %d %s, config/ holds %d", g, kind, w)
		}
	}
}

// toYAML renders a value for a message.
func toYAML(v any) string {
	b, err := yaml.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
