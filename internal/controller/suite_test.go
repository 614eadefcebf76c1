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

package controller

import (
	"context"
	"net"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	careerv1alpha1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// These specs run against a real kube-apiserver and etcd (envtest). The
// binaries come from hack/envtest-assets.sh, which `make test` calls; a plain
// `go test ./...` calls it too when KUBEBUILDER_ASSETS is unset.

// repoRoot is the repository root, seen from this package.
var repoRoot = filepath.Join("..", "..")

var (
	testEnv    *envtest.Environment
	cfg        *rest.Config
	k8sClient  client.Client
	testScheme = runtime.NewScheme()
	suiteCtx   context.Context
	stopSuite  context.CancelFunc
	stopMgr    context.CancelFunc
)

func TestControllers(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Controller Suite")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	// Reconciles take milliseconds, but the 2-core CI machine runs the API
	// server, etcd and the manager at once: leave generous room.
	SetDefaultEventuallyTimeout(30 * time.Second)
	SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
	suiteCtx, stopSuite = context.WithCancel(context.Background())

	utilruntime.Must(clientgoscheme.AddToScheme(testScheme))
	utilruntime.Must(careerv1alpha1.AddToScheme(testScheme))

	var err error
	testEnv, err = testenv.Environment(suiteCtx, repoRoot, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	cfg, err = testEnv.Start()
	Expect(err).NotTo(HaveOccurred())
	Expect(cfg).NotTo(BeNil())

	k8sClient, err = client.New(cfg, client.Options{Scheme: testScheme})
	Expect(err).NotTo(HaveOccurred())

	By("installing the admission policy and the user ClusterRoles, as a platform team would")
	Expect(testenv.InstallAdmission(suiteCtx, k8sClient, repoRoot)).To(Succeed())
	addUsers()

	stopMgr = startManager(Options{})
})

var _ = AfterSuite(func() {
	if stopMgr != nil {
		stopMgr()
	}
	stopSuite()
	Expect(testEnv.Stop()).To(Succeed())
})

// metricsURL is where the running test manager serves its metrics.
var metricsURL string

// freeLocalAddress reserves a loopback port for the manager's metrics server
// and remembers its URL for specs that scrape it.
func freeLocalAddress() string {
	GinkgoHelper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	addr := l.Addr().String()
	Expect(l.Close()).To(Succeed())
	metricsURL = "http://" + addr + "/metrics"
	return addr
}

// startManager starts a controller manager against the envtest API server and
// returns the function that stops it. Specs that simulate a crash stop it and
// start a fresh one.
func startManager(opts Options, seams ...Seams) context.CancelFunc {
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 testScheme,
		Cache:                  CacheOptions(),
		Metrics:                metricsserver.Options{BindAddress: freeLocalAddress()},
		HealthProbeBindAddress: "0",
		Controller:             config.Controller{SkipNameValidation: new(true)},
	})
	Expect(err).NotTo(HaveOccurred())

	ctx, cancel := context.WithCancel(suiteCtx)
	var seam Seams
	if len(seams) > 0 {
		seam = seams[0]
	}
	Expect(SetupWithSeams(ctx, mgr, opts, seam)).To(Succeed())
	done := make(chan struct{})
	go func() {
		defer GinkgoRecover()
		defer close(done)
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
	Expect(mgr.GetCache().WaitForCacheSync(ctx)).To(BeTrue())
	return func() {
		cancel()
		<-done
	}
}

// Authenticated users with real RBAC: everyone may propose and vote; carol
// also holds the verb "review" on Roles; mallory may do nothing.
const (
	alice   = "alice"
	bob     = "bob"
	dave    = "dave"
	carol   = "carol"
	mallory = "mallory"
)

var userClients = map[string]client.Client{}

func addUsers() {
	GinkgoHelper()
	grants := map[string][]string{
		alice:   {"skillmatrix-proposer", "skillmatrix-voter"},
		bob:     {"skillmatrix-proposer", "skillmatrix-voter"},
		dave:    {"skillmatrix-proposer", "skillmatrix-voter"},
		carol:   {"skillmatrix-proposer", "skillmatrix-voter", "skillmatrix-reviewer"},
		mallory: nil,
	}
	people, err := testenv.AddPeople(suiteCtx, testEnv, k8sClient, grants)
	Expect(err).NotTo(HaveOccurred())
	for name, person := range people {
		userClients[name] = person.Client
	}
}

// as returns the client of an authenticated user.
func as(user string) client.Client { return userClients[user] }

// newNamespace creates a namespace of its own for one spec, so specs do not
// see each other's objects. envtest runs no namespace controller, so the
// namespace's Proposals are deleted when the spec (or its Ordered container)
// ends: a Committed one left behind is looked for in Git at every interval,
// and those wake-ups would count in a later spec's reconcile counter.
func newNamespace() string {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "spec-"}}
	Expect(k8sClient.Create(suiteCtx, ns)).To(Succeed())
	DeferCleanup(func(ctx context.Context) {
		Expect(k8sClient.DeleteAllOf(ctx, &careerv1alpha1.Proposal{}, client.InNamespace(ns.Name))).To(Succeed())
	})
	return ns.Name
}
