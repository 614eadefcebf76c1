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
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// One recipient's record (v1alpha1.Outbox) answers one question for every
// event derived from the cluster: was it recorded for this recipient? It
// holds the keys recorded (Recorded), the messages recorded and not yet
// confirmed sent (Pending), and a mark, Since, before which everything is
// settled. Since starts when the recipient does and moves on as Proposals
// close, so the record stays as small as what is still in flight:
//
//   - a Proposal's event is settled when the Proposal was created before
//     Since; Since never passes a Proposal that is not closed, so every
//     event of an open one is judged against the keys;
//   - a timed event (a revert, a failing GitWriteBack) is settled when it
//     happened before Since;
//   - Since never comes closer to now than Grace, the time the cache may
//     lag behind a Proposal's creation.
//
// A recipient hears of what happens after it was created: at its first
// record, the events that already hold of older Proposals are recorded
// without being sent, and timed events from before it are settled.

// Grace is how far behind now the since mark stays: a Proposal created
// longer ago than that is in the cache the controllers read.
const Grace = 5 * time.Minute

// Scope is what a recipient may hear about at the moment of a reconcile.
type Scope struct {
	// Recipient names the recipient across restarts (the uid of the rule or
	// Follow, and the recipient's name): the delivery ids derive from it.
	Recipient string
	// Start is when the recipient began to listen (its object's creation).
	Start time.Time
	// Live maps the uid of every Proposal in scope to its creation, and
	// Open those of them that are not closed.
	Live, Open map[string]time.Time
	Now        time.Time
}

// DeliveryID is the id of one event's message to one recipient, the same
// on every attempt and in every process: receivers drop a repeat by it.
func DeliveryID(recipient, key string) string {
	sum := sha256.Sum256([]byte(recipient + "\x00" + key))
	return hex.EncodeToString(sum[:12])
}

// DigestID is the id of a digest of the given deliveries.
func DigestID(ids []string) string {
	sorted := slices.Sorted(slices.Values(ids))
	sum := sha256.Sum256([]byte("digest\x00" + strings.Join(sorted, ",")))
	return hex.EncodeToString(sum[:12])
}

// Record records for ob's recipient every event it has not recorded yet and
// that is not settled: each becomes a pending message, except, at the first
// record, those of Proposals older than the recipient, which are only
// recorded. It then moves Since on and forgets the keys behind it. It
// reports how many messages it added and whether ob changed.
func Record(ob *v1.Outbox, events []Event, s Scope) (added int, changed bool) {
	first := ob.Since.IsZero()
	if first {
		since := s.Start
		for _, created := range s.Open {
			if created.Before(since) {
				since = created
			}
		}
		ob.Since = metav1.NewTime(floorSecond(since))
		changed = true
	}
	recorded := make(map[string]bool, len(ob.Recorded))
	for _, k := range ob.Recorded {
		recorded[k] = true
	}
	for _, e := range events {
		if recorded[e.Key] || settled(e, ob.Since.Time, s.Start) {
			continue
		}
		recorded[e.Key] = true
		ob.Recorded = append(ob.Recorded, e.Key)
		changed = true
		if first && !e.Timed() && e.Created.Before(s.Start) {
			continue // it held before the recipient existed
		}
		if len(ob.Pending) >= v1.MaxPendingNotifications {
			ob.Overflow++
			continue
		}
		ob.Pending = append(ob.Pending, pendingOf(e, s))
		added++
	}
	if advance(ob, s) {
		changed = true
	}
	return added, changed
}

// settled: the event is behind the since mark, or happened before the
// recipient existed.
func settled(e Event, since, start time.Time) bool {
	if e.Timed() {
		return e.At.Before(since) || e.At.Before(start)
	}
	return e.Created.Before(since)
}

func pendingOf(e Event, s Scope) v1.PendingNotification {
	return v1.PendingNotification{
		ID: DeliveryID(s.Recipient, e.Key), Key: e.Key, Event: e.Type,
		Object: e.Object, Role: e.Role, Outcome: text.Truncate(e.Outcome, 64),
		Title: text.TruncateRunes(e.Title, 190), At: metav1.NewTime(s.Now),
	}
}

