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

// Package notify holds the envtest specs of the notifications
// (docs/notifications.md) against real receivers on loopback: mailpit, a
// real SMTP server whose HTTP API shows what arrived, and an HTTP receiver
// that verifies the webhook's HMAC signature and holds Slack's and Teams'
// payloads to their documented shapes. The manager runs in-process, wired as
// cmd/ wires it, and is restarted by the chaos spec.
package notify

import (
	"bytes"
	"context"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"sync"
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
	"k8s.io/utils/ptr"
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
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/mailpit"
)

var repoRoot = filepath.Join("..", "..")

var (
	testEnv    *envtest.Environment
	cfg        *rest.Config
	k8sClient  client.Client
	testScheme = runtime.NewScheme()
	suiteCtx   context.Context
	stopSuite  context.CancelFunc
	mail       *mailpit.Server
	hooks      *receiver
	// logs keeps every log line, so a spec can check none shows a secret.
	logs = &syncBuffer{}
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestNotifications(t *testing.T) {
	if testing.Short() {
		t.Skip("starts envtest and mailpit")
	}
	RegisterFailHandler(Fail)
	RunSpecs(t, "Notifications Suite")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(io.MultiWriter(GinkgoWriter, logs)), zap.UseDevMode(true)))
	SetDefaultEventuallyTimeout(60 * time.Second)
	SetDefaultEventuallyPollingInterval(250 * time.Millisecond)
	suiteCtx, stopSuite = context.WithCancel(context.Background())

	utilruntime.Must(clientgoscheme.AddToScheme(testScheme))
	utilruntime.Must(v1.AddToScheme(testScheme))

	var err error
	testEnv, err = testenv.Environment(suiteCtx, repoRoot, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	cfg, err = testEnv.Start()
	Expect(err).NotTo(HaveOccurred())
	k8sClient, err = client.New(cfg, client.Options{Scheme: testScheme})
	Expect(err).NotTo(HaveOccurred())

	By("installing the admission policies (the Follow policy among them) and the ClusterRoles for people")
	Expect(testenv.InstallAdmission(suiteCtx, k8sClient, repoRoot)).To(Succeed())
	addUsers()

	By("starting mailpit and the HTTP receiver on loopback")
	bin, err := mailpit.Binary(suiteCtx, repoRoot)
	Expect(err).NotTo(HaveOccurred())
	mail, err = mailpit.Start(suiteCtx, bin, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	hooks = newReceiver()
})

var _ = AfterSuite(func() {
	if hooks != nil {
		hooks.close()
	}
	if mail != nil {
		mail.Stop()
	}
	stopSuite()
	Expect(testEnv.Stop()).To(Succeed())
})

// The users: alice proposes, bob and dave vote, carol reviews; mallory
// tries what nobody may. Each may follow Roles.
const (
	alice   = "alice"
	bob     = "bob"
	carol   = "carol"
	dave    = "dave"
	mallory = "mallory"
)

var userClients = map[string]client.Client{}

func addUsers() {
	GinkgoHelper()
	grants := map[string][]string{
		alice:   {"skillmatrix-proposer", "skillmatrix-voter", "skillmatrix-follower"},
		bob:     {"skillmatrix-proposer", "skillmatrix-voter", "skillmatrix-follower"},
		dave:    {"skillmatrix-proposer", "skillmatrix-voter", "skillmatrix-follower"},
		carol:   {"skillmatrix-proposer", "skillmatrix-voter", "skillmatrix-reviewer", "skillmatrix-follower"},
		mallory: {"skillmatrix-proposer", "skillmatrix-voter", "skillmatrix-follower"},
	}
	people, err := testenv.AddPeople(suiteCtx, testEnv, k8sClient, grants)
	Expect(err).NotTo(HaveOccurred())
	for name, person := range people {
		userClients[name] = person.Client
	}
}

func as(user string) client.Client { return userClients[user] }

func newNamespace() string {
	GinkgoHelper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "notify-"}}
	Expect(k8sClient.Create(suiteCtx, ns)).To(Succeed())
	return ns.Name
}

// portalURL is the portal address the manager links to.
const portalURL = "https://career.example.com"

// runningManager is an in-process manager against the envtest API server.
type runningManager struct {
	cancel      context.CancelFunc
	done        chan struct{}
	unsubscribe string
}

// startManager starts the operator's controllers as cmd/ wires them, with
// the notifications linking to portalURL and the unsubscribe endpoint on a
// free loopback port; clock, when set, is the notifications' clock.
func startManager(seams controller.Seams, clock func() time.Time) *runningManager {
	GinkgoHelper()
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 testScheme,
		Cache:                  controller.CacheOptions(),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Controller:             config.Controller{SkipNameValidation: new(true)},
	})
	Expect(err).NotTo(HaveOccurred())
	port := freePort()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	ctx, cancel := context.WithCancel(suiteCtx)
	// No per-author limit: the chaos spec opens 200 Proposals as alice.
	opts := controller.Options{MaxOpenProposalsPerAuthor: -1, Notifications: controller.NotificationOptions{
		PortalURL: portalURL, UnsubscribeAddr: addr, UnsubscribeURL: "http://" + addr, Now: clock,
	}}
	Expect(controller.SetupWithSeams(ctx, mgr, opts, seams)).To(Succeed())
	m := &runningManager{cancel: cancel, done: make(chan struct{}), unsubscribe: "http://" + addr}
	go func() {
		defer GinkgoRecover()
		defer close(m.done)
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
	Expect(mgr.GetCache().WaitForCacheSync(ctx)).To(BeTrue())
	return m
}

