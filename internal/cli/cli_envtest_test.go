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

package cli_test

// This test drives the real commands against a real kube-apiserver and etcd
// (envtest), with the admission policy and user ClusterRoles installed and
// the operator's controllers running in-process, as five authenticated
// users with their own kubeconfigs. The binaries come from
// KUBEBUILDER_ASSETS, else from hack/envtest-assets.sh.

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/cli"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/controller"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv"
)

const repoRoot = "../.."

// lockedBuffer collects the manager's logs from several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// cluster is the test's control plane, operator and users.
type cluster struct {
	t          *testing.T
	ctx        context.Context
	admin      client.Client
	ns         string
	kubeconfig map[string]string
}

// result is one command run.
type result struct {
	code           int
	stdout, stderr string
}

// run runs the plugin in-process as user, with their kubeconfig, in the
// test's namespace.
func (c *cluster) run(user string, args ...string) result {
	var out, errOut bytes.Buffer
	args = append(args, "--kubeconfig", c.kubeconfig[user], "-n", c.ns)
	code := cli.Run(c.ctx, args, genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	shown := out.String()
	if len(shown) > 2000 {
		shown = shown[:2000] + "...\n"
	}
	c.t.Logf("%s$ kubectl skillmatrix %s\n%s%s(exit %d)", user, strings.Join(args[:len(args)-4], " "), shown, errOut.String(), code)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

func (c *cluster) mustRun(user string, args ...string) string {
	c.t.Helper()
	r := c.run(user, args...)
	if r.code != 0 {
		c.t.Fatalf("%s: kubectl skillmatrix %s: exit %d: %s", user, strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

func (c *cluster) proposal(name string) *v1.Proposal {
	c.t.Helper()
	p := &v1.Proposal{}
	if err := c.admin.Get(c.ctx, client.ObjectKey{Namespace: c.ns, Name: name}, p); err != nil {
		c.t.Fatal(err)
	}
	return p
}

// ballots are the Ballots cast on the Proposal name.
func (c *cluster) ballots(name string) []v1.Ballot {
	c.t.Helper()
	var list v1.BallotList
	if err := c.admin.List(c.ctx, &list, client.InNamespace(c.ns)); err != nil {
		c.t.Fatal(err)
	}
	var out []v1.Ballot
	for _, b := range list.Items {
		if string(b.Spec.ProposalRef) == name {
			out = append(out, b)
		}
	}
	return out
}

func startCluster(t *testing.T) *cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("envtest: skipped with -short")
	}
	logs := &lockedBuffer{}
	logf.SetLogger(zap.New(zap.WriteTo(logs), zap.UseDevMode(true)))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("operator logs:\n%s", logs.String())
		}
	})

	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1.AddToScheme(scheme))
	env, err := testenv.Environment(t.Context(), repoRoot, nil)
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
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)

	admin, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	if err := testenv.InstallAdmission(ctx, admin, repoRoot); err != nil {
		t.Fatal(err)
	}

	// The operator, in-process.
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Cache:                  controller.CacheOptions(),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Controller:             config.Controller{SkipNameValidation: new(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	mgrCtx, stopMgr := context.WithCancel(ctx)
	if err := controller.SetupWithManager(mgrCtx, mgr, controller.Options{}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- mgr.Start(mgrCtx) }()
	t.Cleanup(func() {
		stopMgr()
		if err := <-done; err != nil {
			t.Errorf("manager: %v", err)
		}
	})

	c := &cluster{t: t, ctx: ctx, admin: admin, ns: "career", kubeconfig: map[string]string{}}
	if err := admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: c.ns}}); err != nil {
		t.Fatal(err)
	}

	// alice proposes, bob and dave vote, carol reviews, mallory has no rights.
	grants := map[string][]string{
		"alice":   {"skillmatrix-proposer", "skillmatrix-voter"},
		"bob":     {"skillmatrix-proposer", "skillmatrix-voter"},
		"dave":    {"skillmatrix-proposer", "skillmatrix-voter"},
		"carol":   {"skillmatrix-voter", "skillmatrix-reviewer"},
		"mallory": nil,
	}
	dir := t.TempDir()
	people, err := testenv.AddPeople(ctx, env, admin, grants)
	if err != nil {
		t.Fatal(err)
	}
	for name, person := range people {
		kc, err := person.User.KubeConfig()
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name+".kubeconfig")
		if err := os.WriteFile(path, kc, 0o600); err != nil {
			t.Fatal(err)
		}
		c.kubeconfig[name] = path
	}

	// The MLOps Engineer sample, applied by the platform team.
	for _, f := range []string{"career_v1alpha1_skillmatrix.yaml", "career_v1alpha1_role.yaml"} {
		objs, err := testenv.ReadObjects(filepath.Join(repoRoot, "config", "samples", f))
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range objs {
			u.SetNamespace(c.ns)
			if err := admin.Create(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
	}
	return c
}

// eventually polls cond until it holds or 30 seconds pass.
func (c *cluster) eventually(what string, cond func() bool) {
	c.t.Helper()
	err := wait.PollUntilContextTimeout(c.ctx, 100*time.Millisecond, 30*time.Second, true,
		func(context.Context) (bool, error) { return cond(), nil })
	if err != nil {
		c.t.Fatalf("timed out waiting until %s", what)
	}
}

func mustContain(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s does not contain %q:\n%s", what, sub, s)
		}
	}
}

