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
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/notify"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/mailpit"
)

// The notification measurement: the governance burst (govProposals decided
// at once over govRoles Roles) with the operator telling a signed webhook
// channel, a team mailbox and, by email, three people who each follow every
// Role, through mailpit on loopback. It measures the time from each
// deciding vote to the first message that tells its decision, and the
// manager's CPU, whose excess over the governance measurement's (the same
// burst, nobody told) is its cost per notification.

// notifyFollowers each follow every Role.
var notifyFollowers = []string{bob, carol, dave}

// notifyResult is the notification measurement.
type notifyResult struct {
	Variant          string
	Proposals, Roles int
	Follows          int
	Latencies        []time.Duration
	Quantiles
	// Mail* run from each deciding vote to the first Follow's mail that
	// tells it (mailpit's receive time).
	MailP50, MailP95, MailMax time.Duration
	// After* run from the moment the Role's ConfigMap carried the change
	// (the end of the governance latency) to the webhook's message: the
	// notifications' own share.
	AfterP50, AfterP95 time.Duration
	// Events counts the (recipient, event) pairs the burst delivered, alone
	// or listed in a digest; Messages the messages (a digest once).
	Events, Messages int
	CPU              map[string]time.Duration
	// BaselineCPU is the manager's CPU for the same burst with nobody told
	// (the governance measurement); PerThousand the excess per 1000 events.
	BaselineCPU, PerThousand time.Duration
}

func (b *bench) notifications(ctx context.Context, v variant) notifyResult {
	res := notifyResult{Variant: v.Name, Proposals: b.cfg.govProposals, Roles: b.cfg.govRoles}
	logFile := must(os.Create(filepath.Join(b.logDir, "mailpit.log")))
	b.cleanup(func() { _ = logFile.Close() })
	mail := must(mailpit.Start(ctx, must(mailpit.Binary(ctx, b.root)), logFile))
	b.cleanup(mail.Stop)
	hook := &hookReceiver{firstApplied: map[string]time.Time{}}
	srv := httptest.NewServer(hook)
	b.cleanup(srv.Close)
	track := newLatencies()
	st := b.setUp(ctx, stageSpec{namespace: "notify", roles: b.cfg.govRoles, governance: governancePolicy(),
		onConfigMap: track.configMap})
	v.Args = append(slices.Clone(v.Args), "--portal-url=https://career.example.com")
	mgr := b.startManager(ctx, st, v, "notifications")
	follows := setUpNotifications(ctx, st, srv.URL, mail)
	res.Follows = len(follows)
	proposals := b.openProposals(ctx, st, res.Proposals)
	track.follow(proposals)
	// The openings are told; the measurement starts once they are.
	notificationsSettled(ctx, st, b.cfg.timeout)
	check(mail.DeleteAll(ctx))
	hook.mu.Lock()
	hook.firstApplied, hook.events, hook.messages = map[string]time.Time{}, 0, 0
	hook.mu.Unlock()

	m := startMeter(ctx, st.cp, mgr.Pid())
	logln("  casting %d deciding votes at once", len(proposals))
	track.vote(ctx, st.cp.users[dave], proposals, nil)
	missing := 0
	check(wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, b.cfg.timeout, true,
		func(context.Context) (bool, error) {
			missing = len(proposals) - len(hook.told(proposals))
			return missing == 0, nil
		}), fmt.Sprintf("the webhook was not told %d of %d decisions", missing, len(proposals)))
	notificationsSettled(ctx, st, b.cfg.timeout)
	res.CPU = m.cpu()
	var after, mailLat []time.Duration
	told := hook.told(proposals)
	for _, p := range proposals {
		uid := string(p.UID)
		res.Latencies = append(res.Latencies, told[p.Name].Sub(track.sent[uid]))
		if seen, ok := track.seen[uid]; ok {
			after = append(after, told[p.Name].Sub(seen))
		}
	}
	qa := quantilesOf(after)
	res.AfterP50, res.AfterP95, res.Quantiles = qa.P50, qa.P95, quantilesOf(res.Latencies)
	events, messages, first := mailDeliveries(ctx, mail, proposals, follows)
	for _, p := range proposals {
		if at, ok := first[string(p.UID)]; ok {
			mailLat = append(mailLat, at.Sub(track.sent[string(p.UID)]))
		}
	}
	if len(mailLat) != len(proposals) {
		check(fmt.Errorf("%d of %d decisions reached a follower's mailbox", len(mailLat), len(proposals)))
	}
	qm := quantilesOf(mailLat)
	res.MailP50, res.MailP95, res.MailMax = qm.P50, qm.P95, qm.Max
	hook.mu.Lock()
	res.Events, res.Messages = events+hook.events, messages+hook.messages
	hook.mu.Unlock()
	logln("  %d events in %d messages; webhook p50 %s, p95 %s; mail p95 %s; manager CPU %s",
		res.Events, res.Messages, res.P50.Round(time.Millisecond), res.P95.Round(time.Millisecond),
		res.MailP95.Round(time.Millisecond), res.CPU["manager"].Round(time.Millisecond))
	return res
}

