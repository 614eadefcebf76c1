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

package resourcecustomizations

import (
	"bufio"
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// The Argo CD health checks must give the answer kstatus gives (docs/conditions.md):
// the operator sets Ready, Reconciling and Stalled in one place, and
// kubectl wait, Flux and Argo CD read them. These tests hold the Lua to
// that rule without a cluster.

// kstatus is what sigs.k8s.io/cli-utils/pkg/kstatus/status, the library
// kubectl's tooling and Flux judge health with, reads from the object.
func kstatus(obj map[string]any) string {
	res, err := status.Compute(&unstructured.Unstructured{Object: obj})
	if err != nil {
		return "error: " + err.Error()
	}
	return string(res.Status)
}

// argoHealthOf is the Argo CD health that says what a kstatus status says.
var argoHealthOf = map[string]string{"Current": "Healthy", "InProgress": "Progressing", "Failed": "Degraded"}

// progress is where the operator says an object stands (conditionSet.conclude).
type progress int

const (
	done     progress = iota // Ready=True
	inFlight                 // Ready=False, Reconciling=True
	stalled                  // Ready=False, Stalled=True
)

const (
	testGeneration = 4
	testTime       = "2026-03-04T16:20:00Z"
)

func condition(condType string, condStatus metav1.ConditionStatus, reason, message string) metav1.Condition {
	when, err := time.Parse(time.RFC3339, testTime)
	if err != nil {
		panic(err)
	}
	return metav1.Condition{Type: condType, Status: condStatus, Reason: reason, Message: message,
		ObservedGeneration: testGeneration, LastTransitionTime: metav1.NewTime(when)}
}

// conclude sets Ready, Reconciling and Stalled as conditionSet.conclude
// does: Ready True only when done, the flag of the progress present and
// True, the other absent, all three with the same reason and message.
func conclude(conditions *[]metav1.Condition, p progress, reason, message string) {
	ready := metav1.ConditionFalse
	if p == done {
		ready = metav1.ConditionTrue
	}
	meta.SetStatusCondition(conditions, condition(v1.ConditionReady, ready, reason, message))
	for flag, on := range map[string]bool{v1.ConditionReconciling: p == inFlight, v1.ConditionStalled: p == stalled} {
		if on {
			meta.SetStatusCondition(conditions, condition(flag, metav1.ConditionTrue, reason, message))
		} else {
			meta.RemoveStatusCondition(conditions, flag)
		}
	}
}

// holdReasons are the reasons an accepted Proposal's Applied or Committed
// condition can hold it with: the promotion guard and every Git write-back
// outcome short of a commit, and the progress on the way.
var holdReasons = []string{
	v1.ReasonPromotionHeld,
	v1.ReasonWriteBackAmbiguous, v1.ReasonWriteBackSuspended, v1.ReasonWriteBackConfigInvalid,
	v1.ReasonSecretNotFound, v1.ReasonSecretForbidden, v1.ReasonGitAuthenticationFail, v1.ReasonGitUnreachable,
	v1.ReasonGitRepositoryNotFound, v1.ReasonGitBranchNotFound, v1.ReasonGitPushRaced,
	v1.ReasonManifestNotFound, v1.ReasonManifestAmbiguous, v1.ReasonManifestNotPlain, v1.ReasonGitBranchTaken,
	v1.ReasonHostKeyMismatch, v1.ReasonHostKeyUnknown, v1.ReasonKnownHostsMissing, v1.ReasonKnownHostsInvalid,
	v1.ReasonSSHIdentityInvalid, v1.ReasonSwitchOverPending,
	v1.ReasonCommitting, v1.ReasonAwaitingSync, v1.ReasonMerged, v1.ReasonNotAccepted,
}

// proposalCase is one status the operator writes for a Proposal.
type proposalCase struct {
	name   string
	status v1.ProposalStatus
	// want is the Argo CD health docs/argocd.md promises for it.
	want string
}

// proposalCases builds, for every phase of the phase rules, the statuses
// the operator writes (concludeProposal in internal/controller): Open and
// every closed phase but Invalid are done, with the phase as reason;
// Invalid stalls on InvalidChanges; an in-flight phase is in flight with
// the phase as reason unless its Applied or Committed condition holds it
// on a reason that needs a person (then it stalls on that reason); a
// Proposal still being decided waits for a missing Role or SkillMatrix,
// and any reconcile not closed may be retried after an error.
func proposalCases() []proposalCase {
	var phases []v1.ProposalPhase
	for _, phase := range slices.Concat(v1.OpenPhases(), v1.InFlightPhases(), v1.ClosedPhases()) {
		if !slices.Contains(phases, phase) {
			phases = append(phases, phase)
		}
	}
	var cases []proposalCase
	add := func(name string, phase v1.ProposalPhase, p progress, reason, message, want string, held ...metav1.Condition) {
		s := v1.ProposalStatus{ObservedGeneration: testGeneration, Phase: phase, Message: "the message of " + string(phase)}
		s.Conditions = append(s.Conditions, held...)
		conclude(&s.Conditions, p, reason, message)
		cases = append(cases, proposalCase{name: name, status: s, want: want})
	}
	for _, phase := range phases {
		name := cmp.Or(string(phase), `""`)
		message := "the message of " + string(phase)
		switch {
		case phase == v1.PhaseInvalid:
			add(name, phase, stalled, v1.ReasonInvalidChanges, message, "Degraded")
		case phase == v1.PhaseOpen || phase.IsClosed():
			add(name, phase, done, string(phase), message, "Healthy")
		case phase.InFlight():
			add(name, phase, inFlight, string(phase), message, "Progressing")
			for _, reason := range holdReasons {
				for _, condType := range []string{v1.ConditionApplied, v1.ConditionCommitted} {
					held := condition(condType, metav1.ConditionFalse, reason, "held: "+reason)
					if v1.ReasonStalls(reason) {
						add(name+" held by "+condType+" "+reason, phase, stalled, reason, held.Message, "Degraded", held)
					} else {
						add(name+" waiting on "+condType+" "+reason, phase, inFlight, string(phase), message, "Progressing", held)
					}
				}
			}
		}
		if phase.IsClosed() {
			continue // the operator only observes a closed Proposal
		}
		for _, missing := range []string{v1.ReasonRoleNotFound, v1.ReasonMatrixNotFound} {
			valid := condition(v1.ConditionValid, metav1.ConditionUnknown, missing, "it does not exist")
			add(name+" "+missing, phase, inFlight, missing, valid.Message, "Progressing", valid)
		}
		add(name+" Retrying", phase, inFlight, v1.ReasonRetrying, "an API error", "Progressing")
	}
	return cases
}

func unstructuredOf(t *testing.T, obj runtime.Object) map[string]any {
	t.Helper()
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// expectedMessage is the message style of the scripts: "<reason>:
// <message>", the reason left out when it is Ready.
func expectedMessage(reason, message string) string {
	if reason == v1.ReasonReady {
		return message
	}
	return reason + ": " + message
}

// deciding is the condition kstatus and the scripts read the answer from.
func deciding(conditions []metav1.Condition) *metav1.Condition {
	for _, condType := range []string{v1.ConditionStalled, v1.ConditionReconciling, v1.ConditionReady} {
		if c := meta.FindStatusCondition(conditions, condType); c != nil && c.Status == metav1.ConditionTrue {
			return c
		}
	}
	return nil
}

// TestProposalHealthIsKstatus holds the Proposal health check to kstatus
// for every phase of api/v1alpha1's phase rules, as the operator concludes
// it, and once more while a new generation waits to be observed.
func TestProposalHealthIsKstatus(t *testing.T) {
	script := readScript(t, "Proposal")
	cases := proposalCases()
	if len(cases) < len(v1.ClosedPhases())+len(v1.OpenPhases())+len(v1.InFlightPhases()) {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := &v1.Proposal{
				TypeMeta:   metav1.TypeMeta{APIVersion: v1.GroupVersion.String(), Kind: "Proposal"},
				ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "career", Generation: testGeneration},
				Status:     c.status,
			}
			checkAgainstKstatus(t, script, unstructuredOf(t, p), c.want, c.status.Conditions)
			p.Generation++
			checkAgainstKstatus(t, script, unstructuredOf(t, p), "Progressing", nil)
		})
	}
}

