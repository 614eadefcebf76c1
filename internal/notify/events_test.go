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

package notify

import (
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

func eventTypes(events []Event) []v1.NotificationEvent {
	out := make([]v1.NotificationEvent, 0, len(events))
	for _, e := range events {
		out = append(out, e.Type)
	}
	return out
}

func TestProposalEventsFollowThePhase(t *testing.T) {
	w := newWorld()
	p := w.propose("p", t0)
	p.Status.Tally = &v1.Tally{RequiredReviews: 1}
	matrix := &v1.SkillMatrixSpec{Categories: []v1.Category{
		{ID: "cloud", Owners: []v1.Username{"carol", "alice"}, Skills: []v1.Skill{{ID: "kubernetes-core"}}},
		{ID: "data", Owners: []v1.Username{"erin"}, Skills: []v1.Skill{{ID: "spark"}}},
	}}
	p.Spec.Changes = []v1.Change{{Op: v1.OpSetProficiency, Skill: "kubernetes-core", Level: "senior", Proficiency: "V"}}
	p.Spec.Reviews = []v1.Review{{Reviewer: "dave", Decision: v1.ReviewRequestChanges}}
	reviewed := []v1.Username{"gina"} // through a Ballot

	events, wake := ProposalEvents(p, matrix, reviewed, t0.Add(time.Hour), 24*time.Hour)
	if got := eventTypes(events); !slices.Equal(got, []v1.NotificationEvent{v1.EventOpened, v1.EventReviewNeeded}) {
		t.Fatalf("open: %v", got)
	}
	if want := t0.Add(144 * time.Hour); !wake.Equal(want) {
		t.Errorf("wake %v, want the reminder at %v", wake, want)
	}
	review := events[1]
	// The author owns the category but is never asked; dave and gina
	// reviewed already; erin owns a category the Proposal does not touch.
	if got := review.Asked([]v1.Username{"frank", "dave", "gina"}); !slices.Equal(got, []v1.Username{"frank", "carol"}) {
		t.Errorf("asked %v", got)
	}
	events, wake = ProposalEvents(p, matrix, nil, t0.Add(150*time.Hour), 24*time.Hour)
	if got := eventTypes(events); !slices.Contains(got, v1.EventDeadlineNear) || !wake.IsZero() {
		t.Errorf("near the deadline: %v, wake %v", got, wake)
	}
	if events, _ = ProposalEvents(p, matrix, nil, t0.Add(169*time.Hour), 24*time.Hour); slices.Contains(eventTypes(events), v1.EventDeadlineNear) {
		t.Error("past the deadline there is no reminder")
	}

	for phase, want := range map[v1.ProposalPhase]string{
		v1.PhaseAccepted: "Decided/Accepted", v1.PhaseCommitted: "Decided/Accepted", v1.PhaseApplied: "Applied/Accepted",
		v1.PhaseRejected: "Decided/Rejected", v1.PhaseExpired: "Decided/Expired", v1.PhaseConflicted: "Decided/Conflicted",
		v1.PhaseWithdrawn: "Decided/Withdrawn", v1.PhaseAbandoned: "WriteBackFailing/Abandoned",
		v1.PhaseDiverged: "WriteBackFailing/Diverged", v1.PhaseTimedOut: "WriteBackFailing/TimedOut", v1.PhaseInvalid: "",
	} {
		p.Status.Phase = phase
		events, _ := ProposalEvents(p, matrix, nil, t0, 0)
		got := ""
		if len(events) == 1 {
			got = string(events[0].Type) + "/" + events[0].Outcome
		}
		if got != want || len(events) > 1 {
			t.Errorf("%s: %v, want %s", phase, events, want)
		}
	}
}

func TestWriteBackEventsOnlyWhenAPersonMustAct(t *testing.T) {
	g := &v1.GitWriteBack{ObjectMeta: metav1.ObjectMeta{Name: "repo", UID: "gwb"}}
	since := metav1.NewTime(t0)
	g.Status.Conditions = []metav1.Condition{{Type: v1.ConditionReady, Status: metav1.ConditionFalse,
		Reason: v1.ReasonGitAuthenticationFail, LastTransitionTime: since}}
	events := WriteBackEvents(g)
	if len(events) != 1 || events[0].Outcome != v1.ReasonGitAuthenticationFail || !events[0].At.Equal(t0) {
		t.Fatalf("failing: %+v", events)
	}
	if at, ok := keyTime(events[0].Key); !ok || !at.Equal(t0) {
		t.Errorf("key %q", events[0].Key)
	}
	g.Status.Conditions[0].Reason = v1.ReasonGitPushRaced // retried by itself: nobody is told
	if len(WriteBackEvents(g)) != 0 {
		t.Error("a push race is nobody's to act on")
	}
}

func TestFollowName(t *testing.T) {
	a, b := FollowName("mlops-engineer", "alice"), FollowName("mlops-engineer", "bob")
	if a == b || a != FollowName("mlops-engineer", "alice") || len(a) != len("mlops-engineer")+11 {
		t.Errorf("names %q %q", a, b)
	}
	long := FollowName(string(make([]byte, 250)), "alice")
	if len(long) > 253 {
		t.Errorf("a long Role's Follow name has %d characters", len(long))
	}
}

func TestAddress(t *testing.T) {
	for _, tc := range []struct {
		user, domain, want string
		ok                 bool
	}{
		{"alice@example.com", "", "alice@example.com", true},
		{"alice", "example.com", "alice@example.com", true},
		{"alice", "", "", false},
		{"system:serviceaccount:ns:bot", "example.com", "", false},
		{"Mallory <m@evil.example>", "", "", false},
	} {
		got, ok := Address(v1.Username(tc.user), tc.domain)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Address(%q, %q) = %q, %t", tc.user, tc.domain, got, ok)
		}
	}
	if !AddressAllowed("a@Example.com", []string{"example.com"}) || AddressAllowed("a@evil.example.com", []string{"example.com"}) {
		t.Error("allowed domains match the domain itself, case-insensitively")
	}
}
