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
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/hack/oidcissuer"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/notify"
)

func TestParseFollowForm(t *testing.T) {
	for _, tc := range []struct {
		name    string
		form    url.Values
		want    followChoice
		wantKey string
	}{
		{name: "instant, defaults", form: url.Values{"delivery": {"instant"}},
			want: followChoice{Mode: v1.DeliveryInstant, Locale: "en"}},
		{name: "instant ignores the hour", form: url.Values{"delivery": {"instant"}, "hour": {"banana"}, "tz": {"UTC"}},
			want: followChoice{Mode: v1.DeliveryInstant, Locale: "en"}},
		{name: "instant keeps the zone for the times shown", form: url.Values{"delivery": {"instant"}, "tz": {"Europe/Berlin"}},
			want: followChoice{Mode: v1.DeliveryInstant, TimeZone: "Europe/Berlin", Locale: "en"}},
		{name: "digest at the default hour", form: url.Values{"delivery": {"digest"}},
			want: followChoice{Mode: v1.DeliveryDigest, Hour: v1.DefaultDigestHour, Locale: "en"}},
		{name: "digest at midnight", form: url.Values{"delivery": {"digest"}, "hour": {"0"}},
			want: followChoice{Mode: v1.DeliveryDigest, Hour: 0, Locale: "en"}},
		{name: "digest at 23 in Shanghai, in Chinese", form: url.Values{"delivery": {"digest"}, "hour": {"23"},
			"tz": {" Asia/Shanghai "}, "locale": {"zh-CN"}},
			want: followChoice{Mode: v1.DeliveryDigest, Hour: 23, TimeZone: "Asia/Shanghai", Locale: "zh-CN"}},
		{name: "two-digit hour with a zero", form: url.Values{"delivery": {"digest"}, "hour": {"07"}},
			want: followChoice{Mode: v1.DeliveryDigest, Hour: 7, Locale: "en"}},
		{name: "utc in any case is UTC", form: url.Values{"delivery": {"instant"}, "tz": {"utc"}},
			want: followChoice{Mode: v1.DeliveryInstant, Locale: "en"}},
		{name: "Etc/UTC is a zone of its own", form: url.Values{"delivery": {"instant"}, "tz": {"Etc/UTC"}},
			want: followChoice{Mode: v1.DeliveryInstant, TimeZone: "Etc/UTC", Locale: "en"}},
		{name: "no delivery", form: url.Values{}, wantKey: "portal.refused.followDelivery"},
		{name: "unknown delivery", form: url.Values{"delivery": {"Weekly"}}, wantKey: "portal.refused.followDelivery"},
		{name: "hour 24", form: url.Values{"delivery": {"digest"}, "hour": {"24"}}, wantKey: "portal.refused.followHour"},
		{name: "hour -1", form: url.Values{"delivery": {"digest"}, "hour": {"-1"}}, wantKey: "portal.refused.followHour"},
		{name: "hour +9", form: url.Values{"delivery": {"digest"}, "hour": {"+9"}}, wantKey: "portal.refused.followHour"},
		{name: "hour 009", form: url.Values{"delivery": {"digest"}, "hour": {"009"}}, wantKey: "portal.refused.followHour"},
		{name: "hour 9.5", form: url.Values{"delivery": {"digest"}, "hour": {"9.5"}}, wantKey: "portal.refused.followHour"},
		{name: "hour in another script", form: url.Values{"delivery": {"digest"}, "hour": {"٩"}}, wantKey: "portal.refused.followHour"},
		{name: "unknown zone", form: url.Values{"delivery": {"digest"}, "tz": {"Mars/Olympus_Mons"}},
			wantKey: "portal.refused.followTimeZone"},
		{name: "Local is the portal's zone", form: url.Values{"delivery": {"digest"}, "tz": {"Local"}},
			wantKey: "portal.refused.followTimeZone"},
		{name: "a path", form: url.Values{"delivery": {"digest"}, "tz": {"../../etc/passwd"}},
			wantKey: "portal.refused.followTimeZone"},
		{name: "an absolute path", form: url.Values{"delivery": {"digest"}, "tz": {"/usr/share/zoneinfo/UTC"}},
			wantKey: "portal.refused.followTimeZone"},
		{name: "an offset", form: url.Values{"delivery": {"digest"}, "tz": {"+08:00"}}, wantKey: "portal.refused.followTimeZone"},
		{name: "too long", form: url.Values{"delivery": {"digest"}, "tz": {"America/" + strings.Repeat("X", 64)}},
			wantKey: "portal.refused.followTimeZone"},
		{name: "a language the portal does not speak", form: url.Values{"delivery": {"instant"}, "locale": {"fr"}},
			wantKey: "portal.refused.followLocale"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseFollowForm(tc.form, "en")
			if tc.wantKey != "" {
				ff, ok := errors.AsType[errFollowForm](err)
				if !ok || ff.key != tc.wantKey {
					t.Fatalf("got %+v, %v; want the refusal %s", got, err, tc.wantKey)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
	// The page's language is the default.
	if got, err := parseFollowForm(url.Values{"delivery": {"instant"}}, "zh-CN"); err != nil || got.Locale != "zh-CN" {
		t.Errorf("the page's locale: %+v %v", got, err)
	}
}

func TestFollowPatch(t *testing.T) {
	have := &v1.Follow{ObjectMeta: metav1.ObjectMeta{UID: "u1", ResourceVersion: "7"}}
	for _, tc := range []struct {
		name string
		c    followChoice
		want string
	}{
		{name: "instant drops the hour", c: followChoice{Mode: v1.DeliveryInstant, Locale: "en"},
			want: `{"metadata":{"uid":"u1"},"spec":{"delivery":{"hour":null,"mode":"Instant","timeZone":null},"locale":"en"}}`},
		{name: "digest", c: followChoice{Mode: v1.DeliveryDigest, Hour: 0, TimeZone: "Asia/Shanghai", Locale: "zh-CN"},
			want: `{"metadata":{"uid":"u1"},"spec":{"delivery":{"hour":0,"mode":"Digest","timeZone":"Asia/Shanghai"},"locale":"zh-CN"}}`},
	} {
		got, err := followPatch(have, tc.c.delivery(), tc.c.Locale)
		if err != nil || string(got) != tc.want {
			t.Errorf("%s: %s %v\nwant %s", tc.name, got, err, tc.want)
		}
		var m map[string]any
		if err := json.Unmarshal(got, &m); err != nil {
			t.Error(err)
		}
	}
}

// Following a Role in the portal: the form, as the signed-in person,
// under the CLI's name, with the token's email; changing and unfollowing;
// refusals in words that write nothing.
func TestFollowForm(t *testing.T) {
	e := newAuthEnv(t)
	const page = "/ns/career/roles/mlops-engineer/follow"
	name := notify.FollowName("mlops-engineer", "alice")

	// Anonymous: the feed page, and a hint to sign in.
	anon := e.browser("")
	r := anon.do(http.MethodGet, page, nil)
	if r.code != http.StatusOK || strings.Contains(r.body, "follow-form") || !strings.Contains(r.body, "Sign in to follow") ||
		!strings.Contains(r.body, "kubectl skillmatrix follow mlops-engineer -n career") || !strings.Contains(r.body, "feed.atom") {
		t.Errorf("the anonymous follow page: %d\n%s", r.code, r.body)
	}
	if r := anon.do(http.MethodPost, page, url.Values{"delivery": {"instant"}}); r.code != http.StatusUnauthorized {
		t.Errorf("an anonymous follow: %d", r.code)
	}

	alice := e.browser(e.token("alice", oidcissuer.MintOptions{}))
	r = alice.do(http.MethodGet, page, nil)
	if !strings.Contains(r.body, `class="card follow-form"`) || strings.Contains(r.body, "unfollow-form") ||
		!strings.Contains(r.body, "alice@example.com") || !strings.Contains(r.body, `<option value="9" selected>09:00</option>`) ||
		!strings.Contains(r.body, `name="tz" type="text" value="UTC"`) || !strings.Contains(r.body, `<option value="en" selected>`) {
		t.Fatalf("alice's follow page:\n%s", r.body)
	}
	token := tokenField.FindStringSubmatch(r.body)[1]

	// A bad time zone: refused in words, what she chose kept, nothing written.
	r = alice.do(http.MethodPost, page, url.Values{"token": {token}, "delivery": {"digest"}, "hour": {"7"}, "tz": {"Mars/Base"}})
	if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "is not a time zone the portal knows") ||
		!strings.Contains(r.body, "Nothing was changed.") || !strings.Contains(r.body, `value="Mars/Base"`) ||
		!strings.Contains(r.body, `<option value="7" selected>07:00</option>`) {
		t.Errorf("a bad time zone: %d\n%s", r.code, r.body)
	}
	if w := e.act.written(); len(w) != 0 {
		t.Fatalf("a refused form wrote %+v", w)
	}

	// She follows: a daily digest at 07:00 in Shanghai, in Chinese. The
	// form's subscriber is not whom the Follow is for.
	r = alice.do(http.MethodPost, page, url.Values{"token": {token}, "delivery": {"digest"}, "hour": {"7"},
		"tz": {"Asia/Shanghai"}, "locale": {"zh-CN"}, "subscriber": {"bob"}, "email": {"bob@example.com"}})
	if r.code != http.StatusSeeOther || r.header.Get("Location") != page+"?done=followed" {
		t.Fatalf("alice follows: %d %s\n%s", r.code, r.header.Get("Location"), r.body)
	}
	w := e.act.written()
	if len(w) != 1 || w[0].op != "follow" || w[0].user != "alice" {
		t.Fatalf("writes %+v", w)
	}
	f := w[0].follow
	if f.Name != name || f.Namespace != testNS || f.Spec.Subscriber != "alice" || f.Spec.RoleRef != "mlops-engineer" ||
		f.Spec.Email != "alice@example.com" || f.Spec.Locale != "zh-CN" || f.Spec.Delivery == nil ||
		f.Spec.Delivery.Mode != v1.DeliveryDigest || f.Spec.Delivery.Hour == nil || *f.Spec.Delivery.Hour != 7 ||
		f.Spec.Delivery.TimeZone != "Asia/Shanghai" || len(f.Spec.Events) != 0 {
		t.Errorf("the Follow: %s %+v %+v", f.Name, f.Spec, f.Spec.Delivery)
	}
	r = alice.do(http.MethodGet, r.header.Get("Location"), nil)
	if !strings.Contains(r.body, "You now follow this role by email.") ||
		!strings.Contains(r.body, "a daily digest at 07:00 (Asia/Shanghai)") || !strings.Contains(r.body, "unfollow-form") ||
		!strings.Contains(r.body, `<option value="zh-CN" selected>`) || !strings.Contains(r.body, `value="digest" checked`) {
		t.Errorf("the page after following:\n%s", r.body)
	}

	// A refused change keeps what she sent in the form, and says how she
	// follows still.
	r = alice.do(http.MethodPost, page, url.Values{"token": {token}, "delivery": {"digest"}, "hour": {"25"}, "tz": {"UTC"}})
	if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "a daily digest at 07:00 (Asia/Shanghai)") ||
		!strings.Contains(r.body, `value="UTC"`) || !strings.Contains(r.body, "is not an hour of the day") {
		t.Errorf("a refused change: %d\n%s", r.code, r.body)
	}

	// She changes to instant: a patch of her Follow, the email kept.
	r = alice.do(http.MethodPost, page, url.Values{"token": {token}, "delivery": {"instant"}, "tz": {"UTC"}, "locale": {"en"}})
	if r.code != http.StatusSeeOther || r.header.Get("Location") != page+"?done=followChanged" {
		t.Fatalf("alice changes: %d\n%s", r.code, r.body)
	}
	w = e.act.written()
	if len(w) != 2 || w[1].op != "follow-change" || w[1].follow.Spec.Delivery.Mode != v1.DeliveryInstant ||
		w[1].follow.Spec.Delivery.Hour != nil || w[1].follow.Spec.Delivery.TimeZone != "" || w[1].follow.Spec.Locale != "en" ||
		w[1].follow.Spec.Email != "alice@example.com" {
		t.Errorf("the change: %+v", w)
	}
	if r := alice.do(http.MethodGet, page, nil); !strings.Contains(r.body, "an email as each thing happens") {
		t.Errorf("the page after the change:\n%s", r.body)
	}

	// bob's Follow under alice's name is not hers: not shown, not changed.
	e.act.mu.Lock()
	e.act.follows[testNS+"/"+name].Spec.Subscriber = "bob"
	e.act.mu.Unlock()
	if r := alice.do(http.MethodGet, page, nil); strings.Contains(r.body, "unfollow-form") {
		t.Error("another person's Follow is shown as hers")
	}
	r = alice.do(http.MethodPost, page, url.Values{"token": {token}, "delivery": {"instant"}})
	if r.code != http.StatusConflict || !strings.Contains(r.body, "Another person") {
		t.Errorf("a follow under a taken name: %d\n%s", r.code, r.body)
	}
	if r := alice.do(http.MethodPost, unfollowURL(testNS, "mlops-engineer"), url.Values{"token": {token}}); r.code != http.StatusConflict {
		t.Errorf("unfollowing another's Follow: %d", r.code)
	}
	e.act.mu.Lock()
	e.act.follows[testNS+"/"+name].Spec.Subscriber = "alice"
	e.act.mu.Unlock()

	// She unfollows: a delete; again, and she is told she does not follow.
	r = alice.do(http.MethodPost, unfollowURL(testNS, "mlops-engineer"), url.Values{"token": {token}})
	if r.code != http.StatusSeeOther || r.header.Get("Location") != page+"?done=unfollowed" {
		t.Fatalf("alice unfollows: %d\n%s", r.code, r.body)
	}
	if w := e.act.written(); len(w) != 3 || w[2].op != "unfollow" || w[2].follow.Name != name {
		t.Errorf("the unfollow: %+v", w)
	}
	r = alice.do(http.MethodPost, unfollowURL(testNS, "mlops-engineer"), url.Values{"token": {token}})
	if r.code != http.StatusConflict || !strings.Contains(r.body, "You do not follow this role.") {
		t.Errorf("unfollowing twice: %d\n%s", r.code, r.body)
	}

	// The same protections as every form: another session's token, another site.
	carol := e.browser(e.token("carol", oidcissuer.MintOptions{}))
	if r := carol.do(http.MethodPost, page, url.Values{"token": {token}, "delivery": {"instant"}}); r.code != http.StatusForbidden {
		t.Errorf("alice's form token in carol's session: %d", r.code)
	}

	// carol lacks skillmatrix-follower: the page says so, and the form is
	// refused in words, in en and zh-CN, writing nothing.
	e.act.readErr = apierrors.NewForbidden(schema.GroupResource{Group: v1.GroupVersion.Group, Resource: "follows"}, name,
		errors.New(`User "carol" cannot get resource "follows" in API group "career.skillmatrix.dev" in the namespace "career"`))
	before := len(e.act.written())
	r = carol.do(http.MethodGet, page, nil)
	if !strings.Contains(r.body, "You may not follow roles here") || !strings.Contains(r.body, "skillmatrix-follower") {
		t.Errorf("carol's page does not say she may not follow:\n%s", r.body)
	}
	ctoken := tokenField.FindStringSubmatch(r.body)[1]
	r = carol.do(http.MethodPost, page, url.Values{"token": {ctoken}, "delivery": {"instant"}})
	if r.code != http.StatusForbidden || !strings.Contains(r.body, "You may not follow roles here") ||
		!strings.Contains(r.body, "Nothing was changed.") {
		t.Errorf("carol follows: %d\n%s", r.code, r.body)
	}
	carol.header.Set("Accept-Language", "zh-CN")
	r = carol.do(http.MethodPost, page, url.Values{"token": {ctoken}, "delivery": {"instant"}})
	if r.code != http.StatusForbidden || !strings.Contains(r.body, "skillmatrix-follower 角色") {
		t.Errorf("carol follows, in Chinese: %d\n%s", r.code, r.body)
	}
	if len(e.act.written()) != before {
		t.Errorf("carol's refused follow wrote %+v", e.act.written()[before:])
	}
}

// The token's email is used only when verified and a plain address.
func TestVerifiedEmail(t *testing.T) {
	for _, tc := range []struct {
		claims map[string]any
		want   string
	}{
		{map[string]any{"email": "a@example.com", "email_verified": true}, "a@example.com"},
		{map[string]any{"email": "a@example.com"}, "a@example.com"},
		{map[string]any{"email": "a@example.com", "email_verified": "true"}, "a@example.com"},
		{map[string]any{"email": "a@example.com", "email_verified": false}, ""},
		{map[string]any{"email": "a@example.com", "email_verified": "false"}, ""},
		{map[string]any{"email": "Alice <a@example.com>"}, ""},
		{map[string]any{"email": "a b@example.com"}, ""},
		{map[string]any{"email": "not-an-address"}, ""},
		{map[string]any{"email": 42}, ""},
		{map[string]any{}, ""},
	} {
		if got := verifiedEmail(tc.claims); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.claims, got, tc.want)
		}
	}
}
