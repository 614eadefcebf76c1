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

// Command maxproposals measures what a namespace full of maximal Proposals
// costs the manager (issue 13, case 4): on an envtest control plane with
// the shipped admission policies, the manager built from ./cmd runs as a
// process of its own with the soft memory limit it gives itself in a Pod
// with the chart's memory limit; the program creates N Proposals as large
// as the CRD and the admission policies let them be and reports the
// manager's peak RSS (VmHWM) while they arrive and after a restart that
// lists them all at once.
//
//	go run ./hack/bench/maxproposals -n 300
//
// "As large as allowed" is worse than any real Proposal: every string at its
// length limit, in 4-byte UTF-8 characters where the schema allows any text,
// the changes at their count and text limits (MaxChanges, MaxChangeText),
// the rest of the text budget (MaxProposalText) in the description and the
// comments, 500 votes and 50 reviews under 253-character usernames, each
// recording three groups (recordedGroups), labels and annotations at the
// policy's limit and kubectl's last-applied annotation at its own. Votes and
// reviews under other names cannot be created through the authenticity
// policy, so the program lifts that policy's binding while it writes them
// (as test/admission's cost spec does) and restores it afterwards; the
// CRD's rules stay in force throughout.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/hack/bench/internal/plane"
	"github.com/skillmatrix-dev/skillmatrix-operator/hack/internal/managerproc"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/memlimit"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

const (
	namespace = "career"
	// wide is a 4-byte UTF-8 character: the most bytes per character.
	wide = "𝄞"
	// Limits of the API and the admission policy this program fills.
	maxName         = 253
	maxID           = 63
	maxProficiency  = 8
	maxTitle        = 200
	maxMetadataText = 8192
	maxLastApplied  = 16384
	maxDescription  = 4096
	// maxAnnotationBytes is the API server's limit on all annotations.
	maxAnnotationBytes = 256 * 1024
	cellDescriptionSz  = 1024
)

var scheme = runtime.NewScheme()

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1.AddToScheme(scheme))
}

