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
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// FuzzConditionalHeaders feeds request headers to the parsers of
// Accept-Encoding, If-None-Match and If-Modified-Since: they never panic, an
// If-None-Match that lists the page's ETag always gets a 304, and one that
// lists only other tags never does.
func FuzzConditionalHeaders(f *testing.F) {
	for _, seed := range [][3]string{
		{"gzip, deflate, br", `"abc"`, "Mon, 02 Jan 2026 15:04:05 GMT"},
		{"gzip;q=0", `W/"abc-gz", "x"`, ""},
		{"identity, *;q=0", "*", "not a date"},
		{"GZIP ; q=0.5", `"abc" , W/"other"`, "Sun, 06 Nov 1994 08:49:37 GMT"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	modified := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, acceptEncoding, ifNoneMatch, ifModifiedSince string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Encoding", acceptEncoding)
		r.Header.Set("If-None-Match", ifNoneMatch)
		r.Header.Set("If-Modified-Since", ifModifiedSince)
		_ = acceptsGzip(r)
		got := notModified(r, `"abc"`, modified)
		if r.Header.Get("If-None-Match") == "" {
			return
		}
		listed := false
		for tag := range strings.SplitSeq(r.Header.Get("If-None-Match"), ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			listed = listed || tag == `"abc"` || tag == "*"
		}
		if got != listed {
			t.Errorf("If-None-Match %q: notModified = %v, want %v", ifNoneMatch, got, listed)
		}
	})
}

// FuzzFormToken: no token verifies for another person or session than the
// one it was made for, a changed token never verifies, and nothing panics.
func FuzzFormToken(f *testing.F) {
	f.Add("user-alice", "session-1", "user-bob", "session-1", 0, byte('x'))
	f.Add("user-alice", "session-1", "user-alice", "session-2", 3, byte('A'))
	f.Add("", "", "", "x", 11, byte('.'))
	f.Add("a\x00b", "c", "a", "\x00bc", 40, byte('-'))
	k, err := deriveKeys([]byte(strings.Repeat("f", 32)))
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, subject, session, otherSubject, otherSession string, at int, b byte) {
		id := &identity{Issuer: "https://issuer.example", Subject: subject, Session: session}
		tok := k.formToken(id, now)
		if !k.checkFormToken(id, tok, now) {
			t.Fatalf("a fresh token does not verify for its own person and session")
		}
		other := &identity{Issuer: id.Issuer, Subject: otherSubject, Session: otherSession}
		if (otherSubject != subject || otherSession != session) && k.checkFormToken(other, tok, now) {
			t.Errorf("a token of (%q, %q) verifies for (%q, %q)", subject, session, otherSubject, otherSession)
		}
		if at >= 0 && at < len(tok) && tok[at] != b {
			changed := tok[:at] + string(b) + tok[at+1:]
			if changed != tok && k.checkFormToken(id, changed, now) {
				// Base64's last character may carry unused bits: the
				// decoded MAC must differ for the token to be another.
				if mac(t, changed) != mac(t, tok) || ts(changed) != ts(tok) {
					t.Errorf("a changed token %q verifies", changed)
				}
			}
		}
		_ = k.checkFormToken(id, otherSubject, now)
	})
}

func mac(t *testing.T, token string) string {
	_, m, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil {
		return "invalid " + m
	}
	return string(raw)
}

func ts(token string) string {
	t, _, _ := strings.Cut(token, ".")
	return t
}

// FuzzLocalPath: the return address of a sign-in or of the language switch
// always stays on the portal.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/ns/career/", "//evil.example", "/\\evil.example", "https://evil.example/", "/%2F%2Fevil",
		"javascript:alert(1)", "/ok?x=//evil", " /x", "/\t/evil", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, back string) {
		got := localPath(back)
		u, err := url.Parse(got)
		if err != nil || !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.HasPrefix(got, "/\\") ||
			u.Host != "" || u.Scheme != "" {
			t.Errorf("localPath(%q) = %q leads off the portal", back, got)
		}
		// What a browser makes of it: the location resolved against the portal.
		base, _ := url.Parse("https://portal.example/x/")
		if loc := base.ResolveReference(u); loc.Host != "portal.example" {
			t.Errorf("localPath(%q) = %q resolves to host %q", back, got, loc.Host)
		}
	})
}

