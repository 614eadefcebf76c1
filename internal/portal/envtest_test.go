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

package portal

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/controller"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/publish"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/render"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

const (
	repoRoot      = "../.."
	portalNS      = "portal-system"
	portalAccount = "system:serviceaccount:" + portalNS + ":portal"
)

// apiCounter counts the portal's requests to the API server that are not
// watches: Lists (a collection) and anything else.
type apiCounter struct {
	next                  http.RoundTripper
	lists, other, watches atomic.Int64
}

func (c *apiCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	last := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	switch {
	case r.URL.Query().Get("watch") == "true" || r.URL.Query().Get("watch") == "1":
		c.watches.Add(1)
	case r.Method == http.MethodGet && slices.Contains([]string{"skillmatrices", "roles", "proposals"}, last):
		c.lists.Add(1)
	default:
		c.other.Add(1)
	}
	return c.next.RoundTrip(r)
}

type envCluster struct {
	t       *testing.T
	ctx     context.Context
	cfg     *rest.Config
	env     *envtest.Environment
	admin   client.Client
	users   map[string]client.Client
	base    string
	counter *apiCounter
}

func TestPortalAgainstTheAPIServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an API server")
	}
	c := startCluster(t)
	c.installPortalRBAC()
	c.startOperator()
	c.startPortal()
	c.applySamples()

	role := c.waitRolePublished()
	c.checkMatrixIsPublished(role)

	proposal := loadSample(t, "career_v1alpha1_proposal.yaml", &v1.Proposal{})
	proposal.Namespace = testNS
	if err := c.users["alice"].Create(c.ctx, proposal); err != nil {
		t.Fatalf("alice proposes: %v", err)
	}
	c.patch("bob", proposal.Name, firstBallot("votes", v1.Vote{Voter: "bob", Decision: v1.VoteApprove, Comment: hostile, Groups: engineers}))
	c.eventually("the Proposal page shows bob's vote", func() bool {
		body := c.page("/ns/career/proposals/" + proposal.Name)
		return strings.Contains(body, "<strong>bob</strong> approves") &&
			strings.Contains(body, `Approving votes</th><td data-label="Now">1</td>`) && !strings.Contains(body, "<script>")
	})
	c.eventually("the Role's feed has the new Proposal", func() bool {
		feed := c.page("/ns/career/roles/mlops-engineer/feed.atom")
		return strings.Contains(feed, ":created</id>") && strings.Contains(feed, ":vote:Approve:bob</id>")
	})

	// No page is made from the API server: none of these loads lists or gets anything.
	lists, other, watches := c.counter.lists.Load(), c.counter.other.Load(), c.counter.watches.Load()
	for range 20 {
		for _, path := range []string{"/ns/career/", "/ns/career/roles/mlops-engineer/", "/ns/career/roles/mlops-engineer/matrix.html",
			"/ns/career/proposals/" + proposal.Name, "/ns/career/feed.atom", "/ns/career/matrices/engineering/paths.svg"} {
			c.page(path)
		}
	}
	if l, o, w := c.counter.lists.Load(), c.counter.other.Load(), c.counter.watches.Load(); l != lists || o != other || w != watches {
		t.Errorf("120 page loads made %d Lists, %d watches and %d other API requests; want none", l-lists, w-watches, o-other)
	}
	// One initial List (or streaming watch-list) per kind, whatever client-go uses.
	if l := c.counter.lists.Load(); l > 4 {
		t.Errorf("the portal listed %d times since it started; want at most 4, one per kind", l)
	}
	t.Logf("API requests of the portal so far: %d Lists, %d watches, %d others", lists, watches, other)

	// dave votes with a Ballot, next to bob's entry of the deprecated
	// spec.votes; the page and the feed show both.
	c.ballot("dave", proposal, v1.BallotKindVote, hostile)
	c.eventually("the Proposal page shows dave's ballot", func() bool {
		body := c.page("/ns/career/proposals/" + proposal.Name)
		return strings.Contains(body, "<strong>dave</strong> approves") &&
			strings.Contains(body, `Approving votes</th><td data-label="Now">2</td>`) && !strings.Contains(body, "<script>")
	})
	c.eventually("the Role's feed has dave's vote", func() bool {
		return strings.Contains(c.page("/ns/career/roles/mlops-engineer/feed.atom"), ":vote:Approve:dave</id>")
	})
	c.ballot("carol", proposal, v1.BallotKindReview, "")
	c.eventually("the Role's feed says the Proposal is applied and the Role republished", func() bool {
		feed := c.page("/ns/career/roles/mlops-engineer/feed.atom")
		return strings.Contains(feed, ":applied</id>") && strings.Contains(feed, ":decided</id>") &&
			strings.Count(feed, ":published:") == 1 && !strings.Contains(feed, role.Status.ContentHash[len("sha256:"):])
	})
	c.eventually("the Role page's changelog has the Proposal", func() bool {
		body := c.page("/ns/career/roles/mlops-engineer/")
		return strings.Contains(body, `id="changelog"`) && strings.Contains(body, "Raise Kubernetes Core") &&
			!strings.Contains(body, `class="notice"`)
	})
	var after v1.Role
	if err := c.admin.Get(c.ctx, types.NamespacedName{Namespace: testNS, Name: role.Name}, &after); err != nil {
		t.Fatal(err)
	}
	c.checkMatrixIsPublished(&after)
	c.checkPortalRBAC()
}