// TestRoleAndSkillMatrixHealthIsKstatus does the same for every reason a
// Role or SkillMatrix concludes with (docs/conditions.md, Where each kind
// stands).
func TestRoleAndSkillMatrixHealthIsKstatus(t *testing.T) {
	standings := map[string]map[string]progress{
		"Role": {
			v1.ReasonReady:          done,
			v1.ReasonMatrixNotFound: inFlight, v1.ReasonPublishFailed: inFlight, v1.ReasonRetrying: inFlight,
			v1.ReasonInvalidSpec: stalled, v1.ReasonMatrixInvalid: stalled, v1.ReasonRenderFailed: stalled,
			v1.ReasonTooLarge: stalled, v1.ReasonConfigMapConflict: stalled,
		},
		"SkillMatrix": {
			v1.ReasonReady:         done,
			v1.ReasonPublishFailed: inFlight, v1.ReasonRetrying: inFlight,
			v1.ReasonInvalidSpec: stalled, v1.ReasonRenderFailed: stalled,
			v1.ReasonTooLarge: stalled, v1.ReasonConfigMapConflict: stalled,
		},
	}
	want := map[progress]string{done: "Healthy", inFlight: "Progressing", stalled: "Degraded"}
	for _, kind := range []string{"Role", "SkillMatrix"} {
		script := readScript(t, kind)
		for reason, p := range standings[kind] {
			t.Run(kind+"/"+reason, func(t *testing.T) {
				valid := condition(v1.ConditionValid, metav1.ConditionTrue, v1.ReasonValid, "valid")
				if p != done {
					valid = condition(v1.ConditionValid, metav1.ConditionFalse, reason, "why: "+reason)
				}
				conditions := []metav1.Condition{valid}
				conclude(&conditions, p, reason, "the Ready message")
				var obj runtime.Object
				objectMeta := metav1.ObjectMeta{Name: "o", Namespace: "career", Generation: testGeneration}
				typeMeta := metav1.TypeMeta{APIVersion: v1.GroupVersion.String(), Kind: kind}
				switch kind {
				case "Role":
					obj = &v1.Role{TypeMeta: typeMeta, ObjectMeta: objectMeta,
						Status: v1.RoleStatus{ObservedGeneration: testGeneration, Conditions: conditions}}
				default:
					obj = &v1.SkillMatrix{TypeMeta: typeMeta, ObjectMeta: objectMeta,
						Status: v1.SkillMatrixStatus{ObservedGeneration: testGeneration, Conditions: conditions}}
				}
				u := unstructuredOf(t, obj)
				got := checkAgainstKstatus(t, script, u, want[p], conditions)
				if p != done && !strings.HasSuffix(got.Message, "; why: "+reason) {
					t.Errorf("message %q does not end with the message of Valid, which says why", got.Message)
				}
			})
		}
	}
}

