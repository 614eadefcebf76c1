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
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
)

// Event is one thing worth telling, derived from what the cluster holds now.
// The same state always derives the same events under the same keys, so a
// recipient's record (outbox.go) can tell which it has been told already.
type Event struct {
	// Key names the event: "<proposal uid>/<what>" for a Proposal's, and
	// "<uid>/<what>/<detail>@<unix seconds>" for an event that happened at
	// a time (a revert, a failing GitWriteBack).
	Key  string
	Type v1.NotificationEvent
	// Source is the uid of the Proposal the event is about ("" for the
	// others), and Created its creation: a Proposal's events are settled
	// once it is closed and older than a recipient's since mark.
	Source  string
	Created time.Time
	// At is when a timed event happened (zero for a Proposal's).
	At time.Time
	// Object is the name of the Proposal, Role or GitWriteBack, Role the
	// Role it concerns, Title the Proposal's title.
	Object, Role, Title string
	Author              v1.Username
	// Outcome is the phase of a decision, or the reason of a failure.
	Outcome string
	// NeedsReview: the Proposal waits for an expert review (set on its
	// ReviewNeeded and DeadlineNear events). Owners are the owners of the
	// categories it touches, as the SkillMatrix names them; Reviewed are
	// the users who reviewed it already (nobody is asked twice).
	NeedsReview bool
	Owners      []v1.Username
	Reviewed    []v1.Username
}

// Timed reports whether the event happened at a time rather than to a
// Proposal.
func (e Event) Timed() bool { return !e.At.IsZero() }

// Key parts of a Proposal's events.
const (
	keyOpened   = "opened"
	keyReview   = "review"
	keyReminder = "reminder"
	keyDecided  = "decided"
	keyApplied  = "applied"
	keyGit      = "writeback"
)

// ProposalEvents returns what is worth telling about p now, against its
// Role's SkillMatrix (nil when unknown: no category owners) and the users
// whose review Ballots it has (reviewed; the legacy spec.reviews count
// too), and when a further event becomes due by time alone (the reminder;
// zero if none).
//
//   - Opened, ReviewNeeded and DeadlineNear only while it is Open: a
//     Proposal found already decided is told as decided, not as opened;
//   - Decided once it is Accepted (or Committed), Rejected, Expired,
//     Conflicted or Withdrawn;
//   - Applied once it is Applied: its decision travels with it (a
//     Proposal promoted in the cluster is accepted and applied at once);
//   - WriteBackFailing when a committed change never reached the Role
//     (Abandoned, Diverged, TimedOut).
//
// An Invalid Proposal is told nothing: it was refused at once.
func ProposalEvents(p *v1.Proposal, matrix *v1.SkillMatrixSpec, reviewed []v1.Username, now time.Time,
	reminderBefore time.Duration) ([]Event, time.Time) {
	base := Event{
		Source: string(p.UID), Created: p.CreationTimestamp.Time,
		Object: p.Name, Role: string(p.Spec.RoleRef), Title: p.Spec.Title, Author: p.Spec.Author,
	}
	with := func(what string, t v1.NotificationEvent, outcome string) Event {
		e := base
		e.Key, e.Type, e.Outcome = string(p.UID)+"/"+what, t, outcome
		return e
	}
	phase := p.Status.Phase
	switch {
	case phase == v1.PhaseOpen:
		out := []Event{with(keyOpened, v1.EventOpened, "")}
		review := needsReview(p)
		if review {
			// The reminder asks the same people while their review is missing.
			base.NeedsReview = true
			base.Owners = categoryOwners(p, matrix)
			base.Reviewed = slices.Clone(reviewed)
			for _, r := range p.Spec.Reviews {
				base.Reviewed = append(base.Reviewed, r.Reviewer)
			}
			out = append(out, with(keyReview, v1.EventReviewNeeded, ""))
		}
		var wake time.Time
		if p.Status.Deadline != nil {
			deadline := p.Status.Deadline.Time
			remind := ReminderAt(p.CreationTimestamp.Time, deadline, reminderBefore)
			switch {
			case now.Before(remind):
				wake = remind
			case now.Before(deadline):
				out = append(out, with(keyReminder, v1.EventDeadlineNear, ""))
			}
		}
		return out, wake
	case phase == v1.PhaseAccepted || phase == v1.PhaseCommitted:
		return []Event{with(keyDecided, v1.EventDecided, string(v1.PhaseAccepted))}, time.Time{}
	case phase == v1.PhaseApplied:
		return []Event{with(keyApplied, v1.EventApplied, string(v1.PhaseAccepted))}, time.Time{}
	case phase == v1.PhaseRejected || phase == v1.PhaseExpired || phase == v1.PhaseConflicted || phase == v1.PhaseWithdrawn:
		return []Event{with(keyDecided, v1.EventDecided, string(phase))}, time.Time{}
	case phase.IsGitEnded():
		return []Event{with(keyGit, v1.EventWriteBackFailing, string(phase))}, time.Time{}
	}
	return nil, time.Time{}
}