func startCluster(t *testing.T) *envCluster {
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1.AddToScheme(scheme))
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)
	env, err := testenv.Environment(ctx, repoRoot, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Error(err)
		}
	})
	admin, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	if err := testenv.InstallAdmission(ctx, admin, repoRoot); err != nil {
		t.Fatal(err)
	}
	c := &envCluster{t: t, ctx: ctx, cfg: cfg, env: env, admin: admin, users: map[string]client.Client{}}
	for _, ns := range []string{testNS, portalNS} {
		if err := admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			t.Fatal(err)
		}
	}
	grants := map[string][]string{
		"alice": {"skillmatrix-proposer", "skillmatrix-voter"},
		"bob":   {"skillmatrix-proposer", "skillmatrix-voter"},
		"dave":  {"skillmatrix-proposer", "skillmatrix-voter"},
		"carol": {"skillmatrix-voter", "skillmatrix-reviewer"},
	}
	people, err := testenv.AddPeople(ctx, env, admin, grants)
	if err != nil {
		t.Fatal(err)
	}
	for name, person := range people {
		c.users[name] = person.Client
	}
	return c
}

func (c *envCluster) create(obj client.Object) {
	c.t.Helper()
	if err := c.admin.Create(c.ctx, obj); err != nil {
		c.t.Fatalf("creating %T %s: %v", obj, obj.GetName(), err)
	}
}

// installPortalRBAC installs config/portal's ClusterRole and binding, with
// the ServiceAccount in portalNS.
func (c *envCluster) installPortalRBAC() {
	c.create(&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "portal", Namespace: portalNS}})
	for _, f := range []string{"role.yaml", "role_binding.yaml"} {
		objs, err := testenv.ReadObjects(filepath.Join(repoRoot, "config", "portal", f))
		if err != nil {
			c.t.Fatal(err)
		}
		for _, u := range objs {
			if subjects, ok := u.Object["subjects"].([]any); ok {
				for _, s := range subjects {
					s.(map[string]any)["namespace"] = portalNS
				}
			}
			c.create(u)
		}
	}
}

func (c *envCluster) startOperator() {
	scheme := c.admin.Scheme()
	mgr, err := ctrl.NewManager(c.cfg, ctrl.Options{Scheme: scheme, Cache: controller.CacheOptions(),
		Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
		Controller: config.Controller{SkipNameValidation: new(true)}})
	if err != nil {
		c.t.Fatal(err)
	}
	c.run(mgr, func(ctx context.Context) error { return controller.SetupWithManager(ctx, mgr, controller.Options{}) })
}

