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
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// world is a namespace of Proposals as a recipient sees them.
type world struct {
	proposals map[string]*v1.Proposal
}

func newWorld() *world { return &world{proposals: map[string]*v1.Proposal{}} }

func (w *world) propose(name string, created time.Time) *v1.Proposal {
	p := &v1.Proposal{ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("uid-" + name),
		CreationTimestamp: metav1.NewTime(created)}}
	p.Spec.RoleRef = "mlops-engineer"
	p.Spec.Title = "title of " + name
	p.Spec.Author = "alice"
	p.Status.Phase = v1.PhaseOpen
	p.Status.Deadline = &metav1.Time{Time: created.Add(168 * time.Hour)}
	w.proposals[name] = p
	return p
}

// record runs Record over the world at now for a recipient started at start.
func (w *world) record(ob *v1.Outbox, start, now time.Time) (int, bool) {
	s := Scope{Recipient: "rule-uid/channel", Start: start, Live: map[string]time.Time{}, Open: map[string]time.Time{}, Now: now}
	var events []Event
	for _, p := range w.proposals {
		s.Live[string(p.UID)] = p.CreationTimestamp.Time
		if !p.Status.Phase.IsClosed() {
			s.Open[string(p.UID)] = p.CreationTimestamp.Time
		}
		e, _ := ProposalEvents(p, nil, nil, now, 0)
		events = append(events, e...)
	}
	return Record(ob, events, s)
}

func keys(pending []v1.PendingNotification) []string {
	out := make([]string, 0, len(pending))
	for _, n := range pending {
		out = append(out, n.Key)
	}
	return out
}

func TestRecordTellsWhatHappensAfterTheRecipientStarts(t *testing.T) {
	w := newWorld()
	old := w.propose("old-open", t0.Add(-48*time.Hour))
	closed := w.propose("old-closed", t0.Add(-72*time.Hour))
	closed.Status.Phase = v1.PhaseRejected
	start := t0
	ob := &v1.Outbox{}

	added, changed := w.record(ob, start, t0.Add(time.Second))
	if added != 0 || !changed {
		t.Fatalf("first record: added %d, changed %t; want nothing told of what held before the recipient", added, changed)
	}
	if !ob.Since.Time.Equal(old.CreationTimestamp.Time) {
		t.Errorf("since = %v, want the oldest open Proposal's creation %v", ob.Since.Time, old.CreationTimestamp.Time)
	}

	// A new Proposal is told; the old open one's decision is told when it comes.
	w.propose("new", t0.Add(time.Minute))
	old.Status.Phase = v1.PhaseApplied
	added, _ = w.record(ob, start, t0.Add(2*time.Minute))
	if added != 2 {
		t.Fatalf("added %d (%v), want the new one opened and the old one applied", added, keys(ob.Pending))
	}
	// Nothing twice.
	if added, _ = w.record(ob, start, t0.Add(3*time.Minute)); added != 0 {
		t.Fatalf("second record added %d", added)
	}
	// Closing everything lets since move on to Grace before now, and the
	// keys behind it are forgotten; nothing is told again.
	w.proposals["new"].Status.Phase = v1.PhaseExpired
	if added, _ = w.record(ob, start, t0.Add(time.Hour)); added != 1 {
		t.Fatalf("added %d, want the expiry", added)
	}
	if want := t0.Add(time.Hour - Grace); !ob.Since.Time.Equal(want) {
		t.Errorf("since = %v, want %v", ob.Since.Time, want)
	}
	if len(ob.Recorded) != 0 {
		t.Errorf("recorded keeps %v behind since", ob.Recorded)
	}
	if added, _ = w.record(ob, start, t0.Add(2*time.Hour)); added != 0 {
		t.Errorf("after forgetting, added %d", added)
	}
}

func TestRecordBoundsPending(t *testing.T) {
	w := newWorld()
	ob := &v1.Outbox{}
	w.record(ob, t0, t0)
	for i := range v1.MaxPendingNotifications + 5 {
		w.propose(fmt.Sprintf("p%04d", i), t0.Add(time.Second))
	}
	w.record(ob, t0, t0.Add(2*time.Second))
	if len(ob.Pending) != v1.MaxPendingNotifications || ob.Overflow != 5 {
		t.Fatalf("pending %d overflow %d", len(ob.Pending), ob.Overflow)
	}
	b, _ := Due(ob, t0.Add(time.Minute), Plan{Mode: v1.DeliveryInstant, Window: time.Second, DigestAfter: 3})
	if !b.Digest || len(b.Pending) != v1.MaxPendingNotifications {
		t.Fatalf("due: digest %t of %d", b.Digest, len(b.Pending))
	}
	Sent(ob, b, t0.Add(time.Minute))
	if len(ob.Pending) != 0 || ob.Overflow != 0 {
		t.Errorf("after sending: pending %d overflow %d", len(ob.Pending), ob.Overflow)
	}
}

func TestTimedEventsBeforeTheRecipientAreSettled(t *testing.T) {
	role := &v1.Role{ObjectMeta: metav1.ObjectMeta{Name: "r", UID: "role-uid"}}
	role.Status.Reverted = []v1.RevertedProposal{
		{Name: "a", UID: "a", Since: metav1.NewTime(t0.Add(-time.Hour))},
		{Name: "b", UID: "b", Since: metav1.NewTime(t0.Add(time.Minute))},
	}
	ob := &v1.Outbox{}
	s := Scope{Recipient: "x", Start: t0, Now: t0.Add(2 * time.Minute)}
	added, _ := Record(ob, RoleEvents(role), s)
	if added != 1 || ob.Pending[0].Object != "b" {
		t.Fatalf("added %d %v, want only the revert after the start", added, keys(ob.Pending))
	}
}

