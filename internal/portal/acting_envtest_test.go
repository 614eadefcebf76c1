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
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/hack/oidcissuer"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/notify"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// envtestPeople sign in to the portal; erin has no RBAC binding at all.
var envtestPeople = []oidcissuer.User{
	{Name: "alice", Display: "Alice", Email: "alice@example.com", Groups: []string{"engineers"}},
	{Name: "bob", Display: "Bob", Email: "bob@example.com", Groups: []string{"engineers"}},
	{Name: "dave", Display: "Dave", Email: "dave@example.com", Groups: []string{"engineers"}},
	{Name: "carol", Display: "Carol", Email: "carol@example.com", Groups: []string{"engineers"}},
	{Name: "erin", Display: "Erin", Email: "erin@example.com", Groups: []string{"engineers"}},
}

// installImpersonatorRBAC installs config/portal's impersonation grant,
// bound to the portal's ServiceAccount in portalNS.
func (c *envCluster) installImpersonatorRBAC() {
	objs, err := testenv.ReadObjects(filepath.Join(repoRoot, "config", "portal", "impersonator.yaml"))
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

// serviceAccountConfig is a configuration that authenticates as the
// portal's ServiceAccount itself, with a token of its own: impersonating it
// would leave no room for the portal's own impersonation.
func (c *envCluster) serviceAccountConfig() *rest.Config {
	c.t.Helper()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "portal", Namespace: portalNS}}
	req := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: new(int64(3600))}}
	if err := c.admin.SubResource("token").Create(c.ctx, sa, req); err != nil {
		c.t.Fatalf("a token for the portal's ServiceAccount: %v", err)
	}
	cfg := rest.CopyConfig(c.cfg)
	cfg.CertData, cfg.KeyData = nil, nil
	cfg.CertFile, cfg.KeyFile = "", ""
	cfg.BearerToken = req.Status.Token
	return cfg
}

// asServiceAccount is a client of the portal's ServiceAccount, impersonating
// as when impersonate is not empty (bypassing the portal's own checks).
func (c *envCluster) asServiceAccount(cfg *rest.Config, as rest.ImpersonationConfig) client.Client {
	cfg = rest.CopyConfig(cfg)
	cfg.Impersonate = as
	// The admin's mapper: discovery as an impersonated person is not among
	// what the portal may do, and the portal never needs it.
	cl, err := client.New(cfg, client.Options{Scheme: c.admin.Scheme(), Mapper: c.admin.RESTMapper()})
	if err != nil {
		c.t.Fatal(err)
	}
	return cl
}