// startPortal runs the portal as its ServiceAccount, counting its requests.
func (c *envCluster) startPortal() {
	cfg := rest.CopyConfig(c.cfg)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: portalAccount}
	c.counter = &apiCounter{}
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { c.counter.next = rt; return c.counter })
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{Scheme: c.admin.Scheme(), Cache: CacheOptions(nil),
		Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0"})
	if err != nil {
		c.t.Fatal(err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		c.t.Fatal(err)
	}
	c.base = "http://" + listener.Addr().String()
	c.run(mgr, func(ctx context.Context) error { _, err := Setup(ctx, mgr, listener, Options{}); return err })
	c.eventually("the portal is ready", func() bool {
		resp, err := http.Get(c.base + "/readyz")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

func (c *envCluster) run(mgr ctrl.Manager, setup func(context.Context) error) {
	ctx, stop := context.WithCancel(c.ctx)
	if err := setup(ctx); err != nil {
		c.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	c.t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			c.t.Errorf("manager: %v", err)
		}
	})
}

func (c *envCluster) applySamples() {
	for _, f := range []string{"career_v1alpha1_skillmatrix.yaml", "career_v1alpha1_role.yaml"} {
		objs, err := testenv.ReadObjects(filepath.Join(repoRoot, "config", "samples", f))
		if err != nil {
			c.t.Fatal(err)
		}
		for _, u := range objs {
			u.SetNamespace(testNS)
			c.create(u)
		}
	}
}

func (c *envCluster) waitRolePublished() *v1.Role {
	var role v1.Role
	c.eventually("the Role is published and the portal shows it as published", func() bool {
		if err := c.admin.Get(c.ctx, types.NamespacedName{Namespace: testNS, Name: "mlops-engineer"}, &role); err != nil ||
			role.Status.ContentHash == "" {
			return false
		}
		body := c.page("/ns/career/roles/mlops-engineer/")
		return strings.Contains(body, "MLOps Engineer") && !strings.Contains(body, `class="notice"`)
	})
	return &role
}

// checkMatrixIsPublished compares the portal's matrix.html with the
// ConfigMap's, and the ConfigMap's hash with the Role's.
func (c *envCluster) checkMatrixIsPublished(role *v1.Role) {
	c.t.Helper()
	var cm corev1.ConfigMap
	c.eventually("the ConfigMap carries the Role's hash", func() bool {
		err := c.admin.Get(c.ctx, types.NamespacedName{Namespace: testNS, Name: role.Status.ConfigMapName}, &cm)
		return err == nil && cm.Annotations[publish.AnnotationContentHash] == role.Status.ContentHash
	})
	published, err := publish.ReadFile(cm.Data, cm.BinaryData, render.KeyHTML)
	if err != nil {
		c.t.Fatal(err)
	}
	c.eventually("the portal's matrix.html is the published one", func() bool {
		return c.page("/ns/career/roles/mlops-engineer/matrix.html") == string(published)
	})
}

func (c *envCluster) page(path string) string {
	c.t.Helper()
	resp, err := http.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return string(body)
}

func (c *envCluster) eventually(what string, cond func() bool) {
	c.t.Helper()
	err := wait.PollUntilContextTimeout(c.ctx, 100*time.Millisecond, time.Minute, true,
		func(context.Context) (bool, error) { return cond(), nil })
	if err != nil {
		c.t.Fatalf("timed out waiting until %s", what)
	}
}

func firstBallot(list string, b any) []byte {
	out, _ := json.Marshal([]map[string]any{{"op": "add", "path": "/spec/" + list, "value": []any{b}}})
	return out
}

// ballot casts user's approving Ballot of kind on p, as kubectl skillmatrix
// does.
func (c *envCluster) ballot(user string, p *v1.Proposal, kind v1.BallotKind, comment string) {
	c.t.Helper()
	live := &v1.Proposal{}
	if err := c.admin.Get(c.ctx, types.NamespacedName{Namespace: testNS, Name: p.Name}, live); err != nil {
		c.t.Fatal(err)
	}
	p = live
	b := &v1.Ballot{
		ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: v1.BallotName(p.Name, kind, v1.Username(user))},
		Spec: v1.BallotSpec{ProposalRef: v1.ObjectName(p.Name), RoleRef: p.Spec.RoleRef, Kind: kind,
			Voter: v1.Username(user), Decision: v1.BallotApprove, Comment: comment, Groups: engineers,
			ProposalGeneration: p.Generation},
	}
	if err := c.users[user].Create(c.ctx, b); err != nil {
		c.t.Fatalf("%s casts a %s: %v", user, kind, err)
	}
}

func (c *envCluster) patch(user, name string, patch []byte) {
	c.t.Helper()
	p := &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: testNS}}
	if err := c.users[user].Patch(c.ctx, p, client.RawPatch(types.JSONPatchType, patch)); err != nil {
		c.t.Fatalf("%s patches %s: %v", user, name, err)
	}
}

