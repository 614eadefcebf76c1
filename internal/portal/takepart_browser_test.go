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
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/mmcdole/gofeed"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/hack/oidcissuer"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/notify"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/browser"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/oauth2proxy"
)

// axeSource is axe-core's axe.min.js, pinned and installed by
// hack/axe-core.sh (npm) into a cache outside the clone.
func axeSource(t *testing.T) string {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(filepath.Join(repoRoot, "hack", "axe-core.sh"))
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("hack/axe-core.sh: %v\n%s", err, stderr.String())
		}
		t.Skipf("no axe-core (hack/axe-core.sh: %v)", err)
	}
	src, err := os.ReadFile(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	return string(src)
}

// Viewports every page kind is checked and photographed at.
var viewports = []struct {
	name          string
	width, height int64
	phone         bool
}{{"desktop", 1366, 900, false}, {"phone", 390, 844, true}}

// pageCheck looks at the page the context shows, at both viewports: no
// horizontal scrolling on the phone, no serious or critical violation of
// axe-core, nothing the page must never do; and photographs it into
// bin/portal/<name>-<viewport>.png.
type pageCheck struct {
	t   *testing.T
	axe string
}

type axeViolation struct {
	ID, Impact, Help string
	Nodes            []string
}

func (pc *pageCheck) check(ctx context.Context, name string) {
	t := pc.t
	t.Helper()
	for _, vp := range viewports {
		opts := []chromedp.EmulateViewportOption{}
		if vp.phone {
			opts = append(opts, chromedp.EmulateMobile)
		}
		// No reload: some pages answer a form (POST); the layout follows the
		// viewport by itself.
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height, opts...), chromedp.Sleep(300*time.Millisecond),
			chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
			t.Fatalf("%s at %s: %v", name, vp.name, err)
		}
		type widths struct{ Scroll, Client int }
		w, err := chromedp.Run(ctx, chromedp.Evaluate[widths](`({Scroll: document.documentElement.scrollWidth,
			Client: document.documentElement.clientWidth})`))
		if err != nil {
			t.Fatal(err)
		}
		if w.Scroll > w.Client {
			t.Errorf("%s at %s scrolls sideways: scrollWidth %d > clientWidth %d", name, vp.name, w.Scroll, w.Client)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](pc.axe)); err != nil {
			t.Fatalf("loading axe-core into %s: %v", name, err)
		}
		violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
			r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({ID: v.id, Impact: v.impact,
			Help: v.help, Nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " " + (n.failureSummary || "").split("\n").join(" "))})))`,
			func(p *cdpruntime.EvaluateParams) { p.AwaitPromise = new(true) }))
		if err != nil {
			t.Fatalf("axe-core on %s: %v", name, err)
		}
		for _, v := range violations {
			t.Errorf("axe-core, %s at %s: %s (%s): %s\n  %s", name, vp.name, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n  "))
		}
		shot(t, ctx, name+"-"+vp.name+".png", chromedp.FullScreenshot(100))
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900)); err != nil {
		t.Fatal(err)
	}
}

// takePart is the cluster, the portal behind oauth2-proxy, and Chromium.
type takePart struct {
	t        *testing.T
	c        *envCluster
	proxyURL string
	portal   string // the portal's own address, without the proxy
	iss      *oidcissuer.Issuer
	browser  context.Context
	pages    *pageCheck
	problems []*problems
}

// person opens a browser context of its own (its own cookies) and signs
// name in through oauth2-proxy and the issuer's sign-in page.
func (tp *takePart) person(name string) context.Context {
	t := tp.t
	t.Helper()
	ctx, cancel := chromedp.NewContext(tp.browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	tp.problems = append(tp.problems, watchProblems(ctx, true))
	if err := chromedp.Do(ctx, chromedp.Navigate(tp.proxyURL+"/"),
		// oauth2-proxy's own page: nobody passes it without signing in.
		chromedp.Click(chromedp.CSS(`form[action="/oauth2/start"] button`)),
		// The issuer's page lists the people; pick one.
		chromedp.Click(chromedp.CSS("#user-"+name)),
		chromedp.WaitVisible(chromedp.CSS("header.top .me"))); err != nil {
		t.Fatalf("%s signs in: %v", name, err)
	}
	me, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("header.top .me")))
	if err != nil || !strings.Contains(me, strings.ToUpper(name[:1])+name[1:]) {
		t.Fatalf("%s is signed in as %q (%v)", name, me, err)
	}
	return ctx
}

// clickThrough clicks sel and waits until wait is visible on the page it
// leads to; it returns that page's HTTP status.
func clickThrough(t *testing.T, ctx context.Context, sel, wait string) int64 {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("clicking %s: %v", sel, err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(wait))); err != nil {
		t.Fatalf("after clicking %s, waiting for %s: %v", sel, wait, err)
	}
	return resp.Status
}

// TestBrowserTakePart is issue 28 in Debian's Chromium through the real
// oauth2-proxy, against an API server with the shipped admission policies
// and the operator: alice signs in and proposes by clicking a cell; bob and
// dave vote and carol reviews, each in a browser context of their own; the
// Proposal reaches Applied and the pages show it in en and zh-CN; erin,
// without RBAC, is refused in words and nothing is written; a cross-origin
// form and a form replayed from another session are refused; hostile text
// typed into the forms comes back as text on every page and feed; every
// page kind is photographed at 1366x900 and 390x844, scrolls no sideways on
// the phone, and axe-core finds no serious or critical violation; carol
// follows the Role by email with a click and unfollows.
func TestBrowserTakePart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an API server, oauth2-proxy and Chromium")
	}
	proxyBin := oauth2proxy.Binary(t, repoRoot)
	tp := &takePart{t: t, pages: &pageCheck{t: t, axe: axeSource(t)}}
	tp.browser = browser.Start(t)
	// The browser starts with its first action; contexts of their own need it.
	if err := chromedp.Do(tp.browser, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	c := startCluster(t)
	tp.c = c
	c.installPortalRBAC()
	c.installImpersonatorRBAC()
	c.startOperator()
	c.applySamples()
	tp.start(proxyBin)

	alice := tp.person("alice")
	name := tp.propose(alice)
	proposal := "/ns/career/proposals/" + name
	bob := tp.person("bob")
	tp.vote(bob, proposal, "approve", "bob: "+hostile)
	tp.attacks(bob, proposal)
	erin := tp.person("erin")
	tp.refused(erin, proposal)
	dave := tp.person("dave")
	tp.vote(dave, proposal, "approve", "")
	carol := tp.person("carol")
	tp.review(carol, proposal)
	tp.applied(carol, proposal, name)
	tp.hostileEverywhere(carol, proposal)
	tp.follow(carol)
	tp.everyPageKind(carol, alice, proposal)
	tp.unfollow(carol)
	tp.phoneCalculator(carol)
	tp.signInAgain(proposal)
	for _, p := range tp.problems {
		if list := p.snapshot(); len(list) > 0 {
			t.Errorf("the pages did what they must not:\n%s", strings.Join(list, "\n"))
		}
	}
}

func (tp *takePart) start(proxyBin string) {
	t, c := tp.t, tp.c
	proxyAddr := oauth2proxy.FreeAddr(t)
	iss, err := oidcissuer.Start("127.0.0.1:0", oidcissuer.Options{Users: envtestPeople, ClientID: "portal",
		ClientSecret: "portal-secret", RedirectURIs: []string{"http://" + proxyAddr + "/oauth2/callback"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = iss.Close() })
	tp.iss = iss
	issuer, err := LegacyIssuer(iss.URL(), "portal", "preferred_username", "-", "groups", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := ctrl.NewManager(c.serviceAccountConfig(), ctrl.Options{Scheme: c.admin.Scheme(), Cache: CacheOptions(nil),
		Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0"})
	if err != nil {
		t.Fatal(err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tp.portal = "http://" + listener.Addr().String()
	var s *Server
	c.run(mgr, func(ctx context.Context) error {
		s, err = Setup(ctx, mgr, listener, Options{PublicURL: "http://" + proxyAddr, Auth: &AuthOptions{
			Issuers: []Issuer{issuer}, SessionKey: []byte(strings.Repeat("b", 32)),
			SignInURL: "/oauth2/start?rd={rd}", SignOutURL: "/oauth2/sign_out?rd=/"}})
		return err
	})
	c.base = tp.portal
	c.eventually("the portal is ready", func() bool { return s.synced.Load() })
	c.waitRolePublished()
	tp.proxyURL = oauth2proxy.Start(t, proxyBin, oauth2proxy.Options{Issuer: iss.URL(), ClientID: "portal",
		ClientSecret: "portal-secret", Upstream: tp.portal, Addr: proxyAddr})
}

// propose: alice goes from the start page to the Role, to "Propose a
// change", picks the cell Kubernetes Core at Senior, chooses Advanced and
// sends it with a hostile title and description.
func (tp *takePart) propose(alice context.Context) string {
	t := tp.t
	clickThrough(t, alice, `a.role-link[href="/ns/career/roles/mlops-engineer/"]`, "a.propose-link")
	clickThrough(t, alice, "a.propose-link", "table.pick")
	clickThrough(t, alice, `a[href="/ns/career/roles/mlops-engineer/propose?level=senior&skill=kubernetes-core#form"]`, "form.propose-form")
	if err := chromedp.Do(alice, chromedp.Click(chromedp.CSS(`form.propose-form input[name=proficiency][value=V]`)),
		chromedp.SetValue(chromedp.CSS("#title"), hostile), chromedp.SetValue(chromedp.CSS("#description"), hostile)); err != nil {
		t.Fatal(err)
	}
	if code := clickThrough(t, alice, `form.propose-form button[type=submit]`, "p.flash"); code != http.StatusOK {
		t.Fatalf("alice's proposal: %d", code)
	}
	loc, err := chromedp.Run(alice, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimSuffix(strings.TrimPrefix(loc, tp.proxyURL), "?done=proposed")
	title, err := chromedp.Run(alice, chromedp.TextContent(chromedp.CSS("h1")))
	if err != nil || title != hostile {
		t.Errorf("the new Proposal's heading is %q (%v), want the hostile title as text", title, err)
	}
	change, err := chromedp.Run(alice, chromedp.TextContent(chromedp.CSS("ul.changes li")))
	if err != nil || change != "Kubernetes Core at Senior: Awareness → Advanced" {
		t.Errorf("the change reads %q (%v)", change, err)
	}
	return path[strings.LastIndex(path, "/")+1:]
}

func (tp *takePart) vote(ctx context.Context, proposal, decision, comment string) {
	t := tp.t
	steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(tp.proxyURL + proposal), chromedp.WaitVisible(chromedp.CSS("form.vote-form")),
		chromedp.Click(chromedp.CSS(`form.vote-form input[name=decision][value=` + decision + `]`))}
	if comment != "" {
		steps = append(steps, chromedp.SetValue(chromedp.CSS("#vote-comment"), comment))
	}
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
	if code := clickThrough(t, ctx, `form.vote-form button[type=submit]`, "p.flash"); code != http.StatusOK {
		t.Fatalf("a vote: %d", code)
	}
}

func (tp *takePart) review(carol context.Context, proposal string) {
	t := tp.t
	if err := chromedp.Do(carol, chromedp.Navigate(tp.proxyURL+proposal), chromedp.WaitVisible(chromedp.CSS("form.review-form")),
		chromedp.Click(chromedp.CSS(`form.review-form input[name=decision][value=approve]`)),
		chromedp.SetValue(chromedp.CSS("#review-comment"), "carol: "+hostile)); err != nil {
		t.Fatal(err)
	}
	if code := clickThrough(t, carol, `form.review-form button[type=submit]`, "p.flash"); code != http.StatusOK {
		t.Fatalf("carol's review: %d", code)
	}
}

// votes is every vote and review cast on the Proposal, as stored: its
// Ballots (voter, kind, decision, resourceVersion) and any legacy entry.
func (tp *takePart) votes(proposal string) []string {
	name := proposal[strings.LastIndex(proposal, "/")+1:]
	var p v1.Proposal
	if err := tp.c.admin.Get(tp.c.ctx, types.NamespacedName{Namespace: testNS, Name: name}, &p); err != nil {
		tp.t.Fatal(err)
	}
	var ballots v1.BallotList
	if err := tp.c.admin.List(tp.c.ctx, &ballots, client.InNamespace(testNS)); err != nil {
		tp.t.Fatal(err)
	}
	var out []string
	for _, b := range ballots.Items {
		if string(b.Spec.ProposalRef) == name {
			out = append(out, fmt.Sprintf("%s %s=%s@%s", b.Spec.Kind, b.Spec.Voter, b.Spec.Decision, b.ResourceVersion))
		}
	}
	for _, v := range p.Spec.Votes {
		out = append(out, "legacy "+string(v.Voter)+"="+string(v.Decision))
	}
	for _, r := range p.Spec.Reviews {
		out = append(out, "legacy review "+string(r.Reviewer)+"="+string(r.Decision))
	}
	slices.Sort(out)
	return out
}

// follow: carol, bound to skillmatrix-follower, clicks the Role's Follow
// button and follows it by email with a daily digest at 07:00 in
// Asia/Shanghai; her Follow is hers, with her token's address.
func (tp *takePart) follow(carol context.Context) {
	t, c := tp.t, tp.c
	c.create(&rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "carol-follower", Namespace: testNS},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "skillmatrix-follower"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "carol"}}})
	if err := chromedp.Do(carol, chromedp.Navigate(tp.proxyURL+"/ns/career/roles/mlops-engineer/"),
		chromedp.WaitVisible(chromedp.CSS("a.follow-link"))); err != nil {
		t.Fatal(err)
	}
	clickThrough(t, carol, "a.follow-link", "form.follow-form")
	if err := chromedp.Do(carol, chromedp.Click(chromedp.CSS(`form.follow-form input[name=delivery][value=digest]`)),
		chromedp.SetValue(chromedp.CSS("#follow-hour"), "7"), chromedp.SetValue(chromedp.CSS("#follow-tz"), "Asia/Shanghai")); err != nil {
		t.Fatal(err)
	}
	if code := clickThrough(t, carol, `form.follow-form button[type=submit]`, "p.flash"); code != http.StatusOK {
		t.Fatalf("carol follows: %d", code)
	}
	var f v1.Follow
	if err := c.admin.Get(c.ctx, client.ObjectKey{Namespace: testNS, Name: notify.FollowName("mlops-engineer", "carol")}, &f); err != nil {
		t.Fatal(err)
	}
	if f.Spec.Subscriber != "carol" || f.Spec.Email != "carol@example.com" || f.Spec.Delivery == nil ||
		f.Spec.Delivery.Mode != v1.DeliveryDigest || f.Spec.Delivery.Hour == nil || *f.Spec.Delivery.Hour != 7 ||
		f.Spec.Delivery.TimeZone != "Asia/Shanghai" {
		t.Errorf("carol's Follow: %+v %+v", f.Spec, f.Spec.Delivery)
	}
}

// unfollow: carol unfollows with the button; her Follow is gone.
func (tp *takePart) unfollow(carol context.Context) {
	t, c := tp.t, tp.c
	if err := chromedp.Do(carol, chromedp.Navigate(tp.proxyURL+"/ns/career/roles/mlops-engineer/follow"),
		chromedp.WaitVisible(chromedp.CSS("form.unfollow-form"))); err != nil {
		t.Fatal(err)
	}
	if code := clickThrough(t, carol, `form.unfollow-form button[type=submit]`, "p.flash"); code != http.StatusOK {
		t.Fatalf("carol unfollows: %d", code)
	}
	c.eventually("carol's Follow is gone", func() bool {
		err := c.admin.Get(c.ctx, client.ObjectKey{Namespace: testNS, Name: notify.FollowName("mlops-engineer", "carol")}, &v1.Follow{})
		return apierrors.IsNotFound(err)
	})
}

// attacks: a form another site makes bob's browser send, and bob's form
// replayed in another session, are refused, and nothing is written.
func (tp *takePart) attacks(bob context.Context, proposal string) {
	t := tp.t
	before := tp.votes(proposal)
	token, err := chromedp.Run(bob, chromedp.Evaluate[string](`document.querySelector("form.vote-form input[name=token]").value`))
	if err != nil {
		t.Fatal(err)
	}
	// Another site (localhost is another site than 127.0.0.1) posts a
	// Reject with bob's own form token into bob's signed-in browser.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><title>Win a prize</title><form id="f" method="post" action="%s%s/vote">`+
			`<input name="decision" value="reject"><input name="token" value="%s"><button>Claim</button></form></html>`,
			tp.proxyURL, proposal, token)
	}))
	t.Cleanup(evil.Close)
	evilURL := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)
	if err := chromedp.Do(bob, chromedp.Navigate(evilURL)); err != nil {
		t.Fatal(err)
	}
	resp, err := chromedp.RunResponse(bob, chromedp.Click(chromedp.CSS("#f button")))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := chromedp.Run(bob, chromedp.Evaluate[string](`document.body.textContent`))
	if resp.Status != http.StatusForbidden && resp.Status != http.StatusUnauthorized {
		t.Errorf("a cross-site form: %d\n%s", resp.Status, body)
	}
	t.Logf("a cross-site form: %d, %q", resp.Status, strings.Join(strings.Fields(body), " "))
	shot(t, bob, "refused-cross-site.png", chromedp.FullScreenshot(100))
	// dave's session replays bob's form.
	dave := tp.person("dave")
	if err := chromedp.Do(dave, chromedp.Navigate(tp.proxyURL+proposal), chromedp.WaitVisible(chromedp.CSS("form.vote-form")),
		chromedp.SetValue(chromedp.CSS("form.vote-form input[name=token]"), token),
		chromedp.Click(chromedp.CSS(`form.vote-form input[name=decision][value=reject]`))); err != nil {
		t.Fatal(err)
	}
	if code := clickThrough(t, dave, `form.vote-form button[type=submit]`, "h1"); code != http.StatusForbidden {
		t.Errorf("bob's form replayed in dave's session: %d", code)
	}
	if after := tp.votes(proposal); !slices.Equal(after, before) {
		t.Errorf("refused forms wrote votes: %v, were %v", after, before)
	}
}