// TestPortalActsAsThePerson runs the portal as its ServiceAccount, with
// config/portal's RBAC, against the API server with the shipped admission
// policies and the operator: by itself the ServiceAccount can do nothing
// but read; with impersonation, only the portal's writes; and through the
// portal alice proposes, bob and dave vote, carol reviews, the Proposal is
// Applied, while erin, bound to nothing, is refused in words and writes
// nothing.
func TestPortalActsAsThePerson(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an API server")
	}
	c := startCluster(t)
	c.installPortalRBAC()
	c.installImpersonatorRBAC()
	c.startOperator()
	c.applySamples()
	saCfg := c.serviceAccountConfig()

	t.Run("the ServiceAccount by itself only reads", func(t *testing.T) {
		sa := c.asServiceAccount(saCfg, rest.ImpersonationConfig{})
		everyone := map[string]bool{}
		for _, rule := range c.rulesOf(userClient(c, "system:serviceaccount:"+portalNS+":nobody")) {
			everyone[ruleKey(rule)] = true
		}
		for _, rule := range c.rulesOf(sa) {
			if everyone[ruleKey(rule)] {
				continue
			}
			for _, verb := range rule.Verbs {
				if !slices.Contains([]string{"get", "list", "watch"}, verb) && !strings.HasPrefix(verb, "impersonate:user-info") &&
					!strings.HasPrefix(verb, "impersonate-on:user-info:") {
					t.Errorf("the portal may %s %v in %v by itself", verb, rule.Resources, rule.APIGroups)
				}
			}
		}
		p := &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Name: "by-the-portal", Namespace: testNS},
			Spec: v1.ProposalSpec{RoleRef: "mlops-engineer", Title: "x", Author: portalAccount,
				Changes: []v1.Change{{Op: v1.OpRemoveSkill, Skill: "docker"}}}}
		for what, err := range map[string]error{
			"create a Proposal as itself": sa.Create(c.ctx, p, client.DryRunAll),
			"patch a Proposal as itself": sa.Patch(c.ctx, &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Name: "x", Namespace: testNS}},
				client.RawPatch(types.MergePatchType, []byte(`{"spec":{"withdrawn":true}}`))),
			"list Secrets":    sa.List(c.ctx, &corev1.SecretList{}, client.InNamespace(testNS)),
			"list ConfigMaps": sa.List(c.ctx, &corev1.ConfigMapList{}, client.InNamespace(testNS)),
			"delete a Role":   sa.Delete(c.ctx, &v1.Role{ObjectMeta: metav1.ObjectMeta{Name: "mlops-engineer", Namespace: testNS}}),
		} {
			if !apierrors.IsForbidden(err) {
				t.Errorf("the ServiceAccount could %s: %v", what, err)
			}
		}
	})

	t.Run("with impersonation only the portal's writes", func(t *testing.T) {
		alice := c.asServiceAccount(saCfg, rest.ImpersonationConfig{UserName: "alice", Groups: []string{"engineers"}})
		p := &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Name: "as-alice", Namespace: testNS},
			Spec: v1.ProposalSpec{RoleRef: "mlops-engineer", Title: "x", Author: "alice",
				Changes: []v1.Change{{Op: v1.OpRemoveSkill, Skill: "docker"}}}}
		if err := alice.Create(c.ctx, p, client.DryRunAll); err != nil {
			t.Errorf("as alice, the portal cannot create a Proposal: %v", err)
		}
		review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
			ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: testNS, Verb: "review",
				Group: v1.GroupVersion.Group, Resource: "roles", Name: "mlops-engineer"}}}
		if err := alice.Create(c.ctx, review); err != nil || review.Status.Allowed {
			t.Errorf("as alice, the portal cannot ask whether she may review, or she may: %v %+v", err, review.Status)
		}
		// bob's Ballot: created (a dry run) and deleted as bob; a Ballot
		// that is not there is NotFound, not Forbidden.
		bob := c.asServiceAccount(saCfg, rest.ImpersonationConfig{UserName: "bob", Groups: []string{"engineers"}})
		ballot := &v1.Ballot{ObjectMeta: metav1.ObjectMeta{Name: "as-bob", Namespace: testNS},
			Spec: v1.BallotSpec{ProposalRef: "as-alice", RoleRef: "mlops-engineer", Kind: v1.BallotKindVote, Voter: "bob",
				Decision: v1.BallotApprove, Groups: []string{"engineers", "system:authenticated"}, ProposalGeneration: 1}}
		if err := bob.Create(c.ctx, ballot.DeepCopy(), client.DryRunAll); err != nil {
			t.Errorf("as bob, the portal cannot create his Ballot: %v", err)
		}
		if err := bob.Delete(c.ctx, ballot.DeepCopy()); !apierrors.IsNotFound(err) {
			t.Errorf("as bob, the portal cannot delete his Ballot: %v", err)
		}
		refused := map[string]error{
			"get a Ballot as bob":     bob.Get(c.ctx, client.ObjectKey{Namespace: testNS, Name: "as-bob"}, &v1.Ballot{}),
			"list Ballots as bob":     bob.List(c.ctx, &v1.BallotList{}, client.InNamespace(testNS)),
			"update a Ballot as bob":  bob.Update(c.ctx, &v1.Ballot{ObjectMeta: metav1.ObjectMeta{Name: "as-bob", Namespace: testNS, ResourceVersion: "1"}, Spec: ballot.Spec}),
			"get a Proposal as alice": alice.Get(c.ctx, client.ObjectKey{Namespace: testNS, Name: "as-alice"}, &v1.Proposal{}),
			"list Proposals as alice": alice.List(c.ctx, &v1.ProposalList{}, client.InNamespace(testNS)),
			"update a Proposal as alice (not a patch)": alice.Update(c.ctx, &v1.Proposal{ObjectMeta: metav1.ObjectMeta{
				Name: "as-alice", Namespace: testNS, ResourceVersion: "1"}, Spec: p.Spec}),
			"delete a Proposal as alice": alice.Delete(c.ctx, &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Name: "as-alice", Namespace: testNS}}),
			"create a ConfigMap as alice": alice.Create(c.ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x",
				Namespace: testNS}}, client.DryRunAll),
			"patch a Role as alice": alice.Patch(c.ctx, &v1.Role{ObjectMeta: metav1.ObjectMeta{Name: "mlops-engineer", Namespace: testNS}},
				client.RawPatch(types.MergePatchType, []byte(`{"spec":{"summary":"x"}}`))),
			"create a Proposal as the operator's ServiceAccount": c.asServiceAccount(saCfg, rest.ImpersonationConfig{
				UserName: "system:serviceaccount:skillmatrix-operator-system:skillmatrix-operator-controller-manager"}).
				Create(c.ctx, p.DeepCopy(), client.DryRunAll),
			"create a Proposal in group system:masters": c.asServiceAccount(saCfg, rest.ImpersonationConfig{
				UserName: "alice", Groups: []string{"system:masters"}}).Create(c.ctx, p.DeepCopy(), client.DryRunAll),
			"create a Proposal as a node": c.asServiceAccount(saCfg, rest.ImpersonationConfig{UserName: "system:node:n1"}).
				Create(c.ctx, p.DeepCopy(), client.DryRunAll),
		}
		for what, err := range refused {
			if !apierrors.IsForbidden(err) {
				t.Errorf("the portal could %s: %v", what, err)
			} else {
				t.Logf("refused to %s: %v", what, err)
			}
		}
	})

	t.Run("people act through the portal", func(t *testing.T) {
		c.actThroughThePortal(t, saCfg)
	})

	t.Run("people follow through the portal", func(t *testing.T) {
		c.followThroughThePortal(t, saCfg)
	})
}

