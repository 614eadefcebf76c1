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

package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/hack/bench/internal/plane"
	"github.com/skillmatrix-dev/skillmatrix-operator/hack/internal/managerproc"
	"github.com/skillmatrix-dev/skillmatrix-operator/hack/oidcissuer"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

// portalResult is the read-only portal (cmd/portal) as a process of its own
// against Roles the manager published, loaded by clients on loopback.
type portalResult struct {
	Roles, Clients, Requests int
	// Ready runs from its start until its cache synced (readiness probe).
	Ready time.Duration
	// FirstPass is one load of every Role's matrix.html, each rendered on
	// first use.
	FirstPass time.Duration
	Routes    []portalRoute
	// SyncedRSS is VmRSS once the cache synced, PeakRSS VmHWM at the end.
	PeakRSS, SyncedRSS float64
	// Env is its environment: the soft limit it sets itself in a Pod.
	Env []string
	// Votes compares a vote through the portal and with the plugin.
	Votes *voteComparison `json:",omitempty"`
}

type portalRoute struct {
	Name, Path    string
	P50, P95, P99 time.Duration
	PerSecond     float64
	Errors        int
}

const (
	benchVoterGroup = "bench-voters"
	benchAuthor     = "bench-author"
	benchClientID   = "bench-portal"
)

func (b *bench) portal(ctx context.Context, v variant) *portalResult {
	c := b.cfg
	res := &portalResult{Roles: c.portalRoles, Clients: c.portalClients, Requests: c.portalRequests}
	st := b.setUp(ctx, stageSpec{namespace: benchNamespace, roles: c.portalRoles})
	// The portal is measured alone: the manager has published everything.
	check(b.startManager(ctx, st, v, "portal").stop())
	bin := filepath.Join(b.work, "portal")
	goBuild(ctx, b.root, bin, "./cmd/portal")
	_, soft, err := plane.SoftLimit(b.root, "portal")
	check(err)
	res.Env = []string{fmt.Sprintf("GOMEMLIMIT=%d", soft)}
	// The portal runs as a user with config/portal's RBAC, with sign-in.
	kubeconfig := b.portalIdentity(ctx, st)
	iss, signIn := b.startIssuer(max(c.portalVotes, 1))
	addrs := freeAddresses(2)
	started := time.Now()
	p := must(managerproc.Start(managerproc.Config{Bin: bin, Args: append([]string{"--bind-address=" + addrs[0]},
		signIn...), Kubeconfig: kubeconfig, MetricsAddr: "0", ProbeAddr: addrs[1], Env: res.Env,
		LogPath: filepath.Join(b.logDir, "portal.log")}))
	b.cleanup(func() { _ = p.Stop(10 * time.Second) })
	check(p.WaitReady(ctx, c.timeout))
	res.Ready = time.Since(started)
	res.SyncedRSS, _ = plane.Memory(p.Pid())

	base := "http://" + addrs[0] + "/ns/" + st.ns + "/roles/"
	names := make([]string, 0, len(st.roles))
	for _, r := range st.roles {
		names = append(names, r.Name)
	}
	started = time.Now()
	if _, errs := load(ctx, base+"%s/matrix.html", names, len(names), c.portalClients); errs > 0 {
		check(fmt.Errorf("the first pass over every matrix.html failed %d times%s", errs, p.Tail(20)))
	}
	res.FirstPass = time.Since(started)
	for _, route := range []struct{ name, path string }{{"Role page", "%s/"}, {"matrix.html", "%s/matrix.html"}} {
		started := time.Now()
		lat, errs := load(ctx, base+route.path, names, c.portalRequests, c.portalClients)
		elapsed, q := time.Since(started), quantilesOf(lat)
		res.Routes = append(res.Routes, portalRoute{Name: route.name,
			Path: "/ns/" + st.ns + "/roles/" + fmt.Sprintf(route.path, "ROLE"), P50: q.P50, P95: q.P95, P99: q.P99,
			PerSecond: float64(len(lat)) / elapsed.Seconds(), Errors: errs})
		logln("  portal %s: p50 %s, p95 %s, %d errors", route.name, q.P50, q.P95, errs)
	}
	if c.portalVotes > 0 {
		// A vote comparison that fails shows the portal's log.
		b.cleanup(func() {
			if res.Votes == nil {
				logln("  votes failed:%s", p.Tail(20))
			}
		})
		res.Votes = b.compareVotes(ctx, st, iss, "http://"+addrs[0], c.portalVotes)
		logln("  vote p95: portal %s, plugin %s, ratio %.2f", res.Votes.PortalP95, res.Votes.PluginP95, res.Votes.Ratio)
	}
	_, res.PeakRSS = plane.Memory(p.Pid())
	return res
}