// setUpNotifications creates the webhook and SMTP providers, a rule for
// each (the webhook's channel, the team's mailbox), and a Follow of every
// Role by each of notifyFollowers, created as them; it waits until the
// Follows are set up and returns them.
func setUpNotifications(ctx context.Context, st *stage, hookURL string, mail *mailpit.Server) []*v1.Follow {
	const hook, smtp = "hook", "mail"
	matrix := v1.ObjectName(st.matrix.Name)
	for _, o := range []client.Object{
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: st.ns, Name: hook},
			StringData: map[string]string{"token": "bench-webhook-key"}},
		&v1.NotificationProvider{ObjectMeta: metav1.ObjectMeta{Namespace: st.ns, Name: hook},
			Spec: v1.NotificationProviderSpec{Type: v1.ProviderWebhook, Address: hookURL,
				SecretRef: &v1.SecretReference{Name: hook}}},
		&v1.NotificationProvider{ObjectMeta: metav1.ObjectMeta{Namespace: st.ns, Name: smtp},
			Spec: v1.NotificationProviderSpec{Type: v1.ProviderSMTP,
				SMTP: &v1.SMTPSettings{Host: mail.SMTPHost, Port: int32(mail.SMTPPort), From: "career@example.com",
					Security: v1.SMTPNone, UserDomain: "example.com"},
				Follows: &v1.FollowDelivery{}}},
		&v1.NotificationRule{ObjectMeta: metav1.ObjectMeta{Namespace: st.ns, Name: hook},
			Spec: v1.NotificationRuleSpec{ProviderRef: v1.LocalReference{Name: hook}, MatrixRef: matrix}},
		&v1.NotificationRule{ObjectMeta: metav1.ObjectMeta{Namespace: st.ns, Name: "team"},
			Spec: v1.NotificationRuleSpec{ProviderRef: v1.LocalReference{Name: smtp}, MatrixRef: matrix,
				To: []string{"career-team@example.com"}}},
	} {
		check(st.cp.Admin.Create(ctx, o), fmt.Sprintf("creating %T %s", o, o.GetName()))
	}
	follows := make([]*v1.Follow, 0, len(notifyFollowers)*len(st.roles))
	for _, u := range notifyFollowers {
		st.cp.bind(ctx, "", u+"-skillmatrix-follower", "skillmatrix-follower", rbacv1.UserKind, u)
		for _, r := range st.roles {
			follows = append(follows, notify.NewFollow(st.ns, r.Name, u, notify.FollowOptions{}))
		}
	}
	// The RoleBindings take a moment to reach the authorizer.
	deadline := time.Now().Add(time.Minute)
	check(parallel(len(follows), 16, func(i int) error {
		var err error
		_ = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Until(deadline), true,
			func(ctx context.Context) (bool, error) {
				err = st.cp.users[string(follows[i].Spec.Subscriber)].Create(ctx, follows[i])
				return err == nil, nil
			})
		return err
	}), "following the Roles")
	for _, f := range follows {
		check(wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 24*time.Hour, true,
			func(ctx context.Context) (bool, error) {
				err := st.cp.Admin.Get(ctx, client.ObjectKeyFromObject(f), f)
				return f.Status.UnsubscribeToken != "", err
			}))
	}
	return follows
}

