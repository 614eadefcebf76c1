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
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/gitserver"
)

// The Git write-back section: Proposals of Roles whose manifests live in a
// repository served by git's own smart-HTTP server on loopback
// (internal/testenv/gitserver), decided at once; the latency runs from each
// deciding vote to the push of its commit, as the Proposal's
// status.gitCommit.committedAt records it (stamped by the manager when the
// push returned, in microseconds).

// writeBackRoles is how many Roles the write-back Proposals are spread over.
const writeBackRoles = 5

// writeBackResult is the latency from a deciding vote to the pushed commit.
type writeBackResult struct {
	Variant   string
	Proposals int
	Roles     int
	// Latencies, sorted.
	Latencies []time.Duration
	P50, P95  time.Duration
	Max       time.Duration
	// Commits is how many commits the branch gained: one per Proposal.
	Commits int
}

// measureWriteBack runs the section for the first variant, when asked.
func (b *bench) measureWriteBack(ctx context.Context, res *results, variants []variant) error {
	n := b.cfg.writeBackProposals
	if n <= 0 || len(variants) == 0 {
		return nil
	}
	v := variants[0]
	logln("git write-back: %d Proposals over %d Roles, %s manager", n, writeBackRoles, v.Name)
	wb, err := b.writeBack(ctx, v, n)
	if err != nil {
		return fmt.Errorf("git write-back %s: %w", v.Name, err)
	}
	res.WriteBack = append(res.WriteBack, wb)
	return nil
}

func (b *bench) writeBack(ctx context.Context, v variant, n int) (writeBackResult, error) {
	res := writeBackResult{Variant: v.Name, Proposals: n, Roles: writeBackRoles}
	tb := &benchTB{}
	defer tb.cleanup()
	srv := gitserver.Start(tb)
	if tb.err != nil {
		return res, tb.err
	}
	st, err := b.setUp(ctx, stageSpec{namespace: "writeback", roles: writeBackRoles,
		governance: &v1.GovernancePolicy{
			MinApprovals: new(int32(2)), ApprovalRatioPercent: new(int32(66)), RequiredReviews: new(int32(1)),
			VotingPeriod: &metav1.Duration{Duration: 168 * time.Hour},
		}})
	defer st.close()
	if err != nil {
		return res, err
	}
	if err := seedRepository(ctx, srv, st); err != nil {
		return res, err
	}
	mgr, err := b.startManager(ctx, st, v, "writeback")
	if err != nil {
		return res, err
	}
	defer func() { _ = mgr.stop() }()

	proposals, err := b.openProposals(ctx, st, n)
	if err != nil {
		return res, err
	}
	track := &latencies{sent: map[string]time.Time{}, acked: map[string]time.Time{}}
	logln("  casting %d deciding votes at once", n)
	if failed := track.decideAtOnce(ctx, st.cp.users[dave], proposals); failed > 0 {
		return res, fmt.Errorf("%d deciding votes failed", failed)
	}
	pushed, err := waitCommitted(ctx, st.cp.admin, st.ns, n, b.cfg.timeout)
	if err != nil {
		return res, err
	}
	for _, p := range proposals {
		res.Latencies = append(res.Latencies, pushed[p.Name].Sub(track.sent[string(p.UID)]))
	}
	slices.Sort(res.Latencies)
	res.P50, res.P95 = percentile(res.Latencies, 0.50), percentile(res.Latencies, 0.95)
	res.Max = res.Latencies[len(res.Latencies)-1]
	log, err := srv.Log("roles", "main")
	if err != nil {
		return res, err
	}
	res.Commits = len(log) - 1
	logln("  %s: p50 %s, p95 %s, max %s, %d commits", v.Name, res.P50.Round(time.Millisecond),
		res.P95.Round(time.Millisecond), res.Max.Round(time.Millisecond), res.Commits)
	if res.Commits != n {
		return res, fmt.Errorf("%d commits for %d Proposals", res.Commits, n)
	}
	return res, nil
}