// FuzzProposeForm: whatever a form says, the changes it makes are well
// formed, each carries the `from` the Role holds now, and nothing panics.
func FuzzProposeForm(f *testing.F) {
	for _, seed := range [][8]string{
		{"cell", "kubernetes-core", "senior", "A", "true", "V", "true", ""},
		{"cell", "kubernetes-core", "senior", "W", "false", "V", "", ""},
		{"focus", "", "senior", "", "", "", "", "Kubernetes (GPU scheduling)\r\nand more"},
		{"stack", "", "junior", "", "", "", "", "Python\nMLflow, DVC\n\n"},
		{"stack", "", "nowhere", "", "", "", "", ","},
		{"", "x", "", "", "", "", "", ""},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3], seed[4], seed[5], seed[6], seed[7])
	}
	role := loadSample(f, "career_v1alpha1_role.yaml", &v1.Role{})
	f.Fuzz(func(t *testing.T, kind, skill, level, fromProf, fromReq, prof, req, text string) {
		form := url.Values{"kind": {kind}, "skill": {skill}, "level": {level}, "from_proficiency": {fromProf},
			"from_required": {fromReq}, "proficiency": {prof}, "required": {req}, "focus": {text}, "stack": {text},
			"from_focus": {text}, "from_stack": {text}}
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		changes, err := changesOf(r, role, form)
		if err != nil {
			if _, ok := errors.AsType[*refusal](err); !ok {
				t.Fatalf("not a refusal: %v", err)
			}
			return
		}
		if len(changes) == 0 {
			t.Fatal("no changes and no refusal")
		}
		for _, c := range changes {
			switch c.Op {
			case v1.OpSetProficiency, v1.OpSetRequired:
				cell := role.Spec.Cell(c.Skill, c.Level)
				if cell == nil || c.From == nil {
					t.Fatalf("%+v: a cell change without its cell or from", c)
				}
				if c.Op == v1.OpSetProficiency && c.From.Proficiency != cell.Proficiency {
					t.Errorf("from %q, the Role holds %q", c.From.Proficiency, cell.Proficiency)
				}
				if c.Op == v1.OpSetRequired && *c.From.Required != cell.Required {
					t.Errorf("from required %v, the Role holds %v", *c.From.Required, cell.Required)
				}
			case v1.OpSetFocus:
				if c.From == nil || c.From.Focus == nil || c.Focus == nil {
					t.Fatalf("%+v: a focus change without from", c)
				}
			case v1.OpSetTechStack:
				for _, item := range c.TechStack {
					if item == "" || strings.ContainsAny(item, "\n,") || strings.TrimSpace(item) != item {
						t.Errorf("tech stack item %q", item)
					}
				}
			default:
				t.Errorf("the form made a %s change", c.Op)
			}
		}
	})
}

