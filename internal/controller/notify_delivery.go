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

package controller

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/governance"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/kubecache"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/metrics"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/notify"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/notify/deliver"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/text"
)

// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=notificationproviders;notificationrules;follows,verbs=get;list;watch
// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=notificationproviders/status;notificationrules/status;follows/status,verbs=patch
// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=follows,verbs=delete
// +kubebuilder:rbac:groups=career.skillmatrix.dev,resources=gitwritebacks,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get

// notifier is what the notification controllers share: the clients, the
// rate limits per recipient, the providers' health and resolved targets.
//
// Each reconcile of a rule or Follow runs the record protocol of
// internal/notify on the object as the API server holds it (read live, not
// from the cache, whenever there is anything to record or send): the
// events are recorded in its status by a guarded write before anything is
// sent, and what went through is recorded after, the write retried on a
// conflict. Only a crash between sending and that second write sends a
// message again.
type notifier struct {
	client  client.Client
	live    client.Reader
	opts    NotificationOptions
	seams   notificationSeams
	limiter notify.Limiter
	health  *providerHealth
	targets *targetCache
}

func (n *notifier) now() time.Time {
	if n.opts.Now != nil {
		return n.opts.Now()
	}
	return time.Now()
}

// recipient is one outbox of a rule or Follow: who it is, what it may hear
// now, and how.
type recipient struct {
	// name is the outbox's recipient: "channel", a reviewer's username, or
	// "follow".
	name string
	// to are the email addresses (SMTP); empty for the chat providers.
	to       []string
	events   []notify.Event
	audience notify.Audience
	// asked lists whom a ReviewNeeded event asks, for its message.
	asked func(notify.Event) []string
}

// delivery is one reconcile's delivery work for a rule or Follow.
type delivery struct {
	obj client.Object
	// outbox finds a recipient's outbox in obj's status, creating it when
	// create is set (nil when absent and not created).
	outbox func(obj client.Object, name string, create bool) *v1.Outbox
	// prune drops the outboxes of recipients no longer named that hold
	// nothing.
	prune    func(obj client.Object, keep map[string]bool) bool
	start    time.Time
	scope    notify.Scope
	recips   []recipient
	provider *v1.NotificationProvider
	plan     notify.Plan
	// held: suspended; what happens is recorded, nothing is sent.
	held bool
}

// outcome is what a delivery run attempted.
type outcome struct {
	attempted bool
	failure   error
	wake      time.Time
}

func (o *outcome) soonest(t time.Time) {
	if !t.IsZero() && (o.wake.IsZero() || t.Before(o.wake)) {
		o.wake = t
	}
}

// hasWork runs the record and the due check on a copy of d.obj: whether a
// live run would record or send anything, and when to look again if not.
func (n *notifier) hasWork(d *delivery, now time.Time) (bool, time.Time) {
	probe := *d
	probe.obj = d.obj.DeepCopyObject().(client.Object)
	if n.record(&probe) {
		return true, time.Time{}
	}
	var out outcome
	for _, r := range d.recips {
		ob := d.outbox(probe.obj, r.name, false)
		if ob == nil {
			continue
		}
		b, wake := notify.Due(ob, now, d.plan)
		out.soonest(wake)
		if len(b.Pending) > 0 && !d.held {
			return true, time.Time{}
		}
	}
	return false, out.wake
}

// record records each recipient's events in its outbox (see notify.Record)
// and reports whether the status changed.
func (n *notifier) record(d *delivery) bool {
	changed := false
	keep := map[string]bool{}
	for _, r := range d.recips {
		keep[r.name] = true
		ob := d.outbox(d.obj, r.name, len(r.events) > 0)
		if ob == nil {
			continue
		}
		s := d.scope
		s.Recipient = string(d.obj.GetUID()) + "/" + r.name
		if _, c := notify.Record(ob, r.events, s); c {
			changed = true
		}
		if len(r.to) > 0 && ob.Address != r.to[0] {
			ob.Address = r.to[0]
			changed = true
		}
	}
	if d.prune != nil && d.prune(d.obj, keep) {
		changed = true
	}
	return changed
}