func TestCLIAgainstAPIServer(t *testing.T) {
	c := startCluster(t)
	const name = "mlops-engineer-raise-kubernetes-core-to-advanced-at-senior"

	t.Run("render reads the Role and its SkillMatrix, not the ConfigMap", func(t *testing.T) {
		out := c.mustRun("bob", "render", "mlops-engineer", "-o", "csv")
		mustContain(t, "render -o csv", out, "cloud-infrastructure,Cloud & Infrastructure,kubernetes-core,Kubernetes Core,A,false,W,true,A,true")
	})

	t.Run("propose: unknown ids are refused before anything is sent", func(t *testing.T) {
		r := c.run("alice", "propose", "mlops-engineer", "--set", "kubernets-core@senior=V", "--title", "typo")
		if r.code != cli.ExitFailure {
			t.Errorf("exit %d, want %d", r.code, cli.ExitFailure)
		}
		mustContain(t, "stderr", r.stderr, `--set kubernets-core@senior=V: skill "kubernets-core" is not in the SkillMatrix's catalog; did you mean "kubernetes-core"?`)
		r = c.run("alice", "propose", "mlops-engnr", "--set", "kubernetes-core@senior=V", "--title", "typo")
		mustContain(t, "stderr", r.stderr, `career Role "mlops-engnr" not found in namespace "career"; did you mean "mlops-engineer"?`)
	})

	t.Run("alice proposes as herself, with from filled in", func(t *testing.T) {
		out := c.mustRun("alice", "propose", "mlops-engineer", "--set", "kubernetes-core@senior=V",
			"--title", "Raise Kubernetes Core to Advanced at Senior", "--description", "Seniors run GPU scheduling.")
		mustContain(t, "propose", out, "proposal.career.skillmatrix.dev/"+name+" created", "set kubernetes-core@senior to A → V")
		p := c.proposal(name)
		if p.Spec.Author != "alice" {
			t.Errorf("author = %q, want alice", p.Spec.Author)
		}
		ch := p.Spec.Changes[0]
		if ch.Op != v1.OpSetProficiency || ch.Proficiency != "V" || ch.From == nil || ch.From.Proficiency != "A" {
			t.Errorf("change = %+v", ch)
		}
	})

	t.Run("mallory, without RBAC, is told which verb she lacks", func(t *testing.T) {
		r := c.run("mallory", "vote", name, "approve")
		if r.code != cli.ExitFailure {
			t.Errorf("exit %d, want %d", r.code, cli.ExitFailure)
		}
		mustContain(t, "stderr", r.stderr, `permission denied: you need the RBAC verb "get" on proposals.career.skillmatrix.dev in namespace "career"`,
			"skillmatrix-viewer")
		r = c.run("mallory", "propose", "mlops-engineer", "--set", "kubernetes-core@senior=V", "--title", "x")
		mustContain(t, "stderr", r.stderr, `you need the RBAC verb "get" on roles.career.skillmatrix.dev in namespace "career"`)
	})

	t.Run("the author cannot vote on her own proposal", func(t *testing.T) {
		r := c.run("alice", "vote", name, "approve")
		mustContain(t, "stderr", r.stderr, "authors cannot vote on their own proposal")
	})

	t.Run("votes: one's own Ballot only", func(t *testing.T) { checkVotes(t, c, name) })

	t.Run("bob may not review: the admission policy says why", func(t *testing.T) {
		r := c.run("bob", "review", name, "approve")
		if r.code != cli.ExitFailure {
			t.Errorf("exit %d, want %d", r.code, cli.ExitFailure)
		}
		mustContain(t, "stderr", r.stderr, "refused by the admission policy", `RBAC does not grant the verb "review"`)
	})

	t.Run("status shows the tally and what is missing", func(t *testing.T) {
		c.eventually("the operator has counted the votes", func() bool {
			p := c.proposal(name)
			return p.Status.Phase == v1.PhaseOpen && p.Status.Tally != nil && p.Status.Tally.Approvals == 2
		})
		out := c.mustRun("alice", "status", name)
		mustContain(t, "status", out, "Votes: 2 approving, 0 rejecting (needs 2 approving and 66% approval)",
			"Reviews: 0 approving, 0 requesting changes (needs 1 approving)",
			"Phase:     Open", "Missing for acceptance: 1 more expert approval.", "Deadline:")
		list := c.mustRun("alice", "status")
		mustContain(t, "status list", list, "NAME", name, "Open", "+2/-0", "1 more expert approval")
	})

	t.Run("carol reviews and the operator applies the change", func(t *testing.T) {
		c.mustRun("carol", "review", name, "approve", "-m", "Right for GPU work.")
		c.eventually("the proposal is Applied", func() bool { return c.proposal(name).Status.Phase == v1.PhaseApplied })
		out := c.mustRun("dave", "status", name)
		mustContain(t, "status", out, "Phase:     Applied", "Closed: the Proposal is Applied.")
		csv := c.mustRun("dave", "render", "mlops-engineer", "-o", "csv")
		mustContain(t, "render -o csv", csv, "kubernetes-core,Kubernetes Core,A,false,W,true,V,true")
		r := c.run("dave", "vote", name, "reject")
		mustContain(t, "stderr", r.stderr, "is closed (phase Applied)")
	})

	t.Run("propose --dry-run -o yaml prints the Proposal and creates nothing", func(t *testing.T) {
		out := c.mustRun("bob", "propose", "mlops-engineer", "--dry-run", "-o", "yaml", "--title", "Terraform at Junior",
			"--require", "terraform@junior", "--focus", "junior=Pipelines first.")
		var p v1.Proposal
		if err := yaml.UnmarshalStrict([]byte(out), &p); err != nil {
			t.Fatalf("%v:\n%s", err, out)
		}
		if p.Spec.Author != "bob" || len(p.Spec.Changes) != 2 || *p.Spec.Changes[0].From.Required {
			t.Errorf("proposal = %+v", p.Spec)
		}
		var list v1.ProposalList
		if err := c.admin.List(c.ctx, &list, client.InNamespace(c.ns)); err != nil || len(list.Items) != 1 {
			t.Errorf("proposals = %d (%v), want 1", len(list.Items), err)
		}
	})

	t.Run("status gives the operator's outlook: Invalid and Conflicted, not what the votes alone say",
		func(t *testing.T) { checkStatusAgreement(t, c) })
}

