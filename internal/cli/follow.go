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

package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/notify"
)

// resFollows names Follows in messages and RBAC hints.
const resFollows = "follows.career.skillmatrix.dev"

type followFlags struct {
	digest   bool
	hour     int32
	timeZone string
	locale   string
	email    string
	events   []string
	list     bool
}

func newFollowCommand(o *options) *cobra.Command {
	var f followFlags
	cmd := &cobra.Command{
		Use:   "follow [ROLE]",
		Short: "Follow a Role: get an email when its Proposals open, near their deadline, are decided or applied",
		Long: `Follow a career Role as yourself: the operator emails you when one of its
Proposals opens, its voting closes within a day, it is decided (Accepted,
Rejected, Expired, Conflicted, Withdrawn) or applied, and when the Role no
longer carries an applied change. Instant by default; --digest sends one
message a day at --hour in --time-zone (UTC unless set).

The Follow is created in your name (the admission policy refuses any other),
named after the Role and a hash of your username, so following again changes
the one you have. Your mail goes to your username when it is an address, else
to the address your platform team's provider makes of it, or to --email. Every
message carries a one-click unsubscribe link; "unfollow ROLE" does the same.
With --list, it shows the Roles of the namespace you follow.

It needs the ClusterRole skillmatrix-follower, and a NotificationProvider in
the namespace that delivers Follows (docs/notifications.md).`,
		Example: `  kubectl skillmatrix follow mlops-engineer
  kubectl skillmatrix follow mlops-engineer --digest --hour 9 --time-zone Asia/Shanghai --locale zh-CN
  kubectl skillmatrix follow mlops-engineer --events Opened,Decided --email me@example.com
  kubectl skillmatrix follow --list`,
		Args: args(0, 1, "ROLE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			if f.list {
				if len(a) > 0 {
					return usageErrorf("--list takes no ROLE")
				}
				return o.listFollows(cmd.Context())
			}
			if len(a) == 0 {
				return usageErrorf("missing ROLE (or --list)")
			}
			opts, err := f.options(cmd)
			if err != nil {
				return err
			}
			return o.follow(cmd.Context(), a[0], opts)
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&f.digest, "digest", false, "one message a day, at --hour in --time-zone, instead of one per event")
	fs.Int32Var(&f.hour, "hour", v1.DefaultDigestHour, "the hour of the daily digest, 0 to 23 (with --digest)")
	fs.StringVar(&f.timeZone, "time-zone", "", "an IANA time zone for the digest's hour and the times messages show, e.g. Europe/Berlin (default UTC)")
	fs.StringVar(&f.locale, "locale", "", "the language of the messages: en (default) or zh-CN")
	fs.StringVar(&f.email, "email", "", "where the messages go (default: your username, or the address the provider makes of it)")
	fs.StringSliceVar(&f.events, "events", nil, "what to be told: "+eventNames()+" (default Opened,DeadlineNear,Decided,Applied,Reverted)")
	fs.BoolVar(&f.list, "list", false, "list the Roles of the namespace you follow")
	return cmd
}

func newUnfollowCommand(o *options) *cobra.Command {
	return &cobra.Command{
		Use:   "unfollow ROLE",
		Short: "Stop following a Role",
		Long: `Delete your Follow of a career Role: no more messages about its Proposals.
Only you (or the unsubscribe link of its mail) may delete your Follow.`,
		Example: `  kubectl skillmatrix unfollow mlops-engineer`,
		Args:    args(1, 1, "ROLE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			return o.unfollow(cmd.Context(), a[0])
		},
	}
}

func eventNames() string {
	names := make([]string, 0, len(v1.AllNotificationEvents()))
	for _, e := range v1.AllNotificationEvents() {
		names = append(names, string(e))
	}
	return strings.Join(names, ", ")
}

// options checks the flags and turns them into a Follow's choices.
func (f followFlags) options(cmd *cobra.Command) (notify.FollowOptions, error) {
	var o notify.FollowOptions
	if changed(cmd.Flags(), "hour") && !f.digest {
		return o, usageErrorf("--hour is the hour of the daily digest: add --digest")
	}
	if f.hour < 0 || f.hour > 23 {
		return o, usageErrorf("--hour %d is not an hour of the day (0 to 23)", f.hour)
	}
	if f.timeZone != "" {
		if _, err := time.LoadLocation(f.timeZone); err != nil {
			return o, usageErrorf("--time-zone %q is not a time zone this system knows (e.g. Europe/Berlin, Asia/Shanghai): %v", f.timeZone, err)
		}
	}
	for _, e := range f.events {
		ev := v1.NotificationEvent(strings.TrimSpace(e))
		if !slices.Contains(v1.AllNotificationEvents(), ev) {
			return o, usageErrorf("--events: %q is no event: want %s", e, eventNames())
		}
		if !slices.Contains(o.Events, ev) {
			o.Events = append(o.Events, ev)
		}
	}
	o.Email, o.Locale, o.TimeZone = f.email, v1.Locale(f.locale), f.timeZone
	if f.digest {
		o.Mode, o.Hour = v1.DeliveryDigest, &f.hour
	}
	return o, nil
}