// notificationsSettled waits until no rule or Follow of the stage has a
// message waiting.
func notificationsSettled(ctx context.Context, st *stage, timeout time.Duration) {
	waiting := 0
	settled := func(ctx context.Context) (bool, error) {
		var rules v1.NotificationRuleList
		var follows v1.FollowList
		if err := st.cp.Admin.List(ctx, &rules, client.InNamespace(st.ns)); err != nil {
			return false, err
		}
		waiting = 0
		for _, r := range rules.Items {
			for _, ob := range r.Status.Outboxes {
				waiting += len(ob.Pending)
			}
		}
		err := st.cp.Admin.List(ctx, &follows, client.InNamespace(st.ns))
		for _, f := range follows.Items {
			if f.Status.Outbox != nil {
				waiting += len(f.Status.Outbox.Pending)
			}
		}
		return waiting == 0, err
	}
	if err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, timeout, true, settled); err != nil {
		check(err, fmt.Sprintf("%d notifications still wait", waiting))
	}
}

// mailDeliveries reads what mailpit received: the events delivered (each
// message's delivery id, or a digest's listed ids), the messages, and per
// Proposal uid the first arrival of a Follow's mail telling its Applied.
func mailDeliveries(ctx context.Context, mail *mailpit.Server, proposals []*v1.Proposal, follows []*v1.Follow,
) (events, messages int, first map[string]time.Time) {
	byID := map[string]string{}
	for _, p := range proposals {
		for _, f := range follows {
			if f.Spec.RoleRef == p.Spec.RoleRef {
				byID[notify.DeliveryID(string(f.UID)+"/follow", string(p.UID)+"/applied")] = string(p.UID)
			}
		}
	}
	first = map[string]time.Time{}
	for _, m := range must(mail.Messages(ctx)) {
		h := must(mail.Headers(ctx, m.ID))
		ids := h[notify.HeaderDeliveryID]
		if digest := h[notify.HeaderDigestOf]; len(digest) > 0 {
			ids = strings.Split(strings.Join(strings.Fields(strings.Join(digest, "")), ""), ",")
		}
		messages++
		events += len(ids)
		for _, id := range ids {
			if uid, ok := byID[id]; ok {
				if t, seen := first[uid]; !seen || m.Created.Before(t) {
					first[uid] = m.Created
				}
			}
		}
	}
	return events, messages, first
}

// hookReceiver is the webhook on loopback: when each Proposal's Applied
// first arrived, and how many events and messages came.
type hookReceiver struct {
	mu               sync.Mutex
	firstApplied     map[string]time.Time
	events, messages int
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	var p struct {
		Events []struct {
			Event  string `json:"event"`
			Object string `json:"object"`
		} `json:"events"`
	}
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.messages++
	h.events += len(p.Events)
	for _, e := range p.Events {
		if _, seen := h.firstApplied[e.Object]; e.Event == string(v1.EventApplied) && !seen {
			h.firstApplied[e.Object] = at
		}
	}
}

// told is when the webhook first heard of each Proposal's Applied, by
// name, for those it has.
func (h *hookReceiver) told(proposals []*v1.Proposal) map[string]time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]time.Time{}
	for _, p := range proposals {
		if at, ok := h.firstApplied[p.Name]; ok {
			out[p.Name] = at
		}
	}
	return out
}
