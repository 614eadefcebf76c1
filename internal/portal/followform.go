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

package portal

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/notify"
)

// Following a Role by email. On a Role's Follow page a signed-in person
// follows it as themselves: instantly or in a daily digest at an hour in a
// time zone, in a language. The Follow is created as the person
// (impersonation), under the name `kubectl skillmatrix follow` gives it
// (notify.FollowName), with the address of the token's verified email claim
// when it has one; the subscriber is always the signed-in person, never
// anything the form says. The portal's ServiceAccount may not read Follows
// (they hold addresses): the page reads the person's own by its name, as
// the person. Changing the delivery patches it, unfollowing deletes it,
// both as the person; the admission policy skillmatrix-follow-owner lets
// only the subscriber do either.

// The form's values.
const (
	followInstant = "instant"
	followDigest  = "digest"
	utc           = "UTC"
)

// followChoice is what the follow form chose.
type followChoice struct {
	Mode v1.DeliveryMode
	// Hour is the digest's hour (Digest only).
	Hour int32
	// TimeZone is an IANA zone; "" is UTC.
	TimeZone string
	Locale   v1.Locale
}

// delivery is the Follow's spec.delivery for the choice.
func (c followChoice) delivery() *v1.DeliverySchedule {
	d := &v1.DeliverySchedule{Mode: c.Mode, TimeZone: c.TimeZone}
	if c.Mode == v1.DeliveryDigest {
		d.Hour = new(c.Hour)
	}
	return d
}

// errFollowForm is a follow form the portal refuses to send: its catalog
// key, and the value it names.
type errFollowForm struct{ key, value string }

func (e errFollowForm) Error() string { return e.key + ": " + e.value }

// timeZoneName is what a Follow's spec.delivery.timeZone accepts (its CRD's
// pattern).
var timeZoneName = regexp.MustCompile(`^[A-Za-z][-A-Za-z0-9_+]*(/[-A-Za-z0-9_+]+)*$`)

// maxTimeZone is the CRD's maxLength of spec.delivery.timeZone.
const maxTimeZone = 64

// parseFollowForm reads the follow form: delivery (instant or digest), hour
// (0 to 23, the digest's; default 9), tz (an IANA time zone the system
// knows; empty is UTC) and locale (one the portal speaks; empty is the
// page's). Anything else in the form is ignored: above all, whom the
// Follow is for.
func parseFollowForm(form url.Values, pageLocale string) (followChoice, error) {
	var c followChoice
	switch form.Get("delivery") {
	case followInstant:
		c.Mode = v1.DeliveryInstant
	case followDigest:
		c.Mode = v1.DeliveryDigest
	default:
		return c, errFollowForm{key: "portal.refused.followDelivery", value: form.Get("delivery")}
	}
	if c.Mode == v1.DeliveryDigest {
		h, ok := parseHour(form.Get("hour"))
		if !ok {
			return c, errFollowForm{key: "portal.refused.followHour", value: form.Get("hour")}
		}
		c.Hour = h
	}
	zone, err := parseTimeZone(form.Get("tz"))
	if err != nil {
		return c, err
	}
	c.TimeZone = zone
	locale := strings.TrimSpace(form.Get("locale"))
	if locale == "" {
		locale = pageLocale
	}
	if !slices.Contains(locales, locale) {
		return c, errFollowForm{key: "portal.refused.followLocale", value: locale}
	}
	c.Locale = v1.Locale(locale)
	return c, nil
}

// parseHour is an hour of the day written as one or two digits; empty is
// the default.
func parseHour(s string) (int32, bool) {
	if s == "" {
		return v1.DefaultDigestHour, true
	}
	if len(s) > 2 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	h, err := strconv.Atoi(s)
	if err != nil || h < 0 || h > 23 {
		return 0, false
	}
	return int32(h), true
}