// seedRepository commits the stage's Roles to a repository, one file
// each, and points a GitWriteBack and its Secret at it.
func seedRepository(ctx context.Context, srv *gitserver.Server, st *stage) error {
	files := map[string]string{}
	for _, r := range st.roles {
		doc := v1.Role{TypeMeta: metav1.TypeMeta{APIVersion: v1.GroupVersion.String(), Kind: "Role"},
			ObjectMeta: metav1.ObjectMeta{Name: r.Name}, Spec: r.Spec}
		data, err := yaml.Marshal(&doc)
		if err != nil {
			return err
		}
		files["career/roles/"+r.Name+".yaml"] = "# " + r.Spec.DisplayName + "\n" + string(data)
	}
	if err := srv.CreateRepo("roles", "main", files); err != nil {
		return err
	}
	if err := st.cp.admin.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: st.ns, Name: "career-git"},
		StringData: map[string]string{"username": gitserver.User, "password": gitserver.InitialPassword},
	}); err != nil {
		return err
	}
	return st.cp.admin.Create(ctx, &v1.GitWriteBack{
		ObjectMeta: metav1.ObjectMeta{Namespace: st.ns, Name: "career-roles"},
		Spec: v1.GitWriteBackSpec{URL: srv.URL("roles"), Branch: "main", Path: "career",
			SecretRef: v1.SecretReference{Name: "career-git"}, MatrixRef: v1.ObjectName(st.matrix.Name)},
	})
}

// waitCommitted waits until n Proposals record their commit and returns
// when each push returned.
func waitCommitted(ctx context.Context, c client.Client, ns string, n int,
	timeout time.Duration) (map[string]time.Time, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		var list v1.ProposalList
		if err := c.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return nil, err
		}
		pushed := map[string]time.Time{}
		for _, p := range list.Items {
			if gc := p.Status.GitCommit; gc != nil {
				pushed[p.Name] = gc.CommittedAt.Time
			}
		}
		if len(pushed) == n {
			return pushed, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil, fmt.Errorf("the Proposals were not all committed within %s", timeout)
}

func (r *results) writeWriteBack(w writer) {
	if len(r.WriteBack) == 0 {
		return
	}
	w("## Git write-back latency")
	w("")
	w("Proposals of Roles whose manifests live in Git (one file per Role, a GitWriteBack selecting the")
	w("SkillMatrix), served by `git http-backend` on loopback with basic auth. Every Proposal sets its own")
	w("cell; once all are Open with one vote and one review, dave casts the deciding votes at once.")
	w("Latency is from sending each vote to the return of the push of its commit, as the manager stamps")
	w("it in `status.gitCommit.committedAt`. Each commit is its own fetch, edit and push: writes to one")
	w("repository take turns (`internal/gitwrite`).")
	w("")
	w("| variant | Proposals / Roles | p50 | p95 | max | commits |")
	w("|---|---|---|---|---|---|")
	for _, g := range r.WriteBack {
		w("| %s | %d / %d | %s | %s | %s | %d |", g.Variant, g.Proposals, g.Roles, millis(g.P50), millis(g.P95),
			millis(g.Max), g.Commits)
	}
	w("")
}

// benchTB is the part of testing.TB the Git server needs, outside a test.
type benchTB struct {
	cleanups []func()
	err      error
}

func (*benchTB) Helper() {}

func (t *benchTB) TempDir() string {
	dir, err := os.MkdirTemp("", "skillmatrix-bench-git-")
	if err != nil {
		t.err = err
		return os.TempDir()
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

func (t *benchTB) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }

func (t *benchTB) Fatalf(format string, args ...any) { t.err = fmt.Errorf(format, args...) }

func (t *benchTB) Skipf(format string, args ...any) {
	t.err = fmt.Errorf("git is needed for the write-back section: %s", strings.TrimSpace(fmt.Sprintf(format, args...)))
}

func (t *benchTB) cleanup() {
	for _, f := range slices.Backward(t.cleanups) {
		f()
	}
}