// follow creates the user's Follow of role, or changes the one they have.
func (o *options) follow(ctx context.Context, role string, opts notify.FollowOptions) error {
	s, err := o.connect()
	if err != nil {
		return err
	}
	me, err := s.whoami(ctx)
	if err != nil {
		return err
	}
	if _, _, err := s.getRole(ctx, role); err != nil {
		return err
	}
	want := notify.NewFollow(s.ns, role, me, opts)
	verb := "now follow"
	err = s.c.Create(ctx, want)
	if apierrors.IsAlreadyExists(err) {
		var have v1.Follow
		if err := s.c.Get(ctx, client.ObjectKeyFromObject(want), &have); err != nil {
			return s.explain(err, "get", resFollows, want.Name)
		}
		have.Spec = want.Spec
		verb = "still follow"
		err = s.c.Update(ctx, &have)
		if err != nil {
			return s.explain(err, "update", resFollows, want.Name)
		}
	} else if err != nil {
		return s.explain(err, "create", resFollows, want.Name)
	}
	out := &printer{w: o.streams.Out}
	how := "each event as it happens"
	if opts.Mode == v1.DeliveryDigest {
		zone := opts.TimeZone
		if zone == "" {
			zone = "UTC"
		}
		how = fmt.Sprintf("a daily digest at %02d:00 %s", *opts.Hour, zone)
	}
	to := "the address of your username"
	if opts.Email != "" {
		to = opts.Email
	}
	out.f("%s: you (%s) %s it: %s, by email to %s\n", role, me, verb, how, to)
	out.f("Follow %s; status: kubectl get follows.career.skillmatrix.dev %s -n %s\n", want.Name, want.Name, s.ns)
	return out.err
}

// unfollow deletes the user's Follow of role.
func (o *options) unfollow(ctx context.Context, role string) error {
	s, err := o.connect()
	if err != nil {
		return err
	}
	me, err := s.whoami(ctx)
	if err != nil {
		return err
	}
	f := &v1.Follow{}
	f.Namespace, f.Name = s.ns, notify.FollowName(role, me)
	out := &printer{w: o.streams.Out}
	if err := s.c.Delete(ctx, f); err != nil {
		if apierrors.IsNotFound(err) {
			out.f("%s: you (%s) do not follow it\n", role, me)
			return out.err
		}
		return s.explain(err, "delete", resFollows, f.Name)
	}
	out.f("%s: you (%s) no longer follow it\n", role, me)
	return out.err
}

// listFollows shows the Roles of the namespace the user follows: it reads
// each Role's Follow by name, as nobody may list everyone's.
func (o *options) listFollows(ctx context.Context) error {
	s, err := o.connect()
	if err != nil {
		return err
	}
	me, err := s.whoami(ctx)
	if err != nil {
		return err
	}
	var roles v1.RoleList
	if err := s.c.List(ctx, &roles, client.InNamespace(s.ns)); err != nil {
		return s.explain(err, "list", resRoles, "")
	}
	out := &printer{w: o.streams.Out}
	found := 0
	for _, r := range roles.Items {
		var f v1.Follow
		err := s.c.Get(ctx, client.ObjectKey{Namespace: s.ns, Name: notify.FollowName(r.Name, me)}, &f)
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return s.explain(err, "get", resFollows, notify.FollowName(r.Name, me))
		}
		found++
		mode, hour, zone := "Instant", "", "UTC"
		if d := f.Spec.Delivery; d != nil {
			if d.Mode != "" {
				mode = string(d.Mode)
			}
			if d.Mode == v1.DeliveryDigest {
				h := int32(v1.DefaultDigestHour)
				if d.Hour != nil {
					h = *d.Hour
				}
				hour = fmt.Sprintf(" at %02d:00", h)
			}
			if d.TimeZone != "" {
				zone = d.TimeZone
			}
		}
		state := "waiting for the operator"
		for _, c := range f.Status.Conditions {
			if c.Type == v1.ConditionReady {
				state = c.Reason + ": " + c.Message
			}
		}
		out.f("%s\t%s%s %s\t%s\n", r.Name, mode, hour, zone, state)
	}
	if found == 0 {
		out.f("you (%s) follow no Role in namespace %q\n", me, s.ns)
	}
	return out.err
}