func userClient(c *envCluster, user string) client.Client {
	cfg := rest.CopyConfig(c.cfg)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user}
	cl, err := client.New(cfg, client.Options{Scheme: c.admin.Scheme()})
	if err != nil {
		c.t.Fatal(err)
	}
	return cl
}

func (c *envCluster) rulesOf(cl client.Client) []authorizationv1.ResourceRule {
	review := &authorizationv1.SelfSubjectRulesReview{Spec: authorizationv1.SelfSubjectRulesReviewSpec{Namespace: testNS}}
	if err := cl.Create(c.ctx, review); err != nil {
		c.t.Fatal(err)
	}
	return review.Status.ResourceRules
}

func ruleKey(r authorizationv1.ResourceRule) string {
	return fmt.Sprint(r.APIGroups, r.Resources, r.ResourceNames, r.Verbs)
}

// checkPortalRBAC asks what the portal's ServiceAccount may do, and tries
// writes and reads beyond it as that account.
func (c *envCluster) checkPortalRBAC() {
	sa := userClient(c, portalAccount)
	// What every authenticated user may do (ask about itself, read
	// cluster trust bundles...) is not the portal's ClusterRole.
	everyone := map[string]bool{}
	for _, rule := range c.rulesOf(userClient(c, "system:serviceaccount:"+portalNS+":nobody")) {
		everyone[ruleKey(rule)] = true
	}
	readVerbs := []string{"get", "list", "watch"}
	granted := map[string]bool{}
	for _, rule := range c.rulesOf(sa) {
		if everyone[ruleKey(rule)] {
			continue
		}
		for _, verb := range rule.Verbs {
			if !slices.Contains(readVerbs, verb) {
				c.t.Errorf("the portal may %s %v in %v", verb, rule.Resources, rule.APIGroups)
			}
		}
		for _, r := range rule.Resources {
			granted[strings.Join(rule.APIGroups, ",")+"/"+r] = true
		}
	}
	want := []string{"career.skillmatrix.dev/skillmatrices", "career.skillmatrix.dev/roles", "career.skillmatrix.dev/proposals",
		"career.skillmatrix.dev/ballots"}
	if got := len(granted); got != len(want) {
		c.t.Errorf("the portal may read %v; want exactly %v", granted, want)
	}
	for _, w := range want {
		if !granted[w] {
			c.t.Errorf("the portal may not read %s", w)
		}
	}
	refused := map[string]error{
		"create a Proposal": sa.Create(c.ctx, &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Name: "by-portal", Namespace: testNS},
			Spec: v1.ProposalSpec{RoleRef: "mlops-engineer", Title: "x", Author: portalAccount,
				Changes: []v1.Change{{Op: v1.OpRemoveSkill, Skill: "docker"}}}}),
		"delete a Role":   sa.Delete(c.ctx, &v1.Role{ObjectMeta: metav1.ObjectMeta{Name: "mlops-engineer", Namespace: testNS}}),
		"list ConfigMaps": sa.List(c.ctx, &corev1.ConfigMapList{}, client.InNamespace(testNS)),
		"list Secrets":    sa.List(c.ctx, &corev1.SecretList{}, client.InNamespace(testNS)),
	}
	for what, err := range refused {
		if !apierrors.IsForbidden(err) {
			c.t.Errorf("the portal's ServiceAccount could %s: %v", what, err)
		}
	}
}

// engineers is what the test users' ballots record: their group and
// system:authenticated, as the API server authenticates them.
var engineers = testenv.AuthenticatedGroups("engineers")
