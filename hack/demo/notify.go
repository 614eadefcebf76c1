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
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	careerv1alpha1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/hack/internal/managerproc"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/notify"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/testenv/mailpit"
)

// The demo's messages go to mailpit (hack/mailpit.sh), a real SMTP server
// on a loopback port, whose web page shows them: the team's mailbox, the
// expert asked to review, and bob, who follows the Role.
const (
	mailpitLog  = "mailpit.log"
	teamAddress = "career-team@example.com"
	// notifyRule and mailProvider are the demo's NotificationRule and
	// NotificationProvider.
	notifyRule   = "team"
	mailProvider = "mail"
	// follower follows the sample Role.
	follower = "bob"
)

// startMailpit starts mailpit on free loopback ports and picks the port of
// the manager's unsubscribe endpoint.
func (d *demo) startMailpit(ctx context.Context) error {
	bin, err := mailpit.Binary(ctx, d.root)
	if err != nil {
		return err
	}
	logFile, err := os.Create(filepath.Join(d.dir, mailpitLog))
	if err != nil {
		return err
	}
	if d.mail, err = mailpit.Start(ctx, bin, logFile); err != nil {
		return fmt.Errorf("%w (log %s)", err, filepath.Join(d.relDir, mailpitLog))
	}
	d.unsubscribeAddr, err = managerproc.FreeAddress("127.0.0.1:0")
	return err
}

// notificationArgs are the manager's flags for the demo's notifications:
// links to the portal behind oauth2-proxy (where a reader can sign in and
// act), and the one-click unsubscribe endpoint.
func (d *demo) notificationArgs() []string {
	return []string{"--portal-url=" + d.proxyURL(""), "--notification-bind-address=" + d.unsubscribeAddr,
		"--notification-unsubscribe-url=http://" + d.unsubscribeAddr}
}

// setUpNotifications creates the demo's provider (mailpit), a rule that
// mails the team and asks carol to review, and bob's Follow of the Role,
// created as bob.
func (d *demo) setUpNotifications(ctx context.Context) error {
	step("Notifications: email through mailpit (the team, the expert carol, and bob, who follows the Role)")
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: mailProvider},
		StringData: map[string]string{"username": "demo", "password": "demo"}}
	provider := &careerv1alpha1.NotificationProvider{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: mailProvider},
		Spec: careerv1alpha1.NotificationProviderSpec{
			Type:      careerv1alpha1.ProviderSMTP,
			SecretRef: &careerv1alpha1.SecretReference{Name: mailProvider},
			SMTP: &careerv1alpha1.SMTPSettings{Host: d.mail.SMTPHost, Port: int32(d.mail.SMTPPort),
				From: "career@example.com", Security: careerv1alpha1.SMTPNone, UserDomain: "example.com"},
			Follows: &careerv1alpha1.FollowDelivery{AllowedDomains: []string{"example.com"}},
			// A demo is quick: a burst waits a second, not five.
			Batching: &careerv1alpha1.NotificationBatching{Window: &metav1.Duration{Duration: time.Second}},
		},
	}
	rule := &careerv1alpha1.NotificationRule{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: notifyRule},
		Spec: careerv1alpha1.NotificationRuleSpec{
			ProviderRef: careerv1alpha1.LocalReference{Name: mailProvider},
			MatrixRef:   "engineering",
			To:          []string{teamAddress},
			Reviewers:   []careerv1alpha1.Username{"carol"},
		},
	}
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: follower + "-skillmatrix-follower"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "skillmatrix-follower"},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: follower}},
	}
	for _, obj := range []client.Object{secret, provider, rule, binding} {
		if err := d.admin.Create(ctx, obj); err != nil {
			return fmt.Errorf("creating %s: %w", obj.GetName(), err)
		}
	}
	follow := notify.NewFollow(namespace, "mlops-engineer", follower, notify.FollowOptions{})
	if err := d.waitFor(ctx, func(ctx context.Context) (bool, error) {
		// bob's RoleBinding takes a moment to reach the authorizer.
		return d.users[follower].Create(ctx, follow) == nil, nil
	}); err != nil {
		return fmt.Errorf("%s could not follow the Role: %w", follower, err)
	}
	fmt.Printf("    NotificationProvider %s (SMTP %s:%d), NotificationRule %s (to %s, reviewer carol), "+
		"Follow %s (as %s)\n", mailProvider, d.mail.SMTPHost, d.mail.SMTPPort, notifyRule, teamAddress, follow.Name, follower)
	fmt.Printf("    Messages: mailpit's web page %s\n", d.mail.URL)
	return nil
}