// parseTimeZone is an IANA time zone the system knows, as a Follow takes
// it: "" for UTC. "Local" (the portal's own zone, not the person's) is no
// zone here.
func parseTimeZone(s string) (string, error) {
	zone := strings.TrimSpace(s)
	if zone == "" || strings.EqualFold(zone, utc) {
		return "", nil
	}
	if len(zone) > maxTimeZone || !timeZoneName.MatchString(zone) || zone == "Local" {
		return "", errFollowForm{key: "portal.refused.followTimeZone", value: s}
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || loc.String() != zone {
		return "", errFollowForm{key: "portal.refused.followTimeZone", value: s}
	}
	return zone, nil
}

// followFormView is the follow form of a signed-in person's Follow page.
type followFormView struct {
	Action, UnfollowAction string
	// Following is how the person follows the Role, as their Follow
	// says; nil when they do not.
	Following *followingNow
	// Mode, Hour, TimeZone and Locale are the form's: their Follow's, or
	// what they sent when it was refused, or the defaults.
	Mode     string
	Hour     int
	TimeZone string
	Locale   string
	Hours    []hourOption
	Locales  []localeOption
	// Email is where mail goes: the Follow's address, else the token's;
	// "" when neither names one (the Follow's default rules apply).
	Email string
	// Problem says, in words, why the Follow's mail does not go through
	// (its Ready condition, when False).
	Problem string
	// MayNot says, in words, why the portal could not read the person's
	// Follow (they may not follow here, or the portal lacks its grant).
	MayNot string
}

// followingNow is how a Follow delivers, to say on the page.
type followingNow struct {
	Digest bool
	// Hour is the digest's, as 07:00; Zone its time zone.
	Hour, Zone string
}

type hourOption struct {
	Value int
	Label string
}

type localeOption struct{ Value, Label string }

// hourOptions are the 24 hours of a day, 00:00 to 23:00.
var hourOptions = func() []hourOption {
	out := make([]hourOption, 24)
	for h := range out {
		out[h] = hourOption{Value: h, Label: fmt.Sprintf("%02d:00", h)}
	}
	return out
}()

// followForm makes the follow form of the person's page: their Follow of
// role, read as them; on a refused POST, what they sent.
func (s *Server) followForm(r *http.Request, role *v1.Role, id *identity) *followFormView {
	t := translator{locale: requestLocale(r)}
	v := &followFormView{Action: followURL(role.Namespace, role.Name), UnfollowAction: unfollowURL(role.Namespace, role.Name),
		Mode: followInstant, Hour: v1.DefaultDigestHour, TimeZone: utc, Locale: t.locale, Hours: hourOptions,
		Email: id.Email}
	for _, l := range locales {
		v.Locales = append(v.Locales, localeOption{Value: l, Label: languageName(l)})
	}
	have, err := s.act.getFollow(r.Context(), id, client.ObjectKey{Namespace: role.Namespace,
		Name: notify.FollowName(role.Name, id.Username)})
	switch {
	case err == nil && ownFollow(have, role, id):
		mode, hour, loc, zoneErr := notify.Schedule(have.Spec.Delivery)
		v.Mode, v.Hour = followInstant, hour
		if mode == v1.DeliveryDigest {
			v.Mode = followDigest
		}
		switch {
		case zoneErr != nil:
			// A zone the portal's system does not know: shown as written.
			v.TimeZone = have.Spec.Delivery.TimeZone
		case loc != nil:
			v.TimeZone = loc.String()
		}
		v.Following = &followingNow{Digest: mode == v1.DeliveryDigest, Hour: fmt.Sprintf("%02d:00", hour), Zone: v.TimeZone}
		if have.Spec.Locale != "" && slices.Contains(locales, string(have.Spec.Locale)) {
			v.Locale = string(have.Spec.Locale)
		}
		if have.Spec.Email != "" {
			v.Email = have.Spec.Email
		}
		if c := meta.FindStatusCondition(have.Status.Conditions, "Ready"); c != nil && c.Status == "False" {
			v.Problem = c.Message
		}
	case err == nil, apierrors.IsNotFound(err):
	default:
		v.MayNot = explain(t, actFollow, err).Message
	}
	if rf := refusalOf(r); rf != nil && r.PostForm != nil {
		// What they sent, kept.
		if d := r.PostForm.Get("delivery"); d == followInstant || d == followDigest {
			v.Mode = d
		}
		if h, ok := parseHour(r.PostForm.Get("hour")); ok {
			v.Hour = int(h)
		}
		v.TimeZone = cmp.Or(r.PostForm.Get("tz"), utc)
		if l := r.PostForm.Get("locale"); slices.Contains(locales, l) {
			v.Locale = l
		}
	}
	return v
}

// ownFollow says f is id's Follow of role (a name can be taken first by
// someone else's Follow, which is never shown nor changed).
func ownFollow(f *v1.Follow, role *v1.Role, id *identity) bool {
	return string(f.Spec.Subscriber) == id.Username && string(f.Spec.RoleRef) == role.Name
}

// followRole is the POST of the follow form: it follows the Role as the
// person, or changes their Follow's delivery.
func (s *Server) followRole(r *http.Request, id *identity) (string, error) {
	role, _, err := s.roleAndMatrix(r)
	if role == nil {
		return "", err
	}
	choice, err := parseFollowForm(r.PostForm, requestLocale(r))
	if ff, ok := errors.AsType[errFollowForm](err); ok {
		return "", refuse(r, http.StatusUnprocessableEntity, ff.key, "Value", ff.value)
	}
	key := client.ObjectKey{Namespace: role.Namespace, Name: notify.FollowName(role.Name, id.Username)}
	have, err := s.act.getFollow(r.Context(), id, key)
	switch {
	case apierrors.IsNotFound(err):
		f := notify.NewFollow(role.Namespace, role.Name, id.Username, notify.FollowOptions{Email: id.Email,
			Mode: choice.Mode, Hour: choice.delivery().Hour, TimeZone: choice.TimeZone, Locale: choice.Locale})
		if err := s.act.createFollow(r.Context(), id, f); err != nil {
			return "", err
		}
		return withDone(followURL(role.Namespace, role.Name), "followed"), nil
	case err != nil:
		return "", err
	case !ownFollow(have, role, id):
		return "", refuse(r, http.StatusConflict, "portal.refused.followNameTaken")
	}
	if err := s.act.patchFollow(r.Context(), id, have, choice.delivery(), choice.Locale); err != nil {
		return "", err
	}
	return withDone(followURL(role.Namespace, role.Name), "followChanged"), nil
}

// unfollowRole is the POST of the unfollow button: it deletes the person's
// Follow of the Role, as them.
func (s *Server) unfollowRole(r *http.Request, id *identity) (string, error) {
	role, _, err := s.roleAndMatrix(r)
	if role == nil {
		return "", err
	}
	key := client.ObjectKey{Namespace: role.Namespace, Name: notify.FollowName(role.Name, id.Username)}
	have, err := s.act.getFollow(r.Context(), id, key)
	switch {
	case apierrors.IsNotFound(err):
		return "", refuse(r, http.StatusConflict, "portal.refused.notFollowing")
	case err != nil:
		return "", err
	case !ownFollow(have, role, id):
		return "", refuse(r, http.StatusConflict, "portal.refused.notFollowing")
	}
	if err := s.act.deleteFollow(r.Context(), id, have); err != nil && !apierrors.IsNotFound(err) {
		return "", err
	}
	return withDone(followURL(role.Namespace, role.Name), "unfollowed"), nil
}
