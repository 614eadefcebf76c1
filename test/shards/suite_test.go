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

// Package shards checks, against one real kube-apiserver (envtest), that
// installs of the operator scoped to namespaces (--watch-namespaces, the
// chart's watchNamespaces) stay inside them: two managers run in this
// process over disjoint namespace sets, each as its own ServiceAccount
// (impersonated) with exactly the RBAC the chart renders for its release in
// namespaced mode, one of them installing the admission policy and the other
// not. Every request each manager sends is recorded, so "never touched" is
// checked on what was asked of the API server, not by waiting. A portal
// scoped the same way serves its namespaces' Roles.
//
// It runs bin/helm (`make helm`).
package shards

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	careerv1alpha1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/controller"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// repoRoot is the repository root, relative to this package.
var repoRoot = filepath.Join("..", "..")

// install is one release of the chart and the manager that runs for it.
type install struct {
	release, namespace string
	// watched are the namespaces of --watch-namespaces.
	watched []string
	// paramsNamespace holds the admission params it reads.
	paramsNamespace string
	// sets are the release's chart values.
	sets     []string
	requests *requestLog
	cancel   context.CancelFunc
	done     chan struct{}
}

// serviceAccount is the manager's ServiceAccount name: the chart's full name.
func (i *install) serviceAccount() string { return i.release + "-skillmatrix-operator" }

func (i *install) username() string {
	return "system:serviceaccount:" + i.namespace + ":" + i.serviceAccount()
}

// unwatched holds a SkillMatrix and Role that no install watches.
const unwatched = "career-unwatched"

var (
	teamA = &install{release: "team-a", namespace: "ops-a", watched: []string{"career-a1", "career-a2"},
		paramsNamespace: "ops-a"}
	teamB = &install{release: "team-b", namespace: "ops-b", watched: []string{"career-b1"},
		paramsNamespace: "ops-a"}
)

func init() {
	// team-a installs the admission policy and lists team-b's identity as an
	// operator; team-b leaves the policy, its params and the ClusterRoles for
	// people to team-a.
	teamA.sets = []string{"watchNamespaces={career-a1,career-a2}", "portal.enabled=true",
		"admissionPolicy.extraOperators={" + teamB.username() + "}"}
	teamB.sets = []string{"watchNamespaces={career-b1}",
		"admissionPolicy.enabled=false", "admissionPolicy.enforcedExternally=false",
		"admissionPolicy.paramsNamespace=ops-a", "userRoles.enabled=false"}
}

var (
	testEnv    *envtest.Environment
	cfg        *rest.Config
	admin      client.Client
	testScheme = runtime.NewScheme()
	suiteCtx   context.Context
	stopSuite  context.CancelFunc
)

func TestShards(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Namespaced installs Suite")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	suiteCtx, stopSuite = context.WithCancel(context.Background())
	utilruntime.Must(clientgoscheme.AddToScheme(testScheme))
	utilruntime.Must(careerv1alpha1.AddToScheme(testScheme))

	// Render first: a missing bin/helm fails before the API server starts.
	rendered := map[*install][]client.Object{}
	for _, i := range []*install{teamA, teamB} {
		objs, err := testenv.HelmTemplate(suiteCtx, repoRoot, i.release, i.namespace, i.sets...)
		Expect(err).NotTo(HaveOccurred())
		for _, o := range objs {
			if installedHere(o.GetKind()) {
				rendered[i] = append(rendered[i], o)
			}
		}
	}

	var err error
	testEnv, err = testenv.Environment(suiteCtx, repoRoot, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	cfg, err = testEnv.Start()
	Expect(err).NotTo(HaveOccurred())
	admin, err = client.New(cfg, client.Options{Scheme: testScheme})
	Expect(err).NotTo(HaveOccurred())

	By("creating the namespaces and applying what the chart renders for both releases")
	for _, ns := range []string{teamA.namespace, teamB.namespace, "career-a1", "career-a2", "career-b1", unwatched} {
		Expect(admin.Create(suiteCtx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})).To(Succeed())
	}
	for _, i := range []*install{teamA, teamB} {
		for _, o := range rendered[i] {
			Expect(admin.Create(suiteCtx, o)).To(Succeed(), "%s %s/%s of %s", o.GetObjectKind().GroupVersionKind().Kind,
				o.GetNamespace(), o.GetName(), i.release)
		}
	}
	Expect(testenv.WaitForPolicy(suiteCtx, admin)).To(Succeed())

	By("starting both managers, each as its ServiceAccount")
	for _, i := range []*install{teamA, teamB} {
		startManager(i)
	}
	By("creating the sample SkillMatrix and Role in every namespace, watched or not")
	for _, ns := range []string{"career-a1", "career-a2", "career-b1", unwatched} {
		applySamples(ns)
	}
})

