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
// ValidatingAdmissionPolicies and user ClusterRoles enforce Proposal
// authenticity, keep the promotion record and the published ConfigMaps the
// operator's, and bound what a Proposal may hold: every request is sent by an
// authenticated user with their own credentials (or, for the garbage
// collector, by impersonation), so request.userInfo and the RBAC authorizer
// are the real ones.
package admission

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	careerv1alpha1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// The people in these specs. alice writes proposals, bob and dave vote, carol
// reviews every Role of the namespace, erin reviews only the Role named
// reviewedRole, mallory has no review rights (and, in the trust specs, is an
// admin of the namespace), maude moderates proposals. pat is bound to
// skillmatrix-proposer only: she proposes, edits and withdraws her own, and
// may not vote.
const (
	alice   = "alice"
	bob     = "bob"
	carol   = "carol"
	dave    = "dave"
	erin    = "erin"
	mallory = "mallory"
	maude   = "maude"
	pat     = "pat"
)

var people = []string{alice, bob, carol, dave, erin, mallory, maude}

// operatorUser is the username of the shipped operator's ServiceAccount, as
// config/admission/params lists it; the suite authenticates as it with a
// client certificate, bound to the generated ClusterRole manager-role.
const operatorUser = "system:serviceaccount:skillmatrix-operator-system:skillmatrix-operator-controller-manager"

// garbageCollector is the username of kube-controller-manager's garbage
// collector; envtest runs no controller manager, so specs impersonate it
// (the API server's bootstrap RBAC grants it its real rights).
const garbageCollector = "system:serviceaccount:kube-system:generic-garbage-collector"

// engineers is the group every person belongs to.
const engineers = "engineers"

// repoRoot is the repository root, relative to this package.
var repoRoot = filepath.Join("..", "..")

var (
	testEnv    *envtest.Environment
	admin      client.Client
	adminCfg   *rest.Config
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
	// A changed policy or binding takes effect once the API server's own
	// informer has it; on a loaded machine that took over the default 1 s.
	SetDefaultEventuallyTimeout(15 * time.Second)
	suiteCtx, stopSuite = context.WithCancel(context.Background())

	utilruntime.Must(clientgoscheme.AddToScheme(testScheme))
	utilruntime.Must(careerv1alpha1.AddToScheme(testScheme))

	var err error
	testEnv, err = testenv.Environment(suiteCtx, repoRoot, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	cfg, err := testEnv.Start()
	Expect(err).NotTo(HaveOccurred())

	adminCfg = cfg
	admin, err = client.New(cfg, client.Options{Scheme: testScheme})
	Expect(err).NotTo(HaveOccurred())

	By("installing the admission policies, their parameters and the user ClusterRoles")
	installAdmission()

	for _, name := range append(slices.Clone(people), pat) {
		user, err := testEnv.AddUser(envtest.User{Name: name, Groups: []string{engineers}}, nil)
		Expect(err).NotTo(HaveOccurred())
		as[name], err = client.New(user.Config(), client.Options{Scheme: testScheme})
		Expect(err).NotTo(HaveOccurred())
	}

	By("making the operator's ServiceAccount a user bound to manager-role")
	installManagerRole()
	user, err := testEnv.AddUser(envtest.User{Name: operatorUser,
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:skillmatrix-operator-system"}}, nil)
	Expect(err).NotTo(HaveOccurred())
	as[operatorUser], err = client.New(user.Config(), client.Options{Scheme: testScheme})
	Expect(err).NotTo(HaveOccurred())

	gcCfg := rest.CopyConfig(cfg)
	gcCfg.Impersonate = rest.ImpersonationConfig{UserName: garbageCollector,
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"}}
	as[garbageCollector], err = client.New(gcCfg, client.Options{Scheme: testScheme})
	Expect(err).NotTo(HaveOccurred())
})

// installAdmission installs what config/admission ships with the shipped
// operator identity only: the envtest admin is not the operator here.
func installAdmission() {
	GinkgoHelper()
	Expect(testenv.InstallAdmission(suiteCtx, admin, repoRoot, operatorUser)).To(Succeed())
}

// installManagerRole applies the generated ClusterRole manager-role and binds
// it to operatorUser, as the chart binds it to the ServiceAccount.
func installManagerRole() {
	GinkgoHelper()
	objs, err := testenv.ReadObjects(filepath.Join(repoRoot, "config", "rbac", "role.yaml"))
	Expect(err).NotTo(HaveOccurred())
	for _, u := range objs {
		Expect(admin.Apply(suiteCtx, client.ApplyConfigurationFromUnstructured(u),
			client.FieldOwner(testenv.FieldOwner), client.ForceOwnership)).To(Succeed())
	}
	Expect(admin.Create(suiteCtx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "skillmatrix-test-manager"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "manager-role"},
		Subjects:   []rbacv1.Subject{userSubject(operatorUser)},
	})).To(Succeed())
}

var _ = AfterSuite(func() {
	if stopSuite != nil {
		stopSuite()
	}
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
	}
})