// run records, writes the record, sends what is due and records what went
// through. d.obj must be the live object, original a copy of it; run
// returns the object as it last wrote it (or original when it wrote
// nothing).
func (n *notifier) run(ctx context.Context, d *delivery, original client.Object) (client.Object, outcome, error) {
	var out outcome
	if n.record(d) {
		if err := patchStatus(ctx, n.client, d.obj, original); err != nil {
			return original, out, staleIfRace(err)
		}
		original = d.obj.DeepCopyObject().(client.Object)
	}
	if d.held {
		return original, out, nil
	}
	now := n.now()
	var marks []func(obj client.Object)
	var sentIDs []string
	for _, r := range d.recips {
		ob := d.outbox(d.obj, r.name, false)
		if ob == nil {
			continue
		}
		b, wake := notify.Due(ob, now, d.plan)
		out.soonest(wake)
		if len(b.Pending) == 0 {
			continue
		}
		mark, ids, wake := n.send(ctx, d, r, b, now, &out)
		out.soonest(wake)
		if mark != nil {
			mark(d.obj)
			marks = append(marks, mark)
			sentIDs = append(sentIDs, ids...)
		}
	}
	if len(marks) == 0 {
		return original, out, nil
	}
	written, err := n.writeOutcome(ctx, d.obj, original, marks)
	if err != nil {
		return original, out, err
	}
	if n.seams.Recorded != nil && len(sentIDs) > 0 {
		n.seams.Recorded(sentIDs)
	}
	// Look again soon for what the rate limit or a failure held back.
	for _, r := range d.recips {
		if ob := d.outbox(written, r.name, false); ob != nil {
			_, wake := notify.Due(ob, now, d.plan)
			out.soonest(wake)
		}
	}
	return written, out, nil
}

// send sends one recipient's due batch: one digest, or one message each
// (a digest when there are more than the rate limit lets through). It
// returns how to record the result in an object, and the ids of what went
// through.
func (n *notifier) send(ctx context.Context, d *delivery, r recipient, b notify.Batch, now time.Time, out *outcome,
) (mark func(client.Object), sent []string, wake time.Time) {
	p := d.provider
	rate := notify.RateOf(p.Spec.RateLimit)
	bucket := string(p.UID) + "/" + string(d.obj.GetUID()) + "/" + r.name
	available := n.limiter.Available(bucket, rate, now)
	if available < 1 {
		return nil, nil, n.limiter.NextToken(bucket, rate, now)
	}
	if !b.Digest && len(b.Pending) > available {
		b.Digest = true
	}
	out.attempted = true
	target, err := n.targets.resolve(ctx, n, p)
	if err != nil {
		n.health.report(p, err, now)
		out.failure = err
		countFailure(p, err)
		return failedMark(r.name, d, b, now, err), nil, time.Time{}
	}
	messages, batches := n.compose(ctx, d, r, b)
	var done []notify.Batch
	var failed *notify.Batch
	var failReason string
	for i, m := range messages {
		ids := entryIDs(m)
		if n.seams.Sending != nil {
			n.seams.Sending(ids)
		}
		err = deliver.Send(ctx, target, m, r.to, now)
		n.limiter.Take(bucket, 1, rate, now)
		n.health.report(p, err, n.now())
		if err != nil {
			rest := notify.Batch{}
			for _, bb := range batches[i:] {
				rest.Pending = append(rest.Pending, bb.Pending...)
			}
			rest.Digest = b.Digest
			failed, failReason = &rest, err.Error()
			out.failure = err
			n.targets.forget(p)
			countFailure(p, err)
			logf.FromContext(ctx).Info("notification not delivered", "provider", p.Name, "recipient", r.name,
				"events", len(rest.Pending), "refused", deliver.Refused(err), "error", err.Error())
			break
		}
		countSent(p, m, batches[i], now)
		logf.FromContext(ctx).V(1).Info("notification delivered", "provider", p.Name, "recipient", r.name,
			"deliveryId", m.ID, "events", len(batches[i].Pending), "digest", m.Digest,
			"waited", now.Sub(batches[i].Pending[0].At.Time).Round(time.Millisecond).String())
		done = append(done, batches[i])
		sent = append(sent, ids...)
		if n.seams.AfterSend != nil {
			if err := n.seams.AfterSend(ctx, ids); err != nil {
				return nil, nil, time.Time{} // the test's crash: nothing is recorded
			}
		}
	}
	name := r.name
	due := b.Due
	mark = func(obj client.Object) {
		ob := d.outbox(obj, name, false)
		if ob == nil {
			return
		}
		for _, bb := range done {
			bb.Due = due
			notify.Sent(ob, bb, now)
		}
		if failed != nil {
			if dropped := notify.Failed(ob, *failed, now, failReason); dropped > 0 {
				metrics.NotificationsDropped.WithLabelValues(string(p.Spec.Type)).Add(float64(dropped))
			}
		}
	}
	return mark, sent, time.Time{}
}