// checkAgainstKstatus runs the script on obj and checks its health against
// kstatus and want, and its message against the deciding condition (when
// conditions are given).
func checkAgainstKstatus(t *testing.T, script string, obj map[string]any, want string,
	conditions []metav1.Condition) healthStatus {
	t.Helper()
	got, err := runHealth(obj, script, false)
	if err != nil {
		t.Fatal(err)
	}
	ks := kstatus(obj)
	if got.Status != argoHealthOf[ks] {
		t.Errorf("Argo CD health %s (%s), but kstatus reads %s", got.Status, got.Message, ks)
	}
	if got.Status != want {
		t.Errorf("Argo CD health %s (%s), want %s", got.Status, got.Message, want)
	}
	if c := deciding(conditions); c != nil {
		if prefix := expectedMessage(c.Reason, c.Message); !strings.HasPrefix(got.Message, prefix) {
			t.Errorf("message %q, want it to start with %q", got.Message, prefix)
		}
	}
	return got
}

const olderOperator = "no Ready=True, Reconciling or Stalled (an older operator)"

// kstatusDivergence says why the health of a testdata case may differ
// from kstatus, or "" when it must not. The scripts are stricter than
// kstatus in three places, none of which the current operator leaves
// standing: an object the operator has not written a status for (kstatus:
// Current; Argo CD must not call it Healthy before the operator judged it),
// a status without Ready, Reconciling or Stalled, or with Ready not True
// and neither flag (an operator older than these conditions), and a
// Ready, Reconciling or Stalled condition stamped with an older generation.
func kstatusDivergence(obj *unstructured.Unstructured) string {
	st, found, _ := unstructured.NestedMap(obj.Object, "status")
	if !found || st == nil {
		return "no status"
	}
	conditions, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	flags, readyTrue := false, false
	for _, c := range conditions {
		cond, _ := c.(map[string]any)
		switch cond["type"] {
		case v1.ConditionReady, v1.ConditionReconciling, v1.ConditionStalled:
			if g, ok := cond["observedGeneration"].(int64); ok && g < obj.GetGeneration() {
				return "a condition of an older generation"
			}
			if cond["status"] == "True" {
				flags = flags || cond["type"] != v1.ConditionReady
				readyTrue = readyTrue || cond["type"] == v1.ConditionReady
			}
		}
	}
	if !flags && !readyTrue {
		return olderOperator
	}
	return ""
}

