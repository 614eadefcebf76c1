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
	"net/mail"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// What the CLI (kubectl skillmatrix follow) and the portal's Follow button
// share: both create a Follow as the signed-in person with NewFollow, under
// the name FollowName gives, so following twice from either updates the
// one Follow, and unfollowing deletes it by that name.

// FollowName is the name of subscriber's Follow of role: the Role's name and
// a hash of the username (not the username itself: a name is visible to
// whoever may list Follows, and says nothing here).
func FollowName(role, subscriber string) string {
	sum := sha256.Sum256([]byte(subscriber))
	prefix := role
	const maxPrefix = 253 - 11
	if len(prefix) > maxPrefix {
		prefix = strings.TrimRight(prefix[:maxPrefix], "-.")
	}
	return prefix + "-" + hex.EncodeToString(sum[:5])
}

// FollowOptions are a person's choices; the zero value follows instantly,
// in English, by the address made from the username.
type FollowOptions struct {
	Email    string
	Mode     v1.DeliveryMode
	Hour     *int32
	TimeZone string
	Locale   v1.Locale
	Events   []v1.NotificationEvent
}

// NewFollow is subscriber's Follow of role in namespace, to be created with
// subscriber's own credentials (the admission policy refuses any other).
func NewFollow(namespace, role, subscriber string, o FollowOptions) *v1.Follow {
	f := &v1.Follow{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1.GroupVersion.String(), Kind: "Follow"},
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: FollowName(role, subscriber)},
		Spec: v1.FollowSpec{
			Subscriber: v1.Username(subscriber), RoleRef: v1.ObjectName(role),
			Email: o.Email, Locale: o.Locale, Events: slices.Clone(o.Events),
		},
	}
	if o.Mode != "" || o.Hour != nil || o.TimeZone != "" {
		f.Spec.Delivery = &v1.DeliverySchedule{Mode: o.Mode, Hour: o.Hour, TimeZone: o.TimeZone}
	}
	return f
}

// Address is where a user's mail goes: the username when it is an address,
// else username@domain when the provider names a domain; false when neither
// makes an address.
func Address(user v1.Username, domain string) (string, bool) {
	name := string(user)
	if !strings.Contains(name, "@") {
		if domain == "" {
			return "", false
		}
		name += "@" + domain
	}
	a, err := mail.ParseAddress(name)
	if err != nil || a.Name != "" || a.Address != name {
		return "", false
	}
	return a.Address, true
}

// AddressAllowed reports whether address is in one of domains (or domains
// is empty): case-insensitively, the domain itself, not a subdomain.
func AddressAllowed(address string, domains []string) bool {
	if len(domains) == 0 {
		return true
	}
	i := strings.LastIndexByte(address, '@')
	if i < 0 {
		return false
	}
	return slices.ContainsFunc(domains, func(d string) bool { return strings.EqualFold(address[i+1:], d) })
}

// FollowAddress is where a Follow's mail goes (false: nowhere allowed).
func FollowAddress(f *v1.Follow, smtp *v1.SMTPSettings, allowed []string) (string, bool) {
	address := f.Spec.Email
	if address == "" {
		domain := ""
		if smtp != nil {
			domain = smtp.UserDomain
		}
		var ok bool
		if address, ok = Address(f.Spec.Subscriber, domain); !ok {
			return "", false
		}
	}
	return address, AddressAllowed(address, allowed)
}