// advance moves Since to the creation of the oldest Proposal in scope that
// is not closed, or to Grace before now, whichever is earlier, never back;
// and forgets the keys behind it. It moves Since only when that forgets a
// key or gains an hour, so a quiet recipient's record is not rewritten at
// every reconcile.
func advance(ob *v1.Outbox, s Scope) bool {
	next := s.Now.Add(-Grace)
	for _, created := range s.Open {
		if created.Before(next) {
			next = created
		}
	}
	next = floorSecond(next)
	if !next.After(ob.Since.Time) {
		return false
	}
	kept := make([]string, 0, len(ob.Recorded))
	for _, k := range ob.Recorded {
		if at, timed := keyTime(k); timed {
			if !at.Before(next) {
				kept = append(kept, k)
			}
			continue
		}
		if created, ok := s.Live[keySource(k)]; ok && !created.Before(next) {
			kept = append(kept, k)
		}
	}
	if len(kept) == len(ob.Recorded) && next.Sub(ob.Since.Time) < time.Hour {
		return false
	}
	ob.Since = metav1.NewTime(next)
	ob.Recorded = kept
	if len(ob.Recorded) == 0 {
		ob.Recorded = nil
	}
	return true
}

func floorSecond(t time.Time) time.Time { return t.Truncate(time.Second) }

// Plan is how a recipient hears: at once (bursts batched over Window, and
// more than DigestAfter messages due at once sent as one digest), or in a
// daily digest at Hour in Location.
type Plan struct {
	Mode        v1.DeliveryMode
	Window      time.Duration
	DigestAfter int
	Hour        int
	Location    *time.Location
}

// Batch is what to send now: the pending messages, as one digest or one
// message each, and, for a daily digest, the hour it was due.
type Batch struct {
	Pending []v1.PendingNotification
	Digest  bool
	Due     time.Time
}

// Due returns the batch to send at now (none when nothing is due), and when
// to look again (zero when nothing waits): the end of a burst's window, a
// retry's time, the digest's hour.
func Due(ob *v1.Outbox, now time.Time, p Plan) (Batch, time.Time) {
	var ready []v1.PendingNotification
	var wake time.Time
	soonest := func(t time.Time) {
		if wake.IsZero() || t.Before(wake) {
			wake = t
		}
	}
	retrying := false
	var oldest time.Time
	for _, n := range ob.Pending {
		if n.NextAttempt != nil && n.NextAttempt.After(now) {
			soonest(n.NextAttempt.Time)
			continue
		}
		ready = append(ready, n)
		retrying = retrying || n.Attempts > 0
		if oldest.IsZero() || n.At.Time.Before(oldest) {
			oldest = n.At.Time
		}
	}
	if len(ready) == 0 {
		return Batch{}, wake
	}
	if p.Mode == v1.DeliveryDigest {
		from := oldest
		if ob.LastDigest != nil && ob.LastDigest.After(from) {
			from = ob.LastDigest.Time
		}
		due := NextDigest(from, p.Hour, p.Location)
		if now.Before(due) {
			soonest(due)
			return Batch{}, wake
		}
		return Batch{Pending: ready, Digest: true, Due: due}, wake
	}
	if end := oldest.Add(p.Window); !retrying && now.Before(end) {
		soonest(end)
		return Batch{}, wake
	}
	return Batch{Pending: ready, Digest: len(ready) > max(p.DigestAfter, 1) || ob.Overflow > 0}, wake
}

// Sent records that the messages went through: they leave Pending (their
// keys stay recorded), and a digest that said how many overflowed resets
// the count.
func Sent(ob *v1.Outbox, b Batch, now time.Time) {
	ob.Pending = without(ob.Pending, b.Pending)
	if b.Digest {
		ob.Overflow = 0
	}
	if !b.Due.IsZero() {
		ob.LastDigest = &metav1.Time{Time: b.Due}
	}
	ob.LastSent = &metav1.Time{Time: now}
	ob.Failures = 0
	ob.LastError = ""
}

// Failed records a failed attempt at the messages: each is tried again
// after Backoff, and one that keeps failing for GiveUpAfter is dropped. It
// returns how many it dropped.
func Failed(ob *v1.Outbox, b Batch, now time.Time, reason string) (dropped int) {
	failed := make(map[string]bool, len(b.Pending))
	for _, n := range b.Pending {
		failed[n.ID] = true
	}
	kept := ob.Pending[:0]
	for _, n := range ob.Pending {
		if failed[n.ID] {
			if now.Sub(n.At.Time) > GiveUpAfter {
				dropped++
				continue
			}
			n.Attempts++
			n.NextAttempt = &metav1.Time{Time: now.Add(Backoff(n.Attempts))}
		}
		kept = append(kept, n)
	}
	clear(ob.Pending[len(kept):])
	ob.Pending = kept
	ob.Failures++
	ob.LastError = text.Truncate(reason, 1024)
	return dropped
}

func without(pending, gone []v1.PendingNotification) []v1.PendingNotification {
	ids := make(map[string]bool, len(gone))
	for _, n := range gone {
		ids[n.ID] = true
	}
	out := slices.DeleteFunc(slices.Clone(pending), func(n v1.PendingNotification) bool { return ids[n.ID] })
	if len(out) == 0 {
		return nil
	}
	return out
}