// needsReview: the Proposal waits for expert approvals, or for an owner of a
// category it touches.
func needsReview(p *v1.Proposal) bool {
	if c := meta.FindStatusCondition(p.Status.Conditions, v1.ConditionAccepted); c != nil && c.Reason == v1.ReasonAwaitingOwners {
		return true
	}
	t := p.Status.Tally
	return t != nil && t.ReviewApprovals < t.RequiredReviews
}

// categoryOwners are the owners the SkillMatrix names for the categories the
// Proposal changes, each once, in catalog order.
func categoryOwners(p *v1.Proposal, matrix *v1.SkillMatrixSpec) []v1.Username {
	var out []v1.Username
	for _, id := range governance.TouchedCategories(p.Spec.Changes, matrix) {
		for _, c := range matrix.Categories {
			if c.ID != id {
				continue
			}
			for _, o := range c.Owners {
				if !slices.Contains(out, o) {
					out = append(out, o)
				}
			}
		}
	}
	return out
}

// RoleEvents returns a Role's timed events: each applied Proposal it no
// longer carries (status.reverted), at the time the operator first saw the
// revert. A Proposal reverted, carried again and reverted anew is a new
// event.
func RoleEvents(role *v1.Role) []Event {
	out := make([]Event, 0, len(role.Status.Reverted))
	for _, r := range role.Status.Reverted {
		title := ""
		if h := role.Status.HistoryEntry(r.UID); h != nil {
			title = h.Title
		}
		out = append(out, Event{
			Key:  timedKey(string(role.UID), "reverted/"+r.UID, r.Since.Time),
			Type: v1.EventReverted, At: r.Since.Time,
			Object: string(r.Name), Role: role.Name, Title: title, Outcome: strings.Join(r.Cells, ", "),
		})
	}
	return out
}

// WriteBackEvents returns a GitWriteBack's timed event: it is not Ready for
// a reason that needs a person, since the condition last changed. An outage
// that mends and comes back is a new event; a reason that changes while it
// stays failing is not.
func WriteBackEvents(g *v1.GitWriteBack) []Event {
	c := meta.FindStatusCondition(g.Status.Conditions, v1.ConditionReady)
	if c == nil || c.Status != metav1.ConditionFalse || !v1.ReasonNeedsAction(c.Reason) {
		return nil
	}
	return []Event{{
		Key:  timedKey(string(g.UID), "failing", c.LastTransitionTime.Time),
		Type: v1.EventWriteBackFailing, At: c.LastTransitionTime.Time,
		Object: g.Name, Outcome: c.Reason,
	}}
}

func timedKey(uid, what string, at time.Time) string {
	return uid + "/" + what + "@" + strconv.FormatInt(at.Unix(), 10)
}

// keyTime is the time of a timed key, and false for a Proposal's key.
func keyTime(key string) (time.Time, bool) {
	i := strings.LastIndexByte(key, '@')
	if i < 0 {
		return time.Time{}, false
	}
	sec, err := strconv.ParseInt(key[i+1:], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(sec, 0), true
}

// keySource is the uid a Proposal's key starts with.
func keySource(key string) string {
	source, _, _ := strings.Cut(key, "/")
	return source
}

// Asks reports whether a ReviewNeeded or DeadlineNear event asks user for a
// review: user is among reviewers (the rule's) or the category owners, did
// not write the Proposal and has not reviewed it yet.
func (e Event) Asks(user v1.Username, reviewers []v1.Username) bool {
	if !e.NeedsReview || user == e.Author || slices.Contains(e.Reviewed, user) {
		return false
	}
	return slices.Contains(reviewers, user) || slices.Contains(e.Owners, user)
}

// Asked lists whom a ReviewNeeded event asks: the rule's reviewers and the
// category owners, each once, without the author and those who reviewed.
func (e Event) Asked(reviewers []v1.Username) []v1.Username {
	var out []v1.Username
	for _, u := range slices.Concat(reviewers, e.Owners) {
		if !slices.Contains(out, u) && e.Asks(u, reviewers) {
			out = append(out, u)
		}
	}
	return out
}