// refused: erin, whom no RoleBinding names, is told she may not vote,
// votes anyway, and reads why; nothing is written.
func (tp *takePart) refused(erin context.Context, proposal string) {
	t := tp.t
	before := tp.votes(proposal)
	if err := chromedp.Do(erin, chromedp.Navigate(tp.proxyURL+proposal), chromedp.WaitVisible(chromedp.CSS("p.may-not")),
		chromedp.Click(chromedp.CSS(`form.vote-form input[name=decision][value=approve]`))); err != nil {
		t.Fatal(err)
	}
	if code := clickThrough(t, erin, `form.vote-form button[type=submit]`, "div.refusal"); code != http.StatusForbidden {
		t.Errorf("erin's vote: %d, want 403", code)
	}
	msg, err := chromedp.Run(erin, chromedp.Text(chromedp.CSS("div.refusal")))
	if err != nil || !strings.Contains(msg, "You may not vote on this proposal") || !strings.Contains(msg, "Nothing was changed.") {
		t.Errorf("erin reads %q (%v)", msg, err)
	}
	tp.pages.check(erin, "proposal-refused")
	if after := tp.votes(proposal); !slices.Equal(after, before) {
		t.Errorf("erin's refused vote was written: %v", after)
	}
}

// applied waits for the operator, then reads the Proposal page in English,
// and in Chinese after clicking the language switch.
func (tp *takePart) applied(ctx context.Context, proposal, name string) {
	t := tp.t
	tp.c.eventually("the Proposal is Applied", func() bool {
		var p v1.Proposal
		err := tp.c.admin.Get(tp.c.ctx, types.NamespacedName{Namespace: testNS, Name: name}, &p)
		return err == nil && p.Status.Phase == v1.PhaseApplied
	})
	// What decided it: the Ballots the three wrote as themselves, nothing else.
	stored := tp.votes(proposal)
	got := make([]string, 0, len(stored))
	for _, v := range stored {
		got = append(got, v[:strings.LastIndex(v, "@")])
	}
	if want := []string{"Review carol=Approve", "Vote bob=Approve", "Vote dave=Approve"}; !slices.Equal(got, want) {
		t.Errorf("the Proposal's ballots are %q, want %q", got, want)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(tp.proxyURL+proposal), chromedp.WaitVisible(chromedp.CSS("p.phase strong"))); err != nil {
		t.Fatal(err)
	}
	en, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("p.phase strong")))
	if err != nil || en != "Applied" {
		t.Errorf("the English page says %q (%v)", en, err)
	}
	clickThrough(t, ctx, `ul.langs a[lang="zh-CN"]`, `html[lang="zh-CN"] p.phase strong`)
	zh, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("p.phase strong")))
	if err != nil || zh != "已应用" {
		t.Errorf("the Chinese page says %q (%v)", zh, err)
	}
	tp.pages.check(ctx, "proposal-applied-zh-CN")
	clickThrough(t, ctx, `ul.langs a[lang="en"]`, `html[lang="en"] p.phase strong`)
}

