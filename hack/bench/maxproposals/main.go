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
// costs the manager (issue 13, case 4): it starts an envtest control plane
// with the shipped admission policies, runs the manager built from ./cmd as
// a process of its own with the soft memory limit it gives itself in a Pod
// with the chart's memory limit, creates N Proposals as large as the CRD and
// the admission policies let them be, and reports the manager's peak RSS
// (VmHWM) while they arrive and after a restart that lists them all at once.
//
//	go run ./hack/bench/maxproposals -n 300
//
// "As large as allowed" is worse than any real Proposal: every string at its
// length limit, in 4-byte UTF-8 characters where the schema allows any text,
// the changes at their count and text limits (MaxChanges, MaxChangeText),
// the rest of the text budget (MaxProposalText) in the description and the
// comments, 500 votes and 50 reviews under 253-character usernames, labels
// and annotations at the policy's limit and kubectl's last-applied
// annotation at its own. Votes and reviews under other names cannot be
// created through the authenticity policy, so the program lifts that
// policy's binding while it writes them (as test/admission's cost spec does)
// and restores it afterwards; the CRD's rules stay in force throughout.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/memlimit"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

const (
	namespace    = "career"
	operatorUser = "skillmatrix-operator"
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
	limit, soft, err := chartMemory(root)
	if err != nil {
		return err
	}

	env, err := testenv.Environment(ctx, root, os.Stderr)
	if err != nil {
		return err
	}
	cfg, err := env.Start()
	if err != nil {
		return err
	}
	defer func() { _ = env.Stop() }()
	cfg.QPS, cfg.Burst = -1, 0
	admin, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return err
	}
	if err := testenv.InstallAdmission(ctx, admin, root, operatorUser); err != nil {
		return err
	}
	kubeconfig, err := operatorKubeconfig(ctx, env, admin, root, work)
	if err != nil {
		return err
	}
	if err := applySamples(ctx, admin, root); err != nil {
		return err
	}

	m, err := startManager(ctx, bin, kubeconfig, filepath.Join(work, "manager.log"), soft)
	if err != nil {
		return err
	}
	idle := m.peakRSS()
	logf("manager ready, peak RSS %s", mib(idle))

	logf("creating %d maximal Proposals", n)
	size, err := createMaximal(ctx, admin, root, n)
	if err != nil {
		_ = m.stop()
		return err
	}
	if err := waitObserved(ctx, admin, n); err != nil {
		_ = m.stop()
		return err
	}
	arriving := m.peakRSS()
	logf("all %d observed, peak RSS %s", n, mib(arriving))
	if err := m.stop(); err != nil {
		return err
	}

	logf("restarting the manager: it lists all %d at once", n)
	m, err = startManager(ctx, bin, kubeconfig, filepath.Join(work, "manager-restart.log"), soft)
	if err != nil {
		return err
	}
	if err := waitResynced(ctx, m, n); err != nil {
		_ = m.stop()
		return err
	}
	restarted := m.peakRSS()
	if err := m.stop(); err != nil {
		return err
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
		rss  int64
	}{{"idle, before any Proposal", idle}, {fmt.Sprintf("%d Proposals created while it runs", n), arriving},
		{fmt.Sprintf("restarted: lists all %d", n), restarted}} {
		fmt.Printf("| %s | %s | %s | %v |\n", row.what, mib(row.rss), limit.String(), row.rss < limit.Value())
	}
	return nil
}

// chartMemory returns the chart's memory limit and the soft limit the
// manager sets itself from it in a Pod (internal/memlimit).
func chartMemory(root string) (resource.Quantity, int64, error) {
	data, err := os.ReadFile(filepath.Join(root, "charts", "skillmatrix-operator", "values.yaml"))
	if err != nil {
		return resource.Quantity{}, 0, err
	}
	var values struct {
		Resources struct {
			Limits map[string]string `json:"limits"`
		} `json:"resources"`
	}
	if err := yaml.Unmarshal(data, &values); err != nil {
		return resource.Quantity{}, 0, err
	}
	limit, err := resource.ParseQuantity(values.Resources.Limits["memory"])
	if err != nil {
		return resource.Quantity{}, 0, fmt.Errorf("the chart's resources.limits.memory: %w", err)
	}
	return limit, int64(float64(limit.Value()) * memlimit.Fraction), nil
}

