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

// Package admission checks, against a real kube-apiserver, that the shipped
// ValidatingAdmissionPolicy and user ClusterRoles enforce Proposal
// authenticity: every request is sent by an authenticated user with their own
// credentials, so request.userInfo and the RBAC authorizer are the real ones.
package admission

import (
	"context"
	"path/filepath"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	careerv1alpha1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// The people in these specs. alice writes proposals, bob and dave vote, carol
// reviews every Role of the namespace, erin reviews only the Role named
// reviewedRole, mallory has no review rights.
const (
	alice   = "alice"
	bob     = "bob"
	carol   = "carol"
	dave    = "dave"
	erin    = "erin"
	mallory = "mallory"
)

var people = []string{alice, bob, carol, dave, erin, mallory}

// engineers is the group every person belongs to.
const engineers = "engineers"

// repoRoot is the repository root, relative to this package.
var repoRoot = filepath.Join("..", "..")

var (
	testEnv    *envtest.Environment
	admin      client.Client
	as         = map[string]client.Client{}
	testScheme = runtime.NewScheme()
	suiteCtx   context.Context
	stopSuite  context.CancelFunc
)

func TestAdmission(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Admission Policy Suite")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	suiteCtx, stopSuite = context.WithCancel(context.Background())

	utilruntime.Must(clientgoscheme.AddToScheme(testScheme))
	utilruntime.Must(careerv1alpha1.AddToScheme(testScheme))

	var err error
	testEnv, err = testenv.Environment(suiteCtx, repoRoot, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	cfg, err := testEnv.Start()
	Expect(err).NotTo(HaveOccurred())

	admin, err = client.New(cfg, client.Options{Scheme: testScheme})
	Expect(err).NotTo(HaveOccurred())

	By("installing the admission policy and the user ClusterRoles")
	Expect(testenv.InstallAdmission(suiteCtx, admin, repoRoot)).To(Succeed())

	for _, name := range people {
		user, err := testEnv.AddUser(envtest.User{Name: name, Groups: []string{engineers}}, nil)
		Expect(err).NotTo(HaveOccurred())
		as[name], err = client.New(user.Config(), client.Options{Scheme: testScheme})
		Expect(err).NotTo(HaveOccurred())
	}
})

var _ = AfterSuite(func() {
	if stopSuite != nil {
		stopSuite()
	}
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
	}
})