// load sends requests GETs of pattern over the Roles in turn from clients
// goroutines, accepting gzip as a browser does, and returns the latencies
// and the number of failures.
func load(ctx context.Context, pattern string, roles []string, requests, clients int) ([]time.Duration, int) {
	transport := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer transport.CloseIdleConnections()
	httpClient := &http.Client{Transport: transport}
	var next, errs atomic.Int64
	lat := make([]time.Duration, 0, requests)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < requests && ctx.Err() == nil; i = int(next.Add(1)) - 1 {
				t := time.Now()
				address := fmt.Sprintf(pattern, roles[i%len(roles)])
				if err := fetch(ctx, httpClient, address, "gzip", time.Minute, io.Discard); err != nil {
					errs.Add(1)
					continue
				}
				mu.Lock()
				lat = append(lat, time.Since(t))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return lat, int(errs.Load())
}

// A vote through the portal against the same vote with the plugin. The
// portal runs as a user bound to config/portal's ClusterRoles (reads, and
// constrained impersonation for its writes) with sign-in against the
// harness's OIDC issuer; each voter is signed in with a token as
// oauth2-proxy would pass it (the proxy's own hop is left out) and sends
// the vote form. The plugin runs as a process, `kubectl skillmatrix vote`
// as kubectl starts it, with each voter's own client certificate. Every
// voter votes once each way, on two Proposals alike, one after the other:
// the person's wait, from sending to seeing the result.

type voteComparison struct {
	Votes int
	// Portal is the form's POST and the page it redirects to; Plugin the
	// plugin's process, start to exit.
	PortalP50, PortalP95, PluginP50, PluginP95 time.Duration
	// Ratio is PortalP95 / PluginP95.
	Ratio  float64
	Errors int
}

// portalIdentity is the kubeconfig of a user with config/portal's ClusterRoles.
func (b *bench) portalIdentity(ctx context.Context, st *stage) string {
	const portalUser = "skillmatrix-portal"
	u := must(st.cp.AddUser(ctx, portalUser, nil))
	for _, f := range []string{"role.yaml", "impersonator.yaml"} {
		for _, o := range must(testenv.ReadObjects(filepath.Join(b.root, "config", "portal", f))) {
			if o.GetKind() == clusterRoleKind {
				check(st.cp.Admin.Create(ctx, o))
				st.cp.bind(ctx, "", o.GetName(), o.GetName(), rbacv1.UserKind, portalUser)
			}
		}
	}
	return b.writeKubeconfig(u, "portal")
}

func (b *bench) writeKubeconfig(u plane.User, name string) string {
	path := filepath.Join(b.work, name+".kubeconfig")
	check(os.WriteFile(path, must(u.KubeConfig()), 0o600))
	return path
}

func voterUser(i int) oidcissuer.User {
	name := fmt.Sprintf("voter-%d", i)
	return oidcissuer.User{Name: name, Display: name, Email: name + "@bench.example", Groups: []string{benchVoterGroup}}
}

// startIssuer starts the harness's identity provider and returns the portal's flags for it.
func (b *bench) startIssuer(voters int) (*oidcissuer.Issuer, []string) {
	users := make([]oidcissuer.User, voters)
	for i := range users {
		users[i] = voterUser(i)
	}
	key, path := make([]byte, 32), filepath.Join(b.work, "portal-session.key")
	_, _ = rand.Read(key)
	check(os.WriteFile(path, []byte(base64.RawURLEncoding.EncodeToString(key)), 0o600))
	iss := must(oidcissuer.Start("127.0.0.1:0", oidcissuer.Options{Users: users, ClientID: benchClientID,
		TokenTTL: time.Hour}))
	b.cleanup(func() { _ = iss.Close() })
	return iss, []string{"--oidc-issuer-url=" + iss.URL(), "--oidc-client-id=" + benchClientID,
		"--oidc-username-claim=preferred_username", "--oidc-username-prefix=-", "--oidc-groups-claim=groups",
		"--session-key-file=" + path, "--writes-per-minute=6000", "--write-burst=1000"}
}

func (b *bench) compareVotes(ctx context.Context, st *stage, iss *oidcissuer.Issuer, portal string,
	voters int) *voteComparison {
	// The voters may vote and the author propose in the namespace.
	st.cp.bind(ctx, st.ns, "bench-skillmatrix-voter", "skillmatrix-voter", rbacv1.GroupKind, benchVoterGroup)
	st.cp.bind(ctx, st.ns, "bench-skillmatrix-proposer", "skillmatrix-proposer", rbacv1.UserKind, benchAuthor)
	author := st.cp.as(benchAuthor)
	viaPlugin := benchProposal(ctx, author, st.ns, st.roles[0].Name, "plugin")
	viaPortal := benchProposal(ctx, author, st.ns, st.roles[0].Name, "portal")
	plugin := filepath.Join(b.work, "kubectl-skillmatrix")
	goBuild(ctx, b.root, plugin, "./cmd/kubectl-skillmatrix")
	res := &voteComparison{Votes: voters}
	var portalLat, pluginLat []time.Duration
	for i := range voters {
		person := voterUser(i)
		kubeconfig := b.writeKubeconfig(must(st.cp.AddUser(ctx, person.Name, []string{benchVoterGroup})), person.Name)
		if d, err := pluginVote(ctx, plugin, kubeconfig, st.ns, viaPlugin); err != nil {
			res.Errors++
			logln("  the plugin's vote of %s: %v", person.Name, err)
		} else {
			pluginLat = append(pluginLat, d)
		}
		tok := must(iss.Mint(person, oidcissuer.MintOptions{}))
		if d, err := portalVote(ctx, portal, st.ns, viaPortal, tok); err != nil {
			res.Errors++
			logln("  the portal's vote of %s: %v", person.Name, err)
		} else {
			portalLat = append(portalLat, d)
		}
	}
	portalQ, pluginQ := quantilesOf(portalLat), quantilesOf(pluginLat)
	res.PortalP50, res.PortalP95, res.PluginP50, res.PluginP95 = portalQ.P50, portalQ.P95, pluginQ.P50, pluginQ.P95
	if res.PluginP95 > 0 {
		res.Ratio = float64(res.PortalP95) / float64(res.PluginP95)
	}
	// Both write Ballots, one per voter, on their own Proposal.
	var ballots v1.BallotList
	check(st.cp.Admin.List(ctx, &ballots, client.InNamespace(st.ns)))
	portalBallots := 0
	for _, bl := range ballots.Items {
		if string(bl.Spec.ProposalRef) == viaPortal {
			portalBallots++
		}
	}
	if res.Errors == 0 && portalBallots != voters {
		check(fmt.Errorf("the portal's Proposal has %d Ballots, want %d", portalBallots, voters))
	}
	return res
}

// benchProposal creates a Proposal as the author, as admission wants it.
func benchProposal(ctx context.Context, author client.Client, ns, role, name string) string {
	p := &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Name: "bench-votes-" + name, Namespace: ns},
		Spec: v1.ProposalSpec{RoleRef: v1.ObjectName(role), Title: "Votes through the " + name, Author: benchAuthor,
			Changes: []v1.Change{{Op: v1.OpSetFocus, Level: "senior", Focus: new("Measured through the " + name)}}}}
	// The API server's authorizer learns of the author's binding from a
	// watch: under load a create right after it can still be Forbidden.
	check(wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true,
		func(ctx context.Context) (bool, error) {
			err := author.Create(ctx, p)
			if apierrors.IsForbidden(err) {
				return false, nil
			}
			return true, err
		}))
	return p.Name
}