// operatorKubeconfig makes operatorUser, bound to the generated ClusterRole
// manager-role only, and writes its kubeconfig.
func operatorKubeconfig(ctx context.Context, env *envtest.Environment, admin client.Client,
	root, dir string) (string, error) {
	objs, err := testenv.ReadObjects(filepath.Join(root, "config", "rbac", "role.yaml"))
	if err != nil {
		return "", err
	}
	for _, u := range objs {
		if err := admin.Apply(ctx, client.ApplyConfigurationFromUnstructured(u),
			client.FieldOwner("maxproposals"), client.ForceOwnership); err != nil {
			return "", err
		}
	}
	if err := admin.Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "maxproposals-manager"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "manager-role"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: operatorUser}},
	}); err != nil {
		return "", err
	}
	user, err := env.AddUser(envtest.User{Name: operatorUser}, nil)
	if err != nil {
		return "", err
	}
	data, err := user.KubeConfig()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "operator.kubeconfig")
	return path, os.WriteFile(path, data, 0o600)
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
				return err
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
			Decision: v1.VoteApprove, Comment: repeat(wide, rest/v1.MaxVotes)})
	}
	for r := range v1.MaxReviews {
		p.Spec.Reviews = append(p.Spec.Reviews, v1.Review{
			Reviewer: v1.Username(padded(fmt.Sprintf("reviewer-%02d-", r), maxName)), Decision: v1.ReviewApprove})
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
	return int64(len(data)), testenv.InstallAdmission(ctx, admin, root, operatorUser)
}

// waitObserved waits until the operator has written a status for all n
// Proposals at their generation.
func waitObserved(ctx context.Context, admin client.Client, n int) error {
	return wait.PollUntilContextTimeout(ctx, time.Second, 15*time.Minute, true, func(ctx context.Context) (bool, error) {
		var list v1.ProposalList
		if err := admin.List(ctx, &list, client.InNamespace(namespace)); err != nil {
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

// waitResynced waits until a restarted manager has reconciled every
// Proposal once: it writes nothing when a status is unchanged, so the sign is
// its reconcile counter.
func waitResynced(ctx context.Context, m *manager, n int) error {
	return wait.PollUntilContextTimeout(ctx, time.Second, 15*time.Minute, true, func(ctx context.Context) (bool, error) {
		return m.reconciles(ctx, "proposal") >= float64(n), nil
	})
}

// reconciles sums controller_runtime_reconcile_total of one controller.
func (m *manager) reconciles(ctx context.Context, controller string) float64 {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.metrics, nil)
	if err != nil {
		return 0
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0
	}
	total := 0.0
	label := `controller="` + controller + `"`
	for line := range strings.SplitSeq(string(body), "\n") {
		if !strings.HasPrefix(line, "controller_runtime_reconcile_total{") || !strings.Contains(line, label) {
			continue
		}
		if i := strings.LastIndexByte(line, ' '); i > 0 {
			v, _ := strconv.ParseFloat(line[i+1:], 64)
			total += v
		}
	}
	return total
}

// manager is the manager process.
type manager struct {
	cmd     *exec.Cmd
	metrics string
	exited  chan error
}

func freeAddress() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	return addr, l.Close()
}

func startManager(ctx context.Context, bin, kubeconfig, logPath string, soft int64) (*manager, error) {
	metricsAddr, err := freeAddress()
	if err != nil {
		return nil, err
	}
	probeAddr, err := freeAddress()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--kubeconfig="+kubeconfig, "--metrics-bind-address="+metricsAddr,
		"--metrics-secure=false", "--health-probe-bind-address="+probeAddr)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig, "GOMEMLIMIT="+strconv.FormatInt(soft, 10))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, err
	}
	m := &manager{cmd: cmd, metrics: "http://" + metricsAddr + "/metrics", exited: make(chan error, 1)}
	go func() {
		m.exited <- cmd.Wait()
		_ = logFile.Close()
	}()
	ready := func(ctx context.Context) (bool, error) {
		select {
		case err := <-m.exited:
			return false, fmt.Errorf("the manager exited (%v); see %s", err, logPath)
		default:
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+probeAddr+"/readyz", nil)
		if err != nil {
			return false, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false, nil
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	}
	if err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 2*time.Minute, true, ready); err != nil {
		_ = m.stop()
		return nil, err
	}
	return m, nil
}

// peakRSS is the process's VmHWM in bytes.
func (m *manager) peakRSS() int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", m.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// stop interrupts the manager and waits for it to exit; it reports the exit
// only when the manager did not stop cleanly by itself.
func (m *manager) stop() error {
	_ = m.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-m.exited:
		if err != nil {
			return fmt.Errorf("the manager exited with %w", err)
		}
		return nil
	case <-time.After(30 * time.Second):
		_ = m.cmd.Process.Kill()
		return fmt.Errorf("the manager did not stop within 30s: %w", <-m.exited)
	}
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