// hostileEverywhere: what people typed comes back as text on every page
// and feed, and nothing of it runs.
func (tp *takePart) hostileEverywhere(ctx context.Context, proposal string) {
	t := tp.t
	for _, path := range []string{proposal, "/ns/career/roles/mlops-engineer/", "/ns/career/roles/mlops-engineer/matrix.html",
		"/ns/career/roles/mlops-engineer/matrix.zh-CN.html", "/"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(tp.proxyURL+path), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
			t.Fatal(err)
		}
		type view struct {
			Text                          string
			Scripts, Imgs, JavascriptURLs int
		}
		v, err := chromedp.Run(ctx, chromedp.Evaluate[view](`({Text: document.body.textContent,
			Scripts: [...document.scripts].filter(s => !s.id && s.src === "" && s.textContent.indexOf("alert(") >= 0).length,
			Imgs: document.querySelectorAll("img").length,
			JavascriptURLs: [...document.querySelectorAll("a")].filter(a => a.protocol === "javascript:").length})`))
		if err != nil {
			t.Fatal(err)
		}
		if v.Scripts != 0 || v.Imgs != 0 || v.JavascriptURLs != 0 {
			t.Errorf("%s: hostile text became markup: %+v", path, v)
		}
		if path != "/" && !strings.Contains(v.Text, hostile) {
			t.Errorf("%s does not show the hostile text as text", path)
		}
	}
	for _, feed := range []string{"/ns/career/roles/mlops-engineer/feed.atom", "/ns/career/feed.atom"} {
		body := tp.c.page(feed)
		f, err := gofeed.NewParser().ParseString(body)
		if err != nil {
			t.Fatalf("%s: %v", feed, err)
		}
		found := false
		for _, it := range f.Items {
			found = found || strings.Contains(it.Title, hostile) || strings.Contains(it.Description, hostile)
		}
		if !found || strings.Contains(body, "<script>") {
			t.Errorf("%s: the hostile text is not there as text, or is there as markup", feed)
		}
	}
}

