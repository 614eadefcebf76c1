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
)

// The printed commands are the plugin's, and docs/demo.md shows them; the
// check mode (make demo-check) runs them against the API server.
func TestPrintedCommands(t *testing.T) {
	d := &demo{relDir: "bin/demo", proposal: "mlops-engineer-kubernetes-senior", configMap: "mlops-engineer-matrix"}
	for _, c := range []struct{ got, want string }{
		{d.pluginCommand("alice", d.proposeArgs()),
			"KUBECONFIG=bin/demo/alice.kubeconfig kubectl skillmatrix -n demo propose mlops-engineer " +
				"--name mlops-engineer-kubernetes-senior --set kubernetes-core@senior=V --require kubernetes-core@junior " +
				"--title 'Raise Kubernetes Core to Advanced at Senior and require it from Junior' " +
				"--description 'Seniors run GPU scheduling and custom operators on the clusters their models use.'"},
		{d.pluginCommand("bob", d.approveArgs("Seniors run our GPU clusters.")),
			"KUBECONFIG=bin/demo/bob.kubeconfig kubectl skillmatrix -n demo vote mlops-engineer-kubernetes-senior " +
				"approve -m 'Seniors run our GPU clusters.'"},
		{d.pluginCommand("carol", d.reviewArgs("approve", "")),
			"KUBECONFIG=bin/demo/carol.kubeconfig kubectl skillmatrix -n demo review mlops-engineer-kubernetes-senior approve"},
		{d.matrixRowCommand(),
			"KUBECONFIG=bin/demo/kubeconfig kubectl get cm mlops-engineer-matrix -n demo " +
				`-o jsonpath='{.data.matrix\.md}' | grep 'Kubernetes Core |'`},
		{shellWords([]string{"it's", "a b", "$x", "plain"}), `'it'\''s' 'a b' '$x' plain`},
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