// compose makes the messages of a batch: one digest, or one message each,
// with the batch each records.
func (n *notifier) compose(ctx context.Context, d *delivery, r recipient, b notify.Batch) ([]notify.Message, []notify.Batch) {
	if b.Digest {
		return []notify.Message{notify.Digest(b.Pending, int(outboxOverflow(d, r.name)), r.audience)}, []notify.Batch{b}
	}
	messages := make([]notify.Message, 0, len(b.Pending))
	batches := make([]notify.Batch, 0, len(b.Pending))
	for _, pn := range b.Pending {
		messages = append(messages, notify.Single(pn, n.detail(ctx, d, r, pn), r.audience))
		batches = append(batches, notify.Batch{Pending: []v1.PendingNotification{pn}})
	}
	return messages, batches
}

// failedMark records a failed attempt at the whole batch.
func failedMark(name string, d *delivery, b notify.Batch, now time.Time, err error) func(client.Object) {
	return func(obj client.Object) {
		if ob := d.outbox(obj, name, false); ob != nil {
			notify.Failed(ob, b, now, err.Error())
		}
	}
}

func outboxOverflow(d *delivery, name string) int32 {
	if ob := d.outbox(d.obj, name, false); ob != nil {
		return ob.Overflow
	}
	return 0
}

func entryIDs(m notify.Message) []string {
	ids := make([]string, 0, len(m.Entries))
	for _, e := range m.Entries {
		ids = append(ids, e.ID)
	}
	return ids
}

func countSent(p *v1.NotificationProvider, m notify.Message, b notify.Batch, now time.Time) {
	kind := "message"
	if m.Digest {
		kind = "digest"
	}
	t := string(p.Spec.Type)
	metrics.NotificationsSent.WithLabelValues(t, kind).Inc()
	for _, pn := range b.Pending {
		metrics.NotificationEvents.WithLabelValues(t, string(pn.Event)).Inc()
		metrics.NotificationLatency.WithLabelValues(t).Observe(now.Sub(pn.At.Time).Seconds())
	}
}

func countFailure(p *v1.NotificationProvider, err error) {
	metrics.NotificationFailures.WithLabelValues(string(p.Spec.Type), failureReason(err)).Inc()
}

// failureReason is the condition reason of a failed delivery.
func failureReason(err error) string {
	if deliver.Refused(err) {
		return v1.ReasonDeliveryRefused
	}
	if r, ok := errors.AsType[*secretProblem](err); ok {
		return r.reason
	}
	return v1.ReasonDeliveryFailed
}

// writeOutcome records what went through on the live object, applying the
// marks again to a fresh read when the write loses a race: a message that
// went through must not be left unrecorded by a conflict.
func (n *notifier) writeOutcome(ctx context.Context, obj, original client.Object, marks []func(client.Object)) (client.Object, error) {
	for attempt := 0; ; attempt++ {
		err := patchStatus(ctx, n.client, obj, original)
		if err == nil {
			return obj, nil
		}
		if !apierrors.IsConflict(err) || attempt >= 5 {
			return original, fmt.Errorf("recording the delivered notifications of %s: %w", client.ObjectKeyFromObject(obj), err)
		}
		fresh := original.DeepCopyObject().(client.Object)
		if err := n.live.Get(ctx, client.ObjectKeyFromObject(obj), fresh); err != nil {
			return original, fmt.Errorf("re-reading %s to record its deliveries: %w", client.ObjectKeyFromObject(obj), err)
		}
		original = fresh.DeepCopyObject().(client.Object)
		obj = fresh
		for _, mark := range marks {
			mark(obj)
		}
	}
}