func main() {
	n := flag.Int("n", 300, "maximal Proposals to create")
	root := flag.String("root", ".", "repository root")
	flag.Parse()
	if err := run(context.Background(), *root, *n); err != nil {
		fmt.Fprintln(os.Stderr, "maxproposals:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func run(ctx context.Context, root string, n int) error {
	root, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "maxproposals-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(work) }()
	bin := filepath.Join(work, "manager")
	logf("go build -o %s ./cmd", bin)
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building the manager: %w", err)
	}
	limit, soft, err := plane.SoftLimit(root)
	if err != nil {
		return err
	}
	assets, err := testenv.AssetsDir(ctx, root, os.Stderr)
	if err != nil {
		return err
	}
	p, err := plane.Start(ctx, root, assets, scheme)
	if err != nil {
		return err
	}
	defer func() { _ = p.Stop() }()
	if err := applySamples(ctx, p.Admin, root); err != nil {
		return err
	}
	manager := managerproc.Config{Bin: bin, Kubeconfig: p.Kubeconfig, Env: []string{fmt.Sprintf("GOMEMLIMIT=%d", soft)}}

	m, err := startManager(ctx, manager, filepath.Join(work, "manager.log"))
	if err != nil {
		return err
	}
	_, idle := plane.Memory(m.Pid())
	logf("manager ready, peak RSS %s", mib(idle))
	logf("creating %d maximal Proposals", n)
	size, err := createMaximal(ctx, p.Admin, root, n)
	if err == nil {
		err = waitProposals(ctx, func() (bool, error) {
			var list v1.ProposalList
			if err := p.Admin.List(ctx, &list, client.InNamespace(namespace)); err != nil {
				return false, nil
			}
			done := 0
			for _, p := range list.Items {
				if p.Status.ObservedGeneration == p.Generation && p.Status.Phase != "" {
					done++
				}
			}
			return done >= n, nil
		})
	}
	_, arriving := plane.Memory(m.Pid())
	if stopErr := m.Stop(30 * time.Second); err != nil || stopErr != nil {
		return fmt.Errorf("while the Proposals arrived: %w", errors.Join(err, stopErr))
	}
	logf("all %d observed, peak RSS %s; restarting the manager: it lists all %d at once", n, mib(arriving), n)

	if m, err = startManager(ctx, manager, filepath.Join(work, "manager-restart.log")); err != nil {
		return err
	}
	// A restarted manager writes nothing when a status is unchanged: the
	// sign that it has seen every Proposal is its reconcile counter.
	err = waitProposals(ctx, func() (bool, error) {
		text, _ := fetch(ctx, m.MetricsURL())
		return plane.Reconciles(text)["proposal"] >= float64(n), nil
	})
	_, restarted := plane.Memory(m.Pid())
	if stopErr := m.Stop(30 * time.Second); err != nil || stopErr != nil {
		return fmt.Errorf("after the restart: %w", errors.Join(err, stopErr))
	}

	fmt.Printf("### %d maximal Proposals in one namespace\n\n", n)
	fmt.Printf("Each Proposal is %d KiB as JSON (%d changes, text caps %d and %d characters, "+
		"all in 4-byte characters); together %d MiB. Manager: ./cmd as built, GOMEMLIMIT=%d "+
		"(%.0f%% of the chart's %s limit).\n\n",
		size/1024, v1.MaxChanges, v1.MaxProposalText, v1.MaxChangeText, int64(n)*size/(1<<20), soft,
		memlimit.Fraction*100, limit.String())
	fmt.Println("| Phase | Manager peak RSS (VmHWM) | Chart limit | Fits |")
	fmt.Println("|---|---|---|---|")
	for _, row := range []struct {
		what string
		rss  float64
	}{{"idle, before any Proposal", idle}, {fmt.Sprintf("%d Proposals created while it runs", n), arriving},
		{fmt.Sprintf("restarted: lists all %d", n), restarted}} {
		fmt.Printf("| %s | %s | %s | %v |\n", row.what, mib(row.rss), limit.String(), row.rss < float64(limit.Value()))
	}
	return nil
}

// startManager starts the manager with plain-HTTP metrics on free loopback
// ports and waits until it is ready.
func startManager(ctx context.Context, c managerproc.Config, logPath string) (*managerproc.Process, error) {
	var err error
	if c.MetricsAddr, err = managerproc.FreeAddress("127.0.0.1:0"); err != nil {
		return nil, err
	}
	if c.ProbeAddr, err = managerproc.FreeAddress("127.0.0.1:0"); err != nil {
		return nil, err
	}
	c.LogPath = logPath
	m, err := managerproc.Start(c)
	if err != nil {
		return nil, err
	}
	if err := m.WaitReady(ctx, 2*time.Minute); err != nil {
		_ = m.Stop(30 * time.Second)
		return nil, err
	}
	return m, nil
}

// applySamples creates the namespace and the MLOps Engineer SkillMatrix and
// Role the Proposals target.
func applySamples(ctx context.Context, admin client.Client, root string) error {
	if err := admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}); err != nil {
		return err
	}
	for _, f := range []string{"career_v1alpha1_skillmatrix.yaml", "career_v1alpha1_role.yaml"} {
		objs, err := testenv.ReadObjects(filepath.Join(root, "config", "samples", f))
		if err != nil {
			return err
		}
		for _, u := range objs {
			u.SetNamespace(namespace)
			if err := admin.Create(ctx, u); err != nil {
				return fmt.Errorf("creating %s %s: %w", u.GetKind(), u.GetName(), err)
			}
		}
	}
	return nil
}

func repeat(s string, n int) string { return strings.Repeat(s, n) }

// padded is prefix followed by "a" up to n characters.
func padded(prefix string, n int) string { return prefix + repeat("a", n-len(prefix)) }