// followThroughThePortal: the grant on Follows is only the person's own
// (admission binds the subscriber to the impersonated user; no list, no
// update, nothing as the ServiceAccount itself); through the portal bob,
// bound to skillmatrix-follower, follows a Role, changes to a daily digest
// and unfollows, while erin, bound to nothing, is refused in words and
// nothing is written.
func (c *envCluster) followThroughThePortal(t *testing.T, saCfg *rest.Config) {
	const role = "mlops-engineer"
	c.create(&rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "bob-follower", Namespace: testNS},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "skillmatrix-follower"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "bob"}}})
	bobName := notify.FollowName(role, "bob")

	// Past the portal: impersonating bob, the ServiceAccount still cannot
	// make a Follow for anyone else, list or replace Follows; by itself it
	// cannot read one.
	bob := c.asServiceAccount(saCfg, rest.ImpersonationConfig{UserName: "bob", Groups: []string{"engineers"}})
	forAlice := notify.NewFollow(testNS, role, "alice", notify.FollowOptions{Email: "alice@example.com"})
	forAlice.Name = bobName
	c.eventually("admission refuses bob's Follow for alice", func() bool {
		err := bob.Create(c.ctx, forAlice.DeepCopy(), client.DryRunAll)
		return apierrors.IsForbidden(err) && strings.Contains(err.Error(), "may follow only as themselves")
	})
	if err := bob.Create(c.ctx, notify.NewFollow(testNS, role, "bob", notify.FollowOptions{}), client.DryRunAll); err != nil {
		t.Errorf("as bob, the portal cannot create his Follow: %v", err)
	}
	if err := bob.Get(c.ctx, client.ObjectKey{Namespace: testNS, Name: bobName}, &v1.Follow{}); !apierrors.IsNotFound(err) {
		t.Errorf("as bob, the portal cannot read his Follow by its name: %v", err)
	}
	for what, err := range map[string]error{
		"list Follows as bob": bob.List(c.ctx, &v1.FollowList{}, client.InNamespace(testNS)),
		"update (replace) a Follow as bob": bob.Update(c.ctx, &v1.Follow{ObjectMeta: metav1.ObjectMeta{Name: bobName,
			Namespace: testNS, ResourceVersion: "1"}, Spec: v1.FollowSpec{Subscriber: "bob", RoleRef: role}}),
		"get a Follow as itself": c.asServiceAccount(saCfg, rest.ImpersonationConfig{}).
			Get(c.ctx, client.ObjectKey{Namespace: testNS, Name: bobName}, &v1.Follow{}),
	} {
		if !apierrors.IsForbidden(err) {
			t.Errorf("the portal could %s: %v", what, err)
		}
	}

	people := c.signedInPortal(t, saCfg)
	page := followURL(testNS, role)
	follow := func() (*v1.Follow, error) {
		var f v1.Follow
		err := c.admin.Get(c.ctx, client.ObjectKey{Namespace: testNS, Name: bobName}, &f)
		return &f, err
	}

	// bob follows, instantly; the form's subscriber and email are not whom
	// and where.
	r := people["bob"].do(http.MethodGet, page, nil)
	if !strings.Contains(r.body, `class="card follow-form"`) || strings.Contains(r.body, "unfollow-form") ||
		strings.Contains(r.body, "may-not") {
		t.Fatalf("bob's follow page:\n%s", r.body)
	}
	token := tokenField.FindStringSubmatch(r.body)[1]
	r = people["bob"].do(http.MethodPost, page, url.Values{"token": {token}, "delivery": {"instant"}, "tz": {"UTC"},
		"subscriber": {"alice"}, "email": {"alice@example.com"}})
	if r.code != http.StatusSeeOther {
		t.Fatalf("bob follows: %d\n%s", r.code, r.body)
	}
	f, err := follow()
	if err != nil || f.Spec.Subscriber != "bob" || f.Spec.RoleRef != role || f.Spec.Email != "bob@example.com" ||
		f.Spec.Delivery == nil || f.Spec.Delivery.Mode != v1.DeliveryInstant || f.Spec.Locale != "en" {
		t.Fatalf("bob's Follow: %v %+v", err, f.Spec)
	}
	if page := people["bob"].do(http.MethodGet, r.header.Get("Location"), nil).body; !strings.Contains(page, "You now follow this role") ||
		!strings.Contains(page, "an email as each thing happens") || !strings.Contains(page, "unfollow-form") {
		t.Errorf("the page after following:\n%s", page)
	}

	// He changes to a daily digest at 07:00 in Shanghai, in Chinese.
	r = people["bob"].do(http.MethodPost, page, url.Values{"token": {token}, "delivery": {"digest"}, "hour": {"7"},
		"tz": {"Asia/Shanghai"}, "locale": {"zh-CN"}})
	if r.code != http.StatusSeeOther {
		t.Fatalf("bob changes to a digest: %d\n%s", r.code, r.body)
	}
	if f, err = follow(); err != nil || f.Spec.Subscriber != "bob" || f.Spec.Delivery == nil ||
		f.Spec.Delivery.Mode != v1.DeliveryDigest || f.Spec.Delivery.Hour == nil || *f.Spec.Delivery.Hour != 7 ||
		f.Spec.Delivery.TimeZone != "Asia/Shanghai" || f.Spec.Locale != "zh-CN" || f.Spec.Email != "bob@example.com" {
		t.Fatalf("bob's Follow after the change: %v %+v %+v", err, f.Spec, f.Spec.Delivery)
	}
	if page := people["bob"].do(http.MethodGet, page, nil).body; !strings.Contains(page, "a daily digest at 07:00 (Asia/Shanghai)") {
		t.Errorf("the page after the change:\n%s", page)
	}

	// He unfollows: gone.
	r = people["bob"].do(http.MethodPost, unfollowURL(testNS, role), url.Values{"token": {token}})
	if r.code != http.StatusSeeOther {
		t.Fatalf("bob unfollows: %d\n%s", r.code, r.body)
	}
	c.eventually("bob's Follow is gone", func() bool { _, err := follow(); return apierrors.IsNotFound(err) })

	// erin, bound to nothing: the page says she may not, the API server
	// refuses, in words, and nothing is written.
	r = people["erin"].do(http.MethodGet, page, nil)
	if !strings.Contains(r.body, "You may not follow roles here") {
		t.Errorf("erin's follow page does not say she may not follow:\n%s", r.body)
	}
	etoken := tokenField.FindStringSubmatch(r.body)[1]
	r = people["erin"].do(http.MethodPost, page, url.Values{"token": {etoken}, "delivery": {"instant"}})
	if r.code != http.StatusForbidden || !strings.Contains(r.body, "You may not follow roles here") ||
		!strings.Contains(r.body, "Nothing was changed.") {
		t.Errorf("erin follows: %d\n%s", r.code, r.body)
	}
	people["erin"].header.Set("Accept-Language", "zh-CN")
	r = people["erin"].do(http.MethodPost, page, url.Values{"token": {etoken}, "delivery": {"instant"}})
	if r.code != http.StatusForbidden || !strings.Contains(r.body, "skillmatrix-follower 角色") {
		t.Errorf("erin follows, in Chinese: %d\n%s", r.code, r.body)
	}
	var all v1.FollowList
	if err := c.admin.List(c.ctx, &all, client.InNamespace(testNS)); err != nil {
		t.Fatal(err)
	}
	if len(all.Items) != 0 {
		t.Errorf("Follows left: %+v", all.Items)
	}
}

