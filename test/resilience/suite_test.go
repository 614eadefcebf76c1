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

// Package resilience holds the envtest specs that prove the operator under
// faults: a chaos storm with the manager killed and restarted, a leader
// hand-over mid-storm, and hostile input. Each ends with an exact consistency
// check (consistency_test.go). The chaos storm runs short by default; set
// CHAOS_LONG=1 for the full 200 Proposals, 100 Role edits and 10 restarts.
package resilience

import (
	"context"
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

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/controller"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// repoRoot is the repository root, seen from this package.
var repoRoot = filepath.Join("..", "..")

var (
	testEnv    *envtest.Environment
	cfg        *rest.Config
	k8sClient  client.WithWatch
	testScheme = runtime.NewScheme()
	suiteCtx   context.Context
	stopSuite  context.CancelFunc
)

func TestResilience(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Resilience Suite")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	// The 2-core CI machine runs the API server, etcd and up to two
	// managers at once, under a storm: leave generous room.
	SetDefaultEventuallyTimeout(60 * time.Second)
	SetDefaultEventuallyPollingInterval(200 * time.Millisecond)
	suiteCtx, stopSuite = context.WithCancel(context.Background())

	utilruntime.Must(clientgoscheme.AddToScheme(testScheme))
	utilruntime.Must(v1.AddToScheme(testScheme))

	var err error
	testEnv, err = testenv.Environment(suiteCtx, repoRoot, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	cfg, err = testEnv.Start()
	Expect(err).NotTo(HaveOccurred())
	k8sClient, err = client.NewWithWatch(cfg, client.Options{Scheme: testScheme})
	Expect(err).NotTo(HaveOccurred())

	By("installing the admission policy and the user ClusterRoles, as a platform team would")
	Expect(testenv.InstallAdmission(suiteCtx, k8sClient, repoRoot)).To(Succeed())
	addUsers()
})

var _ = AfterSuite(func() {
	stopSuite()
	Expect(testEnv.Stop()).To(Succeed())
})

// Authenticated users with real RBAC: alice proposes, bob and dave vote,
// carol also reviews.
const (
	alice = "alice"
	bob   = "bob"
	carol = "carol"
	dave  = "dave"
)

var userClients = map[string]client.Client{}

func addUsers() {
	GinkgoHelper()
	grants := map[string][]string{
		alice: {"skillmatrix-proposer", "skillmatrix-voter"},
		bob:   {"skillmatrix-proposer", "skillmatrix-voter"},
		dave:  {"skillmatrix-proposer", "skillmatrix-voter"},
		carol: {"skillmatrix-proposer", "skillmatrix-voter", "skillmatrix-reviewer"},
	}
	people, err := testenv.AddPeople(suiteCtx, testEnv, k8sClient, grants)
	Expect(err).NotTo(HaveOccurred())
	for name, person := range people {
		userClients[name] = person.Client
	}
}

// as returns the client of an authenticated user.
func as(user string) client.Client { return userClients[user] }

// newNamespace creates a namespace of its own for one spec.
func newNamespace() string {
	GinkgoHelper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "resilience-"}}
	Expect(k8sClient.Create(suiteCtx, ns)).To(Succeed())
	return ns.Name
}

// runningManager is an in-process controller manager against the envtest
// API server.
type runningManager struct {
	mgr    ctrl.Manager
	cancel context.CancelFunc
	done   chan struct{}
}

// leaderElection configures a manager for the leader-election spec: short
// timings and no release of the lease on the way out, so cancelling the
// manager behaves like a kill.
type leaderElection struct {
	id, namespace string
}

// Lease timings of the leader-election spec.
const (
	leaseDuration = 4 * time.Second
	renewDeadline = 3 * time.Second
	retryPeriod   = 500 * time.Millisecond
)

// startManager starts the operator's controllers exactly as cmd/ wires them
// (controller.CacheOptions, controller.SetupWithManager) and returns the
// running manager; stop() kills it.
func startManager(seams controller.Seams, le *leaderElection) *runningManager {
	GinkgoHelper()
	options := ctrl.Options{
		Scheme:                 testScheme,
		Cache:                  controller.CacheOptions(),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Controller:             config.Controller{SkipNameValidation: new(true)},
	}
	if le != nil {
		options.LeaderElection = true
		options.LeaderElectionID = le.id
		options.LeaderElectionNamespace = le.namespace
		options.LeaseDuration = new(leaseDuration)
		options.RenewDeadline = new(renewDeadline)
		options.RetryPeriod = new(retryPeriod)
		options.LeaderElectionReleaseOnCancel = false
	}
	mgr, err := ctrl.NewManager(cfg, options)
	Expect(err).NotTo(HaveOccurred())
	ctx, cancel := context.WithCancel(suiteCtx)
	Expect(controller.SetupWithSeams(ctx, mgr, controller.Options{}, seams)).To(Succeed())
	m := &runningManager{mgr: mgr, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer GinkgoRecover()
		defer close(m.done)
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
	Expect(mgr.GetCache().WaitForCacheSync(ctx)).To(BeTrue())
	return m
}

// stop kills the manager: its context is cancelled mid-work, reconciles in
// flight fail on their next API call, and with leader election the lease is
// left to expire.
func (m *runningManager) stop() {
	m.cancel()
	<-m.done
}