// TestCasesAgreeWithKstatus reads every testdata case with kstatus as well:
// the expected health must be the one kstatus gives, except where the
// scripts are documented to be stricter (kstatusDivergence), and there it
// is Progressing.
func TestCasesAgreeWithKstatus(t *testing.T) {
	for _, kind := range kinds {
		for _, tc := range loadCases(t, kind) {
			if prefix, _, _ := strings.Cut(filepath.Base(tc.inputPath), "_"); !strings.EqualFold(prefix, tc.want.Status) {
				t.Errorf("%s/%s expects %s: name it %s_...", kind, tc.inputPath, tc.want.Status, strings.ToLower(tc.want.Status))
			}
			obj := loadObject(t, filepath.Join(group, kind, tc.inputPath))
			if why := kstatusDivergence(obj); why != "" {
				if tc.want.Status != "Progressing" {
					t.Errorf("%s/%s: %s, expected %s; want Progressing", kind, tc.inputPath, why, tc.want.Status)
				}
				continue
			}
			if ks := kstatus(obj.Object); tc.want.Status != argoHealthOf[ks] {
				t.Errorf("%s/%s expects %s, but kstatus reads %s", kind, tc.inputPath, tc.want.Status, ks)
			}
		}
	}
}

// TestCasesCoverEveryStanding checks that the testdata has a case, as the
// operator writes it, for every phase of the phase rules and every reason
// family of Reconciling and Stalled, and one written by an older operator
// for each kind.
func TestCasesCoverEveryStanding(t *testing.T) {
	// writeBack stands for the Git write-back reasons that need a person.
	const writeBack = "a Git write-back reason"
	want := map[string][]string{
		"Proposal": {
			"Ready " + v1.ReasonOpen,
			"Reconciling " + string(v1.PhaseAccepted), "Reconciling " + string(v1.PhaseCommitted),
			"Reconciling " + v1.ReasonRoleNotFound, "Reconciling " + v1.ReasonMatrixNotFound, "Reconciling " + v1.ReasonRetrying,
			"Stalled " + v1.ReasonInvalidChanges, "Stalled " + v1.ReasonPromotionHeld, "Stalled " + writeBack,
		},
		"Role": {
			"Ready " + v1.ReasonReady,
			"Reconciling " + v1.ReasonMatrixNotFound, "Reconciling " + v1.ReasonPublishFailed,
			"Reconciling " + v1.ReasonRetrying,
			"Stalled " + v1.ReasonInvalidSpec, "Stalled " + v1.ReasonMatrixInvalid, "Stalled " + v1.ReasonRenderFailed,
			"Stalled " + v1.ReasonTooLarge, "Stalled " + v1.ReasonConfigMapConflict,
		},
		"SkillMatrix": {
			"Ready " + v1.ReasonReady,
			"Reconciling " + v1.ReasonPublishFailed, "Reconciling " + v1.ReasonRetrying,
			"Stalled " + v1.ReasonInvalidSpec, "Stalled " + v1.ReasonRenderFailed,
			"Stalled " + v1.ReasonTooLarge, "Stalled " + v1.ReasonConfigMapConflict,
		},
	}
	for _, phase := range slices.Concat(v1.OpenPhases(), v1.InFlightPhases(), v1.ClosedPhases()) {
		want["Proposal"] = append(want["Proposal"], fmt.Sprintf("phase %q", phase))
	}
	for _, kind := range kinds {
		seen := map[string]bool{}
		for _, tc := range loadCases(t, kind) {
			obj := loadObject(t, filepath.Join(group, kind, tc.inputPath))
			if why := kstatusDivergence(obj); why != "" {
				if why == olderOperator {
					seen[olderOperator] = true
				}
				continue
			}
			if kind == "Proposal" {
				phase, _, _ := unstructured.NestedString(obj.Object, "status", "phase")
				seen[fmt.Sprintf("phase %q", phase)] = true
			}
			conditions, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
			for _, c := range conditions {
				cond, _ := c.(map[string]any)
				condType, _ := cond["type"].(string)
				reason, _ := cond["reason"].(string)
				summary := []string{v1.ConditionReady, v1.ConditionReconciling, v1.ConditionStalled}
				if cond["status"] != "True" || !slices.Contains(summary, condType) {
					continue
				}
				seen[condType+" "+reason] = true
				if condType == v1.ConditionStalled && v1.ReasonStalls(reason) &&
					!slices.Contains([]string{v1.ReasonInvalidChanges, v1.ReasonPromotionHeld}, reason) && kind == "Proposal" {
					seen["Stalled "+writeBack] = true
				}
			}
		}
		for _, w := range append(want[kind], olderOperator) {
			if !seen[w] {
				t.Errorf("%s: no case for %s", kind, w)
			}
		}
	}
}