// everyPageKind photographs and checks each kind of page.
func (tp *takePart) everyPageKind(carol, alice context.Context, proposal string) {
	t := tp.t
	for _, p := range []struct{ name, path, wait string }{
		{"root", "/", "h1"},
		{"namespace", "/ns/career/", "svg.paths"},
		{"framework", "/ns/career/matrices/engineering/", "svg.paths"},
		{"role", "/ns/career/roles/mlops-engineer/", "a.matrix-link"},
		{"role-zh-CN", "/ns/career/roles/mlops-engineer/?lang=zh-CN", "a.matrix-link"},
		{"propose", "/ns/career/roles/mlops-engineer/propose", "table.pick"},
		{"propose-form", "/ns/career/roles/mlops-engineer/propose?level=senior&skill=kubernetes-core#form", "form.propose-form"},
		{"propose-focus", "/ns/career/roles/mlops-engineer/propose?level=senior&what=focus#form", "form.propose-form"},
		{"proposal-applied", proposal, "p.phase"},
		{"follow", "/ns/career/roles/mlops-engineer/follow", "#feed-url"},
		{"not-found", "/ns/career/roles/nobody/", "h1"},
		{"matrix", "/ns/career/roles/mlops-engineer/matrix.html", "#calculator"},
		{"matrix-zh-CN", "/ns/career/roles/mlops-engineer/matrix.zh-CN.html", "#calculator"},
	} {
		if err := chromedp.Do(carol, chromedp.Navigate(tp.proxyURL+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait))); err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		tp.pages.check(carol, p.name)
	}
	// An open Proposal with the forms, as another person sees it.
	if err := chromedp.Do(alice, chromedp.Navigate(tp.proxyURL+"/ns/career/roles/mlops-engineer/propose?level=junior&skill=docker#form"),
		chromedp.WaitVisible(chromedp.CSS("form.propose-form")),
		chromedp.Click(chromedp.CSS(`form.propose-form input[name=proficiency][value=W]`))); err != nil {
		t.Fatal(err)
	}
	clickThrough(t, alice, `form.propose-form button[type=submit]`, "p.flash")
	loc, _ := chromedp.Run(alice, chromedp.Location())
	open := strings.TrimSuffix(strings.TrimPrefix(loc, tp.proxyURL), "?done=proposed")
	tp.pages.check(alice, "proposal-open-author")
	if err := chromedp.Do(carol, chromedp.Navigate(tp.proxyURL+open), chromedp.WaitVisible(chromedp.CSS("form.review-form"))); err != nil {
		t.Fatal(err)
	}
	tp.pages.check(carol, "proposal-open")
	// The career paths as an image of their own.
	if err := chromedp.Do(carol, chromedp.Navigate(tp.proxyURL+"/ns/career/matrices/engineering/paths.svg"),
		chromedp.WaitReady(chromedp.CSS("svg"))); err != nil {
		t.Fatal(err)
	}
	shot(t, carol, "paths-svg.png", chromedp.FullScreenshot(100))
}