// pluginVote runs `kubectl skillmatrix -n ns vote proposal approve` as
// kubectl would, and times the process.
func pluginVote(ctx context.Context, plugin, kubeconfig, ns, proposal string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, plugin, "-n", ns, "vote", proposal, "approve", "-m", "measured")
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	started := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("%w: %s", err, out)
	}
	return time.Since(started), nil
}

var tokenField = regexp.MustCompile(`name="token" value="([^"]+)"`)

// portalVote opens the Proposal page with the person's token, as the
// proxy passes it, then times sending the vote form and loading the page
// it leads to.
func portalVote(ctx context.Context, portal, ns, proposal, token string) (time.Duration, error) {
	page := portal + "/ns/" + ns + "/proposals/" + proposal
	c := &http.Client{Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var cookies []*http.Cookie
	do := func(method, address string, form url.Values) (*http.Response, string, error) {
		req, _ := http.NewRequestWithContext(ctx, method, address, strings.NewReader(form.Encode()))
		req.Header.Set("Authorization", "Bearer "+token)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		resp, err := c.Do(req)
		if err != nil {
			return nil, "", err
		}
		defer func() { _ = resp.Body.Close() }()
		body, err := io.ReadAll(resp.Body)
		return resp, string(body), err
	}
	resp, body, err := do(http.MethodGet, page, nil)
	if err != nil {
		return 0, err
	}
	m := tokenField.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		return 0, fmt.Errorf("the Proposal page: %s, form token %v", resp.Status, m != nil)
	}
	// The session cookie is Secure; the harness talks plain HTTP on
	// loopback, where browsers send it too.
	cookies = resp.Cookies()
	started := time.Now()
	resp, body, err = do(http.MethodPost, page+"/vote", url.Values{"token": {strings.ReplaceAll(m[1], "&#43;", "+")},
		"decision": {"approve"}, "comment": {"measured"}})
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusSeeOther {
		return 0, fmt.Errorf("the vote: %s\n%s", resp.Status, body)
	}
	resp, body, err = do(http.MethodGet, portal+resp.Header.Get("Location"), nil)
	d := time.Since(started)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Your vote was recorded.") {
		return 0, errors.New("the page after the vote does not say it was recorded")
	}
	return d, nil
}
