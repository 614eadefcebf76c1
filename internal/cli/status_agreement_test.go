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
	"encoding/json"
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// checkStatusAgreement shows that `status` gives the outlook the operator
// gives, in the cases where the CLI's own tally-only outlook used to differ:
// a Proposal whose changes do not fit the SkillMatrix (the operator:
// Invalid, closed at once, so nobody can vote on it; votes alone: Open), and
// one whose `from` no longer holds (the operator: Conflicted; votes alone:
// Open).
func checkStatusAgreement(t *testing.T, c *cluster) {
	alice := c.userClient("alice")
	newProposal := func(name string, change v1.Change) {
		t.Helper()
		p := &v1.Proposal{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: c.ns},
			Spec: v1.ProposalSpec{RoleRef: "mlops-engineer", Title: name, Author: "alice",
				Changes: []v1.Change{change}},
		}
		if err := alice.Create(c.ctx, p); err != nil {
			t.Fatalf("creating %s as alice: %v", name, err)
		}
	}

	newProposal("agree-invalid", v1.Change{Op: v1.OpSetProficiency, Skill: "kubernetes-core", Level: "lead", Proficiency: "X"})

	role := &v1.Role{}
	if err := c.admin.Get(c.ctx, client.ObjectKey{Namespace: c.ns, Name: "mlops-engineer"}, role); err != nil {
		t.Fatal(err)
	}
	newProposal("agree-conflicted", v1.Change{Op: v1.OpSetProficiency, Skill: "kubernetes-core", Level: "middle",
		Proficiency: "V", From: &v1.ChangeValue{Proficiency: "W"}})
	i := slices.IndexFunc(role.Spec.Skills, func(s v1.SkillRequirement) bool { return s.ID == "kubernetes-core" })
	j := slices.IndexFunc(role.Spec.Skills[i].Cells, func(cell v1.Cell) bool { return cell.Level == "middle" })
	role.Spec.Skills[i].Cells[j].Proficiency = "A" // a human edit the Proposal did not expect
	if err := c.admin.Update(c.ctx, role); err != nil {
		t.Fatal(err)
	}

	for name, want := range map[string]v1.ProposalPhase{"agree-invalid": v1.PhaseInvalid, "agree-conflicted": v1.PhaseConflicted} {
		c.eventually(name+" is "+string(want), func() bool { return c.proposal(name).Status.Phase == want })
		p := c.proposal(name)
		var st struct {
			Outlook  string   `json:"outlook"`
			Blockers []string `json:"blockers"`
		}
		out := c.mustRun("dave", "status", name, "-o", "json")
		if err := json.Unmarshal([]byte(out), &st); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		if st.Outlook != string(p.Status.Phase) {
			t.Errorf("%s: status says %s, the operator %s", name, st.Outlook, p.Status.Phase)
		}
		matrix := &v1.SkillMatrix{}
		if err := c.admin.Get(c.ctx, client.ObjectKey{Namespace: c.ns, Name: string(role.Spec.MatrixRef)}, matrix); err != nil {
			t.Fatal(err)
		}
		policy := governance.Effective(matrix.Spec.Governance, role.Spec.Governance)
		votesAlone := governance.Decide(governance.Count(&p.Spec), policy, governance.Deadline(p.CreationTimestamp.Time, policy),
			p.CreationTimestamp.Time)
		if votesAlone.Phase == p.Status.Phase {
			t.Errorf("%s: the votes alone already say %s; the case shows no disagreement", name, votesAlone.Phase)
		}
	}
	st := c.mustRun("dave", "status", "agree-invalid")
	mustContain(t, "status of an invalid Proposal", st, "The rules say Invalid", `"X"`)
	out := c.run("bob", "vote", "agree-invalid", "approve")
	if out.code == 0 {
		t.Errorf("a vote on a closed Invalid Proposal was accepted: %s", out.stdout)
	}
	mustContain(t, "a vote on an Invalid Proposal", out.stderr, "is closed (phase Invalid)")
}

// userClient is a client acting as one of the test's users.
func (c *cluster) userClient(user string) client.Client {
	c.t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", c.kubeconfig[user])
	if err != nil {
		c.t.Fatal(err)
	}
	cl, err := client.New(cfg, client.Options{Scheme: c.admin.Scheme()})
	if err != nil {
		c.t.Fatal(err)
	}
	return cl
}