// detail reads what a single message says beyond its record: the Proposal
// as the API server holds it (the cache drops descriptions and comments).
func (n *notifier) detail(ctx context.Context, d *delivery, r recipient, pn v1.PendingNotification) notify.Detail {
	var out notify.Detail
	switch pn.Event {
	case v1.EventReverted, v1.EventWriteBackFailing:
		if pn.Title == "" || pn.Event == v1.EventReverted {
			return out
		}
	}
	var p v1.Proposal
	if err := n.live.Get(ctx, client.ObjectKey{Namespace: d.obj.GetNamespace(), Name: pn.Object}, &p); err != nil {
		return out
	}
	out.Author = string(p.Spec.Author)
	out.Changes = len(p.Spec.Changes)
	out.Tally = p.Status.Tally
	if p.Status.Deadline != nil {
		out.Deadline = p.Status.Deadline.Time
	}
	switch pn.Event {
	case v1.EventOpened:
		out.Description = text.TruncateRunes(p.Spec.Description, 1000)
	case v1.EventReviewNeeded:
		for _, e := range r.events {
			if e.Key == pn.Key && r.asked != nil {
				out.Asked = r.asked(e)
			}
		}
		out.Categories = categoryNames(ctx, n, &p)
	case v1.EventDecided, v1.EventApplied, v1.EventWriteBackFailing:
		out.Status = p.Status.Message
		out.Comments = n.ballotComments(ctx, &p)
		for _, rv := range p.Spec.Reviews[:min(len(p.Spec.Reviews), 5)] {
			if rv.Comment != "" {
				out.Comments = append(out.Comments, notify.Quote{Who: string(rv.Reviewer), Said: string(rv.Decision),
					Text: text.TruncateRunes(rv.Comment, 500)})
			}
		}
		for _, v := range p.Spec.Votes[:min(len(p.Spec.Votes), 5)] {
			if v.Comment != "" {
				out.Comments = append(out.Comments, notify.Quote{Who: string(v.Voter), Said: string(v.Decision),
					Text: text.TruncateRunes(v.Comment, 500)})
			}
		}
	}
	return out
}

// maxComments bounds the Ballots a message quotes.
const maxComments = 10

// ballotComments are the comments of a Proposal's Ballots, reviews first:
// the cache names the Ballots (it drops their comments), and each is read
// from the API server, at most maxComments.
func (n *notifier) ballotComments(ctx context.Context, p *v1.Proposal) []notify.Quote {
	var ballots v1.BallotList
	if err := n.client.List(ctx, &ballots, client.InNamespace(p.Namespace),
		client.MatchingFields{kubecache.IndexBallotProposal: p.Name}); err != nil {
		return nil
	}
	slices.SortStableFunc(ballots.Items, func(a, b v1.Ballot) int {
		return cmp.Compare(kindRank(a.Spec.Kind), kindRank(b.Spec.Kind))
	})
	var out []notify.Quote
	for i := range ballots.Items[:min(len(ballots.Items), maxComments)] {
		var b v1.Ballot
		if err := n.live.Get(ctx, client.ObjectKeyFromObject(&ballots.Items[i]), &b); err != nil || b.Spec.Comment == "" {
			continue
		}
		said := string(b.Spec.Decision)
		out = append(out, notify.Quote{Who: string(b.Spec.Voter), Said: said, Text: text.TruncateRunes(b.Spec.Comment, 500)})
	}
	return out
}

// kindRank puts reviews before votes.
func kindRank(k v1.BallotKind) int {
	if k == v1.BallotKindReview {
		return 0
	}
	return 1
}

