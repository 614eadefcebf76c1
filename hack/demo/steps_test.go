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
	"slices"
	"testing"

	careerv1alpha1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// The files the printed commands create, which docs/demo.md shows; the
// check mode (make demo-check) proves they work against the API server.
func TestBallotFiles(t *testing.T) {
	d := &demo{proposal: "mlops-engineer-kubernetes-senior"}
	forged, bob, dave, carol := d.ballots()
	for _, c := range []struct {
		b                 ballotFile
		file, user, voter string
		kind              careerv1alpha1.BallotKind
		decision          careerv1alpha1.BallotDecision
	}{
		{forged, "forged-vote.yaml", "dave", "bob", careerv1alpha1.BallotKindVote, careerv1alpha1.BallotReject},
		{bob, "bob-vote.yaml", "bob", "bob", careerv1alpha1.BallotKindVote, careerv1alpha1.BallotApprove},
		{dave, "dave-vote.yaml", "dave", "dave", careerv1alpha1.BallotKindVote, careerv1alpha1.BallotApprove},
		{carol, "carol-review.yaml", "carol", "carol", careerv1alpha1.BallotKindReview, careerv1alpha1.BallotApprove},
	} {
		b := c.b.ballot
		if c.b.file != c.file || c.b.user != c.user || string(b.Spec.Voter) != c.voter || b.Spec.Kind != c.kind ||
			b.Spec.Decision != c.decision || b.Spec.ProposalRef != "mlops-engineer-kubernetes-senior" ||
			b.Spec.RoleRef != "mlops-engineer" || b.Spec.ProposalGeneration != 1 || b.Namespace != namespace ||
			!slices.Equal(b.Spec.Groups, []string{"engineers", "system:authenticated"}) {
			t.Errorf("%s: %+v", c.file, b)
		}
	}
	want := careerv1alpha1.BallotName("mlops-engineer-kubernetes-senior", careerv1alpha1.BallotKindVote, "bob")
	if bob.ballot.Name != want {
		t.Errorf("bob's ballot is named %s, not as kubectl skillmatrix names it", bob.ballot.Name)
	}
}

func TestPrintedCommands(t *testing.T) {
	d := &demo{relDir: "bin/demo", proposal: "mlops-engineer-kubernetes-senior", configMap: "mlops-engineer-matrix"}
	_, _, dave, _ := d.ballots()
	for _, c := range []struct{ got, want string }{
		{d.proposeCommand(),
			"KUBECONFIG=bin/demo/alice.kubeconfig kubectl apply -n demo -f config/samples/career_v1alpha1_proposal.yaml"},
		{d.ballotCommand(dave), "KUBECONFIG=bin/demo/dave.kubeconfig kubectl create -n demo -f bin/demo/dave-vote.yaml"},
		{d.matrixRowCommand(),
			"KUBECONFIG=bin/demo/kubeconfig kubectl get cm mlops-engineer-matrix -n demo " +
				`-o jsonpath='{.data.matrix\.md}' | grep 'Kubernetes Core |'`},
	} {
		if c.got != c.want {
			t.Errorf("command\n got %s\nwant %s", c.got, c.want)
		}
	}
}

func TestKubernetesCoreChanged(t *testing.T) {
	md := "# MLOps Engineer\n\n| Skill | Jun | Mid | Sen | Lead | Princ |\n|---|---|---|---|---|---|\n" +
		"| Kubernetes Core | A | **W**\\* | **A**\\* | **E**\\* | **E**\\* |\n" +
		"- **Kubernetes Core**: Deploying and operating workloads on Kubernetes.\n"
	row, ok := markdownRow(md, "Kubernetes Core")
	if !ok || row != `| Kubernetes Core | A | **W**\* | **A**\* | **E**\* | **E**\* |` {
		t.Fatalf("markdownRow = %q, %v", row, ok)
	}
	if kubernetesCoreChanged(row) {
		t.Errorf("the sample's row counts as changed: %s", row)
	}
	for row, want := range map[string]bool{
		`| Kubernetes Core | **A**\* | **W**\* | **V**\* | **E**\* | **E**\* |`: true,
		`| Kubernetes Core | A | **W**\* | **V**\* | **E**\* | **E**\* |`:       false, // not yet required at Junior
		`| Kubernetes Core | **A**\* | **W**\* | **A**\* | **E**\* | **E**\* |`: false, // Senior unchanged
		`| Kubernetes Core |`: false,
	} {
		if got := kubernetesCoreChanged(row); got != want {
			t.Errorf("kubernetesCoreChanged(%s) = %v, want %v", row, got, want)
		}
	}
}

func TestChangedLines(t *testing.T) {
	got := changedLines("a\nb\nc\n", "a\nB\nc\n\n")
	if want := []string{"- b", "+ B"}; !slices.Equal(got, want) {
		t.Errorf("changedLines = %q, want %q", got, want)
	}
}