// signedInPortal runs a portal with sign-in as the ServiceAccount of
// saCfg, against a test issuer of envtestPeople, and returns a browser per
// person, each with a fresh token.
func (c *envCluster) signedInPortal(t *testing.T, saCfg *rest.Config) map[string]*visitor {
	iss, err := oidcissuer.Start("127.0.0.1:0", oidcissuer.Options{Users: envtestPeople, ClientID: "portal"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = iss.Close() })
	issuer, err := LegacyIssuer(iss.URL(), "portal", "preferred_username", "-", "groups", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := ctrl.NewManager(saCfg, ctrl.Options{Scheme: c.admin.Scheme(), Cache: CacheOptions(nil),
		Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0"})
	if err != nil {
		t.Fatal(err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var s *Server
	c.run(mgr, func(ctx context.Context) error {
		var err error
		s, err = Setup(ctx, mgr, listener, Options{Auth: &AuthOptions{Issuers: []Issuer{issuer},
			SessionKey: []byte(strings.Repeat("e", 32))}})
		return err
	})
	// The session cookie is Secure: talk to the portal over TLS.
	srv := httptest.NewTLSServer(s)
	t.Cleanup(srv.Close)
	e := &authEnv{t: t, iss: iss, srv: srv, portal: s}
	c.base = "http://" + listener.Addr().String()
	c.eventually("the portal is ready", func() bool { return s.synced.Load() })
	c.waitRolePublished()

	people := map[string]*visitor{}
	for _, u := range envtestPeople {
		tok, err := iss.Mint(u, oidcissuer.MintOptions{Expiry: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		people[u.Name] = e.browser(tok)
	}
	return people
}

func (c *envCluster) actThroughThePortal(t *testing.T, saCfg *rest.Config) {
	people := c.signedInPortal(t, saCfg)

	// erin may not propose: the page says so, and the API server refuses.
	const form = "/ns/career/roles/mlops-engineer/propose?skill=kubernetes-core&level=senior"
	if page := people["erin"].do(http.MethodGet, form, nil).body; !strings.Contains(page, "You may not propose changes here") {
		t.Errorf("erin's propose page does not say she may not:\n%s", page)
	}

	// alice proposes by picking the cell.
	page := people["alice"].do(http.MethodGet, form, nil)
	if !strings.Contains(page.body, `class="propose-form"`) {
		t.Fatalf("alice gets no propose form:\n%s", page.body)
	}
	token := tokenField.FindStringSubmatch(page.body)[1]
	r := people["alice"].do(http.MethodPost, "/ns/career/roles/mlops-engineer/propose", url.Values{"token": {token},
		"kind": {"cell"}, "skill": {"kubernetes-core"}, "level": {"senior"}, "from_proficiency": {"A"}, "from_required": {"true"},
		"proficiency": {"V"}, "required": {"true"}, "description": {hostile}})
	if r.code != http.StatusSeeOther {
		t.Fatalf("alice proposes: %d\n%s", r.code, r.body)
	}
	proposalPath := strings.TrimSuffix(r.header.Get("Location"), "?done=proposed")
	name := proposalPath[strings.LastIndex(proposalPath, "/")+1:]
	var p v1.Proposal
	if err := c.admin.Get(c.ctx, types.NamespacedName{Namespace: testNS, Name: name}, &p); err != nil {
		t.Fatal(err)
	}
	if p.Spec.Author != "alice" || p.Spec.Description != hostile || p.Spec.Changes[0].From == nil {
		t.Errorf("the Proposal: %+v", p.Spec)
	}
	if page := people["alice"].do(http.MethodGet, r.header.Get("Location"), nil).body; !strings.Contains(page, "Your proposal was created") ||
		!strings.Contains(page, "Kubernetes Core at Senior") {
		t.Errorf("the page after proposing:\n%s", page)
	}

	// erin, bound to nothing, is told she may not vote; she votes anyway:
	// refused in words, nothing written.
	if page := people["erin"].do(http.MethodGet, proposalPath, nil).body; !strings.Contains(page, "You may not vote on this proposal") {
		t.Error("erin's proposal page does not tell her she may not vote")
	}
	erinPropose := people["erin"].formToken(form)
	r = people["erin"].do(http.MethodPost, "/ns/career/roles/mlops-engineer/propose", url.Values{"token": {erinPropose},
		"kind": {"cell"}, "skill": {"docker"}, "level": {"senior"}, "from_proficiency": {"A"}, "from_required": {"true"},
		"proficiency": {"V"}})
	if r.code != http.StatusForbidden || !strings.Contains(r.body, "You may not propose changes here") {
		t.Errorf("erin proposes: %d\n%s", r.code, r.body)
	}
	erinToken := people["erin"].formToken(proposalPath)
	r = people["erin"].do(http.MethodPost, proposalPath+"/vote", url.Values{"token": {erinToken}, "decision": {"approve"}})
	if r.code != http.StatusForbidden || !strings.Contains(r.body, "You may not vote on this proposal") {
		t.Errorf("erin's vote: %d\n%s", r.code, r.body)
	}
	// bob is no expert: no review form; carol is.
	if page := people["bob"].do(http.MethodGet, proposalPath, nil).body; strings.Contains(page, "review-form") || !strings.Contains(page, "vote-form") {
		t.Error("bob is offered a review form, or no vote form")
	}
	if page := people["carol"].do(http.MethodGet, proposalPath, nil).body; !strings.Contains(page, "review-form") {
		t.Error("carol is not offered a review form")
	}
	// carol casts her vote under the name bob's would have (a name can be
	// taken first); bob first rejects, then changes his mind, under a name
	// of his own; dave approves, withdraws and approves again: each keeps
	// one Ballot of his own.
	squat := &v1.Ballot{ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: v1.BallotName(name, v1.BallotKindVote, "bob")},
		Spec: v1.BallotSpec{ProposalRef: v1.ObjectName(name), RoleRef: p.Spec.RoleRef, Kind: v1.BallotKindVote, Voter: "carol",
			Decision: v1.BallotApprove, Groups: []string{"system:authenticated"}, ProposalGeneration: p.Generation}}
	if err := userClient(c, "carol").Create(c.ctx, squat); err != nil {
		t.Fatalf("carol takes bob's name: %v", err)
	}
	tok := people["bob"].formToken(proposalPath)
	if r := people["bob"].do(http.MethodPost, proposalPath+"/vote", url.Values{"token": {tok}, "decision": {"reject"},
		"comment": {"not yet"}}); r.code != http.StatusSeeOther {
		t.Fatalf("bob rejects: %d\n%s", r.code, r.body)
	}
	tok = people["dave"].formToken(proposalPath)
	for _, d := range []string{"approve", "withdraw"} {
		if r := people["dave"].do(http.MethodPost, proposalPath+"/vote", url.Values{"token": {tok}, "decision": {d}}); r.code != http.StatusSeeOther {
			t.Fatalf("dave's %s: %d\n%s", d, r.code, r.body)
		}
	}
	if got := c.ballotsOf(name, "dave"); len(got) != 0 {
		t.Errorf("dave withdrew his vote, yet has %d Ballots", len(got))
	}
	for _, who := range []string{"bob", "dave"} {
		tok := people[who].formToken(proposalPath)
		r := people[who].do(http.MethodPost, proposalPath+"/vote", url.Values{"token": {tok}, "decision": {"approve"},
			"comment": {who + " " + hostile}})
		if r.code != http.StatusSeeOther {
			t.Fatalf("%s votes: %d\n%s", who, r.code, r.body)
		}
		if page := people[who].do(http.MethodGet, r.header.Get("Location"), nil).body; !strings.Contains(page, "<strong>"+who+"</strong> approves") {
			t.Errorf("%s's vote is not on the page the portal sends them to", who)
		}
	}
	tok = people["carol"].formToken(proposalPath)
	if r := people["carol"].do(http.MethodPost, proposalPath+"/review", url.Values{"token": {tok}, "decision": {"approve"}}); r.code != http.StatusSeeOther {
		t.Fatalf("carol reviews: %d\n%s", r.code, r.body)
	}
	c.eventually("the Proposal is Applied", func() bool {
		err := c.admin.Get(c.ctx, types.NamespacedName{Namespace: testNS, Name: name}, &p)
		return err == nil && p.Status.Phase == v1.PhaseApplied
	})
	if len(p.Spec.Votes)+len(p.Spec.Reviews) != 0 {
		t.Errorf("the portal wrote spec.votes or spec.reviews: %+v %+v", p.Spec.Votes, p.Spec.Reviews)
	}
	if got := c.ballotsOf(name, "erin"); len(got) != 0 {
		t.Errorf("erin's refused vote was written: %+v", got)
	}
	for who, kind := range map[string]v1.BallotKind{"bob": v1.BallotKindVote, "dave": v1.BallotKindVote, "carol": v1.BallotKindReview} {
		got := slices.DeleteFunc(c.ballotsOf(name, who), func(b v1.Ballot) bool { return b.Spec.Kind != kind })
		if len(got) != 1 {
			t.Errorf("%s has %d Ballots of kind %s, want 1", who, len(got), kind)
			continue
		}
		b := got[0]
		named := b.Name == v1.BallotName(name, kind, v1.Username(who))
		if who == "bob" {
			// His name was taken: a name of his own, as the plugin picks.
			named = b.Name != squat.Name && strings.HasPrefix(b.Name, name+".vote.")
		}
		if !named || b.Spec.Kind != kind || b.Spec.Decision != v1.BallotApprove ||
			!slices.Equal(b.Spec.Groups, []string{"engineers", "system:authenticated"}) ||
			b.Spec.ProposalGeneration != p.Generation || len(b.OwnerReferences) != 1 || b.OwnerReferences[0].UID != p.UID ||
			!slices.ContainsFunc(b.ManagedFields, func(m metav1.ManagedFieldsEntry) bool {
				return m.Manager == "kubectl-skillmatrix-"+who
			}) {
			t.Errorf("%s's Ballot: %s %+v %+v", who, b.Name, b.Spec, b.ManagedFields)
		}
	}
	c.eventually("the pages show it Applied, in en and zh-CN", func() bool {
		en := people["bob"].do(http.MethodGet, proposalPath, nil).body
		people["bob"].header.Set("Accept-Language", "zh-CN")
		zh := people["bob"].do(http.MethodGet, proposalPath, nil).body
		people["bob"].header.Del("Accept-Language")
		return strings.Contains(en, "<strong>Applied</strong>") && strings.Contains(zh, "<strong>已应用</strong>")
	})
	// The person's refused writes leave nothing; a write after the decision is refused too.
	r = people["erin"].do(http.MethodPost, proposalPath+"/vote", url.Values{"token": {erinToken}, "decision": {"approve"}})
	if r.code != http.StatusConflict || !strings.Contains(r.body, "This proposal is decided") {
		t.Errorf("a vote on an Applied Proposal: %d", r.code)
	}
}

// ballotsOf are voter's Ballots on the Proposal, as the API server holds them.
func (c *envCluster) ballotsOf(proposal, voter string) []v1.Ballot {
	c.t.Helper()
	var list v1.BallotList
	if err := c.admin.List(c.ctx, &list, client.InNamespace(testNS)); err != nil {
		c.t.Fatal(err)
	}
	return slices.DeleteFunc(list.Items, func(b v1.Ballot) bool {
		return string(b.Spec.ProposalRef) != proposal || string(b.Spec.Voter) != voter
	})
}
