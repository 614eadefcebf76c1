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

package v1alpha1

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// reasonRow is a row of docs/conditions.md's table of reasons.
var reasonRow = regexp.MustCompile("^\\| `([A-Za-z]+)` \\| (Warning|Normal) \\|")

// TestReasonsTable holds docs/conditions.md to this package: every reason
// constant has exactly one row, with the Event type ReasonNeedsAction gives
// it, and the table names no other reason.
func TestReasonsTable(t *testing.T) {
	declared := declaredReasons(t)
	data, err := os.ReadFile("../../docs/conditions.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]string{}
	for line := range strings.SplitSeq(string(data), "\n") {
		m := reasonRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if _, twice := documented[m[1]]; twice {
			t.Errorf("docs/conditions.md lists %s twice", m[1])
		}
		documented[m[1]] = m[2]
	}
	for reason := range declared {
		want := "Normal"
		if ReasonNeedsAction(reason) {
			want = "Warning"
		}
		switch got, ok := documented[reason]; {
		case !ok:
			t.Errorf("docs/conditions.md does not list the reason %s (%s)", reason, want)
		case got != want:
			t.Errorf("docs/conditions.md says %s Events are %s; ReasonNeedsAction says %s", reason, got, want)
		}
	}
	for reason := range documented {
		if !declared[reason] {
			t.Errorf("docs/conditions.md lists %s, which api/v1alpha1 does not declare", reason)
		}
	}
	for reason := range actionReasons {
		if !declared[reason] {
			t.Errorf("actionReasons holds %q, which is no declared reason", reason)
		}
	}
	for reason := range warnOnlyReasons {
		if !ReasonNeedsAction(reason) || ReasonStalls(reason) {
			t.Errorf("%s warns and does not stall", reason)
		}
	}
}

// declaredReasons are the values of the Reason* constants of conditions.go.
func declaredReasons(t *testing.T) map[string]bool {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "conditions.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	ast.Inspect(file, func(n ast.Node) bool {
		spec, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		for i, name := range spec.Names {
			if !strings.HasPrefix(name.Name, "Reason") || i >= len(spec.Values) {
				continue
			}
			lit, ok := spec.Values[i].(*ast.BasicLit)
			if !ok {
				t.Fatalf("%s is not a string literal", name.Name)
			}
			value, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			out[value] = true
		}
		return true
	})
	if len(out) < 40 {
		t.Fatalf("found only %d reasons in conditions.go", len(out))
	}
	return out
}

// TestPhaseRules pins the phase rules: every phase is exactly one of open,
// in flight or closed, and votes freeze exactly when it closes.
func TestPhaseRules(t *testing.T) {
	all := []ProposalPhase{"", PhaseOpen, PhaseAccepted, PhaseCommitted, PhaseApplied, PhaseRejected, PhaseExpired,
		PhaseConflicted, PhaseInvalid, PhaseWithdrawn, PhaseAbandoned, PhaseDiverged, PhaseTimedOut}
	for _, p := range all {
		kinds := 0
		for _, is := range []bool{p.IsOpen(), p.InFlight(), p.IsClosed()} {
			if is {
				kinds++
			}
		}
		if kinds != 1 {
			t.Errorf("phase %q is open=%t, in flight=%t, closed=%t: want exactly one", p, p.IsOpen(), p.InFlight(), p.IsClosed())
		}
		if p.VotesFrozen() != p.IsClosed() || p.Withdrawable() != p.IsOpen() {
			t.Errorf("phase %q: votes frozen %t, withdrawable %t", p, p.VotesFrozen(), p.Withdrawable())
		}
		if p.IsGitEnded() && !p.IsClosed() {
			t.Errorf("phase %q ends write-back but is not closed", p)
		}
	}
	if !PhaseInvalid.IsClosed() || !PhaseConflicted.IsClosed() || !PhaseWithdrawn.IsClosed() {
		t.Error("Invalid, Conflicted and Withdrawn are closed")
	}
}