// printNotificationSteps tells where the demo's messages can be read.
func (d *demo) printNotificationSteps(p func(format string, a ...any)) {
	p("  The messages the operator sends (new proposal, review needed, applied), in mailpit's web page:")
	p("    %s", d.mail.URL)
	p("    to %s (the team), carol@example.com (asked to review), bob@example.com (follows the Role)", teamAddress)
	p("    %s", d.kubectl("", "get cnprov,cnrule,cfollow -n "+namespace))
	p("")
}

// checkMail waits until the team, carol and bob got their messages about
// the sample Proposal, each once, and bob's carries the one-click
// unsubscribe link.
func (d *demo) checkMail(ctx context.Context) error {
	step("Check: the messages in mailpit")
	want := map[string][]string{
		teamAddress:         {"New proposal for mlops-engineer", "Review needed", "Applied to mlops-engineer"},
		"carol@example.com": {"Review needed"},
		"bob@example.com":   {"New proposal for mlops-engineer", "Applied to mlops-engineer"},
	}
	var got map[string][]string
	err := d.waitFor(ctx, func(ctx context.Context) (bool, error) {
		all, err := d.mail.Messages(ctx)
		if err != nil {
			return false, nil //nolint:nilerr // transient: keep polling
		}
		got = map[string][]string{}
		for _, m := range all {
			for _, to := range m.To {
				got[to.Address] = append(got[to.Address], m.Subject)
			}
		}
		for to, subjects := range want {
			for _, s := range subjects {
				if !slices.ContainsFunc(got[to], func(g string) bool { return strings.HasPrefix(g, s) }) {
					return false, nil
				}
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("the messages did not arrive within %s: got %v", d.opts.timeout, got)
	}
	for _, to := range slices.Sorted(maps.Keys(want)) {
		if len(got[to]) != len(want[to]) {
			return fmt.Errorf("%s got %d messages, want %d: %q", to, len(got[to]), len(want[to]), got[to])
		}
		fmt.Printf("    %-24s %s\n", to, strings.Join(got[to], " | "))
	}
	return d.checkUnsubscribeHeader(ctx)
}

// checkUnsubscribeHeader checks bob's mail carries RFC 8058's headers,
// pointing at the manager's unsubscribe endpoint.
func (d *demo) checkUnsubscribeHeader(ctx context.Context) error {
	all, err := d.mail.Messages(ctx)
	if err != nil {
		return err
	}
	for _, m := range all {
		if len(m.To) == 0 || m.To[0].Address != "bob@example.com" {
			continue
		}
		h, err := d.mail.Headers(ctx, m.ID)
		if err != nil {
			return err
		}
		link := strings.Join(h["List-Unsubscribe"], "")
		if !strings.HasPrefix(link, "<http://"+d.unsubscribeAddr+"/unsubscribe/") ||
			strings.Join(h["List-Unsubscribe-Post"], "") != "List-Unsubscribe=One-Click" {
			return fmt.Errorf("bob's mail %q lacks the one-click unsubscribe headers: %v", m.Subject, h)
		}
	}
	fmt.Printf("    bob's mail carries List-Unsubscribe and List-Unsubscribe-Post (RFC 8058), to http://%s\n",
		d.unsubscribeAddr)
	return nil
}

// stopMailpit ends mailpit.
func (d *demo) stopMailpit() {
	if d.mail != nil {
		d.mail.Stop()
	}
}