// FuzzIdentityClaims: whatever a verified token claims, the identity the
// portal acts as has a username that is no system identity, no system:
// group but system:authenticated (last, once), and no group twice.
func FuzzIdentityClaims(f *testing.F) {
	for _, seed := range []string{
		`{"sub":"alice","groups":["engineers","engineers","system:masters"]}`,
		`{"sub":"system:admin"}`,
		`{"email":"a@example.com","email_verified":false,"sub":"x"}`,
		`{"sub":"x","groups":"one"}`,
		`{"sub":"","groups":[1,null,{"a":1},""]}`,
	} {
		f.Add(seed, "", "")
		f.Add(seed, "oidc:", "oidc:")
	}
	f.Fuzz(func(t *testing.T, claimsJSON, userPrefix, groupPrefix string) {
		var claims map[string]any
		if json.Unmarshal([]byte(claimsJSON), &claims) != nil {
			return
		}
		for _, claim := range []string{"sub", claimEmail} {
			iss := Issuer{URL: "https://i.example", Audiences: []string{"p"}, UsernameClaim: claim, UsernamePrefix: userPrefix,
				GroupsClaim: "groups", GroupsPrefix: groupPrefix}
			id, err := iss.identityOf(claims)
			if err != nil {
				continue
			}
			if id.Username == "" || strings.HasPrefix(id.Username, "system:") {
				t.Errorf("acts as %q", id.Username)
			}
			n := len(id.Groups)
			if n == 0 || id.Groups[n-1] != "system:authenticated" {
				t.Fatalf("groups %q do not end with system:authenticated", id.Groups)
			}
			seen := map[string]bool{}
			for _, g := range id.Groups[:n-1] {
				if g == "" || strings.HasPrefix(g, "system:") || seen[g] {
					t.Errorf("group %q in %q", g, id.Groups)
				}
				seen[g] = true
			}
		}
	})
}

// FuzzFollowForm: whatever the follow form says, it is refused with a
// catalog key, or makes a delivery a Follow accepts (Instant or Digest, an
// hour of the day, a time zone the system knows within the CRD's pattern
// and length, a language the portal speaks), and its patch is JSON.
func FuzzFollowForm(f *testing.F) {
	for _, seed := range [][4]string{
		{"instant", "", "", ""},
		{"digest", "9", "UTC", "en"},
		{"digest", "23", "Asia/Shanghai", "zh-CN"},
		{"digest", "07", " Europe/Berlin ", ""},
		{"digest", "24", "Local", "fr"},
		{"instant", "-1", "../../etc/passwd", "en"},
		{"digest", "+9", "America/Argentina/Buenos_Aires", "zh-CN"},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3])
	}
	have := &v1.Follow{}
	have.UID = "u1"
	f.Fuzz(func(t *testing.T, delivery, hour, tz, locale string) {
		form := url.Values{"delivery": {delivery}, "hour": {hour}, "tz": {tz}, "locale": {locale}}
		c, err := parseFollowForm(form, "en")
		if err != nil {
			ff, ok := errors.AsType[errFollowForm](err)
			if !ok || !strings.HasPrefix(ff.key, "portal.refused.follow") {
				t.Fatalf("not a follow form refusal: %v", err)
			}
			return
		}
		if c.Mode != v1.DeliveryInstant && c.Mode != v1.DeliveryDigest {
			t.Fatalf("mode %q", c.Mode)
		}
		if c.Hour < 0 || c.Hour > 23 || (c.Mode == v1.DeliveryInstant && c.Hour != 0) {
			t.Fatalf("hour %d with %s", c.Hour, c.Mode)
		}
		if c.TimeZone != "" {
			if len(c.TimeZone) > maxTimeZone || !timeZoneName.MatchString(c.TimeZone) || c.TimeZone == "Local" {
				t.Fatalf("time zone %q does not fit the CRD", c.TimeZone)
			}
			if _, err := time.LoadLocation(c.TimeZone); err != nil {
				t.Fatalf("time zone %q: %v", c.TimeZone, err)
			}
		}
		if !slices.Contains(locales, string(c.Locale)) {
			t.Fatalf("locale %q", c.Locale)
		}
		d := c.delivery()
		if (d.Hour != nil) != (c.Mode == v1.DeliveryDigest) {
			t.Fatalf("delivery %+v for %s", d, c.Mode)
		}
		patch, err := followPatch(have, d, c.Locale)
		if err != nil || !json.Valid(patch) {
			t.Fatalf("patch %s: %v", patch, err)
		}
	})
}