// maximalProposal is Proposal i with every field at its limit: the change
// text budget (MaxChangeText) in the changes, what is left of
// MaxProposalText in the description and the vote comments, the labels and
// annotations limit under the operator's own prefix (which the cache keeps),
// and kubectl's last-applied annotation as large as the policy and the API
// server allow.
func maximalProposal(i int) *v1.Proposal {
	p := &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: padded(fmt.Sprintf("p%04d-", i), maxName)}}
	p.Spec.RoleRef = "mlops-engineer"
	p.Spec.Author = "admin"
	p.Spec.Title = repeat(wide, maxTitle)
	perChange := v1.MaxChangeText / v1.MaxChanges
	for c := range v1.MaxChanges {
		change := v1.Change{Op: v1.OpAddSkill, Skill: v1.ID(padded(fmt.Sprintf("s%03d-", c), maxID))}
		for l := range v1.MaxLevels {
			cell := v1.Cell{Level: v1.ID(padded(fmt.Sprintf("l%02d-", l), maxID)),
				Proficiency: v1.ProficiencyID("P" + repeat("0", maxProficiency-1))}
			if l == 0 {
				cell.Description = repeat(wide, min(perChange, cellDescriptionSz))
			}
			change.Cells = append(change.Cells, cell)
		}
		p.Spec.Changes = append(p.Spec.Changes, change)
	}
	rest := v1.MaxProposalText - maxTitle - perChange*v1.MaxChanges - maxDescription
	p.Spec.Description = repeat(wide, maxDescription)
	for v := range v1.MaxVotes {
		p.Spec.Votes = append(p.Spec.Votes, v1.Vote{Voter: v1.Username(padded(fmt.Sprintf("voter-%03d-", v), maxName)),
			Decision: v1.VoteApprove, Comment: repeat(wide, rest/v1.MaxVotes), Groups: recordedGroups(v)})
	}
	for r := range v1.MaxReviews {
		p.Spec.Reviews = append(p.Spec.Reviews, v1.Review{
			Reviewer: v1.Username(padded(fmt.Sprintf("reviewer-%02d-", r), maxName)), Decision: v1.ReviewApprove,
			Groups: recordedGroups(r)})
	}
	// The policy's limits (in characters) and the API server's own (256 KiB
	// of annotations in all) both hold.
	const key = "career.skillmatrix.dev/blob"
	blob := repeat(wide, maxMetadataText-len(key))
	room := (maxAnnotationBytes - len(key) - len(blob) - len(corev1.LastAppliedConfigAnnotation)) / len(wide)
	p.Annotations = map[string]string{
		key:                                blob,
		corev1.LastAppliedConfigAnnotation: repeat(wide, min(room, maxLastApplied)),
	}
	return p
}

// recordedGroups are the groups ballot i records: the identity provider's,
// not the API's limits (32 of 253 characters), decide how many there are, so
// the measurement takes a generous realistic set: system:authenticated, an
// organisation-wide group and one of 50 team groups of 64 characters.
func recordedGroups(i int) []string {
	return []string{"system:authenticated", "engineering", padded(fmt.Sprintf("team-%02d-", i%50), 64)}
}

// createMaximal creates n maximal Proposals with the authenticity binding
// lifted, and returns the JSON size of one.
func createMaximal(ctx context.Context, admin client.Client, root string, n int) (int64, error) {
	binding := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		ObjectMeta: metav1.ObjectMeta{Name: testenv.PolicyName}}
	if err := admin.Delete(ctx, binding); err != nil {
		return 0, err
	}
	probe := maximalProposal(0)
	var last error
	lifted := func(ctx context.Context) (bool, error) {
		last = admin.Create(ctx, probe.DeepCopy(), client.DryRunAll)
		return last == nil, nil
	}
	if err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, lifted); err != nil {
		return 0, fmt.Errorf("a maximal Proposal is refused (last: %v): %w", last, err)
	}
	data, err := json.Marshal(probe)
	if err != nil {
		return 0, err
	}
	for i := range n {
		if err := admin.Create(ctx, maximalProposal(i)); err != nil {
			return 0, fmt.Errorf("creating Proposal %d: %w", i, err)
		}
	}
	return int64(len(data)), testenv.InstallAdmission(ctx, admin, root, plane.OperatorUser)
}

// waitProposals polls done every second for at most 15 minutes.
func waitProposals(ctx context.Context, done func() (bool, error)) error {
	return wait.PollUntilContextTimeout(ctx, time.Second, 15*time.Minute, true,
		func(context.Context) (bool, error) { return done() })
}

func fetch(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	return string(body), err
}

func mib(b float64) string { return fmt.Sprintf("%.0f MiB", b/(1<<20)) }