// phoneCalculator rates on a phone: the level columns stay wide enough to
// tap, the result stays in view, pop-ups close on Escape and outside clicks.
func (tp *takePart) phoneCalculator(ctx context.Context) {
	t := tp.t
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(tp.proxyURL+"/ns/career/roles/mlops-engineer/matrix.html"), chromedp.WaitVisible(chromedp.CSS("#calculator")),
		chromedp.Click(chromedp.CSS(`tr[data-skill="docker"] input[value="1"]`))); err != nil {
		t.Fatal(err)
	}
	type layout struct {
		MinCell, BarTop, BarBottom, Viewport float64
		BarText                              string
		TOC                                  bool
	}
	l, err := chromedp.Run(ctx, chromedp.Evaluate[layout](`(() => {
		const row = document.querySelector('tr[data-skill="docker"]');
		const cells = [...row.querySelectorAll("td:not(.you)")].map(td => td.getBoundingClientRect().width);
		const bar = document.getElementById("calc-bar").getBoundingClientRect();
		return {MinCell: Math.min(...cells), BarTop: bar.top, BarBottom: bar.bottom, Viewport: window.innerHeight,
			BarText: document.getElementById("calc-bar").textContent,
			TOC: !document.getElementById("toc-calc").hidden};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if l.MinCell < 44 {
		t.Errorf("rating squeezes a level column to %.0f px on a phone", l.MinCell)
	}
	if l.BarTop < 0 || l.BarBottom > l.Viewport+1 || !strings.Contains(l.BarText, "%") {
		t.Errorf("the result bar is not in view while rating (%.0f..%.0f of %.0f): %q", l.BarTop, l.BarBottom, l.Viewport, l.BarText)
	}
	if !l.TOC {
		t.Error("the calculator is not in the table of contents")
	}
	shot(t, ctx, "matrix-rating-phone.png", chromedp.CaptureScreenshot())
	// A cell's pop-up: Escape closes it, so does a click elsewhere.
	open := `document.querySelectorAll("td.more details[open], th.more details[open]").length`
	for _, closeIt := range []chromedp.Action[chromedp.Void]{
		chromedp.KeyEvent(kb.Escape),
		chromedp.Click(chromedp.CSS("h1")),
	} {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`tr[data-skill="docker"] td.more summary`))); err != nil {
			t.Fatal(err)
		}
		if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](open)); n != 1 {
			t.Fatalf("a click opens %d pop-ups", n)
		}
		shot(t, ctx, "matrix-popup-phone.png", chromedp.CaptureScreenshot())
		if err := chromedp.Do(ctx, closeIt); err != nil {
			t.Fatal(err)
		}
		if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](open)); n != 0 {
			t.Errorf("a pop-up stays open after Escape or a click elsewhere")
		}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900)); err != nil {
		t.Fatal(err)
	}
}

// signInAgain: an expired token gets the page that says to sign in again
// (401), not an error.
func (tp *takePart) signInAgain(proposal string) {
	t := tp.t
	ctx, cancel := chromedp.NewContext(tp.browser, chromedp.WithNewBrowserContext())
	defer cancel()
	expired, err := tp.iss.Mint(envtestPeople[1], oidcissuer.MintOptions{Expiry: time.Now().Add(-time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Authorization": "Bearer " + expired}}); err != nil {
		t.Fatal(err)
	}
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(tp.portal+proposal))
	if err != nil {
		t.Fatal(err)
	}
	text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if resp.Status != http.StatusUnauthorized || !strings.Contains(text, "Your sign-in has expired") || !strings.Contains(text, "Sign in again") {
		t.Errorf("an expired token: %d %q", resp.Status, text)
	}
	tp.pages.check(ctx, "sign-in-again")
}
