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

package chart

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// fieldOwner is the server-side apply field manager of the dry runs.
const fieldOwner = "skillmatrix-chart-test"

// Pod Security Admission labels: warn makes the API server report, on a
// Deployment, every way its Pod template breaks the restricted profile.
const (
	psaEnforce = "pod-security.kubernetes.io/enforce"
	psaWarn    = "pod-security.kubernetes.io/warn"
	restricted = "restricted"
)

// warnings records the warnings the API server sends back.
type warnings struct {
	mu   sync.Mutex
	msgs []string
}

// HandleWarningHeaderWithContext implements rest.WarningHandlerWithContext.
func (w *warnings) HandleWarningHeaderWithContext(_ context.Context, code int, _ string, text string) {
	if code != 299 || text == "" {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, text)
}

// take returns the warnings recorded since the last call and forgets them.
func (w *warnings) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	msgs := w.msgs
	w.msgs = nil
	return msgs
}

// TestServerSideDryRun renders the chart with its default values and with
// every option, and builds config/default with kustomize, then sends every
// object to a real kube-apiserver (envtest, with the CRDs of config/crd/bases
// and the Prometheus Operator's ServiceMonitor CRD) as a dry-run create with
// strict field validation and as a dry-run server-side apply. Every object
// must be accepted without a warning; the release namespace is created for
// real first, with Pod Security Admission at "restricted", so a Pod template
// that breaks the restricted profile is reported.
func TestServerSideDryRun(t *testing.T) {
	// Render first: a missing tool fails before the API server starts.
	type variant struct {
		name      string
		namespace string
		objs      objects
	}
	variants := []variant{
		{name: "helm default values", namespace: "skillmatrix-system",
			objs: helmTemplate(t, "skillmatrix-operator", "skillmatrix-system", nil)},
		{name: "helm all options", namespace: "skillmatrix-all-options",
			objs: helmTemplate(t, "all-options", "skillmatrix-all-options", []string{allOptionsValues})},
		{name: "kustomize config/default", namespace: "skillmatrix-operator-system",
			objs: kustomizeBuild(t, "default")},
	}

	env, err := testenv.Environment(t.Context(), repoRoot, nil,
		filepath.Join("testdata", "monitoring.coreos.com_servicemonitors.yaml"))
	if err != nil {
		t.Fatalf("find the envtest binaries: %v", err)
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("start envtest: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stop envtest: %v", err)
		}
	})
	warned := &warnings{}
	cfg = rest.CopyConfig(cfg)
	cfg.WarningHandler = nil
	cfg.WarningHandlerWithContext = warned
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	t.Run("Pod Security warnings are reported", func(t *testing.T) {
		// Without this, "no warning" below could mean that the API server
		// does not run Pod Security Admission at all.
		createNamespace(ctx, t, c, "skillmatrix-psa-probe")
		d := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "apps/v1", "kind": "Deployment",
			"metadata": map[string]any{"name": "privileged", "namespace": "skillmatrix-psa-probe"},
			"spec": map[string]any{
				"selector": map[string]any{"matchLabels": map[string]any{"app": "privileged"}},
				"template": map[string]any{
					"metadata": map[string]any{"labels": map[string]any{"app": "privileged"}},
					"spec": map[string]any{"containers": []any{map[string]any{
						"name": "c", "image": "example.com/c:1",
						"securityContext": map[string]any{"privileged": true},
					}}},
				},
			},
		}}
		warned.take()
		if err := c.Create(ctx, d, client.DryRunAll); err != nil {
			t.Fatalf("dry-run create of a privileged Deployment: %v", err)
		}
		if msgs := warned.take(); !containsAny(msgs, restricted) {
			t.Fatalf("a privileged Pod template drew no Pod Security warning (got %q): "+
				"the checks below would prove nothing", msgs)
		}
	})

	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			createNamespace(ctx, t, c, v.namespace)
			accepted := 0
			for _, obj := range v.objs {
				id := obj.GetKind() + " " + obj.GetName()
				if obj.GetKind() == kindNamespace && obj.GetName() != v.namespace {
					t.Errorf("%s: renders Namespace %s, expected only %s", v.name, obj.GetName(), v.namespace)
				}
				namespaced, err := c.IsObjectNamespaced(obj)
				if err != nil {
					t.Errorf("%s: %v", id, err)
					continue
				}
				switch {
				case namespaced && obj.GetNamespace() != v.namespace:
					t.Errorf("%s: namespace %q, want %q (every namespaced object names its namespace)",
						id, obj.GetNamespace(), v.namespace)
				case !namespaced && obj.GetNamespace() != "":
					t.Errorf("%s: cluster-scoped, yet has namespace %q", id, obj.GetNamespace())
				}

				warned.take()
				err = c.Create(ctx, obj.DeepCopy(), client.DryRunAll, client.FieldValidation(metav1.FieldValidationStrict))
				// envtest installed the CRDs and the namespace exists already:
				// those go through the apply below.
				preexisting := obj.GetKind() == kindCRD || obj.GetKind() == kindNamespace
				if err != nil && (!preexisting || !apierrors.IsAlreadyExists(err)) {
					t.Errorf("%s: dry-run create refused: %v", id, err)
					continue
				}
				if msgs := warned.take(); len(msgs) > 0 {
					t.Errorf("%s: dry-run create drew warnings: %q", id, msgs)
				}
				err = c.Apply(ctx, client.ApplyConfigurationFromUnstructured(obj.DeepCopy()),
					client.DryRunAll, client.FieldOwner(fieldOwner), client.ForceOwnership)
				if err != nil {
					t.Errorf("%s: dry-run server-side apply refused: %v", id, err)
					continue
				}
				if msgs := warned.take(); len(msgs) > 0 {
					t.Errorf("%s: dry-run server-side apply drew warnings: %q", id, msgs)
					continue
				}
				accepted++
			}
			t.Logf("%s: the API server accepted %d of %d objects (dry run)", v.name, accepted, len(v.objs))
		})
	}
}

// createNamespace creates a namespace for real, enforcing and warning about
// the restricted Pod Security profile.
func createNamespace(ctx context.Context, t *testing.T, c client.Client, name string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name:   name,
		Labels: map[string]string{psaEnforce: restricted, psaWarn: restricted},
	}}
	if err := c.Create(ctx, ns); err != nil {
		t.Fatalf("create namespace %s: %v", name, err)
	}
}

// containsAny reports whether one of msgs contains sub.
func containsAny(msgs []string, sub string) bool {
	for _, m := range msgs {
		if strings.Contains(m, sub) {
			return true
		}
	}
	return false
}
