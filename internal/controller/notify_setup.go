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
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// NotificationOptions tune the notification controllers
// (docs/notifications.md). They run beside governance, on queues of their
// own: a channel that fails or hangs holds no Proposal back.
type NotificationOptions struct {
	// Disabled turns them off (--notifications=false).
	Disabled bool
	// PortalURL is the portal's public address; messages link to its pages.
	// Without it they name the kubectl command instead.
	PortalURL string
	// UnsubscribeURL is the public address of the unsubscribe endpoint, as
	// a Follow's mail links to it (default PortalURL, where an ingress
	// routes /unsubscribe/ to the manager; else http://UnsubscribeAddr when
	// that names a host). Without one, a Follow's mail names the unfollow
	// command instead of a one-click link, and the Follow says so.
	UnsubscribeURL string
	// UnsubscribeAddr is where the manager serves /unsubscribe/ (every
	// replica, leader or not); empty or "0" serves nothing.
	UnsubscribeAddr string
	// Concurrency is how many rules, and a quarter of how many Follows, are
	// reconciled at once (default 2 and 8: each Follow is one person's,
	// and a burst touches many, most of the time waiting for the API
	// server or the mail server).
	Concurrency int
	// HTTPTransport and SMTPTLS replace the transports' defaults (tests).
	HTTPTransport http.RoundTripper
	SMTPTLS       *tls.Config
	// Now is the clock (tests).
	Now func() time.Time
}

// Index of Follows by the Role they follow.
const indexFollowRole = "spec.roleRef"

// notificationSeams are the points where the crash tests watch a delivery:
// Sending before a message goes out, Recorded once its sending is recorded
// (a crash between the two sends it again), and AfterSend right after it
// went through, before it is recorded.
type notificationSeams struct {
	Sending   func(ids []string)
	Recorded  func(ids []string)
	AfterSend func(ctx context.Context, ids []string) error
}

// setupNotifications registers the notification controllers, the Follow
// index and the unsubscribe endpoint.
func setupNotifications(ctx context.Context, mgr ctrl.Manager, opts NotificationOptions, seams notificationSeams) error {
	if opts.Disabled {
		return nil
	}
	if err := mgr.GetFieldIndexer().IndexField(ctx, &v1.Follow{}, indexFollowRole, func(obj client.Object) []string {
		if f, ok := obj.(*v1.Follow); ok {
			return []string{string(f.Spec.RoleRef)}
		}
		return nil
	}); err != nil {
		return fmt.Errorf("indexing Follows by %s: %w", indexFollowRole, err)
	}
	if opts.UnsubscribeURL == "" {
		opts.UnsubscribeURL = opts.PortalURL
	}
	if host, _, err := net.SplitHostPort(opts.UnsubscribeAddr); opts.UnsubscribeURL == "" && err == nil && host != "" {
		opts.UnsubscribeURL = "http://" + opts.UnsubscribeAddr // a local run: the demo, a test
	}
	opts.PortalURL = strings.TrimRight(opts.PortalURL, "/")
	opts.UnsubscribeURL = strings.TrimRight(opts.UnsubscribeURL, "/")
	if opts.Concurrency <= 0 {
		opts.Concurrency = 2
	}
	n := &notifier{
		client: mgr.GetClient(), live: mgr.GetAPIReader(), opts: opts, seams: seams,
		health:  newProviderHealth(),
		targets: &targetCache{},
	}
	providers := &NotificationProviderReconciler{notifier: n, Recorder: mgr.GetEventRecorder("skillmatrix-notifications")}
	if err := providers.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the NotificationProvider controller: %w", err)
	}
	rules := &NotificationRuleReconciler{notifier: n, Recorder: mgr.GetEventRecorder("skillmatrix-notifications")}
	if err := rules.SetupWithManager(mgr, opts.Concurrency); err != nil {
		return fmt.Errorf("setting up the NotificationRule controller: %w", err)
	}
	follows := &FollowReconciler{notifier: n, Recorder: mgr.GetEventRecorder("skillmatrix-notifications")}
	if err := follows.SetupWithManager(mgr, 4*opts.Concurrency); err != nil {
		return fmt.Errorf("setting up the Follow controller: %w", err)
	}
	if opts.UnsubscribeAddr != "" && opts.UnsubscribeAddr != "0" {
		if err := mgr.Add(&unsubscribeServer{addr: opts.UnsubscribeAddr, client: mgr.GetClient(), live: mgr.GetAPIReader()}); err != nil {
			return fmt.Errorf("adding the unsubscribe endpoint: %w", err)
		}
	}
	return nil
}

// providerEvents carries the providers whose health changed to their
// controller.
type providerEvents = chan event.GenericEvent