// categoryNames are the names of the categories a Proposal changes.
func categoryNames(ctx context.Context, n *notifier, p *v1.Proposal) []string {
	var role v1.Role
	if err := n.client.Get(ctx, client.ObjectKey{Namespace: p.Namespace, Name: string(p.Spec.RoleRef)}, &role); err != nil {
		return nil
	}
	var matrix v1.SkillMatrix
	if err := n.client.Get(ctx, client.ObjectKey{Namespace: p.Namespace, Name: string(role.Spec.MatrixRef)}, &matrix); err != nil {
		return nil
	}
	touched := map[v1.ID]bool{}
	for _, e := range governance.TouchedCategories(p.Spec.Changes, &matrix.Spec) {
		touched[e] = true
	}
	var out []string
	for _, c := range matrix.Spec.Categories {
		if touched[c.ID] {
			out = append(out, c.Name)
		}
	}
	return out
}

// secretProblem is a provider's Secret that cannot be read: its reason is
// SecretNotFound or SecretForbidden.
type secretProblem struct {
	reason, msg string
}

func (e *secretProblem) Error() string { return e.msg }

// targetCache keeps resolved targets for a minute, so a burst reads a
// provider's Secret once; a failed delivery forgets the provider's, so a
// rotated Secret is read at the next attempt.
type targetCache struct {
	mu      sync.Mutex
	entries map[types.UID]cachedTarget
}

type cachedTarget struct {
	generation int64
	target     deliver.Target
	expires    time.Time
}

const targetTTL = time.Minute

func (c *targetCache) forget(p *v1.NotificationProvider) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, p.UID)
}

// resolve makes p's target: its address and credentials from its Secret,
// read with the API reader (Secrets are never cached).
func (c *targetCache) resolve(ctx context.Context, n *notifier, p *v1.NotificationProvider) (deliver.Target, error) {
	now := time.Now()
	c.mu.Lock()
	if e, ok := c.entries[p.UID]; ok && e.generation == p.Generation && now.Before(e.expires) {
		c.mu.Unlock()
		return e.target, nil
	}
	c.mu.Unlock()
	t := deliver.Target{Type: p.Spec.Type, URL: p.Spec.Address, Transport: n.opts.HTTPTransport, Timeout: notify.DefaultTimeout}
	if p.Spec.Timeout != nil {
		t.Timeout = p.Spec.Timeout.Duration
	}
	var data map[string][]byte
	if p.Spec.SecretRef != nil {
		var secret corev1.Secret
		key := client.ObjectKey{Namespace: p.Namespace, Name: string(p.Spec.SecretRef.Name)}
		if err := n.live.Get(ctx, key, &secret); err != nil {
			switch {
			case apierrors.IsNotFound(err):
				return t, &secretProblem{v1.ReasonSecretNotFound, fmt.Sprintf("the Secret %q of NotificationProvider %q does not exist", key.Name, p.Name)}
			case apierrors.IsForbidden(err):
				return t, &secretProblem{v1.ReasonSecretForbidden, fmt.Sprintf("the operator may not read the Secret %q of NotificationProvider %q", key.Name, p.Name)}
			}
			return t, fmt.Errorf("reading the Secret %q of NotificationProvider %q: %w", key.Name, p.Name, err)
		}
		data = secret.Data
	}
	if a := data["address"]; len(a) > 0 {
		t.URL = string(a)
	}
	t.Token = data["token"]
	if s := p.Spec.SMTP; s != nil {
		t.SMTP = deliver.SMTP{Host: s.Host, Port: int(s.Port), Security: s.Security, From: s.From,
			Username: string(data["username"]), Password: string(data["password"]), TLS: n.opts.SMTPTLS}
	} else if t.URL == "" {
		return t, &deliver.Error{Refused: true, Msg: fmt.Sprintf("NotificationProvider %q has no address: set spec.address or the key address of its Secret", p.Name)}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[types.UID]cachedTarget{}
	}
	c.entries[p.UID] = cachedTarget{generation: p.Generation, target: t, expires: now.Add(targetTTL)}
	return t, nil
}

// providerHealth is the outcome of each provider's latest delivery, which
// its controller writes into its status; a change wakes the provider.
type providerHealth struct {
	mu     sync.Mutex
	states map[types.NamespacedName]healthState
	events providerEvents
}

