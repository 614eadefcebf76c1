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

import (
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/cli"
)

// --dry-run=server sends the write with dryRun=All: admission judges it as
// it would the real one, and nothing is stored: no Ballot appears, and the
// resourceVersion of the Proposal does not move.
func TestDryRunAgainstAPIServer(t *testing.T) {
	c := startCluster(t)
	const name = "mlops-engineer-raise-kubernetes-core-to-advanced-at-senior"
	propose := []string{"propose", "mlops-engineer", "--set", "kubernetes-core@senior=V",
		"--title", "Raise Kubernetes Core to Advanced at Senior"}

	t.Run("propose --dry-run=server goes through admission and creates nothing", func(t *testing.T) {
		out := c.mustRun("alice", append(propose, "--dry-run=server")...)
		mustContain(t, "propose", out, "proposal.career.skillmatrix.dev/"+name+" created (server dry run)", "Nothing was created.")
		err := c.admin.Get(c.ctx, client.ObjectKey{Namespace: c.ns, Name: name}, &v1.Proposal{})
		if !apierrors.IsNotFound(err) {
			t.Fatalf("after a server dry run the Proposal exists (or: %v)", err)
		}
	})

	if out := c.mustRun("alice", append(propose, "-o", "name")...); out != "proposal.career.skillmatrix.dev/"+name+"\n" {
		t.Fatalf("propose -o name printed %q", out)
	}
	// The operator writes the Proposal's status once; after that only a
	// vote or review moves the resourceVersion.
	c.eventually("the operator has judged the Proposal", func() bool {
		p := c.proposal(name)
		return p.Status.Phase == v1.PhaseOpen && p.Status.Tally != nil
	})
	before := c.proposal(name).ResourceVersion
	unchanged := func(t *testing.T, what string) {
		t.Helper()
		p := c.proposal(name)
		if p.ResourceVersion != before || len(p.Spec.Votes) != 0 || len(p.Spec.Reviews) != 0 {
			t.Errorf("%s wrote: resourceVersion %s → %s, votes %v, reviews %v", what, before, p.ResourceVersion, p.Spec.Votes, p.Spec.Reviews)
		}
		if ballots := c.ballots(name); len(ballots) != 0 {
			t.Errorf("%s stored ballots: %v", what, ballots)
		}
	}

	t.Run("a forged vote with --dry-run=server is Forbidden and writes nothing", func(t *testing.T) {
		err := cli.ForgeVote(c.ctx, c.kubeconfig["bob"], c.ns, name, "dave")
		if !apierrors.IsForbidden(err) {
			t.Fatalf("bob's vote in dave's name: %v, want Forbidden", err)
		}
		mustContain(t, "the refusal", err.Error(), "refused by the admission policy")
		unchanged(t, "the forged vote")
		// The same path with bob's own name passes admission: the refusal
		// above is the policy's, not a broken request.
		if err := cli.ForgeVote(c.ctx, c.kubeconfig["bob"], c.ns, name, "bob"); err != nil {
			t.Fatalf("bob's own vote, server dry run: %v", err)
		}
		unchanged(t, "bob's own vote as a server dry run")
	})

	t.Run("a review by a user without the review verb, --dry-run=server: refused, nothing written", func(t *testing.T) {
		r := c.run("bob", "review", name, "approve", "--dry-run=server")
		if r.code != cli.ExitFailure {
			t.Errorf("exit %d, want %d", r.code, cli.ExitFailure)
		}
		mustContain(t, "stderr", r.stderr, "refused by the admission policy", `may not review proposals for Role "mlops-engineer"`)
		unchanged(t, "bob's review")
	})

	bobs := v1.BallotName(name, v1.BallotKindVote, "bob")
	t.Run("vote --dry-run=server -o yaml shows the Ballot as it would be", func(t *testing.T) {
		out := c.mustRun("bob", "vote", name, "approve", "-m", "looks right", "--dry-run=server", "-o", "yaml")
		var b v1.Ballot
		if err := yaml.UnmarshalStrict([]byte(out), &b); err != nil {
			t.Fatalf("not a Ballot: %v\n%s", err, out)
		}
		if b.Name != bobs || b.Spec.Voter != "bob" || b.Spec.Comment != "looks right" || b.Spec.ProposalRef != name ||
			b.Spec.ProposalGeneration != 1 || len(b.OwnerReferences) != 1 || b.ManagedFields != nil {
			t.Errorf("the dry run's Ballot: %+v", b)
		}
		unchanged(t, "vote --dry-run=server")
		out = c.mustRun("bob", "vote", name, "approve", "--dry-run=server")
		mustContain(t, "vote", out, name+": vote Approve as bob (ballot "+bobs+") (server dry run)", "Votes: 1 approving", "Nothing was written.")
		unchanged(t, "vote --dry-run=server")
	})

	t.Run("vote --dry-run prints the Ballot it would apply, sends nothing", func(t *testing.T) {
		out := c.mustRun("bob", "vote", name, "reject", "--dry-run", "-o", "yaml")
		mustContain(t, "vote --dry-run -o yaml", out, "kind: Ballot", "voter: bob", "decision: Reject", "uid: ", "proposalGeneration: 1")
		out = c.mustRun("bob", "vote", name, "reject", "--dry-run=client")
		mustContain(t, "vote --dry-run=client", out, name+": vote Reject as bob (ballot "+bobs+") (dry run)")
		unchanged(t, "vote --dry-run=client")
	})

	t.Run("a real vote stores the Ballot; -o name and status's formats", func(t *testing.T) {
		if out := c.mustRun("bob", "vote", name, "approve", "-o", "name"); out != "ballot.career.skillmatrix.dev/"+bobs+"\n" {
			t.Errorf("vote -o name printed %q", out)
		}
		if ballots := c.ballots(name); len(ballots) != 1 || ballots[0].Name != bobs {
			t.Errorf("the vote was not written: %v", ballots)
		}
		var st map[string]any
		if err := yaml.Unmarshal([]byte(c.mustRun("bob", "status", name, "-o", "yaml")), &st); err != nil || st["name"] != name {
			t.Errorf("status -o yaml: %v %v", err, st)
		}
		if out := c.mustRun("bob", "status", "-o", "name"); out != "proposal.career.skillmatrix.dev/"+name+"\n" {
			t.Errorf("status -o name printed %q", out)
		}
		wide := c.mustRun("bob", "status", "-o", "wide")
		header, row, _ := strings.Cut(wide, "\n")
		mustContain(t, "status -o wide", header, "OUTLOOK", "AGE", "TITLE")
		mustContain(t, "status -o wide", row, "Raise Kubernetes Core to Advanced at Senior")
		if r := c.run("bob", "status", name, "-o", "wide"); r.code != cli.ExitUsage {
			t.Errorf("status PROPOSAL -o wide: exit %d, want %d", r.code, cli.ExitUsage)
		}
	})
}