// scriptParts splits a script into its header (the comment lines it starts
// with) and its body (the rest).
func scriptParts(script string) (header, body string) {
	sc := bufio.NewScanner(strings.NewReader(script))
	n := 0
	for sc.Scan() {
		if !strings.HasPrefix(sc.Text(), "--") {
			break
		}
		n += len(sc.Text()) + 1
	}
	return script[:n], script[n:]
}

// TestHealthChecksShareOneBody: Argo CD needs a script per kind, but the
// rule is one, so the three scripts differ only in their header comment.
func TestHealthChecksShareOneBody(t *testing.T) {
	var first string
	for i, kind := range kinds {
		header, body := scriptParts(readScript(t, kind))
		want := fmt.Sprintf("-- Health of a %s/%s %s ", group, v1.GroupVersion.Version, kind)
		if !strings.HasPrefix(header, want) {
			t.Errorf("%s: the header does not start with %q", scriptPath(kind), want)
		}
		if strings.TrimSpace(body) == "" {
			t.Fatalf("%s: no body after the header comment", scriptPath(kind))
		}
		if i == 0 {
			first = body
			continue
		}
		if body != first {
			t.Errorf("%s differs from %s below the header comment: the three kinds share one rule",
				scriptPath(kind), scriptPath(kinds[0]))
		}
	}
}
