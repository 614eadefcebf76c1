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
	"testing"

	"github.com/skillmatrix-dev/skillmatrix-operator/internal/cli"
)

func TestWithdrawAgainstAPIServer(t *testing.T) {
	c := startCluster(t)
	const name = "mlops-engineer-raise-kubernetes-core-to-advanced-at-senior"
	c.mustRun("alice", "propose", "mlops-engineer", "--set", "kubernetes-core@senior=V",
		"--title", "Raise Kubernetes Core to Advanced at Senior")
	c.mustRun("bob", "vote", name, "approve")

	t.Run("only the author may withdraw", func(t *testing.T) {
		r := c.run("bob", "withdraw", name)
		if r.code != cli.ExitFailure {
			t.Errorf("exit %d, want %d", r.code, cli.ExitFailure)
		}
		mustContain(t, "stderr", r.stderr, `you (bob) are not the author of proposal "`+name+`" (alice is): only the author may withdraw it`)
		if c.proposal(name).Spec.Withdrawn {
			t.Fatal("bob withdrew alice's proposal")
		}
	})

	t.Run("the author withdraws her open proposal", func(t *testing.T) {
		out := c.mustRun("alice", "withdraw", name)
		mustContain(t, "withdraw", out, name+": withdrawn by alice")
		if !c.proposal(name).Spec.Withdrawn {
			t.Fatal("spec.withdrawn is not set")
		}
		out = c.mustRun("alice", "withdraw", name)
		mustContain(t, "withdraw again", out, name+": already withdrawn")
	})

	t.Run("a missing proposal is named", func(t *testing.T) {
		r := c.run("alice", "withdraw", "no-such-proposal")
		mustContain(t, "stderr", r.stderr, `"no-such-proposal" not found`)
	})
}
