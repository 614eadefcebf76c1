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

// Package flux runs Git write-back end to end against a real Flux: the
// source-controller and kustomize-controller that hack/flux-assets.sh
// builds from their release modules, started as processes on loopback
// against envtest's API server (KUBECONFIG), syncing from git's own
// http-backend (internal/testenv/gitserver) into the namespace where the
// operator, in process, writes accepted Proposals back to Git. `make
// test-flux` provides FLUX_ASSETS; without it (a plain go test ./...) the
// suite skips, and under -short it does too.
package flux

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
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

var repoRoot = filepath.Join("..", "..")

var (
	testEnv    *envtest.Environment
	cfg        *rest.Config
	k8sClient  client.Client
	testScheme = runtime.NewScheme()
	suiteCtx   context.Context
	stopSuite  context.CancelFunc
	// fluxLogs is where the Flux controllers write their logs.
	fluxLogs string
)

func TestFlux(t *testing.T) {
	if testing.Short() {
		t.Skip("the Flux end-to-end test starts envtest and Flux: not under -short")
	}
	if os.Getenv("FLUX_ASSETS") == "" {
		t.Skip("FLUX_ASSETS is not set: run make test-flux, which builds (or reuses) Flux's controllers " +
			"with hack/flux-assets.sh")
	}
	RegisterFailHandler(Fail)
	RunSpecs(t, "Flux Suite")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	// Flux polls Git every 2 s and the 2-core CI machine runs the API
	// server, etcd, two Flux controllers and the operator at once.
	SetDefaultEventuallyTimeout(90 * time.Second)
	SetDefaultEventuallyPollingInterval(250 * time.Millisecond)
	suiteCtx, stopSuite = context.WithCancel(context.Background())
	utilruntime.Must(clientgoscheme.AddToScheme(testScheme))
	utilruntime.Must(v1.AddToScheme(testScheme))

	assets := os.Getenv("FLUX_ASSETS")
	var err error
	testEnv, err = testenv.Environment(suiteCtx, repoRoot, GinkgoWriter, filepath.Join(assets, "crds"))
	Expect(err).NotTo(HaveOccurred())
	cfg, err = testEnv.Start()
	Expect(err).NotTo(HaveOccurred())
	k8sClient, err = client.New(cfg, client.Options{Scheme: testScheme})
	Expect(err).NotTo(HaveOccurred())

	By("installing the admission policies and the user ClusterRoles, as a platform team would")
	Expect(testenv.InstallAdmission(suiteCtx, k8sClient, repoRoot)).To(Succeed())
	addUsers()

	By("starting the operator")
	startOperator()

	By("starting Flux's source-controller and kustomize-controller on loopback")
	startFlux(assets)
})

var _ = AfterSuite(func() {
	if stopSuite != nil {
		stopSuite()
	}
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
	}
})

// startOperator runs the manager in this process, as the other suites do.
func startOperator() {
	GinkgoHelper()
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme: testScheme, Cache: controller.CacheOptions(), HealthProbeBindAddress: "0",
		Metrics:    metricsserver.Options{BindAddress: "0"},
		Controller: config.Controller{SkipNameValidation: new(true)},
	})
	Expect(err).NotTo(HaveOccurred())
	Expect(controller.SetupWithManager(suiteCtx, mgr, controller.Options{GitCacheDir: GinkgoT().TempDir()})).To(Succeed())
	go func() {
		defer GinkgoRecover()
		Expect(mgr.Start(suiteCtx)).To(Succeed())
	}()
	Expect(mgr.GetCache().WaitForCacheSync(suiteCtx)).To(BeTrue())
}

// startFlux starts both controllers with a kubeconfig of their own
// (system:masters, as Flux's ClusterRoleBinding to cluster-admin), their
// ports on loopback, and source-controller's artifacts served to
// kustomize-controller from a temporary directory.
func startFlux(assets string) {
	GinkgoHelper()
	user, err := testEnv.AddUser(envtest.User{Name: "flux", Groups: []string{"system:masters"}}, nil)
	Expect(err).NotTo(HaveOccurred())
	kubeconfig, err := user.KubeConfig()
	Expect(err).NotTo(HaveOccurred())
	dir := GinkgoT().TempDir()
	path := filepath.Join(dir, "kubeconfig")
	Expect(os.WriteFile(path, kubeconfig, 0o600)).To(Succeed())
	fluxLogs = dir
	storage := freeAddress()
	artifacts := filepath.Join(dir, "artifacts")
	Expect(os.MkdirAll(artifacts, 0o755)).To(Succeed())
	run := func(name string, args ...string) {
		logFile, err := os.Create(filepath.Join(dir, name+".log"))
		Expect(err).NotTo(HaveOccurred())
		cmd := exec.CommandContext(suiteCtx, filepath.Join(assets, name), append(args,
			"--metrics-addr="+freeAddress(), "--health-addr="+freeAddress(), "--enable-leader-election=false",
			"--log-level=info", "--log-encoding=console")...)
		cmd.Env = append(os.Environ(), "KUBECONFIG="+path, "RUNTIME_NAMESPACE=flux-system")
		cmd.Stdout, cmd.Stderr = logFile, logFile
		Expect(cmd.Start()).To(Succeed())
		GinkgoWriter.Printf("started %s (pid %d), logs in %s\n", name, cmd.Process.Pid, logFile.Name())
		DeferCleanup(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			_ = logFile.Close()
			if CurrentSpecReport().Failed() {
				b, _ := os.ReadFile(logFile.Name())
				AddReportEntry(name+" log (tail)", tail(string(b), 6000))
			}
		})
	}
	run("source-controller", "--storage-path="+artifacts, "--storage-addr="+storage,
		"--storage-adv-addr="+storage)
	run("kustomize-controller", "--no-remote-bases=true")
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// freeAddress reserves a loopback port.
func freeAddress() string {
	GinkgoHelper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	defer func() { _ = l.Close() }()
	return l.Addr().String()
}

// The users: alice proposes, bob and dave vote, carol reviews.
const (
	alice = "alice"
	bob   = "bob"
	dave  = "dave"
	carol = "carol"
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