// votesOf maps voter to "Decision:comment" of the votes cast on the
// Proposal name (its Ballots of kind Vote).
func votesOf(c *cluster, name string) map[string]string {
	out := map[string]string{}
	for _, b := range c.ballots(name) {
		if b.Spec.Kind == v1.BallotKindVote {
			out[string(b.Spec.Voter)] = string(b.Spec.Decision) + ":" + b.Spec.Comment
		}
	}
	return out
}

// checkVotes votes as bob and dave at the same time and one after the other,
// and checks that neither can touch the other's vote.
func checkVotes(t *testing.T, c *cluster, name string) {
	t.Run("withdraw takes back an entry of the deprecated spec.votes too", func(t *testing.T) {
		u := &unstructured.Unstructured{Object: map[string]any{
			"spec": map[string]any{"votes": []any{map[string]any{"voter": "bob", "decision": "Approve",
				"groups": []any{"engineers", "system:authenticated"}}}},
		}}
		u.SetAPIVersion(v1.GroupVersion.String())
		u.SetKind("Proposal")
		u.SetNamespace(c.ns)
		u.SetName(name)
		cfg, err := clientcmd.BuildConfigFromFlags("", c.kubeconfig["bob"])
		if err != nil {
			t.Fatal(err)
		}
		bob, err := client.New(cfg, client.Options{Scheme: c.admin.Scheme()})
		if err != nil {
			t.Fatal(err)
		}
		if err := bob.Apply(c.ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner("old-tool")); err != nil {
			t.Fatalf("bob's vote the old way: %v", err)
		}
		out := c.mustRun("bob", "vote", name, "withdraw")
		mustContain(t, "withdraw", out, "vote withdrawn for bob")
		if votes := c.proposal(name).Spec.Votes; len(votes) != 0 {
			t.Fatalf("spec.votes after bob withdrew: %v", votes)
		}
		out = c.mustRun("bob", "vote", name, "withdraw")
		mustContain(t, "withdraw again", out, "no vote of bob to withdraw")
	})

	t.Run("bob's and dave's concurrent votes both survive", func(t *testing.T) {
		var wg sync.WaitGroup
		results := make([]result, 2)
		for i, voter := range []string{"bob", "dave"} {
			wg.Go(func() { results[i] = c.run(voter, "vote", name, "approve", "-m", voter+" agrees") })
		}
		wg.Wait()
		for i, r := range results {
			if r.code != 0 {
				t.Fatalf("voter %d: exit %d: %s", i, r.code, r.stderr)
			}
		}
		votes := votesOf(c, name)
		if votes["bob"] != "Approve:bob agrees" || votes["dave"] != "Approve:dave agrees" {
			t.Fatalf("votes = %v", votes)
		}
	})

	t.Run("bob changing his vote leaves dave's alone", func(t *testing.T) {
		c.mustRun("bob", "vote", name, "reject", "-m", "second thoughts")
		out := c.mustRun("bob", "vote", name, "withdraw")
		mustContain(t, "withdraw", out, "vote withdrawn for bob")
		if votes := votesOf(c, name); len(votes) != 1 || votes["dave"] != "Approve:dave agrees" {
			t.Fatalf("after bob withdrew: votes = %v", votes)
		}
		c.mustRun("bob", "vote", name, "approve")
		votes := votesOf(c, name)
		if votes["bob"] != "Approve:" || votes["dave"] != "Approve:dave agrees" {
			t.Fatalf("votes = %v", votes)
		}
		// Each vote is a Ballot of its own, owned by its Proposal and
		// written under its voter's field manager.
		for _, b := range c.ballots(name) {
			if len(b.OwnerReferences) != 1 || b.OwnerReferences[0].Name != name {
				t.Errorf("ballot %s is not owned by its Proposal: %v", b.Name, b.OwnerReferences)
			}
			managers := map[string]bool{}
			for _, mf := range b.ManagedFields {
				managers[mf.Manager] = true
			}
			if !managers["kubectl-skillmatrix-"+string(b.Spec.Voter)] {
				t.Errorf("ballot %s: no managedFields entry of its voter's manager: %v", b.Name, managers)
			}
		}
	})

	t.Run("voting again, and a retry, write the same Ballot", func(t *testing.T) {
		before := c.ballots(name)
		c.mustRun("dave", "vote", name, "approve", "-m", "dave agrees")
		c.mustRun("dave", "vote", name, "approve", "-m", "dave agrees")
		if after := c.ballots(name); len(after) != len(before) {
			t.Errorf("%d ballots after voting again, want %d", len(after), len(before))
		}
	})

	t.Run("a name taken by someone else's Ballot: the vote is stored under another", func(t *testing.T) {
		cfg, err := clientcmd.BuildConfigFromFlags("", c.kubeconfig["dave"])
		if err != nil {
			t.Fatal(err)
		}
		dave, err := client.New(cfg, client.Options{Scheme: c.admin.Scheme()})
		if err != nil {
			t.Fatal(err)
		}
		p := c.proposal(name)
		squat := &v1.Ballot{
			ObjectMeta: metav1.ObjectMeta{Namespace: c.ns, Name: v1.BallotName(name, v1.BallotKindVote, "carol")},
			Spec: v1.BallotSpec{ProposalRef: v1.ObjectName(name), RoleRef: p.Spec.RoleRef, Kind: v1.BallotKindVote,
				Voter: "dave", Decision: v1.BallotApprove, Comment: "dave agrees",
				Groups: []string{"engineers", "system:authenticated"}, ProposalGeneration: p.Generation},
		}
		if err := dave.Create(c.ctx, squat); err != nil {
			t.Fatalf("dave taking carol's ballot name: %v", err)
		}
		out := c.mustRun("carol", "vote", name, "approve")
		mustContain(t, "carol's vote", out, "vote Approve as carol (ballot "+name+".vote.")
		if strings.Contains(out, squat.Name) {
			t.Errorf("carol's vote was written under dave's ballot %s: %s", squat.Name, out)
		}
		if votes := votesOf(c, name); votes["carol"] != "Approve:" {
			t.Errorf("carol's vote is not stored: %v", votes)
		}
		mustContain(t, "carol's withdrawal", c.mustRun("carol", "vote", name, "withdraw"), "vote withdrawn for carol")
		if err := dave.Delete(c.ctx, squat); err != nil {
			t.Fatal(err)
		}
		if votes := votesOf(c, name); len(votes) != 2 {
			t.Errorf("votes = %v, want bob's and dave's", votes)
		}
	})

	// vote and review send the UID they read with their apply: the API server
	// must refuse the apply when the Proposal is no longer that object, or
	// gone, rather than create a Proposal holding nothing but a vote.
	t.Run("the UID in an apply is a precondition", func(t *testing.T) {
		for _, target := range []string{name, "no-such-proposal"} {
			u := &unstructured.Unstructured{Object: map[string]any{
				"spec": map[string]any{"votes": []any{map[string]any{"voter": "admin", "decision": "Approve"}}},
			}}
			u.SetAPIVersion(v1.GroupVersion.String())
			u.SetKind("Proposal")
			u.SetNamespace(c.ns)
			u.SetName(target)
			u.SetUID("00000000-0000-0000-0000-000000000000")
			err := c.admin.Apply(c.ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner("uid-probe"))
			t.Logf("apply to %s with a foreign UID: %v", target, err)
			if err == nil || !strings.Contains(err.Error(), "uid") && !strings.Contains(err.Error(), "UID") {
				t.Errorf("apply to %s with a foreign UID: err = %v, want a UID precondition failure", target, err)
			}
		}
		if votes := votesOf(c, name); len(votes) != 2 || len(c.proposal(name).Spec.Votes) != 0 {
			t.Errorf("votes = %v, spec.votes = %v", votes, c.proposal(name).Spec.Votes)
		}
	})
}