type healthState struct {
	failing, refused bool
	reason, message  string
	lastDelivery     time.Time
	lastFailure      time.Time
	// announced is when the provider was last woken for a delivery.
	announced time.Time
}

func newProviderHealth() *providerHealth {
	return &providerHealth{states: map[types.NamespacedName]healthState{}, events: make(providerEvents, 1024)}
}

// report records a delivery's outcome (err nil: it went through).
func (h *providerHealth) report(p *v1.NotificationProvider, err error, now time.Time) {
	key := client.ObjectKeyFromObject(p)
	h.mu.Lock()
	s := h.states[key]
	before := s
	if err == nil {
		s.failing, s.refused, s.reason, s.message = false, false, "", ""
		s.lastDelivery = now
	} else {
		s.failing, s.refused = true, deliver.Refused(err)
		s.reason, s.message = failureReason(err), text.Truncate(err.Error(), 1024)
		s.lastFailure = now
	}
	wake := s.failing != before.failing || s.reason != before.reason || (err == nil && now.Sub(s.announced) >= time.Minute)
	if wake {
		s.announced = now
	}
	h.states[key] = s
	h.mu.Unlock()
	if s.failing {
		metrics.ProviderFailing.WithLabelValues(p.Namespace, p.Name).Set(1)
	} else {
		metrics.ProviderFailing.WithLabelValues(p.Namespace, p.Name).Set(0)
	}
	if wake {
		obj := &v1.NotificationProvider{ObjectMeta: metav1.ObjectMeta{Namespace: p.Namespace, Name: p.Name}}
		select {
		case h.events <- event.GenericEvent{Object: obj}:
		default: // the controller is behind; the next report wakes it
		}
	}
}

func (h *providerHealth) get(key types.NamespacedName) (healthState, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.states[key]
	return s, ok
}

// conclusion says where a rule or Follow stands after a delivery run: Ready,
// or failing (retried: Reconciling; refused: Stalled), keeping a failure's
// reason until a delivery goes through.
func concludeDelivery(conds *conditionSet, conditions []metav1.Condition, out outcome, failing bool, held bool) {
	switch {
	case out.failure != nil:
		reason := failureReason(out.failure)
		conds.conclude(progressOf(reason), reason, "delivering: "+text.Truncate(out.failure.Error(), 1024))
	case failing && !out.attempted:
		// Nothing was tried this time: the last failure still stands.
		if c := readyCondition(conditions); c != nil && c.Status == metav1.ConditionFalse {
			conds.conclude(progressOf(c.Reason), c.Reason, c.Message)
			return
		}
		conds.conclude(progressInFlight, v1.ReasonDeliveryFailed, "a delivery failed and is retried")
	case held:
		conds.conclude(progressDone, v1.ReasonNotificationsSuspended, "suspended: what happens is recorded and sent once resumed")
	default:
		conds.conclude(progressDone, v1.ReasonReady, "messages go through")
	}
}

// progressOf is where a reason leaves a notification object: stalled when
// it needs a person and no retry mends it, else in flight.
func progressOf(reason string) progress {
	if v1.ReasonStalls(reason) {
		return progressStalled
	}
	return progressInFlight
}

// readyCondition is the Ready condition among conditions, or nil.
func readyCondition(conditions []metav1.Condition) *metav1.Condition {
	i := slices.IndexFunc(conditions, func(c metav1.Condition) bool { return c.Type == v1.ConditionReady })
	if i < 0 {
		return nil
	}
	return &conditions[i]
}

// failingOutboxes reports whether any outbox's last send failed.
func failingOutboxes(obs ...*v1.Outbox) bool {
	return slices.ContainsFunc(obs, func(ob *v1.Outbox) bool { return ob != nil && ob.Failures > 0 })
}

// requeueAt is a result that wakes at t (none when t is zero).
func requeueAt(t, now time.Time) time.Duration {
	if t.IsZero() {
		return 0
	}
	return max(t.Sub(now), 0) + 50*time.Millisecond
}