func (m *runningManager) stop() {
	m.cancel()
	<-m.done
}

func freePort() int {
	GinkgoHelper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}

// Fixtures: a SkillMatrix whose cloud category names carol its owner, and
// a Role of it.

var levels = []v1.ID{"junior", "middle", "senior"}

func matrix(namespace string, gov *v1.GovernancePolicy) *v1.SkillMatrix {
	return &v1.SkillMatrix{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "engineering"},
		Spec: v1.SkillMatrixSpec{
			Levels: []v1.Level{{ID: "junior", Name: "Junior"}, {ID: "middle", Name: "Middle"}, {ID: "senior", Name: "Senior"}},
			Proficiencies: []v1.Proficiency{
				{ID: "A", Name: "Awareness"}, {ID: "W", Name: "Working"}, {ID: "V", Name: "Advanced"}, {ID: "E", Name: "Expert"},
			},
			Categories: []v1.Category{{
				ID: "cloud", Name: "Cloud & Infrastructure", Owners: []v1.Username{carol},
				Skills: []v1.Skill{{ID: "docker", Name: "Docker"}, {ID: "kubernetes-core", Name: "Kubernetes Core"}},
			}},
			Governance: gov,
		},
	}
}

func role(namespace, name string) *v1.Role {
	row := func(id v1.ID, profs ...v1.ProficiencyID) v1.SkillRequirement {
		req := v1.SkillRequirement{ID: id}
		for i, p := range profs {
			req.Cells = append(req.Cells, v1.Cell{Level: levels[i], Proficiency: p, Required: i > 0})
		}
		return req
	}
	return &v1.Role{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: v1.RoleSpec{
			MatrixRef: "engineering", DisplayName: "Platform Engineer", Family: "Infrastructure",
			Levels: []v1.RoleLevel{
				{Level: "junior", Focus: "Learning the platform."}, {Level: "middle", Focus: "Owning services."}},
			Skills: []v1.SkillRequirement{row("docker", "A", "W", "V"), row("kubernetes-core", "A", "W", "E")},
		},
	}
}

// governance: one approving vote and one expert review decide, voting
// closes after period.
func governance(period time.Duration, reviews int32) *v1.GovernancePolicy {
	return &v1.GovernancePolicy{MinApprovals: ptr.To[int32](1), ApprovalRatioPercent: ptr.To[int32](50),
		RequiredReviews: new(reviews), VotingPeriod: &metav1.Duration{Duration: period}}
}

// framework creates the SkillMatrix and the Roles and waits until they are
// Ready.
func framework(namespace string, gov *v1.GovernancePolicy, roles ...string) {
	GinkgoHelper()
	Expect(k8sClient.Create(suiteCtx, matrix(namespace, gov))).To(Succeed())
	for _, name := range roles {
		Expect(k8sClient.Create(suiteCtx, role(namespace, name))).To(Succeed())
	}
	for _, name := range roles {
		Eventually(func(g Gomega) {
			var r v1.Role
			g.Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: namespace, Name: name}, &r)).To(Succeed())
			g.Expect(ready(r.Status.Conditions)).To(BeTrue())
		}).Should(Succeed())
	}
}

func ready(conds []metav1.Condition) bool {
	for _, c := range conds {
		if c.Type == v1.ConditionReady {
			return c.Status == metav1.ConditionTrue
		}
	}
	return false
}

func condition(conds []metav1.Condition, t string) *metav1.Condition {
	for i := range conds {
		if conds[i].Type == t {
			return &conds[i]
		}
	}
	return nil
}

// propose creates alice's Proposal that sets kubernetes-core@senior to V.
func propose(namespace, name, roleName, title string) *v1.Proposal {
	GinkgoHelper()
	p := &v1.Proposal{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: v1.ProposalSpec{
			RoleRef: v1.ObjectName(roleName), Title: title, Author: alice,
			Description: "Seniors run it in production.",
			Changes: []v1.Change{{Op: v1.OpSetProficiency, Skill: "kubernetes-core", Level: "senior", Proficiency: "V",
				From: &v1.ChangeValue{Proficiency: "E"}}},
		},
	}
	Expect(as(alice).Create(suiteCtx, p)).To(Succeed())
	return p
}

// proposeFocus creates alice's Proposal that sets the junior level's focus,
// which no other Proposal conflicts with.
func proposeFocus(namespace, name, roleName, title string) *v1.Proposal {
	GinkgoHelper()
	p := &v1.Proposal{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: v1.ProposalSpec{
			RoleRef: v1.ObjectName(roleName), Title: title, Author: alice,
			Changes: []v1.Change{{Op: v1.OpSetFocus, Level: "junior", Focus: new("Focus of " + name)}},
		},
	}
	Expect(as(alice).Create(suiteCtx, p)).To(Succeed())
	return p
}

func phaseOf(namespace, name string) v1.ProposalPhase {
	var p v1.Proposal
	if err := k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: namespace, Name: name}, &p); err != nil {
		return ""
	}
	return p.Status.Phase
}