// installedHere says which rendered kinds the suite applies: the identities,
// RBAC, admission policy and params; not the workloads, which run in this
// process instead.
func installedHere(kind string) bool {
	switch kind {
	case "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "ConfigMap",
		"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding":
		return true
	}
	return false
}

// startManager runs the operator's controllers for i as cmd/ wires them with
// --watch-namespaces, leader election in the release namespace under the
// chart's Lease name, and a request log.
func startManager(i *install) {
	GinkgoHelper()
	i.requests = &requestLog{}
	mgrCfg := impersonating(i.username(), "system:serviceaccounts", "system:serviceaccounts:"+i.namespace)
	mgrCfg.Wrap(i.requests.wrap)
	mgr, err := ctrl.NewManager(mgrCfg, ctrl.Options{
		Scheme:                  testScheme,
		Cache:                   controller.CacheOptions(i.watched...),
		Metrics:                 metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress:  "0",
		LeaderElection:          true,
		LeaderElectionID:        i.serviceAccount() + ".career.skillmatrix.dev",
		LeaderElectionNamespace: i.namespace,
		// A restarted manager (restartManager) need not wait out the Lease.
		LeaderElectionReleaseOnCancel: true,
		Controller:                    config.Controller{SkipNameValidation: new(true)},
	})
	Expect(err).NotTo(HaveOccurred())
	ctx, cancel := context.WithCancel(suiteCtx)
	Expect(controller.SetupWithManager(ctx, mgr, controller.Options{
		AdmissionParamsNamespace: i.paramsNamespace,
		GitCacheDir:              GinkgoT().TempDir(),
		MetricsRegistry:          prometheus.NewRegistry(),
	})).To(Succeed())
	i.cancel, i.done = cancel, make(chan struct{})
	go func() {
		defer GinkgoRecover()
		defer close(i.done)
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
}

// restartManager stops i's manager and starts it again, with a new request log.
func restartManager(i *install) {
	GinkgoHelper()
	i.cancel()
	<-i.done
	startManager(i)
}

// setVerbs sets the verbs of the one rule of the Role key.
func setVerbs(key client.ObjectKey, verbs []string) {
	GinkgoHelper()
	Expect(retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var role rbacv1.Role
		if err := admin.Get(suiteCtx, key, &role); err != nil {
			return err
		}
		Expect(role.Rules).To(HaveLen(1))
		role.Rules[0].Verbs = verbs
		return admin.Update(suiteCtx, &role)
	})).To(Succeed())
}

// impersonating is the admin's config acting as user in groups.
func impersonating(user string, groups ...string) *rest.Config {
	c := rest.CopyConfig(cfg)
	c.Impersonate = rest.ImpersonationConfig{UserName: user, Groups: groups}
	return c
}

var _ = AfterSuite(func() {
	for _, i := range []*install{teamA, teamB} {
		if i.cancel != nil {
			i.cancel()
			// Bounded, so that a manager that never synced (a failed spec)
			// cannot hang the suite; a clean stop takes well under this.
			select {
			case <-i.done:
			case <-time.After(time.Minute):
				AddReportEntry(i.release, "the manager did not stop within a minute")
			}
		}
	}
	if stopSuite != nil {
		stopSuite()
	}
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
	}
})

// request is one call a manager made to the API server.
type request struct {
	method, path string
	// namespace is the namespace in the path; empty for cluster-scoped
	// resources and for lists and watches across all namespaces.
	namespace string
	// resource is the resource (and subresource) the path names.
	resource string
}

func (r request) String() string { return r.method + " " + r.path }

// mutating says whether the request writes.
func (r request) mutating() bool {
	return r.method != http.MethodGet && r.method != http.MethodHead
}

// requestLog records every request a manager's clients send (the cache,
// the client, the API reader, the event recorder, leader election).
type requestLog struct {
	mu   sync.Mutex
	seen []request
}

func (l *requestLog) wrap(next http.RoundTripper) http.RoundTripper {
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		l.mu.Lock()
		l.seen = append(l.seen, parseRequest(r.Method, r.URL.Path))
		l.mu.Unlock()
		return next.RoundTrip(r)
	})
}

func (l *requestLog) all() []request {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]request(nil), l.seen...)
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// parseRequest reads the namespace and resource from an API path:
// /api/v1/namespaces/NS/RESOURCE/NAME/SUB or /apis/GROUP/VERSION/..., or
// the same without namespaces/NS.
func parseRequest(method, path string) request {
	r := request{method: method, path: path}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		parts = parts[2:]
	case len(parts) >= 3 && parts[0] == "apis":
		parts = parts[3:]
	default:
		return r
	}
	if len(parts) >= 2 && parts[0] == "namespaces" {
		r.namespace = parts[1]
		parts = parts[2:]
		if len(parts) == 0 {
			r.resource = "namespaces"
			return r
		}
	}
	if len(parts) > 0 {
		r.resource = parts[0]
	}
	if len(parts) >= 3 {
		r.resource += "/" + parts[2]
	}
	return r
}