func TestDueBatchesBursts(t *testing.T) {
	plan := Plan{Mode: v1.DeliveryInstant, Window: 5 * time.Second, DigestAfter: 3}
	ob := &v1.Outbox{}
	add := func(key string, at time.Time) {
		ob.Pending = append(ob.Pending, v1.PendingNotification{ID: key, Key: key, At: metav1.NewTime(at)})
	}
	add("a", t0)
	if b, wake := Due(ob, t0.Add(time.Second), plan); len(b.Pending) != 0 || !wake.Equal(t0.Add(5*time.Second)) {
		t.Fatalf("inside the window: %d due, wake %v", len(b.Pending), wake)
	}
	add("b", t0.Add(2*time.Second))
	if b, _ := Due(ob, t0.Add(5*time.Second), plan); len(b.Pending) != 2 || b.Digest {
		t.Fatalf("two at the window's end: %d, digest %t", len(b.Pending), b.Digest)
	}
	add("c", t0.Add(3*time.Second))
	add("d", t0.Add(4*time.Second))
	b, _ := Due(ob, t0.Add(5*time.Second), plan)
	if !b.Digest {
		t.Fatal("four due at once must go as a digest")
	}
	if dropped := Failed(ob, b, t0.Add(5*time.Second), "boom"); dropped != 0 {
		t.Fatalf("dropped %d", dropped)
	}
	if b, wake := Due(ob, t0.Add(6*time.Second), plan); len(b.Pending) != 0 || !wake.Equal(t0.Add(10*time.Second)) {
		t.Fatalf("after a failure: %d due, wake %v, want the retry after 5s", len(b.Pending), wake)
	}
	b, _ = Due(ob, t0.Add(10*time.Second), plan)
	if len(b.Pending) != 4 {
		t.Fatalf("retry: %d due", len(b.Pending))
	}
	Sent(ob, b, t0.Add(10*time.Second))
	if len(ob.Pending) != 0 || ob.Failures != 0 || ob.LastError != "" {
		t.Errorf("after sending: %+v", ob)
	}
	// One that fails for longer than GiveUpAfter is dropped.
	add("e", t0)
	b, _ = Due(ob, t0.Add(GiveUpAfter+time.Hour), plan)
	if dropped := Failed(ob, b, t0.Add(GiveUpAfter+time.Hour), "boom"); dropped != 1 || len(ob.Pending) != 0 {
		t.Errorf("dropped %d, pending %d", dropped, len(ob.Pending))
	}
}

func TestDueHoldsDigestsToTheirHour(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip(err)
	}
	plan := Plan{Mode: v1.DeliveryDigest, Hour: 9, Location: shanghai}
	ob := &v1.Outbox{}
	// 10:00 UTC is 18:00 in Shanghai: the digest is due at 09:00 the next
	// morning there, 01:00 UTC.
	ob.Pending = []v1.PendingNotification{{ID: "a", Key: "a", At: metav1.NewTime(t0)}}
	due := time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)
	if b, wake := Due(ob, t0.Add(time.Hour), plan); len(b.Pending) != 0 || !wake.Equal(due) {
		t.Fatalf("before the hour: %d due, wake %v, want %v", len(b.Pending), wake, due)
	}
	b, _ := Due(ob, due, plan)
	if !b.Digest || len(b.Pending) != 1 || !b.Due.Equal(due) {
		t.Fatalf("at the hour: %+v", b)
	}
	Sent(ob, b, due)
	if !ob.LastDigest.Time.Equal(due) {
		t.Errorf("lastDigest %v", ob.LastDigest)
	}
}

func TestNextDigestAcrossDaylightSaving(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	// The night Berlin skips 02:00 (2026-03-29).
	after := time.Date(2026, 3, 28, 12, 0, 0, 0, berlin)
	got := NextDigest(after, 2, berlin)
	if got.Day() != 29 || got.In(berlin).Hour() != 3 {
		t.Errorf("NextDigest across the skipped hour = %v", got.In(berlin))
	}
	if got := NextDigest(time.Date(2026, 6, 1, 9, 0, 0, 0, berlin), 9, berlin); got.Day() != 2 {
		t.Errorf("at the hour itself the next digest is tomorrow: %v", got)
	}
}

func TestReminderAt(t *testing.T) {
	created := t0
	if got := ReminderAt(created, created.Add(168*time.Hour), 0); !got.Equal(created.Add(144 * time.Hour)) {
		t.Errorf("week-long vote: %v", got)
	}
	if got := ReminderAt(created, created.Add(time.Hour), 24*time.Hour); !got.Equal(created.Add(30 * time.Minute)) {
		t.Errorf("hour-long vote: %v", got)
	}
}

func TestLimiter(t *testing.T) {
	var l Limiter
	r := Rate{Messages: 2, Interval: time.Minute}
	if got := l.Available("k", r, t0); got != 2 {
		t.Fatalf("available %d", got)
	}
	l.Take("k", 2, r, t0)
	if got := l.Available("k", r, t0); got != 0 {
		t.Fatalf("after taking: %d", got)
	}
	if next := l.NextToken("k", r, t0); !next.Equal(t0.Add(30 * time.Second)) {
		t.Errorf("next token %v", next)
	}
	if got := l.Available("k", r, t0.Add(time.Minute)); got != 2 {
		t.Errorf("refilled: %d", got)
	}
}

func TestDeliveryIDs(t *testing.T) {
	a, b := DeliveryID("r1", "k"), DeliveryID("r2", "k")
	if a == b || a != DeliveryID("r1", "k") || len(a) != 24 {
		t.Errorf("ids %q %q", a, b)
	}
	if DigestID([]string{"x", "y"}) != DigestID([]string{"y", "x"}) {
		t.Error("a digest's id depends on its members only")
	}
}
